//! Asking the person at the terminal for a password, without echoing it.

use std::io::{self, BufRead, Write};

/// Shows `prompt` on standard error and reads one line from standard input
/// with echo off. `Ok(None)` when standard input is not a terminal (a
/// script, a service): nobody is there to answer.
pub fn read_password(prompt: &str) -> io::Result<Option<String>> {
    let Some(_echo_off) = EchoOff::on_stdin()? else {
        return Ok(None);
    };
    let mut err = io::stderr();
    write!(err, "{prompt}")?;
    err.flush()?;
    let mut line = String::new();
    io::stdin().lock().read_line(&mut line)?;
    // The Enter the user typed was not echoed either.
    writeln!(err)?;
    let password = line.strip_suffix('\n').unwrap_or(&line);
    Ok(Some(
        password.strip_suffix('\r').unwrap_or(password).to_string(),
    ))
}

/// Turns the terminal's echo off while it lives.
struct EchoOff {
    #[cfg(unix)]
    saved: libc::termios,
    #[cfg(windows)]
    saved: u32,
}

#[cfg(unix)]
impl EchoOff {
    /// `None` when standard input is not a terminal.
    fn on_stdin() -> io::Result<Option<EchoOff>> {
        // SAFETY: isatty, tcgetattr and tcsetattr on descriptor 0 with a
        // termios this function owns.
        unsafe {
            if libc::isatty(0) != 1 {
                return Ok(None);
            }
            let mut saved: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut saved) != 0 {
                return Err(io::Error::last_os_error());
            }
            let mut quiet = saved;
            quiet.c_lflag &= !libc::ECHO;
            if libc::tcsetattr(0, libc::TCSANOW, &quiet) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(Some(EchoOff { saved }))
        }
    }
}

#[cfg(unix)]
impl Drop for EchoOff {
    fn drop(&mut self) {
        // SAFETY: restores the settings read from descriptor 0.
        unsafe {
            libc::tcsetattr(0, libc::TCSANOW, &self.saved);
        }
    }
}

#[cfg(windows)]
impl EchoOff {
    /// `None` when standard input is not a console.
    fn on_stdin() -> io::Result<Option<EchoOff>> {
        use windows_sys::Win32::System::Console::{
            ENABLE_ECHO_INPUT, GetConsoleMode, GetStdHandle, STD_INPUT_HANDLE, SetConsoleMode,
        };
        // SAFETY: console mode calls on the process's own input handle.
        unsafe {
            let input = GetStdHandle(STD_INPUT_HANDLE);
            let mut saved = 0u32;
            if GetConsoleMode(input, &mut saved) == 0 {
                return Ok(None);
            }
            if SetConsoleMode(input, saved & !ENABLE_ECHO_INPUT) == 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(Some(EchoOff { saved }))
        }
    }
}

#[cfg(windows)]
impl Drop for EchoOff {
    fn drop(&mut self) {
        use windows_sys::Win32::System::Console::{GetStdHandle, STD_INPUT_HANDLE, SetConsoleMode};
        // SAFETY: restores the mode read from the same handle.
        unsafe {
            SetConsoleMode(GetStdHandle(STD_INPUT_HANDLE), self.saved);
        }
    }
}

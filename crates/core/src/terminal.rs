//! Asking the person at the terminal for a password, without echoing it.

use std::io::{self, BufRead, Write};

/// Shows `prompt` on the terminal (standard error where there is no
/// `/dev/tty`) and reads one line from standard input with echo off.
/// `Ok(None)` when standard input is not a terminal (a script, a service):
/// nobody is there to answer. Ctrl+C (or another ending signal) while it
/// waits ends the process as the signal would, with the terminal's echo
/// restored first.
pub fn read_password(prompt: &str) -> io::Result<Option<String>> {
    let Some(_echo_off) = EchoOff::on_stdin()? else {
        return Ok(None);
    };
    let mut out: Box<dyn Write> = match std::fs::OpenOptions::new().write(true).open(TTY) {
        Ok(tty) => Box::new(tty),
        Err(_) => Box::new(io::stderr()),
    };
    write!(out, "{prompt}")?;
    out.flush()?;
    let mut line = String::new();
    io::stdin().lock().read_line(&mut line)?;
    // The Enter the user typed was not echoed either.
    writeln!(out)?;
    let password = line.strip_suffix('\n').unwrap_or(&line);
    Ok(Some(
        password.strip_suffix('\r').unwrap_or(password).to_string(),
    ))
}

/// Where the prompt goes.
#[cfg(unix)]
const TTY: &str = "/dev/tty";
#[cfg(windows)]
const TTY: &str = "CONOUT$";

/// Turns the terminal's echo off while it lives.
struct EchoOff {
    #[cfg(unix)]
    saved: libc::termios,
    #[cfg(unix)]
    handlers: Vec<(libc::c_int, libc::sigaction)>,
    #[cfg(windows)]
    saved: u32,
}

/// The settings an ending signal restores (set once, before the echo goes
/// off; read by the handler, which may only make async-signal-safe calls).
#[cfg(unix)]
static SAVED: std::sync::OnceLock<libc::termios> = std::sync::OnceLock::new();

/// The signals that end the process by default while it waits.
#[cfg(unix)]
const ENDING: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

/// Restores the terminal, then ends the process as `signal` would have.
#[cfg(unix)]
extern "C" fn restore_and_end(signal: libc::c_int) {
    // SAFETY: tcsetattr, signal and raise are async-signal-safe.
    unsafe {
        if let Some(saved) = SAVED.get() {
            libc::tcsetattr(0, libc::TCSANOW, saved);
        }
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
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
            let _ = SAVED.set(saved);
            let mut handlers = Vec::new();
            for signal in ENDING {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = restore_and_end as *const () as libc::sighandler_t;
                libc::sigemptyset(&mut action.sa_mask);
                let mut previous: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(signal, &action, &mut previous) == 0 {
                    handlers.push((signal, previous));
                }
            }
            let mut quiet = saved;
            quiet.c_lflag &= !libc::ECHO;
            let off = EchoOff { saved, handlers };
            if libc::tcsetattr(0, libc::TCSANOW, &quiet) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(Some(off))
        }
    }
}

#[cfg(unix)]
impl Drop for EchoOff {
    fn drop(&mut self) {
        // SAFETY: restores the settings read from descriptor 0, then the
        // signal actions replaced.
        unsafe {
            libc::tcsetattr(0, libc::TCSANOW, &self.saved);
            for (signal, previous) in &self.handlers {
                libc::sigaction(*signal, previous, std::ptr::null_mut());
            }
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

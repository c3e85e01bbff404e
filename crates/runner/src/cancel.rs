//! Cooperative cancellation of a run, and the process-wide signal seam that
//! `ssis exec` installs (SIGINT/SIGTERM on Unix, CTRL-C/CTRL-BREAK on Windows).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set by the signal handler; read by tokens linked to signals.
static SIGNALED: AtomicBool = AtomicBool::new(false);

/// A cancel flag shared by the engine and its tasks. Tasks poll it; a
/// canceled run starts no new executable and ends its child processes.
#[derive(Debug, Clone, Default)]
pub struct CancelToken {
    flag: Arc<AtomicBool>,
    signals: bool,
}

impl CancelToken {
    /// A token canceled only by [`CancelToken::cancel`].
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// A token also canceled by SIGINT/SIGTERM once
    /// [`install_signal_handlers`] has run.
    pub fn linked_to_signals() -> CancelToken {
        CancelToken {
            flag: Arc::default(),
            signals: true,
        }
    }

    /// Requests cancellation.
    pub fn cancel(&self) {
        self.flag.store(true, Ordering::SeqCst);
    }

    /// Whether cancellation was requested.
    pub fn is_canceled(&self) -> bool {
        self.flag.load(Ordering::SeqCst) || (self.signals && SIGNALED.load(Ordering::SeqCst))
    }
}

#[cfg(unix)]
extern "C" fn on_signal(_: libc::c_int) {
    // Only an atomic store: async-signal-safe.
    SIGNALED.store(true, Ordering::SeqCst);
}

/// Makes SIGINT and SIGTERM cancel every token made with
/// [`CancelToken::linked_to_signals`]. Called by `exec_main` only, never by
/// the library on its own.
#[cfg(unix)]
pub fn install_signal_handlers() -> std::io::Result<()> {
    // SAFETY: sigaction with a zeroed struct, an empty mask and a handler that
    // only performs an atomic store.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
        libc::sigemptyset(&mut action.sa_mask);
        action.sa_flags = libc::SA_RESTART;
        for sig in [libc::SIGINT, libc::SIGTERM] {
            if libc::sigaction(sig, &action, std::ptr::null_mut()) != 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
    }
    Ok(())
}

#[cfg(windows)]
unsafe extern "system" fn on_console_event(ctrl_type: u32) -> windows_sys::core::BOOL {
    use windows_sys::Win32::System::Console::{CTRL_BREAK_EVENT, CTRL_C_EVENT, CTRL_CLOSE_EVENT};
    match ctrl_type {
        CTRL_C_EVENT | CTRL_BREAK_EVENT | CTRL_CLOSE_EVENT => {
            SIGNALED.store(true, Ordering::SeqCst);
            1
        }
        _ => 0,
    }
}

/// Makes CTRL-C, CTRL-BREAK and closing the console cancel every token
/// made with [`CancelToken::linked_to_signals`] (`SetConsoleCtrlHandler`).
#[cfg(windows)]
pub fn install_signal_handlers() -> std::io::Result<()> {
    // SAFETY: registers a handler that only performs an atomic store.
    let ok = unsafe {
        windows_sys::Win32::System::Console::SetConsoleCtrlHandler(Some(on_console_event), 1)
    };
    if ok == 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancel_is_shared_between_clones() {
        let t = CancelToken::new();
        let c = t.clone();
        assert!(!t.is_canceled());
        c.cancel();
        assert!(t.is_canceled());
    }
}

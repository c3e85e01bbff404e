//! `ssis`: the command-line tool. All logic lives in the `ssis-cli` crate.

fn main() {
    restore_default_sigpipe();
    std::process::exit(ssis_cli::main());
}

/// Lets `ssis ... | head` end quietly, as Unix tools do, instead of failing
/// on a closed pipe. The service commands keep Rust's default (SIGPIPE
/// ignored), so a client hanging up can never kill the daemon.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    if !std::env::args_os().any(|a| a == "service") {
        // SAFETY: called first thing in main, before any other thread exists.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
}

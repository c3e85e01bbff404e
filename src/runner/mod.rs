//! The built-in package runner: runs `.dtsx` control flow with dtexec's command line.

pub mod expr;

use std::ffi::OsString;

/// Runs `ssis exec` with dtexec-style arguments (everything after `exec`);
/// returns dtexec's exit code.
pub fn exec_main(args: &[OsString]) -> i32 {
    let _ = args;
    eprintln!("ssis exec: not implemented yet");
    6
}

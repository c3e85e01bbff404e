//! `ssis service supervise <exit-file> <program> [args...]`: the small
//! process the service starts for each execution. It runs the executor in
//! its own process group (the group the service created for the
//! supervisor, so one signal to the group reaches the whole tree), waits for
//! it, and writes its exit code to `<exit-file>` (atomically) before exiting
//! with the same code.
//!
//! Why: a service restarted while a package runs is no longer the parent of
//! that package, so it cannot collect the exit status; it reads the
//! supervisor's exit file instead and records the real result.
//!
//! The supervisor catches SIGTERM, SIGINT and SIGHUP and does nothing with
//! them (the executor, in the same group, gets its own copy and decides);
//! caught signals are reset to their defaults in the executor by exec.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

/// Exit code when the command line of the supervisor itself is wrong.
pub const EXIT_USAGE: i32 = 6;
/// Exit code when the executor cannot be started (the shell's "not found").
pub const EXIT_NOT_STARTED: i32 = 127;

/// What the supervisor writes when the executor ends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExitReport {
    /// The exit code; a signal counts as 128 + its number, as shells report it.
    pub exit_code: i32,
    /// The signal that ended the executor, if one did.
    #[serde(default)]
    pub signal: Option<i32>,
    /// The executor's process id (0 when it could not be started).
    pub process_id: u32,
    /// When it ended (RFC 3339 UTC).
    pub end_time: String,
    /// Why the executor could not be started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ExitReport {
    /// Reads an exit file; `None` if there is none (the supervisor did not
    /// finish) or it cannot be understood.
    pub fn read(path: &Path) -> Option<ExitReport> {
        let text = std::fs::read(path).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// A sentence about how the executor ended.
    pub fn describe(&self) -> String {
        match (&self.error, self.signal) {
            (Some(e), _) => format!("the executor could not be started: {e}"),
            (None, Some(sig)) => format!("ended by signal {sig}"),
            (None, None) => format!("exit code {}", self.exit_code),
        }
    }
}

/// The exit code and signal of a finished process.
pub fn code_of(status: &ExitStatus) -> (i32, Option<i32>) {
    if let Some(code) = status.code() {
        return (code, None);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return (128 + sig, Some(sig));
        }
    }
    (1, None)
}

/// The supervisor's command line for running `cmd` with its exit code in `exit_file`.
pub fn command_line(supervisor: &Path, exit_file: &Path, cmd: &[String]) -> Vec<OsString> {
    let mut v: Vec<OsString> = vec![
        supervisor.as_os_str().to_owned(),
        "service".into(),
        "supervise".into(),
        exit_file.as_os_str().to_owned(),
    ];
    v.extend(cmd.iter().map(OsString::from));
    v
}

/// `ssis service supervise` (arguments after `supervise`); returns the exit code.
pub fn main(args: &[OsString]) -> i32 {
    if args.len() >= 2 {
        ignore_stop_signals();
    }
    supervise(args)
}

/// Runs the executor and writes its exit file (no signal handling).
fn supervise(args: &[OsString]) -> i32 {
    let (Some(exit_file), Some(program)) = (args.first(), args.get(1)) else {
        eprintln!(
            "ssis service supervise: usage: ssis service supervise <exit-file> <program> [arguments...]"
        );
        return EXIT_USAGE;
    };
    let exit_file = PathBuf::from(exit_file);
    let report = match Command::new(program)
        .args(&args[2..])
        .stdin(Stdio::null())
        .spawn()
    {
        Ok(mut child) => {
            let pid = child.id();
            match child.wait() {
                Ok(status) => {
                    let (exit_code, signal) = code_of(&status);
                    report(exit_code, signal, pid, None)
                }
                Err(e) => report(1, None, pid, Some(format!("cannot wait for it: {e}"))),
            }
        }
        Err(e) => {
            let program = Path::new(program).display();
            eprintln!("ssis service supervise: cannot start '{program}': {e}");
            report(
                EXIT_NOT_STARTED,
                None,
                0,
                Some(format!("cannot start '{program}': {e}")),
            )
        }
    };
    if let Err(e) = write_report(&exit_file, &report) {
        eprintln!("ssis service supervise: {e}");
    }
    report.exit_code.clamp(0, 255)
}

fn report(exit_code: i32, signal: Option<i32>, pid: u32, error: Option<String>) -> ExitReport {
    ExitReport {
        exit_code,
        signal,
        process_id: pid,
        end_time: crate::timefmt::rfc3339(std::time::SystemTime::now(), true),
        error,
    }
}

/// Writes the exit file atomically (a reader never sees half of it).
pub fn write_report(path: &Path, report: &ExitReport) -> Result<()> {
    let text = serde_json::to_vec(report)
        .map_err(|e| Error::internal(format!("cannot encode the exit report: {e}")))?;
    crate::fsutil::write_atomic(path, &text, true)
}

#[cfg(unix)]
extern "C" fn ignore(_: libc::c_int) {}

/// Catches (not ignores: an ignored signal would stay ignored in the
/// executor) the signals a stop sends to the group.
#[cfg(unix)]
fn ignore_stop_signals() {
    for sig in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
        // SAFETY: installs a handler that does nothing (async-signal-safe);
        // SA_RESTART keeps waitpid going.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = ignore as extern "C" fn(libc::c_int) as usize;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(sig, &action, std::ptr::null_mut());
        }
    }
}

/// Windows: console control events come with the Windows service (issue 9).
#[cfg(windows)]
fn ignore_stop_signals() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_round_trip_and_describe_themselves() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.exit");
        assert_eq!(ExitReport::read(&path), None);
        let r = report(143, Some(15), 42, None);
        write_report(&path, &r).unwrap();
        let back = ExitReport::read(&path).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.describe(), "ended by signal 15");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"ExitCode\":143"), "{text}");
        std::fs::write(&path, "{\"Exit").unwrap();
        assert_eq!(ExitReport::read(&path), None, "a torn file is no report");
    }

    #[cfg(unix)]
    #[test]
    fn supervises_a_real_process() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("y.exit");
        let args: Vec<OsString> = vec![
            path.clone().into(),
            "sh".into(),
            "-c".into(),
            "exit 7".into(),
        ];
        assert_eq!(supervise(&args), 7);
        let r = ExitReport::read(&path).unwrap();
        assert_eq!((r.exit_code, r.signal, r.error), (7, None, None));
        assert!(r.process_id > 0);
        let args: Vec<OsString> = vec![path.clone().into(), "/no/such/program".into()];
        assert_eq!(supervise(&args), EXIT_NOT_STARTED);
        let r = ExitReport::read(&path).unwrap();
        assert!(r.error.unwrap().contains("/no/such/program"));
        assert_eq!(main(&[]), EXIT_USAGE);
    }
}

//! `ssis service supervise [--output <log> --cap <bytes>] <exit-file>
//! <program> [args...]`, or `ssis service supervise --stdin` reading a
//! [`Job`] as one JSON line: the small process the service starts for each
//! execution. It runs the executor in its own process group (the group the
//! service created for the supervisor, so one signal to the group reaches
//! the whole tree), copies its stdout and stderr into the output log with
//! the cap ([`super::capture`]), waits for it, and writes its exit code to
//! the exit file (atomically) before exiting with the same code.
//!
//! Why: a service restarted while a package runs is no longer the parent of
//! that package, so it cannot collect the exit status; it reads the
//! supervisor's exit file instead and records the real result.
//!
//! The service keeps one spare supervisor started ahead (`--stdin`, waiting
//! for its job), so a run does not wait for this program to load; a spare
//! whose service goes away reads end-of-file and exits.
//!
//! The supervisor catches SIGTERM, SIGINT and SIGHUP and does nothing with
//! them (the executor, in the same group, gets its own copy and decides);
//! caught signals are reset to their defaults in the executor by exec.

mod output;
mod report;

pub use output::Lost;
pub(crate) use report::report;
pub use report::{ExitReport, code_of, write_report};

use super::capture::Capture;
use output::copy_output;
use serde::{Deserialize, Serialize};
use ssis_core::error::{Error, Result};
use ssis_core::protocol::executions::{PASSWORD_ENV, Secret};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Exit code when the command line of the supervisor itself is wrong.
pub const EXIT_USAGE: i32 = 6;
/// Exit code when the executor cannot be started (the shell's "not found").
pub const EXIT_NOT_STARTED: i32 = 127;

/// One execution for a supervisor: what the service sends, as one JSON
/// line, to a supervisor started with `--stdin` (a spare, started ahead of
/// time so a run does not wait for this program to load).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Job {
    /// The output log (absent: the executor's output is inherited).
    #[serde(default)]
    pub output: Option<PathBuf>,
    /// Size cap of the output log.
    #[serde(default)]
    pub cap: Option<u64>,
    /// Where the exit report goes.
    pub exit_file: PathBuf,
    /// Given to the executor as `SSIS_EXECUTION_ID`.
    #[serde(default)]
    pub execution_id: Option<String>,
    /// The executor's command line, program first.
    pub command_line: Vec<String>,
    /// The account the executor runs as (absent: the supervisor's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as: Option<super::runas::RunAs>,
    /// The package password, given to the executor as `SSIS_PACKAGE_DECRYPT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
}

impl Job {
    /// What the executor gets in its environment besides the account's.
    pub(crate) fn environment(&self) -> Vec<(&'static str, &str)> {
        let mut env = Vec::new();
        if let Some(id) = &self.execution_id {
            env.push(("SSIS_EXECUTION_ID", id.as_str()));
        }
        if let Some(Secret(password)) = &self.password {
            env.push((PASSWORD_ENV, password.as_str()));
        }
        env
    }
}

impl Job {
    /// The job as the line a supervisor reads, for the supervisor `child`
    /// (on Windows, a caller's token is copied into that process first).
    pub fn line_for(&self, child: &tokio::process::Child) -> Result<Vec<u8>> {
        #[cfg(windows)]
        let copied;
        #[cfg(windows)]
        let job = match (&self.run_as, child.raw_handle()) {
            (Some(run_as), Some(process)) => {
                let mut run_as = run_as.clone();
                // SAFETY: the handle of the live supervisor this service
                // started (`child` is borrowed across the call).
                unsafe { super::windows::asuser::hand_over(&mut run_as, process as _)? };
                copied = Job {
                    run_as: Some(run_as),
                    ..self.clone()
                };
                &copied
            }
            _ => self,
        };
        #[cfg(unix)]
        let (job, _) = (self, child);
        let mut line = serde_json::to_vec(job)
            .map_err(|e| Error::internal(format!("cannot encode the supervisor's job: {e}")))?;
        line.push(b'\n');
        Ok(line)
    }
}

/// The arguments of a supervisor that waits for its [`Job`] on stdin.
pub const STDIN_ARGS: [&str; 3] = ["service", "supervise", "--stdin"];

/// How long output still in the pipe is copied after the executor ends
/// (a leftover background process holding the pipe does not keep the
/// supervisor, and so the execution, alive).
const DRAIN: Duration = Duration::from_millis(500);

/// `ssis service supervise` (arguments after `supervise`); returns the exit code.
pub fn main(args: &[OsString]) -> i32 {
    if args.len() == 1 && args[0] == "--stdin" {
        let mut line = String::new();
        return match std::io::stdin().read_line(&mut line) {
            // The service went away before it had a job for this spare.
            Ok(0) | Err(_) => 0,
            Ok(_) => match serde_json::from_str::<Job>(&line) {
                Ok(job) => {
                    ignore_stop_signals();
                    run_job(&job)
                }
                Err(e) => usage(&format!("the job on stdin is not valid: {e}")),
            },
        };
    }
    if args.len() >= 2 {
        ignore_stop_signals();
    }
    supervise(args)
}

/// Runs the executor and writes its exit file (no signal handling).
fn supervise(args: &[OsString]) -> i32 {
    let mut args = args;
    let mut output: Option<PathBuf> = None;
    let mut cap = None;
    loop {
        match (args.first().and_then(|a| a.to_str()), args.get(1)) {
            (Some("--output"), Some(v)) => output = Some(PathBuf::from(v)),
            (Some("--cap"), Some(v)) => match v.to_str().and_then(|v| v.parse().ok()) {
                Some(n) => cap = Some(n),
                None => {
                    return usage(&format!(
                        "--cap {}: not a number of bytes",
                        v.to_string_lossy()
                    ));
                }
            },
            _ => break,
        }
        args = &args[2..];
    }
    let (Some(exit_file), Some(_)) = (args.first(), args.get(1)) else {
        return usage("an exit file and a program are needed");
    };
    let job = Job {
        output,
        cap,
        exit_file: PathBuf::from(exit_file),
        execution_id: None,
        command_line: args[1..]
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
        run_as: None,
        password: None,
    };
    run_job(&job)
}

/// Runs one job: the executor, its output, its exit file.
pub fn run_job(job: &Job) -> i32 {
    let Some(program) = job.command_line.first() else {
        return usage("the job has an empty command line");
    };
    let capture = match job.output.as_deref() {
        None => None,
        Some(log) => match Capture::open(log, job.cap.unwrap_or(u64::MAX)) {
            Ok(c) => Some(c),
            Err(e) => {
                eprintln!(
                    "ssis service supervise: cannot open the output log '{}': {e}",
                    log.display()
                );
                return EXIT_USAGE;
            }
        },
    };
    #[cfg(windows)]
    if let Some(run_as) = &job.run_as {
        let notes = capture.as_ref().and_then(|c| c.log_file().ok());
        let (output, copier) = match capture.map(output::pipe_into).transpose() {
            Ok(Some((write, copier))) => (Some(write), Some(copier)),
            Ok(None) => (None, None),
            Err(e) => {
                eprintln!("ssis service supervise: cannot create the output pipe: {e}");
                return EXIT_USAGE;
            }
        };
        let mut report = super::windows::asuser::run_job(job, run_as, notes, output);
        report.output_lost = copier
            .and_then(|done| done.recv_timeout(DRAIN).ok())
            .and_then(|lost| lost.describe());
        return finish(job, report);
    }
    let mut command = Command::new(program);
    command.args(&job.command_line[1..]).stdin(Stdio::null());
    let env = job.environment();
    command.envs(env.iter().copied());
    match &job.run_as {
        #[cfg(unix)]
        Some(run_as) => super::runas::apply(&mut command, run_as, &env),
        // Windows runs as the caller above; nothing runs as the service instead.
        #[cfg(not(unix))]
        Some(_) => return usage("running as another account is not supported here"),
        None => {}
    }
    let (copier, mut notes) = match capture {
        Some(c) => {
            let notes = c.log_file().ok();
            match copy_output(&mut command, c) {
                Ok(copier) => (Some(copier), notes),
                Err(e) => {
                    eprintln!("ssis service supervise: cannot create the output pipe: {e}");
                    return EXIT_USAGE;
                }
            }
        }
        None => (None, None),
    };
    let spawned = command.spawn();
    // The pipe's writing ends now live only in the executor (and what it starts).
    drop(command);
    let report = match spawned {
        Ok(mut child) => {
            let pid = child.id();
            let status = child.wait();
            let lost = copier
                .and_then(|done| done.recv_timeout(DRAIN).ok())
                .and_then(|lost| lost.describe());
            let mut report = match status {
                Ok(status) => {
                    let (exit_code, signal) = code_of(&status);
                    report(exit_code, signal, pid, None)
                }
                Err(e) => report(1, None, pid, Some(format!("cannot wait for it: {e}"))),
            };
            report.output_lost = lost;
            report
        }
        Err(e) => {
            let message = format!("cannot start '{program}': {e}");
            eprintln!("ssis service supervise: {message}");
            if let Some(log) = notes.as_mut() {
                let _ = writeln!(log, "ssis service supervise: {message}");
            }
            report(EXIT_NOT_STARTED, None, 0, Some(message))
        }
    };
    finish(job, report)
}

/// Writes the exit file; the supervisor's own exit code.
fn finish(job: &Job, report: ExitReport) -> i32 {
    if let Err(e) = write_report(&job.exit_file, &report) {
        eprintln!("ssis service supervise: {e}");
    }
    report.exit_code.clamp(0, 255)
}

fn usage(problem: &str) -> i32 {
    eprintln!(
        "ssis service supervise: {problem}\nusage: ssis service supervise [--output <log> --cap <bytes>] <exit-file> <program> [arguments...]"
    );
    EXIT_USAGE
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

/// Windows: a stop's CTRL_BREAK (and CTRL_C) goes to the console process
/// group the service started this supervisor in; the supervisor handles
/// them by doing nothing, so it outlives the executor and writes its exit
/// file. Handler routines are not inherited: the executor keeps the
/// default handling and stops.
#[cfg(windows)]
fn ignore_stop_signals() {
    use windows_sys::Win32::System::Console::SetConsoleCtrlHandler;
    // SAFETY: registers a routine that only compares its argument.
    unsafe {
        SetConsoleCtrlHandler(Some(outlive_stop), 1);
    }
}

/// Handles CTRL_BREAK and CTRL_C (TRUE: not passed on to the default
/// handler, which would end the process); anything else goes on.
#[cfg(windows)]
unsafe extern "system" fn outlive_stop(ctrl: u32) -> windows_sys::core::BOOL {
    use windows_sys::Win32::System::Console::{CTRL_BREAK_EVENT, CTRL_C_EVENT};
    i32::from(ctrl == CTRL_BREAK_EVENT || ctrl == CTRL_C_EVENT)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(supervise(&["--cap".into(), "x".into()]), EXIT_USAGE);
    }

    /// A log on a full disk (/dev/full): the executor still runs to its end,
    /// and the report says how much output was lost and why.
    #[cfg(target_os = "linux")]
    #[test]
    fn output_a_full_disk_refuses_is_counted_in_the_report() {
        let dir = tempfile::tempdir().unwrap();
        let exit = dir.path().join("f.exit");
        let args: Vec<OsString> = vec![
            "--output".into(),
            "/dev/full".into(),
            exit.clone().into(),
            "sh".into(),
            "-c".into(),
            "head -c 100000 /dev/zero; exit 0".into(),
        ];
        assert_eq!(supervise(&args), 0);
        let r = ExitReport::read(&exit).unwrap();
        let lost = r.output_lost.expect("the loss is reported");
        assert!(
            lost.contains("could not take 100000 bytes") && lost.contains("No space left"),
            "{lost}"
        );
        assert_eq!(r.error, None);
    }

    #[cfg(unix)]
    #[test]
    fn copies_both_streams_into_the_capped_log() {
        let dir = tempfile::tempdir().unwrap();
        let exit = dir.path().join("z.exit");
        let log = dir.path().join("z.log");
        let script = "echo out; echo err >&2; (sleep 3 &) ; exit 3";
        let args: Vec<OsString> = vec![
            "--output".into(),
            log.clone().into(),
            "--cap".into(),
            "6".into(),
            exit.clone().into(),
            "sh".into(),
            "-c".into(),
            script.into(),
        ];
        let started = std::time::Instant::now();
        assert_eq!(supervise(&args), 3);
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "a background process holding the pipe does not hold the supervisor"
        );
        let text = std::fs::read_to_string(&log).unwrap();
        assert_eq!(text, format!("out\ner{}", super::super::output::marker(6)));
    }

    /// A CTRL_BREAK to the supervisor's process group (what a stop sends)
    /// leaves the supervisor running: without the handler this test
    /// process would end here.
    #[cfg(windows)]
    #[test]
    fn the_supervisor_outlives_a_ctrl_break() {
        use windows_sys::Win32::System::Console::{
            AllocConsole, CTRL_BREAK_EVENT, GenerateConsoleCtrlEvent,
        };
        if crate::windows::under_wine() {
            // Wine 8 refuses GenerateConsoleCtrlEvent ("Invalid access"):
            // it cannot send a stop's CTRL_BREAK at all (docs/WINDOWS.md).
            return;
        }
        ignore_stop_signals();
        // SAFETY: plain calls. A console to send on (the service gives its
        // supervisors one; fails harmlessly when there is one already);
        // group 0 is every process on it, this one included.
        let sent = unsafe {
            AllocConsole();
            GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, 0)
        };
        assert_ne!(sent, 0, "{}", std::io::Error::last_os_error());
        std::thread::sleep(Duration::from_millis(500));
    }

    #[cfg(windows)]
    #[test]
    fn copies_both_streams_into_the_capped_log() {
        let dir = tempfile::tempdir().unwrap();
        let exit = dir.path().join("z.exit");
        let log = dir.path().join("z.log");
        let args: Vec<OsString> = vec![
            "--output".into(),
            log.clone().into(),
            "--cap".into(),
            "7".into(),
            exit.clone().into(),
            "cmd".into(),
            "/c".into(),
            "echo out& echo err 1>&2& exit 3".into(),
        ];
        assert_eq!(supervise(&args), 3);
        let text = std::fs::read_to_string(&log).unwrap();
        assert_eq!(
            text,
            format!("out\r\ner{}", super::super::output::marker(7)),
            "both streams, cut at the cap"
        );
    }
}

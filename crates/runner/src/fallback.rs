//! `ssis exec --fallback PROGRAM`: a package the built-in runner refuses is
//! run by PROGRAM (Microsoft's dtexec, or SSIS on Linux's
//! `/opt/ssis/bin/dtexec`) with the same dtexec arguments, minus this
//! runner's own options. The output says which executor ran the package.
//!
//! A `/DECRYPT` password is not put on the program's command line on Unix
//! (other users can read command lines there): SSIS on Linux reads it from
//! `SSIS_PACKAGE_DECRYPT`, which is set for the child only. On Windows,
//! where dtexec has no such variable, `/DECRYPT` is passed on with the
//! password, however the run was given it.

use super::cancel::CancelToken;
use super::cmdline::{DECRYPT_ENV, decrypt_takes_value, is_option};
use super::{EXIT_CANCELED, EXIT_COMMAND_LINE, SharedWriter};
use std::ffi::OsString;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The arguments for the fallback program and the password to pass aside
/// in its environment: `decrypt` is the run's `/DECRYPT` password however
/// it was given (after the option, in `SSIS_PACKAGE_DECRYPT`, typed at the
/// terminal). On Windows it follows a bare `/DECRYPT` instead.
fn arguments(args: &[OsString], decrypt: Option<&str>) -> (Vec<OsString>, Option<OsString>) {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let s = a.to_string_lossy();
        i += 1;
        if s == "--events" || s == "--fallback" {
            i += 1;
            continue;
        }
        if s.starts_with("--events=") || s.starts_with("--fallback=") {
            continue;
        }
        if is_option(&s, "Decrypt") {
            let next = args.get(i).map(|a| a.to_string_lossy().into_owned());
            let has_value = decrypt_takes_value(next.as_deref());
            if cfg!(unix) {
                i += usize::from(has_value);
                continue;
            }
            out.push(a.clone());
            if let (false, Some(p)) = (has_value, decrypt) {
                out.push(p.into());
            }
            continue;
        }
        out.push(a.clone());
    }
    let aside = if cfg!(unix) {
        decrypt.map(OsString::from)
    } else {
        None
    };
    (out, aside)
}

/// How the `--events json` lines name this runner as the executor.
pub const BUILT_IN: &str = "built-in";

/// The run handed over: the program, this run's arguments and its
/// `/DECRYPT` password however it was given.
pub struct Handover<'a> {
    /// The dtexec-compatible program.
    pub program: &'a str,
    /// `ssis exec`'s arguments.
    pub args: &'a [OsString],
    /// The password, if the run has one.
    pub decrypt: Option<&'a str>,
}

/// Runs the program of `to` for a package this runner refused because of
/// `why`; its output is copied to `out` and `err`; returns its exit code
/// (3 when canceled, 6 when it cannot be started). With `--events json`
/// (`events`: where the JSON lines go), an `Executor` line first names the
/// program, which the service records as the execution's executor.
pub fn run(
    to: &Handover,
    events: Option<SharedWriter>,
    why: &str,
    out: &mut SharedWriter,
    err: &mut SharedWriter,
    cancel: &CancelToken,
) -> i32 {
    let program = to.program;
    let (child_args, password) = arguments(to.args, to.decrypt);
    if let Some(mut events) = events {
        let line = serde_json::json!({
            "Time": ssis_core::timefmt::rfc3339(std::time::SystemTime::now(), true),
            "Event": "Executor",
            "SourcePath": "Package",
            "SourceType": "Package",
            "Message": format!("run by {program}: {why}"),
            "Executor": program,
        });
        let _ = writeln!(events, "{line}");
        let _ = events.flush();
    }
    let _ = writeln!(
        out,
        "ssis exec: the built-in runner cannot run this package ({why}); running it with {program}"
    );
    let _ = out.flush();
    let mut cmd = Command::new(program);
    cmd.args(&child_args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(p) = password {
        cmd.env(DECRYPT_ENV, p);
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(out, "ssis exec: --fallback: cannot start '{program}': {e}");
            return EXIT_COMMAND_LINE;
        }
    };
    let copy = |mut from: Box<dyn Read + Send>, mut to: SharedWriter| {
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = from.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let _ = to.write_all(&buf[..n]);
            }
            let _ = to.flush();
        })
    };
    let threads = [
        child.stdout.take().map(|s| copy(Box::new(s), out.clone())),
        child.stderr.take().map(|s| copy(Box::new(s), err.clone())),
    ];
    let code = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status.code().unwrap_or(1),
            Ok(None) if cancel.is_canceled() => {
                let _ = child.kill();
                let _ = child.wait();
                break EXIT_CANCELED;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => {
                let _ = writeln!(out, "ssis exec: --fallback: waiting for '{program}': {e}");
                let _ = child.kill();
                break 1;
            }
        }
    };
    for t in threads.into_iter().flatten() {
        let _ = t.join();
    }
    let _ = writeln!(out, "ssis exec: {program} exited with {code}");
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_options_and_the_password_stay_out_of_the_command_line() {
        let args: Vec<OsString> = [
            "/F",
            "p.dtsx",
            "--events",
            "json",
            "--fallback=/x/dtexec",
            "/De",
            "s3cret",
            "/Rep",
            "E",
        ]
        .iter()
        .map(OsString::from)
        .collect();
        let (a, pw) = arguments(&args, Some("s3cret"));
        let a: Vec<String> = a.iter().map(|x| x.to_string_lossy().into_owned()).collect();
        if cfg!(unix) {
            assert_eq!(a, ["/F", "p.dtsx", "/Rep", "E"]);
            assert_eq!(pw, Some(OsString::from("s3cret")));
        } else {
            assert_eq!(a, ["/F", "p.dtsx", "/De", "s3cret", "/Rep", "E"]);
        }
    }

    #[test]
    fn a_password_given_aside_reaches_the_fallback_too() {
        // A bare /DECRYPT: the password came from the environment or the
        // terminal. Unix passes it aside; Windows dtexec reads it only
        // after /DECRYPT.
        let args: Vec<OsString> = ["/F", "p.dtsx", "/De", "/Rep", "E"]
            .iter()
            .map(OsString::from)
            .collect();
        let (a, pw) = arguments(&args, Some("typed"));
        let a: Vec<String> = a.iter().map(|x| x.to_string_lossy().into_owned()).collect();
        if cfg!(unix) {
            assert_eq!(a, ["/F", "p.dtsx", "/Rep", "E"]);
            assert_eq!(pw, Some(OsString::from("typed")));
        } else {
            assert_eq!(a, ["/F", "p.dtsx", "/De", "typed", "/Rep", "E"]);
            assert_eq!(pw, None);
        }
    }
}

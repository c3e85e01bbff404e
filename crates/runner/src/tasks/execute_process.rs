//! The Execute Process task: runs a program with arguments, working
//! directory, standard streams bound to variables, a success value and a
//! time-out. The child runs in its own process group (Unix) so a time-out or
//! a cancel ends the whole tree.

use super::{TaskContext, TaskOutcome};
use crate::model::ExecuteProcessSpec;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Splits an Arguments string the way Windows programs split their command
/// line (`CommandLineToArgvW`): blanks separate, double quotes group,
/// backslashes escape a quote only when they precede it.
pub fn split_arguments(s: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut cur = String::new();
    let mut in_arg = false;
    let mut quoted = false;
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            let start = i;
            while i < chars.len() && chars[i] == '\\' {
                i += 1;
            }
            let n = i - start;
            if i < chars.len() && chars[i] == '"' {
                cur.extend(std::iter::repeat_n('\\', n / 2));
                if n % 2 == 1 {
                    cur.push('"');
                    i += 1;
                }
            } else {
                cur.extend(std::iter::repeat_n('\\', n));
            }
            in_arg = true;
            continue;
        }
        match c {
            '"' => {
                if quoted && chars.get(i + 1) == Some(&'"') {
                    cur.push('"');
                    i += 1;
                } else {
                    quoted = !quoted;
                }
                in_arg = true;
            }
            ' ' | '\t' if !quoted => {
                if in_arg {
                    args.push(std::mem::take(&mut cur));
                    in_arg = false;
                }
            }
            _ => {
                cur.push(c);
                in_arg = true;
            }
        }
        i += 1;
    }
    if in_arg {
        args.push(cur);
    }
    args
}

#[cfg(unix)]
fn set_arguments(cmd: &mut Command, arguments: &str) {
    use std::os::unix::process::CommandExt;
    cmd.args(split_arguments(arguments));
    // Own process group: the whole tree can be signalled at once.
    cmd.process_group(0);
}

#[cfg(windows)]
fn set_arguments(cmd: &mut Command, arguments: &str) {
    use std::os::windows::process::CommandExt;
    // Windows programs parse their own command line: pass it through untouched.
    if !arguments.is_empty() {
        cmd.raw_arg(arguments);
    }
}

/// The child's whole process tree, so a time-out or a cancel ends it all:
/// the child's process group on Unix, a Job Object on Windows.
pub struct ProcessTree {
    #[cfg(windows)]
    job: Option<windows_sys::Win32::Foundation::HANDLE>,
}

/// Puts the just-started child in its own tree (on Unix the process group
/// was set before it started).
#[cfg(unix)]
pub fn attach_tree(_child: &Child) -> ProcessTree {
    ProcessTree {}
}

/// Puts the just-started child in a Job Object, so [`kill_tree`] can end
/// every process it started. Processes the child started before the
/// assignment are outside the job (a small window right after start).
/// Closing the job (drop) leaves its processes alone, as a process left
/// running after a time-out must stay.
#[cfg(windows)]
pub fn attach_tree(child: &Child) -> ProcessTree {
    use std::os::windows::io::AsRawHandle;
    use windows_sys::Win32::Foundation::CloseHandle;
    use windows_sys::Win32::System::JobObjects::{AssignProcessToJobObject, CreateJobObjectW};
    // SAFETY: plain Win32 calls on a job we create and the child's valid handle.
    unsafe {
        let job = CreateJobObjectW(std::ptr::null(), std::ptr::null());
        if job.is_null() {
            return ProcessTree { job: None };
        }
        if AssignProcessToJobObject(job, child.as_raw_handle() as _) == 0 {
            CloseHandle(job);
            return ProcessTree { job: None };
        }
        ProcessTree { job: Some(job) }
    }
}

#[cfg(windows)]
impl Drop for ProcessTree {
    fn drop(&mut self) {
        if let Some(job) = self.job.take() {
            // SAFETY: the handle is ours and closed once.
            unsafe {
                windows_sys::Win32::Foundation::CloseHandle(job);
            }
        }
    }
}

/// Ends the child and its process group (Unix: SIGKILL to the group).
#[cfg(unix)]
pub fn kill_tree(child: &mut Child, _tree: &mut ProcessTree) {
    let pgid = child.id() as libc::pid_t;
    // SAFETY: plain kill(2) on the group we created for this child.
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Ends the child and every process of its Job Object.
#[cfg(windows)]
pub fn kill_tree(child: &mut Child, tree: &mut ProcessTree) {
    if let Some(job) = tree.job {
        // SAFETY: the job handle is valid until the tree is dropped.
        unsafe {
            windows_sys::Win32::System::JobObjects::TerminateJobObject(job, 1);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn reader<R: Read + Send + 'static>(r: Option<R>) -> Option<JoinHandle<Vec<u8>>> {
    let mut r = r?;
    Some(std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        buf
    }))
}

fn collected(h: Option<JoinHandle<Vec<u8>>>) -> String {
    let bytes = h.and_then(|h| h.join().ok()).unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Runs the task.
pub fn run(spec: &ExecuteProcessSpec, ctx: &mut TaskContext<'_>) -> TaskOutcome {
    let exe = spec.executable.trim();
    let described = format!(
        "\"{exe}\" \"{}\" at \"{}\"",
        spec.arguments, spec.working_directory
    );
    let has_dir = exe.contains('/') || exe.contains('\\');
    if spec.require_full_file_name && has_dir && !Path::new(exe).is_file() {
        return TaskOutcome::Failed(format!("the executable \"{exe}\" was not found"));
    }
    let stdin_text = if spec.stdin_variable.is_empty() {
        None
    } else {
        match ctx.var_text(&spec.stdin_variable) {
            Ok(t) => Some(t),
            Err(e) => return TaskOutcome::Failed(format!("StandardInputVariable: {e}")),
        }
    };
    for (what, name) in [
        ("StandardOutputVariable", &spec.stdout_variable),
        ("StandardErrorVariable", &spec.stderr_variable),
    ] {
        if !name.is_empty() && ctx.vars.get(ctx.scope, name).is_none() {
            return TaskOutcome::Failed(format!("{what}: variable '{name}' does not exist"));
        }
    }
    let mut cmd = Command::new(exe);
    set_arguments(&mut cmd, &spec.arguments);
    // The package password given in the environment is the runner's, not
    // the programs' the package starts.
    cmd.env_remove(crate::cmdline::DECRYPT_ENV);
    if !spec.working_directory.trim().is_empty() {
        let dir = spec.working_directory.trim();
        if !Path::new(dir).is_dir() {
            return TaskOutcome::Failed(format!("the working directory \"{dir}\" does not exist"));
        }
        cmd.current_dir(dir);
    }
    let pipe_if = |yes: bool| if yes { Stdio::piped() } else { Stdio::null() };
    cmd.stdin(pipe_if(stdin_text.is_some()))
        .stdout(pipe_if(!spec.stdout_variable.is_empty()))
        .stderr(pipe_if(!spec.stderr_variable.is_empty()));
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return TaskOutcome::Failed(format!(
                "In executing {described}: the process could not start: {e}"
            ));
        }
    };
    let mut tree = attach_tree(&child);
    let writer = match (child.stdin.take(), stdin_text) {
        (Some(mut input), Some(text)) => Some(std::thread::spawn(move || {
            let _ = input.write_all(text.as_bytes());
        })),
        _ => None,
    };
    let out = reader(child.stdout.take());
    let err = reader(child.stderr.take());
    let deadline =
        (spec.timeout_secs > 0).then(|| Instant::now() + Duration::from_secs(spec.timeout_secs));
    let mut nap = Duration::from_millis(1);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(e) => {
                kill_tree(&mut child, &mut tree);
                return TaskOutcome::Failed(format!(
                    "In executing {described}: waiting failed: {e}"
                ));
            }
        }
        if ctx.cancel.is_canceled() {
            kill_tree(&mut child, &mut tree);
            return TaskOutcome::Canceled;
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            if spec.terminate_after_timeout {
                kill_tree(&mut child, &mut tree);
                return TaskOutcome::Failed(format!(
                    "In executing {described}: the process timed out after {} second(s) and was terminated",
                    spec.timeout_secs
                ));
            }
            return TaskOutcome::Failed(format!(
                "In executing {described}: the process timed out after {} second(s); it was left running (TerminateProcessAfterTimeOut is False)",
                spec.timeout_secs
            ));
        }
        std::thread::sleep(nap);
        nap = (nap * 2).min(Duration::from_millis(20));
    };
    if let Some(w) = writer {
        let _ = w.join();
    }
    let out_text = collected(out);
    let err_text = collected(err);
    for (name, text) in [
        (&spec.stdout_variable, out_text),
        (&spec.stderr_variable, err_text),
    ] {
        if name.is_empty() {
            continue;
        }
        if let Err(e) = ctx.vars.set_text(ctx.scope, name, &text, false) {
            return TaskOutcome::Failed(format!("cannot store the process output: {}", e.message));
        }
    }
    let Some(code) = status.code() else {
        return TaskOutcome::Failed(format!(
            "In executing {described}: the process was ended by a signal ({status})"
        ));
    };
    if spec.fail_on_return_code && i64::from(code) != spec.success_value {
        // DTS_E_EXECPROCTASK_PROCESSEXITCODEEXCEEDS
        return TaskOutcome::FailedWith(
            0xC002_9151,
            format!(
                "In executing {described}: the process exit code was \"{code}\" while the expected was \"{}\"",
                spec.success_value
            ),
        );
    }
    TaskOutcome::Success
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_split_like_windows() {
        assert_eq!(
            split_arguments(r#"-c "echo x > f"  b"#),
            vec!["-c", "echo x > f", "b"]
        );
        assert_eq!(
            split_arguments(r#"a\\\"b "c d\\" e"#),
            vec![r#"a\"b"#, r"c d\", "e"]
        );
        assert_eq!(split_arguments(r"C:\dir\x.txt"), vec![r"C:\dir\x.txt"]);
        assert_eq!(split_arguments(r#""" x"#), vec!["", "x"]);
        assert!(split_arguments("   ").is_empty());
    }
}

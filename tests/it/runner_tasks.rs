//! Execute Process details (standard streams, /SET, success value, time-out)
//! and the File System task, end to end.
#![cfg(unix)] // the packages run /bin/sh; Windows: tests/runner_windows.rs

use crate::common;
use common::{exec, stage};

#[test]
fn set_override_reaches_the_task_through_stdin_and_stdout_variable() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage("variables_2012.dtsx", dir.path(), &[]);
    let r = exec(&[
        "/F",
        pkg.to_str().unwrap(),
        "/SET",
        "\\Package.Variables[User::Msg].Properties[Value];hello; world",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
    assert_eq!(read("msg.txt"), "hello; world");
    assert_eq!(
        read("out.txt"),
        "out",
        "stdout captured into User::Out, then fed to the next task"
    );

    // Without /SET the declared default is used.
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage("variables_2012.dtsx", dir.path(), &[]);
    assert_eq!(exec(&["/F", pkg.to_str().unwrap()]).code, 0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("msg.txt")).unwrap(),
        "default"
    );
}

#[test]
fn set_errors_name_the_option_and_exit_6() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage("variables_2012.dtsx", dir.path(), &[]);
    let p = pkg.to_str().unwrap();
    let r = exec(&["/F", p, "/SET", "\\Package.Variables[User::Nope].Value;x"]);
    assert_eq!(r.code, 6);
    assert!(
        r.out.contains("/SET") && r.out.contains("User::Nope"),
        "{}",
        r.out
    );
    let r = exec(&[
        "/F",
        p,
        "/SET",
        "\\Package.Variables[User::Count].Value;many",
    ]);
    assert_eq!(r.code, 6);
    assert!(
        r.out.contains("User::Count") && r.out.contains("'many'"),
        "{}",
        r.out
    );

    // dtexec may set read-only variables: the task that writes msg.txt reads
    // System::PackageName instead of User::Msg here, and sees the new value.
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage(
        "variables_2012.dtsx",
        dir.path(),
        &[(
            "StandardInputVariable=\"User::Msg\"",
            "StandardInputVariable=\"System::PackageName\"",
        )],
    );
    let r = exec(&[
        "/F",
        pkg.to_str().unwrap(),
        "/SET",
        "\\Package.Variables[System::PackageName].Value;renamed by /SET",
    ]);
    assert_eq!(r.code, 0, "dtexec may set read-only variables: {}", r.out);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("msg.txt")).unwrap(),
        "renamed by /SET"
    );
}

#[cfg(unix)]
fn alive(pid: i32) -> bool {
    // A killed process whose parent died may linger as a zombie until init reaps it.
    if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        let state = stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .chars()
            .next();
        return !matches!(state, Some('Z') | Some('X'));
    }
    // SAFETY: signal 0 only checks for existence.
    unsafe { libc::kill(pid, 0) == 0 }
}

#[cfg(unix)]
#[test]
fn timeout_kills_the_process_tree_and_fails_the_task() {
    let dir = tempfile::tempdir().unwrap();
    // The task's shell notes when its 30 s sleep ended on its own.
    let pkg = stage(
        "timeout_2012.dtsx",
        dir.path(),
        &[("wait&quot;", "wait; echo x &gt; finished.txt&quot;")],
    );
    let r = exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        !dir.path().join("finished.txt").exists(),
        "the 30 s sleep was cut short, not waited for"
    );
    assert!(r.out.contains("timed out after 1 second"), "{}", r.out);
    assert!(
        dir.path().join("after.txt").exists(),
        "the failure path runs"
    );
    let pid: i32 = std::fs::read_to_string(dir.path().join("child.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // SIGKILL was sent before exec returned; its delivery is awaited (the
    // sleep would live 30 s).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while alive(pid) {
        assert!(
            std::time::Instant::now() < deadline,
            "the grandchild sleep {pid} was killed with its group"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn file_system_task_copies_creates_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage("filesystem_2012.dtsx", dir.path(), &[]);
    let r = exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    let d = dir.path();
    assert_eq!(
        std::fs::read_to_string(d.join("out/in.txt")).unwrap(),
        "payload\n"
    );
    assert_eq!(
        std::fs::read_to_string(d.join("copy/sub/x.txt")).unwrap(),
        "o\n"
    );
    assert!(
        !d.join("old").exists(),
        "DeleteDirectory removed the source tree"
    );
}

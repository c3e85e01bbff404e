//! Cancel mid-run: SIGTERM to `ssis exec` ends the running child process
//! tree, starts no further task and exits with 3.
#![cfg(unix)]

use crate::common;
use common::stage;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn alive(pid: i32) -> bool {
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

fn cancel_with(signal: i32) {
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage("cancel_2012.dtsx", dir.path(), &[]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_ssis"))
        .args(["exec", "/F", pkg.to_str().unwrap(), "/REP", "E"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = dir.path().join("started.txt");
    let t0 = Instant::now();
    while !started.exists() {
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "the task never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid: i32 = std::fs::read_to_string(dir.path().join("child.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(alive(pid));
    // SAFETY: signalling the child we spawned.
    unsafe { libc::kill(child.id() as i32, signal) };
    let t1 = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if t1.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("ssis exec did not stop after the signal");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(3));
    std::thread::sleep(Duration::from_millis(100));
    assert!(!alive(pid), "the task's grandchild {pid} was killed");
    assert!(
        !dir.path().join("next.txt").exists(),
        "no task starts after cancel"
    );
}

#[test]
fn sigterm_cancels_with_exit_3() {
    cancel_with(libc::SIGTERM);
}

#[test]
fn sigint_cancels_with_exit_3() {
    cancel_with(libc::SIGINT);
}

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
    let mut child = Command::new(crate::common::ssis_bin::ssis_bin())
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
    // Killed before ssis exec ended; the delivery is awaited (the sleep
    // would live 30 s).
    let t2 = Instant::now();
    while alive(pid) {
        assert!(
            t2.elapsed() < Duration::from_secs(10),
            "the task's grandchild {pid} was killed"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
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

/// A package with many elements (many XML events to load).
fn many_variables(n: usize) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\"?>\n<DTS:Executable xmlns:DTS=\"www.microsoft.com/SqlServer/Dts\"\n  DTS:refId=\"Package\"\n  DTS:CreationName=\"Microsoft.Package\"\n  DTS:DTSID=\"{55555555-5555-5555-5555-000000000001}\"\n  DTS:ExecutableType=\"Microsoft.Package\"\n  DTS:ObjectName=\"Many\"\n  DTS:ProtectionLevel=\"0\">\n  <DTS:Property\n    DTS:Name=\"PackageFormatVersion\">8</DTS:Property>\n  <DTS:Variables>\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "<DTS:Variable DTS:Namespace=\"User\" DTS:ObjectName=\"V{i}\"><DTS:VariableValue DTS:DataType=\"3\">{i}</DTS:VariableValue></DTS:Variable>\n"
        ));
    }
    s.push_str("  </DTS:Variables>\n</DTS:Executable>\n");
    s
}

#[test]
fn a_canceled_load_ends_with_exit_3_even_for_validate() {
    use ssis_service::runner::{SharedWriter, cancel::CancelToken, run_cli};
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("many.dtsx");
    std::fs::write(&pkg, many_variables(2_000)).unwrap();
    let out = common::Buf::default();
    let args: Vec<std::ffi::OsString> = ["/F", pkg.to_str().unwrap(), "/VALIDATE"]
        .iter()
        .map(Into::into)
        .collect();
    let writer = || SharedWriter::new(Box::new(out.clone()));
    let uncanceled = run_cli(&args, writer(), writer(), &CancelToken::new());
    assert_eq!(uncanceled, 0, "{}", out.text());
    let cancel = CancelToken::new();
    cancel.cancel();
    let code = run_cli(&args, writer(), writer(), &cancel);
    assert_eq!(code, 3, "{}", out.text());
    assert!(
        out.text()
            .contains("canceled while the package was being loaded"),
        "{}",
        out.text()
    );
}

/// A FIFO `pkg.dtsx` in `dir`.
fn fifo_in(dir: &std::path::Path) -> std::path::PathBuf {
    let fifo = dir.join("pkg.dtsx");
    let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    fifo
}

#[test]
fn sigterm_while_a_fifo_has_no_writer_ends_the_wait_with_exit_3() {
    // Before, the open of a FIFO nobody writes to blocked for ever, and the
    // signal could not end it.
    let dir = tempfile::tempdir().unwrap();
    let fifo = fifo_in(dir.path());
    let mut child = Command::new(crate::common::ssis_bin::ssis_bin())
        .args(["exec", "/F", fifo.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The banner says the handlers are installed and the load begins.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    // SAFETY: signalling the child we spawned.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert!(
        rest.contains("canceled while the package was being loaded"),
        "{rest}"
    );
    assert_eq!(child.wait().unwrap().code(), Some(3));
}

#[test]
fn sigterm_during_the_load_ends_it_with_exit_3() {
    use std::io::Write;
    // The package comes through a FIFO: the test knows the process has
    // installed its signal handlers (it opened the file) and is loading
    // (it waits for the rest of the file) when the signal is sent.
    let dir = tempfile::tempdir().unwrap();
    let fifo = fifo_in(dir.path());
    let child = Command::new(crate::common::ssis_bin::ssis_bin())
        .args(["exec", "/F", fifo.to_str().unwrap(), "/VALIDATE"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let text = many_variables(2_000);
    let (head, tail) = text.split_at(text.len() / 2);
    let mut w = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    w.write_all(head.as_bytes()).unwrap();
    // SAFETY: signalling the child we spawned.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    // The runner may stop reading at once and close the FIFO (a broken pipe).
    let _ = w.write_all(tail.as_bytes());
    drop(w);
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert!(
        stdout.contains("canceled while the package was being loaded"),
        "{stdout}"
    );
}

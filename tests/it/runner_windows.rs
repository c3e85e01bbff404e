//! The runner on Windows (run under Wine by scripts/windows-test.sh): Execute
//! Process tasks running `cmd /c`, precedence on their exit codes, and a
//! time-out that ends the whole process tree through its Job Object.
#![cfg(windows)]

use crate::common;
use common::exec;
use std::path::{Path, PathBuf};

/// Copies a package of tests/windows/packages into `dir`, `@@DIR@@` and
/// the other texts in `replacements` replaced.
fn stage_with(name: &str, dir: &Path, replacements: &[(&str, &str)]) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/windows/packages")
        .join(name);
    let mut text = std::fs::read_to_string(src)
        .unwrap()
        .replace("@@DIR@@", dir.to_str().unwrap());
    for (from, to) in replacements {
        assert!(text.contains(from), "{name} has no {from}");
        text = text.replace(from, to);
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn stage(name: &str, dir: &Path) -> PathBuf {
    stage_with(name, dir, &[])
}

/// The processes named `image` (tasklist).
fn running(image: &str) -> usize {
    let out = std::process::Command::new("tasklist.exe").output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.to_ascii_lowercase().starts_with(image))
        .count()
}

#[test]
fn cmd_tasks_write_files_and_the_failure_path_runs() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = stage("cmd_2012.dtsx", dir.path());
    let r = exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(
        r.code, 1,
        "a failed task fails the package: {}{}",
        r.out, r.err
    );
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f));
    assert_eq!(read("hello.txt").unwrap().trim_end(), "hello");
    assert_eq!(read("failed.txt").unwrap().trim_end(), "failed");
    assert!(read("wrong.txt").is_err(), "the success path must not run");
    assert!(r.out.contains("Package\\Fail"), "{}", r.out);
    assert!(
        r.out
            .contains("the process exit code was \"3\" while the expected was \"0\""),
        "the exit code is reported: {}",
        r.out
    );
}

#[test]
fn a_time_out_ends_the_task_and_its_children() {
    let dir = tempfile::tempdir().unwrap();
    // cmd notes when its 60 s ping ended on its own.
    let pkg = stage_with(
        "timeout_cmd_2012.dtsx",
        dir.path(),
        &[(
            "/c ping -n 60 127.0.0.1 &gt;NUL\"",
            "/c ping -n 60 127.0.0.1 &gt;NUL &amp; echo x&gt; finished.txt\"",
        )],
    );
    let before = running("ping.exe");
    let r = exec(&["/F", pkg.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        !dir.path().join("finished.txt").exists(),
        "the 60 s ping was cut short, not waited for"
    );
    assert!(r.out.contains("timed out after 1 second"), "{}", r.out);
    assert!(
        dir.path().join("after.txt").exists(),
        "the failure path runs"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while running("ping.exe") > before && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(
        running("ping.exe"),
        before,
        "the grandchild ping ended with the job"
    );
}

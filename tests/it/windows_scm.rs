//! The Windows service under the Service Control Manager: install, start,
//! a client on its pipe, an SCM stop that stops the running package
//! (StopExecutingPackagesOnShutdown = true), uninstall. It registers a real
//! service, so it runs only in a throw-away Wine prefix (scripts/windows-test.sh)
//! or when SSIS_TEST_SCM=1 on an elevated Windows test machine.
#![cfg(windows)]

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::common::ssis_bin::ssis_bin;

fn ssis(args: &[&str]) -> Output {
    Command::new(ssis_bin()).args(args).output().unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = ssis(args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "ssis {args:?}: {text}");
    text
}

fn sc_state() -> String {
    let out = Command::new("sc.exe")
        .args(["query", "ssis-service"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find(|l| l.contains("STATE"))
        .unwrap_or("")
        .to_string()
}

#[test]
fn install_start_run_stop_uninstall() {
    if std::env::var_os("WINEPREFIX").is_none() && std::env::var_os("SSIS_TEST_SCM").is_none() {
        eprintln!(
            "registers a real Windows service: only in a Wine prefix or with SSIS_TEST_SCM=1"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let store = dir.path().join("Packages");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::create_dir_all(&store).unwrap();
    let src =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/windows/packages/sleep_cmd_2012.dtsx");
    let text = std::fs::read_to_string(src).unwrap();
    std::fs::write(
        store.join("Sleep.dtsx"),
        text.replace("@@DIR@@", work.to_str().unwrap()),
    )
    .unwrap();
    let config = dir.path().join("MsDtsSrvr.ini.xml");
    std::fs::write(
        &config,
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<DtsServiceConfiguration \
             xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n  \
             <StopExecutingPackagesOnShutdown>true</StopExecutingPackagesOnShutdown>\n  \
             <TopLevelFolders>\n    <Folder xsi:type=\"FileSystemFolder\">\n      \
             <Name>File System</Name>\n      <StorePath>{}</StorePath>\n    </Folder>\n  \
             </TopLevelFolders>\n</DtsServiceConfiguration>\n",
            store.display()
        ),
    )
    .unwrap();
    let pipe = format!(r"\\.\pipe\ssis-scm-{}", uuid::Uuid::new_v4().simple());
    let server = format!("pipe:{pipe}");
    let state = dir.path().join("state");
    let _ = ssis(&["service", "uninstall"]); // a leftover of an earlier run
    ok(&[
        "--config",
        config.to_str().unwrap(),
        "service",
        "install",
        "--manual",
        "--stop-grace",
        "2",
        "--socket",
        &pipe,
        "--state-dir",
        state.to_str().unwrap(),
    ]);
    let again = ssis(&["service", "install"]);
    assert!(!again.status.success(), "a second install is refused");
    ok(&["service", "start"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ssis(&["--server", &server, "service", "status"])
        .status
        .success()
    {
        assert!(
            Instant::now() < deadline,
            "the service never answered: {}",
            sc_state()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(sc_state().contains("RUNNING"), "{}", sc_state());

    let run: Value = serde_json::from_str(&ok(&[
        "--json",
        "--server",
        &server,
        "run",
        "\\File System\\Sleep",
    ]))
    .unwrap();
    let id = run["ExecutionId"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !work.join("started.txt").exists() {
        assert!(Instant::now() < deadline, "the package never started");
        std::thread::sleep(Duration::from_millis(100));
    }

    // Stopped through the SCM: the running package is stopped too.
    ok(&["service", "stop", "--timeout", "60"]);
    assert!(sc_state().contains("STOPPED"), "{}", sc_state());
    // The history survives in the state directory; read it with the service up again.
    ok(&["service", "start"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ssis(&["--server", &server, "service", "status"])
        .status
        .success()
    {
        assert!(Instant::now() < deadline, "the service never came back");
        std::thread::sleep(Duration::from_millis(200));
    }
    let history: Value =
        serde_json::from_str(&ok(&["--json", "--server", &server, "history"])).unwrap();
    let e = history["Items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["ExecutionId"] == id)
        .cloned()
        .unwrap();
    assert_eq!(
        e["Status"], "Stopped",
        "StopExecutingPackagesOnShutdown: {e}"
    );
    assert!(
        !work.join("done.txt").exists(),
        "the package did not run on"
    );
    let events = ok(&["--server", &server, "events"]);
    assert!(events.contains("Service Control Manager"), "{events}");

    ok(&["service", "uninstall"]);
    assert!(!sc_state().contains("STATE"), "gone: {}", sc_state());
}

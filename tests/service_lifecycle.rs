//! The service's life: reload (a broken file is refused, the old
//! configuration stays), shutdown in both modes, kill -9 and restart with a
//! package running, and the error when no service runs.
// The service fixture drives a Unix socket, sh executors and process groups;
// the Windows counterpart is tests/windows/ (named pipe under Wine).
#![cfg(unix)]

mod service_support;

use service_support::{Fixture, group_members, kill_group};
use std::time::Duration;

fn start_sleep(d: &service_support::Daemon) -> (String, u32) {
    let e = d.json(&["run", "\\File System\\Jobs\\Sleep"]);
    let id = e["ExecutionId"].as_str().unwrap().to_string();
    let pid = e["ProcessId"].as_u64().unwrap() as u32;
    d.wait_for(&id, "running task", |e| !e["CurrentTask"].is_null());
    (id, pid)
}

fn event_ids(d: &service_support::Daemon) -> Vec<u64> {
    d.json(&["events", "--limit", "10000"])["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["EventId"].as_u64().unwrap())
        .collect()
}

#[test]
fn reload_applies_a_good_file_and_refuses_a_broken_one() {
    let f = Fixture::new(true);
    let d = f.start();
    f.write_config(true, &["Renamed"]);
    assert!(d.ssis(&["service", "reload"]).status.success());
    assert_eq!(
        d.json(&["run", "\\Renamed\\Jobs\\Quick", "--wait"])["Status"],
        "Succeeded"
    );

    std::fs::write(f.config(), "<DtsServiceConfiguration><TopLevelFolders>").unwrap();
    let o = d.ssis(&["service", "reload"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("refused") && err.contains("MsDtsSrvr.ini.xml"),
        "{err}"
    );
    // The old configuration stays in force.
    assert_eq!(
        d.json(&["run", "\\Renamed\\Jobs\\Quick", "--wait"])["Status"],
        "Succeeded"
    );
    let ids = event_ids(&d);
    assert!(ids.contains(&1002) && ids.contains(&1003), "{ids:?}");

    // SIGHUP reloads too: fix the file, signal, and the new folder works.
    f.write_config(true, &["Again"]);
    unsafe { libc::kill(d.child.id() as i32, libc::SIGHUP) };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !d.ssis(&["run", "\\Again\\Jobs\\Quick"]).status.success() {
        assert!(
            std::time::Instant::now() < deadline,
            "SIGHUP did not reload"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    d.stop();
}

#[test]
fn shutdown_stops_running_packages_when_configured() {
    let f = Fixture::new(true);
    let d = f.start();
    let (id, pid) = start_sleep(&d);
    d.stop();
    assert!(
        group_members(pid).is_empty(),
        "left behind: {:?}",
        group_members(pid)
    );
    let d = f.start();
    let e = d.json(&["history"]);
    let e = e["Items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["ExecutionId"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(e["Status"], "Stopped", "{e}");
    let ids = event_ids(&d);
    assert!(
        ids.contains(&336) && ids.contains(&258) && ids.contains(&259),
        "{ids:?}"
    );
    d.stop();
}

#[test]
fn shutdown_leaves_packages_running_and_the_next_start_finds_them() {
    let f = Fixture::new(false);
    let d = f.start();
    let (id, pid) = start_sleep(&d);
    d.stop();
    assert_eq!(group_members(pid).len(), 3, "the package keeps running");
    let d = f.start();
    let ps = d.json(&["ps"]);
    assert_eq!(ps["Items"][0]["ExecutionId"], id.as_str(), "{ps}");
    assert_eq!(ps["Items"][0]["Status"], "Running");
    assert!(event_ids(&d).contains(&1027));
    // It ends while adopted: the service sees it go; the exit code is unknown.
    kill_group(pid);
    let e = d.wait_for(&id, "end", |e| e["Status"] != "Running");
    assert_eq!(e["Status"], "Unknown", "{e}");
    assert!(e["ExitCode"].is_null());
    d.stop();
}

#[test]
fn kill_9_loses_no_history_and_a_restart_adopts_or_marks_unknown() {
    let f = Fixture::new(true);
    let d = f.start();
    let done = d.json(&["run", "\\File System\\Jobs\\Quick", "--wait"]);
    let (kept, kept_pid) = start_sleep(&d);
    let (lost, lost_pid) = start_sleep(&d);
    d.kill9();
    kill_group(lost_pid);
    std::thread::sleep(Duration::from_millis(200));
    let d = f.start();
    let h = d.json(&["history"]);
    let status = |id: &str| {
        h["Items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["ExecutionId"] == id)
            .unwrap()["Status"]
            .clone()
    };
    assert_eq!(status(done["ExecutionId"].as_str().unwrap()), "Succeeded");
    assert_eq!(status(&kept), "Running");
    assert_eq!(status(&lost), "Unknown");
    // The adopted execution can be stopped like any other.
    let stopped = d.json(&["stop", &kept]);
    assert_eq!(stopped["Status"], "Stopped", "{stopped}");
    assert!(group_members(kept_pid).is_empty());
    d.stop();
}

#[test]
fn no_service_gives_a_connection_error_that_says_how_to_start_it() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("none.sock");
    let o = std::process::Command::new(service_support::SSIS)
        .args(["--server", &format!("unix:{}", sock.display()), "ps"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("ssis service run") && err.contains("none.sock"),
        "{err}"
    );
    let o = std::process::Command::new(service_support::SSIS)
        .args([
            "--json",
            "--server",
            &format!("unix:{}", sock.display()),
            "ps",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stderr).unwrap();
    assert_eq!(v["Kind"], "Connection");
}

#[test]
fn a_second_service_on_the_same_state_directory_is_refused() {
    let f = Fixture::new(true);
    let d = f.start();
    let o = std::process::Command::new(service_support::SSIS)
        .arg("--config")
        .arg(f.config())
        .args(["service", "run", "--socket"])
        .arg(f.dir.path().join("other.sock"))
        .arg("--state-dir")
        .arg(f.state())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("already uses the state directory"));
    d.stop();
}

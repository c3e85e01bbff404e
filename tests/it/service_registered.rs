//! Issue 14, item 2: every package running on the machine in one list. A
//! run of `ssis exec` started outside the service (here: a plain child
//! process, as a shell or cron would start it) registers with the service,
//! is listed by `ssis ps` with its origin, account, process id and the
//! package's identity (DTSID, description, version), can be asked to stop,
//! and is kept in history. Runs the service starts carry the same identity.
#![cfg(unix)]

use crate::service_support::{Daemon, Fixture, ssis_bin};
use serde_json::Value;
use std::process::{Child, Command, Stdio};

const HELLO_DTSID: &str = "{BDD640FB-0667-4AD1-9C80-317FA3B1799D}";
const HELLO_DESCRIPTION: &str = "Says hello: the smallest runnable package";

/// `ssis exec /F <package>` as a separate process, pointed at the service.
fn exec_outside(d: &Daemon, package: &std::path::Path, extra: &[&str]) -> Child {
    use std::os::unix::process::CommandExt;
    Command::new(ssis_bin())
        .process_group(0)
        .arg("exec")
        .arg("/F")
        .arg(package)
        .args(extra)
        .env("SSIS_SERVICE_SOCKET", &d.socket)
        .env_remove("SSIS_EXECUTION_ID")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// The one execution of `ssis ps` started from the command line.
fn listed(d: &Daemon) -> Option<Value> {
    let ps = d.json(&["ps"]);
    ps["Items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["Origin"] == "CommandLine")
        .cloned()
}

fn me() -> String {
    let out = Command::new("id").arg("-un").output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn a_command_line_run_is_listed_with_its_identity_and_kept_in_history() {
    let f = Fixture::builtin(2);
    let d = f.start();
    let mut child = exec_outside(&d, &f.package("Nap"), &[]);
    d.wait_until("the command-line run is listed", || listed(&d).is_some());
    let row = listed(&d).unwrap();
    assert_eq!(
        row["ProcessId"],
        child.id(),
        "the pid from the socket: {row}"
    );
    assert_eq!(row["StartedBy"], me());
    assert_eq!(row["PackageId"], HELLO_DTSID);
    assert_eq!(row["Description"], HELLO_DESCRIPTION);
    assert_eq!(row["Version"], "1.0.1", "{row}");
    assert_eq!(row["Status"], "Running");
    assert!(child.wait().unwrap().success());
    let id = row["ExecutionId"].as_str().unwrap().to_string();
    d.wait_until("the run is in history as ended", || {
        d.json(&["history"])["Items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["ExecutionId"] == id.as_str() && e["Status"] == "Succeeded")
    });
    let got = d.json(&["history"]);
    let ended = got["Items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["ExecutionId"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(ended["ExitCode"], 0, "{ended}");
    assert_eq!(ended["Origin"], "CommandLine");
    d.stop();
}

#[test]
fn a_registered_command_line_keeps_no_decrypt_password() {
    let f = Fixture::builtin(1);
    let d = f.start();
    let mut child = exec_outside(&d, &f.package("Nap"), &["/De", "hunter2"]);
    assert!(child.wait().unwrap().success());
    d.wait_until("the run is in history", || {
        d.json(&["history"])["Items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["Origin"] == "CommandLine" && e["Status"] == "Succeeded")
    });
    let history = d.json(&["history"]).to_string();
    assert!(!history.contains("hunter2"), "{history}");
    assert!(history.contains("\"/De\",\"********\""), "{history}");
    d.stop();
}

#[test]
fn a_command_line_run_stops_when_asked_through_the_service() {
    let f = Fixture::builtin(60);
    let d = f.start();
    let mut child = exec_outside(&d, &f.package("Nap"), &[]);
    d.wait_until("the command-line run is listed", || listed(&d).is_some());
    let id = listed(&d).unwrap()["ExecutionId"]
        .as_str()
        .unwrap()
        .to_string();
    let stop = d.json(&["stop", &id]);
    // The run may have ended by the time the answer is written.
    assert!(
        stop["Status"] == "Stopping" || stop["Status"] == "Stopped",
        "{stop}"
    );
    // The run cancels itself (the service signals nothing): dtexec's
    // "canceled" exit code, well before its 60 s nap would end.
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(3), "DTSER_CANCELED: {status:?}");
    d.wait_until("the run is recorded as stopped", || {
        d.json(&["history"])["Items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["ExecutionId"] == id.as_str() && e["Status"] == "Stopped")
    });
    d.stop();
}

#[test]
fn a_run_the_service_starts_carries_the_package_identity() {
    let f = Fixture::builtin(0);
    let d = f.start();
    let done = d.json(&["run", "--wait", "\\File System\\Jobs\\Nap"]);
    assert_eq!(done["Status"], "Succeeded", "{done}");
    assert_eq!(done["Origin"], "Service");
    assert_eq!(done["PackageId"], HELLO_DTSID, "{done}");
    assert_eq!(done["Description"], HELLO_DESCRIPTION);
    d.stop();
}

#[test]
fn a_command_line_run_whose_process_dies_is_recorded_as_unknown() {
    let f = Fixture::builtin(60);
    let d = f.start();
    let mut child = exec_outside(&d, &f.package("Nap"), &[]);
    d.wait_until("the command-line run is listed", || listed(&d).is_some());
    let id = listed(&d).unwrap()["ExecutionId"]
        .as_str()
        .unwrap()
        .to_string();
    // The whole group: the runner and its Execute Process child.
    crate::service_support::kill_group(child.id());
    child.wait().unwrap();
    d.wait_until("the lost run is recorded", || {
        d.json(&["history"])["Items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["ExecutionId"] == id.as_str() && e["Status"] == "Unknown")
    });
    d.stop();
}

//! The service's life: reload (a broken file is refused, the old
//! configuration stays), shutdown in both modes, kill -9 and restart with a
//! package running, and the error when no service runs.
// The service fixture drives a Unix socket, sh executors and process groups;
// the Windows counterpart is tests/windows/ (named pipe under Wine).
#![cfg(unix)]

use crate::service_support;

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
    // 336 names the instance and the package; 258 says what happens to it.
    let entry = |id: u32| d.json(&["events", "--event-id", &id.to_string()])["Items"][0].clone();
    let stopping_package = entry(336);
    assert_eq!(stopping_package["Data"]["ExecutionId"], id.as_str());
    assert_eq!(stopping_package["Data"]["PackageName"], "Sleep");
    let stopping = entry(258);
    assert_eq!(stopping["Data"]["StopExecutingPackagesOnShutdown"], true);
    assert_eq!(stopping["Data"]["RunningPackages"], 1, "{stopping}");
    assert!(
        stopping["Message"]
            .as_str()
            .unwrap()
            .contains("1 running package(s) will be stopped")
    );
    d.stop();
}

#[test]
fn shutdown_leaves_packages_running_and_the_next_start_finds_them() {
    let f = Fixture::new(false);
    let d = f.start();
    let (id, pid) = start_sleep(&d);
    d.stop();
    assert_eq!(
        group_members(pid).len(),
        4,
        "the package (supervisor, script, two sleeps) keeps running"
    );
    let d = f.start();
    let ps = d.json(&["ps"]);
    assert_eq!(ps["Items"][0]["ExecutionId"], id.as_str(), "{ps}");
    assert_eq!(ps["Items"][0]["Status"], "Running");
    assert!(event_ids(&d).contains(&1027));
    // The whole group, supervisor included, is killed while adopted: the
    // service sees it go, and with no exit file the result is unknown.
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
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !group_members(lost_pid).is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the killed group lives on"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
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

/// Kills process groups when dropped (test cleanup, also on a failed assertion).
struct KillGroupsOnDrop(Vec<u32>);

impl Drop for KillGroupsOnDrop {
    fn drop(&mut self) {
        for pgid in &self.0 {
            if !group_members(*pgid).is_empty() {
                kill_group(*pgid);
            }
        }
    }
}

fn start_gate(d: &service_support::Daemon, name: &str) -> String {
    let e = d.json(&["run", &format!("\\File System\\Jobs\\{name}")]);
    let id = e["ExecutionId"].as_str().unwrap().to_string();
    d.wait_for(&id, "running task", |e| !e["CurrentTask"].is_null());
    id
}

#[test]
fn after_kill_9_and_a_restart_the_real_exit_codes_are_recorded() {
    let f = Fixture::new(true);
    let d = f.start();
    let ok = start_gate(&d, "GateOk");
    let failed = start_gate(&d, "GateFail");
    let late = start_gate(&d, "GateLate");
    let pid_of = |id: &str| {
        d.json(&["history"])["Items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["ExecutionId"] == id)
            .unwrap()["ProcessId"]
            .as_u64()
            .unwrap() as u32
    };
    let (ok_pid, failed_pid, late_pid) = (pid_of(&ok), pid_of(&failed), pid_of(&late));
    // If an assertion fails, the gated packages (which would wait for ever) go too.
    let _cleanup = KillGroupsOnDrop(vec![ok_pid, failed_pid, late_pid]);
    // A spare supervisor waits for the next run; it leaves with the service.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let spares = loop {
        let mut s = service_support::spares_of(d.child.id());
        // Supervisors with a job were spares too: leave the running ones out.
        s.retain(|p| ![ok_pid, failed_pid, late_pid].contains(p));
        if !s.is_empty() || std::time::Instant::now() > deadline {
            break s;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(spares.len(), 1, "one spare supervisor: {spares:?}");
    d.kill9();
    // Two end while no service runs...
    f.open_gate("GateOk", 0);
    f.open_gate("GateFail", 9);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !(group_members(ok_pid).is_empty() && group_members(failed_pid).is_empty()) {
        assert!(
            std::time::Instant::now() < deadline,
            "the gated packages did not end"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let ended_ms = ssis_service::timefmt::now_ms();
    while service_support::alive(spares[0]) {
        assert!(
            std::time::Instant::now() < deadline,
            "the spare supervisor outlived its service"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // The service stays down a while after they ended (a gap the end times must not absorb).
    std::thread::sleep(Duration::from_secs(3));
    let d = f.start();
    let e = d.wait_for(&ok, "end", |e| e["Status"] != "Running");
    assert_eq!(
        (e["Status"].as_str(), e["ExitCode"].as_i64()),
        (Some("Succeeded"), Some(0)),
        "{e}"
    );
    // The end time is the supervisor's record, not the restart's.
    let end =
        ssis_service::timefmt::parse_rfc3339(e["EndTime"].as_str().unwrap(), "EndTime").unwrap();
    assert!(
        (end - ended_ms).abs() < 1000,
        "recorded end {} vs the real end within 1 s of {}: {e}",
        e["EndTime"],
        ssis_service::timefmt::format_ms(ended_ms)
    );
    let e = d.wait_for(&failed, "end", |e| e["Status"] != "Running");
    assert_eq!(
        (e["Status"].as_str(), e["ExitCode"].as_i64()),
        (Some("Failed"), Some(9)),
        "{e}"
    );
    assert!(
        e["Message"].as_str().unwrap().contains("exit code 9"),
        "{e}"
    );
    // ...and one ends later, while the restarted service watches it.
    assert_eq!(d.json(&["ps"])["Items"][0]["ExecutionId"], late.as_str());
    f.open_gate("GateLate", 0);
    let e = d.wait_for(&late, "end", |e| e["Status"] != "Running");
    assert_eq!(
        (e["Status"].as_str(), e["ExitCode"].as_i64()),
        (Some("Succeeded"), Some(0)),
        "{e}"
    );
    assert!(group_members(late_pid).is_empty());
    assert!(
        !f.state().join(format!("output/{late}.exit")).exists(),
        "the exit file is removed once recorded"
    );
    d.stop();
}

#[test]
fn no_service_gives_a_connection_error_that_says_how_to_start_it() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("none.sock");
    let o = std::process::Command::new(service_support::ssis_bin())
        .args(["--server", &format!("unix:{}", sock.display()), "ps"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("ssis service run") && err.contains("none.sock"),
        "{err}"
    );
    let o = std::process::Command::new(service_support::ssis_bin())
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
    let o = std::process::Command::new(service_support::ssis_bin())
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

#[test]
fn retention_prunes_old_output_logs_then_old_history() {
    let f = Fixture::new(true);
    let d = f.start();
    let old = d.json(&["run", "\\File System\\Jobs\\Quick", "--wait"]);
    let old_id = old["ExecutionId"].as_str().unwrap().to_string();
    let log = f.state().join(format!("output/{old_id}.log"));
    assert!(log.exists());
    d.stop();
    std::thread::sleep(Duration::from_millis(1500));
    // One second (in days): the log goes, the history row stays.
    let second = "0.0000116";
    let d = f.start_with(&["--output-retention-days", second]);
    assert!(!log.exists(), "the old output log is pruned");
    let h = d.json(&["history"]);
    assert_eq!(h["Items"][0]["ExecutionId"], old_id.as_str(), "{h}");
    let fresh = d.json(&["run", "\\File System\\Jobs\\Quick", "--wait"]);
    let fresh_id = fresh["ExecutionId"].as_str().unwrap().to_string();
    d.stop();
    std::thread::sleep(Duration::from_millis(1500));
    f.write_config(false, &["File System"]);
    let d = f.start_with(&["--history-retention-days", "0.0000116"]);
    let ids: Vec<String> = d.json(&["history"])["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["ExecutionId"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.is_empty(), "both ended more than a second ago: {ids:?}");
    assert!(!f.state().join(format!("output/{fresh_id}.log")).exists());
    let ev = d.json(&["events", "--event-id", "1031"]);
    assert_eq!(ev["Items"].as_array().unwrap().len(), 2, "{ev}");
    // A running execution (left running by the stop) is never pruned.
    let (running, pid) = start_sleep(&d);
    d.stop();
    std::thread::sleep(Duration::from_millis(1500));
    let d = f.start_with(&["--history-retention-days", "0.0000116"]);
    let h = d.json(&["history"]);
    assert_eq!(h["Items"][0]["ExecutionId"], running.as_str(), "{h}");
    assert_eq!(h["Items"][0]["Status"], "Running", "{h}");
    d.stop();
    kill_group(pid);
    let o = std::process::Command::new(service_support::ssis_bin())
        .args(["service", "run", "--history-retention-days=-1"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(6));
    assert!(String::from_utf8_lossy(&o.stderr).contains("number of days"));
}

#[test]
fn the_event_log_reads_without_a_running_service() {
    let f = Fixture::new(true);
    let d = f.start();
    d.json(&["run", "\\File System\\Jobs\\Quick", "--wait"]);
    d.stop();
    // No service now: the state directory is read directly.
    let out = std::process::Command::new(service_support::ssis_bin())
        .args(["--json", "events", "--state-dir"])
        .arg(f.state())
        .env(
            "SSIS_SERVICE_SOCKET",
            f.dir.path().join("nobody-listens.sock"),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let messages: Vec<&str> = list["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["Message"].as_str().unwrap())
        .collect();
    assert!(messages.iter().any(|m| m.contains("Quick")), "{messages:?}");
    assert!(
        messages.iter().any(|m| m.contains("stopped")),
        "the stop is logged too: {messages:?}"
    );
    let missing = std::process::Command::new(service_support::ssis_bin())
        .args(["events", "--state-dir"])
        .arg(f.dir.path().join("no-such-dir"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(4), "not found");
    assert!(String::from_utf8_lossy(&missing.stderr).contains("state database"));
}

/// A package upgrade replaces the binary in place (a new file renamed over
/// the old path): the running service starts the new file for later runs
/// instead of failing on "/…/ssis (deleted)".
#[test]
fn runs_still_start_after_the_binary_is_replaced_in_place() {
    // The built-in runner: the executor is this program too.
    let f = Fixture::builtin(0);
    let bin = f.dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let installed = bin.join("ssis");
    std::fs::copy(service_support::ssis_bin(), &installed).unwrap();
    let d = f.start_program(&installed, &[]);
    let first = d.json(&["run", "--wait", "\\File System\\Jobs\\Nap"]);
    assert_eq!(first["Status"], "Succeeded", "{first}");
    // The upgrade: a new file beside it, renamed over the installed path.
    let staged = bin.join(".ssis.new");
    std::fs::copy(service_support::ssis_bin(), &staged).unwrap();
    std::fs::rename(&staged, &installed).unwrap();
    // Twice: the second also needs a supervisor started after the upgrade.
    for _ in 0..2 {
        let again = d.json(&["run", "--wait", "\\File System\\Jobs\\Nap"]);
        assert_eq!(again["Status"], "Succeeded", "{again}");
    }
    // A run that cannot start is logged (event 1025), not only returned:
    // here the installed file is gone.
    std::fs::remove_file(&installed).unwrap();
    let gone = d.ssis(&["run", "\\File System\\Jobs\\Nap"]);
    assert!(!gone.status.success());
    let err = String::from_utf8_lossy(&gone.stderr);
    assert!(err.contains("is gone"), "{err}");
    let logged = d.json(&["events", "--event-id", "1025"]);
    let messages: Vec<&str> = logged["Items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["Message"].as_str())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("is gone")),
        "{messages:?}"
    );
    d.stop();
}

/// The setting that names the configuration file set but empty (the
/// original: its registry value missing) gives 274 and the default
/// location; no file there gives 272 and the built-in default.
#[test]
fn an_empty_config_setting_and_a_missing_default_file_are_logged() {
    let f = Fixture::new(true);
    let socket = f.dir.path().join("empty-config.sock");
    let mut child = std::process::Command::new(service_support::ssis_bin())
        .args(["service", "run", "--socket"])
        .arg(&socket)
        .arg("--state-dir")
        .arg(f.state())
        .env("SSIS_SERVICE_CONFIG", "")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let ssis = |args: &[&str]| {
        std::process::Command::new(service_support::ssis_bin())
            .args(args)
            .env("SSIS_SERVICE_SOCKET", &socket)
            .env_remove("SSIS_SERVICE_CONFIG")
            .output()
            .unwrap()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !ssis(&["service", "status"]).status.success() {
        assert!(
            std::time::Instant::now() < deadline,
            "the service did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = ssis(&["--json", "events"]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<u64> = list["Items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["EventId"].as_u64())
        .collect();
    assert!(ids.contains(&274), "{ids:?}");
    let default_file = ssis_service::config::locate(None);
    let expected = if default_file.path.is_file() {
        1001
    } else {
        272
    };
    assert!(
        ids.contains(&expected),
        "{ids:?} ({})",
        default_file.path.display()
    );
    assert!(ssis(&["service", "stop"]).status.success());
    child.wait().unwrap();
}

//! Running packages through a real service: run, monitor, output, stop (the
//! whole process tree), history, and the dtexec-compatible script executor.
// The service fixture drives a Unix socket, sh executors and process groups;
// the Windows counterpart is tests/windows/ (named pipe under Wine).
#![cfg(unix)]

use crate::service_support;

use serde_json::Value;
use service_support::{Fixture, group_members, kill_group};

fn run(d: &service_support::Daemon, args: &[&str]) -> Value {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    d.json(&all)
}

#[test]
fn run_records_history_output_and_current_task() {
    let f = Fixture::new(true);
    let d = f.start();
    let done = run(
        &d,
        &["\\File System\\Jobs\\quick", "--set", "Count=5", "--wait"],
    );
    assert_eq!(done["Status"], "Succeeded", "{done}");
    assert_eq!(done["ExitCode"], 0);
    assert_eq!(done["Store"], "File System");
    assert_eq!(done["PackagePath"], "\\File System\\Jobs\\quick");
    assert_eq!(
        done["CurrentTask"], "Package",
        "post-execute returns to the parent: {done}"
    );
    assert!(done["EndTime"].is_string() && done["Duration"].as_f64().unwrap() >= 0.0);
    let cmd: Vec<String> = serde_json::from_value(done["CommandLine"].clone()).unwrap();
    assert_eq!(cmd[1], "/F");
    assert_eq!(
        cmd[3..],
        [
            "/SET",
            "\\Package.Variables[User::Count].Properties[Value];5"
        ]
    );
    let id = done["ExecutionId"].as_str().unwrap();
    assert_eq!(id.len(), 36);

    let out = d.json(&["logs", id]);
    let text = out["Text"].as_str().unwrap();
    assert!(
        text.contains("set: \\Package.Variables[User::Count].Properties[Value];5"),
        "{text}"
    );
    assert!(text.contains("ran "), "{text}");
    assert_eq!(out["Complete"], true);

    // A package file, failing with exit code 7: `ssis run --wait` exits 7.
    let fail = f.package("Fail");
    let o = d.ssis(&["run", "--file", fail.to_str().unwrap(), "--wait"]);
    assert_eq!(
        o.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let failed = d.json(&["history", "--status", "Failed"]);
    assert_eq!(failed["Items"].as_array().unwrap().len(), 1);
    assert_eq!(failed["Items"][0]["ExitCode"], 7);
    assert_eq!(failed["Items"][0]["Store"], "File");

    // Filters.
    let quick = d.json(&["history", "--package", "QUICK"]);
    assert_eq!(quick["Items"].as_array().unwrap().len(), 1);
    let all = d.json(&[
        "history",
        "--since",
        "2000-01-01",
        "--user",
        &done["StartedBy"].as_str().unwrap().to_uppercase(),
    ]);
    assert_eq!(all["Items"].as_array().unwrap().len(), 2);
    let none = d.json(&["history", "--until", "2000-01-01"]);
    assert!(none["Items"].as_array().unwrap().is_empty());

    // Events about the execution.
    let ev = d.json(&["events", "--execution", id]);
    let ids: Vec<u64> = ev["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["EventId"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [1020, 1021], "{ev}");

    // Errors name the problem.
    let o = d.ssis(&["run", "\\File System\\Jobs\\Missing"]);
    assert_eq!(o.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&o.stderr).contains("does not exist"));
    let o = d.ssis(&["run", "\\File System\\..\\etc\\passwd"]);
    assert_eq!(o.status.code(), Some(6));
    let o = d.ssis(&["logs", "00000000-0000-0000-0000-000000000000"]);
    assert_eq!(o.status.code(), Some(4));
    d.stop();
}

#[test]
fn stop_ends_the_whole_process_tree() {
    let f = Fixture::new(true);
    let d = f.start();
    let started = run(&d, &["\\File System\\Jobs\\Sleep"]);
    let id = started["ExecutionId"].as_str().unwrap().to_string();
    let pid = started["ProcessId"].as_u64().unwrap() as u32;
    let running = d.wait_for(&id, "current task", |e| e["CurrentTask"] == "Package\\Work");
    assert_eq!(running["Status"], "Running");
    d.wait_until("the package's process tree (3 processes)", || {
        group_members(pid).len() >= 3
    });
    let ps = d.json(&["ps"]);
    assert_eq!(ps["Items"][0]["ExecutionId"], id.as_str());

    let stopped = d.json(&["stop", &id]);
    assert_eq!(stopped["Status"], "Stopped", "{stopped}");
    assert_eq!(stopped["ExitCode"], 128 + 15);
    assert!(
        group_members(pid).is_empty(),
        "left behind: {:?}",
        group_members(pid)
    );
    assert!(d.json(&["ps"])["Items"].as_array().unwrap().is_empty());
    d.stop();
}

#[test]
fn a_package_ignoring_sigterm_is_killed_after_the_grace_period() {
    let f = Fixture::new(true);
    let d = f.start();
    let started = run(&d, &["\\File System\\Jobs\\Stubborn"]);
    let id = started["ExecutionId"].as_str().unwrap().to_string();
    let pid = started["ProcessId"].as_u64().unwrap() as u32;
    d.wait_for(&id, "current task", |e| !e["CurrentTask"].is_null());
    let t = std::time::Instant::now();
    let stopped = d.json(&["stop", &id]);
    assert!(
        t.elapsed() >= std::time::Duration::from_millis(900),
        "grace period honoured"
    );
    assert_eq!(stopped["Status"], "Stopped");
    assert_eq!(stopped["ExitCode"], 128 + 9);
    assert!(
        group_members(pid).is_empty(),
        "left behind: {:?}",
        group_members(pid)
    );
    let killed = d.json(&["events", "--event-id", "1026"]);
    assert_eq!(killed["Items"].as_array().unwrap().len(), 1);
    kill_group(pid);
    d.stop();
}

#[test]
fn fifty_concurrent_executions_are_all_in_the_history() {
    let f = Fixture::new(true);
    let d = f.start();
    let threads: Vec<_> = (0..50)
        .map(|_| {
            let socket = d.socket.clone();
            std::thread::spawn(move || {
                let session = ssis_service::client::Session::connect(
                    Some(&format!("unix:{}", socket.display())),
                    None,
                )
                .unwrap();
                let params = ssis_service::protocol::executions::RunParams {
                    package: Some("\\File System\\Jobs\\Quick".into()),
                    ..Default::default()
                };
                let e = session.run(&params).unwrap();
                session
                    .execution_wait(&e.execution_id, Some(std::time::Duration::from_secs(60)))
                    .unwrap()
            })
        })
        .collect();
    let mut ids = std::collections::HashSet::new();
    for t in threads {
        let e = t.join().unwrap();
        assert_eq!(e.status.name(), "Succeeded", "{e:?}");
        ids.insert(e.execution_id);
    }
    assert_eq!(ids.len(), 50);
    let h = d.json(&["history", "--status", "Succeeded", "--limit", "1000"]);
    let listed: std::collections::HashSet<String> = h["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["ExecutionId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, ids);
    d.stop();
}

#[test]
fn the_store_is_served_over_the_socket() {
    let f = Fixture::new(true);
    let d = f.start();
    let folders = d.json(&["--server", ".", "folder", "list"]);
    let names: Vec<&str> = folders["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["File System"]);
    let pk = d.json(&["--server", ".", "package", "list", "\\File System\\Jobs"]);
    assert_eq!(pk["Items"].as_array().unwrap().len(), 8, "{pk}");
    let made = d.json(&["--server", ".", "folder", "create", "\\File System\\New"]);
    assert_eq!(made["Path"], "\\File System\\New");
    assert!(f.dir.path().join("Packages/New").is_dir());
    let o = d.ssis(&["--server", ".", "exists", "\\File System\\Jobs\\Quick"]);
    assert!(o.status.success());
    let o = d.ssis(&["--server", ".", "folder", "list", "\\Nowhere"]);
    assert_eq!(o.status.code(), Some(4));
    let ev = d.json(&["events", "--event-id", "1030"]);
    assert_eq!(ev["Items"].as_array().unwrap().len(), 1);
    d.stop();
}

#[test]
fn the_built_in_runner_is_the_default_executor() {
    let f = Fixture::new(true);
    let text = std::fs::read_to_string(f.config()).unwrap();
    let start = text.find("  <SsisService>").unwrap();
    let end = text.find("</SsisService>\n").unwrap() + "</SsisService>\n".len();
    std::fs::write(f.config(), format!("{}{}", &text[..start], &text[end..])).unwrap();
    let d = f.start();
    let done = run(&d, &["\\File System\\Jobs\\Quick", "--wait"]);
    assert_eq!(done["Status"], "Succeeded", "{done}");
    let cmd: Vec<String> = serde_json::from_value(done["CommandLine"].clone()).unwrap();
    assert_eq!(cmd[0], service_support::ssis_bin());
    assert_eq!(cmd[1], "exec");
    assert_eq!(cmd[cmd.len() - 2..], ["--events", "json"]);
    assert_eq!(done["CurrentTask"], "Package", "{done}");
    let ev = d.json(&[
        "events",
        "--execution",
        done["ExecutionId"].as_str().unwrap(),
    ]);
    assert_eq!(ev["Items"].as_array().unwrap().len(), 2);
    d.stop();
}

#[test]
fn an_auto_executor_chooses_per_package() {
    let f = Fixture::new(true);
    let exec = f.dir.path().join("executor.sh");
    let auto = std::path::PathBuf::from(format!("auto:{}", exec.display()));
    f.write_config_with(true, &["File System"], Some(&auto));
    // A Script Task the built-in runner refuses, in a package the
    // stand-in dtexec fails with exit 7 (its name has "Fail").
    let jobs = f.dir.path().join("Packages/Jobs");
    let hello = std::fs::read_to_string(jobs.join("Quick.dtsx")).unwrap();
    let scripted = hello.replace("Microsoft.ExecuteProcess", "Microsoft.ScriptTask");
    assert_ne!(hello, scripted);
    std::fs::write(jobs.join("ScriptFail.dtsx"), scripted).unwrap();
    let d = f.start();

    let built_in = run(&d, &["\\File System\\Jobs\\Quick", "--wait"]);
    assert_eq!(built_in["Status"], "Succeeded", "{built_in}");
    let cmd: Vec<String> = serde_json::from_value(built_in["CommandLine"].clone()).unwrap();
    assert_eq!(cmd[1], "exec");
    assert!(
        cmd.windows(2)
            .any(|w| w[0] == "--fallback" && w[1] == exec.display().to_string())
    );
    let log = d.json(&["logs", built_in["ExecutionId"].as_str().unwrap()]);
    assert!(
        !log["Text"].as_str().unwrap().contains("running it with"),
        "{log}"
    );

    // The run fails (exit 7), so `ssis run` exits non-zero: read its JSON.
    let o = d.ssis(&["--json", "run", "\\File System\\Jobs\\ScriptFail", "--wait"]);
    let handed: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)));
    assert_eq!(
        handed["ExitCode"], 7,
        "the stand-in dtexec ran it: {handed}"
    );
    let log = d.json(&["logs", handed["ExecutionId"].as_str().unwrap()]);
    let text = log["Text"].as_str().unwrap();
    assert!(
        text.contains("running it with") && text.contains("failing"),
        "the log says which executor ran the package: {text}"
    );
    d.stop();
}

#[test]
fn output_past_the_cap_is_cut_cleanly_and_its_events_still_count() {
    let f = Fixture::new(true);
    let d = f.start_with(&["--output-cap", "1024"]);
    let e = run(&d, &["\\File System\\Jobs\\Chatty", "--wait"]);
    assert_eq!(e["Status"], "Succeeded", "{e}");
    assert_eq!(
        e["CurrentTask"], "Package\\Late",
        "an event written far past the cap still moves the current task: {e}"
    );
    let id = e["ExecutionId"].as_str().unwrap();
    let out = d.json(&["logs", id]);
    let text = out["Text"].as_str().unwrap();
    let marker = ssis_service::service::output::marker(1024);
    assert_eq!(
        text.len(),
        1024 + marker.len(),
        "exactly the cap, then the marker"
    );
    assert!(text.ends_with(&marker), "{text}");
    assert!(text.starts_with("{\"Time\""), "{text}");
    assert!(!text.contains("Late"), "nothing past the cap is in the log");
    assert_eq!(out["Truncated"], true);
    d.stop();
}

#[test]
fn a_long_wait_does_not_hold_up_other_calls_on_the_same_session() {
    let f = Fixture::new(true);
    let d = f.start();
    let session = std::sync::Arc::new(
        ssis_service::client::Session::connect(Some(&format!("unix:{}", d.socket.display())), None)
            .unwrap(),
    );
    let params = ssis_service::protocol::executions::RunParams {
        package: Some("\\File System\\Jobs\\GateOk".into()),
        ..Default::default()
    };
    let started = session.run(&params).unwrap();
    let waiter = {
        let session = std::sync::Arc::clone(&session);
        let id = started.execution_id.clone();
        std::thread::spawn(move || {
            session.execution_wait(&id, Some(std::time::Duration::from_secs(60)))
        })
    };
    // Give the wait time to be sent (nothing outside the session shows it;
    // sent late, the test proves less but cannot fail wrongly).
    std::thread::sleep(std::time::Duration::from_millis(300));
    // The gate stays closed until the listing is back, so a listing queued
    // behind the wait would never come back: the deadline, not a timing.
    let (tx, rx) = std::sync::mpsc::channel();
    {
        let session = std::sync::Arc::clone(&session);
        std::thread::spawn(move || {
            let _ = tx.send(session.list_folders(None));
        });
    }
    let folders = rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the listing was held up behind the other thread's wait")
        .unwrap();
    assert!(!folders.items.is_empty());
    assert!(!waiter.is_finished(), "the package is still gated");
    f.open_gate("GateOk", 0);
    let done = waiter.join().unwrap().unwrap();
    assert_eq!(done.status.name(), "Succeeded", "{done:?}");
    d.stop();
}

#[test]
fn a_stored_package_that_cannot_be_found_is_refused_at_once() {
    let f = Fixture::new(true);
    // An MSDB folder on a server nothing answers on, beside the File System one.
    let text = std::fs::read_to_string(f.config()).unwrap().replace(
        "  <TopLevelFolders>\n",
        "  <TopLevelFolders>\n    <Folder xsi:type=\"SqlServerFolder\">\n      <Name>MSDB</Name>\n      <ServerName>127.0.0.1,1</ServerName>\n    </Folder>\n",
    );
    std::fs::write(f.config(), text).unwrap();
    let d = f.start();
    for (package, code) in [
        ("\\MSDB\\Nightly", None),
        ("\\File System\\Jobs\\NoSuchPackage", Some(4)),
    ] {
        let out = d.ssis(&["run", package]);
        assert!(!out.status.success(), "{package} was answered Started");
        if code.is_some() {
            assert_eq!(out.status.code(), code, "{package}");
        }
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.is_empty(), "{package}: an error is printed");
    }
    let history = d.json(&["history"]);
    assert!(
        history["Items"].as_array().unwrap().is_empty(),
        "nothing was started: {history}"
    );
    d.stop();
}

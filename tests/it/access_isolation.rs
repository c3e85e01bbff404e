//! Users see and stop their own executions; another user's need the
//! Operate right, given on purpose. Root only: it creates local accounts.
#![cfg(unix)]

use crate::remote_support::*;
use crate::service_support::kill_group;

fn grant(extra_rights: &str) -> String {
    format!(
        "    <Grants>\n      <Grant Principal=\"user:{GRANTED}\" Rights=\"Connect,Read,Execute{extra_rights}\" />\n    </Grants>"
    )
}

#[test]
fn another_users_execution_needs_operate_to_be_seen_or_stopped() {
    assert!(
        is_root(),
        "this test creates local accounts and runs commands as them: run it as root (CI does)"
    );
    ensure_users();
    let f = Fixture::new(true);
    write_config(&f, &grant(""));
    let bin = open_to_users(&f);
    let d = f.start();
    open_socket(&f);
    let started = d.json(&["run", "\\File System\\Jobs\\Sleep"]);
    let id = started["ExecutionId"].as_str().unwrap().to_string();
    let pid = started["ProcessId"].as_u64().unwrap() as u32;
    let as_user = |args: &[&str]| run_as(GRANTED, &bin, &f.socket(), args);

    let ps = as_user(&["--json", "ps"]);
    assert!(ps.status.success(), "{}", text(&ps));
    let rows: serde_json::Value = serde_json::from_slice(&ps.stdout).unwrap();
    assert!(
        rows["Items"].as_array().unwrap().is_empty(),
        "root's run is not listed for the user: {rows}"
    );
    let history = as_user(&["--json", "history"]);
    let rows: serde_json::Value = serde_json::from_slice(&history.stdout).unwrap();
    assert!(rows["Items"].as_array().unwrap().is_empty(), "{rows}");
    for args in [vec!["stop", id.as_str()], vec!["logs", id.as_str()]] {
        let out = as_user(&args);
        assert!(!out.status.success(), "{args:?}: {}", text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("Access is denied") && err.contains("Operate"),
            "{args:?}: {err}"
        );
    }
    let running = d.json(&["ps"]);
    assert_eq!(
        running["Items"].as_array().unwrap().len(),
        1,
        "still running: {running}"
    );

    // Operate, given on purpose, shows and stops it.
    write_config(&f, &grant(",Operate"));
    d.json(&["service", "reload"]);
    let ps = as_user(&["--json", "ps"]);
    let rows: serde_json::Value = serde_json::from_slice(&ps.stdout).unwrap();
    assert_eq!(rows["Items"][0]["ExecutionId"], id.as_str(), "{rows}");
    let stop = as_user(&["--json", "stop", &id]);
    assert!(stop.status.success(), "{}", text(&stop));
    kill_group(pid);
    d.stop();
}

//! `ssis --server a,b,c` for list commands: rows labelled with their server,
//! an unreachable server as an error row (not a failed command), and a
//! failure only when no server answers. Also the API (`MultiSession`).
// The fixture drives the service over a Unix socket; Windows has tests/windows/.
#![cfg(unix)]

use crate::remote_support;

use remote_support::*;
use serde_json::Value;
use ssis_service::client::{MultiSession, split_servers};
use std::process::Command;

fn ssis(args: &[&str]) -> std::process::Output {
    Command::new(ssis_bin())
        .args(args)
        .env_remove("SSIS_SERVICE_SOCKET")
        .output()
        .unwrap()
}

#[test]
fn list_commands_fan_out_and_label_rows() {
    let (fa, fb) = (Fixture::new(true), Fixture::new(true));
    let (a, b) = (fa.start(), fb.start());
    let run = a.json(&["run", "\\File System\\Jobs\\Sleep"]);
    let id = run["ExecutionId"].as_str().unwrap().to_string();
    let missing = fa.dir.path().join("nobody.sock");
    let sa = format!("unix:{}", fa.socket().display());
    let sb = format!("unix:{}", fb.socket().display());
    let sm = format!("unix:{}", missing.display());
    let spec = format!("{sa},{sb},{sm}");

    let out = ssis(&["--json", "--server", &spec, "ps"]);
    assert!(out.status.success(), "{}", text(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v["Items"].as_array().unwrap();
    let mine = rows
        .iter()
        .find(|r| r["ExecutionId"] == id.as_str())
        .unwrap();
    assert_eq!(mine["Server"], sa.as_str());
    let err = rows.iter().find(|r| r["Server"] == sm.as_str()).unwrap();
    assert_eq!(err["Error"]["Kind"], "Connection");
    assert!(
        rows.iter().all(|r| r["Server"] != sb.as_str()),
        "b runs nothing"
    );

    let out = ssis(&["--server", &spec, "folder", "list"]);
    assert!(out.status.success(), "{}", text(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.starts_with("Server"), "{table}");
    assert_eq!(table.matches("FileSystemFolder").count(), 2, "{table}");
    assert!(
        table.contains(&format!("\n{sm}: error: cannot connect")),
        "{table}"
    );

    let out = ssis(&["--json", "--server", &format!("{sa},{sb}"), "history"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["Items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["Server"] == sa.as_str())
    );

    // Only when no server answers does the command fail.
    let out = ssis(&["--server", &format!("{sm},unix:/nonexistent/x.sock"), "ps"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));

    // The API.
    let servers = split_servers(&spec);
    let multi = MultiSession::connect(&servers, None);
    let rows = multi.rows(|s| s.list_folders(None));
    assert_eq!(rows.items.iter().filter(|r| r.item.is_some()).count(), 2);
    assert_eq!(rows.items.iter().filter(|r| r.error.is_some()).count(), 1);

    a.json(&["stop", &id]);
    a.stop();
    b.stop();
}

/// A command that works on one server refuses a list, naming the commands
/// that take several, instead of looking for a socket named `a,b`.
#[test]
fn single_server_commands_refuse_a_list() {
    let spec = "unix:/nonexistent/a.sock,unix:/nonexistent/b.sock";
    for args in [
        vec!["run", "\\File System\\X"],
        vec!["stop", "00000000-0000-0000-0000-000000000000"],
        vec!["folder", "create", "\\File System\\X"],
    ] {
        let mut all = vec!["--server", spec];
        all.extend(args.iter().copied());
        let out = ssis(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            err.contains("names 2 servers") && err.contains("ps, history, events"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("no service answers"), "{err}");
    }
}

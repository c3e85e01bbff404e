//! Access control with real local accounts (created by the test with
//! useradd; root only): an ungranted account is denied every operation and
//! the denials are in the event log; a Read grant allows listing but not
//! running; Execute then allows running ("started by" is the caller); group
//! grants; revoking takes access away again.
// The fixture drives the service over a Unix socket; Windows has tests/windows/.
#![cfg(unix)]

use crate::remote_support;

use remote_support::*;
use serde_json::Value;

/// Every kind of operation, as CLI arguments, with the right it needs.
const OPERATIONS: &[(&[&str], &str)] = &[
    (&["folder", "list"], "Read"),
    (&["package", "list"], "Read"),
    (&["package", "info", "\\File System\\Jobs\\Quick"], "Read"),
    (&["exists", "\\File System\\Jobs"], "Read"),
    (
        &[
            "package",
            "export",
            "\\File System\\Jobs\\Quick",
            "{out}/export.dtsx",
        ],
        "Read",
    ),
    (&["ps"], "Read"),
    (&["history"], "Read"),
    (&["events"], "Read"),
    (&["service", "status"], "Read"),
    (&["folder", "create", "\\File System\\New"], "Write"),
    (&["package", "delete", "\\File System\\Jobs\\Fail"], "Write"),
    (
        &[
            "package",
            "copy",
            "\\File System\\Jobs\\Quick",
            "\\File System\\Jobs\\Copy",
        ],
        "Write",
    ),
    (&["run", "\\File System\\Jobs\\Quick"], "Execute"),
    (&["stop", "00000000-0000-0000-0000-000000000000"], "Execute"),
    (&["config", "show"], "Administer"),
    (&["service", "reload"], "Administer"),
    (&["service", "stop"], "Administer"),
    (&["access", "list"], "Administer"),
    (
        &["access", "grant", "user:ssistest_denied", "All"],
        "Administer",
    ),
    (
        &["access", "token", "create", "--user", "ssistest_denied"],
        "Administer",
    ),
];

fn start(extra: &str) -> (Fixture, Daemon, std::path::PathBuf) {
    ensure_users();
    let f = Fixture::new(true);
    let out = f.dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::set_permissions(&out, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    write_config(&f, extra);
    let bin = open_to_users(&f);
    let d = f.start();
    open_socket(&f);
    (f, d, bin)
}

/// The arguments with `{out}` made the fixture's folder writable by everyone.
fn with_out(f: &Fixture, args: &[&str]) -> Vec<String> {
    let out = f.dir.path().join("out").display().to_string();
    args.iter().map(|a| a.replace("{out}", &out)).collect()
}

fn denials(d: &Daemon) -> Vec<Value> {
    let v = d.json(&["events", "--event-id", "1011", "--limit", "1000"]);
    v["Items"].as_array().unwrap().clone()
}

#[test]
fn an_ungranted_account_is_denied_everything_and_it_is_logged() {
    require_root("an_ungranted_account_is_denied_everything_and_it_is_logged");
    let grant =
        format!("<Grants><Grant Principal=\"user:{GRANTED}\" Rights=\"Connect,Read\" /></Grants>");
    let (f, d, bin) = start(&grant);
    for (args, _) in OPERATIONS {
        let out = run_as(DENIED, &bin, &f.socket(), &with_out(&f, args));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success(),
            "{args:?} was allowed: {}",
            text(&out)
        );
        assert!(
            err.contains("Access is denied") && err.contains(DENIED) && err.contains("Connect"),
            "{args:?}: {}",
            text(&out)
        );
    }
    // Nothing happened: the store and the service are as they were.
    assert!(f.package("Fail").exists());
    assert!(!f.dir.path().join("Packages/New").exists());
    assert!(d.child.id() > 0 && d.ssis(&["service", "status"]).status.success());
    let logged = denials(&d);
    let mine: Vec<&Value> = logged.iter().filter(|e| e["User"] == DENIED).collect();
    assert!(
        mine.len() >= OPERATIONS.len(),
        "expected a denial per operation, found {}: {logged:?}",
        mine.len()
    );
    assert!(mine.iter().all(|e| e["Level"] == "Warning"
        && e["Source"] == "SQLISService"
        && e["Category"] == "Access"));
    assert!(
        mine[0]["Message"]
            .as_str()
            .unwrap()
            .contains("the Connect right is missing")
    );
    // The JSON error carries the kind and the operation.
    let out = run_as(DENIED, &bin, &f.socket(), &["--json", "folder", "list"]);
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["Kind"], "AccessDenied");
    assert_eq!(err["Target"], "Hello");
    d.stop();
}

#[test]
fn read_allows_listing_but_not_running_until_execute_is_granted() {
    require_root("read_allows_listing_but_not_running_until_execute_is_granted");
    let (f, d, bin) = start("");
    let sock = f.socket();
    // Secure by default: no grants, no access.
    let out = run_as(GRANTED, &bin, &sock, &["folder", "list"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Access is denied"),
        "{}",
        text(&out)
    );

    let g = d.json(&[
        "access",
        "grant",
        &format!("user:{GRANTED}"),
        "Connect,Read",
    ]);
    assert_eq!(g["Rights"], serde_json::json!(["Connect", "Read"]));
    // The grant is in the configuration file, in the extension element.
    let xml = std::fs::read_to_string(f.config()).unwrap();
    assert!(
        xml.contains("<Grant Principal=\"user:ssistest_granted\" Rights=\"Connect,Read\""),
        "{xml}"
    );

    for (args, right) in OPERATIONS {
        let out = run_as(GRANTED, &bin, &sock, &with_out(&f, args));
        let err = String::from_utf8_lossy(&out.stderr);
        if *right == "Read" {
            assert!(
                !err.contains("Access is denied"),
                "{args:?} needs only Read: {}",
                text(&out)
            );
        } else {
            assert!(
                err.contains("Access is denied") && err.contains(&format!("the {right} right")),
                "{args:?} needs {right}: {}",
                text(&out)
            );
        }
    }
    let out = run_as(GRANTED, &bin, &sock, &["run", "\\File System\\Jobs\\Quick"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Execute") && err.contains("ExecutionRun"),
        "{err}"
    );

    // Files are touched by the caller's own process: the export is written
    // by the client, which may not write /etc; the service writes nothing.
    let quick = "\\File System\\Jobs\\Quick";
    let out = run_as(
        GRANTED,
        &bin,
        &sock,
        &["package", "export", quick, "/etc/ssistest-export.dtsx"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("/etc") && err.contains("ermission denied"),
        "{}",
        text(&out)
    );
    assert!(!std::path::Path::new("/etc/ssistest-export.dtsx").exists());
    let mine = f.dir.path().join("out/mine.dtsx");
    let out = run_as(
        GRANTED,
        &bin,
        &sock,
        &["package", "export", quick, mine.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out));
    let owner = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(&mine).unwrap());
    assert_ne!(
        owner, 0,
        "the export is the user's file, written by the user's client"
    );
    d.json(&["access", "grant", &format!("user:{GRANTED}"), "Write"]);
    let out = run_as(
        GRANTED,
        &bin,
        &sock,
        &["package", "import", "/etc/shadow", "\\File System\\Shadow"],
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot open '/etc/shadow'"),
        "{}",
        text(&out)
    );
    let shadow = d.ssis(&["--json", "exists", "\\File System\\Shadow"]);
    let shadow: Value = serde_json::from_slice(&shadow.stdout).unwrap();
    assert_eq!(shadow["Kind"], "None", "nothing was imported: {shadow}");
    d.json(&["access", "revoke", &format!("user:{GRANTED}"), "Write"]);

    d.json(&["access", "grant", &format!("user:{GRANTED}"), "Execute"]);
    let out = run_as(
        GRANTED,
        &bin,
        &sock,
        &["--json", "run", "--wait", "\\File System\\Jobs\\Quick"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let e: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(e["StartedBy"], GRANTED);
    assert_eq!(e["Status"], "Succeeded");

    // Revoking every right closes the door again.
    d.json(&["access", "revoke", &format!("user:{GRANTED}")]);
    let out = run_as(GRANTED, &bin, &sock, &["ps"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Access is denied"),
        "{}",
        text(&out)
    );

    // A group grant (useradd made a primary group named like the user).
    d.json(&[
        "access",
        "grant",
        &format!("group:{GRANTED}"),
        "Connect,Read",
    ]);
    let out = run_as(GRANTED, &bin, &sock, &["ps"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = run_as(DENIED, &bin, &sock, &["ps"]);
    assert!(!out.status.success(), "{}", text(&out));
    let list = d.json(&["access", "list"]);
    assert_eq!(list["Items"][0]["Principal"], format!("group:{GRANTED}"));
    d.stop();
}

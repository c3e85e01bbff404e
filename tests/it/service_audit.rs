#![cfg(unix)]
//! `Request::logged()` is a contract: every method it calls logged writes an
//! event-log entry naming the caller when it succeeds, and every other method
//! writes none. Each method is called once, successfully, against a real
//! daemon; the table below is an exhaustive `match` over `Method`, so a new
//! method does not compile until it has a case here.

use crate::service_support::{Daemon, Fixture, Raw};
use serde_json::{Value, json};
use ssis_service::protocol::{Method, Request, encode_content};

/// What the calls share: the execution started by `ExecutionRun` and a
/// package file to import.
struct Ctx {
    execution: String,
    registered: String,
    package_bytes: Vec<u8>,
}

/// A request of `method` that succeeds in the sequence [`ORDER`] runs, or
/// `None` for the one method a connection handles itself (`EventsSubscribe`
/// turns the connection into a stream; `Hello` is sent first, below).
fn sample(method: Method, ctx: &Ctx) -> Option<Value> {
    use Method::*;
    let id = ctx.execution.as_str();
    Some(match method {
        Hello | EventsSubscribe => return None,
        ServiceInfo | ServiceReload | ServiceStop | GetConfig | ExecutionList | AccessList
        | AccessTokenList => Value::Null,
        SetConfig => return None, // needs the configuration read back first; see below
        PatchConfig => json!({"Patch": {"StopExecutingPackagesOnShutdown": true}}),
        ExecutionRun => json!({"Package": "\\File System\\Jobs\\Sleep"}),
        ExecutionRegister => {
            json!({"Package": {"Name": "Outside"}, "CommandLine": ["ssis", "exec"]})
        }
        ExecutionFinish => json!({"ExecutionId": ctx.registered, "ExitCode": 0}),
        ExecutionStop | ExecutionGet => json!({"ExecutionId": id}),
        ExecutionOutput => json!({"ExecutionId": id, "Offset": 0}),
        ExecutionWait => json!({"ExecutionId": id, "TimeoutMs": 30000}),
        ExecutionHistory | EventsRead => json!({}),
        AccessGrant => json!({"Principal": "user:nobody", "Rights": ["Connect", "Read"]}),
        AccessRevoke => json!({"Principal": "user:nobody"}),
        AccessTokenCreate => json!({"User": "nobody"}),
        AccessTokenRevoke => json!({"User": "nobody"}),
        ListFolders => json!({"Path": "\\File System"}),
        ListPackages => json!({"Folder": "\\File System", "Recursive": true}),
        PackageInfo | Exists => json!({"Path": "\\File System\\Jobs\\Quick"}),
        PackageExport => json!({"Path": "\\File System\\Jobs\\Quick", "File": ""}),
        FolderCreate => json!({"Path": "\\File System\\Audit"}),
        FolderRename => json!({"Path": "\\File System\\Audit", "NewName": "Audited"}),
        FolderDelete => json!({"Path": "\\File System\\Audited", "Recursive": true}),
        PackageImport => json!({
            "File": "",
            "Content": encode_content(&ctx.package_bytes),
            "Dest": "\\File System\\Jobs\\Imported",
            "Replace": false,
        }),
        PackageCopy => json!({
            "Source": "\\File System\\Jobs\\Imported",
            "Dest": "\\File System\\Jobs\\Copied",
            "Replace": false,
        }),
        PackageMove => json!({
            "Source": "\\File System\\Jobs\\Copied",
            "Dest": "\\File System\\Jobs\\Moved",
            "Replace": false,
        }),
        PackageDelete => json!({"Path": "\\File System\\Jobs\\Moved"}),
    })
}

/// The order of the calls: each one's preconditions are made by those
/// before it (the folder exists before it is renamed, the execution runs
/// before it is stopped, ...). `ServiceStop` is last.
const ORDER: &[Method] = &[
    Method::ServiceInfo,
    Method::GetConfig,
    Method::ListFolders,
    Method::ListPackages,
    Method::PackageInfo,
    Method::Exists,
    Method::PackageExport,
    Method::FolderCreate,
    Method::FolderRename,
    Method::FolderDelete,
    Method::PackageImport,
    Method::PackageCopy,
    Method::PackageMove,
    Method::PackageDelete,
    Method::AccessList,
    Method::AccessGrant,
    Method::AccessRevoke,
    Method::AccessTokenCreate,
    Method::AccessTokenList,
    Method::AccessTokenRevoke,
    Method::PatchConfig,
    Method::SetConfig,
    Method::ServiceReload,
    Method::ExecutionRun,
    Method::ExecutionList,
    Method::ExecutionGet,
    Method::ExecutionOutput,
    Method::ExecutionStop,
    Method::ExecutionWait,
    Method::ExecutionHistory,
    Method::ExecutionRegister,
    Method::ExecutionFinish,
    Method::EventsRead,
    Method::ServiceStop,
];

/// The account this test runs as, as the service names callers.
fn me() -> String {
    let out = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// The event log's entries after sequence `after`.
fn entries_after(raw: &mut Raw, after: i64) -> Vec<Value> {
    let r = raw.call(1, "EventsRead", json!({"AfterSequence": after}));
    assert!(r["Error"].is_null(), "EventsRead failed: {r}");
    r["Result"]["Items"].as_array().unwrap().clone()
}

fn last_sequence(raw: &mut Raw) -> i64 {
    entries_after(raw, 0)
        .iter()
        .filter_map(|e| e["Sequence"].as_i64())
        .max()
        .unwrap_or(0)
}

#[test]
fn every_logged_request_names_its_caller_and_no_other_request_writes() {
    let fixture = Fixture::new(false);
    let daemon: Daemon = fixture.start();
    let mut raw = Raw::connect(&fixture.socket());
    let hello = raw.call(0, "Hello", json!({"Protocol": 1}));
    assert!(hello["Error"].is_null(), "{hello}");
    // Every method but the two a connection handles itself is in ORDER.
    let listed: Vec<Method> = Method::all()
        .filter(|m| !matches!(m, Method::Hello | Method::EventsSubscribe))
        .collect();
    assert_eq!(listed.len(), ORDER.len(), "ORDER misses a method");
    assert!(listed.iter().all(|m| ORDER.contains(m)));

    let user = me();
    let mut ctx = Ctx {
        execution: String::new(),
        registered: String::new(),
        package_bytes: std::fs::read(fixture.package("Quick")).unwrap(),
    };
    let mut config = Value::Null;
    for (n, &method) in ORDER.iter().enumerate() {
        let params = match method {
            Method::SetConfig => json!({"Config": config.clone()}),
            m => sample(m, &ctx).unwrap(),
        };
        let request = Request::decode(method.name(), params.clone())
            .unwrap_or_else(|e| panic!("{method}: the test's request is malformed: {e}"));
        let before = last_sequence(&mut raw);
        let response = raw.call(10 + n as u64, method.name(), params);
        assert!(
            response["Error"].is_null(),
            "{method} failed: {}",
            response["Error"]
        );
        match method {
            Method::GetConfig => config = response["Result"].clone(),
            Method::ExecutionRun => {
                ctx.execution = response["Result"]["ExecutionId"]
                    .as_str()
                    .unwrap()
                    .to_string()
            }
            Method::ExecutionRegister => {
                ctx.registered = response["Result"]["ExecutionId"]
                    .as_str()
                    .unwrap()
                    .to_string()
            }
            _ => {}
        }
        if method == Method::ServiceStop {
            daemon.wait_until("the service stops", || {
                std::os::unix::net::UnixStream::connect(fixture.socket()).is_err()
            });
            // The log outlives the service: read it from the state folder.
            let out = std::process::Command::new(crate::common::ssis_bin::ssis_bin())
                .args(["events", "--json", "--state-dir"])
                .arg(fixture.state())
                .output()
                .unwrap();
            assert!(out.status.success(), "{out:?}");
            let read: Value = serde_json::from_slice(&out.stdout).unwrap();
            let stopped_by_me = read["Items"].as_array().unwrap().iter().any(|e| {
                e["Sequence"].as_i64() > Some(before) && e["User"].as_str() == Some(user.as_str())
            });
            assert!(
                stopped_by_me,
                "ServiceStop is logged, but no entry names {user}"
            );
            return;
        }
        if method == Method::ExecutionWait {
            // The stop's last entry may be written just after the wait ends;
            // let it land so that it is not taken for a later call's. It
            // may also have landed before the wait was asked (a busy
            // machine): any sequence counts.
            let raw = std::cell::RefCell::new(&mut raw);
            daemon.wait_until("the execution's stopped entry", || {
                entries_after(&mut raw.borrow_mut(), 0)
                    .iter()
                    .any(|e| e["EventId"] == 1024 && e["ExecutionId"] == ctx.execution.as_str())
            });
            continue;
        }
        let new: Vec<Value> = entries_after(&mut raw, before)
            .into_iter()
            .filter(|e| e["User"].as_str() == Some(user.as_str()))
            .collect();
        if request.logged() {
            assert!(
                !new.is_empty(),
                "{method} is logged, but no entry names {user}"
            );
            for e in &new {
                assert_eq!(
                    e["Source"], "SQLISService",
                    "the original's one source: {e}"
                );
                assert!(e["Category"].as_str().is_some_and(|c| !c.is_empty()), "{e}");
                let message = e["Message"].as_str().unwrap();
                assert!(
                    !message.contains("\\\\"),
                    "{method}: a path in JSON form in the message {message:?}"
                );
            }
        } else {
            assert!(
                new.is_empty(),
                "{method} is not logged, but wrote {:?}",
                new
            );
        }
    }
    panic!("ORDER must end with ServiceStop");
}

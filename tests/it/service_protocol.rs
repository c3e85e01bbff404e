//! The wire protocol against a real service: handshake, malformed and
//! oversized messages (the service survives), and the live subscription
//! (load is in `service_load.rs`).
// The service fixture drives a Unix socket, sh executors and process groups;
// the Windows counterpart is tests/windows/ (named pipe under Wine).
#![cfg(unix)]

use crate::service_support;

use serde_json::{Value, json};
use service_support::{Fixture, Raw};

#[test]
fn bad_messages_get_errors_and_the_service_survives() {
    let f = Fixture::new(true);
    let d = f.start();
    let mut c = Raw::connect(&d.socket);
    let r = c.call(1, "ServiceInfo", json!({}));
    assert_eq!(r["Error"]["Kind"], "Protocol", "Hello comes first: {r}");
    let r = c.call(2, "Hello", json!({"Protocol": 99}));
    assert_eq!(r["Error"]["Kind"], "Protocol");
    assert!(r["Error"]["Message"].as_str().unwrap().contains("99"));
    let r = c.call(3, "Hello", json!({"Protocol": 1, "Client": "test"}));
    assert_eq!(r["Id"], 3);
    assert_eq!(r["Result"]["Protocol"], 1);
    assert_eq!(r["Result"]["Server"], "ssis-service");

    c.send(b"this is not json\n");
    let r = c.recv();
    assert_eq!(r["Id"], Value::Null);
    assert_eq!(r["Error"]["Kind"], "Protocol");
    c.send(b"{\"Id\": 4, \"method\": \"x\"}\n");
    let r = c.recv();
    assert_eq!(
        (r["Id"].clone(), r["Error"]["Kind"].clone()),
        (json!(4), json!("Protocol"))
    );
    let r = c.call(5, "NoSuchMethod", json!({}));
    assert_eq!(r["Error"]["Kind"], "Protocol");
    let r = c.call(6, "ExecutionGet", json!({"Nope": 1}));
    assert_eq!(r["Error"]["Kind"], "InvalidArgument");
    assert_eq!(r["Error"]["Target"], "ExecutionGet.Params");
    let r = c.call(7, "ExecutionGet", json!({"ExecutionId": "x"}));
    assert_eq!(r["Error"]["Kind"], "NotFound");

    // After Hello a caller who may import (root here) may send a package's
    // content; past that limit the line is refused.
    let mut big = vec![b'x'; ssis_service::protocol::MAX_GREETED_MESSAGE_SIZE + 1];
    big.push(b'\n');
    c.send(&big);
    let r = c.recv();
    assert_eq!(r["Error"]["Kind"], "Protocol");
    assert!(
        r["Error"]["Message"]
            .as_str()
            .unwrap()
            .contains("exceeds the limit")
    );
    // The same connection still works, and so do new ones.
    let r = c.call(8, "ServiceInfo", json!({}));
    assert_eq!(r["Result"]["ProcessId"], d.child.id());
    drop(c);
    // A client that vanishes mid-message does no harm.
    let mut half = Raw::connect(&d.socket);
    half.send(b"{\"Id\": 1, \"Meth");
    drop(half);
    assert!(d.ssis(&["service", "status"]).status.success());
    let ev = d.json(&["events", "--event-id", "1012"]);
    assert!(ev["Items"].as_array().unwrap().len() >= 3);
    d.stop();
}

/// 20,000 malformed lines (one with a newline-forging method name) leave at
/// most the per-caller allowance of entries, plus one summary with the exact
/// count of what was left out; logged text has its control characters escaped.
#[test]
fn a_flood_of_malformed_lines_is_logged_within_the_allowance_and_counted() {
    const LINES: usize = 20_000;
    let f = Fixture::new(true);
    let d = f.start();
    let mut c = Raw::connect(&d.socket);
    let r = c.call(1, "Hello", json!({"Protocol": 1}));
    assert!(r["Error"].is_null(), "{r}");
    let forged = "X\n2026-01-01T00:00:00Z Error 1011 forged";
    let r = c.call(2, forged, json!({}));
    assert_eq!(r["Error"]["Kind"], "Protocol");
    // Send the rest in one write and read every answer: each still gets one.
    let flood = "not json\n".repeat(LINES - 1);
    let mut writer = std::os::unix::net::UnixStream::connect(&d.socket).unwrap();
    let reader = std::thread::spawn({
        let mut r = writer.try_clone().unwrap();
        move || {
            use std::io::BufRead;
            r.set_read_timeout(Some(std::time::Duration::from_secs(60)))
                .unwrap();
            let mut lines = std::io::BufReader::new(&mut r).lines();
            let mut errors = 0;
            while errors < LINES {
                let line = lines.next().expect("the service closed early").unwrap();
                let v: Value = serde_json::from_str(&line).unwrap();
                if v["Error"]["Kind"] == "Protocol" {
                    errors += 1;
                }
            }
            errors
        }
    });
    use std::io::Write;
    let hello = json!({"Id": 0, "Method": "Hello", "Params": {"Protocol": 1}});
    writer
        .write_all(format!("{hello}\n{forged}\n").as_bytes())
        .unwrap();
    writer.write_all(flood.as_bytes()).unwrap();
    assert_eq!(reader.join().unwrap(), LINES);
    let state = f.state();
    d.stop();
    // Read the log the service left (every open window is summarised at stop).
    let out = std::process::Command::new(crate::common::ssis_bin::ssis_bin())
        .args([
            "events",
            "--json",
            "--limit",
            "100000",
            "--event-id",
            "1012",
            "--state-dir",
        ])
        .arg(&state)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = v["Items"].as_array().unwrap();
    let summaries: Vec<&Value> = items
        .iter()
        .filter(|e| e["Data"]["Suppressed"].is_u64())
        .collect();
    let one_by_one = items.len() - summaries.len();
    let burst = ssis_service::service::access::check::LOG_BURST as usize;
    assert_eq!(one_by_one, burst, "entries written one by one");
    let counted: u64 = summaries
        .iter()
        .map(|e| e["Data"]["Suppressed"].as_u64().unwrap())
        .sum();
    // Two connections of one caller: 1 + LINES malformed messages in all.
    assert_eq!(counted as usize, 1 + LINES - burst, "{summaries:?}");
    for e in items {
        let m = e["Message"].as_str().unwrap();
        assert!(
            !m.contains('\n'),
            "a raw newline in a logged message: {m:?}"
        );
    }
}

#[test]
fn subscription_streams_execution_events() {
    let f = Fixture::new(true);
    let d = f.start();
    let session =
        ssis_service::client::Session::connect(Some(&format!("unix:{}", d.socket.display())), None)
            .unwrap();
    let mut stream = session.events_subscribe(None).unwrap();
    let params = ssis_service::protocol::executions::RunParams {
        package: Some("\\File System\\Jobs\\Quick".into()),
        ..Default::default()
    };
    let e = session.run(&params).unwrap();
    let mut seen = Vec::new();
    while let Some(ev) = stream
        .next_event(Some(std::time::Duration::from_secs(20)))
        .unwrap()
    {
        if let ssis_service::client::LiveEvent::Execution(x) = ev {
            assert_eq!(x.execution_id, e.execution_id);
            seen.push(format!("{}:{}", x.event, x.message.unwrap_or_default()));
            if seen.last().is_some_and(|s| s == "StatusChanged:Succeeded") {
                break;
            }
        }
    }
    assert_eq!(
        seen,
        [
            "StatusChanged:Running",
            "OnPreExecute:",
            "OnPostExecute:",
            "StatusChanged:Succeeded"
        ]
    );
    d.stop();
}

#[test]
fn polling_clients_do_not_flood_the_event_log() {
    let f = Fixture::new(true);
    // A window far longer than the test: every connection falls in the first
    // one whatever the machine's speed, and the service's stop closes it.
    // The fixture's readiness check (`ssis service status`) is the first connection.
    let d = f.start_with(&["--connection-log-window", "3600"]);
    for _ in 0..15 {
        assert!(d.ssis(&["ps"]).status.success());
    }
    // `service stop` is the 16th connection after the first; the stop
    // writes the open window's summary.
    d.stop();
    let out = std::process::Command::new(service_support::ssis_bin())
        .args(["--json", "events", "--event-id", "1010", "--state-dir"])
        .arg(f.state())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ev: Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = ev["Items"].as_array().unwrap();
    let summaries: Vec<&Value> = items
        .iter()
        .filter(|e| e["Data"]["Connections"].is_u64())
        .collect();
    assert_eq!(
        (items.len(), summaries.len()),
        (2, 1),
        "the window's first connection and one summary of the rest: {ev}"
    );
    assert_eq!(summaries[0]["Data"]["Connections"], 16, "{ev}");
    assert!(
        summaries[0]["Message"]
            .as_str()
            .unwrap()
            .contains("16 more times"),
        "{ev}"
    );
}

//! Every request type against every right, generated from the typed
//! request list (`Request::every`), so a new request is covered at once: a
//! real unprivileged user holding Connect plus one right sends one request
//! of each method over the socket; each is refused with AccessDenied exactly
//! when the right it needs (`Request::right`) is not the one held. Root
//! only: it creates local accounts.
#![cfg(unix)]

use crate::remote_support::*;
use serde_json::{Value, json};
use ssis_service::config::Right;
use ssis_service::protocol::{Envelope, Method, Request};
use std::io::Write;
use std::process::{Command, Stdio};

/// Sends `lines` over the socket as `user` (a small client run with
/// runuser) and returns the responses (notifications skipped), in order.
pub(crate) fn exchange_as(user: &str, socket: &std::path::Path, lines: &[String]) -> Vec<Value> {
    const CLIENT: &str = r#"
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile('rwb')
lines = sys.stdin.buffer.read().splitlines()
for l in lines:
    f.write(l + b'\n')
f.flush()
n = 0
while n < len(lines):
    r = f.readline()
    if not r:
        break
    if b'"Notification"' in r:
        continue
    sys.stdout.buffer.write(r)
    n += 1
"#;
    let mut child = Command::new("runuser")
        .args(["-u", user, "--", "python3", "-c", CLIENT])
        .arg(socket)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runuser python3");
    let mut input = lines.join("\n");
    input.push('\n');
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    out.stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect()
}

#[test]
fn every_request_needs_exactly_its_right() {
    require_root("access_rights");
    ensure_users();
    let f = Fixture::new(true);
    let _bin = open_to_users(&f);
    write_config(&f, "");
    let d = f.start();
    open_socket(&f);
    // ServiceStop would end the run; Hello is the handshake itself.
    let requests: Vec<Request> = Request::every()
        .filter(|r| !matches!(r.method(), Method::ServiceStop | Method::Hello))
        .collect();
    assert!(requests.len() >= 30, "{}", requests.len());
    for held in Right::ALL.into_iter().filter(|r| *r != Right::Connect) {
        write_config(
            &f,
            &format!(
                "    <Grants>\n      <Grant Principal=\"user:{GRANTED}\" Rights=\"Connect,{}\" />\n    </Grants>",
                held.name()
            ),
        );
        d.json(&["service", "reload"]);
        let mut lines =
            vec![json!({"Id": 0, "Method": "Hello", "Params": {"Protocol": 1}}).to_string()];
        for (i, r) in requests.iter().enumerate() {
            lines.push(serde_json::to_string(&Envelope::new(json!(i + 1), r)).unwrap());
        }
        let answers = exchange_as(GRANTED, &f.socket(), &lines);
        assert_eq!(answers.len(), lines.len(), "{answers:?}");
        assert!(answers[0].get("Result").is_some(), "Hello: {}", answers[0]);
        for (i, r) in requests.iter().enumerate() {
            let a = &answers[i + 1];
            assert_eq!(a["Id"], json!(i + 1), "{a}");
            let denied = a["Error"]["Kind"] == "AccessDenied";
            let allowed = r.right() == held || r.right() == Right::Connect;
            assert_eq!(denied, !allowed, "{} with Connect,{held}: {a}", r.method());
            if denied {
                let m = a["Error"]["Message"].as_str().unwrap();
                assert!(m.contains(r.right().name()), "{m}");
            }
        }
    }
    d.stop();
}

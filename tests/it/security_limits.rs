//! Issue 13, exhaustion without any grant, on the local socket: one account
//! cannot hold every connection (the next gets an error naming the limit,
//! root still gets in), and connections that never say Hello are closed.
//! A real unprivileged account holds the connections; root only.
#![cfg(unix)]

use crate::remote_support::{
    GRANTED, ensure_users, open_socket, open_to_users, require_root, run_as, text,
};
use crate::service_support::Fixture;
use ssis_service::service::limits::{LOCAL_HELLO_TIMEOUT, MAX_PER_USER};
use std::io::{BufRead, BufReader, Read};
use std::os::unix::net::UnixStream;
use std::process::{Command, Stdio};
use std::time::Duration;

const SOCKET_ENV: &str = "SSIS_TEST_HOLD_SOCKET";
const UID_ENV: &str = "SSIS_TEST_HOLD_UID";

/// Not a test: the connection holder (this binary run again). It becomes
/// the given uid, opens [`MAX_PER_USER`] connections that say nothing, then
/// one more and prints `HOLD extra <first line it got>`; then waits for the
/// service to close the silent ones and prints `HOLD closed <n>`.
#[test]
#[ignore = "helper process of security_limits"]
fn helper_hold_connections() {
    let (Some(path), Some(uid)) = (std::env::var_os(SOCKET_ENV), std::env::var(UID_ENV).ok())
    else {
        return;
    };
    let uid: u32 = uid.parse().unwrap();
    // SAFETY: plain system calls; glibc applies set*id to every thread.
    unsafe {
        assert_eq!(libc::setgroups(0, std::ptr::null()), 0);
        assert_eq!(libc::setgid(uid), 0);
        assert_eq!(libc::setuid(uid), 0);
    }
    let held: Vec<UnixStream> = (0..MAX_PER_USER)
        .map(|_| UnixStream::connect(&path).unwrap())
        .collect();
    let extra = UnixStream::connect(&path).unwrap();
    extra
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut line = String::new();
    let _ = BufReader::new(extra).read_line(&mut line);
    println!("\nHOLD extra {}", line.trim());
    let mut closed = 0;
    for mut conn in held {
        conn.set_read_timeout(Some(LOCAL_HELLO_TIMEOUT * 3))
            .unwrap();
        let mut buf = [0u8; 64];
        if matches!(conn.read(&mut buf), Ok(0)) {
            closed += 1;
        }
    }
    println!("HOLD closed {closed}");
}

#[test]
fn one_account_cannot_hold_every_connection_and_silent_ones_are_closed() {
    require_root("security_limits");
    ensure_users();
    let f = Fixture::new(true);
    crate::remote_support::write_config(
        &f,
        &format!(
            "    <Grants>\n      <Grant Principal=\"user:{GRANTED}\" Rights=\"Connect,Read\" />\n    </Grants>"
        ),
    );
    let bin = open_to_users(&f);
    let d = f.start();
    open_socket(&f);
    let uid = Command::new("id").args(["-u", GRANTED]).output().unwrap();
    let mut holder = Command::new(std::env::current_exe().unwrap())
        .args([
            "security_limits::helper_hold_connections",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(SOCKET_ENV, f.socket())
        .env(UID_ENV, String::from_utf8_lossy(&uid.stdout).trim())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(holder.stdout.take().unwrap());
    let mut next = |prefix: &str| loop {
        let mut line = String::new();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "the holder ended before '{prefix}'"
        );
        if let Some(at) = line.find(prefix) {
            return line[at + prefix.len()..].trim().to_string();
        }
    };
    let extra = next("HOLD extra ");
    let refusal: serde_json::Value = serde_json::from_str(&extra)
        .unwrap_or_else(|e| panic!("the extra connection got {extra:?}: {e}"));
    assert_eq!(refusal["Error"]["Kind"], "Connection", "{refusal}");
    let message = refusal["Error"]["Message"].as_str().unwrap();
    assert!(message.contains("limit per account"), "{message}");
    // Root is not held to it, while the user's connections are all open.
    let ps = d.ssis(&["--json", "ps"]);
    assert!(ps.status.success(), "{}", text(&ps));
    // Connections that never say Hello are closed by the service.
    assert_eq!(next("HOLD closed "), MAX_PER_USER.to_string());
    assert!(holder.wait().unwrap().success());
    // And the account gets in again.
    let again = run_as(GRANTED, &bin, &f.socket(), &["--json", "ps"]);
    assert!(again.status.success(), "{}", text(&again));
    d.stop();
}

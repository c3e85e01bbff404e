//! The TLS listener with a generated certificate (rcgen) on loopback: a
//! good token works; wrong, expired, revoked and missing tokens, a client
//! that skips TLS, and a client that does not trust the certificate are
//! refused; plain TCP works on loopback only where the configuration says
//! so; 10,000 bad-token attempts are refused while a good client keeps being served (the slowdown is printed, not asserted).
// The fixture drives the service over a Unix socket; Windows has tests/windows/.
#![cfg(unix)]

use crate::remote_support;

use remote_support::*;
use serde_json::{Value, json};
use ssis_service::ErrorKind;
use ssis_service::client::Session;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

struct Tls {
    f: Fixture,
    d: Daemon,
    port: u16,
    plain_port: u16,
    ca: PathBuf,
}

/// A CA, a server certificate for localhost/127.0.0.1 signed by it, a
/// service with a TLS listener and a plain loopback listener, and grants
/// for the token users `alice` (Connect, Read) and `bob` (nothing).
fn start() -> Tls {
    let f = Fixture::new(true);
    let dir = f.dir.path();
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let params =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .unwrap();
    let cert = params.signed_by(&key, &ca).unwrap();
    std::fs::write(dir.join("ca.pem"), ca.pem()).unwrap();
    std::fs::write(dir.join("cert.pem"), cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), key.serialize_pem()).unwrap();
    let port = free_port();
    let plain_port = free_port();
    write_config(
        &f,
        &format!(
            r#"    <Listen Address="127.0.0.1:{port}" Certificate="cert.pem" Key="key.pem" />
    <Listen Address="127.0.0.1:{plain_port}" Plaintext="true" />
    <Grants>
      <Grant Principal="user:alice" Rights="Connect,Read" />
    </Grants>"#
        ),
    );
    let d = f.start();
    Tls {
        ca: dir.join("ca.pem"),
        f,
        d,
        port,
        plain_port,
    }
}

impl Tls {
    fn token(&self, user: &str, days: Option<u32>) -> Value {
        let mut args = vec!["access", "token", "create", "--user", user];
        let d = days.map(|d| d.to_string());
        if let Some(d) = &d {
            args.extend(["--expires", d]);
        }
        self.d.json(&args)
    }

    fn connect(&self, token: Option<&str>) -> ssis_service::Result<Session> {
        let mut o = json!({"CaFile": self.ca});
        if let Some(t) = token {
            o["Token"] = json!(t);
        }
        Session::connect(
            Some(&format!("tls://localhost:{}", self.port)),
            Some(&o.to_string()),
        )
    }
}

fn denied(r: ssis_service::Result<Session>, what: &str) -> String {
    match r {
        Ok(_) => panic!("{what} was let in"),
        Err(e) => {
            assert_eq!(e.kind, ErrorKind::AccessDenied, "{what}: {e}");
            assert!(e.message.starts_with("Access is denied"), "{what}: {e}");
            e.message
        }
    }
}

#[test]
fn tokens_decide_who_gets_in() {
    let t = start();
    let good = t.token("alice", Some(30));
    let secret = good["Token"].as_str().unwrap().to_string();
    assert!(secret.starts_with("ssis_"));

    let s = t.connect(Some(&secret)).unwrap();
    assert_eq!(s.identity(), Some("alice"));
    let folders = s.list_folders(None).unwrap();
    assert_eq!(folders.items[0].name, "File System");
    // alice holds Read, not Execute.
    let e = s
        .run(&ssis_service::protocol::executions::RunParams {
            package: Some("\\File System\\Jobs\\Quick".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert!(e.message.contains("the Execute right"), "{e}");

    // The store keeps hashes only.
    let store = std::fs::read_to_string(t.f.state().join("tokens.json")).unwrap();
    assert!(!store.contains(&secret));

    denied(t.connect(Some("ssis_0000")), "a wrong token");
    let msg = denied(t.connect(None), "no token");
    assert!(
        msg.contains("no token was given") || msg.contains("bearer token"),
        "{msg}"
    );
    // bob has a valid token but no grant.
    let bob = t.token("bob", None);
    let e = t.connect(bob["Token"].as_str()).err().unwrap();
    assert!(
        e.message.contains("bob does not hold the Connect right"),
        "{e}"
    );

    // Expired: as time would do it, by the date in the store.
    let expiring = t.token("alice", Some(1));
    let store = std::fs::read_to_string(t.f.state().join("tokens.json")).unwrap();
    let changed = store.replace(
        expiring["Expires"].as_str().unwrap(),
        "2001-01-01T00:00:00Z",
    );
    std::fs::write(t.f.state().join("tokens.json"), changed).unwrap();
    denied(t.connect(expiring["Token"].as_str()), "an expired token");
    let list = t.d.json(&["access", "token", "list"]);
    let row = list["Items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["Id"] == expiring["Id"])
        .unwrap()
        .clone();
    assert_eq!(row["Expired"], true);
    assert!(row.get("Token").is_none() && !list.to_string().contains(&secret));

    // Revoked.
    t.d.json(&["access", "token", "revoke", good["Id"].as_str().unwrap()]);
    denied(t.connect(Some(&secret)), "a revoked token");
    // The session opened before the revocation is refused from its next request on.
    let e = s.list_folders(None).unwrap_err();
    assert_eq!(e.kind, ssis_service::ErrorKind::AccessDenied, "{e}");
    assert!(e.message.contains("revoked or has expired"), "{e}");

    // The denials are in the event log, with how the client came.
    let ev = t.d.json(&["events", "--event-id", "1011"]);
    let text = ev.to_string();
    assert!(text.contains("the token is not valid"), "{text}");
    assert!(text.contains("has expired"), "{text}");
    assert!(
        text.contains(&format!("tls://127.0.0.1:{}", t.port)),
        "{text}"
    );
    t.d.stop();
}

#[test]
fn a_client_that_skips_tls_or_distrusts_the_certificate_gets_nothing() {
    let t = start();
    let good = t.token("alice", None);
    let secret = good["Token"].as_str().unwrap();
    // Plain JSON to the TLS port: the handshake fails, no answer comes back.
    let mut raw = TcpStream::connect(("127.0.0.1", t.port)).unwrap();
    raw.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    let hello = json!({"Id": 1, "Method": "Hello", "Params": {"Protocol": 1, "Token": secret}});
    raw.write_all(format!("{hello}\n").as_bytes()).unwrap();
    let mut got = Vec::new();
    let _ = raw.read_to_end(&mut got);
    assert!(
        !String::from_utf8_lossy(&got).contains("\"Result\""),
        "the TLS port answered plain text: {got:?}"
    );
    // A client with the system roots does not trust the test CA.
    let e = Session::connect(
        Some(&format!("tls://localhost:{}", t.port)),
        Some(&json!({"Token": secret, "CaFile": t.f.dir.path().join("cert.pem")}).to_string()),
    )
    .err()
    .unwrap();
    assert!(e.message.contains("TLS handshake"), "{e}");
    // A name the certificate does not hold is refused.
    std::fs::write(
        t.f.dir.path().join("hosts-ca.pem"),
        std::fs::read(&t.ca).unwrap(),
    )
    .unwrap();
    let e = Session::connect(
        Some(&format!("tls://127.0.0.2:{}", t.port)),
        Some(&json!({"Token": secret, "CaFile": t.ca}).to_string()),
    )
    .err()
    .unwrap();
    assert!(e.kind == ErrorKind::Connection, "{e}");

    // Plain TCP on the loopback listener works with a token...
    let s = Session::connect(
        Some(&format!("tcp://127.0.0.1:{}", t.plain_port)),
        Some(&json!({"Token": secret}).to_string()),
    )
    .unwrap();
    assert_eq!(s.list_folders(None).unwrap().items.len(), 1);
    // ...and a raw client there gets one try: a bad token closes the connection.
    let mut raw = TcpStream::connect(("127.0.0.1", t.plain_port)).unwrap();
    raw.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    let bad = json!({"Id": 1, "Method": "Hello", "Params": {"Protocol": 1, "Token": "x"}});
    raw.write_all(format!("{bad}\n{bad}\n").as_bytes()).unwrap();
    let mut lines = BufReader::new(raw).lines();
    let first: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(first["Error"]["Kind"], "AccessDenied");
    assert!(
        lines.next().is_none(),
        "the connection stayed open after a bad token"
    );
    t.d.stop();
}

fn percentile(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    v[((v.len() - 1) as f64 * p).round() as usize]
}

#[test]
#[ignore = "load/perf test: run by scripts/load-tests.sh (CI runs it as its own step)"]
fn ten_thousand_bad_tokens_are_refused_while_a_good_client_is_served() {
    let t = start();
    let good = t.token("alice", None);
    let s = t.connect(good["Token"].as_str()).unwrap();
    let measure = |n: usize| {
        (0..n)
            .map(|_| {
                let at = Instant::now();
                s.list_folders(None).unwrap();
                at.elapsed()
            })
            .collect::<Vec<_>>()
    };
    measure(50);
    let before = measure(400);

    let attempts = std::sync::atomic::AtomicUsize::new(0);
    let refused = std::sync::atomic::AtomicUsize::new(0);
    let done = std::sync::atomic::AtomicBool::new(false);
    let deadline = Instant::now() + Duration::from_secs(240);
    let total = 10_000;
    let mut during = Vec::new();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                let opts = json!({"Token": "ssis_bad", "CaFile": t.ca}).to_string();
                let server = format!("tls://localhost:{}", t.port);
                while attempts.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < total
                    && Instant::now() < deadline
                {
                    if let Err(e) = Session::connect(Some(&server), Some(&opts)) {
                        if e.kind == ErrorKind::AccessDenied {
                            refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                }
            });
        }
        scope.spawn(|| {
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                if attempts.load(std::sync::atomic::Ordering::Relaxed) >= total
                    || Instant::now() >= deadline
                {
                    done.store(true, std::sync::atomic::Ordering::Relaxed);
                }
            }
        });
        std::thread::sleep(Duration::from_millis(300));
        while !done.load(std::sync::atomic::Ordering::Relaxed) && during.len() < 500_000 {
            during.extend(measure(20));
            std::thread::sleep(Duration::from_millis(2));
        }
    });
    let refused = refused.into_inner();
    let (b50, d50) = (
        percentile(before.clone(), 0.5),
        percentile(during.clone(), 0.5),
    );
    let (b99, d99) = (percentile(before, 0.99), percentile(during.clone(), 0.99));
    println!(
        "bad-token flood: {refused} attempts refused; good client list_folders p50 {b50:?} before, \
         {d50:?} during ({:.2}x); p99 {b99:?} before, {d99:?} during; {} good requests during the flood",
        d50.as_secs_f64() / b50.as_secs_f64(),
        during.len()
    );
    assert!(
        refused >= total,
        "only {refused} of {total} bad attempts were refused"
    );
    // The slowdown is a measurement (printed above, recorded in
    // docs/SECURITY.md), not an assertion: wall-clock ratios on a shared
    // machine fail for reasons that are not bugs. What must hold: the good
    // client kept being served throughout the flood.
    assert!(
        during.len() >= 100,
        "the good client was served only {} times during the flood",
        during.len()
    );
    // The event log was not flooded: denials are logged at a bounded rate.
    let ev =
        t.d.json(&["events", "--event-id", "1011", "--limit", "100000"]);
    let n = ev["Items"].as_array().unwrap().len();
    assert!(n < 2_000, "{n} denial entries for {refused} attempts");
    // And the good client still works.
    assert!(s.list_folders(None).is_ok());
    t.d.stop();
}

/// Round trips of `list_folders` over the local socket, a persistent TLS
/// session and plain loopback TCP (printed; docs/PERFORMANCE.md records them), each answer checked.
#[test]
#[ignore = "load/perf test: run by scripts/load-tests.sh (CI runs it as its own step)"]
fn tls_round_trip_latency() {
    let t = start();
    let good = t.token("alice", None);
    let token = good["Token"].as_str().unwrap();
    let connect_start = Instant::now();
    let tls = t.connect(Some(token)).unwrap();
    let connect = connect_start.elapsed();
    let plain = Session::connect(
        Some(&format!("tcp://127.0.0.1:{}", t.plain_port)),
        Some(&json!({"Token": token}).to_string()),
    )
    .unwrap();
    let local = Session::connect(Some(&format!("unix:{}", t.f.socket().display())), None).unwrap();
    // Every transport answers the same (the store's top-level folders), on
    // every round trip: a latency measured on wrong answers measures nothing.
    let expected = local.list_folders(None).unwrap();
    assert!(!expected.items.is_empty(), "{expected:?}");
    let mut report = Vec::new();
    for (name, s) in [
        ("unix socket", &local),
        ("tls:// (persistent)", &tls),
        ("tcp:// loopback", &plain),
    ] {
        for _ in 0..50 {
            assert_eq!(s.list_folders(None).unwrap(), expected, "{name}");
        }
        let times: Vec<Duration> = (0..1000)
            .map(|_| {
                let at = Instant::now();
                let answer = s.list_folders(None).unwrap();
                let took = at.elapsed();
                assert_eq!(answer, expected, "{name}");
                took
            })
            .collect();
        report.push(format!(
            "{name}: p50 {:?}, p99 {:?}",
            percentile(times.clone(), 0.5),
            percentile(times, 0.99)
        ));
    }
    println!(
        "list_folders round trip: {}; tls connect + handshake + Hello {connect:?}",
        report.join("; ")
    );
    t.d.stop();
}

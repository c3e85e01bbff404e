//! `ssh://` against a real sshd (Debian openssh-server) started by the test
//! on a high loopback port, with generated host and user keys: list, run,
//! stop, "started by" is the ssh login user; host-key checking stays on
//! (an unknown host key fails with ssh's own message); a login user without
//! a grant is denied by the service. Needs root (accounts, sshd).
// The fixture drives the service over a Unix socket; Windows has tests/windows/.
#![cfg(unix)]

use crate::remote_support;

use remote_support::*;
use serde_json::json;
use ssis_service::ErrorKind;
use ssis_service::client::Session;
use ssis_service::protocol::executions::RunParams;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Sshd {
    child: Child,
    port: u16,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn keygen(path: &Path) {
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
}

/// Fails loudly when the suite cannot run (root and OpenSSH are needed; the
/// README's test command installs OpenSSH). Returns false: nothing is skipped.
fn skip() -> bool {
    require_root("remote_ssh");
    for tool in ["/usr/sbin/sshd", "/usr/bin/ssh", "/usr/bin/ssh-keygen"] {
        assert!(
            Path::new(tool).exists(),
            "remote_ssh needs {tool} (apt-get install openssh-server openssh-client)"
        );
    }
    false
}

/// sshd on 127.0.0.1:<free port> for the two test accounts, keys in `dir`;
/// sessions get the fixture's socket in $SSIS_SERVICE_SOCKET.
fn start_sshd(dir: &Path, socket: &Path) -> Sshd {
    keygen(&dir.join("host_key"));
    keygen(&dir.join("user_key"));
    let keys = dir.join("authorized_keys");
    std::fs::create_dir_all(&keys).unwrap();
    let public = std::fs::read_to_string(dir.join("user_key.pub")).unwrap();
    for user in [GRANTED, DENIED] {
        std::fs::write(keys.join(user), &public).unwrap();
        std::fs::set_permissions(keys.join(user), std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    std::fs::create_dir_all("/run/sshd").unwrap();
    let port = free_port();
    let config = dir.join("sshd_config");
    std::fs::write(
        &config,
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {host}\nPidFile {dir}/sshd.pid\n\
             AuthorizedKeysFile {keys}/%u\nStrictModes no\nUsePAM no\nPasswordAuthentication no\n\
             KbdInteractiveAuthentication no\nPubkeyAuthentication yes\nPermitRootLogin no\n\
             AllowUsers {GRANTED} {DENIED}\nSetEnv SSIS_SERVICE_SOCKET={socket}\nLogLevel ERROR\n",
            host = dir.join("host_key").display(),
            dir = dir.display(),
            keys = keys.display(),
            socket = socket.display(),
        ),
    )
    .unwrap();
    let child = Command::new("/usr/sbin/sshd")
        .args(["-D", "-e", "-f"])
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("sshd.log")).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "sshd did not start: {}",
            std::fs::read_to_string(dir.join("sshd.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // The client trusts exactly this host key.
    let host_pub = std::fs::read_to_string(dir.join("host_key.pub")).unwrap();
    std::fs::write(
        dir.join("known_hosts"),
        format!("[127.0.0.1]:{port} {host_pub}"),
    )
    .unwrap();
    std::fs::write(dir.join("empty_known_hosts"), "").unwrap();
    for (name, known) in [
        ("ssh_config", "known_hosts"),
        ("ssh_config_unknown", "empty_known_hosts"),
    ] {
        std::fs::write(
            dir.join(name),
            format!(
                "Host *\n  IdentityFile {key}\n  IdentitiesOnly yes\n  UserKnownHostsFile {known}\n  \
                 GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n  ConnectTimeout 10\n",
                key = dir.join("user_key").display(),
                known = dir.join(known).display(),
            ),
        )
        .unwrap();
    }
    Sshd { child, port }
}

fn options(dir: &Path, bin: &Path, config: &str) -> String {
    json!({"SshConfig": dir.join(config), "RemoteProgram": bin}).to_string()
}

#[test]
fn ssh_sessions_list_run_and_stop_as_the_login_user() {
    if skip() {
        return;
    }
    ensure_users();
    let f = Fixture::new(true);
    write_config(
        &f,
        &format!(
            "<Grants><Grant Principal=\"user:{GRANTED}\" Rights=\"Connect,Read,Execute\" /></Grants>"
        ),
    );
    let bin = open_to_users(&f);
    let d = f.start();
    open_socket(&f);
    let keys = f.dir.path().join("ssh");
    std::fs::create_dir(&keys).unwrap();
    let sshd = start_sshd(&keys, &f.socket());
    let server = format!("ssh://{GRANTED}@127.0.0.1:{}", sshd.port);
    let opts = options(&keys, &bin, "ssh_config");

    let s = Session::connect(Some(&server), Some(&opts)).unwrap();
    assert_eq!(s.identity(), Some(GRANTED));
    assert_eq!(s.list_folders(None).unwrap().items[0].name, "File System");
    let run = s
        .run(&RunParams {
            package: Some("\\File System\\Jobs\\Sleep".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(run.started_by, GRANTED);
    let running = s.executions_list().unwrap();
    let mine = running
        .items
        .iter()
        .find(|e| e.execution_id == run.execution_id)
        .expect("the run is listed");
    assert_eq!(mine.started_by, GRANTED);
    assert!(mine.started_from.contains("unix:"), "{}", mine.started_from);
    let stopped = s.execution_stop(&run.execution_id).unwrap();
    assert_eq!(stopped.execution_id, run.execution_id);
    let done = s
        .execution_wait(&run.execution_id, Some(Duration::from_secs(30)))
        .unwrap();
    assert_eq!(done.status.to_string(), "Stopped");
    // The same through the CLI, as root on the client side.
    let out = Command::new(ssis_bin())
        .args(["--json", "--server", &server, "history", "--user", GRANTED])
        .env("SSIS_SSH_CONFIG", keys.join("ssh_config"))
        .env("SSIS_REMOTE_PROGRAM", &bin)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let h: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(h["Items"][0]["StartedBy"], GRANTED);
    assert_eq!(h["Items"][0]["Status"], "Stopped");

    // A login user without a grant is refused by the service.
    let denied = format!("ssh://{DENIED}@127.0.0.1:{}", sshd.port);
    let e = Session::connect(Some(&denied), Some(&opts)).err().unwrap();
    assert_eq!(e.kind, ErrorKind::AccessDenied, "{e}");
    assert!(e.message.contains(DENIED), "{e}");

    // Host-key checking stays on: an unknown host key fails with ssh's words.
    let unknown = options(&keys, &bin, "ssh_config_unknown");
    let e = Session::connect(Some(&server), Some(&unknown))
        .err()
        .unwrap();
    assert_eq!(e.kind, ErrorKind::Connection);
    assert!(e.message.contains("Host key verification failed"), "{e}");
    // A refused login too (no key for root, BatchMode: no password prompt).
    let root = format!("ssh://root@127.0.0.1:{}", sshd.port);
    let e = Session::connect(Some(&root), Some(&opts)).err().unwrap();
    assert!(e.message.contains("Permission denied"), "{e}");

    drop(s);
    drop(sshd);
    d.stop();
}

fn percentile(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    v[((v.len() - 1) as f64 * p).round() as usize]
}

/// Round trips of `list_folders` over the local socket and a persistent
/// ssh:// session (printed; docs/PERFORMANCE.md records them), each answer checked.
#[test]
#[ignore = "load/perf test: run by scripts/load-tests.sh (CI runs it as its own step)"]
fn ssh_round_trip_latency() {
    if skip() {
        return;
    }
    ensure_users();
    let f = Fixture::new(true);
    write_config(
        &f,
        &format!("<Grants><Grant Principal=\"user:{GRANTED}\" Rights=\"Connect,Read\" /></Grants>"),
    );
    let bin = open_to_users(&f);
    let d = f.start();
    open_socket(&f);
    let keys = f.dir.path().join("ssh");
    std::fs::create_dir(&keys).unwrap();
    let sshd = start_sshd(&keys, &f.socket());
    let opts = options(&keys, &bin, "ssh_config");
    let connect_start = Instant::now();
    let ssh = Session::connect(
        Some(&format!("ssh://{GRANTED}@127.0.0.1:{}", sshd.port)),
        Some(&opts),
    )
    .unwrap();
    let connect = connect_start.elapsed();
    let local = Session::connect(Some(&format!("unix:{}", f.socket().display())), None).unwrap();
    // Every transport answers the same (the store's top-level folders), on
    // every round trip: a latency measured on wrong answers measures nothing.
    let expected = local.list_folders(None).unwrap();
    assert!(!expected.items.is_empty(), "{expected:?}");
    let mut report = Vec::new();
    for (name, s) in [("unix socket", &local), ("ssh:// (persistent)", &ssh)] {
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
        "list_folders round trip: {}; ssh connect + Hello {connect:?}",
        report.join("; ")
    );
    drop(ssh);
    drop(sshd);
    d.stop();
}

//! Issue 13, local attacks: a client checks who serves its socket before it
//! sends anything, default sockets are never in the shared temporary folder,
//! and the service's state is private. Real unprivileged accounts
//! (`remote_support::ensure_users`); these tests need root and fail when not
//! run as root.

use crate::remote_support::{DENIED, GRANTED, ensure_users, is_root, open_to_users, text};
use crate::service_support::{Fixture, ssis_bin};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

const FAKE_SOCKET_ENV: &str = "SSIS_TEST_FAKE_SOCKET";
const FAKE_UID_ENV: &str = "SSIS_TEST_FAKE_UID";

fn uid_of(user: &str) -> u32 {
    let out = Command::new("id").arg("-u").arg(user).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

fn gid_of(user: &str) -> u32 {
    let out = Command::new("id").arg("-g").arg(user).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// Not a test: the fake server's process (this binary run again by
/// [`FakeServer::start`]). It becomes the given uid, listens on the socket,
/// prints `FAKE ready`, then `FAKE conn <bytes received>` per connection.
/// Without its environment variables it does nothing.
#[test]
#[ignore = "helper process of the fake-server tests"]
fn helper_fake_server() {
    let (Some(path), Some(uid)) = (
        std::env::var_os(FAKE_SOCKET_ENV),
        std::env::var(FAKE_UID_ENV).ok(),
    ) else {
        return;
    };
    let uid: u32 = uid.parse().unwrap();
    // SAFETY: plain system calls; glibc applies set*id to every thread.
    unsafe {
        assert_eq!(libc::setgroups(0, std::ptr::null()), 0);
        assert_eq!(libc::setgid(uid), 0);
        assert_eq!(libc::setuid(uid), 0);
    }
    // A socket every account may connect to, as an attacker would make it.
    // SAFETY: umask cannot fail.
    unsafe { libc::umask(0) };
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    println!("\nFAKE ready");
    std::io::stdout().flush().unwrap();
    for conn in listener.incoming() {
        let mut conn = conn.unwrap();
        conn.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        // One read: more than 0 bytes as soon as the client sends anything,
        // 0 when it closes without sending.
        let mut buf = vec![0u8; 64 * 1024];
        let got = conn.read(&mut buf).unwrap_or(0);
        println!("FAKE conn {got}");
        std::io::stdout().flush().unwrap();
    }
}

/// A plain `UnixListener` run by another account, recording what it receives.
struct FakeServer {
    child: Child,
    out: BufReader<ChildStdout>,
    path: PathBuf,
}

impl FakeServer {
    /// Starts the fake as `user` on `path` (its folder must be writable by
    /// `user`) and waits until it listens.
    fn start(path: &Path, user: &str) -> FakeServer {
        let _ = std::fs::remove_file(path);
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "security::helper_fake_server",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(FAKE_SOCKET_ENV, path)
            .env(FAKE_UID_ENV, uid_of(user).to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = BufReader::new(child.stdout.take().unwrap());
        let mut fake = FakeServer {
            child,
            out,
            path: path.to_path_buf(),
        };
        fake.expect_line("FAKE ready");
        fake
    }

    /// Reads the fake's output until a line holding `prefix`; returns it from `prefix` on.
    fn expect_line(&mut self, prefix: &str) -> String {
        loop {
            let mut line = String::new();
            let n = self.out.read_line(&mut line).unwrap();
            assert!(n > 0, "the fake server ended before printing '{prefix}'");
            // The test harness may print before it on the same line.
            if let Some(at) = line.find(prefix) {
                return line[at..].trim().to_string();
            }
        }
    }

    /// Bytes of the first read on the next connection the fake accepted.
    fn next_connection(&mut self) -> usize {
        let line = self.expect_line("FAKE conn ");
        line["FAKE conn ".len()..].parse().unwrap()
    }

    /// Connects as root and sends `probe`: the next connection the fake
    /// reports must be this one if nobody else connected before.
    fn probe(&mut self, probe: &[u8]) {
        let mut s = std::os::unix::net::UnixStream::connect(&self.path).unwrap();
        s.write_all(probe).unwrap();
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A folder every account may create files in (like /tmp, sticky).
fn shared_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
    dir
}

#[test]
fn a_fake_server_on_the_socket_receives_nothing_from_root() {
    assert!(
        is_root(),
        "this test needs root: it runs a fake server as another account"
    );
    ensure_users();
    let dir = shared_dir();
    let path = dir.path().join("fake.sock");
    let mut fake = FakeServer::start(&path, DENIED);
    let out = Command::new(ssis_bin())
        .args(["--server", &format!("unix:{}", path.display())])
        .args([
            "access",
            "grant",
            "user:mallory",
            "Connect,Read,Write,Execute,Administer",
        ])
        .env_remove("SSIS_SERVICE_ACCOUNT")
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let uid = uid_of(DENIED);
    for part in [
        "refusing the service at".to_string(),
        path.display().to_string(),
        format!("uid {uid} ({DENIED})"),
        "nothing was sent".to_string(),
    ] {
        assert!(
            stderr.contains(&part),
            "'{part}' missing in: {}",
            text(&out)
        );
    }
    assert_eq!(
        fake.next_connection(),
        0,
        "the client sent bytes to the fake"
    );
}

#[test]
fn a_fake_server_in_the_runtime_directory_receives_nothing_from_a_user() {
    assert!(
        is_root(),
        "this test needs root: it runs commands as test accounts"
    );
    ensure_users();
    let f = Fixture::new(true);
    let ssis = open_to_users(&f);
    let dir = shared_dir();
    // Where a user's client looks first: $XDG_RUNTIME_DIR/ssis-service.sock.
    let path = dir.path().join("ssis-service.sock");
    let mut fake = FakeServer::start(&path, DENIED);
    let out = Command::new("runuser")
        .args([
            "-u",
            GRANTED,
            "--",
            "env",
            "-u",
            "SSIS_SERVICE_SOCKET",
            "-u",
            "SSIS_SERVICE_ACCOUNT",
        ])
        .arg(format!("XDG_RUNTIME_DIR={}", dir.path().display()))
        .arg(&ssis)
        .args([
            "run",
            "\\File System\\Jobs\\Quick",
            "--set",
            "DbPassword=hunter2",
        ])
        .current_dir("/")
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("refusing the service at")
            && stderr.contains(&path.display().to_string())
            && stderr.contains(&format!("uid {}", uid_of(DENIED))),
        "{}",
        text(&out)
    );
    assert_eq!(
        fake.next_connection(),
        0,
        "the client sent bytes to the fake"
    );
}

#[test]
fn the_service_account_named_by_the_client_is_accepted() {
    assert!(
        is_root(),
        "this test needs root: it runs a fake server as another account"
    );
    ensure_users();
    let dir = shared_dir();
    let path = dir.path().join("fake.sock");
    let mut fake = FakeServer::start(&path, DENIED);
    // Trusted: the client goes on and says Hello; the fake closes after its
    // first read, so the client then fails.
    let out = Command::new(ssis_bin())
        .args([
            "--server",
            &format!("unix:{}", path.display()),
            "service",
            "status",
        ])
        .env("SSIS_SERVICE_ACCOUNT", DENIED)
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        fake.next_connection() > 0,
        "a trusted service account received nothing: {}",
        text(&out)
    );
}

#[test]
fn a_client_without_a_runtime_directory_does_not_try_the_temporary_folder() {
    assert!(
        is_root(),
        "this test needs root: it runs commands as test accounts"
    );
    ensure_users();
    let f = Fixture::new(true);
    let ssis = open_to_users(&f);
    // The old fallback: <temp>/ssis-service-<uid>.sock, planted by another user.
    let old = std::env::temp_dir().join(format!("ssis-service-{}.sock", uid_of(GRANTED)));
    let mut fake = FakeServer::start(&old, DENIED);
    let out = Command::new("runuser")
        .args([
            "-u",
            GRANTED,
            "--",
            "env",
            "-u",
            "XDG_RUNTIME_DIR",
            "-u",
            "SSIS_SERVICE_SOCKET",
        ])
        .arg(&ssis)
        .args(["--server", ".", "package", "list", "\\File System"])
        .current_dir("/")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains(&old.display().to_string()),
        "the client named the old path: {}",
        text(&out)
    );
    // Had the client connected, its connection would be reported first.
    fake.probe(b"probe");
    assert_eq!(
        fake.next_connection(),
        5,
        "the client connected to {}",
        old.display()
    );
}

#[test]
fn a_user_service_without_a_runtime_directory_needs_a_socket_path() {
    assert!(
        is_root(),
        "this test needs root: it runs the service as a test account"
    );
    ensure_users();
    let f = Fixture::new(true);
    let ssis = open_to_users(&f);
    let state = f.dir.path().join("user-state");
    std::fs::create_dir(&state).unwrap();
    std::os::unix::fs::chown(&state, Some(uid_of(GRANTED)), Some(gid_of(GRANTED))).unwrap();
    std::fs::set_permissions(f.config(), std::fs::Permissions::from_mode(0o644)).unwrap();
    let old = std::env::temp_dir().join(format!("ssis-service-{}.sock", uid_of(GRANTED)));
    let _ = std::fs::remove_file(&old);
    let mut child = Command::new("runuser")
        .args([
            "-u",
            GRANTED,
            "--",
            "env",
            "-u",
            "XDG_RUNTIME_DIR",
            "-u",
            "SSIS_SERVICE_SOCKET",
        ])
        .arg(&ssis)
        .arg("--config")
        .arg(f.config())
        .args(["service", "run", "--state-dir"])
        .arg(&state)
        .current_dir("/")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // It must refuse to start; one that starts runs until stopped.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            let _ = std::fs::remove_file(&old);
            panic!(
                "the service started without a safe socket path: {}",
                text(&out)
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success(), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for part in ["XDG_RUNTIME_DIR", "--socket", "SSIS_SERVICE_SOCKET"] {
        assert!(stderr.contains(part), "'{part}' missing: {}", text(&out));
    }
    assert!(!old.exists(), "the service listened on {}", old.display());
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

/// Runs `cat path` as `user`; its output.
fn cat_as(user: &str, path: &Path) -> std::process::Output {
    Command::new("runuser")
        .args(["-u", user, "--", "cat"])
        .arg(path)
        .current_dir("/")
        .output()
        .unwrap()
}

#[test]
fn the_state_is_private_after_a_run() {
    assert!(
        is_root(),
        "this test needs root: it reads files as a test account"
    );
    ensure_users();
    let f = Fixture::new(true);
    // Every folder above the state directory is open, as /var/lib is.
    open_to_users(&f);
    let d = f.start();
    let o = d.ssis(&[
        "--json",
        "run",
        "\\File System\\Jobs\\Quick",
        "--set",
        "DbPassword=hunter2",
        "--wait",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let done: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let id = done["ExecutionId"].as_str().unwrap().to_string();
    let state = f.state();
    let log = state.join("output").join(format!("{id}.log"));
    assert!(
        std::fs::read_to_string(&log)
            .unwrap()
            .contains("DbPassword")
    );
    assert_eq!(mode(&state), 0o700, "state directory");
    assert_eq!(mode(&state.join("output")), 0o700, "output folder");
    for name in ["state.db", "state.db-wal", "state.db-shm"] {
        assert_eq!(mode(&state.join(name)), 0o600, "{name}");
    }
    for entry in std::fs::read_dir(state.join("output")).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
    // Even with the folder opened up (an old install, a careless chmod),
    // the files themselves are not readable by another account.
    for path in [state.join("state.db"), log.clone()] {
        let out = cat_as(DENIED, &path);
        assert!(
            !out.status.success(),
            "{} was readable: {}",
            path.display(),
            text(&out)
        );
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("Permission denied"),
            "{}",
            text(&out)
        );
    }
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(state.join("output"), std::fs::Permissions::from_mode(0o755)).unwrap();
    for path in [state.join("state.db"), log] {
        let out = cat_as(DENIED, &path);
        assert!(
            !out.status.success(),
            "{} was readable: {}",
            path.display(),
            text(&out)
        );
    }
    d.stop();
}

#[test]
fn an_open_state_directory_is_tightened_at_start() {
    assert!(
        is_root(),
        "this test needs root: it reads files as a test account"
    );
    ensure_users();
    let f = Fixture::new(true);
    open_to_users(&f);
    // What an earlier version left: 0755 folders, 0644 files.
    let state = f.state();
    let output = state.join("output");
    std::fs::create_dir_all(&output).unwrap();
    for dir in [&state, &output] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let old_log = output.join("old.log");
    std::fs::write(&old_log, "set: DbPassword=hunter2\n").unwrap();
    std::fs::set_permissions(&old_log, std::fs::Permissions::from_mode(0o644)).unwrap();
    let d = f.start();
    assert_eq!(mode(&state), 0o700);
    assert_eq!(mode(&output), 0o700);
    assert_eq!(mode(&old_log), 0o600);
    assert_eq!(mode(&state.join("state.db")), 0o600);
    assert!(
        d.log_text().contains("readable by other users"),
        "not logged: {}",
        d.log_text()
    );
    let events = d.json(&["events", "--event-id", "1040"]);
    assert!(
        events.to_string().contains("readable by other users"),
        "no event 1040: {events}"
    );
    let out = cat_as(DENIED, &old_log);
    assert!(!out.status.success(), "{}", text(&out));
    d.stop();
}

#[test]
fn a_failed_start_leaves_no_socket_behind() {
    let f = Fixture::new(true);
    // The plain loopback listener's port is taken: the start fails after the
    // socket was bound.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    f.add_settings(&format!(
        r#"<Listen Address="127.0.0.1:{port}" Plaintext="true" />"#
    ));
    let out = Command::new(ssis_bin())
        .arg("--config")
        .arg(f.config())
        .args(["service", "run", "--socket"])
        .arg(f.socket())
        .arg("--state-dir")
        .arg(f.state())
        .env_remove("SSIS_SERVICE_SOCKET")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&port.to_string()),
        "the error does not name the port: {}",
        text(&out)
    );
    assert!(
        !f.socket().exists(),
        "the socket was left behind: {}",
        text(&out)
    );
}

#[test]
fn a_failed_start_does_not_remove_a_live_services_socket() {
    let f = Fixture::new(true);
    let d = f.start();
    let other_state = f.dir.path().join("other-state");
    let out = Command::new(ssis_bin())
        .arg("--config")
        .arg(f.config())
        .args(["service", "run", "--socket"])
        .arg(f.socket())
        .arg("--state-dir")
        .arg(&other_state)
        .env_remove("SSIS_SERVICE_SOCKET")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already listens"),
        "{}",
        text(&out)
    );
    assert!(f.socket().exists(), "the live service's socket was removed");
    let status = d.ssis(&["service", "status"]);
    assert!(status.status.success(), "{}", text(&status));
    d.stop();
}

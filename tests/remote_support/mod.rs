//! Shared fixture of the access and remote tests: the service fixture of
//! `service_support` with extra `<SsisService>` content (grants, listeners),
//! the two local test accounts, a copy of `ssis` every account can run, and
//! commands run as another user.
#![allow(dead_code, unused_imports)]

pub(crate) use crate::service_support;
pub use crate::service_support::{Daemon, Fixture, ssis_bin};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Once;

/// The account the tests grant rights to.
pub const GRANTED: &str = "ssistest_granted";
/// The account the tests never grant anything.
pub const DENIED: &str = "ssistest_denied";

/// Whether the tests run as root (needed to create accounts and run as them).
pub fn is_root() -> bool {
    unsafe { libc::geteuid() == 0 }
}

/// Fails `test`, loudly, when it cannot run: it creates local accounts and
/// runs commands as them, which needs root (CI runs as root). A skip that
/// shows as a pass would prove nothing.
pub fn require_root(test: &str) {
    assert!(
        is_root(),
        "{test} creates local accounts and runs commands as them, which needs root: run it as root (CI does)"
    );
}

static USERS: Once = Once::new();

/// Creates the two test accounts (once; kept between runs), each with a
/// home, /bin/sh and a password that cannot be used but does not lock the
/// account (so sshd lets key logins in).
pub fn ensure_users() {
    USERS.call_once(|| {
        for user in [GRANTED, DENIED] {
            let exists = Command::new("id").arg("-u").arg(user).output().unwrap();
            if !exists.status.success() {
                let out = Command::new("useradd")
                    .args(["-m", "-s", "/bin/sh", "-p", "*", user])
                    .output()
                    .expect("useradd");
                assert!(
                    out.status.success(),
                    "useradd {user}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
    });
}

/// Rewrites the fixture's configuration with `extra` inside `<SsisService>`.
pub fn write_config(f: &Fixture, extra: &str) {
    let text = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<DtsServiceConfiguration xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <StopExecutingPackagesOnShutdown>true</StopExecutingPackagesOnShutdown>
  <TopLevelFolders>
    <Folder xsi:type="FileSystemFolder">
      <Name>File System</Name>
      <StorePath>Packages</StorePath>
    </Folder>
  </TopLevelFolders>
  <SsisService>
    <Executor>{}</Executor>
{extra}
  </SsisService>
</DtsServiceConfiguration>
"#,
        f.dir.path().join("executor.sh").display()
    );
    std::fs::write(f.config(), text).unwrap();
}

/// Lets other accounts reach the fixture: the folder traversable, a copy of
/// `ssis` they can run (returned), and — after the service started — the
/// socket writable (what `chgrp ssis` + mode 0660 does on a real install).
pub fn open_to_users(f: &Fixture) -> PathBuf {
    std::fs::set_permissions(f.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let bin = f.dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let copy = bin.join("ssis");
    std::fs::copy(ssis_bin(), &copy).unwrap();
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
    copy
}

/// Makes the running service's socket reachable by every account.
pub fn open_socket(f: &Fixture) {
    std::fs::set_permissions(f.socket(), std::fs::Permissions::from_mode(0o666)).unwrap();
}

/// Runs `bin args` as `user` (runuser) against the fixture's socket.
pub fn run_as<S: AsRef<std::ffi::OsStr>>(
    user: &str,
    bin: &Path,
    socket: &Path,
    args: &[S],
) -> Output {
    Command::new("runuser")
        .arg("-u")
        .arg(user)
        .arg("--")
        .arg("env")
        .arg(format!("SSIS_SERVICE_SOCKET={}", socket.display()))
        .arg(bin)
        .args(args)
        .current_dir("/")
        .output()
        .unwrap()
}

/// stdout and stderr of an output, for messages.
pub fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A TCP port free on loopback now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

//! Packages run as their caller, never with the service's own power.
//!
//! The SSIS catalog runs each execution under the calling Windows account,
//! and the legacy service never ran packages itself (dtexec ran as whoever
//! started it). Here, for a caller other than the service account and root,
//! the supervisor (which stays the service's, to write the private output
//! log and exit file) starts the executor as the caller: the caller's uid,
//! primary gid and supplementary groups, home directory as working folder,
//! and a clean environment (`HOME`, `USER`, `LOGNAME`, `SHELL`, a standard
//! `PATH`, `LANG` when the service has one). A caller known by a bearer
//! token runs as the local account of the token's user.
//!
//! A service that cannot switch users (neither root nor holding CAP_SETUID
//! and CAP_SETGID) runs packages only for its own account; anyone else's
//! run is refused, saying why. A service account given those two
//! capabilities (contrib's systemd unit) switches users like root does, and
//! the package's process loses every capability on the way.

use crate::access::identity::{account_by_name, account_by_uid, group_ids};
use crate::access::policy::is_superuser;
use crate::identity::Peer;
use serde::{Deserialize, Serialize};
use ssis_core::error::{Error, ErrorKind, Result};
use std::path::PathBuf;

/// The account an executor runs as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RunAs {
    /// Login name.
    pub user: String,
    /// User id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
    /// Supplementary groups (the primary one included).
    pub groups: Vec<u32>,
    /// Home directory: the working folder and `HOME`.
    pub home: PathBuf,
}

/// The `PATH` an executor run as a caller gets.
pub const SAFE_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Whether this process may switch to another user (it runs as root).
pub fn can_switch_users() -> bool {
    #[cfg(unix)]
    {
        // SAFETY: geteuid has no preconditions.
        (unsafe { libc::geteuid() == 0 }) || holds_setuid_capabilities()
    }
    #[cfg(windows)]
    {
        false
    }
}

/// Whether this process holds CAP_SETUID and CAP_SETGID in its effective
/// set (a dedicated service account given them by systemd's
/// `AmbientCapabilities`, as `contrib/ssis-service.service` does).
#[cfg(unix)]
fn holds_setuid_capabilities() -> bool {
    const CAP_SETGID: u32 = 6;
    const CAP_SETUID: u32 = 7;
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let hex = status.lines().find_map(|l| l.strip_prefix("CapEff:"))?;
            u64::from_str_radix(hex.trim(), 16).ok()
        })
        .is_some_and(|eff| eff & (1 << CAP_SETGID) != 0 && eff & (1 << CAP_SETUID) != 0)
}

/// In the child, after the switch: drops every capability (effective,
/// permitted, inheritable and ambient), so a package started by a service
/// that holds CAP_SETUID as a non-root account cannot use it. (Switching
/// from root already clears them; from another account it does not.)
#[cfg(target_os = "linux")]
fn drop_capabilities() -> std::io::Result<()> {
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Clone, Copy)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    const VERSION_3: u32 = 0x2008_0522;
    let header = Header {
        version: VERSION_3,
        pid: 0,
    };
    let none = [Data {
        effective: 0,
        permitted: 0,
        inheritable: 0,
    }; 2];
    // SAFETY: async-signal-safe system calls on valid, live structures.
    // PR_CAP_AMBIENT_CLEAR_ALL fails only on kernels without ambient
    // capabilities, which then have none to clear.
    unsafe {
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL,
            0,
            0,
            0,
        );
        if libc::syscall(libc::SYS_capset, &header, none.as_ptr()) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Whom `peer`'s package runs as: `None` for the service account and root
/// (the service's own account), else the caller's account. Refused when
/// the caller has no local account or the service cannot switch users.
pub fn for_caller(peer: &Peer) -> Result<Option<RunAs>> {
    if is_superuser(peer) {
        return Ok(None);
    }
    let account = match peer.uid {
        Some(uid) => account_by_uid(uid),
        None => account_by_name(&peer.user),
    }
    .ok_or_else(|| {
        Error::new(
            ErrorKind::AccessDenied,
            format!(
                "Access is denied: packages run as the account of whoever starts them, and {} has \
                 no local account on this machine",
                peer.user
            ),
        )
        .with_target(peer.user.clone())
    })?;
    if !can_switch_users() {
        return Err(Error::new(
            ErrorKind::AccessDenied,
            format!(
                "Access is denied: packages run as the account of whoever starts them, and this \
                 service runs without root, so it cannot start one as {}; run it yourself with \
                 'ssis exec', or run the service as root (see docs/SECURITY.md)",
                account.name
            ),
        )
        .with_target(account.name));
    }
    let groups = group_ids(&account.name, Some(account.gid));
    Ok(Some(RunAs {
        user: account.name,
        uid: account.uid,
        gid: account.gid,
        groups,
        home: account.home,
    }))
}

/// Makes `command` start as `run_as`: identity, groups, working folder and
/// a clean environment (`keep` names extra variables to pass on).
#[cfg(unix)]
pub fn apply(command: &mut std::process::Command, run_as: &RunAs, keep: &[(&str, &str)]) {
    use std::os::unix::process::CommandExt;
    command.env_clear();
    command
        .env("HOME", &run_as.home)
        .env("USER", &run_as.user)
        .env("LOGNAME", &run_as.user)
        .env("SHELL", "/bin/sh")
        .env("PATH", SAFE_PATH);
    if let Some(lang) = std::env::var_os("LANG") {
        command.env("LANG", lang);
    }
    for (k, v) in keep {
        command.env(k, v);
    }
    let home = if run_as.home.is_dir() {
        run_as.home.clone()
    } else {
        PathBuf::from("/")
    };
    command.current_dir(home);
    let (uid, gid) = (run_as.uid, run_as.gid);
    let groups: Vec<libc::gid_t> = run_as.groups.clone();
    // SAFETY: the closure runs in the child between fork and exec and calls
    // only async-signal-safe system calls (setgroups, setgid, setuid, prctl,
    // capset); the group list was prepared before the fork. Groups first, then the gid,
    // then the uid (after which the others could no longer be changed).
    unsafe {
        command.pre_exec(move || {
            if libc::setgroups(groups.len() as _, groups.as_ptr()) != 0
                || libc::setgid(gid) != 0
                || libc::setuid(uid) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            #[cfg(target_os = "linux")]
            drop_capabilities()?;
            Ok(())
        });
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn peer(uid: u32) -> Peer {
        Peer {
            user: format!("uid {uid}"),
            uid: Some(uid),
            gid: None,
            groups: Vec::new(),
            process_id: None,
            transport: "unix:x".into(),
            needs_token: false,
            token: None,
        }
    }

    #[test]
    fn root_runs_as_the_service_and_unknown_accounts_are_refused() {
        assert_eq!(for_caller(&peer(0)).unwrap(), None);
        let e = for_caller(&peer(4_000_000_000)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::AccessDenied);
        assert!(e.message.contains("no local account"), "{e}");
    }
}

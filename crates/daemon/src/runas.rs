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
//!
//! Windows ([`crate::windows::asuser`]): a named-pipe caller's package runs
//! with the token the service took when it connected (CreateProcessAsUserW
//! in the supervisor); the service's own account runs as itself; callers
//! without a token (network callers) and `RunAs` proxies are refused.

#[cfg(unix)]
use crate::access::identity::{account_by_name, account_by_uid, group_ids};
#[cfg(unix)]
use crate::access::policy::is_superuser;
use crate::identity::Peer;
use serde::{Deserialize, Serialize};
use ssis_core::config::Grant;
use ssis_core::error::{Error, ErrorKind, Result};
#[cfg(unix)]
use std::path::PathBuf;

/// The account an executor runs as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RunAs {
    /// Login name (Windows: `DOMAIN\name`).
    pub user: String,
    /// User id.
    #[cfg(unix)]
    pub uid: u32,
    /// Primary group id.
    #[cfg(unix)]
    pub gid: u32,
    /// Supplementary groups (the primary one included).
    #[cfg(unix)]
    pub groups: Vec<u32>,
    /// Home directory: the working folder and `HOME`.
    #[cfg(unix)]
    pub home: PathBuf,
    /// Windows, in the service: the caller's primary token, taken when it
    /// connected over the pipe.
    #[cfg(windows)]
    #[serde(skip)]
    pub token: Option<std::sync::Arc<crate::windows::token::PrimaryToken>>,
    /// Windows, in the supervisor: the value of the copy of that token the
    /// service made in the supervisor's process for this job.
    #[cfg(windows)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_handle: Option<u64>,
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
pub fn for_caller(peer: &Peer, grants: &[Grant]) -> Result<Option<RunAs>> {
    #[cfg(windows)]
    {
        crate::windows::asuser::for_caller(peer, grants)
    }
    #[cfg(unix)]
    {
        if is_superuser(peer) {
            return Ok(None);
        }
        local_account(peer, grants)
    }
}

/// The local account `peer`'s package runs as: a proxy grant's `RunAs`,
/// else the caller's own account.
#[cfg(unix)]
fn local_account(peer: &Peer, grants: &[Grant]) -> Result<Option<RunAs>> {
    if let Some(proxy) = proxy_of(peer, grants)? {
        let account = account_by_name(&proxy).ok_or_else(|| {
            Error::new(
                ErrorKind::Configuration,
                format!(
                    "the grant to {} names RunAs=\"{proxy}\", which is not a local account",
                    peer.user
                ),
            )
            .with_target(proxy.clone())
        })?;
        return switch_to(account);
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
    switch_to(account)
}

/// The account a grant naming `peer` (or one of its groups) sets with
/// `RunAs`, if any; grants naming different accounts are refused as
/// ambiguous rather than picked from.
pub(crate) fn proxy_of(peer: &Peer, grants: &[Grant]) -> Result<Option<String>> {
    let mut proxies: Vec<&str> = grants
        .iter()
        .filter(|g| crate::access::policy::applies_to(g, peer))
        .filter_map(|g| g.run_as.as_deref())
        .collect();
    proxies.sort();
    proxies.dedup();
    match proxies.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.to_string())),
        many => Err(Error::new(
            ErrorKind::Configuration,
            format!(
                "the grants naming {} set different RunAs accounts ({}); keep one",
                peer.user,
                many.join(", ")
            ),
        )),
    }
}

/// `account` as a run-as identity, when this service can switch to it.
#[cfg(unix)]
fn switch_to(account: crate::access::identity::Account) -> Result<Option<RunAs>> {
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
            #[cfg(windows)]
            caller_token: None,
        }
    }

    #[test]
    fn root_runs_as_the_service_and_unknown_accounts_are_refused() {
        assert_eq!(for_caller(&peer(0), &[]).unwrap(), None);
        let e = for_caller(&peer(4_000_000_000), &[]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::AccessDenied);
        assert!(e.message.contains("no local account"), "{e}");
    }

    #[test]
    fn a_proxy_grant_names_the_account_and_two_different_ones_are_refused() {
        let grant = |principal: &str, account: &str| Grant {
            principal: principal.into(),
            rights: vec![],
            run_as: Some(account.into()),
        };
        let mut someone = peer(4_000_000_000);
        someone.user = "carol".into();
        someone.groups = vec!["etl".into()];
        let missing =
            for_caller(&someone, &[grant("user:carol", "no-such-account-here")]).unwrap_err();
        assert_eq!(missing.kind, ErrorKind::Configuration);
        assert!(missing.message.contains("not a local account"), "{missing}");
        let two = [grant("user:carol", "a"), grant("group:etl", "b")];
        let e = for_caller(&someone, &two).unwrap_err();
        assert!(e.message.contains("different RunAs accounts (a, b)"), "{e}");
        // A grant that does not name carol does not apply.
        let other = for_caller(&someone, &[grant("user:dave", "a")]).unwrap_err();
        assert!(other.message.contains("no local account"), "{other}");
    }
}

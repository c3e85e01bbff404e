//! The Windows side of the service: the named-pipe transport and the
//! caller's identity and token ([`pipe`], [`caller`], [`token`]), packages
//! started with that token ([`asuser`], [`spawn`]), executor process trees in Job
//! Objects ([`jobs`]), the Windows Event Log ([`eventlog`]), and a SQL
//! Server installation's settings ([`sqlserver`], [`registry`]), and the
//! Service Control Manager ([`scm`]).

pub mod acl;
pub mod asuser;
pub mod caller;
pub mod eventlog;
pub mod jobs;
pub mod pipe;
pub mod registry;
pub mod scm;
pub mod spawn;
pub mod sqlserver;
pub mod token;
pub mod userenv;

use super::identity::Peer;

/// The [`Peer`] of a pipe client: `DOMAIN\user` from its token (or
/// `unknown` when the token could not be read), and its enabled groups by
/// name and by SID, so grants may name either.
pub fn peer(caller: Option<caller::Caller>, transport: String) -> Peer {
    let groups = caller
        .as_ref()
        .map(|c| {
            c.groups
                .iter()
                .flat_map(|g| [g.name.clone(), g.sid.clone()])
                .collect()
        })
        .unwrap_or_default();
    let caller_token = caller.as_ref().and_then(|c| c.token.clone());
    Peer {
        user: caller
            .as_ref()
            .map(|c| c.user.name.clone())
            .unwrap_or_else(|| "unknown".into()),
        uid: None,
        gid: None,
        groups,
        process_id: caller.and_then(|c| c.process_id),
        transport,
        needs_token: false,
        token: None,
        caller_token,
    }
}

/// Whether a pipe client holds every right: a member of Administrators
/// (enabled in its token) or the account the service runs as.
pub fn is_superuser(peer: &Peer) -> bool {
    static SERVICE_ACCOUNT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let account = SERVICE_ACCOUNT.get_or_init(|| caller::current().ok().map(|c| c.user.name));
    peer.groups.iter().any(|g| g == caller::ADMINISTRATORS_SID)
        || account
            .as_deref()
            .is_some_and(|a| a.eq_ignore_ascii_case(&peer.user))
}

/// Gives this process a console when it has none (a service), so that
/// executors started with CREATE_NEW_PROCESS_GROUP share it and a stop can
/// send them CTRL_BREAK.
pub fn ensure_console() {
    use windows_sys::Win32::System::Console::{AllocConsole, GetConsoleWindow};
    // SAFETY: plain calls without arguments.
    unsafe {
        if GetConsoleWindow().is_null() {
            AllocConsole();
        }
    }
}

/// Whether this process runs under Wine (ntdll exports `wine_get_version`),
/// whose file access lists are mapped to Unix modes rather than kept.
pub fn under_wine() -> bool {
    use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleA, GetProcAddress};
    // SAFETY: NUL-terminated names; ntdll is always loaded.
    unsafe {
        let ntdll = GetModuleHandleA(c"ntdll.dll".as_ptr().cast());
        !ntdll.is_null() && GetProcAddress(ntdll, c"wine_get_version".as_ptr().cast()).is_some()
    }
}

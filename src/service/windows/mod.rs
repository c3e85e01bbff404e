//! The Windows side of the service: the named-pipe transport and the
//! caller's token ([`pipe`], [`caller`]), executor process trees in Job
//! Objects ([`jobs`]), the Windows Event Log ([`eventlog`]), and a SQL
//! Server installation's settings ([`sqlserver`], [`registry`]), and the
//! Service Control Manager ([`scm`]).

pub mod caller;
pub mod eventlog;
pub mod jobs;
pub mod pipe;
pub mod registry;
pub mod scm;
pub mod sqlserver;

use super::identity::Peer;

/// The [`Peer`] of a pipe client: `DOMAIN\user` from its token (or
/// `unknown` when the token could not be read).
pub fn peer(caller: Option<caller::Caller>, transport: String) -> Peer {
    Peer {
        user: caller
            .as_ref()
            .map(|c| c.user.name.clone())
            .unwrap_or_else(|| "unknown".into()),
        uid: None,
        process_id: caller.and_then(|c| c.process_id),
        transport,
    }
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

//! The Windows side of the service: the named-pipe transport and the
//! caller's token ([`pipe`], [`caller`]), executor process trees in Job
//! Objects ([`jobs`]).

pub mod caller;
pub mod jobs;
pub mod pipe;

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

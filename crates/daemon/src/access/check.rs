//! The gate every request passes before it runs: the caller must hold
//! `Connect` and the method's right. A refusal is an `AccessDenied` error
//! ("Access is denied: ...", naming the right and the operation) and an
//! event-log entry (id 1011) naming the caller. Floods of refusals (e.g.
//! guessed tokens) are logged at most [`LOG_BURST`] per [`LOG_WINDOW`] and
//! caller; the rest are counted in one summary entry per caller.

use super::policy::rights_of;
use crate::eventlog::{Entry, ids};
use crate::identity::Peer;
use crate::state::Service;
use serde_json::json;
use ssis_core::config::Right;
use ssis_core::error::{Error, ErrorKind, Result};
use ssis_core::protocol::Request;
use ssis_core::protocol::events::EventLevel;
use std::time::{Duration, Instant};

/// Refusals logged one by one per window.
pub const LOG_BURST: u32 = 20;
/// The window of [`LOG_BURST`].
pub const LOG_WINDOW: Duration = Duration::from_secs(10);

/// Checks that `peer` may make `request` under the grants in force.
pub fn authorize(svc: &Service, peer: &Peer, request: &Request) -> Result<()> {
    let (method, needed) = (request.method().name(), request.right());
    if !token_still_valid(svc, peer) {
        return Err(deny_token(
            svc,
            peer,
            "the token this session authenticated with was revoked or has expired; \
             connect again with a valid token",
        ));
    }
    let grants = &svc.loaded().config.extensions.grants;
    let held = rights_of(peer, grants);
    let missing = [Right::Connect, needed]
        .into_iter()
        .find(|r| !held.contains(r));
    match missing {
        None => Ok(()),
        Some(right) => Err(deny(svc, peer, method, right)),
    }
}

/// Whether a network caller's token is still valid (always true for local
/// callers, who are identified by the operating system).
pub fn token_still_valid(svc: &Service, peer: &Peer) -> bool {
    peer.token
        .as_deref()
        .is_none_or(|fp| super::tokens::still_valid(&super::admin::token_store_path(svc), fp))
}

/// The refusal for `peer` lacking `right` for `method`, logged.
pub fn deny(svc: &Service, peer: &Peer, method: &str, right: Right) -> Error {
    let message = format!(
        "Access is denied: {} does not hold the {right} right, which {method} needs \
         (an administrator can grant it with 'ssis access grant user:{} {right}')",
        peer.user, peer.user
    );
    log_denial(
        svc,
        peer,
        format!(
            "Access denied to {} ({}) for {method}: the {right} right is missing.",
            peer.user,
            peer.describe()
        ),
        json!({"Method": method, "Right": right, "Peer": peer}),
    );
    Error::new(ErrorKind::AccessDenied, message).with_target(method)
}

/// The refusal of a network caller whose token is missing or not valid, logged.
pub fn deny_token(svc: &Service, peer: &Peer, why: &str) -> Error {
    log_denial(
        svc,
        peer,
        format!("Access denied to a client {}: {why}.", peer.describe()),
        json!({"Method": "Hello", "Reason": why, "Peer": peer}),
    );
    Error::new(
        ErrorKind::AccessDenied,
        format!(
            "Access is denied: {why} (this listener needs a bearer token in Hello: \
             create one with 'ssis access token create --user NAME' and pass it as $SSIS_SERVICE_TOKEN)"
        ),
    )
    .with_target("Token")
}

/// Writes a denial to the event log, at most [`LOG_BURST`] per
/// [`LOG_WINDOW`] and caller; the rest are counted, and
/// [`crate::ratelimit`]'s timer writes how many were left out.
pub(super) fn log_denial(svc: &Service, peer: &Peer, message: String, data: serde_json::Value) {
    let write = svc
        .denials
        .allow(&crate::ratelimit::peer_key(peer), Instant::now());
    if write {
        svc.log.write(Entry {
            level: EventLevel::Warning,
            event_id: ids::ACCESS_DENIED,
            source: "Access",
            user: Some(&peer.user),
            message,
            data,
            execution_id: None,
        });
    }
}

//! The `Access*` methods: grants are edited in the configuration file (the
//! same path as `SetConfig`, so unknown elements survive and the change is
//! applied at once); tokens in the token store. Also the token check of a
//! network caller's Hello.

use super::check::deny_token;
use super::identity::become_user;
use super::tokens;
use crate::eventlog::{Entry, ids};
use crate::identity::Peer;
use crate::state::Service;
use serde::Serialize;
use serde_json::{Value, json};
use ssis_core::config::Right;
use ssis_core::error::{Error, Result};
use ssis_core::ops::{self, Items};
use ssis_core::protocol::Request;
use ssis_core::protocol::access::{GrantResult, RevokedTokens};
use ssis_core::protocol::events::EventLevel;
use std::path::PathBuf;
use std::sync::Arc;

/// Where the token store is: `TokenStore` (relative to the configuration
/// file's folder), else `tokens.json` in the state directory.
pub fn token_store_path(svc: &Service) -> PathBuf {
    let config = svc.host.config();
    match config.extensions.token_store.as_deref().map(str::trim) {
        Some(p) if !p.is_empty() => {
            let p = PathBuf::from(p);
            if p.is_relative() {
                config.base_dir().join(p)
            } else {
                p
            }
        }
        _ => svc.state_dir.join("tokens.json"),
    }
}

/// Identifies a network caller from the token in its Hello.
pub fn authenticate(svc: &Service, peer: &mut Peer, token: Option<&str>) -> Result<()> {
    if !peer.needs_token {
        return Ok(());
    }
    match tokens::authenticate(&token_store_path(svc), token) {
        Ok(user) => {
            become_user(peer, &user);
            peer.token = token.map(tokens::fingerprint);
            Ok(())
        }
        Err(refusal) => Err(deny_token(svc, peer, &refusal.describe())),
    }
}

fn to_value<T: Serialize>(v: T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::internal(format!("cannot serialize a result: {e}")))
}

fn changed(svc: &Service, peer: &Peer, message: String, data: Value) {
    svc.log.write(Entry {
        level: EventLevel::Information,
        event_id: ids::ACCESS_CHANGED,
        source: "Access",
        user: Some(&peer.user),
        message,
        data,
        execution_id: None,
    });
}

/// Handles one `Access*` method (the caller's `Administer` right was checked).
pub async fn handle(svc: &Arc<Service>, peer: &Peer, request: Request) -> Result<Value> {
    match request {
        Request::AccessList(_) => {
            to_value(Items::from(svc.loaded().config.extensions.grants.clone()))
        }
        Request::AccessGrant(p) => {
            let me = Arc::clone(svc);
            let (principal, rights) = (p.principal.clone(), p.rights.clone());
            let grant = super::super::dispatch::blocking(move || {
                ops::access::grant(&me.host, &principal, &rights)
            })
            .await?;
            let principal = &grant.principal;
            changed(
                svc,
                peer,
                format!(
                    "{} granted {} to {principal}; it now holds {}.",
                    peer.user,
                    Right::names(&p.rights),
                    Right::names(&grant.rights)
                ),
                to_value(&grant)?,
            );
            to_value(GrantResult::from(grant))
        }
        Request::AccessRevoke(p) => {
            let me = Arc::clone(svc);
            let (principal, rights) = (p.principal.clone(), p.rights.clone());
            let GrantResult {
                principal,
                rights: left,
            } = super::super::dispatch::blocking(move || {
                ops::access::revoke(&me.host, &principal, rights.as_deref())
            })
            .await?;
            let what = p
                .rights
                .as_deref()
                .map(Right::names)
                .unwrap_or_else(|| "every right".into());
            changed(
                svc,
                peer,
                format!("{} revoked {what} from {principal}.", peer.user),
                json!({"Principal": principal, "Rights": left}),
            );
            to_value(GrantResult {
                principal,
                rights: left,
            })
        }
        Request::AccessTokenCreate(p) => {
            let path = token_store_path(svc);
            let t =
                tokio::task::spawn_blocking(move || tokens::create(&path, &p.user, p.expires_days))
                    .await
                    .map_err(|e| Error::internal(format!("token creation lost: {e}")))??;
            changed(
                svc,
                peer,
                format!(
                    "{} created token {} for {}{}.",
                    peer.user,
                    t.info.id,
                    t.info.user,
                    t.info
                        .expires
                        .as_deref()
                        .map(|e| format!(", expiring {e}"))
                        .unwrap_or_default()
                ),
                to_value(&t.info)?,
            );
            to_value(t)
        }
        Request::AccessTokenList(_) => to_value(Items::from(tokens::list(&token_store_path(svc))?)),
        Request::AccessTokenRevoke(p) => {
            let n = tokens::revoke(&token_store_path(svc), p.id.as_deref(), p.user.as_deref())?;
            changed(
                svc,
                peer,
                format!(
                    "{} revoked {n} token(s){}{}.",
                    peer.user,
                    p.id.as_deref()
                        .map(|i| format!(" with id {i}"))
                        .unwrap_or_default(),
                    p.user
                        .as_deref()
                        .map(|u| format!(" of {u}"))
                        .unwrap_or_default()
                ),
                json!({"Revoked": n}),
            );
            to_value(RevokedTokens { revoked: n })
        }
        other => Err(Error::internal(format!(
            "{} is not an access method",
            other.method()
        ))),
    }
}

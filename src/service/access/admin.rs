//! The `Access*` methods: grants are edited in the configuration file (the
//! same path as `SetConfig`, so unknown elements survive and the change is
//! applied at once); tokens in the token store. Also the token check of a
//! network caller's Hello.

use super::check::deny_token;
use super::identity::become_user;
use super::policy::{add_rights, remove_rights};
use super::tokens;
use crate::client::Items;
use crate::config::{Right, canonical_principal};
use crate::error::{Error, Result};
use crate::protocol::access::{
    self as ac, GrantParams, GrantResult, RevokeParams, RevokedTokens, TokenCreateParams,
    TokenRevokeParams,
};
use crate::protocol::events::EventLevel;
use crate::protocol::parse_params;
use crate::service::eventlog::{Entry, ids};
use crate::service::identity::Peer;
use crate::service::state::Service;
use serde::Serialize;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;

/// Where the token store is: `TokenStore` (relative to the configuration
/// file's folder), else `tokens.json` in the state directory.
pub fn token_store_path(svc: &Service) -> PathBuf {
    let config = svc.loaded().config;
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

/// Writes `grants` into the configuration in force and applies it.
async fn save_grants(
    svc: &Arc<Service>,
    peer: &Peer,
    grants: Vec<crate::config::Grant>,
) -> Result<()> {
    let mut config = (*svc.loaded().config).clone();
    if config.path.is_none() {
        return Err(Error::new(
            crate::ErrorKind::Configuration,
            "the service runs with the built-in default configuration, which has no file to \
             hold grants: start it with --config <MsDtsSrvr.ini.xml> (or $SSIS_SERVICE_CONFIG)",
        ));
    }
    config.extensions.grants = grants;
    crate::service::dispatch::apply_config(svc, peer, config.to_json_value().to_string()).await?;
    Ok(())
}

/// Handles one `Access*` method (the caller's `Administer` right was checked).
pub async fn handle(svc: &Arc<Service>, peer: &Peer, method: &str, params: Value) -> Result<Value> {
    match method {
        ac::LIST => {
            let _: serde::de::IgnoredAny = parse_params(method, params)?;
            to_value(Items::from(svc.loaded().config.extensions.grants.clone()))
        }
        ac::GRANT => {
            let p: GrantParams = parse_params(method, params)?;
            let principal = canonical_principal(&p.principal)
                .map_err(|m| Error::invalid(m).with_target("Principal"))?;
            if p.rights.is_empty() {
                return Err(Error::invalid(format!(
                    "no rights given (rights are {})",
                    Right::names(&Right::ALL)
                ))
                .with_target("Rights"));
            }
            let mut grants = svc.loaded().config.extensions.grants.clone();
            let grant = add_rights(&mut grants, &principal, &p.rights);
            save_grants(svc, peer, grants).await?;
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
        ac::REVOKE => {
            let p: RevokeParams = parse_params(method, params)?;
            let principal = canonical_principal(&p.principal)
                .map_err(|m| Error::invalid(m).with_target("Principal"))?;
            let mut grants = svc.loaded().config.extensions.grants.clone();
            if !grants.iter().any(|g| g.principal == principal) {
                return Err(
                    Error::not_found(format!("{principal} has no grant")).with_target(principal)
                );
            }
            let left = remove_rights(&mut grants, &principal, p.rights.as_deref());
            save_grants(svc, peer, grants).await?;
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
        ac::TOKEN_CREATE => {
            let p: TokenCreateParams = parse_params(method, params)?;
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
        ac::TOKEN_LIST => {
            let _: serde::de::IgnoredAny = parse_params(method, params)?;
            to_value(Items::from(tokens::list(&token_store_path(svc))?))
        }
        ac::TOKEN_REVOKE => {
            let p: TokenRevokeParams = parse_params(method, params)?;
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
        other => Err(Error::new(
            crate::ErrorKind::Protocol,
            format!("unknown method '{other}'"),
        )),
    }
}

//! Access control through a session: grants (`Administer` on the service;
//! an embedded session edits its configuration file directly, which is how
//! the first grants are written before anyone but root may connect) and the
//! bearer tokens of the TLS listener (service only).

use super::{Items, Session};
use crate::config::{Grant, Right, canonical_principal};
use crate::error::{Error, ErrorKind, Result};
use crate::protocol::access::{
    self as ac, GrantParams, GrantResult, NewToken, RevokeParams, RevokedTokens, TokenCreateParams,
    TokenInfo, TokenRevokeParams,
};
use crate::service::access::policy::{add_rights, remove_rights};
use serde_json::json;

impl Session {
    /// The grants in force.
    pub fn access_list(&self) -> Result<Items<Grant>> {
        match self.remote_backend() {
            Some(r) => r.call(ac::LIST, &json!({})),
            None => Ok(Items::from(self.get_config()?.extensions.grants)),
        }
    }

    /// Adds `rights` to `principal` (`user:NAME` or `group:NAME`); returns its grant.
    pub fn access_grant(&self, principal: &str, rights: &[Right]) -> Result<GrantResult> {
        let principal = canonical_principal(principal)
            .map_err(|m| Error::invalid(m).with_target("Principal"))?;
        if rights.is_empty() {
            return Err(Error::invalid("no rights given").with_target("Rights"));
        }
        match self.remote_backend() {
            Some(r) => r.call(
                ac::GRANT,
                &GrantParams {
                    principal,
                    rights: rights.to_vec(),
                },
            ),
            None => {
                let mut config = self.get_config()?;
                let grant = add_rights(&mut config.extensions.grants, &principal, rights);
                self.set_config(&config.to_json_value().to_string())?;
                Ok(GrantResult::from(grant))
            }
        }
    }

    /// Takes `rights` (every right when `None`) from `principal`.
    pub fn access_revoke(&self, principal: &str, rights: Option<&[Right]>) -> Result<GrantResult> {
        let principal = canonical_principal(principal)
            .map_err(|m| Error::invalid(m).with_target("Principal"))?;
        match self.remote_backend() {
            Some(r) => r.call(
                ac::REVOKE,
                &RevokeParams {
                    principal,
                    rights: rights.map(<[Right]>::to_vec),
                },
            ),
            None => {
                let mut config = self.get_config()?;
                if !config
                    .extensions
                    .grants
                    .iter()
                    .any(|g| g.principal == principal)
                {
                    return Err(Error::not_found(format!("{principal} has no grant")));
                }
                let left = remove_rights(&mut config.extensions.grants, &principal, rights);
                self.set_config(&config.to_json_value().to_string())?;
                Ok(GrantResult {
                    principal,
                    rights: left,
                })
            }
        }
    }

    fn token_backend(&self) -> Result<&super::remote::Remote> {
        self.remote_backend().ok_or_else(|| {
            Error::new(
                ErrorKind::Unsupported,
                "bearer tokens are kept by the service: connect to it (e.g. --server .)",
            )
        })
    }

    /// Creates a bearer token for `user`; the result holds the secret, shown this once.
    pub fn access_token_create(&self, user: &str, expires_days: Option<u32>) -> Result<NewToken> {
        self.token_backend()?.call(
            ac::TOKEN_CREATE,
            &TokenCreateParams {
                user: user.to_string(),
                expires_days,
            },
        )
    }

    /// The bearer tokens (never their secret).
    pub fn access_token_list(&self) -> Result<Items<TokenInfo>> {
        self.token_backend()?.call(ac::TOKEN_LIST, &json!({}))
    }

    /// Deletes the token `id`, or every token of `user`.
    pub fn access_token_revoke(
        &self,
        id: Option<&str>,
        user: Option<&str>,
    ) -> Result<RevokedTokens> {
        self.token_backend()?.call(
            ac::TOKEN_REVOKE,
            &TokenRevokeParams {
                id: id.map(str::to_string),
                user: user.map(str::to_string),
            },
        )
    }

    /// The user the service identified this session as (`None` in-process).
    pub fn identity(&self) -> Option<&str> {
        self.remote_backend().map(|r| r.user())
    }
}

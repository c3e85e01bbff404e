//! Access control through a session: grants (`Administer` on the service;
//! an embedded session edits its configuration file directly, which is how
//! the first grants are written before anyone but root may connect) and the
//! bearer tokens of the TLS listener (service only).

use super::{Items, Session};
use ssis_core::config::{Grant, Right, canonical_principal};
use ssis_core::error::{Error, ErrorKind, Result};
use ssis_core::ops::access as grants;
use ssis_core::protocol::access::{
    GrantParams, GrantResult, NewToken, RevokeParams, RevokedTokens, TokenCreateParams, TokenInfo,
    TokenRevokeParams,
};
use ssis_core::protocol::{NoParams, Request};

impl Session {
    /// The grants in force.
    pub fn access_list(&self) -> Result<Items<Grant>> {
        match self.remote_backend() {
            Some(r) => r.call(Request::AccessList(NoParams)),
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
            Some(r) => r.call(Request::AccessGrant(GrantParams {
                principal,
                rights: rights.to_vec(),
            })),
            None => Ok(GrantResult::from(grants::grant(
                self.embedded_host()?,
                &principal,
                rights,
            )?)),
        }
    }

    /// Takes `rights` (every right when `None`) from `principal`.
    pub fn access_revoke(&self, principal: &str, rights: Option<&[Right]>) -> Result<GrantResult> {
        let principal = canonical_principal(principal)
            .map_err(|m| Error::invalid(m).with_target("Principal"))?;
        match self.remote_backend() {
            Some(r) => r.call(Request::AccessRevoke(RevokeParams {
                principal,
                rights: rights.map(<[Right]>::to_vec),
            })),
            None => grants::revoke(self.embedded_host()?, &principal, rights),
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
        self.token_backend()?
            .call(Request::AccessTokenCreate(TokenCreateParams {
                user: user.to_string(),
                expires_days,
            }))
    }

    /// The bearer tokens (never their secret).
    pub fn access_token_list(&self) -> Result<Items<TokenInfo>> {
        self.token_backend()?
            .call(Request::AccessTokenList(NoParams))
    }

    /// Deletes the token `id`, or every token of `user`.
    pub fn access_token_revoke(
        &self,
        id: Option<&str>,
        user: Option<&str>,
    ) -> Result<RevokedTokens> {
        self.token_backend()?
            .call(Request::AccessTokenRevoke(TokenRevokeParams {
                id: id.map(str::to_string),
                user: user.map(str::to_string),
            }))
    }

    /// The user the service identified this session as (`None` in-process).
    pub fn identity(&self) -> Option<&str> {
        self.remote_backend().map(|r| r.user())
    }
}

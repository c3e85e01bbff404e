//! Access-control methods: grants (who holds which right) and the bearer
//! tokens of the TLS listener. All need the `Administer` right.

use crate::config::{Grant, Right};
use serde::{Deserialize, Serialize};

/// `AccessList`: the grants in force.
pub const LIST: &str = "AccessList";
/// `AccessGrant`: add rights to a principal.
pub const GRANT: &str = "AccessGrant";
/// `AccessRevoke`: take rights (or all of them) from a principal.
pub const REVOKE: &str = "AccessRevoke";
/// `AccessTokenCreate`: a new bearer token for a user (shown once).
pub const TOKEN_CREATE: &str = "AccessTokenCreate";
/// `AccessTokenList`: the tokens (never their secret).
pub const TOKEN_LIST: &str = "AccessTokenList";
/// `AccessTokenRevoke`: delete a token, or every token of a user.
pub const TOKEN_REVOKE: &str = "AccessTokenRevoke";

/// `AccessGrant` parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct GrantParams {
    /// `user:NAME` or `group:NAME`.
    pub principal: String,
    /// Rights to add.
    pub rights: Vec<Right>,
}

/// `AccessRevoke` parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RevokeParams {
    /// `user:NAME` or `group:NAME`.
    pub principal: String,
    /// Rights to take away; absent: every right (the grant is removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rights: Option<Vec<Right>>,
}

/// `AccessTokenCreate` parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct TokenCreateParams {
    /// The user the token authenticates as.
    pub user: String,
    /// Days until it expires; absent: never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_days: Option<u32>,
}

/// `AccessTokenRevoke` parameters: a token id, or a user (all their tokens).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct TokenRevokeParams {
    /// The token's id (from `AccessTokenList`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Every token of this user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

/// A token as listed: never the secret, nor its hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TokenInfo {
    /// Short id, to revoke it.
    pub id: String,
    /// The user it authenticates as.
    pub user: String,
    /// When it was created (RFC 3339 UTC).
    pub created: String,
    /// When it expires (RFC 3339 UTC); absent: never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Whether it has expired.
    pub expired: bool,
}

/// `AccessTokenCreate` result: the token itself, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NewToken {
    /// The token's listing.
    #[serde(flatten)]
    pub info: TokenInfo,
    /// The secret to give the user (`SSIS_SERVICE_TOKEN`); only its hash is stored.
    pub token: String,
}

/// `AccessTokenRevoke` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RevokedTokens {
    /// How many tokens were deleted.
    pub revoked: usize,
}

/// `AccessRevoke` / `AccessGrant` result: the principal's grant afterwards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GrantResult {
    /// The principal.
    pub principal: String,
    /// Its rights now (empty: no grant left).
    pub rights: Vec<Right>,
}

impl From<Grant> for GrantResult {
    fn from(g: Grant) -> GrantResult {
        GrantResult {
            principal: g.principal,
            rights: g.rights,
        }
    }
}

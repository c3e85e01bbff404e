//! `ssis access list|grant|revoke` and `ssis access token create|list|revoke`.
//! Against the service these need the `Administer` right; with `--config
//! FILE` the grants of that file are edited directly (how the first grants
//! are written by root before the service starts).

use super::output::{Out, print_table};
use clap::Subcommand;
use ssis_client::{ConnectOptions, ServerAddress, Session};
use ssis_core::config::Right;
use ssis_core::error::{Error, Result};
use std::path::Path;

/// `ssis access ...`
#[derive(Debug, Subcommand)]
pub enum AccessCommand {
    /// The grants in force: who holds which rights.
    List,
    /// Give rights to a user or group, e.g. `ssis access grant user:alice Connect,Read`.
    Grant {
        /// `user:NAME` or `group:NAME`.
        principal: String,
        /// Rights, comma-separated: Connect, Read, Write, Execute, Administer (or All).
        rights: String,
    },
    /// Take rights away (all of them when none are named).
    Revoke {
        /// `user:NAME` or `group:NAME`.
        principal: String,
        /// Rights to take away, comma-separated (default: every right).
        rights: Option<String>,
    },
    /// Bearer tokens for the TLS listener.
    #[command(subcommand)]
    Token(TokenCommand),
}

/// `ssis access token ...`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token for a user; it is printed once and stored only as a hash.
    Create {
        /// The user the token authenticates as.
        #[arg(long)]
        user: String,
        /// Days until it expires (default: never).
        #[arg(long, value_name = "DAYS")]
        expires: Option<u32>,
    },
    /// The tokens: id, user, created, expires (never the secret).
    List,
    /// Revoke a token by id, or every token of a user.
    Revoke {
        /// The token's id (see `ssis access token list`).
        #[arg(required_unless_present = "user")]
        id: Option<String>,
        /// Every token of this user.
        #[arg(long, conflicts_with = "id")]
        user: Option<String>,
    },
}

fn rights(text: &str) -> Result<Vec<Right>> {
    Right::parse_list(text).map_err(|m| Error::invalid(m).with_target("rights"))
}

/// Runs `ssis access ...` on `--server` (default `.`), or on `--config FILE` in-process.
pub fn access(
    cmd: AccessCommand,
    server: Option<&str>,
    config: Option<&Path>,
    out: Out,
) -> Result<i32> {
    let session = match (server, config) {
        (None, Some(c)) => Session::open(
            &ServerAddress::Embedded(Some(c.to_path_buf())),
            ConnectOptions::default(),
        )?,
        (server, _) => Session::connect(Some(server.unwrap_or(".")), None)?,
    };
    match cmd {
        AccessCommand::List => {
            let list = session.access_list()?;
            out.emit(&list, || {
                let rows: Vec<Vec<String>> = list
                    .items
                    .iter()
                    .map(|g| vec![g.principal.clone(), Right::names(&g.rights)])
                    .collect();
                print_table(&["Principal", "Rights"], &rows);
                if rows.is_empty() {
                    println!("(no grants: only the service account and root have access)");
                }
            });
        }
        AccessCommand::Grant {
            principal,
            rights: r,
        } => {
            let g = session.access_grant(&principal, &rights(&r)?)?;
            out.emit(&g, || {
                println!("{} now holds {}.", g.principal, Right::names(&g.rights))
            });
        }
        AccessCommand::Revoke {
            principal,
            rights: r,
        } => {
            let r = r.as_deref().map(rights).transpose()?;
            let g = session.access_revoke(&principal, r.as_deref())?;
            out.emit(&g, || {
                if g.rights.is_empty() {
                    println!("{} holds no rights now.", g.principal)
                } else {
                    println!("{} now holds {}.", g.principal, Right::names(&g.rights))
                }
            });
        }
        AccessCommand::Token(TokenCommand::Create { user, expires }) => {
            let t = session.access_token_create(&user, expires)?;
            out.emit(&t, || {
                println!("{}", t.token);
                eprintln!(
                    "Token {} for {} created{}. It is shown only now: give it to the user \
                     (as $SSIS_SERVICE_TOKEN); the service keeps only its hash.",
                    t.info.id,
                    t.info.user,
                    t.info
                        .expires
                        .as_deref()
                        .map(|e| format!(", expires {e}"))
                        .unwrap_or_default()
                );
            });
        }
        AccessCommand::Token(TokenCommand::List) => {
            let list = session.access_token_list()?;
            out.emit(&list, || {
                let rows: Vec<Vec<String>> = list
                    .items
                    .iter()
                    .map(|t| {
                        vec![
                            t.id.clone(),
                            t.user.clone(),
                            t.created.clone(),
                            t.expires.clone().unwrap_or_else(|| "never".into()),
                            if t.expired { "expired" } else { "valid" }.into(),
                        ]
                    })
                    .collect();
                print_table(&["Id", "User", "Created", "Expires", "State"], &rows);
            });
        }
        AccessCommand::Token(TokenCommand::Revoke { id, user }) => {
            let r = session.access_token_revoke(id.as_deref(), user.as_deref())?;
            out.emit(&r, || println!("{} token(s) revoked.", r.revoked));
        }
    }
    Ok(0)
}

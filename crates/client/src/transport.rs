//! Where a remote session's bytes go: the local socket or named pipe (`.`,
//! `unix:`, `pipe:`), an
//! `ssh://` host (through `ssh ... -- ssis service dial-stdio`), a `tls://`
//! listener, or plain `tcp://` on loopback. Each gives a [`Duplex`] stream
//! the protocol client reads lines from and writes lines to.

use super::address::ServerAddress;
use super::ssh::SshTarget;
use super::tls::TlsTarget;
use serde::Deserialize;
use ssis_core::error::{Error, Result};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::Duration;

/// A two-way byte stream to a service.
pub(super) trait Duplex: Read + Write + Send {
    /// Bounds the next reads (where the stream supports it).
    fn set_read_timeout(&self, timeout: Option<Duration>);
    /// Why the stream ended, when the transport knows more than "closed"
    /// (ssh's own error output).
    fn diagnose(&mut self) -> Option<String> {
        None
    }
}

#[cfg(unix)]
impl Duplex for std::os::unix::net::UnixStream {
    fn set_read_timeout(&self, timeout: Option<Duration>) {
        let _ = std::os::unix::net::UnixStream::set_read_timeout(self, timeout);
    }
}

#[cfg(windows)]
impl Duplex for super::pipe::PipeStream {
    fn set_read_timeout(&self, timeout: Option<Duration>) {
        let _ = super::pipe::PipeStream::set_read_timeout(self, timeout);
    }
}

/// Connection options (`options_json` of `Session::connect`; the
/// environment fills what is not given).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ConnectOptions {
    /// Bearer token for `tls://` and `tcp://` (else `$SSIS_SERVICE_TOKEN`).
    #[serde(default)]
    pub token: Option<String>,
    /// PEM file of the CA that signed the server's certificate (else
    /// `$SSIS_SERVICE_CA`, else the system's trusted roots).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// An ssh client configuration file (`ssh -F`; else `$SSIS_SSH_CONFIG`).
    #[serde(default)]
    pub ssh_config: Option<PathBuf>,
    /// The `ssis` program on the remote host (else `$SSIS_REMOTE_PROGRAM`, else `ssis`).
    #[serde(default)]
    pub remote_program: Option<String>,
    /// The largest message read from the service (default
    /// [`crate::DEFAULT_MESSAGE_LIMIT`], 64 MiB); set from Rust only.
    #[serde(skip)]
    pub max_message_bytes: Option<usize>,
}

/// Token environment variable.
pub const TOKEN_ENV: &str = "SSIS_SERVICE_TOKEN";
/// CA file environment variable.
pub const CA_ENV: &str = "SSIS_SERVICE_CA";
/// ssh configuration file environment variable.
pub const SSH_CONFIG_ENV: &str = "SSIS_SSH_CONFIG";
/// Remote `ssis` program environment variable.
pub const REMOTE_PROGRAM_ENV: &str = "SSIS_REMOTE_PROGRAM";

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl ConnectOptions {
    /// Parses `options_json` (empty: none); unknown keys are refused.
    pub fn parse(options_json: Option<&str>) -> Result<ConnectOptions> {
        let Some(text) = options_json.filter(|o| !o.trim().is_empty()) else {
            return Ok(ConnectOptions::default());
        };
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            Error::invalid(format!("options_json is not valid JSON: {e}"))
                .with_target("options_json")
        })?;
        if !value.is_object() {
            return Err(
                Error::invalid("options_json must be a JSON object").with_target("options_json")
            );
        }
        serde_json::from_value(value).map_err(|e| {
            Error::invalid(format!(
                "options_json is not valid: {e} (known options: Token, CaFile, SshConfig, RemoteProgram)"
            ))
            .with_target("options_json")
        })
    }

    /// The options with the environment's values where none were given.
    pub fn with_env(mut self) -> ConnectOptions {
        self.token = self.token.or_else(|| env(TOKEN_ENV));
        self.ca_file = self.ca_file.or_else(|| env(CA_ENV).map(PathBuf::from));
        self.ssh_config = self
            .ssh_config
            .or_else(|| env(SSH_CONFIG_ENV).map(PathBuf::from));
        self.remote_program = self.remote_program.or_else(|| env(REMOTE_PROGRAM_ENV));
        self
    }
}

/// Where a session connects.
#[derive(Debug, Clone)]
pub(super) enum Endpoint {
    /// The local service's socket (candidates tried in order).
    Local(Vec<PathBuf>),
    /// `ssh://[user@]host[:port]`.
    Ssh(SshTarget),
    /// `tls://host:port` or `tcp://127.0.0.1:port`.
    Tls(TlsTarget),
}

/// Whether `server` (not empty) names a service this client reaches over a transport.
pub fn is_service_name(server: &str) -> bool {
    !server.trim().is_empty()
        && server
            .parse::<ServerAddress>()
            .is_ok_and(|a| a.is_service())
}

impl Endpoint {
    /// The endpoint a service address names.
    pub(super) fn from_address(
        address: &ServerAddress,
        options: &ConnectOptions,
    ) -> Result<Endpoint> {
        Ok(match address {
            ServerAddress::Local => {
                Endpoint::Local(ssis_core::protocol::paths::client_candidates())
            }
            ServerAddress::Socket(path) => Endpoint::Local(vec![path.clone()]),
            ServerAddress::Ssh(_) => {
                Endpoint::Ssh(SshTarget::parse(&address.to_string(), options)?)
            }
            ServerAddress::Tls { .. } => {
                Endpoint::Tls(TlsTarget::parse(&address.to_string(), options)?)
            }
            ServerAddress::Embedded(_) => {
                return Err(Error::internal(format!(
                    "'{address}' is an in-process configuration, not a service"
                )));
            }
        })
    }

    /// The token to send in Hello (network listeners only).
    pub(super) fn token(&self) -> Option<String> {
        match self {
            Endpoint::Tls(t) => t.token.clone(),
            _ => None,
        }
    }
}

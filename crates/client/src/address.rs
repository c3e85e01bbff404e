//! [`ServerAddress`]: what a server name means, parsed once.
//!
//! | form | meaning |
//! |---|---|
//! | `.`, `(local)`, `localhost`, empty | the local service at its default endpoint |
//! | `unix:<path>`, `pipe:<path>` | the local service on that socket or named pipe |
//! | `ssh://[user@]host[:port]` | a service on another host, through ssh |
//! | `tls://host:port`, `tcp://127.0.0.1:port` | a service's network listener |
//! | `embedded:[<path>]` | a configuration opened in this process (none: the one in force) |
//!
//! Prefixes are case-insensitive (`UNIX:/run/x.sock` is the socket `/run/x.sock`).
//! [`parse_list`] reads a comma-separated list of them.

use ssis_core::error::{Error, ErrorKind, Result};
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// Names that mean the local service.
pub const LOCAL_NAMES: [&str; 3] = [".", "(local)", "localhost"];
/// Prefix of an in-process session.
pub const EMBEDDED_PREFIX: &str = "embedded:";
/// Prefix naming a socket explicitly.
pub const UNIX_PREFIX: &str = "unix:";
/// Prefix of an explicit named pipe (Windows).
pub const PIPE_PREFIX: &str = "pipe:";
/// Prefix of a service reached over ssh.
pub const SSH_PREFIX: &str = "ssh://";
/// Prefix of a TLS listener.
pub const TLS_PREFIX: &str = "tls://";
/// Prefix of a plain TCP listener (loopback only).
pub const TCP_PREFIX: &str = "tcp://";

/// A server, as a session connects to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerAddress {
    /// The local service at its default endpoint.
    Local,
    /// The local service on an explicit socket (`unix:`) or pipe (`pipe:`).
    Socket(PathBuf),
    /// `ssh://` and what follows the prefix (`[user@]host[:port]`).
    Ssh(String),
    /// `tls://` (or plain `tcp://` when `plaintext`) and what follows the prefix.
    Tls {
        /// `tcp://`: no TLS (loopback only).
        plaintext: bool,
        /// `host:port`.
        rest: String,
    },
    /// A configuration opened in this process (`None`: the one in force).
    Embedded(Option<PathBuf>),
}

/// `text` without `prefix`, matched case-insensitively.
fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

impl ServerAddress {
    /// Whether this names a service (reached over a transport), not an
    /// in-process configuration.
    pub fn is_service(&self) -> bool {
        !matches!(self, ServerAddress::Embedded(_))
    }
}

impl FromStr for ServerAddress {
    type Err = Error;

    fn from_str(text: &str) -> Result<ServerAddress> {
        let s = text.trim();
        if s.is_empty() || LOCAL_NAMES.iter().any(|n| n.eq_ignore_ascii_case(s)) {
            return Ok(ServerAddress::Local);
        }
        if let Some(path) = strip_prefix_ci(s, EMBEDDED_PREFIX) {
            let path = path.trim();
            return Ok(ServerAddress::Embedded(
                (!path.is_empty()).then(|| PathBuf::from(path)),
            ));
        }
        for prefix in [UNIX_PREFIX, PIPE_PREFIX] {
            if let Some(path) = strip_prefix_ci(s, prefix) {
                let path = path.trim();
                if path.is_empty() {
                    return Err(Error::new(
                        ErrorKind::Connection,
                        format!("'{s}' names no socket: write {prefix}<path>"),
                    )
                    .with_target(s.to_string()));
                }
                return Ok(ServerAddress::Socket(PathBuf::from(path)));
            }
        }
        if let Some(rest) = strip_prefix_ci(s, SSH_PREFIX) {
            return Ok(ServerAddress::Ssh(rest.to_string()));
        }
        for (prefix, plaintext) in [(TLS_PREFIX, false), (TCP_PREFIX, true)] {
            if let Some(rest) = strip_prefix_ci(s, prefix) {
                return Ok(ServerAddress::Tls {
                    plaintext,
                    rest: rest.to_string(),
                });
            }
        }
        Err(Error::new(
            ErrorKind::Connection,
            format!(
                "cannot connect to '{s}': use '.', '(local)' or 'localhost' for the local service, \
                 'unix:<socket path>' for a service on another socket, 'ssh://[user@]host[:port]' or \
                 'tls://host:port' for a service on another machine, or 'embedded:<path to MsDtsSrvr.ini.xml>' \
                 for a configuration opened in-process"
            ),
        )
        .with_target(s.to_string()))
    }
}

impl fmt::Display for ServerAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerAddress::Local => f.write_str("."),
            ServerAddress::Socket(p) if cfg!(windows) => write!(f, "{PIPE_PREFIX}{}", p.display()),
            ServerAddress::Socket(p) => write!(f, "{UNIX_PREFIX}{}", p.display()),
            ServerAddress::Ssh(rest) => write!(f, "{SSH_PREFIX}{rest}"),
            ServerAddress::Tls {
                plaintext: false,
                rest,
            } => write!(f, "{TLS_PREFIX}{rest}"),
            ServerAddress::Tls {
                plaintext: true,
                rest,
            } => write!(f, "{TCP_PREFIX}{rest}"),
            ServerAddress::Embedded(None) => f.write_str(EMBEDDED_PREFIX),
            ServerAddress::Embedded(Some(p)) => write!(f, "{EMBEDDED_PREFIX}{}", p.display()),
        }
    }
}

/// The servers of a comma-separated list (empty entries skipped).
pub fn parse_list(spec: &str) -> Result<Vec<ServerAddress>> {
    spec.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::parse)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> ServerAddress {
        s.parse().unwrap()
    }

    #[test]
    fn every_form_and_case_insensitive_prefixes() {
        for local in ["", ".", "(LOCAL)", "LocalHost", "  .  "] {
            assert_eq!(parse(local), ServerAddress::Local, "{local:?}");
        }
        assert_eq!(
            parse("UNIX:/tmp/x.sock"),
            ServerAddress::Socket("/tmp/x.sock".into())
        );
        assert_eq!(
            parse("unix: /tmp/x.sock "),
            ServerAddress::Socket("/tmp/x.sock".into())
        );
        assert_eq!(
            parse(r"Pipe:\\.\pipe\ssis-x"),
            ServerAddress::Socket(r"\\.\pipe\ssis-x".into())
        );
        assert_eq!(
            parse("SSH://alice@etl01:2222"),
            ServerAddress::Ssh("alice@etl01:2222".into())
        );
        assert_eq!(
            parse("TLS://etl01:7443"),
            ServerAddress::Tls {
                plaintext: false,
                rest: "etl01:7443".into()
            }
        );
        assert_eq!(
            parse("tcp://127.0.0.1:9"),
            ServerAddress::Tls {
                plaintext: true,
                rest: "127.0.0.1:9".into()
            }
        );
        assert_eq!(parse("Embedded:"), ServerAddress::Embedded(None));
        assert_eq!(
            parse("embedded:/etc/x.xml"),
            ServerAddress::Embedded(Some("/etc/x.xml".into()))
        );
        assert!("unix:".parse::<ServerAddress>().is_err());
        let e = "etl01".parse::<ServerAddress>().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Connection);
        assert_eq!(e.target.as_deref(), Some("etl01"));
    }

    #[test]
    fn display_gives_back_a_parsable_canonical_form() {
        for s in [
            ".",
            "ssh://a@h:22",
            "tls://h:1",
            "tcp://127.0.0.1:2",
            "embedded:",
            "embedded:/x.xml",
        ] {
            assert_eq!(parse(s).to_string(), s);
            assert_eq!(parse(&parse(s).to_string()), parse(s));
        }
        #[cfg(unix)]
        assert_eq!(parse("UNIX:/a").to_string(), "unix:/a");
    }

    #[test]
    fn lists() {
        assert_eq!(
            parse_list(" ., ,ssh://h,").unwrap(),
            vec![ServerAddress::Local, ServerAddress::Ssh("h".into())]
        );
        assert!(parse_list(".,bogus").is_err());
    }
}

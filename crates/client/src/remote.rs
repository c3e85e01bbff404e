//! Sessions with a service over a transport ([`super::transport`]: the local
//! socket for `.`, `(local)`, `localhost`, `unix:<socket path>`; ssh for
//! `ssh://`; TLS or loopback TCP for `tls://`/`tcp://`), and the session
//! operations that only a service can do: running packages, monitoring,
//! events, service control.
//!
//! The client is blocking, one request at a time per connection. A session
//! may be shared between threads: a call takes an idle connection, or opens
//! another one when all are busy, so a long call (waiting for an execution)
//! does not hold up the others; a broken connection is dropped and a new one
//! opened on the next call.
//!
//! This file holds the session's connection pool (`Remote`) and the
//! shared constants; `remote/` holds the rest: `conn` (one connection:
//! opening, Hello, an exchange), `listing` (chunked `ListPackages`),
//! `store` (the store operations), `session` (the service-only operations),
//! `events` (live event subscriptions) and `registration` (command-line runs
//! registered with the service).

mod conn;
mod events;
mod listing;
mod registration;
mod session;
mod store;
#[cfg(all(test, unix))]
mod tests;

pub use events::{EventStream, LiveEvent};
pub use registration::Registration;

use super::transport::{ConnectOptions, Duplex, Endpoint};
use super::{ServerAddress, ServerInfo};
use conn::hello;
use serde::de::DeserializeOwned;
use serde_json::Value;
use ssis_core::error::{Error, ErrorKind, Result};
use ssis_core::protocol::MAX_MESSAGE_SIZE;
use ssis_core::protocol::Request;
use ssis_core::protocol::service::HelloResult;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Idle connections a session keeps for its next calls.
const MAX_IDLE: usize = 4;

/// How long an ordinary request may take before the client gives up.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// The largest message a client accepts by default.
pub const DEFAULT_MESSAGE_LIMIT: usize = MAX_MESSAGE_SIZE * 64;

struct Conn {
    reader: BufReader<Box<dyn Duplex>>,
    /// The largest line read from the service.
    limit: usize,
}

/// A connection to the service.
pub(super) struct Remote {
    endpoint: Endpoint,
    /// Where the connection went (the socket path, or the server name).
    target: String,
    hello: HelloResult,
    /// The largest message read from the service.
    limit: usize,
    /// Connections not in use; at most [`MAX_IDLE`] are kept.
    idle: Mutex<Vec<Conn>>,
    next_id: AtomicU64,
}

impl Remote {
    /// Connects to the service `server` names and says Hello.
    pub(super) fn connect(address: &ServerAddress, options: &ConnectOptions) -> Result<Remote> {
        let endpoint = Endpoint::from_address(address, options)?;
        let limit = options.max_message_bytes.unwrap_or(DEFAULT_MESSAGE_LIMIT);
        let (mut conn, target) = Conn::open(&endpoint, &address.to_string(), limit)?;
        let hello = hello(&mut conn, endpoint.token())?;
        Ok(Remote {
            endpoint,
            target,
            hello,
            limit,
            idle: Mutex::new(vec![conn]),
            next_id: AtomicU64::new(1),
        })
    }

    /// Opens a new connection to the same service and says Hello.
    fn reopen(&self) -> Result<Conn> {
        let endpoint = match &self.endpoint {
            Endpoint::Local(_) => Endpoint::Local(vec![PathBuf::from(&self.target)]),
            other => other.clone(),
        };
        let (mut conn, _) = Conn::open(&endpoint, &self.target, self.limit)?;
        hello(&mut conn, endpoint.token())?;
        Ok(conn)
    }

    /// The user the service identified this session as.
    pub(super) fn user(&self) -> &str {
        &self.hello.user
    }

    /// What the session is connected to.
    pub(super) fn info(&self, server: &str) -> ServerInfo {
        ServerInfo {
            server: server.to_string(),
            mode: "Local".into(),
            config_path: None,
            version: self.hello.version.clone(),
        }
    }

    /// One request; re-opens a broken connection first.
    pub(super) fn call_value(&self, request: &Request, timeout: Option<Duration>) -> Result<Value> {
        self.with_conn(|conn, id| conn.call(id, request, timeout))
    }

    /// Runs `exchange` on an idle connection (or a new one) with a fresh
    /// request id; the connection is kept unless the link broke.
    fn with_conn<T>(&self, exchange: impl FnOnce(&mut Conn, u64) -> Result<T>) -> Result<T> {
        let taken = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut conn = match taken {
            Some(conn) => conn,
            None => self.reopen()?,
        };
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let result = exchange(&mut conn, id).map_err(|e| conn.explain(e));
        let broken = result.as_ref().err().is_some_and(|e| {
            matches!(
                e.kind,
                ErrorKind::Connection | ErrorKind::Timeout | ErrorKind::Protocol
            )
        });
        if !broken {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < MAX_IDLE {
                idle.push(conn);
            }
        }
        result
    }

    /// One request, its result typed.
    pub(super) fn call<R: DeserializeOwned>(&self, request: Request) -> Result<R> {
        self.call_timeout(request, Some(REQUEST_TIMEOUT))
    }

    fn call_timeout<R: DeserializeOwned>(
        &self,
        request: Request,
        timeout: Option<Duration>,
    ) -> Result<R> {
        let v = self.call_value(&request, timeout)?;
        serde_json::from_value(v).map_err(|e| {
            Error::new(
                ErrorKind::Protocol,
                format!(
                    "unexpected {} result from the service: {e}",
                    request.method()
                ),
            )
        })
    }
}

/// A file argument made absolute, since the service does not share the client's working directory.
fn absolute(file: impl AsRef<Path>) -> String {
    let file = file.as_ref();
    std::path::absolute(file)
        .unwrap_or_else(|_| file.to_path_buf())
        .display()
        .to_string()
}

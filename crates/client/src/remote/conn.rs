//! One connection to the service: opening it (the first local socket that
//! answers, checked before use, or the ssh/TLS transport), the Hello
//! exchange, and a request sent and its response read.

use super::{Conn, REQUEST_TIMEOUT};
use crate::transport::{Duplex, Endpoint};
use serde_json::Value;
use ssis_core::error::{Error, ErrorKind, Result};
use ssis_core::protocol::codec::{Frame, encode, read_frame};
use ssis_core::protocol::envelope::ServerMessage;
use ssis_core::protocol::service::{HelloParams, HelloResult};
use ssis_core::protocol::{Envelope, MAX_GREETED_MESSAGE_SIZE, PROTOCOL_VERSION, Request};
use std::io::{BufReader, Write};
use std::path::PathBuf;
use std::time::Duration;

fn no_service(server: &str, tried: &[PathBuf], cause: &str) -> Error {
    let list: Vec<String> = tried.iter().map(|p| format!("'{}'", p.display())).collect();
    let (start, endpoint) = if cfg!(windows) {
        (
            "'ssis service start'",
            "pipe with --server pipe:\\\\.\\pipe\\<name>",
        )
    } else {
        (
            "'systemctl start ssis-service'",
            "socket with --server unix:<path>",
        )
    };
    Error::new(
        ErrorKind::Connection,
        format!(
            "cannot connect to the SSIS service '{server}': no service answers at {} ({cause}). \
             Start it with 'ssis service run' (or {start}), or name its {endpoint} \
             or ${}; to work on a configuration file without the service, \
             use --config <file> (server 'embedded:<file>')",
            list.join(" or "),
            ssis_core::protocol::paths::SOCKET_ENV
        ),
    )
    .with_target(server.to_string())
}

/// Why a local endpoint could not be used.
enum OpenFailure {
    /// Nothing answers there: try the next candidate.
    NotThere(std::io::Error),
    /// Something answers but is not to be trusted: stop (Unix sockets;
    /// Windows pipes are not checked yet).
    #[cfg_attr(windows, allow(dead_code))]
    Refused(Error),
}

/// Connects to the socket `path` and checks who listens (root, the caller
/// or the service account: [`ssis_core::protocol::peer`]) before anything is sent.
#[cfg(unix)]
fn open_socket(path: &std::path::Path) -> std::result::Result<Box<dyn Duplex>, OpenFailure> {
    let stream = std::os::unix::net::UnixStream::connect(path).map_err(OpenFailure::NotThere)?;
    ssis_core::protocol::peer::check_server(&stream, path).map_err(OpenFailure::Refused)?;
    Ok(Box::new(stream))
}

#[cfg(windows)]
fn open_socket(path: &std::path::Path) -> std::result::Result<Box<dyn Duplex>, OpenFailure> {
    Ok(Box::new(
        crate::pipe::PipeStream::connect(path).map_err(OpenFailure::NotThere)?,
    ))
}

impl Conn {
    fn new(stream: Box<dyn Duplex>, limit: usize) -> Conn {
        Conn {
            reader: BufReader::with_capacity(64 * 1024, stream),
            limit,
        }
    }

    /// Opens `endpoint`: the first local socket that answers, or the ssh/TLS transport.
    pub(super) fn open(endpoint: &Endpoint, server: &str, limit: usize) -> Result<(Conn, String)> {
        match endpoint {
            Endpoint::Local(paths) => {
                let mut last = String::from("no socket to try");
                let mut denied = None;
                for path in paths {
                    match open_socket(path) {
                        Ok(s) => return Ok((Conn::new(s, limit), path.display().to_string())),
                        Err(OpenFailure::NotThere(e)) => {
                            if e.kind() == std::io::ErrorKind::PermissionDenied {
                                denied.get_or_insert_with(|| path.clone());
                            }
                            last = e.to_string();
                        }
                        Err(OpenFailure::Refused(e)) => {
                            return Err(e.with_target(server.to_string()));
                        }
                    }
                }
                // A socket that is there but closed to this user says so,
                // rather than "no service answers".
                if let Some(path) = denied {
                    return Err(Error::new(
                        ErrorKind::AccessDenied,
                        format!(
                            "permission denied on '{}': the SSIS service runs, but this account may \
                             not open its socket; ask an administrator for access",
                            path.display()
                        ),
                    )
                    .with_target(path.display().to_string()));
                }
                Err(no_service(server, paths, &last))
            }
            Endpoint::Ssh(t) => Ok((Conn::new(Box::new(t.open()?), limit), server.to_string())),
            Endpoint::Tls(t) => Ok((Conn::new(t.open()?, limit), server.to_string())),
        }
    }

    pub(super) fn set_timeout(&self, timeout: Option<Duration>) {
        self.reader.get_ref().set_read_timeout(timeout);
    }

    /// A transport-level explanation (ssh's stderr) in place of a bare "closed".
    pub(super) fn explain(&mut self, err: Error) -> Error {
        if err.kind != ErrorKind::Connection && err.kind != ErrorKind::Timeout {
            return err;
        }
        match self.reader.get_mut().diagnose() {
            Some(why) => Error::new(ErrorKind::Connection, why),
            None => err,
        }
    }

    /// Sends one request and reads until its response (skipping notifications).
    pub(super) fn call(
        &mut self,
        id: u64,
        request: &Request,
        timeout: Option<Duration>,
    ) -> Result<Value> {
        let method = request.method();
        let line = encode(&Envelope::new(Value::from(id), request));
        if line.len() > MAX_GREETED_MESSAGE_SIZE + 1 {
            return Err(Error::invalid(format!(
                "the {method} request is {} bytes, more than the protocol's limit of {MAX_GREETED_MESSAGE_SIZE}",
                line.len()
            )));
        }
        self.reader
            .get_mut()
            .write_all(&line)
            .and_then(|_| self.reader.get_mut().flush())
            .map_err(|e| lost(method.name(), &e))?;
        self.set_timeout(timeout);
        loop {
            match read_frame(&mut self.reader, self.limit).map_err(|e| lost(method.name(), &e))? {
                Frame::Eof => {
                    return Err(Error::new(
                        ErrorKind::Connection,
                        format!("the service closed the connection during {method}"),
                    ));
                }
                Frame::Oversized(n) => {
                    return Err(Error::new(
                        ErrorKind::Protocol,
                        format!("the service sent a {n}-byte message"),
                    ));
                }
                Frame::Line(line) => match ServerMessage::parse(&line) {
                    Ok(ServerMessage::Response(r)) if r.id.as_u64() == Some(id) => {
                        return match (r.result, r.error) {
                            (_, Some(err)) => Err(err),
                            (Some(v), None) => Ok(v),
                            (None, None) => Ok(Value::Null),
                        };
                    }
                    Ok(_) => continue,
                    Err(e) => {
                        return Err(Error::new(
                            ErrorKind::Protocol,
                            format!("the service sent a malformed message: {e}"),
                        ));
                    }
                },
            }
        }
    }
}

pub(super) fn lost(method: &str, e: &std::io::Error) -> Error {
    let kind = match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => ErrorKind::Timeout,
        _ => ErrorKind::Connection,
    };
    Error::new(
        kind,
        format!("connection to the service lost during {method}: {e}"),
    )
}

pub(super) fn hello(conn: &mut Conn, token: Option<String>) -> Result<HelloResult> {
    let params = HelloParams {
        token,
        protocol: PROTOCOL_VERSION,
        client: Some(format!(
            "{} {} (pid {})",
            std::env::current_exe()
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| "ssis".into()),
            env!("CARGO_PKG_VERSION"),
            std::process::id()
        )),
    };
    let v = match conn.call(0, &Request::Hello(params), Some(REQUEST_TIMEOUT)) {
        Ok(v) => v,
        Err(e) => return Err(conn.explain(e)),
    };
    serde_json::from_value(v)
        .map_err(|e| Error::new(ErrorKind::Protocol, format!("bad Hello answer: {e}")))
}

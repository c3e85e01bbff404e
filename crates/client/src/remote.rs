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

use super::Session;
use super::transport::{ConnectOptions, Duplex, Endpoint};
use super::{Items, PackageInfo, ServerAddress, ServerInfo};
use serde::de::DeserializeOwned;
use serde_json::Value;
use ssis_core::error::{Error, ErrorKind, Result};
use ssis_core::protocol::codec::{Frame, encode, read_frame};
use ssis_core::protocol::envelope::ServerMessage;
use ssis_core::protocol::events::{
    self as ev, EventFilter, ExecutionEvent, LogEntry, SubscribeParams,
};
use ssis_core::protocol::executions::{
    CANCEL_REQUESTED, Execution, ExecutionIdParams, FinishParams, HistoryFilter, OutputChunk,
    OutputParams, RegisterParams, RunParams, WaitParams,
};
use ssis_core::protocol::service::{HelloParams, HelloResult, ServiceInfo};
use ssis_core::protocol::store as st;
use ssis_core::protocol::{
    Envelope, MAX_GREETED_MESSAGE_SIZE, MAX_MESSAGE_SIZE, NoParams, Notification, PROTOCOL_VERSION,
    Request,
};
use ssis_core::store::{ExistsResult, ExportResult, FolderEntry, PackageEntry, StorePath};
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Idle connections a session keeps for its next calls.
const MAX_IDLE: usize = 4;

/// How long an ordinary request may take before the client gives up.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

mod listing;

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
        super::pipe::PipeStream::connect(path).map_err(OpenFailure::NotThere)?,
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
    fn open(endpoint: &Endpoint, server: &str, limit: usize) -> Result<(Conn, String)> {
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

    fn set_timeout(&self, timeout: Option<Duration>) {
        self.reader.get_ref().set_read_timeout(timeout);
    }

    /// A transport-level explanation (ssh's stderr) in place of a bare "closed".
    fn explain(&mut self, err: Error) -> Error {
        if err.kind != ErrorKind::Connection && err.kind != ErrorKind::Timeout {
            return err;
        }
        match self.reader.get_mut().diagnose() {
            Some(why) => Error::new(ErrorKind::Connection, why),
            None => err,
        }
    }

    /// Sends one request and reads until its response (skipping notifications).
    fn call(&mut self, id: u64, request: &Request, timeout: Option<Duration>) -> Result<Value> {
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

fn lost(method: &str, e: &std::io::Error) -> Error {
    let kind = match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => ErrorKind::Timeout,
        _ => ErrorKind::Connection,
    };
    Error::new(
        kind,
        format!("connection to the service lost during {method}: {e}"),
    )
}

fn hello(conn: &mut Conn, token: Option<String>) -> Result<HelloResult> {
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

/// Live events from a subscription (its own connection).
pub struct EventStream {
    conn: Conn,
}

/// One live event.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveEvent {
    /// An execution's event or status change.
    Execution(ExecutionEvent),
    /// A new event-log entry.
    Log(LogEntry),
    /// Events were dropped because the reader was slow.
    Lagged(u64),
}

impl EventStream {
    /// Waits for the next event; `None` when the service closed the stream.
    pub fn next_event(&mut self, timeout: Option<Duration>) -> Result<Option<LiveEvent>> {
        self.conn.set_timeout(timeout);
        loop {
            let frame = read_frame(&mut self.conn.reader, MAX_MESSAGE_SIZE * 64)
                .map_err(|e| lost(ev::SUBSCRIBE, &e))?;
            let line = match frame {
                Frame::Eof => return Ok(None),
                Frame::Oversized(_) => continue,
                Frame::Line(l) => l,
            };
            let Ok(ServerMessage::Notification(Notification {
                notification,
                params,
            })) = ServerMessage::parse(&line)
            else {
                continue;
            };
            let bad = |e: serde_json::Error| {
                Error::new(ErrorKind::Protocol, format!("bad {notification}: {e}"))
            };
            return Ok(Some(match notification.as_str() {
                ev::EXECUTION_EVENT => {
                    LiveEvent::Execution(serde_json::from_value(params).map_err(bad)?)
                }
                ev::LOG_EVENT => LiveEvent::Log(serde_json::from_value(params).map_err(bad)?),
                "AccessRevoked" => {
                    let message = params["Message"]
                        .as_str()
                        .unwrap_or("Access is denied: the subscription's right was revoked");
                    return Err(Error::new(ErrorKind::AccessDenied, message));
                }
                _ => LiveEvent::Lagged(params["Missed"].as_u64().unwrap_or(0)),
            }));
        }
    }
}

/// A run registered with [`Session::register_run`].
pub struct Registration {
    session: Session,
    execution: Execution,
}

impl Registration {
    /// The execution as the service recorded it.
    pub fn execution(&self) -> &Execution {
        &self.execution
    }

    /// Reports how the run ended (dtexec's exit code).
    pub fn finish(&self, exit_code: i32) -> Result<Execution> {
        self.session
            .remote()?
            .call(Request::ExecutionFinish(FinishParams {
                execution_id: self.execution.execution_id.clone(),
                exit_code,
            }))
    }
}

/// Operations that need the service.
impl Session {
    fn remote(&self) -> Result<&Remote> {
        self.remote_backend().ok_or_else(|| {
            Error::new(
                ErrorKind::Unsupported,
                format!(
                    "'{}' is an in-process session; running and monitoring packages needs the service: \
                     connect to '.' (start the service with 'ssis service run')",
                    self.server()
                ),
            )
        })
    }

    /// Starts a stored package (`Package`) or a package file (`File`).
    pub fn run(&self, params: &RunParams) -> Result<Execution> {
        let mut params = params.clone();
        params.file = params.file.as_deref().map(absolute);
        self.remote()?.call(Request::ExecutionRun(params))
    }

    /// Asks an execution to stop; returns it (status `Stopping`, or final).
    pub fn execution_stop(&self, execution_id: &str) -> Result<Execution> {
        let p = ExecutionIdParams {
            execution_id: execution_id.into(),
        };
        self.remote()?.call(Request::ExecutionStop(p))
    }

    /// Executions that have not ended.
    pub fn executions_list(&self) -> Result<Items<Execution>> {
        self.remote()?.call(Request::ExecutionList(NoParams))
    }

    /// One execution.
    pub fn execution_get(&self, execution_id: &str) -> Result<Execution> {
        let p = ExecutionIdParams {
            execution_id: execution_id.into(),
        };
        self.remote()?.call(Request::ExecutionGet(p))
    }

    /// A chunk of an execution's output from `offset`.
    pub fn execution_output(
        &self,
        execution_id: &str,
        offset: u64,
        max_bytes: Option<u64>,
    ) -> Result<OutputChunk> {
        let p = OutputParams {
            execution_id: execution_id.into(),
            offset,
            max_bytes,
        };
        self.remote()?.call(Request::ExecutionOutput(p))
    }

    /// Waits until an execution ends (`timeout` None: for ever; else error `Timeout`).
    pub fn execution_wait(
        &self,
        execution_id: &str,
        timeout: Option<Duration>,
    ) -> Result<Execution> {
        let p = WaitParams {
            execution_id: execution_id.into(),
            timeout_ms: timeout.map(|t| t.as_millis().min(u128::from(u64::MAX)) as u64),
        };
        let client_timeout = timeout.map(|t| t + Duration::from_secs(30));
        self.remote()?
            .call_timeout(Request::ExecutionWait(p), client_timeout)
    }

    /// Execution history, newest first.
    pub fn execution_history(&self, filter: &HistoryFilter) -> Result<Items<Execution>> {
        self.remote()?
            .call(Request::ExecutionHistory(filter.clone()))
    }

    /// Event-log entries, oldest first.
    pub fn events_read(&self, filter: &EventFilter) -> Result<Items<LogEntry>> {
        self.remote()?.call(Request::EventsRead(filter.clone()))
    }

    /// Opens a subscription to live events (of one execution, or all events).
    pub fn events_subscribe(&self, execution_id: Option<&str>) -> Result<EventStream> {
        let mut conn = self.remote()?.reopen()?;
        let p = SubscribeParams {
            execution_id: execution_id.map(str::to_string),
        };
        conn.call(1, &Request::EventsSubscribe(p), Some(REQUEST_TIMEOUT))?;
        Ok(EventStream { conn })
    }

    /// Registers a run of `ssis exec` started outside the service, so that
    /// it is listed and kept in history. `on_cancel` is called (on a thread
    /// of the registration) when someone with the right asks the run to
    /// stop. Report the end with [`Registration::finish`].
    pub fn register_run(
        &self,
        params: RegisterParams,
        on_cancel: impl Fn() + Send + 'static,
    ) -> Result<Registration> {
        let mut conn = self.remote()?.reopen()?;
        let value = conn.call(
            1,
            &Request::ExecutionRegister(params),
            Some(REQUEST_TIMEOUT),
        )?;
        let execution: Execution = serde_json::from_value(value).map_err(|e| {
            Error::new(
                ErrorKind::Protocol,
                format!("bad ExecutionRegister result: {e}"),
            )
        })?;
        // The registration connection only carries CancelRequested from now on.
        std::thread::spawn(move || {
            conn.set_timeout(None);
            while let Ok(frame) = read_frame(&mut conn.reader, MAX_MESSAGE_SIZE) {
                let Frame::Line(line) = frame else {
                    if matches!(frame, Frame::Eof) {
                        break;
                    }
                    continue;
                };
                if let Ok(ServerMessage::Notification(n)) = ServerMessage::parse(&line) {
                    if n.notification == CANCEL_REQUESTED {
                        on_cancel();
                    }
                }
            }
        });
        Ok(Registration {
            session: self.clone(),
            execution,
        })
    }

    /// What the service is and runs with.
    pub fn service_info(&self) -> Result<ServiceInfo> {
        self.remote()?.call(Request::ServiceInfo(NoParams))
    }

    /// Makes the service re-read its configuration (refused if invalid).
    pub fn service_reload(&self) -> Result<ServiceInfo> {
        self.remote()?.call(Request::ServiceReload(NoParams))
    }

    /// Asks the service to stop.
    pub fn service_stop(&self) -> Result<()> {
        let _: Value = self.remote()?.call(Request::ServiceStop(NoParams))?;
        Ok(())
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

/// The store operations, as the embedded backend has them, over the protocol.
impl Remote {
    pub(super) fn get_config(&self) -> Result<ssis_core::config::ServiceConfig> {
        self.call(Request::GetConfig(NoParams))
    }
    pub(super) fn set_config(&self, json: &str) -> Result<ssis_core::config::ServiceConfig> {
        let config: Value = serde_json::from_str(json).map_err(|e| {
            Error::invalid(format!("the configuration is not valid JSON: {e}"))
                .with_target("config_json")
        })?;
        self.call(Request::SetConfig(st::SetConfigParams { config }))
    }
    pub(super) fn list_folders(&self, path: &StorePath) -> Result<Items<FolderEntry>> {
        let p = st::ListFoldersParams {
            path: Some(path.to_string()),
        };
        self.call(Request::ListFolders(p))
    }
    pub(super) fn list_packages(
        &self,
        folder: &StorePath,
        recursive: bool,
    ) -> Result<Items<PackageEntry>> {
        let p = st::ListPackagesParams {
            folder: folder.to_string(),
            recursive,
            chunk_bytes: None,
        };
        self.with_conn(|conn, id| conn.list_packages(id, p, Some(REQUEST_TIMEOUT)))
    }
    pub(super) fn package_info(&self, path: &StorePath) -> Result<PackageInfo> {
        self.call(Request::PackageInfo(st::PathParams {
            path: path.to_string(),
        }))
    }
    pub(super) fn folder_create(&self, path: &StorePath) -> Result<FolderEntry> {
        self.call(Request::FolderCreate(st::PathParams {
            path: path.to_string(),
        }))
    }
    pub(super) fn folder_rename(&self, path: &StorePath, new_name: &str) -> Result<FolderEntry> {
        let p = st::FolderRenameParams {
            path: path.to_string(),
            new_name: new_name.into(),
        };
        self.call(Request::FolderRename(p))
    }
    pub(super) fn folder_delete(&self, path: &StorePath, recursive: bool) -> Result<()> {
        let p = st::FolderDeleteParams {
            path: path.to_string(),
            recursive,
        };
        let _: Value = self.call(Request::FolderDelete(p))?;
        Ok(())
    }
    pub(super) fn package_import(
        &self,
        file: &Path,
        dest: &StorePath,
        replace: bool,
    ) -> Result<PackageEntry> {
        // The file is read here, with the caller's own rights; the service
        // never opens a path a client names.
        let data = ssis_core::package::read_package_file(file)?;
        let name = file
            .file_stem()
            .and_then(|s| s.to_str())
            .map(str::to_string);
        let p = st::ImportParams {
            file: String::new(),
            content: Some(ssis_core::protocol::encode_content(&data)),
            name,
            dest: dest.to_string(),
            replace,
        };
        self.call(Request::PackageImport(p))
    }
    pub(super) fn package_export(
        &self,
        path: &StorePath,
        file: &Path,
        replace: bool,
    ) -> Result<ExportResult> {
        // The service returns the bytes; the file is written here, with the
        // caller's own rights (an existing file is checked first, so nothing
        // is fetched for a refusal).
        let target = file;
        if !replace && target.exists() {
            return Err(Error::new(
                ErrorKind::AlreadyExists,
                format!("'{}' already exists", target.display()),
            )
            .with_target(target.display().to_string()));
        }
        let p = st::ExportParams {
            path: path.to_string(),
            file: String::new(),
            replace,
        };
        let mut result: ExportResult = self.call(Request::PackageExport(p))?;
        let content = result.content.take().ok_or_else(|| {
            Error::new(
                ErrorKind::Protocol,
                "the service answered PackageExport without the package's content",
            )
        })?;
        let data = ssis_core::protocol::decode_content(&content)?;
        ssis_core::fsutil::write_atomic(target, &data, replace)?;
        result.file = absolute(file);
        result.size = data.len() as u64;
        Ok(result)
    }
    pub(super) fn package_copy(
        &self,
        source: &StorePath,
        dest: &StorePath,
        replace: bool,
    ) -> Result<PackageEntry> {
        self.call(Request::PackageCopy(transfer(source, dest, replace)))
    }
    pub(super) fn package_move(
        &self,
        source: &StorePath,
        dest: &StorePath,
        replace: bool,
    ) -> Result<PackageEntry> {
        self.call(Request::PackageMove(transfer(source, dest, replace)))
    }
    pub(super) fn package_delete(&self, path: &StorePath) -> Result<()> {
        let _: Value = self.call(Request::PackageDelete(st::PathParams {
            path: path.to_string(),
        }))?;
        Ok(())
    }
    pub(super) fn exists(&self, path: &StorePath) -> Result<ExistsResult> {
        self.call(Request::Exists(st::PathParams {
            path: path.to_string(),
        }))
    }
}

/// The parameters of a copy or a move.
fn transfer(source: &StorePath, dest: &StorePath, replace: bool) -> st::TransferParams {
    st::TransferParams {
        source: source.to_string(),
        dest: dest.to_string(),
        replace,
    }
}

#[cfg(all(test, unix))]
mod tests {
    //! The protocol client against a scripted service on a Unix socket: how
    //! responses are matched, what each failure becomes, and how a session
    //! keeps, drops and re-opens its connections.
    use super::*;
    use serde_json::json;
    use std::io::BufRead;
    use std::os::unix::net::UnixListener;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;

    /// What the scripted service does with a request (after Hello).
    enum Reply {
        /// These lines, as they are.
        Lines(Vec<String>),
        /// Close the connection.
        Close,
        /// Answer nothing.
        Silent,
    }

    struct Service {
        _dir: tempfile::TempDir,
        socket: PathBuf,
        /// Connections accepted.
        accepted: Arc<AtomicUsize>,
    }

    fn ok_line(id: &Value, result: Value) -> String {
        json!({"Id": id, "Result": result}).to_string()
    }

    /// A service answering Hello itself and every other request with `reply`
    /// (given the request's envelope).
    fn service(reply: impl Fn(&Value) -> Reply + Send + Sync + 'static) -> Service {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("ssis.sock");
        let listener = UnixListener::bind(&socket).unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let (count, reply) = (Arc::clone(&accepted), Arc::new(reply));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                count.fetch_add(1, Ordering::SeqCst);
                let reply = Arc::clone(&reply);
                std::thread::spawn(move || {
                    let mut out = stream.try_clone().unwrap();
                    for line in std::io::BufReader::new(stream).lines() {
                        let Ok(line) = line else { return };
                        let request: Value = serde_json::from_str(&line).unwrap();
                        let lines = if request["Method"] == "Hello" {
                            let hello = json!({"Protocol": PROTOCOL_VERSION, "Server": "ssis-service",
                                "Version": "test", "User": "tester"});
                            vec![ok_line(&request["Id"], hello)]
                        } else {
                            match reply(&request) {
                                Reply::Lines(l) => l,
                                Reply::Close => return,
                                Reply::Silent => continue,
                            }
                        };
                        for l in lines {
                            if out.write_all(format!("{l}\n").as_bytes()).is_err() {
                                return;
                            }
                        }
                    }
                });
            }
        });
        Service {
            _dir: dir,
            socket,
            accepted,
        }
    }

    fn connect(s: &Service) -> Remote {
        let address = ServerAddress::Socket(s.socket.clone());
        Remote::connect(&address, &ConnectOptions::default()).unwrap()
    }

    fn list(r: &Remote, timeout: Option<Duration>) -> Result<Value> {
        let request = Request::ListFolders(st::ListFoldersParams { path: None });
        r.call_value(&request, timeout)
    }

    #[test]
    fn the_response_with_the_requests_id_is_the_answer() {
        // Before it: a notification, a response to another id.
        let s = service(|req| {
            Reply::Lines(vec![
                json!({"Notification": "LogEvent", "Params": {}}).to_string(),
                ok_line(&json!(999_999), json!("not mine")),
                ok_line(&req["Id"], json!({"Items": [], "Method": req["Method"]})),
            ])
        });
        let r = connect(&s);
        assert_eq!(r.user(), "tester");
        let v = list(&r, None).unwrap();
        assert_eq!(v, json!({"Items": [], "Method": "ListFolders"}));
        // The connection is kept and reused.
        list(&r, None).unwrap();
        assert_eq!(s.accepted.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_service_error_is_returned_and_the_connection_kept() {
        let s = service(|req| {
            Reply::Lines(vec![
                json!({"Id": req["Id"], "Error":
                {"Kind": "NotFound", "Message": "there is no folder 'X'", "Target": "X"}})
                .to_string(),
            ])
        });
        let r = connect(&s);
        for _ in 0..3 {
            let e = list(&r, None).unwrap_err();
            assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
            assert_eq!(e.target.as_deref(), Some("X"));
        }
        assert_eq!(
            s.accepted.load(Ordering::SeqCst),
            1,
            "an answer is no broken link"
        );
    }

    #[test]
    fn failures_of_the_link_are_named_and_the_connection_replaced() {
        let calls = Arc::new(AtomicUsize::new(0));
        let n = Arc::clone(&calls);
        let s = service(move |req| match n.fetch_add(1, Ordering::SeqCst) {
            0 => Reply::Close,
            1 => Reply::Lines(vec!["{not json".into()]),
            2 => Reply::Silent,
            _ => Reply::Lines(vec![ok_line(&req["Id"], json!({"Items": []}))]),
        });
        let r = connect(&s);
        let e = list(&r, None).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Connection, "{e}");
        assert!(
            e.message
                .contains("closed the connection during ListFolders"),
            "{e}"
        );
        let e = list(&r, None).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Protocol, "{e}");
        assert!(e.message.contains("malformed"), "{e}");
        let e = list(&r, Some(Duration::from_millis(200))).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
        // Each broken connection was dropped: the next call opens another
        // (and says Hello again) and works.
        assert_eq!(list(&r, None).unwrap(), json!({"Items": []}));
        assert_eq!(s.accepted.load(Ordering::SeqCst), 4);
    }

    #[test]
    fn concurrent_calls_use_their_own_connections() {
        // The first request is held until a second one has arrived: one
        // connection at a time would never get there.
        let arrived = Arc::new((Mutex::new(0usize), std::sync::Condvar::new()));
        let a = Arc::clone(&arrived);
        let s = service(move |req| {
            let (count, cv) = &*a;
            let mut n = count.lock().unwrap();
            *n += 1;
            cv.notify_all();
            let deadline = std::time::Instant::now() + Duration::from_secs(20);
            while *n < 2 && std::time::Instant::now() < deadline {
                n = cv.wait_timeout(n, Duration::from_millis(100)).unwrap().0;
            }
            Reply::Lines(vec![ok_line(&req["Id"], json!(*n))])
        });
        let r = Arc::new(connect(&s));
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let r = Arc::clone(&r);
                std::thread::spawn(move || list(&r, Some(Duration::from_secs(30))))
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap().unwrap(), json!(2));
        }
        assert_eq!(s.accepted.load(Ordering::SeqCst), 2);
        assert!(r.idle.lock().unwrap().len() <= MAX_IDLE);
    }

    #[test]
    fn a_request_over_the_limit_is_refused_before_it_is_sent() {
        let s = service(|req| Reply::Lines(vec![ok_line(&req["Id"], json!(null))]));
        let r = connect(&s);
        let big = Request::ListFolders(st::ListFoldersParams {
            path: Some("x".repeat(MAX_GREETED_MESSAGE_SIZE + 10)),
        });
        let e = r.call_value(&big, None).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidArgument, "{e}");
        assert!(e.message.contains("ListFolders request"), "{e}");
        // Nothing was sent, the connection is fine.
        assert_eq!(list(&r, None).unwrap(), json!(null));
        assert_eq!(s.accepted.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn an_unexpected_result_shape_is_a_protocol_error() {
        let s = service(|req| Reply::Lines(vec![ok_line(&req["Id"], json!("not a list"))]));
        let r = connect(&s);
        let e = r.list_folders(&StorePath::root()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Protocol, "{e}");
        assert!(e.message.contains("unexpected ListFolders result"), "{e}");
    }

    #[test]
    fn nothing_listening_is_a_connection_error_naming_the_socket() {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("none.sock");
        let address = ServerAddress::Socket(socket.clone());
        let e = Remote::connect(&address, &ConnectOptions::default())
            .err()
            .expect("nothing listens");
        assert_eq!(e.kind, ErrorKind::Connection, "{e}");
        assert!(e.message.contains(&socket.display().to_string()), "{e}");
        // A Hello answer of the wrong shape.
        let dir2 = tempfile::tempdir().unwrap();
        let path = dir2.path().join("bad.sock");
        let listener = UnixListener::bind(&path).unwrap();
        std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut out = stream.try_clone().unwrap();
            let mut line = String::new();
            std::io::BufReader::new(stream)
                .read_line(&mut line)
                .unwrap();
            let _ = out.write_all(b"{\"Id\":0,\"Result\":{\"Nope\":1}}\n");
        });
        let address = ServerAddress::Socket(path.clone());
        let e = Remote::connect(&address, &ConnectOptions::default())
            .err()
            .expect("bad hello");
        assert_eq!(e.kind, ErrorKind::Protocol, "{e}");
        assert!(e.message.contains("bad Hello answer"), "{e}");
    }

    #[test]
    fn file_arguments_are_made_absolute_for_the_service() {
        let a = absolute("pkg.dtsx");
        assert!(std::path::Path::new(&a).is_absolute(), "{a}");
        assert!(a.ends_with("pkg.dtsx"));
        assert_eq!(absolute("/tmp/x.dtsx"), "/tmp/x.dtsx");
    }
}

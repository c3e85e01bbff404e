//! An open connection to SQL Server over tiberius, behind a synchronous API.

use super::value::SqlValue;
use super::{Auth, SqlServerTarget};
use crate::cancel::CancelToken;
use futures_core::Stream;
use ssis_core::error::{Error, ErrorKind, Result};
use ssis_core::store::msdb::{ServerAddress, instance_request, parse_browser_response};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tiberius::{AuthMethod, Config, EncryptionLevel, QueryItem, ToSql};
use tokio::net::{TcpStream, UdpSocket};
use tokio::runtime::{Handle, Runtime, RuntimeFlavor};
use tokio_util::compat::{Compat, TokioAsyncWriteCompatExt};

pub(super) type Client = tiberius::Client<Compat<TcpStream>>;

/// How often a running statement looks at the cancel token.
const CANCEL_POLL: Duration = Duration::from_millis(100);

/// A result column: its name and SQL Server type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlColumn {
    /// The name (empty for an unnamed expression).
    pub name: String,
    /// tiberius' name of the type, e.g. `Int4`, `NVarchar`, `Datetime2`.
    pub type_name: String,
}

/// One result set: its columns and rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResultSet {
    /// The columns.
    pub columns: Vec<SqlColumn>,
    /// The rows, each with one value per column.
    pub rows: Vec<Vec<SqlValue>>,
}

/// A logged-in connection. Not for use inside a current-thread tokio
/// runtime; from a multi-thread runtime's worker it moves out of the way
/// (`block_in_place`).
pub struct SqlConnection {
    pub(super) rt: Runtime,
    pub(super) client: Option<Client>,
    pub(super) target: SqlServerTarget,
}

impl std::fmt::Debug for SqlConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlConnection")
            .field("server", &self.target.server)
            .field("database", &self.target.database)
            .finish()
    }
}

/// Why a wait ended early.
pub(super) enum Stop {
    Timeout,
    Canceled,
}

impl SqlConnection {
    /// Connects and logs in within the target's connect timeout; stops early
    /// when `cancel` is set.
    pub fn open(target: &SqlServerTarget, cancel: &CancelToken) -> Result<SqlConnection> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| {
                Error::internal(format!("cannot start the SQL Server I/O runtime: {e}"))
            })?;
        let t = target.clone();
        let client = block(
            &rt,
            guarded(connect(t), Some(target.connect_timeout), cancel),
        )?;
        let client = match client {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => return Err(e),
            Err(Stop::Timeout) => {
                return Err(unavailable(
                    target,
                    format!(
                        "login timeout expired after {} s (Connect Timeout)",
                        target.connect_timeout.as_secs()
                    ),
                ));
            }
            Err(Stop::Canceled) => return Err(canceled()),
        };
        Ok(SqlConnection {
            rt,
            client: Some(client),
            target: target.clone(),
        })
    }

    /// The target this connection was opened to.
    pub fn target(&self) -> &SqlServerTarget {
        &self.target
    }

    /// Whether the connection is still usable (not lost to a timeout, a
    /// cancel or a transport failure).
    pub fn is_open(&self) -> bool {
        self.client.is_some()
    }

    /// Runs `sql` (parameters as `@P1`, `@P2`, ... in order) and returns
    /// every result set. `timeout` `None` waits for ever (until canceled).
    pub fn query(
        &mut self,
        sql: &str,
        params: &[SqlValue],
        timeout: Option<Duration>,
        cancel: &CancelToken,
    ) -> Result<Vec<ResultSet>> {
        let sets: std::cell::RefCell<Vec<ResultSet>> = Default::default();
        self.for_each_row(
            sql,
            params,
            timeout,
            cancel,
            &mut |cols| {
                sets.borrow_mut().push(ResultSet {
                    columns: cols.to_vec(),
                    rows: Vec::new(),
                });
                Ok(())
            },
            &mut |row| {
                if let Some(last) = sets.borrow_mut().last_mut() {
                    last.rows.push(row);
                }
                Ok(())
            },
        )?;
        Ok(sets.into_inner())
    }

    /// Runs `sql` and streams its results: `on_columns` at the start of each
    /// result set, `on_row` for each row (an error from either stops the
    /// statement and is returned). Returns the number of rows.
    pub fn for_each_row(
        &mut self,
        sql: &str,
        params: &[SqlValue],
        timeout: Option<Duration>,
        cancel: &CancelToken,
        on_columns: &mut dyn FnMut(&[SqlColumn]) -> Result<()>,
        on_row: &mut dyn FnMut(Vec<SqlValue>) -> Result<()>,
    ) -> Result<u64> {
        let Some(mut client) = self.client.take() else {
            return Err(unavailable(
                &self.target,
                "the connection was lost by an earlier statement that timed out, was canceled or failed in transport",
            ));
        };
        let fut = async {
            let r = run_query(&mut client, sql, params, on_columns, on_row).await;
            (r, client)
        };
        let out = block(&self.rt, guarded(fut, timeout, cancel))?;
        let out = match out {
            Ok((Ok(n), client)) => Ok((Ok(n), client)),
            Ok((Err(QueryError::Sql(e)), client)) => Ok((Err(e), client)),
            Ok((Err(QueryError::Callback(e)), _)) => return Err(e),
            Err(stop) => Err(stop),
        };
        self.settle(out, timeout, "the statement")
    }

    /// Runs `sql` (parameters as `@P1`, ...) for its effect; returns the
    /// rows affected (the sum over its statements), rows of any result
    /// sets being discarded.
    pub fn execute(
        &mut self,
        sql: &str,
        params: &[SqlValue],
        timeout: Option<Duration>,
        cancel: &CancelToken,
    ) -> Result<u64> {
        let Some(mut client) = self.client.take() else {
            return Err(unavailable(
                &self.target,
                "the connection was lost by an earlier statement that timed out, was canceled or failed in transport",
            ));
        };
        let fut = async {
            let refs: Vec<&dyn ToSql> = params.iter().map(|p| p as &dyn ToSql).collect();
            let r = client.execute(sql, &refs).await.map(|r| r.total());
            (r, client)
        };
        let out = block(&self.rt, guarded(fut, timeout, cancel))?;
        self.settle(out, timeout, "the statement")
    }

    /// How a guarded call on the client ended, as this connection's result:
    /// the client is kept after success or a server error (the connection
    /// is sound), dropped after a transport error, a time-out or a cancel.
    pub(super) fn settle<T>(
        &mut self,
        out: std::result::Result<(std::result::Result<T, tiberius::error::Error>, Client), Stop>,
        timeout: Option<Duration>,
        what: &str,
    ) -> Result<T> {
        match out {
            Ok((Ok(n), client)) => {
                self.client = Some(client);
                Ok(n)
            }
            Ok((Err(e), client)) => {
                if matches!(e, tiberius::error::Error::Server(_)) {
                    self.client = Some(client);
                }
                Err(sql_error(&self.target, e))
            }
            Err(Stop::Timeout) => Err(Error::new(
                ErrorKind::Timeout,
                format!(
                    "{}: {what} did not finish within {} s (TimeOut)",
                    self.target.describe(),
                    timeout.map_or(0, |t| t.as_secs())
                ),
            )),
            Err(Stop::Canceled) => Err(canceled()),
        }
    }
}

enum QueryError {
    Sql(tiberius::error::Error),
    Callback(Error),
}

async fn run_query(
    client: &mut Client,
    sql: &str,
    params: &[SqlValue],
    on_columns: &mut dyn FnMut(&[SqlColumn]) -> Result<()>,
    on_row: &mut dyn FnMut(Vec<SqlValue>) -> Result<()>,
) -> std::result::Result<u64, QueryError> {
    let refs: Vec<&dyn ToSql> = params.iter().map(|p| p as &dyn ToSql).collect();
    let mut stream = if params.is_empty() {
        client.simple_query(sql).await.map_err(QueryError::Sql)?
    } else {
        client.query(sql, &refs).await.map_err(QueryError::Sql)?
    };
    let mut n = 0u64;
    loop {
        let item = std::future::poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await;
        match item {
            None => break,
            Some(Err(e)) => return Err(QueryError::Sql(e)),
            Some(Ok(QueryItem::Metadata(m))) => {
                let cols: Vec<SqlColumn> = m
                    .columns()
                    .iter()
                    .map(|c| SqlColumn {
                        name: c.name().to_string(),
                        type_name: format!("{:?}", c.column_type()),
                    })
                    .collect();
                on_columns(&cols).map_err(QueryError::Callback)?;
            }
            Some(Ok(QueryItem::Row(row))) => {
                n += 1;
                let values = row.cells().map(|(_, d)| SqlValue::from_column(d)).collect();
                on_row(values).map_err(QueryError::Callback)?;
            }
        }
    }
    Ok(n)
}

/// Runs `fut` with an optional time limit, stopping when `cancel` is set.
pub(super) async fn guarded<T>(
    fut: impl Future<Output = T>,
    timeout: Option<Duration>,
    cancel: &CancelToken,
) -> std::result::Result<T, Stop> {
    let watch = async {
        loop {
            if cancel.is_canceled() {
                return;
            }
            tokio::time::sleep(CANCEL_POLL).await;
        }
    };
    let limit = async {
        match timeout {
            Some(t) if !t.is_zero() => tokio::time::sleep(t).await,
            _ => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        v = fut => Ok(v),
        _ = watch => Err(Stop::Canceled),
        _ = limit => Err(Stop::Timeout),
    }
}

/// Blocks on `fut` on the connection's runtime, from any thread.
pub(super) fn block<F: Future>(rt: &Runtime, fut: F) -> Result<F::Output> {
    match Handle::try_current() {
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => {
            Ok(tokio::task::block_in_place(|| rt.block_on(fut)))
        }
        // Inside a current-thread runtime a nested block_on would panic.
        Ok(_) => Err(Error::internal(
            "SqlConnection cannot be used from inside a current-thread tokio runtime: \
             call it from a plain thread (e.g. spawn_blocking)",
        )),
        Err(_) => Ok(rt.block_on(fut)),
    }
}

pub(super) fn canceled() -> Error {
    Error::new(ErrorKind::Canceled, "canceled")
}

pub(super) fn unavailable(target: &SqlServerTarget, cause: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Connection,
        format!(
            "cannot connect to SQL Server ({}): {cause}",
            target.describe()
        ),
    )
}

pub(super) fn sql_error(target: &SqlServerTarget, e: tiberius::error::Error) -> Error {
    use tiberius::error::Error as T;
    match e {
        T::Server(t) => Error::new(
            ErrorKind::Io,
            format!(
                "{} (SQL Server error {}, severity {}, state {}{})",
                t.message(),
                t.code(),
                t.class(),
                t.state(),
                if t.procedure().is_empty() {
                    String::new()
                } else {
                    format!(", procedure {}", t.procedure())
                }
            ),
        ),
        T::Io { message, .. } => unavailable(target, format!("the connection failed: {message}")),
        T::Tls(m) => unavailable(target, format!("TLS failed: {m}")),
        T::Protocol(m) if m.contains("encryption level") => unavailable(
            target,
            "the server offers no TLS, which Encrypt=true requires",
        ),
        other => Error::new(
            ErrorKind::Protocol,
            format!("SQL Server ({}): {other}", target.describe()),
        ),
    }
}

async fn resolve_port(target: &SqlServerTarget, host: &str, instance: &str) -> Result<u16> {
    let sock = UdpSocket::bind(("0.0.0.0", 0))
        .await
        .map_err(|e| unavailable(target, format!("cannot open a UDP socket: {e}")))?;
    sock.send_to(&instance_request(instance), (host, target.browser_port))
        .await
        .map_err(|e| {
            unavailable(
                target,
                format!("cannot ask the SQL Server Browser on {host}: {e}"),
            )
        })?;
    let mut buf = vec![0u8; 4096];
    let wait = target.connect_timeout.mul_f32(0.5);
    let n = match tokio::time::timeout(wait, sock.recv(&mut buf)).await {
        Ok(Ok(n)) => n,
        Ok(Err(e)) => {
            return Err(unavailable(
                target,
                format!("SQL Server Browser on {host}: {e}"),
            ));
        }
        Err(_) => {
            return Err(unavailable(
                target,
                format!(
                    "the SQL Server Browser on {host} (UDP {}) did not answer for instance \
                     '{instance}': is the Browser running, or give the port as host,port",
                    target.browser_port
                ),
            ));
        }
    };
    parse_browser_response(&buf[..n], instance).map_err(|e| unavailable(target, e.message))
}

async fn connect(target: SqlServerTarget) -> Result<Client> {
    let auth = match &target.auth {
        Auth::SqlLogin { user, password } => AuthMethod::sql_server(user, password),
        Auth::Integrated => integrated(&target)?,
    };
    let (host, port) = match &target.address {
        ServerAddress::Port { host, port } => (host.clone(), *port),
        ServerAddress::Instance { host, instance } => {
            let port = resolve_port(&target, host, instance).await?;
            (host.clone(), port)
        }
    };
    let tcp = TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| unavailable(&target, format!("cannot connect to {host}:{port}: {e}")))?;
    let _ = tcp.set_nodelay(true);
    let mut config = Config::new();
    config.host(&host);
    config.port(port);
    if let Some(db) = &target.database {
        config.database(db);
    }
    config.application_name(&target.application_name);
    if target.encrypt {
        config.encryption(EncryptionLevel::Required);
        if target.trust_server_certificate {
            config.trust_cert();
        }
    } else {
        // As SQLNCLI and SqlClient with Encrypt=false: TLS when the server
        // asks for it, without checking its certificate.
        config.encryption(EncryptionLevel::NotSupported);
        config.trust_cert();
    }
    // The caller's Connect Timeout and command timeout bound every wait
    // here; tiberius's own limits (15 s and 30 s by default) would cut
    // a long statement short.
    config.handshake_timeout(None);
    config.command_timeout(None);
    config.authentication(auth);
    tiberius::Client::connect(config, tcp.compat_write())
        .await
        .map_err(|e| match e {
            tiberius::error::Error::Server(t) => unavailable(
                &target,
                format!("login failed (error {}): {}", t.code(), t.message()),
            ),
            other => sql_error(&target, other),
        })
}

#[cfg(windows)]
fn integrated(_target: &SqlServerTarget) -> Result<AuthMethod> {
    Err(Error::new(
        ErrorKind::Unsupported,
        "Integrated Security (Windows authentication) is not available in this build: use a SQL login",
    ))
}

#[cfg(not(windows))]
fn integrated(target: &SqlServerTarget) -> Result<AuthMethod> {
    Err(Error::new(
        ErrorKind::Unsupported,
        format!(
            "cannot connect to SQL Server ({}): the connection string asks for Integrated \
             Security (Windows authentication), which is not available on this platform; give a \
             SQL login in the connection string (with /Conn or /SET on its ConnectionString)",
            target.describe()
        ),
    ))
}

/// Rewrites OLE DB/ODBC `?` parameter markers to `@P1`, `@P2`, ... (as
/// tiberius binds them), leaving `?` inside string literals, quoted or
/// bracketed identifiers and comments alone. Returns the text and the
/// number of markers.
pub fn question_marks_to_named(sql: &str) -> (String, usize) {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' | '[' => {
                let close = if c == '[' { ']' } else { c };
                out.push(c);
                while let Some(d) = chars.next() {
                    out.push(d);
                    if d == close {
                        if chars.peek() == Some(&close) {
                            out.push(close);
                            chars.next();
                        } else {
                            break;
                        }
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                out.push(c);
                let mut prev = ' ';
                for d in chars.by_ref() {
                    out.push(d);
                    if prev == '*' && d == '/' {
                        break;
                    }
                    prev = d;
                }
            }
            '?' => {
                n += 1;
                out.push_str(&format!("@P{n}"));
            }
            _ => out.push(c),
        }
    }
    (out, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_move_between_threads() {
        // The Data Flow hands connections to its worker threads.
        fn is_send<T: Send>() {}
        is_send::<SqlConnection>();
        is_send::<SqlServerTarget>();
    }

    #[test]
    fn markers_outside_literals_and_comments() {
        let (s, n) = question_marks_to_named(
            "SELECT '?', [a?b], \"c?\" FROM t -- why?\nWHERE x = ? /* ? */ AND y = ?",
        );
        assert_eq!(n, 2);
        assert_eq!(
            s,
            "SELECT '?', [a?b], \"c?\" FROM t -- why?\nWHERE x = @P1 /* ? */ AND y = @P2"
        );
        let (s, n) = question_marks_to_named("EXEC p 'it''s?', ?");
        assert_eq!((s.as_str(), n), ("EXEC p 'it''s?', @P1", 1));
    }

    #[test]
    fn a_refused_connection_is_an_error_naming_the_server() {
        // A port nobody listens on: bind one and close it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let t = SqlServerTarget::parse(
            "CM",
            "OLEDB",
            &format!("Provider=SQLNCLI11;Data Source=127.0.0.1,{port};User ID=u;Password=p"),
            None,
        )
        .unwrap();
        let e = SqlConnection::open(&t, &CancelToken::new()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Connection);
        assert!(e.message.contains(&format!("127.0.0.1,{port}")), "{e}");
    }

    #[test]
    fn integrated_security_is_refused_with_the_reason_off_windows() {
        let t = SqlServerTarget::parse(
            "CM",
            "OLEDB",
            "Provider=SQLNCLI11;Data Source=127.0.0.1,1;Integrated Security=SSPI",
            None,
        )
        .unwrap();
        let e = SqlConnection::open(&t, &CancelToken::new()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unsupported);
        assert!(e.message.contains("Integrated Security"), "{e}");
    }
}

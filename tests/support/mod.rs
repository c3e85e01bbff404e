//! Test support for the msdb store: a TDS test server speaking enough TDS
//! 7.3/7.4 for tiberius over in-memory msdb tables ([`TestServer`]), a fake
//! SQL Server Browser ([`FakeBrowser`]), and [`Target`]: the same suite runs
//! against a real SQL Server when `SSIS_TEST_SQLSERVER` holds an ADO-style
//! connection string.
#![allow(dead_code)]

pub mod catalog;
pub mod msdb;
pub mod tds;
pub mod tds_bulk;

use msdb::{Caller, Db, Role};
use ssis_service::store::msdb::{ConnectOptions, Encrypt, SqlServerStore};
use std::collections::HashMap;
use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
use tds::{Message, Tokens, Value};

/// The administrator login of the test server.
pub const ADMIN_USER: &str = "ssis_admin";
/// Its password.
pub const ADMIN_PASSWORD: &str = "Adm1n!pw";
/// A read-only (db_ssisoperator) login.
pub const READER_USER: &str = "ssis_reader";
/// Its password.
pub const READER_PASSWORD: &str = "Read0nly!";
/// Two db_ssisltduser logins (owners of what they import; the password is
/// the one of both).
pub const LTD_USERS: [&str; 2] = ["ssis_ltd_ann", "ssis_ltd_bob"];
/// Their password.
pub const LTD_PASSWORD: &str = "Ltd0nly!";

struct Shared {
    db: Mutex<Db>,
    users: HashMap<String, (String, Role)>,
    /// RPC and SQL batch requests: round trips after login.
    requests: AtomicU64,
    /// Successful logins: connections opened.
    logins: AtomicU64,
    stopped: AtomicBool,
    /// When >= 0: requests still answered before the server drops every
    /// connection and stops (a server that stops mid-operation).
    stop_after: AtomicI64,
    /// Milliseconds to wait before answering each request.
    delay_ms: AtomicU64,
    conns: Mutex<Vec<TcpStream>>,
    /// Answers statements that are not msdb's procedures (see [`TestServer::on_sql`]).
    sql_hook: Mutex<Option<SqlHook>>,
    /// The tables whose `sys.columns` questions the server answers when the
    /// hook leaves them (see [`TestServer::tables`]).
    tables: Mutex<&'static [catalog::Table]>,
    /// The server's TLS identity (a self-signed rcgen certificate for
    /// localhost and 127.0.0.1), or none: a server without TLS.
    tls: Option<Arc<rustls::ServerConfig>>,
    /// Logins made over TLS.
    tls_logins: AtomicU64,
    /// Exclusive application locks (`sp_getapplock`, owned by a
    /// transaction): resource -> the connection holding it.
    applocks: Mutex<HashMap<String, u64>>,
    applock_freed: Condvar,
    /// @@TRANCOUNT per connection (BEGIN TRANSACTION counts up, COMMIT
    /// down, ROLLBACK to zero).
    trancount: Mutex<HashMap<u64, i32>>,
    /// Savepoints of each connection's transaction (`SAVE TRANSACTION`).
    savepoints: Mutex<HashMap<u64, Vec<String>>>,
    /// The table of each connection's last `INSERT BULK`, which its rows
    /// go into.
    bulk_tables: Mutex<HashMap<u64, String>>,
    /// The table each connection's session has IDENTITY_INSERT on for: set
    /// by a batch only, since a SET inside sp_executesql ends with it.
    identity_insert: Mutex<HashMap<u64, String>>,
    next_conn: AtomicU64,
}

impl Shared {
    /// Ends the connection's transaction: its application locks are freed.
    /// (The test server does not undo writes: the store writes last.)
    fn end_transaction(&self, conn: u64) {
        self.trancount.lock().unwrap().remove(&conn);
        self.savepoints.lock().unwrap().remove(&conn);
        self.applocks.lock().unwrap().retain(|_, c| *c != conn);
        self.applock_freed.notify_all();
    }

    /// The connection's @@TRANCOUNT.
    fn trancount(&self, conn: u64) -> i32 {
        self.trancount
            .lock()
            .unwrap()
            .get(&conn)
            .copied()
            .unwrap_or(0)
    }
}

/// Frees a connection's application locks when it ends, as SQL Server rolls
/// back the transaction of a closed connection.
struct ConnGuard<'a>(&'a Shared, u64);

impl Drop for ConnGuard<'_> {
    fn drop(&mut self) {
        self.0.end_transaction(self.1);
    }
}

/// A statement handler: gets the statement text and its parameters
/// (`sp_executesql`'s named values after the first two, lower case without
/// `@`; none for a SQL batch), writes result tokens (COLMETADATA, ROW,
/// DONEINPROC, ERROR) and returns the status, or `None` to leave the
/// statement to the msdb procedures.
pub type SqlHook = Arc<dyn Fn(&str, &[(String, Value)], &mut Tokens) -> Option<i32> + Send + Sync>;

/// The TDS test server: listens on 127.0.0.1 with an ephemeral port; one
/// thread per connection.
pub struct TestServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

/// A TLS identity for the test server: a self-signed certificate (rcgen)
/// for localhost and 127.0.0.1, so a client that checks certificates
/// refuses it unless told to trust it.
fn tls_config() -> Arc<rustls::ServerConfig> {
    use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = rcgen::CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()])
        .expect("params")
        .self_signed(&key)
        .expect("certificate");
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from(cert.der().to_vec())],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
    .expect("TLS identity");
    // Nothing is sent after the handshake but TDS: no session tickets.
    config.send_tls13_tickets = 0;
    Arc::new(config)
}

impl TestServer {
    /// Starts a server with an empty msdb (root and "Maintenance Plans"),
    /// with TLS for clients that ask for it (as SQL Server with a
    /// certificate and ForceEncryption off).
    pub fn start() -> TestServer {
        Self::start_with(Some(tls_config()))
    }

    /// A server without TLS (PRELOGIN answers ENCRYPT_NOT_SUP).
    pub fn start_without_tls() -> TestServer {
        Self::start_with(None)
    }

    fn start_with(tls: Option<Arc<rustls::ServerConfig>>) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind test server");
        let addr = listener.local_addr().expect("local addr");
        let mut users = HashMap::new();
        users.insert(
            ADMIN_USER.to_string(),
            (ADMIN_PASSWORD.to_string(), Role::Admin),
        );
        users.insert(
            READER_USER.to_string(),
            (READER_PASSWORD.to_string(), Role::Operator),
        );
        for user in LTD_USERS {
            users.insert(user.to_string(), (LTD_PASSWORD.to_string(), Role::LtdUser));
        }
        let shared = Arc::new(Shared {
            db: Mutex::new(Db::default()),
            users,
            requests: AtomicU64::new(0),
            logins: AtomicU64::new(0),
            stopped: AtomicBool::new(false),
            stop_after: AtomicI64::new(-1),
            delay_ms: AtomicU64::new(0),
            conns: Mutex::new(Vec::new()),
            sql_hook: Mutex::new(None),
            tables: Mutex::new(&[]),
            tls,
            tls_logins: AtomicU64::new(0),
            applocks: Mutex::new(HashMap::new()),
            trancount: Mutex::new(HashMap::new()),
            savepoints: Mutex::new(HashMap::new()),
            bulk_tables: Mutex::new(HashMap::new()),
            identity_insert: Mutex::new(HashMap::new()),
            applock_freed: Condvar::new(),
            next_conn: AtomicU64::new(1),
        });
        let s = shared.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                if let Ok(clone) = stream.try_clone() {
                    s.conns.lock().unwrap().push(clone);
                }
                let s = s.clone();
                std::thread::spawn(move || {
                    let closer = stream.try_clone();
                    let _ = serve(stream, &s);
                    // Ended (the client left, or a protocol step this server
                    // refuses): the client sees the connection close.
                    if let Ok(c) = closer {
                        let _ = c.shutdown(std::net::Shutdown::Both);
                    }
                });
            }
        });
        TestServer { addr, shared }
    }

    /// `127.0.0.1,<port>`: the server name to configure.
    pub fn server_name(&self) -> String {
        format!("127.0.0.1,{}", self.addr.port())
    }

    /// The TCP port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Options logging in as the administrator.
    pub fn admin_options(&self) -> ConnectOptions {
        options(ADMIN_USER, ADMIN_PASSWORD)
    }

    /// RPC and batch requests answered so far.
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// Logins so far.
    pub fn logins(&self) -> u64 {
        self.shared.logins.load(Ordering::SeqCst)
    }

    /// Logins over TLS so far.
    pub fn tls_logins(&self) -> u64 {
        self.shared.tls_logins.load(Ordering::SeqCst)
    }

    /// Waits `delay` before answering each request.
    pub fn set_delay(&self, delay: Duration) {
        self.shared
            .delay_ms
            .store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    /// Answers `n` more requests, then drops every connection and stops.
    pub fn stop_after(&self, n: i64) {
        self.shared.stop_after.store(n, Ordering::SeqCst);
    }

    /// Drops every connection and stops listening.
    pub fn stop(&self) {
        stop(&self.shared, self.addr);
    }

    /// Answers statements with `hook` before the msdb procedures (the
    /// Execute SQL Task's suites script their server this way).
    pub fn on_sql(
        &self,
        hook: impl Fn(&str, &[(String, Value)], &mut Tokens) -> Option<i32> + Send + Sync + 'static,
    ) {
        *self.shared.sql_hook.lock().unwrap() = Some(Arc::new(hook));
    }

    /// Declares the tables whose columns the server describes from
    /// `sys.columns` (validation's question and the fast load's) when the
    /// statement hook leaves those questions unanswered; see [`catalog`].
    pub fn tables(&self, tables: &'static [catalog::Table]) {
        *self.shared.tables.lock().unwrap() = tables;
    }

    /// Direct access to the tables (to seed or inspect).
    pub fn with_db<T>(&self, f: impl FnOnce(&mut Db) -> T) -> T {
        f(&mut self.shared.db.lock().unwrap())
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn stop(shared: &Shared, addr: SocketAddr) {
    if !shared.stopped.swap(true, Ordering::SeqCst) {
        // Wake the accept loop.
        let _ = TcpStream::connect_timeout(&addr, Duration::from_millis(200));
    }
    for c in shared.conns.lock().unwrap().drain(..) {
        let _ = c.shutdown(std::net::Shutdown::Both);
    }
}

/// Options for `user` as shipped (Encrypt mandatory: TLS), trusting the
/// test server's self-signed certificate.
pub fn options(user: &str, password: &str) -> ConnectOptions {
    ConnectOptions {
        user: Some(user.into()),
        password: Some(password.into()),
        encrypt: Encrypt::Mandatory,
        trust_server_certificate: true,
        connect_timeout: Duration::from_secs(5),
        command_timeout: Duration::from_secs(20),
        ..ConnectOptions::default()
    }
}

/// The connection after PRELOGIN: plain TCP or TLS over it.
trait Conn: io::Read + io::Write {}
impl<T: io::Read + io::Write> Conn for T {}

fn serve(mut tcp: TcpStream, s: &Shared) -> io::Result<()> {
    tcp.set_nodelay(true)?;
    let local = tcp.local_addr()?;
    let pre = tds::read_message(&mut tcp)?;
    if pre.kind != tds::PT_PRELOGIN {
        return Ok(());
    }
    // TLS when the client asks for it and the server has a certificate;
    // plain when the client cannot (tiberius' NotSupported); a client
    // that requires TLS from a server without it gets NOT_SUP and gives up.
    let client = tds::prelogin_encryption(&pre.data).unwrap_or(tds::ENCRYPT_NOT_SUP);
    let use_tls = s.tls.is_some() && client != tds::ENCRYPT_NOT_SUP;
    let answer = if use_tls {
        tds::ENCRYPT_ON
    } else {
        tds::ENCRYPT_NOT_SUP
    };
    tds::write_message(
        &mut tcp,
        tds::PT_TABULAR,
        &tds::prelogin_response(answer),
        4096,
    )?;
    let mut stream: Box<dyn Conn> = match (&s.tls, use_tls) {
        (Some(config), true) => {
            let conn = tls_handshake(&mut tcp, config.clone())?;
            Box::new(rustls::StreamOwned::new(conn, tcp))
        }
        _ => Box::new(tcp),
    };
    let login = tds::read_message(&mut stream)?;
    if login.kind != tds::PT_LOGIN7 {
        return Ok(());
    }
    let login = tds::parse_login7(&login.data)?;
    let packet_size = match login.packet_size {
        512..=32767 => login.packet_size as usize,
        _ => 4096,
    };
    let mut t = Tokens::default();
    let role = match s.users.get(&login.user) {
        Some((pw, role)) if *pw == login.password => *role,
        _ => {
            t.error(
                18456,
                14,
                &format!("Login failed for user '{}'.", login.user),
                "",
            );
            t.done(tds::DONE_ERROR, 0);
            tds::write_message(&mut stream, tds::PT_TABULAR, &t.out, packet_size)?;
            return Ok(());
        }
    };
    s.logins.fetch_add(1, Ordering::SeqCst);
    if use_tls {
        s.tls_logins.fetch_add(1, Ordering::SeqCst);
    }
    let db = if login.database.is_empty() {
        "master".to_string()
    } else {
        login.database.clone()
    };
    t.env_change(1, &db, "master");
    t.env_change(4, &packet_size.to_string(), "4096");
    t.login_ack(login.tds_version);
    t.done(tds::DONE_FINAL, 0);
    tds::write_message(&mut stream, tds::PT_TABULAR, &t.out, packet_size)?;
    let user = login.user;
    let conn = s.next_conn.fetch_add(1, Ordering::SeqCst);
    let _guard = ConnGuard(s, conn);
    loop {
        let msg = tds::read_message(&mut stream)?;
        if s.stopped.load(Ordering::SeqCst) {
            return Ok(());
        }
        if msg.kind == tds::PT_ATTENTION {
            let mut t = Tokens::default();
            t.done(tds::DONE_ATTN, 0);
            tds::write_message(&mut stream, tds::PT_TABULAR, &t.out, packet_size)?;
            continue;
        }
        s.requests.fetch_add(1, Ordering::SeqCst);
        let left = s.stop_after.load(Ordering::SeqCst);
        if left == 0 {
            stop(s, local);
            return Ok(());
        } else if left > 0 {
            s.stop_after.fetch_sub(1, Ordering::SeqCst);
        }
        let delay = s.delay_ms.load(Ordering::SeqCst);
        if delay > 0 {
            std::thread::sleep(Duration::from_millis(delay));
        }
        let caller = Caller {
            user: &user,
            role,
            conn,
        };
        let out = match handle(&msg, &caller, s) {
            Ok(t) => t,
            Err(e) => {
                let mut t = Tokens::default();
                t.error(8180, 16, &format!("test server: {e}"), "");
                t.done(tds::DONE_ERROR, 0);
                t
            }
        };
        tds::write_message(&mut stream, tds::PT_TABULAR, &out.out, packet_size)?;
        stream.flush()?;
    }
}

/// The server side of TDS 7.x TLS: the handshake's records travel inside
/// PRELOGIN packets both ways; once it is done, TLS records go on the
/// connection as they are (and carry the TDS packets).
fn tls_handshake(
    tcp: &mut TcpStream,
    config: Arc<rustls::ServerConfig>,
) -> io::Result<rustls::ServerConnection> {
    let mut conn = rustls::ServerConnection::new(config).map_err(io::Error::other)?;
    let flush = |conn: &mut rustls::ServerConnection, tcp: &mut TcpStream| -> io::Result<()> {
        let mut out = Vec::new();
        while conn.wants_write() {
            conn.write_tls(&mut out)?;
        }
        if !out.is_empty() {
            tds::write_message(tcp, tds::PT_PRELOGIN, &out, 4096)?;
        }
        Ok(())
    };
    while conn.is_handshaking() {
        if conn.wants_write() {
            flush(&mut conn, tcp)?;
            continue;
        }
        let msg = tds::read_message(tcp)?;
        if msg.kind != tds::PT_PRELOGIN {
            return Err(io::Error::other("TLS handshake outside PRELOGIN packets"));
        }
        let mut records = &msg.data[..];
        while !records.is_empty() {
            conn.read_tls(&mut records)?;
            if let Err(e) = conn.process_new_packets() {
                // The alert for the client, then the failure.
                let _ = flush(&mut conn, tcp);
                return Err(io::Error::other(e));
            }
        }
    }
    // The server's last flight (TLS 1.2) still goes in PRELOGIN packets.
    flush(&mut conn, tcp)?;
    Ok(conn)
}

/// One request: an RPC (sp_executesql by ProcID 10, or a procedure by name)
/// or a SQL batch of `EXEC` statements.
fn handle(msg: &Message, caller: &Caller<'_>, s: &Shared) -> io::Result<Tokens> {
    if msg.kind == tds::PT_BULK_LOAD {
        // The rows of the INSERT BULK just answered: the hook sees them as
        // "BULK LOAD <table>" with every value of every row, named by column.
        let (names, rows) = tds_bulk::bulk_rows(&msg.data)?;
        let table = s.bulk_tables.lock().unwrap().remove(&caller.conn);
        let statement = format!("BULK LOAD {}", table.unwrap_or_default());
        let mut t = Tokens::default();
        let params: Vec<(String, Value)> = rows
            .iter()
            .flat_map(|r| names.iter().cloned().zip(r.iter().cloned()))
            .collect();
        let hook = s.sql_hook.lock().unwrap().clone();
        let status = hook
            .and_then(|h| h(&statement, &params, &mut t))
            .unwrap_or(0);
        if status == 0 {
            t.done(tds::DONE_COUNT, rows.len() as u64);
        } else {
            t.done(tds::DONE_ERROR, 0);
        }
        return Ok(t);
    }
    let mut c = tds::Cursor::new(&msg.data);
    c.skip_all_headers()?;
    let mut t = Tokens::default();
    match msg.kind {
        tds::PT_RPC => {
            let name_len = c.u16()?;
            let proc = if name_len == 0xFFFF {
                match c.u16()? {
                    10 => "sp_executesql".to_string(),
                    other => {
                        return Err(io::Error::other(format!(
                            "RPC ProcID {other} not supported"
                        )));
                    }
                }
            } else {
                c.ucs2(usize::from(name_len))?
            };
            let _flags = c.u16()?;
            let mut params: Vec<(String, Value)> = Vec::new();
            while !c.at_end() {
                let n = usize::from(c.u8()?);
                let name = c.ucs2(n)?;
                let _status = c.u8()?;
                let value = c.typed_value()?;
                params.push((name.trim_start_matches('@').to_lowercase(), value));
            }
            let status = if proc.eq_ignore_ascii_case("sp_executesql") {
                let stmt = params
                    .first()
                    .and_then(|(_, v)| v.as_text())
                    .unwrap_or_default()
                    .to_string();
                let hook = s.sql_hook.lock().unwrap().clone();
                let rest: Vec<(String, Value)> = params.into_iter().skip(2).collect();
                let tables = *s.tables.lock().unwrap();
                let on = s.identity_insert.lock().unwrap().get(&caller.conn).cloned();
                match catalog::inserts_identity(&stmt, tables) {
                    Some(table) if on.as_deref() != Some(table) => {
                        t.error(
                            544,
                            16,
                            &format!("Cannot insert explicit value for identity column in table '{table}' when IDENTITY_INSERT is set to OFF."),
                            "",
                        );
                        t.return_status(1);
                        t.done_proc(tds::DONE_ERROR);
                        return Ok(t);
                    }
                    _ => {}
                }
                if let Some((table, column)) = catalog::null_into_not_null(&stmt, &rest, tables) {
                    t.error(
                        515,
                        16,
                        &format!("Cannot insert the value NULL into column '{column}', table '{table}'; column does not allow nulls. INSERT fails."),
                        "",
                    );
                    t.return_status(1);
                    t.done_proc(tds::DONE_ERROR);
                    return Ok(t);
                }
                match hook.and_then(|h| h(&stmt, &rest, &mut t)) {
                    Some(status) => status,
                    None if catalog::answer(&stmt, &rest, &mut t, tables) => 0,
                    None => {
                        let named: HashMap<String, Value> = rest.into_iter().collect();
                        // As SQL Server: the dynamic batch must leave @@TRANCOUNT as
                        // it found it (error 266; the transaction stays as it is).
                        let before = s.trancount(caller.conn);
                        let status = run_statements(&stmt, &named, caller, s, &mut t);
                        let after = s.trancount(caller.conn);
                        if before != after {
                            t.error(
                                266,
                                16,
                                &format!(
                                    "Transaction count after EXECUTE indicates a mismatching number of BEGIN and COMMIT statements. Previous count = {before}, current count = {after}."
                                ),
                                "",
                            );
                            1
                        } else {
                            status
                        }
                    }
                }
            } else {
                let args: HashMap<String, Value> = params.into_iter().collect();
                run_proc(&short_name(&proc), &args, caller, s, &mut t)
            };
            t.return_status(status);
            t.done_proc(if status == 0 {
                tds::DONE_FINAL
            } else {
                tds::DONE_ERROR
            });
        }
        tds::PT_SQL_BATCH => {
            let text = c.rest_ucs2();
            if let Some(rest) = text.strip_prefix("SET IDENTITY_INSERT ") {
                let tables = *s.tables.lock().unwrap();
                let mut on = s.identity_insert.lock().unwrap();
                match rest.rsplit_once(' ') {
                    Some((table, "ON")) if !catalog::has_identity(table, tables) => {
                        t.error(
                            8106,
                            16,
                            &format!("Table '{table}' does not have the identity property. Cannot perform SET operation."),
                            "",
                        );
                        t.done(tds::DONE_ERROR, 0);
                        return Ok(t);
                    }
                    Some((table, "ON")) => {
                        on.insert(caller.conn, table.to_string());
                    }
                    _ => {
                        on.remove(&caller.conn);
                    }
                }
            }
            if let Some(rest) = text.strip_prefix("INSERT BULK ") {
                let table = rest.split(" (").next().unwrap_or(rest).to_string();
                s.bulk_tables.lock().unwrap().insert(caller.conn, table);
            }
            let hook = s.sql_hook.lock().unwrap().clone();
            let tables = *s.tables.lock().unwrap();
            let status = match hook.and_then(|h| h(&text, &[], &mut t)) {
                Some(status) => status,
                None if catalog::answer_top_0(&text, &mut t, tables) => 0,
                None => run_statements(&text, &HashMap::new(), caller, s, &mut t),
            };
            t.done(
                if status == 0 {
                    tds::DONE_FINAL
                } else {
                    tds::DONE_ERROR
                },
                0,
            );
        }
        other => {
            return Err(io::Error::other(format!(
                "packet type {other} not supported"
            )));
        }
    }
    Ok(t)
}

fn short_name(proc: &str) -> String {
    proc.rsplit('.')
        .next()
        .unwrap_or(proc)
        .trim_matches(['[', ']'])
        .to_lowercase()
}

fn run_proc(
    proc: &str,
    args: &HashMap<String, Value>,
    caller: &Caller<'_>,
    s: &Shared,
    t: &mut Tokens,
) -> i32 {
    let mut db = s.db.lock().unwrap();
    match db.exec(caller, proc, args, t) {
        Some(status) => status,
        None => {
            t.error(
                2812,
                16,
                &format!("Could not find stored procedure '{proc}'."),
                "",
            );
            1
        }
    }
}

/// Runs `EXEC [db.][schema.]proc @name = @Pn|literal, ...` statements
/// separated by ';'. Literals: NULL, integers, N'text', '{guid}' is not
/// needed by the store and not supported.
fn run_statements(
    text: &str,
    params: &HashMap<String, Value>,
    caller: &Caller<'_>,
    s: &Shared,
    t: &mut Tokens,
) -> i32 {
    let mut status = 0;
    for stmt in text.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let mut words = stmt.splitn(2, char::is_whitespace);
        let verb = words.next().unwrap_or_default();
        let lower = stmt.to_lowercase();
        let lower_words: Vec<&str> = lower.split_whitespace().collect();
        match lower_words.as_slice() {
            ["begin", "tran" | "transaction"] => {
                *s.trancount.lock().unwrap().entry(caller.conn).or_insert(0) += 1;
                continue;
            }
            ["save", "tran" | "transaction", name] => {
                if s.trancount(caller.conn) == 0 {
                    t.error(
                        628,
                        16,
                        "Cannot issue SAVE TRANSACTION when there is no active transaction.",
                        "",
                    );
                    return 1;
                }
                let mut saved = s.savepoints.lock().unwrap();
                saved.entry(caller.conn).or_default().push(name.to_string());
                continue;
            }
            // To a savepoint: the transaction goes on.
            ["rollback", "tran" | "transaction", name] => {
                let mut saved = s.savepoints.lock().unwrap();
                let known = saved.get_mut(&caller.conn).and_then(|names| {
                    let at = names.iter().rposition(|n| n == name)?;
                    names.truncate(at + 1);
                    Some(())
                });
                if known.is_none() {
                    t.error(
                        6401,
                        16,
                        &format!(
                            "Cannot roll back {name}. No transaction or savepoint of that name was found."
                        ),
                        "",
                    );
                    return 1;
                }
                continue;
            }
            [verb @ ("commit" | "rollback")]
            | [verb @ ("commit" | "rollback"), "tran" | "transaction"] => {
                let count = s.trancount(caller.conn);
                if count == 0 {
                    let (number, text) = if *verb == "commit" {
                        (
                            3902,
                            "The COMMIT TRANSACTION request has no corresponding BEGIN TRANSACTION.",
                        )
                    } else {
                        (
                            3903,
                            "The ROLLBACK TRANSACTION request has no corresponding BEGIN TRANSACTION.",
                        )
                    };
                    t.error(number, 16, text, "");
                    return 1;
                }
                if *verb == "commit" && count > 1 {
                    s.trancount.lock().unwrap().insert(caller.conn, count - 1);
                } else {
                    s.end_transaction(caller.conn);
                }
                continue;
            }
            _ => {}
        }
        if !verb.eq_ignore_ascii_case("exec") && !verb.eq_ignore_ascii_case("execute") {
            t.error(
                102,
                15,
                &format!("test server: only EXEC statements are supported, not '{stmt}'"),
                "",
            );
            return 1;
        }
        let rest = words.next().unwrap_or_default().trim();
        let (proc, arg_text) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let mut args = HashMap::new();
        for a in arg_text.split(',').map(str::trim).filter(|a| !a.is_empty()) {
            let Some((name, value)) = a.split_once('=') else {
                t.error(
                    102,
                    15,
                    &format!("test server: cannot parse argument '{a}'"),
                    "",
                );
                return 1;
            };
            let value = value.trim();
            let v = if let Some(p) = value.strip_prefix('@') {
                params
                    .get(&p.to_lowercase())
                    .cloned()
                    .unwrap_or(Value::Null)
            } else if value.eq_ignore_ascii_case("null") {
                Value::Null
            } else if let Ok(i) = value.parse::<i64>() {
                Value::Int(i)
            } else if let Some(q) = value.strip_prefix("N'").and_then(|v| v.strip_suffix('\'')) {
                Value::Text(q.replace("''", "'"))
            } else {
                t.error(
                    102,
                    15,
                    &format!("test server: cannot parse value '{value}'"),
                    "",
                );
                return 1;
            };
            args.insert(name.trim().trim_start_matches('@').to_lowercase(), v);
        }
        status = if short_name(proc) == "sp_getapplock" {
            // Its return code (1: granted after a wait) is no error: the
            // batch goes on.
            let _granted = getapplock(&args, caller, s);
            0
        } else {
            run_proc(&short_name(proc), &args, caller, s, t)
        };
        if status != 0 {
            break;
        }
    }
    status
}

/// `sp_getapplock @Resource, @LockMode = N'Exclusive', @LockOwner =
/// N'Transaction'`: waits until no other connection holds the resource,
/// then holds it until COMMIT, ROLLBACK or the connection's end. Returns 0
/// (granted at once) or 1 (granted after waiting), as SQL Server does.
fn getapplock(args: &HashMap<String, Value>, caller: &Caller<'_>, s: &Shared) -> i32 {
    let resource = args
        .get("resource")
        .and_then(Value::as_text)
        .unwrap_or_default()
        .to_lowercase();
    let mut locks = s.applocks.lock().unwrap();
    let mut waited = 0;
    while locks.get(&resource).is_some_and(|c| *c != caller.conn) {
        waited = 1;
        locks = s.applock_freed.wait(locks).unwrap();
    }
    locks.insert(resource, caller.conn);
    waited
}

/// A fake SQL Server Browser on UDP (127.0.0.1, ephemeral port) answering
/// `CLNT_UCAST_INST` for the instances it knows; silent for the others, as
/// the real one is.
pub struct FakeBrowser {
    port: u16,
    stopped: Arc<AtomicBool>,
    /// Requests received.
    pub requests: Arc<AtomicU64>,
}

impl FakeBrowser {
    /// Serves `instances` (name → TCP port).
    pub fn start(instances: &[(&str, u16)]) -> FakeBrowser {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind fake browser");
        let port = socket.local_addr().unwrap().port();
        socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let instances: Vec<(String, u16)> =
            instances.iter().map(|(n, p)| (n.to_string(), *p)).collect();
        let stopped = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(AtomicU64::new(0));
        let (st, rq) = (stopped.clone(), requests.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 1024];
            while !st.load(Ordering::SeqCst) {
                let Ok((n, from)) = socket.recv_from(&mut buf) else {
                    continue;
                };
                rq.fetch_add(1, Ordering::SeqCst);
                if n < 2 || buf[0] != 0x04 {
                    continue;
                }
                let name = String::from_utf8_lossy(&buf[1..n])
                    .trim_end_matches('\0')
                    .to_string();
                if let Some((inst, tcp)) = instances
                    .iter()
                    .find(|(i, _)| i.eq_ignore_ascii_case(&name))
                {
                    let text = format!(
                        "ServerName;SSISTEST;InstanceName;{inst};IsClustered;No;Version;16.0.1000.6;tcp;{tcp};;"
                    );
                    let mut resp = vec![0x05];
                    resp.extend_from_slice(&(text.len() as u16).to_le_bytes());
                    resp.extend_from_slice(text.as_bytes());
                    let _ = socket.send_to(&resp, from);
                }
            }
        });
        FakeBrowser {
            port,
            stopped,
            requests,
        }
    }

    /// The UDP port.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for FakeBrowser {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::SeqCst);
    }
}

/// Where the suite runs: the TDS test server, or a real SQL Server.
pub enum Target {
    /// The in-process TDS test server.
    Test(TestServer),
    /// A real server from `SSIS_TEST_SQLSERVER`.
    Real {
        /// Server name.
        server: String,
        /// Options from the connection string.
        options: ConnectOptions,
    },
}

impl Target {
    /// A real server when `SSIS_TEST_SQLSERVER` is set, else a fresh test
    /// server; says plainly which.
    pub fn get() -> Target {
        match std::env::var("SSIS_TEST_SQLSERVER") {
            Ok(cs) if !cs.trim().is_empty() => {
                let parsed = ConnectOptions::parse_connection_string(&cs)
                    .expect("SSIS_TEST_SQLSERVER is not a valid connection string");
                let server = parsed
                    .server
                    .expect("SSIS_TEST_SQLSERVER names no server (Server=...)");
                eprintln!(
                    "msdb tests: running against the real SQL Server '{server}' (SSIS_TEST_SQLSERVER)"
                );
                Target::Real {
                    server,
                    options: parsed.options,
                }
            }
            _ => {
                let s = TestServer::start();
                eprintln!(
                    "msdb tests: running against the TDS test server on {} (SSIS_TEST_SQLSERVER not set)",
                    s.server_name()
                );
                Target::Test(s)
            }
        }
    }

    /// The server name to configure.
    pub fn server_name(&self) -> String {
        match self {
            Target::Test(s) => s.server_name(),
            Target::Real { server, .. } => server.clone(),
        }
    }

    /// Options of a login with full rights.
    pub fn options(&self) -> ConnectOptions {
        match self {
            Target::Test(s) => s.admin_options(),
            Target::Real { options, .. } => options.clone(),
        }
    }

    /// A top-level folder `name` on this server.
    pub fn store(&self, name: &str) -> SqlServerStore {
        SqlServerStore::with_options(name, self.server_name(), None, self.options())
    }

    /// The test server, when that is the target.
    pub fn test_server(&self) -> Option<&TestServer> {
        match self {
            Target::Test(s) => Some(s),
            Target::Real { .. } => None,
        }
    }
}

/// A folder name unique to this process and call, so runs against a real
/// server do not collide.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

//! Connecting to one SQL Server with tiberius, a small pool of open
//! connections, timeouts, and the mapping of failures to the product's errors.

use super::browser::{forget, resolve_instance_port};
use super::options::{ConnectOptions, Encrypt};
use super::server_name::{ServerAddress, parse_server_name};
use crate::error::{Error, ErrorKind, Result};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Mutex;
use tiberius::{AuthMethod, Config, EncryptionLevel};
use tokio::net::TcpStream;
use tokio_util::compat::{Compat, TokioAsyncWriteCompatExt};

/// An open, logged-in connection.
pub type Client = tiberius::Client<Compat<TcpStream>>;

/// What a store operation does with a connection.
pub type Op<'c, T> = Pin<Box<dyn Future<Output = tiberius::Result<T>> + Send + 'c>>;

/// SQL Server error numbers that mean "you may not" (msdb's SSIS procedures
/// raise 14307, 14586, 14591; 229/230 are object and column permissions).
const ACCESS_DENIED: [u32; 5] = [14307, 14586, 14591, 229, 230];
/// `sp_ssis_deletefolder`: the folder holds packages or folders.
const FOLDER_NOT_EMPTY: u32 = 14593;
/// Duplicate key in a unique index / constraint.
const DUPLICATE_KEY: [u32; 2] = [2601, 2627];

/// One server's connection settings and its idle connections.
pub struct Connector {
    server: String,
    folder: String,
    config_file: Option<PathBuf>,
    options: std::result::Result<ConnectOptions, Error>,
    idle: Mutex<Vec<Client>>,
}

impl Connector {
    /// A connector for the folder `folder` on `server`; an error in `options`
    /// (e.g. a credentials file others may read) is returned by every call.
    pub fn new(
        server: String,
        folder: String,
        config_file: Option<PathBuf>,
        options: Result<ConnectOptions>,
    ) -> Connector {
        Connector {
            server,
            folder,
            config_file,
            options,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// The options in effect, or why there are none.
    pub fn options(&self) -> Result<&ConnectOptions> {
        self.options.as_ref().map_err(Clone::clone)
    }

    /// Checks, without any I/O, that the options and credentials allow a login.
    pub fn ready(&self) -> Result<()> {
        self.auth(self.options()?).map(|_| ())
    }

    /// The server name as configured.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The original service's "not present or not available" error with `cause`.
    pub fn unavailable(&self, cause: impl std::fmt::Display) -> Error {
        let file = self
            .config_file
            .as_ref()
            .map_or_else(|| "(none)".to_string(), |p| p.display().to_string());
        Error::new(
            ErrorKind::Connection,
            format!(
                "The SQL Server instance specified in the service configuration ('{}', folder \
                 '{}', configuration file '{file}') is not present or not available: {cause}",
                self.server, self.folder
            ),
        )
        .with_target(format!("\\{}", self.folder))
    }

    /// Runs `op` on a pooled or new connection within the command timeout.
    /// A pooled connection that turns out dead is replaced once.
    pub async fn call<T, F>(&self, op: F) -> Result<T>
    where
        F: for<'c> Fn(&'c mut Client) -> Op<'c, T> + Sync,
    {
        let options = self.options()?;
        let limit = options.command_timeout + options.connect_timeout;
        match tokio::time::timeout(limit, self.call_inner(&op)).await {
            Ok(r) => r,
            Err(_) => Err(Error::new(
                ErrorKind::Timeout,
                format!(
                    "SQL Server '{}' (folder '{}') did not answer within {} s \
                     (Command Timeout {} s after connecting)",
                    self.server,
                    self.folder,
                    limit.as_secs(),
                    options.command_timeout.as_secs()
                ),
            )
            .with_target(format!("\\{}", self.folder))),
        }
    }

    async fn call_inner<T, F>(&self, op: &F) -> Result<T>
    where
        F: for<'c> Fn(&'c mut Client) -> Op<'c, T> + Sync,
    {
        let pooled = self.take_idle();
        let reused = pooled.is_some();
        let mut client = match pooled {
            Some(c) => c,
            None => self.connect().await?,
        };
        let mut result = op(&mut client).await;
        if reused && matches!(result, Err(tiberius::error::Error::Io { .. })) {
            // The pooled connection was closed by the server (restart, idle
            // timeout): try once on a fresh one.
            client = self.connect().await?;
            result = op(&mut client).await;
        }
        match result {
            Ok(v) => {
                self.give_back(client);
                Ok(v)
            }
            Err(tiberius::error::Error::Server(e)) => {
                // The server answered: the connection is still good.
                self.give_back(client);
                Err(self.server_error(e.code(), e.message()))
            }
            Err(e) => Err(self.transport_error(e, "the connection failed during the operation")),
        }
    }

    fn take_idle(&self) -> Option<Client> {
        self.idle.lock().ok().and_then(|mut v| v.pop())
    }

    fn give_back(&self, client: Client) {
        let max = self.options.as_ref().map_or(0, |o| o.pool_size);
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < max {
                idle.push(client);
            }
        }
    }

    /// Drops every idle connection.
    pub fn clear_pool(&self) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.clear();
        }
    }

    /// Opens and logs in a new connection to msdb within the connect timeout.
    pub async fn connect(&self) -> Result<Client> {
        let options = self.options()?;
        let timeout = options.connect_timeout;
        match tokio::time::timeout(timeout, self.connect_inner(options)).await {
            Ok(r) => r,
            Err(_) => Err(self.unavailable(format!(
                "login timeout expired after {} s (Connect Timeout)",
                timeout.as_secs()
            ))),
        }
    }

    async fn connect_inner(&self, options: &ConnectOptions) -> Result<Client> {
        let auth = self.auth(options)?;
        let address = parse_server_name(&self.server)?;
        let (host, port) = match &address {
            ServerAddress::Port { host, port } => (host.clone(), *port),
            ServerAddress::Instance { host, instance } => {
                let port = resolve_instance_port(
                    host,
                    instance,
                    options.browser_port,
                    options.browser_limit(),
                    options.browser_cache,
                )
                .await
                .map_err(|e| self.unavailable(e.message))?;
                (host.clone(), port)
            }
        };
        let tcp = TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|e| {
                if let ServerAddress::Instance { host, instance } = &address {
                    forget(host, instance, options.browser_port);
                }
                self.unavailable(format!("cannot connect to {host}:{port}: {e}"))
            })?;
        let _ = tcp.set_nodelay(true);
        let mut config = Config::new();
        config.host(&host);
        config.port(port);
        config.database("msdb");
        config.application_name("ssis-service");
        config.encryption(match options.encrypt {
            Encrypt::Mandatory => EncryptionLevel::Required,
            // tiberius then uses TLS whenever the server answers anything
            // but ENCRYPT_NOT_SUP.
            Encrypt::Optional => EncryptionLevel::NotSupported,
        });
        if options.trust_server_certificate {
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
                tiberius::error::Error::Server(t) => self.unavailable(format!(
                    "login failed (error {}): {}",
                    t.code(),
                    t.message()
                )),
                other => self.transport_error(other, &format!("cannot log in to {host}:{port}")),
            })
    }

    fn auth(&self, options: &ConnectOptions) -> Result<AuthMethod> {
        match (&options.user, options.integrated) {
            (Some(user), false) => Ok(AuthMethod::sql_server(
                user,
                options.password.as_deref().unwrap_or(""),
            )),
            _ => integrated_auth(&self.server, &self.folder),
        }
    }

    /// A failure below the TDS level (I/O, TLS, protocol) as an error.
    fn transport_error(&self, e: tiberius::error::Error, context: &str) -> Error {
        use tiberius::error::Error as T;
        match e {
            T::Io { message, .. } => self.unavailable(format!("{context}: {message}")),
            T::Tls(m) => self.unavailable(format!(
                "{context}: TLS failed: {m} (set TrustServerCertificate=true only for a server \
                 you trust, or Encrypt=optional for a server without TLS)"
            )),
            T::Protocol(m) if m.contains("encryption level") => self.unavailable(format!(
                "{context}: the server offers no TLS, which Encrypt=mandatory (the default) \
                 requires (Encrypt=optional allows plain TDS)"
            )),
            T::Routing { host, port } => self.unavailable(format!(
                "the server redirects clients to {host}:{port}; configure that address instead"
            )),
            T::Server(t) => self.server_error(t.code(), t.message()),
            other => Error::new(
                ErrorKind::Protocol,
                format!(
                    "SQL Server '{}' (folder '{}'): {context}: {other}",
                    self.server, self.folder
                ),
            )
            .with_target(format!("\\{}", self.folder)),
        }
    }

    /// An error the server raised, as the product's error.
    fn server_error(&self, code: u32, message: &str) -> Error {
        let kind = if ACCESS_DENIED.contains(&code) {
            ErrorKind::AccessDenied
        } else if code == FOLDER_NOT_EMPTY {
            ErrorKind::NotEmpty
        } else if DUPLICATE_KEY.contains(&code) {
            ErrorKind::AlreadyExists
        } else if code == 2812 {
            // Could not find stored procedure: not an msdb with SSIS.
            ErrorKind::Unsupported
        } else {
            ErrorKind::Io
        };
        Error::new(
            kind,
            format!(
                "SQL Server '{}' (folder '{}') refused: {message} (error {code})",
                self.server, self.folder
            ),
        )
        .with_target(format!("\\{}", self.folder))
    }
}

#[cfg(windows)]
fn integrated_auth(_server: &str, _folder: &str) -> Result<AuthMethod> {
    Ok(AuthMethod::Integrated)
}

#[cfg(not(windows))]
fn integrated_auth(server: &str, folder: &str) -> Result<AuthMethod> {
    Err(Error::new(
        ErrorKind::Unsupported,
        format!(
            "SQL Server folder '{folder}' (server '{server}'): no SQL login is configured, and \
             integrated (Kerberos) authentication is not available on this platform in this \
             version: set SSIS_MSDB_USER and SSIS_MSDB_PASSWORD, or a credentials file \
             (SSIS_MSDB_CREDENTIALS)"
        ),
    )
    .with_target(format!("\\{folder}")))
}

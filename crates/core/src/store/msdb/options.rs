//! How to connect to a SQL Server: credentials, encryption, timeouts.
//!
//! Credentials never come from the service configuration file. They come,
//! in increasing order of precedence, from:
//! 1. a credentials file (`SSIS_MSDB_CREDENTIALS`, else `msdb-credentials.ini`
//!    next to the configuration file), section `[*]` then the section named
//!    after the server exactly as configured (`[host\instance]`); on Unix the
//!    file must not be readable or writable by group or others (mode 0600);
//! 2. the environment: `SSIS_MSDB_USER`, `SSIS_MSDB_PASSWORD`, and
//!    `SSIS_MSDB_OPTIONS` (ADO-style `Key=Value;...` settings);
//! 3. options given in code ([`ConnectOptions`]).
//!
//! Keys (ADO.NET names, case-insensitive, spaces ignored): `User Id` (`UID`,
//! `User`), `Password` (`PWD`), `Integrated Security` (`Trusted_Connection`),
//! `Encrypt` (`true`/`mandatory` default, `false`/`optional`: TLS only when
//! the server asks for it), `TrustServerCertificate` (default `false`:
//! certificates are checked), `Connect Timeout` and `Command Timeout`
//! (seconds), `Browser Port` (SQL Server Browser UDP port, default 1434),
//! `Browser Timeout` (seconds; default 60 % of the connect timeout),
//! `Browser Cache` (seconds a Browser answer or silence is reused, default 60),
//! `Folder Cache` (seconds a resolved folder id is reused, default 10),
//! `Pool Size` (idle connections kept per folder, default 4).

use crate::config::Extensions;
use crate::error::{Error, ErrorKind, Result};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Environment variable naming the credentials file.
pub const CREDENTIALS_ENV: &str = "SSIS_MSDB_CREDENTIALS";
/// Environment variable holding the SQL login name.
pub const USER_ENV: &str = "SSIS_MSDB_USER";
/// Environment variable holding the SQL login password.
pub const PASSWORD_ENV: &str = "SSIS_MSDB_PASSWORD";
/// Environment variable holding further ADO-style options.
pub const OPTIONS_ENV: &str = "SSIS_MSDB_OPTIONS";
/// The credentials file looked for next to the configuration file.
pub const CREDENTIALS_FILE_NAME: &str = "msdb-credentials.ini";

/// Whether the connection is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encrypt {
    /// Always TLS (the default); the connection fails when the server cannot.
    Mandatory,
    /// TLS when the server asks for it, else plain TDS (login included).
    Optional,
}

/// Everything needed to connect to one server. `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectOptions {
    /// SQL login name; `None` means integrated authentication.
    pub user: Option<String>,
    /// SQL login password.
    pub password: Option<String>,
    /// Use the platform's integrated (Windows) authentication.
    pub integrated: bool,
    /// Encryption policy.
    pub encrypt: Encrypt,
    /// Accept any server certificate (explicit opt-out of checking).
    pub trust_server_certificate: bool,
    /// Limit for resolving, connecting and logging in.
    pub connect_timeout: Duration,
    /// Limit for one store operation once connected.
    pub command_timeout: Duration,
    /// UDP port of the SQL Server Browser (1434).
    pub browser_port: u16,
    /// Limit for the SQL Server Browser's answer; `None`: 60 % of `connect_timeout`.
    pub browser_timeout: Option<Duration>,
    /// How long a Browser answer, or its silence, is reused for the same
    /// host, instance and port (process-wide).
    pub browser_cache: Duration,
    /// How long a resolved folder id is reused.
    pub folder_cache: Duration,
    /// Idle connections kept per folder.
    pub pool_size: usize,
}

impl Default for ConnectOptions {
    fn default() -> ConnectOptions {
        ConnectOptions {
            user: None,
            password: None,
            integrated: false,
            encrypt: Encrypt::Mandatory,
            trust_server_certificate: false,
            connect_timeout: Duration::from_secs(15),
            command_timeout: Duration::from_secs(30),
            browser_port: 1434,
            browser_timeout: None,
            browser_cache: Duration::from_secs(60),
            folder_cache: Duration::from_secs(10),
            pool_size: 4,
        }
    }
}

impl std::fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectOptions")
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<hidden>"))
            .field("integrated", &self.integrated)
            .field("encrypt", &self.encrypt)
            .field("trust_server_certificate", &self.trust_server_certificate)
            .field("connect_timeout", &self.connect_timeout)
            .field("command_timeout", &self.command_timeout)
            .field("browser_port", &self.browser_port)
            .field("browser_timeout", &self.browser_timeout)
            .field("browser_cache", &self.browser_cache)
            .field("folder_cache", &self.folder_cache)
            .field("pool_size", &self.pool_size)
            .finish()
    }
}

/// `Server=...` split off an ADO-style connection string, and the rest.
#[derive(Debug, Clone)]
pub struct ConnectionString {
    /// The `Server` / `Data Source` value, if any.
    pub server: Option<String>,
    /// The other settings applied over the defaults.
    pub options: ConnectOptions,
}

impl ConnectOptions {
    /// Applies one `key = value` setting; `origin` names its source in errors.
    pub fn set(&mut self, key: &str, value: &str, origin: &str) -> Result<()> {
        let norm: String = key
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '_')
            .flat_map(char::to_lowercase)
            .collect();
        let value = value.trim();
        let bool_of = |v: &str| -> Result<bool> {
            match v.to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" | "sspi" | "mandatory" | "strict" => Ok(true),
                "false" | "no" | "0" | "optional" => Ok(false),
                _ => Err(bad_value(origin, key, value, "true or false")),
            }
        };
        let secs = |v: &str| -> Result<Duration> {
            v.parse::<u64>()
                .map(Duration::from_secs)
                .map_err(|_| bad_value(origin, key, value, "a whole number of seconds"))
        };
        match norm.as_str() {
            "userid" | "uid" | "user" | "username" => self.user = Some(value.to_string()),
            "password" | "pwd" => self.password = Some(value.to_string()),
            "integratedsecurity" | "trustedconnection" => self.integrated = bool_of(value)?,
            "encrypt" => {
                self.encrypt = if bool_of(value)? {
                    Encrypt::Mandatory
                } else {
                    Encrypt::Optional
                }
            }
            "trustservercertificate" => self.trust_server_certificate = bool_of(value)?,
            "connecttimeout" | "connectiontimeout" | "logintimeout" | "timeout" => {
                self.connect_timeout = secs(value)?
            }
            "commandtimeout" => self.command_timeout = secs(value)?,
            "browserport" => {
                self.browser_port = value
                    .parse()
                    .map_err(|_| bad_value(origin, key, value, "a port number"))?
            }
            "browsertimeout" => self.browser_timeout = Some(secs(value)?),
            "browsercache" => self.browser_cache = secs(value)?,
            "foldercache" => self.folder_cache = secs(value)?,
            "poolsize" => {
                self.pool_size = value
                    .parse()
                    .map_err(|_| bad_value(origin, key, value, "a number"))?
            }
            // Accepted for ADO compatibility; the store always uses msdb.
            "database" | "initialcatalog" | "applicationname" | "app" => {}
            _ => {
                return Err(Error::new(
                    ErrorKind::Configuration,
                    format!(
                        "{origin}: unknown connection setting '{key}'; known: User Id, Password, \
                         Integrated Security, Encrypt, TrustServerCertificate, Connect Timeout, \
                         Command Timeout, Browser Port, Browser Timeout, Browser Cache, Folder \
                         Cache, Pool Size"
                    ),
                )
                .with_target(key.to_string()));
            }
        }
        Ok(())
    }

    /// Applies `Key=Value;Key=Value` settings. `Server`/`Data Source` is
    /// returned, not applied.
    pub fn apply_ado(&mut self, text: &str, origin: &str) -> Result<Option<String>> {
        let mut server = None;
        for part in text.split(';') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let Some((key, value)) = part.split_once('=') else {
                return Err(Error::new(
                    ErrorKind::Configuration,
                    format!("{origin}: setting '{part}' has no '=': write Key=Value"),
                ));
            };
            let norm: String = key
                .chars()
                .filter(|c| !c.is_whitespace())
                .flat_map(char::to_lowercase)
                .collect();
            if matches!(norm.as_str(), "server" | "datasource" | "address" | "addr") {
                server = Some(value.trim().to_string());
            } else {
                self.set(key, value, origin)?;
            }
        }
        Ok(server)
    }

    /// Parses an ADO-style connection string (`server=...;user id=...;...`).
    pub fn parse_connection_string(text: &str) -> Result<ConnectionString> {
        let mut options = ConnectOptions::default();
        let server = options.apply_ado(text, "connection string")?;
        Ok(ConnectionString { server, options })
    }

    /// The defaults with the service configuration's SQL Server settings
    /// (`SqlConnectTimeoutSeconds`, `SqlBrowserTimeoutSeconds`,
    /// `SqlBrowserCacheSeconds`) applied.
    pub fn from_extensions(ext: &Extensions) -> ConnectOptions {
        let mut options = ConnectOptions::default();
        if let Some(s) = ext.sql_connect_timeout_seconds {
            options.connect_timeout = Duration::from_secs(s);
        }
        if let Some(s) = ext.sql_browser_timeout_seconds {
            options.browser_timeout = Some(Duration::from_secs(s));
        }
        if let Some(s) = ext.sql_browser_cache_seconds {
            options.browser_cache = Duration::from_secs(s);
        }
        options
    }

    /// The Browser's time limit: as set, else 60 % of the connect timeout
    /// (leaving time for the TCP connect and login); never more than the
    /// connect timeout, which covers it.
    pub fn browser_limit(&self) -> Duration {
        self.browser_timeout
            .unwrap_or_else(|| self.connect_timeout.mul_f32(0.6))
            .min(self.connect_timeout)
    }

    /// The options for `server` as configured, from the credentials file and
    /// the environment (see the module documentation). `config_file` is the
    /// service configuration file, whose folder may hold the credentials file.
    pub fn for_server(server: &str, config_file: Option<&Path>) -> Result<ConnectOptions> {
        ConnectOptions::for_server_over(ConnectOptions::default(), server, config_file)
    }

    /// As [`Self::for_server`], over `base` (e.g. [`Self::from_extensions`]).
    pub fn for_server_over(
        base: ConnectOptions,
        server: &str,
        config_file: Option<&Path>,
    ) -> Result<ConnectOptions> {
        let mut options = base;
        let file = match std::env::var_os(CREDENTIALS_ENV) {
            Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
            _ => config_file
                .and_then(Path::parent)
                .map(|d| d.join(CREDENTIALS_FILE_NAME))
                .filter(|p| p.exists()),
        };
        if let Some(file) = file {
            options.apply_credentials_file(&file, server)?;
        }
        if let Ok(user) = std::env::var(USER_ENV) {
            options.user = Some(user);
        }
        if let Ok(password) = std::env::var(PASSWORD_ENV) {
            options.password = Some(password);
        }
        if let Ok(text) = std::env::var(OPTIONS_ENV) {
            options.apply_ado(&text, OPTIONS_ENV)?;
        }
        Ok(options)
    }

    /// Applies the `[*]` section and then the `[server]` section (server
    /// names compare case-insensitively) of the credentials file `path`.
    /// Refuses a file others may read on Unix.
    pub fn apply_credentials_file(&mut self, path: &Path, server: &str) -> Result<()> {
        check_private(path)?;
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io(&e, "read credentials file", path).with_file(path))?;
        let mut general = Vec::new();
        let mut specific = Vec::new();
        let mut section: Option<String> = None;
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            let line_no = n as u64 + 1;
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(rest) = line.strip_prefix('[') {
                let Some(name) = rest.strip_suffix(']') else {
                    return Err(file_error(path, line_no, "a section header ends in ']'"));
                };
                section = Some(name.trim().to_string());
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                return Err(file_error(path, line_no, "write 'Key = Value'"));
            };
            let Some(name) = &section else {
                return Err(file_error(
                    path,
                    line_no,
                    "settings belong in a section: '[*]' or '[ServerName]'",
                ));
            };
            let entry = (key.trim().to_string(), value.trim().to_string(), line_no);
            if name == "*" {
                general.push(entry);
            } else if name.eq_ignore_ascii_case(server) {
                specific.push(entry);
            }
        }
        for (key, value, line) in general.into_iter().chain(specific) {
            let origin = format!("{}:{line}", path.display());
            self.set(&key, &value, &origin)
                .map_err(|e| e.with_file(path).at(line, 1))?;
        }
        Ok(())
    }
}

fn bad_value(origin: &str, key: &str, value: &str, expected: &str) -> Error {
    Error::new(
        ErrorKind::Configuration,
        format!("{origin}: setting '{key}' has value '{value}'; expected {expected}"),
    )
    .with_target(key.to_string())
}

fn file_error(path: &Path, line: u64, what: &str) -> Error {
    Error::new(
        ErrorKind::Configuration,
        format!("credentials file '{}', line {line}: {what}", path.display()),
    )
    .with_file(path)
    .at(line, 1)
}

/// Refuses a credentials file that group or others may read or write.
#[cfg(unix)]
fn check_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::io(&e, "read credentials file", path).with_file(path))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(Error::new(
            ErrorKind::AccessDenied,
            format!(
                "credentials file '{}' has permissions {mode:04o}; it holds passwords, so it \
                 must be readable by its owner only: run chmod 600 '{}'",
                path.display(),
                path.display()
            ),
        )
        .with_file(path)
        .with_target(path.display().to_string()));
    }
    Ok(())
}

/// On Windows the file's ACL protects it (inherited from the profile or the
/// service's folder); it is not inspected.
#[cfg(windows)]
fn check_private(path: &Path) -> Result<()> {
    std::fs::metadata(path)
        .map(|_| ())
        .map_err(|e| Error::io(&e, "read credentials file", path).with_file(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_string_parses_ado_keys() {
        let cs = ConnectOptions::parse_connection_string(
            "Server=db1,1444;User Id=sa;Password=p=w;TrustServerCertificate=true;Encrypt=optional",
        )
        .unwrap();
        assert_eq!(cs.server.as_deref(), Some("db1,1444"));
        assert_eq!(cs.options.user.as_deref(), Some("sa"));
        assert_eq!(cs.options.password.as_deref(), Some("p=w"));
        assert!(cs.options.trust_server_certificate);
        assert_eq!(cs.options.encrypt, Encrypt::Optional);
        assert!(!format!("{:?}", cs.options).contains("p=w"));
    }

    #[test]
    fn unknown_and_bad_settings_are_named() {
        let e = ConnectOptions::parse_connection_string("Colour=blue").unwrap_err();
        assert!(
            e.message.contains("unknown connection setting 'Colour'"),
            "{e}"
        );
        let e = ConnectOptions::parse_connection_string("Connect Timeout=soon").unwrap_err();
        assert!(e.message.contains("whole number of seconds"), "{e}");
        let e = ConnectOptions::parse_connection_string("justtext").unwrap_err();
        assert!(e.message.contains("no '='"), "{e}");
    }

    #[test]
    fn credentials_file_sections_apply_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("creds.ini");
        std::fs::write(
            &path,
            "# test\n[*]\nUser Id = general\nPassword = g\n[DB1\\SQL]\nPassword = s\n[other]\nUser Id = x\n",
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let mut o = ConnectOptions::default();
        o.apply_credentials_file(&path, "db1\\sql").unwrap();
        assert_eq!(o.user.as_deref(), Some("general"));
        assert_eq!(o.password.as_deref(), Some("s"));
    }

    #[cfg(unix)]
    #[test]
    fn credentials_file_readable_by_others_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("creds.ini");
        std::fs::write(&path, "[*]\nPassword = x\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = ConnectOptions::default()
            .apply_credentials_file(&path, "x")
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::AccessDenied);
        assert!(
            e.message.contains("0644") && e.message.contains("chmod 600"),
            "{e}"
        );
    }

    #[test]
    fn credentials_file_syntax_errors_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("creds.ini");
        std::fs::write(&path, "User Id = x\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let e = ConnectOptions::default()
            .apply_credentials_file(&path, "x")
            .unwrap_err();
        assert_eq!(e.details.line, Some(1));
        assert!(e.message.contains("section"), "{e}");
    }
}

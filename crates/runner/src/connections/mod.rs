//! The connection-manager layer: what a package's connection managers point
//! at, and open connections to SQL Server for the tasks (Execute SQL) and
//! the Data Flow (OLE DB / ADO.NET sources and destinations).
//!
//! - [`connstr`]: connection strings as the drivers split them (quotes,
//!   braces, `;` inside values).
//! - [`SqlServerTarget`]: an OLE DB (`Provider=SQLNCLI11;Data Source=...`),
//!   ADO.NET SqlClient or ODBC (`Driver={ODBC Driver 17 for SQL Server}`)
//!   connection string to SQL Server, parsed into what tiberius needs. Any
//!   other provider (Jet/ACE, Oracle, ...) is a clear `Unsupported` error
//!   naming it.
//! - [`SqlConnection`]: an open, logged-in connection with a synchronous
//!   API (a small tokio runtime per connection): queries with parameters,
//!   every result set, rows streamed to a callback, a command timeout, and
//!   the run's [`CancelToken`].
//! - [`SqlValue`]: the values going in and out, independent of tiberius.
//! - `bulk`: bulk load (`INSERT BULK`) for the Data Flow's fast load ([`BulkColumn`]).
//! - [`smtp`]: SMTP connection managers and sending a message.
//!
//! Credentials come only from the connection string and the connection
//! manager's own `Password` (a package saved with DontSaveSensitive has
//! none: pass it with `/SET` or `/Conn`); nothing is read on anyone's
//! behalf. Integrated Security needs Windows: elsewhere it is refused with
//! the reason.

mod bulk;
mod bulk_data;
pub mod connstr;
pub mod smtp;
mod sqlserver;
mod value;

pub use bulk::{BulkColumn, BulkLoad, BulkOptions};
pub use sqlserver::{ResultSet, SqlColumn, SqlConnection, question_marks_to_named};
pub use value::{SqlDateTime, SqlValue};

use crate::model::ConnectionManager;
use ssis_core::error::{Error, ErrorKind, Result};
use ssis_core::store::msdb::{ServerAddress, parse_server_name};
use std::time::Duration;

/// The family of a connection manager, from its `CreationName`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionKind {
    /// `OLEDB`: an OLE DB provider.
    OleDb,
    /// `ADO.NET:<provider type>`: an ADO.NET provider (the type after the colon).
    AdoNet(String),
    /// `ODBC`.
    Odbc,
    /// `FILE`.
    File,
    /// `FLATFILE`.
    FlatFile,
    /// `SMTP`.
    Smtp,
    /// Anything else, as written.
    Other(String),
}

impl ConnectionKind {
    /// The kind for a `CreationName` (`OLEDB`, `ADO.NET:System.Data.SqlClient.SqlConnection, ...`).
    pub fn of(creation_name: &str) -> ConnectionKind {
        let c = creation_name.trim();
        let upper = c.to_ascii_uppercase();
        if upper == "OLEDB" || upper.starts_with("OLEDB.") {
            ConnectionKind::OleDb
        } else if let Some(rest) = c
            .get(..8)
            .filter(|p| p.eq_ignore_ascii_case("ADO.NET:"))
            .map(|_| &c[8..])
        {
            ConnectionKind::AdoNet(rest.trim().to_string())
        } else if upper == "ODBC" {
            ConnectionKind::Odbc
        } else if upper == "FILE" {
            ConnectionKind::File
        } else if upper == "FLATFILE" {
            ConnectionKind::FlatFile
        } else if upper == "SMTP" {
            ConnectionKind::Smtp
        } else {
            ConnectionKind::Other(c.to_string())
        }
    }
}

/// How to log in.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// A SQL Server login.
    SqlLogin {
        /// `User ID`.
        user: String,
        /// `Password` (empty when the package did not save it).
        password: String,
    },
    /// Windows authentication (`Integrated Security=SSPI`, `Trusted_Connection=yes`).
    Integrated,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::SqlLogin { user, .. } => write!(f, "SqlLogin({user:?}, <password hidden>)"),
            Auth::Integrated => write!(f, "Integrated"),
        }
    }
}

/// A SQL Server that a connection manager points at, with how to log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlServerTarget {
    /// The connection manager's family.
    pub kind: ConnectionKind,
    /// The provider or driver as written (`SQLNCLI11.1`, `MSOLEDBSQL`,
    /// `System.Data.SqlClient.SqlConnection`, `ODBC Driver 17 for SQL Server`).
    pub provider: String,
    /// The server as written (`host`, `host\instance`, `host,port`, `tcp:host,port`, `.`).
    pub server: String,
    /// Where to connect.
    pub address: ServerAddress,
    /// `Initial Catalog` / `Database`; `None`: the login's default database.
    pub database: Option<String>,
    /// Login.
    pub auth: Auth,
    /// Encrypt the whole session and check the server's certificate
    /// (unless `trust_server_certificate`). Off (the default of SQLNCLI
    /// and System.Data.SqlClient): TLS when the server offers it, without
    /// checking its certificate, as those drivers do.
    pub encrypt: bool,
    /// Accept any server certificate.
    pub trust_server_certificate: bool,
    /// `Connect Timeout` (default 15 s).
    pub connect_timeout: Duration,
    /// `Application Name` (default `ssis-service`).
    pub application_name: String,
    /// UDP port of the SQL Server Browser, for `host\instance` (1434).
    pub browser_port: u16,
}

/// OLE DB providers that reach SQL Server (lower case, without the `.N` version).
const SQL_OLEDB_PROVIDERS: [&str; 5] = [
    "sqlncli",
    "sqlncli10",
    "sqlncli11",
    "sqloledb",
    "msoledbsql",
];

fn unsupported(cm_name: &str, what: String) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        format!("connection manager '{cm_name}': {what}"),
    )
    .with_target(cm_name.to_string())
}

fn bad(cm_name: &str, what: String) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!("connection manager '{cm_name}': {what}"),
    )
    .with_target(cm_name.to_string())
}

/// Whether an OLE DB `Provider` value reaches SQL Server.
pub fn is_sql_server_oledb_provider(provider: &str) -> bool {
    let p = provider.trim().to_ascii_lowercase();
    let base = p.split('.').next().unwrap_or("");
    SQL_OLEDB_PROVIDERS.contains(&base) || base.starts_with("msoledbsql")
}

/// Whether an ADO.NET provider type is SQL Server's.
pub fn is_sql_server_ado_provider(provider: &str) -> bool {
    let t = provider.split(',').next().unwrap_or("").trim();
    t.eq_ignore_ascii_case("System.Data.SqlClient.SqlConnection")
        || t.eq_ignore_ascii_case("Microsoft.Data.SqlClient.SqlConnection")
}

impl SqlServerTarget {
    /// Parses the connection string of a connection manager named
    /// `cm_name` whose `CreationName` is `creation_name`. `password`, when
    /// given (the manager's `Password` property), is used when the string
    /// holds none.
    pub fn parse(
        cm_name: &str,
        creation_name: &str,
        connection_string: &str,
        password: Option<&str>,
    ) -> Result<SqlServerTarget> {
        let kind = ConnectionKind::of(creation_name);
        if !matches!(
            kind,
            ConnectionKind::OleDb | ConnectionKind::AdoNet(_) | ConnectionKind::Odbc
        ) {
            return Err(unsupported(
                cm_name,
                format!(
                    "a {} connection manager does not connect to SQL Server",
                    creation_name.trim()
                ),
            ));
        }
        let pairs = connstr::parse(connection_string).map_err(|e| bad(cm_name, e.message))?;
        let provider = match &kind {
            ConnectionKind::OleDb => {
                let p = pairs.get(&["Provider"]).unwrap_or("").to_string();
                if p.is_empty() {
                    return Err(bad(
                        cm_name,
                        "the OLE DB connection string names no Provider".into(),
                    ));
                }
                if !is_sql_server_oledb_provider(&p) {
                    return Err(unsupported(
                        cm_name,
                        format!(
                            "OLE DB provider '{p}' is not supported: only SQL Server's \
                             (SQLNCLI*, SQLOLEDB, MSOLEDBSQL*) are"
                        ),
                    ));
                }
                p
            }
            ConnectionKind::AdoNet(t) => {
                if !is_sql_server_ado_provider(t) {
                    return Err(unsupported(
                        cm_name,
                        format!(
                            "ADO.NET provider '{}' is not supported: only SqlClient \
                             (System.Data.SqlClient, Microsoft.Data.SqlClient) is",
                            t.split(',').next().unwrap_or(t).trim()
                        ),
                    ));
                }
                t.split(',').next().unwrap_or(t).trim().to_string()
            }
            ConnectionKind::Odbc => {
                let d = pairs.get(&["Driver"]).unwrap_or("").to_string();
                let dl = d.to_ascii_lowercase();
                if !(dl.contains("sql server") || dl.contains("sql native client")) {
                    return Err(unsupported(
                        cm_name,
                        if d.is_empty() {
                            "an ODBC connection without Driver= (a DSN) is not supported: \
                             name the SQL Server driver"
                                .to_string()
                        } else {
                            format!(
                                "ODBC driver '{d}' is not supported: only SQL Server's drivers are"
                            )
                        },
                    ));
                }
                d
            }
            _ => {
                return Err(unsupported(
                    cm_name,
                    format!("{creation_name} does not connect to SQL Server"),
                ));
            }
        };
        let server = pairs
            .get(&[
                "Data Source",
                "Server",
                "Address",
                "Addr",
                "Network Address",
            ])
            .unwrap_or("")
            .trim()
            .to_string();
        if server.is_empty() {
            return Err(bad(
                cm_name,
                "the connection string names no server (Data Source)".into(),
            ));
        }
        let address = parse_server_name(server.trim_start_matches("tcp:").trim())
            .map_err(|e| bad(cm_name, format!("server '{server}': {}", e.message)))?;
        let database = pairs
            .get(&["Initial Catalog", "Database"])
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_string);
        let truthy = |key: &[&str]| -> Result<Option<bool>> {
            match pairs.get(key) {
                None => Ok(None),
                Some(v) => match v.trim().to_ascii_lowercase().as_str() {
                    "true" | "yes" | "sspi" | "1" | "mandatory" | "strict" => Ok(Some(true)),
                    "false" | "no" | "0" | "optional" | "" => Ok(Some(false)),
                    other => Err(bad(
                        cm_name,
                        format!("{} '{other}' is not true or false", key[0]),
                    )),
                },
            }
        };
        let integrated = truthy(&["Integrated Security", "Trusted_Connection"])?.unwrap_or(false);
        let auth = if integrated {
            Auth::Integrated
        } else {
            let user = pairs
                .get(&["User ID", "UID", "User", "User Name"])
                .unwrap_or("");
            if user.is_empty() {
                return Err(bad(
                    cm_name,
                    "the connection string has neither a User ID nor Integrated Security".into(),
                ));
            }
            Auth::SqlLogin {
                user: user.to_string(),
                password: pairs
                    .get(&["Password", "PWD"])
                    .or(password)
                    .unwrap_or("")
                    .to_string(),
            }
        };
        let encrypt = truthy(&["Use Encryption for Data", "Encrypt"])?.unwrap_or_else(|| {
            // MSOLEDBSQL 19 and Microsoft.Data.SqlClient encrypt by default.
            let p = provider.to_ascii_lowercase();
            p.starts_with("msoledbsql19") || p.starts_with("microsoft.data.sqlclient")
        });
        let trust_server_certificate =
            truthy(&["Trust Server Certificate", "TrustServerCertificate"])?.unwrap_or(false);
        let connect_timeout = match pairs.get(&["Connect Timeout", "Connection Timeout", "Timeout"])
        {
            None => Duration::from_secs(15),
            Some(v) => Duration::from_secs(v.trim().parse::<u64>().map_err(|_| {
                bad(
                    cm_name,
                    format!("Connect Timeout '{v}' is not a number of seconds"),
                )
            })?),
        };
        let application_name = pairs
            .get(&["Application Name", "App"])
            .filter(|a| !a.trim().is_empty())
            .unwrap_or("ssis-service")
            .to_string();
        Ok(SqlServerTarget {
            kind,
            provider,
            server,
            address,
            database,
            auth,
            encrypt,
            trust_server_certificate,
            connect_timeout,
            application_name,
            browser_port: 1434,
        })
    }

    /// The target of a package's connection manager `cm`, with
    /// `connection_string` as it stands at run time (after property
    /// expressions and `/SET`, `/Conn`).
    pub fn of_manager(cm: &ConnectionManager, connection_string: &str) -> Result<SqlServerTarget> {
        SqlServerTarget::parse(
            &cm.name,
            &cm.creation_name,
            connection_string,
            cm.password.as_deref(),
        )
    }

    /// `server 'x', database 'y'` for messages.
    pub fn describe(&self) -> String {
        match &self.database {
            Some(d) => format!("server '{}', database '{d}'", self.server),
            None => format!("server '{}'", self.server),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(creation: &str, cs: &str) -> Result<SqlServerTarget> {
        SqlServerTarget::parse("CM", creation, cs, None)
    }

    #[test]
    fn oledb_as_ssdt_writes_it() {
        let t = parse(
            "OLEDB",
            "Data Source=db01\\SALES;Initial Catalog=Orders;Provider=SQLNCLI11.1;\
             Integrated Security=SSPI;Auto Translate=False;",
        )
        .unwrap();
        assert_eq!(t.kind, ConnectionKind::OleDb);
        assert_eq!(t.provider, "SQLNCLI11.1");
        assert_eq!(t.database.as_deref(), Some("Orders"));
        assert_eq!(t.auth, Auth::Integrated);
        assert!(!t.encrypt);
        assert!(matches!(t.address, ServerAddress::Instance { .. }));
        let t = parse(
            "OLEDB",
            "Data Source=127.0.0.1,14330;User ID=sa;Password=x;Provider=MSOLEDBSQL19.1;",
        )
        .unwrap();
        assert!(t.encrypt, "MSOLEDBSQL 19 encrypts by default");
        assert_eq!(
            t.auth,
            Auth::SqlLogin {
                user: "sa".into(),
                password: "x".into()
            }
        );
        assert!(!format!("{t:?}").contains("password: \"x\""));
    }

    #[test]
    fn ado_net_and_odbc() {
        let t = parse(
            "ADO.NET:System.Data.SqlClient.SqlConnection, System.Data, Version=4.0.0.0, \
             Culture=neutral, PublicKeyToken=b77a5c561934e089",
            "Data Source=localhost;Initial Catalog=DW;Integrated Security=True;Application Name=SSIS-Pkg;",
        )
        .unwrap();
        assert_eq!(t.provider, "System.Data.SqlClient.SqlConnection");
        assert_eq!(t.application_name, "SSIS-Pkg");
        let t = parse(
            "ODBC",
            "Driver={ODBC Driver 17 for SQL Server};Server=tcp:h,1500;Database=d;UID=u;PWD={p;w}",
        )
        .unwrap();
        assert_eq!(
            t.address,
            ServerAddress::Port {
                host: "h".into(),
                port: 1500
            }
        );
        assert_eq!(
            t.auth,
            Auth::SqlLogin {
                user: "u".into(),
                password: "p;w".into()
            }
        );
    }

    #[test]
    fn other_providers_are_refused_by_name() {
        let e = parse(
            "OLEDB",
            "Provider=Microsoft.ACE.OLEDB.12.0;Data Source=C:\\x.accdb",
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unsupported);
        assert!(e.message.contains("'Microsoft.ACE.OLEDB.12.0'"), "{e}");
        let e = parse(
            "ADO.NET:Oracle.ManagedDataAccess.Client.OracleConnection, Oracle.ManagedDataAccess",
            "Data Source=x",
        )
        .unwrap_err();
        assert!(e.message.contains("OracleConnection"), "{e}");
        let e = parse("ODBC", "DSN=Sales").unwrap_err();
        assert!(e.message.contains("DSN"), "{e}");
        let e = parse("FLATFILE", "C:\\a.csv").unwrap_err();
        assert!(e.message.contains("FLATFILE"), "{e}");
    }

    #[test]
    fn bad_strings_say_what_is_wrong() {
        let e = parse(
            "OLEDB",
            "Provider=SQLNCLI11;Initial Catalog=x;Integrated Security=SSPI",
        )
        .unwrap_err();
        assert!(e.message.contains("names no server"), "{e}");
        let e = parse("OLEDB", "Provider=SQLNCLI11;Data Source=x").unwrap_err();
        assert!(e.message.contains("neither a User ID"), "{e}");
        let e = parse(
            "OLEDB",
            "Provider=SQLNCLI11;Data Source=x;Integrated Security=maybe",
        )
        .unwrap_err();
        assert!(e.message.contains("'maybe'"), "{e}");
        let e = parse("OLEDB", "Data Source=x;User ID=u").unwrap_err();
        assert!(e.message.contains("no Provider"), "{e}");
    }

    #[test]
    fn the_managers_password_fills_a_missing_one() {
        let t = SqlServerTarget::parse(
            "CM",
            "OLEDB",
            "Provider=SQLOLEDB;Data Source=h;User ID=u",
            Some("secret"),
        )
        .unwrap();
        assert_eq!(
            t.auth,
            Auth::SqlLogin {
                user: "u".into(),
                password: "secret".into()
            }
        );
    }
}

//! `ServerName` as written in the service configuration.

use crate::error::{Error, Result};

/// The default SQL Server TCP port.
pub const DEFAULT_PORT: u16 = 1433;

/// Where a configured server name points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerAddress {
    /// A host and a TCP port (`host`, `host,port`, `.`).
    Port {
        /// Host name or address (`localhost` for `.` and `(local)`).
        host: String,
        /// TCP port.
        port: u16,
    },
    /// A named instance, whose port the SQL Server Browser tells (`host\instance`).
    Instance {
        /// Host name or address.
        host: String,
        /// Instance name.
        instance: String,
    },
}

impl ServerAddress {
    /// The host part.
    pub fn host(&self) -> &str {
        match self {
            ServerAddress::Port { host, .. } | ServerAddress::Instance { host, .. } => host,
        }
    }
}

/// Parses `.`, `(local)`, `localhost`, `host`, `host\instance`, `host,port`
/// (each optionally prefixed `tcp:`). `MSSQLSERVER` is the default instance.
pub fn parse_server_name(name: &str) -> Result<ServerAddress> {
    let trimmed = name.trim();
    let text = trimmed
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("tcp:"))
        .map_or(trimmed, |_| &trimmed[4..]);
    let bad = |why: &str| {
        Error::invalid(format!(
            "server name '{name}' is not valid: {why}; write '.', '(local)', 'host', \
             'host\\instance' or 'host,port'"
        ))
        .with_target(name.to_string())
    };
    let (rest, port) = match text.split_once(',') {
        Some((rest, port)) => {
            let port: u16 = port
                .trim()
                .parse()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| bad(&format!("'{}' is not a TCP port (1-65535)", port.trim())))?;
            (rest, Some(port))
        }
        None => (text, None),
    };
    let (host, instance) = match rest.split_once('\\') {
        Some((h, i)) => (h.trim(), Some(i.trim())),
        None => (rest.trim(), None),
    };
    if host
        .chars()
        .any(|c| c.is_whitespace() || c == '\\' || c == ';')
    {
        return Err(bad(&format!("host '{host}' holds a space, '\\' or ';'")));
    }
    let host = match host.to_ascii_lowercase().as_str() {
        "" | "." | "(local)" | "localhost" => "localhost".to_string(),
        _ => host.to_string(),
    };
    match (instance, port) {
        (_, Some(port)) => Ok(ServerAddress::Port { host, port }),
        (Some(""), None) => Err(bad("the instance name after '\\' is empty")),
        (Some(i), None) if !i.eq_ignore_ascii_case("MSSQLSERVER") => {
            if i.len() > 32 || i.contains(['\\', ',', ';', ':']) {
                return Err(bad(&format!("instance name '{i}' is not valid")));
            }
            Ok(ServerAddress::Instance {
                host,
                instance: i.to_string(),
            })
        }
        _ => Ok(ServerAddress::Port {
            host,
            port: DEFAULT_PORT,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn port(host: &str, port: u16) -> ServerAddress {
        ServerAddress::Port {
            host: host.into(),
            port,
        }
    }

    #[test]
    fn every_documented_form_parses() {
        assert_eq!(parse_server_name(".").unwrap(), port("localhost", 1433));
        assert_eq!(
            parse_server_name("(local)").unwrap(),
            port("localhost", 1433)
        );
        assert_eq!(
            parse_server_name("LocalHost").unwrap(),
            port("localhost", 1433)
        );
        assert_eq!(parse_server_name("db1").unwrap(), port("db1", 1433));
        assert_eq!(parse_server_name("db1,1444").unwrap(), port("db1", 1444));
        assert_eq!(
            parse_server_name("tcp:db1,1444").unwrap(),
            port("db1", 1444)
        );
        assert_eq!(
            parse_server_name("db1\\SQL2019,1500").unwrap(),
            port("db1", 1500)
        );
        assert_eq!(
            parse_server_name(".\\MSSQLSERVER").unwrap(),
            port("localhost", 1433)
        );
        assert_eq!(
            parse_server_name(".\\SQLEXPRESS").unwrap(),
            ServerAddress::Instance {
                host: "localhost".into(),
                instance: "SQLEXPRESS".into()
            }
        );
    }

    #[test]
    fn bad_forms_say_what_is_wrong() {
        for (name, why) in [
            ("db1,x", "not a TCP port"),
            ("db1,0", "not a TCP port"),
            ("db1\\", "instance name after '\\' is empty"),
            ("db 1", "holds a space"),
        ] {
            let e = parse_server_name(name).unwrap_err();
            assert!(e.message.contains(why), "{name}: {e}");
        }
    }
}

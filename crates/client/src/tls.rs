//! `tls://host:port`: TCP with TLS (rustls, ring provider). The server's
//! certificate is verified against the CA file given (`CaFile`,
//! `$SSIS_SERVICE_CA`) or the system's trusted roots, for the host name in
//! the server name; the bearer token goes in the Hello.
//!
//! `tcp://127.0.0.1:port`: plain TCP, refused unless the address is loopback
//! (for a service whose `<Listen Plaintext="true">` is on loopback).

use super::transport::{ConnectOptions, Duplex};
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use ssis_core::config::is_loopback;
use ssis_core::error::{Error, ErrorKind, Result};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::address::{TCP_PREFIX, TLS_PREFIX};

/// How long the TCP connection and the TLS handshake may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// Trusted-root bundles looked for when no CA file is given.
const SYSTEM_BUNDLES: [&str; 5] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/cert.pem",
    "/usr/local/etc/openssl/cert.pem",
    "/etc/ssl/ca-bundle.pem",
];

/// A parsed `tls://` or `tcp://` server.
#[derive(Debug, Clone, PartialEq)]
pub struct TlsTarget {
    /// Host name or address (the certificate must name it).
    pub host: String,
    /// Port.
    pub port: u16,
    /// `tcp://`: no TLS (loopback only).
    pub plaintext: bool,
    /// Bearer token for Hello.
    pub token: Option<String>,
    /// CA file to verify the server with.
    pub ca_file: Option<PathBuf>,
}

fn bad(server: &str, why: &str) -> Error {
    Error::invalid(format!(
        "'{server}' is not a TLS server name: {why} (expected tls://host:port, or tcp://127.0.0.1:port on loopback)"
    ))
    .with_target(server.to_string())
}

impl TlsTarget {
    /// Parses `tls://host:port` / `tcp://host:port`.
    pub fn parse(server: &str, options: &ConnectOptions) -> Result<TlsTarget> {
        let plaintext = server.to_ascii_lowercase().starts_with(TCP_PREFIX);
        let rest = &server[TLS_PREFIX.len()..];
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#', '@']) {
            return Err(bad(server, "a user, path or query is not allowed"));
        }
        let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
            let (h, after) = v6
                .split_once(']')
                .ok_or_else(|| bad(server, "an IPv6 address needs its closing ']'"))?;
            (h, after.strip_prefix(':'))
        } else {
            match rest.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (rest, None),
            }
        };
        if host.is_empty() || host.starts_with('-') {
            return Err(bad(server, "the host is missing"));
        }
        let port = port
            .and_then(|p| p.parse::<u16>().ok())
            .filter(|p| *p > 0)
            .ok_or_else(|| bad(server, "the port (1 to 65535) is required"))?;
        Ok(TlsTarget {
            host: host.to_string(),
            port,
            plaintext,
            token: options.token.clone(),
            ca_file: options.ca_file.clone(),
        })
    }

    fn addresses(&self) -> Result<Vec<SocketAddr>> {
        let addrs: Vec<SocketAddr> = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|e| {
                Error::new(
                    ErrorKind::Connection,
                    format!("cannot resolve '{}': {e}", self.host),
                )
            })?
            .collect();
        if addrs.is_empty() {
            return Err(Error::new(
                ErrorKind::Connection,
                format!("'{}' has no address", self.host),
            ));
        }
        Ok(addrs)
    }

    /// Connects (and completes the TLS handshake).
    pub(super) fn open(&self) -> Result<Box<dyn Duplex>> {
        let addrs = self.addresses()?;
        if self.plaintext && !addrs.iter().all(|a| is_loopback(a.ip())) {
            return Err(Error::new(
                ErrorKind::Connection,
                format!(
                    "plain TCP to '{}' is refused: tcp:// is for loopback addresses only; use tls://{}:{}",
                    self.host, self.host, self.port
                ),
            ));
        }
        let mut last = None;
        let tcp = addrs
            .iter()
            .find_map(|a| match TcpStream::connect_timeout(a, CONNECT_TIMEOUT) {
                Ok(s) => Some(s),
                Err(e) => {
                    last = Some(format!("{a}: {e}"));
                    None
                }
            });
        let Some(tcp) = tcp else {
            return Err(Error::new(
                ErrorKind::Connection,
                format!(
                    "cannot connect to the SSIS service at {}:{} ({})",
                    self.host,
                    self.port,
                    last.unwrap_or_default()
                ),
            ));
        };
        let _ = tcp.set_nodelay(true);
        if self.plaintext {
            return Ok(Box::new(tcp));
        }
        let config = client_config(self.ca_file.as_deref())?;
        let name = ServerName::try_from(self.host.clone()).map_err(|e| {
            Error::invalid(format!(
                "'{}' is not a valid TLS server name: {e}",
                self.host
            ))
        })?;
        let mut conn = ClientConnection::new(config, name)
            .map_err(|e| Error::internal(format!("TLS set-up failed: {e}")))?;
        let mut tcp = tcp;
        let _ = tcp.set_read_timeout(Some(CONNECT_TIMEOUT));
        while conn.is_handshaking() {
            conn.complete_io(&mut tcp).map_err(|e| {
                Error::new(
                    ErrorKind::Connection,
                    format!(
                        "the TLS handshake with {}:{} failed: {e}",
                        self.host, self.port
                    ),
                )
            })?;
        }
        let _ = tcp.set_read_timeout(None);
        Ok(Box::new(TlsStream(StreamOwned::new(conn, tcp))))
    }
}

/// The client TLS configuration: the CA file's certificates, or the system roots.
fn client_config(ca_file: Option<&Path>) -> Result<Arc<ClientConfig>> {
    let mut roots = RootCertStore::empty();
    let files: Vec<PathBuf> = match ca_file {
        Some(f) => vec![f.to_path_buf()],
        None => std::env::var_os("SSL_CERT_FILE")
            .map(PathBuf::from)
            .into_iter()
            .chain(SYSTEM_BUNDLES.iter().map(PathBuf::from))
            .filter(|p| p.is_file())
            .take(1)
            .collect(),
    };
    for f in &files {
        for cert in ssis_core::protocol::tls::read_certificates(f)? {
            roots.add(cert).map_err(|e| {
                Error::new(
                    ErrorKind::Configuration,
                    format!(
                        "'{}' holds a certificate that cannot be trusted: {e}",
                        f.display()
                    ),
                )
            })?;
        }
    }
    if roots.is_empty() {
        return Err(Error::new(
            ErrorKind::Configuration,
            "no trusted root certificates: give the CA file that signed the service's certificate \
             ($SSIS_SERVICE_CA or the CaFile connection option)",
        ));
    }
    let config = ClientConfig::builder_with_provider(ssis_core::protocol::tls::provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::internal(format!("TLS set-up failed: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

impl Duplex for TcpStream {
    fn set_read_timeout(&self, timeout: Option<Duration>) {
        let _ = TcpStream::set_read_timeout(self, timeout);
    }
}

/// A TLS connection.
struct TlsStream(StreamOwned<ClientConnection, TcpStream>);

impl Read for TlsStream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for TlsStream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl Duplex for TlsStream {
    fn set_read_timeout(&self, timeout: Option<Duration>) {
        let _ = self.0.sock.set_read_timeout(timeout);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let o = ConnectOptions {
            token: Some("t".into()),
            ..Default::default()
        };
        let t = TlsTarget::parse("tls://db1:8443", &o).unwrap();
        assert_eq!((t.host.as_str(), t.port, t.plaintext), ("db1", 8443, false));
        assert_eq!(t.token.as_deref(), Some("t"));
        let t = TlsTarget::parse("tcp://[::1]:9", &o).unwrap();
        assert_eq!((t.host.as_str(), t.plaintext), ("::1", true));
        for bad in [
            "tls://db1",
            "tls://u@db1:1",
            "tls://:1",
            "tls://h:0",
            "tls://h:1/x",
        ] {
            assert!(TlsTarget::parse(bad, &o).is_err(), "{bad}");
        }
    }

    #[test]
    fn plain_tcp_is_loopback_only() {
        let t = TlsTarget::parse("tcp://192.0.2.1:9", &ConnectOptions::default()).unwrap();
        let e = t.open().err().unwrap();
        assert!(
            e.message.contains("loopback addresses only"),
            "{}",
            e.message
        );
    }
}

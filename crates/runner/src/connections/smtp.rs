//! SMTP connection managers and sending one message (the Send Mail Task).
//!
//! The manager's connection string is `SmtpServer=<host>;UseWindowsAuthentication=False;EnableSsl=False;`.
//! SSIS always uses port 25; this runner also accepts `host:port`. With
//! `EnableSsl=True` the session switches to TLS with STARTTLS, as .NET's
//! SmtpClient (which SSIS uses) does, checking the server's certificate
//! against the system's trusted roots (`SSL_CERT_FILE` / `SSL_CERT_DIR`
//! name others). Windows authentication is refused with the reason, before
//! anything runs.

use super::connstr;
use crate::cancel::CancelToken;
use base64::Engine as _;
use ssis_core::error::{Error, ErrorKind, Result};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Where an SMTP connection manager sends mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpTarget {
    /// `SmtpServer`'s host.
    pub host: String,
    /// 25, or the port given as `host:port`.
    pub port: u16,
    /// How long to wait for the server at each step (100 s, as .NET's SmtpClient).
    pub timeout: Duration,
    /// `EnableSsl`: STARTTLS before anything is sent.
    pub ssl: bool,
}

fn flag(pairs: &connstr::Pairs, key: &str, cm: &str) -> Result<bool> {
    match pairs.get(&[key]).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(false),
        Some(v) if v == "true" || v == "-1" || v == "1" => Ok(true),
        Some(v) if v == "false" || v == "0" || v.is_empty() => Ok(false),
        Some(v) => Err(Error::invalid(format!(
            "SMTP connection manager '{cm}': {key} '{v}' is not True or False"
        ))),
    }
}

impl SmtpTarget {
    /// Parses the connection string of the SMTP manager `cm_name`.
    pub fn parse(cm_name: &str, connection_string: &str) -> Result<SmtpTarget> {
        let pairs = connstr::parse(connection_string).map_err(|e| {
            Error::invalid(format!(
                "SMTP connection manager '{cm_name}': {}",
                e.message
            ))
        })?;
        let server = pairs.get(&["SmtpServer"]).unwrap_or("").trim().to_string();
        if server.is_empty() {
            return Err(Error::invalid(format!(
                "SMTP connection manager '{cm_name}' names no SmtpServer"
            )));
        }
        if flag(&pairs, "UseWindowsAuthentication", cm_name)? {
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!(
                    "SMTP connection manager '{cm_name}': UseWindowsAuthentication is not supported \
                     here (this runner sends without authentication)"
                ),
            ));
        }
        let ssl = flag(&pairs, "EnableSsl", cm_name)?;
        let (host, port) = match server.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') => (
                h.to_string(),
                p.parse::<u16>().map_err(|_| {
                    Error::invalid(format!(
                        "SMTP connection manager '{cm_name}': '{p}' in SmtpServer '{server}' is not a port"
                    ))
                })?,
            ),
            _ => (server.clone(), 25),
        };
        Ok(SmtpTarget {
            host,
            port,
            timeout: Duration::from_secs(100),
            ssl,
        })
    }
}

/// One message.
#[derive(Debug, Clone, Default)]
pub struct Mail {
    /// Sender address.
    pub from: String,
    /// Recipients shown in `To`.
    pub to: Vec<String>,
    /// Recipients shown in `Cc`.
    pub cc: Vec<String>,
    /// Recipients not shown.
    pub bcc: Vec<String>,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// `High`, `Normal` or `Low`.
    pub priority: String,
    /// Attachments: file name and content.
    pub attachments: Vec<(String, Vec<u8>)>,
}

/// Splits an address list written with `;` or `,` separators.
pub fn addresses(list: &str) -> Vec<String> {
    list.split([';', ','])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect()
}

/// The bare address of `Name <addr>` or `addr`.
fn bare(addr: &str) -> &str {
    match (addr.find('<'), addr.rfind('>')) {
        (Some(a), Some(b)) if a < b => addr[a + 1..b].trim(),
        _ => addr.trim(),
    }
}

/// A header value, RFC 2047-encoded when it is not ASCII.
fn header_text(s: &str) -> String {
    if s.is_ascii() && !s.contains(['\r', '\n']) {
        s.to_string()
    } else {
        format!(
            "=?UTF-8?B?{}?=",
            base64::engine::general_purpose::STANDARD.encode(s.replace(['\r', '\n'], " "))
        )
    }
}

fn base64_lines(data: &[u8]) -> String {
    let enc = base64::engine::general_purpose::STANDARD.encode(data);
    let mut out = String::with_capacity(enc.len() + enc.len() / 76 * 2 + 2);
    for chunk in enc.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or(""));
        out.push_str("\r\n");
    }
    out
}

impl Mail {
    /// The message as sent in DATA (CRLF lines, before dot-stuffing).
    pub fn to_message(&self, host_name: &str) -> String {
        let mut m = String::new();
        let boundary = format!("=_ssis_{}", uuid::Uuid::new_v4().simple());
        m += &format!("From: {}\r\n", self.from);
        if !self.to.is_empty() {
            m += &format!("To: {}\r\n", self.to.join(", "));
        }
        if !self.cc.is_empty() {
            m += &format!("Cc: {}\r\n", self.cc.join(", "));
        }
        m += &format!("Subject: {}\r\n", header_text(&self.subject));
        m += &format!("Date: {}\r\n", jiff_like_date());
        m += &format!(
            "Message-ID: <{}@{}>\r\n",
            uuid::Uuid::new_v4().simple(),
            host_name
        );
        let (xp, importance) = match self.priority.trim() {
            "High" | "1" => ("1", "High"),
            "Low" | "5" => ("5", "Low"),
            _ => ("3", "Normal"),
        };
        m += &format!("X-Priority: {xp}\r\nImportance: {importance}\r\n");
        m += "MIME-Version: 1.0\r\n";
        let body = format!(
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}",
            base64_lines(self.body.as_bytes())
        );
        if self.attachments.is_empty() {
            m += &body;
        } else {
            m += &format!("Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n");
            m += &format!("--{boundary}\r\n{body}");
            for (name, data) in &self.attachments {
                let name = header_text(name).replace('"', "'");
                m += &format!(
                    "--{boundary}\r\nContent-Type: application/octet-stream; name=\"{name}\"\r\n\
                     Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\r\n{}",
                    base64_lines(data)
                );
            }
            m += &format!("--{boundary}--\r\n");
        }
        m
    }
}

/// RFC 5322 date of now, in UTC.
fn jiff_like_date() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs() as i64;
    let days = now.div_euclid(86_400);
    let secs = now.rem_euclid(86_400);
    // 1970-01-01 was a Thursday.
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let (y, m, d) = crate::expr::civil_from_days(days);
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(m as usize).saturating_sub(1).min(11)];
    format!(
        "{weekday}, {d:02} {month} {y} {:02}:{:02}:{:02} +0000",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// A byte stream the session speaks over: TCP, or TLS over it.
trait Stream: Read + Write + Send {}
impl<T: Read + Write + Send> Stream for T {}

struct Session {
    io: BufReader<Box<dyn Stream>>,
    target: String,
}

impl Session {
    fn write(&mut self, bytes: &[u8], after: &str) -> Result<()> {
        let r = self.io.get_mut().write_all(bytes);
        r.and_then(|()| self.io.get_mut().flush())
            .map_err(|e| self.io(after, e))
    }

    /// Switches to TLS (after the server accepted STARTTLS), checking the
    /// certificate for `host`.
    fn start_tls(self, tcp: TcpStream, host: &str) -> Result<Session> {
        let fail = |why: String| self.fail("STARTTLS", why);
        let config = tls_config().map_err(&fail)?;
        let name = rustls_pki_types::ServerName::try_from(host.to_string())
            .map_err(|e| fail(format!("'{host}' is not a server name: {e}")))?;
        let conn = rustls::ClientConnection::new(config, name)
            .map_err(|e| fail(format!("cannot start TLS: {e}")))?;
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        while tls.conn.is_handshaking() {
            tls.conn
                .complete_io(&mut tls.sock)
                .map_err(|e| fail(format!("the TLS handshake failed: {e}")))?;
        }
        Ok(Session {
            io: BufReader::new(Box::new(tls)),
            target: self.target,
        })
    }

    /// Reads one (possibly multi-line) reply; fails unless its code starts with `want`.
    fn expect(&mut self, want: char, after: &str) -> Result<()> {
        let mut text = String::new();
        loop {
            let mut line = String::new();
            let n = self
                .io
                .read_line(&mut line)
                .map_err(|e| self.io(after, e))?;
            if n == 0 {
                return Err(self.fail(after, "the server closed the connection".into()));
            }
            let line = line.trim_end();
            text.push_str(line);
            text.push(' ');
            if line.len() < 4 || line.as_bytes()[3] != b'-' {
                break;
            }
        }
        if text.starts_with(want) {
            Ok(())
        } else {
            Err(self.fail(after, format!("the server answered '{}'", text.trim())))
        }
    }

    fn send(&mut self, line: &str, want: char) -> Result<()> {
        self.write(format!("{line}\r\n").as_bytes(), line)?;
        let what = line.split(':').next().unwrap_or(line).to_string();
        self.expect(want, &what)
    }

    fn io(&self, after: &str, e: std::io::Error) -> Error {
        let why = if matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ) {
            "the server did not answer in time".to_string()
        } else {
            e.to_string()
        };
        self.fail(after, why)
    }

    fn fail(&self, after: &str, why: String) -> Error {
        Error::new(
            ErrorKind::Io,
            format!("SMTP server {}: {after}: {why}", self.target),
        )
    }
}

/// Sends `mail` through `target`. `cancel` is looked at between steps.
pub fn send(target: &SmtpTarget, mail: &Mail, cancel: &CancelToken) -> Result<()> {
    let where_ = format!("{}:{}", target.host, target.port);
    let recipients: Vec<&String> = mail.to.iter().chain(&mail.cc).chain(&mail.bcc).collect();
    if recipients.is_empty() {
        return Err(Error::invalid(
            "the message has no recipient (To, CC or BCC)",
        ));
    }
    if mail.from.trim().is_empty() {
        return Err(Error::invalid("the message has no sender (From)"));
    }
    let addr = (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|e| Error::new(ErrorKind::Connection, format!("SMTP server {where_}: {e}")))?
        .next()
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Connection,
                format!("SMTP server {where_}: the name has no address"),
            )
        })?;
    let stream = TcpStream::connect_timeout(&addr, target.timeout.min(Duration::from_secs(30)))
        .map_err(|e| {
            Error::new(
                ErrorKind::Connection,
                format!("SMTP server {where_}: cannot connect: {e}"),
            )
        })?;
    let _ = stream.set_read_timeout(Some(target.timeout));
    let _ = stream.set_write_timeout(Some(target.timeout));
    let tcp = stream
        .try_clone()
        .map_err(|e| Error::new(ErrorKind::Connection, format!("SMTP server {where_}: {e}")))?;
    let mut s = Session {
        io: BufReader::new(Box::new(stream)),
        target: where_,
    };
    let check = |s: &mut Session| -> Result<()> {
        if cancel.is_canceled() {
            let _ = s.write(b"QUIT\r\n", "QUIT");
            Err(Error::new(ErrorKind::Canceled, "canceled"))
        } else {
            Ok(())
        }
    };
    let me = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into());
    s.expect('2', "greeting")?;
    check(&mut s)?;
    if target.ssl {
        // STARTTLS needs EHLO; nothing is buffered past the reply, so the
        // TLS session starts on the raw socket.
        s.send(&format!("EHLO {me}"), '2')?;
        s.send("STARTTLS", '2')?;
        s = s.start_tls(tcp, &target.host)?;
        s.send(&format!("EHLO {me}"), '2')?;
    } else if s.send(&format!("EHLO {me}"), '2').is_err() {
        s.send(&format!("HELO {me}"), '2')?;
    }
    s.send(&format!("MAIL FROM:<{}>", bare(&mail.from)), '2')?;
    for r in recipients {
        check(&mut s)?;
        s.send(&format!("RCPT TO:<{}>", bare(r)), '2')?;
    }
    s.send("DATA", '3')?;
    let mut data = String::new();
    for line in mail.to_message(&me).split("\r\n") {
        if line.starts_with('.') {
            data.push('.');
        }
        data.push_str(line);
        data.push_str("\r\n");
    }
    data.push_str(".\r\n");
    check(&mut s)?;
    s.write(data.trim_start_matches("\r\n").as_bytes(), "DATA")?;
    s.expect('2', "end of DATA")?;
    let _ = s.send("QUIT", '2');
    Ok(())
}

/// A TLS client configuration trusting the system's roots.
fn tls_config() -> std::result::Result<std::sync::Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls_native_certs::load_native_certs().unwrap_or_default() {
        let _ = roots.add(rustls_pki_types::CertificateDer::from(c.0));
    }
    if roots.is_empty() {
        return Err(
            "no trusted root certificates were found (the system's, or SSL_CERT_FILE)".into(),
        );
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(std::sync::Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_strings() {
        let t = SmtpTarget::parse(
            "Mail",
            "SmtpServer=mail.contoso.com;UseWindowsAuthentication=False;EnableSsl=False;",
        )
        .unwrap();
        assert_eq!((t.host.as_str(), t.port), ("mail.contoso.com", 25));
        let t = SmtpTarget::parse("Mail", "SmtpServer=127.0.0.1:2525").unwrap();
        assert_eq!(t.port, 2525);
        assert!(!t.ssl);
        let t = SmtpTarget::parse("Mail", "SmtpServer=m;EnableSsl=True").unwrap();
        assert!(t.ssl);
        let e = SmtpTarget::parse("Mail", "SmtpServer=m;EnableSsl=Yes").unwrap_err();
        assert!(
            e.message.contains("EnableSsl 'yes' is not True or False"),
            "{e}"
        );
        let e =
            SmtpTarget::parse("Mail", "SmtpServer=m;UseWindowsAuthentication=True").unwrap_err();
        assert!(e.message.contains("UseWindowsAuthentication"), "{e}");
        assert!(SmtpTarget::parse("Mail", "EnableSsl=False").is_err());
        assert!(SmtpTarget::parse("Mail", "SmtpServer=m:x").is_err());
    }

    #[test]
    fn messages_encode_subjects_and_attachments() {
        let m = Mail {
            from: "ETL <etl@example.com>".into(),
            to: addresses("a@example.com; b@example.com"),
            subject: "Résumé".into(),
            body: "Hello".into(),
            attachments: vec![("log.txt".into(), b"x".to_vec())],
            ..Mail::default()
        };
        let text = m.to_message("h");
        assert!(text.contains("To: a@example.com, b@example.com\r\n"));
        assert!(
            text.contains("Subject: =?UTF-8?B?UsOpc3Vtw6k=?=\r\n"),
            "{text}"
        );
        assert!(text.contains("filename=\"log.txt\""));
        assert!(text.contains("SGVsbG8=\r\n"));
        assert_eq!(bare("ETL <etl@example.com>"), "etl@example.com");
    }
}

//! The Send Mail Task end to end, in both layouts, against a small SMTP
//! server on loopback that records what it receives.

use crate::common::exec;
use crate::runner_execute_sql::{Cm, Task, Var, both};
use base64::Engine as _;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// One message as the server saw it.
#[derive(Debug, Clone, Default)]
struct Received {
    from: String,
    rcpts: Vec<String>,
    data: String,
}

/// An SMTP server on 127.0.0.1 (ephemeral port) answering every command;
/// RCPT to an address starting with `nobody@` is refused with 550.
fn smtp_server() -> (u16, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let got: Arc<Mutex<Vec<Received>>> = Arc::default();
    let g = got.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let g = g.clone();
            std::thread::spawn(move || {
                let mut w = stream.try_clone().unwrap();
                let mut r = BufReader::new(stream);
                let mut cur = Received::default();
                let _ = w.write_all(b"220 test ESMTP\r\n");
                let mut line = String::new();
                while r.read_line(&mut line).unwrap_or(0) > 0 {
                    let cmd = line.trim_end().to_string();
                    line.clear();
                    let upper = cmd.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") {
                        b"250-test\r\n250 8BITMIME\r\n"
                    } else if let Some(a) = upper.strip_prefix("MAIL FROM:") {
                        cur.from = a.trim().trim_matches(['<', '>']).to_lowercase();
                        b"250 OK\r\n"
                    } else if let Some(a) = upper.strip_prefix("RCPT TO:") {
                        let a = a.trim().trim_matches(['<', '>']).to_lowercase();
                        if a.starts_with("nobody@") {
                            b"550 5.1.1 mailbox unavailable\r\n"
                        } else {
                            cur.rcpts.push(a);
                            b"250 OK\r\n"
                        }
                    } else if upper == "DATA" {
                        let _ = w.write_all(b"354 go ahead\r\n");
                        let mut data = String::new();
                        loop {
                            let mut l = String::new();
                            if r.read_line(&mut l).unwrap_or(0) == 0 || l == ".\r\n" {
                                break;
                            }
                            data.push_str(l.strip_prefix('.').unwrap_or(&l));
                        }
                        cur.data = data;
                        g.lock().unwrap().push(std::mem::take(&mut cur));
                        b"250 queued\r\n"
                    } else if upper == "QUIT" {
                        let _ = w.write_all(b"221 bye\r\n");
                        break;
                    } else {
                        b"250 OK\r\n"
                    };
                    let _ = w.write_all(reply);
                }
            });
        }
    });
    (port, got)
}

fn smtp_cm(cs: String) -> Cm {
    Cm {
        name: "Mail",
        id: "{C0000000-0000-0000-0000-0000000000A1}",
        creation: "SMTP".into(),
        connection_string: cs,
    }
}

fn mail_task(attrs: &str) -> Task {
    let mut t = crate::runner_execute_sql::sql_task("Notify", "", "");
    t.kind = "Microsoft.SendMailTask";
    t.data = format!(
        "<SendMailTask:SendMailTaskData SendMailTask:SMTPServer=\"{{C0000000-0000-0000-0000-0000000000A1}}\" \
         {attrs} xmlns:SendMailTask=\"www.microsoft.com/sqlserver/dts/tasks/sendmailtask\" />"
    );
    t
}

/// The decoded text of each base64 part of `data`.
fn decoded_parts(data: &str) -> Vec<String> {
    data.split("\r\n\r\n")
        .skip(1)
        .filter_map(|p| {
            let b64: String = p
                .lines()
                .take_while(|l| !l.starts_with("--"))
                .collect::<Vec<_>>()
                .join("");
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .ok()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        })
        .collect()
}

#[test]
fn runner_send_mail_sends_through_the_smtp_connection_manager() {
    let (port, got) = smtp_server();
    let dir = tempfile::tempdir().unwrap();
    let attachment = dir.path().join("load.log");
    std::fs::write(&attachment, "rows loaded: 42\n").unwrap();
    let vars: Vec<Var> = vec![("Body", 8, "The load finished.\n.\nDone.".into())];
    let task = mail_task(&format!(
        "SendMailTask:From=\"ETL &lt;etl@example.com&gt;\" SendMailTask:To=\"ops@example.com; dba@example.com\" \
         SendMailTask:CC=\"lead@example.com\" SendMailTask:BCC=\"audit@example.com\" \
         SendMailTask:Subject=\"Nightly load: done\" SendMailTask:Priority=\"High\" \
         SendMailTask:MessageSourceType=\"Variable\" SendMailTask:MessageSource=\"User::Body\" \
         SendMailTask:FileAttachments=\"{}\"",
        attachment.display()
    ));
    let cm = smtp_cm(format!(
        "SmtpServer=127.0.0.1:{port};UseWindowsAuthentication=False;EnableSsl=False;"
    ));
    for pkg in both(dir.path(), &[cm], &vars, &[task]) {
        got.lock().unwrap().clear();
        let r = exec(&["/F", pkg.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}: {}", pkg.display(), r.out);
        let msgs = got.lock().unwrap().clone();
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        let m = &msgs[0];
        assert_eq!(m.from, "etl@example.com");
        assert_eq!(
            m.rcpts,
            [
                "ops@example.com",
                "dba@example.com",
                "lead@example.com",
                "audit@example.com"
            ]
        );
        assert!(
            m.data.contains("Subject: Nightly load: done\r\n"),
            "{}",
            m.data
        );
        assert!(m.data.contains("Cc: lead@example.com\r\n"), "{}", m.data);
        assert!(
            !m.data.to_ascii_lowercase().contains("audit@"),
            "BCC is not in the headers"
        );
        assert!(m.data.contains("X-Priority: 1\r\n"), "{}", m.data);
        assert!(m.data.contains("filename=\"load.log\""), "{}", m.data);
        let parts = decoded_parts(&m.data);
        assert!(
            parts.iter().any(|p| p == "The load finished.\n.\nDone."),
            "{parts:?}"
        );
        assert!(parts.iter().any(|p| p == "rows loaded: 42\n"), "{parts:?}");
    }
}

#[test]
fn runner_send_mail_reports_the_servers_refusal_and_refuses_windows_auth_before_running() {
    let (port, got) = smtp_server();
    let dir = tempfile::tempdir().unwrap();
    let task = mail_task(
        "SendMailTask:From=\"etl@example.com\" SendMailTask:To=\"nobody@example.com\" \
         SendMailTask:Subject=\"x\" SendMailTask:MessageSource=\"y\"",
    );
    let cm = smtp_cm(format!("SmtpServer=127.0.0.1:{port};EnableSsl=False;"));
    for pkg in both(dir.path(), &[cm], &[], std::slice::from_ref(&task)) {
        let r = exec(&["/F", pkg.to_str().unwrap()]);
        assert_eq!(r.code, 1, "{}", r.out);
        assert!(
            r.out.contains("Notify") && r.out.contains("550 5.1.1 mailbox unavailable"),
            "{}",
            r.out
        );
    }
    assert!(got.lock().unwrap().is_empty());

    let cm = smtp_cm(format!(
        "SmtpServer=127.0.0.1:{port};UseWindowsAuthentication=True;"
    ));
    for pkg in both(dir.path(), &[cm], &[], std::slice::from_ref(&task)) {
        let r = exec(&["/F", pkg.to_str().unwrap(), "/VALIDATE"]);
        assert_eq!(r.code, 1, "{}", r.out);
        assert!(
            r.out.contains("UseWindowsAuthentication is not supported"),
            "{}",
            r.out
        );
    }
}

/// An SMTP server that takes mail only after STARTTLS, with a self-signed
/// certificate for 127.0.0.1: its port, the certificate (PEM) and the
/// DATA it received.
fn tls_smtp_server() -> (u16, String, Arc<Mutex<Vec<String>>>) {
    use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".into()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let got: Arc<Mutex<Vec<String>>> = Arc::default();
    let g = got.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut tcp) = stream else { continue };
            let (g, config) = (g.clone(), config.clone());
            std::thread::spawn(move || {
                let _ = tcp.write_all(b"220 test ESMTP\r\n");
                let mut plain = BufReader::new(tcp.try_clone().unwrap());
                let mut line = String::new();
                loop {
                    line.clear();
                    if plain.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let cmd = line.trim_end().to_ascii_uppercase();
                    let reply: &[u8] = if cmd.starts_with("EHLO") {
                        b"250-test\r\n250 STARTTLS\r\n"
                    } else if cmd == "STARTTLS" {
                        let _ = tcp.write_all(b"220 ready\r\n");
                        break;
                    } else {
                        b"530 5.7.0 Must issue a STARTTLS command first\r\n"
                    };
                    let _ = tcp.write_all(reply);
                }
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = BufReader::new(rustls::StreamOwned::new(conn, tcp));
                loop {
                    line.clear();
                    if tls.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let cmd = line.trim_end().to_ascii_uppercase();
                    let reply: &[u8] = if cmd == "DATA" {
                        let _ = tls.get_mut().write_all(b"354 go ahead\r\n");
                        let mut data = String::new();
                        loop {
                            let mut l = String::new();
                            if tls.read_line(&mut l).unwrap_or(0) == 0 || l == ".\r\n" {
                                break;
                            }
                            data.push_str(&l);
                        }
                        g.lock().unwrap().push(data);
                        b"250 queued\r\n"
                    } else if cmd == "QUIT" {
                        let _ = tls.get_mut().write_all(b"221 bye\r\n");
                        let _ = tls.get_mut().flush();
                        return;
                    } else {
                        b"250 OK\r\n"
                    };
                    let _ = tls.get_mut().write_all(reply);
                    let _ = tls.get_mut().flush();
                }
            });
        }
    });
    (port, cert.pem(), got)
}

#[test]
fn runner_send_mail_enable_ssl_starts_tls_and_checks_the_certificate() {
    let (port, pem, got) = tls_smtp_server();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("smtp-ca.pem");
    std::fs::write(&ca, pem).unwrap();
    let task = mail_task(
        "SendMailTask:From=\"etl@example.com\" SendMailTask:To=\"ops@example.com\" \
         SendMailTask:Subject=\"over TLS\" SendMailTask:MessageSource=\"secret body\"",
    );
    let cm = smtp_cm(format!(
        "SmtpServer=127.0.0.1:{port};UseWindowsAuthentication=False;EnableSsl=True;"
    ));
    for pkg in both(dir.path(), &[cm], &[], std::slice::from_ref(&task)) {
        got.lock().unwrap().clear();
        // The server's certificate is trusted through SSL_CERT_FILE.
        let o = std::process::Command::new(crate::common::ssis_bin::ssis_bin())
            .args(["exec", "/F", pkg.to_str().unwrap()])
            .env("SSL_CERT_FILE", &ca)
            .env_remove("SSL_CERT_DIR")
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(0), "{out}");
        let msgs = got.lock().unwrap().clone();
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert!(msgs[0].contains("Subject: over TLS\r\n"), "{}", msgs[0]);

        // Not trusted (the system's roots only): nothing is sent.
        let o = std::process::Command::new(crate::common::ssis_bin::ssis_bin())
            .args(["exec", "/F", pkg.to_str().unwrap()])
            .env_remove("SSL_CERT_FILE")
            .env_remove("SSL_CERT_DIR")
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(1), "{out}");
        assert!(
            out.contains(&format!("SMTP server 127.0.0.1:{port}: STARTTLS:")),
            "{out}"
        );
        assert_eq!(got.lock().unwrap().len(), 1, "nothing more was sent");
    }
}

#[test]
fn runner_send_mail_message_from_a_file_connection() {
    let (port, got) = smtp_server();
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("body.txt");
    std::fs::write(&body, "Read from a file.\n").unwrap();
    let file_cm = Cm {
        name: "Body",
        id: "{C0000000-0000-0000-0000-0000000000A2}",
        creation: "FILE".into(),
        connection_string: body.to_str().unwrap().into(),
    };
    let task = mail_task(
        "SendMailTask:From=\"etl@example.com\" SendMailTask:To=\"ops@example.com\" \
         SendMailTask:Subject=\"f\" SendMailTask:MessageSourceType=\"FileConnection\" \
         SendMailTask:MessageSource=\"Body\"",
    );
    let cm = smtp_cm(format!("SmtpServer=127.0.0.1:{port}"));
    for pkg in both(dir.path(), &[cm, file_cm], &[], std::slice::from_ref(&task)) {
        got.lock().unwrap().clear();
        let r = exec(&["/F", pkg.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}", r.out);
        let msgs = got.lock().unwrap().clone();
        let parts = decoded_parts(&msgs[0].data);
        assert!(
            parts.iter().any(|p| p == "Read from a file.\n"),
            "{parts:?}"
        );
    }
}

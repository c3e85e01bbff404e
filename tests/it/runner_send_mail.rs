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
fn runner_send_mail_reports_the_servers_refusal_and_refuses_ssl_before_running() {
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

    let cm = smtp_cm(format!("SmtpServer=127.0.0.1:{port};EnableSsl=True;"));
    for pkg in both(dir.path(), &[cm], &[], std::slice::from_ref(&task)) {
        let r = exec(&["/F", pkg.to_str().unwrap(), "/VALIDATE"]);
        assert_eq!(r.code, 1, "{}", r.out);
        assert!(r.out.contains("EnableSsl is not supported"), "{}", r.out);
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

//! `ssh://[user@]host[:port]`, the way docker does it: the client starts
//! `ssh [-F config] -o BatchMode=yes [-p port] [-l user] -- host ssis service
//! dial-stdio` and speaks the protocol over its stdin/stdout. SSH does the
//! authentication, encryption and host-key checking (left on: an unknown or
//! changed host key fails, it is never accepted silently); the service sees
//! the SSH login user. When ssh fails, its own error output is the message.

use super::transport::{ConnectOptions, Duplex};
use ssis_core::error::{Error, ErrorKind, Result};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::address::SSH_PREFIX;

/// Most of ssh's error output kept for the message.
const STDERR_CAP: usize = 16 * 1024;

/// A parsed `ssh://` server.
#[derive(Debug, Clone, PartialEq)]
pub struct SshTarget {
    /// Login user (else ssh's default: the configuration's, else the local user).
    pub user: Option<String>,
    /// Host name or address.
    pub host: String,
    /// Port (else ssh's default).
    pub port: Option<u16>,
    /// `ssh -F` file.
    pub config: Option<PathBuf>,
    /// The `ssis` program on the remote host.
    pub program: String,
}

fn bad(server: &str, why: &str) -> Error {
    Error::invalid(format!(
        "'{server}' is not an ssh server name: {why} (expected ssh://[user@]host[:port])"
    ))
    .with_target(server.to_string())
}

fn plain(s: &str, extra: &[char]) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c) || extra.contains(&c))
}

impl SshTarget {
    /// Parses `ssh://[user@]host[:port]`.
    pub fn parse(server: &str, options: &ConnectOptions) -> Result<SshTarget> {
        let rest = &server[SSH_PREFIX.len()..];
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#']) {
            return Err(bad(server, "a path or query is not allowed"));
        }
        let (user, hostport) = match rest.rsplit_once('@') {
            Some((u, h)) => (Some(u.to_string()), h),
            None => (None, rest),
        };
        if let Some(u) = &user {
            if !plain(u, &[]) {
                return Err(bad(
                    server,
                    "the user name may hold letters, digits, '.', '_' and '-'",
                ));
            }
        }
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let (h, after) = v6
                .split_once(']')
                .ok_or_else(|| bad(server, "an IPv6 address needs its closing ']'"))?;
            (h.to_string(), after.strip_prefix(':'))
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (hostport.to_string(), None),
            }
        };
        if !plain(&host, &[':']) {
            return Err(bad(
                server,
                "the host may hold letters, digits, '.', '_', '-' (or [IPv6])",
            ));
        }
        let port = match port {
            Some(p) => Some(
                p.parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| bad(server, "the port must be a number from 1 to 65535"))?,
            ),
            None => None,
        };
        Ok(SshTarget {
            user,
            host,
            port,
            config: options.ssh_config.clone(),
            program: options
                .remote_program
                .clone()
                .unwrap_or_else(|| "ssis".into()),
        })
    }

    /// The ssh command line (program first).
    pub fn command_line(&self) -> Vec<String> {
        let mut args = vec!["ssh".to_string()];
        if let Some(c) = &self.config {
            args.extend(["-F".into(), c.display().to_string()]);
        }
        args.extend(["-o".into(), "BatchMode=yes".into()]);
        if let Some(p) = self.port {
            args.extend(["-p".into(), p.to_string()]);
        }
        if let Some(u) = &self.user {
            args.extend(["-l".into(), u.clone()]);
        }
        args.extend([
            "--".into(),
            self.host.clone(),
            self.program.clone(),
            "service".into(),
            "dial-stdio".into(),
        ]);
        args
    }

    /// Starts ssh.
    pub(super) fn open(&self) -> Result<SshStream> {
        let line = self.command_line();
        let mut child = Command::new(&line[0])
            .args(&line[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                Error::new(
                    ErrorKind::Connection,
                    format!(
                        "cannot start ssh for ssh://{}: {e} (is the OpenSSH client installed?)",
                        self.host
                    ),
                )
            })?;
        let stderr = Arc::new(Mutex::new(Vec::new()));
        if let Some(mut err) = child.stderr.take() {
            let sink = Arc::clone(&stderr);
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = err.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let mut s = sink.lock().unwrap_or_else(|p| p.into_inner());
                    let room = STDERR_CAP.saturating_sub(s.len());
                    s.extend_from_slice(&buf[..n.min(room)]);
                }
            });
        }
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Error::internal("ssh started without pipes"));
        };
        Ok(SshStream {
            child,
            stdin: Some(stdin),
            stdout,
            stderr,
            timeout: Mutex::new(None),
        })
    }
}

/// A running ssh whose stdin/stdout are the connection.
pub(super) struct SshStream {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: ChildStdout,
    stderr: Arc<Mutex<Vec<u8>>>,
    timeout: Mutex<Option<Duration>>,
}

impl Read for SshStream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let timeout = *self.timeout.lock().unwrap_or_else(|p| p.into_inner());
        #[cfg(unix)]
        if let Some(t) = timeout {
            use std::os::fd::AsRawFd;
            let mut fd = libc::pollfd {
                fd: self.stdout.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            let ms = t.as_millis().min(i32::MAX as u128) as libc::c_int;
            // SAFETY: one valid pollfd.
            let rc = unsafe { libc::poll(&mut fd, 1, ms) };
            if rc == 0 {
                return Err(std::io::Error::from(std::io::ErrorKind::TimedOut));
            }
        }
        #[cfg(windows)]
        let _ = timeout;
        self.stdout.read(buf)
    }
}

impl Write for SshStream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.stdin {
            Some(s) => s.write(buf),
            None => Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe)),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.stdin {
            Some(s) => s.flush(),
            None => Ok(()),
        }
    }
}

impl Duplex for SshStream {
    fn set_read_timeout(&self, timeout: Option<Duration>) {
        *self.timeout.lock().unwrap_or_else(|p| p.into_inner()) = timeout;
    }

    fn diagnose(&mut self) -> Option<String> {
        let deadline = Instant::now() + Duration::from_secs(5);
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(s)) => break Some(s),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                _ => break None,
            }
        };
        // Let the stderr reader drain what ssh wrote before it exited.
        std::thread::sleep(Duration::from_millis(50));
        let text = String::from_utf8_lossy(&self.stderr.lock().unwrap_or_else(|p| p.into_inner()))
            .trim()
            .to_string();
        match (status, text.is_empty()) {
            (_, false) => Some(format!(
                "ssh failed{}: {text}",
                status
                    .and_then(|s| s.code())
                    .map(|c| format!(" (exit status {c})"))
                    .unwrap_or_default()
            )),
            (Some(s), true) if !s.success() => Some(format!("ssh failed ({s}) without a message")),
            _ => None,
        }
    }
}

impl Drop for SshStream {
    fn drop(&mut self) {
        // Closing stdin ends dial-stdio on the host, then ssh.
        self.stdin = None;
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_like_docker() {
        let o = ConnectOptions::default();
        let t = SshTarget::parse("ssh://alice@db1.example:2222", &o).unwrap();
        assert_eq!(
            (t.user.as_deref(), t.host.as_str(), t.port),
            (Some("alice"), "db1.example", Some(2222))
        );
        assert_eq!(
            t.command_line().join(" "),
            "ssh -o BatchMode=yes -p 2222 -l alice -- db1.example ssis service dial-stdio"
        );
        let t = SshTarget::parse("ssh://[::1]:22", &o).unwrap();
        assert_eq!((t.host.as_str(), t.port), ("::1", Some(22)));
        let t = SshTarget::parse("ssh://host", &o).unwrap();
        assert_eq!((t.user, t.port), (None, None));
        for bad in [
            "ssh://-oProxyCommand=x",
            "ssh://a@b/path",
            "ssh://h:0",
            "ssh://h:99999",
            "ssh://a b@h",
            "ssh://",
        ] {
            assert!(SshTarget::parse(bad, &o).is_err(), "{bad}");
        }
    }
}

//! `ssis service dial-stdio`: relays stdin to the local service socket and
//! the socket to stdout, until either side closes. Run by `ssh` for an
//! `ssh://` client, it gives the remote caller a local connection, so the
//! service identifies them (SO_PEERCRED) as the user SSH logged in.

use ssis_core::error::{Error, ErrorKind, Result};
use std::path::{Path, PathBuf};

/// Relays until the service or the client closes; returns the exit code.
pub fn run(socket: Option<&Path>) -> Result<i32> {
    let candidates: Vec<PathBuf> = match socket {
        Some(p) => vec![p.to_path_buf()],
        None => ssis_core::protocol::paths::client_candidates(),
    };
    relay(&candidates)
}

#[cfg(unix)]
fn relay(candidates: &[PathBuf]) -> Result<i32> {
    use std::io::{Read, Write};
    use std::os::unix::net::UnixStream;
    let mut last = String::from("no socket to try");
    let mut found = None;
    for p in candidates {
        match UnixStream::connect(p) {
            Ok(s) => {
                // Who listens is checked before the caller's bytes are relayed.
                ssis_core::protocol::peer::check_server(&s, p)?;
                found = Some(s);
                break;
            }
            Err(e) => last = format!("'{}': {e}", p.display()),
        }
    }
    let Some(stream) = found else {
        return Err(Error::new(
            ErrorKind::Connection,
            format!(
                "dial-stdio: no SSIS service answers on this host ({last}); start it with \
                 'ssis service run', or set $SSIS_SERVICE_SOCKET"
            ),
        ));
    };
    let mut to_service = stream
        .try_clone()
        .map_err(|e| Error::io(&e, "clone the socket", Path::new("socket")))?;
    let upstream = std::thread::spawn(move || {
        let mut stdin = std::io::stdin().lock();
        let mut buf = [0u8; 64 * 1024];
        loop {
            match stdin.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to_service.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to_service.shutdown(std::net::Shutdown::Write);
    });
    let mut from_service = stream;
    let mut stdout = std::io::stdout().lock();
    let mut buf = [0u8; 64 * 1024];
    loop {
        match from_service.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if stdout
                    .write_all(&buf[..n])
                    .and_then(|_| stdout.flush())
                    .is_err()
                {
                    break;
                }
            }
        }
    }
    // The service closed: the client's stdin may stay open, so do not wait for it.
    drop(upstream);
    Ok(0)
}

#[cfg(windows)]
fn relay(_candidates: &[PathBuf]) -> Result<i32> {
    Err(Error::new(
        ErrorKind::Unsupported,
        "dial-stdio needs the named-pipe transport, which is not implemented yet on Windows",
    ))
}

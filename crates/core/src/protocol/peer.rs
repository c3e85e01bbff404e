//! Who a client accepts as the service on the other end of a local socket.
//!
//! Before a client sends anything on a Unix socket (not even `Hello`), it asks
//! the kernel who is listening (`SO_PEERCRED` on Linux, `getpeereid` elsewhere)
//! and goes on only if that uid is one of:
//!
//! - `0` (root: the system service);
//! - the client's own effective uid (a per-user service, or the service
//!   account talking to itself);
//! - the account named by `$SSIS_SERVICE_ACCOUNT` (a user name or a numeric
//!   uid), for a service run under a dedicated account (the systemd unit's
//!   `User=`).
//!
//! Anything else is refused with a `Connection` error naming the socket and
//! the uid found, so a socket planted by another local user never receives a
//! `/SET` value, a token or a grant. Unix only: a Windows pipe's server is
//! not checked yet (issue 9).

use crate::error::{Error, ErrorKind, Result};
use std::path::Path;

/// Environment variable naming the account a non-root service runs as.
pub const SERVICE_ACCOUNT_ENV: &str = "SSIS_SERVICE_ACCOUNT";

/// Checks the process listening on `stream` (connected to `path`) before
/// anything is sent; see the module documentation for the rule.
#[cfg(unix)]
pub fn check_server(stream: &std::os::unix::net::UnixStream, path: &Path) -> Result<()> {
    use std::os::fd::AsRawFd;
    let uid = peer_uid(stream.as_raw_fd()).map_err(|e| {
        Error::new(
            ErrorKind::Connection,
            format!(
                "cannot tell who listens on '{}' ({e}); nothing was sent",
                path.display()
            ),
        )
        .with_target(path.display().to_string())
    })?;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if uid == 0 || uid == me {
        return Ok(());
    }
    let account = service_account()?;
    if account.as_ref().is_some_and(|(_, a)| *a == uid) {
        return Ok(());
    }
    let named = match &account {
        Some((name, a)) => format!("the service account {name} (uid {a})"),
        None => format!("the service account (none named: ${SERVICE_ACCOUNT_ENV} is not set)"),
    };
    Err(Error::new(
        ErrorKind::Connection,
        format!(
            "refusing the service at '{}': it is run by uid {uid} ({}), but a client accepts \
             only root, itself (uid {me}) or {named}; nothing was sent. If that account really \
             runs the service, set ${SERVICE_ACCOUNT_ENV} to its name",
            path.display(),
            account_name(uid).unwrap_or_else(|| "no such account".into()),
        ),
    )
    .with_target(path.display().to_string()))
}

/// The account `$SSIS_SERVICE_ACCOUNT` names (name, uid), if it is set.
#[cfg(unix)]
fn service_account() -> Result<Option<(String, u32)>> {
    let Some(value) = std::env::var_os(SERVICE_ACCOUNT_ENV).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let value = value.to_string_lossy().into_owned();
    if let Ok(uid) = value.parse::<u32>() {
        return Ok(Some((value, uid)));
    }
    match account_uid(&value) {
        Some(uid) => Ok(Some((value, uid))),
        None => Err(Error::new(
            ErrorKind::Configuration,
            format!(
                "${SERVICE_ACCOUNT_ENV} names '{value}', which is not a local account \
                 (give the service account's user name or uid)"
            ),
        )),
    }
}

/// The uid of the process at the other end of the socket `fd`.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn peer_uid(fd: std::os::fd::RawFd) -> std::io::Result<u32> {
    let mut cred: libc::ucred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: cred is a ucred and len its size; the kernel writes at most len bytes.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(cred.uid)
}

/// The uid of the process at the other end of the socket `fd`.
#[cfg(all(unix, not(any(target_os = "linux", target_os = "android"))))]
pub fn peer_uid(fd: std::os::fd::RawFd) -> std::io::Result<u32> {
    let mut uid: libc::uid_t = 0;
    let mut gid: libc::gid_t = 0;
    // SAFETY: getpeereid writes the two ids it is given pointers to.
    if unsafe { libc::getpeereid(fd, &mut uid, &mut gid) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(uid)
}

/// The uid of the account `name` (getpwnam_r).
#[cfg(unix)]
fn account_uid(name: &str) -> Option<u32> {
    let c = std::ffi::CString::new(name).ok()?;
    with_passwd(|pwd, buf, result| {
        // SAFETY: see with_passwd.
        unsafe { libc::getpwnam_r(c.as_ptr(), pwd, buf.as_mut_ptr().cast(), buf.len(), result) }
    })
    .map(|p| p.0)
}

/// The name of the account `uid` (getpwuid_r).
#[cfg(unix)]
fn account_name(uid: u32) -> Option<String> {
    with_passwd(|pwd, buf, result| {
        // SAFETY: see with_passwd.
        unsafe { libc::getpwuid_r(uid, pwd, buf.as_mut_ptr().cast(), buf.len(), result) }
    })
    .map(|p| p.1)
}

/// Runs a `getpw*_r` call with a growing buffer; (uid, name) of the entry found.
#[cfg(unix)]
fn with_passwd(
    call: impl Fn(&mut libc::passwd, &mut Vec<u8>, &mut *mut libc::passwd) -> libc::c_int,
) -> Option<(u32, String)> {
    let mut buf = vec![0u8; 4096];
    loop {
        // SAFETY: passwd is plain data; the call writes at most buf.len() bytes
        // into buf and sets result to null or to &pwd.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = call(&mut pwd, &mut buf, &mut result);
        if rc == libc::ERANGE && buf.len() < 1 << 20 {
            buf.resize(buf.len() * 2, 0);
            continue;
        }
        if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
            return None;
        }
        // SAFETY: pw_name points into buf, NUL-terminated, valid while buf lives.
        let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
        return Some((pwd.pw_uid, name.to_string_lossy().into_owned()));
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::net::{UnixListener, UnixStream};

    #[test]
    fn a_service_run_by_the_caller_is_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sock");
        let _l = UnixListener::bind(&path).unwrap();
        let s = UnixStream::connect(&path).unwrap();
        // SAFETY: geteuid cannot fail.
        assert_eq!(
            peer_uid(std::os::fd::AsRawFd::as_raw_fd(&s)).unwrap(),
            unsafe { libc::geteuid() }
        );
        check_server(&s, &path).unwrap();
    }

    #[test]
    fn accounts_resolve() {
        assert_eq!(account_uid("root"), Some(0));
        assert_eq!(account_name(0).as_deref(), Some("root"));
        assert_eq!(account_uid("no-such-account-ssis"), None);
    }
}

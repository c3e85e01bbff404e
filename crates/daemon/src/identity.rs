//! Who is on the other end of a connection, and user names.

use serde::Serialize;

/// The caller of a connection, as the operating system reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Peer {
    /// User name (or `uid <n>` when the account has no name).
    pub user: String,
    /// Numeric user id, where the platform has one.
    pub uid: Option<u32>,
    /// Numeric primary group id, where the platform has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gid: Option<u32>,
    /// Names of the groups the user belongs to (for group grants).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Process id of the client, when known.
    pub process_id: Option<u32>,
    /// How it connected, e.g. `unix:/run/ssis-service/ssis.sock`.
    pub transport: String,
    /// A network caller not identified yet: its Hello must carry a valid token.
    #[serde(skip)]
    pub needs_token: bool,
    /// The fingerprint of the token a network caller authenticated with:
    /// every later request checks that it is still valid, so revoking a
    /// token (or its expiry) reaches open sessions too.
    #[serde(skip)]
    pub token: Option<String>,
    /// Windows: the named-pipe client's primary token, taken when it
    /// connected; its packages run with it (see `crate::runas`).
    #[cfg(windows)]
    #[serde(skip)]
    pub caller_token: Option<std::sync::Arc<crate::windows::token::PrimaryToken>>,
}

impl Peer {
    /// `user (pid N) via transport`, for history and the event log.
    pub fn describe(&self) -> String {
        match self.process_id {
            Some(pid) => format!("pid {pid} via {}", self.transport),
            None => format!("via {}", self.transport),
        }
    }
}

/// The name of the account `uid` (getpwuid_r), or `uid <n>`.
#[cfg(unix)]
pub fn user_name(uid: u32) -> String {
    let mut buf = vec![0u8; 4096];
    loop {
        // SAFETY: passwd is plain data; getpwuid_r writes at most buf.len()
        // bytes into buf and sets result to null or to &pwd.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = unsafe {
            libc::getpwuid_r(
                uid,
                &mut pwd,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut result,
            )
        };
        if rc == libc::ERANGE && buf.len() < 1 << 20 {
            buf.resize(buf.len() * 2, 0);
            continue;
        }
        if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
            return format!("uid {uid}");
        }
        // SAFETY: pw_name points into buf, NUL-terminated, valid while buf lives.
        let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
        return name.to_string_lossy().into_owned();
    }
}

/// The user running this process.
pub fn current_user() -> String {
    #[cfg(unix)]
    {
        // SAFETY: geteuid has no preconditions.
        user_name(unsafe { libc::geteuid() })
    }
    #[cfg(windows)]
    {
        std::env::var("USERNAME").unwrap_or_else(|_| "unknown".into())
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn root_has_a_name_and_unknown_uids_do_not() {
        assert_eq!(user_name(0), "root");
        assert_eq!(user_name(3_999_999_999), "uid 3999999999");
        assert!(!current_user().is_empty());
    }
}

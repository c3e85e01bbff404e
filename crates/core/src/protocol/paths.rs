//! Default locations: the socket the service listens on and clients try,
//! and the state directory.
//!
//! | | as root / service account | as a user |
//! |---|---|---|
//! | socket (Unix) | `/run/ssis-service/ssis.sock` | `$XDG_RUNTIME_DIR/ssis-service.sock`, else `<temp>/ssis-service-<uid>.sock` |
//! | pipe (Windows, later) | `\\.\pipe\ssis-service` | same |
//! | state directory (Unix) | `/var/lib/ssis-service` | `$XDG_STATE_HOME/ssis-service`, else `~/.local/state/ssis-service` |
//! | state directory (Windows) | `%ProgramData%\ssis-service` | same |
//!
//! `$SSIS_SERVICE_SOCKET` overrides the socket for both sides.

use std::path::PathBuf;

/// Environment variable naming the socket, for the service and for clients.
pub const SOCKET_ENV: &str = "SSIS_SERVICE_SOCKET";

/// The system-wide endpoint.
pub fn system_socket_path() -> PathBuf {
    #[cfg(unix)]
    {
        PathBuf::from("/run/ssis-service/ssis.sock")
    }
    #[cfg(windows)]
    {
        PathBuf::from(r"\\.\pipe\ssis-service")
    }
}

/// The endpoint of a service run by the current (non-root) user.
pub fn user_socket_path() -> PathBuf {
    #[cfg(unix)]
    {
        match std::env::var_os("XDG_RUNTIME_DIR").filter(|v| !v.is_empty()) {
            Some(dir) => PathBuf::from(dir).join("ssis-service.sock"),
            None => std::env::temp_dir().join(format!("ssis-service-{}.sock", current_uid())),
        }
    }
    #[cfg(windows)]
    {
        system_socket_path()
    }
}

/// Where the service listens when neither `--socket` nor the configuration says.
pub fn default_listen_path() -> PathBuf {
    if let Some(path) = env_socket() {
        return path;
    }
    if is_privileged() {
        system_socket_path()
    } else {
        user_socket_path()
    }
}

/// The endpoints a client tries for the local service, in order.
pub fn client_candidates() -> Vec<PathBuf> {
    if let Some(path) = env_socket() {
        return vec![path];
    }
    let mut all = vec![user_socket_path(), system_socket_path()];
    if is_privileged() {
        all.reverse();
    }
    all.dedup();
    all
}

/// The state directory when neither `--state-dir` nor the configuration says.
pub fn default_state_dir() -> PathBuf {
    #[cfg(unix)]
    {
        if is_privileged() {
            return PathBuf::from("/var/lib/ssis-service");
        }
        if let Some(dir) = std::env::var_os("XDG_STATE_HOME").filter(|v| !v.is_empty()) {
            return PathBuf::from(dir).join("ssis-service");
        }
        match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
            Some(home) => PathBuf::from(home).join(".local/state/ssis-service"),
            None => std::env::temp_dir().join(format!("ssis-service-state-{}", current_uid())),
        }
    }
    #[cfg(windows)]
    {
        let base = std::env::var_os("ProgramData").unwrap_or_else(|| r"C:\ProgramData".into());
        PathBuf::from(base).join("ssis-service")
    }
}

fn env_socket() -> Option<PathBuf> {
    std::env::var_os(SOCKET_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Whether this process runs as root (Unix); on Windows the service account
/// question is settled by the Service Control Manager (later), so false.
pub fn is_privileged() -> bool {
    #[cfg(unix)]
    {
        // SAFETY: geteuid has no preconditions and cannot fail.
        unsafe { libc::geteuid() == 0 }
    }
    #[cfg(windows)]
    {
        false
    }
}

#[cfg(unix)]
fn current_uid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

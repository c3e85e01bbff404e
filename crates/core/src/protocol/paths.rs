//! Default locations: the socket the service listens on and clients try,
//! and the state directory.
//!
//! | | as root / service account | as a user |
//! |---|---|---|
//! | socket (Unix) | `/run/ssis-service/ssis.sock` | `$XDG_RUNTIME_DIR/ssis-service.sock` (no default without it) |
//! | pipe (Windows, later) | `\\.\pipe\ssis-service` | same |
//! | state directory (Unix) | `/var/lib/ssis-service` | `$XDG_STATE_HOME/ssis-service`, else `~/.local/state/ssis-service` |
//! | state directory (Windows) | `%ProgramData%\ssis-service` | same |
//!
//! `$SSIS_SERVICE_SOCKET` overrides the socket for both sides.
//!
//! Default sockets live only in folders other users cannot write: the system
//! runtime directory, or the user's own `$XDG_RUNTIME_DIR` (0700). There is no
//! fallback to the shared temporary folder, where another user could create
//! the socket first and impersonate the service; without `$XDG_RUNTIME_DIR` a
//! user's service needs `--socket` (or `$SSIS_SERVICE_SOCKET`) and a client
//! tries only the system socket. Clients also check who listens
//! ([`super::peer`]).

use crate::error::{Error, ErrorKind, Result};
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

/// The endpoint of a service run by the current (non-root) user:
/// `$XDG_RUNTIME_DIR/ssis-service.sock`, or none when that is not set.
pub fn user_socket_path() -> Option<PathBuf> {
    #[cfg(unix)]
    {
        std::env::var_os("XDG_RUNTIME_DIR")
            .filter(|v| !v.is_empty())
            .map(|dir| PathBuf::from(dir).join("ssis-service.sock"))
    }
    #[cfg(windows)]
    {
        Some(system_socket_path())
    }
}

/// Where the service listens when neither `--socket` nor the configuration
/// says: `$SSIS_SERVICE_SOCKET`, the system socket for root, the user's
/// runtime directory otherwise — and an error naming the fix when a user
/// has no runtime directory.
pub fn default_listen_path() -> Result<PathBuf> {
    listen_path_from(env_socket(), user_socket_path(), is_privileged())
}

fn listen_path_from(
    env: Option<PathBuf>,
    user: Option<PathBuf>,
    privileged: bool,
) -> Result<PathBuf> {
    if let Some(path) = env {
        return Ok(path);
    }
    if privileged {
        return Ok(system_socket_path());
    }
    user.ok_or_else(|| {
        Error::new(
            ErrorKind::Configuration,
            format!(
                "no socket path for a service run by a user: $XDG_RUNTIME_DIR is not set, and \
                 the shared temporary folder is not used (another user could take the name \
                 first). Name the socket with --socket <path> or ${SOCKET_ENV}, in a folder only \
                 you (or the service's group) can write, or set $XDG_RUNTIME_DIR; as root the \
                 service listens on '{}'",
                system_socket_path().display()
            ),
        )
    })
}

/// The endpoints a client tries for the local service, in order:
/// `$SSIS_SERVICE_SOCKET` alone when set; else the user's runtime
/// directory (when set) and the system socket, root trying the system one first.
pub fn client_candidates() -> Vec<PathBuf> {
    candidates_from(env_socket(), user_socket_path(), is_privileged())
}

fn candidates_from(env: Option<PathBuf>, user: Option<PathBuf>, privileged: bool) -> Vec<PathBuf> {
    if let Some(path) = env {
        return vec![path];
    }
    let mut all: Vec<PathBuf> = user.into_iter().collect();
    if privileged {
        all.insert(0, system_socket_path());
    } else {
        all.push(system_socket_path());
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

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn no_default_socket_in_the_temporary_folder() {
        let user_path = PathBuf::from("/run/user/1000/ssis-service.sock");
        let xdg = Some(user_path.clone());
        let system = system_socket_path();
        for privileged in [false, true] {
            for user in [None, xdg.clone()] {
                let all = candidates_from(None, user.clone(), privileged);
                assert!(all.contains(&system), "{all:?}");
                assert!(
                    all.iter().all(|p| !p.starts_with(std::env::temp_dir())),
                    "{all:?}"
                );
                assert_eq!(all.len(), 1 + user.is_some() as usize, "{all:?}");
                assert_eq!(all[0] == system, privileged || user.is_none());
            }
        }
        let env = PathBuf::from("/x/s.sock");
        assert_eq!(
            candidates_from(Some(env.clone()), xdg.clone(), false),
            vec![env.clone()]
        );
        assert_eq!(
            listen_path_from(Some(env.clone()), None, false).unwrap(),
            env
        );
        assert_eq!(listen_path_from(None, None, true).unwrap(), system);
        assert_eq!(listen_path_from(None, xdg, false).unwrap(), user_path);
    }

    #[test]
    fn a_user_without_a_runtime_directory_must_name_the_socket() {
        let err = listen_path_from(None, None, false).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Configuration);
        for part in ["XDG_RUNTIME_DIR", "--socket", SOCKET_ENV] {
            assert!(err.message.contains(part), "{}", err.message);
        }
    }
}

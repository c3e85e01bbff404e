//! The local endpoint the service listens on: a Unix domain socket (mode
//! 0660); on Windows the named pipe (`windows::pipe`) has the same
//! [`Listener`] and [`Connection`] shapes.

use super::identity::Peer;
use ssis_core::error::{Error, ErrorKind, Result};
use std::path::{Path, PathBuf};
use tokio::io::{AsyncRead, AsyncWrite};

/// The reading half of a connection.
pub type ReadHalf = Box<dyn AsyncRead + Unpin + Send>;
/// The writing half of a connection.
pub type WriteHalf = Box<dyn AsyncWrite + Unpin + Send>;

/// An accepted connection: both halves and who is calling.
pub struct Connection {
    /// Client to service.
    pub reader: ReadHalf,
    /// Service to client.
    pub writer: WriteHalf,
    /// The caller.
    pub peer: Peer,
}

/// A bound local endpoint.
pub struct Listener {
    #[cfg(unix)]
    inner: tokio::net::UnixListener,
    #[cfg(windows)]
    inner: super::windows::pipe::PipeListener,
    path: PathBuf,
    /// The socket file this listener created (device, inode): only that file
    /// is removed when the listener goes, never one another service bound since.
    #[cfg(unix)]
    created: Option<(u64, u64)>,
}

impl Listener {
    /// The endpoint, as clients name it (`unix:<path>`; on Windows `pipe:<name>`).
    pub fn describe(&self) -> String {
        let scheme = if cfg!(windows) { "pipe" } else { "unix" };
        format!("{scheme}:{}", self.path.display())
    }

    /// The socket path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(unix)]
impl Listener {
    /// Binds `path` (mode 0660), creating its folder. A stale socket file
    /// left by a crash is replaced; a live one means another service runs there.
    pub fn bind(path: &Path) -> Result<Listener> {
        use std::os::unix::fs::{FileTypeExt, PermissionsExt};
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(&e, "create the socket folder", dir))?;
        }
        if let Ok(meta) = std::fs::symlink_metadata(path) {
            if !meta.file_type().is_socket() {
                return Err(Error::new(
                    ErrorKind::AlreadyExists,
                    format!(
                        "cannot listen on '{}': a file that is not a socket is in the way",
                        path.display()
                    ),
                )
                .with_target(path.display().to_string()));
            }
            if std::os::unix::net::UnixStream::connect(path).is_ok() {
                return Err(Error::new(
                    ErrorKind::AlreadyExists,
                    format!(
                        "another service already listens on '{}' (stop it with 'ssis service stop')",
                        path.display()
                    ),
                )
                .with_target(path.display().to_string()));
            }
            std::fs::remove_file(path)
                .map_err(|e| Error::io(&e, "remove the stale socket", path))?;
        }
        let inner = {
            let _guard = UmaskGuard::new(0o117);
            tokio::net::UnixListener::bind(path).map_err(|e| Error::io(&e, "listen on", path))?
        };
        let mut listener = Listener {
            inner,
            path: path.to_path_buf(),
            created: None,
        };
        listener.created = std::fs::symlink_metadata(path).ok().map(|m| {
            (
                std::os::unix::fs::MetadataExt::dev(&m),
                std::os::unix::fs::MetadataExt::ino(&m),
            )
        });
        // From here on a failure removes the socket again (Drop).
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))
            .map_err(|e| Error::io(&e, "set the mode of", path))?;
        Ok(listener)
    }

    /// Waits for the next client; its identity comes from the kernel (SO_PEERCRED).
    pub async fn accept(&self) -> std::io::Result<Connection> {
        let (stream, _) = self.inner.accept().await?;
        let cred = stream.peer_cred().ok();
        let peer: Peer = super::access::identity::local_peer(
            cred.as_ref().map(|c| c.uid()),
            cred.as_ref().map(|c| c.gid()),
            cred.and_then(|c| c.pid())
                .and_then(|p| u32::try_from(p).ok()),
            self.describe(),
        );
        let (reader, writer) = stream.into_split();
        Ok(Connection {
            reader: Box::new(reader),
            writer: Box::new(writer),
            peer,
        })
    }

    /// Removes the socket file this listener created (at shutdown, or when
    /// the start fails after the bind); a file that is no longer the one it
    /// created is left alone.
    pub fn remove(&mut self) {
        use std::os::unix::fs::MetadataExt;
        let Some(created) = self.created.take() else {
            return;
        };
        if let Ok(m) = std::fs::symlink_metadata(&self.path) {
            if (m.dev(), m.ino()) == created {
                let _ = std::fs::remove_file(&self.path);
            }
        }
    }
}

#[cfg(unix)]
impl Drop for Listener {
    fn drop(&mut self) {
        self.remove();
    }
}

/// Sets the process umask while the socket is created, so it is never
/// briefly reachable with looser permissions.
#[cfg(unix)]
struct UmaskGuard(libc::mode_t);

#[cfg(unix)]
impl UmaskGuard {
    fn new(mask: libc::mode_t) -> UmaskGuard {
        // SAFETY: umask cannot fail.
        UmaskGuard(unsafe { libc::umask(mask) })
    }
}

#[cfg(unix)]
impl Drop for UmaskGuard {
    fn drop(&mut self) {
        // SAFETY: restores the previous mask.
        unsafe {
            libc::umask(self.0);
        }
    }
}

#[cfg(windows)]
impl Listener {
    /// Serves the named pipe `path` (`\\.\pipe\<name>`); a live pipe of
    /// that name means another service runs there.
    pub fn bind(path: &Path) -> Result<Listener> {
        let name = path.to_string_lossy();
        let inner = super::windows::pipe::PipeListener::bind(&name).map_err(|e| {
            let kind = if e.kind() == std::io::ErrorKind::PermissionDenied {
                ErrorKind::AlreadyExists
            } else {
                ErrorKind::Io
            };
            Error::new(
                kind,
                format!(
                    "cannot listen on the pipe '{name}': {e} (another service may already \
                     listen there; stop it with 'ssis service stop')"
                ),
            )
            .with_target(name.to_string())
        })?;
        Ok(Listener {
            inner,
            path: path.to_path_buf(),
        })
    }

    /// Waits for the next client; its identity comes from its token.
    pub async fn accept(&self) -> std::io::Result<Connection> {
        let (pipe, caller) = self.inner.accept().await?;
        let peer = super::windows::peer(caller, self.describe());
        let (reader, writer) = tokio::io::split(pipe);
        Ok(Connection {
            reader: Box::new(reader),
            writer: Box::new(writer),
            peer,
        })
    }

    /// Nothing to remove: the pipe goes with its last handle.
    pub fn remove(&mut self) {}
}

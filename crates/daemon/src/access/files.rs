//! Files named in requests ([`Request::files`]). The service does not open
//! files for callers: for anyone but the service account and root, a
//! `PackageImport` or `PackageExport` naming a `File` is refused (clients
//! send the package's bytes and write exports themselves). The file of an
//! `ExecutionRun` is opened by the executor, started as the caller; it is
//! checked first by the caller's own uid and groups (mode bits along the
//! whole path) so a refusal comes at once rather than from the run.

use super::policy::is_superuser;
use crate::identity::Peer;
use crate::state::Service;
use ssis_core::error::{Error, ErrorKind, Result};
use ssis_core::protocol::{FileUse, Request};
use std::path::Path;

#[cfg(unix)]
const READ: u32 = 4;
#[cfg(unix)]
const WRITE: u32 = 2;
#[cfg(unix)]
const SEARCH: u32 = 1;

/// Checks every file a request names ([`Request::files`]) against the
/// caller's own access.
pub fn check_files(svc: &Service, peer: &Peer, request: &Request) -> Result<()> {
    if is_superuser(peer) {
        return Ok(());
    }
    let method = request.method().name();
    for named in request.files() {
        let file = named.path;
        let checked = match named.usage {
            // The service does not open files for callers: they send the
            // package's bytes (Content) and write exports themselves.
            FileUse::Read | FileUse::Write => Err(Error::new(
                ErrorKind::AccessDenied,
                format!(
                    "Access is denied: the service does not open files for {} ({method} with \
                     File '{file}'); send the package's bytes as Content, as the ssis client does",
                    peer.user
                ),
            )
            .with_target("File")),
            FileUse::Run => check(peer, method, Path::new(file), false),
        };
        checked.inspect_err(|e| {
            if e.kind == ErrorKind::AccessDenied {
                super::check::log_denial(
                    svc,
                    peer,
                    format!("Access denied to {} for {method}: {}", peer.user, e.message),
                    serde_json::json!({"Method": method, "File": file, "Peer": peer}),
                );
            }
        })?;
    }
    Ok(())
}

fn denied(peer: &Peer, method: &str, file: &Path, why: &str) -> Error {
    Error::new(
        ErrorKind::AccessDenied,
        format!(
            "Access is denied: {} cannot {why} '{}' themselves, so {method} may not do it for them",
            peer.user,
            file.display()
        ),
    )
    .with_target(file.display().to_string())
}

#[cfg(unix)]
fn check(peer: &Peer, method: &str, file: &Path, write: bool) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let Some(uid) = peer.uid else {
        return Err(denied(
            peer,
            method,
            file,
            "(without a local account) name the file",
        ));
    };
    if !file.is_absolute() {
        return Err(
            Error::invalid(format!("'{}' must be an absolute path", file.display()))
                .with_target("File"),
        );
    }
    let gids = super::identity::group_ids(&peer.user, peer.gid);
    let may = |meta: &std::fs::Metadata, want: u32| {
        let mode = meta.mode();
        let bits = if meta.uid() == uid {
            mode >> 6
        } else if gids.contains(&meta.gid()) {
            mode >> 3
        } else {
            mode
        };
        bits & want == want
    };
    let parent = file.parent().unwrap_or(Path::new("/"));
    for dir in parent.ancestors() {
        if let Ok(meta) = std::fs::metadata(dir) {
            if !may(&meta, SEARCH) {
                return Err(denied(peer, method, file, "reach"));
            }
        }
    }
    if write {
        let meta = std::fs::metadata(parent).map_err(|e| Error::io(&e, "open", parent))?;
        if !may(&meta, WRITE | SEARCH) {
            return Err(denied(peer, method, file, "write"));
        }
        if let Ok(meta) = std::fs::metadata(file) {
            if !may(&meta, WRITE) {
                return Err(denied(peer, method, file, "overwrite"));
            }
        }
    } else if let Ok(meta) = std::fs::metadata(file) {
        if !may(&meta, READ) {
            return Err(denied(peer, method, file, "read"));
        }
    }
    Ok(())
}

/// Windows: only the service account connects until the named-pipe
/// transport brings caller tokens (issue 9); other callers may not name files.
#[cfg(windows)]
fn check(peer: &Peer, method: &str, file: &Path, _write: bool) -> Result<()> {
    Err(denied(peer, method, file, "name"))
}

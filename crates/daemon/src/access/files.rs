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
            FileUse::Run => check(peer, method, Path::new(file)),
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

/// Whether the caller may read `file`: the path is followed as the kernel
/// would follow it for the caller, component by component and through
/// symbolic links, each directory searched only if the caller may search
/// it, so the service learns (and answers) nothing about what lies past a
/// directory the caller cannot enter.
#[cfg(unix)]
fn check(peer: &Peer, method: &str, file: &Path) -> Result<()> {
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
    if file.as_os_str().len() > PATH_MAX {
        return Err(Error::invalid(format!(
            "the path is longer than {PATH_MAX} bytes, more than the system takes"
        ))
        .with_target("File"));
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
    let missing = || {
        Error::not_found(format!("'{}' does not exist", file.display()))
            .with_target(file.display().to_string())
    };
    let reached = follow(file, &|dir| {
        std::fs::metadata(dir).is_ok_and(|m| may(&m, SEARCH))
    })
    .map_err(|stop| match stop {
        Stop::Denied => denied(peer, method, file, "reach"),
        Stop::Missing => missing(),
        Stop::Loop => Error::invalid(format!(
            "'{}' has too many levels of symbolic links, or too many parts",
            file.display()
        ))
        .with_target(file.display().to_string()),
    })?;
    // Not followed: a link put there since the walk is not looked behind.
    let meta = std::fs::symlink_metadata(&reached).map_err(|_| missing())?;
    if !may(&meta, READ) {
        return Err(denied(peer, method, file, "read"));
    }
    Ok(())
}

/// Why following a path stopped.
#[cfg(unix)]
#[derive(Debug, PartialEq)]
enum Stop {
    /// A directory on the way may not be searched.
    Denied,
    /// Something on the way does not exist.
    Missing,
    /// More than 40 symbolic links, as the kernel's ELOOP (or more parts
    /// than a path of `PATH_MAX` bytes could have).
    Loop,
}

/// The longest path the system takes (Linux's `PATH_MAX`).
#[cfg(unix)]
const PATH_MAX: usize = 4096;

/// The real path `path` (absolute) names, followed one component at a
/// time: a directory is looked into only when `searchable` says so, and a
/// symbolic link is replaced by its target.
#[cfg(unix)]
fn follow(
    path: &Path,
    searchable: &dyn Fn(&Path) -> bool,
) -> std::result::Result<std::path::PathBuf, Stop> {
    use std::collections::VecDeque;
    use std::path::Component;
    let mut pending: VecDeque<std::ffi::OsString> = VecDeque::new();
    let push_front = |pending: &mut VecDeque<std::ffi::OsString>, p: &Path| {
        for c in p.components().rev() {
            pending.push_front(c.as_os_str().to_os_string());
        }
    };
    push_front(&mut pending, path);
    let mut current = std::path::PathBuf::from("/");
    let (mut links, mut steps) = (0, 0);
    while let Some(part) = pending.pop_front() {
        steps += 1;
        if steps > PATH_MAX {
            return Err(Stop::Loop);
        }
        match Path::new(&part).components().next() {
            Some(Component::RootDir) => current = std::path::PathBuf::from("/"),
            Some(Component::ParentDir) => {
                // `..` is looked up in the folder too.
                if !searchable(&current) {
                    return Err(Stop::Denied);
                }
                current.pop();
            }
            Some(Component::Normal(name)) => {
                if !searchable(&current) {
                    return Err(Stop::Denied);
                }
                let next = current.join(name);
                // Links in /proc are the kernel's, followed by rules (the
                // process's owner) a look as the service would not apply.
                if next.starts_with("/proc") {
                    return Err(Stop::Denied);
                }
                let meta = std::fs::symlink_metadata(&next).map_err(|_| Stop::Missing)?;
                if meta.file_type().is_symlink() {
                    links += 1;
                    if links > 40 {
                        return Err(Stop::Loop);
                    }
                    let target = std::fs::read_link(&next).map_err(|_| Stop::Missing)?;
                    push_front(&mut pending, &target);
                } else {
                    current = next;
                }
            }
            _ => {}
        }
    }
    Ok(current)
}

/// Windows: only the service account connects until the named-pipe
/// transport brings caller tokens (issue 9); other callers may not name files.
#[cfg(windows)]
fn check(peer: &Peer, method: &str, file: &Path) -> Result<()> {
    Err(denied(peer, method, file, "name"))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_followed_as_its_caller_would_follow_it() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(d.join("open/sub")).unwrap();
        std::fs::create_dir_all(d.join("closed")).unwrap();
        std::fs::write(d.join("open/p.dtsx"), "x").unwrap();
        std::fs::write(d.join("closed/secret.dtsx"), "x").unwrap();
        let link = |target: &str, name: &str| {
            std::os::unix::fs::symlink(target, d.join("open").join(name)).unwrap();
        };
        link("p.dtsx", "relative");
        link("sub/../p.dtsx", "dots");
        link("../closed/secret.dtsx", "into-closed");
        link("../closed/nothing.dtsx", "into-closed-missing");
        link("loop-b", "loop-a");
        link("loop-a", "loop-b");
        // The caller may not search `closed` (as if it were mode 700).
        let searchable = |p: &Path| !p.ends_with("closed");
        let follow = |name: &str| follow(&d.join("open").join(name), &searchable);
        assert_eq!(follow("p.dtsx").unwrap(), d.join("open/p.dtsx"));
        assert_eq!(follow("relative").unwrap(), d.join("open/p.dtsx"));
        assert_eq!(follow("dots").unwrap(), d.join("open/p.dtsx"));
        // Past a directory the caller cannot search, a present file and a
        // missing one give the same answer.
        assert_eq!(follow("into-closed"), Err(Stop::Denied));
        assert_eq!(follow("into-closed-missing"), Err(Stop::Denied));
        assert_eq!(follow("none.dtsx"), Err(Stop::Missing));
        assert_eq!(follow("loop-a"), Err(Stop::Loop));
        // `..` needs the search right on the folder it leaves.
        assert_eq!(
            super::follow(&d.join("closed/../open/p.dtsx"), &searchable),
            Err(Stop::Denied)
        );
        // The kernel's own links are not looked behind.
        assert_eq!(
            super::follow(Path::new("/proc/self/cwd/x"), &|_| true),
            Err(Stop::Denied)
        );
        // A path of many parts ends (here 5,000 `..`), however it is made.
        let long = format!("/{}", "../".repeat(5_000));
        assert_eq!(super::follow(Path::new(&long), &|_| true), Err(Stop::Loop));
        assert_eq!(
            super::follow(&d.join("closed/secret.dtsx"), &searchable),
            Err(Stop::Denied)
        );
    }
}

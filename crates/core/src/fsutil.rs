//! File-system helpers shared by the configuration and the store.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Writes `data` to `path` atomically: a temporary file in the same folder,
/// flushed to disk, then renamed over the target. A crash or a full disk
/// leaves either the old file or the new one, never a mix.
///
/// With `replace` false, an existing target is an `AlreadyExists` error and
/// the check and the rename are one step (no race between two writers).
///
/// The file is private (0600 on Unix, tempfile's mode): right for state,
/// tokens and exit reports. Files others read use [`write_atomic_shared`].
pub fn write_atomic(path: &Path, data: &[u8], replace: bool) -> Result<()> {
    write_atomic_mode(path, data, replace, None)
}

/// The mode of a new File System store package (Unix): what a file created
/// with the usual umask 022 gets, so readers of the store folder can read it.
pub const STORE_FILE_MODE: u32 = 0o644;

/// [`write_atomic`] for files other programs read (store packages): a file
/// being replaced keeps its permissions, a new one gets `new_mode` (Unix;
/// the mode is set on the temporary file before any data is written, so the
/// file never has more or fewer permissions than it ends with).
pub fn write_atomic_shared(path: &Path, data: &[u8], replace: bool, new_mode: u32) -> Result<()> {
    #[cfg(unix)]
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::metadata(path) {
            Ok(m) if replace && m.is_file() => m.permissions().mode() & 0o7777,
            _ => new_mode,
        }
    };
    #[cfg(not(unix))]
    let mode = {
        let _ = new_mode;
        0
    };
    write_atomic_mode(path, data, replace, Some(mode))
}

fn write_atomic_mode(path: &Path, data: &[u8], replace: bool, mode: Option<u32>) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".ssis-tmp-")
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(|e| Error::io(&e, "create a temporary file in", dir))?;
    #[cfg(unix)]
    if let Some(mode) = mode {
        use std::os::unix::fs::PermissionsExt;
        // fchmod: not subject to the umask.
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(|e| Error::io(&e, "set the mode of", tmp.path()))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    tmp.write_all(data)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| Error::io(&e, "write", tmp.path()))?;
    if replace {
        tmp.persist(path)
            .map_err(|e| Error::io(&e.error, "replace", path))?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                Error::new(
                    crate::ErrorKind::AlreadyExists,
                    format!("'{}' already exists", path.display()),
                )
                .with_target(path.display().to_string())
            } else {
                Error::io(&e.error, "create", path)
            }
        })?;
    }
    sync_dir(dir);
    Ok(())
}

/// Flushes a directory entry change to disk where the platform allows it.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        write_atomic(&p, b"one", false).unwrap();
        let err = write_atomic(&p, b"two", false).unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        write_atomic(&p, b"two", true).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(".ssis-tmp-"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn shared_files_get_the_store_mode_and_keep_a_replaced_files_mode() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.dtsx");
        write_atomic_shared(&p, b"one", false, STORE_FILE_MODE).unwrap();
        assert_eq!(mode(&p), 0o644);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic_shared(&p, b"two", true, STORE_FILE_MODE).unwrap();
        assert_eq!(mode(&p), 0o640);
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        // Private files stay private.
        let q = dir.path().join("state.json");
        write_atomic(&q, b"x", false).unwrap();
        assert_eq!(mode(&q), 0o600);
    }
}

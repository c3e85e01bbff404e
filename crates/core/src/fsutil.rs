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
pub fn write_atomic(path: &Path, data: &[u8], replace: bool) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".ssis-tmp-")
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(|e| Error::io(&e, "create a temporary file in", dir))?;
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
}

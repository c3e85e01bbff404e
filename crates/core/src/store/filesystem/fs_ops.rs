//! File system steps the store's changes are made of: case-only renames,
//! directory renames that never replace, same-file checks and the cleanup
//! of interrupted writes.

use crate::store::path::TEMP_PREFIX;
use std::fs;
use std::io;
use std::path::Path;

/// Leftovers of interrupted writes (`.ssis-tmp-*`) in `dir`, removed before
/// deleting an otherwise empty folder.
pub(super) fn remove_stale_temp_files(dir: &Path) {
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let is_temp = entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(TEMP_PREFIX));
            if is_temp && entry.file_type().is_ok_and(|t| t.is_file()) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// True when two paths name the same file (case-insensitive file systems).
pub(super) fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Renames `from` to `to`, two spellings of one name differing only by case.
/// Some case-insensitive file systems (Wine's mapping onto a Unix one) take
/// the rename for a no-op; then it goes through a temporary name.
pub(super) fn rename_case(from: &Path, to: &Path) -> io::Result<()> {
    fs::rename(from, to)?;
    let (Some(dir), Some(wanted)) = (to.parent(), to.file_name()) else {
        return Ok(());
    };
    let stored = fs::read_dir(dir)?
        .flatten()
        .any(|e| e.file_name().as_os_str() == wanted);
    if stored {
        return Ok(());
    }
    let temp = dir.join(format!("{TEMP_PREFIX}{}", uuid::Uuid::new_v4().simple()));
    fs::rename(from, &temp)?;
    fs::rename(&temp, to).inspect_err(|_| {
        let _ = fs::rename(&temp, from);
    })
}

/// Renames the directory `from` to `to`, failing with AlreadyExists when
/// `to` exists (POSIX rename would silently replace an empty directory).
#[cfg(unix)]
pub(super) fn rename_dir_no_clobber(from: &Path, to: &Path) -> io::Result<()> {
    // Claim the name atomically, then rename over our own empty directory.
    fs::create_dir(to)?;
    fs::rename(from, to).inspect_err(|_| {
        let _ = fs::remove_dir(to);
    })
}

/// Renames the directory `from` to `to`, failing when `to` exists (Windows
/// never renames a directory over an existing one).
#[cfg(windows)]
pub(super) fn rename_dir_no_clobber(from: &Path, to: &Path) -> io::Result<()> {
    if fs::symlink_metadata(to).is_ok() {
        return Err(io::Error::from(io::ErrorKind::AlreadyExists));
    }
    fs::rename(from, to)
}

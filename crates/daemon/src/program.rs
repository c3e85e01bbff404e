//! This program's path as installed. After a package upgrade replaces the
//! file in place, `current_exe()` names the old, deleted file (Linux:
//! `/usr/bin/ssis (deleted)`), while the installed path holds the new one.
//! The path is read once, when the service starts ([`remember`]), and every
//! launch (supervisors, the built-in runner) starts whatever is at that path
//! then, so an upgrade does not break runs.

use ssis_core::error::{Error, Result};
use std::path::PathBuf;
use std::sync::OnceLock;

static INSTALLED: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();

/// Reads and keeps this program's path; call first thing at start.
pub fn remember() {
    installed_path().ok();
}

/// The path this program was started from (the file now there, after an
/// upgrade); an error when it cannot be known or is gone.
pub fn installed_path() -> Result<PathBuf> {
    let path = INSTALLED
        .get_or_init(|| {
            std::env::current_exe()
                .map(without_deleted_mark)
                .map_err(|e| format!("cannot find this program's path: {e}"))
        })
        .clone()
        .map_err(Error::internal)?;
    if !path.is_file() {
        return Err(Error::not_found(format!(
            "this program's file '{}' is gone (uninstalled, or moved while the service runs); \
             reinstall it or restart the service",
            path.display()
        ))
        .with_target(path.display().to_string()));
    }
    Ok(path)
}

/// `path` without Linux's ` (deleted)` mark, which `/proc/self/exe` adds once
/// the file was replaced.
fn without_deleted_mark(path: PathBuf) -> PathBuf {
    match path.to_str().and_then(|p| p.strip_suffix(" (deleted)")) {
        Some(installed) => PathBuf::from(installed),
        None => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deleted_mark_is_dropped() {
        assert_eq!(
            without_deleted_mark("/usr/bin/ssis (deleted)".into()),
            PathBuf::from("/usr/bin/ssis")
        );
        assert_eq!(
            without_deleted_mark("/usr/bin/ssis".into()),
            PathBuf::from("/usr/bin/ssis")
        );
    }
}

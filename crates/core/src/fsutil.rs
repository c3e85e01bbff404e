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
    // Written in two halves with a fault point between them (tests only: a
    // crash or an error in the middle of the data).
    let (first, rest) = data.split_at(data.len() / 2);
    tmp.write_all(first)
        .and_then(|_| fault::point(fault::Step::MidWrite, path))
        .and_then(|_| tmp.write_all(rest))
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| Error::io(&e, "write", tmp.path()))?;
    fault::point(fault::Step::BeforeRename, path)
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

/// Fault injection for the atomic-write tests: points in
/// [`write_atomic_mode`] where a test makes the write fail (an error, as a
/// full disk gives) or the process stop (killed, as by a crash). Compiled
/// only into this crate's unit tests; elsewhere every point is a no-op.
pub(crate) mod fault {
    use std::path::Path;

    /// A point in a write.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Step {
        /// Half of the data is in the temporary file.
        MidWrite,
        /// The data is written and flushed; the rename has not happened.
        BeforeRename,
    }

    #[cfg(not(test))]
    #[inline(always)]
    pub fn point(_step: Step, _target: &Path) -> std::io::Result<()> {
        Ok(())
    }

    #[cfg(test)]
    thread_local! {
        static FAIL: std::cell::RefCell<Option<(Step, std::path::PathBuf)>> =
            const { std::cell::RefCell::new(None) };
    }

    /// Makes this thread's next write to `target` fail at `step` (once).
    #[cfg(test)]
    pub fn fail_at(step: Step, target: &Path) {
        FAIL.with(|f| *f.borrow_mut() = Some((step, target.to_path_buf())));
    }

    /// The environment variable that makes a write stop at a step, for a
    /// test that kills the writing process there: `<Step>:<target>`; the
    /// writer then creates `<target>.stopped` and waits to be killed.
    #[cfg(test)]
    pub const STOP_ENV: &str = "SSIS_TEST_FSUTIL_STOP_AT";

    #[cfg(test)]
    pub fn point(step: Step, target: &Path) -> std::io::Result<()> {
        let fail = FAIL.with(|f| {
            let mut f = f.borrow_mut();
            let hit = f.as_ref().is_some_and(|(s, t)| *s == step && t == target);
            if hit {
                *f = None;
            }
            hit
        });
        if fail {
            return Err(std::io::Error::other(format!(
                "injected failure at {step:?}"
            )));
        }
        if let Ok(v) = std::env::var(STOP_ENV) {
            if v == format!("{step:?}:{}", target.display()) {
                let mut ready = target.as_os_str().to_os_string();
                ready.push(".stopped");
                std::fs::write(ready, b"")?;
                loop {
                    std::thread::sleep(std::time::Duration::from_secs(1));
                }
            }
        }
        Ok(())
    }
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
pub(crate) mod tests {
    use super::fault::{Step, fail_at};
    use super::*;

    /// The names in `dir`, sorted.
    pub(crate) fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_failure_at_any_step_leaves_the_old_file_and_no_temporary_file() {
        for step in [Step::MidWrite, Step::BeforeRename] {
            for replace in [true, false] {
                let dir = tempfile::tempdir().unwrap();
                let p = dir.path().join("a.txt");
                let old = "old content ".repeat(100);
                if replace {
                    std::fs::write(&p, &old).unwrap();
                }
                fail_at(step, &p);
                let err =
                    write_atomic(&p, "new content ".repeat(100).as_bytes(), replace).unwrap_err();
                assert!(err.message.contains("injected"), "{step:?}: {err}");
                if replace {
                    assert_eq!(std::fs::read_to_string(&p).unwrap(), old, "{step:?}");
                    assert_eq!(names(dir.path()), ["a.txt"], "{step:?}");
                } else {
                    assert!(names(dir.path()).is_empty(), "{step:?}: nothing created");
                }
            }
        }
    }

    /// Not a test of its own: the writing process that
    /// `a_writer_killed_mid_write_leaves_the_old_file` starts and kills
    /// (it returns at once unless that test set its environment).
    #[test]
    #[ignore = "run by a_writer_killed_mid_write_leaves_the_old_file, as a child process"]
    fn killed_writer_child() {
        let Ok(target) = std::env::var("SSIS_TEST_FSUTIL_TARGET") else {
            return;
        };
        let data = std::env::var("SSIS_TEST_FSUTIL_DATA").unwrap();
        if std::env::var_os("SSIS_TEST_FSUTIL_CONFIG").is_some() {
            // A configuration save: `data` is the new executor.
            let path = Path::new(&target);
            let mut config = crate::config::ServiceConfig::load(path).unwrap();
            config.extensions.executor = Some(data);
            let _ = config.save(path);
        } else {
            let _ = write_atomic(Path::new(&target), data.as_bytes(), true);
        }
    }

    /// Runs `killed_writer_child` writing `data` to `target` (or, with
    /// `config`, saving the configuration at `target` with `data` as its
    /// executor), stops it at `step` of the write to `target` and kills it
    /// (SIGKILL: no destructor runs, as in a crash).
    #[cfg(unix)]
    pub(crate) fn kill_writer_at(step: Step, target: &Path, data: &str, config: bool) {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap());
        if config {
            child.env("SSIS_TEST_FSUTIL_CONFIG", "1");
        }
        let mut child = child
            .args([
                "fsutil::tests::killed_writer_child",
                "--exact",
                "--ignored",
                "--nocapture",
            ])
            .env(fault::STOP_ENV, format!("{step:?}:{}", target.display()))
            .env("SSIS_TEST_FSUTIL_TARGET", target)
            .env("SSIS_TEST_FSUTIL_DATA", data)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut ready = target.as_os_str().to_os_string();
        ready.push(".stopped");
        let ready = std::path::PathBuf::from(ready);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !ready.exists() {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("the writer ended ({status}) before reaching {step:?}");
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the writer never reached {step:?}"
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        std::fs::remove_file(ready).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_writer_killed_mid_write_leaves_the_old_file() {
        for step in [Step::MidWrite, Step::BeforeRename] {
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("a.txt");
            let old = "old content ".repeat(1000);
            std::fs::write(&p, &old).unwrap();
            kill_writer_at(step, &p, &"new content ".repeat(1000), false);
            assert_eq!(std::fs::read_to_string(&p).unwrap(), old, "{step:?}");
            // What a crash leaves is a temporary file, never a partial file
            // under the final name.
            let names = names(dir.path());
            assert_eq!(names.len(), 2, "{step:?}: {names:?}");
            assert!(names[0].starts_with(".ssis-tmp-"), "{names:?}");
            assert!(names[0].ends_with(".part"), "{names:?}");
            assert_eq!(names[1], "a.txt");
        }
    }

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
        write_atomic_shared(&p, b"one", false, 0o644).unwrap();
        assert_eq!(mode(&p), 0o644);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic_shared(&p, b"two", true, 0o644).unwrap();
        assert_eq!(mode(&p), 0o640);
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        // Private files stay private.
        let q = dir.path().join("state.json");
        write_atomic(&q, b"x", false).unwrap();
        assert_eq!(mode(&q), 0o600);
    }
}

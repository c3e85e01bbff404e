//! Loading and saving the configuration file. Saves are atomic
//! ([`crate::fsutil::write_atomic`]) and keep the previous file as
//! `<file>.bak`.

use super::{ServiceConfig, Source, xml};
use crate::error::{Error, ErrorKind, Result};
use crate::fsutil::write_atomic;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The backup kept beside `path`: `MsDtsSrvr.ini.xml.bak`.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(".bak");
    PathBuf::from(name)
}

/// Decodes the file's bytes: UTF-8 (with or without a byte-order mark).
fn decode(bytes: Vec<u8>, path: &Path) -> Result<String> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Error::new(
            ErrorKind::Configuration,
            "the file is UTF-16 encoded; save it as UTF-8",
        )
        .with_file(path));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        let text = String::from_utf8_lossy(&bytes[..valid]);
        let (line, column) = xml::line_col(&text, valid);
        Error::new(ErrorKind::Configuration, "the file is not valid UTF-8 text")
            .with_file(path)
            .at(line, column)
    })
}

/// Reads the file at `path` as text.
fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(&e, "read configuration file", path))?;
    decode(bytes, path)
}

impl ServiceConfig {
    /// Reads and validates the configuration file at `path` (made absolute).
    pub fn load(path: &Path) -> Result<ServiceConfig> {
        let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let text = read_text(&path)?;
        ServiceConfig::parse(&text, Some(&path))
    }

    /// Validates and writes the configuration to `path`: [`Self::to_xml`]
    /// (this configuration's own document, so everything it was read with
    /// survives), atomically, keeping the previous file as `<path>.bak`.
    /// Nothing is written when the file already holds exactly this text.
    pub fn save(&self, path: &Path) -> Result<()> {
        self.validate()?;
        let old = read_existing(path)?;
        write_with_backup(path, &self.to_xml(), old)
    }

    /// Like [`Self::save`], but the file already at `path` is the base: its
    /// comments, unknown elements and attributes and layout are kept and only
    /// the settings this configuration holds are replaced. Use it to write a
    /// configuration that did not come from that file (from JSON, say).
    ///
    /// When `path` does not exist, or does not hold a
    /// `DtsServiceConfiguration` document that can be read, it is written
    /// as [`Self::save`] would (the old file stays in `<path>.bak`).
    ///
    /// Returns the configuration as written (its document and `path`), the
    /// same as reading the file back would give.
    pub fn save_over_existing(&self, path: &Path) -> Result<ServiceConfig> {
        self.validate()?;
        let old = read_existing(path)?;
        let base = old
            .as_ref()
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .and_then(existing_document);
        let mut written = self.clone();
        if let Some(doc) = base {
            written.source = Source(Some(Arc::new(doc)));
        }
        let text = written.to_xml();
        write_with_backup(path, &text, old)?;
        // The model of what was written: its document, so the next save
        // keeps the same comments and unknown elements.
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        ServiceConfig::parse(&text, Some(&absolute))
    }
}

/// The bytes of the file at `path`, or `None` when there is none.
fn read_existing(path: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(&e, "read configuration file", path)),
    }
}

/// The document of an existing configuration file, when it is one.
fn existing_document(text: &str) -> Option<xml::Document> {
    let (bom, body) = xml::split_bom(text);
    let mut doc = xml::parse(body).ok()?;
    doc.bom = bom;
    (doc.root.name == super::read::ROOT).then_some(doc)
}

/// Writes `text` to `path` atomically, first copying `old` (the file's
/// current bytes, if any and if different) to `<path>.bak`.
fn write_with_backup(path: &Path, text: &str, old: Option<Vec<u8>>) -> Result<()> {
    match old {
        Some(old) if old == text.as_bytes() => return Ok(()),
        Some(old) => write_atomic(&backup_path(path), &old, true)?,
        None => {}
    }
    write_atomic(path, text.as_bytes(), true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_and_bad_utf8_are_named() {
        let p = Path::new("c.xml");
        let err = decode(vec![0xFF, 0xFE, b'<', 0], p).unwrap_err();
        assert!(err.message.contains("UTF-16"));
        let err = decode(b"<a>\n\xC3(</a>".to_vec(), p).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Configuration);
        assert_eq!((err.details.line, err.details.column), (Some(2), Some(1)));
    }

    /// A configuration file with a first save behind it (so `.bak` exists),
    /// and a change to save next.
    fn saved_twice(dir: &Path) -> (PathBuf, String, String, ServiceConfig) {
        let path = dir.join("MsDtsSrvr.ini.xml");
        let mut config = ServiceConfig::default_for(&dir.join("Packages"));
        config.save(&path).unwrap();
        config.stop_executing_packages_on_shutdown = !config.stop_executing_packages_on_shutdown;
        config.save(&path).unwrap();
        let current = std::fs::read_to_string(&path).unwrap();
        let backup = std::fs::read_to_string(backup_path(&path)).unwrap();
        config.extensions.executor = Some("dtexec".into());
        (path, current, backup, config)
    }

    #[test]
    fn a_save_that_fails_at_any_step_leaves_the_file_and_its_backup_whole() {
        use crate::fsutil::fault::{Step, fail_at};
        for step in [Step::MidWrite, Step::BeforeRename] {
            for backup_fails in [true, false] {
                let dir = tempfile::tempdir().unwrap();
                let (path, current, backup, config) = saved_twice(dir.path());
                let failing = if backup_fails {
                    backup_path(&path)
                } else {
                    path.clone()
                };
                fail_at(step, &failing);
                let what = format!("{step:?} writing {}", failing.display());
                let err = config.save(&path).unwrap_err();
                assert!(err.message.contains("injected"), "{what}: {err}");
                assert_eq!(std::fs::read_to_string(&path).unwrap(), current, "{what}");
                let now_backup = std::fs::read_to_string(backup_path(&path)).unwrap();
                // The backup is the one before, or (once written) the current file.
                if backup_fails {
                    assert_eq!(now_backup, backup, "{what}");
                } else {
                    assert_eq!(now_backup, current, "{what}");
                }
                assert_eq!(
                    crate::fsutil::tests::names(dir.path()),
                    ["MsDtsSrvr.ini.xml", "MsDtsSrvr.ini.xml.bak"],
                    "{what}: no temporary file left"
                );
                // And the next save goes through.
                config.save(&path).unwrap();
                let loaded = ServiceConfig::load(&path).unwrap();
                assert_eq!(loaded.extensions.executor.as_deref(), Some("dtexec"));
            }
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_save_killed_mid_write_leaves_a_loadable_file() {
        use crate::fsutil::fault::Step;
        for step in [Step::MidWrite, Step::BeforeRename] {
            let dir = tempfile::tempdir().unwrap();
            let (path, current, _, _) = saved_twice(dir.path());
            crate::fsutil::tests::kill_writer_at(step, &path, "dtexec", true);
            assert_eq!(std::fs::read_to_string(&path).unwrap(), current, "{step:?}");
            let loaded = ServiceConfig::load(&path).unwrap();
            assert_ne!(loaded.extensions.executor.as_deref(), Some("dtexec"));
            // The backup was written (whole) before the file.
            assert_eq!(
                std::fs::read_to_string(backup_path(&path)).unwrap(),
                current,
                "{step:?}"
            );
            let names = crate::fsutil::tests::names(dir.path());
            assert_eq!(names.len(), 3, "{step:?}: {names:?}");
            assert!(names[0].starts_with(".ssis-tmp-"), "{names:?}");
        }
    }

    #[test]
    fn backup_sits_beside_the_file() {
        assert_eq!(
            backup_path(Path::new("/etc/x/MsDtsSrvr.ini.xml")),
            PathBuf::from("/etc/x/MsDtsSrvr.ini.xml.bak")
        );
    }
}

//! A project's files by name: the parts of an `.ispac` (an Open Packaging
//! Conventions zip, every part at its root, names percent-escaped) or the
//! files of an SSDT project folder. Names are indexed once (unescaped,
//! case-insensitively, as OPC and Windows compare them; two parts of one
//! name are refused) and a file is read only when asked for, so a run
//! reads its package, the managers, the parameters and the manifest only.

use crate::model::PartSource;
use ssis_core::error::{Error, ErrorKind, Result};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The largest part read (a package, a manager, the manifest).
const MAX_PART: u64 = 256 << 20;

/// Where a project's files are.
#[derive(Debug)]
pub(super) struct Parts {
    /// Lower-cased name → (name as stored, where it is).
    index: HashMap<String, (String, Place)>,
    /// The `.ispac`, when the parts are a zip's.
    zip: Option<Mutex<zip::ZipArchive<std::io::BufReader<std::fs::File>>>>,
    /// The `.ispac` or folder, for messages.
    origin: PathBuf,
}

#[derive(Debug, Clone)]
enum Place {
    /// The zip entry's index.
    Entry(usize),
    /// The folder's file.
    File(PathBuf),
}

/// Refuses what is not a regular file (a FIFO would block its reader for
/// ever); a link is followed.
pub(super) fn regular_file(path: &Path, what: &str) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(&e, what, path))?;
    if meta.is_file() {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::Package,
            format!("cannot {what}: it is not a regular file"),
        )
        .with_file(path))
    }
}

impl Parts {
    /// Indexes the parts of the `.ispac` at `path`.
    pub(super) fn ispac(path: &Path) -> Result<Parts> {
        regular_file(path, "open the project")?;
        let bad = |what: String| Error::new(ErrorKind::Package, what).with_file(path);
        let file =
            std::fs::File::open(path).map_err(|e| Error::io(&e, "open the project", path))?;
        let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| {
            bad(format!(
                "not a project deployment file (an .ispac is a zip archive): {e}"
            ))
        })?;
        let mut parts = Parts {
            index: HashMap::new(),
            zip: None,
            origin: path.to_path_buf(),
        };
        for i in 0..zip.len() {
            let entry = zip
                .by_index_raw(i)
                .map_err(|e| bad(format!("part {} cannot be read: {e}", i + 1)))?;
            if entry.is_dir() {
                continue;
            }
            let raw = entry
                .name()
                .map_err(|e| bad(format!("part {} has no readable name: {e}", i + 1)))?
                .to_string();
            parts.add(unescape(&raw), Place::Entry(i))?;
        }
        parts.zip = Some(Mutex::new(zip));
        Ok(parts)
    }

    /// Indexes the files of the project folder `dir` (links followed;
    /// names escaped as in an `.ispac` are found by either form).
    pub(super) fn folder(dir: &Path) -> Result<Parts> {
        let mut parts = Parts {
            index: HashMap::new(),
            zip: None,
            origin: dir.to_path_buf(),
        };
        let list = std::fs::read_dir(dir).map_err(|e| Error::io(&e, "list the project", dir))?;
        for entry in list {
            let entry = entry.map_err(|e| Error::io(&e, "list the project", dir))?;
            let Ok(name) = entry.file_name().into_string() else {
                continue; // not a name a manifest can list
            };
            let path = entry.path();
            if std::fs::metadata(&path).is_ok_and(|m| m.is_dir()) {
                continue;
            }
            parts.add(unescape(&name), Place::File(path))?;
        }
        Ok(parts)
    }

    fn add(&mut self, name: String, place: Place) -> Result<()> {
        let key = name.to_lowercase();
        if let Some((first, _)) = self.index.get(&key) {
            return Err(Error::new(
                ErrorKind::Package,
                format!("the project holds two files named '{first}' and '{name}'"),
            )
            .with_file(&self.origin));
        }
        self.index.insert(key, (name, place));
        Ok(())
    }

    /// The names of the files, as the manifest would list them.
    pub(super) fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.index.values().map(|(n, _)| n.as_str()).collect();
        names.sort();
        names
    }
}

impl PartSource for Parts {
    /// A file by name, case-insensitively; `Ok(None)` when there is none.
    fn read(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let Some((stored, place)) = self.index.get(&name.to_lowercase()) else {
            return Ok(None);
        };
        let too_big = || {
            Error::new(
                ErrorKind::Package,
                format!("'{stored}' holds more than {} MiB", MAX_PART >> 20),
            )
            .with_file(&self.origin)
        };
        let mut bytes = Vec::new();
        match place {
            Place::File(path) => {
                regular_file(path, "read the project file")?;
                let file = std::fs::File::open(path)
                    .map_err(|e| Error::io(&e, "read the project file", path))?;
                file.take(MAX_PART + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| Error::io(&e, "read the project file", path))?;
            }
            Place::Entry(i) => {
                let Some(zip) = &self.zip else {
                    return Ok(None);
                };
                let mut zip = zip.lock().unwrap_or_else(|p| p.into_inner());
                let bad = |e: String| {
                    Error::new(
                        ErrorKind::Package,
                        format!("part '{stored}' cannot be read: {e}"),
                    )
                    .with_file(&self.origin)
                };
                let entry = zip.by_index(*i).map_err(|e| bad(e.to_string()))?;
                entry
                    .take(MAX_PART + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| bad(e.to_string()))?;
            }
        }
        if bytes.len() as u64 > MAX_PART {
            return Err(too_big());
        }
        Ok(Some(bytes))
    }
}

/// A part name with its `%XX` escapes decoded (`Load%20Sales.dtsx` is
/// `Load Sales.dtsx`); a name whose escapes are not UTF-8 is kept as is.
pub(super) fn unescape(name: &str) -> String {
    let name = name.trim_start_matches('/');
    let bytes = name.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::unescape;

    #[test]
    fn part_names_are_unescaped() {
        assert_eq!(unescape("Load%20Sales.dtsx"), "Load Sales.dtsx");
        assert_eq!(unescape("/%40Project.manifest"), "@Project.manifest");
        assert_eq!(unescape("Caf%C3%A9.dtsx"), "Café.dtsx");
        // Not an escape, or not UTF-8: kept.
        assert_eq!(unescape("100%.dtsx"), "100%.dtsx");
        assert_eq!(unescape("a%zz.dtsx"), "a%zz.dtsx");
        assert_eq!(unescape("a%FF.dtsx"), "a%FF.dtsx");
    }
}

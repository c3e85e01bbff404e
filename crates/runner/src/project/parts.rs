//! A project's files by name: the parts of an `.ispac` (an Open Packaging
//! Conventions zip, every part at its root, names percent-escaped) or the
//! files of an SSDT project folder.

use ssis_core::error::{Error, ErrorKind, Result};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest part read from an `.ispac` (a package or a manager).
const MAX_PART: u64 = 256 << 20;
/// The most bytes all the parts of an `.ispac` may hold.
const MAX_TOTAL: u64 = 1 << 30;

/// Where a project's files are.
pub(super) enum Parts {
    /// An `.ispac`'s parts, read whole: (unescaped name, bytes).
    Ispac(Vec<(String, Vec<u8>)>),
    /// A project folder and the names of the files in it.
    Folder(PathBuf, Vec<String>),
}

impl Parts {
    /// Reads the parts of the `.ispac` at `path`.
    pub(super) fn ispac(path: &Path) -> Result<Parts> {
        let bad = |what: String| Error::new(ErrorKind::Package, what).with_file(path);
        let file =
            std::fs::File::open(path).map_err(|e| Error::io(&e, "open the project", path))?;
        let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| {
            bad(format!(
                "not a project deployment file (an .ispac is a zip archive): {e}"
            ))
        })?;
        let mut parts = Vec::new();
        let mut total = 0u64;
        for i in 0..zip.len() {
            let mut entry = zip
                .by_index(i)
                .map_err(|e| bad(format!("part {} cannot be read: {e}", i + 1)))?;
            if entry.is_dir() {
                continue;
            }
            let raw = entry
                .name()
                .map_err(|e| bad(format!("part {} has no readable name: {e}", i + 1)))?
                .to_string();
            let name = unescape(&raw);
            let mut bytes = Vec::new();
            (&mut entry)
                .take(MAX_PART + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| bad(format!("part '{name}' cannot be read: {e}")))?;
            if bytes.len() as u64 > MAX_PART {
                return Err(bad(format!(
                    "part '{name}' holds more than {} MiB",
                    MAX_PART >> 20
                )));
            }
            total += bytes.len() as u64;
            if total > MAX_TOTAL {
                return Err(bad(format!(
                    "the parts hold more than {} MiB in all",
                    MAX_TOTAL >> 20
                )));
            }
            parts.push((name, bytes));
        }
        Ok(Parts::Ispac(parts))
    }

    /// Lists the files of the project folder `dir`.
    pub(super) fn folder(dir: &Path) -> Result<Parts> {
        let mut names = Vec::new();
        let list = std::fs::read_dir(dir).map_err(|e| Error::io(&e, "list the project", dir))?;
        for entry in list {
            let entry = entry.map_err(|e| Error::io(&e, "list the project", dir))?;
            if entry.file_type().map(|t| t.is_file()).unwrap_or(false) {
                if let Ok(name) = entry.file_name().into_string() {
                    names.push(name);
                }
            }
        }
        names.sort();
        Ok(Parts::Folder(dir.to_path_buf(), names))
    }

    /// The names of the files, as stored.
    pub(super) fn names(&self) -> Vec<&str> {
        match self {
            Parts::Ispac(parts) => parts.iter().map(|(n, _)| n.as_str()).collect(),
            Parts::Folder(_, names) => names.iter().map(String::as_str).collect(),
        }
    }

    /// A file by name, case-insensitively (as Windows names them);
    /// `Ok(None)` when there is none.
    pub(super) fn read(&self, name: &str) -> Result<Option<Vec<u8>>> {
        match self {
            Parts::Ispac(parts) => Ok(parts
                .iter()
                .find(|(n, _)| n == name)
                .or_else(|| parts.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)))
                .map(|(_, b)| b.clone())),
            Parts::Folder(dir, names) => {
                let Some(found) = names
                    .iter()
                    .find(|n| *n == name)
                    .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(name)))
                else {
                    return Ok(None);
                };
                let path = dir.join(found);
                std::fs::read(&path)
                    .map(Some)
                    .map_err(|e| Error::io(&e, "read the project file", &path))
            }
        }
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

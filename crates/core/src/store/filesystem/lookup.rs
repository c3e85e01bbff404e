//! Store paths resolved on disk: folders and packages found by name (the
//! exact spelling first, else case-insensitively), symbolic links refused,
//! and the package name of a `.dtsx` file name.

use super::{EXTENSION, FileSystemStore};
use crate::error::{Error, ErrorKind, Result};
use crate::store::backend::{folder_not_found, package_not_found, split_package};
use crate::store::path::{MAX_NAME_BYTES, fold_case, validate_name};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// What a lookup wants to find.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Want {
    Folder,
    Package,
}

impl FileSystemStore {
    /// The root directory, checked to exist.
    pub(super) fn root_dir(&self) -> Result<&Path> {
        match fs::metadata(&self.root) {
            Ok(md) if md.is_dir() => Ok(&self.root),
            Ok(_) => Err(Error::new(
                ErrorKind::Configuration,
                format!(
                    "the store path '{}' of folder '{}' is not a directory",
                    self.root.display(),
                    self.name
                ),
            )
            .with_target(self.root.display().to_string())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(Error::not_found(format!(
                "the directory '{}' of store folder '{}' does not exist",
                self.root.display(),
                self.name
            ))
            .with_target(self.root.display().to_string())),
            Err(e) => Err(Error::io(&e, "open the store directory", &self.root)),
        }
    }

    pub(super) fn symlink_refused(&self, segments: &[String]) -> Error {
        let path = self.path_of(segments);
        Error::new(
            ErrorKind::AccessDenied,
            format!(
                "'{path}' is a symbolic link; the store does not follow links \
                 (nothing outside the store directory is read or written)"
            ),
        )
        .with_target(path)
    }

    /// Finds `name` (a folder, or a package without its extension) in `dir`:
    /// the exact name first, else a case-insensitive match (the first in
    /// sorted order). `segments` is the store path of the wanted item, for errors.
    pub(super) fn find(
        &self,
        dir: &Path,
        name: &str,
        want: Want,
        segments: &[String],
    ) -> Result<Option<PathBuf>> {
        let file_name = match want {
            Want::Folder => name.to_string(),
            Want::Package => format!("{name}{EXTENSION}"),
        };
        // Checked before the file system is asked: a longer name would come
        // back as an I/O error (ENAMETOOLONG) from the lookup.
        if file_name.len() > MAX_NAME_BYTES {
            return Err(Error::invalid(format!(
                "package name '{name}' is {} bytes long; with '{EXTENSION}' a file name may be at \
                 most {MAX_NAME_BYTES} bytes, so a package name at most {} bytes (UTF-8)",
                name.len(),
                MAX_NAME_BYTES - EXTENSION.len()
            ))
            .with_target(self.path_of(segments)));
        }
        let exact = dir.join(&file_name);
        let wanted = |ft: fs::FileType| match want {
            Want::Folder => ft.is_dir(),
            Want::Package => ft.is_file(),
        };
        match fs::symlink_metadata(&exact) {
            Ok(md) if md.file_type().is_symlink() => {
                // On a case-insensitive file system this may be another
                // spelling of the same link; either way, it is refused.
                return Err(self.symlink_refused(segments));
            }
            // On a case-insensitive file system (Windows) the exact spelling
            // opens the file whatever its stored case: the scan below finds
            // the stored name, which listings and renames report.
            Ok(md) if wanted(md.file_type()) && !cfg!(windows) => {
                return Ok(Some(exact));
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&e, "look up", &exact)),
        }
        let folded = fold_case(&file_name);
        let mut matches = Vec::new();
        let mut link = false;
        let entries = fs::read_dir(dir).map_err(|e| Error::io(&e, "list", dir))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&e, "list", dir))?;
            let os_name = entry.file_name();
            let Some(candidate) = os_name.to_str() else {
                continue;
            };
            if fold_case(candidate) != folded {
                continue;
            }
            let ft = entry
                .file_type()
                .map_err(|e| Error::io(&e, "look up", &entry.path()))?;
            if ft.is_symlink() {
                link = true;
            } else if wanted(ft) {
                matches.push(candidate.to_string());
            }
        }
        if matches.contains(&file_name) {
            return Ok(Some(exact));
        }
        matches.sort();
        match matches.into_iter().next() {
            Some(found) => Ok(Some(dir.join(found))),
            None if link => Err(self.symlink_refused(segments)),
            None => Ok(None),
        }
    }

    /// The directory of `folder`, every step checked.
    pub(super) fn resolve_folder(&self, folder: &[String]) -> Result<PathBuf> {
        Ok(self.resolve_folder_named(folder)?.0)
    }

    /// The directory of `folder` and its segments as spelled on disk.
    pub(super) fn resolve_folder_named(&self, folder: &[String]) -> Result<(PathBuf, Vec<String>)> {
        let mut dir = self.root_dir()?.to_path_buf();
        let mut stored = Vec::with_capacity(folder.len());
        for (i, name) in folder.iter().enumerate() {
            validate_name(name, "folder name")?;
            match self.find(&dir, name, Want::Folder, &folder[..=i])? {
                Some(next) => {
                    let spelled = next.file_name().and_then(|n| n.to_str()).unwrap_or(name);
                    stored.push(spelled.to_string());
                    dir = next;
                }
                None => return Err(folder_not_found(&self.path_of(&folder[..=i]))),
            }
        }
        Ok((dir, stored))
    }

    /// The folder directory and the existing file (if any) of `package`.
    pub(super) fn resolve_package(&self, package: &[String]) -> Result<(PathBuf, Option<PathBuf>)> {
        let (folder, name) = split_package(&self.name, package)?;
        validate_name(name, "package name")?;
        let dir = self.resolve_folder(folder)?;
        let file = self.find(&dir, name, Want::Package, package)?;
        Ok((dir, file))
    }

    /// The existing file of `package`, or NotFound.
    pub(super) fn existing_package(&self, package: &[String]) -> Result<PathBuf> {
        match self.resolve_package(package)? {
            (_, Some(file)) => Ok(file),
            (_, None) => Err(package_not_found(&self.path_of(package))),
        }
    }
}

/// The package name of a file name ending in `.dtsx` (any case).
pub(super) fn package_stem(file_name: &str) -> Option<&str> {
    let cut = file_name.len().checked_sub(EXTENSION.len())?;
    if cut == 0 || !file_name.is_char_boundary(cut) {
        return None;
    }
    let (stem, ext) = file_name.split_at(cut);
    ext.eq_ignore_ascii_case(EXTENSION).then_some(stem)
}

#[cfg(test)]
mod tests {
    use super::package_stem;

    #[test]
    fn package_stems() {
        assert_eq!(package_stem("A.dtsx"), Some("A"));
        assert_eq!(package_stem("Daily Load.DTSX"), Some("Daily Load"));
        assert_eq!(package_stem(".dtsx"), None);
        assert_eq!(package_stem("a.dtsx.bak"), None);
        assert_eq!(package_stem("ä"), None);
        assert_eq!(package_stem("éé.dtsx"), Some("éé"));
    }
}

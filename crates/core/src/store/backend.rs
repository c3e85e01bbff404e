//! The backend interface: one top-level folder's storage.

use super::entries::PackageEntry;
use super::wire::WireEntries;
use crate::error::{Error, ErrorKind, Result};

/// One top-level folder's storage (File System now, msdb later).
///
/// Paths are the segments *below* the top-level folder, already validated
/// with [`super::validate_name`]; `&[]` is the top-level folder itself. For
/// package operations the last segment is the package name (without
/// `.dtsx`). Names are looked up case-insensitively. Entries and errors name
/// full store paths (`\File System\Sales\Daily Load`).
pub trait PackageStore: Send + Sync {
    /// The name of the top-level folder this backend serves.
    fn top_level_name(&self) -> &str;
    /// Names of the subfolders of `folder`, sorted case-insensitively.
    fn list_folders(&self, folder: &[String]) -> Result<Vec<String>>;
    /// Packages directly in `folder`, with metadata, sorted by name. A package
    /// whose metadata cannot be read is listed with `error` set.
    fn list_packages(&self, folder: &[String]) -> Result<Vec<PackageEntry>>;
    /// Packages in `folder` and every folder below it, folder by folder.
    fn list_packages_recursive(&self, folder: &[String]) -> Result<Vec<PackageEntry>> {
        let mut out = self.list_packages(folder)?;
        for sub in self.list_folders(folder)? {
            let mut path = folder.to_vec();
            path.push(sub);
            out.extend(self.list_packages_recursive(&path)?);
        }
        Ok(out)
    }
    /// [`Self::list_packages`] or [`Self::list_packages_recursive`],
    /// serialized (what the service sends); backends with a warm index copy
    /// what it holds.
    fn list_packages_wire(&self, folder: &[String], recursive: bool) -> Result<WireEntries> {
        let entries = if recursive {
            self.list_packages_recursive(folder)?
        } else {
            self.list_packages(folder)?
        };
        let mut out = WireEntries::new();
        entries.iter().for_each(|e| out.push(e));
        Ok(out)
    }
    /// One package's entry; NotFound when it does not exist.
    fn package_info(&self, package: &[String]) -> Result<PackageEntry>;
    /// True when `folder` exists.
    fn folder_exists(&self, folder: &[String]) -> Result<bool>;
    /// True when `package` exists.
    fn package_exists(&self, package: &[String]) -> Result<bool>;
    /// Creates `folder`; its parent must exist. AlreadyExists when it does.
    fn create_folder(&self, folder: &[String]) -> Result<()>;
    /// Renames `folder` (not the top-level folder) to `new_name` in the same parent.
    fn rename_folder(&self, folder: &[String], new_name: &str) -> Result<()>;
    /// Deletes `folder` (not the top-level folder); NotEmpty when it holds
    /// folders or packages and `recursive` is false.
    fn delete_folder(&self, folder: &[String], recursive: bool) -> Result<()>;
    /// The package's bytes.
    fn read_package(&self, package: &[String]) -> Result<Vec<u8>>;
    /// Stores `data` as `package` atomically; an existing package is replaced
    /// only when `replace` is true (else AlreadyExists, data untouched).
    fn write_package(&self, package: &[String], data: &[u8], replace: bool) -> Result<()>;
    /// Deletes `package`.
    fn delete_package(&self, package: &[String]) -> Result<()>;
    /// The file that holds `package`, found by the same checked lookup as
    /// every other operation (no links, no traversal), for a runner to
    /// open; `None` for backends that do not keep packages in files.
    fn package_file(&self, package: &[String]) -> Result<Option<std::path::PathBuf>> {
        let _ = package;
        Ok(None)
    }
    /// Moves a package within this backend. The default copies then deletes.
    fn rename_package(&self, from: &[String], to: &[String], replace: bool) -> Result<()> {
        let data = self.read_package(from)?;
        self.write_package(to, &data, replace)?;
        self.delete_package(from)
    }
}

/// The display form of `segments` below the top-level folder `top`:
/// `\top\a\b`.
pub fn full_path(top: &str, segments: &[String]) -> String {
    let mut out =
        String::with_capacity(top.len() + 1 + segments.iter().map(|s| s.len() + 1).sum::<usize>());
    out.push('\\');
    out.push_str(top);
    for s in segments {
        out.push('\\');
        out.push_str(s);
    }
    out
}

/// NotFound for the folder at `path` (a full store path).
pub fn folder_not_found(path: &str) -> Error {
    Error::new(
        ErrorKind::NotFound,
        format!("folder '{path}' does not exist"),
    )
    .with_target(path)
}

/// NotFound for the package at `path` (a full store path).
pub fn package_not_found(path: &str) -> Error {
    Error::new(
        ErrorKind::NotFound,
        format!("package '{path}' does not exist"),
    )
    .with_target(path)
}

/// Splits a package path into its folder and its name; InvalidArgument when empty.
pub fn split_package<'a>(top: &str, package: &'a [String]) -> Result<(&'a [String], &'a str)> {
    match package.split_last() {
        Some((name, folder)) => Ok((folder, name)),
        None => Err(Error::invalid(format!(
            "'{}' is a top-level folder, not a package; a package path ends in the package name",
            full_path(top, &[])
        ))
        .with_target(full_path(top, &[]))),
    }
}

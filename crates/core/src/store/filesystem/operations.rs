//! The [`PackageStore`] operations of the File System store: listings,
//! lookups, and folder and package changes.

use super::errors::{already_exists, already_exists_as_file, dir_not_empty, top_level_fixed};
use super::files::{OpenDir, is_link_error, open_no_follow};
use super::fs_ops::{remove_stale_temp_files, rename_case, rename_dir_no_clobber, same_file};
use super::lookup::{Want, package_stem};
use super::{EXTENSION, FileSystemStore};
use crate::error::{Error, ErrorKind, Result};
use crate::store::backend::{PackageStore, package_not_found, split_package};
use crate::store::entries::PackageEntry;
use crate::store::path::{fold_case, validate_name};
use crate::store::wire::{WireEntries, json_escaped};
use std::fs;
use std::io;
use std::io::Read as _;
use std::path::PathBuf;

impl PackageStore for FileSystemStore {
    fn top_level_name(&self) -> &str {
        &self.name
    }

    fn list_folders(&self, folder: &[String]) -> Result<Vec<String>> {
        let dir = self.resolve_folder(folder)?;
        Ok(self.scan(&dir)?.folders)
    }

    fn list_packages(&self, folder: &[String]) -> Result<Vec<PackageEntry>> {
        let (dir, folder) = self.resolve_folder_named(folder)?;
        let folder_path = self.path_of(&folder);
        let mut head = Vec::new();
        Ok(self
            .scan(&dir)?
            .packages
            .iter()
            .map(|(name, file)| self.entry(&folder, &folder_path, name, file, &mut head))
            .collect())
    }

    /// Walks the folders first (directory listings only), then reads the
    /// package headers on up to `threads` threads.
    fn list_packages_recursive(&self, folder: &[String]) -> Result<Vec<PackageEntry>> {
        let folders = self.walk(folder)?;
        let parts = self.on_threads(&folders, |chunk| {
            let mut head = Vec::new();
            chunk
                .iter()
                .map(|&(i, name, file)| {
                    self.entry(&folders[i].0, &folders[i].1, name, file, &mut head)
                })
                .collect::<Vec<_>>()
        })?;
        Ok(parts.into_iter().flatten().collect())
    }

    /// As the listings above, serialized; entries of unchanged files are
    /// copied from the index.
    fn list_packages_wire(&self, folder: &[String], recursive: bool) -> Result<WireEntries> {
        let folders = if recursive {
            self.walk(folder)?
        } else {
            let (dir, folder) = self.resolve_folder_named(folder)?;
            let path = self.path_of(&folder);
            vec![(folder, path, self.scan(&dir)?.packages)]
        };
        let escaped: Vec<Vec<u8>> = folders.iter().map(|f| json_escaped(&f.1)).collect();
        let parts = self.on_threads(&folders, |chunk| {
            let (mut dirs, mut head, mut out) =
                (OpenDir::default(), Vec::new(), WireEntries::new());
            for &(i, name, file) in chunk {
                let (segments, path, _) = &folders[i];
                let folder = (segments.as_slice(), path.as_str(), escaped[i].as_slice());
                self.entry_wire(folder, (name, file), (&mut dirs, &mut head), &mut out);
            }
            out
        })?;
        let mut all = WireEntries::new();
        for part in parts {
            all.append(part);
        }
        Ok(all)
    }

    fn package_info(&self, package: &[String]) -> Result<PackageEntry> {
        let (folder, name) = split_package(&self.name, package)?;
        validate_name(name, "package name")?;
        let (dir, folder) = self.resolve_folder_named(folder)?;
        let file = self
            .find(&dir, name, Want::Package, package)?
            .ok_or_else(|| package_not_found(&self.path_of(package)))?;
        // Report names as stored on disk, which may differ in case.
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(package_stem)
            .unwrap_or(name)
            .to_string();
        Ok(self.entry(
            &folder,
            &self.path_of(&folder),
            &name,
            &file,
            &mut Vec::new(),
        ))
    }

    fn folder_exists(&self, folder: &[String]) -> Result<bool> {
        match self.resolve_folder(folder) {
            Ok(_) => Ok(true),
            Err(e) if e.kind == ErrorKind::NotFound && !folder.is_empty() => {
                // A missing root is a configuration problem worth reporting.
                self.root_dir()?;
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    fn package_exists(&self, package: &[String]) -> Result<bool> {
        match self.resolve_package(package) {
            Ok((_, file)) => Ok(file.is_some()),
            Err(e) if e.kind == ErrorKind::NotFound => {
                self.root_dir()?;
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    fn create_folder(&self, folder: &[String]) -> Result<()> {
        let (name, parent) = folder.split_last().ok_or_else(|| {
            Error::new(
                ErrorKind::AlreadyExists,
                format!(
                    "'{}' is a top-level folder; it always exists",
                    self.path_of(&[])
                ),
            )
        })?;
        validate_name(name, "folder name")?;
        let dir = self.resolve_folder(parent)?;
        let path = self.path_of(folder);
        if self.find(&dir, name, Want::Folder, folder)?.is_some() {
            return Err(already_exists("folder", &path));
        }
        let target = dir.join(name);
        fs::create_dir(&target).map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => already_exists_as_file(&path, &target),
            _ => Error::io(&e, "create the folder", &target),
        })
    }

    fn rename_folder(&self, folder: &[String], new_name: &str) -> Result<()> {
        let (_, parent) = folder
            .split_last()
            .ok_or_else(|| top_level_fixed(&self.name))?;
        validate_name(new_name, "new folder name")?;
        let source = self.resolve_folder(folder)?;
        let dir = self.resolve_folder(parent)?;
        let old_name = source
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if old_name == new_name {
            return Ok(());
        }
        let target = dir.join(new_name);
        let mut new_segments = parent.to_vec();
        new_segments.push(new_name.to_string());
        let new_path = self.path_of(&new_segments);
        if fold_case(&old_name) == fold_case(new_name) {
            // Only the case changes: the same folder, renamed in place.
            return rename_case(&source, &target)
                .map_err(|e| Error::io(&e, "rename the folder", &source));
        }
        if self
            .find(&dir, new_name, Want::Folder, &new_segments)?
            .is_some()
        {
            return Err(already_exists("folder", &new_path));
        }
        rename_dir_no_clobber(&source, &target).map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => already_exists_as_file(&new_path, &target),
            _ => Error::io(&e, "rename the folder", &source),
        })
    }

    fn delete_folder(&self, folder: &[String], recursive: bool) -> Result<()> {
        if folder.is_empty() {
            return Err(top_level_fixed(&self.name));
        }
        let dir = self.resolve_folder(folder)?;
        let path = self.path_of(folder);
        if recursive {
            // std's remove_dir_all removes links without following them.
            return fs::remove_dir_all(&dir).map_err(|e| Error::io(&e, "delete the folder", &dir));
        }
        let listing = self.scan(&dir)?;
        if !listing.folders.is_empty() || !listing.packages.is_empty() {
            return Err(Error::new(
                ErrorKind::NotEmpty,
                format!(
                    "folder '{path}' is not empty ({} folders, {} packages); \
                     ask for a recursive delete to remove it with its contents",
                    listing.folders.len(),
                    listing.packages.len()
                ),
            )
            .with_target(path));
        }
        remove_stale_temp_files(&dir);
        fs::remove_dir(&dir).map_err(|e| {
            if dir_not_empty(&e) {
                Error::new(
                    ErrorKind::NotEmpty,
                    format!(
                        "folder '{path}' holds files that are not packages; \
                         ask for a recursive delete to remove them too"
                    ),
                )
                .with_target(path.clone())
            } else {
                Error::io(&e, "delete the folder", &dir)
            }
        })
    }

    fn package_file(&self, package: &[String]) -> Result<Option<PathBuf>> {
        self.existing_package(package).map(Some)
    }

    fn read_package(&self, package: &[String]) -> Result<Vec<u8>> {
        let file = self.existing_package(package)?;
        let mut data = Vec::new();
        open_no_follow(&file)
            .and_then(|mut f| f.read_to_end(&mut data))
            .map_err(|e| {
                if is_link_error(&e) {
                    self.symlink_refused(package)
                } else {
                    Error::io(&e, "read", &file)
                }
            })?;
        Ok(data)
    }

    fn write_package(&self, package: &[String], data: &[u8], replace: bool) -> Result<()> {
        let (dir, existing) = self.resolve_package(package)?;
        let path = self.path_of(package);
        let name = &package[package.len() - 1];
        let target = match existing {
            Some(_) if !replace => return Err(already_exists("package", &path)),
            Some(file) => file,
            None => dir.join(format!("{name}{EXTENSION}")),
        };
        crate::fsutil::write_atomic_shared(&target, data, replace, self.file_mode.bits()).map_err(
            |e| {
                if e.kind == ErrorKind::AlreadyExists {
                    already_exists("package", &path)
                } else {
                    e
                }
            },
        )
    }

    fn delete_package(&self, package: &[String]) -> Result<()> {
        let file = self.existing_package(package)?;
        fs::remove_file(&file).map_err(|e| Error::io(&e, "delete", &file))
    }

    fn rename_package(&self, from: &[String], to: &[String], replace: bool) -> Result<()> {
        let source = self.existing_package(from)?;
        let (dir, existing) = self.resolve_package(to)?;
        let to_path = self.path_of(to);
        let name = &to[to.len() - 1];
        let target = dir.join(format!("{name}{EXTENSION}"));
        if let Some(existing) = existing {
            if existing == source || same_file(&existing, &source) {
                if existing.file_name() == target.file_name() {
                    return Err(Error::invalid(format!(
                        "'{}' and '{to_path}' are the same package",
                        self.path_of(from)
                    ))
                    .with_target(to_path));
                }
                // Only the case of the name changes.
                return rename_case(&source, &target).map_err(|e| Error::io(&e, "rename", &source));
            }
            if !replace {
                return Err(already_exists("package", &to_path));
            }
            return fs::rename(&source, &existing).map_err(|e| Error::io(&e, "move", &source));
        }
        if replace {
            return fs::rename(&source, &target).map_err(|e| Error::io(&e, "move", &source));
        }
        // No replace: a hard link is an atomic create-if-absent.
        match fs::hard_link(&source, &target) {
            Ok(()) => fs::remove_file(&source).map_err(|e| Error::io(&e, "delete", &source)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                Err(already_exists("package", &to_path))
            }
            Err(_) => {
                // No hard links here (e.g. FAT): copy atomically, then delete.
                let data = fs::read(&source).map_err(|e| Error::io(&e, "read", &source))?;
                self.write_package(to, &data, false)?;
                fs::remove_file(&source).map_err(|e| Error::io(&e, "delete", &source))
            }
        }
    }
}

//! Store operations on a [`Workspace`], with the result shapes every front
//! end returns. Paths arrive parsed ([`StorePath`]); files are local paths.

use super::{Items, PackageInfo, Workspace};
use crate::error::{Error, Result};
use crate::store::{ExistsResult, ExportResult, FolderEntry, ItemKind, PackageEntry, StorePath};
use std::path::Path;

impl Workspace {
    /// Top-level folders for the root, else the subfolders of `path`.
    pub fn list_folders(&self, path: &StorePath) -> Result<Items<FolderEntry>> {
        let folders = if path.is_root() {
            self.store.top_level_folders()
        } else {
            self.store.list_folders(path)?
        };
        Ok(folders.into())
    }

    /// Packages in `folder` (and below it with `recursive`).
    pub fn list_packages(
        &self,
        folder: &StorePath,
        recursive: bool,
    ) -> Result<Items<PackageEntry>> {
        Ok(self.store.list_packages(folder, recursive)?.into())
    }

    /// [`Self::list_packages`]' entries, serialized (the service's reply).
    pub fn list_packages_wire(
        &self,
        folder: &StorePath,
        recursive: bool,
    ) -> Result<crate::store::wire::WireEntries> {
        self.store.list_packages_wire(folder, recursive)
    }

    /// One package: its listing entry and, read in full, its contents summary.
    pub fn package_info(&self, path: &StorePath) -> Result<PackageInfo> {
        let entry = self.store.package_info(path)?;
        let details = self
            .store
            .read_package(path)
            .and_then(|bytes| crate::package::read_details_bytes(&bytes, &entry.path))
            .ok();
        Ok(PackageInfo { entry, details })
    }

    /// Creates the folder `path` (its parent must exist).
    pub fn folder_create(&self, path: &StorePath) -> Result<FolderEntry> {
        self.store.create_folder(path)
    }

    /// Renames the folder `path` to `new_name` in the same parent.
    pub fn folder_rename(&self, path: &StorePath, new_name: &str) -> Result<FolderEntry> {
        self.store.rename_folder(path, new_name)
    }

    /// Deletes the folder `path`; a non-empty folder only with `recursive`.
    pub fn folder_delete(&self, path: &StorePath, recursive: bool) -> Result<()> {
        self.store.delete_folder(path, recursive)
    }

    /// Imports `file` as `dest`; when `dest` names a folder, the package
    /// keeps the file's name.
    pub fn package_import(
        &self,
        file: &Path,
        dest: &StorePath,
        replace: bool,
    ) -> Result<PackageEntry> {
        let data = crate::package::read_package_file(file)?;
        let name = file.file_stem().and_then(|s| s.to_str());
        self.import_data(&data, &file.display().to_string(), name, dest, replace)
    }

    /// Imports a package's bytes as `dest`; when `dest` names a folder, the
    /// package takes `name` (the client's file name).
    pub fn package_import_bytes(
        &self,
        data: &[u8],
        name: Option<&str>,
        dest: &StorePath,
        replace: bool,
    ) -> Result<PackageEntry> {
        let origin = name.unwrap_or("the package sent");
        self.import_data(data, origin, name, dest, replace)
    }

    /// Imports `data` (`origin` names it in errors) as `dest`, or as `name`
    /// in `dest` when `dest` is a folder.
    fn import_data(
        &self,
        data: &[u8],
        origin: &str,
        name: Option<&str>,
        dest: &StorePath,
        replace: bool,
    ) -> Result<PackageEntry> {
        let mut dest = dest.clone();
        if self.store.exists(&dest)?.kind == ItemKind::Folder {
            let name = name.filter(|n| !n.trim().is_empty()).ok_or_else(|| {
                Error::invalid(format!(
                    "'{dest}' is a folder: name the package (Name) or give its full store path"
                ))
                .with_target("Name")
            })?;
            dest = dest.join(name)?;
        }
        self.store.import_bytes(data, origin, &dest, replace)
    }

    /// The package `path`'s bytes, for a client to write itself.
    pub fn package_read(&self, path: &StorePath) -> Result<Vec<u8>> {
        self.store.read_package(path)
    }

    /// Exports the package `path` to the file `file`.
    pub fn package_export(
        &self,
        path: &StorePath,
        file: &Path,
        replace: bool,
    ) -> Result<ExportResult> {
        self.store.export(path, file, replace)
    }

    /// Copies a package to another store path.
    pub fn package_copy(
        &self,
        source: &StorePath,
        dest: &StorePath,
        replace: bool,
    ) -> Result<PackageEntry> {
        self.store.copy_package(source, dest, replace)
    }

    /// Moves a package to another store path.
    pub fn package_move(
        &self,
        source: &StorePath,
        dest: &StorePath,
        replace: bool,
    ) -> Result<PackageEntry> {
        self.store.move_package(source, dest, replace)
    }

    /// Deletes a package.
    pub fn package_delete(&self, path: &StorePath) -> Result<()> {
        self.store.delete_package(path)
    }

    /// Whether `path` names a folder, a package or nothing.
    pub fn exists(&self, path: &StorePath) -> Result<ExistsResult> {
        self.store.exists(path)
    }
}

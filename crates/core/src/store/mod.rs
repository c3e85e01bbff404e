//! The package store: top-level folders from the configuration, each served by
//! a backend ([`PackageStore`]): File System folders now, msdb later.
//!
//! [`Store`] works on full store paths (`\File System\Sales\Daily Load`) and
//! covers dtutil's `/COPY /MOVE /DELETE /EXISTS /FCREATE /FDELETE /FRENAME
//! /FEXISTS /FDIRECTORY`; it dispatches to the backend of the path's
//! top-level folder with the segments below it.

mod backend;
mod entries;
mod filesystem;
pub mod index;
pub mod msdb;
mod path;
mod sqlserver;
pub mod wire;

pub use backend::{PackageStore, full_path};
pub use entries::{ExistsResult, ExportResult, FolderEntry, ItemKind, PackageEntry};
pub use filesystem::FileSystemStore;
pub use path::{
    INVALID_CHARS, MAX_NAME_BYTES, StorePath, TEMP_PREFIX, fold_case, names_equal, validate_name,
};
pub use sqlserver::SqlServerStore;

use crate::config::{FileMode, ServiceConfig, TopLevelFolder};
use crate::error::{Error, ErrorKind, Result};
use std::path::{Path, PathBuf};

/// Folder type of folders below the top level in [`FolderEntry::folder_type`].
pub const SUBFOLDER_TYPE: &str = "Folder";

/// One top-level folder and its backend.
struct TopLevel {
    folder: TopLevelFolder,
    backend: Box<dyn PackageStore>,
}

/// The whole store, as the configuration describes it.
pub struct Store {
    folders: Vec<TopLevel>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.folders.iter().map(|t| &t.folder))
            .finish()
    }
}

impl Store {
    /// Opens every top-level folder of `config`: File System folders at
    /// their resolved directories, SQL Server folders on their server's msdb
    /// (connections are opened on first use).
    pub fn open(config: &ServiceConfig) -> Result<Store> {
        Store::open_indexed(config, None)
    }

    /// As [`Store::open`]; File System folders list through their directory's
    /// index in `indexes` (the service's warm index).
    pub fn open_indexed(config: &ServiceConfig, indexes: Option<&index::Indexes>) -> Result<Store> {
        let backends = config
            .top_level_folders
            .iter()
            .map(|folder| {
                let backend: Box<dyn PackageStore> = match folder {
                    TopLevelFolder::FileSystemFolder(f) => {
                        let root = config.resolve_store_path(f);
                        let mode = config.extensions.store_file_mode;
                        let store = FileSystemStore::new(f.name.clone(), root.clone())
                            .with_file_mode(mode.unwrap_or(FileMode::STORE_DEFAULT));
                        Box::new(match indexes {
                            Some(i) => store.with_index(i.for_root(&root)),
                            None => store,
                        })
                    }
                    TopLevelFolder::SqlServerFolder(f) => Box::new(SqlServerStore::configured(
                        f.name.clone(),
                        f.server_name.clone(),
                        config.path.as_deref(),
                        msdb::ConnectOptions::from_extensions(&config.extensions),
                    )),
                };
                (folder.clone(), backend)
            })
            .collect();
        Store::from_backends(backends)
    }

    /// A store of explicit top-level folders and their backends. Names must
    /// be valid, unique (case-insensitively) and match the backend's name.
    pub fn from_backends(backends: Vec<(TopLevelFolder, Box<dyn PackageStore>)>) -> Result<Store> {
        let mut folders: Vec<TopLevel> = Vec::with_capacity(backends.len());
        for (folder, backend) in backends {
            let name = folder.name();
            validate_name(name, "top-level folder name")?;
            if !names_equal(name, backend.top_level_name()) {
                return Err(Error::internal(format!(
                    "top-level folder '{name}' was given the backend of '{}'",
                    backend.top_level_name()
                )));
            }
            if folders.iter().any(|t| names_equal(t.folder.name(), name)) {
                return Err(Error::new(
                    ErrorKind::Configuration,
                    format!("top-level folder '{name}' is defined twice (names ignore case)"),
                )
                .with_target(name));
            }
            folders.push(TopLevel { folder, backend });
        }
        Ok(Store { folders })
    }

    /// The top-level folders, in configuration order.
    pub fn top_level_folders(&self) -> Vec<FolderEntry> {
        self.folders
            .iter()
            .map(|t| FolderEntry {
                name: t.folder.name().to_string(),
                path: full_path(t.folder.name(), &[]),
                folder_type: t.folder.type_name().to_string(),
            })
            .collect()
    }

    /// The top-level folder of `path`; InvalidArgument for the root,
    /// NotFound for an unknown name.
    fn top(&self, path: &StorePath) -> Result<&TopLevel> {
        let Some(name) = path.top_level() else {
            return Err(Error::invalid(
                "the store root '\\' holds only top-level folders; name one, e.g. '\\File System'",
            )
            .with_target("\\"));
        };
        self.folders
            .iter()
            .find(|t| names_equal(t.folder.name(), name))
            .ok_or_else(|| {
                let known: Vec<String> = self
                    .folders
                    .iter()
                    .map(|t| format!("'{}'", t.folder.name()))
                    .collect();
                Error::not_found(format!(
                    "top-level folder '{name}' does not exist; the store has {}",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ))
                .with_target(path.to_string())
            })
    }

    /// A package path's top-level folder; InvalidArgument when `path` is
    /// the root or a top-level folder.
    fn package_top(&self, path: &StorePath) -> Result<&TopLevel> {
        let top = self.top(path)?;
        if path.below_top().is_empty() {
            return Err(Error::invalid(format!(
                "'{path}' is a top-level folder, not a package; a package path is \
                 '\\<top-level folder>\\[folders\\]<package name>'"
            ))
            .with_target(path.to_string()));
        }
        Ok(top)
    }

    /// A folder path's top-level folder, refusing the root and top-level
    /// folders (which come from the configuration) for `action`.
    fn subfolder_top(&self, path: &StorePath, action: &str) -> Result<&TopLevel> {
        let top = self.top(path)?;
        if path.below_top().is_empty() {
            return Err(Error::invalid(format!(
                "cannot {action} '{path}': top-level folders come from the service \
                 configuration; change the configuration instead"
            ))
            .with_target(path.to_string()));
        }
        Ok(top)
    }

    /// Subfolders of `path` (dtutil `/FDIRECTORY`); at the root, the top-level folders.
    pub fn list_folders(&self, path: &StorePath) -> Result<Vec<FolderEntry>> {
        if path.is_root() {
            return Ok(self.top_level_folders());
        }
        let top = self.top(path)?;
        let names = top.backend.list_folders(path.below_top())?;
        names
            .into_iter()
            .map(|name| {
                let child = path.join(&name)?;
                Ok(FolderEntry {
                    name,
                    path: child.to_string(),
                    folder_type: SUBFOLDER_TYPE.to_string(),
                })
            })
            .collect()
    }

    /// Packages in the folder `path`, with metadata; with `recursive`, also
    /// those in every folder below. From the root, a recursive listing covers
    /// every top-level folder; one that cannot be listed (a SQL Server folder
    /// whose server does not answer or with no login configured, a directory
    /// that cannot be read) does not hide the others: it is reported by an
    /// entry of its own ([`PackageEntry::unavailable_folder`]) with its error.
    pub fn list_packages(&self, path: &StorePath, recursive: bool) -> Result<Vec<PackageEntry>> {
        if path.is_root() {
            if !recursive {
                return Ok(Vec::new());
            }
            let mut out = Vec::new();
            for t in &self.folders {
                match t.backend.list_packages_recursive(&[]) {
                    Ok(entries) => out.extend(entries),
                    Err(e) => out.push(PackageEntry::unavailable_folder(t.folder.name(), e)),
                }
            }
            return Ok(out);
        }
        let top = self.top(path)?;
        if recursive {
            top.backend.list_packages_recursive(path.below_top())
        } else {
            top.backend.list_packages(path.below_top())
        }
    }

    /// [`Store::list_packages`], serialized entry by entry (what the service
    /// sends; File System folders copy what their warm index holds).
    pub fn list_packages_wire(
        &self,
        path: &StorePath,
        recursive: bool,
    ) -> Result<wire::WireEntries> {
        if path.is_root() {
            let mut out = wire::WireEntries::new();
            if !recursive {
                return Ok(out);
            }
            for t in &self.folders {
                match t.backend.list_packages_wire(&[], true) {
                    Ok(entries) => out.append(entries),
                    Err(e) => out.push(&PackageEntry::unavailable_folder(t.folder.name(), e)),
                }
            }
            return Ok(out);
        }
        self.top(path)?
            .backend
            .list_packages_wire(path.below_top(), recursive)
    }

    /// One package's entry (size, modification time, metadata).
    pub fn package_info(&self, path: &StorePath) -> Result<PackageEntry> {
        self.package_top(path)?
            .backend
            .package_info(path.below_top())
    }

    /// Creates the folder `path` (dtutil `/FCREATE`); its parent must exist.
    pub fn create_folder(&self, path: &StorePath) -> Result<FolderEntry> {
        let top = self.top(path)?;
        if path.below_top().is_empty() {
            return Err(Error::new(
                ErrorKind::AlreadyExists,
                format!(
                    "'{path}' is a top-level folder; top-level folders come from the \
                     service configuration"
                ),
            )
            .with_target(path.to_string()));
        }
        top.backend.create_folder(path.below_top())?;
        Ok(subfolder_entry(path))
    }

    /// Renames the folder `path` to `new_name` in the same parent (dtutil `/FRENAME`).
    pub fn rename_folder(&self, path: &StorePath, new_name: &str) -> Result<FolderEntry> {
        let top = self.subfolder_top(path, "rename")?;
        validate_name(new_name, "new folder name")?;
        top.backend.rename_folder(path.below_top(), new_name)?;
        let parent = path.parent().unwrap_or_default();
        Ok(subfolder_entry(&parent.join(new_name)?))
    }

    /// Deletes the folder `path` (dtutil `/FDELETE`); a folder holding
    /// folders or packages only when `recursive`.
    pub fn delete_folder(&self, path: &StorePath, recursive: bool) -> Result<()> {
        self.subfolder_top(path, "delete")?
            .backend
            .delete_folder(path.below_top(), recursive)
    }

    /// Imports the package file `file` as `dest` (a full store path ending in
    /// the package name). The file must parse as a package; an existing
    /// package is replaced only when `replace` is true.
    pub fn import(&self, file: &Path, dest: &StorePath, replace: bool) -> Result<PackageEntry> {
        let data = crate::package::read_package_file(file)?;
        self.import_bytes(&data, &file.display().to_string(), dest, replace)
    }

    /// Imports a package's bytes (`origin` names them in errors) as `dest`.
    pub fn import_bytes(
        &self,
        data: &[u8],
        origin: &str,
        dest: &StorePath,
        replace: bool,
    ) -> Result<PackageEntry> {
        let top = self.package_top(dest)?;
        crate::package::read_metadata_bytes(data, origin)?;
        top.backend.write_package(dest.below_top(), data, replace)?;
        top.backend.package_info(dest.below_top())
    }

    /// The bytes of the package `path`, as stored.
    /// The file holding the package `path` (File System folders), found by
    /// the store's own checked lookup; `None` for msdb packages.
    pub fn package_file(&self, path: &StorePath) -> Result<Option<PathBuf>> {
        self.package_top(path)?
            .backend
            .package_file(path.below_top())
    }

    pub fn read_package(&self, path: &StorePath) -> Result<Vec<u8>> {
        self.package_top(path)?
            .backend
            .read_package(path.below_top())
    }

    /// Writes the package `path` to the file `file` (atomically; an existing
    /// file is replaced only when `replace` is true).
    pub fn export(&self, path: &StorePath, file: &Path, replace: bool) -> Result<ExportResult> {
        let data = self
            .package_top(path)?
            .backend
            .read_package(path.below_top())?;
        crate::fsutil::write_atomic(file, &data, replace)?;
        Ok(ExportResult {
            path: path.to_string(),
            file: file.display().to_string(),
            size: data.len() as u64,
            content: None,
        })
    }

    /// Copies the package `src` to `dst` (dtutil `/COPY`), possibly across
    /// top-level folders; an existing `dst` is replaced only when `replace`.
    pub fn copy_package(
        &self,
        src: &StorePath,
        dst: &StorePath,
        replace: bool,
    ) -> Result<PackageEntry> {
        let from = self.package_top(src)?;
        let to = self.package_top(dst)?;
        if src == dst {
            return Err(same_package(src, dst));
        }
        let data = from.backend.read_package(src.below_top())?;
        to.backend.write_package(dst.below_top(), &data, replace)?;
        to.backend.package_info(dst.below_top())
    }

    /// Moves the package `src` to `dst` (dtutil `/MOVE`): a rename within a
    /// top-level folder, else copy then delete.
    pub fn move_package(
        &self,
        src: &StorePath,
        dst: &StorePath,
        replace: bool,
    ) -> Result<PackageEntry> {
        let from = self.package_top(src)?;
        let to = self.package_top(dst)?;
        if std::ptr::eq(from, to) {
            if src.segments() == dst.segments() {
                return Err(same_package(src, dst));
            }
            from.backend
                .rename_package(src.below_top(), dst.below_top(), replace)?;
        } else {
            let data = from.backend.read_package(src.below_top())?;
            to.backend.write_package(dst.below_top(), &data, replace)?;
            from.backend.delete_package(src.below_top()).map_err(|e| {
                Error::new(
                    e.kind,
                    format!(
                        "package '{src}' was copied to '{dst}' but could not be deleted: {}",
                        e.message
                    ),
                )
                .with_target(src.to_string())
            })?;
        }
        to.backend.package_info(dst.below_top())
    }

    /// Deletes the package `path` (dtutil `/DELETE`).
    pub fn delete_package(&self, path: &StorePath) -> Result<()> {
        self.package_top(path)?
            .backend
            .delete_package(path.below_top())
    }

    /// What `path` names (dtutil `/EXISTS`, `/FEXISTS`). An unknown
    /// top-level folder is not an error: nothing exists there.
    pub fn exists(&self, path: &StorePath) -> Result<ExistsResult> {
        let mut result = ExistsResult {
            path: path.to_string(),
            kind: ItemKind::None,
            folder: false,
            package: false,
        };
        if path.is_root() {
            result.folder = true;
        } else if let Ok(top) = self.top(path) {
            let below = path.below_top();
            if below.is_empty() {
                result.folder = true;
            } else {
                result.folder = top.backend.folder_exists(below)?;
                result.package = top.backend.package_exists(below)?;
            }
        }
        result.kind = if result.package {
            ItemKind::Package
        } else if result.folder {
            ItemKind::Folder
        } else {
            ItemKind::None
        };
        Ok(result)
    }
}

fn subfolder_entry(path: &StorePath) -> FolderEntry {
    FolderEntry {
        name: path.name().unwrap_or_default().to_string(),
        path: path.to_string(),
        folder_type: SUBFOLDER_TYPE.to_string(),
    }
}

fn same_package(src: &StorePath, dst: &StorePath) -> Error {
    Error::invalid(format!("'{src}' and '{dst}' are the same package")).with_target(dst.to_string())
}

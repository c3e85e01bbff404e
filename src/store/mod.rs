//! The package store: top-level folders from the configuration, each served by
//! a backend ([`PackageStore`]): File System folders now, msdb later.

mod path;

pub use path::{StorePath, validate_name};

use crate::config::ServiceConfig;
use crate::error::{Error, Result};
use crate::package::PackageMetadata;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// A folder as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FolderEntry {
    /// The folder's own name.
    pub name: String,
    /// Full store path, e.g. `\File System\Sales`.
    pub path: String,
    /// `FileSystemFolder`, `SqlServerFolder` for top-level folders, `Folder` below them.
    pub folder_type: String,
}

/// A package as listed: its store path and metadata, or the error that kept
/// the metadata from being read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PackageEntry {
    /// Package name (file name without `.dtsx`).
    pub name: String,
    /// Full store path, e.g. `\File System\Sales\Daily Load`.
    pub path: String,
    /// Store path of the folder holding it.
    pub folder: String,
    /// Size in bytes.
    pub size: u64,
    /// Last modification, RFC 3339 UTC, when the store knows it.
    pub modified: Option<String>,
    /// The package's identity, when readable.
    pub metadata: Option<PackageMetadata>,
    /// Why the metadata could not be read.
    pub error: Option<Error>,
}

/// One top-level folder's storage. Paths are the segments below the top-level folder.
pub trait PackageStore: Send + Sync {
    /// Names of the subfolders of `folder`.
    fn list_folders(&self, folder: &[String]) -> Result<Vec<String>>;
    /// Packages directly in `folder`.
    fn list_packages(&self, folder: &[String]) -> Result<Vec<PackageEntry>>;
}

/// The whole store, as the configuration describes it.
pub struct Store {
    _private: (),
}

impl Store {
    /// Opens every top-level folder of `config`.
    pub fn open(config: &ServiceConfig) -> Result<Store> {
        let _ = config;
        todo!("store helper")
    }

    /// Imports the package file `file` as `dest` (a full store path ending in the package name).
    pub fn import(&self, file: &Path, dest: &StorePath, replace: bool) -> Result<PackageEntry> {
        let _ = (file, dest, replace);
        todo!("store helper")
    }
}

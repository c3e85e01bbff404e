//! The service configuration file, `MsDtsSrvr.ini.xml`.
//!
//! Read and written faithfully: elements and attributes this product does not
//! know survive a read/write round trip. See docs/CONFIG.md.

use crate::error::Result;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The service configuration: Microsoft's settings plus this product's extensions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServiceConfig {
    /// Stop running packages when the service stops.
    pub stop_executing_packages_on_shutdown: bool,
    /// The top-level folders of the package store, in file order.
    pub top_level_folders: Vec<TopLevelFolder>,
    /// Settings this product adds (ignored by Microsoft's reader).
    #[serde(default)]
    pub extensions: Extensions,
    /// The file this configuration was read from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
}

/// A top-level folder of the package store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "Type")]
pub enum TopLevelFolder {
    /// Packages in a SQL Server's msdb database.
    SqlServerFolder(SqlServerFolder),
    /// Packages as `.dtsx` files under a directory.
    FileSystemFolder(FileSystemFolder),
}

/// `<Folder xsi:type="SqlServerFolder">`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SqlServerFolder {
    /// Display name of the folder.
    pub name: String,
    /// `.`, `(local)`, `host`, `host\instance` or `host,port`.
    pub server_name: String,
}

/// `<Folder xsi:type="FileSystemFolder">`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FileSystemFolder {
    /// Display name of the folder.
    pub name: String,
    /// Directory as written in the file; relative paths resolve against the
    /// configuration file's folder.
    pub store_path: String,
}

/// Settings this product adds to the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Extensions {
    /// Where execution history, output logs and the event log live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_directory: Option<String>,
    /// The package executor: the built-in runner when empty, else a dtexec path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executor: Option<String>,
}

impl TopLevelFolder {
    /// The folder's name.
    pub fn name(&self) -> &str {
        match self {
            TopLevelFolder::SqlServerFolder(f) => &f.name,
            TopLevelFolder::FileSystemFolder(f) => &f.name,
        }
    }

    /// `"SqlServerFolder"` or `"FileSystemFolder"`, as `xsi:type` spells it.
    pub fn type_name(&self) -> &'static str {
        match self {
            TopLevelFolder::SqlServerFolder(_) => "SqlServerFolder",
            TopLevelFolder::FileSystemFolder(_) => "FileSystemFolder",
        }
    }
}

impl ServiceConfig {
    /// Reads and validates the configuration file at `path`.
    pub fn load(path: &Path) -> Result<ServiceConfig> {
        let _ = path;
        todo!("config helper")
    }

    /// The folder relative store paths resolve against.
    pub fn base_dir(&self) -> PathBuf {
        todo!("config helper")
    }

    /// The directory of a File System folder, resolved against [`Self::base_dir`].
    pub fn resolve_store_path(&self, folder: &FileSystemFolder) -> PathBuf {
        let _ = folder;
        todo!("config helper")
    }
}

impl ServiceConfig {
    /// Parses and validates the JSON form.
    pub fn from_json(json: &str) -> Result<ServiceConfig> {
        let _ = json;
        todo!("config helper")
    }

    /// Writes to `path` atomically; if a file exists there, its unknown
    /// elements are kept.
    pub fn save_over_existing(&self, path: &Path) -> Result<()> {
        let _ = path;
        todo!("config helper")
    }
}

/// Loads `explicit`, else `$SSIS_SERVICE_CONFIG`, else the platform default
/// file, else the documented default configuration.
pub fn load_or_default(explicit: Option<&Path>) -> Result<ServiceConfig> {
    let _ = explicit;
    todo!("config helper")
}

/// Where the configuration file is, and why there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfigLocation {
    /// The file.
    pub path: PathBuf,
    /// `Explicit`, `Environment` or `Default`.
    pub source: String,
}

/// `--config`, else `$SSIS_SERVICE_CONFIG`, else the platform default.
pub fn locate(explicit: Option<&Path>) -> ConfigLocation {
    let _ = explicit;
    todo!("config helper")
}

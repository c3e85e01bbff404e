//! What store operations return: serde-serializable, PascalCase.

use crate::error::Error;
use crate::package::PackageMetadata;
use serde::{Deserialize, Serialize};

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
    /// Why the metadata could not be read; for a folder entry, why the
    /// folder could not be listed.
    pub error: Option<Error>,
    /// Not a package: a top-level folder that could not be listed (a server
    /// that does not answer, no login configured) in a listing over several
    /// top-level folders; `error` says why. Absent (false) for packages.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub folder_unavailable: bool,
}

impl PackageEntry {
    /// The entry reporting that the top-level folder `name` could not be listed.
    pub fn unavailable_folder(name: &str, error: Error) -> PackageEntry {
        PackageEntry {
            name: name.to_string(),
            path: format!("\\{name}"),
            folder: "\\".to_string(),
            size: 0,
            modified: None,
            metadata: None,
            error: Some(error),
            folder_unavailable: true,
        }
    }
}

/// What a store path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemKind {
    /// Nothing: neither a folder nor a package.
    None,
    /// A folder (the root, a top-level folder or a subfolder).
    Folder,
    /// A package.
    Package,
}

/// The answer of [`crate::store::Store::exists`] (dtutil `/EXISTS`, `/FEXISTS`).
/// A folder and a package may share a name; then both flags are true and
/// `Kind` is `Package`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExistsResult {
    /// The store path asked about.
    pub path: String,
    /// What it names (a package wins over a folder of the same name).
    pub kind: ItemKind,
    /// A folder exists at the path.
    pub folder: bool,
    /// A package exists at the path.
    pub package: bool,
}

/// The answer of [`crate::store::Store::export`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExportResult {
    /// The package's store path.
    pub path: String,
    /// The file written.
    pub file: String,
    /// Bytes written.
    pub size: u64,
    /// The package's bytes, base64, when the service returns them for the
    /// client to write (protocol `PackageExport` without `File`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}

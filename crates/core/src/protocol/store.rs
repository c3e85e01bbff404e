//! Store and configuration methods: parameters of the methods that mirror
//! [`crate::client::Session`]'s store operations. Results are the session's
//! result types (`Items<FolderEntry>`, `PackageEntry`, ...).

use serde::{Deserialize, Serialize};

/// `ListFolders`: top-level folders, or the subfolders of `Path`.
pub const LIST_FOLDERS: &str = "ListFolders";
/// `ListPackages`: packages in a folder.
pub const LIST_PACKAGES: &str = "ListPackages";
/// `PackageInfo`: one package in detail.
pub const PACKAGE_INFO: &str = "PackageInfo";
/// `FolderCreate`.
pub const FOLDER_CREATE: &str = "FolderCreate";
/// `FolderRename`.
pub const FOLDER_RENAME: &str = "FolderRename";
/// `FolderDelete`.
pub const FOLDER_DELETE: &str = "FolderDelete";
/// `PackageImport`: a file readable by the service becomes a stored package.
pub const PACKAGE_IMPORT: &str = "PackageImport";
/// `PackageExport`: a stored package is written to a file by the service.
pub const PACKAGE_EXPORT: &str = "PackageExport";
/// `PackageCopy`.
pub const PACKAGE_COPY: &str = "PackageCopy";
/// `PackageMove`.
pub const PACKAGE_MOVE: &str = "PackageMove";
/// `PackageDelete`.
pub const PACKAGE_DELETE: &str = "PackageDelete";
/// `Exists`: what a store path names.
pub const EXISTS: &str = "Exists";
/// `GetConfig`: the configuration in force.
pub const GET_CONFIG: &str = "GetConfig";
/// `SetConfig`: validate, write and apply a configuration (JSON form).
pub const SET_CONFIG: &str = "SetConfig";

/// Parameters naming one store path.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct PathParams {
    /// Store path, e.g. `\File System\Sales`.
    pub path: String,
}

/// `ListFolders` parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ListFoldersParams {
    /// Folder to list below; absent, empty or `\` for the top level.
    #[serde(default)]
    pub path: Option<String>,
}

/// `ListPackages` parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ListPackagesParams {
    /// Folder store path; empty for every top-level folder.
    #[serde(default)]
    pub folder: String,
    /// Include subfolders.
    #[serde(default)]
    pub recursive: bool,
    /// Answer in several response lines of at most this many bytes each
    /// (the last without `More`), so any listing fits the client's message
    /// limit; absent: one response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk_bytes: Option<u64>,
}

/// `FolderRename` parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct FolderRenameParams {
    /// The folder.
    pub path: String,
    /// Its new name.
    pub new_name: String,
}

/// `FolderDelete` parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct FolderDeleteParams {
    /// The folder.
    pub path: String,
    /// Also delete its contents.
    #[serde(default)]
    pub recursive: bool,
}

/// `PackageImport` parameters: the package's bytes (`Content`, what clients
/// send), or — for root and the service account only — a file the service
/// reads (`File`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ImportParams {
    /// A `.dtsx` file the service reads itself (superusers only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub file: String,
    /// The package's bytes, base64 (at most [`super::MAX_PACKAGE_SIZE`] bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// The name the package takes when `Dest` is a folder (the client's file
    /// name without `.dtsx`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Destination store path.
    pub dest: String,
    /// Replace an existing package.
    #[serde(default)]
    pub replace: bool,
}

/// `PackageExport` parameters. Without `File` the result carries the
/// package's bytes (`Content`), which the client writes with its own rights;
/// with `File` (superusers only) the service writes that file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ExportParams {
    /// The stored package.
    pub path: String,
    /// A destination file the service writes itself (superusers only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub file: String,
    /// Replace an existing file.
    #[serde(default)]
    pub replace: bool,
}

/// `PackageCopy` / `PackageMove` parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct TransferParams {
    /// Source store path.
    pub source: String,
    /// Destination store path.
    pub dest: String,
    /// Replace an existing package.
    #[serde(default)]
    pub replace: bool,
}

/// `PatchConfig` parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct PatchConfigParams {
    /// A JSON merge patch (RFC 7396) over the configuration's JSON form.
    pub patch: serde_json::Value,
}

/// `SetConfig` parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct SetConfigParams {
    /// The configuration in its JSON form.
    pub config: serde_json::Value,
}

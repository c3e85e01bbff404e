//! Result shapes of session operations, as serialized to JSON.

use crate::error::Error;
use crate::package::PackageDetails;
use crate::store::PackageEntry;
use serde::{Deserialize, Serialize};

/// A list result: `{"Items": [...]}` (an object, so paging can be added).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Items<T> {
    /// The listed objects.
    pub items: Vec<T>,
}

impl<T> From<Vec<T>> for Items<T> {
    fn from(items: Vec<T>) -> Items<T> {
        Items { items }
    }
}

/// `package info`: the listing entry plus the full-read summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PackageInfo {
    /// As listed.
    #[serde(flatten)]
    pub entry: PackageEntry,
    /// Executables, connection managers, variables, parameters; absent when
    /// the package could not be read in full (see `Error`).
    pub details: Option<PackageDetails>,
}

/// `config validate`: whether the configuration is valid, and every error found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ValidationReport {
    /// True when no error was found.
    pub valid: bool,
    /// The errors, each naming its file, line and column where it has them.
    pub errors: Vec<Error>,
    /// What is allowed but probably wrong (a File System folder whose
    /// `StorePath` does not exist here), one sentence each.
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// What a session is connected to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServerInfo {
    /// The server name as given to connect (empty for the default).
    pub server: String,
    /// `Embedded` (in-process) for now; `Local`/`Remote` with the service.
    pub mode: String,
    /// The configuration file in use, if any.
    pub config_path: Option<String>,
    /// Product version.
    pub version: String,
}

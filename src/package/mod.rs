//! Reading SSIS packages (`.dtsx`): identity metadata and a detailed summary.
//!
//! - [`read_metadata`] / [`read_metadata_bytes`]: the identity (name, id,
//!   version, format, protection level), read with a streaming reader that
//!   stops as soon as it has it. This is what a store listing calls for every
//!   package, so it is kept cheap.
//! - [`read_details`] / [`read_details_bytes`]: a full read adding the
//!   executables, connection managers, variables and parameters.
//!
//! Both understand the SSIS 2005/2008 layout (format 2, 3: values in
//! `<DTS:Property>` children) and the SSIS 2012+ layout (format 6, 8: values
//! in attributes). A package encrypted whole (`EncryptAll*`) reads as a
//! result with [`PackageMetadata::encrypted`] set and whatever identity is
//! readable in the clear. Anything else that is not a package gives an
//! [`ErrorKind::Package`](crate::ErrorKind::Package) error naming the file
//! (and the line and column for XML errors).

mod details;
mod metadata;
mod protection;
mod synthetic;
mod xml;

pub use details::{
    ConnectionManagerInfo, ExecutableInfo, PackageDetails, ParameterInfo, PrecedenceConstraintInfo,
    VariableInfo, read_details, read_details_bytes, variable_type_name,
};
pub use protection::{ProtectionLevel, protection_level_name};
#[doc(hidden)]
pub use synthetic::synthetic_package_xml;
pub use xml::DTS_NAMESPACE;

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::io::BufReader;
use std::path::Path;
use xml::{Failure, Origin};

/// A package's identity, read from the head of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PackageMetadata {
    /// `ObjectName`.
    pub object_name: String,
    /// `DTSID`, e.g. `{ACAA6774-...}`.
    pub id: String,
    /// `Description`.
    pub description: String,
    /// `CreationDate` as written in the file.
    pub creation_date: Option<String>,
    /// `CreatorName`.
    pub creator_name: String,
    /// `CreatorComputerName`.
    pub creator_computer_name: String,
    /// `VersionMajor`.
    pub version_major: i32,
    /// `VersionMinor`.
    pub version_minor: i32,
    /// `VersionBuild`.
    pub version_build: i32,
    /// `VersionGUID`.
    pub version_guid: String,
    /// `VersionComments`.
    pub version_comments: String,
    /// `PackageFormatVersion`: 2 (2005), 3 (2008), 6 (2012), 8 (2014+);
    /// 0 when the file does not say.
    pub package_format_version: i32,
    /// `ProtectionLevel` number (0..=5).
    pub protection_level: i32,
    /// `ProtectionLevel` name, e.g. `EncryptSensitiveWithUserKey`.
    pub protection_level_name: String,
    /// `PackageType`.
    pub package_type: i32,
    /// The whole package is encrypted (`EncryptAll*`): only the identity is readable.
    pub encrypted: bool,
}

impl PackageMetadata {
    /// The version as SSIS shows it: `major.minor.build`.
    pub fn version(&self) -> String {
        format!(
            "{}.{}.{}",
            self.version_major, self.version_minor, self.version_build
        )
    }

    /// The protection level, when it is one of the six known ones.
    pub fn protection(&self) -> Option<ProtectionLevel> {
        ProtectionLevel::from_number(self.protection_level)
    }

    /// The SQL Server release that writes this format, e.g. `SQL Server 2008`.
    pub fn format_release(&self) -> &'static str {
        match self.package_format_version {
            2 => "SQL Server 2005",
            3 => "SQL Server 2008",
            6 => "SQL Server 2012",
            8 => "SQL Server 2014 or later",
            _ => "unknown",
        }
    }
}

/// Reads a package's identity from a `.dtsx` file, stopping as soon as it has it.
///
/// For the SSIS 2012+ layout only the first kilobyte or two is read, so a
/// file damaged after that point still lists; [`read_details`] reads it all.
pub fn read_metadata(path: &Path) -> Result<PackageMetadata> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(&e, "open package", path))?;
    let reader = BufReader::with_capacity(xml::READ_BUFFER, file);
    metadata::read_identity(reader)
        .map_err(|f| f.into_error(Origin::File(path), |n| xml::file_prefix(path, n)))
}

/// Reads a package's identity from bytes (an msdb row, an upload); `origin`
/// names the source in errors.
pub fn read_metadata_bytes(bytes: &[u8], origin: &str) -> Result<PackageMetadata> {
    metadata::read_identity(bytes).map_err(|f| bytes_error(f, bytes, origin))
}

/// Ties a failure on in-memory bytes to its origin.
fn bytes_error(f: Failure, bytes: &[u8], origin: &str) -> Error {
    f.into_error(Origin::Named(origin), |n| {
        let end = usize::try_from(n).unwrap_or(usize::MAX).min(bytes.len());
        Some(bytes[..end].to_vec())
    })
}

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
mod source;
mod synthetic;
mod xml;

pub use details::{
    ConnectionManagerInfo, ExecutableInfo, PackageDetails, ParameterInfo, PrecedenceConstraintInfo,
    VariableInfo, read_details, read_details_bytes, variable_type_name,
};
pub use protection::{ProtectionLevel, protection_level_name};
pub use source::read_package_file;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    const NS: &str = "www.microsoft.com/SqlServer/Dts";

    #[test]
    fn any_prefix_bound_to_the_namespace_works() {
        let xml = format!(
            r#"<p:Executable xmlns:p="{NS}" p:ObjectName="Pfx" p:DTSID="{{1}}" p:ExecutableType="Microsoft.Package"><p:Property p:Name="PackageFormatVersion">8</p:Property></p:Executable>"#
        );
        let m = read_metadata_bytes(xml.as_bytes(), "x").unwrap();
        assert_eq!((m.object_name.as_str(), m.id.as_str()), ("Pfx", "{1}"));
        // Default namespace, unprefixed attributes (as some tools write them).
        let xml = format!(
            r#"<Executable xmlns="{NS}" ObjectName="Dflt"><Property Name="PackageFormatVersion">6</Property></Executable>"#
        );
        let m = read_metadata_bytes(xml.as_bytes(), "x").unwrap();
        assert_eq!(
            (m.object_name.as_str(), m.package_format_version),
            ("Dflt", 6)
        );
    }

    #[test]
    fn an_executable_in_another_namespace_is_not_a_package() {
        let err = read_metadata_bytes(br#"<a:Executable xmlns:a="urn:other"/>"#, "other.xml")
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Package);
        assert!(err.message.contains("a:Executable"), "{err}");
        // No namespace at all but a package's ExecutableType: accepted.
        let m = read_metadata_bytes(
            br#"<Executable ExecutableType="Microsoft.Package" ObjectName="Loose"/>"#,
            "loose",
        )
        .unwrap();
        assert_eq!(m.object_name, "Loose");
    }

    #[test]
    fn defaults_apply_when_a_2012_file_omits_values() {
        let xml = format!(
            r#"<DTS:Executable xmlns:DTS="{NS}" DTS:ObjectName="D"><DTS:Property DTS:Name="PackageFormatVersion">8</DTS:Property></DTS:Executable>"#
        );
        let m = read_metadata_bytes(xml.as_bytes(), "x").unwrap();
        assert_eq!(m.version(), "1.0.0");
        assert_eq!(
            m.protection(),
            Some(ProtectionLevel::EncryptSensitiveWithUserKey)
        );
        assert_eq!(m.package_type, 0);
        assert_eq!(m.creation_date, None);
        assert_eq!(m.format_release(), "SQL Server 2014 or later");
    }

    #[test]
    fn bad_numbers_name_the_property_and_position() {
        let xml = format!(
            "<DTS:Executable xmlns:DTS=\"{NS}\">\n<DTS:Property DTS:Name=\"PackageFormatVersion\">3</DTS:Property>\n<DTS:Property DTS:Name=\"VersionBuild\">seven</DTS:Property></DTS:Executable>"
        );
        let err = read_metadata_bytes(xml.as_bytes(), "bad.dtsx").unwrap_err();
        assert_eq!(err.kind, ErrorKind::Package);
        assert!(
            err.message.contains("VersionBuild") && err.message.contains("seven"),
            "{err}"
        );
        assert_eq!(err.details.line, Some(3));
    }

    #[test]
    fn a_nested_object_after_the_packages_own_values_does_not_win() {
        // A reader that ignores depth and keeps the last value would report "Late".
        let xml = format!(
            r#"<DTS:Executable xmlns:DTS="{NS}"><DTS:Property DTS:Name="PackageFormatVersion">3</DTS:Property><DTS:Property DTS:Name="ObjectName">Own</DTS:Property><DTS:Property DTS:Name="DTSID">{{OWN}}</DTS:Property><DTS:PackageVariable><DTS:Property DTS:Name="ObjectName">Late</DTS:Property><DTS:Property DTS:Name="DTSID">{{LATE}}</DTS:Property></DTS:PackageVariable></DTS:Executable>"#
        );
        let m = read_metadata_bytes(xml.as_bytes(), "x").unwrap();
        assert_eq!((m.object_name.as_str(), m.id.as_str()), ("Own", "{OWN}"));
    }

    #[test]
    fn entities_and_character_references_are_decoded() {
        let xml = format!(
            r#"<DTS:Executable xmlns:DTS="{NS}"><DTS:Property DTS:Name="PackageFormatVersion">3</DTS:Property><DTS:Property DTS:Name="Description">a &amp; b &lt;c&gt; &#233;&#x21;</DTS:Property></DTS:Executable>"#
        );
        let m = read_metadata_bytes(xml.as_bytes(), "x").unwrap();
        assert_eq!(m.description, "a & b <c> é!");
        let bad = xml.replace("&amp;", "&nope;");
        let err = read_metadata_bytes(bad.as_bytes(), "x").unwrap_err();
        assert!(err.message.contains("nope"), "{err}");
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let mut xml = format!(r#"<DTS:Executable xmlns:DTS="{NS}">"#);
        for _ in 0..100_000 {
            xml.push_str("<a>");
        }
        for reader in [
            |b: &[u8]| read_metadata_bytes(b, "deep").map(|_| ()),
            |b: &[u8]| read_details_bytes(b, "deep").map(|_| ()),
        ] {
            let err = reader(xml.as_bytes()).unwrap_err();
            assert_eq!(err.kind, ErrorKind::Package);
            assert!(err.message.contains("nested"), "{err}");
        }
    }

    #[test]
    fn metadata_json_uses_pascal_case() {
        let xml = synthetic_package_xml("J", "{J}", 8);
        let m = read_metadata_bytes(xml.as_bytes(), "j").unwrap();
        let v = serde_json::to_value(&m).unwrap();
        for key in [
            "ObjectName",
            "Id",
            "PackageFormatVersion",
            "ProtectionLevel",
            "ProtectionLevelName",
            "Encrypted",
            "VersionBuild",
        ] {
            assert!(v.get(key).is_some(), "missing {key}");
        }
        let back: PackageMetadata = serde_json::from_value(v).unwrap();
        assert_eq!(back, m);
    }
}

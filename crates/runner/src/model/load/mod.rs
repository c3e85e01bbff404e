//! Reads a `.dtsx` file in either layout into the [`Package`] model.
//!
//! 2012+ (format 6/8) writes properties as `DTS:` attributes, wraps children
//! in `DTS:Executables`, `DTS:Variables`, `DTS:PrecedenceConstraints`, ... and
//! names constraint ends by refId (`DTS:From`/`DTS:To`). 2005/2008 (format
//! 2/3) writes `<DTS:Property DTS:Name="...">` children, puts executables and
//! constraints directly under their container and names constraint ends with
//! `<DTS:Executable IDREF="{DTSID}" DTS:IsFrom="-1|0"/>`. Booleans are
//! `True`/`False` or `-1`/`0`.
//!
//! This module holds the entry points, the package-level properties and the
//! helpers every reader shares; each kind of element has its own file.

mod connections;
mod constraints;
mod executable_types;
mod executables;
mod file;
mod foreach;
mod tasks;
mod variables;

use super::decrypt;
use super::xml::{self, Element};
use super::*;
use crate::cancel::CancelToken;
use connections::read_connection;
pub use connections::{ProjectConnection, read_project_connection};
use constraints::ExeIndex;
use ssis_core::error::{Error, ErrorKind, Result};
use std::path::Path;

/// Loads a package file. A missing file is `NotFound` (dtexec exit 4); an
/// unreadable or malformed one is `Package` (exit 5).
pub fn load_package(path: &Path) -> Result<Package> {
    load_package_with(path, None, &CancelToken::new())
}

/// [`load_package`], opening what is encrypted with `password` (dtexec's
/// `/DECRYPT`) and ending with a `Canceled` error (dtexec exit 3) soon
/// after `cancel` is set: a large package takes a moment to read.
pub fn load_package_with(
    path: &Path,
    password: Option<&str>,
    cancel: &CancelToken,
) -> Result<Package> {
    let bytes = file::read(path, cancel).map_err(|e| {
        if e.kind() == std::io::ErrorKind::Interrupted && cancel.is_canceled() {
            return Error::new(
                ErrorKind::Canceled,
                "canceled while the package was being loaded",
            )
            .with_file(path);
        }
        let err = Error::io(&e, "read the package", path);
        if err.kind == ErrorKind::NotFound {
            err
        } else {
            Error::new(ErrorKind::Package, err.message).with_file(path)
        }
    })?;
    load_package_bytes_with(&bytes, path, password, cancel)
}

/// Loads a package from bytes; `origin` names it in errors.
pub fn load_package_bytes(bytes: &[u8], origin: &Path) -> Result<Package> {
    load_package_bytes_with(bytes, origin, None, &CancelToken::new())
}

/// [`load_package_bytes`] with a password and a cancel token, as
/// [`load_package_with`]. A wrong password is a `Package` error naming
/// the first value it does not decrypt.
pub fn load_package_bytes_with(
    bytes: &[u8],
    origin: &Path,
    password: Option<&str>,
    cancel: &CancelToken,
) -> Result<Package> {
    let decrypted = match password {
        Some(p) => decrypt::decrypt_document(bytes, p, origin, cancel)?,
        None => None,
    };
    let bytes = decrypted.as_deref().unwrap_or(bytes);
    let root = xml::parse_with(bytes, origin, cancel)?;
    let bad = |msg: String, line: u64| {
        Error::new(ErrorKind::Package, msg)
            .with_file(origin)
            .at(line, 1)
    };
    if root.local_name() == "EncryptedData" {
        return Err(encrypted_document(&root, bytes, origin));
    }
    if root.local_name() != "Executable" {
        return Err(bad(
            format!(
                "the root element is <{}>, not a package <DTS:Executable>",
                root.name
            ),
            root.line,
        ));
    }
    let format_version = match root.property_child("PackageFormatVersion") {
        Some(v) => v.trim().parse::<i32>().map_err(|_| {
            bad(
                format!("PackageFormatVersion '{v}' is not a number"),
                root.line,
            )
        })?,
        None => {
            return Err(bad(
                "the package has no PackageFormatVersion".into(),
                root.line,
            ));
        }
    };
    if !matches!(format_version, 2 | 3 | 5 | 6 | 7 | 8) {
        return Err(bad(
            format!("PackageFormatVersion {format_version} is not supported (2, 3, 6 and 8 are)"),
            root.line,
        ));
    }
    let declared_level = match root.prop("ProtectionLevel") {
        Some(v) => Some(ProtectionLevel::parse(v).ok_or_else(|| {
            bad(
                format!(
                    "ProtectionLevel '{v}' is not one of 0..=5 (DontSaveSensitive .. ServerStorage)"
                ),
                root.line,
            )
        })?),
        None => None,
    };
    // Encrypted whole, the root keeps its identity (2012+) and replaces
    // everything else with one <EncryptedData>; a 2005/2008 file keeps only
    // PackageFormatVersion, its ProtectionLevel then being inside the cipher
    // text.
    let encrypted_data = root
        .children
        .iter()
        .any(|c| c.local_name() == "EncryptedData");
    let protection_level = match declared_level {
        Some(level) => level,
        None if encrypted_data => {
            // The metadata reader tells password encryption (a Salt on
            // EncryptedData) from user-key encryption.
            ssis_core::package::read_metadata_bytes(bytes, &origin.display().to_string())
                .ok()
                .and_then(|m| m.protection())
                .filter(|l| l.encrypts_all())
                .unwrap_or(ProtectionLevel::EncryptAllWithUserKey)
        }
        None => ProtectionLevel::DEFAULT,
    };
    // Decrypted, a package saved EncryptAllWithPassword is clear text that
    // still says so.
    let encrypted_whole =
        encrypted_data || (protection_level.encrypts_all() && decrypted.is_none());
    let mut connections = Vec::new();
    for cm in collection(&root, "ConnectionManagers", "ConnectionManager") {
        connections.push(read_connection(cm));
    }
    let ctx = Ctx { origin };
    let root_exe = ctx.read_executable(&root, "", true)?;
    let text = |n: &str| root.prop(n).unwrap_or("").to_string();
    let number = |n: &str| root.prop(n).and_then(int).unwrap_or(0) as i32;
    let properties = PackageProperties {
        version_build: number("VersionBuild"),
        // Left out by 2012+ files when it has its default: a new package's 1
        // (the package metadata reader in ssis-core says why).
        version_major: root.prop("VersionMajor").and_then(int).unwrap_or(1) as i32,
        version_minor: number("VersionMinor"),
        version_guid: text("VersionGUID"),
        version_comments: text("VersionComments"),
        creator_name: text("CreatorName"),
        creator_computer_name: text("CreatorComputerName"),
        creation_date: text("CreationDate"),
        description: text("Description"),
    };
    Ok(Package {
        format_version,
        protection_level,
        encrypted_whole,
        encrypted_values: if encrypted_whole {
            Vec::new()
        } else {
            let mut found = Vec::new();
            let owner = Owner::package().inside(&root, true);
            encrypted_values(&root, &owner, &mut found);
            found
        },
        connections,
        properties,
        source_path: origin.to_path_buf(),
        enable_configurations: root
            .prop("EnableConfig")
            .or_else(|| root.prop("EnableConfigurations"))
            .and_then(boolean)
            .unwrap_or(false),
        configurations: collection(&root, "Configurations", "Configuration")
            .into_iter()
            .map(|c| PackageConfiguration {
                name: c.prop("ObjectName").unwrap_or("").to_string(),
                kind: c.prop("ConfigurationType").and_then(int).unwrap_or(-1) as i32,
                string: c.prop("ConfigurationString").unwrap_or("").to_string(),
                target: c.prop("ConfigurationVariable").unwrap_or("").to_string(),
            })
            .collect(),
        save_checkpoints: root
            .prop("SaveCheckpoints")
            .and_then(boolean)
            .unwrap_or(false),
        root: root_exe,
        project: None,
    })
}

/// The error for a document that is one `<EncryptedData>`: a package
/// saved EncryptAllWithPassword (a `Salt`) or EncryptAllWithUserKey, read
/// without its password.
fn encrypted_document(root: &Element, bytes: &[u8], origin: &Path) -> Error {
    let message = if decrypt::has_password_encryption(bytes) {
        "the package is encrypted as a whole with a password (EncryptAllWithPassword): \
         give the password with /DECRYPT"
    } else {
        "the package is encrypted as a whole with the key of the Windows user who saved it \
         (EncryptAllWithUserKey, DPAPI), which only that user can use, on Windows; this runner \
         cannot decrypt it: re-save it with DontSaveSensitive or a password to run it here"
    };
    Error::new(ErrorKind::Package, message)
        .with_file(origin)
        .at(root.line, 1)
}

struct Ctx<'a> {
    origin: &'a Path,
}

/// Children named `item` either directly under `el` (2005/2008) or inside a
/// `wrapper` child (2012+).
fn collection<'a>(el: &'a Element, wrapper: &'a str, item: &'a str) -> Vec<&'a Element> {
    let mut out: Vec<&Element> = el.children_named(item).collect();
    for w in el.children_named(wrapper) {
        out.extend(w.children_named(item));
    }
    out
}

/// Parses an SSIS boolean: `True`/`False`, `-1`/`0`, `1`.
pub(crate) fn boolean(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "-1" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

fn int(s: &str) -> Option<i64> {
    s.trim().parse::<i64>().ok()
}

/// The object around an encrypted value: how messages name it, and what
/// setting replaces its values.
struct Owner {
    label: String,
    kind: OwnerKind,
    /// The path of the container the walk is in (`Package\Loop`).
    container: String,
}

#[derive(Clone)]
enum OwnerKind {
    Connection { name: String, id: String },
    Variable(String),
    Other,
}

impl Owner {
    fn package() -> Owner {
        Owner {
            label: "the package".into(),
            kind: OwnerKind::Other,
            container: "Package".into(),
        }
    }

    /// The owner of what is inside `el`: `el` itself when it is an object
    /// (it has an `ObjectName`), in the container it names or is in.
    fn inside(&self, el: &Element, is_root: bool) -> Owner {
        let container = match el.local_name() {
            "Executable" => match el.attr("refId") {
                Some(r) if !r.is_empty() => r.to_string(),
                _ if is_root => "Package".to_string(),
                _ => format!(
                    "{}\\{}",
                    self.container,
                    el.prop("ObjectName").unwrap_or("")
                ),
            },
            "EventHandler" => format!(
                "{}.EventHandlers[{}]",
                self.container,
                el.prop("EventName")
                    .or_else(|| el.prop("CreationName"))
                    .unwrap_or("")
                    .trim()
            ),
            _ => self.container.clone(),
        };
        let Some(name) = el
            .prop("ObjectName")
            .filter(|_| el.local_name() != "Property")
        else {
            return Owner {
                label: self.label.clone(),
                kind: self.kind.clone(),
                container,
            };
        };
        let kind = match el.local_name() {
            "ConnectionManager" => OwnerKind::Connection {
                name: name.to_string(),
                id: el.prop("DTSID").unwrap_or("").to_string(),
            },
            "PackageParameter" => OwnerKind::Variable(format!("$Package::{name}")),
            "Variable" => OwnerKind::Variable(format!(
                "{}::{name}",
                el.prop("Namespace").unwrap_or("User")
            )),
            _ => OwnerKind::Other,
        };
        Owner {
            label: format!("'{name}'"),
            kind,
            container,
        }
    }

    fn replaced_by(&self, property: &str) -> Replacement {
        match &self.kind {
            OwnerKind::Connection { name, id } => Replacement::Connection {
                name: name.clone(),
                id: id.clone(),
                property: property.to_string(),
                project: false,
            },
            OwnerKind::Variable(v) => Replacement::Variable {
                scope: self.container.clone(),
                name: v.clone(),
            },
            OwnerKind::Other => Replacement::Nothing,
        }
    }
}

/// The values stored encrypted under `el` (an element marked
/// `Encrypted="1"`, an `<EncryptedData>`, or a property holding one), each
/// named after the property and the nearest object around it
/// (`Password of 'Sales DB'`) with what replaces it.
fn encrypted_values(el: &Element, owner: &Owner, out: &mut Vec<EncryptedValue>) {
    let marked = el
        .attr("Encrypted")
        .is_some_and(|v| boolean(v) == Some(true));
    let cipher = |e: &Element| e.local_name() == "EncryptedData";
    let property = el.local_name() == "Property";
    if marked || cipher(el) || (property && el.children.iter().any(cipher)) {
        let what = match el.attr("Name") {
            Some(n) if property => n,
            _ if cipher(el) => "an encrypted value",
            _ => el.local_name(),
        };
        out.push(EncryptedValue {
            what: format!("{what} of {}", owner.label),
            replaced_by: owner.replaced_by(what),
        });
        return;
    }
    for c in &el.children {
        encrypted_values(c, &owner.inside(c, false), out);
    }
}

fn property_expressions(el: &Element) -> Vec<(String, String)> {
    el.children_named("PropertyExpression")
        .map(|p| (p.attr("Name").unwrap_or("").to_string(), p.text.clone()))
        .collect()
}

impl Ctx<'_> {
    fn bad(&self, msg: String, line: u64) -> Error {
        Error::new(ErrorKind::Package, msg)
            .with_file(self.origin)
            .at(line, 1)
    }
}

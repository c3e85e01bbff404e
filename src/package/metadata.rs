//! The streaming identity reader behind [`read_metadata`](super::read_metadata):
//! reads a package's identity and stops as soon as it has it.
//!
//! - SSIS 2012+ (PackageFormatVersion 6, 8): the identity is in attributes of
//!   the root `DTS:Executable`, followed by the `PackageFormatVersion`
//!   property; reading stops at the first element after that property (which
//!   tells whether the content is `EncryptedData`), so only the first
//!   kilobyte or two of the file is read.
//! - SSIS 2005/2008 (format 2, 3): every value is a `<DTS:Property>` child;
//!   nested objects carry their own `ObjectName`, `DTSID`, ... *before* the
//!   package's own, which follow the last child executable. Only the root's
//!   direct-child properties count, and the file is read until they have all
//!   been seen (in practice, to the end).

use super::PackageMetadata;
use super::protection::{ProtectionLevel, protection_level_name};
use super::xml::{
    Failure, MAX_DEPTH, for_each_attribute, is_bound_dts, is_dts, parse_int, push_reference, qname,
};
use quick_xml::NsReader;
use quick_xml::events::Event;
use std::io::BufRead;

/// An identity value the reader looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    ObjectName,
    Id,
    Description,
    CreationDate,
    CreatorName,
    CreatorComputerName,
    VersionMajor,
    VersionMinor,
    VersionBuild,
    VersionGuid,
    VersionComments,
    PackageFormatVersion,
    ProtectionLevel,
    PackageType,
}

const FIELD_COUNT: u32 = 14;
const ALL_FIELDS: u32 = (1 << FIELD_COUNT) - 1;

impl Field {
    fn from_name(name: &str) -> Option<Field> {
        Some(match name {
            "ObjectName" => Field::ObjectName,
            "DTSID" => Field::Id,
            "Description" => Field::Description,
            "CreationDate" => Field::CreationDate,
            "CreatorName" => Field::CreatorName,
            "CreatorComputerName" => Field::CreatorComputerName,
            "VersionMajor" => Field::VersionMajor,
            "VersionMinor" => Field::VersionMinor,
            "VersionBuild" => Field::VersionBuild,
            "VersionGUID" => Field::VersionGuid,
            "VersionComments" => Field::VersionComments,
            "PackageFormatVersion" => Field::PackageFormatVersion,
            "ProtectionLevel" => Field::ProtectionLevel,
            "PackageType" => Field::PackageType,
            _ => return None,
        })
    }

    fn bit(self) -> u32 {
        1 << (self as u32)
    }

    fn name(self) -> &'static str {
        match self {
            Field::ObjectName => "ObjectName",
            Field::Id => "DTSID",
            Field::Description => "Description",
            Field::CreationDate => "CreationDate",
            Field::CreatorName => "CreatorName",
            Field::CreatorComputerName => "CreatorComputerName",
            Field::VersionMajor => "VersionMajor",
            Field::VersionMinor => "VersionMinor",
            Field::VersionBuild => "VersionBuild",
            Field::VersionGuid => "VersionGUID",
            Field::VersionComments => "VersionComments",
            Field::PackageFormatVersion => "PackageFormatVersion",
            Field::ProtectionLevel => "ProtectionLevel",
            Field::PackageType => "PackageType",
        }
    }
}

/// The identity as it is being collected.
#[derive(Default)]
struct Builder {
    seen: u32,
    object_name: String,
    id: String,
    description: String,
    creation_date: Option<String>,
    creator_name: String,
    creator_computer_name: String,
    version_major: Option<i32>,
    version_minor: Option<i32>,
    version_build: Option<i32>,
    version_guid: String,
    version_comments: String,
    package_format_version: Option<i32>,
    protection_level: Option<i32>,
    package_type: Option<i32>,
    /// A direct child of the root is `<EncryptedData>`.
    encrypted_data: bool,
    /// That `<EncryptedData>` has a `Salt` attribute (password encryption).
    encrypted_with_salt: bool,
}

impl Builder {
    fn set(&mut self, field: Field, value: String, position: u64) -> Result<(), Failure> {
        self.seen |= field.bit();
        let name = field.name();
        match field {
            Field::ObjectName => self.object_name = value,
            Field::Id => self.id = value,
            Field::Description => self.description = value,
            Field::CreationDate => self.creation_date = Some(value).filter(|v| !v.is_empty()),
            Field::CreatorName => self.creator_name = value,
            Field::CreatorComputerName => self.creator_computer_name = value,
            Field::VersionMajor => self.version_major = parse_int(name, &value, position)?,
            Field::VersionMinor => self.version_minor = parse_int(name, &value, position)?,
            Field::VersionBuild => self.version_build = parse_int(name, &value, position)?,
            Field::VersionGuid => self.version_guid = value,
            Field::VersionComments => self.version_comments = value,
            Field::PackageFormatVersion => {
                self.package_format_version = parse_int(name, &value, position)?
            }
            Field::ProtectionLevel => {
                // Numbers in packages; names are accepted too (project files use them).
                self.protection_level = match ProtectionLevel::parse(&value) {
                    Some(level) => Some(level.number()),
                    None => parse_int(name, &value, position)?,
                }
            }
            Field::PackageType => self.package_type = parse_int(name, &value, position)?,
        }
        Ok(())
    }

    /// The format uses the SSIS 2012+ attribute layout.
    fn attribute_layout(&self) -> bool {
        self.package_format_version.is_some_and(|v| v >= 6)
    }

    fn finish(self) -> PackageMetadata {
        // Defaults for values a 2012+ file leaves out. Since SSIS 2012
        // "properties that have default values are no longer persisted"
        // (Microsoft, "SSIS Package Format", docs/2014/integration-services/
        // ssis-package-format.md). The defaults are those of a new package:
        // VersionMajor 1, VersionMinor 0, VersionBuild 0 (2008 files, which
        // write every value, show VersionMajor 1 / VersionMinor 0 for
        // packages nobody re-versioned; no 2012+ file in the shared corpus
        // writes DTS:VersionMajor, and Package2.dtsx, never rebuilt, omits
        // DTS:VersionBuild), ProtectionLevel 1 EncryptSensitiveWithUserKey
        // (the documented default; SSIS-FACTS.md), PackageType 0 (Default).
        let mut protection_level = self
            .protection_level
            .unwrap_or(ProtectionLevel::DEFAULT.number());
        let declared_all = ProtectionLevel::from_number(protection_level)
            .is_some_and(ProtectionLevel::encrypts_all);
        let encrypted = self.encrypted_data || declared_all;
        if self.encrypted_data && !declared_all && self.protection_level.is_none() {
            // The level is not readable in the clear: password encryption
            // writes a Salt (and IV) on EncryptedData, user-key (DPAPI)
            // encryption does not.
            protection_level = if self.encrypted_with_salt {
                ProtectionLevel::EncryptAllWithPassword.number()
            } else {
                ProtectionLevel::EncryptAllWithUserKey.number()
            };
        }
        PackageMetadata {
            object_name: self.object_name,
            id: self.id,
            description: self.description,
            creation_date: self.creation_date,
            creator_name: self.creator_name,
            creator_computer_name: self.creator_computer_name,
            version_major: self.version_major.unwrap_or(1),
            version_minor: self.version_minor.unwrap_or(0),
            version_build: self.version_build.unwrap_or(0),
            version_guid: self.version_guid,
            version_comments: self.version_comments,
            package_format_version: self.package_format_version.unwrap_or(0),
            protection_level,
            protection_level_name: protection_level_name(protection_level),
            package_type: self.package_type.unwrap_or(0),
            encrypted,
        }
    }
}

/// Reads a package identity from `src`, stopping as early as the layout allows.
pub(crate) fn read_identity<R: BufRead>(src: R) -> Result<PackageMetadata, Failure> {
    let mut reader = NsReader::from_reader(src);
    let mut buf = Vec::with_capacity(1024);
    let mut b = Builder::default();

    // 1. The root element.
    loop {
        buf.clear();
        let position = reader.buffer_position();
        let event = reader.read_resolved_event_into(&mut buf);
        let (ns, event) = match event {
            Ok(v) => v,
            Err(err) => return Err(Failure::xml(err, reader.error_position())),
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let local = e.local_name();
                let mut has_type = false;
                let named_right = local.as_ref() == "Executable";
                let ns_ok = is_bound_dts(&ns);
                if named_right && !ns_ok {
                    // No (or another) namespace: accept only when it looks like a package.
                    for_each_attribute(
                        e,
                        position,
                        |l| l == "ExecutableType",
                        |_, _| {
                            has_type = true;
                            Ok(())
                        },
                    )?;
                }
                if !named_right || !(ns_ok || (is_dts(&ns) && has_type)) {
                    return Err(Failure::at(
                        format!(
                            "the root element is <{}>, not <DTS:Executable> in namespace {}",
                            qname(e),
                            super::xml::DTS_NAMESPACE
                        ),
                        position,
                    ));
                }
                for_each_attribute(
                    e,
                    position,
                    |l| Field::from_name(l).is_some(),
                    |l, v| match Field::from_name(l) {
                        Some(f) => b.set(f, v, position),
                        None => Ok(()),
                    },
                )?;
                if matches!(event, Event::Empty(_)) {
                    return Ok(b.finish());
                }
                break;
            }
            Event::Text(t) => {
                if !t.as_ref().trim().is_empty() {
                    return Err(Failure::at(
                        "the file does not start with XML markup (it holds text before the first element)",
                        position,
                    ));
                }
            }
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Eof => {
                return Err(Failure::at(
                    if position == 0 {
                        "the file is empty"
                    } else {
                        "the file holds no XML element"
                    },
                    position,
                ));
            }
            Event::End(_) | Event::CData(_) | Event::GeneralRef(_) => {
                return Err(Failure::at(
                    "the file does not start with an XML element",
                    position,
                ));
            }
        }
    }

    // 2. The root's children. `depth` counts open elements, root included.
    let mut depth = 1usize;
    let mut text = String::new();
    loop {
        buf.clear();
        let position = reader.buffer_position();
        let event = match reader.read_resolved_event_into(&mut buf) {
            Ok((ns, event)) => {
                let is_property = depth == 1
                    && matches!(&event, Event::Start(e) if e.local_name().as_ref() == "Property")
                    && is_dts(&ns);
                (is_property, event)
            }
            Err(err) => return Err(Failure::xml(err, reader.error_position())),
        };
        match event {
            (true, Event::Start(e)) => {
                let mut field = None;
                for_each_attribute(
                    &e,
                    position,
                    |l| l == "Name",
                    |_, v| {
                        field = Field::from_name(&v);
                        Ok(())
                    },
                )?;
                match field {
                    Some(field) => {
                        read_text(&mut reader, &mut buf, &mut text)?;
                        b.set(field, std::mem::take(&mut text), position)?;
                        if b.seen == ALL_FIELDS {
                            return Ok(b.finish());
                        }
                    }
                    None => depth += 1,
                }
            }
            (false, Event::Start(e)) => {
                if depth == 1 {
                    note_encrypted_data(&mut b, &e, position)?;
                    if b.attribute_layout() {
                        return Ok(b.finish());
                    }
                }
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(Failure::at(
                        format!("elements are nested more than {MAX_DEPTH} deep"),
                        position,
                    ));
                }
            }
            (_, Event::Empty(e)) if depth == 1 => {
                note_encrypted_data(&mut b, &e, position)?;
                if b.attribute_layout() {
                    return Ok(b.finish());
                }
            }
            (_, Event::End(_)) => {
                depth -= 1;
                if depth == 0 {
                    return Ok(b.finish());
                }
            }
            (_, Event::Eof) => {
                return Err(Failure::at(
                    "the file ends before the package does (truncated?)",
                    position,
                ));
            }
            _ => {}
        }
    }
}

fn is_encrypted_data(e: &quick_xml::events::BytesStart<'_>) -> bool {
    e.local_name().as_ref() == "EncryptedData"
}

fn note_encrypted_data(
    b: &mut Builder,
    e: &quick_xml::events::BytesStart<'_>,
    position: u64,
) -> Result<(), Failure> {
    if is_encrypted_data(e) {
        b.encrypted_data = true;
        for_each_attribute(
            e,
            position,
            |l| l == "Salt",
            |_, _| {
                b.encrypted_with_salt = true;
                Ok(())
            },
        )?;
    }
    Ok(())
}

/// Reads the text of the element just opened, up to its end tag, into
/// `out`; text of nested elements is ignored.
fn read_text<R: BufRead>(
    reader: &mut NsReader<R>,
    buf: &mut Vec<u8>,
    out: &mut String,
) -> Result<(), Failure> {
    out.clear();
    let mut depth = 0usize;
    loop {
        buf.clear();
        let position = reader.buffer_position();
        let event = reader
            .read_event_into(buf)
            .map_err(|err| Failure::xml(err, reader.error_position()))?;
        match event {
            Event::Text(t) if depth == 0 => out.push_str(&t.xml10_content()),
            Event::CData(t) if depth == 0 => out.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if depth == 0 => push_reference(out, &r, position)?,
            Event::Start(_) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(Failure::at(
                        format!("elements are nested more than {MAX_DEPTH} deep"),
                        position,
                    ));
                }
            }
            Event::End(_) => {
                if depth == 0 {
                    return Ok(());
                }
                depth -= 1;
            }
            Event::Eof => {
                return Err(Failure::at(
                    "the file ends inside a property (truncated?)",
                    position,
                ));
            }
            _ => {}
        }
    }
}

//! Low-level XML helpers shared by the package readers: namespace checks,
//! attribute and text decoding, and turning parser failures into [`Error`]s
//! that name the file, line and column.

use crate::error::{Error, ErrorKind};
use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart};
use quick_xml::name::{Namespace, ResolveResult};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// The namespace every package element and attribute is in.
pub const DTS_NAMESPACE: &str = "www.microsoft.com/SqlServer/Dts";

/// Size of the read buffer for streaming reads: the identity of a 2012+
/// package sits in its first kilobyte or two, so one read usually suffices.
pub(crate) const READ_BUFFER: usize = 4096;

/// Deepest element nesting the readers accept (real packages stay well
/// under 50); deeper input is rejected rather than risking the stack.
pub(crate) const MAX_DEPTH: usize = 256;

/// Where package bytes came from, for error messages.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Origin<'a> {
    /// A file on disk.
    File(&'a Path),
    /// Bytes from elsewhere (an msdb row, an upload), named by the caller.
    Named(&'a str),
}

impl Origin<'_> {
    fn label(&self) -> String {
        match self {
            Origin::File(p) => p.display().to_string(),
            Origin::Named(n) => (*n).to_string(),
        }
    }
}

/// Why reading failed, before it is tied to its origin.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The bytes are not a readable package; `offset` is the byte offset of
    /// the problem when known (turned into line and column).
    Invalid {
        message: String,
        offset: Option<u64>,
    },
    /// The underlying reader failed.
    Io(Arc<std::io::Error>),
}

impl Failure {
    /// An invalid-package failure at `offset`.
    pub(crate) fn at(message: impl Into<String>, offset: u64) -> Failure {
        Failure::Invalid {
            message: message.into(),
            offset: Some(offset),
        }
    }

    /// A failure from the XML parser, positioned where the parser says.
    pub(crate) fn xml(err: quick_xml::Error, position: u64) -> Failure {
        match err {
            quick_xml::Error::Io(io) => Failure::Io(io),
            quick_xml::Error::Encoding(e) => Failure::at(
                format!("the file is not UTF-8 text ({e}); is it a binary file?"),
                position,
            ),
            other => Failure::at(format!("malformed XML: {other}"), position),
        }
    }

    /// Turns the failure into the product's error, naming the origin and,
    /// when the position is known, the line and column. `prefix` returns the
    /// first `n` bytes of the input (to count lines); it is only called on
    /// failure, so the happy path never keeps the bytes.
    pub(crate) fn into_error(
        self,
        origin: Origin<'_>,
        prefix: impl FnOnce(u64) -> Option<Vec<u8>>,
    ) -> Error {
        let label = origin.label();
        match self {
            Failure::Io(io) => {
                let err = Error::new(
                    ErrorKind::Io,
                    format!("cannot read package '{label}': {io}"),
                )
                .with_target(label);
                match origin {
                    Origin::File(p) => err.with_file(p),
                    Origin::Named(_) => err,
                }
            }
            Failure::Invalid { message, offset } => {
                let mut err = Error::new(
                    ErrorKind::Package,
                    format!("'{label}' is not a readable SSIS package: {message}"),
                )
                .with_target(label);
                if let Origin::File(p) = origin {
                    err = err.with_file(p);
                }
                if let Some(offset) = offset {
                    if let Some(bytes) = prefix(offset) {
                        let (line, column) = line_column(&bytes, offset);
                        err = err.at(line, column);
                    }
                }
                err
            }
        }
    }
}

/// 1-based line and column (in characters) of byte `offset` in `bytes`.
/// A leading UTF-8 byte-order mark does not count as a column.
pub(crate) fn line_column(bytes: &[u8], offset: u64) -> (u64, u64) {
    let end = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    let head = &bytes[..end];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let line_start = head.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line = 1 + head.iter().filter(|&&b| b == b'\n').count() as u64;
    // Count characters, not bytes: skip UTF-8 continuation bytes.
    let column = 1 + head[line_start..]
        .iter()
        .filter(|&&b| (b & 0xC0) != 0x80)
        .count() as u64;
    (line, column)
}

/// Reads up to `n` bytes from the start of a file (for error positions).
pub(crate) fn file_prefix(path: &Path, n: u64) -> Option<Vec<u8>> {
    let file = std::fs::File::open(path).ok()?;
    let mut out = Vec::new();
    file.take(n).read_to_end(&mut out).ok()?;
    Some(out)
}

/// Whether a resolved element namespace is the package namespace. Elements
/// with no namespace, or with an undeclared `DTS:` prefix, are accepted too:
/// hand-edited and generated files are not always careful.
pub(crate) fn is_dts(ns: &ResolveResult<'_>) -> bool {
    match ns {
        ResolveResult::Bound(Namespace(n)) => n.eq_ignore_ascii_case(DTS_NAMESPACE),
        ResolveResult::Unbound => true,
        ResolveResult::Unknown(prefix) => prefix.eq_ignore_ascii_case("DTS"),
    }
}

/// Display form of an element's qualified name, for messages.
pub(crate) fn qname(e: &BytesStart<'_>) -> String {
    e.name().as_ref().chars().take(80).collect()
}

/// Calls `f(local_name, value)` for every attribute of `e` except namespace
/// declarations; `wanted` filters by local name before the value is decoded,
/// so attributes nobody wants cost no allocation.
pub(crate) fn for_each_attribute(
    e: &BytesStart<'_>,
    position: u64,
    mut wanted: impl FnMut(&str) -> bool,
    mut f: impl FnMut(&str, String) -> Result<(), Failure>,
) -> Result<(), Failure> {
    for attr in e.attributes() {
        let attr =
            attr.map_err(|err| Failure::at(format!("malformed attribute: {err}"), position))?;
        let key = attr.key.as_ref();
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let local = attr.key.local_name();
        let local = local.as_ref();
        if !wanted(local) {
            continue;
        }
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|err| {
                Failure::at(format!("bad value in attribute '{key}': {err}"), position)
            })?;
        f(local, value.into_owned())?;
    }
    Ok(())
}

/// Appends the text of a `&name;` or `&#n;` reference to `out`.
pub(crate) fn push_reference(
    out: &mut String,
    r: &BytesRef<'_>,
    position: u64,
) -> Result<(), Failure> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => out.push(c),
        Ok(None) => match resolve_predefined_entity(r) {
            Some(s) => out.push_str(s),
            None => {
                return Err(Failure::at(
                    format!("unknown entity reference '&{};'", &**r),
                    position,
                ));
            }
        },
        Err(err) => {
            return Err(Failure::at(
                format!("bad character reference '&{};': {err}", &**r),
                position,
            ));
        }
    }
    Ok(())
}

/// Parses a number property; `None` for an empty value.
pub(crate) fn parse_int(name: &str, text: &str, position: u64) -> Result<Option<i32>, Failure> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<i32>().map(Some).map_err(|_| {
        let shown: String = t.chars().take(40).collect();
        Failure::at(format!("{name} is '{shown}', not a whole number"), position)
    })
}

/// Parses a package boolean: `True`/`False` (2012+), `-1`/`0` (2005/2008),
/// also `1`. Anything else is false.
pub(crate) fn parse_bool(text: &str) -> bool {
    let t = text.trim();
    t.eq_ignore_ascii_case("true") || t == "-1" || t == "1"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_lines_and_characters() {
        let text = "ab\ncdé\nfg".as_bytes();
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 2), (1, 3));
        assert_eq!(line_column(text, 3), (2, 1));
        // After "cdé" (é is two bytes): column 4.
        assert_eq!(line_column(text, 7), (2, 4));
        assert_eq!(line_column(text, 999), (3, 3));
        assert_eq!(line_column(b"\xEF\xBB\xBF<a", 4), (1, 2));
    }

    #[test]
    fn booleans_in_both_layouts() {
        for t in ["True", "true", "-1", "1", " True "] {
            assert!(parse_bool(t), "{t}");
        }
        for t in ["False", "0", "", "yes"] {
            assert!(!parse_bool(t), "{t}");
        }
    }

    #[test]
    fn numbers_are_checked() {
        assert_eq!(parse_int("VersionBuild", " 12 ", 0).ok(), Some(Some(12)));
        assert_eq!(parse_int("VersionBuild", "", 0).ok(), Some(None));
        match parse_int("VersionBuild", "x1", 5) {
            Err(Failure::Invalid { message, offset }) => {
                assert!(message.contains("VersionBuild"));
                assert_eq!(offset, Some(5));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

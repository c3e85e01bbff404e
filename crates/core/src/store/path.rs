//! Store paths: `\File System\Sales\Daily Load`.
//!
//! A store path is a list of validated names: the top-level folder first,
//! then subfolders, and for a package its name (without `.dtsx`) last. The
//! root of the store is `\` (no segments). `\` and `/` are both accepted as
//! separators; paths display with backslashes and compare case-insensitively
//! (Unicode lowercase), as the Windows service does.

use crate::error::{Error, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::hash::{Hash, Hasher};

/// Longest folder or package name, in UTF-8 bytes (a file-name component).
pub const MAX_NAME_BYTES: usize = 255;

/// Prefix of the temporary files [`crate::fsutil::write_atomic`] creates;
/// names starting with it are reserved and hidden from listings.
pub const TEMP_PREFIX: &str = ".ssis-tmp-";

/// Characters never allowed in a name (they are invalid in Windows file names).
pub const INVALID_CHARS: &[char] = &['"', '<', '>', '|', ':', '*', '?', '\\', '/'];

/// A path in the package store: top-level folder, subfolders, package name.
/// Compared and hashed case-insensitively; displayed with backslashes.
#[derive(Debug, Clone, Default)]
pub struct StorePath {
    segments: Vec<String>,
}

impl StorePath {
    /// The root of the store, `\`.
    pub fn root() -> StorePath {
        StorePath::default()
    }

    /// Parses `\A\B\C` or `/A/B/C` (a leading or trailing separator is
    /// optional; `\`, `/` or the empty string is the root). Every segment is checked with
    /// [`validate_name`]; an empty segment (`\A\\B`) is an error.
    pub fn parse(text: &str) -> Result<StorePath> {
        let is_sep = |c: char| c == '\\' || c == '/';
        let mut body = text;
        if let Some(c) = body.chars().next().filter(|c| is_sep(*c)) {
            body = &body[c.len_utf8()..];
        }
        if let Some(c) = body.chars().next_back().filter(|c| is_sep(*c)) {
            body = &body[..body.len() - c.len_utf8()];
        }
        if body.is_empty() {
            return Ok(StorePath::root());
        }
        let mut segments = Vec::new();
        for (index, segment) in body.split(is_sep).enumerate() {
            if segment.is_empty() {
                return Err(Error::invalid(format!(
                    "store path '{}' has an empty name at position {} (two separators in a row); \
                     separate names with a single '\\' or '/'",
                    printable(text),
                    index + 1
                ))
                .with_target(printable(text)));
            }
            check_name(segment, "name").map_err(|e| {
                let message = format!("store path '{}': {}", printable(text), e.message);
                Error::invalid(message).with_target(printable(text))
            })?;
            segments.push(segment.to_string());
        }
        Ok(StorePath { segments })
    }

    /// Builds a path from names, validating each one.
    pub fn from_segments<I, S>(segments: I) -> Result<StorePath>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut path = StorePath::root();
        for s in segments {
            path = path.join(&s.into())?;
        }
        Ok(path)
    }

    /// The segments, top-level folder first.
    pub fn segments(&self) -> &[String] {
        &self.segments
    }

    /// Number of segments (0 for the root).
    pub fn len(&self) -> usize {
        self.segments.len()
    }

    /// True for the root `\`.
    pub fn is_root(&self) -> bool {
        self.segments.is_empty()
    }

    /// True for the root (alias of [`Self::is_root`], for clippy's `len` rule).
    pub fn is_empty(&self) -> bool {
        self.is_root()
    }

    /// True for a top-level folder such as `\File System`.
    pub fn is_top_level(&self) -> bool {
        self.segments.len() == 1
    }

    /// The last segment (folder or package name); `None` for the root.
    pub fn name(&self) -> Option<&str> {
        self.segments.last().map(String::as_str)
    }

    /// The path without its last segment; `None` for the root.
    pub fn parent(&self) -> Option<StorePath> {
        if self.is_root() {
            return None;
        }
        Some(StorePath {
            segments: self.segments[..self.segments.len() - 1].to_vec(),
        })
    }

    /// This path with `name` appended; `name` is validated.
    pub fn join(&self, name: &str) -> Result<StorePath> {
        validate_name(name, "name")?;
        let mut segments = self.segments.clone();
        segments.push(name.to_string());
        Ok(StorePath { segments })
    }

    /// The top-level folder's name; `None` for the root.
    pub fn top_level(&self) -> Option<&str> {
        self.segments.first().map(String::as_str)
    }

    /// The segments below the top-level folder (what a backend sees).
    pub fn below_top(&self) -> &[String] {
        self.segments.get(1..).unwrap_or(&[])
    }

    /// True when `self` is `other` or lies below it (case-insensitively).
    pub fn starts_with(&self, other: &StorePath) -> bool {
        other.segments.len() <= self.segments.len()
            && other
                .segments
                .iter()
                .zip(&self.segments)
                .all(|(a, b)| names_equal(a, b))
    }
}

impl fmt::Display for StorePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.segments.is_empty() {
            return f.write_str("\\");
        }
        for s in &self.segments {
            f.write_str("\\")?;
            f.write_str(s)?;
        }
        Ok(())
    }
}

impl PartialEq for StorePath {
    fn eq(&self, other: &StorePath) -> bool {
        self.segments.len() == other.segments.len() && self.starts_with(other)
    }
}

impl Eq for StorePath {}

impl Hash for StorePath {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.segments.len().hash(state);
        for s in &self.segments {
            fold_case(s).hash(state);
        }
    }
}

impl std::str::FromStr for StorePath {
    type Err = Error;
    fn from_str(s: &str) -> Result<StorePath> {
        StorePath::parse(s)
    }
}

impl Serialize for StorePath {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for StorePath {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        StorePath::parse(&text).map_err(|e| serde::de::Error::custom(e.message))
    }
}

/// The case-folded form names are compared by (Unicode lowercase).
pub fn fold_case(name: &str) -> String {
    name.to_lowercase()
}

/// True when two names are equal ignoring case.
pub fn names_equal(a: &str, b: &str) -> bool {
    a == b || fold_case(a) == fold_case(b)
}

/// Checks one folder or package name; `what` names it in the error
/// (e.g. `"folder name"`). The error (kind InvalidArgument) names the
/// offending name and the rule it breaks.
pub fn validate_name(name: &str, what: &str) -> Result<()> {
    check_name(name, what).map_err(|e| e.with_target(printable(name)))
}

fn check_name(name: &str, what: &str) -> Result<()> {
    let shown = printable(name);
    let fail = |rule: String| Err(Error::invalid(format!("{what} '{shown}' {rule}")));
    if name.is_empty() {
        return Err(Error::invalid(format!("{what} is empty")));
    }
    if name == "." || name == ".." {
        return fail("is not allowed: '.' and '..' do not name folders in the store".into());
    }
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return fail(format!(
            "contains the control character U+{:04X}; names may not contain NUL or control characters",
            c as u32
        ));
    }
    let bytes = name.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return fail(
            "starts with a drive letter; store paths are relative to the store, \
                     not to a disk"
                .into(),
        );
    }
    if let Some(c) = name.chars().find(|c| INVALID_CHARS.contains(c)) {
        return fail(format!(
            "contains '{c}', which is not allowed in names \
             (not allowed: \" < > | : * ? \\ / and control characters)"
        ));
    }
    if name.ends_with('.') || name.ends_with(' ') {
        return fail("ends with a dot or a space, which Windows file names cannot".into());
    }
    if is_reserved_device_name(name) {
        return fail(
            "is a reserved Windows device name (CON, PRN, AUX, NUL, COM1-COM9, LPT1-LPT9, \
             also with an extension)"
                .into(),
        );
    }
    if name.len() > MAX_NAME_BYTES {
        return fail(format!(
            "is {} bytes long; names may be at most {MAX_NAME_BYTES} bytes (UTF-8)",
            name.len()
        ));
    }
    if name.starts_with(TEMP_PREFIX) {
        return fail(format!(
            "starts with '{TEMP_PREFIX}', which is reserved for temporary files"
        ));
    }
    Ok(())
}

/// True for `CON`, `nul.txt`, `COM1`, `LPT9.tar.gz`, `COM¹`...
fn is_reserved_device_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end_matches(' ');
    let upper = stem.to_uppercase();
    match upper.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" => true,
        _ => {
            let rest = upper
                .strip_prefix("COM")
                .or_else(|| upper.strip_prefix("LPT"));
            matches!(
                rest,
                Some("1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "¹" | "²" | "³")
            )
        }
    }
}

/// `text` with control characters escaped, safe to print in a message.
fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn p(text: &str) -> StorePath {
        StorePath::parse(text).unwrap()
    }

    fn err(text: &str) -> Error {
        let e = StorePath::parse(text).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidArgument, "{text}: {e}");
        e
    }

    #[test]
    fn parses_both_separators_and_the_root() {
        let a = p("\\File System\\Sales\\Daily Load");
        assert_eq!(a.segments(), ["File System", "Sales", "Daily Load"]);
        assert_eq!(p("/File System/Sales/Daily Load"), a);
        assert_eq!(p("File System\\Sales/Daily Load\\"), a);
        assert_eq!(a.to_string(), "\\File System\\Sales\\Daily Load");
        for root in ["\\", "/", "\\\\", "//"] {
            assert!(p(root).is_root(), "{root}");
        }
        assert_eq!(StorePath::root().to_string(), "\\");
        assert!(p("").is_root());
        err("\\\\\\");
    }

    #[test]
    fn navigation() {
        let a = p("\\File System\\Sales\\Daily Load");
        assert_eq!(a.name(), Some("Daily Load"));
        assert_eq!(a.parent().unwrap(), p("\\File System\\Sales"));
        assert_eq!(a.top_level(), Some("File System"));
        assert_eq!(a.below_top(), ["Sales", "Daily Load"]);
        assert_eq!(p("\\MSDB").below_top(), [] as [String; 0]);
        assert!(p("\\MSDB").is_top_level());
        assert_eq!(StorePath::root().parent(), None);
        assert_eq!(StorePath::root().name(), None);
        assert_eq!(p("\\A").join("B").unwrap(), p("\\A\\B"));
        assert!(p("\\A").join("..").is_err());
        assert!(p("\\A").join("x\\y").is_err());
        assert!(a.starts_with(&p("\\file system\\SALES")));
        assert!(!p("\\A").starts_with(&a));
        assert_eq!(StorePath::from_segments(["A", "B"]).unwrap(), p("A\\B"));
        assert!(StorePath::from_segments(["A", "C:"]).is_err());
    }

    #[test]
    fn compares_and_hashes_ignoring_case() {
        assert_eq!(p("\\File System\\ÄPFEL"), p("/file system/äpfel"));
        assert_ne!(p("\\A\\B"), p("\\A\\B\\C"));
        assert_ne!(p("\\A\\B"), p("\\A\\C"));
        let set: HashSet<StorePath> = [p("\\A\\Straße"), p("\\a\\STRASSE"), p("\\a\\straße")]
            .into_iter()
            .collect();
        // ß lowercases to itself, so STRASSE is a different name.
        assert_eq!(set.len(), 2);
    }

    #[test]
    fn rejects_bad_names_with_the_rule() {
        let cases: &[(&str, &str)] = &[
            ("\\A\\\\B", "empty name"),
            ("\\A\\..\\B", "'..'"),
            ("\\A\\.", "'.'"),
            ("C:\\Windows", "drive letter"),
            ("\\c:", "drive letter"),
            ("\\A\\x\0y", "U+0000"),
            ("\\A\\tab\there", "U+0009"),
            ("\\A\\CON", "reserved"),
            ("\\A\\con.txt", "reserved"),
            ("\\A\\Lpt9", "reserved"),
            ("\\A\\COM1.dtsx", "reserved"),
            ("\\A\\dot.", "ends with a dot"),
            ("\\A\\space ", "ends with a dot or a space"),
            ("\\A\\a*b", "'*'"),
            ("\\A\\a?b", "'?'"),
            ("\\A\\a\"b", "'\"'"),
            ("\\A\\a<b", "'<'"),
            ("\\A\\a|b", "'|'"),
            ("\\A\\ab:c", "':'"),
            ("\\A\\a:b", "drive letter"),
            ("\\A\\.ssis-tmp-x", "reserved for temporary"),
        ];
        for (text, rule) in cases {
            let e = err(text);
            assert!(e.message.contains(rule), "{text}: {}", e.message);
        }
        let long = format!("\\A\\{}", "é".repeat(128));
        assert!(err(&long).message.contains("256 bytes"));
        assert!(StorePath::parse(&format!("\\A\\{}", "x".repeat(255))).is_ok());
        // Names that look reserved but are not.
        for ok in [
            "CONSOLE",
            "COM10",
            "LPT",
            "AUXILIARY",
            "nul_x",
            ".hidden",
            " lead",
        ] {
            validate_name(ok, "name").unwrap();
        }
    }

    #[test]
    fn validate_name_names_the_offender() {
        let e = validate_name("a/b", "folder name").unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidArgument);
        assert!(e.message.starts_with("folder name 'a/b'"), "{}", e.message);
        assert_eq!(e.target.as_deref(), Some("a/b"));
        assert!(validate_name("", "package name").is_err());
        let e = validate_name("nul\0", "name").unwrap_err();
        assert!(e.message.contains("nul\\u{0}"), "{}", e.message);
    }

    #[test]
    fn serializes_as_its_display_form() {
        let a = p("/A/B");
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"\\\\A\\\\B\"");
        let b: StorePath = serde_json::from_str("\"/a/b\"").unwrap();
        assert_eq!(a, b);
        assert!(serde_json::from_str::<StorePath>("\"/a/..\"").is_err());
    }

    fn valid_name() -> impl Strategy<Value = String> {
        "[A-Za-z0-9_ÄäÖöÜüßéÉ ()\\-]{1,20}"
            .prop_filter("valid", |s| validate_name(s, "name").is_ok())
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC*") {
            let _ = StorePath::parse(&text);
        }

        #[test]
        fn arbitrary_bytes_never_panic(text in any::<String>()) {
            if let Ok(path) = StorePath::parse(&text) {
                // Whatever parses displays as a path that parses back equal.
                prop_assert_eq!(StorePath::parse(&path.to_string()).unwrap(), path);
            }
        }

        #[test]
        fn display_parse_round_trip(names in proptest::collection::vec(valid_name(), 0..6)) {
            let path = StorePath::from_segments(names.clone()).unwrap();
            let back = StorePath::parse(&path.to_string()).unwrap();
            prop_assert_eq!(back.segments(), path.segments());
            let slashed = format!("/{}", names.join("/"));
            prop_assert_eq!(StorePath::parse(&slashed).unwrap(), path);
        }

        #[test]
        fn equality_ignores_case(names in proptest::collection::vec(valid_name(), 1..5)) {
            let path = StorePath::from_segments(names.clone()).unwrap();
            let upper: Vec<String> = names.iter().map(|n| n.to_uppercase()).collect();
            let lower: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
            if let (Ok(u), Ok(l)) = (StorePath::from_segments(upper), StorePath::from_segments(lower)) {
                prop_assert_eq!(&l, &path);
                // Uppercasing may change length (ß -> SS) and so the name; only
                // check it when it lowercases back to the same thing.
                if u.segments().iter().zip(path.segments()).all(|(a, b)| a.to_lowercase() == b.to_lowercase()) {
                    prop_assert_eq!(&u, &path);
                }
            }
        }
    }
}

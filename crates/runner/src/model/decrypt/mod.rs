//! Opens what SSIS encrypted with a password (`/DECRYPT`): the protection
//! levels EncryptSensitiveWithPassword and EncryptAllWithPassword, in
//! packages and in a project's files.
//!
//! Two layouts are written, both replacing an element by its encryption
//! whose clear text is the element's own XML:
//!
//! - **inline** (project files: `.conmgr`, `Project.params`, the manifest's
//!   `PasswordVerifier`): the element keeps its name and gains `Salt` and
//!   `IV` attributes (and, from SSDT 2017 on, `Algorithm`) in the SSIS
//!   namespace; its text is the base64 cipher text (PKCS #7), a whole
//!   `.conmgr` root included;
//! - **XML Encryption** (packages): an `<EncryptedData>` element of
//!   `http://www.w3.org/2001/04/xmlenc#` with un-namespaced `Salt` and `IV`,
//!   whose `EncryptionMethod` names the cipher and whose `CipherValue` is
//!   the IV followed by the cipher text (ISO 10126 padding). It stands for
//!   the whole package (the document's root), or for one sensitive element
//!   (an Execute Package task's `PackagePassword`, seen in a real file);
//!   when the clear text is an element named as the `EncryptedData`'s
//!   parent (a sensitive parameter's `ParameterValue` property), it
//!   replaces that parent.
//!
//! `cipher` has the two ciphers: Triple DES (the older SSDT, one key for
//! the document) and AES-256 (later SSDT, a key per value from its salt).
//!
//! The document is rewritten as text, each encrypted element replaced by
//! its clear text, and then read as usual. A wrong password is an error
//! naming the element: the padding or the XML of the clear text is wrong.

mod cipher;

use crate::cancel::CancelToken;
use base64::Engine;
use cipher::{Algorithm, Key, Padding};
use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use ssis_core::error::{Error, ErrorKind, Result};
use std::path::Path;

const SSIS_NS: &str = "www.microsoft.com/SqlServer/SSIS";
const XMLENC_NS: &str = "http://www.w3.org/2001/04/xmlenc#";
const BOM: &str = "\u{feff}";

/// What an open element is, for decryption.
enum Kind {
    Plain,
    /// An element encrypted inline, with its IV.
    Inline {
        iv: Vec<u8>,
        cipher: Cipher,
    },
    /// An `<EncryptedData>`, gathering its `CipherValue`.
    EncryptedData {
        value: String,
        cipher: Cipher,
    },
    CipherValue,
}

impl Kind {
    fn encrypted(&self) -> bool {
        matches!(self, Kind::Inline { .. } | Kind::EncryptedData { .. })
    }
}

/// How one value is encrypted: its algorithm (its `EncryptionMethod`
/// comes after the `EncryptedData` starts), its salt, and what keeps it
/// from being decrypted whatever the password (an algorithm this runner
/// does not have, a salt that is not base64).
#[derive(Default)]
struct Cipher {
    algorithm: Algorithm,
    salt: Vec<u8>,
    problem: Option<String>,
}

impl Cipher {
    fn named(&mut self, uri: &str) {
        match Algorithm::from_uri(uri) {
            Some(a) => self.algorithm = a,
            None => {
                self.problem = Some(format!(
                    "is encrypted with {uri}, which this runner does not decrypt"
                ))
            }
        }
    }

    fn salted(&mut self, text: &str) {
        match base64(text) {
            Some(salt) => self.salt = salt,
            None => self.problem = Some(format!("has a Salt that is not base64 ('{text}')")),
        }
    }
}

/// The keys of one password: Triple DES's is the same for every value,
/// AES's is derived from each value's salt.
struct Keys<'a> {
    password: &'a str,
    triple_des: Option<Key>,
}

impl Keys<'_> {
    fn decrypt(
        &mut self,
        cipher: &Cipher,
        iv: &[u8],
        data: &[u8],
        padding: Padding,
    ) -> Option<Vec<u8>> {
        match cipher.algorithm {
            Algorithm::TripleDes => self
                .triple_des
                .get_or_insert_with(|| Key::new(Algorithm::TripleDes, self.password, &[]))
                .decrypt(iv, data, padding),
            Algorithm::Aes256 => {
                Key::new(Algorithm::Aes256, self.password, &cipher.salt).decrypt(iv, data, padding)
            }
        }
    }
}

struct Frame {
    name: String,
    /// Its `Name` attribute (`DTS:Name`, `SSIS:Name`), which says which
    /// property it is.
    property: Option<String>,
    start: usize,
    kind: Kind,
    text: String,
    /// Clear text that replaces this element when it ends.
    replaced_by: Option<String>,
}

/// The document with every password-encrypted element replaced by its
/// clear text, or `None` when it holds none. `origin` names the document
/// in errors; a wrong `password` is a `Package` error naming the element.
/// Ends with a `Canceled` error soon after `cancel` is set.
pub fn decrypt_document(
    bytes: &[u8],
    password: &str,
    origin: &Path,
    cancel: &CancelToken,
) -> Result<Option<Vec<u8>>> {
    let had_bom = bytes.starts_with(BOM.as_bytes());
    let body = bytes.strip_prefix(BOM.as_bytes()).unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(body) else {
        return Ok(None); // The XML reader names the bad byte.
    };
    if !text.contains("Salt") {
        return Ok(None);
    }
    let mut keys = Keys {
        password,
        triple_des: None,
    };
    let edits = find_and_decrypt(text, &mut keys, origin, cancel)?;
    if edits.is_empty() {
        return Ok(None);
    }
    let mut out = String::with_capacity(text.len());
    if had_bom {
        out.push_str(BOM);
    }
    let mut at = 0;
    for (range, clear) in edits {
        // Edits come in document order and never overlap (nesting is refused).
        let Some(before) = text.get(at..range.start) else {
            return Err(Error::internal("overlapping encrypted elements").with_file(origin));
        };
        out.push_str(before);
        out.push_str(&clear);
        at = range.end;
    }
    out.push_str(&text[at..]);
    Ok(Some(out.into_bytes()))
}

/// Whether `bytes` holds a value encrypted with a password (a `Salt` in
/// either layout), without decrypting anything.
pub fn has_password_encryption(bytes: &[u8]) -> bool {
    let body = bytes.strip_prefix(BOM.as_bytes()).unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(body) else {
        return false;
    };
    text.contains("Salt") && {
        let mut reader = NsReader::from_str(text);
        loop {
            match reader.read_event() {
                Ok(Event::Start(s)) | Ok(Event::Empty(s))
                    if encryption(&reader, &s).is_some_and(|k| k.encrypted()) =>
                {
                    break true;
                }
                Ok(Event::Eof) | Err(_) => break false,
                _ => {}
            }
        }
    }
}

type Edit = (std::ops::Range<usize>, String);

fn find_and_decrypt(
    text: &str,
    keys: &mut Keys,
    origin: &Path,
    cancel: &CancelToken,
) -> Result<Vec<Edit>> {
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut edits: Vec<Edit> = Vec::new();
    // Lines are counted only for an error: counting for every element
    // made a 10 MB package take minutes.
    let line_of = |pos: usize| text[..pos.min(text.len())].matches('\n').count() as u64 + 1;
    let mut poll = super::xml::CancelPoll::new(cancel);
    let malformed = |e: quick_xml::Error, pos: u64| {
        Error::new(ErrorKind::Package, format!("malformed XML: {e}"))
            .with_file(origin)
            .at(line_of(pos as usize), 1)
    };
    loop {
        poll.check("decrypted", origin)?;
        let start = reader.buffer_position() as usize;
        let event = reader
            .read_event()
            .map_err(|e| malformed(e, reader.error_position()))?;
        match event {
            Event::Start(_) if stack.len() == super::xml::MAX_DEPTH => {
                return Err(Error::new(
                    ErrorKind::Package,
                    format!(
                        "elements nest deeper than {} levels, more than this reader takes",
                        super::xml::MAX_DEPTH
                    ),
                )
                .with_file(origin)
                .at(line_of(start), 1));
            }
            Event::Start(s) => {
                encryption_method(&reader, &s, &mut stack);
                let kind = encryption(&reader, &s).unwrap_or(Kind::Plain);
                let kind = match (&kind, stack.last()) {
                    (Kind::Plain, Some(f)) if is_cipher_value(&reader, &s, f) => Kind::CipherValue,
                    _ => kind,
                };
                if kind.encrypted() && stack.iter().any(|f| f.kind.encrypted()) {
                    return Err(Error::new(
                        ErrorKind::Package,
                        "an encrypted element inside another encrypted element: SSIS does not \
                         write this, and it is not decrypted",
                    )
                    .with_file(origin)
                    .at(line_of(start), 1));
                }
                stack.push(Frame {
                    name: s.name().as_ref().to_string(),
                    property: name_attribute(&s),
                    start,
                    kind,
                    text: String::new(),
                    replaced_by: None,
                });
            }
            Event::Empty(s) => encryption_method(&reader, &s, &mut stack),
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                if let Some(top) = stack
                    .last_mut()
                    .filter(|f| matches!(f.kind, Kind::Inline { .. } | Kind::CipherValue))
                {
                    push_text(&mut top.text, event);
                }
            }
            Event::End(_) => {
                let Some(frame) = stack.pop() else { break };
                let end = reader.buffer_position() as usize;
                let what = describe(&frame, stack.last());
                let fail = || wrong_password(&what, origin, line_of(frame.start));
                let unknown = |cipher: &Cipher| {
                    cipher.problem.as_ref().map(|problem| {
                        Error::new(ErrorKind::Package, format!("{what} {problem}"))
                            .with_file(origin)
                            .at(line_of(frame.start), 1)
                    })
                };
                match frame.kind {
                    Kind::Inline { iv, cipher } => {
                        if let Some(e) = unknown(&cipher) {
                            return Err(e);
                        }
                        let data = base64(&frame.text).ok_or_else(fail)?;
                        let clear = keys.decrypt(&cipher, &iv, &data, Padding::Pkcs7);
                        let clear = clear.and_then(element_xml).ok_or_else(fail)?;
                        edits.push((frame.start..end, clear));
                    }
                    Kind::EncryptedData { value, cipher } => {
                        if let Some(e) = unknown(&cipher) {
                            return Err(e);
                        }
                        // The CipherValue is the IV, then the cipher text.
                        let block = cipher.algorithm.block();
                        let data = base64(&value)
                            .filter(|d| d.len() > block)
                            .ok_or_else(fail)?;
                        let (iv, data) = data.split_at(block);
                        let clear = keys.decrypt(&cipher, iv, data, Padding::Iso10126);
                        let clear = clear.and_then(element_xml).ok_or_else(fail)?;
                        match stack.last_mut() {
                            Some(parent) if replaces(parent, &clear) => {
                                parent.replaced_by = Some(clear);
                            }
                            _ => edits.push((frame.start..end, clear)),
                        }
                    }
                    Kind::CipherValue => {
                        if let Some(Kind::EncryptedData { value, .. }) =
                            stack.iter_mut().rev().nth(1).map(|f| &mut f.kind)
                        {
                            value.push_str(&frame.text);
                        }
                    }
                    Kind::Plain => {
                        if let Some(clear) = frame.replaced_by {
                            while edits.last().is_some_and(|(r, _)| r.start >= frame.start) {
                                edits.pop();
                            }
                            edits.push((frame.start..end, clear));
                        }
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(edits)
}

/// Records the algorithm `<EncryptionMethod Algorithm="...#aes256-cbc"/>`
/// names for the `EncryptedData` it is in (the top of `stack`).
fn encryption_method(reader: &NsReader<&[u8]>, s: &BytesStart, stack: &mut [Frame]) {
    let Some(Kind::EncryptedData { cipher, .. }) = stack.last_mut().map(|f| &mut f.kind) else {
        return;
    };
    let (_, local) = reader.resolver().resolve_element(s.name());
    if local.as_ref() != "EncryptionMethod" {
        return;
    }
    let uri = s
        .attributes()
        .flatten()
        .find_map(|a| (a.key.as_ref() == "Algorithm").then(|| a.value.to_string()));
    if let Some(uri) = uri {
        cipher.named(&uri);
    }
}

/// Adds the text of a text, CDATA or character reference event to `text`
/// (base64 has no entities, but a writer may escape a character anyway).
fn push_text(text: &mut String, event: Event) {
    match event {
        Event::Text(t) => text.push_str(&t),
        Event::CData(t) => text.push_str(&t),
        Event::GeneralRef(r) => {
            if let Ok(Some(c)) = r.resolve_char_ref() {
                text.push(c);
            }
        }
        _ => {}
    }
}

/// How `s` is encrypted, if it is: SSIS-namespace `Salt` and `IV`
/// (inline), or an XML Encryption `EncryptedData` with a `Salt`.
fn encryption(reader: &NsReader<&[u8]>, s: &BytesStart) -> Option<Kind> {
    let (ns, local) = reader.resolver().resolve_element(s.name());
    let element_ns = match ns {
        ResolveResult::Bound(Namespace(n)) => Some(n),
        _ => None,
    };
    let mut inline_iv = None;
    let (mut inline_salt, mut xmlenc_salt) = (false, false);
    let (mut inline, mut xmlenc) = (Cipher::default(), Cipher::default());
    for a in s.attributes().flatten() {
        let (ans, alocal) = reader.resolver().resolve_attribute(a.key);
        let in_ssis = matches!(ans, ResolveResult::Bound(Namespace(n)) if n == SSIS_NS);
        let value = &a.value;
        match (alocal.as_ref(), in_ssis) {
            ("Salt", true) => {
                inline_salt = true;
                inline.salted(value);
            }
            ("IV", true) => inline_iv = base64(value),
            ("Algorithm", true) => inline.named(value),
            ("Salt", false) => {
                xmlenc_salt = true;
                xmlenc.salted(value);
            }
            _ => {}
        }
    }
    if local.as_ref() == "EncryptedData" && element_ns == Some(XMLENC_NS) {
        return xmlenc_salt.then_some(Kind::EncryptedData {
            value: String::new(),
            cipher: xmlenc,
        });
    }
    let iv = inline_iv.filter(|_| inline_salt)?;
    Some(Kind::Inline { iv, cipher: inline })
}

/// Whether `s` is the `CipherValue` of an `EncryptedData` (inside its
/// `CipherData`, the frame `parent`).
fn is_cipher_value(reader: &NsReader<&[u8]>, s: &BytesStart, parent: &Frame) -> bool {
    let (_, local) = reader.resolver().resolve_element(s.name());
    local.as_ref() == "CipherValue" && parent.name.ends_with("CipherData")
}

/// The element's `Name` attribute, in any namespace.
fn name_attribute(s: &BytesStart) -> Option<String> {
    s.attributes().flatten().find_map(|a| {
        let local = super::xml::local(a.key.as_ref());
        (local == "Name").then(|| a.value.to_string())
    })
}

/// Whether the clear text of an `EncryptedData` is its `parent` element
/// (same name, same `Name` attribute) and so replaces it.
fn replaces(parent: &Frame, clear: &str) -> bool {
    let mut reader = quick_xml::Reader::from_str(clear);
    loop {
        match reader.read_event() {
            Ok(Event::Start(s)) | Ok(Event::Empty(s)) => {
                return s.name().as_ref() == parent.name && name_attribute(&s) == parent.property;
            }
            Ok(Event::Eof) | Err(_) => return false,
            _ => {}
        }
    }
}

/// Clear text as the XML of one element (a UTF-8 BOM dropped), or `None`
/// when it is not: what a wrong password gives, nearly always.
fn element_xml(clear: Vec<u8>) -> Option<String> {
    let text = String::from_utf8(clear).ok()?;
    let text = text.strip_prefix(BOM).unwrap_or(&text).to_string();
    let mut reader = quick_xml::Reader::from_str(&text);
    let (mut depth, mut roots) = (0usize, 0usize);
    loop {
        match reader.read_event().ok()? {
            Event::Start(_) => {
                roots += usize::from(depth == 0);
                depth += 1;
            }
            Event::Empty(_) => roots += usize::from(depth == 0),
            Event::End(_) => depth = depth.checked_sub(1)?,
            Event::Text(t) if depth == 0 && !t.trim().is_empty() => return None,
            Event::Eof => break,
            _ => {}
        }
    }
    (roots == 1 && depth == 0).then_some(text)
}

fn base64(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()
}

/// What `frame` holds, for errors: the element and its property name; for
/// an `EncryptedData`, the package (at the root) or its `parent`.
fn describe(frame: &Frame, parent: Option<&Frame>) -> String {
    match (&frame.kind, parent) {
        (Kind::EncryptedData { .. }, None) => "the package".into(),
        (Kind::EncryptedData { .. }, Some(p)) => {
            format!("the value encrypted in {}", element(p))
        }
        _ => element(frame),
    }
}

fn element(frame: &Frame) -> String {
    match &frame.property {
        Some(p) => format!("<{} Name=\"{p}\">", frame.name),
        None => format!("<{}>", frame.name),
    }
}

fn wrong_password(what: &str, origin: &Path, line: u64) -> Error {
    Error::new(
        ErrorKind::Package,
        format!(
            "the /DECRYPT password does not decrypt {what}: it is not the password this was saved with"
        ),
    )
    .with_file(origin)
    .at(line, 1)
    .with_target("/DECRYPT")
}

#[cfg(test)]
mod tests;

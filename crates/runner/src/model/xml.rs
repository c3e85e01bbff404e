//! A small read-only XML tree for `.dtsx` files: element names, attributes,
//! text and the line each element starts on (for error messages).

use crate::cancel::CancelToken;
use quick_xml::XmlVersion;
use quick_xml::events::Event;
use ssis_core::error::{Error, ErrorKind, Result};
use std::path::Path;

/// One element: qualified name as written (`DTS:Executable`), attributes in
/// document order, child elements and the concatenated text and CDATA.
#[derive(Debug, Clone, Default)]
pub struct Element {
    /// Qualified name, e.g. `DTS:Property`.
    pub name: String,
    /// Attributes as (qualified name, unescaped value).
    pub attrs: Vec<(String, String)>,
    /// Child elements in order.
    pub children: Vec<Element>,
    /// Direct text content (text and CDATA, unescaped).
    pub text: String,
    /// 1-based line of the start tag.
    pub line: u64,
}

/// The part of a qualified name after the prefix: `DTS:Executable` -> `Executable`.
pub fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, l)| l)
}

impl Element {
    /// This element's local name.
    pub fn local_name(&self) -> &str {
        local(&self.name)
    }

    /// An attribute by local name (`ObjectName` matches `DTS:ObjectName`), case-sensitive.
    pub fn attr(&self, local_name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| local(k) == local_name)
            .map(|(_, v)| v.as_str())
    }

    /// Child elements with the given local name.
    pub fn children_named<'a>(&'a self, local_name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children
            .iter()
            .filter(move |c| c.local_name() == local_name)
    }

    /// The first child element with the given local name.
    pub fn child(&self, local_name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.local_name() == local_name)
    }

    /// The text of a direct `<DTS:Property DTS:Name="name">` child (2005/2008 layout).
    pub fn property_child(&self, name: &str) -> Option<&str> {
        self.children
            .iter()
            .find(|p| p.local_name() == "Property" && p.attr("Name") == Some(name))
            .map(|p| p.text.as_str())
    }

    /// A property in either layout: the attribute (2012+) or else the
    /// `<DTS:Property>` child (2005/2008).
    pub fn prop(&self, name: &str) -> Option<&str> {
        self.attr(name).or_else(|| self.property_child(name))
    }
}

/// Parses a whole document; `origin` names the source in errors.
pub fn parse(bytes: &[u8], origin: &Path) -> Result<Element> {
    parse_with(bytes, origin, &CancelToken::new())
}

/// How many XML events are read between two looks at the cancel token.
const CANCEL_POLL_EVENTS: u32 = 4096;

/// Deepest element nesting read (real packages stay well under 50, as in
/// ssis-core's package readers): the tree's readers recurse, and a few KB
/// of nested tags would otherwise overflow the stack.
pub const MAX_DEPTH: usize = 256;

/// Most elements read from one document. A tree takes about 150 bytes an
/// element, so this bounds it near 300 MB, where a small (or zipped) file
/// of empty elements could otherwise take gigabytes; the largest real
/// packages have a few hundred thousand.
pub const MAX_ELEMENTS: usize = 2_000_000;

/// [`parse`], ending with a `Canceled` error soon after `cancel` is set.
pub fn parse_with(bytes: &[u8], origin: &Path, cancel: &CancelToken) -> Result<Element> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, col) = line_col(bytes, e.valid_up_to());
        Error::new(ErrorKind::Package, "the package is not valid UTF-8")
            .with_file(origin)
            .at(line, col)
    })?;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let fail = |msg: String, pos: u64| {
        let (line, col) = line_col(bytes, pos as usize);
        Error::new(ErrorKind::Package, msg)
            .with_file(origin)
            .at(line, col)
    };
    let mut lines = LineCounter::default();
    let mut poll = CancelPoll::new(cancel);
    let mut elements = 0usize;
    loop {
        poll.check("loaded", origin)?;
        let pos = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| fail(format!("malformed XML: {e}"), reader.error_position()))?;
        match event {
            Event::Start(s) | Event::Empty(s) if root.is_some() => {
                let _ = s;
                return Err(fail("content after the root element".into(), pos));
            }
            Event::Start(_) | Event::Empty(_) if elements == MAX_ELEMENTS => {
                return Err(fail(
                    format!(
                        "the document has more than {MAX_ELEMENTS} elements, more than this reader takes"
                    ),
                    pos,
                ));
            }
            Event::Start(_) if stack.len() == MAX_DEPTH => {
                return Err(fail(
                    format!(
                        "elements nest deeper than {MAX_DEPTH} levels, more than this reader takes"
                    ),
                    pos,
                ));
            }
            Event::Start(s) => {
                elements += 1;
                let line = lines.line_at(bytes, pos as usize);
                stack.push(start_element(&s, line, pos, &fail)?);
            }
            Event::Empty(s) => {
                elements += 1;
                let line = lines.line_at(bytes, pos as usize);
                let el = start_element(&s, line, pos, &fail)?;
                finish(el, &mut stack, &mut root);
            }
            Event::End(_) => match stack.pop() {
                Some(el) => finish(el, &mut stack, &mut root),
                None => return Err(fail("unexpected end tag".into(), pos)),
            },
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml_content(XmlVersion::Implicit1_0));
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml_content(XmlVersion::Implicit1_0));
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    let ch = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c),
                        Ok(None) => match &*r.into_inner() {
                            "lt" => Some('<'),
                            "gt" => Some('>'),
                            "amp" => Some('&'),
                            "apos" => Some('\''),
                            "quot" => Some('"'),
                            other => {
                                return Err(fail(format!("unknown entity '&{other};'"), pos));
                            }
                        },
                        Err(e) => return Err(fail(format!("bad character reference: {e}"), pos)),
                    };
                    top.text.extend(ch);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(fail(
            "unexpected end of file: unclosed elements".into(),
            bytes.len() as u64,
        ));
    }
    root.ok_or_else(|| fail("the file has no root element".into(), 0))
}

/// Looks at a cancel token once every [`CANCEL_POLL_EVENTS`] calls, for
/// the readers that go through a document event by event.
pub(crate) struct CancelPoll<'a> {
    cancel: &'a CancelToken,
    until: u32,
}

impl<'a> CancelPoll<'a> {
    pub(crate) fn new(cancel: &'a CancelToken) -> CancelPoll<'a> {
        CancelPoll {
            cancel,
            until: CANCEL_POLL_EVENTS,
        }
    }

    /// A `Canceled` error ("canceled while the package was being `doing`")
    /// once the token is set.
    pub(crate) fn check(&mut self, doing: &str, origin: &Path) -> Result<()> {
        self.until -= 1;
        if self.until > 0 {
            return Ok(());
        }
        self.until = CANCEL_POLL_EVENTS;
        if self.cancel.is_canceled() {
            return Err(Error::new(
                ErrorKind::Canceled,
                format!("canceled while the package was being {doing}"),
            )
            .with_file(origin));
        }
        Ok(())
    }
}

fn start_element(
    s: &quick_xml::events::BytesStart<'_>,
    line: u64,
    pos: u64,
    fail: &dyn Fn(String, u64) -> Error,
) -> Result<Element> {
    let mut attrs = Vec::new();
    for a in s.attributes() {
        let a = a.map_err(|e| fail(format!("malformed attribute: {e}"), pos))?;
        let value = a
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| fail(format!("malformed attribute value: {e}"), pos))?;
        attrs.push((a.key.as_ref().to_string(), value.into_owned()));
    }
    Ok(Element {
        name: s.name().as_ref().to_string(),
        attrs,
        children: Vec::new(),
        text: String::new(),
        line,
    })
}

fn finish(el: Element, stack: &mut [Element], root: &mut Option<Element>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => *root = Some(el),
    }
}

/// The lines of increasing offsets, counting each byte once: the parse
/// stays linear in the file's size (recounting from the start for every
/// element made a one-line 1 MB package take most of a minute).
#[derive(Default)]
struct LineCounter {
    offset: usize,
    newlines: u64,
}

impl LineCounter {
    /// The 1-based line of `offset`.
    fn line_at(&mut self, bytes: &[u8], offset: usize) -> u64 {
        let offset = offset.min(bytes.len());
        if offset < self.offset {
            return line_col(bytes, offset).0;
        }
        self.newlines += bytes[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.offset = offset;
        self.newlines + 1
    }
}

/// 1-based line and column of a byte offset (for errors: scans from the start).
fn line_col(bytes: &[u8], offset: usize) -> (u64, u64) {
    let upto = &bytes[..offset.min(bytes.len())];
    let line = upto.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let col = upto.iter().rev().take_while(|&&b| b != b'\n').count() as u64 + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_attributes_text_entities_and_lines() {
        let doc = "\u{feff}<?xml version=\"1.0\"?>\n<a:R a:x=\"1 &amp; 2\">\n <a:Property a:Name=\"N\">v&lt;&#65;</a:Property><![CDATA[c]]></a:R>";
        let root = parse(doc.as_bytes(), Path::new("t.dtsx")).unwrap();
        assert_eq!(root.local_name(), "R");
        assert_eq!(root.attr("x"), Some("1 & 2"));
        assert_eq!(root.property_child("N"), Some("v<A"));
        assert_eq!(root.children[0].line, 3);
        assert!(root.text.contains('c'));
    }

    #[test]
    fn element_lines_match_a_count_from_the_start() {
        let mut doc = String::from("<r>\n");
        for i in 0..200 {
            doc.push_str(&format!("<a n=\"{i}\">{}</a>", "\n".repeat(i % 3)));
            doc.push_str(if i % 2 == 0 { "<b/>" } else { "\n<b/>" });
        }
        doc.push_str("</r>");
        let root = parse(doc.as_bytes(), Path::new("t.dtsx")).unwrap();
        let mut starts = doc.match_indices("<a ").map(|(i, _)| i);
        let mut b_starts = doc.match_indices("<b/>").map(|(i, _)| i);
        for el in &root.children {
            let at = if el.name == "a" {
                starts.next()
            } else {
                b_starts.next()
            };
            assert_eq!(el.line, line_col(doc.as_bytes(), at.unwrap()).0);
        }
        assert_eq!(root.children.len(), 400);
    }

    #[test]
    fn a_canceled_parse_ends_with_canceled() {
        let doc = format!("<r>{}</r>", "<a/>".repeat(3 * CANCEL_POLL_EVENTS as usize));
        let cancel = CancelToken::new();
        cancel.cancel();
        let err = parse_with(doc.as_bytes(), Path::new("big.dtsx"), &cancel).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Canceled);
        assert!(parse(doc.as_bytes(), Path::new("big.dtsx")).is_ok());
    }

    #[test]
    fn deep_or_huge_documents_are_refused_not_a_crash() {
        let deep = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(parse(deep.as_bytes(), Path::new("p.dtsx")).is_ok());
        let deeper = format!("<r>{deep}</r>");
        let e = parse(deeper.as_bytes(), Path::new("p.dtsx")).unwrap_err();
        assert!(e.message.contains("deeper than 256"), "{e}");
        let bomb = "<a>".repeat(200_000);
        let e = parse(bomb.as_bytes(), Path::new("p.dtsx")).unwrap_err();
        assert!(e.message.contains("deeper"), "{e}");
        let wide = format!("<r>{}</r>", "<b/>".repeat(MAX_ELEMENTS));
        let e = parse(wide.as_bytes(), Path::new("p.dtsx")).unwrap_err();
        assert!(e.message.contains("more than 2000000 elements"), "{e}");
        assert!(e.to_string().contains("p.dtsx:1:"), "{e}");
    }

    #[test]
    fn malformed_xml_names_file_and_line() {
        let err = parse(b"<a>\n<b></a>", Path::new("bad.dtsx")).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Package);
        assert_eq!(err.details.line, Some(2));
        let err = parse(b"<a>", Path::new("bad.dtsx")).unwrap_err();
        assert!(err.message.contains("unclosed"), "{}", err.message);
    }
}

//! A small XML document model that keeps everything it reads.
//!
//! The configuration reader works on this model rather than on a typed
//! deserializer so that writing a file back loses nothing: comments,
//! processing instructions, unknown elements and attributes, attribute order
//! and quoting, whitespace and line endings all come out as they went in.
//! Start tags are kept as raw text; text is kept escaped exactly as written.

use quick_xml::events::Event;
use quick_xml::reader::Reader;

/// A parsed XML file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Document {
    /// The file started with a UTF-8 byte-order mark.
    pub bom: bool,
    /// Declaration, comments and whitespace before the root element.
    pub prolog: Vec<Node>,
    /// The root element.
    pub root: Element,
    /// Comments and whitespace after the root element.
    pub epilog: Vec<Node>,
}

/// One piece of XML content, kept as written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// An element with its content.
    Element(Element),
    /// Character data, escaped as in the file (entity references included).
    Text(String),
    /// `<![CDATA[...]]>` content.
    CData(String),
    /// `<!--...-->` content.
    Comment(String),
    /// `<?xml ...?>` content (between `<?` and `?>`).
    Decl(String),
    /// `<?...?>` content.
    Pi(String),
    /// The whole `<!DOCTYPE ...>` declaration as written.
    DocType(String),
}

/// An element: its raw start tag, parsed attributes and children.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Element {
    /// Qualified name, e.g. `Folder`.
    pub name: String,
    /// The start tag between `<` and `>` (or `/>`), e.g. `Folder xsi:type="X"`.
    pub start: String,
    /// Attributes as (qualified name, unescaped value), in file order.
    pub attrs: Vec<(String, String)>,
    /// Child nodes in file order.
    pub children: Vec<Node>,
    /// Written as `<name/>`.
    pub self_closing: bool,
    /// Byte offset of the `<` in the parsed text (0 for new elements).
    pub offset: usize,
}

/// A well-formedness error at a byte offset of the parsed text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct XmlError {
    pub offset: usize,
    pub message: String,
}

impl XmlError {
    fn new(offset: usize, message: impl Into<String>) -> XmlError {
        XmlError {
            offset,
            message: message.into(),
        }
    }
}

/// Splits off a UTF-8 byte-order mark: (had one, the text after it).
pub(crate) fn split_bom(text: &str) -> (bool, &str) {
    match text.strip_prefix('\u{FEFF}') {
        Some(rest) => (true, rest),
        None => (false, text),
    }
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (u64, u64) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() as u64 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() as u64 + 1;
    (line, column)
}

/// Deepest element nesting accepted: the writer and the drop glue recurse,
/// and a configuration file needs four levels.
const MAX_DEPTH: usize = 256;

/// Parses `text` (without a byte-order mark) into a [`Document`].
pub(crate) fn parse(text: &str) -> Result<Document, XmlError> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut prolog = Vec::new();
    let mut epilog = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let before = reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => {
                return Err(XmlError::new(
                    reader.error_position() as usize,
                    format!("malformed XML: {e}"),
                ));
            }
        };
        let node = match event {
            Event::Start(s) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::new(
                        before,
                        format!("elements are nested more than {MAX_DEPTH} levels deep"),
                    ));
                }
                stack.push(element_from(&s, before)?);
                continue;
            }
            Event::Empty(s) => {
                let mut el = element_from(&s, before)?;
                el.self_closing = true;
                Node::Element(el)
            }
            Event::End(e) => match stack.pop() {
                Some(el) => Node::Element(el),
                None => {
                    let name = e.name().as_ref().to_string();
                    return Err(XmlError::new(
                        before,
                        format!("malformed XML: end tag </{name}> has no start tag"),
                    ));
                }
            },
            Event::Text(t) => Node::Text(t.into_inner().into_owned()),
            Event::GeneralRef(r) => Node::Text(format!("&{};", r.into_inner())),
            Event::CData(c) => Node::CData(c.into_inner().into_owned()),
            Event::Comment(c) => Node::Comment(c.into_inner().into_owned()),
            Event::Decl(d) => Node::Decl(d.to_string()),
            Event::PI(p) => Node::Pi(p.into_inner().into_owned()),
            Event::DocType(_) => {
                let after = reader.buffer_position() as usize;
                Node::DocType(text.get(before..after).unwrap_or_default().to_string())
            }
            Event::Eof => break,
        };
        if let Some(parent) = stack.last_mut() {
            push_merging_text(&mut parent.children, node);
            continue;
        }
        match node {
            Node::Element(el) => {
                if root.is_some() {
                    return Err(XmlError::new(
                        el.offset,
                        format!(
                            "malformed XML: a second root element <{}> follows the root element",
                            el.name
                        ),
                    ));
                }
                root = Some(el);
            }
            Node::Text(t) | Node::CData(t) if !t.trim().is_empty() => {
                return Err(XmlError::new(
                    before,
                    "malformed XML: text outside the root element",
                ));
            }
            other if root.is_none() => push_merging_text(&mut prolog, other),
            other => push_merging_text(&mut epilog, other),
        }
    }
    if let Some(open) = stack.last() {
        return Err(XmlError::new(
            open.offset,
            format!(
                "malformed XML: element <{}> is not closed before the end of the file",
                open.name
            ),
        ));
    }
    match root {
        Some(root) => Ok(Document {
            bom: false,
            prolog,
            root,
            epilog,
        }),
        None if text.trim().is_empty() => Err(XmlError::new(0, "the file is empty")),
        None => Err(XmlError::new(text.len(), "the file has no root element")),
    }
}

/// Appends `node`, joining it to a preceding text node (entity references
/// arrive as separate events).
fn push_merging_text(nodes: &mut Vec<Node>, node: Node) {
    match (nodes.last_mut(), node) {
        (Some(Node::Text(prev)), Node::Text(t)) => prev.push_str(&t),
        (_, node) => nodes.push(node),
    }
}

fn element_from(
    start: &quick_xml::events::BytesStart<'_>,
    offset: usize,
) -> Result<Element, XmlError> {
    let name = start.name().as_ref().to_string();
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| {
            XmlError::new(
                offset,
                format!("malformed XML: bad attribute in <{name}>: {e}"),
            )
        })?;
        let key = attr.key.as_ref().to_string();
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| {
                XmlError::new(
                    offset,
                    format!("malformed XML: attribute {key} of <{name}>: {e}"),
                )
            })?;
        attrs.push((key, value.into_owned()));
    }
    Ok(Element {
        name,
        start: start.to_string(),
        attrs,
        children: Vec::new(),
        self_closing: false,
        offset,
    })
}

/// Writes `doc` back to text, byte for byte as read where nothing changed.
pub(crate) fn write(doc: &Document) -> String {
    let mut out = String::new();
    if doc.bom {
        out.push('\u{FEFF}');
    }
    for node in &doc.prolog {
        write_node(&mut out, node);
    }
    write_element(&mut out, &doc.root);
    for node in &doc.epilog {
        write_node(&mut out, node);
    }
    out
}

fn write_node(out: &mut String, node: &Node) {
    match node {
        Node::Element(el) => write_element(out, el),
        Node::Text(t) => out.push_str(t),
        Node::CData(t) => {
            out.push_str("<![CDATA[");
            out.push_str(t);
            out.push_str("]]>");
        }
        Node::Comment(t) => {
            out.push_str("<!--");
            out.push_str(t);
            out.push_str("-->");
        }
        Node::Decl(t) | Node::Pi(t) => {
            out.push_str("<?");
            out.push_str(t);
            out.push_str("?>");
        }
        Node::DocType(t) => out.push_str(t),
    }
}

fn write_element(out: &mut String, el: &Element) {
    out.push('<');
    out.push_str(&el.start);
    if el.self_closing {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for child in &el.children {
        write_node(out, child);
    }
    out.push_str("</");
    out.push_str(&el.name);
    out.push('>');
}

/// Escapes text content: `&`, `<`, `>` and carriage returns (which a reader
/// would otherwise turn into line feeds; quick-xml writes them as `&#13;`).
pub(crate) fn escape_text(value: &str) -> String {
    quick_xml::escape::partial_escape(value).into_owned()
}

/// Escapes an attribute value for a double-quoted attribute.
pub(crate) fn escape_attr(value: &str) -> String {
    quick_xml::escape::escape(value).into_owned()
}

/// How new content is laid out: line ending and one indentation step.
#[derive(Debug, Clone)]
pub(crate) struct Style {
    pub newline: &'static str,
    pub unit: String,
}

impl Style {
    /// The style already used by `doc` (CRLF if any line ends so; the root's
    /// child indentation), XmlSerializer's (`\n`, two spaces) otherwise.
    pub fn of(doc: &Document) -> Style {
        let mut crlf = false;
        visit_text(&doc.root, &mut |t| crlf |= t.contains("\r\n"));
        for node in doc.prolog.iter().chain(&doc.epilog) {
            if let Node::Text(t) = node {
                crlf |= t.contains("\r\n");
            }
        }
        let unit = doc
            .root
            .children
            .iter()
            .position(|n| matches!(n, Node::Element(_)))
            .and_then(|i| indent_before(&doc.root.children, i))
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| "  ".to_string());
        Style {
            newline: if crlf { "\r\n" } else { "\n" },
            unit,
        }
    }
}

fn visit_text(el: &Element, f: &mut dyn FnMut(&str)) {
    for child in &el.children {
        match child {
            Node::Text(t) => f(t),
            Node::Element(e) => visit_text(e, f),
            _ => {}
        }
    }
}

/// The indentation of the line holding `children[index]`, when the node
/// before it is whitespace ending a line.
pub(crate) fn indent_before(children: &[Node], index: usize) -> Option<String> {
    let Node::Text(t) = children.get(index.checked_sub(1)?)? else {
        return None;
    };
    if !t.trim().is_empty() {
        return None;
    }
    let start = t.rfind('\n')? + 1;
    Some(t[start..].to_string())
}

fn is_blank(node: &Node) -> bool {
    matches!(node, Node::Text(t) if t.trim().is_empty())
}

impl Element {
    /// A new element with a plain start tag and no content.
    pub fn new(name: &str) -> Element {
        Element {
            name: name.to_string(),
            start: name.to_string(),
            attrs: Vec::new(),
            children: Vec::new(),
            self_closing: false,
            offset: 0,
        }
    }

    /// A new self-closing element, `<name />`.
    pub fn empty(name: &str) -> Element {
        let mut el = Element::new(name);
        el.start.push(' ');
        el.self_closing = true;
        el
    }

    /// A new element holding `value` as text.
    pub fn with_text(name: &str, value: &str) -> Element {
        let mut el = Element::new(name);
        el.set_text(value);
        el
    }

    /// Adds an attribute (to the model and the raw start tag).
    pub fn push_attr(&mut self, name: &str, value: &str) {
        let trailing = self.start.len() - self.start.trim_end().len();
        let at = self.start.len() - trailing;
        self.start
            .insert_str(at, &format!(" {name}=\"{}\"", escape_attr(value)));
        self.attrs.push((name.to_string(), value.to_string()));
    }

    /// The value of the attribute named `name` (qualified).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Child elements with their index in `children`.
    pub fn elements(&self) -> impl Iterator<Item = (usize, &Element)> {
        self.children
            .iter()
            .enumerate()
            .filter_map(|(i, n)| match n {
                Node::Element(e) => Some((i, e)),
                _ => None,
            })
    }

    /// Index of the first child element named `name`.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.elements()
            .find(|(_, e)| e.name == name)
            .map(|(i, _)| i)
    }

    /// The child node at `index` as an element.
    pub fn element_mut(&mut self, index: usize) -> Option<&mut Element> {
        match self.children.get_mut(index) {
            Some(Node::Element(e)) => Some(e),
            _ => None,
        }
    }

    /// The element's text: entity references resolved, line ends normalized
    /// as an XML reader does. Fails when it holds elements or a bad reference.
    pub fn text(&self) -> Result<String, XmlError> {
        let mut value = String::new();
        for child in &self.children {
            match child {
                Node::Text(raw) => {
                    let raw = raw.replace("\r\n", "\n").replace('\r', "\n");
                    let text = quick_xml::escape::unescape(&raw)
                        .map_err(|e| XmlError::new(self.offset, format!("<{}>: {e}", self.name)))?;
                    value.push_str(&text);
                }
                Node::CData(t) => value.push_str(&t.replace("\r\n", "\n").replace('\r', "\n")),
                Node::Element(e) => {
                    return Err(XmlError::new(
                        e.offset,
                        format!(
                            "<{}> must hold text only, but it contains an element <{}>",
                            self.name, e.name
                        ),
                    ));
                }
                Node::Comment(_) | Node::Pi(_) | Node::Decl(_) | Node::DocType(_) => {}
            }
        }
        Ok(value)
    }

    /// Replaces the content with `value` as text, unless it already reads so
    /// (which keeps the file's own spelling, e.g. a character reference).
    pub fn set_text(&mut self, value: &str) {
        if !self.children.is_empty() && self.text().is_ok_and(|t| t == value) {
            return;
        }
        self.children.clear();
        if value.is_empty() {
            return;
        }
        self.open();
        self.children.push(Node::Text(escape_text(value)));
    }

    /// Turns `<a/>` into `<a></a>` so that content can be added.
    fn open(&mut self) {
        if self.self_closing {
            self.self_closing = false;
            self.start.truncate(self.start.trim_end().len());
        }
    }

    /// Turns an element holding only whitespace into `<a />`.
    fn close_if_blank(&mut self) {
        if !self.self_closing && self.children.iter().all(is_blank) {
            self.children.clear();
            self.start.truncate(self.start.trim_end().len());
            self.start.push(' ');
            self.self_closing = true;
        }
    }

    /// The indentation of child elements: the first child element's, else
    /// one step deeper than `own_indent`.
    pub fn child_indent(&self, own_indent: &str, style: &Style) -> String {
        self.elements()
            .next()
            .and_then(|(i, _)| indent_before(&self.children, i))
            .unwrap_or_else(|| format!("{own_indent}{}", style.unit))
    }

    /// Adds `child` after the last child element, on its own line.
    pub fn append_formatted(&mut self, child: Element, own_indent: &str, style: &Style) {
        let indent = self.child_indent(own_indent, style);
        let line = Node::Text(format!("{}{indent}", style.newline));
        self.open();
        if let Some(last) = self.elements().last().map(|(i, _)| i) {
            self.children
                .splice(last + 1..last + 1, [line, Node::Element(child)]);
        } else if self.children.last().is_some_and(is_blank) {
            let at = self.children.len() - 1;
            self.children.splice(at..at, [line, Node::Element(child)]);
        } else {
            self.children.push(line);
            self.children.push(Node::Element(child));
            self.children
                .push(Node::Text(format!("{}{own_indent}", style.newline)));
        }
    }

    /// Inserts `child` before the child node at `index` (an element), on its own line.
    pub fn insert_formatted(
        &mut self,
        index: usize,
        child: Element,
        own_indent: &str,
        style: &Style,
    ) {
        let indent = indent_before(&self.children, index)
            .unwrap_or_else(|| self.child_indent(own_indent, style));
        let line = Node::Text(format!("{}{indent}", style.newline));
        self.children
            .splice(index..index, [Node::Element(child), line]);
    }

    /// Removes the child node at `index` with the whitespace that put it on
    /// its own line; an element left holding only whitespace becomes `<a />`.
    pub fn remove_formatted(&mut self, index: usize) {
        self.children.remove(index);
        if index > 0 && is_blank(&self.children[index - 1]) {
            self.children.remove(index - 1);
        }
        self.close_if_blank();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) {
        let doc = parse(text).unwrap();
        assert_eq!(write(&doc), text);
    }

    #[test]
    fn writes_back_byte_for_byte() {
        round_trip(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<!-- c --><a  x = 'y&amp;'\tz=\"1\"><b /><c>t &lt; &#x41; &amp;</c><![CDATA[<x>]]><?pi data?></a>\n<!-- end -->\n",
        );
        round_trip("<!DOCTYPE a [<!ELEMENT a ANY>]><a/>");
        round_trip("<a><b></b>  <c/></a>");
    }

    #[test]
    fn reads_text_with_references_and_line_ends() {
        let doc = parse("<a>x &amp; &#x41;&lt;\r\ny</a>").unwrap();
        assert_eq!(doc.root.text().unwrap(), "x & A<\ny");
    }

    #[test]
    fn unknown_entity_is_an_error_not_a_panic() {
        let doc = parse("<a>&nope;</a>").unwrap();
        assert!(doc.root.text().unwrap_err().message.contains("nope"));
    }

    #[test]
    fn reports_positions_of_well_formedness_errors() {
        let text = "<a>\n  <b>\n</a>";
        let err = parse(text).unwrap_err();
        assert_eq!(line_col(text, err.offset), (3, 1), "{err:?}");
        let err = parse("<a>\n  <b>").unwrap_err();
        assert!(err.message.contains("<b> is not closed"), "{err:?}");
        assert_eq!(line_col("<a>\n  <b>", err.offset), (2, 3));
        assert!(
            parse("<a/><b/>")
                .unwrap_err()
                .message
                .contains("second root")
        );
        assert!(parse("  \n").unwrap_err().message.contains("empty"));
        assert!(parse("<a/>x").unwrap_err().message.contains("outside"));
        assert!(parse("<a x='1' x='2'/>").is_err());
        let deep = "<a>".repeat(100_000);
        assert!(parse(&deep).unwrap_err().message.contains("nested"));
        let ok = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert_eq!(write(&parse(&ok).unwrap()), ok);
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\nÜx", 5), (2, 2));
        assert_eq!(line_col("", 9), (1, 1));
    }

    #[test]
    fn formatted_edits_keep_the_layout() {
        let mut doc = parse("<r>\n  <l />\n</r>").unwrap();
        let style = Style::of(&doc);
        let l = doc.root.element_mut(1).unwrap();
        l.append_formatted(Element::with_text("f", "1"), "  ", &style);
        l.append_formatted(Element::with_text("f", "2"), "  ", &style);
        assert_eq!(
            write(&doc),
            "<r>\n  <l>\n    <f>1</f>\n    <f>2</f>\n  </l>\n</r>"
        );
        let l = doc.root.element_mut(1).unwrap();
        l.remove_formatted(1);
        l.remove_formatted(1);
        assert_eq!(write(&doc), "<r>\n  <l />\n</r>");
        doc.root
            .insert_formatted(1, Element::with_text("s", "a<b"), "", &style);
        assert_eq!(write(&doc), "<r>\n  <s>a&lt;b</s>\n  <l />\n</r>");
    }

    #[test]
    fn set_text_keeps_equal_spelling_and_escapes_new_text() {
        let mut doc = parse("<a>&#x41;</a>").unwrap();
        doc.root.set_text("A");
        assert_eq!(write(&doc), "<a>&#x41;</a>");
        doc.root.set_text("B\r&");
        assert_eq!(write(&doc), "<a>B&#13;&amp;</a>");
        assert_eq!(doc.root.text().unwrap(), "B\r&");
    }
}

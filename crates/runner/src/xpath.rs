//! The XPath subset the Foreach NodeList enumerator needs: location paths
//! of child (`/`) and descendant (`//`) steps over elements (`name`, `*`),
//! attributes (`@name`, `@*`), `text()` and `.`, with predicates `[n]`,
//! `[@attr='value']` and `[child='value']`. Names match by local name (a
//! prefix in the expression, or a default namespace in the document, is not
//! needed). Anything else is an error naming the expression.

use crate::model::xml::{Element, local};

/// A node an expression selects.
#[derive(Debug, Clone, Copy)]
pub enum Node<'a> {
    /// The document (the root element's parent).
    Document(&'a Element),
    /// An element.
    Element(&'a Element),
    /// An attribute: name and value.
    Attribute(&'a str, &'a str),
    /// The text of an element.
    Text(&'a str),
}

impl Node<'_> {
    /// The XPath string value: an element's text and its descendants' text.
    pub fn text(&self) -> String {
        match self {
            Node::Document(e) | Node::Element(e) => inner_text(e),
            Node::Attribute(_, v) | Node::Text(v) => v.to_string(),
        }
    }

    /// The node as XML (an element's outer XML; an attribute's or a text's value).
    pub fn xml(&self) -> String {
        match self {
            Node::Document(e) | Node::Element(e) => {
                let mut s = String::new();
                write_xml(e, &mut s);
                s
            }
            Node::Attribute(_, v) | Node::Text(v) => v.to_string(),
        }
    }
}

fn inner_text(e: &Element) -> String {
    let mut s = e.text.clone();
    for c in &e.children {
        s.push_str(&inner_text(c));
    }
    s
}

fn escape(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

fn write_xml(e: &Element, out: &mut String) {
    out.push('<');
    out.push_str(&e.name);
    for (k, v) in &e.attrs {
        out.push_str(&format!(" {k}=\"{}\"", escape(v, true)));
    }
    if e.children.is_empty() && e.text.is_empty() {
        out.push_str(" />");
        return;
    }
    out.push('>');
    out.push_str(&escape(&e.text, false));
    for c in &e.children {
        write_xml(c, out);
    }
    out.push_str(&format!("</{}>", e.name));
}

#[derive(Debug, Clone, PartialEq)]
enum Test {
    SelfNode,
    Element(Option<String>),
    Attribute(Option<String>),
    Text,
}

#[derive(Debug, Clone, PartialEq)]
enum Predicate {
    Position(usize),
    AttrEquals(String, String),
    ChildEquals(String, String),
}

#[derive(Debug, Clone, PartialEq)]
struct Step {
    descendant: bool,
    test: Test,
    predicates: Vec<Predicate>,
}

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub struct XPath {
    absolute: bool,
    steps: Vec<Step>,
}

fn unsupported(expr: &str, why: &str) -> String {
    format!(
        "XPath '{expr}': {why} (supported: /, //, names, *, @name, text(), ., [n], [@a='v'], [name='v'])"
    )
}

fn name_of(s: &str) -> Option<String> {
    let s = s.trim();
    if s == "*" {
        None
    } else {
        Some(local(s).to_string())
    }
}

fn literal(s: &str) -> Option<String> {
    let s = s.trim();
    let q = s.chars().next()?;
    if (q == '\'' || q == '"') && s.len() >= 2 && s.ends_with(q) {
        Some(s[1..s.len() - 1].to_string())
    } else {
        None
    }
}

impl XPath {
    /// Parses `expr`; an error names what is not supported.
    pub fn parse(expr: &str) -> Result<XPath, String> {
        let e = expr.trim();
        if e.is_empty() {
            return Err("the XPath expression is empty".into());
        }
        let absolute = e.starts_with('/');
        let mut steps = Vec::new();
        let chars: Vec<char> = e.chars().collect();
        let mut i = 0;
        let mut descendant = false;
        while i < chars.len() {
            if chars[i] == '/' {
                if chars.get(i + 1) == Some(&'/') {
                    descendant = true;
                    i += 2;
                } else {
                    i += 1;
                }
                continue;
            }
            // One step: up to the next '/' outside brackets.
            let start = i;
            let mut depth = 0;
            let mut quote: Option<char> = None;
            while i < chars.len() {
                let c = chars[i];
                match quote {
                    Some(q) if c == q => quote = None,
                    Some(_) => {}
                    None if c == '\'' || c == '"' => quote = Some(c),
                    None if c == '[' => depth += 1,
                    None if c == ']' => depth -= 1,
                    None if c == '/' && depth == 0 => break,
                    None => {}
                }
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            let (head, mut rest) = match text.find('[') {
                Some(b) => (text[..b].trim().to_string(), &text[b..]),
                None => (text.trim().to_string(), ""),
            };
            let test = match head.as_str() {
                "." => Test::SelfNode,
                "text()" => Test::Text,
                h if h.starts_with('@') => Test::Attribute(name_of(&h[1..])),
                h if h.is_empty()
                    || h == ".."
                    || h.contains("::")
                    || h.contains(['(', ')', '=', '|', '+', ' ', ',']) =>
                {
                    return Err(unsupported(expr, &format!("'{h}' is not a supported step")));
                }
                h => Test::Element(name_of(h)),
            };
            let mut predicates = Vec::new();
            while let Some(r) = rest.strip_prefix('[') {
                let close = r
                    .find(']')
                    .ok_or_else(|| unsupported(expr, "a predicate has no ']'"))?;
                let p = r[..close].trim();
                rest = r[close + 1..].trim_start();
                predicates.push(if let Ok(n) = p.parse::<usize>() {
                    if n == 0 {
                        return Err(unsupported(expr, "positions start at 1"));
                    }
                    Predicate::Position(n)
                } else if let Some((l, r)) = p.split_once('=') {
                    let value = literal(r).ok_or_else(|| {
                        unsupported(expr, &format!("'{r}' is not a quoted string"))
                    })?;
                    match l.trim().strip_prefix('@') {
                        Some(a) => Predicate::AttrEquals(local(a.trim()).to_string(), value),
                        None => Predicate::ChildEquals(local(l.trim()).to_string(), value),
                    }
                } else {
                    return Err(unsupported(
                        expr,
                        &format!("predicate '[{p}]' is not supported"),
                    ));
                });
            }
            if !rest.trim().is_empty() {
                return Err(unsupported(expr, &format!("'{rest}' follows a step")));
            }
            steps.push(Step {
                descendant,
                test,
                predicates,
            });
            descendant = false;
        }
        if steps.is_empty() && !absolute {
            return Err("the XPath expression selects nothing".into());
        }
        Ok(XPath { absolute, steps })
    }

    /// The nodes selected from `context` (the document for an absolute path).
    pub fn select<'a>(&self, document: &'a Element, context: Node<'a>) -> Vec<Node<'a>> {
        let mut nodes = vec![if self.absolute {
            Node::Document(document)
        } else {
            context
        }];
        for step in &self.steps {
            let mut next = Vec::new();
            for n in &nodes {
                let mut found = Vec::new();
                let scopes: Vec<Node<'a>> = if step.descendant {
                    let mut v = vec![*n];
                    descendants(*n, &mut v);
                    v
                } else {
                    vec![*n]
                };
                for s in scopes {
                    apply(step, s, &mut found);
                }
                // Positions count within each context node's results.
                for (k, f) in found.into_iter().enumerate() {
                    let keep = step.predicates.iter().all(|p| match p {
                        Predicate::Position(pos) => k + 1 == *pos,
                        _ => true,
                    });
                    if keep {
                        next.push(f);
                    }
                }
            }
            nodes = next;
        }
        nodes
    }
}

fn children<'a>(n: Node<'a>) -> Vec<&'a Element> {
    match n {
        Node::Document(root) => vec![root],
        Node::Element(e) => e.children.iter().collect(),
        _ => Vec::new(),
    }
}

fn descendants<'a>(n: Node<'a>, out: &mut Vec<Node<'a>>) {
    for c in children(n) {
        out.push(Node::Element(c));
        descendants(Node::Element(c), out);
    }
}

fn apply<'a>(step: &Step, n: Node<'a>, out: &mut Vec<Node<'a>>) {
    let value_ok = |e: &Element| {
        step.predicates.iter().all(|p| match p {
            Predicate::AttrEquals(a, v) => e.attr(a) == Some(v.as_str()),
            Predicate::ChildEquals(c, v) => e.children_named(c).any(|x| inner_text(x) == *v),
            Predicate::Position(_) => true,
        })
    };
    match &step.test {
        Test::SelfNode => out.push(n),
        Test::Element(name) => {
            for c in children(n) {
                if name.as_deref().is_none_or(|want| c.local_name() == want) && value_ok(c) {
                    out.push(Node::Element(c));
                }
            }
        }
        Test::Attribute(name) => {
            if let Node::Element(e) = n {
                for (k, v) in &e.attrs {
                    if k == "xmlns" || k.starts_with("xmlns:") {
                        continue;
                    }
                    if name.as_deref().is_none_or(|want| local(k) == want) {
                        out.push(Node::Attribute(k, v));
                    }
                }
            }
        }
        Test::Text => {
            if let Node::Element(e) = n {
                if !e.text.is_empty() {
                    out.push(Node::Text(&e.text));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Element {
        crate::model::xml::parse(
            br#"<orders xmlns="urn:x"><order id="1" region="north"><item>apples</item><qty>3</qty></order>
<order id="2" region="south"><item>pears</item><qty>5</qty></order></orders>"#,
            std::path::Path::new("d.xml"),
        )
        .unwrap()
    }

    fn texts(expr: &str) -> Vec<String> {
        let d = doc();
        XPath::parse(expr)
            .unwrap()
            .select(&d, Node::Document(&d))
            .iter()
            .map(Node::text)
            .collect()
    }

    #[test]
    fn paths_predicates_and_attributes() {
        assert_eq!(texts("/orders/order/item"), ["apples", "pears"]);
        assert_eq!(texts("//item"), ["apples", "pears"]);
        assert_eq!(texts("//order/@id"), ["1", "2"]);
        assert_eq!(texts("//order[@region='south']/item"), ["pears"]);
        assert_eq!(texts("//order[item='apples']/qty/text()"), ["3"]);
        assert_eq!(texts("/orders/order[2]/@region"), ["south"]);
        assert_eq!(texts("/*/*[1]/*"), ["apples", "3"]);
        assert_eq!(texts("/x:orders/x:order/x:item[1]"), ["apples", "pears"]);
        let d = doc();
        let first = XPath::parse("//order")
            .unwrap()
            .select(&d, Node::Document(&d))[0];
        assert_eq!(
            first.xml(),
            "<order id=\"1\" region=\"north\"><item>apples</item><qty>3</qty></order>"
        );
        let inner = XPath::parse("qty").unwrap().select(&d, first);
        assert_eq!(inner[0].text(), "3");
    }

    #[test]
    fn unsupported_syntax_is_named() {
        for e in [
            "count(//a)",
            "//a | //b",
            "ancestor::x",
            "..",
            "//a[last()]",
            "",
        ] {
            assert!(XPath::parse(e).is_err(), "{e}");
        }
    }
}

//! Writing element trees as documents: deterministic bytes, and exactly
//! the canonical form, so a document we write canonicalises to itself.

use super::c14n::canonicalize;
use super::chars::{first_invalid_char, is_ncname};
use super::tree::{Element, Node};
use super::XmlLimits;
use crate::{Error, ErrorKind, Result};

/// The XML declaration every document we write starts with.
pub(crate) const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// `root` as a document: the declaration, the canonical form of `root` and
/// a final line feed. The tree is checked first (names, characters, depth),
/// so what we write our own reader reads back as the same tree.
pub(crate) fn write_document(root: &Element) -> Result<Vec<u8>> {
    check_tree(root, &XmlLimits::default())?;
    let mut out = String::from(DECLARATION);
    out.push_str(&canonicalize(root, None));
    out.push('\n');
    Ok(out.into_bytes())
}

/// Indents element-only content two spaces a level, starting at `level`:
/// whitespace text goes before each child element and before the end tag.
/// Elements holding any text are left as they are, so values never change.
pub(crate) fn indent(element: &mut Element, level: usize) {
    let has_text = element.children.iter().any(|n| matches!(n, Node::Text(_)));
    if has_text || element.children.is_empty() {
        return;
    }
    let inner = format!("\n{}", "  ".repeat(level + 1));
    let mut children = Vec::with_capacity(element.children.len() * 2 + 1);
    for child in std::mem::take(&mut element.children) {
        if let Node::Element(mut e) = child {
            indent(&mut e, level + 1);
            children.push(Node::Text(inner.clone()));
            children.push(Node::Element(e));
        }
    }
    children.push(Node::Text(format!("\n{}", "  ".repeat(level))));
    element.children = children;
}

/// Checks a tree built in code against what the reader would accept.
pub(crate) fn check_tree(root: &Element, limits: &XmlLimits) -> Result<()> {
    if root.depth() > limits.max_depth {
        return Err(Error::new(
            ErrorKind::NestingTooDeep,
            format!("<{}> nests deeper than {} elements", root.qname(), limits.max_depth),
        ));
    }
    let mut stack = vec![root];
    while let Some(e) = stack.pop() {
        check_name(e.prefix.as_deref(), &e.local, e.namespace.is_some())?;
        for a in &e.attributes {
            check_name(a.prefix.as_deref(), &a.local, a.namespace.is_some())?;
            if a.prefix.is_none() && a.namespace.is_some() {
                return Err(Error::new(
                    ErrorKind::NamespaceError,
                    format!("attribute `{}` of <{}> has a namespace but no prefix", a.local, e.qname()),
                ));
            }
            if let Some(c) = first_invalid_char(&a.value) {
                return Err(bad_char(c, &format!("attribute `{}` of <{}>", a.local, e.qname())));
            }
        }
        for child in &e.children {
            match child {
                Node::Element(c) => stack.push(c),
                Node::Text(t) => {
                    if let Some(c) = first_invalid_char(t) {
                        return Err(bad_char(c, &format!("the text of <{}>", e.qname())));
                    }
                }
            }
        }
    }
    Ok(())
}

fn check_name(prefix: Option<&str>, local: &str, has_namespace: bool) -> Result<()> {
    let ok = is_ncname(local)
        && prefix.is_none_or(|p| is_ncname(p) && p != "xmlns" && (has_namespace || p == "xml"));
    if ok {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::NamespaceError,
            format!("`{}:{local}` cannot be written", prefix.unwrap_or("")),
        ))
    }
}

fn bad_char(c: char, what: &str) -> Error {
    Error::new(
        ErrorKind::InvalidValue,
        format!("{what} has character U+{:04X}, which XML cannot carry", u32::from(c)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::reader::parse;

    #[test]
    fn writes_what_it_reads_back() {
        let mut root = Element::new("urn:t", "doc")
            .with_attr("version", "1")
            .with_text_child("name", "A & B <\"quoted\"> é\r\n\ttab")
            .with_child(Element::new("urn:t", "empty").with_attr("v", "x\ty\nz\r\"'<>&"));
        indent(&mut root, 0);
        let bytes = write_document(&root).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with(DECLARATION));
        assert!(
            text.contains("\n  <name>A &amp; B &lt;\"quoted\"&gt; é&#xD;\n\ttab</name>\n  <empty "),
            "{text}"
        );
        let back = parse(&bytes, &XmlLimits::default()).unwrap();
        assert_eq!(write_document(&back).unwrap(), bytes);
        assert_eq!(back.child_elements().nth(1).unwrap().attr("v"), Some("x\ty\nz\r\"'<>&"));
    }

    #[test]
    fn refuses_what_xml_cannot_carry() {
        let bad = Element::new("urn:t", "doc").with_text("\u{1}");
        assert_eq!(write_document(&bad).unwrap_err().kind(), ErrorKind::InvalidValue);
        let bad = Element::new("urn:t", "doc").with_attr("v", "\u{FFFF}");
        assert_eq!(write_document(&bad).unwrap_err().kind(), ErrorKind::InvalidValue);
        let bad = Element::new("urn:t", "1doc");
        assert_eq!(write_document(&bad).unwrap_err().kind(), ErrorKind::NamespaceError);
        let bad = Element::new("", "doc").with_prefix("p");
        assert_eq!(write_document(&bad).unwrap_err().kind(), ErrorKind::NamespaceError);
        let mut deep = Element::new("", "d");
        for _ in 0..100 {
            deep = Element::new("", "d").with_child(deep);
        }
        assert_eq!(write_document(&deep).unwrap_err().kind(), ErrorKind::NestingTooDeep);
    }
}

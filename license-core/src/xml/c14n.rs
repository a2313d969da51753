//! Exclusive XML canonicalization without comments
//! (`http://www.w3.org/2001/10/xml-exc-c14n#`), for the documents the
//! reader accepts: elements, attributes and text only.
//!
//! What the specification asks, and where it happens here:
//! - empty elements are written as start and end tag pairs;
//! - an element renders only the namespace declarations it *visibly
//!   utilises* (its own prefix or the default namespace, and its
//!   attributes' prefixes), and only where the nearest output ancestor did
//!   not already render the same binding; `xmlns=""` appears when an
//!   unprefixed element in no namespace sits below a rendered default;
//! - declarations are sorted by prefix (the default first), then
//!   attributes by namespace URI and local name (unqualified first);
//! - text escapes `& < >` and CR, attribute values `& < "` and TAB, LF, CR;
//! - the `xml` prefix is never declared.

use super::chars::{escape_attr, escape_text};
use super::tree::{Element, Node};

/// The canonical form of `apex` and everything below it, leaving out the
/// apex's child element number `skip` (counting every child node) when
/// given: that is how the enveloped-signature transform removes the
/// `Signature` element.
pub(crate) fn canonicalize(apex: &Element, skip: Option<usize>) -> String {
    canonicalize_within(apex, skip, usize::MAX).unwrap_or_default()
}

/// [`canonicalize`], stopping with `None` once the output passes `max_len`
/// bytes. The canonical form can be far longer than the document: a
/// namespace declared once on the root is rendered again on every sibling
/// that uses it. A verifier computes it before any signature check, so it
/// must not follow what the document multiplies.
pub(crate) fn canonicalize_within(apex: &Element, skip: Option<usize>, max_len: usize) -> Option<String> {
    let mut out = String::new();
    // Bindings rendered by output ancestors, innermost last; the default
    // namespace starts out empty.
    let mut rendered: Vec<(Option<String>, String)> = vec![(None, String::new())];
    write_element(apex, skip, &mut rendered, &mut out, max_len);
    (out.len() <= max_len).then_some(out)
}

fn lookup<'a>(rendered: &'a [(Option<String>, String)], prefix: Option<&str>) -> Option<&'a str> {
    rendered.iter().rev().find(|(p, _)| p.as_deref() == prefix).map(|(_, uri)| uri.as_str())
}

fn write_element(
    e: &Element,
    skip: Option<usize>,
    rendered: &mut Vec<(Option<String>, String)>,
    out: &mut String,
    max_len: usize,
) {
    if out.len() > max_len {
        // Over the budget: the caller refuses the output, so stop adding.
        return;
    }
    // The namespaces this element visibly utilises.
    let mut used: Vec<(Option<&str>, &str)> = vec![(e.prefix.as_deref(), e.namespace())];
    for a in &e.attributes {
        if let Some(p) = a.prefix.as_deref() {
            if p != "xml" {
                used.push((Some(p), a.namespace.as_deref().unwrap_or("")));
            }
        }
    }
    used.sort();
    used.dedup();
    let mut pushed = 0;
    let qname = e.qname();
    out.push('<');
    out.push_str(&qname);
    for (prefix, uri) in used {
        let current = lookup(rendered, prefix);
        let needed = match prefix {
            None => current.unwrap_or("") != uri,
            Some(_) => current != Some(uri),
        };
        if needed {
            match prefix {
                None => out.push_str(" xmlns=\""),
                Some(p) => {
                    out.push_str(" xmlns:");
                    out.push_str(p);
                    out.push_str("=\"");
                }
            }
            escape_attr(uri, out);
            out.push('"');
            rendered.push((prefix.map(str::to_owned), uri.to_owned()));
            pushed += 1;
        }
    }
    let mut attrs: Vec<_> = e.attributes.iter().collect();
    attrs.sort_by(|a, b| {
        (a.namespace.as_deref().unwrap_or(""), a.local.as_str())
            .cmp(&(b.namespace.as_deref().unwrap_or(""), b.local.as_str()))
    });
    for a in attrs {
        out.push(' ');
        if let Some(p) = &a.prefix {
            out.push_str(p);
            out.push(':');
        }
        out.push_str(&a.local);
        out.push_str("=\"");
        escape_attr(&a.value, out);
        out.push('"');
    }
    out.push('>');
    for (i, child) in e.children.iter().enumerate() {
        if Some(i) == skip {
            continue;
        }
        match child {
            Node::Element(c) => write_element(c, None, rendered, out, max_len),
            Node::Text(t) => escape_text(t, out),
        }
    }
    out.push_str("</");
    out.push_str(&qname);
    out.push('>');
    rendered.truncate(rendered.len() - pushed);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::reader::parse;
    use crate::xml::XmlLimits;

    fn c14n(doc: &str) -> String {
        canonicalize(&parse(doc.as_bytes(), &XmlLimits::default()).unwrap(), None)
    }

    #[test]
    fn expands_empty_elements_and_sorts_attributes() {
        assert_eq!(c14n("<a z='1' b=\"2\" xmlns='urn:a'/>"), "<a xmlns=\"urn:a\" b=\"2\" z=\"1\"></a>");
        assert_eq!(
            c14n("<a xmlns:y='urn:b' xmlns:x='urn:a' y:k='1' x:k='2' k='3' x:a='4'/>"),
            "<a xmlns:x=\"urn:a\" xmlns:y=\"urn:b\" k=\"3\" x:a=\"4\" x:k=\"2\" y:k=\"1\"></a>"
        );
    }

    #[test]
    fn renders_only_visibly_used_namespaces_once() {
        assert_eq!(
            c14n("<p:a xmlns:p='urn:p' xmlns:unused='urn:u' xmlns='urn:d'><p:b><c/></p:b></p:a>"),
            "<p:a xmlns:p=\"urn:p\"><p:b><c xmlns=\"urn:d\"></c></p:b></p:a>"
        );
        assert_eq!(c14n("<a xmlns='urn:d'><b xmlns=''/></a>"), "<a xmlns=\"urn:d\"><b xmlns=\"\"></b></a>");
        assert_eq!(c14n("<a><b xmlns=''/></a>"), "<a><b></b></a>");
        // A redeclaration to another URI is rendered again, a repeat is not.
        assert_eq!(
            c14n("<p:a xmlns:p='urn:1'><p:b xmlns:p='urn:2'/><p:c xmlns:p='urn:1'/></p:a>"),
            "<p:a xmlns:p=\"urn:1\"><p:b xmlns:p=\"urn:2\"></p:b><p:c></p:c></p:a>"
        );
        assert_eq!(c14n("<a xml:lang='en'/>"), "<a xml:lang=\"en\"></a>");
        // A namespace node is rendered "as an attribute node" (C14N 1.0
        // §2.3), so its value is escaped like one.
        assert_eq!(
            c14n("<p:a xmlns:p='urn:x?a=1&amp;b=\"2\"'/>"),
            "<p:a xmlns:p=\"urn:x?a=1&amp;b=&quot;2&quot;\"></p:a>"
        );
    }

    #[test]
    fn escapes_as_the_spec_says() {
        assert_eq!(
            c14n(
                "<a v='&lt;&amp;&gt;&quot;&apos;&#9;&#10;&#13;'>&lt;&amp;&gt;&quot;&apos;&#9;&#10;&#13;</a>"
            ),
            "<a v=\"&lt;&amp;>&quot;'&#x9;&#xA;&#xD;\">&lt;&amp;&gt;\"'\t\n&#xD;</a>"
        );
    }

    #[test]
    fn skips_the_enveloped_child_only() {
        let root = parse(b"<a>\n <b/>\n <s/>\n</a>", &XmlLimits::default()).unwrap();
        assert_eq!(canonicalize(&root, Some(3)), "<a>\n <b></b>\n \n</a>");
    }

    #[test]
    fn subtree_apex_declares_what_it_uses() {
        let root = parse(
            b"<a xmlns='urn:a' xmlns:ds='urn:ds'><ds:S><ds:I k='1'/></ds:S></a>",
            &XmlLimits::default(),
        )
        .unwrap();
        let s = root.child_elements().next().unwrap();
        let i = s.child_elements().next().unwrap();
        assert_eq!(canonicalize(i, None), "<ds:I xmlns:ds=\"urn:ds\" k=\"1\"></ds:I>");
    }
}

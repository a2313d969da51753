//! The small element tree every XML document of the project is read into
//! and written from.
//!
//! Names are kept resolved (namespace URI + local name) and as written
//! (prefix), because exclusive C14N renders the prefixes a document uses
//! while schema checks compare namespace URIs.
//!
//! A namespace URI is shared (`Arc<str>`) by every element and attribute
//! in its scope: a copy each would let one long declaration above many
//! short elements cost its length times their number.

use std::sync::Arc;

/// One node of element content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    /// A child element.
    Element(Element),
    /// Character data, with references resolved and line ends normalised;
    /// adjacent text (and CDATA) is merged into one node by the reader.
    Text(String),
}

/// An attribute, with its resolved namespace (unprefixed attributes have
/// none) and its prefix as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attribute {
    pub(crate) namespace: Option<Arc<str>>,
    pub(crate) prefix: Option<String>,
    pub(crate) local: String,
    /// The value after XML attribute-value normalisation.
    pub(crate) value: String,
}

/// A namespace declaration as written on an element: `xmlns="uri"`
/// (prefix `None`) or `xmlns:p="uri"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NamespaceDecl {
    pub(crate) prefix: Option<String>,
    pub(crate) uri: String,
}

/// An element: resolved name, prefix as written, attributes in document
/// order, the namespace declarations it carries, and its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Element {
    pub(crate) namespace: Option<Arc<str>>,
    pub(crate) prefix: Option<String>,
    pub(crate) local: String,
    pub(crate) attributes: Vec<Attribute>,
    pub(crate) namespace_decls: Vec<NamespaceDecl>,
    pub(crate) children: Vec<Node>,
}

impl Element {
    /// A new, empty element `{namespace}local` written without a prefix
    /// (the writer declares the default namespace where needed).
    pub(crate) fn new(namespace: &str, local: &str) -> Element {
        Element {
            namespace: (!namespace.is_empty()).then(|| Arc::from(namespace)),
            prefix: None,
            local: local.to_owned(),
            attributes: Vec::new(),
            namespace_decls: Vec::new(),
            children: Vec::new(),
        }
    }

    /// The same element written with `prefix:`.
    pub(crate) fn with_prefix(mut self, prefix: &str) -> Element {
        self.prefix = Some(prefix.to_owned());
        self
    }

    /// Adds an unprefixed (no-namespace) attribute.
    pub(crate) fn with_attr(mut self, local: &str, value: impl Into<String>) -> Element {
        self.attributes.push(Attribute {
            namespace: None,
            prefix: None,
            local: local.to_owned(),
            value: value.into(),
        });
        self
    }

    /// Appends a child element.
    pub(crate) fn with_child(mut self, child: Element) -> Element {
        self.children.push(Node::Element(child));
        self
    }

    /// Appends a child element in the same namespace holding only `text`.
    pub(crate) fn with_text_child(self, local: &str, text: impl Into<String>) -> Element {
        let child = Element::new(self.namespace(), local).with_text(text);
        self.with_child(child)
    }

    /// Appends text content.
    pub(crate) fn with_text(mut self, text: impl Into<String>) -> Element {
        self.children.push(Node::Text(text.into()));
        self
    }

    /// True when this element is `{namespace}local`.
    pub(crate) fn is(&self, namespace: &str, local: &str) -> bool {
        self.local == local && self.namespace.as_deref().unwrap_or("") == namespace
    }

    /// The namespace URI, `""` for none.
    pub(crate) fn namespace(&self) -> &str {
        self.namespace.as_deref().unwrap_or("")
    }

    /// The name as written, `prefix:local` or `local`, for messages.
    pub(crate) fn qname(&self) -> String {
        match &self.prefix {
            Some(p) => format!("{p}:{}", self.local),
            None => self.local.clone(),
        }
    }

    /// The value of the unprefixed attribute `local`, if present.
    pub(crate) fn attr(&self, local: &str) -> Option<&str> {
        self.attributes.iter().find(|a| a.namespace.is_none() && a.local == local).map(|a| a.value.as_str())
    }

    /// The child elements, in order.
    pub(crate) fn child_elements(&self) -> impl Iterator<Item = &Element> + '_ {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// All text content directly inside this element, concatenated.
    pub(crate) fn text(&self) -> String {
        let mut out = String::new();
        for node in &self.children {
            if let Node::Text(t) = node {
                out.push_str(t);
            }
        }
        out
    }

    /// The depth of the deepest element below and including this one.
    pub(crate) fn depth(&self) -> usize {
        // Iterative so that a deep tree cannot overflow the stack here.
        let mut max = 0;
        let mut stack = vec![(self, 1usize)];
        while let Some((e, d)) = stack.pop() {
            max = max.max(d);
            stack.extend(e.child_elements().map(|c| (c, d + 1)));
        }
        max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_reads_back() {
        let e = Element::new("urn:x", "a")
            .with_attr("k", "v")
            .with_text_child("b", "t1")
            .with_child(Element::new("", "c").with_prefix("p"))
            .with_text("tail");
        assert!(e.is("urn:x", "a"));
        assert_eq!(e.attr("k"), Some("v"));
        assert_eq!(e.attr("missing"), None);
        let kids: Vec<String> = e.child_elements().map(Element::qname).collect();
        assert_eq!(kids, ["b", "p:c"]);
        assert!(e.child_elements().next().unwrap().is("urn:x", "b"));
        assert_eq!(e.text(), "tail");
        assert_eq!(e.depth(), 2);
    }
}

//! The project's XML: a strict reader, a deterministic writer, an
//! exclusive-C14N canonicalizer and enveloped XML-DSig (RSA-SHA256).
//!
//! Every signed XML document (the license, the usage log, hardware
//! profiles) goes through the same code: build an [`Element`] tree, sign it
//! with [`sign`]; read it back with [`verify`], which parses once, checks
//! the signature against that parse and hands back the same tree, so the
//! values a caller reads are exactly the ones that were digested.

mod c14n;
#[cfg(test)]
mod c14n_differential;
mod chars;
mod dsig;
mod reader;
pub(crate) mod schema;
mod tree;
mod writer;

#[allow(unused_imports)] // Some helpers are only used by some documents.
pub(crate) use dsig::{sign, verify, Verified, DSIG_NAMESPACE};
#[allow(unused_imports)]
pub(crate) use reader::parse;
#[allow(unused_imports)]
pub(crate) use tree::{Attribute, Element, NamespaceDecl, Node};
#[allow(unused_imports)]
pub(crate) use writer::{indent, write_document};

/// The namespace the `xml:` prefix is bound to.
pub(crate) const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace of `xmlns` declarations, which no prefix may be bound to.
pub(crate) const XMLNS_NAMESPACE: &str = "http://www.w3.org/2000/xmlns/";

/// Bounds on what the XML reader accepts, so hostile input cannot make it
/// work or allocate without limit.
///
/// ```
/// use license_core::XmlLimits;
/// let limits = XmlLimits { max_bytes: 64 * 1024, ..XmlLimits::default() };
/// assert_eq!(limits.max_depth, 32);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XmlLimits {
    /// The largest document accepted, in bytes (default 1 MiB).
    pub max_bytes: usize,
    /// The deepest element nesting accepted, the root being depth 1
    /// (default 32).
    pub max_depth: usize,
    /// The most attributes (namespace declarations included) one element
    /// may carry (default 32).
    pub max_attributes: usize,
    /// The most elements a document may hold (default 20 000), which bounds
    /// the tree's memory well below what 1 MiB of `<a/>` would cost.
    pub max_elements: usize,
}

impl Default for XmlLimits {
    fn default() -> XmlLimits {
        XmlLimits { max_bytes: 1024 * 1024, max_depth: 32, max_attributes: 32, max_elements: 20_000 }
    }
}

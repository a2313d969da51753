//! Strict schema reading over an [`Element`] tree: each document type says
//! which attributes and child elements it accepts, in which order and how
//! often; anything else is an error naming it and its path.

use super::chars::is_xml_whitespace;
use super::tree::{Element, Node};
use time::OffsetDateTime;

use crate::{timefmt, Error, ErrorKind, Result};

/// `path/qname`, for error details.
pub(crate) fn child_path(path: &str, e: &Element) -> String {
    format!("{path}/{}", e.qname())
}

/// Refuses any attribute of `e` not named in `allowed` (namespaced
/// attributes are never part of our schemas).
pub(crate) fn check_attributes(e: &Element, allowed: &[&str], path: &str) -> Result<()> {
    for a in &e.attributes {
        if a.namespace.is_some() || !allowed.contains(&a.local.as_str()) {
            let name = match &a.prefix {
                Some(p) => format!("{p}:{}", a.local),
                None => a.local.clone(),
            };
            return Err(Error::new(ErrorKind::UnknownAttribute, format!("attribute `{name}` of {path}")));
        }
    }
    Ok(())
}

/// The value of a required unprefixed attribute.
pub(crate) fn required_attr<'a>(e: &'a Element, name: &str, path: &str) -> Result<&'a str> {
    e.attr(name)
        .ok_or_else(|| Error::new(ErrorKind::MissingAttribute, format!("attribute `{name}` of {path}")))
}

/// The text of an element that may hold only text (no child elements).
pub(crate) fn text_only(e: &Element, path: &str) -> Result<String> {
    if let Some(child) = e.child_elements().next() {
        return Err(Error::new(
            ErrorKind::UnknownElement,
            format!("{} inside text-only {path}", child.qname()),
        ));
    }
    Ok(e.text())
}

/// The child elements of an element-only element, read in schema order.
///
/// Whitespace between children is allowed (pretty-printing); other text is
/// an error. Children must be in `namespace`.
pub(crate) struct Children<'a> {
    elements: Vec<&'a Element>,
    next: usize,
    namespace: &'a str,
    path: String,
    seen: Vec<&'static str>,
}

impl<'a> Children<'a> {
    /// Starts reading `e`'s children; `path` names `e` in errors.
    pub(crate) fn of(e: &'a Element, namespace: &'a str, path: &str) -> Result<Children<'a>> {
        let mut elements = Vec::new();
        for node in &e.children {
            match node {
                Node::Element(c) => elements.push(c),
                Node::Text(t) if is_xml_whitespace(t) => {}
                Node::Text(t) => {
                    let shown: String = t.trim().chars().take(40).collect();
                    return Err(Error::new(
                        ErrorKind::InvalidValue,
                        format!("text `{shown}` directly inside {path}"),
                    ));
                }
            }
        }
        Ok(Children { elements, next: 0, namespace, path: path.to_owned(), seen: Vec::new() })
    }

    /// Takes the next child if it is `local`.
    pub(crate) fn optional(&mut self, local: &'static str) -> Option<&'a Element> {
        let e = self.elements.get(self.next).copied().filter(|e| e.is(self.namespace, local))?;
        self.next += 1;
        self.seen.push(local);
        Some(e)
    }

    /// Takes the next child, which must be `local`.
    pub(crate) fn required(&mut self, local: &'static str) -> Result<&'a Element> {
        match self.optional(local) {
            Some(e) => Ok(e),
            None => match self.elements.get(self.next) {
                Some(found)
                    if found.namespace() == self.namespace && !self.seen.contains(&found.local.as_str()) =>
                {
                    Err(Error::new(
                        ErrorKind::MissingElement,
                        format!("{}/{local} (found {} in its place)", self.path, found.qname()),
                    ))
                }
                Some(_) => Err(self.unexpected()),
                None => Err(Error::new(ErrorKind::MissingElement, format!("{}/{local}", self.path))),
            },
        }
    }

    /// Takes every consecutive next child named `local`.
    pub(crate) fn repeated(&mut self, local: &'static str) -> Vec<&'a Element> {
        let mut out = Vec::new();
        while let Some(e) = self.optional(local) {
            out.push(e);
        }
        out
    }

    /// Ends the reading: any child left over is an error naming it.
    pub(crate) fn finish(self) -> Result<()> {
        if self.next < self.elements.len() {
            return Err(self.unexpected());
        }
        Ok(())
    }

    fn unexpected(&self) -> Error {
        let found = self.elements[self.next];
        if found.namespace() == self.namespace && self.seen.contains(&found.local.as_str()) {
            Error::new(ErrorKind::DuplicateElement, format!("{}/{}", self.path, found.qname()))
        } else if found.namespace() == self.namespace {
            Error::new(
                ErrorKind::UnknownElement,
                format!("{}/{} (or out of order)", self.path, found.qname()),
            )
        } else {
            Error::new(
                ErrorKind::UnknownElement,
                format!("{}/{} in namespace `{}`", self.path, found.qname(), found.namespace()),
            )
        }
    }
}

/// A text-only child element with no attributes.
pub(crate) fn text(e: &Element, parent: &str) -> Result<String> {
    let path = child_path(parent, e);
    check_attributes(e, &[], &path)?;
    text_only(e, &path)
}

/// Checks an element that must have no children.
pub(crate) fn no_content(e: &Element, path: &str) -> Result<()> {
    if e.children.is_empty() {
        Ok(())
    } else {
        Err(Error::new(ErrorKind::InvalidValue, format!("{path} must be empty")))
    }
}

/// A text-only child element holding a canonical RFC 3339 UTC time.
pub(crate) fn time(e: &Element, parent: &str) -> Result<OffsetDateTime> {
    let path = child_path(parent, e);
    let t = text(e, parent)?;
    canonical_time(&t, &path)
}

/// An RFC 3339 UTC time in the one spelling the writer uses.
pub(crate) fn canonical_time(text: &str, path: &str) -> Result<OffsetDateTime> {
    let t = timefmt::parse(text, path)?;
    if timefmt::format(t) != text {
        return Err(Error::new(
            ErrorKind::InvalidValue,
            format!("{path} `{}` is not in canonical form (`{}`)", text.escape_debug(), timefmt::format(t)),
        ));
    }
    Ok(t)
}

/// A decimal number without sign, leading zeros or spaces.
pub(crate) fn number<T: std::str::FromStr>(text: &str, path: &str) -> Result<T> {
    let canonical = !text.is_empty()
        && text.len() <= 20
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    let bad = || {
        Error::new(
            ErrorKind::InvalidValue,
            format!("{path} `{}` is not a decimal number in range", text.escape_debug()),
        )
    };
    if !canonical {
        return Err(bad());
    }
    text.parse().map_err(|_| bad())
}

/// `true` or `false`, nothing else.
pub(crate) fn boolean(text: &str, path: &str) -> Result<bool> {
    match text {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(Error::new(
            ErrorKind::InvalidValue,
            format!("{path} `{}` is not `true` or `false`", text.escape_debug()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{parse, XmlLimits};

    fn doc(s: &str) -> Element {
        parse(s.as_bytes(), &XmlLimits::default()).unwrap()
    }

    #[test]
    fn reads_in_order_and_names_what_is_wrong() {
        let e = doc("<r xmlns='urn:t'>\n <a/> <b>x</b><b>y</b><c k='1'/></r>");
        let mut kids = Children::of(&e, "urn:t", "/r").unwrap();
        assert!(kids.required("a").is_ok());
        assert_eq!(kids.repeated("b").len(), 2);
        let c = kids.optional("c").unwrap();
        assert!(kids.optional("d").is_none());
        kids.finish().unwrap();
        check_attributes(c, &["k"], "/r/c").unwrap();
        assert_eq!(check_attributes(c, &["j"], "/r/c").unwrap_err().kind(), ErrorKind::UnknownAttribute);
        assert_eq!(required_attr(c, "z", "/r/c").unwrap_err().kind(), ErrorKind::MissingAttribute);

        let e = doc("<r xmlns='urn:t'><a/><a/></r>");
        let mut kids = Children::of(&e, "urn:t", "/r").unwrap();
        kids.required("a").unwrap();
        assert_eq!(kids.finish().unwrap_err().kind(), ErrorKind::DuplicateElement);

        let e = doc("<r xmlns='urn:t'><z/></r>");
        let mut kids = Children::of(&e, "urn:t", "/r").unwrap();
        let err = kids.required("a").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MissingElement);
        assert!(err.detail().contains("z"), "{err}");
        let e = doc("<r xmlns='urn:t'><o:a xmlns:o='urn:o'/></r>");
        let mut kids = Children::of(&e, "urn:t", "/r").unwrap();
        assert_eq!(kids.required("a").unwrap_err().kind(), ErrorKind::UnknownElement);

        let e = doc("<r xmlns='urn:t'>text<a/></r>");
        assert_eq!(Children::of(&e, "urn:t", "/r").err().unwrap().kind(), ErrorKind::InvalidValue);
        assert_eq!(text_only(&doc("<a>x<b/></a>"), "/a").unwrap_err().kind(), ErrorKind::UnknownElement);
        assert_eq!(text_only(&doc("<a>x&amp;y</a>"), "/a").unwrap(), "x&y");
    }
}

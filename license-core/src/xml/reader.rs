//! The strict XML reader: well-formed XML 1.0 with namespaces, UTF-8 only,
//! and nothing that could make two readers see different documents.
//!
//! Refused, each with its own [`ErrorKind`]: a DOCTYPE (and with it every
//! DTD and entity declaration), references to entities other than the five
//! predefined ones, comments, processing instructions, content after the
//! root element (a second root included), input over the size limit and
//! nesting over the depth limit. quick-xml does the tokenising; this module
//! adds every check quick-xml leaves to its caller (a second root, merging
//! text split by references and CDATA, attribute-value normalisation,
//! namespace resolution, legal characters) and builds the [`Element`] tree.

use std::borrow::Cow;
use std::sync::Arc;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::chars::{first_invalid_char, is_ncname, is_xml_char, is_xml_whitespace};
use super::tree::{Attribute, Element, NamespaceDecl, Node};
use super::{XmlLimits, XMLNS_NAMESPACE, XML_NAMESPACE};
use crate::{Error, ErrorKind, Result};

/// Reads `input` into its root element, or says what is wrong and where.
pub(crate) fn parse(input: &[u8], limits: &XmlLimits) -> Result<Element> {
    if input.len() > limits.max_bytes {
        return Err(Error::new(
            ErrorKind::InputTooLarge,
            format!("the document has {} bytes; the limit is {}", input.len(), limits.max_bytes),
        ));
    }
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let text = std::str::from_utf8(input).map_err(|e| {
        Error::new(ErrorKind::XmlSyntax, format!("the document is not UTF-8 at byte {}", e.valid_up_to()))
    })?;
    let text = normalize_line_ends(text);
    Parser::new(&text, limits).run()
}

/// XML 1.0 §2.11: every `\r\n` and lone `\r` becomes `\n` before parsing.
/// A literal CR therefore never survives; `&#xD;` does.
fn normalize_line_ends(text: &str) -> Cow<'_, str> {
    if !text.contains('\r') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// An element being read, with the text gathered since its last child.
struct Frame {
    element: Element,
    pending_text: String,
    /// How many bindings this element pushed on the namespace scope.
    bindings: usize,
}

impl Frame {
    fn flush_text(&mut self) {
        if !self.pending_text.is_empty() {
            self.element.children.push(Node::Text(std::mem::take(&mut self.pending_text)));
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    reader: Reader<&'a [u8]>,
    limits: &'a XmlLimits,
    stack: Vec<Frame>,
    /// In-scope namespace bindings, innermost last: (prefix, uri); the
    /// default namespace has prefix `None` and `""` undeclares it.
    scope: Vec<(Option<String>, Arc<str>)>,
    root: Option<Element>,
    events_seen: usize,
    elements: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, limits: &'a XmlLimits) -> Parser<'a> {
        let mut reader = Reader::from_str(text);
        let config = reader.config_mut();
        config.trim_text(false);
        config.expand_empty_elements = false;
        config.check_end_names = true;
        config.check_comments = true;
        config.allow_dangling_amp = false;
        config.allow_unmatched_ends = false;
        Parser {
            text,
            reader,
            limits,
            stack: Vec::new(),
            scope: Vec::new(),
            root: None,
            events_seen: 0,
            elements: 0,
        }
    }

    /// `line L, column C` of a byte offset, for error details.
    fn at(&self, offset: u64) -> String {
        let offset = usize::try_from(offset).unwrap_or(usize::MAX).min(self.text.len());
        let before = self.text.get(..offset).unwrap_or(self.text);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("line {line}, column {column}")
    }

    fn here(&self) -> String {
        self.at(self.reader.buffer_position())
    }

    fn err(&self, kind: ErrorKind, what: impl std::fmt::Display) -> Error {
        Error::new(kind, format!("{what} at {}", self.here()))
    }

    fn run(mut self) -> Result<Element> {
        loop {
            let start = self.reader.buffer_position();
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(e) => {
                    let at = self.at(self.reader.error_position());
                    return Err(Error::new(ErrorKind::XmlSyntax, format!("{e} at {at}")));
                }
            };
            self.events_seen += 1;
            match event {
                Event::Decl(decl) => {
                    if start != 0 || self.events_seen != 1 {
                        return Err(self.err(ErrorKind::XmlSyntax, "an XML declaration not at the start"));
                    }
                    drop(decl);
                    let end = usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX);
                    let raw = self.text.get(..end).unwrap_or("");
                    check_declaration(raw).map_err(|what| self.err(ErrorKind::XmlSyntax, what))?;
                }
                Event::DocType(_) => {
                    return Err(Error::new(
                        ErrorKind::DoctypeForbidden,
                        format!("DOCTYPE at {}", self.at(start)),
                    ));
                }
                Event::Comment(_) => {
                    return Err(Error::new(
                        ErrorKind::CommentForbidden,
                        format!("comment at {}", self.at(start)),
                    ));
                }
                Event::PI(pi) => {
                    return Err(Error::new(
                        ErrorKind::ProcessingInstructionForbidden,
                        format!("`<?{}` at {}", clip(pi.target()), self.at(start)),
                    ));
                }
                Event::Start(e) => self.open(&e, start)?,
                Event::Empty(e) => {
                    self.open(&e, start)?;
                    self.close()?;
                }
                Event::End(_) => self.close()?,
                Event::Text(t) => {
                    let raw = t.into_inner();
                    self.text_content(&raw, start)?;
                }
                Event::CData(c) => {
                    let raw = c.into_inner();
                    self.outside_root_check(&raw, start, "CDATA")?;
                    if let Some(bad) = first_invalid_char(&raw) {
                        return Err(self.bad_char(bad, start));
                    }
                    self.append_text(&raw);
                }
                Event::GeneralRef(r) => {
                    let name: &str = &r;
                    let c = resolve_reference(name)
                        .map_err(|e| Error::new(e.kind(), format!("{} at {}", e.detail(), self.at(start))))?;
                    self.outside_root_check("&", start, "a reference")?;
                    let mut buf = [0u8; 4];
                    self.append_text(c.encode_utf8(&mut buf));
                }
                Event::Eof => return self.finish(),
            }
        }
    }

    fn finish(self) -> Result<Element> {
        if let Some(frame) = self.stack.last() {
            return Err(Error::new(
                ErrorKind::Truncated,
                format!("the document ends inside <{}>", frame.element.qname()),
            ));
        }
        self.root.ok_or_else(|| Error::new(ErrorKind::Truncated, "the document has no root element"))
    }

    fn bad_char(&self, c: char, start: u64) -> Error {
        Error::new(
            ErrorKind::XmlSyntax,
            format!("character U+{:04X} is not allowed in XML, at {}", u32::from(c), self.at(start)),
        )
    }

    /// Text outside the root may only be whitespace.
    fn outside_root_check(&self, raw: &str, start: u64, what: &str) -> Result<()> {
        if !self.stack.is_empty() || is_xml_whitespace(raw) {
            return Ok(());
        }
        if self.root.is_some() {
            Err(Error::new(
                ErrorKind::TrailingContent,
                format!("{what} after the root element at {}", self.at(start)),
            ))
        } else {
            Err(Error::new(
                ErrorKind::XmlSyntax,
                format!("{what} before the root element at {}", self.at(start)),
            ))
        }
    }

    fn text_content(&mut self, raw: &str, start: u64) -> Result<()> {
        self.outside_root_check(raw, start, "text")?;
        if self.stack.is_empty() {
            return Ok(());
        }
        if raw.contains("]]>") {
            return Err(Error::new(ErrorKind::XmlSyntax, format!("`]]>` in text at {}", self.at(start))));
        }
        let decoded = decode(raw, false)
            .map_err(|e| Error::new(e.kind(), format!("{} at {}", e.detail(), self.at(start))))?;
        self.append_text(&decoded);
        Ok(())
    }

    fn append_text(&mut self, text: &str) {
        if let Some(frame) = self.stack.last_mut() {
            frame.pending_text.push_str(text);
        }
    }

    fn open(&mut self, tag: &BytesStart<'_>, start: u64) -> Result<()> {
        let qname = tag.name().into_inner().to_owned();
        if self.stack.is_empty() && self.root.is_some() {
            return Err(Error::new(
                ErrorKind::TrailingContent,
                format!("a second root element <{}> at {}", clip(&qname), self.at(start)),
            ));
        }
        self.elements += 1;
        if self.elements > self.limits.max_elements {
            return Err(Error::new(
                ErrorKind::InputTooLarge,
                format!(
                    "<{}> at {} is element number {}; the limit is {}",
                    clip(&qname),
                    self.at(start),
                    self.elements,
                    self.limits.max_elements
                ),
            ));
        }
        if self.stack.len() >= self.limits.max_depth {
            return Err(Error::new(
                ErrorKind::NestingTooDeep,
                format!(
                    "<{}> at {} is nested deeper than {} elements",
                    clip(&qname),
                    self.at(start),
                    self.limits.max_depth
                ),
            ));
        }
        let mut raw_attrs: Vec<(String, String)> = Vec::new();
        for attr in tag.attributes().with_checks(true) {
            let attr = attr.map_err(|e| {
                Error::new(ErrorKind::XmlSyntax, format!("{e} in <{}> at {}", clip(&qname), self.at(start)))
            })?;
            if raw_attrs.len() >= self.limits.max_attributes {
                return Err(Error::new(
                    ErrorKind::InputTooLarge,
                    format!(
                        "<{}> at {} has more than {} attributes",
                        clip(&qname),
                        self.at(start),
                        self.limits.max_attributes
                    ),
                ));
            }
            let name = attr.key.into_inner().to_owned();
            let value = decode(&attr.value, true).map_err(|e| {
                Error::new(
                    e.kind(),
                    format!(
                        "{} in attribute `{}` of <{}> at {}",
                        e.detail(),
                        clip(&name),
                        clip(&qname),
                        self.at(start)
                    ),
                )
            })?;
            raw_attrs.push((name, value));
        }

        // Namespace declarations first: they apply to the element's own name
        // and to its attributes, whatever their order.
        let mut decls = Vec::new();
        for (name, value) in &raw_attrs {
            let prefix = if name == "xmlns" {
                None
            } else if let Some(p) = name.strip_prefix("xmlns:") {
                Some(p.to_owned())
            } else {
                continue;
            };
            self.check_declaration(prefix.as_deref(), value, start)?;
            decls.push(NamespaceDecl { prefix, uri: value.clone() });
        }
        let bindings = decls.len();
        self.scope.extend(decls.iter().map(|d| (d.prefix.clone(), Arc::from(d.uri.as_str()))));

        let (prefix, local) = self.split_name(&qname, start)?;
        let namespace = match &prefix {
            Some(p) => Some(self.resolve(p, &qname, start)?),
            None => self.default_namespace(),
        };
        let mut attributes: Vec<Attribute> = Vec::new();
        for (name, value) in raw_attrs {
            if name == "xmlns" || name.starts_with("xmlns:") {
                continue;
            }
            let (aprefix, alocal) = self.split_name(&name, start)?;
            let anamespace = match &aprefix {
                Some(p) => Some(self.resolve(p, &name, start)?),
                None => None,
            };
            // Namespaces in XML §6.3: no two attributes with the same
            // expanded name, even when written with different prefixes.
            if attributes.iter().any(|a| a.local == alocal && a.namespace == anamespace) {
                return Err(Error::new(
                    ErrorKind::NamespaceError,
                    format!(
                        "attribute `{}` repeats an expanded name in <{}> at {}",
                        clip(&name),
                        clip(&qname),
                        self.at(start)
                    ),
                ));
            }
            attributes.push(Attribute { namespace: anamespace, prefix: aprefix, local: alocal, value });
        }
        if let Some(parent) = self.stack.last_mut() {
            parent.flush_text();
        }
        self.stack.push(Frame {
            element: Element {
                namespace,
                prefix,
                local,
                attributes,
                namespace_decls: decls,
                children: Vec::new(),
            },
            pending_text: String::new(),
            bindings,
        });
        Ok(())
    }

    fn close(&mut self) -> Result<()> {
        let Some(mut frame) = self.stack.pop() else {
            return Err(self.err(ErrorKind::XmlSyntax, "an end tag without a start tag"));
        };
        frame.flush_text();
        let keep = self.scope.len() - frame.bindings;
        self.scope.truncate(keep);
        match self.stack.last_mut() {
            Some(parent) => parent.element.children.push(Node::Element(frame.element)),
            None => self.root = Some(frame.element),
        }
        Ok(())
    }

    fn check_declaration(&self, prefix: Option<&str>, uri: &str, start: u64) -> Result<()> {
        let fail = |what: String| {
            Err(Error::new(ErrorKind::NamespaceError, format!("{what} at {}", self.at(start))))
        };
        match prefix {
            Some("xmlns") => return fail("the prefix `xmlns` cannot be declared".into()),
            Some("xml") if uri != XML_NAMESPACE => {
                return fail("the prefix `xml` bound to another namespace".into())
            }
            Some("xml") => return Ok(()),
            Some(p) if !is_ncname(p) => return fail(format!("`{}` is not a valid prefix", clip(p))),
            Some(p) if uri.is_empty() => {
                return fail(format!("the prefix `{p}` is undeclared (`xmlns:{p}=\"\"`)"))
            }
            _ => {}
        }
        if uri == XML_NAMESPACE || uri == XMLNS_NAMESPACE {
            return fail(format!("the reserved namespace `{uri}` bound to another prefix"));
        }
        Ok(())
    }

    fn split_name(&self, qname: &str, start: u64) -> Result<(Option<String>, String)> {
        let (prefix, local) = match qname.split_once(':') {
            Some((p, l)) => (Some(p), l),
            None => (None, qname),
        };
        if !is_ncname(local) || prefix.is_some_and(|p| !is_ncname(p)) {
            return Err(Error::new(
                ErrorKind::NamespaceError,
                format!("`{}` is not a valid qualified name at {}", clip(qname), self.at(start)),
            ));
        }
        Ok((prefix.map(str::to_owned), local.to_owned()))
    }

    fn resolve(&self, prefix: &str, qname: &str, start: u64) -> Result<Arc<str>> {
        if prefix == "xml" {
            return Ok(Arc::from(XML_NAMESPACE));
        }
        self.scope
            .iter()
            .rev()
            .find(|(p, _)| p.as_deref() == Some(prefix))
            .map(|(_, uri)| uri.clone())
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::NamespaceError,
                    format!("the prefix of `{}` is not declared, at {}", clip(qname), self.at(start)),
                )
            })
    }

    fn default_namespace(&self) -> Option<Arc<str>> {
        self.scope
            .iter()
            .rev()
            .find(|(p, _)| p.is_none())
            .and_then(|(_, uri)| (!uri.is_empty()).then(|| uri.clone()))
    }
}

/// Checks an XML declaration (`<?xml … ?>`) exactly as XML 1.0 §2.8
/// writes it, which quick-xml does not: `version="1.0"`, then optionally
/// `encoding` (UTF-8 only) and `standalone` (`yes`/`no`), in that order,
/// separated by whitespace, with either quote.
fn check_declaration(raw: &str) -> std::result::Result<(), String> {
    let inner = raw
        .strip_prefix("<?xml")
        .and_then(|r| r.strip_suffix("?>"))
        .ok_or_else(|| "a malformed XML declaration".to_owned())?;
    let mut rest = inner;
    let mut pairs = Vec::new();
    loop {
        let trimmed = rest.trim_start_matches([' ', '\t', '\n']);
        if trimmed.is_empty() {
            break;
        }
        if trimmed.len() == rest.len() {
            return Err(format!("no space before `{}` in the XML declaration", clip(trimmed)));
        }
        let eq = trimmed
            .find('=')
            .ok_or_else(|| "a pseudo-attribute without `=` in the XML declaration".to_owned())?;
        let name = trimmed[..eq].trim_end_matches([' ', '\t', '\n']);
        let after = trimmed[eq + 1..].trim_start_matches([' ', '\t', '\n']);
        let quote =
            after.chars().next().filter(|q| *q == '"' || *q == '\'').ok_or_else(|| {
                format!("the value of `{}` in the XML declaration is not quoted", clip(name))
            })?;
        let close = after[1..]
            .find(quote)
            .ok_or_else(|| "an unterminated value in the XML declaration".to_owned())?;
        pairs.push((name, &after[1..1 + close]));
        rest = &after[close + 2..];
    }
    let names: Vec<&str> = pairs.iter().map(|(n, _)| *n).collect();
    let allowed: &[&[&str]] = &[
        &["version"],
        &["version", "encoding"],
        &["version", "standalone"],
        &["version", "encoding", "standalone"],
    ];
    if !allowed.contains(&names.as_slice()) {
        return Err(format!("XML declaration pseudo-attributes [{}]", names.join(", ")));
    }
    for (name, value) in pairs {
        let ok = match name {
            "version" => value == "1.0",
            "encoding" => value.eq_ignore_ascii_case("utf-8"),
            _ => value == "yes" || value == "no",
        };
        if !ok {
            return Err(format!("{name} `{}` in the XML declaration (version 1.0, UTF-8 only)", clip(value)));
        }
    }
    Ok(())
}

/// Resolves the name inside `&…;`: one of the five predefined entities or
/// a character reference to a legal XML character.
fn resolve_reference(name: &str) -> Result<char> {
    let c = match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => {
            let Some(num) = name.strip_prefix('#') else {
                return Err(Error::new(ErrorKind::EntityForbidden, format!("entity `&{};`", clip(name))));
            };
            let code = match num.strip_prefix('x') {
                Some(hex)
                    if !hex.is_empty() && hex.len() <= 8 && hex.bytes().all(|b| b.is_ascii_hexdigit()) =>
                {
                    u32::from_str_radix(hex, 16).ok()
                }
                None if !num.is_empty() && num.len() <= 10 && num.bytes().all(|b| b.is_ascii_digit()) => {
                    num.parse::<u32>().ok()
                }
                _ => None,
            };
            match code.and_then(char::from_u32) {
                Some(c) if is_xml_char(c) => c,
                _ => {
                    return Err(Error::new(
                        ErrorKind::XmlSyntax,
                        format!("character reference `&{};` is not a legal XML character", clip(name)),
                    ))
                }
            }
        }
    };
    Ok(c)
}

/// Decodes escaped character data; for an attribute value also applies
/// XML attribute-value normalisation (each literal tab or line feed becomes
/// a space; references are kept as the character they name).
fn decode(raw: &str, attribute: bool) -> Result<String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        match c {
            '&' => {
                // quick-xml has already checked that a `;` follows.
                let end = rest
                    .find(';')
                    .ok_or_else(|| Error::new(ErrorKind::XmlSyntax, "an unterminated reference"))?;
                out.push(resolve_reference(&rest[1..end])?);
                rest = &rest[end + 1..];
                continue;
            }
            '<' if attribute => return Err(Error::new(ErrorKind::XmlSyntax, "`<` in an attribute value")),
            '\t' | '\n' | '\r' if attribute => out.push(' '),
            c if !is_xml_char(c) => {
                return Err(Error::new(
                    ErrorKind::XmlSyntax,
                    format!("character U+{:04X} is not allowed in XML", u32::from(c)),
                ))
            }
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    Ok(out)
}

/// The first 64 characters of hostile text, for error details.
fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(64).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out.escape_debug().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str) -> Result<Element> {
        parse(s.as_bytes(), &XmlLimits::default())
    }

    fn kind(s: &str) -> ErrorKind {
        read(s).unwrap_err().kind()
    }

    #[test]
    fn reads_names_namespaces_attributes_and_text() {
        let root = read(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<r:a xmlns:r=\"urn:r\" xmlns=\"urn:d\" k=\"1&amp;\t2\" r:q='x'>\
             <b>t&lt;&#x41;&#66;<![CDATA[<c>]]>u</b><c xmlns=\"\"/></r:a>\n",
        )
        .unwrap();
        assert!(root.is("urn:r", "a"));
        assert_eq!(root.prefix.as_deref(), Some("r"));
        assert_eq!(root.namespace_decls.len(), 2);
        assert_eq!(root.attr("k"), Some("1& 2"));
        assert_eq!(root.attributes[1].namespace.as_deref(), Some("urn:r"));
        let kids: Vec<&Element> = root.child_elements().collect();
        assert!(kids[0].is("urn:d", "b"));
        assert_eq!(kids[0].children, vec![Node::Text("t<AB<c>u".into())]);
        assert!(kids[1].is("", "c"));
    }

    #[test]
    fn line_ends_are_normalised_and_char_refs_kept() {
        let root = read("<a v=\"x&#xD;&#10;y\r\nz\">1\r\n2\r3&#13;</a>").unwrap();
        assert_eq!(root.attr("v"), Some("x\r\ny z"));
        assert_eq!(root.text(), "1\n2\n3\r");
    }

    #[test]
    fn refuses_what_the_profile_forbids() {
        assert_eq!(kind("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>"), ErrorKind::DoctypeForbidden);
        assert_eq!(kind("<a>&x;</a>"), ErrorKind::EntityForbidden);
        assert_eq!(kind("<a b=\"&x;\"/>"), ErrorKind::EntityForbidden);
        assert_eq!(kind("<a><!-- c --></a>"), ErrorKind::CommentForbidden);
        assert_eq!(kind("<!-- c --><a/>"), ErrorKind::CommentForbidden);
        assert_eq!(kind("<a/><!-- c -->"), ErrorKind::CommentForbidden);
        assert_eq!(kind("<a><?pi x?></a>"), ErrorKind::ProcessingInstructionForbidden);
        assert_eq!(kind("<a/><b/>"), ErrorKind::TrailingContent);
        assert_eq!(kind("<a/>text"), ErrorKind::TrailingContent);
        assert_eq!(kind("<a/>&amp;"), ErrorKind::TrailingContent);
        assert_eq!(kind("<a><b>"), ErrorKind::Truncated);
        assert_eq!(kind(""), ErrorKind::Truncated);
        assert_eq!(kind("<a></b>"), ErrorKind::XmlSyntax);
        assert_eq!(kind("x<a/>"), ErrorKind::XmlSyntax);
        assert_eq!(kind("<a>&#0;</a>"), ErrorKind::XmlSyntax);
        assert_eq!(kind("<a>\u{1}</a>"), ErrorKind::XmlSyntax);
        assert_eq!(kind("<a>]]></a>"), ErrorKind::XmlSyntax);
        assert_eq!(kind("<a b=\"<\"/>"), ErrorKind::XmlSyntax);
        assert_eq!(kind("<a b=\"1\" b=\"2\"/>"), ErrorKind::XmlSyntax);
        assert_eq!(kind("<a b=1/>"), ErrorKind::XmlSyntax);
        assert_eq!(kind("<?xml version=\"1.1\"?><a/>"), ErrorKind::XmlSyntax);
        assert_eq!(kind("<?xml version=\"1.0\" encoding=\"latin1\"?><a/>"), ErrorKind::XmlSyntax);
        assert_eq!(kind(" <?xml version=\"1.0\"?><a/>"), ErrorKind::XmlSyntax);
        for bad in [
            "<?xml version=\"1.0\"!encoding=\"UTF-8\"?><a/>",
            "<?xml version=\"1.0\"encoding=\"UTF-8\"?><a/>",
            "<?xml encoding=\"UTF-8\" version=\"1.0\"?><a/>",
            "<?xml version=\"1.0\" standalone=\"maybe\"?><a/>",
            "<?xml version=1.0?><a/>",
            "<?xml version=\"1.0\" extra=\"1\"?><a/>",
            "<?xml?><a/>",
        ] {
            assert_eq!(kind(bad), ErrorKind::XmlSyntax, "{bad}");
        }
        for good in [
            "<?xml version='1.0'?><a/>",
            "<?xml version = \"1.0\"  encoding='utf-8' standalone=\"yes\" ?><a/>",
        ] {
            assert!(read(good).is_ok(), "{good}");
        }
        assert_eq!(parse(b"<a>\xff</a>", &XmlLimits::default()).unwrap_err().kind(), ErrorKind::XmlSyntax);
    }

    #[test]
    fn refuses_namespace_errors() {
        assert_eq!(kind("<p:a/>"), ErrorKind::NamespaceError);
        assert_eq!(kind("<a p:b=\"1\"/>"), ErrorKind::NamespaceError);
        assert_eq!(kind("<a xmlns:p=\"\"/>"), ErrorKind::NamespaceError);
        assert_eq!(kind("<a xmlns:xmlns=\"urn:x\"/>"), ErrorKind::NamespaceError);
        assert_eq!(kind("<a xmlns:xml=\"urn:x\"/>"), ErrorKind::NamespaceError);
        assert_eq!(kind("<a xmlns:p=\"http://www.w3.org/XML/1998/namespace\"/>"), ErrorKind::NamespaceError);
        assert_eq!(
            kind("<a xmlns:p=\"urn:x\" xmlns:q=\"urn:x\" p:b=\"1\" q:b=\"2\"/>"),
            ErrorKind::NamespaceError
        );
        assert_eq!(kind("<a:b:c xmlns:a=\"urn:x\"/>"), ErrorKind::NamespaceError);
        // Scopes end with their element.
        assert_eq!(kind("<a><b xmlns:p=\"urn:p\"/><p:c/></a>"), ErrorKind::NamespaceError);
        assert!(read("<a xml:lang=\"en\"/>").is_ok());
    }

    #[test]
    fn enforces_limits() {
        let limits = XmlLimits { max_bytes: 10, ..XmlLimits::default() };
        assert_eq!(parse(b"<a>0123456789</a>", &limits).unwrap_err().kind(), ErrorKind::InputTooLarge);
        let limits = XmlLimits { max_depth: 3, ..XmlLimits::default() };
        assert!(parse(b"<a><b><c/></b></a>", &limits).is_ok());
        assert_eq!(
            parse(b"<a><b><c><d/></c></b></a>", &limits).unwrap_err().kind(),
            ErrorKind::NestingTooDeep
        );
        let deep = "<a>".repeat(100_000);
        assert_eq!(kind(&deep), ErrorKind::NestingTooDeep);
        let many = format!("<a>{}</a>", "<b/>".repeat(20_000));
        assert_eq!(kind(&many), ErrorKind::InputTooLarge);
        assert!(read(&format!("<a>{}</a>", "<b/>".repeat(19_999))).is_ok());
        let limits = XmlLimits { max_attributes: 2, ..XmlLimits::default() };
        assert_eq!(
            parse(b"<a x=\"1\" y=\"2\" z=\"3\"/>", &limits).unwrap_err().kind(),
            ErrorKind::InputTooLarge
        );
    }

    #[test]
    fn errors_say_where() {
        let err = read("<a>\n  <!-- no --></a>").unwrap_err();
        assert!(err.detail().contains("line 2, column 3"), "{err}");
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let _ = parse(&bytes, &XmlLimits::default());
        }

        #[test]
        fn never_panics_on_xml_like_soup(parts in proptest::collection::vec(proptest::sample::select(vec![
            "<a", "<p:b", ">", "/>", "</a>", "</p:b>", " x=\"1\"", " xmlns=\"urn:a\"", " xmlns:p='urn:p'", "&amp;",
            "&#x41;", "&#0;", "&e;", "<![CDATA[", "]]>", "<!--", "-->", "<?pi?>", "<?xml version=\"1.0\"?>",
            "<!DOCTYPE a>", "text", " ", "\r\n", "é", "\u{1}", "'", "\"", "=", ":", "&",
        ]), 0..40)) {
            let doc: String = parts.concat();
            if let Ok(root) = read(&doc) {
                // Whatever is accepted canonicalises and re-reads to itself.
                let c14n = crate::xml::c14n::canonicalize(&root, None);
                let again = read(&c14n).unwrap();
                proptest::prop_assert_eq!(crate::xml::c14n::canonicalize(&again, None), c14n);
            }
        }
    }

    #[test]
    fn never_panics_on_prefixes_of_a_document() {
        let doc = "<?xml version=\"1.0\"?><a xmlns=\"urn:a\" k=\"v&amp;\"><b>x&#x41;</b><![CDATA[y]]></a>";
        for end in 0..=doc.len() {
            let _ = read(&doc[..end]);
        }
    }
}

//! Enveloped XML-DSig with one fixed profile:
//!
//! - `CanonicalizationMethod` exclusive C14N without comments;
//! - `SignatureMethod` RSA-SHA256 (PKCS#1 v1.5) or ECDSA-SHA256 on P-256
//!   (the `SignatureValue` raw `r‖s`, 64 bytes, as XML-DSig 1.1 and
//!   xmlsec1 write it), whichever the key's kind makes: a trusted key
//!   checks only its own kind's method;
//! - exactly one `Reference`, `URI=""` (the whole document), whose
//!   transforms are exactly enveloped-signature then exclusive C14N, with
//!   `DigestMethod` SHA-256;
//! - `KeyInfo` holds at most a `KeyName`: the signer's [`KeyId`]. Keys
//!   come only from the caller's [`TrustedKeys`], never from the document.
//!
//! The `Signature` must be the last element child of the root, and the
//! only one in the document. Verification parses once and checks the
//! digest and the signature against that very parse, then returns its
//! tree, so what the caller reads is what was signed. Any deviation is an
//! error of its own kind; nothing is "skipped" or "tried another way".

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::c14n::{canonicalize, canonicalize_within};
use super::chars::is_xml_whitespace;
use super::reader::parse;
use super::tree::{Element, Node};
use super::writer::{check_tree, indent, write_document};
use super::XmlLimits;
use crate::crypto::{candidate_keys, check_signature_form, require_algorithm, SignatureAlgorithm, Signer};
use crate::{Error, ErrorKind, KeyId, Result, TrustedKeys};

/// The longest canonical form [`verify`] computes, per byte of the
/// document it verifies.
const C14N_BYTES_PER_INPUT_BYTE: usize = 8;

/// The XML-DSig namespace.
pub(crate) const DSIG_NAMESPACE: &str = "http://www.w3.org/2000/09/xmldsig#";
const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const ECDSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";

/// A document whose signature verified.
#[derive(Debug, Clone)]
pub(crate) struct Verified {
    /// The root element of the parse that was verified, with the
    /// `Signature` element taken out.
    pub(crate) root: Element,
    /// The trusted key that verified the signature.
    pub(crate) key_id: KeyId,
    /// SHA-256 of the signed document's bytes exactly as given.
    pub(crate) sha256: [u8; 32],
}

/// Signs `root` (which must not be signed already) with an enveloped
/// signature and returns the document's bytes. If `root` is indented (its
/// content ends in a line feed), the signature is indented to match.
/// The method is RSA-SHA256 for an RSA signer and ECDSA-SHA256 for a P-256
/// one. Deterministic with RSA: the same tree and key give the same bytes
/// (an ECDSA signature differs each time, the rest does not).
pub(crate) fn sign(root: &Element, signer: &dyn Signer) -> Result<Vec<u8>> {
    let limits = XmlLimits::default();
    check_tree(root, &limits)?;
    let algorithm = method_for(signer);
    require_algorithm(signer, algorithm, &format!("<{}>", root.qname()))?;
    if find_signatures(root).next().is_some() {
        return Err(Error::new(ErrorKind::InvalidArgument, format!("<{}> is already signed", root.qname())));
    }
    let mut signed = root.clone();
    let indented =
        matches!(signed.children.last(), Some(Node::Text(t)) if t.ends_with('\n') && is_xml_whitespace(t));
    if indented {
        if let Some(Node::Text(t)) = signed.children.last_mut() {
            t.push_str("  ");
        }
    }
    let position = signed.children.len();
    // A placeholder in the signature's place, so the digest below is taken
    // over exactly the layout of the final document.
    signed.children.push(Node::Element(Element::new(DSIG_NAMESPACE, "Signature")));
    if indented {
        signed.children.push(Node::Text("\n".to_owned()));
    }
    let digest = Sha256::digest(canonicalize(&signed, Some(position)).as_bytes());
    let key_id = signer.key_id();
    let unsigned = signature_element(algorithm, &STANDARD.encode(digest), "", &key_id, indented);
    let signed_info = unsigned.child_elements().next().ok_or_else(|| internal("SignedInfo"))?;
    let signature = signer.sign(algorithm, canonicalize(signed_info, None).as_bytes())?;
    signed.children[position] = Node::Element(signature_element(
        algorithm,
        &STANDARD.encode(digest),
        &STANDARD.encode(signature),
        &key_id,
        indented,
    ));
    write_document(&signed)
}

/// The scheme a document is signed with: RSA PKCS#1 v1.5 if the signer
/// makes it (as before ECDSA existed), else ECDSA P-256. A signer that
/// makes neither is refused by `require_algorithm` under the RSA name.
fn method_for(signer: &dyn Signer) -> SignatureAlgorithm {
    let makes = signer.algorithms();
    if !makes.contains(&SignatureAlgorithm::RsaPkcs1v15Sha256)
        && makes.contains(&SignatureAlgorithm::EcdsaP256Sha256)
    {
        SignatureAlgorithm::EcdsaP256Sha256
    } else {
        SignatureAlgorithm::RsaPkcs1v15Sha256
    }
}

/// The `SignatureMethod` URI of a scheme; only the two XML-DSig schemes
/// are ever asked for (`method_for`).
fn method_uri(algorithm: SignatureAlgorithm) -> &'static str {
    match algorithm {
        SignatureAlgorithm::EcdsaP256Sha256 => ECDSA_SHA256,
        SignatureAlgorithm::RsaPkcs1v15Sha256 | SignatureAlgorithm::RsaPssSha256 => RSA_SHA256,
    }
}

fn internal(what: &str) -> Error {
    Error::new(ErrorKind::Render, format!("the signature template lacks {what}"))
}

/// The `ds:Signature` element of our profile.
fn signature_element(
    algorithm: SignatureAlgorithm,
    digest_b64: &str,
    signature_b64: &str,
    key_id: &KeyId,
    indented: bool,
) -> Element {
    let ds = |local: &str| Element::new(DSIG_NAMESPACE, local).with_prefix("ds");
    let transforms = ds("Transforms")
        .with_child(ds("Transform").with_attr("Algorithm", ENVELOPED))
        .with_child(ds("Transform").with_attr("Algorithm", EXC_C14N));
    let reference = ds("Reference")
        .with_attr("URI", "")
        .with_child(transforms)
        .with_child(ds("DigestMethod").with_attr("Algorithm", SHA256))
        .with_child(ds("DigestValue").with_text(digest_b64));
    let signed_info = ds("SignedInfo")
        .with_child(ds("CanonicalizationMethod").with_attr("Algorithm", EXC_C14N))
        .with_child(ds("SignatureMethod").with_attr("Algorithm", method_uri(algorithm)))
        .with_child(reference);
    let mut signature = ds("Signature")
        .with_child(signed_info)
        .with_child(ds("SignatureValue").with_text(signature_b64))
        .with_child(ds("KeyInfo").with_child(ds("KeyName").with_text(key_id.to_string())));
    if indented {
        indent(&mut signature, 1);
    }
    signature
}

/// Verifies a signed document whose root must be `{namespace}local`
/// (`expected_root`) against `keys`, within `limits`.
pub(crate) fn verify(
    bytes: &[u8],
    expected_root: (&str, &str),
    keys: &TrustedKeys,
    limits: &XmlLimits,
) -> Result<Verified> {
    if keys.is_empty() {
        return Err(Error::new(ErrorKind::NoTrustedKeys, "the trusted key set is empty"));
    }
    let mut root = parse(bytes, limits)?;
    let (namespace, local) = expected_root;
    if !root.is(namespace, local) {
        return Err(Error::new(
            ErrorKind::WrongDocumentType,
            format!(
                "the root element is {{{}}}{}; expected {{{namespace}}}{local}",
                root.namespace(),
                root.local
            ),
        ));
    }
    let position = locate_signature(&root)?;
    let Some(Node::Element(signature)) = root.children.get(position) else {
        return Err(structure("the ds:Signature element moved while reading"));
    };
    let parts = SignatureParts::read(signature)?;
    let key_id = match &parts.key_name {
        Some(name) => Some(name.parse::<KeyId>().map_err(|_| {
            Error::new(ErrorKind::UnknownKeyId, format!("KeyName `{}` is not a key id", clip(name)))
        })?),
        None => None,
    };
    let candidates = candidate_keys(keys, key_id.as_ref(), parts.algorithm, "the document")?;
    check_signature_form(parts.algorithm, &parts.signature)?;

    // Text escaping can make the canonical form up to 6 bytes per input
    // byte (`"` in a single-quoted attribute becomes `&quot;`); more than
    // that only comes from re-rendered namespace declarations.
    let max_c14n = bytes.len().saturating_mul(C14N_BYTES_PER_INPUT_BYTE).saturating_add(4096);
    let canonical = canonicalize_within(&root, Some(position), max_c14n).ok_or_else(|| {
        Error::new(
            ErrorKind::InputTooLarge,
            format!(
                "the canonical form of this {}-byte document is over {max_c14n} bytes \
                 (a namespace declaration rendered again on many elements)",
                bytes.len()
            ),
        )
    })?;
    let digest = Sha256::digest(canonical.as_bytes());
    drop(canonical);
    if digest.as_slice() != parts.digest.as_slice() {
        return Err(Error::new(
            ErrorKind::DigestMismatch,
            format!(
                "the document digests to {}, the signature says {}",
                STANDARD.encode(digest),
                STANDARD.encode(&parts.digest)
            ),
        ));
    }
    let signed_info = canonicalize(parts.signed_info, None);
    let key_id = candidates
        .iter()
        .find(|k| k.verify(parts.algorithm, signed_info.as_bytes(), &parts.signature).is_ok())
        .map(|k| k.key_id())
        .ok_or_else(|| {
            let tried = candidates.iter().map(|k| k.key_id().to_string()).collect::<Vec<_>>().join(", ");
            Error::new(ErrorKind::SignatureMismatch, format!("SignatureValue does not verify with {tried}"))
        })?;

    root.children.remove(position);
    Ok(Verified { root, key_id, sha256: Sha256::digest(bytes).into() })
}

/// Every `Signature` element in the tree, wherever it is.
fn find_signatures(root: &Element) -> impl Iterator<Item = &Element> {
    let mut stack = vec![root];
    std::iter::from_fn(move || {
        while let Some(e) = stack.pop() {
            stack.extend(e.child_elements());
            if e.is(DSIG_NAMESPACE, "Signature") {
                return Some(e);
            }
        }
        None
    })
}

/// The index (among all child nodes) of the one `Signature`, which must be
/// the root's last element child.
fn locate_signature(root: &Element) -> Result<usize> {
    match find_signatures(root).count() {
        0 => {
            return Err(Error::new(
                ErrorKind::SignatureMissing,
                format!("no ds:Signature in <{}>", root.qname()),
            ))
        }
        1 => {}
        n => return Err(Error::new(ErrorKind::MultipleSignatures, format!("{n} ds:Signature elements"))),
    }
    let last = root.children.iter().rposition(|n| matches!(n, Node::Element(_)));
    match last {
        Some(i) if matches!(&root.children[i], Node::Element(e) if e.is(DSIG_NAMESPACE, "Signature")) => {
            // Anything after it but whitespace would be unsigned-looking text.
            let trailing_text =
                root.children[i + 1..].iter().any(|n| matches!(n, Node::Text(t) if !is_xml_whitespace(t)));
            if trailing_text {
                return Err(Error::new(ErrorKind::SignatureNotLast, "text follows the ds:Signature"));
            }
            Ok(i)
        }
        _ => Err(Error::new(
            ErrorKind::SignatureNotLast,
            format!("the ds:Signature is not the last child element of <{}>", root.qname()),
        )),
    }
}

/// The parts of a `Signature` our profile uses, read strictly.
struct SignatureParts<'a> {
    signed_info: &'a Element,
    algorithm: SignatureAlgorithm,
    digest: Vec<u8>,
    signature: Vec<u8>,
    key_name: Option<String>,
}

fn structure(what: impl Into<String>) -> Error {
    Error::new(ErrorKind::SignatureStructure, what)
}

/// The DSIG child elements of `e`, refusing text other than whitespace
/// and elements from other namespaces.
fn ds_children<'a>(e: &'a Element, path: &str) -> Result<Vec<&'a Element>> {
    let mut out = Vec::new();
    for node in &e.children {
        match node {
            Node::Text(t) if is_xml_whitespace(t) => {}
            Node::Text(_) => return Err(structure(format!("text inside {path}"))),
            Node::Element(c) if c.namespace() == DSIG_NAMESPACE => out.push(c),
            Node::Element(c) => {
                return Err(structure(format!("{path}/{} in namespace `{}`", c.qname(), c.namespace())))
            }
        }
    }
    Ok(out)
}

/// Refuses attributes other than `allowed` (`Id` is allowed everywhere the
/// schema allows it, and is never dereferenced).
fn ds_attributes(e: &Element, allowed: &[&str], path: &str) -> Result<()> {
    match e.attributes.iter().find(|a| a.namespace.is_some() || !allowed.contains(&a.local.as_str())) {
        Some(a) => Err(structure(format!("attribute `{}` on {path}", a.local))),
        None => Ok(()),
    }
}

/// The element-only child named `local` at `index`, or a structure error.
fn expect<'a>(children: &[&'a Element], index: usize, local: &str, path: &str) -> Result<&'a Element> {
    match children.get(index) {
        Some(e) if e.local == local => Ok(e),
        Some(e) => Err(structure(format!("{path}/{} where ds:{local} belongs", e.qname()))),
        None => Err(structure(format!("{path}/ds:{local} is missing"))),
    }
}

fn algorithm<'a>(e: &'a Element, path: &str) -> Result<&'a str> {
    ds_attributes(e, &["Algorithm"], path)?;
    e.attr("Algorithm").ok_or_else(|| structure(format!("{path} has no Algorithm")))
}

/// Refuses any content but whitespace: the method elements of our profile
/// take no parameters.
fn empty(e: &Element, path: &str) -> Result<()> {
    match e.children.iter().find(|n| !matches!(n, Node::Text(t) if is_xml_whitespace(t))) {
        Some(Node::Element(c)) => Err(structure(format!("{path}/{} is not accepted", c.qname()))),
        Some(Node::Text(_)) => Err(structure(format!("text inside {path}"))),
        None => Ok(()),
    }
}

fn leaf_text(e: &Element, path: &str) -> Result<String> {
    if e.child_elements().next().is_some() {
        return Err(structure(format!("{path} holds elements")));
    }
    Ok(e.text())
}

/// Base64 as xmlsec1 and others write it: XML whitespace (line wrapping)
/// anywhere is removed before decoding.
fn decode_base64(text: &str, path: &str) -> Result<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !matches!(c, ' ' | '\t' | '\n' | '\r')).collect();
    STANDARD.decode(compact.as_bytes()).map_err(|e| structure(format!("{path} is not base64: {e}")))
}

impl<'a> SignatureParts<'a> {
    fn read(signature: &'a Element) -> Result<SignatureParts<'a>> {
        let path = "ds:Signature";
        ds_attributes(signature, &["Id"], path)?;
        let children = ds_children(signature, path)?;
        let signed_info = expect(&children, 0, "SignedInfo", path)?;
        let value = expect(&children, 1, "SignatureValue", path)?;
        let key_info = match children.get(2) {
            Some(e) if e.local == "KeyInfo" => Some(*e),
            Some(e) => return Err(structure(format!("{path}/{} is not accepted", e.qname()))),
            None => None,
        };
        if let Some(extra) = children.get(3) {
            return Err(structure(format!("{path}/{} is not accepted", extra.qname())));
        }
        let (algorithm, digest) = read_signed_info(signed_info)?;
        ds_attributes(value, &["Id"], "ds:SignatureValue")?;
        let signature = decode_base64(&leaf_text(value, "ds:SignatureValue")?, "ds:SignatureValue")?;
        let key_name = key_info.map(read_key_info).transpose()?;
        Ok(SignatureParts { signed_info, algorithm, digest, signature, key_name })
    }
}

/// Checks `SignedInfo` against the profile and returns the signature
/// scheme and the digest value.
fn read_signed_info(signed_info: &Element) -> Result<(SignatureAlgorithm, Vec<u8>)> {
    let path = "ds:SignedInfo";
    ds_attributes(signed_info, &["Id"], path)?;
    let children = ds_children(signed_info, path)?;

    let c14n = expect(&children, 0, "CanonicalizationMethod", path)?;
    let c14n_path = "ds:CanonicalizationMethod";
    let c14n_algorithm = algorithm(c14n, c14n_path)?;
    if c14n_algorithm != EXC_C14N {
        return Err(unsupported(c14n_path, c14n_algorithm));
    }
    if let Some(child) = c14n.child_elements().next() {
        return Err(structure(format!(
            "{c14n_path}/{} (inclusive prefixes) is not supported",
            child.qname()
        )));
    }
    empty(c14n, c14n_path)?;

    let method = expect(&children, 1, "SignatureMethod", path)?;
    let method_path = "ds:SignatureMethod";
    if method.child_elements().any(|c| c.is(DSIG_NAMESPACE, "HMACOutputLength")) {
        return Err(Error::new(ErrorKind::HmacOutputLength, format!("{method_path}/ds:HMACOutputLength")));
    }
    let scheme = match algorithm(method, method_path)? {
        RSA_SHA256 => SignatureAlgorithm::RsaPkcs1v15Sha256,
        ECDSA_SHA256 => SignatureAlgorithm::EcdsaP256Sha256,
        other => return Err(unsupported(method_path, other)),
    };
    empty(method, method_path)?;

    let references: Vec<&Element> = children[2..].to_vec();
    if let Some(other) = references.iter().find(|e| e.local != "Reference") {
        return Err(structure(format!("{path}/{} is not accepted", other.qname())));
    }
    for reference in &references {
        match reference.attr("URI") {
            Some("") => {}
            Some(uri) => {
                return Err(Error::new(
                    ErrorKind::ReferenceUriNotEmpty,
                    format!("ds:Reference URI=\"{}\"", clip(uri)),
                ))
            }
            None => return Err(Error::new(ErrorKind::ReferenceUriNotEmpty, "ds:Reference has no URI")),
        }
    }
    match references.len() {
        0 => return Err(structure(format!("{path} has no ds:Reference"))),
        1 => {}
        n => return Err(structure(format!("{path} has {n} ds:Reference elements; exactly one is accepted"))),
    }
    Ok((scheme, read_reference(references[0])?))
}

fn unsupported(path: &str, algorithm: &str) -> Error {
    Error::new(ErrorKind::UnsupportedAlgorithm, format!("{path} Algorithm=\"{}\"", clip(algorithm)))
}

fn read_reference(reference: &Element) -> Result<Vec<u8>> {
    let path = "ds:Reference";
    ds_attributes(reference, &["URI", "Id"], path)?;
    let children = ds_children(reference, path)?;
    let transforms = match children.first() {
        Some(e) if e.local == "Transforms" => *e,
        _ => return Err(Error::new(ErrorKind::TransformsInvalid, "ds:Reference has no ds:Transforms")),
    };
    ds_attributes(transforms, &[], "ds:Transforms")?;
    let list = ds_children(transforms, "ds:Transforms")?;
    let mut algorithms = Vec::new();
    for t in &list {
        if t.local != "Transform" {
            return Err(Error::new(ErrorKind::TransformsInvalid, format!("ds:Transforms/{}", t.qname())));
        }
        let a = t.attr("Algorithm").unwrap_or("");
        if t.attributes.len() != 1
            || t.child_elements().next().is_some()
            || !ds_children(t, "ds:Transform")?.is_empty()
        {
            return Err(Error::new(
                ErrorKind::TransformsInvalid,
                format!("ds:Transform `{}` has parameters", clip(a)),
            ));
        }
        algorithms.push(a);
    }
    if algorithms != [ENVELOPED, EXC_C14N] {
        let list: Vec<String> = algorithms.iter().map(|a| clip(a)).collect();
        return Err(Error::new(
            ErrorKind::TransformsInvalid,
            format!("transforms [{}]; exactly [enveloped-signature, exc-c14n] is accepted", list.join(", ")),
        ));
    }
    let method = expect(&children, 1, "DigestMethod", path)?;
    let method_algorithm = algorithm(method, "ds:DigestMethod")?;
    if method_algorithm != SHA256 {
        return Err(unsupported("ds:DigestMethod", method_algorithm));
    }
    empty(method, "ds:DigestMethod")?;
    let value = expect(&children, 2, "DigestValue", path)?;
    ds_attributes(value, &[], "ds:DigestValue")?;
    if let Some(extra) = children.get(3) {
        return Err(structure(format!("{path}/{} is not accepted", extra.qname())));
    }
    let digest = decode_base64(&leaf_text(value, "ds:DigestValue")?, "ds:DigestValue")?;
    if digest.len() != 32 {
        return Err(structure(format!("ds:DigestValue has {} bytes; SHA-256 has 32", digest.len())));
    }
    Ok(digest)
}

/// Reads `KeyInfo`: a single `KeyName`, nothing else. Key material in the
/// document is refused, never used.
fn read_key_info(key_info: &Element) -> Result<String> {
    let path = "ds:KeyInfo";
    ds_attributes(key_info, &["Id"], path)?;
    let mut names = Vec::new();
    for node in &key_info.children {
        match node {
            Node::Text(t) if is_xml_whitespace(t) => {}
            Node::Text(_) => return Err(structure(format!("text inside {path}"))),
            Node::Element(e) if e.is(DSIG_NAMESPACE, "KeyName") => names.push(e),
            Node::Element(e) => {
                return Err(Error::new(
                    ErrorKind::KeyMaterialInDocument,
                    format!("{path}/{} (only ds:KeyName is read; keys come from the trusted set)", e.qname()),
                ))
            }
        }
    }
    match names.as_slice() {
        [name] => {
            ds_attributes(name, &[], "ds:KeyName")?;
            Ok(leaf_text(name, "ds:KeyName")?.trim_matches([' ', '\t', '\n', '\r']).to_owned())
        }
        [] => Err(structure(format!("{path} is empty"))),
        _ => Err(structure(format!("{path} has {} ds:KeyName elements", names.len()))),
    }
}

/// The first 80 characters of hostile text, for error details.
fn clip(s: &str) -> String {
    s.chars().take(80).collect::<String>().escape_debug().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::test_keys::*;
    use crate::xml::writer::indent;

    const NS: &str = "urn:test";

    fn doc(indented: bool) -> Element {
        let mut root = Element::new(NS, "Doc")
            .with_attr("version", "1")
            .with_text_child("Name", "A & B <x> \"q\" é")
            .with_child(Element::new(NS, "Empty"));
        if indented {
            indent(&mut root, 0);
        }
        root
    }

    fn trusted() -> TrustedKeys {
        [signing_2048().verifying_key().clone(), signing_3072().verifying_key().clone()].into_iter().collect()
    }

    #[test]
    fn signs_and_verifies_compact_and_indented() {
        for indented in [false, true] {
            let key = signing_3072();
            let bytes = sign(&doc(indented), &key).unwrap();
            assert_eq!(bytes, sign(&doc(indented), &key).unwrap(), "deterministic");
            let v = verify(&bytes, (NS, "Doc"), &trusted(), &XmlLimits::default()).unwrap();
            assert_eq!(v.key_id, key.key_id());
            assert_eq!(v.sha256, <[u8; 32]>::from(Sha256::digest(&bytes)));
            assert_eq!(v.root.child_elements().count(), 2);
            assert_eq!(v.root.child_elements().next().unwrap().text(), "A & B <x> \"q\" é");
            let text = String::from_utf8(bytes).unwrap();
            assert_eq!(text.contains("\n  <ds:Signature"), indented, "{text}");
        }
    }

    #[test]
    fn refuses_wrong_root_missing_keys_and_double_signing() {
        let key = signing_2048();
        let bytes = sign(&doc(true), &key).unwrap();
        let err = verify(&bytes, (NS, "Other"), &trusted(), &XmlLimits::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WrongDocumentType);
        let err = verify(&bytes, ("urn:other", "Doc"), &trusted(), &XmlLimits::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WrongDocumentType);
        let err = verify(&bytes, (NS, "Doc"), &TrustedKeys::new(), &XmlLimits::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NoTrustedKeys);
        let only_other: TrustedKeys = signing_3072().verifying_key().clone().into();
        let err = verify(&bytes, (NS, "Doc"), &only_other, &XmlLimits::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnknownKeyId);
        let signed = parse(&bytes, &XmlLimits::default()).unwrap();
        assert_eq!(sign(&signed, &key).unwrap_err().kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn without_key_info_every_trusted_key_is_tried() {
        let key = signing_2048();
        let text = String::from_utf8(sign(&doc(false), &key).unwrap()).unwrap();
        let start = text.find("<ds:KeyInfo>").unwrap();
        let end = text.find("</ds:KeyInfo>").unwrap() + "</ds:KeyInfo>".len();
        let stripped = format!("{}{}", &text[..start], &text[end..]);
        let v = verify(stripped.as_bytes(), (NS, "Doc"), &trusted(), &XmlLimits::default()).unwrap();
        assert_eq!(v.key_id, key.key_id());
        let only_other: TrustedKeys = signing_3072().verifying_key().clone().into();
        let err = verify(stripped.as_bytes(), (NS, "Doc"), &only_other, &XmlLimits::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SignatureMismatch);
    }

    /// `text` with its SignatureValue replaced by the base64 of `value`.
    fn with_signature_value(text: &str, value: &[u8]) -> String {
        let start = text.find("<ds:SignatureValue>").unwrap() + "<ds:SignatureValue>".len();
        let end = text.find("</ds:SignatureValue>").unwrap();
        format!("{}{}{}", &text[..start], STANDARD.encode(value), &text[end..])
    }

    fn signature_value(text: &str) -> Vec<u8> {
        let start = text.find("<ds:SignatureValue>").unwrap() + "<ds:SignatureValue>".len();
        let end = text.find("</ds:SignatureValue>").unwrap();
        STANDARD.decode(&text[start..end]).unwrap()
    }

    #[test]
    fn a_p256_key_signs_with_ecdsa_sha256_raw_r_s() {
        let key = signing_p256();
        let all: TrustedKeys = [
            signing_2048().verifying_key().clone(),
            signing_3072().verifying_key().clone(),
            key.verifying_key().clone(),
        ]
        .into_iter()
        .collect();
        for indented in [false, true] {
            let bytes = sign(&doc(indented), &key).unwrap();
            let text = String::from_utf8(bytes.clone()).unwrap();
            assert!(text.contains(&format!("<ds:SignatureMethod Algorithm=\"{ECDSA_SHA256}\">")), "{text}");
            assert_eq!(signature_value(&text).len(), 64, "raw r||s");
            let v = verify(&bytes, (NS, "Doc"), &all, &XmlLimits::default()).unwrap();
            assert_eq!(v.key_id, key.key_id());
        }
        // RSA keys still sign with rsa-sha256.
        let text = String::from_utf8(sign(&doc(false), &signing_2048()).unwrap()).unwrap();
        assert!(text.contains(RSA_SHA256), "{text}");
    }

    #[test]
    fn ecdsa_refusals_each_have_their_kind() {
        let ec = signing_p256();
        let rsa = signing_2048();
        let both: TrustedKeys =
            [rsa.verifying_key().clone(), ec.verifying_key().clone()].into_iter().collect();
        let limits = XmlLimits::default();
        let text = String::from_utf8(sign(&doc(false), &ec).unwrap()).unwrap();
        let sig = signature_value(&text);
        let order = crate::crypto::test_keys::P256_ORDER;
        let mut flipped = sig.clone();
        flipped[10] ^= 1;
        let cases: Vec<(&str, String, ErrorKind)> = vec![
            ("63 bytes", with_signature_value(&text, &sig[..63]), ErrorKind::SignatureLength),
            ("65 bytes", with_signature_value(&text, &[&sig[..], &[1]].concat()), ErrorKind::SignatureLength),
            (
                "r = 0",
                with_signature_value(&text, &[&[0; 32][..], &sig[32..]].concat()),
                ErrorKind::SignatureScalarZero,
            ),
            (
                "s = n",
                with_signature_value(&text, &[&sig[..32], &order[..]].concat()),
                ErrorKind::SignatureScalarRange,
            ),
            (
                "r > n",
                with_signature_value(&text, &[&[0xFF; 32][..], &sig[32..]].concat()),
                ErrorKind::SignatureScalarRange,
            ),
            ("flipped bit", with_signature_value(&text, &flipped), ErrorKind::SignatureMismatch),
            // The method says RSA, the named key is P-256.
            (
                "rsa-sha256 with a P-256 key",
                text.replace(ECDSA_SHA256, RSA_SHA256),
                ErrorKind::KeyAlgorithmMismatch,
            ),
        ];
        for (name, bad, kind) in cases {
            let err = verify(bad.as_bytes(), (NS, "Doc"), &both, &limits).unwrap_err();
            assert_eq!(err.kind(), kind, "{name}: {err}");
        }
        // The method says ECDSA, the named key is RSA.
        let rsa_text = String::from_utf8(sign(&doc(false), &rsa).unwrap()).unwrap();
        let bad = rsa_text.replace(RSA_SHA256, ECDSA_SHA256);
        let err = verify(bad.as_bytes(), (NS, "Doc"), &both, &limits).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::KeyAlgorithmMismatch, "{err}");
        // No KeyName and no trusted key of the method's kind.
        let start = text.find("<ds:KeyInfo>").unwrap();
        let end = text.find("</ds:KeyInfo>").unwrap() + "</ds:KeyInfo>".len();
        let stripped = format!("{}{}", &text[..start], &text[end..]);
        let only_rsa: TrustedKeys = rsa.verifying_key().clone().into();
        let err = verify(stripped.as_bytes(), (NS, "Doc"), &only_rsa, &limits).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::KeyAlgorithmMismatch, "{err}");
        verify(stripped.as_bytes(), (NS, "Doc"), &both, &limits).unwrap();
        // Other ECDSA curves and hashes are not accepted methods.
        let p384 = text.replace(ECDSA_SHA256, "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384");
        let err = verify(p384.as_bytes(), (NS, "Doc"), &both, &limits).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedAlgorithm, "{err}");
    }

    #[test]
    fn base64_may_be_wrapped() {
        let key = signing_2048();
        let text = String::from_utf8(sign(&doc(false), &key).unwrap()).unwrap();
        let start = text.find("<ds:SignatureValue>").unwrap() + "<ds:SignatureValue>".len();
        let end = text.find("</ds:SignatureValue>").unwrap();
        let value = &text[start..end];
        let wrapped: Vec<String> =
            value.as_bytes().chunks(64).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
        let rewrapped = format!("{}\n{}\n{}", &text[..start], wrapped.join("\r\n"), &text[end..]);
        verify(rewrapped.as_bytes(), (NS, "Doc"), &trusted(), &XmlLimits::default()).unwrap();
    }
}

#[cfg(test)]
#[path = "dsig_refusal_tests.rs"]
mod refusal_tests;

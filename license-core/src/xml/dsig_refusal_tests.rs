//! The `Signature` element's remaining refusals, each tested with its kind
//! (issue 14, section 4): bad base64, a digest of the wrong length, an
//! empty `KeyInfo`, two `KeyName`s, a `KeyName` that is no key id. Each
//! detail names which rule was broken, since the kind is shared.

use super::*;
use crate::crypto::test_keys::signing_2048;

const NS: &str = "urn:test";

fn signed_text() -> String {
    let root = Element::new(NS, "Doc").with_text_child("Name", "value");
    String::from_utf8(sign(&root, &signing_2048()).unwrap()).unwrap()
}

/// The text between `<ds:LOCAL>` and `</ds:LOCAL>` in `text`.
fn inner<'t>(text: &'t str, local: &str) -> &'t str {
    let open = format!("<ds:{local}>");
    let start = text.find(&open).unwrap() + open.len();
    let end = text.find(&format!("</ds:{local}>")).unwrap();
    &text[start..end]
}

fn refusal(text: &str) -> Error {
    let trusted = TrustedKeys::from(signing_2048().verifying_key().clone());
    verify(text.as_bytes(), (NS, "Doc"), &trusted, &XmlLimits::default()).unwrap_err()
}

#[test]
fn each_signature_element_refusal_names_its_rule() {
    let text = signed_text();
    let digest = inner(&text, "DigestValue");
    let value = inner(&text, "SignatureValue");
    let key_info = format!("<ds:KeyInfo>{}</ds:KeyInfo>", inner(&text, "KeyInfo"));
    let key_name = inner(&text, "KeyInfo");
    assert!(key_name.starts_with("<ds:KeyName>"), "{key_name}");
    let cases: Vec<(&str, String, ErrorKind, &str)> = vec![
        (
            "DigestValue not base64",
            text.replacen(digest, "not*base64", 1),
            ErrorKind::SignatureStructure,
            "ds:DigestValue is not base64",
        ),
        (
            "SignatureValue not base64",
            text.replacen(value, &format!("{}#", &value[1..]), 1),
            ErrorKind::SignatureStructure,
            "ds:SignatureValue is not base64",
        ),
        (
            "a SHA-1 sized digest",
            text.replacen(digest, &STANDARD.encode([7u8; 20]), 1),
            ErrorKind::SignatureStructure,
            "has 20 bytes",
        ),
        (
            "a digest one byte too long",
            text.replacen(digest, &STANDARD.encode([7u8; 33]), 1),
            ErrorKind::SignatureStructure,
            "has 33 bytes",
        ),
        (
            "an empty KeyInfo",
            text.replacen(&key_info, "<ds:KeyInfo>\n</ds:KeyInfo>", 1),
            ErrorKind::SignatureStructure,
            "ds:KeyInfo is empty",
        ),
        (
            "two KeyNames",
            text.replacen(key_name, &format!("{key_name}{key_name}"), 1),
            ErrorKind::SignatureStructure,
            "2 ds:KeyName elements",
        ),
        (
            "a KeyName that is no key id",
            text.replacen(key_name, "<ds:KeyName>vendor-2026</ds:KeyName>", 1),
            ErrorKind::UnknownKeyId,
            "is not a key id",
        ),
    ];
    for (what, doc, kind, detail) in &cases {
        assert_ne!(doc, &text, "{what}: the edit applied");
        let err = refusal(doc);
        assert_eq!(err.kind(), *kind, "{what}: {err}");
        assert!(err.detail().contains(detail), "{what}: {err}");
    }
}

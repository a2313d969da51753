//! Tampering with a signed license: every single-byte change anywhere in
//! the document, and every edit of an attribute or text value, is refused.

mod support;

use license_core::{
    instance::MatchPolicy,
    license::{ActionedLimit, InstanceBinding},
    ErrorKind, Feature, License, SigningKey, TrustedKeys,
};
use time::macros::datetime;

fn key() -> SigningKey {
    let path = support::vectors().join("keys").join("vendor-2048.key.pem");
    SigningKey::from_pkcs8_pem(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn small_license() -> License {
    License::builder("L-1", "certmgr", datetime!(2026-01-01 0:00 UTC))
        .licensee("Zoë & Co")
        .expires_at(datetime!(2027-01-01 0:00 UTC))
        .feature("api", Feature::enabled().with_quantity(10))
        .actioned_limit(ActionedLimit::Counted(5_000))
        .binding(InstanceBinding {
            instance_id: "i-1".into(),
            fingerprint: support::server_fingerprint(),
            policy: Some(MatchPolicy::default().to_string()),
        })
        .attribute("po", "42")
        .build()
        .unwrap()
}

#[test]
fn flipping_any_byte_is_refused() {
    let key = key();
    let trusted = TrustedKeys::from(key.verifying_key().clone());
    let xml = small_license().sign(&key).unwrap();
    assert_eq!(License::from_signed_xml(&xml, &trusted).unwrap().license(), &small_license());
    for i in 0..xml.len() {
        for mask in [0x01u8, 0x80] {
            let mut tampered = xml.clone();
            tampered[i] ^= mask;
            if let Ok(v) = License::from_signed_xml(&tampered, &trusted) {
                panic!(
                    "flipping byte {i} ({:?}) with {mask:#x} still verified as {:?}",
                    xml[i] as char,
                    v.license().id()
                );
            }
        }
    }
}

/// The spans of attribute values (`="…"`) and non-blank text (`>…<`) in
/// the license content: from the root's start tag to the signature.
fn value_spans(text: &str) -> Vec<(usize, usize)> {
    let content_end = text.find("<ds:Signature").unwrap();
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = text.find("<License").unwrap_or(0);
    while i < content_end {
        if bytes[i] == b'"' && i > 0 && bytes[i - 1] == b'=' {
            let end = i + 1 + text[i + 1..].find('"').unwrap();
            spans.push((i + 1, end));
            i = end + 1;
        } else if bytes[i] == b'>' {
            let end = i + 1 + text[i + 1..].find('<').unwrap();
            if !text[i + 1..end].trim().is_empty() {
                spans.push((i + 1, end));
            }
            i = end;
        } else {
            i += 1;
        }
    }
    spans
}

#[test]
fn editing_any_value_is_a_digest_mismatch() {
    let key = key();
    let trusted = TrustedKeys::from(key.verifying_key().clone());
    let text = String::from_utf8(small_license().sign(&key).unwrap()).unwrap();
    let spans = value_spans(&text);
    assert!(spans.len() >= 15, "found only {} values", spans.len());
    for (start, end) in spans {
        let value = &text[start..end];
        let namespace_declaration = text[..start].ends_with("xmlns=\"");
        for edited in
            [format!("{value}x"), value.replacen(|c: char| c.is_alphanumeric(), "0", 1), String::new()]
        {
            if edited == value {
                continue;
            }
            let tampered = format!("{}{edited}{}", &text[..start], &text[end..]);
            let err = License::from_signed_xml(tampered.as_bytes(), &trusted).unwrap_err();
            let expected =
                if namespace_declaration { ErrorKind::WrongDocumentType } else { ErrorKind::DigestMismatch };
            assert_eq!(err.kind(), expected, "`{value}` -> `{edited}`: {err}");
        }
    }
}

#[test]
fn the_span_finder_finds_values() {
    let spans = value_spans("<a k=\"v\"> <b>t</b><ds:Signature");
    assert_eq!(spans, vec![(6, 7), (13, 14)]);
}

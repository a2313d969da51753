//! The attack corpus: `tests/attacks/KIND--what.xml`, one file per known
//! attack on signed XML, each of which must fail with exactly the error
//! kind its name starts with (`KIND` is `ErrorKind::name()`).
//!
//! The files are made by [`corpus`] below from a license signed with the
//! trusted test key, so each is a realistic forgery: the signature stays
//! valid wherever the attack allows it. Regenerate with
//! `LC_REGENERATE_ATTACKS=1 cargo test --test xml_attacks`; the test
//! `corpus_is_what_the_generator_makes` keeps files and generator in step.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use license_core::{
    license::ActionedLimit, ErrorKind, Feature, License, SigningKey, TrustedKeys, VerifyingKey, XmlLimits,
};
use time::macros::datetime;

fn attacks_dir() -> PathBuf {
    support::root().join("tests").join("attacks")
}

fn key(name: &str) -> SigningKey {
    let path = support::vectors().join("keys").join(format!("{name}.key.pem"));
    SigningKey::from_pkcs8_pem(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Only the 2048-bit vendor key is trusted; the 3072-bit one plays the
/// attacker's key.
fn trusted() -> TrustedKeys {
    TrustedKeys::from(key("vendor-2048").verifying_key().clone())
}

fn license() -> License {
    License::builder("LIC-2026-0001", "certmgr", datetime!(2026-01-01 0:00 UTC))
        .licensee("Example Ltd")
        .expires_at(datetime!(2027-01-01 0:00 UTC))
        .feature("api", Feature::enabled().with_quantity(10))
        .actioned_limit(ActionedLimit::Counted(5_000))
        .attribute("purchase-order", "PO-88123")
        .build()
        .unwrap()
}

fn signed(license: &License, key_name: &str) -> String {
    String::from_utf8(license.sign(&key(key_name)).unwrap()).unwrap()
}

/// `text` with the first `from` replaced; `from` must occur.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "generator: `{from}` not found");
    text.replacen(from, to, 1)
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let s = text.find(start).unwrap_or_else(|| panic!("no {start}"));
    let e = text[s..].find(end).unwrap_or_else(|| panic!("no {end}")) + s + end.len();
    &text[s..e]
}

const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
const ENVELOPED: &str =
    "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"></ds:Transform>";
const EXC: &str = "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"></ds:Transform>";

/// Every attack file: name and bytes.
fn corpus() -> BTreeMap<String, Vec<u8>> {
    let good = signed(&license(), "vendor-2048");
    let signature = between(&good, "  <ds:Signature", "</ds:Signature>\n").to_owned();
    let unsigned = good.replace(&signature, "");
    let forged_license =
        license().to_builder().actioned_limit(ActionedLimit::Counted(500_000)).build().unwrap();
    let forged_body = {
        let f = signed(&forged_license, "vendor-2048");
        let sig = between(&f, "  <ds:Signature", "</ds:Signature>\n").to_owned();
        f.replace(&sig, "")
    };
    let by_attacker = signed(&forged_license, "vendor-3072");
    let root_open = "<License xmlns=\"urn:license-core:license\" version=\"1\">";
    let decl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

    let mut c: BTreeMap<&str, String> = BTreeMap::new();
    // DTDs and entities.
    c.insert(
        "doctype_forbidden--internal-entity-declaration",
        edit(
            &edit(&good, decl, &format!("{decl}<!DOCTYPE License [<!ENTITY who \"Mallory\">]>\n")),
            "Example Ltd",
            "&who;",
        ),
    );
    c.insert(
        "doctype_forbidden--external-dtd-xxe",
        edit(&good, decl, &format!("{decl}<!DOCTYPE License SYSTEM \"file:///etc/passwd\">\n")),
    );
    c.insert("entity_forbidden--undeclared-entity-in-text", edit(&good, "Example Ltd", "&xxe;"));
    c.insert("entity_forbidden--entity-in-attribute", edit(&good, "graceDays=\"0\"", "graceDays=\"&zero;\""));
    // Comments and processing instructions: c14n without comments drops a
    // comment, so the signature stays valid while a naive reader that takes
    // the first text node reads "Example" instead of "Example Ltd".
    c.insert(
        "comment_forbidden--comment-splitting-signed-text",
        edit(&good, "Example Ltd", "Example<!---->Ltd"),
    );
    c.insert("comment_forbidden--comment-after-root", format!("{good}<!-- trailing -->\n"));
    c.insert(
        "processing_instruction_forbidden--stylesheet-before-root",
        edit(&good, decl, &format!("{decl}<?xml-stylesheet type=\"text/xsl\" href=\"evil.xsl\"?>\n")),
    );
    c.insert(
        "processing_instruction_forbidden--pi-inside-license",
        edit(&good, "<Product>", "<?evil x?><Product>"),
    );
    // Where the signature is.
    c.insert("signature_missing--unsigned", unsigned.clone());
    c.insert(
        "signature_missing--signature-in-a-look-alike-namespace",
        edit(&good, &format!("xmlns:ds=\"{DS}\""), "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig-fake#\""),
    );
    c.insert(
        "multiple_signatures--signature-twice",
        edit(&good, "</License>", &format!("{signature}</License>")),
    );
    c.insert(
        "multiple_signatures--second-signature-inside-the-content",
        edit(&good, "  </Attributes>", &format!("  {}  </Attributes>", signature.trim_start())),
    );
    let attributes = between(&unsigned, "  <Attributes>", "</Attributes>\n").to_owned();
    c.insert(
        "signature_not_last--signature-as-first-child",
        edit(&unsigned, &format!("{root_open}\n"), &format!("{root_open}\n{signature}")),
    );
    c.insert(
        "signature_not_last--element-after-signature",
        edit(&edit(&good, &attributes, ""), "</ds:Signature>\n", &format!("</ds:Signature>\n{attributes}")),
    );
    c.insert(
        "signature_not_last--text-after-signature",
        edit(&good, "</ds:Signature>\n", "</ds:Signature>\nforged"),
    );
    // Signature wrapping: the genuine signed license nested inside a forged
    // one, or its content moved into ds:Object under a forged root.
    let genuine_root = good.trim_start_matches(decl).trim_end().to_owned();
    c.insert(
        "signature_not_last--genuine-license-wrapped-in-forged-license",
        edit(&forged_body, "</License>", &format!("  {genuine_root}\n</License>")),
    );
    let object = format!("<ds:Object>{}</ds:Object>\n  ", unsigned.trim_start_matches(decl).trim_end());
    c.insert(
        "signature_structure--signed-content-moved-into-object",
        edit(
            &forged_body,
            "</License>",
            &format!(
                "{}</License>",
                signature.replace("</ds:Signature>", &format!("{object}</ds:Signature>"))
            ),
        ),
    );
    c.insert(
        "trailing_content--forged-second-root-element",
        format!("{good}{}", forged_body.trim_start_matches(decl)),
    );
    c.insert("trailing_content--text-after-root", format!("{good}forged\n"));
    // References.
    c.insert(
        "reference_uri_not_empty--id-reference",
        edit(&edit(&good, "version=\"1\">", "version=\"1\" Id=\"lic\">"), "URI=\"\"", "URI=\"#lic\""),
    );
    c.insert("reference_uri_not_empty--xpointer", edit(&good, "URI=\"\"", "URI=\"#xpointer(/)\""));
    c.insert(
        "reference_uri_not_empty--external-document",
        edit(&good, "URI=\"\"", "URI=\"https://evil.example/l.xml\""),
    );
    c.insert("reference_uri_not_empty--no-uri", edit(&good, "<ds:Reference URI=\"\">", "<ds:Reference>"));
    let reference = between(&good, "<ds:Reference", "</ds:Reference>").to_owned();
    c.insert(
        "signature_structure--two-references",
        edit(&good, "</ds:Reference>", &format!("</ds:Reference>\n      {reference}")),
    );
    // Transforms.
    c.insert(
        "transforms_invalid--reordered",
        edit(&good, &format!("{ENVELOPED}\n          {EXC}"), &format!("{EXC}\n          {ENVELOPED}")),
    );
    c.insert("transforms_invalid--missing-enveloped", edit(&good, &format!("{ENVELOPED}\n          "), ""));
    c.insert(
        "transforms_invalid--extra-xpath",
        edit(
            &good,
            EXC,
            &format!("{EXC}<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\"><ds:XPath>not(ancestor-or-self::*)</ds:XPath></ds:Transform>"),
        ),
    );
    c.insert(
        "transforms_invalid--xslt",
        edit(
            &good,
            EXC,
            "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\"></ds:Transform>",
        ),
    );
    c.insert(
        "transforms_invalid--exc-c14n-with-comments",
        edit(
            &good,
            EXC,
            "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#WithComments\"></ds:Transform>",
        ),
    );
    // Algorithms.
    c.insert(
        "unsupported_algorithm--sha1-digest",
        edit(&good, "http://www.w3.org/2001/04/xmlenc#sha256", &format!("{DS}sha1")),
    );
    c.insert(
        "unsupported_algorithm--rsa-sha1-signature",
        edit(&good, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", &format!("{DS}rsa-sha1")),
    );
    c.insert(
        "unsupported_algorithm--hmac-sha256",
        edit(
            &good,
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256",
        ),
    );
    // An RSA signature relabelled as ECDSA: the named (trusted) key is RSA,
    // so the method is refused before any signature work.
    c.insert(
        "key_algorithm_mismatch--ecdsa-method-rsa-key",
        edit(
            &good,
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
        ),
    );
    c.insert(
        "unsupported_algorithm--ecdsa-sha384",
        edit(
            &good,
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
        ),
    );
    c.insert(
        "unsupported_algorithm--inclusive-c14n",
        edit(
            &good,
            "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\">",
            "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\">",
        ),
    );
    c.insert(
        "hmac_output_length--truncated-hmac",
        edit(
            &good,
            "<ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"></ds:SignatureMethod>",
            &format!("<ds:SignatureMethod Algorithm=\"{DS}hmac-sha1\"><ds:HMACOutputLength>0</ds:HMACOutputLength></ds:SignatureMethod>"),
        ),
    );
    // Keys: only KeyName is read, keys come from the trusted set.
    let attacker = key("vendor-3072");
    // The SPKI PEM's body is the base64 of its DER.
    let attacker_pub: String =
        attacker.verifying_key().to_public_key_pem().lines().filter(|l| !l.starts_with("-----")).collect();
    let key_info_attacker = between(&by_attacker, "<ds:KeyInfo>", "</ds:KeyInfo>").to_owned();
    c.insert(
        "key_material_in_document--key-value",
        edit(
            &by_attacker,
            &key_info_attacker,
            &format!("<ds:KeyInfo><ds:KeyValue><ds:RSAKeyValue><ds:Modulus>{attacker_pub}</ds:Modulus><ds:Exponent>AQAB</ds:Exponent></ds:RSAKeyValue></ds:KeyValue></ds:KeyInfo>"),
        ),
    );
    c.insert(
        "key_material_in_document--x509-data",
        edit(
            &by_attacker,
            &key_info_attacker,
            &format!("<ds:KeyInfo><ds:X509Data><ds:X509Certificate>{attacker_pub}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"),
        ),
    );
    c.insert(
        "key_material_in_document--key-name-and-der-key-value",
        edit(
            &by_attacker,
            "</ds:KeyName>",
            &format!("</ds:KeyName><dsig11:DEREncodedKeyValue xmlns:dsig11=\"http://www.w3.org/2009/xmldsig11#\">{attacker_pub}</dsig11:DEREncodedKeyValue>"),
        ),
    );
    c.insert("unknown_key_id--signed-by-an-untrusted-key", by_attacker.clone());
    c.insert(
        "unknown_key_id--key-name-is-not-a-key-id",
        edit(&good, &key("vendor-2048").key_id().to_string(), "vendor-signing-key-2026"),
    );
    c.insert(
        "signature_mismatch--untrusted-key-without-key-info",
        edit(&by_attacker, &key_info_attacker, ""),
    );
    // Content and signature values.
    c.insert("digest_mismatch--actioned-limit-raised", edit(&good, "count=\"5000\"", "count=\"500000\""));
    c.insert(
        "digest_mismatch--feature-added",
        edit(&good, "</Features>", "  <Feature enabled=\"true\" name=\"sso\"></Feature>\n  </Features>"),
    );
    let forged_digest = between(&by_attacker, "<ds:DigestValue>", "</ds:DigestValue>").to_owned();
    let good_digest = between(&good, "<ds:DigestValue>", "</ds:DigestValue>").to_owned();
    c.insert(
        "signature_mismatch--content-edited-and-digest-recomputed",
        edit(&edit(&good, "count=\"5000\"", "count=\"500000\""), &good_digest, &forged_digest),
    );
    let value = between(&good, "<ds:SignatureValue>", "</ds:SignatureValue>").to_owned();
    let mut flipped = value.clone().into_bytes();
    let i = "<ds:SignatureValue>".len() + 10;
    flipped[i] = if flipped[i] == b'A' { b'B' } else { b'A' };
    c.insert(
        "signature_mismatch--signature-value-changed",
        edit(&good, &value, &String::from_utf8(flipped).unwrap()),
    );
    c.insert(
        "signature_mismatch--signature-value-truncated-to-1024-bits",
        edit(&good, &value, &format!("<ds:SignatureValue>{}</ds:SignatureValue>", "A".repeat(171) + "=")),
    );
    // Document type.
    c.insert(
        "wrong_document_type--usage-log-root",
        edit(
            &edit(&good, root_open, "<UsageLog xmlns=\"urn:license-core:usage\" version=\"1\">"),
            "</License>",
            "</UsageLog>",
        ),
    );
    c.insert(
        "wrong_document_type--license-without-namespace",
        edit(&good, " xmlns=\"urn:license-core:license\"", ""),
    );
    // Limits.
    c.insert(
        "nesting_too_deep--forty-levels-inside-an-attribute",
        edit(&good, "PO-88123", &format!("{}PO{}", "<x>".repeat(40), "</x>".repeat(40))),
    );

    let mut out: BTreeMap<String, Vec<u8>> =
        c.into_iter().map(|(k, v)| (format!("{k}.xml"), v.into_bytes())).collect();
    let weak = std::fs::read(support::vectors().join("keys").join("weak-1024.pub.pem")).unwrap();
    out.insert("key_too_small--rsa-1024-trusted-key.pub.pem".to_owned(), weak);
    out
}

fn kind_of(file_name: &str) -> ErrorKind {
    let name = file_name.split("--").next().unwrap();
    *ErrorKind::ALL
        .iter()
        .find(|k| k.name() == name)
        .unwrap_or_else(|| panic!("{file_name}: no kind `{name}`"))
}

fn committed() -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(attacks_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".xml") || name.ends_with(".pem") {
            out.insert(name, std::fs::read(&path).unwrap());
        }
    }
    out
}

#[test]
fn corpus_is_what_the_generator_makes() {
    let generated = corpus();
    if std::env::var("LC_REGENERATE_ATTACKS").as_deref() == Ok("1") {
        std::fs::create_dir_all(attacks_dir()).unwrap();
        for old in committed().keys() {
            std::fs::remove_file(attacks_dir().join(old)).unwrap();
        }
        for (name, bytes) in &generated {
            std::fs::write(attacks_dir().join(name), bytes).unwrap();
        }
    }
    let files = committed();
    assert_eq!(files.keys().collect::<Vec<_>>(), generated.keys().collect::<Vec<_>>());
    for (name, bytes) in &generated {
        assert!(
            files[name] == *bytes,
            "{name} differs from the generator (LC_REGENERATE_ATTACKS=1 rewrites it)"
        );
    }
}

#[test]
fn every_attack_fails_with_its_own_kind() {
    let files = committed();
    assert!(files.len() >= 40, "the corpus is missing");
    for (name, bytes) in &files {
        let expected = kind_of(name);
        let err = if name.ends_with(".pem") {
            VerifyingKey::from_public_key_bytes(bytes).unwrap_err()
        } else {
            License::from_signed_xml(bytes, &trusted()).unwrap_err()
        };
        assert_eq!(err.kind(), expected, "{name}: {err}");
        assert!(!err.detail().is_empty(), "{name}: the error says where");
    }
}

#[test]
fn the_corpus_covers_every_listed_attack() {
    let covered: BTreeSet<ErrorKind> = committed().keys().map(|n| kind_of(n)).collect();
    for kind in [
        ErrorKind::DoctypeForbidden,
        ErrorKind::EntityForbidden,
        ErrorKind::CommentForbidden,
        ErrorKind::ProcessingInstructionForbidden,
        ErrorKind::MultipleSignatures,
        ErrorKind::SignatureNotLast,
        ErrorKind::ReferenceUriNotEmpty,
        ErrorKind::TransformsInvalid,
        ErrorKind::UnsupportedAlgorithm,
        ErrorKind::KeyTooSmall,
        ErrorKind::UnknownKeyId,
        ErrorKind::DigestMismatch,
        ErrorKind::SignatureMismatch,
        ErrorKind::TrailingContent,
        ErrorKind::WrongDocumentType,
        ErrorKind::KeyMaterialInDocument,
        ErrorKind::HmacOutputLength,
        ErrorKind::NestingTooDeep,
        ErrorKind::SignatureMissing,
        ErrorKind::SignatureStructure,
        ErrorKind::KeyAlgorithmMismatch,
    ] {
        assert!(covered.contains(&kind), "no attack file for {kind:?}");
    }
}

/// The size limit is tested on the fly: a 1 MiB file has no place in the
/// repository.
#[test]
fn input_over_the_size_limit_is_refused_before_parsing() {
    let good = signed(&license(), "vendor-2048");
    let padded = good.replacen("PO-88123", &"P".repeat(1024 * 1024), 1);
    let err = License::from_signed_xml(padded.as_bytes(), &trusted()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InputTooLarge);
    let small = XmlLimits { max_bytes: good.len() - 1, ..XmlLimits::default() };
    let err = License::from_signed_xml_with_limits(good.as_bytes(), &trusted(), &small).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InputTooLarge);
    License::from_signed_xml(good.as_bytes(), &trusted()).unwrap();
}

#[test]
fn the_untouched_base_document_verifies() {
    // Guards the corpus: its attacks fail because of the attack, not
    // because the base document was broken to begin with.
    let good = signed(&license(), "vendor-2048");
    assert_eq!(License::from_signed_xml(good.as_bytes(), &trusted()).unwrap().license(), &license());
}

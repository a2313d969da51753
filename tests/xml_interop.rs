//! Interop with xmlsec1 (Debian's `xmlsec1`) and Python's signxml, both directions:
//! - every license we sign, xmlsec1 verifies with the named key pinned and
//!   only `URI=""` references allowed;
//! - license templates signed by `xmlsec1 --sign` (with and without the
//!   `ds:` prefix, pretty-printed and compact, CRLF line ends, attributes
//!   reordered, self-closed elements) verify with ours and read back the
//!   same license;
//! - a license altered after signing is rejected by both.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use license_core::{
    license::{ActionedLimit, ExpiryPolicy, InstanceBinding},
    ErrorKind, Feature, License, SigningKey, TrustedKeys,
};
use time::macros::datetime;

fn key(bits: u32) -> SigningKey {
    let path = support::vectors().join("keys").join(format!("vendor-{bits}.key.pem"));
    SigningKey::from_pkcs8_pem(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn pub_path(bits: u32) -> PathBuf {
    support::vectors().join("keys").join(format!("vendor-{bits}.pub.pem"))
}

fn key_path(bits: u32) -> PathBuf {
    support::vectors().join("keys").join(format!("vendor-{bits}.key.pem"))
}

fn trusted() -> TrustedKeys {
    [key(2048).verifying_key().clone(), key(3072).verifying_key().clone()].into_iter().collect()
}

fn licenses() -> Vec<License> {
    let full = License::builder("LIC-ÜÑÏ-0001", "certmgr", datetime!(2026-01-01 0:00 UTC))
        .licensee("Ünïcode & <Sons> \"Ltd\" 漢字 😀")
        .organisation("Org 'quoted' > & more")
        .email("ops@example.com")
        .expires_at(datetime!(2027-01-01 0:00 UTC))
        .expiry_policy(ExpiryPolicy { warning_days: vec![90, 30, 7], grace_days: 14 })
        .feature("api", Feature::enabled().with_quantity(10))
        .feature("audit", Feature::disabled())
        .feature("reports", Feature::enabled().with_expiry(datetime!(2026-07-01 0:00 UTC)))
        .actioned_limit(ActionedLimit::Counted(5_000))
        .binding(InstanceBinding {
            instance_id: "inst-7".into(),
            fingerprint: support::server_fingerprint(),
            policy: Some(license_core::instance::MatchPolicy::default().to_string()),
        })
        .attribute("region", "eu-west\ttabbed\nnewline")
        .attribute("tier", "gold & <more>")
        .build()
        .unwrap();
    let minimal =
        License::builder("L-1", "certmgr", datetime!(2026-01-01 0:00 UTC)).licensee("n").build().unwrap();
    vec![full, minimal]
}

/// `xmlsec1 --verify` with the vector key of `bits` pinned by name.
fn xmlsec_verify(xmlsec: &Path, bits: u32, file: &Path) -> (bool, String) {
    support::xmlsec_verify(xmlsec, &key(bits).key_id().to_string(), &pub_path(bits), file)
}

fn xmlsec_sign(xmlsec: &Path, bits: u32, template: &Path, out: &Path) {
    let kid = key(bits).key_id().to_string();
    let (ok, so, se) = support::run(
        Command::new(xmlsec)
            .arg("--sign")
            .arg(format!("--privkey-pem:{kid}"))
            .arg(key_path(bits))
            .arg("--output")
            .arg(out)
            .arg(template),
    );
    assert!(ok, "xmlsec1 --sign {} failed: {so}{se}", template.display());
}

#[test]
fn xmlsec1_verifies_every_license_we_sign() {
    let Some(xmlsec) = support::peer("xmlsec1") else { return };
    let dir = tempfile::tempdir().unwrap();
    for bits in [2048, 3072] {
        for (i, license) in licenses().iter().enumerate() {
            let xml = license.sign(&key(bits)).unwrap();
            let file = support::write(dir.path(), &format!("ours-{bits}-{i}.xml"), &xml);
            let (ok, out) = xmlsec_verify(&xmlsec, bits, &file);
            assert!(ok, "xmlsec1 refused our {bits}-bit license {i}: {out}");
            assert!(out.contains("OK"), "{out}");

            // Altered after signing: both refuse.
            let text = String::from_utf8(xml).unwrap();
            let altered = text.replacen("certmgr</", "certmgrx</", 1);
            let file =
                support::write(dir.path(), &format!("ours-altered-{bits}-{i}.xml"), altered.as_bytes());
            let (ok, out) = xmlsec_verify(&xmlsec, bits, &file);
            assert!(!ok, "xmlsec1 accepted an altered license: {out}");
            let err = License::from_signed_xml(altered.as_bytes(), &trusted()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::DigestMismatch);
        }
    }
}

const DS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// An XML-DSig template of our profile: `ds:` prefixed or in the default
/// namespace, with the given indentation (`None`: compact).
fn signature_template(prefixed: bool, indent: Option<&str>) -> String {
    let p = if prefixed { "ds:" } else { "" };
    let decl = if prefixed { format!("xmlns:ds=\"{DS}\"") } else { format!("xmlns=\"{DS}\"") };
    let lines = [
        (1, format!("<{p}Signature {decl}>")),
        (2, format!("<{p}SignedInfo>")),
        (3, format!("<{p}CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>")),
        (3, format!("<{p}SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/>")),
        (3, format!("<{p}Reference URI=\"\">")),
        (4, format!("<{p}Transforms>")),
        (5, format!("<{p}Transform Algorithm=\"{DS}enveloped-signature\"/>")),
        (5, format!("<{p}Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>")),
        (4, format!("</{p}Transforms>")),
        (4, format!("<{p}DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>")),
        (4, format!("<{p}DigestValue/>")),
        (3, format!("</{p}Reference>")),
        (2, format!("</{p}SignedInfo>")),
        (2, format!("<{p}SignatureValue/>")),
        (2, format!("<{p}KeyInfo>")),
        (3, format!("<{p}KeyName/>")),
        (2, format!("</{p}KeyInfo>")),
        (1, format!("</{p}Signature>")),
    ];
    match indent {
        None => lines.iter().map(|(_, l)| l.as_str()).collect(),
        Some(unit) => lines.iter().map(|(level, l)| format!("{}{l}\n", unit.repeat(*level))).collect(),
    }
}

/// Our signed document without its signature, as the body of a template.
fn unsigned_body(license: &License) -> String {
    let text = String::from_utf8(license.sign(&key(2048)).unwrap()).unwrap();
    let start = text.find("  <ds:Signature").unwrap();
    text[..start].to_owned()
}

/// Removes whitespace-only text between tags, self-closes empty elements
/// and reverses each start tag's attribute order.
fn compact_and_reorder(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some(lt) = rest.find('<') {
        let text = &rest[..lt];
        if !text.trim_matches([' ', '\n', '\t', '\r']).is_empty() {
            out.push_str(text);
        }
        let gt = rest[lt..].find('>').unwrap() + lt;
        let tag = &rest[lt + 1..gt];
        rest = &rest[gt + 1..];
        if tag.starts_with('/') || tag.starts_with('?') || !tag.contains(' ') {
            out.push('<');
            out.push_str(tag);
            out.push('>');
            continue;
        }
        let (name, attrs) = tag.split_once(' ').unwrap();
        let mut parts: Vec<&str> = attrs.split("\" ").map(|a| a.trim_end_matches('"')).collect();
        parts.reverse();
        let attrs: Vec<String> = parts.iter().map(|a| format!("{a}\"")).collect();
        out.push_str(&format!("<{name} {}>", attrs.join(" ")));
    }
    if !rest.trim_matches([' ', '\n', '\t', '\r']).is_empty() {
        out.push_str(rest);
    }
    // Self-close `<x ...></x>`.
    let mut result = String::new();
    let mut rest = out.as_str();
    while let Some(pos) = rest.find("></") {
        let open_start = rest[..pos].rfind('<').unwrap();
        let name = rest[open_start + 1..pos].split(' ').next().unwrap().to_owned();
        let close = format!("></{name}>");
        if rest[pos..].starts_with(&close) && !rest[open_start..pos].starts_with("</") {
            result.push_str(&rest[..pos]);
            result.push_str("/>");
            rest = &rest[pos + close.len()..];
        } else {
            result.push_str(&rest[..pos + 1]);
            rest = &rest[pos + 1..];
        }
    }
    result.push_str(rest);
    result
}

/// The license elements written with an `l:` prefix instead of the default
/// namespace (text never holds a raw `<`, so every `<` starts a tag).
fn prefixed(body: &str) -> String {
    let body = body.replacen("xmlns=\"urn:license-core:license\"", "xmlns:l=\"urn:license-core:license\"", 1);
    let mut out = String::new();
    let mut rest = body.as_str();
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        if rest.starts_with('/') {
            out.push_str("/l:");
            rest = &rest[1..];
        } else if !rest.starts_with('?') {
            out.push_str("l:");
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn we_verify_what_xmlsec1_signs() {
    let Some(xmlsec) = support::peer("xmlsec1") else { return };
    let dir = tempfile::tempdir().unwrap();
    for (i, license) in licenses().iter().enumerate() {
        let body = unsigned_body(license);
        let compact = compact_and_reorder(&body);
        let variants = [
            ("ds-pretty", format!("{body}{}</License>\n", signature_template(true, Some("  ")))),
            ("ds-compact", format!("{compact}{}</License>", signature_template(true, None))),
            ("default-ns-pretty-crlf", {
                let doc = format!("{body}{}</License>\n", signature_template(false, Some("\t")));
                doc.replace('\n', "\r\n")
            }),
            ("default-ns-compact", format!("{compact}{}</License>", signature_template(false, None))),
            ("prefixed-license-default-ns-signature", {
                let doc =
                    format!("{}{}</l:License>\n", prefixed(&body), signature_template(false, Some(" ")));
                doc
            }),
            ("prefixed-license-ds-signature-compact", {
                format!("{}{}</l:License>", prefixed(&compact), signature_template(true, None))
            }),
        ];
        for (name, template) in variants {
            for bits in [2048, 3072] {
                let tpl = support::write(dir.path(), &format!("tpl-{name}-{i}.xml"), template.as_bytes());
                let signed = dir.path().join(format!("xmlsec-{name}-{i}-{bits}.xml"));
                xmlsec_sign(&xmlsec, bits, &tpl, &signed);
                let bytes = std::fs::read(&signed).unwrap();
                let verified = License::from_signed_xml(&bytes, &trusted()).unwrap_or_else(|e| {
                    panic!("{name}/{i}/{bits}: {e}\n{}", String::from_utf8_lossy(&bytes))
                });
                assert_eq!(verified.license(), license, "{name}/{i}");
                assert_eq!(verified.key_id(), key(bits).key_id());

                // Altered after xmlsec1 signed it: both refuse.
                let text = String::from_utf8(bytes).unwrap();
                let altered = text.replacen("certmgr</", "certmgrx</", 1);
                assert_ne!(altered, text);
                let file = support::write(
                    dir.path(),
                    &format!("xmlsec-altered-{name}-{i}-{bits}.xml"),
                    altered.as_bytes(),
                );
                let (ok, out) = xmlsec_verify(&xmlsec, bits, &file);
                assert!(!ok, "xmlsec1 accepted an altered license: {out}");
                let err = License::from_signed_xml(altered.as_bytes(), &trusted()).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::DigestMismatch, "{name}: {err}");
            }
        }
    }
}

#[test]
fn the_compacting_helper_changes_layout_only() {
    let body = "<a x=\"1\" y=\"2\">\n  <b></b>\n  <c k=\"v\">t t</c>\n";
    assert_eq!(compact_and_reorder(body), "<a y=\"2\" x=\"1\"><b/><c k=\"v\">t t</c>");
    assert_eq!(
        prefixed("<?xml?><a xmlns=\"urn:license-core:license\"><b/></a>"),
        "<?xml?><l:a xmlns:l=\"urn:license-core:license\"><l:b/></l:a>"
    );
}

/// The second peer: Python's signxml (tests/python/signxml_peer.py).
#[test]
fn signxml_verifies_ours_and_we_verify_signxml() {
    let Some(python) = support::venv_python(&["signxml"]) else { return };
    let script = support::root().join("tests").join("python").join("signxml_peer.py");
    let dir = tempfile::tempdir().unwrap();
    for (i, license) in licenses().iter().enumerate() {
        for bits in [2048, 3072] {
            let ours = support::write(
                dir.path(),
                &format!("ours-{i}-{bits}.xml"),
                &license.sign(&key(bits)).unwrap(),
            );
            let (ok, out, err) =
                support::run(Command::new(&python).arg(&script).arg("verify").arg(&ours).arg(key_path(bits)));
            assert!(ok && out.contains("signxml: OK"), "signxml refused our license {i}/{bits}: {out}{err}");

            let unsigned = format!("{}</License>\n", unsigned_body(license));
            let input = support::write(dir.path(), &format!("unsigned-{i}-{bits}.xml"), unsigned.as_bytes());
            let output = dir.path().join(format!("signxml-{i}-{bits}.xml"));
            let (ok, out, err) = support::run(
                Command::new(&python)
                    .arg(&script)
                    .arg("sign")
                    .arg(&input)
                    .arg(&output)
                    .arg(key_path(bits))
                    .arg(key(bits).key_id().to_string()),
            );
            assert!(ok, "signxml sign: {out}{err}");
            let bytes = std::fs::read(&output).unwrap();
            let verified = License::from_signed_xml(&bytes, &trusted())
                .unwrap_or_else(|e| panic!("{i}/{bits}: {e}\n{}", String::from_utf8_lossy(&bytes)));
            assert_eq!(verified.license(), license);
            assert_eq!(verified.key_id(), key(bits).key_id());

            let altered = String::from_utf8(bytes).unwrap().replacen("certmgr</", "certmgrx</", 1);
            let file =
                support::write(dir.path(), &format!("signxml-altered-{i}-{bits}.xml"), altered.as_bytes());
            let (ok, _, _) =
                support::run(Command::new(&python).arg(&script).arg("verify").arg(&file).arg(key_path(bits)));
            assert!(!ok, "signxml accepted an altered license");
            let err = License::from_signed_xml(altered.as_bytes(), &trusted()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::DigestMismatch);
        }
    }
}

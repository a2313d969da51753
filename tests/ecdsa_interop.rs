//! ECDSA P-256 interop, both ways, with the vendor key of
//! `tests/vectors/keys/vendor-p256.*`:
//! - licenses and usage logs we sign (XML-DSig `ecdsa-sha256`, raw r‖s)
//!   verify with xmlsec1, the key pinned by name; one we sign and then
//!   edit is refused by both;
//! - a license xmlsec1 signs with the EC key verifies here, and the same
//!   document with its signature made malformed (wrong length, r = 0,
//!   s ≥ n) or its method switched to RSA is refused, each with its kind;
//! - bundles we sign with ES256 verify with pycose, and pycose's ES256
//!   bundles verify here.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use license_core::{
    keys::{BundleAlgorithm, KeyKind, KeyRecord, KeyStatus},
    license::ActionedLimit,
    usage, ErrorKind, Feature, Fingerprint, HardwareProfile, KeyBundle, License, LicenseKey, SigningKey,
    TrustedKeys, VerifyingKey,
};
use time::macros::datetime;

const ECDSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";

/// The order n of the P-256 group, big-endian.
const ORDER: [u8; 32] = [
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xBC,
    0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
];

fn keys_dir() -> PathBuf {
    support::vectors().join("keys")
}

fn ec_key() -> SigningKey {
    SigningKey::from_pkcs8_pem(&std::fs::read_to_string(keys_dir().join("vendor-p256.key.pem")).unwrap())
        .unwrap()
}

fn rsa_key() -> SigningKey {
    SigningKey::from_pkcs8_pem(&std::fs::read_to_string(keys_dir().join("vendor-2048.key.pem")).unwrap())
        .unwrap()
}

/// Both vendor keys, so every document must pick its own by kind.
fn trusted() -> TrustedKeys {
    [ec_key().verifying_key().clone(), rsa_key().verifying_key().clone()].into_iter().collect()
}

fn license() -> License {
    License::builder("LIC-EC-0001", "certmgr", datetime!(2026-01-01 0:00 UTC))
        .licensee("Ünïcode & <Sons>")
        .email("ops@example.com")
        .expires_at(datetime!(2027-01-01 0:00 UTC))
        .feature("api", Feature::enabled().with_quantity(10))
        .actioned_limit(ActionedLimit::Counted(5_000))
        .build()
        .unwrap()
}

/// `xmlsec1 --verify` with the EC public key pinned by its key id.
fn xmlsec_verify(xmlsec: &Path, file: &Path) -> (bool, String) {
    support::xmlsec_verify(
        xmlsec,
        &ec_key().key_id().to_string(),
        &keys_dir().join("vendor-p256.pub.pem"),
        file,
    )
}

fn signature_value(text: &str) -> Vec<u8> {
    let start = text.find("SignatureValue>").unwrap() + "SignatureValue>".len();
    let end = start + text[start..].find('<').unwrap();
    let compact: String = text[start..end].chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD.decode(compact).unwrap()
}

fn with_signature_value(text: &str, value: &[u8]) -> String {
    let start = text.find("SignatureValue>").unwrap() + "SignatureValue>".len();
    let end = start + text[start..].find('<').unwrap();
    format!("{}{}{}", &text[..start], STANDARD.encode(value), &text[end..])
}

#[test]
fn xmlsec1_verifies_the_licenses_and_usage_logs_we_sign_with_p256() {
    let Some(xmlsec) = support::peer("xmlsec1") else { return };
    let dir = tempfile::tempdir().unwrap();
    let key = ec_key();
    let documents =
        [("license", license().sign(&key).unwrap()), ("usage log", support::signed_usage_log(&key))];
    for (what, xml) in documents {
        let text = String::from_utf8(xml.clone()).unwrap();
        assert!(text.contains(ECDSA_SHA256), "{what}: {text}");
        assert_eq!(signature_value(&text).len(), 64, "{what}: raw r||s");
        let file = support::write(dir.path(), "ours.xml", &xml);
        let (ok, out) = xmlsec_verify(&xmlsec, &file);
        assert!(ok && out.contains("OK"), "xmlsec1 refused our P-256 {what}: {out}");

        // Edited after signing: both refuse.
        let edited = text.replacen("certmgr", "certmgx", 1);
        assert_ne!(edited, text);
        let file = support::write(dir.path(), "edited.xml", edited.as_bytes());
        let (ok, out) = xmlsec_verify(&xmlsec, &file);
        assert!(!ok, "xmlsec1 accepted an edited {what}: {out}");
    }
    let verified = License::from_signed_xml(&license().sign(&key).unwrap(), &trusted()).unwrap();
    assert_eq!(verified.key_id(), key.key_id());
    let log = usage::UsageLog::from_signed_xml(&support::signed_usage_log(&key), &trusted()).unwrap();
    assert_eq!(log.key_id(), key.key_id());
}

/// The XML-DSig template of our profile with the ECDSA method.
fn ecdsa_template() -> String {
    [
        "  <ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">\n",
        "    <ds:SignedInfo>\n",
        "      <ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>\n",
        "      <ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256\"/>\n",
        "      <ds:Reference URI=\"\">\n",
        "        <ds:Transforms>\n",
        "          <ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>\n",
        "          <ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>\n",
        "        </ds:Transforms>\n",
        "        <ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>\n",
        "        <ds:DigestValue/>\n",
        "      </ds:Reference>\n",
        "    </ds:SignedInfo>\n",
        "    <ds:SignatureValue/>\n",
        "    <ds:KeyInfo>\n",
        "      <ds:KeyName/>\n",
        "    </ds:KeyInfo>\n",
        "  </ds:Signature>\n",
    ]
    .concat()
}

#[test]
fn we_verify_a_license_xmlsec1_signs_with_p256_and_refuse_its_malformations() {
    let Some(xmlsec) = support::peer("xmlsec1") else { return };
    let dir = tempfile::tempdir().unwrap();
    let key = ec_key();
    let ours = String::from_utf8(license().sign(&key).unwrap()).unwrap();
    let body = &ours[..ours.find("  <ds:Signature").unwrap()];
    let template = format!("{body}{}</License>\n", ecdsa_template());
    let tpl = support::write(dir.path(), "template.xml", template.as_bytes());
    let signed = dir.path().join("xmlsec.xml");
    let (ok, so, se) = support::run(
        Command::new(&xmlsec)
            .arg("--sign")
            .arg(format!("--privkey-pem:{}", key.key_id()))
            .arg(keys_dir().join("vendor-p256.key.pem"))
            .arg("--output")
            .arg(&signed)
            .arg(&tpl),
    );
    assert!(ok, "xmlsec1 --sign with the EC key failed: {so}{se}");
    let text = std::fs::read_to_string(&signed).unwrap();
    let sig = signature_value(&text);
    assert_eq!(sig.len(), 64, "xmlsec1 writes raw r||s: {text}");
    let verified =
        License::from_signed_xml(text.as_bytes(), &trusted()).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(verified.license(), &license());
    assert_eq!(verified.key_id(), key.key_id());

    let mut high_bit = sig.clone();
    high_bit[63] ^= 1;
    let cases = [
        ("63-byte signature", with_signature_value(&text, &sig[..63]), ErrorKind::SignatureLength),
        (
            "r = 0",
            with_signature_value(&text, &[&[0; 32][..], &sig[32..]].concat()),
            ErrorKind::SignatureScalarZero,
        ),
        (
            "s = n",
            with_signature_value(&text, &[&sig[..32], &ORDER[..]].concat()),
            ErrorKind::SignatureScalarRange,
        ),
        ("s changed", with_signature_value(&text, &high_bit), ErrorKind::SignatureMismatch),
        (
            "method rsa-sha256 for a P-256 key",
            text.replace(ECDSA_SHA256, RSA_SHA256),
            ErrorKind::KeyAlgorithmMismatch,
        ),
    ];
    for (name, bad, kind) in cases {
        let err = License::from_signed_xml(bad.as_bytes(), &trusted()).unwrap_err();
        assert_eq!(err.kind(), kind, "{name}: {err}");
        let file = support::write(dir.path(), "bad.xml", bad.as_bytes());
        let (ok, out) = xmlsec_verify(&xmlsec, &file);
        assert!(!ok, "xmlsec1 accepted {name}: {out}");
    }

    // The same ECDSA signature, claimed by the RSA key: refused by kind.
    let rsa_kid = rsa_key().key_id().to_string();
    let claimed = text.replace(&key.key_id().to_string(), &rsa_kid);
    let err = License::from_signed_xml(claimed.as_bytes(), &trusted()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::KeyAlgorithmMismatch, "{err}");
}

fn bundle() -> KeyBundle {
    let now = datetime!(2026-11-23 08:00 UTC);
    let product = "CRT".parse().unwrap();
    let m = LicenseKey::new(KeyKind::Master, product, 0x0A5_1234_5678).unwrap();
    let master = KeyRecord::builder(m, now)
        .status(KeyStatus::Active)
        .feature("api", Feature::enabled())
        .build()
        .unwrap();
    let addon = KeyRecord::builder(LicenseKey::new(KeyKind::Addon, product, 0x0B6_8765_4321).unwrap(), now)
        .parent(m)
        .status(KeyStatus::Active)
        .feature("sso", Feature::enabled())
        .build()
        .unwrap();
    let profile =
        HardwareProfile { machine_id: Some("3d1219c7c4c5404aaa1f6d2a48adfda4".into()), ..Default::default() };
    KeyBundle::builder("srv-ec", &Fingerprint::from_profile(&profile), now, master)
        .addon(addon)
        .build()
        .unwrap()
}

fn cose_peer() -> Option<(PathBuf, PathBuf)> {
    let python = support::venv_python(&["pycose", "cbor2"])?;
    Some((python, support::root().join("tests").join("python").join("cose_peer.py")))
}

#[test]
fn pycose_verifies_our_es256_bundles() {
    let Some((python, script)) = cose_peer() else { return };
    let dir = tempfile::tempdir().unwrap();
    let key = ec_key();
    let bin = bundle().to_bin(&key, BundleAlgorithm::Es256).unwrap();
    let path = support::write(dir.path(), "server.bin", &bin);
    let public = keys_dir().join("vendor-p256.pub.pem");
    let (ok, out, err) =
        support::run(Command::new(&python).arg(&script).arg("verify").arg(&public).arg(&path));
    assert!(ok, "pycose refused our ES256 bundle: {out}{err}");
    let summary: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(summary["alg"], "ES256");
    let kid: String = key.key_id().as_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(summary["kid"], kid, "pycose's SHA-256 of the EC SPKI is our key id");
    assert_eq!(summary["instance_id"], "srv-ec");

    let mut bad = bin.clone();
    let at = bad.len() / 2;
    bad[at] ^= 0x01;
    let path = support::write(dir.path(), "tampered.bin", &bad);
    let (ok, out, _) = support::run(Command::new(&python).arg(&script).arg("verify").arg(&public).arg(&path));
    assert!(!ok, "pycose accepted a tampered ES256 bundle: {out}");
    assert!(KeyBundle::from_bin(&bad, &trusted()).is_err());
}

#[test]
fn es256_bundles_signed_by_pycose_verify_here() {
    let Some((python, script)) = cose_peer() else { return };
    let dir = tempfile::tempdir().unwrap();
    let json = support::write(dir.path(), "bundle.json", bundle().to_json().as_bytes());
    let out = dir.path().join("pycose.bin");
    let (ok, so, se) = support::run(
        Command::new(&python)
            .arg(&script)
            .arg("sign")
            .arg(keys_dir().join("vendor-p256.key.pem"))
            .arg("ES256")
            .arg(&json)
            .arg(&out),
    );
    assert!(ok, "pycose could not sign ES256: {so}{se}");
    let bytes = std::fs::read(&out).unwrap();
    let signed = KeyBundle::verify(&bytes, &trusted()).unwrap();
    assert_eq!(signed.bundle, bundle());
    assert_eq!(signed.algorithm, BundleAlgorithm::Es256);
    assert_eq!(signed.key_id, Some(ec_key().key_id()));
    // Trusting only the RSA key: not the same key, refused by id.
    let only_rsa = TrustedKeys::from(rsa_key().verifying_key().clone());
    assert_eq!(KeyBundle::from_bin(&bytes, &only_rsa).unwrap_err().kind(), ErrorKind::UnknownKeyId);
    // The SEC1 form of the same key has the same id.
    let sec1 = std::fs::read_to_string(keys_dir().join("vendor-p256.sec1.pem")).unwrap();
    assert_eq!(SigningKey::from_sec1_pem(&sec1).unwrap().key_id(), ec_key().key_id());
    let public = std::fs::read_to_string(keys_dir().join("vendor-p256.pub.pem")).unwrap();
    assert_eq!(VerifyingKey::from_public_key_pem(&public).unwrap().key_id(), ec_key().key_id());
}

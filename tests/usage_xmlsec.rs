//! xmlsec1 verifies the usage logs an installation signs, with the
//! installation's public key pinned by name.

mod support;

use license_core::SigningKey;

#[test]
fn xmlsec1_verifies_our_usage_log_and_rejects_an_edit() {
    let Some(xmlsec) = support::peer("xmlsec1") else { return };
    let keys = support::vectors().join("keys");
    let key = SigningKey::from_pkcs8_pem(&std::fs::read_to_string(keys.join("vendor-3072.key.pem")).unwrap())
        .unwrap();
    let xml = support::signed_usage_log(&key);

    let dir = tempfile::tempdir().unwrap();
    let verify = |bytes: &[u8]| {
        let file = support::write(dir.path(), "usage.xml", bytes);
        support::xmlsec_verify(&xmlsec, &key.key_id().to_string(), &keys.join("vendor-3072.pub.pem"), &file)
    };
    let (ok, out) = verify(&xml);
    assert!(ok, "xmlsec1 refused our usage log: {out}");
    let edited = String::from_utf8(xml).unwrap().replacen("total=\"1234\"", "total=\"999\"", 1);
    let (ok, out) = verify(edited.as_bytes());
    assert!(!ok, "xmlsec1 accepted an edited usage log: {out}");
}

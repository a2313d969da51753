//! xmlsec1 verifies the usage logs an installation signs, with the
//! installation's public key pinned by name.

mod support;

use std::process::Command;

use license_core::{
    actioned::{Category, CategorySets},
    license::ActionedLimit,
    usage, IdSet, SigningKey,
};
use time::macros::datetime;

#[test]
fn xmlsec1_verifies_our_usage_log_and_rejects_an_edit() {
    let Some(xmlsec) = support::peer("xmlsec1") else { return };
    let keys = support::vectors().join("keys");
    let key = SigningKey::from_pkcs8_pem(&std::fs::read_to_string(keys.join("vendor-3072.key.pem")).unwrap())
        .unwrap();
    let at = datetime!(2026-11-23 2:00 UTC);
    let enrolled: IdSet = (0..1234).collect();
    let count = license_core::actioned::count_sets(
        &CategorySets::new(at).with(Category::Enrolled, &enrolled),
        ActionedLimit::Counted(1000),
    );
    let mut journal = usage::Journal::default();
    journal.record(&count);
    let instance = usage::Instance {
        id: "inst-7".into(),
        name: "Édition & <co>".into(),
        location: "Lyon".into(),
        software_version: "5.2.1".into(),
        fingerprint: "fp".into(),
    };
    let license = usage::License {
        id: "LIC-1".into(),
        product: "certmgr".into(),
        licensee: "Example".into(),
        expires_at: Some(datetime!(2027-01-01 0:00 UTC)),
        sha256: [7; 32],
        features: license_core::license::FeatureSet::new(),
    };
    let xml = journal.log(at, instance, license, &count).unwrap().sign(&key).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let verify = |bytes: &[u8]| {
        let file = support::write(dir.path(), "usage.xml", bytes);
        support::run(
            Command::new(&xmlsec)
                .args(["--verify", "--enabled-key-data", "key-name", "--enabled-reference-uris", "empty"])
                .arg(format!("--pubkey-pem:{}", key.key_id()))
                .arg(keys.join("vendor-3072.pub.pem"))
                .arg(&file),
        )
    };
    let (ok, out, err) = verify(&xml);
    assert!(ok, "xmlsec1 refused our usage log: {out}{err}");
    let edited = String::from_utf8(xml).unwrap().replacen("total=\"1234\"", "total=\"999\"", 1);
    let (ok, _, _) = verify(edited.as_bytes());
    assert!(!ok, "xmlsec1 accepted an edited usage log");
}

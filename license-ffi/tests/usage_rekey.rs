//! The usage ledger across the C ABI: a log signed by another key than the
//! instance's earlier logs is `LC_STATUS_USAGE_LOG_WRONG_KEY` until
//! `lc_usage_ledger_rekey` binds the instance to the new key.

use license_core::{
    actioned::CategorySets,
    license::{ActionedLimit, FeatureSet},
    usage, SigningKey,
};
use license_core_ffi::*;
use time::OffsetDateTime;

fn key(name: &str) -> SigningKey {
    let path = format!("{}/../tests/vectors/keys/{name}.key.pem", env!("CARGO_MANIFEST_DIR"));
    SigningKey::from_pkcs8_pem(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn public(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../tests/vectors/keys/{name}.pub.pem", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Records a count on `day` and returns the signed log of it.
fn send(journal: &mut usage::Journal, day: i64, key: &SigningKey) -> Vec<u8> {
    let at = OffsetDateTime::from_unix_timestamp(1_795_392_000 + day * 86_400).unwrap();
    let count = license_core::actioned::count_sets(&CategorySets::new(at), ActionedLimit::Counted(10));
    journal.record(&count);
    let instance = usage::Instance {
        id: "srv-1".into(),
        name: "srv".into(),
        location: "here".into(),
        software_version: "1.0.0".into(),
        fingerprint: "fp".into(),
    };
    let license = usage::License {
        id: "LIC".into(),
        product: "certmgr".into(),
        licensee: "Example".into(),
        expires_at: None,
        sha256: [0; 32],
        features: FeatureSet::new(),
    };
    let log = journal.log(at, instance, license, &count).unwrap();
    journal.mark_logged(&log).unwrap();
    log.sign(key).unwrap()
}

fn verify(xml: &[u8], trusted: *const lc_trusted_keys) -> *mut lc_usage_log {
    let mut log = std::ptr::null_mut();
    assert_eq!(lc_usage_log_verify(xml.as_ptr(), xml.len(), trusted, &mut log), lc_status::Ok);
    log
}

fn key_id_of(log: *const lc_usage_log) -> String {
    let mut buf = [0u8; 64];
    let mut written = 0;
    assert_eq!(lc_usage_log_key_id(log, buf.as_mut_ptr().cast(), buf.len(), &mut written), lc_status::Ok);
    String::from_utf8(buf[..written].to_vec()).unwrap()
}

#[test]
fn rekey_binds_an_instance_to_its_new_key() {
    let mut trusted = std::ptr::null_mut();
    assert_eq!(lc_trusted_keys_new(&mut trusted), lc_status::Ok);
    for name in ["vendor-2048", "vendor-3072"] {
        let pem = public(name);
        assert_eq!(lc_trusted_keys_add(trusted, pem.as_ptr(), pem.len()), lc_status::Ok);
    }
    let (old, new) = (key("vendor-2048"), key("vendor-3072"));
    let mut journal = usage::Journal::default();
    let first = verify(&send(&mut journal, 1, &old), trusted);
    let second = verify(&send(&mut journal, 2, &new), trusted);
    assert_eq!(key_id_of(first), old.key_id().to_string());
    assert_eq!(key_id_of(second), new.key_id().to_string());

    let mut ledger = std::ptr::null_mut();
    assert_eq!(lc_usage_ledger_from_json(std::ptr::null(), 0, &mut ledger), lc_status::Ok);
    assert_eq!(lc_usage_ledger_accept(ledger, first), lc_status::Ok);
    assert_eq!(lc_usage_ledger_accept(ledger, second), lc_status::UsageLogWrongKey);

    let id = b"srv-1";
    let new_id = new.key_id().to_string();
    let bad_id = b"not a key id";
    assert_eq!(
        lc_usage_ledger_rekey(ledger, id.as_ptr(), id.len(), bad_id.as_ptr(), bad_id.len()),
        lc_status::InvalidValue
    );
    assert_eq!(
        lc_usage_ledger_rekey(ledger, b"srv-9".as_ptr(), 5, new_id.as_ptr(), new_id.len()),
        lc_status::UnknownInstance
    );
    assert_eq!(
        lc_usage_ledger_rekey(ledger, std::ptr::null(), 5, new_id.as_ptr(), new_id.len()),
        lc_status::NullParameter
    );
    assert_eq!(lc_usage_ledger_accept(ledger, second), lc_status::UsageLogWrongKey, "unchanged on failure");
    assert_eq!(
        lc_usage_ledger_rekey(ledger, id.as_ptr(), id.len(), new_id.as_ptr(), new_id.len()),
        lc_status::Ok
    );
    assert_eq!(lc_usage_ledger_accept(ledger, second), lc_status::Ok);

    lc_usage_ledger_free(ledger);
    lc_usage_log_free(first);
    lc_usage_log_free(second);
    lc_trusted_keys_free(trusted);
}

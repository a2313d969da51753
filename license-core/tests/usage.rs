//! Usage logs and the installation monitor, end to end through a store.

mod common;

use common::{license, now, other_key, signed, trusted};
use license_core::alert::AlertKind;
use license_core::{
    actioned::{Category, CategorySets},
    license::ActionedLimit,
    store::{Monitor, StageOptions, StoreOptions},
    usage, Alert, ErrorKind, IdSet, LicenseStore, TrustedKeys, UsageLog,
};
use time::{Duration, OffsetDateTime};

fn instance() -> usage::Instance {
    usage::Instance {
        id: "inst-1".into(),
        name: "Prod <EU> & \"main\"".into(),
        location: "Zürich".into(),
        software_version: "5.2.1".into(),
        fingerprint: "fp-v1:abc".into(),
    }
}

/// A count of `n` enrolled certificates at `at` against a limit of 100.
fn count(n: u32, at: OffsetDateTime) -> license_core::ActionedCount {
    let enrolled: IdSet = (0..n).collect();
    let sets = CategorySets::new(at).with(Category::Enrolled, &enrolled);
    license_core::actioned::count_sets(&sets, ActionedLimit::Counted(100))
}

fn installed_store(dir: &std::path::Path) -> LicenseStore {
    let store = LicenseStore::open_dir(dir, trusted(), StoreOptions::new("certmgr")).unwrap();
    let bytes = signed(&license("LIC-1", 5, 45, 0));
    store.commit(&store.stage(&bytes, now(), StageOptions::default()).unwrap()).unwrap();
    store
}

fn instance_keys() -> TrustedKeys {
    TrustedKeys::from(other_key().verifying_key().clone())
}

#[test]
fn a_usage_log_round_trips_and_chains_across_logs() {
    let dir = tempfile::tempdir().unwrap();
    let store = installed_store(dir.path());
    let key = other_key();
    let mut ledger = usage::Ledger::default();

    for day in 0..3 {
        store.record_count(&count(50 + day, now() + Duration::days(i64::from(day)))).unwrap();
    }
    let latest = count(60, now() + Duration::days(3));
    let log1 = store.usage_log(now() + Duration::days(3), instance(), &latest).unwrap();
    assert_eq!(log1.entries.len(), 3);
    let xml1 = log1.sign(&key).unwrap();
    assert_eq!(xml1, log1.sign(&key).unwrap(), "signing is deterministic");
    let read1 = UsageLog::from_signed_xml(&xml1, &instance_keys()).unwrap();
    assert_eq!(read1.log(), &log1);
    assert_eq!(read1.log().license.sha256, store.current().unwrap().signed_sha256());
    ledger.accept(&read1).unwrap();
    store.mark_logged(&log1).unwrap();
    assert!(store.usage_journal().unwrap().pending().is_empty());

    // The second log continues the chain.
    store.record_count(&count(70, now() + Duration::days(4))).unwrap();
    store.record_count(&count(120, now() + Duration::days(5))).unwrap();
    let log2 = store
        .usage_log(now() + Duration::days(5), instance(), &count(120, now() + Duration::days(5)))
        .unwrap();
    assert_eq!(log2.entries.first().unwrap().sequence, 4);
    let xml2 = log2.sign(&key).unwrap();
    let read2 = UsageLog::from_signed_xml(&xml2, &instance_keys()).unwrap();

    // Replaying the first log is refused, and changes nothing.
    let mut replay = ledger.clone();
    replay.accept(&read2).unwrap();
    let before = replay.clone();
    assert_eq!(replay.accept(&read1).unwrap_err().kind(), ErrorKind::UsageLogReplayed);
    assert_eq!(replay, before);
    assert_eq!(replay.last_sequence("inst-1"), Some(5));

    // Skipping a log (its entries deleted in between) breaks the chain.
    store.mark_logged(&log2).unwrap();
    store.record_count(&count(80, now() + Duration::days(6))).unwrap();
    let log3 = store
        .usage_log(now() + Duration::days(6), instance(), &count(80, now() + Duration::days(6)))
        .unwrap();
    let read3 = UsageLog::from_signed_xml(&log3.sign(&key).unwrap(), &instance_keys()).unwrap();
    let mut skipped = ledger.clone();
    assert_eq!(skipped.accept(&read3).unwrap_err().kind(), ErrorKind::UsageLogChainBroken);
}

#[test]
fn a_log_is_not_accepted_as_a_license_nor_the_reverse() {
    let dir = tempfile::tempdir().unwrap();
    let store = installed_store(dir.path());
    let log = store.usage_log(now(), instance(), &count(1, now())).unwrap();
    let xml = log.sign(&common::vendor_key()).unwrap();
    assert_eq!(
        license_core::License::from_signed_xml(&xml, &trusted()).unwrap_err().kind(),
        ErrorKind::WrongDocumentType
    );
    let license_xml = store.current_bytes().unwrap().unwrap();
    assert_eq!(
        UsageLog::from_signed_xml(&license_xml, &trusted()).unwrap_err().kind(),
        ErrorKind::WrongDocumentType
    );
}

#[test]
fn any_edit_of_a_signed_log_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let store = installed_store(dir.path());
    store.record_count(&count(7, now())).unwrap();
    let log = store.usage_log(now(), instance(), &count(8, now())).unwrap();
    let xml = String::from_utf8(log.sign(&other_key()).unwrap()).unwrap();
    for (from, to) in [
        ("total=\"8\"", "total=\"1\""),
        ("5.2.1", "5.2.2"),
        ("sequence=\"1\"", "sequence=\"2\""),
        ("Zürich", "Zurich"),
    ] {
        assert!(xml.contains(from), "{from}");
        let edited = xml.replacen(from, to, 1);
        let err = UsageLog::from_signed_xml(edited.as_bytes(), &instance_keys()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DigestMismatch, "{from}: {err}");
    }
}

#[test]
fn the_journal_is_bounded_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let store = installed_store(dir.path());
    for i in 0..(license_core::usage::MAX_JOURNAL_ENTRIES + 5) {
        store.record_count(&count(1, now() + Duration::hours(i as i64))).unwrap();
    }
    let reopened = LicenseStore::open_dir(dir.path(), trusted(), StoreOptions::new("certmgr")).unwrap();
    let journal = reopened.usage_journal().unwrap();
    assert_eq!(journal.pending().len(), license_core::usage::MAX_JOURNAL_ENTRIES);
    assert_eq!(journal.pending()[0].sequence, 6);
}

#[test]
fn each_alert_fires_once_across_checks_and_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let store = installed_store(dir.path()); // expires at now + 45 days
    let kinds = |alerts: &[Alert]| alerts.iter().map(|a| a.kind()).collect::<Vec<_>>();

    // Inside the 60-day window: one warning, then silence.
    let a = Monitor::check(now(), &store, Some(&count(50, now()))).unwrap();
    assert_eq!(kinds(&a), [AlertKind::LicenseExpiring]);
    assert!(Monitor::check(now() + Duration::hours(1), &store, Some(&count(50, now()))).unwrap().is_empty());

    // Over the limit: once, across a reopen of the store.
    let over = count(150, now());
    assert_eq!(
        kinds(&Monitor::check(now() + Duration::hours(2), &store, Some(&over)).unwrap()),
        [AlertKind::ActionedOverLimit]
    );
    let store = LicenseStore::open_dir(dir.path(), trusted(), StoreOptions::new("certmgr")).unwrap();
    assert!(Monitor::check(now() + Duration::hours(3), &store, Some(&over)).unwrap().is_empty());
    // Back under, then over again: a new crossing.
    assert!(Monitor::check(now() + Duration::hours(4), &store, Some(&count(90, now()))).unwrap().is_empty());
    assert_eq!(
        kinds(&Monitor::check(now() + Duration::hours(5), &store, Some(&over)).unwrap()),
        [AlertKind::ActionedOverLimit]
    );

    // The 30- and 5-day thresholds, then expiry (the test license has no grace).
    let t = now() + Duration::days(41);
    assert_eq!(
        kinds(&Monitor::check(t, &store, None).unwrap()),
        [AlertKind::LicenseExpiring, AlertKind::LicenseExpiring]
    );
    assert!(Monitor::check(t, &store, None).unwrap().is_empty());
    assert_eq!(
        kinds(&Monitor::check(now() + Duration::days(46), &store, None).unwrap()),
        [AlertKind::LicenseExpired]
    );

    // A clock turned back two days: reported once.
    let back = now() + Duration::days(44);
    assert_eq!(kinds(&Monitor::check(back, &store, None).unwrap()), [AlertKind::ClockRollback]);
    assert!(Monitor::check(back, &store, None).unwrap().is_empty());
}

#[test]
fn a_usage_log_signs_through_any_signer() {
    use license_core::crypto::SignatureAlgorithm;
    let dir = tempfile::tempdir().unwrap();
    let store = installed_store(dir.path());
    let log = store.usage_log(now(), instance(), &count(5, now())).unwrap();
    let external = common::ExternalSigner::new(other_key(), &[SignatureAlgorithm::RsaPkcs1v15Sha256]);
    let xml = log.sign(&external).unwrap();
    assert_eq!(external.calls.get(), 1);
    assert_eq!(xml, log.sign(&other_key()).unwrap());
    assert_eq!(UsageLog::from_signed_xml(&xml, &instance_keys()).unwrap().log(), &log);
    let err = log.sign(&common::UnpluggedSigner(other_key().key_id())).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SigningFailed);
}

//! The store trusts only what it wrote itself: a license copied over
//! `license.xml`, a planted or edited history file, or a missing state is
//! refused on every read, with its own kind; every read applies the same
//! acceptance as `stage`; and `install` is the way back.

mod common;

use std::path::Path;

use common::{license, now, signed, snapshot, trusted};
use license_core::{
    license::{InstanceBinding, Loss},
    store::{Monitor, StageOptions, StoreOptions},
    ErrorKind, License, LicenseStore,
};
use time::Duration;

fn options(instance: Option<&str>) -> StoreOptions {
    let mut options = StoreOptions::new("certmgr");
    options.instance_id = instance.map(str::to_owned);
    options
}

fn open(dir: &Path) -> LicenseStore {
    LicenseStore::open_dir(dir, trusted(), options(Some("inst-1"))).unwrap()
}

/// A license bound to `instance` on the test vectors' server.
fn bound(id: &str, issued_days_ago: i64, instance: &str) -> License {
    let xml = std::fs::read(common::vectors().join("profile/server.xml")).unwrap();
    let server = license_core::HardwareProfile::from_xml(&xml).unwrap();
    let fingerprint = license_core::Fingerprint::from_profile(&server);
    license(id, issued_days_ago, 300, 0)
        .to_builder()
        .binding(InstanceBinding::new(instance, &fingerprint, None))
        .build()
        .unwrap()
}

fn install(store: &LicenseStore, bytes: &[u8]) {
    store.commit(&store.stage(bytes, now(), StageOptions::default()).unwrap()).unwrap();
}

/// A store with LIC-1 (issued 10 days ago) replaced by LIC-2 (5 days ago),
/// both bound to inst-1.
fn two_installed(dir: &Path) -> LicenseStore {
    let store = open(dir);
    install(&store, &signed(&bound("LIC-1", 10, "inst-1")));
    install(&store, &signed(&bound("LIC-2", 5, "inst-1")));
    store
}

#[test]
fn a_license_copied_over_license_xml_is_refused_on_every_read() {
    let other_product = license("LIC-P", 1, 300, 0).to_builder().product("otherapp").build().unwrap();
    // An older license with a larger limit and a later expiry.
    let older_better = license("LIC-0", 30, 900, 0)
        .to_builder()
        .actioned_limit(license_core::license::ActionedLimit::Counted(1_000_000))
        .build()
        .unwrap();
    for planted in [other_product, bound("LIC-X", 1, "inst-2"), older_better] {
        let dir = tempfile::tempdir().unwrap();
        let store = two_installed(dir.path());
        std::fs::write(dir.path().join("license.xml"), signed(&planted)).unwrap();
        let err = store.current().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::StoreUntrusted, "{}: {err}", planted.id());
        let err = store.history().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::StoreUntrusted, "{}: {err}", planted.id());
        let before = snapshot(dir.path());
        assert_eq!(store.rollback().unwrap_err().kind(), ErrorKind::StoreUntrusted);
        assert_eq!(snapshot(dir.path()), before, "a refused rollback changed the store");
        assert_eq!(Monitor::check(now(), &store, None).unwrap_err().kind(), ErrorKind::StoreUntrusted);
        // A reopened store (a restart) does not adopt the planted file either.
        assert_eq!(open(dir.path()).current().unwrap_err().kind(), ErrorKind::StoreUntrusted);
    }
}

#[test]
fn every_read_applies_the_acceptance_of_stage() {
    let dir = tempfile::tempdir().unwrap();
    two_installed(dir.path());
    // The same directory opened by an installation with another identity.
    let elsewhere = LicenseStore::open_dir(dir.path(), trusted(), options(Some("inst-9"))).unwrap();
    assert_eq!(elsewhere.current().unwrap_err().kind(), ErrorKind::WrongInstance);
    // The history lists what the store replaced; restoring it is refused.
    assert_eq!(elsewhere.history().unwrap().len(), 1);
    let before = snapshot(dir.path());
    assert_eq!(elsewhere.rollback().unwrap_err().kind(), ErrorKind::WrongInstance);
    assert_eq!(snapshot(dir.path()), before);
    let other = LicenseStore::open_dir(dir.path(), trusted(), StoreOptions::new("otherapp")).unwrap();
    assert_eq!(other.current().unwrap_err().kind(), ErrorKind::WrongProduct);
    let mut hw = options(None);
    hw.hardware = Some(license_core::HardwareProfile::collect());
    let machine = LicenseStore::open_dir(dir.path(), trusted(), hw).unwrap();
    assert_eq!(machine.current().unwrap_err().kind(), ErrorKind::FingerprintMismatch);
}

#[test]
fn a_missing_state_with_a_license_present_is_untrusted_and_install_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let store = two_installed(dir.path());
    std::fs::remove_file(dir.path().join("state.json")).unwrap();
    assert_eq!(store.current().unwrap_err().kind(), ErrorKind::StoreUntrusted);
    assert_eq!(open(dir.path()).current().unwrap_err().kind(), ErrorKind::StoreUntrusted);
    // `install` runs every check and replaces the untrusted file.
    let renewal = signed(&bound("LIC-3", 1, "inst-1"));
    let staged = store.stage(&renewal, now(), StageOptions::default()).unwrap();
    assert!(staged.replaces_untrusted().is_some());
    assert!(staged.diff().is_none(), "no diff against a file the store did not write");
    store.commit(&staged).unwrap();
    assert_eq!(store.current().unwrap().license().id(), "LIC-3");
    assert!(store.history().unwrap().is_empty(), "an untrusted file never enters the history");
}

#[test]
fn install_replaces_a_planted_license_but_keeps_the_recorded_floor() {
    let dir = tempfile::tempdir().unwrap();
    let store = two_installed(dir.path());
    std::fs::write(dir.path().join("license.xml"), signed(&license("LIC-P", 1, 300, 0))).unwrap();
    // Older than the newest license the store ever installed (LIC-2).
    let older = signed(&bound("LIC-OLD", 8, "inst-1"));
    assert_eq!(
        store.stage(&older, now(), StageOptions::default()).unwrap_err().kind(),
        ErrorKind::OlderLicense
    );
    let renewal = signed(&bound("LIC-3", 1, "inst-1"));
    let staged = store.stage(&renewal, now(), StageOptions::default()).unwrap();
    store.commit(&staged).unwrap();
    assert_eq!(store.current().unwrap().license().id(), "LIC-3");
    let ids: Vec<String> = store.history().unwrap().iter().map(|h| h.license.license().id().into()).collect();
    assert_eq!(ids, ["LIC-1"], "the recorded history survives; the planted file is not kept");
}

#[test]
fn a_history_file_the_store_did_not_record_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = two_installed(dir.path());
    let planted = signed(&bound("LIC-OLD", 30, "inst-1"));
    std::fs::write(dir.path().join("history-000007.xml"), &planted).unwrap();
    assert_eq!(store.history().unwrap_err().kind(), ErrorKind::StoreUntrusted);
    assert_eq!(store.current().unwrap_err().kind(), ErrorKind::StoreUntrusted);
    std::fs::remove_file(dir.path().join("history-000007.xml")).unwrap();
    // A recorded entry whose content was replaced.
    std::fs::write(dir.path().join("history-000001.xml"), &planted).unwrap();
    assert_eq!(store.history().unwrap_err().kind(), ErrorKind::StoreUntrusted);
    let before = snapshot(dir.path());
    assert_eq!(store.rollback().unwrap_err().kind(), ErrorKind::StoreUntrusted);
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn a_planted_maximal_history_sequence_neither_panics_nor_wraps() {
    let dir = tempfile::tempdir().unwrap();
    let store = two_installed(dir.path());
    let planted = signed(&bound("LIC-OLD", 30, "inst-1"));
    let names = ["history-18446744073709551615.xml", "history-99999999999999999999.xml", "history-1.xml"];
    for (i, name) in names.into_iter().enumerate() {
        std::fs::write(dir.path().join(name), &planted).unwrap();
        assert_eq!(store.history().unwrap_err().kind(), ErrorKind::StoreUntrusted, "{name}");
        assert_eq!(store.rollback().unwrap_err().kind(), ErrorKind::StoreUntrusted, "{name}");
        // Installing is the way forward: it runs every check, removes what
        // the store did not write and numbers on from its own record.
        install(&store, &signed(&bound(&format!("LIC-N-{i}"), 1, "inst-1")));
        assert!(!dir.path().join(name).exists(), "{name} was left in the store");
        assert!(!dir.path().join("history-000000.xml").exists());
    }
    let seqs: Vec<u64> = store.history().unwrap().iter().map(|h| h.sequence).collect();
    assert_eq!(seqs, [4, 3, 2, 1]);
    let restored = store.rollback().unwrap();
    assert_eq!(restored.license().id(), "LIC-N-1");
}

#[test]
fn the_never_older_rule_holds_on_every_read() {
    let dir = tempfile::tempdir().unwrap();
    let store = two_installed(dir.path());
    // Someone with write access records an older license in the state and
    // copies it in: the floor (the newest license ever installed) still holds.
    let older = signed(&bound("LIC-OLD", 30, "inst-1"));
    std::fs::write(dir.path().join("license.xml"), &older).unwrap();
    let state_path = dir.path().join("state.json");
    let mut state: serde_json::Value = serde_json::from_slice(&std::fs::read(&state_path).unwrap()).unwrap();
    let verified = License::from_signed_xml(&older, &trusted()).unwrap();
    state["installed"]["sha256"] = verified.signed_sha256_hex().into();
    state["installed"]["id"] = "LIC-OLD".into();
    // LIC-OLD was issued 30 days before the tests' now (2026-11-23).
    state["installed"]["issued_at"] = "2026-10-24T00:00:00Z".into();
    std::fs::write(&state_path, serde_json::to_vec(&state).unwrap()).unwrap();
    assert_eq!(store.current().unwrap_err().kind(), ErrorKind::OlderLicense);
}

#[test]
fn an_explicitly_allowed_older_install_and_a_rollback_are_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let store = two_installed(dir.path());
    let older = signed(&bound("LIC-OLD", 30, "inst-1"));
    store.commit(&store.stage(&older, now(), StageOptions { allow_older: true }).unwrap()).unwrap();
    assert_eq!(store.current().unwrap().license().id(), "LIC-OLD");
    assert_eq!(open(dir.path()).current().unwrap().license().id(), "LIC-OLD");
    assert_eq!(store.rollback().unwrap().license().id(), "LIC-2");
    assert_eq!(store.rollback().unwrap().license().id(), "LIC-1");
    assert_eq!(open(dir.path()).current().unwrap().license().id(), "LIC-1");
    // Without allow_older, anything before LIC-2 (the newest ever) is refused.
    let between = signed(&bound("LIC-1B", 7, "inst-1"));
    assert_eq!(
        store.stage(&between, now(), StageOptions::default()).unwrap_err().kind(),
        ErrorKind::OlderLicense
    );
}

#[test]
fn without_an_instance_id_the_installed_binding_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = LicenseStore::open_dir(dir.path(), trusted(), options(None)).unwrap();
    install(&store, &signed(&license("LIC-U", 10, 300, 0)));
    // Unbound to bound: allowed, but the diff says what is taken away.
    let staged = store.stage(&signed(&bound("LIC-B", 5, "inst-1")), now(), StageOptions::default()).unwrap();
    let losses = &staged.diff().unwrap().losses;
    assert!(losses.contains(&Loss::Rebound { from: None, to: "inst-1".into() }), "{losses:?}");
    store.commit(&staged).unwrap();
    // Bound to inst-1: a license for inst-2 is refused even with no --instance-id.
    let other = signed(&bound("LIC-O", 1, "inst-2"));
    let before = snapshot(dir.path());
    assert_eq!(
        store.stage(&other, now(), StageOptions::default()).unwrap_err().kind(),
        ErrorKind::WrongInstance
    );
    assert_eq!(snapshot(dir.path()), before);
    // A rebinding to another instance shows as a loss.
    let diff = license_core::license::LicenseDiff::between(
        &bound("LIC-B", 5, "inst-1"),
        &bound("LIC-O", 1, "inst-2"),
    );
    assert!(diff.losses.contains(&Loss::Rebound { from: Some("inst-1".into()), to: "inst-2".into() }));
}

#[test]
fn deleting_the_clock_state_does_not_erase_a_rollback() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    install(&store, &signed(&bound("LIC-1", 10, "inst-1")));
    store.check_clock(now()).unwrap();
    std::fs::remove_file(dir.path().join("clock.json")).unwrap();
    // Twenty days back is before the installed license was issued.
    let check = store.check_clock(now() - Duration::days(20)).unwrap();
    assert_eq!(check.rolled_back_by, Some(Duration::days(10)), "{check:?}");
    // A recorded count is a fact as well.
    let inventory = license_core::Inventory::from_records(&[]).unwrap();
    let count = inventory.count(
        now() - Duration::days(2),
        &license_core::CountConfig::new(license_core::license::ActionedLimit::Counted(5)),
    );
    store.record_count(&count).unwrap();
    std::fs::remove_file(dir.path().join("clock.json")).unwrap();
    let check = store.check_clock(now() - Duration::days(5)).unwrap();
    assert_eq!(check.rolled_back_by, Some(Duration::days(3)), "{check:?}");
    // Within the tolerance of the latest fact, nothing is reported.
    std::fs::remove_file(dir.path().join("clock.json")).unwrap();
    assert_eq!(
        store.check_clock(now() - Duration::days(2) - Duration::hours(3)).unwrap().rolled_back_by,
        None
    );
    // A usage log sent (its entries leave the journal) is a fact too.
    let instance = license_core::usage::Instance {
        id: "inst-1".into(),
        name: "server".into(),
        location: "DC".into(),
        software_version: "1.0.0".into(),
        fingerprint: "fp1;machine-id=00".into(),
    };
    let log = store.usage_log(now() - Duration::days(1), instance, &count).unwrap();
    store.mark_logged(&log).unwrap();
    assert!(store.usage_journal().unwrap().pending().is_empty());
    std::fs::remove_file(dir.path().join("clock.json")).unwrap();
    let check = store.check_clock(now() - Duration::days(4)).unwrap();
    assert_eq!(check.rolled_back_by, Some(Duration::days(3)), "{check:?}");
}

/// The states a crash can leave between the writes of a commit, made by
/// hand: opening the store undoes the commit while `license.xml` still
/// holds the old license, and finishes it once it holds the new one.
#[test]
fn an_interrupted_commit_is_undone_or_finished_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let store = two_installed(dir.path());
    let read = |name: &str| std::fs::read(dir.path().join(name)).unwrap();
    let (before_state, before_license) = (read("state.json"), read("license.xml"));
    install(&store, &signed(&bound("LIC-3", 1, "inst-1")));
    let (after_state, after_license, copy) =
        (read("state.json"), read("license.xml"), read("history-000002.xml"));
    // The state written first: the new record, with the old state to undo to.
    let mut pending: serde_json::Value = serde_json::from_slice(&after_state).unwrap();
    pending["undo"] = serde_json::from_slice(&before_state).unwrap();
    let pending = serde_json::to_vec(&pending).unwrap();

    // Killed after the history copy, before license.xml: undone.
    std::fs::write(dir.path().join("state.json"), &pending).unwrap();
    std::fs::write(dir.path().join("license.xml"), &before_license).unwrap();
    std::fs::write(dir.path().join("history-000002.xml"), &copy).unwrap();
    let reopened = open(dir.path());
    assert_eq!(reopened.current().unwrap().license().id(), "LIC-2");
    assert_eq!(read("state.json"), before_state);
    assert!(!dir.path().join("history-000002.xml").exists());
    let ids: Vec<String> =
        reopened.history().unwrap().iter().map(|h| h.license.license().id().into()).collect();
    assert_eq!(ids, ["LIC-1"]);

    // Killed after license.xml, before the final state: finished.
    std::fs::write(dir.path().join("state.json"), &pending).unwrap();
    std::fs::write(dir.path().join("license.xml"), &after_license).unwrap();
    std::fs::write(dir.path().join("history-000002.xml"), &copy).unwrap();
    // A reader that never reopens sees the new license as well.
    assert_eq!(store.current().unwrap().license().id(), "LIC-3");
    let reopened = open(dir.path());
    assert_eq!(reopened.current().unwrap().license().id(), "LIC-3");
    assert_eq!(read("state.json"), after_state);
    assert_eq!(reopened.history().unwrap().len(), 2);
}

/// Installing the very license that is installed again is the way back
/// from a planted history file too.
#[test]
fn reinstalling_the_installed_license_clears_what_the_store_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let store = two_installed(dir.path());
    std::fs::write(dir.path().join("history-000009.xml"), signed(&bound("LIC-OLD", 30, "inst-1"))).unwrap();
    assert_eq!(store.current().unwrap_err().kind(), ErrorKind::StoreUntrusted);
    let same = std::fs::read(dir.path().join("license.xml")).unwrap();
    let staged = store.stage(&same, now(), StageOptions::default()).unwrap();
    assert!(staged.replaces_untrusted().is_some());
    store.commit(&staged).unwrap();
    assert_eq!(store.current().unwrap().license().id(), "LIC-2");
    let ids: Vec<String> = store.history().unwrap().iter().map(|h| h.license.license().id().into()).collect();
    assert_eq!(ids, ["LIC-1"]);
}

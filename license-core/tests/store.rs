//! The license store: install, replace, refuse, roll back, watch, clock.

mod common;

use common::{license, now, signed, snapshot, trusted};
use license_core::{
    store::{StageOptions, StoreOptions},
    ErrorKind, LicenseStore,
};
use time::Duration;

/// The fingerprint of the test server profile: a binding the builder accepts.
fn server_fingerprint() -> license_core::Fingerprint {
    let xml = std::fs::read(common::vectors().join("profile").join("server.xml")).unwrap();
    license_core::Fingerprint::from_profile(&license_core::HardwareProfile::from_xml(&xml).unwrap())
}

fn open(dir: &std::path::Path) -> LicenseStore {
    let mut options = StoreOptions::new("certmgr");
    options.instance_id = Some("inst-1".into());
    LicenseStore::open_dir(dir, trusted(), options).unwrap()
}

#[test]
fn install_replace_history_and_rollback() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    assert_eq!(store.current().unwrap_err().kind(), ErrorKind::NoLicenseInstalled);

    let first = signed(&license("LIC-1", 10, 300, 0));
    let staged = store.stage(&first, now(), StageOptions::default()).unwrap();
    assert!(staged.diff().is_none());
    store.commit(&staged).unwrap();
    assert_eq!(store.current().unwrap().license().id(), "LIC-1");

    let second = signed(&license("LIC-2", 1, 600, 0));
    let staged = store.stage(&second, now(), StageOptions::default()).unwrap();
    let diff = staged.diff().unwrap();
    assert!(diff.fields.iter().any(|f| f.field == "id"));
    store.commit(&staged).unwrap();
    assert_eq!(store.current().unwrap().license().id(), "LIC-2");
    let history = store.history().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].license.license().id(), "LIC-1");

    assert_eq!(store.rollback().unwrap().license().id(), "LIC-1");
    assert_eq!(store.current().unwrap().license().id(), "LIC-1");
    assert!(store.history().unwrap().is_empty());
    assert_eq!(store.rollback().unwrap_err().kind(), ErrorKind::NothingToRollBack);
}

#[test]
fn history_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = StoreOptions::new("certmgr");
    options.history_limit = 2;
    let store = LicenseStore::open_dir(dir.path(), trusted(), options).unwrap();
    for i in 0..5 {
        let bytes = signed(&license(&format!("LIC-{i}"), 10 - i, 300, 0));
        store.commit(&store.stage(&bytes, now(), StageOptions::default()).unwrap()).unwrap();
    }
    let ids: Vec<String> =
        store.history().unwrap().iter().map(|h| h.license.license().id().to_owned()).collect();
    assert_eq!(ids, ["LIC-3", "LIC-2"]);
}

#[test]
fn every_refusal_leaves_the_directory_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let installed = signed(&license("LIC-5", 5, 300, 0));
    store.commit(&store.stage(&installed, now(), StageOptions::default()).unwrap()).unwrap();
    let before = snapshot(dir.path());

    let mut forged = signed(&license("LIC-6", 1, 300, 0));
    let at = forged.windows(7).position(|w| w == b"Example").unwrap();
    forged[at] = b'F';
    let other_product = license("LIC-7", 1, 300, 0).to_builder().product("otherapp").build().unwrap();
    let other_instance = license("LIC-8", 1, 300, 0)
        .to_builder()
        .binding(license_core::license::InstanceBinding::new("inst-2", &server_fingerprint(), None))
        .build()
        .unwrap();
    let expired =
        license("LIC-9", 400, 300, 0).to_builder().expires_at(now() - Duration::days(1)).build().unwrap();
    let older = license("LIC-4", 30, 300, 0);
    let cases: Vec<(Vec<u8>, ErrorKind)> = vec![
        (forged, ErrorKind::DigestMismatch),
        (b"<License/>".to_vec(), ErrorKind::WrongDocumentType),
        (b"<License xmlns='urn:license-core:license' version='1'/>".to_vec(), ErrorKind::SignatureMissing),
        (license("LIC-10", 1, 300, 0).sign(&common::other_key()).unwrap(), ErrorKind::UnknownKeyId),
        (signed(&other_product), ErrorKind::WrongProduct),
        (signed(&other_instance), ErrorKind::WrongInstance),
        (signed(&expired), ErrorKind::CandidateExpired),
        (signed(&older), ErrorKind::OlderLicense),
    ];
    for (bytes, kind) in cases {
        let err = store.stage(&bytes, now(), StageOptions::default()).unwrap_err();
        assert_eq!(err.kind(), kind, "{err}");
        assert_eq!(snapshot(dir.path()), before, "{kind:?} changed the store");
    }
    // Rolling back with an empty history is refused without a change too.
    assert_eq!(store.rollback().unwrap_err().kind(), ErrorKind::NothingToRollBack);
    assert_eq!(snapshot(dir.path()), before);
    // An older license is accepted when explicitly allowed.
    let older = signed(&license("LIC-4", 30, 300, 0));
    store.stage(&older, now(), StageOptions { allow_older: true }).unwrap();
}

#[test]
fn a_stale_stage_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let a = store.stage(&signed(&license("LIC-A", 5, 300, 0)), now(), StageOptions::default()).unwrap();
    let b = store.stage(&signed(&license("LIC-B", 4, 300, 0)), now(), StageOptions::default()).unwrap();
    store.commit(&a).unwrap();
    let before = snapshot(dir.path());
    assert_eq!(store.commit(&b).unwrap_err().kind(), ErrorKind::StaleStage);
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn another_process_replacement_is_noticed() {
    let dir = tempfile::tempdir().unwrap();
    let service = open(dir.path());
    let admin = open(dir.path());
    admin
        .commit(&admin.stage(&signed(&license("LIC-1", 5, 300, 0)), now(), StageOptions::default()).unwrap())
        .unwrap();
    let watch = service.watch().unwrap();
    assert!(!service.changed_since(&watch).unwrap());
    admin
        .commit(&admin.stage(&signed(&license("LIC-2", 4, 300, 0)), now(), StageOptions::default()).unwrap())
        .unwrap();
    assert!(service.changed_since(&watch).unwrap());
    assert_eq!(service.current().unwrap().license().id(), "LIC-2");
}

#[test]
fn a_tampered_installed_file_is_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    store
        .commit(&store.stage(&signed(&license("LIC-1", 5, 300, 0)), now(), StageOptions::default()).unwrap())
        .unwrap();
    let path = dir.path().join("license.xml");
    let edited = String::from_utf8(std::fs::read(&path).unwrap()).unwrap().replace("5000", "9000");
    std::fs::write(&path, edited).unwrap();
    // The bytes are not the ones the store recorded, before any signature check.
    assert_eq!(store.current().unwrap_err().kind(), ErrorKind::StoreUntrusted);
}

#[test]
fn the_clock_guard_reports_a_rollback_beyond_the_tolerance() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    assert_eq!(store.check_clock(now()).unwrap().rolled_back_by, None);
    assert_eq!(store.check_clock(now() - Duration::hours(23)).unwrap().rolled_back_by, None);
    let check = store.check_clock(now() - Duration::hours(30)).unwrap();
    assert_eq!(check.rolled_back_by, Some(Duration::hours(30)));
    assert_eq!(check.latest_seen, Some(now()));
    // The latest time seen survives reopening the store.
    let reopened = open(dir.path());
    assert_eq!(
        reopened.check_clock(now() - Duration::days(3)).unwrap().rolled_back_by,
        Some(Duration::days(3))
    );
}

#[test]
fn a_license_for_other_hardware_is_refused_when_the_store_checks_it() {
    let read = |name: &str| {
        let xml = std::fs::read(common::vectors().join("profile").join(name)).unwrap();
        license_core::HardwareProfile::from_xml(&xml).unwrap()
    };
    let (server, drifted) = (read("server.xml"), read("drift.xml"));
    let bound = license("LIC-HW", 1, 300, 0)
        .to_builder()
        .binding(license_core::license::InstanceBinding::new(
            "inst-1",
            &license_core::Fingerprint::from_profile(&server),
            None,
        ))
        .build()
        .unwrap();
    let bytes = signed(&bound);
    // The same server after a disk swap and a rename still matches.
    let dir = tempfile::tempdir().unwrap();
    let mut options = StoreOptions::new("certmgr");
    options.hardware = Some(drifted);
    let store = LicenseStore::open_dir(dir.path(), trusted(), options).unwrap();
    store.stage(&bytes, now(), StageOptions::default()).unwrap();
    // Another machine: this one.
    let mut options = StoreOptions::new("certmgr");
    options.hardware = Some(license_core::HardwareProfile::collect());
    let other = LicenseStore::open_dir(dir.path(), trusted(), options).unwrap();
    let err = other.stage(&bytes, now(), StageOptions::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::FingerprintMismatch, "{err}");
}

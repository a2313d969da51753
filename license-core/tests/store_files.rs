//! The store's own files as an attacker with write access to the directory
//! sees them: symbolic links, a directory others can write, damaged state
//! files, a held lock and hostile blob names. Each is refused with its own
//! kind and changes nothing.
#![cfg(unix)]

mod common;

use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
use std::path::Path;

use common::{license, now, signed, snapshot, trusted};
use license_core::alert::AlertKind;
use license_core::{
    store::{Monitor, StageOptions, Storage, StoreOptions},
    ErrorKind, LicenseStore,
};

fn open(dir: &Path) -> LicenseStore {
    LicenseStore::open_dir(dir, trusted(), StoreOptions::new("certmgr")).unwrap()
}

fn install(store: &LicenseStore, id: &str, issued_days_ago: i64) {
    let bytes = signed(&license(id, issued_days_ago, 300, 0));
    store.commit(&store.stage(&bytes, now(), StageOptions::default()).unwrap()).unwrap();
}

#[test]
fn a_symlinked_lock_file_is_refused_and_nothing_is_created_outside() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    std::fs::create_dir(&dir).unwrap();
    let outside = tmp.path().join("outside-file");
    symlink(&outside, dir.join(".lock")).unwrap();
    let err = LicenseStore::open_dir(&dir, trusted(), StoreOptions::new("certmgr")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StoreUnsafe, "{err}");
    assert!(!outside.exists(), "the store created a file through the link");
    // Also when the link's target exists: the lock is never taken through it.
    std::fs::write(&outside, b"").unwrap();
    let err = LicenseStore::open_dir(&dir, trusted(), StoreOptions::new("certmgr")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StoreUnsafe, "{err}");
}

#[test]
fn symlinked_store_files_are_never_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let store = open(&dir);
    install(&store, "LIC-1", 10);
    install(&store, "LIC-2", 5);
    // Links to copies of the very bytes the store recorded.
    for name in ["license.xml", "history-000001.xml", "state.json"] {
        let copy = tmp.path().join(format!("copy-{name}"));
        std::fs::copy(dir.join(name), &copy).unwrap();
        std::fs::remove_file(dir.join(name)).unwrap();
        symlink(&copy, dir.join(name)).unwrap();
        let err = store.current().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::StoreUnsafe, "{name}: {err}");
        std::fs::remove_file(dir.join(name)).unwrap();
        std::fs::rename(&copy, dir.join(name)).unwrap();
    }
    assert_eq!(store.current().unwrap().license().id(), "LIC-2");
    // A FIFO where a license belongs neither blocks a read nor is trusted.
    std::fs::remove_file(dir.join("history-000001.xml")).unwrap();
    let status = std::process::Command::new("mkfifo").arg(dir.join("history-000001.xml")).status().unwrap();
    assert!(status.success());
    assert_eq!(store.history().unwrap_err().kind(), ErrorKind::StoreUnsafe);
}

#[test]
fn a_store_directory_others_can_write_raises_an_alert_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let store = open(&dir);
    install(&store, "LIC-1", 10);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let kinds = |alerts: Vec<license_core::Alert>| alerts.iter().map(|a| a.kind()).collect::<Vec<_>>();
    assert!(!kinds(Monitor::check(now(), &store, None).unwrap()).contains(&AlertKind::StorePermissions));
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let alerts = Monitor::check(now(), &store, None).unwrap();
    let alert = alerts.iter().find(|a| a.kind() == AlertKind::StorePermissions).expect("an alert");
    assert!(alert.message().contains("writable by group or others"), "{alert}");
    // Raised once per crossing.
    assert!(!kinds(Monitor::check(now(), &store, None).unwrap()).contains(&AlertKind::StorePermissions));
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    Monitor::check(now(), &store, None).unwrap();
    // Owned by another user than this process (only root can arrange it).
    if std::fs::metadata(&dir).unwrap().uid() == 0 {
        std::os::unix::fs::chown(&dir, Some(4242), None).unwrap();
        let alerts = Monitor::check(now(), &store, None).unwrap();
        let alert = alerts.iter().find(|a| a.kind() == AlertKind::StorePermissions).expect("an alert");
        assert!(alert.message().contains("owned by uid 4242"), "{alert}");
    }
}

#[test]
fn damaged_state_files_are_store_corrupt_and_change_nothing() {
    for (name, read) in [
        ("state.json", "current"),
        ("usage-journal.json", "journal"),
        ("clock.json", "clock"),
        ("monitor.json", "monitor"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("store");
        let store = open(&dir);
        install(&store, "LIC-1", 10);
        Monitor::check(now(), &store, None).unwrap();
        std::fs::write(dir.join(name), b"{\"not\": \"this\"").unwrap();
        let before = snapshot(&dir);
        let err = match read {
            "current" => store.current().map(drop),
            "journal" => store.usage_journal().map(drop),
            "clock" => store.check_clock(now()).map(drop),
            _ => Monitor::check(now(), &store, None).map(drop),
        }
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::StoreCorrupt, "{name}: {err}");
        assert!(err.detail().contains(name), "{name}: {err}");
        assert_eq!(snapshot(&dir), before, "{name}: a failed read changed the store");
        // Nor does a write that needs the damaged file.
        let inventory = license_core::Inventory::from_records(&[]).unwrap();
        let count = inventory
            .count(now(), &license_core::CountConfig::new(license_core::license::ActionedLimit::Counted(5)));
        if matches!(name, "state.json" | "usage-journal.json") {
            let err = store.record_count(&count).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::StoreCorrupt, "{name}: {err}");
            assert_eq!(snapshot(&dir), before, "{name}: a failed record_count changed the store");
        }
    }
}

#[test]
fn a_missing_history_file_is_store_corrupt() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let store = open(&dir);
    install(&store, "LIC-1", 10);
    install(&store, "LIC-2", 5);
    std::fs::remove_file(dir.join("history-000001.xml")).unwrap();
    let err = store.history().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StoreCorrupt, "{err}");
    assert!(err.detail().contains("history-000001.xml"), "{err}");
    let before = snapshot(&dir);
    assert_eq!(store.rollback().unwrap_err().kind(), ErrorKind::StoreCorrupt);
    assert_eq!(snapshot(&dir), before);
}

#[test]
fn a_held_lock_is_store_locked_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let holder = open(&dir);
    install(&holder, "LIC-1", 10);
    let mut options = StoreOptions::new("certmgr");
    options.lock_timeout = std::time::Duration::from_millis(50);
    let waiting = LicenseStore::open_dir(&dir, trusted(), options.clone()).unwrap();
    let staged =
        waiting.stage(&signed(&license("LIC-2", 5, 300, 0)), now(), StageOptions::default()).unwrap();
    let guard = holder.storage().lock(std::time::Duration::from_secs(1)).unwrap();
    let before = snapshot(&dir);
    assert_eq!(waiting.commit(&staged).unwrap_err().kind(), ErrorKind::StoreLocked);
    assert_eq!(waiting.rollback().unwrap_err().kind(), ErrorKind::StoreLocked);
    assert_eq!(waiting.check_clock(now()).unwrap_err().kind(), ErrorKind::StoreLocked);
    let err = LicenseStore::open_dir(&dir, trusted(), options).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StoreLocked);
    assert_eq!(snapshot(&dir), before);
    drop(guard);
    waiting.commit(&staged).unwrap();
}

#[test]
fn hostile_blob_names_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let store = open(&dir);
    let storage = store.storage();
    for name in ["../x", "..", ".", "", ".lock", "a/b", "/etc/passwd", "x\0y", "license.xml\n", "ü.xml"] {
        assert_eq!(storage.read(name).unwrap_err().kind(), ErrorKind::InvalidArgument, "{name:?}");
        assert_eq!(storage.write(name, b"x").unwrap_err().kind(), ErrorKind::InvalidArgument, "{name:?}");
        assert_eq!(storage.remove(name).unwrap_err().kind(), ErrorKind::InvalidArgument, "{name:?}");
        assert_eq!(storage.identity(name).unwrap_err().kind(), ErrorKind::InvalidArgument, "{name:?}");
    }
    assert!(!tmp.path().join("x").exists());
}

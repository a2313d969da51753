//! Crash safety and concurrency of the license store, with real processes:
//! a child runs a replace (or rollback) and is SIGKILLed at every step of
//! its write sequence; two children replace at once. Needs
//! `--features crash-test` (scripts/test passes it), which makes the store
//! announce each step and wait there when `LC_CRASH_AT` names it.
#![cfg(all(unix, feature = "crash-test"))]

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{license, now, signed, trusted};
use license_core::{
    store::{StageOptions, StoreOptions},
    LicenseStore,
};

/// The store operations a child can run.
const SCENARIOS: &[&str] = &["first-install", "replace", "replace-at-history-limit", "rollback"];

fn options() -> StoreOptions {
    let mut o = StoreOptions::new("certmgr");
    o.history_limit = 2;
    o
}

fn old_bytes() -> Vec<u8> {
    signed(&license("LIC-OLD", 20, 300, 4000))
}

fn new_bytes() -> Vec<u8> {
    signed(&license("LIC-NEW", 1, 600, 6000))
}

/// Prepares `dir` so that `scenario` replaces "old" with "new".
fn prepare(dir: &Path, scenario: &str) {
    let store = LicenseStore::open_dir(dir, trusted(), options()).unwrap();
    let install =
        |bytes: &[u8]| store.commit(&store.stage(bytes, now(), StageOptions::default()).unwrap()).unwrap();
    match scenario {
        "first-install" => {}
        "replace" => install(&old_bytes()),
        "replace-at-history-limit" => {
            for i in 0..3 {
                install(&signed(&license(&format!("LIC-H{i}"), 40 - i, 300, 500)));
            }
            install(&old_bytes());
        }
        "rollback" => {
            install(&old_bytes());
            install(&new_bytes());
        }
        other => panic!("unknown scenario {other}"),
    }
}

/// What the child does: the operation whose every step may be killed.
#[test]
#[ignore = "run as a child process by the crash tests"]
fn child_entry() {
    let Ok(dir) = std::env::var("LC_CHILD_DIR") else { return };
    let scenario = std::env::var("LC_CHILD_SCENARIO").unwrap();
    let store = LicenseStore::open_dir(&dir, trusted(), options()).unwrap();
    match scenario.as_str() {
        "rollback" => {
            store.rollback().unwrap();
        }
        "race" => {
            let id = std::env::var("LC_CHILD_ID").unwrap();
            for round in 0..8 {
                let bytes = signed(&license(&format!("LIC-{id}-{round}"), 1, 300, 1000));
                // Another process may replace between stage and commit:
                // stage again until the commit lands.
                loop {
                    let staged = store.stage(&bytes, now(), StageOptions { allow_older: true }).unwrap();
                    match store.commit(&staged) {
                        Ok(()) => break,
                        Err(e) if e.kind() == license_core::ErrorKind::StaleStage => continue,
                        Err(e) => panic!("{e}"),
                    }
                }
            }
        }
        _ => {
            let staged = store.stage(&new_bytes(), now(), StageOptions::default()).unwrap();
            store.commit(&staged).unwrap();
        }
    }
}

fn child(dir: &Path, scenario: &str) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["child_entry", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env("LC_CHILD_DIR", dir)
        .env("LC_CHILD_SCENARIO", scenario)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

/// Runs the child until it reaches crash point `n` and SIGKILLs it there.
/// Returns false when the child finished before reaching point `n`.
fn kill_at(dir: &Path, scenario: &str, n: usize) -> bool {
    let mut proc = child(dir, scenario).env("LC_CRASH_AT", n.to_string()).spawn().unwrap();
    let stderr = BufReader::new(proc.stderr.take().unwrap());
    for line in stderr.lines() {
        if line.unwrap().starts_with(&format!("LC_CRASH_POINT {n} ")) {
            proc.kill().unwrap(); // SIGKILL
            proc.wait().unwrap();
            return true;
        }
    }
    let status = proc.wait().unwrap();
    assert!(status.success(), "{scenario}: the child failed without being killed");
    false
}

/// After a crash the store opens, and its license is exactly the old or
/// the new one, verified; nothing else is lost.
fn check_after_crash(dir: &Path, scenario: &str, old: &[u8], new: &[u8]) {
    let store = LicenseStore::open_dir(dir, trusted(), options()).unwrap();
    let (expect_before, expect_after) = if scenario == "rollback" { (new, old) } else { (old, new) };
    match store.current_bytes().unwrap() {
        None => assert_eq!(scenario, "first-install", "{scenario}: the installed license was lost"),
        Some(bytes) => {
            assert!(bytes == expect_before || bytes == expect_after, "{scenario}: a torn or foreign license");
            store.current().unwrap();
        }
    }
    for entry in store.history().unwrap() {
        let id = entry.license.license().id().to_owned();
        assert!(id.starts_with("LIC-"), "{id}");
    }
    // The interrupted operation can be completed afterwards.
    if scenario != "rollback" && store.current_bytes().unwrap().as_deref() != Some(new) {
        store.commit(&store.stage(new, now(), StageOptions::default()).unwrap()).unwrap();
    }
}

fn scratch(tmp: &Path, name: &str) -> PathBuf {
    let d = tmp.join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn a_kill_at_any_step_leaves_the_old_or_the_new_license() {
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = (old_bytes(), new_bytes());
    let mut kill_points = 0;
    for scenario in SCENARIOS {
        let mut n = 1;
        loop {
            let dir = scratch(tmp.path(), scenario);
            prepare(&dir, scenario);
            if !kill_at(&dir, scenario, n) {
                break;
            }
            check_after_crash(&dir, scenario, &old, &new);
            kill_points += 1;
            n += 1;
        }
        assert!(n > 5, "{scenario}: only {} crash points were reached", n - 1);
    }
    eprintln!("crash safety: {kill_points} kill points across {} scenarios", SCENARIOS.len());
    assert!(kill_points >= 200, "only {kill_points} kill points");
}

#[test]
fn concurrent_replacements_never_tear_the_license() {
    let tmp = tempfile::tempdir().unwrap();
    for run in 0..3 {
        let dir = scratch(tmp.path(), &format!("race-{run}"));
        prepare(&dir, "replace");
        let children: Vec<_> = ["a", "b"]
            .iter()
            .map(|id| child(&dir, "race").env("LC_CHILD_ID", id).stderr(Stdio::null()).spawn().unwrap())
            .collect();
        for mut c in children {
            assert!(c.wait().unwrap().success(), "a racing child failed");
        }
        let store = LicenseStore::open_dir(&dir, trusted(), options()).unwrap();
        let id = store.current().unwrap().license().id().to_owned();
        assert!(id.ends_with("-7"), "the last license installed must be one child's last round, got {id}");
        assert_eq!(store.history().unwrap().len(), 2);
    }
}

//! `licensectl verify-usage --ledger`: an instance's logs are bound to the
//! key that signed its first one; `--rekey` accepts a new key explicitly.

mod support;

use std::path::Path;
use std::process::Stdio;

fn ctl(dir: &Path, args: &[&str]) -> (bool, String, String) {
    support::run(support::licensectl().current_dir(dir).args(args).stdin(Stdio::null()))
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let (ok, out, err) = ctl(dir, args);
    assert!(ok, "licensectl {args:?} failed: {err}");
    out
}

#[test]
fn a_new_installation_key_needs_rekey() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let keys = support::vectors().join("keys");
    for (from, to) in [("vendor-2048", "vendor"), ("vendor-3072", "inst")] {
        for ext in ["key.pem", "pub.pem"] {
            std::fs::copy(keys.join(format!("{from}.{ext}")), dir.join(format!("{to}.{ext}"))).unwrap();
        }
    }
    let template = ok(dir, &["issue", "--template"]);
    let mut json: serde_json::Value = serde_json::from_str(&template).unwrap();
    json["binding"] = serde_json::Value::Null;
    std::fs::write(dir.join("lic.json"), json.to_string()).unwrap();
    ok(dir, &["issue", "--key", "vendor.key.pem", "--from", "lic.json", "--out", "lic.xml"]);
    let store = ["--store", "st", "--pub", "vendor.pub.pem"];
    ok(dir, &[&["install"][..], &store, &["--yes", "lic.xml"]].concat());
    std::fs::write(dir.join("inv.jsonl"), "{\"id\": 1, \"enrolled\": true}\n").unwrap();
    let usage_log = |key: &str, at: &str| {
        let args = ["usage-log", "--inventory", "inv.jsonl", "--key", key, "--out", "usage.xml", "--at", at];
        ok(dir, &[&args[..1], &store, &args[1..]].concat());
    };
    // The vendor trusts both keys, as a vendor of many installations does.
    let verify =
        ["verify-usage", "--pub", "inst.pub.pem", "--pub", "vendor.pub.pem", "--ledger", "ledger.json"];

    usage_log("inst.key.pem", "2026-11-23T02:00:00Z");
    ok(dir, &[&verify[..], &["usage.xml"]].concat());
    let ledger = std::fs::read(dir.join("ledger.json")).unwrap();

    // The next log is signed by another key: refused, the ledger untouched.
    usage_log("vendor.key.pem", "2026-11-24T02:00:00Z");
    let (accepted, _, err) = ctl(dir, &[&verify[..], &["usage.xml"]].concat());
    assert!(!accepted && err.contains("usage_log_wrong_key"), "{err}");
    assert_eq!(std::fs::read(dir.join("ledger.json")).unwrap(), ledger);

    // --rekey needs a ledger; with one, it binds the new key.
    let (bare, _, err) = ctl(dir, &["verify-usage", "--pub", "vendor.pub.pem", "--rekey", "usage.xml"]);
    assert!(!bare && err.contains("--ledger"), "{err}");
    let out = ok(dir, &[&verify[..], &["--rekey", "usage.xml"]].concat());
    assert!(out.contains("logs now signed by key") && out.contains("signature OK"), "{out}");

    // The old key is now the wrong one.
    usage_log("inst.key.pem", "2026-11-25T02:00:00Z");
    let (accepted, _, err) = ctl(dir, &[&verify[..], &["usage.xml"]].concat());
    assert!(!accepted && err.contains("usage_log_wrong_key"), "{err}");
}

/// The fields of a usage log come from the installation: printed by the
/// vendor's `verify-usage`, their control characters are escaped, so a log
/// cannot drive the vendor's terminal.
#[test]
fn verify_usage_prints_the_logs_text_escaped() {
    use license_core::{license::FeatureSet, usage, SigningKey};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let keys = support::vectors().join("keys");
    let key = SigningKey::from_pkcs8_pem(&std::fs::read_to_string(keys.join("vendor-3072.key.pem")).unwrap())
        .unwrap();
    std::fs::copy(keys.join("vendor-3072.pub.pem"), dir.join("inst.pub.pem")).unwrap();
    let at = time::macros::datetime!(2026-11-23 02:00 UTC);
    let count = license_core::actioned::count_sets(
        &license_core::actioned::CategorySets::new(at),
        license_core::license::ActionedLimit::Counted(10),
    );
    let instance = usage::Instance {
        id: "srv-1".into(),
        // XML 1.0 allows DEL and the C1 controls; U+009B is a one-byte CSI.
        name: "srv\u{9b}2J\u{7f}".into(),
        location: "rack \u{85}7".into(),
        software_version: "1.0.0".into(),
        fingerprint: "fp".into(),
    };
    let license = usage::License {
        id: "LIC".into(),
        product: "certmgr".into(),
        licensee: "Evil\u{9b}31m Ltd".into(),
        expires_at: None,
        sha256: [0; 32],
        features: FeatureSet::new(),
    };
    let log = usage::Journal::default().log(at, instance, license, &count).unwrap();
    std::fs::write(dir.join("usage.xml"), log.sign(&key).unwrap()).unwrap();
    let out = ok(dir, &["verify-usage", "--pub", "inst.pub.pem", "usage.xml"]);
    assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{}", out.escape_debug());
    assert!(out.contains("srv\\u{9b}2J\\u{7f}") && out.contains("Evil\\u{9b}31m Ltd"), "{out}");
}

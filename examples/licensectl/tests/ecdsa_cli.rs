//! ECDSA P-256 keys through `licensectl`: `keygen --alg p256`, then
//! `issue`, `verify`, `bundle` (ES256 by default for an EC key),
//! `bundle show`, `install`, `usage-log` and `verify-usage`, as with RSA.

mod support;

use std::path::Path;
use std::process::Stdio;

fn ctl(dir: &Path, args: &[&str]) -> (bool, String, String) {
    support::run(support::licensectl().current_dir(dir).args(args).stdin(Stdio::null()))
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let (ok, out, err) = ctl(dir, args);
    assert!(ok, "licensectl {args:?} failed: {out}{err}");
    out
}

#[test]
fn keygen_alg_p256_and_its_conflict_with_bits() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = ok(dir, &["keygen", "--alg", "p256", "--out", "ec"]);
    assert!(out.contains("P-256") && out.contains("bits         256"), "{out}");
    let pem = std::fs::read_to_string(dir.join("ec.key.pem")).unwrap();
    let key = license_core::SigningKey::from_pkcs8_pem(&pem).unwrap();
    assert_eq!(key.key_type(), license_core::crypto::KeyType::P256);
    let key_id = out.lines().find_map(|l| l.strip_prefix("key id")).unwrap().trim();
    assert_eq!(key_id, key.key_id().to_string());
    let public = std::fs::read(dir.join("ec.pub.pem")).unwrap();
    assert_eq!(license_core::VerifyingKey::from_public_key_bytes(&public).unwrap().key_id(), key.key_id());
    let (success, _, err) = ctl(dir, &["keygen", "--alg", "p256", "--bits", "2048", "--out", "x"]);
    assert!(!success && err.contains("cannot be used with"), "{err}");
    let (success, _, err) = ctl(dir, &["keygen", "--alg", "p384", "--out", "x"]);
    assert!(!success && err.contains("p256"), "the choices are listed: {err}");
}

#[test]
fn issue_verify_bundle_install_and_usage_log_with_p256_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let keys = support::vectors().join("keys");
    for ext in ["key.pem", "pub.pem"] {
        std::fs::copy(keys.join(format!("vendor-p256.{ext}")), dir.join(format!("vendor.{ext}"))).unwrap();
        std::fs::copy(keys.join(format!("vendor-2048.{ext}")), dir.join(format!("rsa.{ext}"))).unwrap();
    }
    ok(dir, &["keygen", "--alg", "p256", "--out", "inst"]);

    // A license signed with the EC key, verified with it among RSA keys.
    let template = ok(dir, &["issue", "--template", "--at", "2026-11-01T00:00:00Z"]);
    let mut json: serde_json::Value = serde_json::from_str(&template).unwrap();
    json["binding"] = serde_json::Value::Null;
    json["actioned_limit"] = serde_json::json!({ "counted": 5 });
    std::fs::write(dir.join("license.json"), json.to_string()).unwrap();
    ok(dir, &["issue", "--key", "vendor.key.pem", "--from", "license.json", "--out", "license.xml"]);
    let xml = std::fs::read_to_string(dir.join("license.xml")).unwrap();
    assert!(xml.contains("xmldsig-more#ecdsa-sha256"), "{xml}");
    let out = ok(
        dir,
        &[
            "verify",
            "--pub",
            "rsa.pub.pem",
            "--pub",
            "vendor.pub.pem",
            "--at",
            "2026-11-20T00:00:00Z",
            "license.xml",
        ],
    );
    assert!(out.contains("signature OK"), "{out}");
    let (success, _, err) = ctl(dir, &["verify", "--pub", "rsa.pub.pem", "license.xml"]);
    assert!(!success && err.contains("unknown_key_id"), "{err}");

    // A bundle: ES256 by default with an EC key; RS256 is refused.
    let template = ok(dir, &["bundle", "--template", "--at", "2026-11-01T00:00:00Z"]);
    std::fs::write(dir.join("bundle.json"), template).unwrap();
    let out = ok(dir, &["bundle", "--key", "vendor.key.pem", "--from", "bundle.json", "--out", "server.bin"]);
    assert!(out.contains("ES256"), "{out}");
    let shown = ok(dir, &["bundle", "show", "--pub", "vendor.pub.pem", "server.bin"]);
    assert!(shown.contains("signature OK") && shown.contains("ES256"), "{shown}");
    let (success, _, err) = ctl(
        dir,
        &["bundle", "--key", "vendor.key.pem", "--from", "bundle.json", "--out", "x.bin", "--alg", "rs256"],
    );
    assert!(!success && err.contains("unsupported_algorithm"), "{err}");

    // Installed with the EC vendor key; a usage log signed with an EC
    // installation key.
    let store = ["--store", "st", "--pub", "vendor.pub.pem"];
    let out = ok(
        dir,
        &[&["install"][..], &store, &["--at", "2026-11-20T00:00:00Z", "--yes", "license.xml"]].concat(),
    );
    assert!(out.contains("installed"), "{out}");
    let lines: Vec<String> = (1..=7).map(|id| format!("{{\"id\": {id}, \"enrolled\": true}}")).collect();
    std::fs::write(dir.join("inv.jsonl"), lines.join("\n")).unwrap();
    let log = [
        "usage-log",
        "--inventory",
        "inv.jsonl",
        "--key",
        "inst.key.pem",
        "--out",
        "usage.xml",
        "--at",
        "2026-11-23T02:00:00Z",
    ];
    ok(dir, &[&log[..], &store].concat());
    let out = ok(dir, &["verify-usage", "--pub", "inst.pub.pem", "usage.xml"]);
    assert!(out.contains("signature OK") && out.contains("OVER BY 2"), "{out}");
    let (success, _, err) = ctl(dir, &["verify-usage", "--pub", "vendor.pub.pem", "usage.xml"]);
    assert!(!success && err.contains("unknown_key_id"), "{err}");
}

//! The installation side through `licensectl`, as an administrator uses it.

mod support;

use std::path::Path;
use std::process::Stdio;

/// Every command that decides by time is given one: the suite passes on any
/// day, whatever the clock says.
const AT: [&str; 2] = ["--at", "2026-11-20T00:00:00Z"];

fn ctl(dir: &Path, args: &[&str]) -> (bool, String, String) {
    support::run(support::licensectl().current_dir(dir).args(args).stdin(Stdio::null()))
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let (ok, out, err) = ctl(dir, args);
    assert!(ok, "licensectl {args:?} failed: {err}");
    out
}

/// Writes a license JSON derived from the template with `id`, `issued_at`
/// and a counted limit, and signs it into `NAME.xml`.
fn issue(dir: &Path, name: &str, id: &str, issued: &str, limit: u64) {
    let template = ok(dir, &["issue", "--template", "--at", "2026-11-01T00:00:00Z"]);
    let mut json: serde_json::Value = serde_json::from_str(&template).unwrap();
    json["id"] = id.into();
    json["issued_at"] = issued.into();
    json["actioned_limit"] = serde_json::json!({ "counted": limit });
    json["features"] = serde_json::json!([{ "name": "api", "enabled": true, "quantity": limit }]);
    json["binding"] = serde_json::Value::Null;
    std::fs::write(dir.join(format!("{name}.json")), json.to_string()).unwrap();
    ok(
        dir,
        &[
            "issue",
            "--key",
            "vendor.key.pem",
            "--from",
            &format!("{name}.json"),
            "--out",
            &format!("{name}.xml"),
        ],
    );
}

#[test]
fn install_replace_roll_back_and_report_usage() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let keys = support::vectors().join("keys");
    for (from, to) in [("vendor-2048", "vendor"), ("vendor-3072", "inst")] {
        for ext in ["key.pem", "pub.pem"] {
            std::fs::copy(keys.join(format!("{from}.{ext}")), dir.join(format!("{to}.{ext}"))).unwrap();
        }
    }
    issue(dir, "a", "LIC-A", "2026-11-01T00:00:00Z", 5);
    issue(dir, "b", "LIC-B", "2026-11-10T00:00:00Z", 3);
    let store = ["--store", "st", "--pub", "vendor.pub.pem"];

    // Without a terminal and without --yes, nothing is installed.
    let (installed, _, err) = ctl(dir, &[&["install"][..], &store, &AT, &["a.xml"]].concat());
    assert!(!installed && err.contains("--yes"), "{err}");
    assert!(!dir.join("st/license.xml").exists());

    let out = ok(dir, &[&["install"][..], &store, &AT, &["--yes", "a.xml"]].concat());
    assert!(out.contains("installed LIC-A"), "{out}");
    let out = ok(dir, &[&["install"][..], &store, &AT, &["--yes", "b.xml"]].concat());
    assert!(out.contains("feature api") && out.contains("qty 5") && out.contains("qty 3"), "the diff: {out}");
    assert!(out.contains("takes away"), "{out}");
    let out = ok(dir, &[&["history"][..], &store].concat());
    assert!(out.contains("installed  LIC-B") && out.contains("LIC-A"), "{out}");
    // An older license is refused without --allow-older.
    let (refused, _, err) = ctl(dir, &[&["install"][..], &store, &AT, &["--yes", "a.xml"]].concat());
    assert!(!refused && err.contains("older_license"), "{err}");
    let out = ok(dir, &[&["rollback"][..], &store, &["--yes"]].concat());
    assert!(out.contains("rolled back to LIC-A"), "{out}");
    let out = ok(dir, &[&["status"][..], &store, &["--at", "2026-11-23T00:00:00Z"]].concat());
    assert!(out.contains("LIC-A") && out.contains("status:"), "{out}");

    // Usage log: 7 certificates against a limit of 5.
    let lines: Vec<String> = (1..=7).map(|id| format!("{{\"id\": {id}, \"enrolled\": true}}")).collect();
    std::fs::write(dir.join("inv.jsonl"), lines.join("\n")).unwrap();
    let log_args = [
        "--inventory",
        "inv.jsonl",
        "--key",
        "inst.key.pem",
        "--out",
        "usage.xml",
        "--at",
        "2026-11-23T02:00:00Z",
    ];
    let out = ok(dir, &[&["usage-log"][..], &store, &log_args].concat());
    assert!(out.contains("7 actioned"), "{out}");
    std::fs::copy(dir.join("usage.xml"), dir.join("usage-1.xml")).unwrap();
    let verify = ["verify-usage", "--pub", "inst.pub.pem", "--ledger", "ledger.json"];
    let out = ok(dir, &[&verify[..], &["usage-1.xml"]].concat());
    assert!(out.contains("signature OK") && out.contains("OVER BY 2"), "{out}");
    // A second log continues the chain; replaying the first is refused.
    let log_args2 = [
        "--inventory",
        "inv.jsonl",
        "--key",
        "inst.key.pem",
        "--out",
        "usage.xml",
        "--at",
        "2026-11-24T02:00:00Z",
    ];
    ok(dir, &[&["usage-log"][..], &store, &log_args2].concat());
    ok(dir, &[&verify[..], &["usage.xml"]].concat());
    let (replayed, _, err) = ctl(dir, &[&verify[..], &["usage-1.xml"]].concat());
    assert!(!replayed && err.contains("usage_log_replayed"), "{err}");
    // The vendor key does not verify an installation's log.
    let (wrong, _, err) = ctl(dir, &["verify-usage", "--pub", "vendor.pub.pem", "usage.xml"]);
    assert!(!wrong && err.contains("unknown_key_id"), "{err}");
}

/// Copying a vendor-signed license over `license.xml` (an older one with a
/// larger limit, or another product's) is not `valid`: `status` fails with
/// the kind's name, and `install` is the way back.
#[test]
fn a_license_copied_over_the_installed_one_is_not_valid() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let keys = support::vectors().join("keys");
    for ext in ["key.pem", "pub.pem"] {
        std::fs::copy(keys.join(format!("vendor-2048.{ext}")), dir.join(format!("vendor.{ext}"))).unwrap();
    }
    issue(dir, "old", "LIC-OLD", "2026-11-01T00:00:00Z", 5000);
    issue(dir, "cur", "LIC-CUR", "2026-11-10T00:00:00Z", 50);
    issue(dir, "new", "LIC-NEW", "2026-11-20T00:00:00Z", 60);
    let mut other: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("new.json")).unwrap()).unwrap();
    other["id"] = "LIC-OTHER".into();
    other["product"] = "otherapp".into();
    std::fs::write(dir.join("other.json"), other.to_string()).unwrap();
    ok(dir, &["issue", "--key", "vendor.key.pem", "--from", "other.json", "--out", "other.xml"]);

    let store =
        ["--store", "st", "--pub", "vendor.pub.pem", "--product", "certmgr", "--instance-id", "inst-1"];
    ok(dir, &[&["install"][..], &store, &AT, &["--yes", "cur.xml"]].concat());
    let status = [&["status"][..], &store, &["--at", "2026-11-23T00:00:00Z"]].concat();
    ok(dir, &status);
    for planted in ["old.xml", "other.xml"] {
        std::fs::copy(dir.join(planted), dir.join("st/license.xml")).unwrap();
        let (valid, out, err) = ctl(dir, &status);
        assert!(!valid, "{planted}: status succeeded: {out}");
        assert!(err.contains("store_untrusted"), "{planted}: {err}");
        assert!(!out.contains("status:"), "{planted}: {out}");
    }
    // Installing runs every check: still not older than what the store
    // installed, whatever was copied in.
    let (installed, _, err) = ctl(dir, &[&["install"][..], &store, &AT, &["--yes", "old.xml"]].concat());
    assert!(!installed && err.contains("older_license"), "{err}");
    let out = ok(dir, &[&["install"][..], &store, &AT, &["--yes", "new.xml"]].concat());
    assert!(out.contains("not one this store installed") && out.contains("installed LIC-NEW"), "{out}");
    let out = ok(dir, &status);
    assert!(out.contains("LIC-NEW") && out.contains("status: valid"), "{out}");
    let out = ok(dir, &[&["history"][..], &store].concat());
    // LIC-CUR's bytes were overwritten by the copy; the copy is not kept.
    assert!(out.contains("no earlier licenses") && !out.contains("LIC-OTHER"), "{out}");
}

/// Without `--instance-id`, the installed license's binding is this
/// installation's: a license bound to another instance is refused, and a
/// rebinding the administrator asks for shows in the diff as a loss.
#[test]
fn install_keeps_the_installed_binding_without_an_instance_id() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let keys = support::vectors().join("keys");
    for ext in ["key.pem", "pub.pem"] {
        std::fs::copy(keys.join(format!("vendor-2048.{ext}")), dir.join(format!("vendor.{ext}"))).unwrap();
    }
    for (name, instance, issued) in
        [("one", "inst-1", "2026-11-01T00:00:00Z"), ("two", "inst-2", "2026-11-10T00:00:00Z")]
    {
        issue(dir, name, &format!("LIC-{name}"), issued, 10);
        let path = dir.join(format!("{name}.json"));
        let mut json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        json["binding"] = serde_json::json!({ "instance_id": instance, "fingerprint": format!("fp1;machine-id={:032x}", 0) });
        std::fs::write(&path, json.to_string()).unwrap();
        let from = format!("{name}.json");
        let out = format!("{name}.xml");
        ok(dir, &["issue", "--key", "vendor.key.pem", "--from", &from, "--out", &out]);
    }
    let store = ["--store", "st", "--pub", "vendor.pub.pem"];
    ok(dir, &[&["install"][..], &store, &AT, &["--yes", "one.xml"]].concat());
    let (installed, _, err) = ctl(dir, &[&["install"][..], &store, &AT, &["--yes", "two.xml"]].concat());
    assert!(!installed && err.contains("wrong_instance"), "{err}");
    let out =
        ok(dir, &[&["install"][..], &store, &AT, &["--instance-id", "inst-2", "--yes", "two.xml"]].concat());
    assert!(out.contains("the binding moves from instance `inst-1` to `inst-2`"), "{out}");
    let out = ok(dir, &[&["history"][..], &store, &["--instance-id", "inst-2"]].concat());
    assert!(out.contains("installed  LIC-two") && out.contains("LIC-one"), "{out}");
    let (rolled, _, err) =
        ctl(dir, &[&["rollback"][..], &store, &["--instance-id", "inst-2", "--yes"]].concat());
    assert!(!rolled && err.contains("wrong_instance"), "{err}");
}

/// A symbolic link where the installed license belongs is never followed,
/// not even to pick the default product.
#[cfg(unix)]
#[test]
fn a_symlinked_license_xml_is_store_unsafe() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let keys = support::vectors().join("keys");
    for ext in ["key.pem", "pub.pem"] {
        std::fs::copy(keys.join(format!("vendor-2048.{ext}")), dir.join(format!("vendor.{ext}"))).unwrap();
    }
    issue(dir, "cur", "LIC-CUR", "2026-11-10T00:00:00Z", 50);
    let store = ["--store", "st", "--pub", "vendor.pub.pem"];
    ok(dir, &[&["install"][..], &store, &AT, &["--yes", "cur.xml"]].concat());
    // The link points at a copy of the very bytes the store recorded.
    std::fs::rename(dir.join("st/license.xml"), dir.join("copy.xml")).unwrap();
    std::os::unix::fs::symlink(dir.join("copy.xml"), dir.join("st/license.xml")).unwrap();
    let (valid, out, err) = ctl(dir, &[&["status"][..], &store, &["--at", "2026-11-23T00:00:00Z"]].concat());
    assert!(!valid && err.contains("store_unsafe"), "{out}{err}");
}

//! `licensectl key`, `bundle`, `activate` and `account`, end to end through
//! the binary: what a vendor and a customer's administrator would type.

mod support;

use std::path::Path;

use license_core::{instance::NetworkInterface, HardwareProfile, LicenseKey};

/// The time every command that decides by time is given, so the suite
/// passes on any day, whatever the clock says.
const AT: &str = "2026-11-23T00:00:00Z";

fn ctl(args: &[&str]) -> (bool, String, String) {
    support::run(support::licensectl().args(args))
}

fn ok(args: &[&str]) -> String {
    let (ok, out, err) = ctl(args);
    assert!(ok, "licensectl {args:?} failed: {out}{err}");
    out
}

fn profile_xml(dir: &Path, name: &str, machine: &str) -> String {
    let profile = HardwareProfile {
        hostname: Some(format!("host-{machine}")),
        machine_id: Some(format!("{machine:0>32}")),
        product_uuid: Some(format!("4c4c4544-0042-3510-8052-{machine:0>12}")),
        board_serial: Some(format!("BOARD{machine}")),
        interfaces: vec![NetworkInterface {
            name: "eno1".into(),
            mac: Some(format!("b0:83:fe:11:22:{machine:0>2}")),
            physical: true,
        }],
        ..HardwareProfile::default()
    };
    let path = support::write(dir, name, profile.to_xml().unwrap().as_bytes());
    path.to_string_lossy().into_owned()
}

#[test]
fn key_new_and_check() {
    let key = ok(&["key", "new", "--kind", "addon", "--product", "crt"]).trim().to_owned();
    let parsed: LicenseKey = key.parse().unwrap();
    assert!(key.starts_with("ACRT-"), "{key}");
    let out = ok(&["key", "check", &key.to_lowercase().replace('-', " ")]);
    assert!(out.contains("no typo") && out.contains("addon"), "{out}");
    // One character changed: named, with the repair.
    let mut typo: Vec<char> = parsed.compact().chars().collect();
    typo[9] = if typo[9] == 'Q' { 'R' } else { 'Q' };
    let typo: String = typo.into_iter().collect();
    let (success, out, _) = ctl(&["key", "check", &typo]);
    assert!(!success);
    assert!(out.contains("key_checksum"), "{out}");
    assert!(out.contains(&format!("character 10 `{}` is probably wrong", &typo[9..10])), "{out}");
    assert!(out.contains(&key), "{out}");
    let (success, out, _) = ctl(&["key", "check", "MCRT-0000"]);
    assert!(!success && out.contains("key_length"), "{out}");
    let (success, _, err) = ctl(&["key", "new", "--kind", "gold", "--product", "CRT"]);
    assert!(!success && err.contains("gold"), "{err}");
}

#[test]
fn bundle_template_sign_show() {
    let dir = tempfile::tempdir().unwrap();
    let keys = support::vectors().join("keys");
    let key = keys.join("vendor-2048.key.pem");
    let public = keys.join("vendor-2048.pub.pem");
    let template = ok(&["bundle", "--template", "--at", AT]);
    let json = support::write(dir.path(), "bundle.json", template.as_bytes());
    let bin = dir.path().join("server.bin");
    let (k, j, b) = (key.to_str().unwrap(), json.to_str().unwrap(), bin.to_str().unwrap());
    ok(&["bundle", "--key", k, "--from", j, "--out", b]);
    let first = std::fs::read(&bin).unwrap();
    ok(&["bundle", "--key", k, "--from", j, "--out", b]);
    assert_eq!(std::fs::read(&bin).unwrap(), first, "RS256 bundles are deterministic");
    let shown = ok(&["bundle", "show", "--pub", public.to_str().unwrap(), b]);
    assert!(shown.contains("signature OK") && shown.contains("srv-eu-01"), "{shown}");
    let unverified = ok(&["bundle", "show", b]);
    assert!(unverified.starts_with("UNVERIFIED"), "{unverified}");
    // The other vendor key does not verify it.
    let other = keys.join("vendor-3072.pub.pem");
    let (success, _, err) = ctl(&["bundle", "show", "--pub", other.to_str().unwrap(), b]);
    assert!(!success && err.contains("unknown_key_id"), "{err}");
}

#[test]
fn account_to_activation() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("account.json");
    let f = file.to_str().unwrap();
    let keys = support::vectors().join("keys");
    let (key, public) = (keys.join("vendor-2048.key.pem"), keys.join("vendor-2048.pub.pem"));
    let here = profile_xml(dir.path(), "here.xml", "42");
    let elsewhere = profile_xml(dir.path(), "elsewhere.xml", "77");

    ok(&["account", "--at", AT, "--file", f, "init", "--customer", "Example Ltd"]);
    ok(&[
        "account",
        "--at",
        AT,
        "--file",
        f,
        "add-instance",
        "--id",
        "srv-1",
        "--name",
        "Primary",
        "--place",
        "Slough",
        "--country",
        "GB",
        "--profile",
        &here,
    ]);
    ok(&[
        "account",
        "--at",
        AT,
        "--file",
        f,
        "add-instance",
        "--id",
        "srv-2",
        "--name",
        "Backup",
        "--place",
        "Leeds",
        "--profile",
        &elsewhere,
    ]);
    let master = ok(&[
        "account",
        "--at",
        AT,
        "--file",
        f,
        "add-key",
        "--kind",
        "master",
        "--product",
        "CRT",
        "--feature",
        "api=10",
        "--feature",
        "reports",
    ]);
    let master = master.trim();
    let addon = ok(&[
        "account",
        "--at",
        AT,
        "--file",
        f,
        "add-key",
        "--kind",
        "addon",
        "--product",
        "CRT",
        "--parent",
        master,
        "--feature",
        "api=5",
    ]);
    let addon = addon.trim();

    // A refused change leaves the file byte-identical.
    let before = std::fs::read(&file).unwrap();
    let (success, _, err) = ctl(&["account", "--at", AT, "--file", f, "assign", addon, "srv-1"]);
    assert!(!success && err.contains("addon_without_master"), "{err}");
    let (success, _, err) = ctl(&["account", "--at", AT, "--file", f, "assign", master, "srv-9"]);
    assert!(!success && err.contains("unknown_instance"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), before);

    ok(&["account", "--at", AT, "--file", f, "assign", master, "srv-1"]);
    ok(&["account", "--at", AT, "--file", f, "assign", addon, "srv-1"]);
    let (success, _, err) = ctl(&["account", "--at", AT, "--file", f, "assign", master, "srv-2"]);
    assert!(!success && err.contains("key_assigned_elsewhere"), "{err}");
    let only_master = ok(&["account", "--at", AT, "--file", f, "keys", "srv-1"]);
    assert!(only_master.contains(master) && !only_master.contains(addon), "{only_master}");
    let all = ok(&["account", "--at", AT, "--file", f, "keys", "srv-1", "--show-addons"]);
    assert!(all.contains(master) && all.contains(addon), "{all}");
    ok(&["account", "--at", AT, "--file", f, "rename", "srv-1", "Primary (London)"]);
    ok(&[
        "account",
        "--at",
        AT,
        "--file",
        f,
        "relocate",
        "srv-1",
        "--place",
        "London",
        "--country",
        "GB",
        "--lat",
        "51.5",
        "--lon",
        "-0.12",
    ]);
    let details = ok(&["account", "--at", AT, "--file", f, "key", addon]);
    assert!(details.contains("Primary (London)") && details.contains("active"), "{details}");
    let instances = ok(&["account", "--at", AT, "--file", f, "instances"]);
    assert!(instances.contains("London (GB)") && instances.contains(master), "{instances}");

    let bin = dir.path().join("server.bin");
    let b = bin.to_str().unwrap();
    ok(&[
        "account",
        "--at",
        AT,
        "--file",
        f,
        "bundle",
        "srv-1",
        "--key",
        key.to_str().unwrap(),
        "--out",
        b,
        "--alg",
        "ps256",
    ]);
    let p = public.to_str().unwrap();
    let activated = ok(&["activate", "--at", AT, "--pub", p, "--profile", &here, b]);
    assert!(activated.contains("qty 15"), "master 10 + add-on 5: {activated}");
    let (success, _, err) = ctl(&["activate", "--at", AT, "--pub", p, "--profile", &elsewhere, b]);
    assert!(!success && err.contains("fingerprint_mismatch") && err.contains("machine-id"), "{err}");

    // Suspending the add-on: a new bundle counts only the master.
    ok(&["account", "--at", AT, "--file", f, "status", addon, "suspended"]);
    ok(&["account", "--at", AT, "--file", f, "bundle", "srv-1", "--key", key.to_str().unwrap(), "--out", b]);
    let activated = ok(&["activate", "--at", AT, "--pub", p, "--profile", &here, b]);
    assert!(activated.contains("qty 10") && activated.contains("not counted"), "{activated}");
    // The master may leave only after its add-on.
    let (success, _, err) = ctl(&["account", "--at", AT, "--file", f, "unassign", master]);
    assert!(!success && err.contains("addon_without_master"), "{err}");
    ok(&["account", "--at", AT, "--file", f, "unassign", addon]);
    ok(&["account", "--at", AT, "--file", f, "unassign", master]);
    let (success, _, err) = ctl(&[
        "account",
        "--at",
        AT,
        "--file",
        f,
        "bundle",
        "srv-1",
        "--key",
        key.to_str().unwrap(),
        "--out",
        b,
    ]);
    assert!(!success && err.contains("no_master_key"), "{err}");
}

//! `licensectl certificate` end to end: the PDF names what `verify` and
//! `bundle show` print, so a person can compare them.

mod support;

use std::path::Path;
use std::process::Command;

fn ok(dir: &Path, args: &[&str]) -> String {
    let (ok, out, err) = support::run(support::licensectl().current_dir(dir).args(args));
    assert!(ok, "licensectl {args:?}: {err}");
    out
}

/// The value printed after `label` on one of `out`'s lines.
fn field(out: &str, label: &str) -> String {
    out.lines()
        .find_map(|l| l.strip_prefix(label))
        .map(|v| v.trim().to_owned())
        .unwrap_or_else(|| panic!("no `{label}` in:\n{out}"))
}

fn pdf_text(pdf: &Path) -> Option<String> {
    let tool = support::peer("pdftotext")?;
    let (ok, out, err) = support::run(Command::new(tool).arg("-layout").arg(pdf).arg("-"));
    assert!(ok, "{err}");
    Some(out)
}

#[test]
fn certificates_for_a_license_and_for_a_key_carry_the_verified_digests() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for ext in ["key.pem", "pub.pem"] {
        std::fs::copy(
            support::vectors().join(format!("keys/vendor-2048.{ext}")),
            dir.join(format!("vendor.{ext}")),
        )
        .unwrap();
    }
    std::fs::write(dir.join("lic.json"), ok(dir, &["issue", "--template", "--at", "2026-11-01T00:00:00Z"]))
        .unwrap();
    ok(dir, &["issue", "--key", "vendor.key.pem", "--from", "lic.json", "--out", "lic.xml"]);
    let verify = ok(dir, &["verify", "--pub", "vendor.pub.pem", "lic.xml"]);
    ok(
        dir,
        &[
            "certificate",
            "--license",
            "lic.xml",
            "--pub",
            "vendor.pub.pem",
            "--vendor",
            "Vendor AG",
            "--out",
            "l.pdf",
        ],
    );

    std::fs::write(dir.join("b.json"), ok(dir, &["bundle", "--template", "--at", "2026-11-01T00:00:00Z"]))
        .unwrap();
    ok(dir, &["bundle", "--key", "vendor.key.pem", "--from", "b.json", "--out", "s.bin"]);
    let show = ok(dir, &["bundle", "show", "--pub", "vendor.pub.pem", "s.bin"]);
    let bundle: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("b.json")).unwrap()).unwrap();
    let addon = &bundle["addons"][0];
    std::fs::write(dir.join("addon.json"), addon.to_string()).unwrap();
    ok(
        dir,
        &[
            "certificate",
            "--key-record",
            "addon.json",
            "--bundle",
            "s.bin",
            "--pub",
            "vendor.pub.pem",
            "--vendor",
            "Vendor AG",
            "--licensee",
            "Müller (Schweiz) AG",
            "--paper",
            "letter",
            "--out",
            "k.pdf",
        ],
    );

    // A record that is not in the bundle is refused.
    let mut forged = addon.clone();
    forged["features"][0]["quantity"] = 500.into();
    std::fs::write(dir.join("forged.json"), forged.to_string()).unwrap();
    let (refused, _, err) = support::run(support::licensectl().current_dir(dir).args([
        "certificate",
        "--key-record",
        "forged.json",
        "--bundle",
        "s.bin",
        "--pub",
        "vendor.pub.pem",
        "--vendor",
        "V",
        "--out",
        "f.pdf",
    ]));
    assert!(!refused && err.contains("not in the bundle"), "{err}");

    let Some(license_text) = pdf_text(&dir.join("l.pdf")) else { return };
    for needle in [
        field(&verify, "document sha256"),
        field(&verify, "signed by key"),
        "LIC-2026-0001".into(),
        "Example Ltd".into(),
        "api".into(),
    ] {
        assert!(
            license_text.contains(&needle),
            "`{needle}` missing from the license certificate:\n{license_text}"
        );
    }
    let key_text = pdf_text(&dir.join("k.pdf")).unwrap();
    let addon_key = addon["key"].as_str().unwrap();
    let master_key = addon["parent"].as_str().unwrap();
    for needle in [
        field(&show, "sha256"),
        field(&show, "key id"),
        addon_key.into(),
        master_key.into(),
        "Müller (Schweiz) AG".into(),
        "sso".into(),
        "bundle show".into(),
    ] {
        assert!(key_text.contains(&needle), "`{needle}` missing from the key certificate:\n{key_text}");
    }
    assert!(key_text.contains("Add-on key of master key"), "{key_text}");
}

//! `licensectl keygen / issue / verify / show` end to end.

mod support;

use support::{licensectl, run};

#[test]
fn keygen_issue_verify_show() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (ok, out, err) = run(licensectl().args(["keygen", "--bits", "2048", "--out"]).arg(d.join("vendor")));
    assert!(ok, "{out}{err}");
    let key_id = out.lines().find_map(|l| l.strip_prefix("key id")).unwrap().trim().to_owned();
    assert_eq!(key_id.len(), 43);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(d.join("vendor.key.pem")).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the private key is readable by others");
    }
    // Never overwrites a key.
    let (ok, _, err) = run(licensectl().args(["keygen", "--bits", "2048", "--out"]).arg(d.join("vendor")));
    assert!(!ok && err.contains("exists"), "{err}");

    let (ok, template, err) = run(licensectl().args(["issue", "--template", "--at", "2026-11-01T00:00:00Z"]));
    assert!(ok, "{err}");
    support::write(d, "license.json", template.as_bytes());
    let (ok, out, err) = run(licensectl()
        .args(["issue", "--key"])
        .arg(d.join("vendor.key.pem"))
        .arg("--from")
        .arg(d.join("license.json"))
        .arg("--out")
        .arg(d.join("license.xml")));
    assert!(ok, "{out}{err}");
    let xml = std::fs::read(d.join("license.xml")).unwrap();
    let sha = license_core_sha256_hex(&xml);

    // A second, unrelated trusted key does no harm (rotation).
    run(licensectl().args(["keygen", "--bits", "2048", "--out"]).arg(d.join("other")));
    let (ok, out, err) = run(licensectl()
        .args(["verify", "--pub"])
        .arg(d.join("other.pub.pem"))
        .arg("--pub")
        .arg(d.join("vendor.pub.pem"))
        .arg(d.join("license.xml")));
    assert!(ok, "{out}{err}");
    assert!(out.contains("signature OK") && out.contains(&key_id) && out.contains(&sha), "{out}");
    assert!(out.contains("LIC-2026-0001"), "{out}");

    // Only the other key: refused, one line, exit 1.
    let (ok, out, err) =
        run(licensectl().args(["verify", "--pub"]).arg(d.join("other.pub.pem")).arg(d.join("license.xml")));
    assert!(!ok && out.is_empty(), "{out}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("unknown_key_id"), "{err}");

    // Tampered: refused.
    let tampered = String::from_utf8(xml).unwrap().replace("count=\"5000\"", "count=\"50000\"");
    support::write(d, "tampered.xml", tampered.as_bytes());
    let (ok, _, err) =
        run(licensectl().args(["verify", "--pub"]).arg(d.join("vendor.pub.pem")).arg(d.join("tampered.xml")));
    assert!(!ok && err.contains("digest_mismatch"), "{err}");

    // show displays it, clearly marked as unverified.
    let (ok, out, err) = run(licensectl().arg("show").arg(d.join("tampered.xml")));
    assert!(ok, "{err}");
    assert!(out.starts_with("UNVERIFIED"), "{out}");
    assert!(out.contains("50000"), "{out}");
}

#[test]
fn the_template_is_valid_issue_input() {
    let (ok, template, err) = run(licensectl().args(["issue", "--template", "--at", "2026-11-01T00:00:00Z"]));
    assert!(ok, "{err}");
    let license = license_core::License::from_json(&template).unwrap();
    assert!(
        license.binding().is_some() && !license.features().is_empty() && !license.attributes().is_empty()
    );
    // The binding is a real machine's (the test server profile's), not a
    // placeholder: it parses and matches that machine.
    let binding = license.binding().unwrap();
    assert_eq!(binding.fingerprint, support::server_fingerprint());
    let xml = std::fs::read(support::vectors().join("profile").join("server.xml")).unwrap();
    let server = license_core::HardwareProfile::from_xml(&xml).unwrap();
    assert!(license.match_hardware(&server).unwrap().unwrap().is_match());
}

#[test]
fn a_placeholder_binding_is_refused_at_issue() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key = support::vectors().join("keys").join("vendor-2048.key.pem");
    let (ok, template, err) = run(licensectl().args(["issue", "--template", "--at", "2026-11-01T00:00:00Z"]));
    assert!(ok, "{err}");
    let mut json: serde_json::Value = serde_json::from_str(&template).unwrap();
    // Signs license.json into license.xml: (success, stdout, stderr).
    let issue = |json: &serde_json::Value| {
        support::write(d, "license.json", json.to_string().as_bytes());
        run(licensectl()
            .args(["issue", "--key"])
            .arg(&key)
            .arg("--from")
            .arg(d.join("license.json"))
            .arg("--out")
            .arg(d.join("license.xml")))
    };
    for (field, value, kind) in [
        ("fingerprint", "replace with the instance's fingerprint", "invalid_fingerprint"),
        ("policy", "min-matches=3", "invalid_match_policy"),
    ] {
        let mut edited = json.clone();
        edited["binding"][field] = value.into();
        let (ok, out, err) = issue(&edited);
        assert!(!ok && err.contains(kind) && err.contains(field), "{field}: {out}{err}");
        assert!(!d.join("license.xml").exists(), "nothing is written");
    }
    json["binding"]["policy"] = license_core::instance::MatchPolicy::default().to_string().into();
    let (ok, out, err) = issue(&json);
    assert!(ok, "{out}{err}");
}

/// SHA-256 by coreutils' `sha256sum`, independent of the library.
fn license_core_sha256_hex(bytes: &[u8]) -> String {
    use std::io::Write as _;
    let mut child = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sha256sum (coreutils)");
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap().split_whitespace().next().unwrap().to_owned()
}

/// `verify` and `show` judge expiry at `--at`: a feature whose own expiry
/// has passed reads `expired`, not `enabled, until <a past date>`, and the
/// license's status at that instant is shown.
#[test]
fn verify_and_show_mark_a_past_feature_expiry_as_expired() {
    use license_core::{Feature, License, SigningKey};
    use time::macros::datetime;
    let dir = tempfile::tempdir().unwrap();
    let keys = support::vectors().join("keys");
    let key = SigningKey::from_pkcs8_pem(&std::fs::read_to_string(keys.join("vendor-2048.key.pem")).unwrap())
        .unwrap();
    let license = License::builder("LIC-AT", "certmgr", datetime!(2026-01-01 0:00 UTC))
        .licensee("Example Ltd")
        .expires_at(datetime!(2027-01-01 0:00 UTC))
        .feature("api", Feature::enabled().with_quantity(10))
        .feature("reports", Feature::enabled().with_quantity(3).with_expiry(datetime!(2026-07-01 0:00 UTC)))
        .build()
        .unwrap();
    let xml = support::write(dir.path(), "license.xml", &license.sign(&key).unwrap());
    let row = |out: &str, label: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(label).map(|rest| rest.trim().to_owned()))
            .unwrap_or_else(|| panic!("no `{label}` row in\n{out}"))
    };
    for command in ["verify", "show"] {
        let run_at = |at: &str| {
            let mut cmd = licensectl();
            cmd.arg(command);
            if command == "verify" {
                cmd.arg("--pub").arg(keys.join("vendor-2048.pub.pem"));
            }
            let (ok, out, err) = run(cmd.args(["--at", at]).arg(&xml));
            assert!(ok, "{command} --at {at}: {err}");
            out
        };
        let before = run_at("2026-06-30T23:59:59Z");
        assert_eq!(row(&before, "feature reports"), "enabled, qty 3, until 2026-07-01", "{before}");
        assert_eq!(row(&before, "status"), "at 2026-06-30T23:59:59Z: valid, 184 days left", "{before}");
        // The feature expires at the instant of its expiry.
        let after = run_at("2026-07-01T00:00:00Z");
        assert_eq!(row(&after, "feature reports"), "expired, qty 3, ended 2026-07-01", "{after}");
        assert_eq!(row(&after, "feature api"), "enabled, qty 10", "{after}");
        let late = run_at("2027-06-01T00:00:00Z");
        assert_eq!(
            row(&late, "status"),
            "at 2027-06-01T00:00:00Z: expired at 2027-01-01T00:00:00Z",
            "{late}"
        );
    }
    let (ok, _, err) = run(licensectl().args(["show", "--at", "yesterday"]).arg(&xml));
    assert!(!ok && err.contains("RFC 3339"), "{err}");
}

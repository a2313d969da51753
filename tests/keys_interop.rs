//! Interop of key bundles with an independent COSE implementation: Python's
//! `pycose` (with `cbor2`) in the virtualenv that scripts/test creates.
//! Bundles we sign verify there; COSE_Sign1 messages it signs over a
//! payload in our schema verify here; a changed byte fails on both sides.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use license_core::{
    keys::{BundleAlgorithm, KeyKind, KeyRecord, KeyStatus},
    ErrorKind, Feature, Fingerprint, HardwareProfile, KeyBundle, LicenseKey, SigningKey, TrustedKeys,
};
use time::macros::datetime;

fn vendor() -> (SigningKey, PathBuf, PathBuf) {
    let dir = support::vectors().join("keys");
    let key_path = dir.join("vendor-2048.key.pem");
    let key = SigningKey::from_pkcs8_pem(&std::fs::read_to_string(&key_path).unwrap()).unwrap();
    (key, key_path, dir.join("vendor-2048.pub.pem"))
}

fn bundle() -> KeyBundle {
    let now = datetime!(2026-11-23 08:00 UTC);
    let product = "CRT".parse().unwrap();
    let m = LicenseKey::new(KeyKind::Master, product, 0x1234_5678).unwrap();
    let master = KeyRecord::builder(m, now)
        .status(KeyStatus::Active)
        .feature("api", Feature::enabled().with_quantity(10))
        .build()
        .unwrap();
    let addon = KeyRecord::builder(LicenseKey::new(KeyKind::Addon, product, 77).unwrap(), now)
        .parent(m)
        .status(KeyStatus::Active)
        .feature("sso", Feature::enabled().with_expiry(datetime!(2027-06-01 00:00 UTC)))
        .build()
        .unwrap();
    let profile = HardwareProfile {
        machine_id: Some("3d1219c7c4c5404aaa1f6d2a48adfda4".into()),
        product_uuid: Some("4c4c4544-0042-3510-8052-b3c04f4e4e32".into()),
        ..HardwareProfile::default()
    };
    KeyBundle::builder("srv-interop", &Fingerprint::from_profile(&profile), now, master)
        .expires_at(datetime!(2027-11-23 08:00 UTC))
        .addon(addon)
        .build()
        .unwrap()
}

fn peer() -> Option<(PathBuf, PathBuf)> {
    let python = support::venv_python(&["pycose", "cbor2"])?;
    Some((python, support::root().join("tests").join("python").join("cose_peer.py")))
}

fn py_verify(python: &Path, script: &Path, public: &Path, bin: &Path) -> (bool, String) {
    let (ok, out, err) = support::run(Command::new(python).arg(script).arg("verify").arg(public).arg(bin));
    (ok, format!("{out}{err}"))
}

#[test]
fn pycose_verifies_the_bundles_we_sign() {
    let Some((python, script)) = peer() else { return };
    let (key, _, public) = vendor();
    let dir = tempfile::tempdir().unwrap();
    for alg in [BundleAlgorithm::Ps256, BundleAlgorithm::Rs256] {
        let bin = bundle().to_bin(&key, alg).unwrap();
        let path = support::write(dir.path(), "server.bin", &bin);
        let (ok, out) = py_verify(&python, &script, &public, &path);
        assert!(ok, "pycose refused our {alg} bundle: {out}");
        let summary: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(summary["alg"], alg.name());
        let kid: String = key.key_id().as_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(summary["kid"], kid, "pycose's SHA-256 of the SPKI is our key id");
        assert_eq!(summary["content_type"], license_core::keys::BUNDLE_CONTENT_TYPE);
        assert_eq!(summary["unprotected"], 0);
        assert_eq!(summary["instance_id"], "srv-interop");
        assert_eq!(summary["master"], bundle().master().key().to_string());
        assert_eq!(summary["addons"][0], bundle().addons()[0].key().to_string());

        // One changed byte in the signed payload: both sides refuse.
        let mut bad = bin.clone();
        let at = bad.len() / 2;
        bad[at] ^= 0x01;
        let path = support::write(dir.path(), "tampered.bin", &bad);
        let (ok, out) = py_verify(&python, &script, &public, &path);
        assert!(!ok, "pycose accepted a tampered bundle: {out}");
        let trusted = TrustedKeys::from(key.verifying_key().clone());
        assert!(KeyBundle::from_bin(&bad, &trusted).is_err());
    }
}

#[test]
fn bundles_signed_by_pycose_verify_here() {
    let Some((python, script)) = peer() else { return };
    let (key, key_path, _) = vendor();
    let trusted = TrustedKeys::from(key.verifying_key().clone());
    let dir = tempfile::tempdir().unwrap();
    let json = support::write(dir.path(), "bundle.json", bundle().to_json().as_bytes());
    for alg in ["PS256", "RS256"] {
        let out = dir.path().join(format!("{alg}.bin"));
        let (ok, stdout, stderr) = support::run(
            Command::new(&python).arg(&script).arg("sign").arg(&key_path).arg(alg).arg(&json).arg(&out),
        );
        assert!(ok, "pycose could not sign: {stdout}{stderr}");
        let bytes = std::fs::read(&out).unwrap();
        let signed = KeyBundle::verify(&bytes, &trusted).unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(signed.bundle, bundle());
        assert_eq!(signed.algorithm.name(), alg);
        assert_eq!(signed.key_id, Some(key.key_id()));
        // The other vendor key is not trusted for it.
        let other = support::vectors().join("keys").join("vendor-3072.pub.pem");
        let other = license_core::VerifyingKey::from_public_key_pem(&std::fs::read_to_string(other).unwrap())
            .unwrap();
        let err = KeyBundle::from_bin(&bytes, &TrustedKeys::from(other)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnknownKeyId);
    }
}

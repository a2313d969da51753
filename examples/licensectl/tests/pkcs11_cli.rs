//! `licensectl` with keys kept in a PKCS#11 token (SoftHSM2 in a temporary
//! directory): keys made in the token by `keygen`, then a license, a key
//! bundle and a usage log signed through it, verified by licensectl, by
//! xmlsec1 and by pycose; and each way of not reaching the key has its
//! own error kind.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};

use support::softhsm::{self, Token};

/// licensectl with the token's configuration and `pin` in the environment
/// (`None`: no PIN variable at all).
fn ctl(t: &Token, dir: &Path, pin: Option<&str>, args: &[&str]) -> (bool, String, String) {
    let mut cmd = support::licensectl();
    cmd.current_dir(dir).args(args).stdin(Stdio::null()).envs(t.env());
    cmd.env_remove("LICENSECTL_PKCS11_PIN").env_remove("LICENSECTL_PKCS11_PIN_FILE");
    if let Some(pin) = pin {
        cmd.env("LICENSECTL_PKCS11_PIN", pin);
    }
    support::run(&mut cmd)
}

fn ok(t: &Token, dir: &Path, args: &[&str]) -> String {
    let (ok, out, err) = ctl(t, dir, Some(softhsm::PIN), args);
    assert!(ok, "licensectl {args:?} failed: {out}{err}");
    out
}

/// The `key id` line `keygen` prints.
fn key_id(keygen_out: &str) -> String {
    let line = keygen_out.lines().find(|l| l.starts_with("key id")).expect("keygen prints the key id");
    line.split_whitespace().last().unwrap().to_owned()
}

#[test]
fn a_license_a_bundle_and_a_usage_log_signed_in_the_token_verify_everywhere() {
    let Some(t) = Token::new() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let module = t.module.to_str().unwrap();
    let hsm = |label: &'static str| {
        ["--pkcs11-module", module, "--pkcs11-token", softhsm::TOKEN, "--pkcs11-key", label]
    };

    let out =
        ok(&t, dir, &[&["keygen"][..], &hsm("vendor"), &["--alg", "rsa3072", "--out", "vendor"]].concat());
    assert!(out.contains("not extractable"), "{out}");
    let vendor_id = key_id(&out);
    assert!(dir.join("vendor.pub.pem").is_file());
    assert!(!dir.join("vendor.key.pem").exists(), "the private key stays in the token");
    let inst_id = key_id(&ok(
        &t,
        dir,
        &[&["keygen"][..], &hsm("inst"), &["--alg", "rsa2048", "--out", "inst"]].concat(),
    ));

    // A license.
    let mut json: serde_json::Value = serde_json::from_str(&ok(&t, dir, &["issue", "--template"])).unwrap();
    json["binding"] = serde_json::Value::Null;
    std::fs::write(dir.join("lic.json"), json.to_string()).unwrap();
    let out =
        ok(&t, dir, &[&["issue"][..], &hsm("vendor"), &["--from", "lic.json", "--out", "lic.xml"]].concat());
    assert!(out.contains(&vendor_id), "{out}");
    ok(&t, dir, &["verify", "--pub", "vendor.pub.pem", "lic.xml"]);

    // A key bundle, both COSE algorithms.
    std::fs::write(dir.join("bundle.json"), ok(&t, dir, &["bundle", "--template"])).unwrap();
    for alg in ["rs256", "ps256"] {
        let out = format!("server-{alg}.bin");
        let args = ["--from", "bundle.json", "--out", &out, "--alg", alg];
        ok(&t, dir, &[&["bundle"][..], &hsm("vendor"), &args].concat());
        ok(&t, dir, &["bundle", "show", "--pub", "vendor.pub.pem", &out]);
    }

    // A usage log, signed by the installation's key in the token.
    let store = ["--store", "st", "--pub", "vendor.pub.pem"];
    ok(&t, dir, &[&["install"][..], &store, &["--yes", "lic.xml"]].concat());
    std::fs::write(dir.join("inv.jsonl"), "{\"id\": 1, \"enrolled\": true}\n").unwrap();
    let args = ["--inventory", "inv.jsonl", "--out", "usage.xml", "--at", "2026-11-23T02:00:00Z"];
    let usage_log = [&["usage-log"][..], &store, &hsm("inst"), &args].concat();
    // A refused PIN records nothing: the next log carries one count, not two.
    let (logged, _, err) = ctl(&t, dir, Some("11111"), &usage_log);
    assert!(!logged && err.contains("[pkcs11_pin_incorrect]"), "{err}");
    let out = ok(&t, dir, &usage_log);
    assert!(out.contains(" 1 journal entries"), "{out}");
    let out = ok(&t, dir, &["verify-usage", "--pub", "inst.pub.pem", "usage.xml"]);
    assert!(out.contains(&inst_id), "{out}");

    // The outside verifiers.
    if let Some(xmlsec) = support::peer("xmlsec1") {
        for (doc, id, public) in
            [("lic.xml", &vendor_id, "vendor.pub.pem"), ("usage.xml", &inst_id, "inst.pub.pem")]
        {
            let (ok, out) = support::xmlsec_verify(&xmlsec, id, &dir.join(public), &dir.join(doc));
            assert!(ok, "xmlsec1 refused {doc} signed in the token: {out}");
        }
        let edited = std::fs::read_to_string(dir.join("lic.xml")).unwrap().replacen("LIC-", "LIX-", 1);
        std::fs::write(dir.join("edited.xml"), edited).unwrap();
        let (ok, _) =
            support::xmlsec_verify(&xmlsec, &vendor_id, &dir.join("vendor.pub.pem"), &dir.join("edited.xml"));
        assert!(!ok, "xmlsec1 accepted an edited license");
    }
    if let Some(python) = support::venv_python(&["pycose", "cbor2"]) {
        let script = support::root().join("tests").join("python").join("cose_peer.py");
        for alg in ["rs256", "ps256"] {
            let bin = dir.join(format!("server-{alg}.bin"));
            let (ok, out, err) = support::run(
                Command::new(&python).arg(&script).arg("verify").arg(dir.join("vendor.pub.pem")).arg(bin),
            );
            assert!(ok, "pycose refused the {alg} bundle signed in the token: {out}{err}");
        }
    }
}

#[test]
fn a_p256_key_is_made_in_the_token_and_its_public_key_exported() {
    let Some(t) = Token::new() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let module = t.module.to_str().unwrap();
    let hsm = ["--pkcs11-module", module, "--pkcs11-token", softhsm::TOKEN, "--pkcs11-key", "ec"];
    let out = ok(&t, dir, &[&["keygen"][..], &hsm, &["--alg", "p256", "--out", "ec"]].concat());
    assert!(out.contains("EC P-256"), "{out}");
    let id = key_id(&out);
    // The key id is the SHA-256 of the exported SPKI, as for RSA keys; an
    // independent parser reads the PEM as a P-256 key.
    if let Some(python) = support::venv_python(&["cryptography"]) {
        let check = "import base64, hashlib, sys\n\
from cryptography.hazmat.primitives import serialization\n\
from cryptography.hazmat.primitives.asymmetric import ec\n\
key = serialization.load_pem_public_key(open(sys.argv[1], 'rb').read())\n\
assert isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == 'secp256r1', key\n\
der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)\n\
print(base64.urlsafe_b64encode(hashlib.sha256(der).digest()).decode().rstrip('='))\n";
        let (ok, out, err) =
            support::run(Command::new(python).args(["-c", check]).arg(dir.join("ec.pub.pem")));
        assert!(ok, "{out}{err}");
        assert_eq!(out.trim(), id);
    }
    // A second key under the label is refused, and nothing is written.
    let (made, _, err) = ctl(
        &t,
        dir,
        Some(softhsm::PIN),
        &[&["keygen"][..], &hsm, &["--alg", "p256", "--out", "ec2"]].concat(),
    );
    assert!(!made && err.contains("[pkcs11_key_exists]"), "{err}");
    assert!(!dir.join("ec2.pub.pem").exists());

    // The token's P-256 key signs a license (XML-DSig ecdsa-sha256), a key
    // bundle (COSE ES256, the default for a P-256 signer) and a usage log,
    // and each verifies here and with the outside verifiers.
    let mut json: serde_json::Value = serde_json::from_str(&ok(&t, dir, &["issue", "--template"])).unwrap();
    json["binding"] = serde_json::Value::Null;
    std::fs::write(dir.join("lic.json"), json.to_string()).unwrap();
    ok(&t, dir, &[&["issue"][..], &hsm, &["--from", "lic.json", "--out", "lic.xml"]].concat());
    let license = std::fs::read_to_string(dir.join("lic.xml")).unwrap();
    assert!(license.contains("xmldsig-more#ecdsa-sha256"), "{license}");
    ok(&t, dir, &["verify", "--pub", "ec.pub.pem", "lic.xml"]);
    std::fs::write(dir.join("bundle.json"), ok(&t, dir, &["bundle", "--template"])).unwrap();
    let out =
        ok(&t, dir, &[&["bundle"][..], &hsm, &["--from", "bundle.json", "--out", "server.bin"]].concat());
    assert!(out.contains("ES256"), "{out}");
    ok(&t, dir, &["bundle", "show", "--pub", "ec.pub.pem", "server.bin"]);
    let store = ["--store", "st", "--pub", "ec.pub.pem"];
    ok(&t, dir, &[&["install"][..], &store, &["--yes", "lic.xml"]].concat());
    std::fs::write(dir.join("inv.jsonl"), "{\"id\": 1, \"enrolled\": true}\n").unwrap();
    let args = ["--inventory", "inv.jsonl", "--out", "usage.xml", "--at", "2026-11-23T02:00:00Z"];
    ok(&t, dir, &[&["usage-log"][..], &store, &hsm, &args].concat());
    ok(&t, dir, &["verify-usage", "--pub", "ec.pub.pem", "usage.xml"]);
    if let Some(xmlsec) = support::peer("xmlsec1") {
        for doc in ["lic.xml", "usage.xml"] {
            let (ok, out) = support::xmlsec_verify(&xmlsec, &id, &dir.join("ec.pub.pem"), &dir.join(doc));
            assert!(ok, "xmlsec1 refused {doc} signed by the token's P-256 key: {out}");
        }
    }
    if let Some(python) = support::venv_python(&["pycose", "cbor2"]) {
        let script = support::root().join("tests").join("python").join("cose_peer.py");
        let (ok, out, err) = support::run(
            Command::new(&python)
                .arg(&script)
                .arg("verify")
                .arg(dir.join("ec.pub.pem"))
                .arg(dir.join("server.bin")),
        );
        assert!(ok, "pycose refused the ES256 bundle signed in the token: {out}{err}");
    }
}

#[test]
fn each_way_of_missing_the_key_has_its_own_kind() {
    let Some(t) = Token::new() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let module = t.module.to_str().unwrap();
    let hsm = |module: &'static str, token: &'static str, label: &'static str| {
        ["--pkcs11-module", module, "--pkcs11-token", token, "--pkcs11-key", label]
    };
    let module: &'static str = Box::leak(module.to_owned().into_boxed_str());
    ok(
        &t,
        dir,
        &[&["keygen"][..], &hsm(module, softhsm::TOKEN, "k"), &["--alg", "rsa2048", "--out", "k"]].concat(),
    );
    std::fs::write(dir.join("bundle.json"), ok(&t, dir, &["bundle", "--template"])).unwrap();
    let sign = |pin: Option<&str>, hsm: [&str; 6]| {
        let (signed, out, err) = ctl(
            &t,
            dir,
            pin,
            &[&["bundle"][..], &hsm, &["--from", "bundle.json", "--out", "s.bin"]].concat(),
        );
        assert!(!signed, "{out}");
        assert!(!dir.join("s.bin").exists(), "nothing is written on failure");
        err
    };
    let pin = Some(softhsm::PIN);
    for (why, err, kind) in [
        ("a wrong PIN", sign(Some("11111"), hsm(module, softhsm::TOKEN, "k")), "pkcs11_pin_incorrect"),
        ("no PIN", sign(None, hsm(module, softhsm::TOKEN, "k")), "pkcs11_pin_missing"),
        ("a missing token", sign(pin, hsm(module, "nope", "k")), "pkcs11_token_not_found"),
        ("a missing key", sign(pin, hsm(module, softhsm::TOKEN, "nope")), "pkcs11_key_not_found"),
        ("no module", sign(pin, hsm("/nonexistent/libpkcs11.so", softhsm::TOKEN, "k")), "pkcs11_module_load"),
    ] {
        assert!(err.contains(&format!("[{kind}]")), "{why}: {err}");
    }
    assert!(sign(None, hsm(module, softhsm::TOKEN, "k")).contains("LICENSECTL_PKCS11_PIN"));

    // The PIN from a file works, and the PIN is never an option.
    std::fs::write(dir.join("pin"), format!("{}\n", softhsm::PIN)).unwrap();
    let mut cmd = support::licensectl();
    cmd.current_dir(dir).envs(t.env()).env_remove("LICENSECTL_PKCS11_PIN");
    cmd.env("LICENSECTL_PKCS11_PIN_FILE", dir.join("pin"));
    cmd.args(
        [&["bundle"][..], &hsm(module, softhsm::TOKEN, "k"), &["--from", "bundle.json", "--out", "s.bin"]]
            .concat(),
    );
    let (signed, out, err) = support::run(&mut cmd);
    assert!(signed, "{out}{err}");
    let (took, _, err) =
        ctl(&t, dir, None, &["bundle", "--pkcs11-pin", "1", "--from", "bundle.json", "--out", "x.bin"]);
    assert!(!took && err.contains("--pkcs11-pin"), "{err}");
}

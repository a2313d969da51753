//! Helpers shared by the cross-surface tests: finding outside tools (the
//! peers we interoperate with) and the Python virtualenv.
//!
//! A test that needs a peer calls [`peer`] or [`venv_python`]. When the peer
//! is missing, the test fails if `LC_REQUIRE_PEERS=1` (set by
//! `scripts/test`, so CI can never pass by skipping) and otherwise prints a
//! note and returns `None`, so a bare `cargo test` on a machine without the
//! tools still runs everything else.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub mod softhsm;

/// The repository root: the nearest ancestor of the test's package that
/// holds the shared vectors (the root package's tests and licensectl's use
/// this module).
pub fn root() -> PathBuf {
    let package = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = package.ancestors().find(|dir| dir.join("tests").join("vectors").is_dir());
    root.unwrap_or_else(|| panic!("no tests/vectors above {}", package.display())).to_path_buf()
}

/// The directory of golden test vectors shared by the Rust, C and Python tests.
pub fn vectors() -> PathBuf {
    root().join("tests").join("vectors")
}

fn missing(what: &str) -> Option<PathBuf> {
    if std::env::var("LC_REQUIRE_PEERS").as_deref() == Ok("1") {
        panic!("{what} is required (LC_REQUIRE_PEERS=1) but was not found; scripts/test installs it");
    }
    eprintln!("note: {what} not found; skipping this interop check (scripts/test installs it)");
    None
}

/// The path of an executable on PATH, or `None` (see the module docs).
pub fn peer(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(tool)).find(|p| p.is_file()).or_else(|| missing(tool))
}

/// The virtualenv's python, if it has every module in `modules` importable.
pub fn venv_python(modules: &[&str]) -> Option<PathBuf> {
    let venv = std::env::var_os("LC_VENV").map(PathBuf::from).unwrap_or_else(|| root().join(".venv"));
    let python = venv.join("bin").join("python");
    if !python.is_file() {
        return missing(&format!("the virtualenv python ({})", python.display()));
    }
    for module in modules {
        let ok = Command::new(&python)
            .args(["-c", &format!("import {module}")])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        if !ok {
            return missing(&format!("the Python module `{module}` in {}", venv.display()));
        }
    }
    Some(python)
}

/// Runs a command, returning (success, stdout, stderr) as text.
pub fn run(cmd: &mut Command) -> (bool, String, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `xmlsec1 --verify` of the XML-DSig document `file` as our verifier
/// reads it: the public key (`public_pem`) pinned by its key id, the key
/// name as the only key source, and only the same-document reference
/// `URI=""`. Returns whether it verified, and xmlsec1's output.
pub fn xmlsec_verify(xmlsec: &Path, key_id: &str, public_pem: &Path, file: &Path) -> (bool, String) {
    let (ok, out, err) = run(Command::new(xmlsec)
        .args(["--verify", "--enabled-key-data", "key-name", "--enabled-reference-uris", "empty"])
        .arg(format!("--pubkey-pem:{key_id}"))
        .arg(public_pem)
        .arg(file));
    (ok, format!("{out}{err}"))
}

/// A usage log of 1,234 enrolled certificates (over a limit of 1,000),
/// counted at 2026-11-23T02:00:00Z, signed with `key`: the document the
/// xmlsec1 interop tests verify. Names carry non-ASCII text and XML
/// specials, so canonicalization is exercised.
pub fn signed_usage_log(key: &license_core::SigningKey) -> Vec<u8> {
    use license_core::actioned::{count_sets, Category, CategorySets};
    use license_core::license::{ActionedLimit, FeatureSet};
    use license_core::{usage, IdSet};
    use time::macros::datetime;

    let at = datetime!(2026-11-23 2:00 UTC);
    let enrolled: IdSet = (0..1234).collect();
    let count =
        count_sets(&CategorySets::new(at).with(Category::Enrolled, &enrolled), ActionedLimit::Counted(1000));
    let mut journal = usage::Journal::default();
    journal.record(&count);
    let instance = usage::Instance {
        id: "inst-7".into(),
        name: "Édition & <co>".into(),
        location: "Lyon".into(),
        software_version: "5.2.1".into(),
        fingerprint: "fp".into(),
    };
    let license = usage::License {
        id: "LIC-1".into(),
        product: "certmgr".into(),
        licensee: "Example".into(),
        expires_at: Some(datetime!(2027-01-01 0:00 UTC)),
        sha256: [7; 32],
        features: FeatureSet::new(),
    };
    journal.log(at, instance, license, &count).unwrap().sign(key).unwrap()
}

/// Writes `bytes` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// The fingerprint of tests/vectors/profile/server.xml in its text form:
/// a real binding for licenses the tests sign (the builder refuses
/// anything that does not parse).
pub fn server_fingerprint() -> String {
    let xml = std::fs::read(vectors().join("profile").join("server.xml")).unwrap();
    let profile = license_core::HardwareProfile::from_xml(&xml).unwrap();
    license_core::Fingerprint::from_profile(&profile).to_string()
}

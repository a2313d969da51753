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

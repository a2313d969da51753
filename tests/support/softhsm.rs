//! A SoftHSM2 token in a temporary directory, for the PKCS#11 tests.
//!
//! Each [`Token`] has its own configuration file (`SOFTHSM2_CONF`) and
//! token directory, and one initialized token labelled [`TOKEN`] with the
//! user PIN [`PIN`]. SoftHSM2 reads `SOFTHSM2_CONF` when the module is
//! initialized, which a process does once: a test that loads the module
//! itself uses one `Token` for the whole process; tests that run
//! `licensectl` pass [`Token::env`] to each child.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The label of the test token.
pub const TOKEN: &str = "T";
/// Its user PIN.
pub const PIN: &str = "24680";
/// Its security officer PIN.
pub const SO_PIN: &str = "13579";

/// Where distributions put the SoftHSM2 module; `LC_SOFTHSM2_MODULE`
/// overrides.
const MODULE_PATHS: &[&str] = &[
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib64/pkcs11/libsofthsm2.so",
    "/usr/lib/pkcs11/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
    "/opt/homebrew/lib/softhsm/libsofthsm2.so",
];

/// A temporary SoftHSM2 installation with one token.
pub struct Token {
    /// The module (shared library).
    pub module: PathBuf,
    /// The configuration file SoftHSM2 reads (`SOFTHSM2_CONF`).
    pub conf: PathBuf,
    /// Holds the configuration and the token directory.
    pub dir: tempfile::TempDir,
}

/// The SoftHSM2 module, if installed.
pub fn module() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("LC_SOFTHSM2_MODULE") {
        return Some(PathBuf::from(path));
    }
    MODULE_PATHS.iter().map(PathBuf::from).find(|p| p.is_file())
}

impl Token {
    /// A new token, or `None` (with a note) when SoftHSM2 is not installed
    /// and the run does not require it (see [`super::peer`]).
    pub fn new() -> Option<Token> {
        let util = super::peer("softhsm2-util")?;
        let Some(module) = module() else {
            super::peer("libsofthsm2.so (the SoftHSM2 PKCS#11 module)")?;
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).unwrap();
        let conf = dir.path().join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        )
        .unwrap();
        let (ok, out, err) = super::run(Command::new(util).env("SOFTHSM2_CONF", &conf).args([
            "--init-token",
            "--free",
            "--label",
            TOKEN,
            "--pin",
            PIN,
            "--so-pin",
            SO_PIN,
        ]));
        assert!(ok, "softhsm2-util --init-token failed: {out}{err}");
        Some(Token { module, conf, dir })
    }

    /// Imports a PKCS#8 private key file into the token under `label`
    /// (with softhsm2-util, as a vendor moving an existing key would), so
    /// the token signs with a key whose file signatures are known.
    pub fn import(&self, key_pem: &Path, label: &str) {
        let util = super::peer("softhsm2-util").expect("found by Token::new");
        // CKA_ID is the label, as `keygen` sets it: unique per key.
        let id: String = label.bytes().map(|b| format!("{b:02x}")).collect();
        let (ok, out, err) = super::run(
            Command::new(util)
                .env("SOFTHSM2_CONF", &self.conf)
                .args(["--import"])
                .arg(key_pem)
                .args(["--token", TOKEN, "--label", label, "--id", &id, "--pin", PIN]),
        );
        assert!(ok, "softhsm2-util --import failed: {out}{err}");
    }

    /// The environment a child process needs to see this token.
    pub fn env(&self) -> [(&'static str, &Path); 1] {
        [("SOFTHSM2_CONF", self.conf.as_path())]
    }
}

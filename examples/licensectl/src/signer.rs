//! Where a signing command's key is: a PKCS#8 file (`--key`), or a key
//! that stays in a PKCS#11 token (`--pkcs11-module`, `--pkcs11-token`,
//! `--pkcs11-key`, with the PIN from `LICENSECTL_PKCS11_PIN` or the file
//! named by `LICENSECTL_PKCS11_PIN_FILE`, never from the command line,
//! which every user of the machine can read).

use std::path::{Path, PathBuf};

use clap::Args;
use license_core::crypto::pkcs11::{Pin, Pkcs11Signer};
use license_core::crypto::Signer;
use license_core::SigningKey;

use crate::cli::{read, CliError};

/// The signing key options shared by every command that signs.
#[derive(Debug, Args)]
pub struct SignerArgs {
    /// The signing key (PKCS#8 PEM or DER); or the --pkcs11-* options for
    /// a key kept in a token.
    #[arg(long, value_name = "KEY.pem", conflicts_with = "pkcs11_module")]
    pub key: Option<PathBuf>,
    #[command(flatten)]
    pub token: TokenArgs,
}

/// Which key of which PKCS#11 token: where `keygen` makes a key, and where
/// a signing command finds one.
#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The PKCS#11 module (shared library) of the token, e.g.
    /// /usr/lib/softhsm/libsofthsm2.so. The PIN is read from
    /// LICENSECTL_PKCS11_PIN, or from the file LICENSECTL_PKCS11_PIN_FILE names.
    #[arg(long, value_name = "LIB.so", requires_all = ["pkcs11_token", "pkcs11_key"])]
    pub pkcs11_module: Option<PathBuf>,
    /// The label of the token (with --pkcs11-module).
    #[arg(long, value_name = "TOKEN", requires = "pkcs11_module")]
    pub pkcs11_token: Option<String>,
    /// The label of the key in the token (with --pkcs11-module); `keygen`
    /// refuses a label the token already has.
    #[arg(long, value_name = "LABEL", requires = "pkcs11_module")]
    pub pkcs11_key: Option<String>,
}

impl TokenArgs {
    /// The module, token label and key label, when a token key is named
    /// (clap makes the three options come together).
    pub fn named(&self) -> Option<(&Path, &str, &str)> {
        match (&self.pkcs11_module, &self.pkcs11_token, &self.pkcs11_key) {
            (Some(module), Some(token), Some(key)) => Some((module, token, key)),
            _ => None,
        }
    }
}

/// Opens the signer the options name; `command` is for the message when
/// none is named.
pub fn open(args: &SignerArgs, command: &str) -> Result<Box<dyn Signer>, CliError> {
    if let Some((module, token, key)) = args.token.named() {
        return Ok(Box::new(Pkcs11Signer::open(module, token, key, &pin()?)?));
    }
    let Some(path) = &args.key else {
        return Err(CliError::Io(format!(
            "{command} needs a signing key: --key KEY.pem, or --pkcs11-module LIB.so --pkcs11-token TOKEN --pkcs11-key LABEL"
        )));
    };
    let key = SigningKey::from_pkcs8_bytes(&read(path)?)
        .map_err(|e| CliError::Io(format!("{}: {e} [{}]", path.display(), e.kind().name())))?;
    Ok(Box::new(key))
}

/// The token PIN from the environment (see [`Pin::from_env`]).
pub fn pin() -> Result<Pin, CliError> {
    Ok(Pin::from_env()?)
}

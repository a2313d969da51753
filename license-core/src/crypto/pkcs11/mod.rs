//! Signing with a key that never leaves a hardware token (PKCS#11).
//!
//! A [`Pkcs11Signer`] is a [`Signer`] whose private key lives in a token
//! (an HSM, a smart card, SoftHSM2) and is used through the token's
//! PKCS#11 module: the token signs, and the key cannot be read out.
//! It is found by the token's label and the key's label, after logging in
//! with the user [`Pin`] (which [`Pin::from_env`] reads from the
//! environment or a file, never a command line). [`Pkcs11Signer::generate`]
//! makes a new key pair inside the token: sensitive, non-extractable and
//! able to sign only.
//!
//! | key in the token | schemes ([`SignatureAlgorithm`]) | token mechanism |
//! | --- | --- | --- |
//! | RSA, 2048 to 4096 bits | PKCS#1 v1.5 and PSS with SHA-256 | `CKM_SHA256_RSA_PKCS`, `CKM_SHA256_RSA_PKCS_PSS` |
//! | EC on P-256 | ECDSA with SHA-256, raw r‖s | `CKM_ECDSA` over the SHA-256 digest |
//!
//! The signer's [`KeyId`] is computed from the token's public key exactly
//! as for a key file (the SHA-256 of its SubjectPublicKeyInfo DER), so the
//! public key exported with [`Pkcs11Signer::public_key_pem`] verifies what
//! the token signs, and RSA PKCS#1 v1.5 signatures are byte for byte
//! those the same key would make in process.
//!
//! A module is loaded and initialized once per process and kept (PKCS#11
//! allows one initialization; finalizing would end every other signer's
//! sessions). Only the `pkcs11` feature builds this module.
//!
//! ```no_run
//! use std::path::Path;
//! use license_core::crypto::pkcs11::{Pin, Pkcs11Signer};
//! use license_core::crypto::Signer;
//! let signer = Pkcs11Signer::open(
//!     Path::new("/usr/lib/softhsm/libsofthsm2.so"),
//!     "vendor",
//!     "license-signing",
//!     &Pin::from_env()?,
//! )?;
//! println!("signing with key {}", signer.key_id());
//! # Ok::<(), license_core::Error>(())
//! ```

mod generate;
mod pin;
mod public;
mod token;

use std::fmt;
use std::path::Path;
use std::sync::Mutex;

use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use sha2::{Digest, Sha256};

pub use generate::TokenKeySpec;
pub use pin::{Pin, PIN_ENV, PIN_FILE_ENV};

use super::{KeyId, SignatureAlgorithm, Signer};
use crate::{Error, ErrorKind, Result};
use token::{failed, shown};

/// The schemes of an RSA key in a token.
const RSA_ALGORITHMS: &[SignatureAlgorithm] =
    &[SignatureAlgorithm::RsaPkcs1v15Sha256, SignatureAlgorithm::RsaPssSha256];

/// The scheme of a P-256 key in a token.
const EC_ALGORITHMS: &[SignatureAlgorithm] = &[SignatureAlgorithm::EcdsaP256Sha256];

/// A [`Signer`] whose private key stays in a PKCS#11 token.
///
/// It holds one logged-in session; signing takes it in turn, so the
/// signer can be shared between threads. Its `Debug` form names the token,
/// the key label and the key id.
pub struct Pkcs11Signer {
    session: Mutex<Session>,
    key: ObjectHandle,
    spec: TokenKeySpec,
    spki_der: Vec<u8>,
    key_id: KeyId,
    token: String,
    label: String,
}

impl Pkcs11Signer {
    /// Opens the private key labelled `key_label` in the token labelled
    /// `token_label`, through the PKCS#11 module (shared library) at
    /// `module`, logging in with `pin`.
    ///
    /// Each failure has its own kind: a module that cannot be loaded is
    /// [`ErrorKind::Pkcs11ModuleLoad`], no such token
    /// [`ErrorKind::Pkcs11TokenNotFound`], a refused PIN
    /// [`ErrorKind::Pkcs11PinIncorrect`], no such key
    /// [`ErrorKind::Pkcs11KeyNotFound`], two tokens or keys with the label
    /// [`ErrorKind::Pkcs11LabelAmbiguous`], a key that is not RSA (2048 to
    /// 4096 bits) or P-256, or cannot sign,
    /// [`ErrorKind::Pkcs11UnsupportedKey`].
    pub fn open(module: &Path, token_label: &str, key_label: &str, pin: &Pin) -> Result<Pkcs11Signer> {
        let token = token::open(module, token_label, pin, false)?;
        let key = find_one(&token.session, ObjectClass::PRIVATE_KEY, key_label, &token.token)?;
        Pkcs11Signer::from_handle(token.session, key, token.token, key_label)
    }

    /// Builds the signer for the private key `key`, reading its public half.
    fn from_handle(session: Session, key: ObjectHandle, token: String, label: &str) -> Result<Pkcs11Signer> {
        let attrs = session
            .get_attributes(key, &[AttributeType::KeyType, AttributeType::Sign])
            .map_err(|e| failed(&format!("reading key `{}`", shown(label)), &e))?;
        let mut key_type = None;
        let mut can_sign = false;
        for attr in attrs {
            match attr {
                Attribute::KeyType(t) => key_type = Some(t),
                Attribute::Sign(b) => can_sign = b,
                _ => {}
            }
        }
        let what = format!("key `{}` in token `{}`", shown(label), shown(&token));
        if !can_sign {
            return Err(Error::new(
                ErrorKind::Pkcs11UnsupportedKey,
                format!("{what} is not allowed to sign"),
            ));
        }
        let (spec, spki_der) = match key_type {
            Some(t) if t == KeyType::RSA => public::rsa(&session, key, label, &what)?,
            Some(t) if t == KeyType::EC => public::p256(&session, key, label, &what)?,
            other => {
                let name = other.map_or_else(|| "unknown".to_owned(), |t| t.to_string());
                return Err(Error::new(
                    ErrorKind::Pkcs11UnsupportedKey,
                    format!("{what} is of type {name}; RSA or EC P-256 keys sign"),
                ));
            }
        };
        Ok(Pkcs11Signer {
            session: Mutex::new(session),
            key,
            spec,
            key_id: KeyId::of_spki_der(&spki_der),
            spki_der,
            token,
            label: label.to_owned(),
        })
    }

    /// What kind of key this is (RSA and its size, or P-256).
    pub fn spec(&self) -> TokenKeySpec {
        self.spec
    }

    /// The public key as a SubjectPublicKeyInfo DER.
    pub fn public_key_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// The public key as a SubjectPublicKeyInfo PEM (`PUBLIC KEY`, `\n`
    /// line ends): what verifiers are given.
    pub fn public_key_pem(&self) -> String {
        // Encoding bytes as PEM cannot fail; the fallback keeps this
        // infallible without a panic path.
        rsa::pkcs8::der::pem::encode_string("PUBLIC KEY", rsa::pkcs8::LineEnding::LF, &self.spki_der)
            .unwrap_or_default()
    }

    /// The token's label.
    pub fn token_label(&self) -> &str {
        &self.token
    }

    /// The key's label in the token.
    pub fn key_label(&self) -> &str {
        &self.label
    }

    fn mechanism(&self, algorithm: SignatureAlgorithm) -> Option<Mechanism<'static>> {
        match (self.spec, algorithm) {
            (TokenKeySpec::Rsa { .. }, SignatureAlgorithm::RsaPkcs1v15Sha256) => {
                Some(Mechanism::Sha256RsaPkcs)
            }
            (TokenKeySpec::Rsa { .. }, SignatureAlgorithm::RsaPssSha256) => {
                // The parameters of COSE PS256 (RFC 8230): SHA-256,
                // MGF1-SHA-256 and a salt as long as the hash.
                Some(Mechanism::Sha256RsaPkcsPss(PkcsPssParams {
                    hash_alg: MechanismType::SHA256,
                    mgf: PkcsMgfType::MGF1_SHA256,
                    s_len: 32.into(),
                }))
            }
            (TokenKeySpec::P256, SignatureAlgorithm::EcdsaP256Sha256) => Some(Mechanism::Ecdsa),
            _ => None,
        }
    }
}

impl Signer for Pkcs11Signer {
    fn key_id(&self) -> KeyId {
        self.key_id
    }

    fn algorithms(&self) -> &[SignatureAlgorithm] {
        match self.spec {
            TokenKeySpec::Rsa { .. } => RSA_ALGORITHMS,
            TokenKeySpec::P256 => EC_ALGORITHMS,
        }
    }

    fn sign(&self, algorithm: SignatureAlgorithm, message: &[u8]) -> Result<Vec<u8>> {
        let Some(mechanism) = self.mechanism(algorithm) else {
            return Err(Error::new(
                ErrorKind::UnsupportedAlgorithm,
                format!(
                    "the {} key {} in token `{}` does not make {algorithm}",
                    self.spec,
                    self.key_id,
                    shown(&self.token)
                ),
            ));
        };
        // CKM_ECDSA signs a digest (hashing in the token is optional in
        // PKCS#11 and missing from many tokens); the RSA mechanisms hash.
        let digest;
        let input = if matches!(self.spec, TokenKeySpec::P256) {
            digest = Sha256::digest(message);
            digest.as_slice()
        } else {
            message
        };
        let session = self.session.lock().unwrap_or_else(|p| p.into_inner());
        let signature = session.sign(&mechanism, self.key, input).map_err(|e| {
            Error::new(
                ErrorKind::SigningFailed,
                format!("token `{}` did not sign with key `{}`: {e}", shown(&self.token), shown(&self.label)),
            )
        })?;
        let expected = self.spec.signature_len();
        if signature.len() != expected {
            return Err(Error::new(
                ErrorKind::SigningFailed,
                format!(
                    "token `{}` returned a {}-byte {algorithm} signature; {expected} bytes were expected",
                    shown(&self.token),
                    signature.len()
                ),
            ));
        }
        Ok(signature)
    }
}

impl fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs11Signer")
            .field("token", &self.token)
            .field("key", &self.label)
            .field("spec", &self.spec)
            .field("key_id", &self.key_id)
            .finish()
    }
}

/// The one object of `class` labelled `label`.
fn find_one(session: &Session, class: ObjectClass, label: &str, token: &str) -> Result<ObjectHandle> {
    let template = [Attribute::Class(class), Attribute::Label(label.as_bytes().to_vec())];
    let found = session
        .find_objects(&template)
        .map_err(|e| failed(&format!("searching token `{}`", shown(token)), &e))?;
    let what = if class == ObjectClass::PRIVATE_KEY { "private" } else { "public" };
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(Error::new(
            ErrorKind::Pkcs11KeyNotFound,
            format!("token `{}` has no {what} key labelled `{}`", shown(token), shown(label)),
        )),
        many => Err(Error::new(
            ErrorKind::Pkcs11LabelAmbiguous,
            format!("token `{}` has {} {what} keys labelled `{}`", shown(token), many.len(), shown(label)),
        )),
    }
}

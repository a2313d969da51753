//! The one seam every signature goes through.

use std::fmt;

use super::KeyId;
use crate::Result;

/// A signature scheme a [`Signer`] can make. Each names the whole scheme
/// (padding and hash), as PKCS#11 mechanisms such as
/// `CKM_SHA256_RSA_PKCS` do, because a signer receives the message, not a
/// digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256: XML-DSig `rsa-sha256` and COSE
    /// `RS256`. Deterministic: one key and one message give one signature.
    RsaPkcs1v15Sha256,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt: COSE
    /// `PS256`. Salted, so two signatures of one message differ.
    RsaPssSha256,
    /// ECDSA on NIST P-256 with SHA-256, the signature as raw r‖s (64 bytes).
    EcdsaP256Sha256,
}

impl SignatureAlgorithm {
    /// A short name for messages (`RSA-PKCS1-v1_5-SHA256`, `RSA-PSS-SHA256`).
    pub fn name(self) -> &'static str {
        match self {
            SignatureAlgorithm::RsaPkcs1v15Sha256 => "RSA-PKCS1-v1_5-SHA256",
            SignatureAlgorithm::RsaPssSha256 => "RSA-PSS-SHA256",
            SignatureAlgorithm::EcdsaP256Sha256 => "ECDSA-P256-SHA256",
        }
    }
}

impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Something that holds a private key and signs with it: the in-process
/// [`SigningKey`](super::SigningKey), or a key that never leaves a
/// hardware token. Licenses, usage logs (XML-DSig) and key bundles (COSE)
/// are all signed through this trait, so every signing API takes
/// `&dyn Signer`. Verification never needs one: it uses public keys only.
///
/// A signer makes its own randomness for salted schemes (PSS): a token
/// does so inside the token, and `SigningKey` asks the operating system,
/// because its constant-time backend accepts no other source.
///
/// ```
/// use license_core::crypto::{SignatureAlgorithm, Signer};
/// use license_core::SigningKey;
/// # let pem = include_str!("../../../tests/vectors/keys/vendor-2048.key.pem");
/// let key = SigningKey::from_pkcs8_pem(pem)?;
/// let signer: &dyn Signer = &key;
/// assert!(signer.algorithms().contains(&SignatureAlgorithm::RsaPssSha256));
/// let signature = signer.sign(SignatureAlgorithm::RsaPkcs1v15Sha256, b"hello")?;
/// key.verifying_key().verify_pkcs1v15_sha256(b"hello", &signature)?;
/// assert_eq!(signer.key_id(), key.verifying_key().key_id());
/// # Ok::<(), license_core::Error>(())
/// ```
pub trait Signer {
    /// The id of the public key that verifies this signer's signatures;
    /// signed documents name it (XML-DSig `KeyName`, COSE `kid`).
    fn key_id(&self) -> KeyId;

    /// The schemes this signer makes, in no particular order.
    fn algorithms(&self) -> &[SignatureAlgorithm];

    /// Signs `message` (the bytes themselves; hashing is part of the
    /// scheme) and returns the signature. A scheme not in
    /// [`Self::algorithms`] is [`ErrorKind::UnsupportedAlgorithm`]; a
    /// signer that fails (a token gone away) is
    /// [`ErrorKind::SigningFailed`].
    ///
    /// [`ErrorKind::UnsupportedAlgorithm`]: crate::ErrorKind::UnsupportedAlgorithm
    /// [`ErrorKind::SigningFailed`]: crate::ErrorKind::SigningFailed
    fn sign(&self, algorithm: SignatureAlgorithm, message: &[u8]) -> Result<Vec<u8>>;
}

/// Refuses `algorithm` unless `signer` makes it; callers check before
/// building anything so that the error names the document being signed.
pub(crate) fn require_algorithm(
    signer: &dyn Signer,
    algorithm: SignatureAlgorithm,
    what: &str,
) -> Result<()> {
    if signer.algorithms().contains(&algorithm) {
        return Ok(());
    }
    Err(crate::Error::new(
        crate::ErrorKind::UnsupportedAlgorithm,
        format!("{what} is signed with {algorithm}, which signer {} does not make", signer.key_id()),
    ))
}

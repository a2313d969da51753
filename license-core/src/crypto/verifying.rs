//! A public key that checks signatures.

use std::fmt;

use rsa::pkcs8::{DecodePublicKey, EncodePublicKey, LineEnding};
use rsa::signature::Verifier;
use rsa::traits::PublicKeyParts;
use rsa::RsaPublicKey;
use sha2::Sha256;

use super::{check_bits, looks_like_pem, KeyId};
use crate::{Error, ErrorKind, Result};

/// An RSA public key of 2048 to 4096 bits, with its [`KeyId`].
///
/// ```
/// use license_core::VerifyingKey;
/// # let pem = include_str!("../../../tests/vectors/keys/vendor-3072.pub.pem");
/// let key = VerifyingKey::from_public_key_pem(pem)?;
/// assert_eq!(key.bits(), 3072);
/// println!("key id {}", key.key_id());
/// # Ok::<(), license_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct VerifyingKey {
    key: RsaPublicKey,
    spki_der: Vec<u8>,
    id: KeyId,
}

impl VerifyingKey {
    /// Reads a SubjectPublicKeyInfo `PUBLIC KEY` PEM.
    pub fn from_public_key_pem(pem: &str) -> Result<VerifyingKey> {
        let key = RsaPublicKey::from_public_key_pem(pem).map_err(|e| {
            Error::new(ErrorKind::KeyFormat, format!("not an RSA SubjectPublicKeyInfo PEM: {e}"))
        })?;
        VerifyingKey::from_rsa(key, "the public key")
    }

    /// Reads a SubjectPublicKeyInfo in DER.
    pub fn from_public_key_der(der: &[u8]) -> Result<VerifyingKey> {
        let key = RsaPublicKey::from_public_key_der(der).map_err(|e| {
            Error::new(ErrorKind::KeyFormat, format!("not an RSA SubjectPublicKeyInfo DER: {e}"))
        })?;
        VerifyingKey::from_rsa(key, "the public key")
    }

    /// Reads a SubjectPublicKeyInfo in PEM or DER, whichever `bytes` hold.
    pub fn from_public_key_bytes(bytes: &[u8]) -> Result<VerifyingKey> {
        if looks_like_pem(bytes) {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| Error::new(ErrorKind::KeyFormat, "the public key PEM is not UTF-8"))?;
            VerifyingKey::from_public_key_pem(text)
        } else {
            VerifyingKey::from_public_key_der(bytes)
        }
    }

    pub(super) fn from_rsa(key: RsaPublicKey, what: &str) -> Result<VerifyingKey> {
        check_bits(key.n().bits(), what)?;
        // The id is computed from our own re-encoding, so the same key read
        // from PEM or DER (or with a differently encoded input) has one id.
        let spki_der = key
            .to_public_key_der()
            .map_err(|e| Error::new(ErrorKind::KeyFormat, format!("encoding {what}: {e}")))?
            .as_bytes()
            .to_vec();
        let id = KeyId::of_spki_der(&spki_der);
        Ok(VerifyingKey { key, spki_der, id })
    }

    /// The key as a SubjectPublicKeyInfo PEM, with `\n` line ends.
    pub fn to_public_key_pem(&self) -> String {
        // Re-encoding a DER we produced ourselves as PEM cannot fail; the
        // fallback keeps this infallible without a panic path.
        rsa::pkcs8::der::pem::encode_string("PUBLIC KEY", LineEnding::LF, &self.spki_der).unwrap_or_default()
    }

    /// The key as a SubjectPublicKeyInfo DER.
    pub fn to_public_key_der(&self) -> Vec<u8> {
        self.spki_der.clone()
    }

    /// The key's id: base64url SHA-256 of [`Self::to_public_key_der`].
    pub fn key_id(&self) -> KeyId {
        self.id
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.key.n().bits()
    }

    /// Checks an RSASSA-PKCS1-v1_5 SHA-256 signature over `msg`; a wrong
    /// signature is [`ErrorKind::SignatureMismatch`].
    pub fn verify_pkcs1v15_sha256(&self, msg: &[u8], signature: &[u8]) -> Result<()> {
        let sig = rsa::pkcs1v15::Signature::try_from(signature).map_err(|e| self.mismatch(e))?;
        rsa::pkcs1v15::VerifyingKey::<Sha256>::new(self.key.clone())
            .verify(msg, &sig)
            .map_err(|e| self.mismatch(e))
    }

    /// Checks an RSASSA-PSS (SHA-256, MGF1-SHA-256) signature over `msg`;
    /// a wrong signature is [`ErrorKind::SignatureMismatch`].
    pub fn verify_pss_sha256(&self, msg: &[u8], signature: &[u8]) -> Result<()> {
        let sig = rsa::pss::Signature::try_from(signature).map_err(|e| self.mismatch(e))?;
        rsa::pss::VerifyingKey::<Sha256>::new(self.key.clone())
            .verify(msg, &sig)
            .map_err(|e| self.mismatch(e))
    }

    fn mismatch(&self, _cause: rsa::signature::Error) -> Error {
        // The rsa crate's error is deliberately opaque; say which key failed.
        Error::new(ErrorKind::SignatureMismatch, format!("signature does not verify with key {}", self.id))
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey").field("bits", &self.bits()).field("key_id", &self.id).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::test_keys::*;

    #[test]
    fn reads_pem_and_der_with_one_id() {
        let key = VerifyingKey::from_public_key_pem(PUB_2048).unwrap();
        assert_eq!(key.bits(), 2048);
        assert_eq!(key.key_id(), signing_2048().key_id());
        let der = key.to_public_key_der();
        let again = VerifyingKey::from_public_key_bytes(&der).unwrap();
        assert_eq!(again, key);
        assert_eq!(VerifyingKey::from_public_key_bytes(key.to_public_key_pem().as_bytes()).unwrap(), key);
        // Our PEM is the same text OpenSSL wrote.
        assert_eq!(key.to_public_key_pem(), PUB_2048);
    }

    #[test]
    fn refuses_weak_and_malformed_keys() {
        assert_eq!(VerifyingKey::from_public_key_pem(PUB_1024).unwrap_err().kind(), ErrorKind::KeyTooSmall);
        assert_eq!(VerifyingKey::from_public_key_pem(KEY_2048).unwrap_err().kind(), ErrorKind::KeyFormat);
        assert_eq!(VerifyingKey::from_public_key_bytes(b"junk").unwrap_err().kind(), ErrorKind::KeyFormat);
    }

    #[test]
    fn wrong_key_wrong_message_and_wrong_length_fail() {
        let a = signing_2048();
        let b = VerifyingKey::from_public_key_pem(PUB_3072).unwrap();
        let sig = a.sign_pkcs1v15_sha256(b"m").unwrap();
        assert_eq!(b.verify_pkcs1v15_sha256(b"m", &sig).unwrap_err().kind(), ErrorKind::SignatureMismatch);
        let va = a.verifying_key();
        assert_eq!(va.verify_pkcs1v15_sha256(b"n", &sig).unwrap_err().kind(), ErrorKind::SignatureMismatch);
        assert_eq!(
            va.verify_pkcs1v15_sha256(b"m", &sig[1..]).unwrap_err().kind(),
            ErrorKind::SignatureMismatch
        );
        assert_eq!(va.verify_pkcs1v15_sha256(b"m", &[]).unwrap_err().kind(), ErrorKind::SignatureMismatch);
        let mut flipped = sig.clone();
        flipped[100] ^= 1;
        assert_eq!(
            va.verify_pkcs1v15_sha256(b"m", &flipped).unwrap_err().kind(),
            ErrorKind::SignatureMismatch
        );
    }
}

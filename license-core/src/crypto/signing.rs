//! The vendor's private key.

use std::fmt;

use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::rand_core::CryptoRngCore;
use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use sha2::Sha256;

use super::{check_bits, looks_like_pem, KeyId, VerifyingKey, DEFAULT_KEY_BITS, MAX_KEY_BITS};
use crate::{Error, ErrorKind, Result};

/// An RSA private key of 2048 to 4096 bits that signs with SHA-256.
///
/// Its `Debug` form names the key id and size only, never key material.
///
/// ```
/// use license_core::{SigningKey, VerifyingKey};
/// # let pem = include_str!("../../../tests/vectors/keys/vendor-2048.key.pem");
/// let key = SigningKey::from_pkcs8_pem(pem)?;
/// let signature = key.sign_pkcs1v15_sha256(b"hello");
/// key.verifying_key().verify_pkcs1v15_sha256(b"hello", &signature)?;
/// # Ok::<(), license_core::Error>(())
/// ```
#[derive(Clone)]
pub struct SigningKey {
    key: RsaPrivateKey,
    public: VerifyingKey,
}

impl SigningKey {
    /// Generates a new key of `bits` bits (use [`DEFAULT_KEY_BITS`], 3072,
    /// unless there is a reason not to). Refuses fewer than 2048 bits with
    /// [`ErrorKind::KeyTooSmall`] and more than 4096.
    pub fn generate(bits: usize, rng: &mut impl CryptoRngCore) -> Result<SigningKey> {
        check_bits(bits, "the requested key")?;
        let key = RsaPrivateKey::new(rng, bits)
            .map_err(|e| Error::new(ErrorKind::KeyGeneration, format!("{bits}-bit RSA key: {e}")))?;
        SigningKey::from_rsa(key, "the generated key")
    }

    /// Generates a key of the default size, [`DEFAULT_KEY_BITS`].
    pub fn generate_default(rng: &mut impl CryptoRngCore) -> Result<SigningKey> {
        SigningKey::generate(DEFAULT_KEY_BITS, rng)
    }

    /// Reads a PKCS#8 `PRIVATE KEY` PEM (unencrypted).
    pub fn from_pkcs8_pem(pem: &str) -> Result<SigningKey> {
        let key = RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| {
            Error::new(ErrorKind::KeyFormat, format!("not an unencrypted PKCS#8 RSA private key PEM: {e}"))
        })?;
        SigningKey::from_rsa(key, "the private key")
    }

    /// Reads a PKCS#8 private key in DER.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<SigningKey> {
        let key = RsaPrivateKey::from_pkcs8_der(der).map_err(|e| {
            Error::new(ErrorKind::KeyFormat, format!("not an unencrypted PKCS#8 RSA private key DER: {e}"))
        })?;
        SigningKey::from_rsa(key, "the private key")
    }

    /// Reads a PKCS#8 private key in PEM or DER, whichever `bytes` hold.
    pub fn from_pkcs8_bytes(bytes: &[u8]) -> Result<SigningKey> {
        if looks_like_pem(bytes) {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| Error::new(ErrorKind::KeyFormat, "the private key PEM is not UTF-8"))?;
            SigningKey::from_pkcs8_pem(text)
        } else {
            SigningKey::from_pkcs8_der(bytes)
        }
    }

    fn from_rsa(key: RsaPrivateKey, what: &str) -> Result<SigningKey> {
        // Checked before validation so that an oversized key costs nothing.
        check_bits(key.n().bits(), what)?;
        key.validate()
            .map_err(|e| Error::new(ErrorKind::KeyFormat, format!("{what} is inconsistent: {e}")))?;
        let public = VerifyingKey::from_rsa(key.to_public_key(), what)?;
        Ok(SigningKey { key, public })
    }

    /// The key in PKCS#8 PEM, with `\n` line ends.
    pub fn to_pkcs8_pem(&self) -> Result<String> {
        self.key
            .to_pkcs8_pem(LineEnding::LF)
            .map(|pem| pem.as_str().to_owned())
            .map_err(|e| Error::new(ErrorKind::KeyFormat, format!("encoding the private key: {e}")))
    }

    /// The key in PKCS#8 DER.
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>> {
        self.key
            .to_pkcs8_der()
            .map(|doc| doc.as_bytes().to_vec())
            .map_err(|e| Error::new(ErrorKind::KeyFormat, format!("encoding the private key: {e}")))
    }

    /// The matching public key.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.public
    }

    /// The id of the matching public key.
    pub fn key_id(&self) -> KeyId {
        self.public.key_id()
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.public.bits()
    }

    /// An RSASSA-PKCS1-v1_5 signature with SHA-256 over `msg` (the XML-DSig
    /// `rsa-sha256` and COSE `RS256` scheme). Deterministic: the same key
    /// and message give the same bytes.
    pub fn sign_pkcs1v15_sha256(&self, msg: &[u8]) -> Vec<u8> {
        let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(self.key.clone());
        signer.sign(msg).to_vec()
    }

    /// An RSASSA-PSS signature with SHA-256, MGF1-SHA-256 and a 32-byte
    /// salt over `msg` (the COSE `PS256` scheme); randomised by `rng`.
    pub fn sign_pss_sha256(&self, msg: &[u8], rng: &mut impl CryptoRngCore) -> Vec<u8> {
        let signer = rsa::pss::SigningKey::<Sha256>::new(self.key.clone());
        signer.sign_with_rng(rng, msg).to_vec()
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("bits", &self.bits())
            .field("key_id", &self.key_id())
            .finish_non_exhaustive()
    }
}

// The default must be a size `generate` accepts.
const _: () = assert!(DEFAULT_KEY_BITS <= MAX_KEY_BITS);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::test_keys::*;

    #[test]
    fn refuses_small_and_huge_sizes_before_any_work() {
        let mut rng = rand::rngs::OsRng;
        assert_eq!(SigningKey::generate(1024, &mut rng).unwrap_err().kind(), ErrorKind::KeyTooSmall);
        assert_eq!(SigningKey::generate(2047, &mut rng).unwrap_err().kind(), ErrorKind::KeyTooSmall);
        assert_eq!(SigningKey::generate(8192, &mut rng).unwrap_err().kind(), ErrorKind::KeyFormat);
        let err = SigningKey::from_pkcs8_pem(KEY_1024).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::KeyTooSmall);
        assert!(err.detail().contains("1024"), "{err}");
    }

    #[test]
    fn generates_a_working_key() {
        let mut rng = rand::rngs::OsRng;
        let key = SigningKey::generate(2048, &mut rng).unwrap();
        assert_eq!(key.bits(), 2048);
        let sig = key.sign_pkcs1v15_sha256(b"msg");
        key.verifying_key().verify_pkcs1v15_sha256(b"msg", &sig).unwrap();
    }

    #[test]
    fn pem_and_der_round_trip() {
        let key = signing_2048();
        let pem = key.to_pkcs8_pem().unwrap();
        let again = SigningKey::from_pkcs8_pem(&pem).unwrap();
        assert_eq!(again.key_id(), key.key_id());
        let der = key.to_pkcs8_der().unwrap();
        assert_eq!(SigningKey::from_pkcs8_bytes(&der).unwrap().key_id(), key.key_id());
        assert_eq!(SigningKey::from_pkcs8_bytes(pem.as_bytes()).unwrap().key_id(), key.key_id());
        assert_eq!(again.to_pkcs8_der().unwrap(), der, "encoding is deterministic");
    }

    #[test]
    fn signatures_verify_and_pkcs1_is_deterministic() {
        let key = signing_3072();
        assert_eq!(key.bits(), 3072);
        let a = key.sign_pkcs1v15_sha256(b"payload");
        assert_eq!(a, key.sign_pkcs1v15_sha256(b"payload"));
        assert_eq!(a.len(), 384);
        let pss = key.sign_pss_sha256(b"payload", &mut rand::rngs::OsRng);
        key.verifying_key().verify_pss_sha256(b"payload", &pss).unwrap();
        assert_eq!(
            key.verifying_key().verify_pss_sha256(b"other", &pss).unwrap_err().kind(),
            ErrorKind::SignatureMismatch
        );
        assert_eq!(
            key.verifying_key().verify_pkcs1v15_sha256(b"payload", &pss).unwrap_err().kind(),
            ErrorKind::SignatureMismatch
        );
    }

    #[test]
    fn garbage_is_a_key_format_error() {
        for bad in
            [&b""[..], b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", b"\x30\x03\x02\x01"]
        {
            assert_eq!(SigningKey::from_pkcs8_bytes(bad).unwrap_err().kind(), ErrorKind::KeyFormat);
        }
        // A public key is not a private key.
        assert_eq!(SigningKey::from_pkcs8_pem(PUB_2048).unwrap_err().kind(), ErrorKind::KeyFormat);
    }

    #[test]
    fn debug_shows_no_key_material() {
        let key = signing_2048();
        let text = format!("{key:?}");
        assert!(text.contains(&key.key_id().to_string()));
        assert!(!text.contains("BigUint") && !text.contains("primes"), "{text}");
        assert!(text.len() < 200, "{text}");
    }
}

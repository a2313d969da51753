//! The vendor's private key, signing in constant time.
//!
//! Private-key operations go through `ring`, whose RSA arithmetic runs in
//! constant time; the `rsa` crate's do not (RUSTSEC-2023-0071, the Marvin
//! timing attack, which has no fixed version), and a vendor portal that
//! signs a license or a `.bin` on request lets anyone time them. The `rsa`
//! crate still parses and checks keys (once, at load, where timing reveals
//! nothing an attacker can choose) and verifies, which uses only public
//! values.

use std::fmt;
use std::sync::Arc;

use ring::rand::SystemRandom;
use ring::signature::{RsaEncoding, RsaKeyPair, RSA_PKCS1_SHA256, RSA_PSS_SHA256};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding, SecretDocument};
use rsa::rand_core::CryptoRngCore;
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPrivateKey};

use super::signer::{SignatureAlgorithm, Signer};
use super::{check_bits, looks_like_pem, KeyId, VerifyingKey, DEFAULT_KEY_BITS, MAX_KEY_BITS};
use crate::{Error, ErrorKind, Result};

/// The modulus sizes the constant-time backend signs with: its primes
/// must be a multiple of 512 bits and exactly half the modulus.
pub const SIGNING_KEY_BITS: [usize; 3] = [2048, 3072, 4096];

/// The smallest public exponent the constant-time backend accepts (and the
/// one every common tool generates).
const MIN_PUBLIC_EXPONENT: u32 = 65537;

/// An RSA private key of 2048, 3072 or 4096 bits that signs with SHA-256,
/// in constant time. It is the in-process [`Signer`].
///
/// Its `Debug` form names the key id and size only, never key material.
///
/// ```
/// use license_core::{SigningKey, VerifyingKey};
/// # let pem = include_str!("../../../tests/vectors/keys/vendor-2048.key.pem");
/// let key = SigningKey::from_pkcs8_pem(pem)?;
/// let signature = key.sign_pkcs1v15_sha256(b"hello")?;
/// key.verifying_key().verify_pkcs1v15_sha256(b"hello", &signature)?;
/// # Ok::<(), license_core::Error>(())
/// ```
#[derive(Clone)]
pub struct SigningKey {
    /// The key converted once, at load, for the constant-time backend;
    /// shared because `ring` keys are not `Clone`.
    pair: Arc<RsaKeyPair>,
    /// Our own PKCS#8 encoding of the key, for saving it (zeroed on drop).
    pkcs8: SecretDocument,
    public: VerifyingKey,
}

impl SigningKey {
    /// Generates a new key of `bits` bits (use [`DEFAULT_KEY_BITS`], 3072,
    /// unless there is a reason not to). Refuses fewer than 2048 bits with
    /// [`ErrorKind::KeyTooSmall`], more than 4096 with
    /// [`ErrorKind::KeyFormat`] and other sizes than those of
    /// [`SIGNING_KEY_BITS`] with [`ErrorKind::UnsupportedSigningKey`].
    pub fn generate(bits: usize, rng: &mut impl CryptoRngCore) -> Result<SigningKey> {
        check_bits(bits, "the requested key")?;
        check_signing_bits(bits, "the requested key")?;
        let key = RsaPrivateKey::new(rng, bits)
            .map_err(|e| Error::new(ErrorKind::KeyGeneration, format!("{bits}-bit RSA key: {e}")))?;
        SigningKey::from_rsa(key, "the generated key")
    }

    /// Generates a key of the default size, [`DEFAULT_KEY_BITS`].
    pub fn generate_default(rng: &mut impl CryptoRngCore) -> Result<SigningKey> {
        SigningKey::generate(DEFAULT_KEY_BITS, rng)
    }

    /// Reads a PKCS#8 `PRIVATE KEY` PEM (unencrypted). A valid key the
    /// constant-time backend cannot use (a size outside
    /// [`SIGNING_KEY_BITS`], an exponent under 65537, unbalanced primes)
    /// is [`ErrorKind::UnsupportedSigningKey`].
    pub fn from_pkcs8_pem(pem: &str) -> Result<SigningKey> {
        let key = RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| {
            Error::new(ErrorKind::KeyFormat, format!("not an unencrypted PKCS#8 RSA private key PEM: {e}"))
        })?;
        SigningKey::from_rsa(key, "the private key")
    }

    /// Reads a PKCS#8 private key in DER (see [`Self::from_pkcs8_pem`]).
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
        let bits = key.n().bits();
        check_bits(bits, what)?;
        key.validate()
            .map_err(|e| Error::new(ErrorKind::KeyFormat, format!("{what} is inconsistent: {e}")))?;
        check_signing_bits(bits, what)?;
        if key.e() < &BigUint::from(MIN_PUBLIC_EXPONENT) {
            return Err(Error::new(
                ErrorKind::UnsupportedSigningKey,
                format!("{what} has the public exponent {}; constant-time signing needs at least {MIN_PUBLIC_EXPONENT}", key.e()),
            ));
        }
        let public = VerifyingKey::from_rsa(key.to_public_key(), what)?;
        // Our own re-encoding, not the input: `ring` wants exactly PKCS#8
        // v1 with the CRT values, which the `rsa` crate always writes.
        let pkcs8 = key
            .to_pkcs8_der()
            .map_err(|e| Error::new(ErrorKind::KeyFormat, format!("encoding {what}: {e}")))?;
        let pair = RsaKeyPair::from_pkcs8(pkcs8.as_bytes()).map_err(|e| {
            Error::new(
                ErrorKind::UnsupportedSigningKey,
                format!("{what} is refused by the constant-time signer: {e}"),
            )
        })?;
        Ok(SigningKey { pair: Arc::new(pair), pkcs8, public })
    }

    /// The key in PKCS#8 PEM, with `\n` line ends.
    pub fn to_pkcs8_pem(&self) -> Result<String> {
        self.pkcs8
            .to_pem("PRIVATE KEY", LineEnding::LF)
            .map(|pem| pem.as_str().to_owned())
            .map_err(|e| Error::new(ErrorKind::KeyFormat, format!("encoding the private key: {e}")))
    }

    /// The key in PKCS#8 DER.
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>> {
        Ok(self.pkcs8.as_bytes().to_vec())
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
    /// `rsa-sha256` and COSE `RS256` scheme), made in constant time.
    /// Deterministic: the same key and message give the same bytes, the
    /// very bytes any other correct implementation gives.
    pub fn sign_pkcs1v15_sha256(&self, msg: &[u8]) -> Result<Vec<u8>> {
        self.sign_with(&RSA_PKCS1_SHA256, msg)
    }

    /// An RSASSA-PSS signature with SHA-256, MGF1-SHA-256 and a 32-byte
    /// salt over `msg` (the COSE `PS256` scheme), made in constant time.
    /// The salt comes from the operating system: the constant-time backend
    /// takes no other source of randomness.
    pub fn sign_pss_sha256(&self, msg: &[u8]) -> Result<Vec<u8>> {
        self.sign_with(&RSA_PSS_SHA256, msg)
    }

    fn sign_with(&self, encoding: &'static dyn RsaEncoding, msg: &[u8]) -> Result<Vec<u8>> {
        let mut signature = vec![0; self.pair.public().modulus_len()];
        // PKCS#1 v1.5 draws nothing from the generator; PSS draws its salt.
        self.pair.sign(encoding, &SystemRandom::new(), msg, &mut signature).map_err(|_| {
            // `ring` fails only when the system generator does (its error
            // is deliberately opaque); say which key.
            Error::new(ErrorKind::SigningFailed, format!("signing with key {} failed", self.key_id()))
        })?;
        Ok(signature)
    }
}

/// Refuses a size the constant-time backend cannot sign with.
fn check_signing_bits(bits: usize, what: &str) -> Result<()> {
    if SIGNING_KEY_BITS.contains(&bits) {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::UnsupportedSigningKey,
        format!("{what} has {bits} bits; constant-time signing needs 2048, 3072 or 4096"),
    ))
}

/// The schemes a [`SigningKey`] makes.
const RSA_ALGORITHMS: &[SignatureAlgorithm] =
    &[SignatureAlgorithm::RsaPkcs1v15Sha256, SignatureAlgorithm::RsaPssSha256];

impl Signer for SigningKey {
    fn key_id(&self) -> KeyId {
        self.public.key_id()
    }

    fn algorithms(&self) -> &[SignatureAlgorithm] {
        RSA_ALGORITHMS
    }

    fn sign(&self, algorithm: SignatureAlgorithm, message: &[u8]) -> Result<Vec<u8>> {
        match algorithm {
            SignatureAlgorithm::RsaPkcs1v15Sha256 => self.sign_pkcs1v15_sha256(message),
            SignatureAlgorithm::RsaPssSha256 => self.sign_pss_sha256(message),
            SignatureAlgorithm::EcdsaP256Sha256 => Err(Error::new(
                ErrorKind::UnsupportedAlgorithm,
                format!("RSA key {} does not make {algorithm} signatures", self.key_id()),
            )),
        }
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
        // Sizes the constant-time backend cannot sign with, refused before
        // any prime is searched for.
        for bits in [2049, 2560, 4095] {
            let err = SigningKey::generate(bits, &mut rng).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::UnsupportedSigningKey, "{bits}");
            assert!(err.detail().contains(&bits.to_string()), "{err}");
        }
        let err = SigningKey::from_pkcs8_pem(KEY_1024).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::KeyTooSmall);
        assert!(err.detail().contains("1024"), "{err}");
    }

    #[test]
    fn generates_a_working_key() {
        let mut rng = rand::rngs::OsRng;
        let key = SigningKey::generate(2048, &mut rng).unwrap();
        assert_eq!(key.bits(), 2048);
        let sig = key.sign_pkcs1v15_sha256(b"msg").unwrap();
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
        let a = key.sign_pkcs1v15_sha256(b"payload").unwrap();
        assert_eq!(a, key.sign_pkcs1v15_sha256(b"payload").unwrap());
        assert_eq!(a.len(), 384);
        let pss = key.sign_pss_sha256(b"payload").unwrap();
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

    /// The `rsa` crate's signer, which made every signature before the
    /// constant-time backend; kept here only as the reference.
    fn rsa_crate_pkcs1(pem: &str, msg: &[u8]) -> Vec<u8> {
        use rsa::signature::{SignatureEncoding, Signer as _};
        let key = RsaPrivateKey::from_pkcs8_pem(pem).unwrap();
        rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key).sign(msg).to_vec()
    }

    /// `ring` itself, from the same PKCS#8.
    fn ring_pkcs1(key: &SigningKey, msg: &[u8]) -> Vec<u8> {
        let pair = RsaKeyPair::from_pkcs8(&key.to_pkcs8_der().unwrap()).unwrap();
        let mut out = vec![0; pair.public().modulus_len()];
        pair.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), msg, &mut out).unwrap();
        out
    }

    #[test]
    fn pkcs1_signatures_are_ring_s_and_byte_identical_to_the_rsa_crate_s() {
        // RUSTSEC-2023-0071: the default must not be the rsa crate's
        // variable-time private-key operation, and must not change a byte
        // of what it signed before (golden vectors, deterministic output).
        for (pem, key) in [(KEY_2048, signing_2048()), (KEY_3072, signing_3072())] {
            for msg in [&b""[..], b"payload", &[0xA5; 1000]] {
                let ours = key.sign_pkcs1v15_sha256(msg).unwrap();
                assert_eq!(ours, rsa_crate_pkcs1(pem, msg), "{} bits", key.bits());
                assert_eq!(ours, ring_pkcs1(&key, msg), "{} bits", key.bits());
                let through_trait = Signer::sign(&key, SignatureAlgorithm::RsaPkcs1v15Sha256, msg).unwrap();
                assert_eq!(through_trait, ours);
            }
        }
    }

    #[test]
    fn pss_signatures_are_salted_with_32_bytes_and_verify_with_ring_and_the_rsa_crate() {
        use rsa::signature::Verifier as _;
        let key = signing_2048();
        let a = Signer::sign(&key, SignatureAlgorithm::RsaPssSha256, b"payload").unwrap();
        let b = key.sign_pss_sha256(b"payload").unwrap();
        assert_ne!(a, b, "salted");
        let public =
            <rsa::RsaPublicKey as rsa::pkcs8::DecodePublicKey>::from_public_key_pem(PUB_2048).unwrap();
        let ring_public = ring::signature::RsaPublicKeyComponents {
            n: public.n().to_bytes_be(),
            e: public.e().to_bytes_be(),
        };
        for sig in [&a, &b] {
            assert_eq!(sig.len(), 256);
            key.verifying_key().verify_pss_sha256(b"payload", sig).unwrap();
            // The COSE PS256 salt length is the hash length (RFC 8230).
            let strict = rsa::pss::VerifyingKey::<sha2::Sha256>::new_with_salt_len(public.clone(), 32);
            strict.verify(b"payload", &rsa::pss::Signature::try_from(sig.as_slice()).unwrap()).unwrap();
            ring_public.verify(&ring::signature::RSA_PSS_2048_8192_SHA256, b"payload", sig).unwrap();
        }
    }

    #[test]
    fn keys_the_constant_time_backend_cannot_use_are_refused_at_load() {
        use rand::{rngs::StdRng, SeedableRng};
        let mut rng = StdRng::seed_from_u64(5);
        let e3 = RsaPrivateKey::new_with_exp(&mut rng, 2048, &BigUint::from(3u32)).unwrap();
        let err = SigningKey::from_pkcs8_der(e3.to_pkcs8_der().unwrap().as_bytes()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedSigningKey);
        assert!(err.detail().contains("exponent 3;"), "{err}");
        let odd = RsaPrivateKey::new(&mut rng, 2304).unwrap();
        let err = SigningKey::from_pkcs8_pem(&odd.to_pkcs8_pem(LineEnding::LF).unwrap()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedSigningKey);
        assert!(err.detail().contains("2304 bits"), "{err}");
    }

    #[test]
    fn the_signer_trait_names_the_key_and_its_schemes() {
        let key = signing_2048();
        let signer: &dyn Signer = &key;
        assert_eq!(signer.key_id(), key.verifying_key().key_id());
        assert_eq!(
            signer.algorithms(),
            [SignatureAlgorithm::RsaPkcs1v15Sha256, SignatureAlgorithm::RsaPssSha256]
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

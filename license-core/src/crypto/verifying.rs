//! A public key that checks signatures.

use std::fmt;

use rsa::pkcs8::{DecodePublicKey, EncodePublicKey, LineEnding};
use rsa::signature::Verifier;
use rsa::traits::PublicKeyParts;
use rsa::RsaPublicKey;
use sha2::Sha256;

use super::ec::{self, P256Public, POINT_LEN};
use super::{check_bits, looks_like_pem, KeyId, KeyType, SignatureAlgorithm};
use crate::{Error, ErrorKind, Result};

/// A public key that checks signatures: RSA of 2048 to 4096 bits, or
/// ECDSA P-256; with its [`KeyId`]. Each key checks only its own kind's
/// schemes ([`KeyType::algorithms`]); any other is
/// [`ErrorKind::KeyAlgorithmMismatch`].
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
    key: Public,
    spki_der: Vec<u8>,
    id: KeyId,
}

/// The key material of either kind.
#[derive(Clone, PartialEq, Eq)]
enum Public {
    Rsa(RsaPublicKey),
    /// The uncompressed point, which `ring` verifies with.
    P256(Box<[u8; POINT_LEN]>),
}

impl VerifyingKey {
    /// Reads a SubjectPublicKeyInfo `PUBLIC KEY` PEM (RSA or EC P-256).
    pub fn from_public_key_pem(pem: &str) -> Result<VerifyingKey> {
        let (label, der) = rsa::pkcs8::der::pem::decode_vec(pem.as_bytes())
            .map_err(|e| Error::new(ErrorKind::KeyFormat, format!("not a SubjectPublicKeyInfo PEM: {e}")))?;
        if label != "PUBLIC KEY" {
            return Err(Error::new(
                ErrorKind::KeyFormat,
                format!(
                    "not a SubjectPublicKeyInfo PEM: the label is `{}`, not `PUBLIC KEY`",
                    label.escape_debug()
                ),
            ));
        }
        VerifyingKey::from_public_key_der(&der)
    }

    /// Reads a SubjectPublicKeyInfo in DER (RSA or EC P-256). An EC key on
    /// another curve is [`ErrorKind::UnsupportedCurve`].
    pub fn from_public_key_der(der: &[u8]) -> Result<VerifyingKey> {
        let what = "the public key";
        let algorithm = ec::spki_algorithm(der, what)?;
        if algorithm == ec::ID_EC_PUBLIC_KEY {
            return Ok(VerifyingKey::from_p256(P256Public::from_spki_der(der, what)?));
        }
        if algorithm != ec::RSA_ENCRYPTION {
            return Err(Error::new(
                ErrorKind::KeyFormat,
                format!("{what} has the algorithm {algorithm}; RSA and EC P-256 keys are accepted"),
            ));
        }
        let key = RsaPublicKey::from_public_key_der(der).map_err(|e| {
            Error::new(ErrorKind::KeyFormat, format!("not an RSA SubjectPublicKeyInfo DER: {e}"))
        })?;
        VerifyingKey::from_rsa(key, what)
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
        Ok(VerifyingKey { key: Public::Rsa(key), spki_der, id })
    }

    pub(super) fn from_p256(public: P256Public) -> VerifyingKey {
        // The same definition as RSA's: SHA-256 of our own SPKI DER (the
        // uncompressed point under id-ecPublicKey / prime256v1).
        let id = KeyId::of_spki_der(&public.spki_der);
        VerifyingKey { key: Public::P256(Box::new(public.point)), spki_der: public.spki_der, id }
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

    /// The kind of key: RSA or P-256.
    pub fn key_type(&self) -> KeyType {
        match self.key {
            Public::Rsa(_) => KeyType::Rsa,
            Public::P256(_) => KeyType::P256,
        }
    }

    /// The size in bits: the RSA modulus's, or 256 for P-256.
    pub fn bits(&self) -> usize {
        match &self.key {
            Public::Rsa(key) => key.n().bits(),
            Public::P256(_) => 256,
        }
    }

    /// Checks a signature over `msg` made with `algorithm`, which must be
    /// one of this key's kind ([`ErrorKind::KeyAlgorithmMismatch`]
    /// otherwise). A wrong signature is [`ErrorKind::SignatureMismatch`];
    /// a malformed ECDSA one has its own kind (see
    /// [`Self::verify_ecdsa_p256_sha256`]).
    pub fn verify(&self, algorithm: SignatureAlgorithm, msg: &[u8], signature: &[u8]) -> Result<()> {
        match algorithm {
            SignatureAlgorithm::RsaPkcs1v15Sha256 => self.verify_pkcs1v15_sha256(msg, signature),
            SignatureAlgorithm::RsaPssSha256 => self.verify_pss_sha256(msg, signature),
            SignatureAlgorithm::EcdsaP256Sha256 => self.verify_ecdsa_p256_sha256(msg, signature),
        }
    }

    /// Checks an RSASSA-PKCS1-v1_5 SHA-256 signature over `msg`; a wrong
    /// signature is [`ErrorKind::SignatureMismatch`].
    pub fn verify_pkcs1v15_sha256(&self, msg: &[u8], signature: &[u8]) -> Result<()> {
        let key = self.rsa(SignatureAlgorithm::RsaPkcs1v15Sha256)?;
        let sig = rsa::pkcs1v15::Signature::try_from(signature).map_err(|e| self.mismatch(e))?;
        rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key.clone())
            .verify(msg, &sig)
            .map_err(|e| self.mismatch(e))
    }

    /// Checks an RSASSA-PSS (SHA-256, MGF1-SHA-256) signature over `msg`;
    /// a wrong signature is [`ErrorKind::SignatureMismatch`].
    pub fn verify_pss_sha256(&self, msg: &[u8], signature: &[u8]) -> Result<()> {
        let key = self.rsa(SignatureAlgorithm::RsaPssSha256)?;
        let sig = rsa::pss::Signature::try_from(signature).map_err(|e| self.mismatch(e))?;
        rsa::pss::VerifyingKey::<Sha256>::new(key.clone()).verify(msg, &sig).map_err(|e| self.mismatch(e))
    }

    /// Checks an ECDSA P-256 SHA-256 signature, raw `r‖s` (64 bytes), over
    /// `msg`. Not 64 bytes is [`ErrorKind::SignatureLength`], r or s zero
    /// [`ErrorKind::SignatureScalarZero`], r or s not below the group order
    /// [`ErrorKind::SignatureScalarRange`]; a well-formed signature that
    /// does not verify is [`ErrorKind::SignatureMismatch`]. High s is
    /// accepted, as XML-DSig and COSE specify.
    pub fn verify_ecdsa_p256_sha256(&self, msg: &[u8], signature: &[u8]) -> Result<()> {
        let Public::P256(point) = &self.key else {
            return Err(self.wrong_kind(SignatureAlgorithm::EcdsaP256Sha256));
        };
        ec::check_signature_form(signature)?;
        ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, &point[..])
            .verify(msg, signature)
            .map_err(|_| self.mismatch(rsa::signature::Error::new()))
    }

    fn rsa(&self, algorithm: SignatureAlgorithm) -> Result<&RsaPublicKey> {
        match &self.key {
            Public::Rsa(key) => Ok(key),
            Public::P256(_) => Err(self.wrong_kind(algorithm)),
        }
    }

    fn wrong_kind(&self, algorithm: SignatureAlgorithm) -> Error {
        Error::new(
            ErrorKind::KeyAlgorithmMismatch,
            format!("key {} is a {} key; it does not check {algorithm} signatures", self.id, self.key_type()),
        )
    }

    fn mismatch(&self, _cause: rsa::signature::Error) -> Error {
        // The rsa crate's and ring's errors are deliberately opaque; say
        // which key failed.
        Error::new(ErrorKind::SignatureMismatch, format!("signature does not verify with key {}", self.id))
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("type", &self.key_type())
            .field("bits", &self.bits())
            .field("key_id", &self.id)
            .finish()
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

    #[test]
    fn p256_public_keys_read_and_refuse_each_with_its_kind() {
        let key = VerifyingKey::from_public_key_pem(PUB_P256).unwrap();
        assert_eq!((key.key_type(), key.bits()), (KeyType::P256, 256));
        assert_eq!(VerifyingKey::from_public_key_bytes(&key.to_public_key_der()).unwrap(), key);
        assert_eq!(key.to_public_key_pem(), PUB_P256);
        // The id is SHA-256 of the SPKI DER, as for RSA keys.
        assert_eq!(key.key_id(), KeyId::of_spki_der(&key.to_public_key_der()));
        assert_eq!(
            VerifyingKey::from_public_key_pem(PUB_P384).unwrap_err().kind(),
            ErrorKind::UnsupportedCurve
        );
        // A point off the curve.
        let mut der = key.to_public_key_der();
        let last = der.len() - 1;
        der[last] ^= 1;
        assert_eq!(VerifyingKey::from_public_key_der(&der).unwrap_err().kind(), ErrorKind::KeyFormat);
        assert_eq!(VerifyingKey::from_public_key_pem(KEY_P256).unwrap_err().kind(), ErrorKind::KeyFormat);
    }

    #[test]
    fn a_key_checks_only_its_own_kind_of_signature() {
        let ec = signing_p256();
        let rsa = signing_2048();
        let ec_sig = ec.sign_ecdsa_p256_sha256(b"m").unwrap();
        let rsa_sig = rsa.sign_pkcs1v15_sha256(b"m").unwrap();
        let ec_pub = ec.verifying_key();
        let rsa_pub = rsa.verifying_key();
        ec_pub.verify(SignatureAlgorithm::EcdsaP256Sha256, b"m", &ec_sig).unwrap();
        rsa_pub.verify(SignatureAlgorithm::RsaPkcs1v15Sha256, b"m", &rsa_sig).unwrap();
        for alg in [SignatureAlgorithm::RsaPkcs1v15Sha256, SignatureAlgorithm::RsaPssSha256] {
            let err = ec_pub.verify(alg, b"m", &rsa_sig).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::KeyAlgorithmMismatch, "{err}");
        }
        let err = rsa_pub.verify(SignatureAlgorithm::EcdsaP256Sha256, b"m", &ec_sig).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::KeyAlgorithmMismatch, "{err}");
    }

    #[test]
    fn malformed_ecdsa_signatures_each_have_their_kind() {
        let ec = signing_p256();
        let key = ec.verifying_key();
        let sig = ec.sign_ecdsa_p256_sha256(b"m").unwrap();
        let order = hex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
        let cases: Vec<(Vec<u8>, ErrorKind)> = vec![
            (sig[..63].to_vec(), ErrorKind::SignatureLength),
            ([&sig[..], &[0]].concat(), ErrorKind::SignatureLength),
            ([&[0; 32][..], &sig[32..]].concat(), ErrorKind::SignatureScalarZero),
            ([&sig[..32], &[0; 32][..]].concat(), ErrorKind::SignatureScalarZero),
            ([&order[..], &sig[32..]].concat(), ErrorKind::SignatureScalarRange),
            ([&sig[..32], &order[..]].concat(), ErrorKind::SignatureScalarRange),
            ([&sig[..32], &[0xFF; 32][..]].concat(), ErrorKind::SignatureScalarRange),
        ];
        for (bad, kind) in cases {
            assert_eq!(key.verify_ecdsa_p256_sha256(b"m", &bad).unwrap_err().kind(), kind, "{bad:02x?}");
        }
    }

    #[test]
    fn high_s_ecdsa_signatures_verify() {
        // (r, n - s) is as valid as (r, s): neither XML-DSig nor COSE asks
        // for low s, and xmlsec1 and pycose make both.
        let ec = signing_p256();
        let sig = ec.sign_ecdsa_p256_sha256(b"m").unwrap();
        let order = hex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
        let mut negated = [0u8; 32];
        let mut borrow = 0i16;
        for i in (0..32).rev() {
            let d = i16::from(order[i]) - i16::from(sig[32 + i]) - borrow;
            negated[i] = d.rem_euclid(256) as u8;
            borrow = i16::from(d < 0);
        }
        let other = [&sig[..32], &negated[..]].concat();
        ec.verifying_key().verify_ecdsa_p256_sha256(b"m", &sig).unwrap();
        ec.verifying_key().verify_ecdsa_p256_sha256(b"m", &other).unwrap();
    }

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
    }
}

//! ECDSA on NIST P-256: key encodings and the form of a signature.
//!
//! `p256` reads and checks the encodings (SubjectPublicKeyInfo, PKCS#8,
//! SEC1: the point on the curve, the scalar in range) and derives the
//! public point of a bare private scalar; `ring` signs (constant time) and
//! verifies. Signatures are raw `r‖s`, 32 bytes each, big-endian: what
//! XML-DSig `ecdsa-sha256` (RFC 4051 / XML-DSig 1.1) and COSE `ES256`
//! (RFC 9053) carry, never the DER `SEQUENCE { r, s }` of X9.62.

use p256::elliptic_curve::sec1::ToEncodedPoint as _;
use p256::pkcs8::{DecodePublicKey as _, EncodePrivateKey as _, EncodePublicKey as _};
use rsa::pkcs8::der::asn1::ObjectIdentifier;
use rsa::pkcs8::der::{Decode as _, SecretDocument};
use rsa::pkcs8::spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};

use crate::{Error, ErrorKind, Result};

/// The length of a raw `r‖s` P-256 signature.
pub(crate) const SIGNATURE_LEN: usize = 64;

/// The length of an uncompressed P-256 point (`04 ‖ x ‖ y`).
pub(crate) const POINT_LEN: usize = 65;

/// The order n of the P-256 base point, big-endian (FIPS 186-4, D.1.2.3).
const ORDER: [u8; 32] = [
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xBC,
    0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
];

/// `id-ecPublicKey` (RFC 5480): the SPKI and PKCS#8 algorithm of EC keys.
pub(crate) const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

/// `rsaEncryption` (RFC 8017): the SPKI and PKCS#8 algorithm of RSA keys.
pub(crate) const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// `secp256r1` / `prime256v1`: the named curve P-256.
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");

/// Names a few other curves in messages, so that a P-384 key says so.
fn curve_name(oid: &ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "1.3.132.0.34" => "P-384 (secp384r1)".to_owned(),
        "1.3.132.0.35" => "P-521 (secp521r1)".to_owned(),
        "1.3.132.0.10" => "secp256k1".to_owned(),
        other => format!("the curve {other}"),
    }
}

/// The key algorithm OID of an SPKI or PKCS#8 header, with a refusal of
/// any EC curve but P-256 ([`ErrorKind::UnsupportedCurve`]).
pub(crate) fn key_algorithm(alg: &AlgorithmIdentifierRef<'_>, what: &str) -> Result<ObjectIdentifier> {
    if alg.oid == ID_EC_PUBLIC_KEY {
        let curve = alg.parameters_oid().map_err(|_| {
            Error::new(
                ErrorKind::UnsupportedCurve,
                format!("{what} is an EC key without a named curve; only P-256 is accepted"),
            )
        })?;
        if curve != SECP256R1 {
            return Err(Error::new(
                ErrorKind::UnsupportedCurve,
                format!("{what} is on {}; only P-256 is accepted", curve_name(&curve)),
            ));
        }
    }
    Ok(alg.oid)
}

/// The algorithm OID of a SubjectPublicKeyInfo DER (checked as far as the
/// header only; the key itself is read by the RSA or EC path).
pub(crate) fn spki_algorithm(der: &[u8], what: &str) -> Result<ObjectIdentifier> {
    let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|e| {
        Error::new(ErrorKind::KeyFormat, format!("{what} is not a SubjectPublicKeyInfo DER: {e}"))
    })?;
    key_algorithm(&spki.algorithm, what)
}

/// A P-256 public key: its canonical SPKI DER (uncompressed point, as
/// OpenSSL writes it) and its uncompressed point, which `ring` verifies
/// with.
pub(crate) struct P256Public {
    pub(crate) spki_der: Vec<u8>,
    pub(crate) point: [u8; POINT_LEN],
}

impl P256Public {
    /// Reads a P-256 SubjectPublicKeyInfo DER; a point that is not on the
    /// curve (or is the identity) is [`ErrorKind::KeyFormat`].
    pub(crate) fn from_spki_der(der: &[u8], what: &str) -> Result<P256Public> {
        let key = p256::PublicKey::from_public_key_der(der).map_err(|e| {
            Error::new(ErrorKind::KeyFormat, format!("{what} is not a valid P-256 public key: {e}"))
        })?;
        P256Public::from_key(&key, what)
    }

    fn from_key(key: &p256::PublicKey, what: &str) -> Result<P256Public> {
        // Our own re-encoding, so one key has one id whether it came
        // compressed or not.
        let spki_der = key
            .to_public_key_der()
            .map_err(|e| Error::new(ErrorKind::KeyFormat, format!("encoding {what}: {e}")))?
            .as_bytes()
            .to_vec();
        let encoded = key.to_encoded_point(false);
        let point = <[u8; POINT_LEN]>::try_from(encoded.as_bytes())
            .map_err(|_| Error::new(ErrorKind::KeyFormat, format!("{what}: the point is not 65 bytes")))?;
        Ok(P256Public { spki_der, point })
    }
}

/// A P-256 private key read from one of its encodings.
pub(crate) struct P256Private {
    /// The scalar, 32 bytes big-endian (zeroed on drop by `p256`).
    pub(crate) secret: p256::SecretKey,
    /// Our own PKCS#8 encoding (with the public key, as OpenSSL writes it).
    pub(crate) pkcs8: SecretDocument,
    pub(crate) public: P256Public,
}

impl P256Private {
    /// Reads a PKCS#8 `PrivateKeyInfo` DER whose algorithm is EC P-256.
    pub(crate) fn from_pkcs8_der(der: &[u8], what: &str) -> Result<P256Private> {
        let secret =
            <p256::SecretKey as p256::pkcs8::DecodePrivateKey>::from_pkcs8_der(der).map_err(|e| {
                Error::new(ErrorKind::KeyFormat, format!("{what} is not a valid P-256 private key: {e}"))
            })?;
        P256Private::from_secret(secret, what)
    }

    /// Reads a SEC1 `ECPrivateKey` DER (RFC 5915, OpenSSL's `EC PRIVATE
    /// KEY`); its curve, if named, must be P-256.
    pub(crate) fn from_sec1_der(der: &[u8], what: &str) -> Result<P256Private> {
        let parsed = sec1::EcPrivateKey::from_der(der).map_err(|e| {
            Error::new(ErrorKind::KeyFormat, format!("{what} is not a SEC1 EC private key: {e}"))
        })?;
        if let Some(curve) = parsed.parameters.and_then(|p| p.named_curve()) {
            if curve != SECP256R1 {
                return Err(Error::new(
                    ErrorKind::UnsupportedCurve,
                    format!("{what} is on {}; only P-256 is accepted", curve_name(&curve)),
                ));
            }
        }
        let secret = p256::SecretKey::from_sec1_der(der).map_err(|e| {
            Error::new(ErrorKind::KeyFormat, format!("{what} is not a valid P-256 private key: {e}"))
        })?;
        P256Private::from_secret(secret, what)
    }

    /// A fresh key from `rng`.
    pub(crate) fn generate(rng: &mut impl rsa::rand_core::CryptoRngCore) -> Result<P256Private> {
        P256Private::from_secret(p256::SecretKey::random(rng), "the generated key")
    }

    fn from_secret(secret: p256::SecretKey, what: &str) -> Result<P256Private> {
        let public = P256Public::from_key(&secret.public_key(), what)?;
        let pkcs8 = secret
            .to_pkcs8_der()
            .map_err(|e| Error::new(ErrorKind::KeyFormat, format!("encoding {what}: {e}")))?;
        Ok(P256Private { secret, pkcs8, public })
    }
}

/// Checks the form of a raw `r‖s` P-256 signature, each malformation its
/// own kind: not 64 bytes ([`ErrorKind::SignatureLength`], a DER-encoded
/// signature among them), r or s zero ([`ErrorKind::SignatureScalarZero`]),
/// r or s not below the group order n ([`ErrorKind::SignatureScalarRange`]).
/// High s is accepted: neither XML-DSig nor COSE requires low s, and
/// xmlsec1 and pycose produce both.
pub(crate) fn check_signature_form(signature: &[u8]) -> Result<()> {
    if signature.len() != SIGNATURE_LEN {
        let hint = if signature.first() == Some(&0x30) && (68..=72).contains(&signature.len()) {
            " (it looks DER-encoded; XML-DSig and COSE carry raw r||s)"
        } else {
            ""
        };
        return Err(Error::new(
            ErrorKind::SignatureLength,
            format!(
                "the ECDSA P-256 signature has {} bytes; raw r||s has {SIGNATURE_LEN}{hint}",
                signature.len()
            ),
        ));
    }
    for (name, scalar) in [("r", &signature[..32]), ("s", &signature[32..])] {
        if scalar.iter().all(|&b| b == 0) {
            return Err(Error::new(
                ErrorKind::SignatureScalarZero,
                format!("the ECDSA signature's {name} is zero"),
            ));
        }
        // Both are 32 big-endian bytes, so byte order is numeric order.
        if scalar >= &ORDER[..] {
            return Err(Error::new(
                ErrorKind::SignatureScalarRange,
                format!("the ECDSA signature's {name} is not below the P-256 group order"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(r: [u8; 32], s: [u8; 32]) -> Vec<u8> {
        [r, s].concat()
    }

    #[test]
    fn the_order_is_p256_s() {
        use p256::elliptic_curve::bigint::Encoding as _;
        use p256::elliptic_curve::Curve as _;
        assert_eq!(p256::NistP256::ORDER.to_be_bytes(), ORDER);
    }

    #[test]
    fn signature_form_each_malformation_its_kind() {
        let one = {
            let mut b = [0; 32];
            b[31] = 1;
            b
        };
        let mut n_minus_1 = ORDER;
        n_minus_1[31] -= 1;
        check_signature_form(&sig(one, one)).unwrap();
        check_signature_form(&sig(n_minus_1, n_minus_1)).unwrap();
        for (bad, kind) in [
            (vec![], ErrorKind::SignatureLength),
            (vec![1; 63], ErrorKind::SignatureLength),
            (vec![1; 65], ErrorKind::SignatureLength),
            (vec![1; 128], ErrorKind::SignatureLength),
            (sig([0; 32], one), ErrorKind::SignatureScalarZero),
            (sig(one, [0; 32]), ErrorKind::SignatureScalarZero),
            (sig(ORDER, one), ErrorKind::SignatureScalarRange),
            (sig(one, ORDER), ErrorKind::SignatureScalarRange),
            (sig([0xFF; 32], one), ErrorKind::SignatureScalarRange),
        ] {
            assert_eq!(check_signature_form(&bad).unwrap_err().kind(), kind, "{bad:02x?}");
        }
        let mut der = vec![0x30, 0x44, 0x02, 0x20];
        der.extend([1; 32]);
        der.extend([0x02, 0x20]);
        der.extend([1; 32]);
        let err = check_signature_form(&der).unwrap_err();
        assert!(err.detail().contains("DER"), "{err}");
    }
}

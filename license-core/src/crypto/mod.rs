//! Signing and verifying keys: RSA with SHA-256, 2048 bits or more, and
//! ECDSA P-256 with SHA-256.
//!
//! A vendor holds a [`SigningKey`] (PKCS#8) and ships its [`VerifyingKey`]
//! (SubjectPublicKeyInfo) with the product. A key is of one [`KeyType`]
//! and checks only that kind's signatures: an RSA key never verifies an
//! ECDSA signature, nor a P-256 key an RSA one. Every key has a [`KeyId`], the
//! base64url SHA-256 of its SPKI DER, which signed documents name so that a
//! verifier holding several keys ([`TrustedKeys`], for rotation) picks the
//! right one. Keys under [`MIN_KEY_BITS`] are refused wherever they enter.
//!
//! Every signature (licenses, usage logs, key bundles) is made through the
//! [`Signer`] trait, so a key kept in a hardware token can take the place
//! of the in-process [`SigningKey`]: with the `pkcs11` feature, the module
//! `crypto::pkcs11` opens (or generates) such a key through the token's
//! PKCS#11 module.
//!
//! # Constant-time signing
//!
//! [`SigningKey`] signs through `ring`, whose RSA private-key operations
//! run in constant time. The `rsa` crate's do not: RUSTSEC-2023-0071 (the
//! Marvin attack) recovers a key from the timing of its private-key
//! operations, and has no fixed version. A vendor portal that signs a
//! license or a `.bin` when a customer asks makes that timing observable,
//! so the `rsa` crate here only parses keys and verifies signatures (which
//! involve no secret). PKCS#1 v1.5 signatures are deterministic, so they
//! are byte for byte those the `rsa` crate made before; PSS salts now come
//! from the operating system, because `ring` takes no other generator.
//! `ring` signs with 2048, 3072 and 4096-bit keys ([`SIGNING_KEY_BITS`])
//! whose public exponent is at least 65537; other valid keys are refused
//! at load with [`ErrorKind::UnsupportedSigningKey`].
//!
//! ```
//! use license_core::{ErrorKind, SigningKey, TrustedKeys, VerifyingKey};
//! # let vendor_pem = include_str!("../../../tests/vectors/keys/vendor-2048.key.pem");
//! # let next_pub_pem = include_str!("../../../tests/vectors/keys/vendor-3072.pub.pem");
//! # let weak_pub_pem = include_str!("../../../tests/vectors/keys/weak-1024.pub.pem");
//! // The vendor signs with its private key...
//! let vendor = SigningKey::from_pkcs8_pem(vendor_pem)?;
//! let signature = vendor.sign_pkcs1v15_sha256(b"license bytes")?;
//!
//! // ...and the product trusts its public keys, the next one as well (rotation).
//! let mut trusted = TrustedKeys::new();
//! let id = trusted.insert(vendor.verifying_key().clone());
//! trusted.insert(VerifyingKey::from_public_key_pem(next_pub_pem)?);
//! assert_eq!(trusted.len(), 2);
//! let key = trusted.get(&id).expect("the document names its key id");
//! key.verify_pkcs1v15_sha256(b"license bytes", &signature)?;
//! assert!(key.verify_pkcs1v15_sha256(b"edited bytes", &signature).is_err());
//!
//! // Keys under 2048 bits are refused wherever they enter.
//! let weak = VerifyingKey::from_public_key_pem(weak_pub_pem).unwrap_err();
//! assert_eq!(weak.kind(), ErrorKind::KeyTooSmall);
//! # Ok::<(), license_core::Error>(())
//! ```

mod ec;
mod key_id;
mod key_type;
#[cfg(feature = "pkcs11")]
pub mod pkcs11;
mod signer;
mod signing;
mod trusted;
mod verifying;

pub use key_id::KeyId;
pub use key_type::KeyType;
pub(crate) use signer::require_algorithm;
pub use signer::{SignatureAlgorithm, Signer};
pub use signing::{SigningKey, SIGNING_KEY_BITS};
pub use trusted::TrustedKeys;
pub use verifying::VerifyingKey;

use crate::{Error, ErrorKind, Result};

/// The smallest RSA modulus accepted anywhere, in bits.
pub const MIN_KEY_BITS: usize = 2048;

/// The largest RSA modulus accepted, in bits. Larger keys make every
/// verification needlessly slow, a cheap denial of service for whoever
/// can hand us a key.
pub const MAX_KEY_BITS: usize = 4096;

/// The key size [`SigningKey::generate`] uses when asked for the default.
pub const DEFAULT_KEY_BITS: usize = 3072;

/// Refuses a modulus size outside `MIN_KEY_BITS..=MAX_KEY_BITS`.
fn check_bits(bits: usize, what: &str) -> Result<()> {
    if bits < MIN_KEY_BITS {
        return Err(Error::new(
            ErrorKind::KeyTooSmall,
            format!("{what} has {bits} bits; at least {MIN_KEY_BITS} are required"),
        ));
    }
    if bits > MAX_KEY_BITS {
        return Err(Error::new(
            ErrorKind::KeyFormat,
            format!("{what} has {bits} bits; at most {MAX_KEY_BITS} are accepted"),
        ));
    }
    Ok(())
}

/// Checks the form of a signature made with `algorithm` before any key is
/// tried, so that a malformed one is refused with its own kind whichever
/// key a document names (or when it names none). RSA signatures have no
/// form to check beyond what verification does.
pub(crate) fn check_signature_form(algorithm: SignatureAlgorithm, signature: &[u8]) -> Result<()> {
    match algorithm {
        SignatureAlgorithm::EcdsaP256Sha256 => ec::check_signature_form(signature),
        SignatureAlgorithm::RsaPkcs1v15Sha256 | SignatureAlgorithm::RsaPssSha256 => Ok(()),
    }
}

/// The trusted keys that could have made a signature with `algorithm`:
/// the one named by `id` if there is one (which must be of the algorithm's
/// kind), else every trusted key of that kind. An RSA key never checks an
/// ECDSA signature, nor a P-256 key an RSA one:
/// [`ErrorKind::KeyAlgorithmMismatch`]. A named key that is not trusted is
/// [`ErrorKind::UnknownKeyId`].
pub(crate) fn candidate_keys<'k>(
    keys: &'k TrustedKeys,
    id: Option<&KeyId>,
    algorithm: SignatureAlgorithm,
    what: &str,
) -> Result<Vec<&'k VerifyingKey>> {
    let kind = KeyType::of(algorithm);
    match id {
        Some(id) => {
            let key = keys.get(id).ok_or_else(|| {
                Error::new(
                    ErrorKind::UnknownKeyId,
                    format!("{what} is signed by key {id}, which is not trusted"),
                )
            })?;
            if key.key_type() != kind {
                return Err(Error::new(
                    ErrorKind::KeyAlgorithmMismatch,
                    format!("{what} is signed with {algorithm}, but key {id} is a {} key", key.key_type()),
                ));
            }
            Ok(vec![key])
        }
        None => {
            let candidates: Vec<&VerifyingKey> =
                keys.iter().map(|(_, k)| k).filter(|k| k.key_type() == kind).collect();
            if candidates.is_empty() && !keys.is_empty() {
                return Err(Error::new(
                    ErrorKind::KeyAlgorithmMismatch,
                    format!(
                        "{what} is signed with {algorithm} and names no key; no trusted key is a {kind} key"
                    ),
                ));
            }
            Ok(candidates)
        }
    }
}

/// True when `bytes` look like PEM text rather than DER.
fn looks_like_pem(bytes: &[u8]) -> bool {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
    bytes[start..].starts_with(b"-----BEGIN ")
}

#[cfg(test)]
pub(crate) mod test_keys {
    //! The fixed keys of `tests/vectors/keys/`, so unit tests need not
    //! generate RSA keys (slow in debug builds).
    use super::*;

    pub(crate) const KEY_2048: &str = include_str!("../../../tests/vectors/keys/vendor-2048.key.pem");
    pub(crate) const PUB_2048: &str = include_str!("../../../tests/vectors/keys/vendor-2048.pub.pem");
    pub(crate) const KEY_3072: &str = include_str!("../../../tests/vectors/keys/vendor-3072.key.pem");
    pub(crate) const PUB_3072: &str = include_str!("../../../tests/vectors/keys/vendor-3072.pub.pem");
    pub(crate) const KEY_1024: &str = include_str!("../../../tests/vectors/keys/weak-1024.key.pem");
    pub(crate) const PUB_1024: &str = include_str!("../../../tests/vectors/keys/weak-1024.pub.pem");

    pub(crate) const KEY_P256: &str = include_str!("../../../tests/vectors/keys/vendor-p256.key.pem");
    pub(crate) const SEC1_P256: &str = include_str!("../../../tests/vectors/keys/vendor-p256.sec1.pem");
    pub(crate) const PUB_P256: &str = include_str!("../../../tests/vectors/keys/vendor-p256.pub.pem");
    pub(crate) const KEY_P384: &str = include_str!("../../../tests/vectors/keys/p384.key.pem");
    pub(crate) const PUB_P384: &str = include_str!("../../../tests/vectors/keys/p384.pub.pem");

    /// The order n of the P-256 group, big-endian: the smallest r or s
    /// that is out of range.
    pub(crate) const P256_ORDER: [u8; 32] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xBC,
        0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
    ];

    pub(crate) fn signing_p256() -> SigningKey {
        SigningKey::from_pkcs8_pem(KEY_P256).expect("fixture key")
    }

    pub(crate) fn signing_2048() -> SigningKey {
        SigningKey::from_pkcs8_pem(KEY_2048).expect("fixture key")
    }

    pub(crate) fn signing_3072() -> SigningKey {
        SigningKey::from_pkcs8_pem(KEY_3072).expect("fixture key")
    }
}

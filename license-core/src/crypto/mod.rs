//! Signing and verifying keys: RSA with SHA-256, 2048 bits or more.
//!
//! A vendor holds a [`SigningKey`] (PKCS#8) and ships its [`VerifyingKey`]
//! (SubjectPublicKeyInfo) with the product. Every key has a [`KeyId`], the
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

mod key_id;
#[cfg(feature = "pkcs11")]
pub mod pkcs11;
mod signer;
mod signing;
mod trusted;
mod verifying;

pub use key_id::KeyId;
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

    pub(crate) fn signing_2048() -> SigningKey {
        SigningKey::from_pkcs8_pem(KEY_2048).expect("fixture key")
    }

    pub(crate) fn signing_3072() -> SigningKey {
        SigningKey::from_pkcs8_pem(KEY_3072).expect("fixture key")
    }
}

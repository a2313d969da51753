//! The two kinds of key: RSA and ECDSA P-256.

use std::fmt;

use super::SignatureAlgorithm;

/// The kind of a signing or verifying key. Each kind signs with its own
/// schemes only: an RSA key never verifies an ECDSA signature, nor a P-256
/// key an RSA one ([`crate::ErrorKind::KeyAlgorithmMismatch`]).
///
/// ```
/// use license_core::crypto::{KeyType, SignatureAlgorithm};
/// assert_eq!(KeyType::of(SignatureAlgorithm::EcdsaP256Sha256), KeyType::P256);
/// assert!(KeyType::Rsa.algorithms().contains(&SignatureAlgorithm::RsaPssSha256));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// RSA, 2048 to 4096 bits: PKCS#1 v1.5 and PSS with SHA-256.
    Rsa,
    /// ECDSA on NIST P-256 (secp256r1) with SHA-256.
    P256,
}

/// The schemes of an RSA key.
const RSA_ALGORITHMS: &[SignatureAlgorithm] =
    &[SignatureAlgorithm::RsaPkcs1v15Sha256, SignatureAlgorithm::RsaPssSha256];

/// The scheme of a P-256 key.
const P256_ALGORITHMS: &[SignatureAlgorithm] = &[SignatureAlgorithm::EcdsaP256Sha256];

impl KeyType {
    /// The kind of key that makes and checks `algorithm`.
    pub fn of(algorithm: SignatureAlgorithm) -> KeyType {
        match algorithm {
            SignatureAlgorithm::RsaPkcs1v15Sha256 | SignatureAlgorithm::RsaPssSha256 => KeyType::Rsa,
            SignatureAlgorithm::EcdsaP256Sha256 => KeyType::P256,
        }
    }

    /// The schemes a key of this kind makes and checks.
    pub fn algorithms(self) -> &'static [SignatureAlgorithm] {
        match self {
            KeyType::Rsa => RSA_ALGORITHMS,
            KeyType::P256 => P256_ALGORITHMS,
        }
    }

    /// A short name for messages (`RSA`, `P-256`).
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Rsa => "RSA",
            KeyType::P256 => "P-256",
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_algorithm_belongs_to_the_kind_that_lists_it() {
        for kind in [KeyType::Rsa, KeyType::P256] {
            for &alg in kind.algorithms() {
                assert_eq!(KeyType::of(alg), kind, "{alg}");
            }
        }
    }
}

//! Key ids: short, stable names for verifying keys.

use std::fmt;
use std::str::FromStr;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::{Error, ErrorKind, Result};

/// The length of a key id's text: 32 bytes in unpadded base64url.
const TEXT_LEN: usize = 43;

/// A key's id: the SHA-256 of its SubjectPublicKeyInfo DER, written as
/// unpadded base64url (43 characters). Signed documents carry it (XML-DSig
/// `KeyName`, COSE `kid`) so a verifier can pick the key without trusting
/// any key material from the document itself.
///
/// ```
/// use license_core::KeyId;
/// let id: KeyId = "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU".parse()?;
/// assert_eq!(id.to_string(), "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
/// # Ok::<(), license_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId([u8; 32]);

impl KeyId {
    /// The id of the key whose SubjectPublicKeyInfo DER is `spki_der`.
    pub fn of_spki_der(spki_der: &[u8]) -> KeyId {
        KeyId(Sha256::digest(spki_der).into())
    }

    /// The raw 32 bytes of the digest.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The id from its raw 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> KeyId {
        KeyId(bytes)
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&URL_SAFE_NO_PAD.encode(self.0))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

impl FromStr for KeyId {
    type Err = Error;

    fn from_str(s: &str) -> Result<KeyId> {
        // Checking the length first bounds the decoder's work and gives a
        // clear message for the commonest mistake (a truncated paste).
        if s.len() != TEXT_LEN {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!("key id `{}` has {} characters; a key id has {TEXT_LEN}", clip(s), s.len()),
            ));
        }
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|e| {
            Error::new(ErrorKind::InvalidValue, format!("key id `{s}` is not unpadded base64url: {e}"))
        })?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| Error::new(ErrorKind::InvalidValue, format!("key id `{s}` is not 32 bytes")))?;
        // Reject non-canonical encodings (stray low bits in the last
        // character) so that one key has exactly one id text.
        if URL_SAFE_NO_PAD.encode(bytes) != s {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!("key id `{s}` is not in canonical form"),
            ));
        }
        Ok(KeyId(bytes))
    }
}

/// The first 64 characters of `s`, for error messages about hostile input.
fn clip(s: &str) -> String {
    s.chars().take(64).collect()
}

impl Serialize for KeyId {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for KeyId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<KeyId, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_and_matches_the_digest() {
        let id = KeyId::of_spki_der(b"");
        // SHA-256 of the empty string, in base64url.
        assert_eq!(id.to_string(), "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
        assert_eq!(id.to_string().parse::<KeyId>().unwrap(), id);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(serde_json::from_str::<KeyId>(&json).unwrap(), id);
    }

    #[test]
    fn bad_text_is_rejected() {
        for bad in [
            "",
            "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuF",
            "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=",
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU",
            "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFV",
        ] {
            let err = bad.parse::<KeyId>().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidValue, "{bad}");
        }
    }
}

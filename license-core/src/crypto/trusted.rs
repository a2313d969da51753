//! The set of keys a verifier trusts.

use std::collections::BTreeMap;

use super::{KeyId, VerifyingKey};

/// The verifying keys a product trusts, by id, RSA and P-256 alike.
/// Holding several lets a vendor rotate keys (from RSA to P-256 too):
/// licenses signed with the old key keep verifying while new ones are
/// signed with the new key. Each key checks only signatures of its own
/// kind, whatever else the set holds.
///
/// ```
/// use license_core::{TrustedKeys, VerifyingKey};
/// # let pem = include_str!("../../../tests/vectors/keys/vendor-3072.pub.pem");
/// let mut trusted = TrustedKeys::new();
/// let id = trusted.insert(VerifyingKey::from_public_key_pem(pem)?);
/// assert!(trusted.get(&id).is_some());
/// # Ok::<(), license_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedKeys {
    keys: BTreeMap<KeyId, VerifyingKey>,
}

impl TrustedKeys {
    /// An empty set.
    pub fn new() -> TrustedKeys {
        TrustedKeys::default()
    }

    /// Adds a key and returns its id; adding the same key twice keeps one.
    pub fn insert(&mut self, key: VerifyingKey) -> KeyId {
        let id = key.key_id();
        self.keys.insert(id, key);
        id
    }

    /// The key with this id, if trusted.
    pub fn get(&self, id: &KeyId) -> Option<&VerifyingKey> {
        self.keys.get(id)
    }

    /// Every trusted key, in key id order.
    pub fn iter(&self) -> impl Iterator<Item = (&KeyId, &VerifyingKey)> + '_ {
        self.keys.iter()
    }

    /// The number of trusted keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when no key is trusted (every verification then fails with
    /// [`crate::ErrorKind::NoTrustedKeys`]).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl FromIterator<VerifyingKey> for TrustedKeys {
    fn from_iter<I: IntoIterator<Item = VerifyingKey>>(iter: I) -> TrustedKeys {
        let mut set = TrustedKeys::new();
        for key in iter {
            set.insert(key);
        }
        set
    }
}

impl From<VerifyingKey> for TrustedKeys {
    fn from(key: VerifyingKey) -> TrustedKeys {
        std::iter::once(key).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::test_keys::*;

    #[test]
    fn holds_several_keys_by_id() {
        let a = VerifyingKey::from_public_key_pem(PUB_2048).unwrap();
        let b = VerifyingKey::from_public_key_pem(PUB_3072).unwrap();
        let mut set = TrustedKeys::new();
        assert!(set.is_empty());
        let ida = set.insert(a.clone());
        let idb = set.insert(b.clone());
        set.insert(a.clone());
        assert_eq!(set.len(), 2);
        assert_eq!(set.get(&ida), Some(&a));
        assert_eq!(set.get(&idb), Some(&b));
        assert_eq!(set.get(&KeyId::of_spki_der(b"other")), None);
        let ids: Vec<KeyId> = set.iter().map(|(id, _)| *id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        assert_eq!([a, b].into_iter().collect::<TrustedKeys>(), set);
    }
}

//! Bulk membership loads: many ids into one flag or named set at once, the
//! path the Python bindings take from a numpy array or `array('I')`.

use std::fmt;
use std::str::FromStr;

use super::idset::IdSet;
use super::record::check_name;
use super::Inventory;
use crate::{Error, ErrorKind, Result};

/// Where [`Inventory::add_ids`] puts ids: a flag category or one named
/// group (a store, a metadata field, a collection).
///
/// Its text form is the category name (`enrolled`, `private_key`,
/// `ssl_endpoint`) or `store:NAME`, `metadata:NAME`, `collection:NAME`.
///
/// ```
/// use license_core::actioned::IdGroup;
/// let g: IdGroup = "store:iis-prod-1".parse()?;
/// assert_eq!(g, IdGroup::Store("iis-prod-1".into()));
/// assert_eq!(g.to_string(), "store:iis-prod-1");
/// assert!("revoked".parse::<IdGroup>().is_err()); // times come with records or events
/// # Ok::<(), license_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IdGroup {
    /// Requested through the product.
    Enrolled,
    /// The private key is stored.
    PrivateKey,
    /// Monitored by at least one SSL/TLS endpoint.
    SslEndpoint,
    /// Found in this managed certificate store.
    Store(String),
    /// This metadata field has a value.
    Metadata(String),
    /// In this collection.
    Collection(String),
}

impl fmt::Display for IdGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdGroup::Enrolled => f.write_str("enrolled"),
            IdGroup::PrivateKey => f.write_str("private_key"),
            IdGroup::SslEndpoint => f.write_str("ssl_endpoint"),
            IdGroup::Store(n) => write!(f, "store:{n}"),
            IdGroup::Metadata(n) => write!(f, "metadata:{n}"),
            IdGroup::Collection(n) => write!(f, "collection:{n}"),
        }
    }
}

impl FromStr for IdGroup {
    type Err = Error;

    fn from_str(s: &str) -> Result<IdGroup> {
        let named = |name: &str, what: &str| check_name(name, what).map(|()| name.to_owned());
        match s.split_once(':') {
            None => match s {
                "enrolled" => Ok(IdGroup::Enrolled),
                "private_key" => Ok(IdGroup::PrivateKey),
                "ssl_endpoint" => Ok(IdGroup::SslEndpoint),
                _ => Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!(
                        "id group `{s}`: expected enrolled, private_key, ssl_endpoint, \
                         store:NAME, metadata:NAME or collection:NAME"
                    ),
                )),
            },
            Some(("store", name)) => named(name, "store").map(IdGroup::Store),
            Some(("metadata", name)) => named(name, "metadata field").map(IdGroup::Metadata),
            Some(("collection", name)) => named(name, "collection").map(IdGroup::Collection),
            Some((prefix, _)) => Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("id group `{s}`: unknown prefix `{prefix}` (store, metadata or collection)"),
            )),
        }
    }
}

impl Inventory {
    /// Adds every id of `ids` (any order, repeats allowed) to `group`,
    /// adding certificates not yet present, as the matching events would.
    /// A named group's name is checked first, so a refused call changes
    /// nothing. Ids already in ascending order load fastest.
    pub fn add_ids(&mut self, group: &IdGroup, ids: &[u32]) -> Result<()> {
        let set = IdSet::from_ascending(ids).unwrap_or_else(|| IdSet::from_unsorted(ids.to_vec()));
        self.add_set(group, set)
    }

    fn add_set(&mut self, group: &IdGroup, set: IdSet) -> Result<()> {
        // Names built by hand (not parsed) are checked here, before any change.
        if let IdGroup::Store(n) | IdGroup::Metadata(n) | IdGroup::Collection(n) = group {
            check_name(n, "id group")?;
        }
        if set.is_empty() {
            return Ok(());
        }
        self.cache.clear();
        self.present.union_with(&set);
        let target = match group {
            IdGroup::Enrolled => &mut self.enrolled,
            IdGroup::PrivateKey => &mut self.private_key,
            IdGroup::SslEndpoint => &mut self.ssl,
            IdGroup::Store(n) => self.stores.entry(n.clone()).or_default(),
            IdGroup::Metadata(n) => self.metadata.entry(n.clone()).or_default(),
            IdGroup::Collection(n) => self.collections.entry(n.clone()).or_default(),
        };
        target.union_owned(set);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{license::ActionedLimit, CertificateRecord, CountConfig};
    use time::macros::datetime;

    #[test]
    fn bulk_load_matches_records() {
        let ids: Vec<u32> = (0..200_000u32).map(|i| i.wrapping_mul(2_654_435_761) % 5_000_000).collect();
        let mut bulk = Inventory::new();
        bulk.add_ids(&"store:s1".parse().unwrap(), &ids).unwrap();
        bulk.add_ids(&IdGroup::Enrolled, &ids[..1000]).unwrap();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        let records: Vec<CertificateRecord> = sorted
            .iter()
            .map(|&id| CertificateRecord {
                id,
                stores: vec!["s1".into()],
                enrolled: ids[..1000].contains(&id),
                ..CertificateRecord::default()
            })
            .collect();
        let from_records = Inventory::from_records(&records).unwrap();
        assert_eq!(bulk.to_snapshot(), from_records.to_snapshot());
        let config = CountConfig::new(ActionedLimit::SiteLicense);
        let at = datetime!(2026-01-01 0:00 UTC);
        assert_eq!(bulk.count(at, &config).total(), sorted.len() as u64);
    }

    #[test]
    fn refused_group_changes_nothing() {
        let mut inv = Inventory::new();
        let before = inv.to_snapshot();
        let err = inv.add_ids(&IdGroup::Store(String::new()), &[1, 2, 3]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidRecord);
        assert_eq!(inv.to_snapshot(), before);
        for bad in ["revoked", "shop:x", "store:", "store:a\u{7}"] {
            assert!(bad.parse::<IdGroup>().is_err(), "{bad}");
        }
    }

    #[test]
    fn group_text_round_trips() {
        for text in ["enrolled", "private_key", "ssl_endpoint", "store:a", "metadata:b", "collection:c:d"] {
            assert_eq!(text.parse::<IdGroup>().unwrap().to_string(), text);
        }
    }
}

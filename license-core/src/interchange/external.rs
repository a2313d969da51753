//! Counting from id sets computed elsewhere: the nine sets of the count
//! rule, each possibly in several shards, of 32- or 64-bit ids.
//!
//! Shards are unioned exactly (a certificate on two shards counts once) by
//! the same kernel as [`crate::Inventory::count`]; 64-bit ids are counted
//! one 2^32 bucket at a time (the rule is per id) and the tallies summed.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use roaring::RoaringBitmap;
use time::OffsetDateTime;

use super::{read_id_set, DecodedSet, InterchangeLimits};
use crate::{
    ActionedCount, ActionedLimit, Category, CategorySets, CountTally, Error, ErrorKind, IdSet, Result,
};

/// The name of one of the nine sets, as files and SQL columns carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SetName {
    /// A live category's members (revoked and expired ones included; the
    /// count excludes them).
    Live(Category),
    /// Certificates revoked as of the instant counted.
    Revoked,
    /// Certificates expired as of the instant counted.
    Expired,
    /// Certificates revoked within the week before the instant counted.
    RevokedRecently,
}

impl SetName {
    /// All nine, in the order of the design table then revoked, expired.
    pub const ALL: [SetName; 9] = [
        SetName::Live(Category::Enrolled),
        SetName::RevokedRecently,
        SetName::Live(Category::Metadata),
        SetName::Live(Category::SslEndpoint),
        SetName::Live(Category::CertStore),
        SetName::Live(Category::PrivateKey),
        SetName::Live(Category::Collection),
        SetName::Revoked,
        SetName::Expired,
    ];

    /// The snake_case name (`enrolled`, …, `revoked`, `expired`).
    pub fn name(self) -> &'static str {
        match self {
            SetName::Live(c) => c.name(),
            SetName::Revoked => "revoked",
            SetName::Expired => "expired",
            SetName::RevokedRecently => "revoked_recently",
        }
    }
}

impl fmt::Display for SetName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SetName {
    type Err = Error;
    fn from_str(s: &str) -> Result<SetName> {
        SetName::ALL.into_iter().find(|n| n.name() == s).ok_or_else(|| {
            let known: Vec<&str> = SetName::ALL.iter().map(|n| n.name()).collect();
            Error::new(
                ErrorKind::UnknownSetName,
                format!("`{}` (known: {})", s.escape_debug(), known.join(", ")),
            )
        })
    }
}

/// The nine sets for one instant, each as any number of shards.
///
/// ```
/// use license_core::{ActionedLimit, Category, DecodedSet, ExternalSets, SetName};
/// use roaring::RoaringBitmap;
/// let mut sets = ExternalSets::new();
/// let shard = |ids: &[u32]| DecodedSet::U32(ids.iter().copied().collect::<RoaringBitmap>());
/// sets.add(SetName::Live(Category::Enrolled), shard(&[1, 2, 3]));
/// sets.add(SetName::Live(Category::Enrolled), shard(&[3, 4])); // 3 on two shards
/// sets.add(SetName::Revoked, shard(&[2]));
/// let count = sets.count(time::macros::datetime!(2026-11-23 2:00 UTC), ActionedLimit::SiteLicense);
/// assert_eq!(count.total(), 3); // 1, 3, 4
/// ```
#[derive(Debug, Clone, Default)]
pub struct ExternalSets {
    shards: BTreeMap<SetName, Vec<DecodedSet>>,
}

impl ExternalSets {
    /// No sets: every set is empty until a shard is added.
    pub fn new() -> ExternalSets {
        ExternalSets::default()
    }

    /// Adds one shard of a set.
    pub fn add(&mut self, name: SetName, shard: DecodedSet) {
        self.shards.entry(name).or_default().push(shard);
    }

    /// The shards of a set.
    pub fn shards(&self, name: SetName) -> &[DecodedSet] {
        self.shards.get(&name).map_or(&[], Vec::as_slice)
    }

    /// Reads a directory of files named `SET.bin` or `SET.SHARD.bin` (SET is
    /// the text before the first dot), each a ClickHouse state or bare
    /// portable bytes, detected per file. A missing set is empty; an
    /// unknown SET is [`ErrorKind::UnknownSetName`]; files not ending in
    /// `.bin` are ignored. Files are read in name order.
    pub fn read_dir(dir: &Path, limits: &InterchangeLimits) -> Result<ExternalSets> {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| Error::new(ErrorKind::Io, format!("cannot list {}: {e}", dir.display())))?;
        let mut files: Vec<(String, std::path::PathBuf)> = entries
            .flatten()
            .filter_map(|e| Some((e.file_name().into_string().ok()?, e.path())))
            .filter(|(name, path)| name.ends_with(".bin") && path.is_file())
            .collect();
        files.sort();
        let mut sets = ExternalSets::new();
        for (file_name, path) in files {
            let set_name: SetName =
                file_name.split('.').next().unwrap_or_default().parse().map_err(|e: Error| {
                    Error::new(e.kind(), format!("{}: {}", path.display(), e.detail()))
                })?;
            let bytes = std::fs::read(&path)
                .map_err(|e| Error::new(ErrorKind::Io, format!("cannot read {}: {e}", path.display())))?;
            let (set, _format) = read_id_set(&bytes, None, limits)
                .map_err(|e| Error::new(e.kind(), format!("{}: {}", path.display(), e.detail())))?;
            sets.add(set_name, set);
        }
        Ok(sets)
    }

    /// Counts the actioned certificates these sets describe, as of `as_of`
    /// (the instant the revoked, expired and recent sets were computed for),
    /// against `limit`.
    pub fn count(&self, as_of: OffsetDateTime, limit: ActionedLimit) -> ActionedCount {
        ActionedCount::from_tally(as_of, self.tally(as_of), limit)
    }

    /// The raw counts (see [`ExternalSets::count`]).
    pub fn tally(&self, as_of: OffsetDateTime) -> CountTally {
        let mut total = CountTally::default();
        for bucket in self.buckets() {
            let sets: BTreeMap<SetName, Vec<IdSet>> = self
                .shards
                .iter()
                .map(|(&name, shards)| (name, shards.iter().filter_map(|s| bucket_of(s, bucket)).collect()))
                .collect();
            let mut category_sets = CategorySets::new(as_of);
            for (name, members) in &sets {
                for set in members {
                    category_sets = match name {
                        SetName::Live(c) => category_sets.with(*c, set),
                        SetName::RevokedRecently => category_sets.with(Category::RevokedRecently, set),
                        SetName::Revoked => category_sets.with_revoked(set),
                        SetName::Expired => category_sets.with_expired(set),
                    };
                }
            }
            total.add(&category_sets.tally());
        }
        total
    }

    /// Every 2^32 bucket any shard has ids in, ascending.
    fn buckets(&self) -> Vec<u32> {
        let mut out: Vec<u32> = self
            .shards
            .values()
            .flatten()
            .flat_map(|s| match s {
                DecodedSet::U32(b) => (!b.is_empty()).then_some(0).into_iter().collect::<Vec<_>>(),
                DecodedSet::U64(t) => t.bitmaps().filter(|(_, b)| !b.is_empty()).map(|(k, _)| k).collect(),
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The part of a shard in one 2^32 bucket, as a kernel set.
fn bucket_of(shard: &DecodedSet, bucket: u32) -> Option<IdSet> {
    let bitmap: &RoaringBitmap = match shard {
        DecodedSet::U32(b) if bucket == 0 => b,
        DecodedSet::U32(_) => return None,
        DecodedSet::U64(t) => t.bitmaps().find(|(k, _)| *k == bucket).map(|(_, b)| b)?,
    };
    Some(IdSet::from(bitmap))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CertificateRecord, CountConfig, Inventory};
    use roaring::RoaringTreemap;
    use time::macros::datetime;

    #[test]
    fn set_names_parse_and_unknown_ones_are_errors() {
        for n in SetName::ALL {
            assert_eq!(n.name().parse::<SetName>().unwrap(), n);
        }
        assert_eq!("revoked_lately".parse::<SetName>().unwrap_err().kind(), ErrorKind::UnknownSetName);
    }

    #[test]
    fn shards_union_exactly_and_64_bit_buckets_add_up() {
        let t = datetime!(2026-11-23 2:00 UTC);
        let narrow = |ids: &[u32]| DecodedSet::U32(ids.iter().copied().collect());
        let wide = |ids: &[u64]| DecodedSet::U64(ids.iter().copied().collect::<RoaringTreemap>());
        let mut sets = ExternalSets::new();
        sets.add(SetName::Live(Category::Enrolled), narrow(&[1, 2, 3]));
        sets.add(SetName::Live(Category::Enrolled), wide(&[3, 5 << 32, (5 << 32) + 1]));
        sets.add(SetName::Live(Category::PrivateKey), wide(&[5 << 32]));
        sets.add(SetName::Revoked, wide(&[(5 << 32) + 1, 7 << 32]));
        sets.add(SetName::RevokedRecently, wide(&[(5 << 32) + 1, 7 << 32]));
        sets.add(SetName::Expired, narrow(&[1]));
        let count = sets.count(t, ActionedLimit::Counted(3));
        // Live and not dead: 2, 3, 5<<32. Revoked this week, not expired:
        // (5<<32)+1 and 7<<32.
        assert_eq!(count.total(), 5);
        assert_eq!(count.category(Category::Enrolled), 3);
        assert_eq!(count.category(Category::PrivateKey), 1);
        assert_eq!(count.category(Category::RevokedRecently), 2);
        assert_eq!(count.over_by(), Some(2));
    }

    #[test]
    fn the_same_sets_count_the_same_as_the_inventory() {
        let t = datetime!(2026-11-23 2:00 UTC);
        let records: Vec<CertificateRecord> = crate::synthetic_records(5_000, 7, t).collect();
        let inventory = Inventory::from_records(&records).unwrap();
        let config = CountConfig::new(ActionedLimit::Counted(1_000));
        let expected = inventory.count(t, &config);
        // Rebuild the nine sets from the records with the rule's conditions.
        let mut sets = ExternalSets::new();
        let mut add = |name: SetName, pred: &dyn Fn(&CertificateRecord) -> bool| {
            let ids: RoaringBitmap = records.iter().filter(|r| pred(r)).map(|r| r.id).collect();
            sets.add(name, DecodedSet::U32(ids));
        };
        add(SetName::Live(Category::Enrolled), &|r| r.enrolled);
        add(SetName::Live(Category::Metadata), &|r| !r.metadata.is_empty());
        add(SetName::Live(Category::SslEndpoint), &|r| r.ssl_endpoints > 0);
        add(SetName::Live(Category::CertStore), &|r| !r.stores.is_empty());
        add(SetName::Live(Category::PrivateKey), &|r| r.private_key);
        add(SetName::Live(Category::Collection), &|r| !r.collections.is_empty());
        add(SetName::Revoked, &|r| r.revoked_at.is_some_and(|v| v <= t));
        add(SetName::Expired, &|r| r.expires_at.is_some_and(|e| e <= t));
        add(SetName::RevokedRecently, &|r| {
            r.revoked_at.is_some_and(|v| v <= t && v > t - time::Duration::days(7))
        });
        assert_eq!(sets.count(t, config.limit), expected);
    }
}

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

use roaring::{RoaringBitmap, RoaringTreemap};
use time::OffsetDateTime;

use super::read::read_kernel_buckets;
use super::{
    write_clickhouse_state32, write_clickhouse_state64, write_portable32, write_portable64, DecodedSet,
    IdSetFormat, InterchangeLimits,
};
use crate::{
    actioned::{Category, CategorySets, CountTally},
    license::ActionedLimit,
    ActionedCount, CountConfig, Error, ErrorKind, IdSet, Inventory, Result,
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

/// The nine sets for one instant, each as any number of shards, held as
/// the count kernel's sets per 2^32 bucket.
///
/// ```
/// use license_core::{license::ActionedLimit, actioned::Category, interchange::{DecodedSet, ExternalSets, SetName}};
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
    /// Per bucket, every shard's part in it.
    parts: BTreeMap<u32, Vec<(SetName, IdSet)>>,
    /// How many shards each set was given as.
    shard_counts: BTreeMap<SetName, usize>,
}

impl ExternalSets {
    /// No sets: every set is empty until a shard is added.
    pub fn new() -> ExternalSets {
        ExternalSets::default()
    }

    /// Adds one shard of a set.
    pub fn add(&mut self, name: SetName, shard: DecodedSet) {
        let buckets: Vec<(u32, IdSet)> = match &shard {
            DecodedSet::U32(b) => vec![(0, IdSet::from(b))],
            DecodedSet::U64(t) => t.bitmaps().map(|(k, b)| (k, IdSet::from(b))).collect(),
        };
        self.add_buckets(name, buckets);
    }

    /// Adds one shard of a set from its file bytes (a ClickHouse state or
    /// bare portable bytes of either width, detected as [`super::read_id_set`]
    /// does), decoding straight into the kernel's sets.
    pub fn add_bytes(&mut self, name: SetName, bytes: &[u8], limits: &InterchangeLimits) -> Result<()> {
        let buckets = read_kernel_buckets(bytes, limits)?;
        self.add_buckets(name, buckets);
        Ok(())
    }

    fn add_buckets(&mut self, name: SetName, buckets: Vec<(u32, IdSet)>) {
        *self.shard_counts.entry(name).or_default() += 1;
        for (bucket, set) in buckets {
            if !set.is_empty() {
                self.parts.entry(bucket).or_default().push((name, set));
            }
        }
    }

    /// How many shards a set was given as.
    pub fn shard_count(&self, name: SetName) -> usize {
        self.shard_counts.get(&name).copied().unwrap_or(0)
    }

    /// A set with its shards unioned: 32-bit when every id fits.
    pub fn union(&self, name: SetName) -> DecodedSet {
        let mut buckets: BTreeMap<u32, RoaringBitmap> = BTreeMap::new();
        for (&bucket, parts) in &self.parts {
            for (n, set) in parts {
                if *n == name {
                    *buckets.entry(bucket).or_default() |= set.to_roaring();
                }
            }
        }
        if buckets.keys().all(|&k| k == 0) {
            DecodedSet::U32(buckets.remove(&0).unwrap_or_default())
        } else {
            DecodedSet::U64(RoaringTreemap::from_bitmaps(buckets))
        }
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
        let in_file =
            |path: &Path, e: Error| Error::new(e.kind(), format!("{}: {}", path.display(), e.detail()));
        for (file_name, path) in files {
            let set_name: SetName =
                file_name.split('.').next().unwrap_or_default().parse().map_err(|e| in_file(&path, e))?;
            let bytes = std::fs::read(&path)
                .map_err(|e| Error::new(ErrorKind::Io, format!("cannot read {}: {e}", path.display())))?;
            sets.add_bytes(set_name, &bytes, limits).map_err(|e| in_file(&path, e))?;
        }
        Ok(sets)
    }

    /// The nine sets of an inventory at `at` under `config`, one shard each:
    /// what an engine would compute, so that counts can move to another
    /// instance of the library or into ClickHouse. Counting them gives the
    /// inventory's own count.
    pub fn from_inventory(inventory: &Inventory, at: OffsetDateTime, config: &CountConfig) -> ExternalSets {
        let t = crate::timefmt::normalize(at, "at").unwrap_or(at).unix_timestamp();
        let week_before = t - 7 * 86_400;
        let mut sets = ExternalSets::new();
        for (category, members) in Category::LIVE.iter().zip(inventory.live_sets(config)) {
            let mut union = IdSet::new();
            for member in members {
                union.union_with(member);
            }
            sets.add_buckets(SetName::Live(*category), vec![(0, union)]);
        }
        let dead = |index: &crate::actioned::TimeIndex, after: Option<i64>| -> IdSet {
            index
                .iter()
                .filter(|&(_, secs)| secs <= t && after.is_none_or(|a| secs > a))
                .map(|(id, _)| id)
                .collect()
        };
        sets.add_buckets(SetName::Revoked, vec![(0, dead(&inventory.revocations, None))]);
        sets.add_buckets(SetName::Expired, vec![(0, dead(&inventory.expiries, None))]);
        sets.add_buckets(
            SetName::RevokedRecently,
            vec![(0, dead(&inventory.revocations, Some(week_before)))],
        );
        sets
    }

    /// Writes each set (its shards unioned) to `dir/SET.bin` in `format`:
    /// 32-bit when every id fits, else 64-bit. Deterministic. Returns the
    /// files written, in set order.
    pub fn write_dir(&self, dir: &Path, format: IdSetFormat) -> Result<Vec<std::path::PathBuf>> {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::new(ErrorKind::Io, format!("cannot create {}: {e}", dir.display())))?;
        let mut written = Vec::new();
        for name in SetName::ALL {
            let bytes = match (self.union(name), format) {
                (DecodedSet::U32(b), IdSetFormat::Portable) => write_portable32(&b),
                (DecodedSet::U32(b), IdSetFormat::ClickHouse) => write_clickhouse_state32(&b),
                (DecodedSet::U64(t), IdSetFormat::Portable) => write_portable64(&t),
                (DecodedSet::U64(t), IdSetFormat::ClickHouse) => write_clickhouse_state64(&t),
            };
            let path = dir.join(format!("{name}.bin"));
            crate::fsutil::atomic_write(&path, &bytes)?;
            written.push(path);
        }
        Ok(written)
    }

    /// Counts the actioned certificates these sets describe, as of `as_of`
    /// (the instant the revoked, expired and recent sets were computed for),
    /// against `limit`.
    pub fn count(&self, as_of: OffsetDateTime, limit: ActionedLimit) -> ActionedCount {
        ActionedCount::from_tally(as_of, self.tally(as_of), limit)
    }

    /// The raw counts (see [`ExternalSets::count`]): each bucket's shards go
    /// to the kernel as they are, which unions them chunk by chunk.
    pub fn tally(&self, as_of: OffsetDateTime) -> CountTally {
        let mut total = CountTally::default();
        for parts in self.parts.values() {
            let mut category_sets = CategorySets::new(as_of);
            for (name, set) in parts {
                category_sets = match name {
                    SetName::Live(c) => category_sets.with(*c, set),
                    SetName::RevokedRecently => category_sets.with(Category::RevokedRecently, set),
                    SetName::Revoked => category_sets.with_revoked(set),
                    SetName::Expired => category_sets.with_expired(set),
                };
            }
            total.add(&category_sets.tally());
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CertificateRecord;
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
        let records: Vec<CertificateRecord> = crate::actioned::synthetic_records(5_000, 7, t).collect();
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
        // The export computes the same nine sets, and they survive a round
        // trip through files of either format.
        let exported = ExternalSets::from_inventory(&inventory, t, &config);
        for name in SetName::ALL {
            assert_eq!(exported.union(name), sets.union(name), "{name}");
        }
        for format in [IdSetFormat::Portable, IdSetFormat::ClickHouse] {
            let dir = tempfile::tempdir().unwrap();
            let files = exported.write_dir(dir.path(), format).unwrap();
            assert_eq!(files.len(), 9);
            let read = ExternalSets::read_dir(dir.path(), &InterchangeLimits::default()).unwrap();
            assert_eq!(read.count(t, config.limit), expected, "{format:?}");
        }
    }
}

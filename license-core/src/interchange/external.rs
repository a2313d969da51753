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

use super::{
    read_id_set, write_clickhouse_state32, write_clickhouse_state64, write_portable32, write_portable64,
    DecodedSet, IdSetFormat, InterchangeLimits,
};
use crate::{
    ActionedCount, ActionedLimit, Category, CategorySets, CountConfig, CountTally, Error, ErrorKind, IdSet,
    Inventory, Result,
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
/// use roaring::{RoaringBitmap, RoaringTreemap};
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

    /// The nine sets of an inventory at `at` under `config`, one shard each:
    /// what an engine would compute, so that counts can move to another
    /// instance of the library or into ClickHouse. Counting them gives the
    /// inventory's own count.
    pub fn from_inventory(inventory: &Inventory, at: OffsetDateTime, config: &CountConfig) -> ExternalSets {
        let t = crate::timefmt::normalize(at, "at").unwrap_or(at).unix_timestamp();
        let week_before = t - 7 * 86_400;
        let mut sets = ExternalSets::new();
        for (category, members) in Category::LIVE.iter().zip(inventory.live_sets(config)) {
            let mut union = RoaringBitmap::new();
            for member in members {
                union |= member.to_roaring();
            }
            sets.add(SetName::Live(*category), DecodedSet::U32(union));
        }
        let at_or_before = |index: &crate::actioned::TimeIndex, lo: Option<i64>| -> RoaringBitmap {
            let ids = index
                .iter()
                .filter(|&(_, secs)| secs <= t && lo.is_none_or(|lo| secs > lo))
                .map(|(id, _)| id);
            RoaringBitmap::from_sorted_iter(ids).unwrap_or_default()
        };
        sets.add(SetName::Revoked, DecodedSet::U32(at_or_before(&inventory.revocations, None)));
        sets.add(SetName::Expired, DecodedSet::U32(at_or_before(&inventory.expiries, None)));
        sets.add(
            SetName::RevokedRecently,
            DecodedSet::U32(at_or_before(&inventory.revocations, Some(week_before))),
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
            let shards = self.shards(name);
            let bytes = if shards.iter().all(|s| matches!(s, DecodedSet::U32(_))) {
                let mut union = RoaringBitmap::new();
                for s in shards {
                    if let DecodedSet::U32(b) = s {
                        union |= b;
                    }
                }
                match format {
                    IdSetFormat::Portable => write_portable32(&union),
                    IdSetFormat::ClickHouse => write_clickhouse_state32(&union),
                }
            } else {
                let mut union = RoaringTreemap::new();
                for s in shards {
                    union |= s.clone().into_u64();
                }
                match format {
                    IdSetFormat::Portable => write_portable64(&union),
                    IdSetFormat::ClickHouse => write_clickhouse_state64(&union),
                }
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
        // The export computes the same nine sets, and they survive a round
        // trip through files of either format.
        let exported = ExternalSets::from_inventory(&inventory, t, &config);
        for name in SetName::ALL {
            assert_eq!(exported.shards(name), sets.shards(name), "{name}");
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

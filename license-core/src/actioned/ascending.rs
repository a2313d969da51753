//! Records in ascending id order straight to id sets, the common case of
//! [`Inventory::insert_records`].
//!
//! The general path fills a u32 column per flag and name
//! ([`CertificateColumns`](super::CertificateColumns)), then turns each
//! column into a set. When ids ascend, each record's id can instead go
//! straight into the low halves of its 2^16-id chunk, one small buffer per
//! set, which becomes the set's chunk when the next chunk starts: no
//! column of every id, no second pass over it. The records are cut into
//! one range per thread at chunk edges, so each thread builds whole
//! chunks and the ranges' sets join by appending.
//!
//! The checks and their order are those of the general path: the first
//! invalid record's error, then name limits, then ids already present. A
//! range whose ids do not ascend gives up, and the batch takes the general
//! path, which reports the same errors for any order.

use std::collections::HashMap;

use super::columns::{available_threads, check_list, names_over_limit, BuiltSets, NameColumns, NAME_KINDS};
use super::idset::IdSet;
use super::inventory::secs_of;
use super::limits::InventoryLimits;
use super::record::{check_name, MAX_NAMES_PER_RECORD};
use super::times::TimeIndex;
use super::{CertificateRecord, Inventory};
use crate::{Error, ErrorKind, Result};

/// Batches smaller than this are scanned on the calling thread.
const PARALLEL_MIN: usize = 1 << 16;

/// One set being built chunk by chunk: the low halves of the current
/// chunk's ids (ascending), then the finished chunks.
#[derive(Default)]
struct SetColumn {
    lows: Vec<u16>,
    set: IdSet,
}

impl SetColumn {
    #[inline]
    fn add(&mut self, low: u16) {
        self.lows.push(low);
    }

    /// Ends chunk `key`.
    fn finish_chunk(&mut self, key: u16) {
        if !self.lows.is_empty() {
            self.set.push_lows(key, &self.lows);
            self.lows.clear();
        }
    }
}

/// One time per id: the current chunk's low halves and seconds, then the
/// finished chunks, encoded on the scanning thread (the ranges' indexes
/// then join by [`TimeIndex::append`], with no serial encoding after the
/// parallel scan).
#[derive(Default)]
struct TimeColumn {
    lows: Vec<u16>,
    secs: Vec<i64>,
    index: TimeIndex,
    scratch: Vec<u32>,
}

impl TimeColumn {
    #[inline]
    fn add(&mut self, low: u16, secs: i64) {
        self.lows.push(low);
        self.secs.push(secs);
    }

    /// Ends chunk `key`.
    fn finish_chunk(&mut self, key: u16) {
        if !self.lows.is_empty() {
            self.index.push_chunk_secs(key, &self.lows, &self.secs, &mut self.scratch);
            self.lows.clear();
            self.secs.clear();
        }
    }
}

/// What one thread built from its range of records.
#[derive(Default)]
struct Scan {
    /// The range's first and last id.
    first: Option<u32>,
    last: Option<u32>,
    present: SetColumn,
    enrolled: SetColumn,
    private_key: SetColumn,
    ssl: SetColumn,
    /// Bit slices of endpoint counts beyond the first.
    extra: Vec<SetColumn>,
    revoked: TimeColumn,
    expires: TimeColumn,
    /// Stores, metadata fields, collections: names in order of first
    /// appearance, and a set per name (by slot).
    names: [NameColumns; 3],
    named: [Vec<SetColumn>; 3],
}

/// How a range's scan ended.
enum Outcome {
    Built(Box<Scan>),
    /// The range's first invalid record.
    Invalid(Error),
    /// Ids not in strictly ascending order: the general path's case.
    Unordered,
}

impl Scan {
    fn finish_chunk(&mut self, key: u16) {
        let sets = [&mut self.present, &mut self.enrolled, &mut self.private_key, &mut self.ssl];
        for column in sets.into_iter().chain(&mut self.extra).chain(self.named.iter_mut().flatten()) {
            column.finish_chunk(key);
        }
        self.revoked.finish_chunk(key);
        self.expires.finish_chunk(key);
    }

    /// Adds one record (id above every id so far) to the columns,
    /// checking it as [`CertificateColumns::push`](super::CertificateColumns::push) does.
    #[inline]
    fn add(&mut self, r: &CertificateRecord, low: u16) -> Result<()> {
        let id = r.id;
        let revoked = r.revoked_at.map(|t| secs_of(t, id, "revoked_at")).transpose()?;
        let expires = r.expires_at.map(|t| secs_of(t, id, "expires_at")).transpose()?;
        // Each name's set takes the id as its slot is found: should a check
        // fail, the whole scan is dropped, so what was added does not
        // matter. A name listed twice finds its set ending with this id
        // already (ids ascend, and a set's lows are of the current chunk).
        let lists = [&r.stores, &r.metadata, &r.collections];
        for (k, list) in lists.into_iter().enumerate() {
            if list.len() > MAX_NAMES_PER_RECORD {
                return Err(record_error(r));
            }
            let (what, sets) = (NAME_KINDS[k], &mut self.named[k]);
            for name in list.iter() {
                let check = |n: &str| check_name(n, what);
                let Ok(slot) = self.names[k].slot(name, check) else { return Err(record_error(r)) };
                if slot == sets.len() {
                    sets.push(SetColumn::default());
                }
                let column = &mut sets[slot];
                if column.lows.last() == Some(&low) {
                    return Err(record_error(r));
                }
                column.add(low);
            }
        }
        self.present.add(low);
        if r.enrolled {
            self.enrolled.add(low);
        }
        if r.private_key {
            self.private_key.add(low);
        }
        if r.ssl_endpoints > 0 {
            self.ssl.add(low);
            let extra = r.ssl_endpoints - 1;
            for k in 0..(32 - extra.leading_zeros()) as usize {
                if extra >> k & 1 == 1 {
                    if self.extra.len() <= k {
                        self.extra.resize_with(k + 1, SetColumn::default);
                    }
                    self.extra[k].add(low);
                }
            }
        }
        for (column, secs) in [(&mut self.revoked, revoked), (&mut self.expires, expires)] {
            if let Some(secs) = secs {
                column.add(low, secs);
            }
        }
        Ok(())
    }
}

/// The error of record `r`, whose names failed a check, as
/// [`CertificateColumns::push`](super::CertificateColumns::push) reports
/// it: every list's length and repeats first, then each name in turn.
#[cold]
fn record_error(r: &CertificateRecord) -> Error {
    let id = r.id;
    let lists = [&r.stores, &r.metadata, &r.collections];
    let first = lists.into_iter().enumerate().find_map(|(k, list)| check_list(list, id, NAME_KINDS[k]).err());
    let named = || {
        lists.into_iter().enumerate().find_map(|(k, list)| {
            list.iter()
                .find_map(|n| check_name(n, NAME_KINDS[k]).err())
                .map(|e| Error::new(e.kind(), format!("certificate {id}: {}", e.detail())))
        })
    };
    first
        .or_else(named)
        .unwrap_or_else(|| Error::new(ErrorKind::InvalidRecord, format!("certificate {id}: invalid names")))
}

/// Scans `records`, building each set chunk by chunk.
fn scan(records: &[CertificateRecord]) -> Outcome {
    let mut s = Box::new(Scan { first: records.first().map(|r| r.id), ..Scan::default() });
    s.present.lows.reserve(records.len().min(1 << 16));
    let mut key: Option<u16> = None;
    for r in records {
        let id = r.id;
        if s.last.is_some_and(|l| id <= l) {
            return Outcome::Unordered;
        }
        let k = (id >> 16) as u16;
        if key != Some(k) {
            if let Some(prev) = key {
                s.finish_chunk(prev);
            }
            key = Some(k);
        }
        if let Err(e) = s.add(r, id as u16) {
            return Outcome::Invalid(e);
        }
        s.last = Some(id);
    }
    if let Some(prev) = key {
        s.finish_chunk(prev);
    }
    Outcome::Built(s)
}

/// Where to cut `records` into `n` ranges: near equal, each cut moved
/// forward to the next chunk edge (ascending ids change chunk within
/// 2^16 records), so no chunk spans two ranges.
fn cuts(records: &[CertificateRecord], n: usize) -> Vec<usize> {
    let key = |i: usize| records[i].id >> 16;
    let mut cuts = vec![0];
    for t in 1..n {
        let mut at = (records.len() * t / n).max(cuts.last().copied().unwrap_or(0));
        while at > 0 && at < records.len() && key(at - 1) == key(at) {
            at += 1;
        }
        cuts.push(at);
    }
    cuts.push(records.len());
    cuts
}

/// One set from the ranges' sets (in order; disjoint chunks, so each
/// union appends).
fn join_sets(sets: impl Iterator<Item = IdSet>) -> IdSet {
    let mut all = IdSet::new();
    for set in sets {
        all.union_owned(set);
    }
    all
}

/// The ranges' sets joined (ranges in order, their chunks disjoint and
/// ascending), with names merged in order of first appearance.
fn join(mut scans: Vec<Scan>) -> BuiltSets {
    let mut times = |f: fn(&mut Scan) -> &mut TimeColumn| {
        let mut all = TimeIndex::default();
        for scan in &mut scans {
            all.append(std::mem::take(&mut f(scan).index));
        }
        all
    };
    let revoked = times(|s| &mut s.revoked);
    let expires = times(|s| &mut s.expires);
    let mut take = |f: fn(&mut Scan) -> &mut SetColumn| {
        join_sets(scans.iter_mut().map(|s| std::mem::take(&mut f(s).set)))
    };
    let present = take(|s| &mut s.present);
    let enrolled = take(|s| &mut s.enrolled);
    let private_key = take(|s| &mut s.private_key);
    let ssl = take(|s| &mut s.ssl);
    let slices = scans.iter().map(|s| s.extra.len()).max().unwrap_or(0);
    let extra = (0..slices)
        .map(|k| {
            join_sets(scans.iter_mut().filter_map(|s| s.extra.get_mut(k).map(|c| std::mem::take(&mut c.set))))
        })
        .collect();
    let named = (0..3)
        .map(|k| {
            let mut merged: Vec<(String, IdSet)> = Vec::new();
            let mut index: HashMap<String, usize> = HashMap::new();
            for scan in &mut scans {
                let names = std::mem::take(&mut scan.names[k].names);
                for (name, column) in names.into_iter().zip(std::mem::take(&mut scan.named[k])) {
                    match index.get(&name) {
                        Some(&i) => merged[i].1.union_owned(column.set),
                        None => {
                            index.insert(name.clone(), merged.len());
                            merged.push((name, column.set));
                        }
                    }
                }
            }
            merged
        })
        .collect();
    BuiltSets { present, enrolled, private_key, ssl, extra, revoked, expires, named }
}

impl Inventory {
    /// [`Inventory::insert_records`] for records in ascending id order:
    /// `None` when they are not (nothing changed; take the general path),
    /// else what the general path would return, with the same changes.
    pub(crate) fn insert_ascending_records(
        &mut self,
        records: &[CertificateRecord],
        limits: &InventoryLimits,
    ) -> Option<Result<()>> {
        let threads = if records.len() < PARALLEL_MIN { 1 } else { available_threads() };
        self.insert_ascending_on(records, limits, threads)
    }

    /// As [`Inventory::insert_ascending_records`], on `threads` threads.
    fn insert_ascending_on(
        &mut self,
        records: &[CertificateRecord],
        limits: &InventoryLimits,
        threads: usize,
    ) -> Option<Result<()>> {
        let cuts = cuts(records, threads);
        let ranges: Vec<&[CertificateRecord]> = cuts.windows(2).map(|w| &records[w[0]..w[1]]).collect();
        let outcomes: Vec<Outcome> = if ranges.len() <= 1 {
            ranges.iter().map(|r| scan(r)).collect()
        } else {
            std::thread::scope(|s| {
                let handles: Vec<_> = ranges[1..].iter().map(|&r| s.spawn(move || scan(r))).collect();
                let mut outcomes = vec![scan(ranges[0])];
                for h in handles {
                    outcomes.push(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
                }
                outcomes
            })
        };
        let mut scans = Vec::with_capacity(outcomes.len());
        let mut last: Option<u32> = None;
        for outcome in outcomes {
            match outcome {
                // Every record before this one is valid and ascending: this
                // is the batch's first invalid record.
                Outcome::Invalid(e) => return Some(Err(e)),
                Outcome::Unordered => return None,
                Outcome::Built(scan) => {
                    if let (Some(l), Some(first)) = (last, scan.first) {
                        if first <= l {
                            return None;
                        }
                    }
                    last = scan.last.or(last);
                    scans.push(*scan);
                }
            }
        }
        let built = join(scans);
        for (k, what) in NAME_KINDS.into_iter().enumerate() {
            let names: Vec<&str> = built.named[k].iter().map(|(n, _)| n.as_str()).collect();
            let known = [&self.stores, &self.metadata, &self.collections][k];
            // Ids ascend: a name's first certificate is its set's least id.
            let first = |i: usize| built.named[k][i].1.iter().next();
            if let Err(e) = names_over_limit(&names, first, known, limits.max_names(what), what) {
                return Some(Err(e));
            }
        }
        Some(self.commit_sets(built, false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actioned::CertificateColumns;
    use proptest::prelude::*;
    use time::macros::datetime;

    fn record() -> impl Strategy<Value = CertificateRecord> {
        let name = prop_oneof![Just("a"), Just("b"), Just("ccc"), Just("d\u{7}"), Just("")];
        let names = proptest::collection::vec(name.prop_map(str::to_owned), 0..3);
        let at = prop_oneof![
            Just(None),
            (0i64..40).prop_map(|d| Some(datetime!(2026-11-01 0:00 UTC) + time::Duration::days(d))),
            Just(Some(datetime!(1969-12-31 23:00 UTC))),
            Just(Some(datetime!(9999-12-31 23:00 UTC))),
        ];
        let id = prop_oneof![0u32..40, 65_530u32..65_545, 131_070u32..131_075, Just(u32::MAX)];
        (
            id,
            any::<(bool, bool)>(),
            prop_oneof![0u32..4, Just(u32::MAX)],
            names.clone(),
            names.clone(),
            names,
            at.clone(),
            at,
        )
            .prop_map(
                |(
                    id,
                    (enrolled, private_key),
                    ssl_endpoints,
                    stores,
                    metadata,
                    collections,
                    revoked_at,
                    expires_at,
                )| {
                    CertificateRecord {
                        id,
                        enrolled,
                        private_key,
                        ssl_endpoints,
                        stores,
                        metadata,
                        collections,
                        revoked_at,
                        expires_at,
                    }
                },
            )
    }

    fn outcome(
        inv: &Inventory,
        r: Result<()>,
    ) -> (std::result::Result<(), (crate::ErrorKind, String)>, Vec<u8>) {
        (r.map_err(|e| (e.kind(), e.detail().to_owned())), inv.to_snapshot())
    }

    proptest! {
        /// Ascending records built chunk by chunk, on 1 to 3 threads, give
        /// what the general path gives: the same inventory, or the same
        /// error and nothing changed; records out of order are left to the
        /// general path untouched.
        #[test]
        fn ascending_path_builds_what_the_general_path_builds(
            mut records in proptest::collection::vec(record(), 0..60),
            sorted in any::<bool>(),
            max_names in 1usize..5,
            existing in proptest::option::of(record()),
            threads in 1usize..4,
        ) {
            if sorted {
                records.sort_by_key(|r| r.id);
                records.dedup_by_key(|r| r.id);
            }
            let base = match existing {
                Some(r) => Inventory::from_records(&[r]).unwrap_or_default(),
                None => Inventory::new(),
            };
            let limits = InventoryLimits { max_stores: max_names, max_metadata_fields: max_names, max_collections: max_names };
            let mut general = base.clone();
            let rg = CertificateColumns::parts_of(&records, 1).and_then(|parts| general.insert_parts_within(parts, &limits, 1));
            let want = outcome(&general, rg);
            let mut fast = base.clone();
            match fast.insert_ascending_on(&records, &limits, threads) {
                Some(r) => {
                    prop_assert!(records.windows(2).all(|w| w[0].id < w[1].id) || r.is_err());
                    prop_assert_eq!(outcome(&fast, r), want);
                }
                None => {
                    prop_assert!(!records.windows(2).all(|w| w[0].id < w[1].id));
                    prop_assert_eq!(fast.to_snapshot(), base.to_snapshot());
                }
            }
        }
    }

    /// A name repeated within a record is refused as the general path
    /// refuses it, while the same name on consecutive records (the set
    /// ending with the previous id, in the same chunk or the next) is not.
    #[test]
    fn a_name_listed_twice_is_found_by_the_set_s_last_id() {
        let with = |id: u32, stores: &[&str]| CertificateRecord {
            stores: stores.iter().map(|s| s.to_string()).collect(),
            ..CertificateRecord::new(id)
        };
        let fine = [with(1, &["a"]), with(2, &["a", "b"]), with(65_536, &["b", "a"])];
        let mut inv = Inventory::new();
        assert_eq!(
            inv.insert_ascending_on(&fine, &InventoryLimits::UNLIMITED, 1).map(|r| r.is_ok()),
            Some(true)
        );
        assert_eq!(inv.len(), 3);
        let twice = [with(1, &["a"]), with(2, &["b", "a", "b"])];
        let want = CertificateColumns::parts_of(&twice, 1).err().map(|e| e.detail().to_owned());
        assert!(want.is_some(), "the general path refuses the record");
        let mut fast = Inventory::new();
        let got = fast.insert_ascending_on(&twice, &InventoryLimits::UNLIMITED, 1);
        assert_eq!(got.and_then(|r| r.err()).map(|e| e.detail().to_owned()), want);
        assert!(fast.is_empty());
    }

    #[test]
    fn cuts_fall_on_chunk_edges() {
        let records: Vec<CertificateRecord> =
            [1, 2, 65_535, 65_536, 65_537, 200_000].into_iter().map(CertificateRecord::new).collect();
        assert_eq!(cuts(&records, 2), [0, 3, 6]);
        assert_eq!(cuts(&records, 3), [0, 3, 5, 6]);
        assert_eq!(cuts(&records[..2], 3), [0, 0, 2, 2]);
    }
}

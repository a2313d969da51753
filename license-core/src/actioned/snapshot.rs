//! Inventory snapshots: the whole inventory as bytes and back.
//!
//! A small versioned container around roaring's portable serialization
//! (the format every Roaring implementation reads); laid out byte by byte in
//! docs/FORMATS.md ("Inventory snapshot"). Deterministic: the same
//! inventory gives the same bytes. Loading checks every declared length
//! against the bytes that remain before allocating, checks that the sets
//! agree with each other, and never panics.

use std::collections::BTreeMap;

use super::columns::available_threads;
use super::idset::{Chunk, IdSet};
use super::inventory::{NamedSets, MAX_SECS, MIN_SECS};
use super::limits::InventoryLimits;
use super::read_options::ReadOptions;
use super::record::check_name;
use super::times::TimeIndex;
use super::Inventory;
use crate::interchange::decode_portable32;
use crate::{Error, ErrorKind, Result};

/// The first eight bytes of a snapshot.
pub const SNAPSHOT_MAGIC: &[u8; 8] = b"LCINVSNP";
/// The snapshot format version this library writes and reads.
pub const SNAPSHOT_VERSION: u16 = 1;

/// Writes a set run-optimised, so the same ids give the same bytes
/// whichever layout (array, bitset, runs) holds them.
fn put_set(out: &mut Vec<u8>, set: &IdSet) {
    let mut bitmap = set.to_roaring();
    // What `write_portable32` does, without its copy of the bitmap.
    bitmap.optimize();
    out.extend_from_slice(&(bitmap.serialized_size() as u32).to_le_bytes());
    // Writing into a Vec cannot fail.
    let _ = bitmap.serialize_into(&mut *out);
}

fn put_named(out: &mut Vec<u8>, sets: &NamedSets) {
    out.extend_from_slice(&(sets.len() as u32).to_le_bytes());
    for (name, set) in sets {
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        put_set(out, set);
    }
}

fn put_times(out: &mut Vec<u8>, times: &TimeIndex) {
    let ids: Vec<u32> = times.iter().map(|p| p.0).collect();
    put_set(out, &IdSet::from_ascending(&ids).unwrap_or_default());
    for (_, secs) in times.iter() {
        out.extend_from_slice(&secs.to_le_bytes());
    }
}

impl Inventory {
    /// The snapshot bytes of the whole inventory.
    pub fn to_snapshot(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(SNAPSHOT_MAGIC);
        out.extend_from_slice(&SNAPSHOT_VERSION.to_le_bytes());
        for set in [&self.present, &self.enrolled, &self.private_key, &self.ssl] {
            put_set(&mut out, set);
        }
        out.extend_from_slice(&(self.ssl_extra.len() as u32).to_le_bytes());
        for slice in &self.ssl_extra {
            put_set(&mut out, slice);
        }
        for sets in [&self.stores, &self.metadata, &self.collections] {
            put_named(&mut out, sets);
        }
        put_times(&mut out, &self.revocations);
        put_times(&mut out, &self.expiries);
        out
    }

    /// Loads a snapshot; malformed or inconsistent bytes are a
    /// [`ErrorKind::SnapshotFormat`] (or [`ErrorKind::UnsupportedVersion`])
    /// error naming the byte offset.
    pub fn from_snapshot(bytes: &[u8]) -> Result<Inventory> {
        Inventory::from_snapshot_with_limits(bytes, &InventoryLimits::default())
    }

    /// As [`Inventory::from_snapshot`], with `limits` on the distinct names
    /// ([`ErrorKind::TooManyNames`] past them).
    pub fn from_snapshot_with_limits(bytes: &[u8], limits: &InventoryLimits) -> Result<Inventory> {
        Inventory::from_snapshot_with_options(
            bytes,
            &ReadOptions { limits: *limits, ..ReadOptions::default() },
        )
    }

    /// As [`Inventory::from_snapshot_with_limits`], with `options`: the
    /// name limits and the threads the time sections are decoded on
    /// ([`ReadOptions::threads`]). The result, and the error for a bad
    /// snapshot, are the same on any number of threads.
    ///
    /// ```
    /// use license_core::{actioned::ReadOptions, CertificateRecord, Inventory};
    /// let inv = Inventory::from_records(&[CertificateRecord::new(7)])?;
    /// let bytes = inv.to_snapshot();
    /// let options = ReadOptions { threads: 2, ..ReadOptions::default() };
    /// let back = Inventory::from_snapshot_with_options(&bytes, &options)?;
    /// assert_eq!(back.to_snapshot(), bytes);
    /// # Ok::<(), license_core::Error>(())
    /// ```
    pub fn from_snapshot_with_options(bytes: &[u8], options: &ReadOptions) -> Result<Inventory> {
        let threads = match options.threads {
            0 if bytes.len() < SNAPSHOT_PARALLEL_MIN => 1,
            0 => available_threads(),
            n => n,
        };
        Reader { bytes, at: 0, limits: &options.limits, threads }.inventory()
    }

    /// The most heap bytes [`Inventory::from_snapshot`] holds at its peak
    /// for `input_len` input bytes, the inventory included:
    /// `SNAPSHOT_HEAP_PER_INPUT_BYTE × input_len + SNAPSHOT_HEAP_BASE`
    /// (docs/FORMATS.md, "Memory bounds").
    pub const fn snapshot_heap_bound(input_len: usize) -> usize {
        input_len.saturating_mul(SNAPSHOT_HEAP_PER_INPUT_BYTE).saturating_add(SNAPSHOT_HEAP_BASE)
    }
}

/// Snapshots from this many bytes on are read on every available core by
/// default (below, starting threads costs more than it saves: a 2^16-id
/// chunk of times is 512 KiB and takes about half a millisecond).
const SNAPSHOT_PARALLEL_MIN: usize = 4 << 20;

/// Heap bytes per input byte in [`Inventory::snapshot_heap_bound`].
pub const SNAPSHOT_HEAP_PER_INPUT_BYTE: usize = 16;
/// Fixed heap bytes in [`Inventory::snapshot_heap_bound`].
pub const SNAPSHOT_HEAP_BASE: usize = 256 << 10;

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    limits: &'a InventoryLimits,
    /// Threads reading each time section (at least 1).
    threads: usize,
}

impl Reader<'_> {
    fn err(&self, what: impl std::fmt::Display) -> Error {
        Error::new(ErrorKind::SnapshotFormat, format!("at byte {}: {what}", self.at))
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&[u8]> {
        if self.bytes.len() - self.at < n {
            return Err(Error::new(
                ErrorKind::Truncated,
                format!(
                    "snapshot at byte {}: {what} needs {n} bytes, {} remain",
                    self.at,
                    self.bytes.len() - self.at
                ),
            ));
        }
        let slice = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(slice)
    }

    fn u16(&mut self, what: &str) -> Result<u16> {
        let b = self.take(2, what)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self, what: &str) -> Result<u32> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A set, decoded container by container (runs stay runs): memory
    /// and time follow its bytes, not the ids it claims.
    fn set(&mut self, what: &str) -> Result<IdSet> {
        let len = self.u32(what)? as usize;
        let start = self.at;
        let body = self.take(len, what)?;
        decode_portable32(body).map_err(|e| {
            Error::new(
                ErrorKind::SnapshotFormat,
                format!("at byte {start}: {what}: not one Roaring portable bitmap: {}", e.detail()),
            )
        })
    }

    fn named(&mut self, what: &str, present: &IdSet) -> Result<NamedSets> {
        let n = self.u32(what)?;
        let max = self.limits.max_names(what);
        if n as usize > max {
            return Err(Error::new(
                ErrorKind::TooManyNames,
                format!("snapshot at byte {}: {what}: {n} names, over the limit of {max}", self.at - 4),
            ));
        }
        // Each entry takes at least 2 + 4 + 8 bytes; checked before looping.
        if n as usize > (self.bytes.len() - self.at) / 14 {
            return Err(self.err(format!("{what}: {n} names cannot fit in the remaining bytes")));
        }
        let mut sets = BTreeMap::new();
        let mut last: Option<String> = None;
        for _ in 0..n {
            let len = self.u16(what)? as usize;
            let at = self.at;
            let name = std::str::from_utf8(self.take(len, what)?)
                .map_err(|_| {
                    Error::new(ErrorKind::SnapshotFormat, format!("at byte {at}: {what}: name is not UTF-8"))
                })?
                .to_owned();
            check_name(&name, what).map_err(|e| {
                Error::new(ErrorKind::SnapshotFormat, format!("at byte {at}: {}", e.detail()))
            })?;
            if last.as_ref().is_some_and(|l| *l >= name) {
                return Err(Error::new(
                    ErrorKind::SnapshotFormat,
                    format!("at byte {at}: {what}: names not in ascending order"),
                ));
            }
            let set = self.set(what)?;
            if set.is_empty() || !subset(&set, present) {
                return Err(self.err(format!("{what} `{name}`: empty, or holds ids not in the inventory")));
            }
            last = Some(name.clone());
            sets.insert(name, set);
        }
        Ok(sets)
    }

    /// A time index: its ids as a set, then each id's seconds as an i64
    /// in id order. Read chunk by chunk straight into the index's layout
    /// (no per-id pairs, no sort), on up to [`Reader::threads`] threads:
    /// once the ids are known, so is where each chunk's times start.
    fn times(&mut self, what: &str, present: &IdSet) -> Result<TimeIndex> {
        let ids = self.set(what)?;
        let outside = self.err(format!("{what}: ids not in the inventory"));
        if ids.len() > ((self.bytes.len() - self.at) / 8) as u64 {
            // The ⊆ check's error comes first, as its place in the file does.
            if !subset(&ids, present) {
                return Err(outside);
            }
            return Err(Error::new(
                ErrorKind::Truncated,
                format!("snapshot at byte {}: {what}: too few time bytes", self.at),
            ));
        }
        let start = self.at;
        // In bounds: checked above.
        self.at += ids.len() as usize * 8;
        let body = &self.bytes[start..self.at];
        let section = TimeSection { what, ids: &ids, body, start };
        let parts = section.parts(self.threads);
        // The ⊆ check runs beside the other parts, before the first: its
        // error, when there is one, is reported before any time's.
        let first = || subset(&ids, present).then(|| section.read(parts.first().cloned().unwrap_or(0..0)));
        let (first, rest) = if parts.len() <= 1 {
            (first(), Vec::new())
        } else {
            std::thread::scope(|s| {
                let handles: Vec<_> =
                    parts.iter().skip(1).map(|range| s.spawn(|| section.read(range.clone()))).collect();
                let first = first();
                // A part does not panic; if one did, re-raise it here.
                let rest =
                    handles.into_iter().map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
                (first, rest.collect())
            })
        };
        // The parts are in file order and each stops at its first bad
        // time: the first error among them is the first in the file.
        let mut index = first.ok_or(outside)??;
        for part in rest {
            index.append(part?);
        }
        Ok(index)
    }

    fn inventory(mut self) -> Result<Inventory> {
        if self.take(8, "magic")? != SNAPSHOT_MAGIC {
            return Err(Error::new(ErrorKind::SnapshotFormat, "not an inventory snapshot (bad magic)"));
        }
        let version = self.u16("version")?;
        if version != SNAPSHOT_VERSION {
            return Err(Error::new(
                ErrorKind::UnsupportedVersion,
                format!("inventory snapshot version {version}"),
            ));
        }
        let present = self.set("present")?;
        let mut inv = Inventory { present, ..Inventory::default() };
        for (what, slot) in [("enrolled", 0), ("private_key", 1), ("ssl", 2)] {
            let set = self.set(what)?;
            if !subset(&set, &inv.present) {
                return Err(self.err(format!("{what}: ids not in the inventory")));
            }
            match slot {
                0 => inv.enrolled = set,
                1 => inv.private_key = set,
                _ => inv.ssl = set,
            }
        }
        let slices = self.u32("ssl_extra")?;
        if slices > 32 {
            return Err(self.err(format!("ssl_extra: {slices} slices (at most 32)")));
        }
        for k in 0..slices {
            let set = self.set("ssl_extra slice")?;
            if !subset(&set, &inv.ssl) || (k + 1 == slices && set.is_empty()) {
                return Err(
                    self.err(format!("ssl_extra slice {k}: ids not monitored, or an empty last slice"))
                );
            }
            inv.ssl_extra.push(set);
        }
        inv.stores = self.named("stores", &inv.present)?;
        inv.metadata = self.named("metadata", &inv.present)?;
        inv.collections = self.named("collections", &inv.present)?;
        inv.revocations = self.times("revocations", &inv.present)?;
        inv.expiries = self.times("expiries", &inv.present)?;
        if self.at != self.bytes.len() {
            return Err(Error::new(
                ErrorKind::TrailingBytes,
                format!("snapshot: {} bytes after the end", self.bytes.len() - self.at),
            ));
        }
        Ok(inv)
    }
}

/// The times of one time section, split into parts of whole chunks that
/// are read on their own.
struct TimeSection<'a> {
    what: &'a str,
    ids: &'a IdSet,
    /// Eight bytes per id, in id order.
    body: &'a [u8],
    /// Where `body` starts in the snapshot.
    start: usize,
}

impl TimeSection<'_> {
    /// Ranges of chunk positions, at most `threads`, with about as many
    /// times each (a part holds whole chunks).
    fn parts(&self, threads: usize) -> Vec<std::ops::Range<usize>> {
        let chunks = self.ids.keys().len();
        let threads = threads.clamp(1, chunks.max(1));
        let per = self.ids.len().div_ceil(threads as u64).max(1);
        let mut parts = Vec::with_capacity(threads);
        let (mut first, mut filled) = (0, 0u64);
        for i in 0..chunks {
            filled += self.chunk_len(i) as u64;
            if filled >= per * (parts.len() as u64 + 1) || i + 1 == chunks {
                parts.push(first..i + 1);
                first = i + 1;
            }
        }
        parts
    }

    /// Ids in the chunk at position `i`.
    fn chunk_len(&self, i: usize) -> usize {
        match self.ids.chunk(self.ids.keys()[i]) {
            Some(Chunk::Array(a)) => a.len(),
            Some(Chunk::Bits(_, n) | Chunk::Runs(_, n)) => *n as usize,
            None => 0,
        }
    }

    /// The index of the chunks at positions `range`; the first time out
    /// of range among them is the error.
    fn read(&self, range: std::ops::Range<usize>) -> Result<TimeIndex> {
        let mut at = (0..range.start).map(|i| self.chunk_len(i) * 8).sum::<usize>();
        let mut index = TimeIndex::default();
        let (mut lows, mut scratch) = (Vec::new(), Vec::new());
        for i in range {
            self.ids.lows_at(i, &mut lows);
            let bytes = &self.body[at..at + lows.len() * 8];
            let key = self.ids.keys()[i];
            if let Err(k) = index.push_chunk_le(key, &lows, bytes, MIN_SECS..=MAX_SECS, &mut scratch) {
                let id = u32::from(key) << 16 | u32::from(lows[k]);
                let secs = i64::from_le_bytes(bytes[8 * k..8 * k + 8].try_into().unwrap_or([0; 8]));
                return Err(Error::new(
                    ErrorKind::SnapshotFormat,
                    format!(
                        "at byte {}: {}: time {secs} of certificate {id} is outside years 1970..=9999",
                        self.start + at + 8 * k,
                        self.what,
                    ),
                ));
            }
            at += bytes.len();
        }
        Ok(index)
    }
}

fn subset(set: &IdSet, of: &IdSet) -> bool {
    set.is_subset(of)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CertificateRecord;
    use proptest::prelude::*;
    use time::OffsetDateTime;

    /// Seconds from 1970 to after 2106 (past the exact u32 column), and the
    /// years' ends.
    fn secs() -> impl Strategy<Value = i64> {
        prop_oneof![
            1_600_000_000i64..1_900_000_000,
            Just(MIN_SECS),
            Just(MAX_SECS),
            4_294_967_000i64..4_294_968_000,
        ]
    }

    /// A time no snapshot may hold.
    fn bad_secs() -> impl Strategy<Value = i64> {
        prop_oneof![Just(-1i64), Just(MAX_SECS + 1), Just(i64::MIN), Just(i64::MAX)]
    }

    fn load(bytes: &[u8], threads: usize) -> Result<Inventory> {
        Inventory::from_snapshot_with_options(bytes, &ReadOptions { threads, ..ReadOptions::default() })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// On any number of threads a snapshot loads as on one: the same
        /// inventory (its bytes again), and for a snapshot with bad times
        /// the same error, naming the first bad time in the file.
        #[test]
        fn any_thread_count_loads_as_one_thread(
            times in proptest::collection::btree_map(0u32..(6 << 16), (proptest::option::of(secs()), proptest::option::of(secs())), 1..2_000),
            dense in proptest::option::of(0u32..6),
            threads in 2usize..7,
            bad in proptest::collection::vec((any::<bool>(), any::<prop::sample::Index>(), bad_secs()), 0..3),
        ) {
            let mut times = times;
            // A chunk with most of its ids timed: the dense layout.
            if let Some(key) = dense {
                for i in 0..30_000u32 {
                    times.insert((key << 16) | (i * 2), (Some(1_700_000_000 + i64::from(i) * 97), Some(1_750_000_000 - i64::from(i))));
                }
            }
            let at = |s: Option<i64>| s.map(|s| OffsetDateTime::from_unix_timestamp(s).unwrap());
            let records: Vec<CertificateRecord> = times
                .iter()
                .map(|(&id, &(revoked, expires))| {
                    let mut r = CertificateRecord::new(id);
                    (r.revoked_at, r.expires_at) = (at(revoked), at(expires));
                    r
                })
                .collect();
            let inv = Inventory::from_records(&records).unwrap();
            let mut bytes = inv.to_snapshot();
            let one = load(&bytes, 1).unwrap();
            let many = load(&bytes, threads).unwrap();
            prop_assert!(one.to_snapshot() == bytes);
            prop_assert!(many.to_snapshot() == bytes);
            prop_assert_eq!((many.revocations.len(), many.expiries.len()), (one.revocations.len(), one.expiries.len()));
            prop_assert_eq!(many.revocations.keys(), one.revocations.keys());
            prop_assert_eq!(many.expiries.keys(), one.expiries.keys());

            // Where each section's times are: the expiries' last, after
            // their id set, and the revocations' before that set.
            let (revoked, expiring) = (inv.revocations.len() as usize, inv.expiries.len() as usize);
            let mut set = Vec::new();
            put_set(&mut set, &IdSet::from_ascending(&inv.expiries.iter().map(|p| p.0).collect::<Vec<_>>()).unwrap_or_default());
            let expiries_at = bytes.len() - 8 * expiring;
            let revocations_at = expiries_at - set.len() - 8 * revoked;
            let mut first: Option<usize> = None;
            for (in_revocations, k, secs) in bad {
                let (start, n) = if in_revocations { (revocations_at, revoked) } else { (expiries_at, expiring) };
                if n == 0 {
                    continue;
                }
                let offset = start + 8 * k.index(n);
                bytes[offset..offset + 8].copy_from_slice(&secs.to_le_bytes());
                first = Some(first.map_or(offset, |f| f.min(offset)));
            }
            let (one, many) = (load(&bytes, 1), load(&bytes, threads));
            if let Some(first) = first {
                let (one, many) = (one.map(|_| ()).unwrap_err(), many.map(|_| ()).unwrap_err());
                prop_assert_eq!(one.to_string(), many.to_string());
                prop_assert_eq!(one.kind(), ErrorKind::SnapshotFormat);
                prop_assert!(one.detail().starts_with(&format!("at byte {first}: ")), "{} (first bad time at {})", one, first);
            }
        }
    }
}

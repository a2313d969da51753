//! Inventory snapshots: the whole inventory as bytes and back.
//!
//! A small versioned container around roaring's portable serialization
//! (the format every Roaring implementation reads); laid out byte by byte in
//! docs/FORMATS.md ("Inventory snapshot"). Deterministic: the same
//! inventory gives the same bytes. Loading checks every declared length
//! against the bytes that remain before allocating, checks that the sets
//! agree with each other, and never panics.

use std::collections::BTreeMap;

use super::idset::IdSet;
use super::inventory::{NamedSets, MAX_SECS, MIN_SECS};
use super::limits::InventoryLimits;
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
        Reader { bytes, at: 0, limits }.inventory()
    }

    /// The most heap bytes [`Inventory::from_snapshot`] holds at its peak
    /// for `input_len` input bytes, the inventory included:
    /// `SNAPSHOT_HEAP_PER_INPUT_BYTE × input_len + SNAPSHOT_HEAP_BASE`
    /// (docs/FORMATS.md, "Memory bounds").
    pub const fn snapshot_heap_bound(input_len: usize) -> usize {
        input_len.saturating_mul(SNAPSHOT_HEAP_PER_INPUT_BYTE).saturating_add(SNAPSHOT_HEAP_BASE)
    }
}

/// Heap bytes per input byte in [`Inventory::snapshot_heap_bound`].
pub const SNAPSHOT_HEAP_PER_INPUT_BYTE: usize = 16;
/// Fixed heap bytes in [`Inventory::snapshot_heap_bound`].
pub const SNAPSHOT_HEAP_BASE: usize = 256 << 10;

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    limits: &'a InventoryLimits,
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
    /// (no per-id pairs, no sort).
    fn times(&mut self, what: &str, present: &IdSet) -> Result<TimeIndex> {
        let ids = self.set(what)?;
        if !subset(&ids, present) {
            return Err(self.err(format!("{what}: ids not in the inventory")));
        }
        if ids.len() > ((self.bytes.len() - self.at) / 8) as u64 {
            return Err(Error::new(
                ErrorKind::Truncated,
                format!("snapshot at byte {}: {what}: too few time bytes", self.at),
            ));
        }
        let mut index = TimeIndex::default();
        let (mut lows, mut secs, mut scratch) = (Vec::new(), Vec::new(), Vec::new());
        for (i, &key) in ids.keys().iter().enumerate() {
            ids.lows_at(i, &mut lows);
            let start = self.at;
            let bytes = self.take(lows.len() * 8, what)?;
            secs.clear();
            secs.extend(
                bytes
                    .chunks_exact(8)
                    .map(|b| i64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])),
            );
            // One branch-free pass; the offending time is looked for only
            // when there is one.
            let bad = secs.iter().fold(false, |bad, s| bad | !(MIN_SECS..=MAX_SECS).contains(s));
            if bad {
                let k = secs.iter().position(|s| !(MIN_SECS..=MAX_SECS).contains(s)).unwrap_or(0);
                let id = u32::from(key) << 16 | u32::from(lows[k]);
                return Err(Error::new(
                    ErrorKind::SnapshotFormat,
                    format!(
                        "at byte {}: {what}: time {} of certificate {id} is outside years 1970..=9999",
                        start + 8 * k,
                        secs[k]
                    ),
                ));
            }
            index.push_chunk_secs(key, &lows, &secs, &mut scratch);
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

fn subset(set: &IdSet, of: &IdSet) -> bool {
    set.is_subset(of)
}

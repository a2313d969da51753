//! `TimeIndex`: one instant (whole seconds) per certificate, laid out so that
//! "which ids have a time `<= t`" (and "in `(lo, t]`") is exact for any `t`
//! and costs one pass per 2^16-id chunk.
//!
//! Day buckets alone would make the boundary day inexact, and exact seconds
//! per bucket still need a per-id lookup to move an id when its time
//! changes. So each chunk keeps the instants themselves: a sorted array of
//! (low id, time) pairs when few ids in the chunk have one, a dense column of
//! 65,536 times when many do. The dense column keeps each time's top bits in
//! a byte column compared eight at a time against `t`'s (the rest only on
//! a tie), giving the chunk's bit mask directly.
//!
//! Times are stored as `seconds since 1970 + 1` in a u32 (0 = none), exact
//! until 2106; the rare later times are stored as [`OVERFLOW`] with their
//! exact value in a side map, consulted only when `t` is that late.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use multiversion::multiversion;

use super::idset::{gallop, Block, WORDS};
use super::packed::{mask_dense, Packed};

/// Marks a time too late for the u32 column; the exact value is in the
/// overflow map.
const OVERFLOW: u32 = u32::MAX;
/// Largest seconds value stored exactly in the column.
const MAX_EXACT: i64 = u32::MAX as i64 - 3;
/// Sparse chunks are only weighed for packing from this many entries on,
/// and then every [`PACK_CHECK`] entries (each weighing reads the chunk).
const SPARSE_MIN: usize = 2048;
const PACK_CHECK: usize = 1024;
/// Bytes a sparse entry costs (a u16 low id and a u32 time).
const SPARSE_ENTRY: usize = 6;

fn encode(secs: i64) -> u32 {
    if (0..=MAX_EXACT).contains(&secs) {
        secs as u32 + 1
    } else {
        OVERFLOW
    }
}

/// The seconds of an eight-byte little-endian i64.
fn secs(b: &[u8]) -> i64 {
    i64::from_le_bytes(b.try_into().unwrap_or([0; 8]))
}

/// Encodes the little-endian i64 seconds of `bytes` into `out` (as long),
/// and returns whether any is outside `min..=max`, and the least and the
/// greatest encoded value: one branch-free pass, in vector registers
/// where the target has 64-bit lane compares.
#[multiversion(targets("x86_64+avx2", "x86_64+sse4.2", "aarch64+neon"))]
fn encode_le(bytes: &[u8], min: i64, max: i64, out: &mut [u32]) -> (bool, u32, u32) {
    let (mut bad, mut lo, mut hi) = (false, u32::MAX, 0);
    for (o, b) in out.iter_mut().zip(bytes.chunks_exact(8)) {
        let s = secs(b);
        bad |= (s < min) | (s > max);
        // `encode`, written as a select.
        let e = if s as u64 <= MAX_EXACT as u64 { s as u32 + 1 } else { OVERFLOW };
        (lo, hi) = (lo.min(e), hi.max(e));
        *o = e;
    }
    (bad, lo, hi)
}

/// The exclusive bound `b` such that a stored value `v` (non-zero) has
/// `v - 1 < b` exactly when its seconds are `<= secs`, for exact values.
fn bound(secs: i64) -> u32 {
    secs.saturating_add(1).clamp(0, i64::from(u32::MAX - 1)) as u32
}

#[derive(Clone)]
enum TimeChunk {
    /// Sorted by low id; parallel arrays.
    Sparse(Vec<u16>, Vec<u32>),
    /// Every slot, bit-packed.
    Dense(Packed),
}

impl TimeChunk {
    fn len(&self) -> usize {
        match self {
            TimeChunk::Sparse(l, _) => l.len(),
            TimeChunk::Dense(p) => p.n as usize,
        }
    }

    /// A dense chunk of these entries if it is smaller than the sparse
    /// one; `None` otherwise.
    fn pack(lows: &[u16], times: &[u32]) -> Option<Packed> {
        let lo = times.iter().copied().min()?;
        let hi = times.iter().copied().max()?;
        TimeChunk::pack_within(lo, hi, lows, times)
    }

    /// As [`TimeChunk::pack`], for times known to lie in `lo..=hi` (the
    /// least and the greatest of them).
    fn pack_within(lo: u32, hi: u32, lows: &[u16], times: &[u32]) -> Option<Packed> {
        if lows.len() * SPARSE_ENTRY <= Packed::bytes_for(hi - lo, lows.len()) {
            return None;
        }
        Some(Packed::build(lo, hi, lows, times))
    }
}

/// One instant per id, for revocations or expiries.
#[derive(Clone, Default)]
pub(crate) struct TimeIndex {
    keys: Vec<u16>,
    chunks: Vec<TimeChunk>,
    /// Exact seconds of times after [`MAX_EXACT`].
    overflow: BTreeMap<u32, i64>,
    len: u64,
}

impl TimeIndex {
    /// Releases the spare capacity of the chunk lists and of each sparse
    /// chunk (a dense chunk's columns are sized exactly).
    pub(crate) fn shrink_to_fit(&mut self) {
        self.keys.shrink_to_fit();
        self.chunks.shrink_to_fit();
        for chunk in &mut self.chunks {
            if let TimeChunk::Sparse(lows, times) = chunk {
                lows.shrink_to_fit();
                times.shrink_to_fit();
            }
        }
    }

    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    pub(crate) fn keys(&self) -> &[u16] {
        &self.keys
    }

    fn find(&self, key: u16) -> Result<usize, usize> {
        match self.keys.last() {
            Some(&last) if last == key => Ok(self.keys.len() - 1),
            Some(&last) if last < key => Err(self.keys.len()),
            _ => self.keys.binary_search(&key),
        }
    }

    /// The time of `id`, in seconds since 1970.
    pub(crate) fn get(&self, id: u32) -> Option<i64> {
        let i = self.find((id >> 16) as u16).ok()?;
        let low = id as u16;
        let v = match &self.chunks[i] {
            TimeChunk::Sparse(l, t) => t[l.binary_search(&low).ok()?],
            TimeChunk::Dense(p) => p.get(low),
        };
        self.decode(id, v)
    }

    fn decode(&self, id: u32, v: u32) -> Option<i64> {
        match v {
            0 => None,
            OVERFLOW => self.overflow.get(&id).copied(),
            v => Some(i64::from(v) - 1),
        }
    }

    /// Sets the time of `id`; returns the previous one.
    pub(crate) fn set(&mut self, id: u32, secs: i64) -> Option<i64> {
        let old = self.get(id);
        let enc = encode(secs);
        if enc == OVERFLOW {
            self.overflow.insert(id, secs);
        } else if old.is_some_and(|o| encode(o) == OVERFLOW) {
            self.overflow.remove(&id);
        }
        let (key, low) = ((id >> 16) as u16, id as u16);
        let i = match self.find(key) {
            Ok(i) => i,
            Err(i) => {
                self.keys.insert(i, key);
                self.chunks.insert(i, TimeChunk::Sparse(Vec::new(), Vec::new()));
                i
            }
        };
        let mut weigh = false;
        match &mut self.chunks[i] {
            TimeChunk::Sparse(l, t) => match l.binary_search(&low) {
                Ok(at) => t[at] = enc,
                Err(at) => {
                    l.insert(at, low);
                    t.insert(at, enc);
                    weigh = l.len() >= SPARSE_MIN && l.len() % PACK_CHECK == 0;
                }
            },
            TimeChunk::Dense(p) => {
                if !p.holds(enc) {
                    // Widening is bounded: each one adds at least a bit.
                    *p = p.widened(enc, enc);
                }
                p.put(low, enc);
            }
        }
        if weigh {
            if let TimeChunk::Sparse(l, t) = &self.chunks[i] {
                if let Some(p) = TimeChunk::pack(l, t) {
                    self.chunks[i] = TimeChunk::Dense(p);
                }
            }
        }
        self.len += u64::from(old.is_none());
        old
    }

    /// Sets (`Some`) or clears (`None`) the time of each low id of chunk
    /// `key`, as [`TimeIndex::set`] and [`TimeIndex::remove`] one change at
    /// a time would, and calls `changed(low, new)` for each whose time
    /// changed. `changes` ascend by low id, each low once. One lookup of
    /// the chunk, and a sparse chunk is merged in one pass: set one by one,
    /// each insert would shift the rest of the chunk.
    pub(crate) fn put_chunk(
        &mut self,
        key: u16,
        changes: &[(u16, Option<i64>)],
        mut changed: impl FnMut(u16, Option<i64>),
    ) {
        let id = |low: u16| u32::from(key) << 16 | u32::from(low);
        let i = match self.find(key) {
            Ok(i) => i,
            Err(_) if changes.iter().all(|c| c.1.is_none()) => return,
            Err(i) => {
                self.keys.insert(i, key);
                self.chunks.insert(i, TimeChunk::Sparse(Vec::new(), Vec::new()));
                i
            }
        };
        let before = self.chunks[i].len();
        let mut take = |this: &mut Self, low: u16, old: u32, new: Option<i64>| -> u32 {
            let old_secs = this.decode(id(low), old);
            let enc = new.map_or(0, encode);
            if old == OVERFLOW && enc != OVERFLOW {
                this.overflow.remove(&id(low));
            }
            if let (OVERFLOW, Some(secs)) = (enc, new) {
                this.overflow.insert(id(low), secs);
            }
            if old_secs != new {
                changed(low, new);
            }
            enc
        };
        let mut chunk = std::mem::replace(&mut self.chunks[i], TimeChunk::Sparse(Vec::new(), Vec::new()));
        match &mut chunk {
            TimeChunk::Sparse(l, t) => {
                let (mut lows, mut times) = (Vec::with_capacity(l.len() + changes.len()), Vec::new());
                times.reserve(l.len() + changes.len());
                let mut at = 0;
                for &(low, new) in changes {
                    // Galloped to: the changes are a few of the chunk's lows.
                    let from = gallop(l, at, low);
                    lows.extend_from_slice(&l[at..from]);
                    times.extend_from_slice(&t[at..from]);
                    at = from;
                    let old = if l.get(at) == Some(&low) {
                        at += 1;
                        t[at - 1]
                    } else {
                        0
                    };
                    let enc = take(self, low, old, new);
                    if enc != 0 {
                        lows.push(low);
                        times.push(enc);
                    }
                }
                lows.extend_from_slice(&l[at..]);
                times.extend_from_slice(&t[at..]);
                // Weighed for packing where one change at a time would have
                // weighed it: from SPARSE_MIN entries on, at each multiple
                // of PACK_CHECK it grew past.
                let after = lows.len();
                let crossed = after >= SPARSE_MIN && after / PACK_CHECK > before / PACK_CHECK;
                chunk = match crossed.then(|| TimeChunk::pack(&lows, &times)).flatten() {
                    Some(p) => TimeChunk::Dense(p),
                    None => TimeChunk::Sparse(lows, times),
                };
            }
            TimeChunk::Dense(p) => {
                let mut encoded = Vec::with_capacity(changes.len());
                for &(low, new) in changes {
                    let enc = new.map_or(0, encode);
                    if enc != 0 && !p.holds(enc) {
                        // Widening is bounded: each one adds at least a bit.
                        // A column's range depends on its range alone, so
                        // widening before the puts gives the same column.
                        *p = p.widened(enc, enc);
                    }
                    encoded.push((low, enc));
                }
                // The old times come from the puts themselves (each low
                // once: its old time is the one before the batch), in
                // the order of the changes, so no slot is looked up twice.
                let mut olds = Vec::with_capacity(changes.len());
                p.put_all(&encoded, |old| olds.push(old));
                let mut removed = false;
                for (&(low, new), &old) in changes.iter().zip(&olds) {
                    let enc = take(self, low, old, new);
                    removed |= old != 0 && enc == 0;
                }
                // Back to sparse at half the size of the column, as
                // `remove` does.
                if removed && (p.n as usize) * SPARSE_ENTRY * 2 < p.bytes() {
                    let (l, t) = p.entries().unzip();
                    chunk = TimeChunk::Sparse(l, t);
                }
            }
        }
        let after = chunk.len();
        self.len = self.len + after as u64 - before as u64;
        if after == 0 {
            self.keys.remove(i);
            self.chunks.remove(i);
        } else {
            self.chunks[i] = chunk;
        }
    }

    /// Removes the time of `id`; returns it.
    pub(crate) fn remove(&mut self, id: u32) -> Option<i64> {
        let old = self.get(id)?;
        self.overflow.remove(&id);
        let (key, low) = ((id >> 16) as u16, id as u16);
        let Ok(i) = self.find(key) else { return None };
        let mut unpack = false;
        match &mut self.chunks[i] {
            TimeChunk::Sparse(l, t) => {
                if let Ok(at) = l.binary_search(&low) {
                    l.remove(at);
                    t.remove(at);
                }
            }
            TimeChunk::Dense(p) => {
                p.put(low, 0);
                // Back to sparse at half the size of the column, so that
                // an id set and removed at the threshold does not convert
                // each time.
                unpack = p.n as usize * SPARSE_ENTRY * 2 < p.bytes();
            }
        }
        if unpack {
            if let TimeChunk::Dense(p) = &self.chunks[i] {
                let (l, t) = p.entries().unzip();
                self.chunks[i] = TimeChunk::Sparse(l, t);
            }
        }
        if self.chunks[i].len() == 0 {
            self.keys.remove(i);
            self.chunks.remove(i);
        }
        self.len -= 1;
        Some(old)
    }

    /// Builds an index from (id, seconds) pairs with distinct ids.
    pub(crate) fn from_pairs(mut pairs: Vec<(u32, i64)>) -> TimeIndex {
        pairs.sort_unstable_by_key(|p| p.0);
        let mut index = TimeIndex::default();
        let mut start = 0;
        let (mut lows, mut secs, mut scratch) = (Vec::new(), Vec::new(), Vec::new());
        while start < pairs.len() {
            let key = (pairs[start].0 >> 16) as u16;
            let end = start + pairs[start..].partition_point(|p| (p.0 >> 16) as u16 == key);
            lows.clear();
            secs.clear();
            lows.extend(pairs[start..end].iter().map(|p| p.0 as u16));
            secs.extend(pairs[start..end].iter().map(|p| p.1));
            index.push_chunk_secs(key, &lows, &secs, &mut scratch);
            start = end;
        }
        index
    }

    /// Appends chunk `key` (above every key held) with these sorted low
    /// ids and their encoded times, which lie in `lo..=hi` (the least and
    /// the greatest of them), in whichever layout is smaller.
    fn push_chunk(&mut self, key: u16, lows: &[u16], times: &[u32], lo: u32, hi: u32) {
        let chunk = match TimeChunk::pack_within(lo, hi, lows, times) {
            Some(p) => TimeChunk::Dense(p),
            None => TimeChunk::Sparse(lows.to_vec(), times.to_vec()),
        };
        self.len += lows.len() as u64;
        self.keys.push(key);
        self.chunks.push(chunk);
    }

    /// Keeps the exact seconds of chunk `key`'s times that encode as
    /// [`OVERFLOW`]: called only when a chunk's greatest encoded time is
    /// [`OVERFLOW`], so the common chunk costs no second pass.
    fn keep_overflow(&mut self, key: u16, lows: &[u16], secs: impl Iterator<Item = i64>) {
        let high = u32::from(key) << 16;
        for (&low, s) in lows.iter().zip(secs) {
            if encode(s) == OVERFLOW {
                self.overflow.insert(high | u32::from(low), s);
            }
        }
    }

    /// Appends chunk `key`, above every chunk held, with these sorted,
    /// distinct low ids and their seconds: how a reader that has the ids
    /// chunk by chunk builds the index without sorting.
    pub(crate) fn push_chunk_secs(&mut self, key: u16, lows: &[u16], secs: &[i64], scratch: &mut Vec<u32>) {
        debug_assert!(self.keys.last().is_none_or(|&k| k < key) && lows.len() == secs.len());
        if lows.is_empty() {
            return;
        }
        let (mut lo, mut hi) = (u32::MAX, 0);
        scratch.clear();
        scratch.extend(secs.iter().map(|&s| {
            let e = encode(s);
            lo = lo.min(e);
            hi = hi.max(e);
            e
        }));
        if hi == OVERFLOW {
            self.keep_overflow(key, lows, secs.iter().copied());
        }
        self.push_chunk(key, lows, scratch, lo, hi);
    }

    /// Appends chunk `key`, above every chunk held, with these sorted,
    /// distinct low ids and their seconds as little-endian i64s, eight
    /// bytes each: how a reader that has the ids chunk by chunk (a
    /// snapshot) builds the index without sorting. One pass over the bytes
    /// decodes, checks against `valid`, encodes and finds the range of the
    /// times; each later step (the overflow map, the offending time) runs
    /// only when the pass saw its case. `Err(k)`: time `k` is outside
    /// `valid` (the first such), and nothing was appended.
    pub(crate) fn push_chunk_le(
        &mut self,
        key: u16,
        lows: &[u16],
        bytes: &[u8],
        valid: RangeInclusive<i64>,
        scratch: &mut Vec<u32>,
    ) -> Result<(), usize> {
        debug_assert!(self.keys.last().is_none_or(|&k| k < key) && bytes.len() == lows.len() * 8);
        scratch.clear();
        scratch.resize(lows.len(), 0);
        let (bad, lo, hi) = encode_le(bytes, *valid.start(), *valid.end(), scratch);
        if bad {
            return Err(bytes.chunks_exact(8).position(|b| !valid.contains(&secs(b))).unwrap_or(0));
        }
        if lows.is_empty() {
            return Ok(());
        }
        if hi == OVERFLOW {
            self.keep_overflow(key, lows, bytes.chunks_exact(8).map(secs));
        }
        self.push_chunk(key, lows, scratch, lo, hi);
        Ok(())
    }

    /// Moves every chunk of `other`, whose keys must all be above `self`'s,
    /// onto the end of `self`: how the parts of an index built in parallel
    /// over ascending id ranges are joined without re-encoding a time.
    pub(crate) fn append(&mut self, mut other: TimeIndex) {
        debug_assert!(match (self.keys.last(), other.keys.first()) {
            (Some(last), Some(first)) => last < first,
            _ => true,
        });
        self.keys.append(&mut other.keys);
        self.chunks.append(&mut other.chunks);
        self.overflow.append(&mut other.overflow);
        self.len += other.len;
    }

    /// Adds every pair of `other`, whose ids must not be in `self`.
    pub(crate) fn merge(&mut self, other: TimeIndex) {
        if self.len == 0 {
            *self = other;
            return;
        }
        if other.keys.first() > self.keys.last() {
            self.append(other);
            return;
        }
        for (id, secs) in other.iter() {
            self.set(id, secs);
        }
    }

    /// Every (id, seconds) pair in id order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u32, i64)> + '_ {
        self.keys.iter().zip(&self.chunks).flat_map(move |(&key, chunk)| {
            let high = u32::from(key) << 16;
            let pairs: Box<dyn Iterator<Item = (u16, u32)> + '_> = match chunk {
                TimeChunk::Sparse(l, t) => Box::new(l.iter().copied().zip(t.iter().copied())),
                TimeChunk::Dense(p) => Box::new(p.entries()),
            };
            pairs.map(move |(low, v)| {
                let id = high | u32::from(low);
                (id, self.decode(id, v).unwrap_or(i64::MAX))
            })
        })
    }

    /// Writes into `out` the mask of ids in chunk `key` whose time is in
    /// `(lo, hi]` (seconds). Returns false, leaving `out` untouched, when no
    /// id of the chunk has a time.
    pub(crate) fn mask(&self, key: u16, lo: Option<i64>, hi: i64, out: &mut Block) -> bool {
        let Ok(i) = self.find(key) else { return false };
        let lo_bound = lo.map_or(0, bound);
        let hi_bound = bound(hi);
        match &self.chunks[i] {
            // An empty window; the wrapping compare below needs lo < hi.
            _ if hi_bound <= lo_bound => out.fill(0),
            TimeChunk::Dense(p) => mask_dense(p, lo_bound, hi_bound, out),
            TimeChunk::Sparse(l, t) => {
                out.fill(0);
                let span = hi_bound.wrapping_sub(lo_bound);
                for (&low, &v) in l.iter().zip(t) {
                    let hit = v.wrapping_sub(1).wrapping_sub(lo_bound) < span;
                    out[usize::from(low >> 6)] |= u64::from(hit) << (low & 63);
                }
            }
        }
        // Times after 2106 were left out above; settle them exactly.
        if hi > MAX_EXACT {
            let first = u32::from(key) << 16;
            for (&id, &secs) in self.overflow.range(first..=first | 0xFFFF) {
                if secs <= hi && lo.is_none_or(|lo| secs > lo) {
                    out[usize::from(id as u16 >> 6)] |= 1 << (id & 63);
                }
            }
        }
        debug_assert_eq!(out.len(), WORDS);
        true
    }

    /// Writes into `all` the mask of ids in chunk `key` with a time `<= hi`
    /// and into `window` those with a time in `(lo, hi]`, in one pass over
    /// the chunk. Returns false, leaving both untouched, when no id of the
    /// chunk has a time.
    pub(crate) fn mask_both(&self, key: u16, lo: i64, hi: i64, all: &mut Block, window: &mut Block) -> bool {
        let Ok(i) = self.find(key) else { return false };
        match &self.chunks[i] {
            TimeChunk::Sparse(l, t) if hi <= MAX_EXACT => {
                all.fill(0);
                window.fill(0);
                let (lo_bound, hi_bound) = (bound(lo), bound(hi));
                let span = hi_bound.wrapping_sub(lo_bound);
                let open = hi_bound > lo_bound;
                for (&low, &v) in l.iter().zip(t) {
                    let secs = v.wrapping_sub(1);
                    let w = usize::from(low >> 6);
                    let bit = 1u64 << (low & 63);
                    if secs < hi_bound {
                        all[w] |= bit;
                        if open && secs.wrapping_sub(lo_bound) < span {
                            window[w] |= bit;
                        }
                    }
                }
                true
            }
            _ => self.mask(key, None, hi, all) & self.mask(key, Some(lo), hi, window),
        }
    }

    /// For a sparse chunk `key`, appends to `all` the low ids with a time
    /// `<= hi` and to `window` those in `(lo, hi]`, in order, and returns
    /// true; returns false, appending nothing, when the chunk is dense,
    /// absent or `hi` is past the exact range (then [`TimeIndex::mask`]
    /// answers). A few thousand ids then go straight to a set's array
    /// chunk, without a 65,536-bit mask filled and read back.
    pub(crate) fn sparse_lows(
        &self,
        key: u16,
        lo: i64,
        hi: i64,
        all: &mut Vec<u16>,
        window: &mut Vec<u16>,
    ) -> bool {
        let Ok(i) = self.find(key) else { return false };
        let TimeChunk::Sparse(l, t) = &self.chunks[i] else { return false };
        if hi > MAX_EXACT {
            return false;
        }
        let (lo_bound, hi_bound) = (bound(lo), bound(hi));
        for (&low, &v) in l.iter().zip(t) {
            let secs = v.wrapping_sub(1);
            if secs < hi_bound {
                all.push(low);
                if secs >= lo_bound {
                    window.push(low);
                }
            }
        }
        true
    }

    /// Bytes of heap memory the index holds.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.keys.capacity() * 2
            + self.chunks.capacity() * std::mem::size_of::<TimeChunk>()
            + self
                .chunks
                .iter()
                .map(|c| match c {
                    TimeChunk::Sparse(l, t) => l.capacity() * 2 + t.capacity() * 4,
                    TimeChunk::Dense(p) => p.bytes(),
                })
                .sum::<usize>()
            + self.overflow.len() * 32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn times() -> impl Strategy<Value = i64> {
        prop_oneof![0i64..2_000, MAX_EXACT - 3..MAX_EXACT + 3, Just(253_402_300_799i64)]
    }

    proptest! {
        /// Indexes of ascending id ranges, appended, are the index of all
        /// their pairs.
        #[test]
        fn appended_parts_equal_the_whole(
            pairs in proptest::collection::btree_map(0u32..(6 << 16), times(), 0..3_000),
            cut in 0u32..6,
        ) {
            let all: Vec<(u32, i64)> = pairs.iter().map(|(&i, &s)| (i, s)).collect();
            let (low, high): (Vec<_>, Vec<_>) = all.iter().partition(|p| p.0 >> 16 < cut);
            let mut joined = TimeIndex::from_pairs(low);
            joined.append(TimeIndex::from_pairs(high));
            let whole = TimeIndex::from_pairs(all.clone());
            prop_assert_eq!(joined.len(), whole.len());
            prop_assert_eq!(joined.keys(), whole.keys());
            prop_assert!(joined.iter().eq(all.iter().copied()));
            for &(id, secs) in &all {
                prop_assert_eq!(joined.get(id), Some(secs));
            }
        }

        /// A chunk's changes at once leave the index as they do one at a
        /// time, and report the same changes.
        #[test]
        fn put_chunk_equals_set_and_remove_one_by_one(
            fill in proptest::collection::vec((0u32..(3 << 16), times()), 0..400),
            dense_fill in 0usize..2,
            changes in proptest::collection::btree_map(0u16..6_000, proptest::option::of(times()), 0..3_000),
            key in 0u16..3,
        ) {
            let mut index = TimeIndex::default();
            // Optionally make chunk 1 dense, so that both layouts take changes.
            for id in 0..(dense_fill * 20_000) as u32 {
                index.set(65_536 + id, i64::from(id % 5000));
            }
            for (id, secs) in fill {
                index.set(id, secs);
            }
            let changes: Vec<(u16, Option<i64>)> = changes.into_iter().map(|(low, secs)| (low * 7, secs)).collect();
            let mut one_by_one = index.clone();
            let mut expect = Vec::new();
            for &(low, secs) in &changes {
                let id = u32::from(key) << 16 | u32::from(low);
                let old = match secs {
                    Some(s) => one_by_one.set(id, s),
                    None => one_by_one.remove(id),
                };
                if old != secs {
                    expect.push((low, secs));
                }
            }
            let mut got = Vec::new();
            index.put_chunk(key, &changes, |low, secs| got.push((low, secs)));
            prop_assert_eq!(got, expect);
            prop_assert!(index.iter().eq(one_by_one.iter()));
            // Each time read by its id as well: `get` finds a slot through
            // the ranks, which `iter` does not read.
            for (id, secs) in one_by_one.iter() {
                prop_assert_eq!(index.get(id), Some(secs));
            }
            prop_assert_eq!(index.len(), one_by_one.len());
            prop_assert_eq!(index.keys(), one_by_one.keys());
            prop_assert_eq!(&index.overflow, &one_by_one.overflow);
        }

        #[test]
        fn masks_match_a_model(
            ops in proptest::collection::vec((any::<bool>(), 0u32..20_000, times()), 0..600),
            dense_fill in 0usize..2,
            lo in proptest::option::of(times()),
            hi in times(),
        ) {
            let mut index = TimeIndex::default();
            let mut model = BTreeMap::new();
            // Optionally make chunk 1 dense to exercise both layouts (the
            // operations below then widen it, and may unpack it).
            for id in 0..(dense_fill * 20_000) as u32 {
                index.set(65_536 + id, i64::from(id % 5000));
                model.insert(65_536 + id, i64::from(id % 5000));
            }
            prop_assert_eq!(index.chunks.iter().any(|c| matches!(c, TimeChunk::Dense(_))), dense_fill == 1);
            for (set, id, secs) in ops {
                let id = id * 7;
                if set {
                    prop_assert_eq!(index.set(id, secs), model.insert(id, secs));
                } else {
                    prop_assert_eq!(index.remove(id), model.remove(&id));
                }
            }
            prop_assert_eq!(index.len(), model.len() as u64);
            prop_assert!(index.iter().eq(model.iter().map(|(&a, &b)| (a, b))));
            let rebuilt = TimeIndex::from_pairs(model.iter().map(|(&a, &b)| (a, b)).collect());
            prop_assert!(rebuilt.iter().eq(model.iter().map(|(&a, &b)| (a, b))));
            let mut pushed = TimeIndex::default();
            let mut scratch = Vec::new();
            for key in 0u16..3 {
                let (lows, bytes): (Vec<u16>, Vec<[u8; 8]>) = model
                    .range(u32::from(key) << 16..(u32::from(key) + 1) << 16)
                    .map(|(&id, &s)| (id as u16, s.to_le_bytes()))
                    .unzip();
                prop_assert_eq!(pushed.push_chunk_le(key, &lows, bytes.as_flattened(), 0..=i64::MAX, &mut scratch), Ok(()));
            }
            prop_assert!(pushed.iter().eq(model.iter().map(|(&a, &b)| (a, b))));
            prop_assert_eq!(pushed.len(), model.len() as u64);
            for key in 0u16..3 {
                for idx in [&index, &rebuilt, &pushed] {
                    let mut out = [0u64; WORDS];
                    let any = idx.mask(key, lo, hi, &mut out);
                    let expect: Vec<u32> = model
                        .iter()
                        .filter(|(&id, &s)| id >> 16 == u32::from(key) && s <= hi && lo.is_none_or(|lo| s > lo))
                        .map(|(&id, _)| id)
                        .collect();
                    let got: Vec<u32> = if any {
                        (0..65_536u32).filter(|&l| out[(l >> 6) as usize] >> (l & 63) & 1 == 1).map(|l| u32::from(key) << 16 | l).collect()
                    } else {
                        Vec::new()
                    };
                    prop_assert_eq!(&got, &expect);
                    let (mut all_lows, mut window_lows) = (Vec::new(), Vec::new());
                    if idx.sparse_lows(key, lo.unwrap_or(i64::MIN), hi, &mut all_lows, &mut window_lows) {
                        let lows: Vec<u32> = window_lows.iter().map(|&l| u32::from(key) << 16 | u32::from(l)).collect();
                        prop_assert_eq!(&lows, &expect);
                        let every: Vec<u32> = model
                            .iter()
                            .filter(|(&id, &s)| id >> 16 == u32::from(key) && s <= hi)
                            .map(|(&id, _)| id)
                            .collect();
                        let lows: Vec<u32> = all_lows.iter().map(|&l| u32::from(key) << 16 | u32::from(l)).collect();
                        prop_assert_eq!(&lows, &every);
                    }
                    let (mut all, mut window) = ([0u64; WORDS], [0u64; WORDS]);
                    let lo = lo.unwrap_or(0);
                    if idx.mask_both(key, lo, hi, &mut all, &mut window) {
                        let mut one = [0u64; WORDS];
                        idx.mask(key, Some(lo), hi, &mut one);
                        prop_assert!(window == one);
                        idx.mask(key, None, hi, &mut one);
                        prop_assert!(all == one);
                    }
                }
            }
        }
    }

    #[test]
    fn a_chunk_of_bytes_with_a_time_out_of_range_names_the_first_and_adds_nothing() {
        let lows: Vec<u16> = (0..20_000).collect();
        let mut secs: Vec<i64> = (0..20_000).map(|i| 1_700_000_000 + i * 11).collect();
        let mut index = TimeIndex::default();
        let mut scratch = Vec::new();
        let bytes = |secs: &[i64]| secs.iter().flat_map(|s| s.to_le_bytes()).collect::<Vec<u8>>();
        let valid = 0..=2_000_000_000;
        for (at, bad) in [(19_999, 2_000_000_001), (7, -1), (3, i64::MAX)] {
            secs[at] = bad;
            assert_eq!(index.push_chunk_le(5, &lows, &bytes(&secs), valid.clone(), &mut scratch), Err(at));
            assert_eq!((index.len(), index.keys().len(), index.overflow.len()), (0, 0, 0));
        }
        // In range, and past the u32 column: the overflow map has it.
        let secs: Vec<i64> = (0..20_000).map(|i| if i == 9 { MAX_EXACT + 7 } else { i }).collect();
        assert_eq!(index.push_chunk_le(5, &lows, &bytes(&secs), 0..=i64::MAX, &mut scratch), Ok(()));
        assert_eq!(index.get(5 << 16 | 9), Some(MAX_EXACT + 7));
        assert!(index.iter().eq(lows.iter().map(|&l| (5 << 16 | u32::from(l), secs[usize::from(l)]))));
    }

    #[test]
    fn dense_masks_are_exact_at_every_range_width() {
        // Each width has its own unrolled loop: check each against the
        // times themselves, at windows whose edges fall on stored times.
        for width in 1..=32u32 {
            let base = 1_000_000i64;
            let span = 1i64 << (width - 1);
            let mut pairs: Vec<(u32, i64)> = (0..50_000u32)
                .map(|i| (i * 13 % 65_536 + 65_536, base + i64::from(i).wrapping_mul(2_654_435_761) % span))
                .collect();
            // The range's ends, so that the width is exactly `width`.
            pairs[0].1 = base;
            pairs[1].1 = base + span - 1;
            let index = TimeIndex::from_pairs(pairs.clone());
            let radix = Packed::radix_for(span as u32 - 1);
            assert!(matches!(index.chunks[0], TimeChunk::Dense(ref p) if p.radix == radix), "width {width}");
            for (lo, hi) in [
                (None, base),
                (None, base + span / 2),
                (Some(base), base + span - 1),
                (Some(base + span / 3), base + span / 2),
            ] {
                let mut out = [0u64; WORDS];
                assert!(index.mask(1, lo, hi, &mut out));
                for &(id, secs) in &pairs {
                    let want = secs <= hi && lo.is_none_or(|lo| secs > lo);
                    let low = id as u16;
                    assert_eq!(
                        out[usize::from(low >> 6)] >> (low & 63) & 1 == 1,
                        want,
                        "width {width} id {id}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_dense_chunk_costs_the_bits_its_range_needs() {
        // Five years of seconds are 27.2 bits of range: 60,000 times in a
        // chunk cost less than 27 bits a slot, not 32 (nor the 28 of a
        // power-of-two split, nor anything for the slots without a time).
        let pairs: Vec<(u32, i64)> =
            (0..60_000u32).map(|id| (id, 1_700_000_000 + i64::from(id) * 2_500 % 157_000_000)).collect();
        let index = TimeIndex::from_pairs(pairs.clone());
        assert!(matches!(index.chunks[0], TimeChunk::Dense(ref p) if p.cell_width == 58 && p.digits == 3));
        assert!(index.heap_bytes() <= 65_536 * 27 / 8, "{}", index.heap_bytes());
        assert!(index.iter().eq(pairs.iter().copied()));
    }
}

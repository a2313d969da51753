//! `TimeIndex`: one instant (whole seconds) per certificate, laid out so that
//! "which ids have a time `<= t`" (and "in `(lo, t]`") is exact for any `t`
//! and costs one pass per 2^16-id chunk.
//!
//! Day buckets alone would make the boundary day inexact, and exact seconds
//! per bucket still need a per-id lookup to move an id when its time
//! changes. So each chunk keeps the instants themselves: a sorted array of
//! (low id, time) pairs when few ids in the chunk have one, a dense column of
//! 65,536 times when many do. The dense column is compared against `t` with
//! SIMD (chosen at run time), giving the chunk's bit mask directly.
//!
//! Times are stored as `seconds since 1970 + 1` in a u32 (0 = none), exact
//! until 2106; the rare later times are stored as [`OVERFLOW`] with their
//! exact value in a side map, consulted only when `t` is that late.

use std::collections::BTreeMap;

use multiversion::multiversion;

use super::idset::{Block, WORDS};

/// Marks a time too late for the u32 column; the exact value is in the
/// overflow map.
const OVERFLOW: u32 = u32::MAX;
/// Largest seconds value stored exactly in the column.
const MAX_EXACT: i64 = u32::MAX as i64 - 3;
/// A sparse chunk becomes dense above this many entries (the dense column
/// is 256 KiB; the sparse one costs 6 bytes an entry).
const SPARSE_MAX: usize = 16_384;
/// A dense chunk becomes sparse again below this many entries.
const SPARSE_BACK: u32 = 8_192;

fn encode(secs: i64) -> u32 {
    if (0..=MAX_EXACT).contains(&secs) {
        secs as u32 + 1
    } else {
        OVERFLOW
    }
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
    /// Indexed by low id; 0 = no time. With its number of entries.
    Dense(Box<[u32]>, u32),
}

impl TimeChunk {
    fn len(&self) -> usize {
        match self {
            TimeChunk::Sparse(l, _) => l.len(),
            TimeChunk::Dense(_, n) => *n as usize,
        }
    }
}

/// Sets `out` bit `i` when `lo <= column[i] - 1 < hi` (wrapping, so 0 never
/// matches while `hi < u32::MAX`).
#[multiversion(targets("x86_64+avx2+popcnt", "x86_64+sse4.2+popcnt", "aarch64+neon"))]
fn mask_column(column: &[u32], lo: u32, hi: u32, out: &mut Block) {
    let span = hi.wrapping_sub(lo);
    for (word, times) in out.iter_mut().zip(column.chunks_exact(64)) {
        // One unsigned compare tests lo <= v-1 < hi; the 0/1 flags are
        // then packed eight at a time with a multiply, a form the compiler
        // turns into wide compares (a variable shift per flag does not).
        let mut flags = [0u8; 64];
        for (f, &v) in flags.iter_mut().zip(times) {
            *f = u8::from(v.wrapping_sub(1).wrapping_sub(lo) < span);
        }
        let mut m = 0u64;
        for (k, c) in flags.chunks_exact(8).enumerate() {
            let x = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            m |= (x.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
        }
        *word = m;
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
            TimeChunk::Dense(c, _) => c[usize::from(low)],
        };
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
        let mut densify = false;
        match &mut self.chunks[i] {
            TimeChunk::Sparse(l, t) => match l.binary_search(&low) {
                Ok(at) => t[at] = enc,
                Err(at) => {
                    l.insert(at, low);
                    t.insert(at, enc);
                    densify = l.len() > SPARSE_MAX;
                }
            },
            TimeChunk::Dense(c, n) => {
                *n += u32::from(c[usize::from(low)] == 0);
                c[usize::from(low)] = enc;
            }
        }
        if densify {
            if let TimeChunk::Sparse(l, t) = &self.chunks[i] {
                let mut column = vec![0u32; 1 << 16].into_boxed_slice();
                for (&low, &v) in l.iter().zip(t) {
                    column[usize::from(low)] = v;
                }
                self.chunks[i] = TimeChunk::Dense(column, l.len() as u32);
            }
        }
        self.len += u64::from(old.is_none());
        old
    }

    /// Removes the time of `id`; returns it.
    pub(crate) fn remove(&mut self, id: u32) -> Option<i64> {
        let old = self.get(id)?;
        self.overflow.remove(&id);
        let (key, low) = ((id >> 16) as u16, id as u16);
        let Ok(i) = self.find(key) else { return None };
        let mut sparsify = false;
        match &mut self.chunks[i] {
            TimeChunk::Sparse(l, t) => {
                if let Ok(at) = l.binary_search(&low) {
                    l.remove(at);
                    t.remove(at);
                }
            }
            TimeChunk::Dense(c, n) => {
                c[usize::from(low)] = 0;
                *n -= 1;
                sparsify = *n < SPARSE_BACK;
            }
        }
        if sparsify {
            if let TimeChunk::Dense(c, _) = &self.chunks[i] {
                let (mut l, mut t) = (Vec::new(), Vec::new());
                for (low, &v) in c.iter().enumerate().filter(|(_, &v)| v != 0) {
                    l.push(low as u16);
                    t.push(v);
                }
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
        let mut index = TimeIndex { len: pairs.len() as u64, ..TimeIndex::default() };
        let mut start = 0;
        while start < pairs.len() {
            let key = (pairs[start].0 >> 16) as u16;
            let end = start + pairs[start..].partition_point(|p| (p.0 >> 16) as u16 == key);
            let run = &pairs[start..end];
            for &(id, secs) in run.iter().filter(|p| encode(p.1) == OVERFLOW) {
                index.overflow.insert(id, secs);
            }
            let chunk = if run.len() > SPARSE_MAX {
                let mut column = vec![0u32; 1 << 16].into_boxed_slice();
                for &(id, secs) in run {
                    column[usize::from(id as u16)] = encode(secs);
                }
                TimeChunk::Dense(column, run.len() as u32)
            } else {
                TimeChunk::Sparse(
                    run.iter().map(|p| p.0 as u16).collect(),
                    run.iter().map(|p| encode(p.1)).collect(),
                )
            };
            index.keys.push(key);
            index.chunks.push(chunk);
            start = end;
        }
        index
    }

    /// Adds every pair of `other`, whose ids must not be in `self`.
    pub(crate) fn merge(&mut self, other: TimeIndex) {
        if self.len == 0 {
            *self = other;
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
                TimeChunk::Dense(c, _) => {
                    Box::new(c.iter().enumerate().filter(|(_, &v)| v != 0).map(|(l, &v)| (l as u16, v)))
                }
            };
            pairs.map(move |(low, v)| {
                let id = high | u32::from(low);
                let secs = if v == OVERFLOW {
                    self.overflow.get(&id).copied().unwrap_or(i64::MAX)
                } else {
                    i64::from(v) - 1
                };
                (id, secs)
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
            TimeChunk::Dense(c, _) => mask_column(c, lo_bound, hi_bound, out),
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

    /// Bytes of heap memory the index holds.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.keys.capacity() * 2
            + self.chunks.capacity() * std::mem::size_of::<TimeChunk>()
            + self
                .chunks
                .iter()
                .map(|c| match c {
                    TimeChunk::Sparse(l, t) => l.capacity() * 2 + t.capacity() * 4,
                    TimeChunk::Dense(c, _) => c.len() * 4,
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
        #[test]
        fn masks_match_a_model(
            ops in proptest::collection::vec((any::<bool>(), 0u32..20_000, times()), 0..600),
            dense_fill in 0usize..2,
            lo in proptest::option::of(times()),
            hi in times(),
        ) {
            let mut index = TimeIndex::default();
            let mut model = BTreeMap::new();
            // Optionally make chunk 1 dense to exercise both layouts.
            for id in 0..(dense_fill * (SPARSE_MAX + 1)) as u32 {
                index.set(65_536 + id, i64::from(id % 5000));
                model.insert(65_536 + id, i64::from(id % 5000));
            }
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
            for key in 0u16..3 {
                for idx in [&index, &rebuilt] {
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
                    prop_assert_eq!(got, expect);
                }
            }
        }
    }
}

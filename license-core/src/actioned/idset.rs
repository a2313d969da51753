//! `IdSet`: a set of u32 certificate ids in 2^16-id chunks, the layout the
//! count kernel reads.
//!
//! It is roaring's idea (one container per chunk of 65,536 ids, an array of
//! sorted low halves when sparse, a 1,024-word bitset when not, switching
//! at roaring's 4,096 ids, where the two take the same 8 KiB) with one
//! difference that matters for counting: the chunks are visible to the
//! kernel, which roaring-rs does not allow. (Switching earlier, at 1,024
//! ids, lets the kernel borrow more chunks as words instead of ORing
//! arrays into its scratch, but costs up to 6 KiB a chunk for sets of a
//! few percent of the ids: close to a byte per certificate over an
//! inventory's dozen such sets. The count's cached unions, which the
//! kernel reads on every count, are dense anyway.) Conversion to and from [`RoaringBitmap`] keeps roaring's
//! portable format as the interchange and snapshot form.
//!
//! A third layout, runs of consecutive ids, holds what a Roaring run
//! container decodes to: 4 bytes a run, as in the input, where a bitset
//! would cost 8 KiB whatever the input's size. Runs are never built from
//! single inserts; a run chunk that is changed id by id becomes an array
//! or a bitset first. The kernel ORs runs into its scratch with word fills
//! and borrows a shared all-ones block for a full chunk.

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};

use roaring::RoaringBitmap;

/// Words in one chunk's bitset (65,536 bits).
pub(crate) const WORDS: usize = 1024;
/// One chunk as a bitset.
pub(crate) type Block = [u64; WORDS];

/// An array chunk becomes a bitset above this many ids (roaring's limit:
/// the array then takes 8 KiB, as the bitset does).
const ARRAY_MAX: usize = 4096;
/// A bitset chunk becomes an array again below this many ids (hysteresis,
/// so an id added and removed at the threshold does not convert each time).
const ARRAY_BACK: u32 = 2048;

/// A chunk with every id: what a full run borrows in the kernel.
pub(crate) static FULL: Block = [u64::MAX; WORDS];

/// One chunk's ids (their low 16 bits).
#[derive(Clone)]
pub(crate) enum Chunk {
    /// Sorted, distinct low halves; at most [`ARRAY_MAX`] of them.
    Array(Vec<u16>),
    /// A bitset and its number of set bits.
    Bits(Box<Block>, u32),
    /// Sorted, disjoint inclusive ranges `(first, last)` of low halves, and
    /// their number of ids (up to 65,536).
    Runs(Vec<(u16, u16)>, u32),
}

impl Chunk {
    fn len(&self) -> u32 {
        match self {
            Chunk::Array(a) => a.len() as u32,
            Chunk::Bits(_, n) | Chunk::Runs(_, n) => *n,
        }
    }

    /// Whether the chunk holds `low`.
    pub(crate) fn contains(&self, low: u16) -> bool {
        match self {
            Chunk::Array(a) => a.binary_search(&low).is_ok(),
            Chunk::Bits(b, _) => b[usize::from(low >> 6)] >> (low & 63) & 1 == 1,
            Chunk::Runs(r, _) => {
                let i = r.partition_point(|&(first, _)| first <= low);
                i > 0 && r[i - 1].1 >= low
            }
        }
    }

    /// Asks of ascending low halves whether the chunk holds each, an
    /// array chunk's search going on from where the last ended (a gallop,
    /// not a binary search of the whole array per ask).
    pub(crate) fn holds_ascending(&self) -> impl FnMut(u16) -> bool + '_ {
        let mut at = 0;
        move |low| match self {
            Chunk::Array(a) => {
                at = gallop(a, at, low);
                a.get(at) == Some(&low)
            }
            _ => self.contains(low),
        }
    }

    /// The all-ones block when this chunk holds every id.
    pub(crate) fn full(&self) -> Option<&'static Block> {
        (self.len() == 1 << 16).then_some(&FULL)
    }

    /// ORs this chunk into `out`.
    pub(crate) fn or_into(&self, out: &mut Block) {
        match self {
            Chunk::Array(a) => {
                for &low in a {
                    out[usize::from(low >> 6)] |= 1 << (low & 63);
                }
            }
            Chunk::Bits(b, _) => {
                for (o, w) in out.iter_mut().zip(b.iter()) {
                    *o |= w;
                }
            }
            Chunk::Runs(r, _) => {
                for &(first, last) in r {
                    set_range(out, first, last);
                }
            }
        }
    }

    /// The chunk as a fresh bitset.
    fn to_block(&self) -> Box<Block> {
        let mut block = Box::new([0u64; WORDS]);
        self.or_into(&mut block);
        block
    }

    /// A bitset with `n` ids as an array or a bitset chunk.
    fn from_block(block: Box<Block>, n: u32) -> Chunk {
        if n as usize > ARRAY_MAX {
            Chunk::Bits(block, n)
        } else {
            Chunk::Array(Chunk::to_array(&block))
        }
    }

    /// The chunk as one that single inserts and removes can change (runs
    /// become an array or a bitset).
    fn editable(&mut self) {
        if let Chunk::Runs(_, n) = self {
            let n = *n;
            *self = Chunk::from_block(self.to_block(), n);
        }
    }

    /// The union of two chunks: runs stay runs when both are runs (or one
    /// is full), so unions never expand what a decoder kept small.
    fn union(&self, other: &Chunk) -> Chunk {
        if let Some(full) = [self, other].into_iter().find(|c| c.full().is_some()) {
            return full.clone();
        }
        if let (Chunk::Runs(a, _), Chunk::Runs(b, _)) = (self, other) {
            return merge_runs(a, b);
        }
        let mut block = self.to_block();
        other.or_into(&mut block);
        let n = block.iter().map(|w| w.count_ones()).sum::<u32>();
        Chunk::from_block(block, n)
    }

    /// Whether every id of this chunk is in `of`, without visiting the ids
    /// of a run one at a time.
    fn is_subset(&self, of: &Chunk) -> bool {
        if self.len() > of.len() {
            return false;
        }
        match (self, of) {
            (_, o) if o.full().is_some() => true,
            (Chunk::Array(a), _) => a.iter().all(|&low| of.contains(low)),
            (Chunk::Runs(a, _), Chunk::Runs(b, _)) => {
                // Each run of `a` lies inside one run of `b`; both sorted.
                let mut j = 0;
                a.iter().all(|&(first, last)| {
                    while j < b.len() && b[j].1 < first {
                        j += 1;
                    }
                    j < b.len() && b[j].0 <= first && last <= b[j].1
                })
            }
            // No bitset is built for the check (an 8 KiB one per chunk
            // would be work out of all proportion to a few-byte run).
            (Chunk::Runs(a, _), Chunk::Array(b)) => a.iter().all(|&(first, last)| {
                // `b` is strictly increasing, so it holds first..=last iff
                // `first` is at some index i and `last` at i + (last - first).
                let i = b.partition_point(|&low| low < first);
                b.get(i) == Some(&first) && b.get(i + usize::from(last - first)) == Some(&last)
            }),
            (Chunk::Runs(a, _), Chunk::Bits(b, _)) => {
                a.iter().all(|&(first, last)| range_is(b, first, last, true))
            }
            (Chunk::Bits(a, _), Chunk::Bits(b, _)) => a.iter().zip(b.iter()).all(|(m, t)| m & !t == 0),
            (Chunk::Bits(a, _), Chunk::Runs(b, _)) => {
                // Every gap between the runs of `b` is clear in `a`.
                let mut next = 0u32;
                let clear = b.iter().all(|&(first, last)| {
                    let gap_clear = u32::from(first) <= next || range_is(a, next as u16, first - 1, false);
                    next = u32::from(last) + 1;
                    gap_clear
                });
                clear && (next > 0xFFFF || range_is(a, next as u16, u16::MAX, false))
            }
            // A bitset may hold fewer ids than an array (the two convert
            // with hysteresis): its ids one by one, at most the array's.
            (Chunk::Bits(a, _), Chunk::Array(b)) => a.iter().enumerate().all(|(w, &word)| {
                let mut bits = word;
                while bits != 0 {
                    let low = (w as u16) << 6 | bits.trailing_zeros() as u16;
                    if b.binary_search(&low).is_err() {
                        return false;
                    }
                    bits &= bits - 1;
                }
                true
            }),
        }
    }

    /// The smallest low half in both chunks.
    fn first_common(&self, other: &Chunk) -> Option<u16> {
        match (self, other) {
            (Chunk::Array(a), o) | (o, Chunk::Array(a)) => a.iter().copied().find(|&low| o.contains(low)),
            _ => {
                let (mine, theirs) = (self.to_block(), other.to_block());
                mine.iter()
                    .zip(theirs.iter())
                    .enumerate()
                    .find(|(_, (m, t))| *m & *t != 0)
                    .map(|(w, (m, t))| (w as u16) << 6 | (m & t).trailing_zeros() as u16)
            }
        }
    }

    /// Whether both chunks hold the same ids.
    fn same_ids(&self, other: &Chunk) -> bool {
        if self.len() != other.len() {
            return false;
        }
        match (self, other) {
            (Chunk::Array(a), Chunk::Array(b)) => a == b,
            (Chunk::Runs(a, _), Chunk::Runs(b, _)) if a == b => true,
            _ => self.to_block() == other.to_block(),
        }
    }

    fn to_bits(a: &[u16]) -> Chunk {
        let mut b = Box::new([0u64; WORDS]);
        for &low in a {
            b[usize::from(low >> 6)] |= 1 << (low & 63);
        }
        Chunk::Bits(b, a.len() as u32)
    }

    fn to_array(b: &Block) -> Vec<u16> {
        // Exactly sized: the arrays of a big inventory add up.
        let mut a = Vec::with_capacity(b.iter().map(|w| w.count_ones() as usize).sum());
        for (w, &word) in b.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                a.push((w as u16) << 6 | bits.trailing_zeros() as u16);
                bits &= bits - 1;
            }
        }
        a
    }

    fn from_sorted_lows(lows: &[u16]) -> Chunk {
        if lows.len() > ARRAY_MAX {
            Chunk::to_bits(lows)
        } else {
            Chunk::Array(lows.to_vec())
        }
    }
}

/// A set of u32 certificate ids, laid out for the count kernel.
///
/// ```
/// use license_core::IdSet;
/// let mut set: IdSet = [3, 70_000, 5].into_iter().collect();
/// assert!(set.insert(9));
/// assert!(!set.insert(9));
/// assert_eq!(set.iter().collect::<Vec<_>>(), [3, 5, 9, 70_000]);
/// let roaring = set.to_roaring();
/// assert_eq!(license_core::IdSet::from(&roaring), set);
/// ```
#[derive(Clone, Default)]
pub struct IdSet {
    /// Sorted chunk keys (the high 16 bits of the ids).
    keys: Vec<u16>,
    chunks: Vec<Chunk>,
    len: u64,
    /// The position of the chunk last looked up: runs of ids in one chunk
    /// (a batch of events in id order) then skip the binary search.
    hint: Hint,
}

/// A chunk position remembered by lookups through `&self` (an atomic, so
/// the set stays `Sync`; relaxed, as it is only ever a guess to verify).
#[derive(Default)]
struct Hint(AtomicU32);

impl Clone for Hint {
    fn clone(&self) -> Hint {
        Hint(AtomicU32::new(self.0.load(Ordering::Relaxed)))
    }
}

impl IdSet {
    /// An empty set.
    pub fn new() -> IdSet {
        IdSet::default()
    }

    /// The number of ids.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn find(&self, key: u16) -> Result<usize, usize> {
        let hint = self.hint.0.load(Ordering::Relaxed) as usize;
        if self.keys.get(hint) == Some(&key) {
            return Ok(hint);
        }
        // Inserts in ascending id order hit the last chunk; check it first.
        let found = match self.keys.last() {
            Some(&last) if last == key => Ok(self.keys.len() - 1),
            Some(&last) if last < key => Err(self.keys.len()),
            _ => self.keys.binary_search(&key),
        };
        if let Ok(i) = found {
            self.hint.0.store(i as u32, Ordering::Relaxed);
        }
        found
    }

    /// The chunk with this key, if any id falls in it.
    pub(crate) fn chunk(&self, key: u16) -> Option<&Chunk> {
        self.find(key).ok().map(|i| &self.chunks[i])
    }

    /// The keys of the non-empty chunks, ascending.
    pub(crate) fn keys(&self) -> &[u16] {
        &self.keys
    }

    /// Adds `id`; returns whether it was new.
    pub fn insert(&mut self, id: u32) -> bool {
        let (key, low) = ((id >> 16) as u16, id as u16);
        let i = match self.find(key) {
            Ok(i) => i,
            Err(i) => {
                self.keys.insert(i, key);
                self.chunks.insert(i, Chunk::Array(vec![low]));
                self.len += 1;
                return true;
            }
        };
        let added = match &mut self.chunks[i] {
            Chunk::Array(a) => match a.binary_search(&low) {
                Ok(_) => false,
                Err(at) => {
                    a.insert(at, low);
                    if a.len() > ARRAY_MAX {
                        self.chunks[i] = Chunk::to_bits(a);
                    }
                    true
                }
            },
            Chunk::Bits(b, n) => {
                let w = &mut b[usize::from(low >> 6)];
                let bit = 1u64 << (low & 63);
                let new = *w & bit == 0;
                *w |= bit;
                *n += u32::from(new);
                new
            }
            Chunk::Runs(..) => {
                // Runs are not edited in place: a chunk that gains an id
                // becomes an array or a bitset first.
                if self.chunks[i].contains(low) {
                    return false;
                }
                self.chunks[i].editable();
                return self.insert(id);
            }
        };
        self.len += u64::from(added);
        added
    }

    /// Removes `id`; returns whether it was there.
    pub fn remove(&mut self, id: u32) -> bool {
        let (key, low) = ((id >> 16) as u16, id as u16);
        let Ok(i) = self.find(key) else { return false };
        let removed = match &mut self.chunks[i] {
            Chunk::Array(a) => match a.binary_search(&low) {
                Ok(at) => {
                    a.remove(at);
                    true
                }
                Err(_) => false,
            },
            Chunk::Bits(b, n) => {
                let w = &mut b[usize::from(low >> 6)];
                let bit = 1u64 << (low & 63);
                let was = *w & bit != 0;
                *w &= !bit;
                *n -= u32::from(was);
                if was && *n < ARRAY_BACK {
                    self.chunks[i] = Chunk::Array(Chunk::to_array(b));
                }
                was
            }
            Chunk::Runs(..) => {
                if !self.chunks[i].contains(low) {
                    return false;
                }
                self.chunks[i].editable();
                return self.remove(id);
            }
        };
        if removed {
            self.len -= 1;
            if self.chunks[i].len() == 0 {
                self.keys.remove(i);
                self.chunks.remove(i);
            }
        }
        removed
    }

    /// Whether `id` is in the set.
    pub fn contains(&self, id: u32) -> bool {
        self.chunk((id >> 16) as u16).is_some_and(|c| c.contains(id as u16))
    }

    /// The ids in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.keys.iter().zip(&self.chunks).flat_map(|(&key, chunk)| {
            let high = u32::from(key) << 16;
            let lows: Box<dyn Iterator<Item = u16> + '_> = match chunk {
                Chunk::Array(a) => Box::new(a.iter().copied()),
                Chunk::Runs(r, _) => Box::new(r.iter().flat_map(|&(first, last)| first..=last)),
                Chunk::Bits(b, _) => Box::new(b.iter().enumerate().flat_map(|(w, &word)| {
                    let mut bits = word;
                    std::iter::from_fn(move || {
                        (bits != 0).then(|| {
                            let low = (w as u16) << 6 | bits.trailing_zeros() as u16;
                            bits &= bits - 1;
                            low
                        })
                    })
                })),
            };
            lows.map(move |low| high | u32::from(low))
        })
    }

    /// Builds a set from ids in strictly ascending order (the fast path for
    /// bulk loads). Returns `None` if they are not strictly ascending.
    pub(crate) fn from_ascending(ids: &[u32]) -> Option<IdSet> {
        if ids.windows(2).any(|w| w[0] >= w[1]) {
            return None;
        }
        let mut set = IdSet { len: ids.len() as u64, ..IdSet::default() };
        let mut lows = Vec::new();
        let mut start = 0;
        while start < ids.len() {
            let key = (ids[start] >> 16) as u16;
            let end = start + ids[start..].partition_point(|&id| (id >> 16) as u16 == key);
            lows.clear();
            lows.extend(ids[start..end].iter().map(|&id| id as u16));
            set.keys.push(key);
            set.chunks.push(Chunk::from_sorted_lows(&lows));
            start = end;
        }
        Some(set)
    }

    /// Builds a set from ids in any order, with repeats.
    pub(crate) fn from_unsorted(mut ids: Vec<u32>) -> IdSet {
        ids.sort_unstable();
        ids.dedup();
        IdSet::from_ascending(&ids).unwrap_or_default()
    }

    /// Adds every id of `other`, taking it over when `self` is empty.
    pub(crate) fn union_owned(&mut self, other: IdSet) {
        if self.is_empty() {
            *self = other;
        } else {
            self.union_with(&other);
        }
    }

    /// Adds every id of `other`.
    pub fn union_with(&mut self, other: &IdSet) {
        if self.is_empty() {
            *self = other.clone();
            return;
        }
        for (&key, chunk) in other.keys.iter().zip(&other.chunks) {
            match self.find(key) {
                Err(i) => {
                    self.keys.insert(i, key);
                    self.chunks.insert(i, chunk.clone());
                    self.len += u64::from(chunk.len());
                }
                Ok(i) => {
                    let union = self.chunks[i].union(chunk);
                    self.len += u64::from(union.len() - self.chunks[i].len());
                    self.chunks[i] = union;
                }
            }
        }
    }

    /// The same ids as a roaring bitmap (for the portable format and for
    /// set algebra).
    pub fn to_roaring(&self) -> RoaringBitmap {
        let mut out = RoaringBitmap::new();
        for (&key, chunk) in self.keys.iter().zip(&self.chunks) {
            let high = u32::from(key) << 16;
            match chunk {
                Chunk::Array(a) => {
                    // Ascending and above everything already added, so
                    // `append` cannot fail.
                    let _ = out.append(a.iter().map(|&low| high | u32::from(low)));
                }
                Chunk::Bits(b, _) => {
                    let bytes: Vec<u8> = b.iter().flat_map(|w| w.to_le_bytes()).collect();
                    out |= RoaringBitmap::from_lsb0_bytes(high, &bytes);
                }
                Chunk::Runs(r, _) => {
                    // Roaring keeps ranges as run containers too.
                    for &(first, last) in r {
                        out.insert_range(high | u32::from(first)..=high | u32::from(last));
                    }
                }
            }
        }
        out
    }

    /// Bytes of heap memory the set holds (chunk payloads and indexes).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.keys.capacity() * 2
            + self.chunks.capacity() * std::mem::size_of::<Chunk>()
            + self
                .chunks
                .iter()
                .map(|c| match c {
                    Chunk::Array(a) => a.capacity() * 2,
                    Chunk::Bits(..) => WORDS * 8,
                    Chunk::Runs(r, _) => r.capacity() * 4,
                })
                .sum::<usize>()
    }
}

impl From<&RoaringBitmap> for IdSet {
    /// Container by container, through roaring's own portable bytes (so
    /// its run containers stay runs): time and memory follow the bitmap's
    /// size, not its number of ids.
    fn from(bitmap: &RoaringBitmap) -> IdSet {
        let mut bytes = Vec::with_capacity(bitmap.serialized_size());
        // Writing into a Vec cannot fail.
        let _ = bitmap.serialize_into(&mut bytes);
        crate::interchange::decode_portable32(&bytes).unwrap_or_else(|_| IdSet::from_ids(bitmap))
    }
}

impl IdSet {
    /// Builds a set id by id; only for a bitmap whose own bytes do not
    /// validate, which roaring's invariants rule out.
    fn from_ids(bitmap: &RoaringBitmap) -> IdSet {
        let mut set = IdSet { len: bitmap.len(), ..IdSet::default() };
        let mut lows: Vec<u16> = Vec::new();
        let mut current: Option<u16> = None;
        for id in bitmap {
            let key = (id >> 16) as u16;
            if current != Some(key) {
                if let Some(k) = current {
                    set.keys.push(k);
                    set.chunks.push(Chunk::from_sorted_lows(&lows));
                }
                lows.clear();
                current = Some(key);
            }
            lows.push(id as u16);
        }
        if let Some(k) = current {
            set.keys.push(k);
            set.chunks.push(Chunk::from_sorted_lows(&lows));
        }
        set
    }
}

impl FromIterator<u32> for IdSet {
    fn from_iter<I: IntoIterator<Item = u32>>(iter: I) -> IdSet {
        IdSet::from_unsorted(iter.into_iter().collect())
    }
}

impl PartialEq for IdSet {
    /// Equal when they hold the same ids, whatever their chunk layouts.
    fn eq(&self, other: &IdSet) -> bool {
        self.len == other.len
            && self.keys == other.keys
            && self.chunks.iter().zip(&other.chunks).all(|(a, b)| a.same_ids(b))
    }
}

impl Eq for IdSet {}

impl fmt::Debug for IdSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter().take(16)).finish()?;
        if self.len > 16 {
            write!(f, " ({} ids)", self.len)?;
        }
        Ok(())
    }
}

/// Building a set chunk by chunk from decoded containers (the Roaring
/// portable reader), without visiting ids one at a time. Keys must be
/// pushed in strictly ascending order and chunks must not be empty.
impl IdSet {
    /// Appends a chunk of sorted, distinct low halves under `key`.
    /// Releases the spare capacity of the chunk lists and of each array
    /// or run chunk: a set built by appending chunks holds up to twice the
    /// room its chunks need.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.keys.shrink_to_fit();
        self.chunks.shrink_to_fit();
        for chunk in &mut self.chunks {
            match chunk {
                Chunk::Array(lows) => lows.shrink_to_fit(),
                Chunk::Runs(runs, _) => runs.shrink_to_fit(),
                Chunk::Bits(..) => {}
            }
        }
    }

    pub(crate) fn push_lows(&mut self, key: u16, lows: &[u16]) {
        debug_assert!(self.keys.last().is_none_or(|&k| k < key) && !lows.is_empty());
        self.keys.push(key);
        self.chunks.push(Chunk::from_sorted_lows(lows));
        self.len += lows.len() as u64;
    }

    /// A set with room for `chunks` chunks (a decoder knows how many).
    pub(crate) fn with_chunks(chunks: usize) -> IdSet {
        IdSet { keys: Vec::with_capacity(chunks), chunks: Vec::with_capacity(chunks), ..IdSet::default() }
    }

    /// Appends a chunk of sorted, disjoint runs holding `count` ids under
    /// `key`.
    pub(crate) fn push_runs(&mut self, key: u16, runs: Vec<(u16, u16)>, count: u32) {
        debug_assert!(self.keys.last().is_none_or(|&k| k < key) && count > 0);
        self.keys.push(key);
        self.len += u64::from(count);
        self.chunks.push(Chunk::Runs(runs, count));
    }

    /// Whether every id of this set is in `of` (chunk by chunk; the ids
    /// of a run are never visited one at a time).
    pub(crate) fn is_subset(&self, of: &IdSet) -> bool {
        self.len <= of.len
            && self
                .keys
                .iter()
                .zip(&self.chunks)
                .all(|(&key, c)| of.chunk(key).is_some_and(|o| c.is_subset(o)))
    }

    /// The smallest id in both sets (chunk by chunk).
    pub(crate) fn first_common(&self, other: &IdSet) -> Option<u32> {
        self.keys.iter().zip(&self.chunks).find_map(|(&key, c)| {
            let low = c.first_common(other.chunk(key)?)?;
            Some(u32::from(key) << 16 | u32::from(low))
        })
    }

    /// Writes into `out` the sorted low halves of the ids in the chunk at
    /// position `i` (of [`IdSet::keys`]).
    pub(crate) fn lows_at(&self, i: usize, out: &mut Vec<u16>) {
        out.clear();
        match &self.chunks[i] {
            Chunk::Array(a) => out.extend_from_slice(a),
            Chunk::Runs(r, _) => out.extend(r.iter().flat_map(|&(first, last)| first..=last)),
            Chunk::Bits(b, _) => {
                for (w, &word) in b.iter().enumerate() {
                    let mut bits = word;
                    while bits != 0 {
                        out.push((w as u16) << 6 | bits.trailing_zeros() as u16);
                        bits &= bits - 1;
                    }
                }
            }
        }
    }

    /// Makes chunk `key` the union of the chunks `key` of `members`.
    pub(crate) fn set_chunk_to_union(&mut self, key: u16, members: &[&IdSet]) {
        let mut block = Box::new([0u64; WORDS]);
        for chunk in members.iter().filter_map(|m| m.chunk(key)) {
            chunk.or_into(&mut block);
        }
        let n = block.iter().map(|w| w.count_ones()).sum::<u32>();
        match self.find(key) {
            Ok(i) => {
                self.len -= u64::from(self.chunks[i].len());
                if n == 0 {
                    self.keys.remove(i);
                    self.chunks.remove(i);
                } else {
                    self.chunks[i] = Chunk::from_block(block, n);
                }
            }
            Err(i) if n > 0 => {
                self.keys.insert(i, key);
                self.chunks.insert(i, Chunk::from_block(block, n));
            }
            Err(_) => {}
        }
        self.len += u64::from(n);
    }

    /// Applies `changes` (ascending, distinct low halves; `true` puts the
    /// id in, `false` takes it out) to chunk `key` in one pass: an array
    /// chunk is merged into a new array (no shift of its tail per id), a
    /// bitset gets its bits set and cleared. The layouts convert at the
    /// same counts as single inserts and removes do (an array above
    /// [`ARRAY_MAX`] ids becomes a bitset, a bitset that lost ids below
    /// [`ARRAY_BACK`] an array; a run chunk that changes is made editable
    /// first), so a chunk whose count only grows or only shrinks ends in
    /// the layout that applying the changes one by one leaves.
    pub(crate) fn apply_chunk(&mut self, key: u16, changes: &[(u16, bool)]) {
        debug_assert!(changes.windows(2).all(|w| w[0].0 < w[1].0));
        let i = match self.find(key) {
            Ok(i) => i,
            Err(i) => {
                let lows: Vec<u16> = changes.iter().filter(|c| c.1).map(|c| c.0).collect();
                if !lows.is_empty() {
                    self.keys.insert(i, key);
                    self.chunks.insert(i, Chunk::from_sorted_lows(&lows));
                    self.len += lows.len() as u64;
                }
                return;
            }
        };
        if matches!(self.chunks[i], Chunk::Runs(..)) {
            let chunk = &self.chunks[i];
            if changes.iter().all(|&(low, on)| chunk.contains(low) == on) {
                return;
            }
            self.chunks[i].editable();
        }
        let before = self.chunks[i].len();
        match &mut self.chunks[i] {
            Chunk::Array(a) => {
                let adds = changes.iter().filter(|c| c.1).count();
                let mut merged = Vec::with_capacity(a.len() + adds);
                // A batch changes a few ids of an array of thousands: each
                // change's place is galloped to, and the ids between two
                // changes are copied as a slice, not compared one by one.
                let mut at = 0;
                for &(low, on) in changes {
                    let from = gallop(a, at, low);
                    merged.extend_from_slice(&a[at..from]);
                    at = from + usize::from(a.get(from) == Some(&low));
                    if on {
                        merged.push(low);
                    }
                }
                merged.extend_from_slice(&a[at..]);
                if merged.len() > ARRAY_MAX {
                    self.chunks[i] = Chunk::to_bits(&merged);
                } else {
                    *a = merged;
                }
            }
            Chunk::Bits(b, n) => {
                let mut lost = false;
                for &(low, on) in changes {
                    let w = &mut b[usize::from(low >> 6)];
                    let bit = 1u64 << (low & 63);
                    let was = *w & bit != 0;
                    if on {
                        *w |= bit;
                        *n += u32::from(!was);
                    } else {
                        *w &= !bit;
                        *n -= u32::from(was);
                        lost |= was;
                    }
                }
                if lost && *n < ARRAY_BACK {
                    self.chunks[i] = Chunk::Array(Chunk::to_array(b));
                }
            }
            // `editable` above leaves no runs.
            Chunk::Runs(..) => {}
        }
        let after = self.chunks[i].len();
        self.len = self.len + u64::from(after) - u64::from(before);
        if after == 0 {
            self.keys.remove(i);
            self.chunks.remove(i);
        }
    }

    /// Appends a bitset chunk with `count` bits set under `key`.
    pub(crate) fn push_block(&mut self, key: u16, block: Box<Block>, count: u32) {
        debug_assert!(self.keys.last().is_none_or(|&k| k < key) && count > 0);
        self.keys.push(key);
        self.len += u64::from(count);
        if count as usize <= ARRAY_MAX {
            self.chunks.push(Chunk::Array(Chunk::to_array(&block)));
        } else {
            self.chunks.push(Chunk::Bits(block, count));
        }
    }
}

/// The first place at or after `from` in the ascending `a` whose value is
/// not below `low`: steps of doubling length from `from`, then a binary
/// search in the last step, so that a place `d` further on costs about
/// `2 log2 d` comparisons, not `log2` of the rest of the array.
pub(crate) fn gallop(a: &[u16], from: usize, low: u16) -> usize {
    let mut lo = from;
    let mut step = 1;
    while lo + step < a.len() && a[lo + step] < low {
        lo += step;
        step *= 2;
    }
    // a[lo] may still be below `low` (when lo > from it is); the answer
    // lies in lo..=min(lo + step, len).
    let hi = (lo + step).min(a.len());
    lo + a[lo..hi].partition_point(|&x| x < low)
}

/// Sets bits `first..=last` of a 65,536-bit block, a word at a time.
pub(crate) fn set_range(block: &mut Block, first: u16, last: u16) {
    let (first_word, last_word) = (usize::from(first / 64), usize::from(last / 64));
    for (w, word) in block.iter_mut().enumerate().take(last_word + 1).skip(first_word) {
        let lo = if w == first_word { first % 64 } else { 0 };
        let hi = if w == last_word { last % 64 } else { 63 };
        *word |= (u64::MAX >> (63 - hi)) & (u64::MAX << lo);
    }
}

/// Whether bits `first..=last` of `block` are all set (`ones`) or all
/// clear, a word at a time.
fn range_is(block: &Block, first: u16, last: u16, ones: bool) -> bool {
    let (first_word, last_word) = (usize::from(first / 64), usize::from(last / 64));
    (first_word..=last_word).all(|w| {
        let lo = if w == first_word { first % 64 } else { 0 };
        let hi = if w == last_word { last % 64 } else { 63 };
        let mask = (u64::MAX >> (63 - hi)) & (u64::MAX << lo);
        let word = if ones { !block[w] } else { block[w] };
        word & mask == 0
    })
}

/// The union of two sorted run lists, touching runs joined.
fn merge_runs(a: &[(u16, u16)], b: &[(u16, u16)]) -> Chunk {
    let mut out: Vec<(u16, u16)> = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let next = if j == b.len() || (i < a.len() && a[i].0 <= b[j].0) {
            i += 1;
            a[i - 1]
        } else {
            j += 1;
            b[j - 1]
        };
        match out.last_mut() {
            Some(last) if u32::from(next.0) <= u32::from(last.1) + 1 => last.1 = last.1.max(next.1),
            _ => out.push(next),
        }
    }
    out.shrink_to_fit();
    let n = out.iter().map(|&(first, last)| u32::from(last - first) + 1).sum();
    Chunk::Runs(out, n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    proptest! {
        #[test]
        fn behaves_like_a_btreeset(ops in proptest::collection::vec((any::<bool>(), 0u32..3000, 0u32..3), 0..4000)) {
            let mut set = IdSet::new();
            let mut model = BTreeSet::new();
            for (add, low, high) in ops {
                let id = high << 16 | low;
                if add {
                    prop_assert_eq!(set.insert(id), model.insert(id));
                } else {
                    prop_assert_eq!(set.remove(id), model.remove(&id));
                }
            }
            prop_assert_eq!(set.len(), model.len() as u64);
            prop_assert!(set.iter().eq(model.iter().copied()));
            let roaring = set.to_roaring();
            prop_assert!(roaring.iter().eq(model.iter().copied()));
            prop_assert_eq!(IdSet::from(&roaring), set.clone());
            let mut union = IdSet::from_unsorted(vec![1, 2, 65_536 * 2 + 7]);
            union.union_with(&set);
            let mut expect = model.clone();
            expect.extend([1, 2, 65_536 * 2 + 7]);
            prop_assert!(union.iter().eq(expect.iter().copied()));
            prop_assert_eq!(union.len(), expect.len() as u64);
        }
    }

    /// A set of ranges as a run-optimised bitmap (runs where they are the
    /// smaller form) and the model of its ids.
    fn ranged(ranges: &[(u32, u32)]) -> (RoaringBitmap, BTreeSet<u32>) {
        let mut bitmap = RoaringBitmap::new();
        for &(start, len) in ranges {
            bitmap.insert_range(start..start + len);
        }
        bitmap.optimize();
        let model = bitmap.iter().collect();
        (bitmap, model)
    }

    fn ranges() -> impl Strategy<Value = Vec<(u32, u32)>> {
        proptest::collection::vec((0u32..200_000, 0u32..70_000), 0..5)
    }

    proptest! {
        // Each case holds up to 350,000 ids in a model set; a few dozen
        // cover the layouts.
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn run_chunks_behave_like_their_ids(
            a in ranges(),
            b in ranges(),
            ops in proptest::collection::vec((any::<bool>(), 0u32..270_000), 0..200),
        ) {
            let (bitmap, model) = ranged(&a);
            let runs = IdSet::from(&bitmap);
            let plain = IdSet::from_unsorted(model.iter().copied().collect());
            prop_assert_eq!(&runs, &plain);
            prop_assert_eq!(runs.len(), model.len() as u64);
            prop_assert_eq!(runs.to_roaring(), bitmap.clone());
            let (other_bitmap, other_model) = ranged(&b);
            let other_runs = IdSet::from(&other_bitmap);
            let other_plain = IdSet::from_unsorted(other_model.iter().copied().collect());
            for (x, y) in [(&runs, &other_runs), (&runs, &other_plain), (&plain, &other_runs)] {
                prop_assert_eq!(x.is_subset(y), model.is_subset(&other_model));
                prop_assert_eq!(y.is_subset(x), other_model.is_subset(&model));
                prop_assert_eq!(x.first_common(y), model.intersection(&other_model).next().copied());
                let mut union = x.clone();
                union.union_with(y);
                let expect: BTreeSet<u32> = model.union(&other_model).copied().collect();
                prop_assert_eq!(union.len(), expect.len() as u64);
                prop_assert_eq!(&union, &IdSet::from_unsorted(expect.iter().copied().collect()));
                prop_assert_eq!(x == y, model == other_model);
            }
            let mut edited = runs.clone();
            let mut expect = model.clone();
            for (add, id) in ops {
                let probe = edited.contains(id);
                prop_assert_eq!(probe, expect.contains(&id));
                if add {
                    prop_assert_eq!(edited.insert(id), expect.insert(id));
                } else {
                    prop_assert_eq!(edited.remove(id), expect.remove(&id));
                }
            }
            prop_assert_eq!(edited.len(), expect.len() as u64);
            prop_assert!(edited.iter().eq(expect.iter().copied()));
        }
    }

    /// `lows` in each of the three layouts, whatever their size.
    fn layouts(lows: &[u16]) -> [Chunk; 3] {
        let mut block = Box::new([0u64; WORDS]);
        let mut runs: Vec<(u16, u16)> = Vec::new();
        for &low in lows {
            block[usize::from(low >> 6)] |= 1 << (low & 63);
            match runs.last_mut() {
                Some(run) if u32::from(run.1) + 1 == u32::from(low) => run.1 = low,
                _ => runs.push((low, low)),
            }
        }
        let n = lows.len() as u32;
        [Chunk::Array(lows.to_vec()), Chunk::Bits(block, n), Chunk::Runs(runs, n)]
    }

    #[test]
    fn chunk_subsets_agree_with_their_ids_in_every_layout_pair() {
        let cases: Vec<Vec<u16>> = vec![
            vec![5],
            vec![5, 6, 7],
            (4..=8).collect(),
            vec![5, 7],
            (0..=u16::MAX).collect(),
            (0..=1000).collect(),
            (0..=999).chain(1001..=1100).collect(),
            (65_530..=u16::MAX).collect(),
            vec![0, u16::MAX],
            (0..600).map(|i| i * 97).collect(),
            (0..600).map(|i| i * 97).chain([58_300]).collect(),
            (60..=130).chain(190..=200).collect(),
            (64..=127).collect(),
        ];
        for a in &cases {
            for b in &cases {
                let expect = a.iter().all(|x| b.contains(x));
                for (i, x) in layouts(a).iter().enumerate() {
                    for (j, y) in layouts(b).iter().enumerate() {
                        assert_eq!(x.is_subset(y), expect, "layouts {i} ⊆ {j}: {a:?} ⊆ {b:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_full_run_stays_one_run_through_unions() {
        let mut full = RoaringBitmap::new();
        full.insert_range(0..1 << 17);
        let mut set = IdSet::from(&full);
        assert!(matches!(set.chunk(1), Some(Chunk::Runs(r, 65_536)) if r.len() == 1));
        set.union_with(&IdSet::from_unsorted(vec![5, 70_000, 140_000]));
        assert!(matches!(set.chunk(0), Some(c) if c.full().is_some()));
        assert_eq!(set.len(), (1 << 17) + 1);
        assert!(set.heap_bytes() < 1024, "{}", set.heap_bytes());
    }

    fn kinds(set: &IdSet) -> Vec<u8> {
        set.chunks
            .iter()
            .map(|c| match c {
                Chunk::Array(_) => 0,
                Chunk::Bits(..) => 1,
                Chunk::Runs(..) => 2,
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// A chunk's changes applied at once leave the same ids as
        /// inserting and removing them one by one, and the same layouts
        /// when the chunk only grows or only shrinks.
        #[test]
        fn apply_chunk_equals_one_by_one(
            start in 0u32..7000,
            step in 1u32..9,
            range in proptest::option::of((0u32..60_000, 1u32..5000)),
            changes in proptest::collection::btree_map(any::<u16>(), any::<bool>(), 0..6000),
            only in 0u8..3,
            key in 0u16..3,
        ) {
            // Chunk 1 holds `start` ids every `step` (an array or a bitset),
            // or a run (a decoded range); chunks 0 and 2 start empty.
            let mut set = match range {
                Some((first, len)) => {
                    let mut bitmap = RoaringBitmap::new();
                    bitmap.insert_range(65_536 + first..65_536 + (first + len).min(65_536));
                    bitmap.optimize();
                    IdSet::from(&bitmap)
                }
                None => (0..start).map(|i| 65_536 + (i * step) % 65_536).collect(),
            };
            set.insert(3 << 16);
            let changes: Vec<(u16, bool)> = changes
                .into_iter()
                .map(|(low, on)| (low, match only { 0 => on, 1 => true, _ => false }))
                .collect();
            let mut one_by_one = set.clone();
            for &(low, on) in &changes {
                let id = u32::from(key) << 16 | u32::from(low);
                if on { one_by_one.insert(id); } else { one_by_one.remove(id); }
            }
            set.apply_chunk(key, &changes);
            prop_assert_eq!(set.len(), one_by_one.len());
            prop_assert!(set.iter().eq(one_by_one.iter()));
            prop_assert_eq!(&set.keys, &one_by_one.keys);
            if only != 0 {
                prop_assert_eq!(kinds(&set), kinds(&one_by_one));
            }
        }
    }

    proptest! {
        /// Galloping from any place finds what a binary search of the
        /// rest of the array finds.
        #[test]
        fn gallop_equals_partition_point(
            set in proptest::collection::btree_set(any::<u16>(), 0..300),
            from in 0usize..301,
            low in any::<u16>(),
        ) {
            let a: Vec<u16> = set.into_iter().collect();
            let from = from.min(a.len());
            prop_assert_eq!(gallop(&a, from, low), from + a[from..].partition_point(|&x| x < low));
        }

        /// Asked ascending lows, `holds_ascending` answers as `contains`,
        /// for every layout.
        #[test]
        fn holds_ascending_equals_contains(
            set in proptest::collection::btree_set(any::<u16>(), 0..6000),
            asks in proptest::collection::btree_set(any::<u16>(), 0..400),
            runs in any::<bool>(),
        ) {
            let lows: Vec<u16> = set.into_iter().collect();
            let chunk = if runs {
                let mut bitmap = RoaringBitmap::new();
                bitmap.extend(lows.iter().map(|&l| u32::from(l)));
                bitmap.insert_range(100..300);
                bitmap.optimize();
                IdSet::from(&bitmap).chunk(0).cloned().unwrap_or(Chunk::Array(Vec::new()))
            } else {
                Chunk::from_sorted_lows(&lows)
            };
            let mut holds = chunk.holds_ascending();
            for &low in &asks {
                prop_assert_eq!(holds(low), chunk.contains(low));
            }
        }
    }

    #[test]
    fn converts_between_layouts_at_the_thresholds() {
        let mut set = IdSet::new();
        for id in 0..=ARRAY_MAX as u32 {
            set.insert(id * 3);
        }
        assert!(matches!(set.chunk(0), Some(Chunk::Bits(..))));
        for id in 0..=ARRAY_MAX as u32 {
            if id % 3 != 0 {
                set.remove(id * 3);
            }
        }
        assert!(matches!(set.chunk(0), Some(Chunk::Array(..))));
        assert_eq!(set.len(), (ARRAY_MAX as u64) / 3 + 1);
        assert!(IdSet::from_ascending(&[2, 1]).is_none());
    }
}

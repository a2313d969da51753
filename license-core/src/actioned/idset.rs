//! `IdSet`: a set of u32 certificate ids in 2^16-id chunks, the layout the
//! count kernel reads.
//!
//! It is roaring's idea (one container per chunk of 65,536 ids, an array of
//! sorted low halves when sparse, a 1,024-word bitset when not) with two
//! differences that matter for counting: chunks switch to a bitset early
//! (over 1,024 ids instead of roaring's 4,096), because the kernel ORs and
//! popcounts whole words and a bitset is the one layout it reads at memory
//! speed; and the chunks are visible to the kernel, which roaring-rs does
//! not allow. Conversion to and from [`RoaringBitmap`] keeps roaring's
//! portable format as the interchange and snapshot form.

use std::fmt;

use roaring::RoaringBitmap;

/// Words in one chunk's bitset (65,536 bits).
pub(crate) const WORDS: usize = 1024;
/// One chunk as a bitset.
pub(crate) type Block = [u64; WORDS];

/// An array chunk becomes a bitset above this many ids.
const ARRAY_MAX: usize = 1024;
/// A bitset chunk becomes an array again below this many ids (hysteresis,
/// so an id added and removed at the threshold does not convert each time).
const ARRAY_BACK: u32 = 512;

/// One chunk's ids (their low 16 bits).
#[derive(Clone)]
pub(crate) enum Chunk {
    /// Sorted, distinct low halves; at most [`ARRAY_MAX`] of them.
    Array(Vec<u16>),
    /// A bitset and its number of set bits.
    Bits(Box<Block>, u32),
}

impl Chunk {
    fn len(&self) -> u32 {
        match self {
            Chunk::Array(a) => a.len() as u32,
            Chunk::Bits(_, n) => *n,
        }
    }

    fn contains(&self, low: u16) -> bool {
        match self {
            Chunk::Array(a) => a.binary_search(&low).is_ok(),
            Chunk::Bits(b, _) => b[usize::from(low >> 6)] >> (low & 63) & 1 == 1,
        }
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
        let mut a = Vec::with_capacity(ARRAY_BACK as usize);
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
        // Inserts in ascending id order hit the last chunk; check it first.
        match self.keys.last() {
            Some(&last) if last == key => Ok(self.keys.len() - 1),
            Some(&last) if last < key => Err(self.keys.len()),
            _ => self.keys.binary_search(&key),
        }
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
                    let mut block = Box::new([0u64; WORDS]);
                    self.chunks[i].or_into(&mut block);
                    chunk.or_into(&mut block);
                    let n = block.iter().map(|w| w.count_ones()).sum::<u32>();
                    self.len += u64::from(n - self.chunks[i].len());
                    self.chunks[i] = if n as usize > ARRAY_MAX {
                        Chunk::Bits(block, n)
                    } else {
                        Chunk::Array(Chunk::to_array(&block))
                    };
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
                })
                .sum::<usize>()
    }
}

impl From<&RoaringBitmap> for IdSet {
    fn from(bitmap: &RoaringBitmap) -> IdSet {
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
        self.len == other.len && self.keys == other.keys && self.iter().eq(other.iter())
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
    pub(crate) fn push_lows(&mut self, key: u16, lows: &[u16]) {
        debug_assert!(self.keys.last().is_none_or(|&k| k < key) && !lows.is_empty());
        self.keys.push(key);
        self.chunks.push(Chunk::from_sorted_lows(lows));
        self.len += lows.len() as u64;
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

//! `ChunkNames`: the distinct names of one kind listed in one chunk of
//! JSON Lines, each with the ids that list it, found without comparing a
//! name against every other.
//!
//! An inventory lists a few dozen distinct names millions of times, so the
//! reader looks each listed name up once per record. A direct-mapped cache
//! keyed on the name's length and first and last eight bytes answers almost
//! every lookup with two word compares (exact for names up to 16 bytes,
//! one string compare beyond); a miss goes to a hash map with std's keyed
//! hash, so a file of colliding names costs a hash, not a scan.

use std::borrow::Cow;
use std::collections::HashMap;

/// Slots of the direct-mapped cache.
const CACHE_SLOTS: usize = 256;

/// A cached name: its key words and its index (`u32::MAX` = empty).
#[derive(Clone, Copy)]
struct Slot {
    len: usize,
    words: (u64, u64),
    index: u32,
}

const EMPTY: Slot = Slot { len: 0, words: (0, 0), index: u32::MAX };

/// Words that, with the length, tell names up to 16 bytes apart exactly
/// (the first and last eight bytes, or four, or the bytes themselves), and
/// longer names usually.
#[inline]
fn key_words(name: &[u8]) -> (u64, u64) {
    let n = name.len();
    if n >= 8 {
        let first = name.first_chunk::<8>().copied().unwrap_or_default();
        let last = name.last_chunk::<8>().copied().unwrap_or_default();
        (u64::from_le_bytes(first), u64::from_le_bytes(last))
    } else if n >= 4 {
        // Two overlapping four-byte reads cover the name.
        let first = name.first_chunk::<4>().copied().unwrap_or_default();
        let last = name.last_chunk::<4>().copied().unwrap_or_default();
        (u64::from(u32::from_le_bytes(first)), u64::from(u32::from_le_bytes(last)))
    } else {
        match name {
            [] => (0, 0),
            [a, rest @ ..] => {
                let mid = rest.first().copied().unwrap_or(0);
                let last = rest.last().copied().unwrap_or(0);
                (u64::from(*a) | u64::from(mid) << 8 | u64::from(last) << 16, 0)
            }
        }
    }
}

#[inline]
fn cache_slot(len: usize, words: (u64, u64)) -> usize {
    let h = (words.0 ^ words.1.rotate_left(29) ^ len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> 56) as usize % CACHE_SLOTS
}

/// The distinct names of one kind in a chunk, in order of first listing,
/// and the ids listing each.
pub(crate) struct ChunkNames<'a> {
    names: Vec<Cow<'a, str>>,
    ids: Vec<Vec<u32>>,
    index: HashMap<Cow<'a, str>, u32>,
    cache: Box<[Slot; CACHE_SLOTS]>,
    /// Names with at least one id.
    listed: usize,
}

impl Default for ChunkNames<'_> {
    fn default() -> Self {
        ChunkNames {
            names: Vec::new(),
            ids: Vec::new(),
            index: HashMap::new(),
            cache: Box::new([EMPTY; CACHE_SLOTS]),
            listed: 0,
        }
    }
}

impl<'a> ChunkNames<'a> {
    /// The index of `name`, added (with no ids yet) if new; the flag says
    /// whether it was.
    #[inline]
    pub(crate) fn index_of(&mut self, name: &str, owned: impl FnOnce() -> Cow<'a, str>) -> (u32, bool) {
        let bytes = name.as_bytes();
        let words = key_words(bytes);
        let at = cache_slot(bytes.len(), words);
        let slot = self.cache[at];
        if slot.index != u32::MAX
            && slot.len == bytes.len()
            && slot.words == words
            && (bytes.len() <= 16 || self.names[slot.index as usize] == name)
        {
            return (slot.index, false);
        }
        let (index, new) = match self.index.get(name) {
            Some(&i) => (i, false),
            None => {
                let i = self.names.len() as u32;
                let name = owned();
                self.index.insert(name.clone(), i);
                self.names.push(name);
                self.ids.push(Vec::new());
                (i, true)
            }
        };
        self.cache[at] = Slot { len: bytes.len(), words, index };
        (index, new)
    }

    /// The name at `index`.
    pub(crate) fn name(&self, index: u32) -> &str {
        &self.names[index as usize]
    }

    /// The ids listed so far under the name at `index`.
    pub(crate) fn ids_of(&self, index: u32) -> &[u32] {
        &self.ids[index as usize]
    }

    /// Lists `id` under the name at `index`.
    #[inline]
    pub(crate) fn push(&mut self, index: u32, id: u32) {
        let ids = &mut self.ids[index as usize];
        self.listed += usize::from(ids.is_empty());
        ids.push(id);
    }

    /// The distinct names that list at least one id.
    pub(crate) fn listed(&self) -> usize {
        self.listed
    }

    /// The names listing at least one id, in order of first listing, with
    /// their ids.
    pub(crate) fn into_columns(self) -> impl Iterator<Item = (Cow<'a, str>, Vec<u32>)> {
        self.names.into_iter().zip(self.ids).filter(|(_, ids)| !ids.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_share_words_are_told_apart() {
        let mut names = ChunkNames::default();
        let long_a = "a-long-store-name-number-1";
        let long_b = "a-long-store-name-number-1".replace("a-long", "b-long");
        let list = ["iis-prod-1", "iis-prod-2", "", "a", "a\0", long_a, &long_b, "iis-prod-1"];
        let short =
            ["ab", "ba", "abc", "acb", "abcd", "abdc", "abcde", "abdce", "abcdefg", "abcdegf", "é", "\0"];
        let mut other = ChunkNames::default();
        for (i, name) in short.iter().enumerate() {
            assert_eq!(other.index_of(name, || Cow::Borrowed(name)), (i as u32, true));
        }
        for (i, name) in short.iter().enumerate() {
            assert_eq!(other.index_of(name, || unreachable!()), (i as u32, false));
        }
        let mut got = Vec::new();
        for name in list {
            got.push(names.index_of(name, || Cow::Owned(name.to_owned())));
        }
        assert_eq!(
            got,
            [(0, true), (1, true), (2, true), (3, true), (4, true), (5, true), (6, true), (0, false)]
        );
        for (i, name) in list.iter().take(7).enumerate() {
            assert_eq!(names.name(i as u32), *name);
            assert_eq!(names.index_of(name, || unreachable!()), (i as u32, false));
        }
        names.push(1, 7);
        assert_eq!(names.listed(), 1);
        let columns: Vec<_> = names.into_columns().collect();
        assert_eq!(columns, [(Cow::Borrowed("iis-prod-2"), vec![7])]);
    }

    #[test]
    fn many_names_in_one_cache_slot() {
        // Names cycling through more than the cache holds still map to
        // their first index.
        let all: Vec<String> = (0..2000).map(|i| format!("name-{i}")).collect();
        let mut names = ChunkNames::default();
        for round in 0..3 {
            for (i, name) in all.iter().enumerate() {
                assert_eq!(names.index_of(name, || Cow::Owned(name.clone())), (i as u32, round == 0));
            }
        }
    }
}

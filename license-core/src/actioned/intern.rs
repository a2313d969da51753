//! `ChunkNames`: the distinct names of one kind listed in one chunk of
//! JSON Lines, each with the ids that list it, found without comparing a
//! name against every other.
//!
//! An inventory lists a few dozen distinct names millions of times, so the
//! reader looks each listed name up once per record. A direct-mapped cache
//! keyed on the name's length and bytes (all of them, zero-padded, up to 16;
//! the first and last eight beyond) answers almost every lookup with two
//! word compares (exact for names up to 16 bytes, one string compare
//! beyond); a miss goes to a hash map with std's keyed hash, so a file of
//! colliding names costs a hash, not a scan. The scanner takes a name's
//! key as it finds the name ([`NameKey::within`]), with two loads and no
//! branch on the name's length.

use std::borrow::Cow;
use std::collections::HashMap;

/// Slots of the direct-mapped cache.
const CACHE_SLOTS: usize = 256;

/// A cached name: its key and its index (an empty slot has a key no name
/// has, so a probe needs no separate test for it).
#[derive(Clone, Copy)]
struct Slot {
    key: NameKey,
    index: u32,
}

const EMPTY: Slot = Slot { key: NameKey { len: usize::MAX, words: (0, 0) }, index: u32::MAX };

/// What the cache keys a name on: its length and two words that tell
/// names up to 16 bytes apart exactly (its bytes, zero-padded) and longer
/// names usually (their first and last eight bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NameKey {
    len: usize,
    words: (u64, u64),
}

/// The low `n` bytes of a word (all eight from 8 up).
#[inline]
fn low_bytes(w: u64, n: usize) -> u64 {
    if n >= 8 {
        w
    } else {
        w & ((1u64 << (8 * n)) - 1)
    }
}

/// Eight bytes at `at`, little-endian.
#[inline]
fn word_at(bytes: &[u8], at: usize) -> u64 {
    bytes.get(at..at + 8).and_then(|b| b.try_into().ok()).map_or(0, u64::from_le_bytes)
}

impl NameKey {
    /// The key's slot in a cache of `slots` (at most 256) entries: a
    /// multiplicative hash of its words, for caches that remember the
    /// name last seen per slot.
    #[inline]
    pub(crate) fn slot(self, slots: usize) -> usize {
        let h = (self.words.0 ^ self.words.1.rotate_left(29) ^ self.len as u64)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> 56) as usize % slots
    }

    /// The key of `name`.
    #[inline]
    pub(crate) fn of(name: &[u8]) -> NameKey {
        let len = name.len();
        if len > 16 {
            return NameKey { len, words: (word_at(name, 0), word_at(name, len - 8)) };
        }
        let mut buf = [0u8; 16];
        buf[..len].copy_from_slice(name);
        NameKey { len, words: (word_at(&buf, 0), word_at(&buf, 8)) }
    }

    /// The key of a name of `len` bytes (at most 16) whose bytes,
    /// zero-padded, are the little-endian words `a` and `b`: for a caller
    /// that has the words in registers already.
    #[inline(always)]
    pub(crate) fn from_words(len: usize, a: u64, b: u64) -> NameKey {
        debug_assert!(len <= 16);
        NameKey { len, words: (a, b) }
    }

    /// The key of the name `bytes[start..start + len]`, read with two
    /// loads when `bytes` goes on for 16 bytes from `start` (as a name in
    /// a line usually does): no branch on the name's length then.
    #[inline]
    pub(crate) fn within(bytes: &[u8], start: usize, len: usize) -> NameKey {
        if len <= 16 && start + 16 <= bytes.len() {
            let (a, b) = (word_at(bytes, start), word_at(bytes, start + 8));
            NameKey { len, words: (low_bytes(a, len), low_bytes(b, len.saturating_sub(8))) }
        } else {
            NameKey::of(bytes.get(start..start + len).unwrap_or_default())
        }
    }
}

#[inline]
fn cache_slot(key: NameKey) -> usize {
    key.slot(CACHE_SLOTS)
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
    #[cfg(test)]
    pub(crate) fn index_of(&mut self, name: &str, owned: impl FnOnce() -> Cow<'a, str>) -> (u32, bool) {
        self.index_of_key(name.as_bytes(), NameKey::of(name.as_bytes()), || name, owned)
    }

    /// As [`ChunkNames::index_of`], with the name's bytes and key already
    /// taken; `text` gives the name as text, called only when the cache
    /// does not answer.
    #[inline]
    pub(crate) fn index_of_key<'n>(
        &mut self,
        bytes: &[u8],
        key: NameKey,
        text: impl FnOnce() -> &'n str,
        owned: impl FnOnce() -> Cow<'a, str>,
    ) -> (u32, bool) {
        let at = cache_slot(key);
        let slot = self.cache[at];
        if slot.key == key && (key.len <= 16 || self.names[slot.index as usize].as_bytes() == bytes) {
            return (slot.index, false);
        }
        let name = text();
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
        self.cache[at] = Slot { key, index };
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

    /// Takes back the id last listed under the name at `index` (a record
    /// refused after its names were listed).
    pub(crate) fn pop(&mut self, index: u32) {
        let ids = &mut self.ids[index as usize];
        if ids.pop().is_some() && ids.is_empty() {
            self.listed -= 1;
        }
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
    fn a_key_read_in_place_is_the_key_of_the_name() {
        // Every length up to past 16, at every place in a buffer that ends
        // right after the name or goes on (with bytes that must not count).
        let text: Vec<u8> = (0..64u8).map(|i| b'a' + i % 26).collect();
        for len in 0..24 {
            for start in 0..text.len() - len {
                let name = &text[start..start + len];
                let want = NameKey::of(name);
                assert_eq!(NameKey::within(&text, start, len), want, "{start} {len}");
                assert_eq!(
                    NameKey::within(&text[..start + len], start, len),
                    want,
                    "{start} {len} at the end"
                );
            }
        }
        // Names up to 16 bytes that differ anywhere have different keys.
        assert_ne!(NameKey::of(b"abcdefghijklmnop"), NameKey::of(b"abcdefghijklmnoq"));
        assert_ne!(NameKey::of(b"abcdefgh"), NameKey::of(b"abcdefgi"));
        assert_ne!(NameKey::of(b"a"), NameKey::of(b"a\0"));
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

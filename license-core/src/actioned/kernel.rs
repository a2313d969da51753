//! The count kernel: one fused pass per 2^16-id chunk.
//!
//! For each chunk that any live category or the revoked-within-the-week set
//! touches, it ORs each category's member sets into one bitset (or borrows
//! the member's own bitset when it is the only one), builds the chunk's
//! revoked, expired and revoked-within-the-week masks, and then, in a
//! single loop over the 1,024 words, masks out the dead ids and popcounts
//! every category and the union at once. Nothing is materialised beyond one
//! chunk's scratch (about 72 KiB, cache-resident), no cardinality is kept up
//! to date along the way, and the word loop is compiled for several SIMD
//! levels with the best one chosen at run time.

use multiversion::multiversion;

use super::idset::{Block, Chunk, IdSet, WORDS};

/// Seconds in the "revoked within the previous week" window.
pub(crate) const WEEK_SECS: i64 = 7 * 86_400;

/// Counts in [`super::Category::ALL`] order, then the total.
pub(crate) type Acc = [u64; 8];

/// Where the revoked, expired and revoked-within-the-week masks of a chunk
/// come from (id sets: the caller's, or the inventory's cached ones).
pub(crate) trait DeadSource {
    /// Chunk keys where revoked-within-the-week may be non-empty.
    fn recent_keys(&self) -> Vec<u16>;
    /// Gathers chunk `key` of (revoked, expired, recent): bitset chunks of
    /// the source by reference into `direct[i]`, anything else ORed into
    /// `scratch[i]`; returns which scratch blocks were written.
    fn gather<'a>(&'a self, key: u16, scratch: &mut [Block], direct: &mut [Vec<&'a Block>; 3]) -> [bool; 3];
}

/// Dead masks from the caller's sets (each the union of its members).
pub(crate) struct SetsDead<'a> {
    pub(crate) revoked: &'a [&'a IdSet],
    pub(crate) expired: &'a [&'a IdSet],
    pub(crate) recent: &'a [&'a IdSet],
}

impl DeadSource for SetsDead<'_> {
    fn recent_keys(&self) -> Vec<u16> {
        self.recent.iter().flat_map(|s| s.keys().iter().copied()).collect()
    }

    fn gather<'a>(&'a self, key: u16, scratch: &mut [Block], direct: &mut [Vec<&'a Block>; 3]) -> [bool; 3] {
        let mut used = [false; 3];
        for (i, members) in [self.revoked, self.expired, self.recent].into_iter().enumerate() {
            used[i] = gather(members, key, &mut scratch[i], &mut direct[i]);
        }
        used
    }
}

/// Collects the chunks at `key` of `members`: bitsets (and the shared
/// all-ones block for a full run) by reference into `direct`, arrays and
/// other runs ORed into `scratch`. Returns whether `scratch` was written
/// (and so is one more member).
fn gather<'a>(members: &[&'a IdSet], key: u16, scratch: &mut Block, direct: &mut Vec<&'a Block>) -> bool {
    let mut used = false;
    for chunk in members.iter().filter_map(|m| m.chunk(key)) {
        match (chunk, chunk.full()) {
            (Chunk::Bits(b, _), _) => direct.push(b),
            (_, Some(full)) => direct.push(full),
            _ => {
                if !used {
                    scratch.fill(0);
                    used = true;
                }
                chunk.or_into(scratch);
            }
        }
    }
    used
}

/// Words per strip: every input's strip (512 bytes) is read before moving
/// to the next, so all the inputs' memory streams are in flight together
/// instead of one set after another.
const STRIP: usize = 64;

/// ORs the strip at `at` of `members` into `out` (zero when none).
#[inline(always)]
fn or_strip(members: &[&Block], at: usize, out: &mut [u64; STRIP]) {
    match members.split_first() {
        None => out.fill(0),
        Some((first, rest)) => {
            out.copy_from_slice(&first[at..at + STRIP]);
            for m in rest {
                for (o, w) in out.iter_mut().zip(&m[at..at + STRIP]) {
                    *o |= w;
                }
            }
        }
    }
}

/// The fused loop over one chunk: per strip, OR each input's members, mask
/// out the dead ids, popcount every category and the union. Inputs are the
/// six live categories in [`super::Category::LIVE`] order, then revoked,
/// expired and recent.
#[multiversion(targets("x86_64+avx2+popcnt", "x86_64+sse4.2+popcnt", "aarch64+neon"))]
fn tally_chunk(inputs: &[Vec<&Block>]) -> Acc {
    let mut acc = [0u64; 8];
    let mut s = [[0u64; STRIP]; 9];
    for at in (0..WORDS).step_by(STRIP) {
        for (strip, members) in s.iter_mut().zip(inputs) {
            or_strip(members, at, strip);
        }
        // Indexing nine strips by one word index reads clearest (and the
        // compiler vectorises it).
        #[allow(clippy::needless_range_loop)]
        for w in 0..STRIP {
            let (revoked, expired, recent) = (s[6][w], s[7][w], s[8][w]);
            let alive = !(revoked | expired);
            let c0 = s[0][w] & alive;
            let c1 = s[1][w] & alive;
            let c2 = s[2][w] & alive;
            let c3 = s[3][w] & alive;
            let c4 = s[4][w] & alive;
            let c5 = s[5][w] & alive;
            let rw = recent & !expired;
            acc[0] += u64::from(c0.count_ones());
            acc[1] += u64::from(rw.count_ones());
            acc[2] += u64::from(c1.count_ones());
            acc[3] += u64::from(c2.count_ones());
            acc[4] += u64::from(c3.count_ones());
            acc[5] += u64::from(c4.count_ones());
            acc[6] += u64::from(c5.count_ones());
            acc[7] += u64::from((c0 | c1 | c2 | c3 | c4 | c5 | rw).count_ones());
        }
    }
    acc
}

/// Counts the live categories (each the union of its members, in
/// [`super::Category::LIVE`] order) with the dead masks from `dead`.
pub(crate) fn run(live: &[Vec<&IdSet>; 6], dead: &dyn DeadSource) -> Acc {
    // Every chunk key that can contribute, as a 65,536-bit set.
    let mut keys = Box::new([0u64; WORDS]);
    let mut mark = |k: u16| keys[usize::from(k >> 6)] |= 1 << (k & 63);
    live.iter().flatten().flat_map(|s| s.keys().iter().copied()).for_each(&mut mark);
    dead.recent_keys().into_iter().for_each(&mut mark);

    // Scratch: the OR of each live category's array chunks, then the three
    // dead masks when they are computed rather than borrowed.
    let mut scratch: Vec<Block> = vec![[0; WORDS]; 9];
    let mut acc = [0u64; 8];
    for (w, &word) in keys.iter().enumerate() {
        let mut bits = word;
        while bits != 0 {
            let key = (w as u16) << 6 | bits.trailing_zeros() as u16;
            bits &= bits - 1;
            let mut direct: Vec<Vec<&Block>> = vec![Vec::new(); 9];
            let mut used = [false; 9];
            let (live_scratch, dead_scratch) = scratch.split_at_mut(6);
            for (c, members) in live.iter().enumerate() {
                used[c] = gather(members, key, &mut live_scratch[c], &mut direct[c]);
            }
            let mut dead_direct: [Vec<&Block>; 3] = Default::default();
            let dead_used = dead.gather(key, dead_scratch, &mut dead_direct);
            used[6..].copy_from_slice(&dead_used);
            for (d, list) in direct[6..].iter_mut().zip(dead_direct) {
                *d = list;
            }
            for (d, (block, used)) in direct.iter_mut().zip(scratch.iter().zip(used)) {
                if used {
                    d.push(block);
                }
            }
            let part = tally_chunk(&direct);
            for (a, p) in acc.iter_mut().zip(part) {
                *a += p;
            }
        }
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use roaring::RoaringBitmap;

    /// The same ids as runs (decoded from run containers) and as arrays
    /// and bitsets.
    fn both(ranges: &[(u32, u32)]) -> (IdSet, IdSet) {
        let mut bitmap = RoaringBitmap::new();
        for &(start, len) in ranges {
            bitmap.insert_range(start..start + len);
        }
        bitmap.optimize();
        (IdSet::from(&bitmap), IdSet::from_unsorted(bitmap.iter().collect()))
    }

    fn tally(sets: &[&IdSet], extra: &IdSet) -> Acc {
        let mut live: [Vec<&IdSet>; 6] = std::array::from_fn(|i| vec![sets[i]]);
        live[0].push(extra);
        run(&live, &SetsDead { revoked: &[sets[6]], expired: &[sets[7]], recent: &[sets[8]] })
    }

    proptest! {
        // Each case holds up to 350,000 ids in a model set; a few dozen
        // cover the layouts.
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn run_chunks_count_as_their_ids(
            sets in proptest::collection::vec(
                proptest::collection::vec((0u32..200_000, 0u32..70_000), 0..4), 10),
        ) {
            let pairs: Vec<(IdSet, IdSet)> = sets.iter().map(|r| both(r)).collect();
            let runs: Vec<&IdSet> = pairs.iter().map(|p| &p.0).collect();
            let plain: Vec<&IdSet> = pairs.iter().map(|p| &p.1).collect();
            prop_assert_eq!(tally(&runs, plain[9]), tally(&plain, plain[9]));
        }
    }
}

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
use super::times::TimeIndex;

/// Seconds in the "revoked within the previous week" window.
pub(crate) const WEEK_SECS: i64 = 7 * 86_400;

static ZERO: Block = [0; WORDS];

/// Counts in [`super::Category::ALL`] order, then the total.
pub(crate) type Acc = [u64; 8];

/// Where the revoked, expired and revoked-within-the-week masks of a chunk
/// come from: id sets given by the caller, or an inventory's time indexes.
pub(crate) trait DeadSource {
    /// Chunk keys where revoked-within-the-week may be non-empty.
    fn recent_keys(&self) -> Vec<u16>;
    /// Fills the masks of chunk `key`; returns which of (revoked, expired,
    /// recent) were written (the others are empty).
    fn fill(&self, key: u16, revoked: &mut Block, expired: &mut Block, recent: &mut Block) -> [bool; 3];
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

    fn fill(&self, key: u16, revoked: &mut Block, expired: &mut Block, recent: &mut Block) -> [bool; 3] {
        [
            union_chunk(self.revoked, key, revoked),
            union_chunk(self.expired, key, expired),
            union_chunk(self.recent, key, recent),
        ]
    }
}

/// Dead masks from an inventory's revocation and expiry times, as of `t`.
pub(crate) struct TimesDead<'a> {
    pub(crate) revocations: &'a TimeIndex,
    pub(crate) expiries: &'a TimeIndex,
    pub(crate) t: i64,
}

impl DeadSource for TimesDead<'_> {
    fn recent_keys(&self) -> Vec<u16> {
        self.revocations.keys().to_vec()
    }

    fn fill(&self, key: u16, revoked: &mut Block, expired: &mut Block, recent: &mut Block) -> [bool; 3] {
        [
            self.revocations.mask(key, None, self.t, revoked),
            self.expiries.mask(key, None, self.t, expired),
            self.revocations.mask(key, Some(self.t.saturating_sub(WEEK_SECS)), self.t, recent),
        ]
    }
}

/// ORs the chunks at `key` of `members` into `out`; false (and `out` left
/// as it was) when none has that chunk.
fn union_chunk(members: &[&IdSet], key: u16, out: &mut Block) -> bool {
    let mut any = false;
    for chunk in members.iter().filter_map(|m| m.chunk(key)) {
        match (any, chunk) {
            (false, Chunk::Bits(b, _)) => out.copy_from_slice(&b[..]),
            (false, Chunk::Array(_)) => {
                out.fill(0);
                chunk.or_into(out);
            }
            (true, _) => chunk.or_into(out),
        }
        any = true;
    }
    any
}

/// The fused word loop over one chunk: `live` in [`super::Category::LIVE`]
/// order.
#[multiversion(targets("x86_64+avx2+popcnt", "x86_64+sse4.2+popcnt", "aarch64+neon"))]
fn tally_chunk(live: [&Block; 6], revoked: &Block, expired: &Block, recent: &Block) -> Acc {
    let mut acc = [0u64; 8];
    for w in 0..WORDS {
        let alive = !(revoked[w] | expired[w]);
        let c0 = live[0][w] & alive;
        let c1 = live[1][w] & alive;
        let c2 = live[2][w] & alive;
        let c3 = live[3][w] & alive;
        let c4 = live[4][w] & alive;
        let c5 = live[5][w] & alive;
        let rw = recent[w] & !expired[w];
        acc[0] += u64::from(c0.count_ones());
        acc[1] += u64::from(rw.count_ones());
        acc[2] += u64::from(c1.count_ones());
        acc[3] += u64::from(c2.count_ones());
        acc[4] += u64::from(c3.count_ones());
        acc[5] += u64::from(c4.count_ones());
        acc[6] += u64::from(c5.count_ones());
        acc[7] += u64::from((c0 | c1 | c2 | c3 | c4 | c5 | rw).count_ones());
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

    let mut scratch: Vec<Block> = vec![[0; WORDS]; 9];
    let mut acc = [0u64; 8];
    for (w, &word) in keys.iter().enumerate() {
        let mut bits = word;
        while bits != 0 {
            let key = (w as u16) << 6 | bits.trailing_zeros() as u16;
            bits &= bits - 1;
            let (cats, rest) = scratch.split_at_mut(6);
            let (rv, rest) = rest.split_at_mut(1);
            let (ex, rc) = rest.split_at_mut(1);
            let filled = dead.fill(key, &mut rv[0], &mut ex[0], &mut rc[0]);
            // Borrow a lone member bitset directly; otherwise OR into scratch.
            let mut borrowed: [Option<&Block>; 6] = [None; 6];
            let mut present = [false; 6];
            for (c, members) in live.iter().enumerate() {
                let mut with_chunk = members.iter().filter_map(|m| m.chunk(key));
                match (with_chunk.next(), with_chunk.next()) {
                    (None, _) => {}
                    (Some(Chunk::Bits(b, _)), None) => {
                        borrowed[c] = Some(&**b);
                        present[c] = true;
                    }
                    _ => present[c] = union_chunk(members, key, &mut cats[c]),
                }
            }
            let pick = |c: usize| match (borrowed[c], present[c]) {
                (Some(b), _) => b,
                (None, true) => &cats[c],
                (None, false) => &ZERO,
            };
            let part = tally_chunk(
                [pick(0), pick(1), pick(2), pick(3), pick(4), pick(5)],
                if filled[0] { &rv[0] } else { &ZERO },
                if filled[1] { &ex[0] } else { &ZERO },
                if filled[2] { &rc[0] } else { &ZERO },
            );
            for (a, p) in acc.iter_mut().zip(part) {
                *a += p;
            }
        }
    }
    acc
}

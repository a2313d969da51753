//! Id sets and time indexes built from a column given in pieces (one piece
//! per filling thread, in record order).
//!
//! When the pieces together are in strictly ascending id order, as records
//! usually come, each set or index is built chunk by chunk straight from
//! the pieces: no concatenation (a copy of every column, on one thread)
//! and no sort. Otherwise the pieces are joined and built as before, so
//! the result is the same set or index either way.

use super::idset::IdSet;
use super::times::TimeIndex;

/// The ids of `pieces` (read in order) as a set.
pub(crate) fn set_from_pieces(pieces: Vec<Vec<u32>>) -> IdSet {
    match ascending_set(&pieces) {
        Some(set) => set,
        None => IdSet::from_unsorted(pieces.concat()),
    }
}

/// The set of `pieces` if their ids are strictly ascending. Each piece's
/// order is checked by one pass over adjacent pairs, and its ids are cut
/// into chunks by a binary search for each chunk's end, so the loops that
/// touch every id (the check, the copy of the low halves) carry no branch
/// per id and compile to vector code.
fn ascending_set(pieces: &[Vec<u32>]) -> Option<IdSet> {
    let mut set = IdSet::new();
    let mut lows: Vec<u16> = Vec::new();
    let mut key: Option<u16> = None;
    let mut last: Option<u32> = None;
    for piece in pieces {
        let (Some(&first), Some(&end)) = (piece.first(), piece.last()) else { continue };
        // Folded, not `any`: no early exit, so the check is vector code.
        if last.is_some_and(|l| first <= l) || piece.windows(2).fold(false, |bad, w| bad | (w[0] >= w[1])) {
            return None;
        }
        last = Some(end);
        let mut rest = piece.as_slice();
        while let Some(&head) = rest.first() {
            let k = (head >> 16) as u16;
            let n = rest.partition_point(|&id| (id >> 16) as u16 == k);
            if key != Some(k) {
                if let Some(prev) = key {
                    set.push_lows(prev, &lows);
                }
                lows.clear();
                key = Some(k);
            }
            lows.extend(rest[..n].iter().map(|&id| id as u16));
            rest = &rest[n..];
        }
    }
    if let Some(prev) = key {
        set.push_lows(prev, &lows);
    }
    Some(set)
}

/// The (id, seconds) pairs of `pieces` (distinct ids) as a time index.
pub(crate) fn times_from_pieces(pieces: Vec<Vec<(u32, i64)>>) -> TimeIndex {
    match ascending_times(&pieces) {
        Some(index) => index,
        None => TimeIndex::from_pairs(pieces.concat()),
    }
}

/// The index of `pieces` if their ids are strictly ascending.
fn ascending_times(pieces: &[Vec<(u32, i64)>]) -> Option<TimeIndex> {
    let mut index = TimeIndex::default();
    let (mut lows, mut secs, mut scratch): (Vec<u16>, Vec<i64>, Vec<u32>) = Default::default();
    let mut key: Option<u16> = None;
    let mut last: Option<u32> = None;
    for piece in pieces {
        for &(id, s) in piece {
            if last.is_some_and(|l| id <= l) {
                return None;
            }
            last = Some(id);
            let k = (id >> 16) as u16;
            if key != Some(k) {
                if let Some(prev) = key {
                    index.push_chunk_secs(prev, &lows, &secs, &mut scratch);
                }
                lows.clear();
                secs.clear();
                key = Some(k);
            }
            lows.push(id as u16);
            secs.push(s);
        }
    }
    if let Some(prev) = key {
        index.push_chunk_secs(prev, &lows, &secs, &mut scratch);
    }
    Some(index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `items` cut after each length in `cuts` in turn (past the end: empty
    /// pieces), the rest last.
    fn pieces_of<T: Clone>(items: &[T], cuts: &[usize]) -> Vec<Vec<T>> {
        let mut pieces = Vec::new();
        let mut rest = items;
        for &c in cuts {
            let (a, b) = rest.split_at(c.min(rest.len()));
            pieces.push(a.to_vec());
            rest = b;
        }
        pieces.push(rest.to_vec());
        pieces
    }

    proptest! {
        /// Pieces give the set and index that the joined column gives,
        /// ascending or not (then built the old way), across chunk edges.
        #[test]
        fn pieces_build_what_the_whole_column_builds(
            mut ids in proptest::collection::vec(prop_oneof![0u32..70_000, 131_000u32..132_000, Just(u32::MAX)], 0..300),
            cuts in proptest::collection::vec(0usize..100, 0..4),
            sorted in any::<bool>(),
        ) {
            if sorted {
                ids.sort_unstable();
                ids.dedup();
            }
            let pieces = pieces_of(&ids, &cuts);
            let whole = IdSet::from_unsorted(ids.clone());
            prop_assert_eq!(&set_from_pieces(pieces), &whole);
            let mut distinct = ids.clone();
            distinct.sort_unstable();
            distinct.dedup();
            if !sorted {
                distinct.reverse();
            }
            let pairs: Vec<(u32, i64)> = distinct.iter().map(|&id| (id, i64::from(id % 977) * 86_399)).collect();
            let cut_pairs = pieces_of(&pairs, &cuts);
            let built = times_from_pieces(cut_pairs);
            let want = TimeIndex::from_pairs(pairs);
            prop_assert_eq!(built.iter().collect::<Vec<_>>(), want.iter().collect::<Vec<_>>());
            prop_assert_eq!(built.len(), want.len());
        }
    }

    #[test]
    fn the_largest_id_ends_a_column() {
        let set = set_from_pieces(vec![vec![1, u32::MAX - 1], vec![u32::MAX]]);
        assert_eq!(set.iter().collect::<Vec<_>>(), [1, u32::MAX - 1, u32::MAX]);
        // u32::MAX twice is a repeat, not an ascending column.
        let set = set_from_pieces(vec![vec![u32::MAX], vec![u32::MAX]]);
        assert_eq!(set.len(), 1);
    }
}

//! `TimesInOrder`: a [`TimeIndex`] built from (id, seconds) pairs that
//! arrive in id order, or nearly, as a JSON Lines file sorted by id gives
//! them: each 2^16-id chunk is built once, when the ids move past it,
//! instead of a small index per piece of the file merged pair by pair.

use super::TimeIndex;

/// Builds a [`TimeIndex`] from pairs given in any order, fastest in id
/// order (a pair below the open chunk is set in the index directly).
#[derive(Default)]
pub(crate) struct TimesInOrder {
    index: TimeIndex,
    /// The open chunk (above every chunk in `index`) and its pairs.
    key: Option<u16>,
    lows: Vec<u16>,
    secs: Vec<i64>,
    /// Whether the open chunk's lows are strictly ascending.
    sorted: bool,
    scratch: Vec<u32>,
}

impl TimesInOrder {
    /// Adds the time of `id` (ids are distinct: a repeated id is the
    /// reader's error, and which of its times is kept does not matter).
    #[inline]
    pub(crate) fn add(&mut self, id: u32, secs: i64) {
        let (key, low) = ((id >> 16) as u16, id as u16);
        match self.key {
            Some(open) if open == key => {
                self.sorted &= self.lows.last().is_none_or(|&l| l < low);
                self.lows.push(low);
                self.secs.push(secs);
            }
            Some(open) if open > key => {
                self.index.set(id, secs);
            }
            _ => {
                self.close();
                if self.index.keys().last().is_some_and(|&k| k >= key) {
                    self.index.set(id, secs);
                    return;
                }
                self.key = Some(key);
                self.sorted = true;
                self.lows.push(low);
                self.secs.push(secs);
            }
        }
    }

    /// Adds every pair of `pairs`, as [`TimesInOrder::add`] one at a time
    /// would: a run of pairs in the open chunk is appended in one loop with
    /// no branch per pair (a chunk of a file sorted by id is such runs).
    pub(crate) fn add_all(&mut self, pairs: &[(u32, i64)]) {
        let mut rest = pairs;
        while let Some(&(id, secs)) = rest.first() {
            let key = (id >> 16) as u16;
            if self.key != Some(key) {
                self.add(id, secs);
                rest = &rest[1..];
                continue;
            }
            let n = rest.iter().position(|p| (p.0 >> 16) as u16 != key).unwrap_or(rest.len());
            let (run, next) = rest.split_at(n);
            let ascending = run.windows(2).fold(true, |up, w| up & (w[0].0 < w[1].0));
            self.sorted &= ascending && self.lows.last().is_none_or(|&l| l < id as u16);
            self.lows.extend(run.iter().map(|p| p.0 as u16));
            self.secs.extend(run.iter().map(|p| p.1));
            rest = next;
        }
    }

    /// Moves the open chunk into the index.
    fn close(&mut self) {
        let Some(key) = self.key.take() else { return };
        if !self.sorted {
            let mut pairs: Vec<(u16, i64)> = self.lows.drain(..).zip(self.secs.drain(..)).collect();
            pairs.sort_by_key(|p| p.0);
            pairs.dedup_by_key(|p| p.0);
            (self.lows, self.secs) = pairs.into_iter().unzip();
        }
        self.index.push_chunk_secs(key, &self.lows, &self.secs, &mut self.scratch);
        self.lows.clear();
        self.secs.clear();
    }

    /// The index of every pair added.
    pub(crate) fn finish(mut self) -> TimeIndex {
        self.close();
        self.index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Pairs given in slices build what they build one at a time, in
        /// id order or not, across chunk edges (and both give the index of
        /// the pairs, which the test below checks for `add`).
        #[test]
        fn slices_of_pairs_add_as_pairs_one_at_a_time(
            ids in proptest::collection::vec(proptest::prop_oneof![0u32..70_000, 130_000u32..200_000], 0..400),
            cuts in proptest::collection::vec(0usize..120, 0..5),
            sorted in proptest::prelude::any::<bool>(),
        ) {
            let mut ids = ids;
            ids.sort_unstable();
            ids.dedup();
            if !sorted {
                let n = ids.len();
                ids[n / 3..].reverse();
            }
            let pairs: Vec<(u32, i64)> = ids.iter().map(|&id| (id, i64::from(id % 613) * 86_401)).collect();
            let mut one = TimesInOrder::default();
            for &(id, secs) in &pairs {
                one.add(id, secs);
            }
            let mut sliced = TimesInOrder::default();
            let mut rest = pairs.as_slice();
            for &c in &cuts {
                let (a, b) = rest.split_at(c.min(rest.len()));
                sliced.add_all(a);
                rest = b;
            }
            sliced.add_all(rest);
            let want: Vec<(u32, i64)> = one.finish().iter().collect();
            proptest::prop_assert_eq!(sliced.finish().iter().collect::<Vec<_>>(), want);
        }
    }

    #[test]
    fn any_order_gives_the_index_of_the_pairs() {
        // Sorted, then with pairs going back into closed chunks and the
        // open one, across chunk boundaries, and a time past 2106.
        let late = 5_000_000_000i64;
        let mut pairs: Vec<(u32, i64)> =
            (0..300_000u32).step_by(7).map(|id| (id, i64::from(id % 1000) * 86_400)).collect();
        pairs.push((300_001, late));
        let mut shuffled = pairs.clone();
        shuffled.swap(10, 20_000);
        shuffled.swap(9_000, 9_001);
        shuffled.reverse();
        shuffled[..30_000].reverse();
        for order in [&pairs, &shuffled] {
            let mut b = TimesInOrder::default();
            for &(id, secs) in order.iter() {
                b.add(id, secs);
            }
            let got: Vec<(u32, i64)> = b.finish().iter().collect();
            assert_eq!(got, pairs);
        }
        assert!(TimesInOrder::default().finish().iter().next().is_none());
    }
}

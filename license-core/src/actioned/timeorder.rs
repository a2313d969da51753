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

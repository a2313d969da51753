//! The store, metadata and collection changes of one 2^16-id chunk of an
//! event batch, applied set by set.
//!
//! Event by event, a membership change in a sparse set (an array chunk) is
//! a binary search and a shift of the array's tail, and a deletion is a
//! lookup in every named set. Here each certificate's changes are first
//! reduced to their net effect (the last change to a set wins; a deletion
//! takes the certificate out of every set, unless a later event puts it
//! back), then each set's chunk gets all its changes at once
//! ([`IdSet::apply_chunk`](super::idset::IdSet::apply_chunk): an array
//! chunk is rebuilt in one merge, a bitset's bits are flipped).

use super::inventory::NamedSets;

/// One membership change: the set (kind 0 stores, 1 metadata, 2
/// collections, and the batch's name index), or a deletion.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    /// Put in (`true`) or taken out of a named set.
    Set(u8, u16, bool),
    /// Taken out of every named set.
    Deleted,
}

/// The net changes of one chunk, gathered certificate by certificate (in
/// ascending id order), then applied.
#[derive(Default)]
pub(crate) struct NamedBatch {
    /// Per set (`kind * names + name`), its net changes: (low id, in).
    changes: Vec<Vec<(u16, bool)>>,
    /// The sets with changes, in first-change order.
    used: Vec<usize>,
    /// Low ids deleted (then out of every set that does not list them in
    /// `changes`).
    deleted: Vec<u16>,
    /// The current certificate's changes, and whether it was deleted.
    current: Vec<(usize, bool)>,
    current_deleted: bool,
    names: usize,
    list: Vec<(u16, bool)>,
}

impl NamedBatch {
    /// A batch whose events use `names` names.
    pub(crate) fn new(names: usize) -> NamedBatch {
        NamedBatch { changes: vec![Vec::new(); 3 * names], names, ..NamedBatch::default() }
    }

    /// Records a change to the current certificate (changes of one
    /// certificate come together, in event order).
    pub(crate) fn push(&mut self, change: Change) {
        match change {
            Change::Deleted => {
                self.current.clear();
                self.current_deleted = true;
            }
            Change::Set(kind, name, on) => {
                let set = usize::from(kind) * self.names + usize::from(name);
                match self.current.iter_mut().find(|(s, _)| *s == set) {
                    Some(entry) => entry.1 = on,
                    None => self.current.push((set, on)),
                }
            }
        }
    }

    /// Ends the current certificate, `low` its low id.
    pub(crate) fn end_certificate(&mut self, low: u16) {
        if self.current_deleted {
            self.deleted.push(low);
            self.current_deleted = false;
        }
        for &(set, on) in &self.current {
            if self.changes[set].is_empty() {
                self.used.push(set);
            }
            self.changes[set].push((low, on));
        }
        self.current.clear();
    }

    /// Applies the gathered changes to chunk `key` of `sets` (stores,
    /// metadata, collections; `names` the batch's names), and empties the
    /// batch for the next chunk. Sets left empty are dropped, new names
    /// get a set.
    pub(crate) fn apply(&mut self, key: u16, sets: [&mut NamedSets; 3], names: &[&str]) {
        let deleted = std::mem::take(&mut self.deleted);
        for (kind, sets) in sets.into_iter().enumerate() {
            if !deleted.is_empty() {
                // Every set with this chunk loses the deleted ids, but for
                // those the batch puts back (listed in its changes).
                let mut emptied = false;
                for (name, set) in sets.iter_mut() {
                    if set.chunk(key).is_none() {
                        continue;
                    }
                    let slot = names.iter().position(|n| n == name).map(|i| kind * self.names + i);
                    let explicit = slot.map(|s| std::mem::take(&mut self.changes[s])).unwrap_or_default();
                    self.list.clear();
                    if let Some(chunk) = set.chunk(key) {
                        // Only the deleted ids the set holds: a set that
                        // holds none of them (and that the batch does not
                        // change) is left alone, not rebuilt.
                        merge_deleted(&explicit, &deleted, chunk.holds_ascending(), &mut self.list);
                    }
                    if self.list.is_empty() {
                        continue;
                    }
                    let list = std::mem::take(&mut self.list);
                    set.apply_chunk(key, &list);
                    self.list = list;
                    emptied |= set.is_empty();
                }
                if emptied {
                    sets.retain(|_, s| !s.is_empty());
                }
            }
            for &slot in self.used.iter().filter(|&&s| s / self.names == kind) {
                let list = std::mem::take(&mut self.changes[slot]);
                if list.is_empty() {
                    continue; // applied above, with the deletions
                }
                let name = names[slot % self.names];
                let set = match sets.get_mut(name) {
                    Some(set) => set,
                    None if list.iter().any(|&(_, on)| on) => sets.entry(name.to_owned()).or_default(),
                    None => continue,
                };
                set.apply_chunk(key, &list);
                if set.is_empty() {
                    sets.remove(name);
                }
            }
        }
        for &slot in &self.used {
            self.changes[slot].clear();
        }
        self.used.clear();
        self.deleted = deleted;
        self.deleted.clear();
    }
}

/// A set's changes with the deletions: each deleted low id not in
/// `explicit` that the set `holds` goes out; both lists ascend, as does
/// `out` (and so do the lows `holds` is asked about).
fn merge_deleted(
    explicit: &[(u16, bool)],
    deleted: &[u16],
    mut holds: impl FnMut(u16) -> bool,
    out: &mut Vec<(u16, bool)>,
) {
    let (mut i, mut j) = (0, 0);
    while i < explicit.len() || j < deleted.len() {
        match (explicit.get(i), deleted.get(j)) {
            (Some(&(e, on)), Some(&d)) if e <= d => {
                out.push((e, on));
                i += 1;
                if e == d {
                    j += 1;
                }
            }
            (_, Some(&d)) => {
                if holds(d) {
                    out.push((d, false));
                }
                j += 1;
            }
            (Some(&(e, on)), None) => {
                out.push((e, on));
                i += 1;
            }
            (None, None) => break,
        }
    }
}

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
///
/// Planning appends each certificate's net changes to one list (no vector
/// per set to grow, chunk after chunk); applying groups the list by set
/// with a counting sort, which keeps each set's changes in ascending id
/// order.
#[derive(Default)]
pub(crate) struct NamedBatch {
    /// The net changes, certificate after certificate: (set, low id, in),
    /// the set `kind * names + name`.
    flat: Vec<(u16, u16, bool)>,
    /// Low ids deleted (then out of every set that does not list them in
    /// its changes).
    deleted: Vec<u16>,
    /// The current certificate's changes, and whether it was deleted.
    current: Vec<(u16, bool)>,
    current_deleted: bool,
    names: usize,
}

impl NamedBatch {
    /// A batch whose events use `names` names.
    pub(crate) fn new(names: usize) -> NamedBatch {
        NamedBatch { names, ..NamedBatch::default() }
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
                let set = u16::from(kind) * self.names as u16 + name;
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
        self.flat.extend(self.current.iter().map(|&(set, on)| (set, low, on)));
        self.current.clear();
    }

    /// Applies the gathered changes to chunk `key` of `sets` (stores,
    /// metadata, collections; `names` the batch's names). Sets left empty
    /// are dropped, new names get a set.
    pub(crate) fn apply(self, key: u16, sets: [&mut NamedSets; 3], names: &[&str]) {
        let n = self.names;
        // Each set's changes, a slice of `grouped`: `starts[set]..starts[set + 1]`.
        let mut starts = vec![0u32; 3 * n + 1];
        for &(set, ..) in &self.flat {
            starts[usize::from(set) + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut grouped = vec![(0u16, false); self.flat.len()];
        let mut next = starts.clone();
        for &(set, low, on) in &self.flat {
            let at = &mut next[usize::from(set)];
            grouped[*at as usize] = (low, on);
            *at += 1;
        }
        let changes = |set: usize| &grouped[starts[set] as usize..starts[set + 1] as usize];
        // Sets whose changes went with the deletions.
        let mut done = vec![false; 3 * n];
        let mut list = Vec::new();
        for (kind, sets) in sets.into_iter().enumerate() {
            if !self.deleted.is_empty() {
                // Every set with this chunk loses the deleted ids, but for
                // those the batch puts back (listed in its changes).
                let mut emptied = false;
                for (name, set) in sets.iter_mut() {
                    let Some(chunk) = set.chunk(key) else { continue };
                    let slot = names.iter().position(|n| n == name).map(|i| kind * n + i);
                    let explicit = slot.map_or(&[][..], changes);
                    if let Some(slot) = slot {
                        done[slot] = true;
                    }
                    list.clear();
                    // Only the deleted ids the set holds: a set that holds
                    // none of them (and that the batch does not change) is
                    // left alone, not rebuilt.
                    merge_deleted(explicit, &self.deleted, chunk.holds_ascending(), &mut list);
                    if list.is_empty() {
                        continue;
                    }
                    set.apply_chunk(key, &list);
                    emptied |= set.is_empty();
                }
                if emptied {
                    sets.retain(|_, s| !s.is_empty());
                }
            }
            for (i, &name) in names.iter().enumerate() {
                let slot = kind * n + i;
                let list = changes(slot);
                if done[slot] || list.is_empty() {
                    continue; // applied above, with the deletions
                }
                let set = match sets.get_mut(name) {
                    Some(set) => set,
                    None if list.iter().any(|&(_, on)| on) => sets.entry(name.to_owned()).or_default(),
                    None => continue,
                };
                set.apply_chunk(key, list);
                if set.is_empty() {
                    sets.remove(name);
                }
            }
        }
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

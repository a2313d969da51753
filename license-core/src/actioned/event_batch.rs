//! A large event batch, grouped by 2^16-id chunk, planned chunk by chunk
//! without changing anything, then applied chunk by chunk.
//!
//! Grouping is one counting sort of the batch's ops by chunk (one scatter
//! pass over the batch, not a radix sort of every id byte), and each
//! chunk's ops are then put in id order in cache (two byte passes over
//! the chunk's few thousand ops), keeping each certificate's own events in
//! batch order. Planning walks a chunk certificate by certificate: it
//! checks every event against the state the certificate has when the
//! event comes, and keeps only the net effect (each flag's last value, the
//! last revocation and expiry, the endpoint count, the membership
//! changes). Planning reads the inventory only, so chunks are planned on
//! several threads; applying then writes each set's chunk once
//! ([`IdSet::apply_chunk`](super::idset::IdSet::apply_chunk) for the
//! flags, [`NamedBatch`] for stores, metadata and collections). Nothing is
//! written until every event has been checked, so a batch that fails
//! changes nothing.

use std::sync::Arc;

use super::cache::{Clock, Kind};
use super::events::{Event, IdState, OpKind, SmallOp};
use super::idset::{Chunk, IdSet};
use super::intern::NameKey;
use super::named_batch::NamedBatch;
use super::record::check_name;
use super::Inventory;

/// Distinct names a batch may use (beyond them it takes the in-order
/// path: the same result, only slower).
pub(super) const BATCH_NAMES: usize = 256;

/// Batches from this many events are planned on more than one thread
/// (below, starting threads costs more than it saves).
pub(super) const PARALLEL_MIN: usize = 1 << 16;

/// A batch's ops grouped by chunk: each thread's share of the events
/// grouped on its own (a [`Part`]), so that a chunk's ops in batch order
/// are its ops in each part, part after part.
pub(super) struct Grouped<'e> {
    parts: Vec<Part<'e>>,
    /// Each chunk's key and the end of its ops in the batch's ops grouped
    /// by chunk (ascending keys).
    pub(super) chunks: Vec<(u16, usize)>,
    /// The names the ops use (index 0 is "" for ops without one).
    pub(super) names: Vec<&'e str>,
}

/// A run of a batch's events as ops, grouped by chunk by a counting sort
/// (batch order within a chunk), their names indexes into `names`.
struct Part<'e> {
    ops: Vec<SmallOp>,
    /// Events per chunk key.
    counts: Vec<u32>,
    names: Vec<&'e str>,
    /// The batch's index of each of `names`.
    map: Vec<u16>,
    /// Where each of the batch's chunks starts in `ops`, and where the
    /// last ends.
    bounds: Vec<usize>,
}

impl<'e> Part<'e> {
    /// Groups `events`; `None` past [`BATCH_NAMES`] names.
    fn of(events: &'e [Event]) -> Option<Part<'e>> {
        let mut counts = vec![0u32; 1 << 16];
        let mut names = Names::new();
        let mut ops = Vec::with_capacity(events.len());
        for e in events {
            let op = e.op();
            let name = names.of(op.name)?;
            counts[(op.id >> 16) as usize] += 1;
            ops.push(SmallOp { secs: op.secs, id: op.id, name, kind: op.kind });
        }
        let mut next = vec![0u32; 1 << 16];
        let mut sum = 0;
        for (n, &count) in next.iter_mut().zip(&counts) {
            *n = sum;
            sum += count;
        }
        let mut grouped = vec![SmallOp::NONE; ops.len()];
        for op in &ops {
            let slot = &mut next[(op.id >> 16) as usize];
            grouped[*slot as usize] = *op;
            *slot += 1;
        }
        Some(Part { ops: grouped, counts, names: names.names, map: Vec::new(), bounds: Vec::new() })
    }
}

/// Interns names: an index per distinct name. A name is found by its key
/// (its length and two words, [`NameKey`]) in an open-addressed table of
/// [`BATCH_NAMES`] slots: a batch holds fewer names than that, so a probe
/// always ends, at the name or at an empty slot, and a hostile batch
/// (names alike at both ends, or keys sharing a slot) costs at most that
/// many probes an event.
struct Names<'e> {
    names: Vec<&'e str>,
    /// Per slot: a name's key and index (index 0, "", when empty).
    table: Box<[(NameKey, u16)]>,
}

impl<'e> Names<'e> {
    fn new() -> Names<'e> {
        Names { names: vec![""], table: vec![(NameKey::of(b""), 0); BATCH_NAMES].into_boxed_slice() }
    }

    /// The index of `name`; `None` past [`BATCH_NAMES`] names (`""`
    /// counted).
    fn of(&mut self, name: &'e str) -> Option<u16> {
        if name.is_empty() {
            return Some(0);
        }
        let key = NameKey::of(name.as_bytes());
        let mut slot = key.slot(BATCH_NAMES);
        for _ in 0..BATCH_NAMES {
            let (seen, i) = self.table[slot];
            if i == 0 {
                if self.names.len() >= BATCH_NAMES {
                    return None;
                }
                let i = self.names.len() as u16;
                self.names.push(name);
                self.table[slot] = (key, i);
                return Some(i);
            }
            // Equal keys are equal names up to 16 bytes; longer ones compare.
            if seen == key && (name.len() <= 16 || self.names[usize::from(i)] == name) {
                return Some(i);
            }
            slot = (slot + 1) % BATCH_NAMES;
        }
        None
    }
}

/// Groups `events` by chunk, in `threads` runs of events grouped on their
/// own thread each. `None` past [`BATCH_NAMES`] names or u32 positions.
pub(super) fn group(events: &[Event], threads: usize) -> Option<Grouped<'_>> {
    u32::try_from(events.len()).ok()?;
    let per = events.len().div_ceil(threads.max(1)).max(1);
    let runs: Vec<&[Event]> = events.chunks(per).collect();
    let parts: Vec<Option<Part<'_>>> = if runs.len() > 1 {
        std::thread::scope(|s| {
            let handles: Vec<_> = runs.iter().map(|&run| s.spawn(move || Part::of(run))).collect();
            handles.into_iter().map(|h| h.join().ok().flatten()).collect()
        })
    } else {
        runs.iter().map(|run| Part::of(run)).collect()
    };
    let mut parts: Vec<Part<'_>> = parts.into_iter().collect::<Option<_>>()?;
    let mut names = Names::new();
    for part in &mut parts {
        part.map = part.names.iter().map(|&name| names.of(name)).collect::<Option<_>>()?;
    }
    let mut chunks = Vec::new();
    let mut sum = 0;
    for key in 0..=u16::MAX {
        let n: usize = parts.iter().map(|p| p.counts[usize::from(key)] as usize).sum();
        if n > 0 {
            sum += n;
            chunks.push((key, sum));
        }
    }
    for part in &mut parts {
        let mut at = 0;
        part.bounds = Vec::with_capacity(chunks.len() + 1);
        for &(key, _) in &chunks {
            part.bounds.push(at);
            at += part.counts[usize::from(key)] as usize;
        }
        part.bounds.push(at);
    }
    Some(Grouped { parts, chunks, names: names.names })
}

impl Grouped<'_> {
    /// Chunk `c`'s ops in batch order, their names the batch's indexes,
    /// into `out`.
    pub(super) fn chunk_ops(&self, c: usize, out: &mut Vec<SmallOp>) {
        out.clear();
        for part in &self.parts {
            let ops = &part.ops[part.bounds[c]..part.bounds[c + 1]];
            out.extend(ops.iter().map(|op| SmallOp { name: part.map[usize::from(op.name)], ..*op }));
        }
    }
}

/// Sorts one chunk's ops by id, stably (two byte passes of a radix sort,
/// each skipped when every op has the same byte), `scratch` a buffer.
pub(super) fn sort_chunk(ops: &mut [SmallOp], scratch: &mut Vec<SmallOp>) {
    scratch.clear();
    scratch.resize(ops.len(), SmallOp::NONE);
    // Where the ops are after each pass: in `ops`, or in `scratch`.
    let mut in_ops = true;
    for shift in [0, 8] {
        let mut counts = [0u32; 256];
        for op in ops.iter() {
            counts[usize::from((op.id >> shift) as u8)] += 1;
        }
        if counts.iter().any(|&n| n as usize == ops.len()) {
            continue; // every op has this byte: the pass would change nothing
        }
        let mut start = [0u32; 256];
        let mut sum = 0;
        for (s, &n) in start.iter_mut().zip(&counts) {
            *s = sum;
            sum += n;
        }
        if in_ops {
            scatter(ops, scratch, &mut start, shift);
        } else {
            scatter(scratch, ops, &mut start, shift);
        }
        in_ops = !in_ops;
    }
    if !in_ops {
        ops.copy_from_slice(scratch);
    }
}

fn scatter(src: &[SmallOp], dst: &mut [SmallOp], start: &mut [u32; 256], shift: u32) {
    for op in src {
        let slot = &mut start[usize::from((op.id >> shift) as u8)];
        dst[*slot as usize] = *op;
        *slot += 1;
    }
}

/// The net changes of one chunk, ready to apply.
pub(super) struct ChunkPlan {
    pub(super) key: u16,
    /// Per flag set (present, enrolled, private key, SSL): (low id, in),
    /// ascending.
    pub(super) flags: [Vec<(u16, bool)>; 4],
    /// Certificates whose endpoints beyond the first may have changed, and
    /// their new number.
    pub(super) extra: Vec<(u16, u32)>,
    /// New revocation and expiry times (`None` cleared), ascending.
    pub(super) revoked: Vec<(u16, Option<i64>)>,
    pub(super) expires: Vec<(u16, Option<i64>)>,
    /// Store, metadata and collection changes, if any.
    pub(super) named: Option<NamedBatch>,
}

/// What a plan needs besides the inventory: the batch's names, and
/// whether each may be added to stores, metadata, collections.
pub(super) struct Planner<'a> {
    pub(super) inv: &'a Inventory,
    pub(super) names: &'a [&'a str],
    addable: Vec<[bool; 3]>,
}

impl<'a> Planner<'a> {
    pub(super) fn new(inv: &'a Inventory, names: &'a [&'a str]) -> Planner<'a> {
        let addable = names
            .iter()
            .map(|&name| {
                let valid = check_name(name, "name").is_ok();
                [&inv.stores, &inv.metadata, &inv.collections].map(|sets| valid || sets.contains_key(name))
            })
            .collect();
        Planner { inv, names, addable }
    }

    /// Plans every chunk of `grouped` (on up to `threads` threads, each a
    /// run of chunks with about the same number of ops); `None` when an
    /// event does not apply.
    pub(super) fn plan_all(&self, grouped: &Grouped<'_>, threads: usize) -> Option<Vec<ChunkPlan>> {
        let chunks = &grouped.chunks;
        let threads = threads.clamp(1, chunks.len().max(1));
        if threads == 1 {
            return self.plan_range(grouped, 0..chunks.len());
        }
        let total = chunks.last().map_or(0, |c| c.1);
        let mut ranges = Vec::with_capacity(threads);
        let mut first = 0;
        for t in 1..=threads {
            let target = total * t / threads;
            let mut last = first;
            while last < chunks.len() && (chunks[last].1 <= target || last == first) {
                last += 1;
            }
            if t == threads {
                last = chunks.len();
            }
            ranges.push(first..last);
            first = last;
        }
        let results: Vec<Option<Vec<ChunkPlan>>> = std::thread::scope(|s| {
            let handles: Vec<_> =
                ranges.into_iter().map(|range| s.spawn(move || self.plan_range(grouped, range))).collect();
            handles.into_iter().map(|h| h.join().ok().flatten()).collect()
        });
        let mut plans = Vec::with_capacity(chunks.len());
        for part in results {
            plans.extend(part?);
        }
        Some(plans)
    }

    /// Plans chunks `range` of `grouped`.
    fn plan_range(&self, grouped: &Grouped<'_>, range: std::ops::Range<usize>) -> Option<Vec<ChunkPlan>> {
        let (mut ops, mut scratch) = (Vec::new(), Vec::new());
        let mut plans = Vec::with_capacity(range.len());
        for c in range {
            grouped.chunk_ops(c, &mut ops);
            sort_chunk(&mut ops, &mut scratch);
            plans.push(self.plan_chunk(grouped.chunks[c].0, &ops)?);
        }
        Some(plans)
    }

    /// Plans one chunk, its ops sorted by id (each certificate's in batch
    /// order); `None` when one does not apply.
    fn plan_chunk(&self, key: u16, ops: &[SmallOp]) -> Option<ChunkPlan> {
        let inv = self.inv;
        let present = inv.present.chunk(key);
        let ssl = inv.ssl.chunk(key);
        let has = |c: Option<&Chunk>, low: u16| c.is_some_and(|c| c.contains(low));
        let mut plan = ChunkPlan {
            key,
            flags: Default::default(),
            extra: Vec::new(),
            revoked: Vec::new(),
            expires: Vec::new(),
            named: None,
        };
        let mut start = 0;
        while start < ops.len() {
            let id = ops[start].id;
            let low = id as u16;
            let end = start + ops[start..].iter().take_while(|o| o.id == id).count();
            let initial = IdState { present: has(present, low), ssl: has(ssl, low) };
            let mut state = initial;
            // Endpoints beyond the first, once an op needs them.
            let mut extra: Option<u32> = None;
            let mut enrolled = None;
            let mut private_key = None;
            let mut revoked = None;
            let mut expires = None;
            let mut named = false;
            for op in &ops[start..end] {
                let name_ok = match op.kind {
                    OpKind::AddedToStore => self.addable[usize::from(op.name)][0],
                    OpKind::MetadataSet => self.addable[usize::from(op.name)][1],
                    OpKind::AddedToCollection => self.addable[usize::from(op.name)][2],
                    _ => true,
                };
                if !op.kind.applies(op.secs, state, name_ok) {
                    return None;
                }
                if let Some(change) = op.kind.named_change(op.name) {
                    plan.named.get_or_insert_with(|| NamedBatch::new(self.names.len())).push(change);
                    named = true;
                }
                // The state after the op, as `apply_checked` leaves it.
                match op.kind {
                    OpKind::Enrolled => enrolled = Some(true),
                    OpKind::Revoked => revoked = Some(Some(op.secs)),
                    OpKind::ExpirySet => expires = Some(Some(op.secs)),
                    OpKind::ExpiryCleared => expires = Some(None),
                    OpKind::PrivateKeyStored => private_key = Some(true),
                    OpKind::PrivateKeyDeleted => private_key = Some(false),
                    OpKind::Deleted => {
                        state.ssl = false;
                        extra = Some(0);
                        enrolled = Some(false);
                        private_key = Some(false);
                        revoked = Some(None);
                        expires = Some(None);
                    }
                    OpKind::EndpointMonitoringOn if state.ssl => {
                        extra = Some(extra.unwrap_or_else(|| inv.ssl_extra(id)).saturating_add(1));
                    }
                    OpKind::EndpointMonitoringOn => state.ssl = true,
                    OpKind::EndpointMonitoringOff => match extra.unwrap_or_else(|| inv.ssl_extra(id)) {
                        0 => state.ssl = false,
                        n => extra = Some(n - 1),
                    },
                    _ => {}
                }
                state.present = op.kind.adds() || (state.present && op.kind != OpKind::Deleted);
            }
            if named {
                if let Some(batch) = plan.named.as_mut() {
                    batch.end_certificate(low);
                }
            }
            let [p, e, k, s] = &mut plan.flags;
            if state.present != initial.present {
                p.push((low, state.present));
            }
            if state.ssl != initial.ssl {
                s.push((low, state.ssl));
            }
            e.extend(enrolled.map(|on| (low, on)));
            k.extend(private_key.map(|on| (low, on)));
            plan.extra.extend(extra.map(|n| (low, n)));
            plan.revoked.extend(revoked.map(|t| (low, t)));
            plan.expires.extend(expires.map(|t| (low, t)));
            start = end;
        }
        Some(plan)
    }
}

/// Applies `plans` (the chunks of a batch that applies whole, `names` its
/// names). Flags and times on one thread, and, when `parallel`, stores,
/// metadata and collections with the count cache's unions on another:
/// they are separate sets. The unions are refreshed per chunk touched
/// rather than updated per event (which checks every set of the kind).
pub(super) fn apply(inv: &mut Inventory, mut plans: Vec<ChunkPlan>, names: &[&str], parallel: bool) {
    let mut unions = inv.cache.take_unions();
    let named: Vec<(u16, NamedBatch)> =
        plans.iter_mut().filter_map(|p| p.named.take().map(|batch| (p.key, batch))).collect();
    let Inventory {
        present,
        enrolled,
        private_key,
        ssl,
        stores,
        metadata,
        collections,
        revocations,
        expiries,
        cache,
        ssl_extra,
        ..
    } = &mut *inv;
    let mut flags_and_times = || {
        set_ssl_extra(ssl_extra, &plans);
        let mut changed = Vec::new();
        for plan in &plans {
            let key = plan.key;
            for (set, changes) in
                [&mut *present, &mut *enrolled, &mut *private_key, &mut *ssl].into_iter().zip(&plan.flags)
            {
                if !changes.is_empty() {
                    set.apply_chunk(key, changes);
                }
            }
            for (index, clock, changes) in [
                (&mut *revocations, Clock::Revocations, &plan.revoked),
                (&mut *expiries, Clock::Expiries, &plan.expires),
            ] {
                if !changes.is_empty() {
                    // The count cache gets the chunk's changed times at once.
                    changed.clear();
                    index.put_chunk(key, changes, |low, secs| changed.push((low, secs)));
                    cache.times_changed(clock, key, &changed);
                }
            }
        }
    };
    let named_sets = || {
        for (key, batch) in named {
            batch.apply(key, [&mut *stores, &mut *metadata, &mut *collections], names);
            if let Some(unions) = unions.as_mut() {
                let unions = Arc::make_mut(unions);
                unions.refresh_chunk(Kind::Stores, key, stores);
                unions.refresh_chunk(Kind::Metadata, key, metadata);
                unions.refresh_chunk(Kind::Collections, key, collections);
            }
        }
    };
    if parallel {
        std::thread::scope(|s| {
            s.spawn(named_sets);
            flags_and_times();
        });
    } else {
        flags_and_times();
        named_sets();
    }
    inv.cache.put_unions(unions);
}

/// Sets the endpoints beyond the first of the certificates in `plans`'
/// `extra` lists, in `slices` (slice `k` holding the ids whose count has
/// bit `k`): each slice's chunk gets the chunk's changes at once, where
/// `Inventory::set_ssl_extra_slices` per certificate searched every slice
/// (every deleted certificate is in the lists, so they hold thousands).
/// As that setter leaves them, the slices are as many as the largest
/// count needs, no trailing one empty.
fn set_ssl_extra(slices: &mut Vec<IdSet>, plans: &[ChunkPlan]) {
    let needed = plans.iter().flat_map(|p| &p.extra).map(|&(_, n)| (32 - n.leading_zeros()) as usize).max();
    let Some(needed) = needed else { return };
    if slices.len() < needed {
        slices.resize_with(needed, IdSet::default);
    }
    let mut list = Vec::new();
    for plan in plans.iter().filter(|p| !p.extra.is_empty()) {
        for (k, slice) in slices.iter_mut().enumerate() {
            list.clear();
            list.extend(plan.extra.iter().map(|&(low, n)| (low, n >> k & 1 == 1)));
            slice.apply_chunk(plan.key, &list);
        }
    }
    while slices.last().is_some_and(IdSet::is_empty) {
        slices.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names alike in their words (length, first and last eight bytes)
    /// but not equal get indexes of their own, and equal ones one index.
    #[test]
    fn names_alike_at_both_ends_are_told_apart() {
        let list =
            ["aaaaaaaa-X-bbbbbbbb", "aaaaaaaa-Y-bbbbbbbb", "short", "shorter", "eightch8", "", "short"];
        let mut names = Names::new();
        let mut got = Vec::new();
        for _ in 0..3 {
            got = list.iter().map(|n| names.of(n)).collect::<Option<Vec<u16>>>().unwrap();
        }
        assert_eq!(got, [1, 2, 3, 4, 5, 0, 3]);
        assert_eq!(names.names, ["", list[0], list[1], list[2], list[3], list[4]]);
    }

    /// A batch takes names up to [`BATCH_NAMES`] (`""` counted), each
    /// found again at its index, and refuses the next one.
    #[test]
    fn names_past_the_limit_are_refused() {
        let list: Vec<String> = (0..BATCH_NAMES).map(|i| format!("a-rather-long-name-{i:04}-end")).collect();
        let mut names = Names::new();
        for (i, name) in list.iter().enumerate().take(BATCH_NAMES - 1) {
            assert_eq!(names.of(name), Some(i as u16 + 1));
        }
        for (i, name) in list.iter().enumerate().take(BATCH_NAMES - 1) {
            assert_eq!(names.of(name), Some(i as u16 + 1));
        }
        assert_eq!(names.of(&list[BATCH_NAMES - 1]), None);
        assert_eq!(names.of(""), Some(0));
    }
}

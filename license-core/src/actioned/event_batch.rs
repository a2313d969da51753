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

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use super::cache::{Clock, Kind};
use super::events::{put_time, Event, IdState, OpKind, SmallOp};
use super::idset::Chunk;
use super::named_batch::NamedBatch;
use super::record::check_name;
use super::Inventory;

/// Distinct names a batch may use (beyond them it takes the in-order
/// path: the same result, only slower).
pub(super) const BATCH_NAMES: usize = 256;

/// Batches from this many events are planned on more than one thread
/// (below, starting threads costs more than it saves).
pub(super) const PARALLEL_MIN: usize = 1 << 16;

/// A fast hash for interning a batch's names (std's SipHash costs more
/// than the rest of an event). Not collision-resistant, so a batch holds at
/// most [`BATCH_NAMES`] names: a hostile batch costs at most that many
/// probes an event.
#[derive(Default)]
struct NameHasher(u64);

impl std::hash::Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        for c in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..c.len()].copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(0x51_7C_C1_B7_27_22_0A_95);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A batch's ops grouped by chunk, in batch order within a chunk.
pub(super) struct Grouped<'e> {
    /// The ops, chunk after chunk (ascending keys).
    pub(super) ops: Vec<SmallOp>,
    /// Each chunk's key and the end of its ops in `ops`.
    pub(super) chunks: Vec<(u16, usize)>,
    /// The names the ops use (index 0 is "" for ops without one), each
    /// borrowed from the batch's first event with it.
    pub(super) names: Vec<&'e str>,
}

/// Interns names: an index per distinct name, the previous name's
/// (address, length) remembered, as batches often repeat a name.
struct Names<'e> {
    names: Vec<&'e str>,
    index: HashMap<&'e str, u16, BuildHasherDefault<NameHasher>>,
    last: (*const u8, usize, u16),
}

impl<'e> Names<'e> {
    fn new() -> Names<'e> {
        Names { names: vec![""], index: HashMap::default(), last: (std::ptr::null(), 0, 0) }
    }

    /// The index of `name`; `None` past [`BATCH_NAMES`] names.
    fn of(&mut self, name: &'e str) -> Option<u16> {
        if name.is_empty() {
            return Some(0);
        }
        if (name.as_ptr(), name.len()) == (self.last.0, self.last.1) {
            return Some(self.last.2);
        }
        let i = match self.index.get(name) {
            Some(&i) => i,
            None => {
                if self.names.len() >= BATCH_NAMES {
                    return None;
                }
                let i = self.names.len() as u16;
                self.names.push(name);
                self.index.insert(name, i);
                i
            }
        };
        self.last = (name.as_ptr(), name.len(), i);
        Some(i)
    }
}

/// Groups `events` by chunk: one pass counting each chunk's events, one
/// writing each event's op at its chunk's next slot. `None` past
/// [`BATCH_NAMES`] names or u32 positions.
pub(super) fn group(events: &[Event]) -> Option<Grouped<'_>> {
    u32::try_from(events.len()).ok()?;
    let mut next = vec![0u32; 1 << 16];
    for e in events {
        next[(e.id() >> 16) as usize] += 1;
    }
    let mut chunks = Vec::new();
    let mut sum = 0u32;
    for (key, slot) in next.iter_mut().enumerate() {
        if *slot > 0 {
            sum += *slot;
            chunks.push((key as u16, sum as usize));
            *slot = sum - *slot;
        }
    }
    let mut names = Names::new();
    let mut ops = vec![SmallOp::NONE; events.len()];
    for e in events {
        let op = e.op();
        let name = names.of(op.name)?;
        let slot = &mut next[(op.id >> 16) as usize];
        ops[*slot as usize] = SmallOp { secs: op.secs, id: op.id, name, kind: op.kind };
        *slot += 1;
    }
    Some(Grouped { ops, chunks, names: names.names })
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

/// One thread's share of a batch: its ops, where they start in the
/// batch's ops, and its chunks.
type Part<'o, 'c> = (&'o mut [SmallOp], usize, &'c [(u16, usize)]);

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

    /// Plans every chunk of a [`Grouped`] batch's `ops` and `chunks` (on
    /// up to `threads` threads, each a run of chunks); `None` when an
    /// event does not apply.
    pub(super) fn plan_all(
        &self,
        ops: &mut [SmallOp],
        chunks: &[(u16, usize)],
        threads: usize,
    ) -> Option<Vec<ChunkPlan>> {
        let threads = threads.clamp(1, chunks.len().max(1));
        if threads == 1 {
            return self.plan_range(ops, 0, chunks);
        }
        // Contiguous runs of chunks with about the same number of ops.
        let mut parts: Vec<Part<'_, '_>> = Vec::with_capacity(threads);
        let mut rest = ops;
        let (mut base, mut first) = (0, 0);
        for t in 1..=threads {
            let target = chunks.last().map_or(0, |c| c.1) * t / threads;
            let mut last = first;
            while last < chunks.len() && (chunks[last].1 <= target || last == first) {
                last += 1;
            }
            if t == threads {
                last = chunks.len();
            }
            let end = if last > first { chunks[last - 1].1 } else { base };
            let (mine, tail) = rest.split_at_mut(end - base);
            parts.push((mine, base, &chunks[first..last]));
            rest = tail;
            base = end;
            first = last;
        }
        let results: Vec<Option<Vec<ChunkPlan>>> = std::thread::scope(|s| {
            let handles: Vec<_> = parts
                .into_iter()
                .map(|(ops, base, chunks)| s.spawn(move || self.plan_range(ops, base, chunks)))
                .collect();
            handles.into_iter().map(|h| h.join().ok().flatten()).collect()
        });
        let mut plans = Vec::with_capacity(chunks.len());
        for part in results {
            plans.extend(part?);
        }
        Some(plans)
    }

    /// Plans `chunks`, whose ops are `ops` (starting at `base` in the
    /// batch's ops).
    fn plan_range(
        &self,
        ops: &mut [SmallOp],
        base: usize,
        chunks: &[(u16, usize)],
    ) -> Option<Vec<ChunkPlan>> {
        let mut scratch = Vec::new();
        let mut plans = Vec::with_capacity(chunks.len());
        let mut start = 0;
        for &(key, end) in chunks {
            let end = end - base;
            let ops = &mut ops[start..end];
            sort_chunk(ops, &mut scratch);
            plans.push(self.plan_chunk(key, ops)?);
            start = end;
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
            for small in &ops[start..end] {
                let op = small.op(self.names);
                let name_ok = match op.kind {
                    OpKind::AddedToStore => Some(self.addable[usize::from(small.name)][0]),
                    OpKind::MetadataSet => Some(self.addable[usize::from(small.name)][1]),
                    OpKind::AddedToCollection => Some(self.addable[usize::from(small.name)][2]),
                    _ => None,
                };
                if inv.check_with(&op, state, name_ok).is_err() {
                    return None;
                }
                if let Some(change) = op.kind.named_change(small.name) {
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
        ..
    } = &mut *inv;
    let mut flags_and_times = || {
        for plan in &plans {
            let key = plan.key;
            for (set, changes) in
                [&mut *present, &mut *enrolled, &mut *private_key, &mut *ssl].into_iter().zip(&plan.flags)
            {
                if !changes.is_empty() {
                    set.apply_chunk(key, changes);
                }
            }
            let id = |low: u16| u32::from(key) << 16 | u32::from(low);
            for &(low, secs) in &plan.revoked {
                put_time(revocations, cache, Clock::Revocations, id(low), secs);
            }
            for &(low, secs) in &plan.expires {
                put_time(expiries, cache, Clock::Expiries, id(low), secs);
            }
        }
    };
    let named_sets = || {
        for (key, mut batch) in named {
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
    // Endpoint counts are rare; they go through the inventory's own setter.
    for plan in &plans {
        for &(low, extra) in &plan.extra {
            inv.set_ssl_extra_slices(u32::from(plan.key) << 16 | u32::from(low), extra);
        }
    }
    inv.cache.put_unions(unions);
}

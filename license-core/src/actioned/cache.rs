//! The count cache: what `Inventory::count` would otherwise rebuild on every
//! count, kept exact as the inventory changes.
//!
//! A count needs nine inputs. Three are the inventory's own flag sets
//! (enrolled, SSL endpoint, private key) and are read as they are. The
//! other six are derived:
//!
//! - the unions of the counted metadata fields, of every store and of the
//!   referenced collections depend on the configuration only, so they are
//!   kept for the last configuration counted and updated by each event
//!   (one id at a time);
//! - revoked, expired and revoked-within-the-week depend on the instant,
//!   so they are kept for the last instant counted, with the times on that
//!   instant's UTC day (and on the day a week before, where the window
//!   starts): every other time lies before or after the whole day, so a
//!   count at another instant of the same day moves only the ids whose
//!   time lies between the two instants (exact to the second, and a few
//!   thousand ids at most where a full pass reads every chunk). A count on
//!   another day recomputes them from the time indexes (one pass, as an
//!   uncached count does). Each event that changes a time moves its one id
//!   in or out, and in or out of the day's lists.
//!
//! Anything else that changes the inventory (inserts, bulk adds, merges)
//! drops the cache; the next count rebuilds what it needs. One config and
//! one instant are kept: counts that alternate between configs rebuild the
//! unions each time (exact, only slower). The cache sits
//! behind a mutex so that `count` can take `&self` and the inventory stays
//! `Send + Sync`; the lock is held only to look the parts up or rebuild
//! them, never while counting (the parts are shared through `Arc`, and an
//! event, which has `&mut` access, updates them in place).

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};

use super::config::ReferencedCollections;
use super::idset::{Block, IdSet, WORDS};
use super::inventory::NamedSets;
use super::kernel::WEEK_SECS;
use super::times::TimeIndex;
use super::{CountConfig, Inventory};

/// The membership unions for one configuration.
#[derive(Clone)]
pub(crate) struct Unions {
    excluded_metadata: BTreeSet<String>,
    referenced_collections: ReferencedCollections,
    /// Ids with a value in a counted metadata field.
    pub(crate) metadata: IdSet,
    /// Ids in any store.
    pub(crate) stores: IdSet,
    /// Ids in a referenced collection.
    pub(crate) collections: IdSet,
}

impl Unions {
    fn matches(&self, config: &CountConfig) -> bool {
        self.excluded_metadata == config.excluded_metadata
            && self.referenced_collections == config.referenced_collections
    }

    /// Whether membership of `name` (a set of `kind`) counts.
    fn counts(&self, kind: Kind, name: &str) -> bool {
        match kind {
            Kind::Metadata => !self.excluded_metadata.contains(name),
            Kind::Stores => true,
            Kind::Collections => self.referenced_collections.contains(name),
        }
    }

    /// Rebuilds chunk `key` of the union of `kind` from `sets`, that
    /// kind's sets now: one OR per set, instead of one update per event.
    pub(crate) fn refresh_chunk(&mut self, kind: Kind, key: u16, sets: &NamedSets) {
        let members: Vec<&IdSet> =
            sets.iter().filter(|(n, _)| self.counts(kind, n)).map(|(_, s)| s).collect();
        self.union_mut(kind).set_chunk_to_union(key, &members);
    }

    fn union_mut(&mut self, kind: Kind) -> &mut IdSet {
        match kind {
            Kind::Metadata => &mut self.metadata,
            Kind::Stores => &mut self.stores,
            Kind::Collections => &mut self.collections,
        }
    }
}

/// Seconds in a UTC day: the bucket an instant's boundary is drawn in.
const DAY_SECS: i64 = 86_400;

/// Revoked, expired and revoked within the week, as of one instant, with
/// what moves them to another instant of the same UTC day.
#[derive(Clone)]
pub(crate) struct Dead {
    /// The instant, in seconds.
    t: i64,
    /// Revoked at or before `t`.
    pub(crate) revoked: IdSet,
    /// Expired at or before `t`.
    pub(crate) expired: IdSet,
    /// Revoked in `(t - 7 days, t]`.
    pub(crate) recent: IdSet,
    /// The first second of `t`'s UTC day.
    day: i64,
    /// The times that an instant of that day can fall either side of:
    /// revocations and expiries on the day itself, and revocations seven
    /// days earlier (where the week window starts). Every other time is
    /// before or after every instant of the day, so moving `t` within the
    /// day moves only ids of these lists. Gathered by the first count at
    /// a second instant of the day, so that counts a day apart (the daily
    /// schedule) pay for no pass they do not use.
    edges: Option<Edges>,
}

/// `(id, seconds into the day)` of the times on one day, in id order.
type Edge = Vec<(u32, u32)>;

#[derive(Clone, Default)]
struct Edges {
    revoked_today: Edge,
    expired_today: Edge,
    revoked_week_ago: Edge,
}

impl Edges {
    /// Puts `id` in `edge` when `secs` falls on the day starting at
    /// `start`, and takes it out otherwise (it may have been there).
    fn update(edge: &mut Edge, start: i64, id: u32, secs: Option<i64>) {
        let at = edge.binary_search_by_key(&id, |e| e.0);
        let on = secs.filter(|s| (start..start + DAY_SECS).contains(s)).map(|s| (s - start) as u32);
        match (at, on) {
            (Ok(i), Some(s)) => edge[i].1 = s,
            (Ok(i), None) => {
                edge.remove(i);
            }
            (Err(i), Some(s)) => edge.insert(i, (id, s)),
            (Err(_), None) => {}
        }
    }
}

/// Calls `f` with the ids of `edge` whose seconds are in `(from, to]`.
fn crossing(edge: &Edge, from: u32, to: u32, mut f: impl FnMut(u32)) {
    for &(id, s) in edge {
        if from < s && s <= to {
            f(id);
        }
    }
}

/// The ids of `index` with a time on the day starting at `start`, with
/// their seconds into that day, in id order.
fn day_of(index: &TimeIndex, start: i64) -> Edge {
    let mut edge = Vec::new();
    let mut block = Box::new([0u64; WORDS]);
    for &key in index.keys() {
        if !index.mask(key, Some(start - 1), start + DAY_SECS - 1, &mut block) {
            continue;
        }
        for (w, &word) in block.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let id = u32::from(key) << 16 | (w as u32) << 6 | bits.trailing_zeros();
                bits &= bits - 1;
                if let Some(secs) = index.get(id) {
                    edge.push((id, (secs - start) as u32));
                }
            }
        }
    }
    edge
}

impl Dead {
    /// Moves the sets to `t`, an instant of the same UTC day, touching
    /// only the ids of `edges` whose time lies between the old instant and
    /// `t`.
    fn move_to(&mut self, t: i64, edges: &Edges) {
        debug_assert_eq!(t.div_euclid(DAY_SECS) * DAY_SECS, self.day);
        let (old, new) = ((self.t - self.day) as u32, (t - self.day) as u32);
        if new > old {
            // Revoked or expired in (old, new]: now past. Revoked a week
            // before that: now out of the window.
            crossing(&edges.revoked_today, old, new, |id| {
                self.revoked.insert(id);
                self.recent.insert(id);
            });
            crossing(&edges.expired_today, old, new, |id| {
                self.expired.insert(id);
            });
            crossing(&edges.revoked_week_ago, old, new, |id| {
                self.recent.remove(id);
            });
        } else {
            crossing(&edges.revoked_today, new, old, |id| {
                self.revoked.remove(id);
                self.recent.remove(id);
            });
            crossing(&edges.expired_today, new, old, |id| {
                self.expired.remove(id);
            });
            crossing(&edges.revoked_week_ago, new, old, |id| {
                self.recent.insert(id);
            });
        }
        self.t = t;
    }
}

/// Which named sets an event changed.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    Metadata,
    Stores,
    Collections,
}

/// Which time index an event changed.
#[derive(Clone, Copy)]
pub(crate) enum Clock {
    Revocations,
    Expiries,
}

#[derive(Clone, Default)]
struct Parts {
    unions: Option<Arc<Unions>>,
    dead: Option<Arc<Dead>>,
}

/// The cached parts (see the module documentation).
#[derive(Default)]
pub(crate) struct CountCache {
    parts: Mutex<Parts>,
}

impl Clone for CountCache {
    fn clone(&self) -> CountCache {
        // The parts are shared until either copy changes (`Arc::make_mut`).
        let parts = self.parts.lock().unwrap_or_else(PoisonError::into_inner).clone();
        CountCache { parts: Mutex::new(parts) }
    }
}

impl CountCache {
    fn parts_mut(&mut self) -> &mut Parts {
        self.parts.get_mut().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets everything: the inventory changed in a way not tracked
    /// below.
    pub(crate) fn clear(&mut self) {
        *self.parts_mut() = Parts::default();
    }

    /// `id` was added to (`on`) or removed from the set `name` of `kind`;
    /// `sets` are that kind's sets after the change.
    pub(crate) fn named_changed(&mut self, kind: Kind, name: &str, id: u32, on: bool, sets: &NamedSets) {
        let Some(unions) = self.parts_mut().unions.as_mut() else { return };
        if !unions.counts(kind, name) {
            return;
        }
        let unions = Arc::make_mut(unions);
        if on {
            unions.union_mut(kind).insert(id);
        } else {
            // Still counted through another set of the same kind?
            let elsewhere = sets.iter().any(|(n, s)| unions.counts(kind, n) && s.contains(id));
            if !elsewhere {
                unions.union_mut(kind).remove(id);
            }
        }
    }

    /// `id` was deleted: it is in no named set any more.
    pub(crate) fn deleted(&mut self, id: u32) {
        if let Some(unions) = self.parts_mut().unions.as_mut() {
            let unions = Arc::make_mut(unions);
            for kind in [Kind::Metadata, Kind::Stores, Kind::Collections] {
                unions.union_mut(kind).remove(id);
            }
        }
    }

    /// Takes the unions out, so that events leave them alone (a batch
    /// then rebuilds the chunks it touched, [`Unions::refresh_chunk`], and
    /// puts them back with [`CountCache::put_unions`]).
    pub(crate) fn take_unions(&mut self) -> Option<Arc<Unions>> {
        self.parts_mut().unions.take()
    }

    /// Puts back what [`CountCache::take_unions`] took.
    pub(crate) fn put_unions(&mut self, unions: Option<Arc<Unions>>) {
        self.parts_mut().unions = unions;
    }

    /// The times of chunk `key`'s ids in `clock` are now as `changes`
    /// says (ascending low ids, each once): an id is revoked (expired) when
    /// its time is at or before the instant, revoked within the week when
    /// also after the instant less a week, and on the day's edges when its
    /// time falls on the instant's day (revocations also a week before).
    /// Each dead set's chunk changes once (an array chunk merged in one
    /// pass instead of a shift per id).
    pub(crate) fn times_changed(&mut self, clock: Clock, key: u16, changes: &[(u16, Option<i64>)]) {
        let Some(dead) = self.parts_mut().dead.as_mut() else { return };
        if changes.is_empty() {
            return;
        }
        let dead = Arc::make_mut(dead);
        let (t, day) = (dead.t, dead.day);
        let id = |low: u16| u32::from(key) << 16 | u32::from(low);
        let by_t = |secs: Option<i64>| secs.is_some_and(|s| s <= t);
        let mut list: Vec<(u16, bool)> = changes.iter().map(|&(low, secs)| (low, by_t(secs))).collect();
        match clock {
            Clock::Revocations => {
                dead.revoked.apply_chunk(key, &list);
                let week = t.saturating_sub(WEEK_SECS);
                for (entry, &(_, secs)) in list.iter_mut().zip(changes) {
                    entry.1 = by_t(secs) && secs.is_some_and(|s| s > week);
                }
                dead.recent.apply_chunk(key, &list);
                if let Some(edges) = &mut dead.edges {
                    for &(low, secs) in changes {
                        Edges::update(&mut edges.revoked_today, day, id(low), secs);
                        Edges::update(&mut edges.revoked_week_ago, day - WEEK_SECS, id(low), secs);
                    }
                }
            }
            Clock::Expiries => {
                dead.expired.apply_chunk(key, &list);
                if let Some(edges) = &mut dead.edges {
                    for &(low, secs) in changes {
                        Edges::update(&mut edges.expired_today, day, id(low), secs);
                    }
                }
            }
        }
    }

    /// The time of `id` in `clock` is now `secs`: the one-change case of
    /// [`CountCache::times_changed`], so that the rule lives in one place.
    pub(crate) fn time_changed(&mut self, clock: Clock, id: u32, secs: Option<i64>) {
        self.times_changed(clock, (id >> 16) as u16, &[(id as u16, secs)]);
    }
}

/// The ids of `index` whose time is `<= t` (and, with `lo`, also those in
/// `(lo, t]`), chunk by chunk: a sparse chunk's ids straight into array
/// chunks, a dense one's through the index's masks (each mask handed to
/// the set, not copied).
fn masks(index: &TimeIndex, t: i64, lo: Option<i64>) -> (IdSet, IdSet) {
    let (mut all, mut recent) = (IdSet::new(), IdSet::new());
    let push = |set: &mut IdSet, key: u16, block: &mut Box<Block>| {
        let count: u32 = block.iter().map(|w| w.count_ones()).sum();
        if count > 0 {
            set.push_block(key, std::mem::replace(block, Box::new([0; WORDS])), count);
        }
    };
    let (mut a, mut w) = (Box::new([0u64; WORDS]), Box::new([0u64; WORDS]));
    let (mut all_lows, mut recent_lows) = (Vec::new(), Vec::new());
    for &key in index.keys() {
        all_lows.clear();
        recent_lows.clear();
        if index.sparse_lows(key, lo.unwrap_or(i64::MIN), t, &mut all_lows, &mut recent_lows) {
            if !all_lows.is_empty() {
                all.push_lows(key, &all_lows);
            }
            if lo.is_some() && !recent_lows.is_empty() {
                recent.push_lows(key, &recent_lows);
            }
            continue;
        }
        let any = match lo {
            Some(lo) => index.mask_both(key, lo, t, &mut a, &mut w),
            None => index.mask(key, None, t, &mut a),
        };
        if any {
            push(&mut all, key, &mut a);
            if lo.is_some() {
                push(&mut recent, key, &mut w);
            }
        }
    }
    (all, recent)
}

impl Inventory {
    fn unions_for(&self, config: &CountConfig) -> Unions {
        let union = |sets: &NamedSets, counts: &dyn Fn(&str) -> bool| {
            let mut u = IdSet::new();
            for (_, set) in sets.iter().filter(|(n, _)| counts(n)) {
                u.union_with(set);
            }
            u
        };
        Unions {
            excluded_metadata: config.excluded_metadata.clone(),
            referenced_collections: config.referenced_collections.clone(),
            metadata: union(&self.metadata, &|n| config.counts_metadata(n)),
            stores: union(&self.stores, &|_| true),
            collections: union(&self.collections, &|n| config.counts_collection(n)),
        }
    }

    /// The dead sets at `t` from the time indexes: one pass over each.
    fn dead_at(&self, t: i64) -> Dead {
        let (revoked, recent) = masks(&self.revocations, t, Some(t.saturating_sub(WEEK_SECS)));
        let (expired, _) = masks(&self.expiries, t, None);
        Dead { t, revoked, expired, recent, day: t.div_euclid(DAY_SECS) * DAY_SECS, edges: None }
    }

    /// The times on the day starting at `day` (and a week before it) from
    /// the time indexes: one more pass over each.
    fn edges_of(&self, day: i64) -> Edges {
        Edges {
            revoked_today: day_of(&self.revocations, day),
            expired_today: day_of(&self.expiries, day),
            revoked_week_ago: day_of(&self.revocations, day - WEEK_SECS),
        }
    }

    /// The cached unions for `config` and dead sets for `t` (seconds),
    /// rebuilding whichever is missing or for another config or instant.
    pub(crate) fn count_parts(&self, t: i64, config: &CountConfig) -> (Arc<Unions>, Arc<Dead>) {
        let mut parts = self.cache.parts.lock().unwrap_or_else(PoisonError::into_inner);
        let unions = match &parts.unions {
            Some(u) if u.matches(config) => Arc::clone(u),
            _ => parts.unions.insert(Arc::new(self.unions_for(config))).clone(),
        };
        let dead = match &mut parts.dead {
            Some(d) if d.t == t => Arc::clone(d),
            // Another instant of the same day: only the day's edges move.
            Some(d) if d.day == t.div_euclid(DAY_SECS) * DAY_SECS => {
                let dead = Arc::make_mut(d);
                let edges = dead.edges.take().unwrap_or_else(|| self.edges_of(dead.day));
                dead.move_to(t, &edges);
                dead.edges = Some(edges);
                Arc::clone(d)
            }
            _ => parts.dead.insert(Arc::new(self.dead_at(t))).clone(),
        };
        (unions, dead)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actioned::{CertificateRecord, Event};
    use crate::license::ActionedLimit;
    use time::macros::datetime;

    #[test]
    fn inventory_stays_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Inventory>();
    }

    #[test]
    fn a_clone_does_not_see_the_originals_later_events() {
        let mut a = CertificateRecord::new(1);
        a.stores = vec!["s".into()];
        let mut inv = Inventory::from_records(&[a, CertificateRecord::new(2)]).unwrap();
        let config = CountConfig::new(ActionedLimit::SiteLicense);
        let at = datetime!(2026-11-23 2:00 UTC);
        assert_eq!(inv.count(at, &config).total(), 1);
        let copy = inv.clone();
        inv.apply(&Event::AddedToStore { id: 2, store: "s".into() }).unwrap();
        inv.apply(&Event::Revoked { id: 1, at: datetime!(2026-11-20 2:00 UTC) }).unwrap();
        assert_eq!(inv.count(at, &config).total(), 2); // 2 live, 1 revoked this week
        assert_eq!(copy.count(at, &config).total(), 1); // 1 live, unchanged
        assert!(copy.record(2).unwrap().stores.is_empty());
        let later = CountConfig::new(ActionedLimit::SiteLicense).exclude_metadata("x");
        assert_eq!(inv.count(at, &later).total(), 2);
        assert_eq!(copy.count(at, &later).total(), 1);
    }

    fn dead_sets(cache: &mut CountCache) -> Vec<Vec<u32>> {
        let dead = cache.parts_mut().dead.as_ref().expect("a dead part");
        let mut sets: Vec<Vec<u32>> =
            [&dead.revoked, &dead.expired, &dead.recent].map(|s| s.iter().collect()).into();
        if let Some(edges) = &dead.edges {
            for edge in [&edges.revoked_today, &edges.expired_today, &edges.revoked_week_ago] {
                sets.push(edge.iter().flat_map(|&(id, s)| [id, s]).collect());
            }
        }
        sets
    }

    /// Times that fall either side of every bound of the rule: the
    /// instant `t` (on day `day`), the week's start and the day's edges.
    fn time_near(t: i64, day: i64) -> impl proptest::strategy::Strategy<Value = i64> {
        use proptest::prelude::*;
        let bounds = [t, t - WEEK_SECS, day, day + DAY_SECS, day - WEEK_SECS, day - WEEK_SECS + DAY_SECS];
        prop_oneof![
            (0i64..22).prop_map(|d| d * DAY_SECS + 1800),
            (proptest::sample::select(bounds.to_vec()), -1i64..=1).prop_map(|(b, d)| b + d),
        ]
    }

    proptest::proptest! {
        /// Time changes, a chunk's at once or one by one, leave the dead
        /// sets (and the day's edges, when kept) as a plain model of the
        /// rule computes them from the times themselves.
        #[test]
        fn times_changed_follows_the_rule(
            steps in proptest::collection::vec(
                (
                    0u16..3,
                    proptest::collection::btree_map(0u16..600, proptest::option::of(time_near(20 * DAY_SECS + 3600, 20 * DAY_SECS)), 0..200),
                    proptest::bool::ANY,
                ),
                1..5,
            ),
            expiries in proptest::bool::ANY,
            edges in proptest::bool::ANY,
        ) {
            let (t, day) = (20 * DAY_SECS + 3600, 20 * DAY_SECS);
            let clock = if expiries { Clock::Expiries } else { Clock::Revocations };
            let mut cache = CountCache::default();
            cache.parts_mut().dead = Some(Arc::new(Dead {
                t,
                revoked: IdSet::new(),
                expired: IdSet::new(),
                recent: IdSet::new(),
                day,
                edges: edges.then(Edges::default),
            }));
            let mut model = std::collections::BTreeMap::new();
            for (key, changes, at_once) in steps {
                let id = |low: u16| u32::from(key) << 16 | u32::from(low);
                let changes: Vec<(u16, Option<i64>)> = changes.into_iter().collect();
                if at_once {
                    cache.times_changed(clock, key, &changes);
                } else {
                    for &(low, secs) in &changes {
                        cache.time_changed(clock, id(low), secs);
                    }
                }
                for (low, secs) in changes {
                    match secs {
                        Some(s) => model.insert(id(low), s),
                        None => model.remove(&id(low)),
                    };
                }
            }
            let ids = |keep: &dyn Fn(i64) -> bool| -> Vec<u32> {
                model.iter().filter(|&(_, &s)| keep(s)).map(|(&id, _)| id).collect()
            };
            let on_day = |start: i64| -> Vec<u32> {
                model
                    .iter()
                    .filter(|&(_, &s)| start <= s && s < start + DAY_SECS)
                    .flat_map(|(&id, &s)| [id, (s - start) as u32])
                    .collect()
            };
            let by_t = ids(&|s| s <= t);
            let mut want = if expiries {
                vec![vec![], by_t, vec![]]
            } else {
                vec![by_t, vec![], ids(&|s| s <= t && s > t - WEEK_SECS)]
            };
            if edges {
                if expiries {
                    want.extend([vec![], on_day(day), vec![]]);
                } else {
                    want.extend([on_day(day), vec![], on_day(day - WEEK_SECS)]);
                }
            }
            proptest::prop_assert_eq!(dead_sets(&mut cache), want);
        }
    }
}

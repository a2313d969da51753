//! Events that keep an inventory current without a rebuild.
//!
//! A large batch ([`Inventory::apply_all`]) is applied chunk by chunk: its
//! events are put in the order of their 2^16-id chunk (keeping the order of
//! each certificate's own events), so that every set and time column of
//! one chunk is touched while it is in cache, instead of one random chunk
//! per event. This is exact because an event's validity and effect depend
//! only on its own certificate's state: events about different
//! certificates commute. Each certificate's events are reduced to their
//! net effect, and each set's chunk gets all of its changes at once
//! ([`super::event_batch`], [`super::named_batch`]).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::cache::{Clock, CountCache, Kind};
use super::columns::available_threads;
use super::event_batch::{self, Planner, PARALLEL_MIN};
use super::idset::IdSet;
use super::inventory::{NamedSets, MAX_SECS, MIN_SECS};
use super::named_batch::Change as NamedChange;
use super::record::check_name;
use super::times::TimeIndex;
use super::Inventory;
use crate::{timefmt, Error, ErrorKind, Result};

/// A change to one certificate.
///
/// Events that add something (enrolled, revoked, expiry set, added to a
/// store or collection, metadata set, private key stored, endpoint
/// monitoring on) add the certificate if it is unknown. Events that take
/// something away are errors for an unknown certificate and no-ops when the
/// thing is already absent, except that turning endpoint monitoring off
/// below zero endpoints is an error. The JSON form is tagged by `event`:
/// `{"event": "added_to_store", "id": 17, "store": "iis-prod-1"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    /// Requested through the product.
    Enrolled {
        /// The certificate.
        id: u32,
    },
    /// Revoked at `at` (a later revocation event replaces the time).
    Revoked {
        /// The certificate.
        id: u32,
        /// When it was revoked.
        #[serde(with = "timefmt::rfc3339")]
        at: OffsetDateTime,
    },
    /// Its expiry was set, changed (renewed) or cleared.
    ExpirySet {
        /// The certificate.
        id: u32,
        /// The new expiry, or `None` to clear it.
        #[serde(default, with = "timefmt::rfc3339::option")]
        expires_at: Option<OffsetDateTime>,
    },
    /// Found in a managed certificate store.
    AddedToStore {
        /// The certificate.
        id: u32,
        /// The store.
        store: String,
    },
    /// No longer in a store.
    RemovedFromStore {
        /// The certificate.
        id: u32,
        /// The store.
        store: String,
    },
    /// A metadata field got a value.
    MetadataSet {
        /// The certificate.
        id: u32,
        /// The field.
        field: String,
    },
    /// A metadata field's value was cleared.
    MetadataCleared {
        /// The certificate.
        id: u32,
        /// The field.
        field: String,
    },
    /// Its private key was stored.
    PrivateKeyStored {
        /// The certificate.
        id: u32,
    },
    /// Its private key was deleted.
    PrivateKeyDeleted {
        /// The certificate.
        id: u32,
    },
    /// One more SSL/TLS endpoint monitors it.
    EndpointMonitoringOn {
        /// The certificate.
        id: u32,
    },
    /// One endpoint stopped monitoring it.
    EndpointMonitoringOff {
        /// The certificate.
        id: u32,
    },
    /// Added to a collection.
    AddedToCollection {
        /// The certificate.
        id: u32,
        /// The collection.
        collection: String,
    },
    /// Removed from a collection.
    RemovedFromCollection {
        /// The certificate.
        id: u32,
        /// The collection.
        collection: String,
    },
    /// The certificate was deleted from the inventory.
    Deleted {
        /// The certificate.
        id: u32,
    },
}

impl Event {
    /// The certificate the event is about.
    pub fn id(&self) -> u32 {
        match self {
            Event::Enrolled { id }
            | Event::Revoked { id, .. }
            | Event::ExpirySet { id, .. }
            | Event::AddedToStore { id, .. }
            | Event::RemovedFromStore { id, .. }
            | Event::MetadataSet { id, .. }
            | Event::MetadataCleared { id, .. }
            | Event::PrivateKeyStored { id }
            | Event::PrivateKeyDeleted { id }
            | Event::EndpointMonitoringOn { id }
            | Event::EndpointMonitoringOff { id }
            | Event::AddedToCollection { id, .. }
            | Event::RemovedFromCollection { id, .. }
            | Event::Deleted { id } => *id,
        }
    }

    /// The event as an [`Op`], borrowing its name.
    pub(super) fn op(&self) -> Op<'_> {
        let (kind, name, secs) = match self {
            Event::Enrolled { .. } => (OpKind::Enrolled, "", 0),
            Event::Revoked { at, .. } => (OpKind::Revoked, "", at.unix_timestamp()),
            Event::ExpirySet { expires_at: Some(at), .. } => (OpKind::ExpirySet, "", at.unix_timestamp()),
            Event::ExpirySet { expires_at: None, .. } => (OpKind::ExpiryCleared, "", 0),
            Event::AddedToStore { store, .. } => (OpKind::AddedToStore, store.as_str(), 0),
            Event::RemovedFromStore { store, .. } => (OpKind::RemovedFromStore, store.as_str(), 0),
            Event::MetadataSet { field, .. } => (OpKind::MetadataSet, field.as_str(), 0),
            Event::MetadataCleared { field, .. } => (OpKind::MetadataCleared, field.as_str(), 0),
            Event::PrivateKeyStored { .. } => (OpKind::PrivateKeyStored, "", 0),
            Event::PrivateKeyDeleted { .. } => (OpKind::PrivateKeyDeleted, "", 0),
            Event::EndpointMonitoringOn { .. } => (OpKind::EndpointMonitoringOn, "", 0),
            Event::EndpointMonitoringOff { .. } => (OpKind::EndpointMonitoringOff, "", 0),
            Event::AddedToCollection { collection, .. } => {
                (OpKind::AddedToCollection, collection.as_str(), 0)
            }
            Event::RemovedFromCollection { collection, .. } => {
                (OpKind::RemovedFromCollection, collection.as_str(), 0)
            }
            Event::Deleted { .. } => (OpKind::Deleted, "", 0),
        };
        Op { id: self.id(), kind, name, secs }
    }
}

/// What an event does, as the batch path handles it: a few words, its name
/// borrowed (from the event, or from the batch's first event with the same
/// name, so that the names a batch uses stay in cache).
#[derive(Clone, Copy)]
pub(super) struct Op<'e> {
    pub(super) id: u32,
    pub(super) kind: OpKind,
    /// The store, field or collection; empty for the other kinds.
    pub(super) name: &'e str,
    /// Seconds of the revocation or new expiry; 0 for the other kinds.
    pub(super) secs: i64,
}

/// The kinds of [`Event`], with an expiry set and cleared told apart.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum OpKind {
    Enrolled,
    Revoked,
    ExpirySet,
    ExpiryCleared,
    AddedToStore,
    RemovedFromStore,
    MetadataSet,
    MetadataCleared,
    PrivateKeyStored,
    PrivateKeyDeleted,
    EndpointMonitoringOn,
    EndpointMonitoringOff,
    AddedToCollection,
    RemovedFromCollection,
    Deleted,
}

/// What an event's validity depends on besides the event itself.
#[derive(Clone, Copy)]
pub(super) struct IdState {
    pub(super) present: bool,
    pub(super) ssl: bool,
}

impl OpKind {
    /// The change to store, metadata or collection membership, for a
    /// batch (`name` the op's name index), if any.
    pub(super) fn named_change(self, name: u16) -> Option<NamedChange> {
        let (kind, on) = match self {
            OpKind::AddedToStore => (0, true),
            OpKind::RemovedFromStore => (0, false),
            OpKind::MetadataSet => (1, true),
            OpKind::MetadataCleared => (1, false),
            OpKind::AddedToCollection => (2, true),
            OpKind::RemovedFromCollection => (2, false),
            OpKind::Deleted => return Some(NamedChange::Deleted),
            _ => return None,
        };
        Some(NamedChange::Set(kind, name, on))
    }

    /// Whether an op of this kind applies to a certificate in `state`:
    /// what `Inventory::check` checks, as a yes or no, for a batch
    /// that knows whether each name may be added (`name_ok`, read only for
    /// the kinds that add to a named set) and needs no error worded (a
    /// failing batch takes the in-order path, which words it).
    #[inline(always)]
    pub(super) fn applies(self, secs: i64, state: IdState, name_ok: bool) -> bool {
        (state.present || self.adds())
            && match self {
                OpKind::Revoked | OpKind::ExpirySet => (MIN_SECS..=MAX_SECS).contains(&secs),
                OpKind::AddedToStore | OpKind::MetadataSet | OpKind::AddedToCollection => name_ok,
                OpKind::EndpointMonitoringOff => state.ssl,
                _ => true,
            }
    }

    /// Whether the event adds something (and so the certificate if it is
    /// unknown).
    pub(super) fn adds(self) -> bool {
        matches!(
            self,
            OpKind::Enrolled
                | OpKind::Revoked
                | OpKind::ExpirySet
                | OpKind::ExpiryCleared
                | OpKind::AddedToStore
                | OpKind::MetadataSet
                | OpKind::PrivateKeyStored
                | OpKind::EndpointMonitoringOn
                | OpKind::AddedToCollection
        )
    }
}

/// Which flag set a change touched.
#[derive(Clone, Copy)]
enum Flag {
    Present,
    Enrolled,
    PrivateKey,
    Ssl,
}

#[derive(Clone, Copy)]
enum Named {
    Stores,
    Metadata,
    Collections,
}

#[derive(Clone, Copy)]
enum Times {
    Revocations,
    Expiries,
}

/// One primitive change, with what it replaced, so a failed batch can be
/// rolled back. Names are borrowed from the events where they can be (an
/// owned copy per change would be an allocation per event).
enum Change<'e> {
    Flag(Flag, u32, bool),
    Named(Named, Cow<'e, str>, u32, bool),
    Time(Times, u32, Option<i64>),
    SslExtra(u32, u32),
}

impl Inventory {
    fn flag(&mut self, f: Flag) -> &mut IdSet {
        match f {
            Flag::Present => &mut self.present,
            Flag::Enrolled => &mut self.enrolled,
            Flag::PrivateKey => &mut self.private_key,
            Flag::Ssl => &mut self.ssl,
        }
    }

    fn named(&mut self, n: Named) -> &mut NamedSets {
        match n {
            Named::Stores => &mut self.stores,
            Named::Metadata => &mut self.metadata,
            Named::Collections => &mut self.collections,
        }
    }

    fn set_flag(&mut self, f: Flag, id: u32, on: bool, log: &mut Option<&mut Vec<Change<'_>>>) {
        let set = self.flag(f);
        let changed = if on { set.insert(id) } else { set.remove(id) };
        if let (true, Some(log)) = (changed, log) {
            log.push(Change::Flag(f, id, on));
        }
    }

    fn set_named<'e>(
        &mut self,
        n: Named,
        name: &'e str,
        id: u32,
        on: bool,
        log: &mut Option<&mut Vec<Change<'e>>>,
    ) {
        let sets = self.named(n);
        let changed = if on {
            match sets.get_mut(name) {
                Some(set) => set.insert(id),
                None => sets.entry(name.to_owned()).or_default().insert(id),
            }
        } else {
            match sets.get_mut(name) {
                Some(set) => {
                    let removed = set.remove(id);
                    if set.is_empty() {
                        sets.remove(name);
                    }
                    removed
                }
                None => false,
            }
        };
        if changed {
            let (kind, sets) = match n {
                Named::Stores => (Kind::Stores, &self.stores),
                Named::Metadata => (Kind::Metadata, &self.metadata),
                Named::Collections => (Kind::Collections, &self.collections),
            };
            self.cache.named_changed(kind, name, id, on, sets);
        }
        if let (true, Some(log)) = (changed, log) {
            log.push(Change::Named(n, Cow::Borrowed(name), id, on));
        }
    }

    fn set_time(&mut self, t: Times, id: u32, secs: Option<i64>, log: &mut Option<&mut Vec<Change<'_>>>) {
        let (index, clock) = match t {
            Times::Revocations => (&mut self.revocations, Clock::Revocations),
            Times::Expiries => (&mut self.expiries, Clock::Expiries),
        };
        let old = put_time(index, &mut self.cache, clock, id, secs);
        if let (true, Some(log)) = (old != secs, log) {
            log.push(Change::Time(t, id, old));
        }
    }

    fn set_ssl_extra(&mut self, id: u32, extra: u32, log: &mut Option<&mut Vec<Change<'_>>>) {
        let old = self.set_ssl_extra_slices(id, extra);
        if let (true, Some(log)) = (old != extra, log) {
            log.push(Change::SslExtra(id, old));
        }
    }

    fn undo(&mut self, change: Change<'_>) {
        match change {
            Change::Flag(f, id, on) => {
                self.set_flag(f, id, !on, &mut None);
            }
            Change::Named(n, name, id, on) => self.set_named(n, &name, id, !on, &mut None),
            Change::Time(t, id, old) => self.set_time(t, id, old, &mut None),
            Change::SslExtra(id, old) => self.set_ssl_extra(id, old, &mut None),
        }
    }

    /// Checks that `op` can be applied, without changing anything: all
    /// that its validity depends on besides the op itself is its
    /// certificate's state. (A batch checks the same with
    /// [`OpKind::applies`].)
    fn check(&self, op: &Op<'_>) -> Result<()> {
        let state = IdState { present: self.present.contains(op.id), ssl: self.ssl.contains(op.id) };
        let id = op.id;
        if !state.present && !op.kind.adds() {
            return Err(Error::new(ErrorKind::UnknownCertificate, format!("certificate {id}")));
        }
        let new_name = |sets: &NamedSets, what: &str| {
            if sets.contains_key(op.name) {
                Ok(())
            } else {
                check_name(op.name, what)
                    .map_err(|e| Error::new(e.kind(), format!("certificate {id}: {}", e.detail())))
            }
        };
        let in_range = |what: &str| {
            if (MIN_SECS..=MAX_SECS).contains(&op.secs) {
                Ok(())
            } else {
                Err(Error::new(
                    ErrorKind::InvalidRecord,
                    format!("certificate {id}: {what} is outside years 1970..=9999"),
                ))
            }
        };
        match op.kind {
            OpKind::Revoked => in_range("revoked_at"),
            OpKind::ExpirySet => in_range("expires_at"),
            OpKind::AddedToStore => new_name(&self.stores, "store"),
            OpKind::MetadataSet => new_name(&self.metadata, "metadata field"),
            OpKind::AddedToCollection => new_name(&self.collections, "collection"),
            OpKind::EndpointMonitoringOff if !state.ssl => Err(Error::new(
                ErrorKind::InvalidRecord,
                format!("certificate {id}: endpoint monitoring off, but no endpoint monitors it"),
            )),
            _ => Ok(()),
        }
    }

    fn apply_checked<'e>(&mut self, op: Op<'e>, mut log: Option<&mut Vec<Change<'e>>>) {
        let id = op.id;
        let log = &mut log;
        if op.kind.adds() {
            self.set_flag(Flag::Present, id, true, log);
        }
        match op.kind {
            OpKind::Enrolled => self.set_flag(Flag::Enrolled, id, true, log),
            OpKind::Revoked => self.set_time(Times::Revocations, id, Some(op.secs), log),
            OpKind::ExpirySet => self.set_time(Times::Expiries, id, Some(op.secs), log),
            OpKind::ExpiryCleared => self.set_time(Times::Expiries, id, None, log),
            OpKind::AddedToStore => self.set_named(Named::Stores, op.name, id, true, log),
            OpKind::RemovedFromStore => self.set_named(Named::Stores, op.name, id, false, log),
            OpKind::MetadataSet => self.set_named(Named::Metadata, op.name, id, true, log),
            OpKind::MetadataCleared => self.set_named(Named::Metadata, op.name, id, false, log),
            OpKind::PrivateKeyStored => self.set_flag(Flag::PrivateKey, id, true, log),
            OpKind::PrivateKeyDeleted => self.set_flag(Flag::PrivateKey, id, false, log),
            OpKind::EndpointMonitoringOn => {
                if self.ssl.contains(id) {
                    let extra = self.ssl_extra(id);
                    self.set_ssl_extra(id, extra.saturating_add(1), log);
                } else {
                    self.set_flag(Flag::Ssl, id, true, log);
                }
            }
            OpKind::EndpointMonitoringOff => match self.ssl_extra(id) {
                0 => self.set_flag(Flag::Ssl, id, false, log),
                extra => self.set_ssl_extra(id, extra - 1, log),
            },
            OpKind::AddedToCollection => self.set_named(Named::Collections, op.name, id, true, log),
            OpKind::RemovedFromCollection => self.set_named(Named::Collections, op.name, id, false, log),
            OpKind::Deleted => {
                for f in [Flag::Present, Flag::Enrolled, Flag::PrivateKey, Flag::Ssl] {
                    self.set_flag(f, id, false, log);
                }
                self.set_ssl_extra(id, 0, log);
                for n in [Named::Stores, Named::Metadata, Named::Collections] {
                    let sets = self.named(n);
                    let mut emptied = false;
                    for (name, set) in sets.iter_mut() {
                        if set.remove(id) {
                            emptied |= set.is_empty();
                            if let Some(log) = log.as_deref_mut() {
                                log.push(Change::Named(n, Cow::Owned(name.clone()), id, false));
                            }
                        }
                    }
                    if emptied {
                        sets.retain(|_, s| !s.is_empty());
                    }
                }
                self.cache.deleted(id);
                self.set_time(Times::Revocations, id, None, log);
                self.set_time(Times::Expiries, id, None, log);
            }
        }
    }

    /// Applies one event; on error nothing changes.
    pub fn apply(&mut self, event: &Event) -> Result<()> {
        let op = event.op();
        self.check(&op)?;
        self.apply_checked(op, None);
        Ok(())
    }

    /// Applies events in order: all of them, or (if one fails) none, with
    /// the error naming the failing event's position.
    ///
    /// A large batch is applied grouped by 2^16-id chunk (see the module
    /// documentation); the result is the same as applying the events one
    /// by one in order.
    pub fn apply_all(&mut self, events: &[Event]) -> Result<()> {
        if events.len() >= GROUPED_MIN && self.apply_grouped(events) {
            return Ok(());
        }
        self.apply_in_order(events)
    }

    /// Applies `events` in order, rolling back on the first failure.
    fn apply_in_order(&mut self, events: &[Event]) -> Result<()> {
        let mut log = Vec::new();
        for (i, event) in events.iter().enumerate() {
            let op = event.op();
            if let Err(e) = self.check(&op) {
                self.roll_back(log);
                return Err(Error::new(e.kind(), format!("event {}: {}", i + 1, e.detail())));
            }
            self.apply_checked(op, Some(&mut log));
        }
        Ok(())
    }

    /// Applies `events` grouped by chunk (see [`super::event_batch`]);
    /// returns whether they all applied. They are all checked first,
    /// each against the state its certificate has when it comes, and only
    /// then applied (so nothing is logged or rolled back); on a failure
    /// false is returned and the in-order path names the first failing
    /// event.
    fn apply_grouped(&mut self, events: &[Event]) -> bool {
        let threads = if events.len() >= PARALLEL_MIN { available_threads() } else { 1 };
        self.apply_grouped_on(events, threads)
    }

    /// [`Inventory::apply_grouped`], its checks on up to `threads` threads.
    fn apply_grouped_on(&mut self, events: &[Event], threads: usize) -> bool {
        let Some(grouped) = event_batch::group(events, threads) else { return false };
        let plans = Planner::new(self, &grouped.names).plan_all(&grouped, threads);
        let Some(plans) = plans else { return false };
        event_batch::apply(self, plans, &grouped.names, threads > 1);
        true
    }

    fn roll_back(&mut self, mut log: Vec<Change<'_>>) {
        while let Some(change) = log.pop() {
            self.undo(change);
        }
    }
}

/// Sets (or with `None` clears) the time of `id` in `index`, the
/// revocations or expiries (`clock`), and updates `cache` if it changed;
/// returns the previous time.
pub(super) fn put_time(
    index: &mut TimeIndex,
    cache: &mut CountCache,
    clock: Clock,
    id: u32,
    secs: Option<i64>,
) -> Option<i64> {
    let old = match secs {
        Some(s) => index.set(id, s),
        None => index.remove(id),
    };
    if old != secs {
        cache.time_changed(clock, id, secs);
    }
    old
}

/// Batches from this many events on are applied grouped by chunk (below,
/// grouping them costs more than the cache misses it saves).
const GROUPED_MIN: usize = 4096;

/// An [`Op`] in 16 bytes, its name an index into the batch's names: what
/// the batch path sorts.
#[derive(Clone, Copy)]
pub(super) struct SmallOp {
    pub(super) secs: i64,
    pub(super) id: u32,
    pub(super) name: u16,
    pub(super) kind: OpKind,
}

impl SmallOp {
    /// A placeholder, overwritten before it is read.
    pub(super) const NONE: SmallOp = SmallOp { secs: 0, id: 0, name: 0, kind: OpKind::Enrolled };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actioned::CertificateRecord;
    use proptest::prelude::*;
    use time::macros::datetime;

    /// Event kind `kind` (0 to 13; anything else is a deletion) on `id`,
    /// with `name` and `at` where the kind takes them.
    fn event_of(id: u32, kind: u8, name: String, at: time::OffsetDateTime) -> Event {
        match kind {
            0 => Event::Enrolled { id },
            1 => Event::Revoked { id, at },
            2 => Event::ExpirySet { id, expires_at: Some(at) },
            3 => Event::ExpirySet { id, expires_at: None },
            4 => Event::AddedToStore { id, store: name },
            5 => Event::RemovedFromStore { id, store: name },
            6 => Event::MetadataSet { id, field: name },
            7 => Event::MetadataCleared { id, field: name },
            8 => Event::PrivateKeyStored { id },
            9 => Event::PrivateKeyDeleted { id },
            10 => Event::EndpointMonitoringOn { id },
            11 => Event::EndpointMonitoringOff { id },
            12 => Event::AddedToCollection { id, collection: name },
            13 => Event::RemovedFromCollection { id, collection: name },
            _ => Event::Deleted { id },
        }
    }

    fn event() -> impl Strategy<Value = Event> {
        // Ids over three chunks, few per chunk, so events on one id repeat.
        let id = prop_oneof![0u32..6, 65_536u32..65_542, 200_000u32..200_006];
        let name = prop_oneof![Just("a".to_owned()), Just("b".to_owned())];
        let at = (0i64..20).prop_map(|d| datetime!(2026-11-01 0:00 UTC) + time::Duration::days(d));
        let kind = (0u8..14).prop_map(|k| if k == 13 { 14 } else { k });
        (id, kind, name, at).prop_map(|(id, kind, name, at)| event_of(id, kind, name, at))
    }

    proptest! {
        /// Grouped by chunk or one by one, a batch ends in the same state,
        /// and a failing one (rolled back) leaves the inventory as it was.
        #[test]
        fn grouped_batches_equal_in_order_ones(
            events in proptest::collection::vec(event(), 0..120),
            threads in 1usize..4,
        ) {
            let mut start = CertificateRecord::new(65_537);
            start.ssl_endpoints = 3;
            start.stores = vec!["a".into()];
            start.expires_at = Some(datetime!(2026-11-05 0:00 UTC));
            let base = Inventory::from_records(&[start, CertificateRecord::new(3)]).unwrap();
            let config = crate::CountConfig::new(crate::license::ActionedLimit::SiteLicense);
            let at = datetime!(2026-11-10 0:00 UTC);
            // A cached count, so that events also update the cache.
            let _ = base.count(at, &config);
            let mut grouped = base.clone();
            let mut in_order = base.clone();
            let ok = in_order.apply_in_order(&events).is_ok();
            // Up to three threads over three chunks: each plans a run of them.
            prop_assert_eq!(grouped.apply_grouped_on(&events, threads), ok);
            let expect = if ok { &in_order } else { &base };
            prop_assert_eq!(grouped.to_snapshot(), expect.to_snapshot());
            prop_assert_eq!(grouped.count(at, &config), expect.count(at, &config));
            let fresh = Inventory::from_snapshot(&expect.to_snapshot()).unwrap();
            prop_assert_eq!(grouped.count(at, &config), fresh.count(at, &config));
        }
    }

    /// An event of a large batch: ids over three chunks (one of them a
    /// bitset in store `a`), a few hundred per chunk so that events on one
    /// id repeat, and now and then a name that is not valid.
    fn batch_event() -> impl Strategy<Value = Event> {
        let id = prop_oneof![0u32..300, 65_536u32..65_836, 200_000u32..200_300];
        let name = prop_oneof![
            30 => Just("a".to_owned()),
            30 => Just("b".to_owned()),
            30 => Just("c".to_owned()),
            1 => Just(String::new()),
        ];
        let at = (0i64..20).prop_map(|d| datetime!(2026-11-01 0:00 UTC) + time::Duration::days(d));
        (id, 0u8..15, name, at).prop_map(|(id, kind, name, at)| event_of(id, kind, name, at))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// `apply_all` of a batch large enough to be grouped by chunk ends
        /// in the state that applying each event with `apply` gives (same
        /// snapshot bytes, same counts), or, when an event fails, fails
        /// with that event's error and position and changes nothing.
        #[test]
        fn apply_all_equals_apply_one_by_one(
            events in proptest::collection::vec(batch_event(), GROUPED_MIN..GROUPED_MIN + 600),
            valid_only in any::<bool>(),
        ) {
            let records: Vec<CertificateRecord> = (0u32..300)
                .chain(65_536..65_536 + 5000)
                .chain(200_000..200_300)
                .map(|id| {
                    let mut r = CertificateRecord::new(id);
                    r.ssl_endpoints = id % 3;
                    r.private_key = id % 2 == 0;
                    r.stores = if id % 5 == 0 { vec!["b".into()] } else { vec!["a".into()] };
                    r.collections = if id % 4 == 0 { vec!["c".into()] } else { vec![] };
                    r.expires_at = Some(datetime!(2026-11-03 0:00 UTC) + time::Duration::hours(i64::from(id % 400)));
                    r
                })
                .collect();
            let base = Inventory::from_records(&records).unwrap();
            let config = crate::CountConfig::new(crate::license::ActionedLimit::SiteLicense).exclude_metadata("b");
            let at = datetime!(2026-11-10 0:00 UTC);
            let _ = base.count(at, &config);
            let events: Vec<Event> = if valid_only {
                let mut copy = base.clone();
                events.into_iter().filter(|e| copy.apply(e).is_ok()).collect()
            } else {
                events
            };
            let mut one_by_one = base.clone();
            let failure = events.iter().enumerate().find_map(|(i, e)| one_by_one.apply(e).err().map(|e| (i, e)));
            let mut batch = base.clone();
            match (batch.apply_all(&events), failure) {
                (Ok(()), None) => {
                    prop_assert_eq!(batch.to_snapshot(), one_by_one.to_snapshot());
                    prop_assert_eq!(batch.count(at, &config), one_by_one.count(at, &config));
                    let fresh = Inventory::from_snapshot(&batch.to_snapshot()).unwrap();
                    prop_assert_eq!(batch.count(at, &config), fresh.count(at, &config));
                }
                (Err(got), Some((i, want))) => {
                    prop_assert_eq!(got.kind(), want.kind());
                    prop_assert_eq!(got.detail(), format!("event {}: {}", i + 1, want.detail()));
                    prop_assert_eq!(batch.to_snapshot(), base.to_snapshot());
                    prop_assert_eq!(batch.count(at, &config), base.count(at, &config));
                }
                (got, want) => prop_assert!(false, "apply_all gave {:?}, one by one {:?}", got, want),
            }
        }
    }

    proptest! {
        /// A batch's yes-or-no check (`OpKind::applies`, with each name's
        /// addability worked out as the planner does) agrees with the
        /// in-order check, for every kind, certificate state, name and
        /// time.
        #[test]
        fn applies_agrees_with_check(
            kind in 0usize..15,
            id in prop_oneof![Just(7u32), Just(8u32), Just(9u32)],
            name in prop_oneof![Just("a"), Just("fresh"), Just(""), Just("bad\u{7}name"), Just("\u{7}old")],
            secs in prop_oneof![-5i64..5, Just(MIN_SECS - 1), Just(MIN_SECS), Just(MAX_SECS), Just(MAX_SECS + 1), Just(i64::MIN), Just(i64::MAX)],
        ) {
            const KINDS: [OpKind; 15] = [
                OpKind::Enrolled,
                OpKind::Revoked,
                OpKind::ExpirySet,
                OpKind::ExpiryCleared,
                OpKind::AddedToStore,
                OpKind::RemovedFromStore,
                OpKind::MetadataSet,
                OpKind::MetadataCleared,
                OpKind::PrivateKeyStored,
                OpKind::PrivateKeyDeleted,
                OpKind::EndpointMonitoringOn,
                OpKind::EndpointMonitoringOff,
                OpKind::AddedToCollection,
                OpKind::RemovedFromCollection,
                OpKind::Deleted,
            ];
            // 7 monitored, 9 not, 8 unknown; "a" and a name that is not
            // valid but already held ("\u{7}old") in every kind of set.
            let mut records = [CertificateRecord::new(7), CertificateRecord::new(9)];
            records[0].ssl_endpoints = 2;
            for r in &mut records {
                r.stores = vec!["a".into()];
                r.metadata = vec!["a".into()];
                r.collections = vec!["a".into()];
            }
            let mut inv = Inventory::from_records(&records).unwrap();
            for sets in [&mut inv.stores, &mut inv.metadata, &mut inv.collections] {
                let set = sets["a"].clone();
                sets.insert("\u{7}old".into(), set);
            }
            let op = Op { id, kind: KINDS[kind], name, secs };
            let state = IdState { present: inv.present.contains(id), ssl: inv.ssl.contains(id) };
            let names = [&inv.stores, &inv.metadata, &inv.collections];
            let addable = |k: usize| check_name(name, "name").is_ok() || names[k].contains_key(name);
            let name_ok = match op.kind {
                OpKind::AddedToStore => addable(0),
                OpKind::MetadataSet => addable(1),
                OpKind::AddedToCollection => addable(2),
                _ => true,
            };
            prop_assert_eq!(op.kind.applies(secs, state, name_ok), inv.check(&op).is_ok());
        }
    }

    #[test]
    fn ops_are_grouped_by_chunk_and_sorted_by_id_stably() {
        let events: Vec<Event> = [70_000, 3, 70_001, 5, 3, 1 << 30, 70_000]
            .into_iter()
            .enumerate()
            .map(|(i, id)| Event::AddedToStore { id, store: format!("s{i}") })
            .collect();
        // Three threads: each groups a run of the events on its own.
        let grouped = event_batch::group(&events, 3).unwrap();
        let keys: Vec<u16> = grouped.chunks.iter().map(|c| c.0).collect();
        assert_eq!(keys, [0, 1, 1 << 14]);
        let (mut ops, mut chunk, mut scratch) = (Vec::new(), Vec::new(), Vec::new());
        for c in 0..grouped.chunks.len() {
            grouped.chunk_ops(c, &mut chunk);
            event_batch::sort_chunk(&mut chunk, &mut scratch);
            ops.extend_from_slice(&chunk);
        }
        let names = &grouped.names;
        let got: Vec<(u32, &str)> = ops.iter().map(|op| (op.id, names[usize::from(op.name)])).collect();
        let want = [
            (3, "s1"),
            (3, "s4"),
            (5, "s3"),
            (70_000, "s0"),
            (70_000, "s6"),
            (70_001, "s2"),
            (1 << 30, "s5"),
        ];
        assert_eq!(got, want);
        assert_eq!(names.len(), 8);
    }
}

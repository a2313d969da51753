//! `Inventory`: every certificate's memberships as id sets, and its
//! revocation and expiry instants, kept ready to count at any instant.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::cache::CountCache;
use super::count::{truncate, ActionedCount, CountTally};
use super::idset::IdSet;
use super::kernel::{self, SetsDead};
use super::limits::InventoryLimits;
use super::times::TimeIndex;
use super::{CertificateColumns, CertificateRecord, CountConfig};
use crate::{Error, ErrorKind, Result};

/// Seconds of 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range every
/// format carries.
pub(crate) const MIN_SECS: i64 = 0;
pub(crate) const MAX_SECS: i64 = 253_402_300_799;

/// Id sets keyed by name (stores, metadata fields, collections). A set that
/// becomes empty is dropped, so the same memberships give the same state
/// however they were reached.
pub(crate) type NamedSets = BTreeMap<String, IdSet>;

/// The certificate inventory.
///
/// Membership is kept per flag, store, metadata field and collection; the
/// revocation and expiry instants are kept per certificate, so a count at
/// any instant (not only now) is exact. Filling it: from records
/// ([`Inventory::insert`], [`Inventory::insert_records`]), from JSON Lines
/// ([`Inventory::from_jsonl`]), from a snapshot, or kept current by events
/// ([`Inventory::apply`]).
///
/// ```
/// use license_core::{CertificateRecord, CountConfig, Inventory, license::ActionedLimit, actioned::Category};
/// use time::macros::datetime;
///
/// let mut inv = Inventory::new();
/// let mut a = CertificateRecord::new(1);
/// a.enrolled = true;
/// let mut b = CertificateRecord::new(2);
/// b.stores = vec!["iis-prod-1".into()];
/// b.revoked_at = Some(datetime!(2026-11-20 10:00 UTC));
/// inv.insert_records(&[a, b])?;
///
/// let config = CountConfig::new(ActionedLimit::Counted(1));
/// let count = inv.count(datetime!(2026-11-23 2:00 UTC), &config);
/// assert_eq!(count.total(), 2); // 1 enrolled, 2 revoked this week
/// assert_eq!(count.category(Category::CertStore), 0); // revoked: excluded
/// assert_eq!(count.over_by(), Some(1));
/// let later = inv.count(datetime!(2026-11-27 10:00 UTC), &config);
/// assert_eq!(later.total(), 1); // exactly 7 days later it has left the window
/// # Ok::<(), license_core::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Inventory {
    pub(crate) present: IdSet,
    pub(crate) enrolled: IdSet,
    pub(crate) private_key: IdSet,
    /// Monitored by at least one endpoint.
    pub(crate) ssl: IdSet,
    /// Endpoints beyond the first, bit-sliced: slice `k` holds the ids
    /// whose extra count has bit `k` set (so counts are id sets too, and
    /// cost nothing for the many certificates with one endpoint).
    pub(crate) ssl_extra: Vec<IdSet>,
    pub(crate) stores: NamedSets,
    pub(crate) metadata: NamedSets,
    pub(crate) collections: NamedSets,
    pub(crate) revocations: TimeIndex,
    pub(crate) expiries: TimeIndex,
    /// What counts reuse; every change above must update or clear it.
    pub(crate) cache: CountCache,
}

/// Seconds of a record's time, checked to be in the carried range.
pub(crate) fn secs_of(t: OffsetDateTime, id: u32, what: &str) -> Result<i64> {
    let secs = t.unix_timestamp();
    if (MIN_SECS..=MAX_SECS).contains(&secs) {
        Ok(secs)
    } else {
        Err(Error::new(
            ErrorKind::InvalidRecord,
            format!("certificate {id}: {what} is outside years 1970..=9999"),
        ))
    }
}

impl Inventory {
    /// An empty inventory.
    pub fn new() -> Inventory {
        Inventory::default()
    }

    /// Builds an inventory from records.
    pub fn from_records(records: &[CertificateRecord]) -> Result<Inventory> {
        let mut inv = Inventory::new();
        inv.insert_records(records)?;
        Ok(inv.shrunk())
    }

    /// This inventory with its spare capacity released.
    pub(crate) fn shrunk(mut self) -> Inventory {
        self.shrink_to_fit();
        self
    }

    /// Releases the spare capacity the sets and time indexes hold: a set
    /// grown chunk by chunk keeps room for up to twice its chunks. The
    /// constructors that build an inventory whole (from records, from JSON
    /// Lines) call it; call it after a series of inserts or a merge that
    /// will not be followed by more for a while. The inventory is the same.
    pub fn shrink_to_fit(&mut self) {
        for set in [&mut self.present, &mut self.enrolled, &mut self.private_key, &mut self.ssl] {
            set.shrink_to_fit();
        }
        self.ssl_extra.shrink_to_fit();
        for set in &mut self.ssl_extra {
            set.shrink_to_fit();
        }
        for named in [&mut self.stores, &mut self.metadata, &mut self.collections] {
            for set in named.values_mut() {
                set.shrink_to_fit();
            }
        }
        self.revocations.shrink_to_fit();
        self.expiries.shrink_to_fit();
    }

    /// The number of certificates.
    pub fn len(&self) -> u64 {
        self.present.len()
    }

    /// Whether there are no certificates.
    pub fn is_empty(&self) -> bool {
        self.present.is_empty()
    }

    /// Whether certificate `id` is in the inventory.
    pub fn contains(&self, id: u32) -> bool {
        self.present.contains(id)
    }

    /// Every certificate id.
    pub fn ids(&self) -> &IdSet {
        &self.present
    }

    /// Adds one certificate; an id already present is an error.
    pub fn insert(&mut self, record: &CertificateRecord) -> Result<()> {
        self.insert_records(std::slice::from_ref(record))
    }

    /// Adds certificates in bulk: all of them, or (on the first invalid or
    /// duplicate record) none. Records in ascending id order load fastest.
    /// The sets are built on every available core; [`Inventory::insert_columns`]
    /// lets the caller choose.
    pub fn insert_records(&mut self, records: &[CertificateRecord]) -> Result<()> {
        self.insert_records_within(records, &InventoryLimits::UNLIMITED)
    }

    /// As [`Inventory::insert_records`], refusing more distinct names than
    /// `limits` allow (the inventory's own names included).
    pub(crate) fn insert_records_within(
        &mut self,
        records: &[CertificateRecord],
        limits: &InventoryLimits,
    ) -> Result<()> {
        if let Some(done) = self.insert_ascending_records(records, limits) {
            return done;
        }
        let parts = CertificateColumns::parts_of(records, 0)?;
        self.insert_parts_within(parts, limits, 0)
    }

    /// Certificate `id` as a record (names in sorted order), if present.
    pub fn record(&self, id: u32) -> Option<CertificateRecord> {
        if !self.present.contains(id) {
            return None;
        }
        let names =
            |sets: &NamedSets| sets.iter().filter(|(_, s)| s.contains(id)).map(|(n, _)| n.clone()).collect();
        let time = |secs: Option<i64>| secs.and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok());
        Some(CertificateRecord {
            id,
            enrolled: self.enrolled.contains(id),
            revoked_at: time(self.revocations.get(id)),
            expires_at: time(self.expiries.get(id)),
            private_key: self.private_key.contains(id),
            ssl_endpoints: if self.ssl.contains(id) { 1 + self.ssl_extra(id) } else { 0 },
            stores: names(&self.stores),
            metadata: names(&self.metadata),
            collections: names(&self.collections),
        })
    }

    /// The names of the stores, metadata fields and collections in use.
    pub fn names(&self) -> (Vec<&str>, Vec<&str>, Vec<&str>) {
        fn keys(s: &NamedSets) -> Vec<&str> {
            s.keys().map(String::as_str).collect()
        }
        (keys(&self.stores), keys(&self.metadata), keys(&self.collections))
    }

    /// The member sets of each live category under `config`, in
    /// [`super::Category::LIVE`] order.
    pub(crate) fn live_sets<'a>(&'a self, config: &CountConfig) -> [Vec<&'a IdSet>; 6] {
        [
            vec![&self.enrolled],
            self.metadata.iter().filter(|(n, _)| config.counts_metadata(n)).map(|(_, s)| s).collect(),
            vec![&self.ssl],
            self.stores.values().collect(),
            vec![&self.private_key],
            self.collections.iter().filter(|(n, _)| config.counts_collection(n)).map(|(_, s)| s).collect(),
        ]
    }

    /// The raw counts at `at` (see [`Inventory::count`]).
    ///
    /// The unions of the named sets for `config` and the revoked and
    /// expired sets as of `at` are kept from one count to the next and
    /// kept exact by events, so counting again under the same config (at
    /// the same instant or, rebuilding only the instant's sets, another)
    /// does not re-read every store, field and collection.
    pub fn tally(&self, at: OffsetDateTime, config: &CountConfig) -> CountTally {
        let t = truncate(at).unix_timestamp();
        let (unions, dead) = self.count_parts(t, config);
        let live = [
            vec![&self.enrolled],
            vec![&unions.metadata],
            vec![&self.ssl],
            vec![&unions.stores],
            vec![&self.private_key],
            vec![&unions.collections],
        ];
        let dead = SetsDead { revoked: &[&dead.revoked], expired: &[&dead.expired], recent: &[&dead.recent] };
        CountTally::from_acc(kernel::run(&live, &dead))
    }

    /// Counts the actioned certificates at the instant `at` under `config`:
    /// the total (each certificate once), each category with its own
    /// exclusion rule, and a warning alert when over a counted limit.
    pub fn count(&self, at: OffsetDateTime, config: &CountConfig) -> ActionedCount {
        ActionedCount::from_tally(at, self.tally(at, config), config.limit)
    }

    /// Bytes of heap memory the inventory's sets and indexes hold (an
    /// estimate from capacities; the benches measure with an allocator).
    /// Not included: the count cache, up to six id sets (three unions,
    /// revoked, expired, revoked this week) that the first count builds and
    /// an insert, bulk add or merge drops, and, once a second instant of
    /// the same UTC day is counted, that day's revocations and expiries
    /// (and the revocations a week before it) at 8 bytes each.
    pub fn heap_bytes(&self) -> usize {
        let named = |s: &NamedSets| s.iter().map(|(n, s)| n.capacity() + s.heap_bytes() + 64).sum::<usize>();
        self.present.heap_bytes()
            + self.enrolled.heap_bytes()
            + self.private_key.heap_bytes()
            + self.ssl.heap_bytes()
            + self.ssl_extra.iter().map(IdSet::heap_bytes).sum::<usize>()
            + named(&self.stores)
            + named(&self.metadata)
            + named(&self.collections)
            + self.revocations.heap_bytes()
            + self.expiries.heap_bytes()
    }

    /// Endpoints beyond the first that monitor `id`.
    pub(crate) fn ssl_extra(&self, id: u32) -> u32 {
        self.ssl_extra.iter().enumerate().fold(0, |n, (k, s)| n | u32::from(s.contains(id)) << k)
    }

    /// Sets the endpoints beyond the first that monitor `id`; returns the
    /// previous value.
    pub(crate) fn set_ssl_extra_slices(&mut self, id: u32, extra: u32) -> u32 {
        let old = self.ssl_extra(id);
        let needed = (32 - extra.leading_zeros()) as usize;
        if self.ssl_extra.len() < needed {
            self.ssl_extra.resize_with(needed, IdSet::default);
        }
        for (k, slice) in self.ssl_extra.iter_mut().enumerate() {
            if extra >> k & 1 == 1 {
                slice.insert(id);
            } else {
                slice.remove(id);
            }
        }
        // No trailing empty slices: the same counts give the same state.
        while self.ssl_extra.last().is_some_and(IdSet::is_empty) {
            self.ssl_extra.pop();
        }
        old
    }

    /// The number of revocation and expiry instants held.
    pub fn times_held(&self) -> (u64, u64) {
        (self.revocations.len(), self.expiries.len())
    }
}

impl std::fmt::Debug for Inventory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (stores, metadata, collections) = self.names();
        f.debug_struct("Inventory")
            .field("certificates", &self.len())
            .field("stores", &stores)
            .field("metadata", &metadata)
            .field("collections", &collections)
            .finish_non_exhaustive()
    }
}

//! Events that keep an inventory current without a rebuild.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::cache::{Clock, Kind};
use super::idset::IdSet;
use super::inventory::{secs_of, NamedSets};
use super::record::check_name;
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

    fn adds(&self) -> bool {
        matches!(
            self,
            Event::Enrolled { .. }
                | Event::Revoked { .. }
                | Event::ExpirySet { .. }
                | Event::AddedToStore { .. }
                | Event::MetadataSet { .. }
                | Event::PrivateKeyStored { .. }
                | Event::EndpointMonitoringOn { .. }
                | Event::AddedToCollection { .. }
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
/// rolled back.
enum Change {
    Flag(Flag, u32, bool),
    Named(Named, String, u32, bool),
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

    fn times(&mut self, t: Times) -> &mut super::times::TimeIndex {
        match t {
            Times::Revocations => &mut self.revocations,
            Times::Expiries => &mut self.expiries,
        }
    }

    fn set_flag(&mut self, f: Flag, id: u32, on: bool, log: &mut Option<&mut Vec<Change>>) {
        let set = self.flag(f);
        let changed = if on { set.insert(id) } else { set.remove(id) };
        if let (true, Some(log)) = (changed, log) {
            log.push(Change::Flag(f, id, on));
        }
    }

    fn set_named(&mut self, n: Named, name: &str, id: u32, on: bool, log: &mut Option<&mut Vec<Change>>) {
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
            log.push(Change::Named(n, name.to_owned(), id, on));
        }
    }

    fn set_time(&mut self, t: Times, id: u32, secs: Option<i64>, log: &mut Option<&mut Vec<Change>>) {
        let index = self.times(t);
        let old = match secs {
            Some(s) => index.set(id, s),
            None => index.remove(id),
        };
        if old != secs {
            let clock = match t {
                Times::Revocations => Clock::Revocations,
                Times::Expiries => Clock::Expiries,
            };
            self.cache.time_changed(clock, id, secs);
        }
        if let (true, Some(log)) = (old != secs, log) {
            log.push(Change::Time(t, id, old));
        }
    }

    fn set_ssl_extra(&mut self, id: u32, extra: u32, log: &mut Option<&mut Vec<Change>>) {
        let old = self.set_ssl_extra_slices(id, extra);
        if let (true, Some(log)) = (old != extra, log) {
            log.push(Change::SslExtra(id, old));
        }
    }

    fn undo(&mut self, change: Change) {
        match change {
            Change::Flag(f, id, on) => {
                self.set_flag(f, id, !on, &mut None);
            }
            Change::Named(n, name, id, on) => self.set_named(n, &name, id, !on, &mut None),
            Change::Time(t, id, old) => self.set_time(t, id, old, &mut None),
            Change::SslExtra(id, old) => self.set_ssl_extra(id, old, &mut None),
        }
    }

    /// Checks that `event` can be applied, without changing anything.
    fn check(&self, event: &Event) -> Result<()> {
        let id = event.id();
        let known = self.present.contains(id);
        if !known && !event.adds() {
            return Err(Error::new(ErrorKind::UnknownCertificate, format!("certificate {id}")));
        }
        let new_name = |sets: &NamedSets, name: &str, what: &str| {
            if sets.contains_key(name) {
                Ok(())
            } else {
                check_name(name, what)
                    .map_err(|e| Error::new(e.kind(), format!("certificate {id}: {}", e.detail())))
            }
        };
        match event {
            Event::Revoked { at, .. } => secs_of(*at, id, "revoked_at").map(drop),
            Event::ExpirySet { expires_at: Some(at), .. } => secs_of(*at, id, "expires_at").map(drop),
            Event::AddedToStore { store, .. } => new_name(&self.stores, store, "store"),
            Event::MetadataSet { field, .. } => new_name(&self.metadata, field, "metadata field"),
            Event::AddedToCollection { collection, .. } => {
                new_name(&self.collections, collection, "collection")
            }
            Event::EndpointMonitoringOff { .. } if !self.ssl.contains(id) => Err(Error::new(
                ErrorKind::InvalidRecord,
                format!("certificate {id}: endpoint monitoring off, but no endpoint monitors it"),
            )),
            _ => Ok(()),
        }
    }

    fn apply_checked(&mut self, event: &Event, mut log: Option<&mut Vec<Change>>) {
        let id = event.id();
        let log = &mut log;
        if event.adds() {
            self.set_flag(Flag::Present, id, true, log);
        }
        match event {
            Event::Enrolled { .. } => self.set_flag(Flag::Enrolled, id, true, log),
            Event::Revoked { at, .. } => {
                self.set_time(Times::Revocations, id, Some(at.unix_timestamp()), log)
            }
            Event::ExpirySet { expires_at, .. } => {
                self.set_time(Times::Expiries, id, expires_at.map(|t| t.unix_timestamp()), log)
            }
            Event::AddedToStore { store, .. } => self.set_named(Named::Stores, store, id, true, log),
            Event::RemovedFromStore { store, .. } => self.set_named(Named::Stores, store, id, false, log),
            Event::MetadataSet { field, .. } => self.set_named(Named::Metadata, field, id, true, log),
            Event::MetadataCleared { field, .. } => self.set_named(Named::Metadata, field, id, false, log),
            Event::PrivateKeyStored { .. } => self.set_flag(Flag::PrivateKey, id, true, log),
            Event::PrivateKeyDeleted { .. } => self.set_flag(Flag::PrivateKey, id, false, log),
            Event::EndpointMonitoringOn { .. } => {
                if self.ssl.contains(id) {
                    let extra = self.ssl_extra(id);
                    self.set_ssl_extra(id, extra.saturating_add(1), log);
                } else {
                    self.set_flag(Flag::Ssl, id, true, log);
                }
            }
            Event::EndpointMonitoringOff { .. } => match self.ssl_extra(id) {
                0 => self.set_flag(Flag::Ssl, id, false, log),
                extra => self.set_ssl_extra(id, extra - 1, log),
            },
            Event::AddedToCollection { collection, .. } => {
                self.set_named(Named::Collections, collection, id, true, log)
            }
            Event::RemovedFromCollection { collection, .. } => {
                self.set_named(Named::Collections, collection, id, false, log)
            }
            Event::Deleted { .. } => {
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
                                log.push(Change::Named(n, name.clone(), id, false));
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
        self.check(event)?;
        self.apply_checked(event, None);
        Ok(())
    }

    /// Applies events in order: all of them, or (if one fails) none, with
    /// the error naming the failing event's position.
    pub fn apply_all(&mut self, events: &[Event]) -> Result<()> {
        let mut log = Vec::new();
        for (i, event) in events.iter().enumerate() {
            if let Err(e) = self.check(event) {
                while let Some(change) = log.pop() {
                    self.undo(change);
                }
                return Err(Error::new(e.kind(), format!("event {}: {}", i + 1, e.detail())));
            }
            self.apply_checked(event, Some(&mut log));
        }
        Ok(())
    }
}

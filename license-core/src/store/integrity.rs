//! What the store trusts: its files checked against `state.json`, the
//! repair of an interrupted operation, what can be kept of a store whose
//! files do not match, and the facts that bound the clock.

use time::OffsetDateTime;

use super::state::{history_name, is_history_name, parse_history_name, HistoryRecord, StoreState, STATE};
use super::{read_json, write_json, LicenseStore, Storage, CURRENT, USAGE_JOURNAL};
use crate::digest::{hex, sha256};
use crate::{usage, Error, ErrorKind, License, Result, VerifiedLicense};

/// The store's files, checked against its state.
pub(super) struct Inspected {
    /// The state in force: the recorded one, or the state from before an
    /// interrupted operation when `license.xml` still holds its license.
    pub(super) state: StoreState,
    /// The installed license, verified and matching the record.
    pub(super) installed: Option<Installed>,
    /// Each recorded history entry with its bytes (matching the record,
    /// not yet verified), oldest first.
    pub(super) history: Vec<(HistoryRecord, Vec<u8>)>,
}

/// An installed license's bytes and what they verified as.
pub(super) type Installed = (Vec<u8>, VerifiedLicense);

fn untrusted(detail: impl Into<String>) -> Error {
    Error::new(ErrorKind::StoreUntrusted, detail)
}

/// The kinds a read reports for store files that do not match the state.
pub(super) fn is_integrity(kind: ErrorKind) -> bool {
    matches!(kind, ErrorKind::StoreUntrusted | ErrorKind::StoreCorrupt)
}

impl<S: Storage> LicenseStore<S> {
    pub(super) fn read_state_file(&self) -> Result<Option<StoreState>> {
        self.storage.read(STATE)?.map(|bytes| StoreState::from_json(&bytes)).transpose()
    }

    pub(super) fn save_state(&self, state: &StoreState) -> Result<()> {
        write_json(&self.storage, STATE, state)
    }

    /// [`Self::inspect`]; when it finds files that do not match the state,
    /// looks again with the lock held after [`Self::repair`]: another
    /// process may be between two writes of one operation, or have died
    /// there.
    pub(super) fn inspect_now(&self) -> Result<Inspected> {
        match self.inspect() {
            Err(e) if is_integrity(e.kind()) => {
                let _guard = self.storage.lock(self.options.lock_timeout)?;
                self.repair()?;
                self.inspect()
            }
            other => other,
        }
    }

    /// Checks every license file in the store against the state: the
    /// installed license must be the one recorded (or, while an operation
    /// is under way, the one it replaces), every recorded history entry
    /// must be present and unchanged, and no other history file may exist.
    pub(super) fn inspect(&self) -> Result<Inspected> {
        let raw = self.read_state_file()?;
        let current = self.storage.read(CURRENT)?;
        let names = self.storage.list()?;
        let Some(raw) = raw else {
            if current.is_some() {
                return Err(untrusted(format!(
                    "{CURRENT} is present but the store's record of it ({STATE}) is not"
                )));
            }
            if let Some(name) = names.iter().find(|n| is_history_name(n)) {
                return Err(untrusted(format!("{name} is present but the store's record ({STATE}) is not")));
            }
            return Ok(Inspected { state: StoreState::default(), installed: None, history: Vec::new() });
        };
        let pending = raw.settled();
        let holds = |s: &StoreState| match (&s.installed, &current) {
            (Some(record), Some(bytes)) => record.is_of(bytes),
            (None, None) => true,
            _ => false,
        };
        let state = match raw.undo.as_deref() {
            _ if holds(&pending) => pending.clone(),
            Some(undo) if holds(undo) => undo.settled(),
            _ => {
                let recorded = pending.installed.as_ref().map_or_else(
                    || "none".to_owned(),
                    |r| format!("{} (sha256 {})", r.id.escape_debug(), r.sha256),
                );
                return Err(match &current {
                    Some(bytes) => untrusted(format!(
                        "{CURRENT} (sha256 {}) is not the license this store installed ({recorded})",
                        hex(&sha256(bytes))
                    )),
                    None => Error::new(
                        ErrorKind::StoreCorrupt,
                        format!("{CURRENT} is missing; the store installed {recorded}"),
                    ),
                });
            }
        };
        let known = |sequence: u64| {
            pending.history_entry(sequence).is_some()
                || raw.undo.as_deref().is_some_and(|u| u.history_entry(sequence).is_some())
        };
        for name in names.iter().filter(|n| is_history_name(n)) {
            if !parse_history_name(name).is_some_and(known) {
                return Err(untrusted(format!(
                    "{} is not a history entry this store recorded",
                    name.escape_debug()
                )));
            }
        }
        let mut history = Vec::with_capacity(state.history.len());
        for record in &state.history {
            let name = history_name(record.sequence);
            let bytes = self.storage.read(&name)?.ok_or_else(|| {
                Error::new(ErrorKind::StoreCorrupt, format!("{name} is recorded in {STATE} but missing"))
            })?;
            if !record.license.is_of(&bytes) {
                return Err(untrusted(format!(
                    "{name} (sha256 {}) is not the license this store kept there ({}, sha256 {})",
                    hex(&sha256(&bytes)),
                    record.license.id.escape_debug(),
                    record.license.sha256
                )));
            }
            history.push((record.clone(), bytes));
        }
        let installed = match (current, &state.installed) {
            (Some(bytes), Some(record)) => {
                let verified = self.verify_installed(&bytes, CURRENT)?;
                record.check(&verified, CURRENT)?;
                Some((bytes, verified))
            }
            _ => None,
        };
        Ok(Inspected { state, installed, history })
    }

    /// What can be kept of a store whose files do not all match its
    /// record: the recorded state (the one `license.xml` holds, when an
    /// operation was interrupted), less every license whose file is
    /// missing or is not the recorded one; and the installed license if it
    /// is the recorded one. A state that cannot be read keeps nothing.
    pub(super) fn salvage(&self) -> Result<(StoreState, Option<Installed>)> {
        let Ok(Some(raw)) = self.read_state_file() else { return Ok((StoreState::default(), None)) };
        let current = self.storage.read(CURRENT)?;
        let holds = |s: &StoreState| match (&s.installed, &current) {
            (Some(record), Some(bytes)) => record.is_of(bytes),
            _ => false,
        };
        let mut state = match raw.undo.as_deref() {
            Some(undo) if !holds(&raw) && holds(undo) => undo.settled(),
            _ => raw.settled(),
        };
        let installed = match (current, &state.installed) {
            (Some(bytes), Some(record)) if record.is_of(&bytes) => self
                .verify_installed(&bytes, CURRENT)
                .ok()
                .filter(|v| record.check(v, CURRENT).is_ok())
                .map(|v| (bytes, v)),
            _ => None,
        };
        if installed.is_none() {
            state.installed = None;
        }
        let mut kept = Vec::new();
        for record in state.history {
            let bytes = self.storage.read(&history_name(record.sequence))?;
            if bytes.is_some_and(|b| record.license.is_of(&b)) {
                kept.push(record);
            }
        }
        state.history = kept;
        Ok((state, installed))
    }

    /// The newest issue time the store can still vouch for when its files
    /// do not match its record: the record's, or else that of any license
    /// in the store that the vendor signed (a signed issue time is a fact,
    /// whoever copied the file there).
    pub(super) fn evidence_floor(&self) -> Result<Option<OffsetDateTime>> {
        let recorded = self.read_state_file().ok().flatten().and_then(|s| s.newest_issued_at);
        let mut floor = recorded;
        for name in self.storage.list()? {
            if name == CURRENT || is_history_name(&name) {
                if let Some(bytes) = self.storage.read(&name)? {
                    if let Ok(v) = License::from_signed_xml(&bytes, &self.trusted) {
                        floor = floor.max(Some(v.license().issued_at()));
                    }
                }
            }
        }
        Ok(floor)
    }

    /// The latest time the store can prove has passed, from what a
    /// deletion of `clock.json` leaves: the state's issue and count times,
    /// the installed file's signed issue time, the journal's counts.
    pub(super) fn time_floor(&self) -> Result<Option<OffsetDateTime>> {
        let state = self.read_state_file()?;
        let mut floor = state.as_ref().and_then(StoreState::time_floor);
        if let Some(undo) = state.as_ref().and_then(|s| s.undo.as_deref()) {
            floor = floor.max(undo.time_floor());
        }
        if let Some(bytes) = self.storage.read(CURRENT)? {
            if let Ok(v) = License::from_signed_xml(&bytes, &self.trusted) {
                floor = floor.max(Some(v.license().issued_at()));
            }
        }
        let journal: usage::Journal = read_json(&self.storage, USAGE_JOURNAL)?.unwrap_or_default();
        floor = floor.max(journal.pending().iter().map(|e| e.count.as_of).max());
        Ok(floor)
    }

    /// Removes every history file `state` does not record (leftovers of
    /// the store's own operations, and files it never wrote).
    pub(super) fn remove_unrecorded(&self, state: &StoreState) -> Result<()> {
        for name in self.storage.list()? {
            if is_history_name(&name)
                && parse_history_name(&name).is_none_or(|s| state.history_entry(s).is_none())
            {
                self.storage.remove(&name)?;
            }
        }
        Ok(())
    }

    /// Finishes or undoes what a crash interrupted (with the lock held).
    /// An operation writes the new state, carrying the state to undo with,
    /// before it touches `license.xml`: if `license.xml` holds the new
    /// license, the undo record is dropped; if it still holds the one from
    /// before, the old state is restored. Then history files numbered
    /// below the next number that the state does not record are removed:
    /// only the store's own operations leave those. A state that matches
    /// neither, or cannot be read, is left for reads to report.
    pub(super) fn repair(&self) -> Result<()> {
        let Ok(Some(raw)) = self.read_state_file() else { return Ok(()) };
        let current = self.storage.read(CURRENT)?;
        let holds = |s: &StoreState| match (&s.installed, &current) {
            (Some(record), Some(bytes)) => record.is_of(bytes),
            (None, None) => true,
            _ => false,
        };
        let mut limit = raw.next_sequence;
        let settled = match raw.undo.as_deref() {
            None => raw.clone(),
            Some(undo) => {
                limit = limit.max(undo.next_sequence);
                if holds(&raw.settled()) {
                    raw.settled()
                } else if holds(undo) {
                    undo.settled()
                } else {
                    return Ok(());
                }
            }
        };
        if settled != raw {
            self.save_state(&settled)?;
        }
        for name in self.storage.list()? {
            if let Some(sequence) = parse_history_name(&name) {
                if sequence < limit && settled.history_entry(sequence).is_none() {
                    self.storage.remove(&name)?;
                }
            }
        }
        Ok(())
    }
}

//! The installed license on a customer's server: install and replace it
//! atomically, keep a bounded history, roll back, notice replacements made
//! by other processes, and watch the clock for rollback.
//!
//! Every operation verifies before it writes, so a refused candidate leaves
//! the store byte-for-byte as it was; and every write is a single atomic
//! replacement, so a crash at any instant leaves the old license or the new
//! one, both verifiable.
//!
//! The store trusts only what it wrote: it records the SHA-256, id and
//! issue time of every license it installs (`state.json`), and every read
//! checks the files against that record and applies the same acceptance as
//! [`LicenseStore::stage`]. A license copied over `license.xml`, a planted
//! or edited history file, or a missing state is
//! [`ErrorKind::StoreUntrusted`], whoever signed the file; installing a
//! license (which runs every check) is the way back.
//!
//! ```
//! use license_core::store::{StageOptions, StoreOptions};
//! use license_core::{ErrorKind, License, LicenseStore, SigningKey, TrustedKeys};
//! use time::macros::datetime;
//! # let pem = include_str!("../../../tests/vectors/keys/vendor-2048.key.pem");
//! # let vendor = SigningKey::from_pkcs8_pem(pem)?;
//! # let dir = tempfile::tempdir()?;
//! # let signed = |id: &str, issued| -> license_core::Result<Vec<u8>> {
//! #     License::builder(id, "certmgr", issued).licensee("Example Ltd").build()?.sign(&vendor)
//! # };
//! # let first = signed("LIC-1", datetime!(2026-01-01 0:00 UTC))?;
//! # let renewal = signed("LIC-2", datetime!(2026-05-01 0:00 UTC))?;
//! let trusted = TrustedKeys::from(vendor.verifying_key().clone());
//! let store = LicenseStore::open_dir(dir.path(), trusted, StoreOptions::new("certmgr"))?;
//! let now = datetime!(2026-06-01 0:00 UTC);
//! store.commit(&store.stage(&first, now, StageOptions::default())?)?;
//!
//! // Staging verifies the candidate and compares it, changing nothing...
//! let staged = store.stage(&renewal, now, StageOptions::default())?;
//! assert!(staged.diff().is_some()); // shown side by side before confirming
//! store.commit(&staged)?; // ...then one atomic replacement.
//! assert_eq!(store.current()?.license().id(), "LIC-2");
//! assert_eq!(store.history()?.len(), 1);
//!
//! // An older license is refused; rolling back to it is an explicit choice.
//! let err = store.stage(&first, now, StageOptions::default()).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::OlderLicense);
//! assert_eq!(store.rollback()?.license().id(), "LIC-1");
//! # Ok::<(), license_core::Error>(())
//! ```

mod clock;
mod integrity;
mod monitor;
mod state;
mod storage;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use clock::ClockCheck;
pub use monitor::Monitor;
pub use storage::{DirLock, DirStorage, Storage};

use integrity::is_integrity;
use state::{history_name, parse_history_name, HistoryRecord, Record, StoreState};

use crate::digest::sha256;
use crate::{
    license::LicenseDiff, usage, ActionedCount, Error, ErrorKind, HardwareProfile, License, Result,
    TrustedKeys, UsageLog, VerifiedLicense,
};

const CURRENT: &str = "license.xml";
const USAGE_JOURNAL: &str = "usage-journal.json";

/// How a store checks what it installs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreOptions {
    /// The product this installation runs; a license for another product is
    /// refused ([`ErrorKind::WrongProduct`]).
    pub product: String,
    /// This installation's instance id, if known; a license bound to another
    /// instance is refused ([`ErrorKind::WrongInstance`]).
    pub instance_id: Option<String>,
    /// This machine's hardware profile, if the store should check it: a
    /// license bound to other hardware is refused
    /// ([`ErrorKind::FingerprintMismatch`], naming the drifted components).
    pub hardware: Option<HardwareProfile>,
    /// How many replaced licenses to keep (default 10).
    pub history_limit: usize,
    /// How far the clock may go back before a rollback is reported
    /// (default 24 hours).
    pub clock_tolerance: time::Duration,
    /// How long to wait for another process's replace (default 10 s).
    pub lock_timeout: std::time::Duration,
}

impl StoreOptions {
    /// Defaults for `product`.
    pub fn new(product: impl Into<String>) -> StoreOptions {
        StoreOptions {
            product: product.into(),
            instance_id: None,
            hardware: None,
            history_limit: 10,
            clock_tolerance: time::Duration::hours(24),
            lock_timeout: std::time::Duration::from_secs(10),
        }
    }
}

/// Options for staging one candidate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StageOptions {
    /// Accept a candidate issued before the installed license (normally
    /// refused as a replayed old license).
    pub allow_older: bool,
}

/// A verified candidate and how it compares with the installed license,
/// ready to [`LicenseStore::commit`]. Staging changes nothing.
#[derive(Debug, Clone)]
pub struct StagedReplacement {
    candidate: VerifiedLicense,
    bytes: Vec<u8>,
    diff: Option<LicenseDiff>,
    installed_sha256: Option<[u8; 32]>,
    /// Why the installed files are not trusted, when they are not.
    untrusted: Option<String>,
    /// Older than the newest license ever installed, and allowed.
    older_allowed: bool,
}

impl StagedReplacement {
    /// The verified candidate.
    pub fn candidate(&self) -> &VerifiedLicense {
        &self.candidate
    }

    /// The side-by-side comparison with the installed license (`None` when
    /// nothing is installed yet, or when the installed files are not ones
    /// the store wrote: see [`StagedReplacement::replaces_untrusted`]).
    pub fn diff(&self) -> Option<&LicenseDiff> {
        self.diff.as_ref()
    }

    /// Why the store's files are not trusted ([`ErrorKind::StoreUntrusted`]
    /// or [`ErrorKind::StoreCorrupt`] on a read), when they are not.
    /// Committing then replaces `license.xml` without keeping it in the
    /// history (it is not a license the store installed) and removes
    /// history files the store did not record; the candidate must still not
    /// be older than the newest license the store recorded, or than any
    /// vendor-signed license found in the store when the record is lost.
    pub fn replaces_untrusted(&self) -> Option<&str> {
        self.untrusted.as_deref()
    }
}

/// One replaced license kept in the history.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    /// Its place in the history (grows by one per replacement).
    pub sequence: u64,
    /// The license, re-verified.
    pub license: VerifiedLicense,
}

/// A snapshot of which license is installed, to ask later whether another
/// process replaced it ([`LicenseStore::changed_since`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreWatch {
    identity: Option<String>,
}

/// The installed license and its history, over a [`Storage`].
///
/// ```no_run
/// use license_core::{LicenseStore, TrustedKeys, store::{StageOptions, StoreOptions}};
/// # fn demo(vendor: TrustedKeys, upload: &[u8]) -> license_core::Result<()> {
/// let now = time::OffsetDateTime::now_utc();
/// let store = LicenseStore::open_dir("/var/lib/certmgr/license", vendor, StoreOptions::new("certmgr"))?;
/// let staged = store.stage(upload, now, StageOptions::default())?;
/// if let Some(diff) = staged.diff() {
///     println!("{diff}"); // shown to the administrator before confirming
/// }
/// store.commit(&staged)?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct LicenseStore<S: Storage = DirStorage> {
    storage: S,
    trusted: TrustedKeys,
    options: StoreOptions,
}

impl LicenseStore<DirStorage> {
    /// Opens the store in a directory (created if needed).
    pub fn open_dir(
        dir: impl AsRef<std::path::Path>,
        trusted: TrustedKeys,
        options: StoreOptions,
    ) -> Result<LicenseStore<DirStorage>> {
        LicenseStore::open(DirStorage::open(dir)?, trusted, options)
    }
}

impl<S: Storage> LicenseStore<S> {
    /// Opens a store over `storage`, finishing any replacement a crash
    /// interrupted.
    pub fn open(storage: S, trusted: TrustedKeys, options: StoreOptions) -> Result<LicenseStore<S>> {
        let store = LicenseStore { storage, trusted, options };
        let _guard = store.storage.lock(store.options.lock_timeout)?;
        store.repair()?;
        Ok(store)
    }

    /// The storage underneath.
    pub fn storage(&self) -> &S {
        &self.storage
    }

    /// The options the store was opened with.
    pub fn options(&self) -> &StoreOptions {
        &self.options
    }

    /// The installed license, re-verified and accepted as
    /// [`LicenseStore::stage`] would accept it: it must be the license the
    /// store installed ([`ErrorKind::StoreUntrusted`] otherwise), for this
    /// product, instance and hardware, and not older than the newest
    /// license the store installed unless that was allowed explicitly
    /// ([`ErrorKind::OlderLicense`]).
    pub fn current(&self) -> Result<VerifiedLicense> {
        self.current_checked().map(|(_, verified)| verified)
    }

    /// The installed license's signed bytes, if one is installed, checked
    /// as [`LicenseStore::current`] checks them.
    pub fn current_bytes(&self) -> Result<Option<Vec<u8>>> {
        match self.current_checked() {
            Ok((bytes, _)) => Ok(Some(bytes)),
            Err(e) if e.kind() == ErrorKind::NoLicenseInstalled => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn current_checked(&self) -> Result<(Vec<u8>, VerifiedLicense)> {
        let inspected = self.inspect_now()?;
        let (bytes, verified) =
            inspected.installed.ok_or_else(|| Error::new(ErrorKind::NoLicenseInstalled, ""))?;
        self.check_acceptable(verified.license())?;
        self.check_not_older(&inspected.state, &verified)?;
        Ok((bytes, verified))
    }

    /// Verifies a candidate and compares it with the installed license,
    /// without changing anything. Refusals, each its own [`ErrorKind`]: any
    /// verification failure, [`ErrorKind::CandidateExpired`],
    /// [`ErrorKind::WrongProduct`], [`ErrorKind::WrongInstance`] (also,
    /// when the store has no instance id, a license bound to another
    /// instance than the installed one), [`ErrorKind::OlderLicense`]
    /// (issued before the newest license the store ever installed, unless
    /// `allow_older`).
    ///
    /// Staging over files the store did not write (a license copied over
    /// `license.xml`, a planted history file, a lost state) is allowed, so
    /// that installing is the way back: see
    /// [`StagedReplacement::replaces_untrusted`].
    pub fn stage(&self, bytes: &[u8], now: OffsetDateTime, opts: StageOptions) -> Result<StagedReplacement> {
        let candidate = License::from_signed_xml(bytes, &self.trusted)?;
        self.check_acceptable(candidate.license())?;
        let license = candidate.license();
        if license.expires_at().is_some_and(|e| e <= now) {
            return Err(Error::new(
                ErrorKind::CandidateExpired,
                format!(
                    "license {} expired at {}",
                    license.id(),
                    crate::timefmt::format(license.expires_at().unwrap_or(now))
                ),
            ));
        }
        // The bytes a commit must still find, read before the check so that
        // a replacement in between shows up as a stale stage.
        let installed_sha256 = self.storage.read(CURRENT)?.as_deref().map(sha256);
        let (installed, floor, untrusted) = match self.inspect_now() {
            Ok(i) => (i.installed.map(|(_, v)| v), i.state.newest_issued_at, None),
            Err(e) if is_integrity(e.kind()) => {
                let (state, installed) = self.salvage()?;
                let floor = state.newest_issued_at.max(self.evidence_floor()?);
                (installed.map(|(_, v)| v), floor, Some(e.to_string()))
            }
            Err(e) => return Err(e),
        };
        if let Some(installed) = &installed {
            self.check_same_instance(installed.license(), license)?;
        }
        let newest = installed.as_ref().map(|i| i.license().issued_at()).max(floor);
        let older = newest.is_some_and(|n| license.issued_at() < n);
        if let (true, false, Some(newest)) = (older, opts.allow_older, newest) {
            let whom = match &installed {
                Some(i) if i.license().issued_at() == newest => format!("the installed {}", i.license().id()),
                _ => "the newest license this store installed".to_owned(),
            };
            return Err(Error::new(
                ErrorKind::OlderLicense,
                format!(
                    "candidate {} was issued {}, before {whom} ({})",
                    license.id(),
                    crate::timefmt::format(license.issued_at()),
                    crate::timefmt::format(newest)
                ),
            ));
        }
        Ok(StagedReplacement {
            diff: installed.as_ref().map(|i| LicenseDiff::between(i.license(), license)),
            installed_sha256,
            bytes: bytes.to_vec(),
            candidate,
            untrusted,
            older_allowed: older,
        })
    }

    /// Installs a staged candidate atomically, keeping the replaced license
    /// in the history and recording the new one in the store's state.
    /// Refused with [`ErrorKind::StaleStage`] if the installed license
    /// changed since staging.
    pub fn commit(&self, staged: &StagedReplacement) -> Result<()> {
        let _guard = self.storage.lock(self.options.lock_timeout)?;
        self.repair()?;
        let installed = self.storage.read(CURRENT)?;
        if installed.as_deref().map(sha256) != staged.installed_sha256 {
            return Err(Error::new(
                ErrorKind::StaleStage,
                "the installed license was replaced after this candidate was staged; stage it again",
            ));
        }
        let (base, old) = match self.inspect() {
            Ok(i) => (i.state, i.installed.map(|(bytes, _)| bytes)),
            // Replacing what the store did not write, as staged: the record
            // survives where it is readable, the untrusted files do not.
            Err(e) if is_integrity(e.kind()) && staged.untrusted.is_some() => {
                let (state, installed) = self.salvage()?;
                (state, installed.map(|(bytes, _)| bytes))
            }
            Err(e) => return Err(e),
        };
        // The same license again: nothing to do, unless the point is to
        // clear files the store did not write.
        let same = old.as_deref() == Some(staged.bytes.as_slice());
        if same && staged.untrusted.is_none() {
            return Ok(());
        }
        let mut next = base.clone();
        let mut old_copy = None;
        if let (Some(old), Some(record), false) = (old, base.installed.clone(), same) {
            let sequence = next.next_sequence;
            next.next_sequence = sequence.checked_add(1).ok_or_else(|| {
                Error::new(ErrorKind::StoreCorrupt, "state.json: history numbers exhausted")
            })?;
            next.history.push(HistoryRecord { sequence, license: record });
            old_copy = Some((history_name(sequence), old));
        }
        let excess = next.history.len().saturating_sub(self.options.history_limit);
        next.history.drain(..excess);
        next.installed = Some(Record::of(&staged.candidate, staged.older_allowed));
        next.newest_issued_at = next.newest_issued_at.max(Some(staged.candidate.license().issued_at()));
        let old_copy = old_copy
            .filter(|(name, _)| parse_history_name(name).and_then(|s| next.history_entry(s)).is_some());
        self.replace_current(base, next, &staged.bytes, old_copy)
    }

    /// Reinstalls the most recent replaced license, dropping the installed
    /// one. [`ErrorKind::NothingToRollBack`] when the history is empty; the
    /// restored license must be one the store recorded and pass the same
    /// acceptance as [`LicenseStore::stage`] (it may be older: a rollback
    /// is an explicit choice, and is recorded as one).
    pub fn rollback(&self) -> Result<VerifiedLicense> {
        let _guard = self.storage.lock(self.options.lock_timeout)?;
        self.repair()?;
        let inspected = self.inspect()?;
        let (last, bytes) = inspected
            .history
            .last()
            .ok_or_else(|| Error::new(ErrorKind::NothingToRollBack, "the history is empty"))?;
        let name = history_name(last.sequence);
        let restored = self.verify_installed(bytes, &name)?;
        last.license.check(&restored, &name)?;
        self.check_acceptable(restored.license())?;
        let base = inspected.state;
        let mut next = base.clone();
        next.history.pop();
        next.installed = Some(Record { older_allowed: true, ..last.license.clone() });
        self.replace_current(base, next, bytes, None)?;
        Ok(restored)
    }

    /// The crash-safe sequence that replaces `license.xml`: the new state,
    /// carrying `base` to undo with, is written first; then the history
    /// copy and the license; then the state without the undo; then history
    /// files the state no longer records are removed. [`Self::repair`]
    /// finishes or undoes it from any point. A failure part-way is undone
    /// at once where the storage allows.
    fn replace_current(
        &self,
        base: StoreState,
        mut next: StoreState,
        bytes: &[u8],
        old_copy: Option<(String, Vec<u8>)>,
    ) -> Result<()> {
        next.undo = Some(Box::new(base.settled()));
        self.save_state(&next)?;
        let result = (|| {
            if let Some((name, old)) = &old_copy {
                self.storage.write(name, old)?;
            }
            self.storage.write(CURRENT, bytes)?;
            next.undo = None;
            self.save_state(&next)
        })();
        if let Err(e) = result {
            let _ = self.repair();
            return Err(e);
        }
        self.remove_unrecorded(&next)
    }

    /// The replaced licenses, most recent first, each re-verified and
    /// checked against the store's record. A recorded entry whose file is
    /// missing is [`ErrorKind::StoreCorrupt`]; a changed or unrecorded
    /// history file, or an installed license the store did not install, is
    /// [`ErrorKind::StoreUntrusted`]. The entries are what the store
    /// replaced, so they are not held to this installation's acceptance
    /// (after a rebinding the old entries name the old instance);
    /// [`LicenseStore::rollback`] applies it to the entry it restores.
    pub fn history(&self) -> Result<Vec<HistoryEntry>> {
        let inspected = self.inspect_now()?;
        let mut out = Vec::new();
        for (record, bytes) in inspected.history.iter().rev() {
            let name = history_name(record.sequence);
            let license = self.verify_installed(bytes, &name)?;
            record.license.check(&license, &name)?;
            out.push(HistoryEntry { sequence: record.sequence, license });
        }
        Ok(out)
    }

    /// Remembers which license is installed now.
    pub fn watch(&self) -> Result<StoreWatch> {
        Ok(StoreWatch { identity: self.storage.identity(CURRENT)? })
    }

    /// Whether the installed license was replaced (by this or another
    /// process) since `watch` was taken: a long-running service polls this
    /// and reloads [`LicenseStore::current`] without a restart.
    pub fn changed_since(&self, watch: &StoreWatch) -> Result<bool> {
        Ok(self.storage.identity(CURRENT)? != watch.identity)
    }

    /// Records `now` as seen and reports whether the clock went back further
    /// than the tolerance. "Back" is measured from the latest time the
    /// store has seen or can prove: the time last seen (`clock.json`), and
    /// facts that deleting that file does not undo (the issue time of any
    /// license the store installed or holds, the latest recorded count).
    /// Nothing is blocked; the caller decides.
    pub fn check_clock(&self, now: OffsetDateTime) -> Result<ClockCheck> {
        let _guard = self.storage.lock(self.options.lock_timeout)?;
        let floor = self.time_floor()?;
        clock::check(&self.storage, now, self.options.clock_tolerance, floor)
    }

    /// The journal of counts not yet sent in a usage log.
    pub fn usage_journal(&self) -> Result<usage::Journal> {
        Ok(self.read_state(USAGE_JOURNAL)?.unwrap_or_default())
    }

    /// Records a count in the usage journal (chained to the one before),
    /// and its time in the store's state as a floor for the clock.
    pub fn record_count(&self, count: &ActionedCount) -> Result<usage::Entry> {
        let _guard = self.storage.lock(self.options.lock_timeout)?;
        // Both files are read before either is written, so that a damaged
        // one fails the call with nothing changed.
        let mut journal: usage::Journal = read_json(&self.storage, USAGE_JOURNAL)?.unwrap_or_default();
        let state = self.read_state_file()?;
        let entry = journal.record(count);
        write_json(&self.storage, USAGE_JOURNAL, &journal)?;
        self.note_usage_time(state, count.as_of())?;
        Ok(entry)
    }

    /// Keeps `at` in the state as the latest usage time (when the state
    /// exists and `at` is later): a fact about the clock that outlives the
    /// journal entries, which [`LicenseStore::mark_logged`] drops.
    fn note_usage_time(&self, state: Option<StoreState>, at: OffsetDateTime) -> Result<()> {
        match state {
            Some(mut state) if state.latest_usage_at.is_none_or(|t| t < at) => {
                state.latest_usage_at = Some(at);
                self.save_state(&state)
            }
            _ => Ok(()),
        }
    }

    /// A usage log for the installed license: `latest` and every count
    /// recorded since the last log. Sign it with the installation's key,
    /// hand it over, then [`LicenseStore::mark_logged`].
    pub fn usage_log(
        &self,
        generated_at: OffsetDateTime,
        instance: usage::Instance,
        latest: &ActionedCount,
    ) -> Result<UsageLog> {
        let license = usage::License::from(&self.current()?);
        self.usage_journal()?.log(generated_at, instance, license, latest)
    }

    /// Drops the journal entries `log` carried, and keeps the log's time
    /// in the store's state as a floor for the clock.
    pub fn mark_logged(&self, log: &UsageLog) -> Result<()> {
        let _guard = self.storage.lock(self.options.lock_timeout)?;
        let mut journal: usage::Journal = read_json(&self.storage, USAGE_JOURNAL)?.unwrap_or_default();
        let state = self.read_state_file()?;
        journal.mark_logged(log)?;
        write_json(&self.storage, USAGE_JOURNAL, &journal)?;
        self.note_usage_time(state, log.generated_at.max(log.latest.as_of))
    }

    /// Reads a named state blob of the store as JSON.
    pub(crate) fn read_state<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<Option<T>> {
        read_json(&self.storage, name)
    }

    /// Writes a named state blob of the store as JSON, atomically.
    pub(crate) fn write_state<T: Serialize>(&self, name: &str, value: &T) -> Result<()> {
        let _guard = self.storage.lock(self.options.lock_timeout)?;
        write_json(&self.storage, name, value)
    }

    fn check_acceptable(&self, license: &License) -> Result<()> {
        if license.product() != self.options.product {
            return Err(Error::new(
                ErrorKind::WrongProduct,
                format!(
                    "license {} is for `{}`, this installation runs `{}`",
                    license.id(),
                    license.product(),
                    self.options.product
                ),
            ));
        }
        if let (Some(binding), Some(ours)) = (license.binding(), &self.options.instance_id) {
            if &binding.instance_id != ours {
                return Err(Error::new(
                    ErrorKind::WrongInstance,
                    format!(
                        "license {} is bound to instance `{}`, this is `{ours}`",
                        license.id(),
                        binding.instance_id
                    ),
                ));
            }
        }
        if let Some(profile) = &self.options.hardware {
            license.require_hardware(profile)?;
        }
        Ok(())
    }

    /// Without an instance id of its own, the store takes the installed
    /// license's binding as this installation's: a candidate bound to
    /// another instance is a license for another server.
    fn check_same_instance(&self, installed: &License, candidate: &License) -> Result<()> {
        if self.options.instance_id.is_some() {
            return Ok(()); // checked against the store's own id
        }
        if let (Some(ours), Some(theirs)) = (installed.binding(), candidate.binding()) {
            if ours.instance_id != theirs.instance_id {
                return Err(Error::new(
                    ErrorKind::WrongInstance,
                    format!(
                        "license {} is bound to instance `{}`, the installed {} to `{}`; \
                         give this installation's instance id to rebind it",
                        candidate.id(),
                        theirs.instance_id,
                        installed.id(),
                        ours.instance_id
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The "never older" rule on reads: the installed license is not older
    /// than the newest license the store installed, unless it was
    /// installed that way on purpose.
    fn check_not_older(&self, state: &StoreState, verified: &VerifiedLicense) -> Result<()> {
        let allowed = state.installed.as_ref().is_some_and(|r| r.older_allowed);
        match state.newest_issued_at {
            Some(newest) if verified.license().issued_at() < newest && !allowed => Err(Error::new(
                ErrorKind::OlderLicense,
                format!(
                    "{CURRENT} in the store is {} issued {}, before the newest license this store installed ({})",
                    verified.license().id(),
                    crate::timefmt::format(verified.license().issued_at()),
                    crate::timefmt::format(newest)
                ),
            )),
            _ => Ok(()),
        }
    }

    fn verify_installed(&self, bytes: &[u8], name: &str) -> Result<VerifiedLicense> {
        License::from_signed_xml(bytes, &self.trusted)
            .map_err(|e| Error::new(e.kind(), format!("{name} in the store: {}", e.detail())))
    }
}

pub(crate) fn read_json<S: Storage, T: serde::de::DeserializeOwned>(
    storage: &S,
    name: &str,
) -> Result<Option<T>> {
    match storage.read(name)? {
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| Error::new(ErrorKind::StoreCorrupt, format!("{name}: {e}"))),
        None => Ok(None),
    }
}

pub(crate) fn write_json<S: Storage, T: Serialize>(storage: &S, name: &str, value: &T) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| Error::new(ErrorKind::InvalidArgument, format!("{name}: {e}")))?;
    storage.write(name, &bytes)
}

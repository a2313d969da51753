//! The installed license on a customer's server: install and replace it
//! atomically, keep a bounded history, roll back, notice replacements made
//! by other processes, and watch the clock for rollback.
//!
//! Every operation verifies before it writes, so a refused candidate leaves
//! the store byte-for-byte as it was; and every write is a single atomic
//! replacement, so a crash at any instant leaves the old license or the new
//! one, both verifiable.

mod clock;
mod monitor;
mod storage;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use clock::ClockCheck;
pub use monitor::Monitor;
pub use storage::{DirLock, DirStorage, Storage};

use crate::digest::sha256;
use crate::{
    ActionedCount, Error, ErrorKind, HardwareProfile, License, LicenseDiff, Result, TrustedKeys, UsageEntry,
    UsageInstance, UsageJournal, UsageLicense, UsageLog, VerifiedLicense,
};

const CURRENT: &str = "license.xml";
const USAGE_JOURNAL: &str = "usage-journal.json";
const HISTORY_PREFIX: &str = "history-";
const HISTORY_SUFFIX: &str = ".xml";

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
}

impl StagedReplacement {
    /// The verified candidate.
    pub fn candidate(&self) -> &VerifiedLicense {
        &self.candidate
    }

    /// The side-by-side comparison with the installed license (`None` when
    /// nothing is installed yet).
    pub fn diff(&self) -> Option<&LicenseDiff> {
        self.diff.as_ref()
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
/// use license_core::{LicenseStore, StageOptions, StoreOptions, TrustedKeys};
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

    /// The installed license, re-verified against the trusted keys.
    pub fn current(&self) -> Result<VerifiedLicense> {
        let bytes =
            self.storage.read(CURRENT)?.ok_or_else(|| Error::new(ErrorKind::NoLicenseInstalled, ""))?;
        self.verify_installed(&bytes, CURRENT)
    }

    /// The installed license's signed bytes, if one is installed.
    pub fn current_bytes(&self) -> Result<Option<Vec<u8>>> {
        self.storage.read(CURRENT)
    }

    /// Verifies a candidate and compares it with the installed license,
    /// without changing anything. Refusals, each its own [`ErrorKind`]: any
    /// verification failure, [`ErrorKind::CandidateExpired`],
    /// [`ErrorKind::WrongProduct`], [`ErrorKind::WrongInstance`],
    /// [`ErrorKind::OlderLicense`] (unless `allow_older`).
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
        let installed_bytes = self.storage.read(CURRENT)?;
        let installed = match &installed_bytes {
            Some(b) => Some(self.verify_installed(b, CURRENT)?),
            None => None,
        };
        if let Some(installed) = &installed {
            if license.issued_at() < installed.license().issued_at() && !opts.allow_older {
                return Err(Error::new(
                    ErrorKind::OlderLicense,
                    format!(
                        "candidate {} was issued {}, before the installed {} ({})",
                        license.id(),
                        crate::timefmt::format(license.issued_at()),
                        installed.license().id(),
                        crate::timefmt::format(installed.license().issued_at())
                    ),
                ));
            }
        }
        Ok(StagedReplacement {
            diff: installed.as_ref().map(|i| LicenseDiff::between(i.license(), license)),
            installed_sha256: installed_bytes.as_deref().map(sha256),
            bytes: bytes.to_vec(),
            candidate,
        })
    }

    /// Installs a staged candidate atomically, keeping the replaced license
    /// in the history. Refused with [`ErrorKind::StaleStage`] if the
    /// installed license changed since staging.
    pub fn commit(&self, staged: &StagedReplacement) -> Result<()> {
        let _guard = self.storage.lock(self.options.lock_timeout)?;
        let installed = self.storage.read(CURRENT)?;
        if installed.as_deref().map(sha256) != staged.installed_sha256 {
            return Err(Error::new(
                ErrorKind::StaleStage,
                "the installed license was replaced after this candidate was staged; stage it again",
            ));
        }
        if installed.as_deref() == Some(staged.bytes.as_slice()) {
            return Ok(());
        }
        // The replaced license goes into the history first, so that at
        // every instant the installed one is the old or the new license
        // and the old one is never lost.
        if let Some(old) = &installed {
            let next = self.history_sequences()?.last().map_or(1, |s| s + 1);
            self.storage.write(&history_name(next), old)?;
        }
        self.storage.write(CURRENT, &staged.bytes)?;
        self.prune_history()
    }

    /// Reinstalls the most recent replaced license, dropping the installed
    /// one. [`ErrorKind::NothingToRollBack`] when the history is empty.
    pub fn rollback(&self) -> Result<VerifiedLicense> {
        let _guard = self.storage.lock(self.options.lock_timeout)?;
        let last = *self
            .history_sequences()?
            .last()
            .ok_or_else(|| Error::new(ErrorKind::NothingToRollBack, "the history is empty"))?;
        let name = history_name(last);
        let bytes =
            self.storage.read(&name)?.ok_or_else(|| Error::new(ErrorKind::StoreCorrupt, name.clone()))?;
        let restored = self.verify_installed(&bytes, &name)?;
        self.storage.write(CURRENT, &bytes)?;
        self.storage.remove(&name)?;
        Ok(restored)
    }

    /// The replaced licenses, most recent first, each re-verified.
    pub fn history(&self) -> Result<Vec<HistoryEntry>> {
        let mut out = Vec::new();
        for sequence in self.history_sequences()?.into_iter().rev() {
            let name = history_name(sequence);
            if let Some(bytes) = self.storage.read(&name)? {
                out.push(HistoryEntry { sequence, license: self.verify_installed(&bytes, &name)? });
            }
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
    /// than the tolerance since the latest time seen. Nothing is blocked;
    /// the caller decides.
    pub fn check_clock(&self, now: OffsetDateTime) -> Result<ClockCheck> {
        let _guard = self.storage.lock(self.options.lock_timeout)?;
        clock::check(&self.storage, now, self.options.clock_tolerance)
    }

    /// The journal of counts not yet sent in a usage log.
    pub fn usage_journal(&self) -> Result<UsageJournal> {
        Ok(self.read_state(USAGE_JOURNAL)?.unwrap_or_default())
    }

    /// Records a count in the usage journal (chained to the one before).
    pub fn record_count(&self, count: &ActionedCount) -> Result<UsageEntry> {
        let _guard = self.storage.lock(self.options.lock_timeout)?;
        let mut journal: UsageJournal = read_json(&self.storage, USAGE_JOURNAL)?.unwrap_or_default();
        let entry = journal.record(count);
        write_json(&self.storage, USAGE_JOURNAL, &journal)?;
        Ok(entry)
    }

    /// A usage log for the installed license: `latest` and every count
    /// recorded since the last log. Sign it with the installation's key,
    /// hand it over, then [`LicenseStore::mark_logged`].
    pub fn usage_log(
        &self,
        generated_at: OffsetDateTime,
        instance: UsageInstance,
        latest: &ActionedCount,
    ) -> Result<UsageLog> {
        let license = UsageLicense::from(&self.current()?);
        self.usage_journal()?.log(generated_at, instance, license, latest)
    }

    /// Drops the journal entries `log` carried.
    pub fn mark_logged(&self, log: &UsageLog) -> Result<()> {
        let _guard = self.storage.lock(self.options.lock_timeout)?;
        let mut journal: UsageJournal = read_json(&self.storage, USAGE_JOURNAL)?.unwrap_or_default();
        journal.mark_logged(log)?;
        write_json(&self.storage, USAGE_JOURNAL, &journal)
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

    fn verify_installed(&self, bytes: &[u8], name: &str) -> Result<VerifiedLicense> {
        License::from_signed_xml(bytes, &self.trusted)
            .map_err(|e| Error::new(e.kind(), format!("{name} in the store: {}", e.detail())))
    }

    fn history_sequences(&self) -> Result<Vec<u64>> {
        let mut seqs: Vec<u64> = self
            .storage
            .list()?
            .iter()
            .filter_map(|n| n.strip_prefix(HISTORY_PREFIX)?.strip_suffix(HISTORY_SUFFIX)?.parse().ok())
            .collect();
        seqs.sort_unstable();
        Ok(seqs)
    }

    fn prune_history(&self) -> Result<()> {
        let seqs = self.history_sequences()?;
        let excess = seqs.len().saturating_sub(self.options.history_limit);
        for &seq in &seqs[..excess] {
            self.storage.remove(&history_name(seq))?;
        }
        Ok(())
    }

    /// Finishes what a crash interrupted. A commit writes the history copy
    /// before the new license; a rollback writes the restored license before
    /// removing its history copy. Either, interrupted between its two
    /// writes, leaves a newest history entry equal to the installed license:
    /// that copy is the leftover, and removing it completes the operation.
    fn repair(&self) -> Result<()> {
        let Some(current) = self.storage.read(CURRENT)? else { return Ok(()) };
        if let Some(&last) = self.history_sequences()?.last() {
            let name = history_name(last);
            if self.storage.read(&name)?.as_deref() == Some(current.as_slice()) {
                self.storage.remove(&name)?;
            }
        }
        Ok(())
    }
}

fn history_name(sequence: u64) -> String {
    format!("{HISTORY_PREFIX}{sequence:06}{HISTORY_SUFFIX}")
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

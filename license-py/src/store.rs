//! The installed license: stage, commit, history, rollback, clock check,
//! usage journal.

use std::path::PathBuf;

use license_core::{
    store::{StageOptions, StagedReplacement, StoreOptions, StoreWatch},
    LicenseStore,
};
use pyo3::prelude::*;

use crate::crypto::PyTrustedKeys;
use crate::errors::Lc;
use crate::instance::PyHardwareProfile;
use crate::inventory::PyActionedCount;
use crate::license::{PyLicense, PyLicenseDiff};
use crate::pytime;
use crate::usage::{PyUsageInstance, PyUsageLog};
use crate::util::bytes_like;

/// A verified candidate and its comparison with the installed license,
/// ready to `LicenseStore.commit`. Staging changes nothing.
#[pyclass(frozen, module = "license_core._native", name = "StagedReplacement")]
pub(crate) struct PyStagedReplacement(StagedReplacement);

#[pymethods]
impl PyStagedReplacement {
    #[getter]
    fn candidate(&self) -> PyLicense {
        PyLicense::verified(self.0.candidate().clone())
    }
    /// `None` when nothing is installed yet, or when the installed files
    /// are not ones the store wrote (see `replaces_untrusted`).
    #[getter]
    fn diff(&self) -> Option<PyLicenseDiff> {
        self.0.diff().cloned().map(PyLicenseDiff)
    }
    /// Why the store's files are not ones it wrote (a license copied over
    /// `license.xml`, a planted history file, a lost state), or `None`.
    /// Committing replaces the untrusted license without keeping it.
    #[getter]
    fn replaces_untrusted(&self) -> Option<String> {
        self.0.replaces_untrusted().map(str::to_owned)
    }
    fn __repr__(&self) -> String {
        let c = self.0.candidate().license();
        format!(
            "StagedReplacement(candidate={:?}, replaces_installed={})",
            c.id(),
            py_bool(self.0.diff().is_some())
        )
    }
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// What `LicenseStore.check_clock` found.
#[pyclass(frozen, eq, module = "license_core._native", name = "ClockCheck")]
#[derive(PartialEq)]
pub(crate) struct PyClockCheck(license_core::store::ClockCheck);

#[pymethods]
impl PyClockCheck {
    #[getter]
    fn latest_seen<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        pytime::opt_to_py(py, self.0.latest_seen)
    }
    /// How far the clock was turned back (beyond the tolerance), or `None`.
    #[getter]
    fn rolled_back_by<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.0.rolled_back_by.map(|d| pytime::delta_to_py(py, d)).transpose()
    }
    fn __bool__(&self) -> bool {
        self.0.rolled_back_by.is_none()
    }
    fn __repr__(&self) -> String {
        format!(
            "ClockCheck(latest_seen={}, rolled_back_by={})",
            self.0.latest_seen.map_or_else(|| "None".into(), |t| format!("'{}'", pytime::text(t))),
            self.0.rolled_back_by.map_or_else(|| "None".into(), |d| format!("'{d}'"))
        )
    }
}

/// A snapshot of which license is installed (`LicenseStore.changed_since`).
#[pyclass(frozen, module = "license_core._native", name = "StoreWatch")]
pub(crate) struct PyStoreWatch(StoreWatch);

/// The installed license in a directory, with its history.
#[pyclass(frozen, module = "license_core._native", name = "LicenseStore")]
pub(crate) struct PyLicenseStore {
    inner: LicenseStore,
    path: PathBuf,
}

#[pymethods]
impl PyLicenseStore {
    #[new]
    #[pyo3(signature = (path, trusted, product, *, instance_id = None, hardware = None, history_limit = 10))]
    fn new(
        path: PathBuf,
        trusted: &PyTrustedKeys,
        product: String,
        instance_id: Option<String>,
        hardware: Option<PyRef<'_, PyHardwareProfile>>,
        history_limit: usize,
    ) -> PyResult<Self> {
        let mut options = StoreOptions::new(product);
        options.instance_id = instance_id;
        options.hardware = hardware.map(|h| h.0.clone());
        options.history_limit = history_limit;
        let inner = LicenseStore::open_dir(&path, trusted.0.clone(), options).lc()?;
        Ok(PyLicenseStore { inner, path })
    }
    /// Verifies `data` and compares it with the installed license; changes
    /// nothing (GIL released during the signature check).
    #[pyo3(signature = (data, now, *, allow_older = false))]
    fn stage(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        allow_older: bool,
    ) -> PyResult<PyStagedReplacement> {
        let bytes = bytes_like(data)?;
        let now = pytime::from_py(now, "now")?;
        let store = &self.inner;
        py.detach(|| store.stage(&bytes, now, StageOptions { allow_older })).lc().map(PyStagedReplacement)
    }
    /// Installs a staged candidate atomically.
    fn commit(&self, py: Python<'_>, staged: &PyStagedReplacement) -> PyResult<()> {
        let (store, staged) = (&self.inner, &staged.0);
        py.detach(|| store.commit(staged)).lc()
    }
    /// The installed license, or `None` when nothing is installed.
    fn current(&self, py: Python<'_>) -> PyResult<Option<PyLicense>> {
        let store = &self.inner;
        match py.detach(|| store.current()) {
            Ok(v) => Ok(Some(PyLicense::verified(v))),
            Err(e) if e.kind() == license_core::ErrorKind::NoLicenseInstalled => Ok(None),
            Err(e) => Err(crate::errors::to_py(e)),
        }
    }
    /// Replaced licenses as `(sequence, license)`, oldest first.
    fn history(&self, py: Python<'_>) -> PyResult<Vec<(u64, PyLicense)>> {
        let store = &self.inner;
        let entries = py.detach(|| store.history()).lc()?;
        Ok(entries.into_iter().map(|h| (h.sequence, PyLicense::verified(h.license))).collect())
    }
    /// Reinstates the previous license and returns it.
    fn rollback(&self, py: Python<'_>) -> PyResult<PyLicense> {
        let store = &self.inner;
        py.detach(|| store.rollback()).lc().map(PyLicense::verified)
    }
    fn check_clock(&self, now: &Bound<'_, PyAny>) -> PyResult<PyClockCheck> {
        self.inner.check_clock(pytime::from_py(now, "now")?).lc().map(PyClockCheck)
    }
    fn watch(&self) -> PyResult<PyStoreWatch> {
        self.inner.watch().lc().map(PyStoreWatch)
    }
    fn changed_since(&self, watch: &PyStoreWatch) -> PyResult<bool> {
        self.inner.changed_since(&watch.0).lc()
    }
    /// Records a count in the usage journal; returns its sequence number.
    fn record_count(&self, count: &PyActionedCount) -> PyResult<u64> {
        self.inner.record_count(&count.0).lc().map(|e| e.sequence)
    }
    /// How many recorded counts wait for the next usage log.
    fn pending_counts(&self) -> PyResult<usize> {
        Ok(self.inner.usage_journal().lc()?.pending().len())
    }
    /// A usage log of the installed license and the pending counts.
    fn usage_log(
        &self,
        generated_at: &Bound<'_, PyAny>,
        instance: &PyUsageInstance,
        latest: &PyActionedCount,
    ) -> PyResult<PyUsageLog> {
        let at = pytime::from_py(generated_at, "generated_at")?;
        self.inner.usage_log(at, instance.0.clone(), &latest.0).lc().map(PyUsageLog::unsigned)
    }
    /// Drops the journal entries `log` carried.
    fn mark_logged(&self, log: &PyUsageLog) -> PyResult<()> {
        self.inner.mark_logged(&log.log).lc()
    }
    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }
    fn __repr__(&self) -> String {
        format!(
            "LicenseStore(path={:?}, product={:?})",
            self.path.display().to_string(),
            self.inner.options().product
        )
    }
}

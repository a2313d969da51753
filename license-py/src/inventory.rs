//! The certificate inventory: records, events, JSON Lines, snapshots,
//! bulk id loads, counts, schedule and history.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use license_core::{
    actioned::{Category, CountHistory, CountSchedule, Event, IdGroup, InventoryLimits, ReadOptions},
    ActionedCount, Alert, CertificateRecord, CountConfig, ErrorKind, Inventory,
};
use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::errors::Lc;
use crate::interchange::PyIdSet;
use crate::license::{json_value, limit_from};
use crate::pytime;
use crate::util::bytes_or_str;

/// One certificate as the inventory sees it: a value object.
#[pyclass(frozen, eq, module = "license_core._native", name = "CertificateRecord")]
#[derive(Clone, PartialEq)]
pub(crate) struct PyCertificateRecord(pub(crate) CertificateRecord);

#[pymethods]
impl PyCertificateRecord {
    #[new]
    #[pyo3(signature = (id, *, enrolled = false, revoked_at = None, expires_at = None, private_key = false,
                        ssl_endpoints = 0, stores = Vec::new(), metadata = Vec::new(), collections = Vec::new()))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        id: u32,
        enrolled: bool,
        revoked_at: Option<&Bound<'_, PyAny>>,
        expires_at: Option<&Bound<'_, PyAny>>,
        private_key: bool,
        ssl_endpoints: u32,
        stores: Vec<String>,
        metadata: Vec<String>,
        collections: Vec<String>,
    ) -> PyResult<Self> {
        let record = CertificateRecord {
            id,
            enrolled,
            revoked_at: pytime::opt_from_py(revoked_at, "revoked_at")?,
            expires_at: pytime::opt_from_py(expires_at, "expires_at")?,
            private_key,
            ssl_endpoints,
            stores,
            metadata,
            collections,
        };
        record.validate().lc()?;
        Ok(PyCertificateRecord(record))
    }
    #[staticmethod]
    fn from_json(text: &Bound<'_, PyAny>) -> PyResult<Self> {
        CertificateRecord::from_json_bytes(&bytes_or_str(text)?).lc().map(PyCertificateRecord)
    }
    fn to_json(&self) -> String {
        self.0.to_json()
    }
    #[getter]
    fn id(&self) -> u32 {
        self.0.id
    }
    #[getter]
    fn enrolled(&self) -> bool {
        self.0.enrolled
    }
    #[getter]
    fn revoked_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        pytime::opt_to_py(py, self.0.revoked_at)
    }
    #[getter]
    fn expires_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        pytime::opt_to_py(py, self.0.expires_at)
    }
    #[getter]
    fn private_key(&self) -> bool {
        self.0.private_key
    }
    #[getter]
    fn ssl_endpoints(&self) -> u32 {
        self.0.ssl_endpoints
    }
    #[getter]
    fn stores(&self) -> Vec<String> {
        self.0.stores.clone()
    }
    #[getter]
    fn metadata(&self) -> Vec<String> {
        self.0.metadata.clone()
    }
    #[getter]
    fn collections(&self) -> Vec<String> {
        self.0.collections.clone()
    }
    fn __repr__(&self) -> String {
        format!("CertificateRecord.from_json({:?})", self.0.to_json())
    }
}

/// A change to one certificate (`Event("added_to_store", 17, name="iis")`).
#[pyclass(frozen, eq, module = "license_core._native", name = "Event")]
#[derive(Clone, PartialEq)]
pub(crate) struct PyEvent(pub(crate) Event);

#[pymethods]
impl PyEvent {
    /// `kind` is the JSON tag (`enrolled`, `revoked`, `expiry_set`,
    /// `added_to_store`, …); `at` goes with `revoked`, `expires_at` with
    /// `expiry_set`, `name` (store, field or collection) with the named ones.
    #[new]
    #[pyo3(signature = (kind, id, *, at = None, expires_at = None, name = None))]
    fn new(
        kind: &str,
        id: u32,
        at: Option<&Bound<'_, PyAny>>,
        expires_at: Option<&Bound<'_, PyAny>>,
        name: Option<String>,
    ) -> PyResult<Self> {
        let needs = |what: &str| {
            crate::errors::to_py(license_core::Error::new(
                license_core::ErrorKind::InvalidArgument,
                format!("event `{kind}` needs `{what}`"),
            ))
        };
        let name = || name.clone().ok_or_else(|| needs("name"));
        let event = match kind {
            "enrolled" => Event::Enrolled { id },
            "revoked" => {
                Event::Revoked { id, at: pytime::opt_from_py(at, "at")?.ok_or_else(|| needs("at"))? }
            }
            "expiry_set" => {
                Event::ExpirySet { id, expires_at: pytime::opt_from_py(expires_at, "expires_at")? }
            }
            "added_to_store" => Event::AddedToStore { id, store: name()? },
            "removed_from_store" => Event::RemovedFromStore { id, store: name()? },
            "metadata_set" => Event::MetadataSet { id, field: name()? },
            "metadata_cleared" => Event::MetadataCleared { id, field: name()? },
            "private_key_stored" => Event::PrivateKeyStored { id },
            "private_key_deleted" => Event::PrivateKeyDeleted { id },
            "endpoint_monitoring_on" => Event::EndpointMonitoringOn { id },
            "endpoint_monitoring_off" => Event::EndpointMonitoringOff { id },
            "added_to_collection" => Event::AddedToCollection { id, collection: name()? },
            "removed_from_collection" => Event::RemovedFromCollection { id, collection: name()? },
            "deleted" => Event::Deleted { id },
            other => {
                return Err(crate::errors::to_py(license_core::Error::new(
                    license_core::ErrorKind::InvalidArgument,
                    format!("unknown event kind `{other}`"),
                )))
            }
        };
        Ok(PyEvent(event))
    }
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        serde_json::from_str(text).map(PyEvent).map_err(|e| {
            crate::errors::to_py(license_core::Error::new(
                license_core::ErrorKind::InvalidRecord,
                e.to_string(),
            ))
        })
    }
    fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_default()
    }
    #[getter]
    fn kind(&self) -> String {
        serde_json::to_value(&self.0)
            .ok()
            .and_then(|v| v.get("event").and_then(|e| e.as_str().map(str::to_owned)))
            .unwrap_or_default()
    }
    #[getter]
    fn id(&self) -> u32 {
        self.0.id()
    }
    fn __repr__(&self) -> String {
        format!("Event.from_json({:?})", self.to_json())
    }
}

/// One alert raised by a count.
#[pyclass(frozen, eq, module = "license_core._native", name = "Alert")]
#[derive(Clone, PartialEq)]
pub(crate) struct PyAlert(Alert);

#[pymethods]
impl PyAlert {
    /// `info`, `warning` or `critical`.
    #[getter]
    fn severity(&self) -> String {
        self.0.severity().to_string()
    }
    /// The alert kind's stable name (`actioned_over_limit`, …).
    #[getter]
    fn kind(&self) -> &'static str {
        self.0.kind().name()
    }
    #[getter]
    fn message(&self) -> &str {
        self.0.message()
    }
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_value(py, self.0.data())
    }
    fn __str__(&self) -> String {
        self.0.to_string()
    }
    fn __repr__(&self) -> String {
        format!(
            "Alert(severity='{}', kind={:?}, message={:?})",
            self.0.severity(),
            self.0.kind().name(),
            self.0.message()
        )
    }
}

/// An actioned-certificate count.
#[pyclass(frozen, eq, module = "license_core._native", name = "ActionedCount")]
#[derive(Clone, PartialEq)]
pub(crate) struct PyActionedCount(pub(crate) ActionedCount);

#[pymethods]
impl PyActionedCount {
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        serde_json::from_str(text).map(PyActionedCount).map_err(|e| {
            crate::errors::to_py(license_core::Error::new(
                license_core::ErrorKind::InvalidJson,
                e.to_string(),
            ))
        })
    }
    fn to_json(&self) -> String {
        self.0.to_json()
    }
    fn to_table(&self) -> String {
        self.0.to_table()
    }
    #[getter]
    fn as_of<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        pytime::to_py(py, self.0.as_of())
    }
    /// Each certificate counted once.
    #[getter]
    fn total(&self) -> u64 {
        self.0.total()
    }
    /// Per category, in the design table's order.
    #[getter]
    fn categories<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        crate::util::ordered_dict(py, Category::ALL.iter().map(|&c| (c.name(), self.0.category(c))))
    }
    /// The counted limit, or `None` for a site license.
    #[getter]
    fn limit(&self) -> Option<u64> {
        self.0.limit().counted()
    }
    #[getter]
    fn over_by(&self) -> Option<u64> {
        self.0.over_by()
    }
    #[getter]
    fn alerts(&self) -> Vec<PyAlert> {
        self.0.alerts().iter().cloned().map(PyAlert).collect()
    }
    fn __getitem__(&self, category: &str) -> PyResult<u64> {
        let c: Category = category.parse().map_err(|_| PyKeyError::new_err(category.to_owned()))?;
        Ok(self.0.category(c))
    }
    fn __str__(&self) -> String {
        self.0.to_string()
    }
    fn __repr__(&self) -> String {
        format!(
            "ActionedCount(as_of='{}', total={}, limit={}, alerts={})",
            pytime::text(self.0.as_of()),
            self.0.total(),
            self.limit().map_or_else(|| "None".to_owned(), |n| n.to_string()),
            self.0.alerts().len()
        )
    }
}

/// The count configuration from keyword arguments.
pub(crate) fn config(
    limit: Option<u64>,
    excluded_metadata: Vec<String>,
    referenced_collections: Option<Vec<String>>,
) -> CountConfig {
    let mut config = CountConfig::new(limit_from(limit));
    config.excluded_metadata = excluded_metadata.into_iter().collect();
    if let Some(only) = referenced_collections {
        // An empty list is "no collection is referenced", not "every one".
        config = config.reference_no_collections();
        for name in only {
            config = config.reference_collection(name);
        }
    }
    config
}

/// The certificate inventory, counted at any instant.
#[pyclass(module = "license_core._native", name = "Inventory")]
#[derive(Default)]
pub(crate) struct PyInventory(pub(crate) Inventory);

#[pymethods]
impl PyInventory {
    #[new]
    fn new() -> Self {
        PyInventory::default()
    }
    /// An inventory from records: all of them or none.
    #[staticmethod]
    fn from_records(py: Python<'_>, records: Vec<PyCertificateRecord>) -> PyResult<Self> {
        let records: Vec<CertificateRecord> = records.into_iter().map(|r| r.0).collect();
        py.detach(|| Inventory::from_records(&records)).lc().map(PyInventory)
    }
    /// A deterministic synthetic inventory of `count` certificates around
    /// `now` (the generator behind `licensectl gen-inventory`), for trials
    /// and benchmarks.
    #[staticmethod]
    #[pyo3(signature = (count, now, seed = 1))]
    fn synthetic(py: Python<'_>, count: u32, now: &Bound<'_, PyAny>, seed: u64) -> PyResult<Self> {
        let now = pytime::from_py(now, "now")?;
        py.detach(|| {
            let records: Vec<CertificateRecord> =
                license_core::actioned::synthetic_records(count, seed, now).collect();
            Inventory::from_records(&records)
        })
        .lc()
        .map(PyInventory)
    }
    /// Reads JSON Lines (one record per line) from `bytes` or `str`; more
    /// distinct names of a kind than its limit is `too_many_names`.
    #[staticmethod]
    #[pyo3(signature = (
        data,
        *,
        max_stores = license_core::actioned::DEFAULT_MAX_NAMES,
        max_metadata_fields = license_core::actioned::DEFAULT_MAX_NAMES,
        max_collections = license_core::actioned::DEFAULT_MAX_NAMES,
    ))]
    fn from_jsonl(
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        max_stores: usize,
        max_metadata_fields: usize,
        max_collections: usize,
    ) -> PyResult<Self> {
        let bytes = bytes_or_str(data)?;
        let limits = InventoryLimits { max_stores, max_metadata_fields, max_collections };
        py.detach(|| Inventory::from_jsonl_with_limits(bytes.as_slice(), &limits, &mut |_| {}))
            .lc()
            .map(PyInventory)
    }
    /// Reads a JSON Lines file (GIL released): a regular file by position,
    /// each of `threads` parsing threads (0: one per core) reading its own
    /// part; anything else (a pipe) as a stream. The name limits are those
    /// of `from_jsonl`; a file that cannot be opened is `io`.
    #[staticmethod]
    #[pyo3(signature = (
        path,
        *,
        threads = 0,
        max_stores = license_core::actioned::DEFAULT_MAX_NAMES,
        max_metadata_fields = license_core::actioned::DEFAULT_MAX_NAMES,
        max_collections = license_core::actioned::DEFAULT_MAX_NAMES,
    ))]
    fn from_jsonl_file(
        py: Python<'_>,
        path: PathBuf,
        threads: usize,
        max_stores: usize,
        max_metadata_fields: usize,
        max_collections: usize,
    ) -> PyResult<Self> {
        let limits = InventoryLimits { max_stores, max_metadata_fields, max_collections };
        let options = ReadOptions { limits, threads };
        py.detach(|| -> license_core::Result<Inventory> {
            let cannot = |e: std::io::Error| {
                license_core::Error::new(ErrorKind::Io, format!("cannot read {}: {e}", path.display()))
            };
            let file = File::open(&path).map_err(cannot)?;
            if file.metadata().map_err(cannot)?.is_file() {
                Inventory::from_jsonl_file(&file, &options, &mut |_| {})
            } else {
                Inventory::from_jsonl_with_options(
                    BufReader::with_capacity(1 << 20, file),
                    &options,
                    &mut |_| {},
                )
            }
        })
        .lc()
        .map(PyInventory)
    }
    /// Adds the records of JSON Lines; on error nothing is added.
    fn extend_from_jsonl(&mut self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<()> {
        let bytes = bytes_or_str(data)?;
        let inv = &mut self.0;
        py.detach(|| inv.extend_from_jsonl(bytes.as_slice())).lc()
    }
    /// Every record as JSON Lines, in id order.
    fn to_jsonl(&self, py: Python<'_>) -> String {
        let inv = &self.0;
        py.detach(|| {
            let mut out = String::new();
            for r in inv.ids().iter().filter_map(|id| inv.record(id)) {
                out.push_str(&r.to_json());
                out.push('\n');
            }
            out
        })
    }
    /// Loads a snapshot (GIL released), with the same name limits as
    /// `from_jsonl`, its time sections decoded on `threads` threads (0:
    /// one per core, one for a snapshot under 4 MiB).
    #[staticmethod]
    #[pyo3(signature = (
        data,
        *,
        threads = 0,
        max_stores = license_core::actioned::DEFAULT_MAX_NAMES,
        max_metadata_fields = license_core::actioned::DEFAULT_MAX_NAMES,
        max_collections = license_core::actioned::DEFAULT_MAX_NAMES,
    ))]
    fn from_snapshot(
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        threads: usize,
        max_stores: usize,
        max_metadata_fields: usize,
        max_collections: usize,
    ) -> PyResult<Self> {
        let bytes = crate::util::bytes_like(data)?;
        let limits = InventoryLimits { max_stores, max_metadata_fields, max_collections };
        let options = ReadOptions { limits, threads };
        py.detach(|| Inventory::from_snapshot_with_options(&bytes, &options)).lc().map(PyInventory)
    }
    fn to_snapshot<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let inv = &self.0;
        let bytes = py.detach(|| inv.to_snapshot());
        PyBytes::new(py, &bytes)
    }
    /// Adds one certificate; an id already present is an error.
    fn insert(&mut self, record: &PyCertificateRecord) -> PyResult<()> {
        self.0.insert(&record.0).lc()
    }
    /// Adds records in bulk: all or none.
    fn insert_records(&mut self, py: Python<'_>, records: Vec<PyCertificateRecord>) -> PyResult<()> {
        let records: Vec<CertificateRecord> = records.into_iter().map(|r| r.0).collect();
        let inv = &mut self.0;
        py.detach(|| inv.insert_records(&records)).lc()
    }
    /// Adds ids to a category (`enrolled`, `private_key`, `ssl_endpoint`)
    /// or group (`store:NAME`, `metadata:NAME`, `collection:NAME`). `ids` is
    /// any uint32 buffer (numpy, `array('I')`, `memoryview.cast('I')`) or an
    /// iterable of ints; the load runs with the GIL released.
    fn add_ids(&mut self, py: Python<'_>, group: &str, ids: &Bound<'_, PyAny>) -> PyResult<()> {
        let group: IdGroup = group.parse().lc()?;
        let ids = crate::ids::borrow_ids(ids)?;
        let inv = &mut self.0;
        py.detach(|| ids.with_slice(|ids| inv.add_ids(&group, ids))).lc()
    }
    /// Applies one event; on error nothing changes.
    fn apply(&mut self, event: &PyEvent) -> PyResult<()> {
        self.0.apply(&event.0).lc()
    }
    /// Applies events in order: all of them or none.
    fn apply_all(&mut self, py: Python<'_>, events: Vec<PyEvent>) -> PyResult<()> {
        let events: Vec<Event> = events.into_iter().map(|e| e.0).collect();
        let inv = &mut self.0;
        py.detach(|| inv.apply_all(&events)).lc()
    }
    /// Merges another inventory's certificates (ids must not overlap).
    fn merge(&mut self, py: Python<'_>, other: &PyInventory) -> PyResult<()> {
        let other = other.0.clone();
        let inv = &mut self.0;
        py.detach(|| inv.merge(other)).lc()
    }
    /// Counts the actioned certificates at `at` (GIL released). `limit`
    /// is the counted limit (`None`: site license). `referenced_collections`
    /// names the collections an alert or workflow references: `None` means
    /// every collection, `[]` means none (membership then counts for
    /// nothing).
    #[pyo3(signature = (at, *, limit = None, excluded_metadata = Vec::new(), referenced_collections = None))]
    fn count(
        &self,
        py: Python<'_>,
        at: &Bound<'_, PyAny>,
        limit: Option<u64>,
        excluded_metadata: Vec<String>,
        referenced_collections: Option<Vec<String>>,
    ) -> PyResult<PyActionedCount> {
        let at = pytime::from_py(at, "at")?;
        let config = config(limit, excluded_metadata, referenced_collections);
        let inv = &self.0;
        Ok(PyActionedCount(py.detach(|| inv.count(at, &config))))
    }
    /// Why certificate `id` is or is not actioned at `at`.
    #[pyo3(signature = (id, at, *, excluded_metadata = Vec::new(), referenced_collections = None))]
    fn explain(
        &self,
        id: u32,
        at: &Bound<'_, PyAny>,
        excluded_metadata: Vec<String>,
        referenced_collections: Option<Vec<String>>,
    ) -> PyResult<(bool, Vec<&'static str>, String)> {
        let at = pytime::from_py(at, "at")?;
        let e = self.0.explain(id, at, &config(None, excluded_metadata, referenced_collections)).lc()?;
        Ok((e.actioned(), e.counted.iter().map(|c| c.name()).collect(), e.to_string()))
    }
    fn record(&self, id: u32) -> Option<PyCertificateRecord> {
        self.0.record(id).map(PyCertificateRecord)
    }
    /// Every certificate id.
    fn ids(&self) -> PyIdSet {
        PyIdSet(self.0.ids().clone())
    }
    /// The names in use: `(stores, metadata fields, collections)`.
    fn names(&self) -> (Vec<String>, Vec<String>, Vec<String>) {
        let (s, m, c) = self.0.names();
        let own = |v: Vec<&str>| v.into_iter().map(str::to_owned).collect();
        (own(s), own(m), own(c))
    }
    fn __len__(&self) -> usize {
        self.0.len() as usize
    }
    fn __contains__(&self, id: u32) -> bool {
        self.0.contains(id)
    }
    fn __repr__(&self) -> String {
        let (s, m, c) = self.0.names();
        format!(
            "Inventory(certificates={}, stores={}, metadata={}, collections={})",
            self.0.len(),
            s.len(),
            m.len(),
            c.len()
        )
    }
}

/// When counts run: daily at a UTC time of day (default 02:00).
#[pyclass(frozen, eq, module = "license_core._native", name = "CountSchedule")]
#[derive(Clone, PartialEq)]
pub(crate) struct PyCountSchedule(CountSchedule);

#[pymethods]
impl PyCountSchedule {
    #[new]
    #[pyo3(signature = (hour = 2, minute = 0))]
    fn new(hour: u8, minute: u8) -> PyResult<Self> {
        CountSchedule::daily_at(hour, minute).lc().map(PyCountSchedule)
    }
    /// The first scheduled run strictly after `t`.
    fn next_after<'py>(&self, py: Python<'py>, t: &Bound<'_, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        pytime::to_py(py, self.0.next_after(pytime::from_py(t, "t")?))
    }
    #[getter]
    fn hour(&self) -> u8 {
        self.0.time_of_day().hour()
    }
    #[getter]
    fn minute(&self) -> u8 {
        self.0.time_of_day().minute()
    }
    fn __repr__(&self) -> String {
        format!("CountSchedule(hour={}, minute={})", self.hour(), self.minute())
    }
}

/// Past counts, oldest first, and their trend.
#[pyclass(module = "license_core._native", name = "CountHistory")]
#[derive(Default)]
pub(crate) struct PyCountHistory(CountHistory);

#[pymethods]
impl PyCountHistory {
    #[new]
    fn new() -> Self {
        PyCountHistory::default()
    }
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        CountHistory::from_json(text).lc().map(PyCountHistory)
    }
    fn to_json(&self) -> String {
        self.0.to_json()
    }
    /// Appends a count (it must be later than the last one).
    fn push(&mut self, count: &PyActionedCount) -> PyResult<()> {
        self.0.push(count.0.clone()).lc()
    }
    fn counts(&self) -> Vec<PyActionedCount> {
        self.0.counts().iter().cloned().map(PyActionedCount).collect()
    }
    /// The trend of the last `n` counts: `(per_day, crosses_limit_at)`.
    fn trend<'py>(&self, py: Python<'py>, n: usize) -> PyResult<Option<(f64, Option<Bound<'py, PyAny>>)>> {
        self.0.trend(n).map(|t| Ok((t.per_day, pytime::opt_to_py(py, t.crosses_limit_at)?))).transpose()
    }
    fn __len__(&self) -> usize {
        self.0.counts().len()
    }
    fn __repr__(&self) -> String {
        format!("CountHistory(counts={})", self.0.counts().len())
    }
}

//! Usage logs: built from the store's journal, signed by the installation,
//! verified and chained on the vendor side.

use license_core::{
    actioned::Category,
    usage,
    usage::{CountRecord, VerifiedUsageLog},
    UsageLog,
};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::crypto::{AnySigner, PyKeyId, PyTrustedKeys};
use crate::errors::Lc;
use crate::pytime;
use crate::util::bytes_like;

/// The instance a usage log is about.
#[pyclass(frozen, eq, module = "license_core._native", name = "UsageInstance")]
#[derive(Clone, PartialEq)]
pub(crate) struct PyUsageInstance(pub(crate) usage::Instance);

#[pymethods]
impl PyUsageInstance {
    #[new]
    #[pyo3(signature = (id, name, location, software_version, fingerprint))]
    fn new(
        id: String,
        name: String,
        location: String,
        software_version: String,
        fingerprint: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let fingerprint = fingerprint.str()?.to_string();
        Ok(PyUsageInstance(usage::Instance { id, name, location, software_version, fingerprint }))
    }
    /// The usage-log view of an account's `Instance`.
    #[staticmethod]
    fn from_instance(instance: &crate::keys::PyInstance) -> Self {
        PyUsageInstance(usage::Instance::from(&instance.0))
    }
    #[getter]
    fn id(&self) -> &str {
        &self.0.id
    }
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }
    #[getter]
    fn location(&self) -> &str {
        &self.0.location
    }
    #[getter]
    fn software_version(&self) -> &str {
        &self.0.software_version
    }
    #[getter]
    fn fingerprint(&self) -> &str {
        &self.0.fingerprint
    }
    fn __repr__(&self) -> String {
        format!(
            "UsageInstance(id={:?}, name={:?}, location={:?}, software_version={:?})",
            self.0.id, self.0.name, self.0.location, self.0.software_version
        )
    }
}

/// One count as a usage log carries it.
#[pyclass(frozen, eq, module = "license_core._native", name = "CountRecord")]
#[derive(Clone, PartialEq)]
pub(crate) struct PyCountRecord(CountRecord);

#[pymethods]
impl PyCountRecord {
    #[getter]
    fn as_of<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        pytime::to_py(py, self.0.as_of)
    }
    #[getter]
    fn total(&self) -> u64 {
        self.0.total
    }
    #[getter]
    fn categories<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        crate::util::ordered_dict(py, Category::ALL.iter().zip(self.0.categories).map(|(c, n)| (c.name(), n)))
    }
    #[getter]
    fn limit(&self) -> Option<u64> {
        self.0.limit.counted()
    }
    #[getter]
    fn over_by(&self) -> Option<u64> {
        self.0.over_by()
    }
    fn __repr__(&self) -> String {
        format!(
            "CountRecord(as_of='{}', total={}, limit={})",
            pytime::text(self.0.as_of),
            self.0.total,
            self.limit().map_or_else(|| "None".to_owned(), |n| n.to_string())
        )
    }
}

/// A usage log: the latest count and the chained counts since the last log.
#[pyclass(frozen, module = "license_core._native", name = "UsageLog")]
pub(crate) struct PyUsageLog {
    pub(crate) log: UsageLog,
    verified: Option<VerifiedUsageLog>,
}

impl PyUsageLog {
    pub(crate) fn unsigned(log: UsageLog) -> Self {
        PyUsageLog { log, verified: None }
    }
}

#[pymethods]
impl PyUsageLog {
    /// The log as signed XML (GIL released).
    fn sign<'py>(&self, py: Python<'py>, key: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
        let key = AnySigner::extract(key)?;
        let (log, key) = (&self.log, &key);
        let xml = py.detach(|| log.sign(key)).lc()?;
        Ok(PyBytes::new(py, &xml))
    }
    /// Verifies a signed usage log (GIL released) and checks its chain.
    #[staticmethod]
    fn from_signed_xml(py: Python<'_>, data: &Bound<'_, PyAny>, trusted: &PyTrustedKeys) -> PyResult<Self> {
        let bytes = bytes_like(data)?;
        let trusted = &trusted.0;
        let v = py.detach(|| UsageLog::from_signed_xml(&bytes, trusted)).lc()?;
        Ok(PyUsageLog { log: v.log().clone(), verified: Some(v) })
    }
    #[getter]
    fn generated_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        pytime::to_py(py, self.log.generated_at)
    }
    #[getter]
    fn instance(&self) -> PyUsageInstance {
        PyUsageInstance(self.log.instance.clone())
    }
    #[getter]
    fn license_id(&self) -> &str {
        &self.log.license.id
    }
    #[getter]
    fn license_sha256(&self) -> String {
        self.log.license.sha256_hex()
    }
    #[getter]
    fn latest(&self) -> PyCountRecord {
        PyCountRecord(self.log.latest)
    }
    /// The chained counts as `(sequence, count)`.
    #[getter]
    fn entries(&self) -> Vec<(u64, PyCountRecord)> {
        self.log.entries.iter().map(|e| (e.sequence, PyCountRecord(e.count))).collect()
    }
    /// The key that verified the log (`None` for a log not read from XML).
    #[getter]
    fn key_id(&self) -> Option<PyKeyId> {
        self.verified.as_ref().map(|v| PyKeyId(v.key_id()))
    }
    fn __repr__(&self) -> String {
        format!(
            "UsageLog(instance={:?}, license={:?}, generated_at='{}', entries={}, latest_total={})",
            self.log.instance.id,
            self.log.license.id,
            pytime::text(self.log.generated_at),
            self.log.entries.len(),
            self.log.latest.total
        )
    }
}

/// The vendor's record of the last log read per instance: refuses logs
/// signed by another key than the instance's, replays and broken chains.
#[pyclass(module = "license_core._native", name = "UsageLedger")]
#[derive(Default)]
pub(crate) struct PyUsageLedger(usage::Ledger);

#[pymethods]
impl PyUsageLedger {
    #[new]
    fn new() -> Self {
        PyUsageLedger::default()
    }
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        serde_json::from_str(text).map(PyUsageLedger).map_err(|e| {
            crate::errors::to_py(license_core::Error::new(
                license_core::ErrorKind::InvalidJson,
                e.to_string(),
            ))
        })
    }
    fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_default()
    }
    /// Accepts a verified log; the ledger is unchanged when it is refused.
    fn accept(&mut self, log: &PyUsageLog) -> PyResult<()> {
        let Some(verified) = &log.verified else {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "only a log read with UsageLog.from_signed_xml can be accepted",
            ));
        };
        self.0.accept(verified).lc()
    }
    fn last_sequence(&self, instance_id: &str) -> Option<u64> {
        self.0.last_sequence(instance_id)
    }
    /// The installation key an instance's logs are bound to (the first
    /// accepted log binds it).
    fn key_id(&self, instance_id: &str) -> Option<PyKeyId> {
        self.0.key_id(instance_id).map(PyKeyId)
    }
    /// Binds an instance's logs to a new installation key (after its key
    /// was replaced); returns the key they were bound to.
    fn rekey(&mut self, instance_id: &str, key_id: &PyKeyId) -> PyResult<Option<PyKeyId>> {
        Ok(self.0.rekey(instance_id, key_id.0).lc()?.map(PyKeyId))
    }
    fn __repr__(&self) -> String {
        format!("UsageLedger({})", self.to_json())
    }
}

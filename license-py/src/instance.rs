//! Hardware profiles, fingerprints, match policies and reports.

use license_core::{
    instance::{MatchPolicy, MatchReport},
    Fingerprint, HardwareProfile,
};
use pyo3::prelude::*;

use crate::errors::Lc;
use crate::util::bytes_or_str;

/// What a machine is made of (host, OS, CPU, disks, interfaces, ids).
#[pyclass(frozen, eq, module = "license_core._native", name = "HardwareProfile")]
#[derive(Clone, PartialEq)]
pub(crate) struct PyHardwareProfile(pub(crate) HardwareProfile);

#[pymethods]
impl PyHardwareProfile {
    /// Collects this machine's profile (reads /proc, /sys, /etc; GIL released).
    #[staticmethod]
    fn collect(py: Python<'_>) -> Self {
        PyHardwareProfile(py.detach(HardwareProfile::collect))
    }
    /// Reads the profile XML.
    #[staticmethod]
    fn from_xml(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        HardwareProfile::from_xml(&bytes_or_str(data)?).lc().map(PyHardwareProfile)
    }
    fn to_xml(&self) -> PyResult<String> {
        self.0.to_xml().lc()
    }
    fn to_table(&self) -> String {
        self.0.to_table()
    }
    /// Checks every value (as an `Instance` does).
    fn validate(&self) -> PyResult<()> {
        self.0.validate().lc()
    }
    fn fingerprint(&self) -> PyFingerprint {
        PyFingerprint(Fingerprint::from_profile(&self.0))
    }
    #[getter]
    fn hostname(&self) -> Option<&str> {
        self.0.hostname.as_deref()
    }
    #[getter]
    fn os_name(&self) -> Option<&str> {
        self.0.os_name.as_deref()
    }
    #[getter]
    fn architecture(&self) -> Option<&str> {
        self.0.architecture.as_deref()
    }
    #[getter]
    fn cpu_model(&self) -> Option<&str> {
        self.0.cpu_model.as_deref()
    }
    #[getter]
    fn logical_cores(&self) -> Option<u32> {
        self.0.logical_cores
    }
    #[getter]
    fn memory_bytes(&self) -> Option<u64> {
        self.0.memory_bytes
    }
    #[getter]
    fn machine_id(&self) -> Option<&str> {
        self.0.machine_id.as_deref()
    }
    #[getter]
    fn product_uuid(&self) -> Option<&str> {
        self.0.product_uuid.as_deref()
    }
    /// Names of the disks.
    #[getter]
    fn disks(&self) -> Vec<String> {
        self.0.disks.iter().map(|d| d.name.clone()).collect()
    }
    /// MAC addresses of the physical interfaces.
    #[getter]
    fn physical_macs(&self) -> Vec<String> {
        self.0.physical_macs().map(str::to_owned).collect()
    }
    fn __str__(&self) -> String {
        self.0.to_table()
    }
    fn __repr__(&self) -> String {
        format!(
            "HardwareProfile(hostname={}, machine_id={}, disks={}, interfaces={})",
            crate::util::opt_repr(self.0.hostname.as_deref()),
            crate::util::opt_repr(self.0.machine_id.as_deref()),
            self.0.disks.len(),
            self.0.interfaces.len()
        )
    }
}

/// A machine's hardware fingerprint: salted digests per component.
#[pyclass(frozen, eq, hash, module = "license_core._native", name = "Fingerprint")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyFingerprint(pub(crate) Fingerprint);

#[pymethods]
impl PyFingerprint {
    /// Parses the canonical text form.
    #[new]
    fn new(text: &str) -> PyResult<Self> {
        text.parse().lc().map(PyFingerprint)
    }
    #[staticmethod]
    fn from_profile(profile: &PyHardwareProfile) -> Self {
        PyFingerprint(Fingerprint::from_profile(&profile.0))
    }
    /// Compares with the fingerprint of the machine now (`current`), under
    /// `policy` (default policy when `None`).
    #[pyo3(signature = (current, policy = None))]
    fn matches(&self, current: &PyFingerprint, policy: Option<&PyMatchPolicy>) -> PyMatchReport {
        let default = MatchPolicy::default();
        let policy = policy.map_or(&default, |p| &p.0);
        PyMatchReport(self.0.matches(&current.0, policy))
    }
    /// The component kinds present.
    fn kinds(&self) -> Vec<&'static str> {
        self.0.kinds().map(|k| k.name()).collect()
    }
    #[getter]
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    fn __str__(&self) -> String {
        self.0.to_string()
    }
    fn __repr__(&self) -> String {
        format!("Fingerprint({:?})", self.0.to_string())
    }
}

/// How closely a machine must match a fingerprint.
#[pyclass(frozen, eq, hash, module = "license_core._native", name = "MatchPolicy")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyMatchPolicy(pub(crate) MatchPolicy);

#[pymethods]
impl PyMatchPolicy {
    /// Parses the canonical text form; `None` gives the default policy.
    #[new]
    #[pyo3(signature = (text = None))]
    fn new(text: Option<&str>) -> PyResult<Self> {
        match text {
            Some(t) => t.parse().lc().map(PyMatchPolicy),
            None => Ok(PyMatchPolicy(MatchPolicy::default())),
        }
    }
    #[getter]
    fn threshold(&self) -> u32 {
        self.0.threshold()
    }
    fn __str__(&self) -> String {
        self.0.to_string()
    }
    fn __repr__(&self) -> String {
        format!("MatchPolicy({:?})", self.0.to_string())
    }
}

/// The outcome of a fingerprint comparison.
#[pyclass(frozen, eq, module = "license_core._native", name = "MatchReport")]
#[derive(Clone, PartialEq)]
pub(crate) struct PyMatchReport(pub(crate) MatchReport);

#[pymethods]
impl PyMatchReport {
    #[getter]
    fn is_match(&self) -> bool {
        self.0.is_match()
    }
    #[getter]
    fn score(&self) -> u32 {
        self.0.score()
    }
    #[getter]
    fn threshold(&self) -> u32 {
        self.0.threshold()
    }
    /// The component kinds that drifted.
    #[getter]
    fn drifted(&self) -> Vec<&'static str> {
        self.0.drifted().map(|c| c.kind.name()).collect()
    }
    fn summary(&self) -> String {
        self.0.summary()
    }
    fn __bool__(&self) -> bool {
        self.0.is_match()
    }
    fn __str__(&self) -> String {
        self.0.to_string()
    }
    fn __repr__(&self) -> String {
        format!(
            "MatchReport(is_match={}, score={}, threshold={})",
            if self.0.is_match() { "True" } else { "False" },
            self.0.score(),
            self.0.threshold()
        )
    }
}

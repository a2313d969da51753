//! License keys, key records, key bundles, offline activation, server
//! instances and the vendor's account registry.

use std::collections::BTreeMap;
use std::path::PathBuf;

use license_core::{
    crypto::{SignatureAlgorithm, Signer as _},
    instance::{Location, SoftwareVersion},
    keys::{
        activate as core_activate, Activation, BundleAlgorithm, KeyKind, KeyRecord, KeyStatus, ProductCode,
    },
    Account, Instance, KeyBundle, LicenseKey,
};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::crypto::{AnySigner, PyKeyId, PyTrustedKeys};
use crate::errors::Lc;
use crate::instance::{PyFingerprint, PyHardwareProfile, PyMatchPolicy, PyMatchReport};
use crate::license::{PyFeature, PyInstanceBinding};
use crate::pytime;
use crate::util::bytes_like;

fn kind_of(s: &str) -> PyResult<KeyKind> {
    s.parse().lc()
}

fn status_of(s: &str) -> PyResult<KeyStatus> {
    s.parse().lc()
}

fn features_of(f: &license_core::license::FeatureSet) -> BTreeMap<String, PyFeature> {
    f.iter().map(|(n, f)| (n.to_owned(), PyFeature(*f))).collect()
}

fn json_err(e: serde_json::Error) -> PyErr {
    crate::errors::to_py(license_core::Error::new(license_core::ErrorKind::InvalidJson, e.to_string()))
}

/// A 16-character license key (`MCRT-0MM9-38NK-RT5C`), checked on parse.
#[pyclass(frozen, eq, hash, module = "license_core._native", name = "LicenseKey")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyLicenseKey(pub(crate) LicenseKey);

#[pymethods]
impl PyLicenseKey {
    /// Parses a key (dashes, spaces and case are forgiven; typos are not).
    #[new]
    fn new(text: &str) -> PyResult<Self> {
        text.parse().lc().map(PyLicenseKey)
    }
    /// A key for `kind` (`master`, `addon`), `product` (3 characters) and
    /// a serial number.
    #[staticmethod]
    fn from_parts(kind: &str, product: &str, serial: u64) -> PyResult<Self> {
        let product: ProductCode = product.parse().lc()?;
        LicenseKey::new(kind_of(kind)?, product, serial).lc().map(PyLicenseKey)
    }
    /// A new key with a random serial from the OS generator.
    #[staticmethod]
    fn generate(kind: &str, product: &str) -> PyResult<Self> {
        let product: ProductCode = product.parse().lc()?;
        Ok(PyLicenseKey(LicenseKey::generate(kind_of(kind)?, product, &mut rand::rngs::OsRng)))
    }
    #[getter]
    fn kind(&self) -> &'static str {
        self.0.kind().as_str()
    }
    #[getter]
    fn product(&self) -> String {
        self.0.product().to_string()
    }
    #[getter]
    fn serial(&self) -> u64 {
        self.0.serial()
    }
    /// The 16 characters without dashes.
    fn compact(&self) -> String {
        self.0.compact()
    }
    fn __str__(&self) -> String {
        self.0.to_string()
    }
    fn __repr__(&self) -> String {
        format!("LicenseKey('{}')", self.0)
    }
}

/// One key as the vendor records it: kind, parent, features, status,
/// assignment, expiry.
#[pyclass(frozen, eq, module = "license_core._native", name = "KeyRecord")]
#[derive(Clone, PartialEq)]
pub(crate) struct PyKeyRecord(pub(crate) KeyRecord);

#[pymethods]
impl PyKeyRecord {
    #[new]
    #[pyo3(signature = (key, updated_at, *, parent = None, features = BTreeMap::new(), status = "pending",
                        instance = None, expires_at = None))]
    fn new(
        key: &PyLicenseKey,
        updated_at: &Bound<'_, PyAny>,
        parent: Option<PyLicenseKey>,
        features: BTreeMap<String, PyFeature>,
        status: &str,
        instance: Option<String>,
        expires_at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut b =
            KeyRecord::builder(key.0, pytime::from_py(updated_at, "updated_at")?).status(status_of(status)?);
        if let Some(p) = parent {
            b = b.parent(p.0);
        }
        for (name, f) in &features {
            b = b.feature(name, f.0);
        }
        if let Some(i) = instance {
            b = b.instance(i);
        }
        if let Some(e) = pytime::opt_from_py(expires_at, "expires_at")? {
            b = b.expires_at(e);
        }
        b.build().lc().map(PyKeyRecord)
    }
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        serde_json::from_str(text).map(PyKeyRecord).map_err(json_err)
    }
    fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_default()
    }
    #[getter]
    fn key(&self) -> PyLicenseKey {
        PyLicenseKey(self.0.key())
    }
    #[getter]
    fn kind(&self) -> &'static str {
        self.0.kind().as_str()
    }
    #[getter]
    fn parent(&self) -> Option<PyLicenseKey> {
        self.0.parent().map(PyLicenseKey)
    }
    #[getter]
    fn features(&self) -> BTreeMap<String, PyFeature> {
        features_of(self.0.features())
    }
    #[getter]
    fn status(&self) -> &'static str {
        self.0.status().as_str()
    }
    /// The status at `at` (an active key past its expiry is `expired`).
    fn status_at(&self, at: &Bound<'_, PyAny>) -> PyResult<&'static str> {
        Ok(self.0.status_at(pytime::from_py(at, "at")?).as_str())
    }
    #[getter]
    fn instance(&self) -> Option<&str> {
        self.0.instance()
    }
    #[getter]
    fn expires_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        pytime::opt_to_py(py, self.0.expires_at())
    }
    #[getter]
    fn updated_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        pytime::to_py(py, self.0.updated_at())
    }
    fn to_table(&self) -> String {
        self.0.to_table()
    }
    fn __repr__(&self) -> String {
        format!(
            "KeyRecord(key='{}', kind='{}', status='{}', instance={})",
            self.0.key(),
            self.0.kind(),
            self.0.status(),
            crate::util::opt_repr(self.0.instance())
        )
    }
}

/// A key bundle: an instance's master key and add-ons, bound to its
/// fingerprint, signed as a COSE_Sign1 `.bin`.
#[pyclass(frozen, eq, module = "license_core._native", name = "KeyBundle")]
#[derive(Clone, PartialEq)]
pub(crate) struct PyKeyBundle(pub(crate) KeyBundle);

#[pymethods]
impl PyKeyBundle {
    #[new]
    #[pyo3(signature = (instance_id, fingerprint, issued_at, master, *, addons = Vec::new(), policy = None, expires_at = None))]
    fn new(
        instance_id: String,
        fingerprint: &PyFingerprint,
        issued_at: &Bound<'_, PyAny>,
        master: &PyKeyRecord,
        addons: Vec<PyKeyRecord>,
        policy: Option<&PyMatchPolicy>,
        expires_at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut b = KeyBundle::builder(
            instance_id,
            &fingerprint.0,
            pytime::from_py(issued_at, "issued_at")?,
            master.0.clone(),
        );
        if let Some(p) = policy {
            b = b.policy(&p.0);
        }
        if let Some(e) = pytime::opt_from_py(expires_at, "expires_at")? {
            b = b.expires_at(e);
        }
        for a in addons {
            b = b.addon(a.0);
        }
        b.build().lc().map(PyKeyBundle)
    }
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        KeyBundle::from_json(text).lc().map(PyKeyBundle)
    }
    fn to_json(&self) -> String {
        self.0.to_json()
    }
    /// A complete example bundle JSON, issued at `now`.
    #[staticmethod]
    fn template(now: &Bound<'_, PyAny>) -> PyResult<String> {
        KeyBundle::template(pytime::from_py(now, "now")?).lc()
    }
    /// The signed `.bin` (`algorithm`: `rs256`, `ps256` or `es256`; by
    /// default `ps256` with an RSA key and `es256` with a P-256 key; GIL
    /// released).
    #[pyo3(signature = (key, algorithm = None))]
    fn to_bin<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
        algorithm: Option<&str>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let key = AnySigner::extract(key)?;
        let alg: BundleAlgorithm = match algorithm {
            Some(name) => name.parse().lc()?,
            None if key.algorithms().contains(&SignatureAlgorithm::EcdsaP256Sha256) => BundleAlgorithm::Es256,
            None => BundleAlgorithm::Ps256,
        };
        let (bundle, key) = (&self.0, &key);
        let bin = py.detach(|| bundle.to_bin(key, alg)).lc()?;
        Ok(PyBytes::new(py, &bin))
    }
    /// Verifies a `.bin` against `trusted` and reads it (GIL released).
    #[staticmethod]
    fn from_bin(py: Python<'_>, data: &Bound<'_, PyAny>, trusted: &PyTrustedKeys) -> PyResult<Self> {
        let bytes = bytes_like(data)?;
        let trusted = &trusted.0;
        py.detach(|| KeyBundle::from_bin(&bytes, trusted)).lc().map(PyKeyBundle)
    }
    /// Reads a `.bin` WITHOUT checking its signature (display only):
    /// `(bundle, algorithm, key_id)`.
    #[staticmethod]
    fn inspect_unverified(data: &Bound<'_, PyAny>) -> PyResult<(Self, String, Option<PyKeyId>)> {
        let s = KeyBundle::inspect_unverified(&bytes_like(data)?).lc()?;
        Ok((PyKeyBundle(s.bundle), s.algorithm.to_string(), s.key_id.map(PyKeyId)))
    }
    #[getter]
    fn instance_id(&self) -> &str {
        self.0.instance_id()
    }
    #[getter]
    fn fingerprint(&self) -> PyFingerprint {
        PyFingerprint(self.0.fingerprint().clone())
    }
    #[getter]
    fn policy(&self) -> PyMatchPolicy {
        PyMatchPolicy(self.0.policy().clone())
    }
    #[getter]
    fn issued_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        pytime::to_py(py, self.0.issued_at())
    }
    #[getter]
    fn expires_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        pytime::opt_to_py(py, self.0.expires_at())
    }
    #[getter]
    fn master(&self) -> PyKeyRecord {
        PyKeyRecord(self.0.master().clone())
    }
    #[getter]
    fn addons(&self) -> Vec<PyKeyRecord> {
        self.0.addons().iter().cloned().map(PyKeyRecord).collect()
    }
    fn to_table(&self) -> String {
        self.0.to_table()
    }
    fn __repr__(&self) -> String {
        format!(
            "KeyBundle(instance_id={:?}, master='{}', addons={})",
            self.0.instance_id(),
            self.0.master().key(),
            self.0.addons().len()
        )
    }
}

/// The result of a successful offline activation.
#[pyclass(frozen, module = "license_core._native", name = "Activation")]
pub(crate) struct PyActivation(Activation);

#[pymethods]
impl PyActivation {
    #[getter]
    fn bundle(&self) -> PyKeyBundle {
        PyKeyBundle(self.0.bundle().clone())
    }
    #[getter]
    fn instance_id(&self) -> &str {
        self.0.instance_id()
    }
    #[getter]
    fn master_key(&self) -> PyLicenseKey {
        PyLicenseKey(self.0.master_key())
    }
    #[getter]
    fn counted_addons(&self) -> Vec<PyLicenseKey> {
        self.0.counted_addons().iter().copied().map(PyLicenseKey).collect()
    }
    /// Add-ons left out, with their status.
    #[getter]
    fn skipped_addons(&self) -> Vec<(PyLicenseKey, &'static str)> {
        self.0.skipped_addons().iter().map(|(k, s)| (PyLicenseKey(*k), s.as_str())).collect()
    }
    /// The effective features (master plus usable add-ons).
    #[getter]
    fn features(&self) -> BTreeMap<String, PyFeature> {
        features_of(self.0.features())
    }
    #[getter]
    fn match_report(&self) -> PyMatchReport {
        PyMatchReport(self.0.match_report().clone())
    }
    #[getter]
    fn activated_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        pytime::to_py(py, self.0.activated_at())
    }
    fn __str__(&self) -> String {
        self.0.to_string()
    }
    fn __repr__(&self) -> String {
        format!(
            "Activation(instance_id={:?}, master_key='{}', addons={})",
            self.0.instance_id(),
            self.0.master_key(),
            self.0.counted_addons().len()
        )
    }
}

/// Activates offline: verifies the `.bin`, checks expiry, key status and
/// this machine's `profile` against the bound fingerprint.
#[pyfunction]
pub(crate) fn activate(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    trusted: &PyTrustedKeys,
    profile: &PyHardwareProfile,
    now: &Bound<'_, PyAny>,
) -> PyResult<PyActivation> {
    let bytes = bytes_like(data)?;
    let now = pytime::from_py(now, "now")?;
    let (trusted, profile) = (&trusted.0, &profile.0);
    py.detach(|| core_activate(&bytes, trusted, profile, now)).lc().map(PyActivation)
}

/// A server instance in the vendor's account.
#[pyclass(frozen, eq, module = "license_core._native", name = "Instance")]
#[derive(Clone, PartialEq)]
pub(crate) struct PyInstance(pub(crate) Instance);

#[pymethods]
impl PyInstance {
    #[new]
    #[pyo3(signature = (id, name, place, software_version, profile, created_at, *, country = None))]
    fn new(
        id: String,
        name: String,
        place: String,
        software_version: &str,
        profile: &PyHardwareProfile,
        created_at: &Bound<'_, PyAny>,
        country: Option<&str>,
    ) -> PyResult<Self> {
        let location = Location::new(place, country, None).lc()?;
        let version: SoftwareVersion = software_version.parse().lc()?;
        let at = pytime::from_py(created_at, "created_at")?;
        Instance::new(id, name, location, version, profile.0.clone(), at).lc().map(PyInstance)
    }
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Instance::from_json(text).lc().map(PyInstance)
    }
    fn to_json(&self) -> String {
        self.0.to_json()
    }
    #[getter]
    fn id(&self) -> &str {
        self.0.id()
    }
    #[getter]
    fn name(&self) -> &str {
        self.0.name()
    }
    #[getter]
    fn place(&self) -> &str {
        self.0.location().place()
    }
    #[getter]
    fn country(&self) -> Option<&str> {
        self.0.location().country()
    }
    #[getter]
    fn software_version(&self) -> String {
        self.0.software_version().to_string()
    }
    #[getter]
    fn profile(&self) -> PyHardwareProfile {
        PyHardwareProfile(self.0.profile().clone())
    }
    #[getter]
    fn fingerprint(&self) -> PyFingerprint {
        PyFingerprint(self.0.fingerprint().clone())
    }
    #[getter]
    fn created_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        pytime::to_py(py, self.0.created_at())
    }
    /// A license binding to this instance.
    #[pyo3(signature = (policy = None))]
    fn binding(&self, policy: Option<&PyMatchPolicy>) -> PyInstanceBinding {
        PyInstanceBinding(self.0.binding(policy.map(|p| &p.0)))
    }
    fn to_table(&self) -> String {
        self.0.to_table()
    }
    fn __repr__(&self) -> String {
        format!(
            "Instance(id={:?}, name={:?}, place={:?})",
            self.0.id(),
            self.0.name(),
            self.0.location().place()
        )
    }
}

/// The vendor's registry of a customer's instances and keys.
#[pyclass(module = "license_core._native", name = "Account")]
pub(crate) struct PyAccount(Account);

#[pymethods]
impl PyAccount {
    #[new]
    fn new(customer: String, now: &Bound<'_, PyAny>) -> PyResult<Self> {
        Account::new(customer, pytime::from_py(now, "now")?).lc().map(PyAccount)
    }
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Account::from_json(text).lc().map(PyAccount)
    }
    fn to_json(&self) -> String {
        self.0.to_json()
    }
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<Self> {
        Account::load(&path).lc().map(PyAccount)
    }
    fn save(&self, path: PathBuf) -> PyResult<()> {
        self.0.save(&path).lc()
    }
    #[getter]
    fn customer(&self) -> &str {
        self.0.customer()
    }
    #[getter]
    fn last_updated<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        pytime::to_py(py, self.0.last_updated())
    }
    fn instances(&self) -> Vec<PyInstance> {
        self.0.instances().cloned().map(PyInstance).collect()
    }
    fn keys(&self) -> Vec<PyKeyRecord> {
        self.0.keys().cloned().map(PyKeyRecord).collect()
    }
    fn add_instance(&mut self, instance: &PyInstance, now: &Bound<'_, PyAny>) -> PyResult<()> {
        self.0.add_instance(instance.0.clone(), pytime::from_py(now, "now")?).lc()
    }
    fn add_key(&mut self, record: &PyKeyRecord, now: &Bound<'_, PyAny>) -> PyResult<()> {
        self.0.add_key(record.0.clone(), pytime::from_py(now, "now")?).lc()
    }
    fn assign(&mut self, key: &PyLicenseKey, instance_id: &str, now: &Bound<'_, PyAny>) -> PyResult<()> {
        self.0.assign(key.0, instance_id, pytime::from_py(now, "now")?).lc()
    }
    fn unassign(&mut self, key: &PyLicenseKey, now: &Bound<'_, PyAny>) -> PyResult<()> {
        self.0.unassign(key.0, pytime::from_py(now, "now")?).lc()
    }
    fn set_status(&mut self, key: &PyLicenseKey, status: &str, now: &Bound<'_, PyAny>) -> PyResult<()> {
        self.0.set_status(key.0, status_of(status)?, pytime::from_py(now, "now")?).lc()
    }
    /// The master key record assigned to an instance, if any.
    fn master_of(&self, instance_id: &str) -> Option<PyKeyRecord> {
        self.0.master_of(instance_id).cloned().map(PyKeyRecord)
    }
    /// The instance's key bundle, issued at `now`.
    #[pyo3(signature = (instance_id, now, *, policy = None, expires_at = None))]
    fn bundle(
        &self,
        instance_id: &str,
        now: &Bound<'_, PyAny>,
        policy: Option<&PyMatchPolicy>,
        expires_at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyKeyBundle> {
        let expires_at = pytime::opt_from_py(expires_at, "expires_at")?;
        self.0
            .bundle(instance_id, policy.map(|p| &p.0), expires_at, pytime::from_py(now, "now")?)
            .lc()
            .map(PyKeyBundle)
    }
    fn instances_table(&self) -> String {
        self.0.instances_table()
    }
    fn __repr__(&self) -> String {
        format!(
            "Account(customer={:?}, instances={}, keys={})",
            self.0.customer(),
            self.0.instances().len(),
            self.0.keys().len()
        )
    }
}

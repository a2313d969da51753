//! Licenses: the model, its builder, status, diff, signed XML.

use std::collections::BTreeMap;

use license_core::{
    license::{ActionedLimit, ExpiryPolicy, InstanceBinding, LicenseDiff, LicenseStatus},
    Feature, KeyId, License, LicenseBuilder,
};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::crypto::{AnySigner, PyKeyId, PyTrustedKeys};
use crate::errors::Lc;
use crate::pytime;
use crate::util::{bytes_like, opt_repr};

/// A limit as Python sees it: an int, or `None` for a site license.
pub(crate) fn limit_from(limit: Option<u64>) -> ActionedLimit {
    limit.map_or(ActionedLimit::SiteLicense, ActionedLimit::Counted)
}

/// One feature's terms: a value object.
#[pyclass(frozen, eq, module = "license_core._native", name = "Feature")]
#[derive(Clone, PartialEq)]
pub(crate) struct PyFeature(pub(crate) Feature);

#[pymethods]
impl PyFeature {
    #[new]
    #[pyo3(signature = (enabled = true, quantity = None, expires_at = None))]
    fn new(enabled: bool, quantity: Option<u64>, expires_at: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let expires_at = pytime::opt_from_py(expires_at, "expires_at")?;
        Ok(PyFeature(Feature { enabled, quantity, expires_at }))
    }
    #[getter]
    fn enabled(&self) -> bool {
        self.0.enabled
    }
    #[getter]
    fn quantity(&self) -> Option<u64> {
        self.0.quantity
    }
    #[getter]
    fn expires_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        pytime::opt_to_py(py, self.0.expires_at)
    }
    fn is_enabled_at(&self, at: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.0.is_enabled_at(pytime::from_py(at, "at")?))
    }
    fn __str__(&self) -> String {
        self.0.describe()
    }
    fn __repr__(&self) -> String {
        let q = self.0.quantity.map_or_else(|| "None".into(), |q| q.to_string());
        let e = self.0.expires_at.map_or_else(|| "None".into(), |t| format!("'{}'", pytime::text(t)));
        let en = if self.0.enabled { "True" } else { "False" };
        format!("Feature(enabled={en}, quantity={q}, expires_at={e})")
    }
}

/// Ties a license to an instance and its hardware fingerprint.
#[pyclass(frozen, eq, module = "license_core._native", name = "InstanceBinding")]
#[derive(Clone, PartialEq)]
pub(crate) struct PyInstanceBinding(pub(crate) InstanceBinding);

#[pymethods]
impl PyInstanceBinding {
    #[new]
    #[pyo3(signature = (instance_id, fingerprint, policy = None))]
    fn new(
        instance_id: String,
        fingerprint: &Bound<'_, PyAny>,
        policy: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let fingerprint = fingerprint.str()?.to_string();
        let policy = policy.filter(|p| !p.is_none()).map(|p| p.str().map(|s| s.to_string())).transpose()?;
        Ok(PyInstanceBinding(InstanceBinding { instance_id, fingerprint, policy }))
    }
    #[getter]
    fn instance_id(&self) -> &str {
        &self.0.instance_id
    }
    #[getter]
    fn fingerprint(&self) -> &str {
        &self.0.fingerprint
    }
    #[getter]
    fn policy(&self) -> Option<&str> {
        self.0.policy.as_deref()
    }
    fn __repr__(&self) -> String {
        format!(
            "InstanceBinding(instance_id={:?}, fingerprint={:?}, policy={})",
            self.0.instance_id,
            self.0.fingerprint,
            opt_repr(self.0.policy.as_deref())
        )
    }
}

/// Where a license stands at an instant.
#[pyclass(frozen, eq, module = "license_core._native", name = "LicenseStatus")]
#[derive(Clone, PartialEq)]
pub(crate) struct PyLicenseStatus(pub(crate) LicenseStatus);

#[pymethods]
impl PyLicenseStatus {
    /// `valid`, `expiring_soon`, `in_grace` or `expired`.
    #[getter]
    fn state(&self) -> &'static str {
        match self.0 {
            LicenseStatus::Valid { .. } => "valid",
            LicenseStatus::ExpiringSoon { .. } => "expiring_soon",
            LicenseStatus::InGrace { .. } => "in_grace",
            LicenseStatus::Expired { .. } => "expired",
        }
    }
    #[getter]
    fn is_usable(&self) -> bool {
        self.0.is_usable()
    }
    #[getter]
    fn days_left(&self) -> Option<i64> {
        match self.0 {
            LicenseStatus::Valid { days_left } => days_left,
            LicenseStatus::ExpiringSoon { days_left, .. } | LicenseStatus::InGrace { days_left, .. } => {
                Some(days_left)
            }
            LicenseStatus::Expired { .. } => None,
        }
    }
    #[getter]
    fn threshold_days(&self) -> Option<u32> {
        match self.0 {
            LicenseStatus::ExpiringSoon { threshold_days, .. } => Some(threshold_days),
            _ => None,
        }
    }
    #[getter]
    fn grace_ends_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        match self.0 {
            LicenseStatus::InGrace { grace_ends_at, .. } => pytime::opt_to_py(py, Some(grace_ends_at)),
            _ => Ok(None),
        }
    }
    #[getter]
    fn expired_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        match self.0 {
            LicenseStatus::Expired { expired_at } => pytime::opt_to_py(py, Some(expired_at)),
            _ => Ok(None),
        }
    }
    fn __str__(&self) -> String {
        self.0.to_string()
    }
    fn __repr__(&self) -> String {
        let days = self.days_left().map_or_else(|| "None".to_owned(), |d| d.to_string());
        format!("LicenseStatus(state='{}', days_left={days}, text={:?})", self.state(), self.0.to_string())
    }
}

/// What replacing one license with another changes, and what it takes away.
#[pyclass(frozen, eq, module = "license_core._native", name = "LicenseDiff")]
#[derive(Clone, PartialEq)]
pub(crate) struct PyLicenseDiff(pub(crate) LicenseDiff);

#[pymethods]
impl PyLicenseDiff {
    /// Plain fields that differ: `(field, installed, candidate)`.
    #[getter]
    fn fields(&self) -> Vec<(String, Option<String>, Option<String>)> {
        self.0.fields.iter().map(|f| (f.field.clone(), f.installed.clone(), f.candidate.clone())).collect()
    }
    /// Features added, removed or changed: `(name, installed, candidate)`.
    #[getter]
    fn features(&self) -> Vec<(String, Option<PyFeature>, Option<PyFeature>)> {
        self.0
            .features
            .iter()
            .map(|f| (f.name.clone(), f.installed.map(PyFeature), f.candidate.map(PyFeature)))
            .collect()
    }
    /// The limit's change as a JSON-like dict (`{"change": "raised", …}`).
    #[getter]
    fn limit<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.0.limit.as_ref().map(|c| json_value(py, c)).transpose()
    }
    /// The expiry's change as a JSON-like dict.
    #[getter]
    fn expiry<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.0.expiry.as_ref().map(|c| json_value(py, c)).transpose()
    }
    /// What the replacement takes away, one sentence each.
    #[getter]
    fn losses(&self) -> Vec<String> {
        self.0.losses.iter().map(ToString::to_string).collect()
    }
    #[getter]
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    #[getter]
    fn takes_nothing_away(&self) -> bool {
        self.0.takes_nothing_away()
    }
    fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_default()
    }
    fn __bool__(&self) -> bool {
        !self.0.is_empty()
    }
    /// The side-by-side table.
    fn __str__(&self) -> String {
        self.0.to_string()
    }
    fn __repr__(&self) -> String {
        format!(
            "LicenseDiff(fields={}, features={}, limit_changes={}, expiry_changes={}, losses={:?})",
            self.0.fields.len(),
            self.0.features.len(),
            self.0.limit.is_some(),
            self.0.expiry.is_some(),
            self.losses()
        )
        .replace("true", "True")
        .replace("false", "False")
    }
}

/// A serde value as Python objects (through `json.loads`).
pub(crate) fn json_value<'py>(py: Python<'py>, v: &impl serde::Serialize) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(v).unwrap_or_else(|_| "null".into());
    py.import("json")?.call_method1("loads", (text,))
}

/// A validated license, possibly with the key that verified it.
#[pyclass(frozen, module = "license_core._native", name = "License")]
#[derive(Clone)]
pub(crate) struct PyLicense {
    pub(crate) inner: License,
    pub(crate) key_id: Option<KeyId>,
    pub(crate) sha256: Option<[u8; 32]>,
    /// [`Self::sha256`] in the core's one hex form.
    sha256_hex: Option<String>,
}

impl PyLicense {
    pub(crate) fn plain(inner: License) -> Self {
        PyLicense { inner, key_id: None, sha256: None, sha256_hex: None }
    }
    pub(crate) fn verified(v: license_core::VerifiedLicense) -> Self {
        let key_id = Some(v.key_id());
        let (sha256, sha256_hex) = (Some(v.signed_sha256()), Some(v.signed_sha256_hex()));
        PyLicense { inner: v.into_license(), key_id, sha256, sha256_hex }
    }
}

#[pymethods]
impl PyLicense {
    /// Starts a license (see `LicenseBuilder`).
    #[staticmethod]
    fn builder(id: String, product: String, issued_at: &Bound<'_, PyAny>) -> PyResult<PyLicenseBuilder> {
        PyLicenseBuilder::new(id, product, issued_at)
    }
    /// Verifies a signed license against `trusted` (GIL released).
    #[staticmethod]
    fn from_signed_xml(py: Python<'_>, data: &Bound<'_, PyAny>, trusted: &PyTrustedKeys) -> PyResult<Self> {
        let bytes = bytes_like(data)?;
        let trusted = &trusted.0;
        py.detach(|| License::from_signed_xml(&bytes, trusted)).lc().map(PyLicense::verified)
    }
    /// Reads a license document WITHOUT checking its signature, for
    /// display only.
    #[staticmethod]
    fn inspect_unverified(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let u = License::inspect_unverified(&bytes_like(data)?).lc()?;
        Ok(PyLicense::plain(u.license().clone()))
    }
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        License::from_json(text).lc().map(PyLicense::plain)
    }
    fn to_json(&self) -> String {
        self.inner.to_json()
    }
    /// The license as signed XML (GIL released while signing).
    fn sign<'py>(&self, py: Python<'py>, key: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
        let key = AnySigner::extract(key)?;
        let (lic, key) = (&self.inner, &key);
        let xml = py.detach(|| lic.sign(key)).lc()?;
        Ok(PyBytes::new(py, &xml))
    }
    fn to_builder(&self) -> PyLicenseBuilder {
        PyLicenseBuilder { inner: self.inner.to_builder() }
    }
    fn status(&self, at: &Bound<'_, PyAny>) -> PyResult<PyLicenseStatus> {
        Ok(PyLicenseStatus(self.inner.status(pytime::from_py(at, "at")?)))
    }
    /// The comparison of this (installed) license with `candidate`.
    fn diff(&self, candidate: &PyLicense) -> PyLicenseDiff {
        PyLicenseDiff(LicenseDiff::between(&self.inner, &candidate.inner))
    }
    /// The expiry milestones reached at `at` (e.g. `expires in 30 days`).
    fn milestones_reached(&self, at: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
        Ok(self
            .inner
            .milestones_reached(pytime::from_py(at, "at")?)
            .iter()
            .map(ToString::to_string)
            .collect())
    }
    fn is_feature_enabled(&self, name: &str, at: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.inner.features().is_enabled(name, pytime::from_py(at, "at")?))
    }
    #[getter]
    fn id(&self) -> &str {
        self.inner.id()
    }
    #[getter]
    fn product(&self) -> &str {
        self.inner.product()
    }
    #[getter]
    fn licensee(&self) -> &str {
        &self.inner.licensee().name
    }
    #[getter]
    fn organisation(&self) -> Option<&str> {
        self.inner.licensee().organisation.as_deref()
    }
    #[getter]
    fn email(&self) -> Option<&str> {
        self.inner.licensee().email.as_deref()
    }
    #[getter]
    fn issued_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        pytime::to_py(py, self.inner.issued_at())
    }
    #[getter]
    fn expires_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        pytime::opt_to_py(py, self.inner.expires_at())
    }
    #[getter]
    fn grace_days(&self) -> u32 {
        self.inner.expiry_policy().grace_days
    }
    #[getter]
    fn warning_days(&self) -> Vec<u32> {
        self.inner.expiry_policy().warning_days.clone()
    }
    #[getter]
    fn features(&self) -> BTreeMap<String, PyFeature> {
        self.inner.features().iter().map(|(n, f)| (n.to_owned(), PyFeature(*f))).collect()
    }
    /// The counted limit, or `None` for a site license.
    #[getter]
    fn actioned_limit(&self) -> Option<u64> {
        self.inner.actioned_limit().counted()
    }
    #[getter]
    fn binding(&self) -> Option<PyInstanceBinding> {
        self.inner.binding().cloned().map(PyInstanceBinding)
    }
    #[getter]
    fn attributes(&self) -> BTreeMap<String, String> {
        self.inner.attributes().clone()
    }
    /// The key that verified this license (`None` if it was not read from
    /// a verified document).
    #[getter]
    fn key_id(&self) -> Option<PyKeyId> {
        self.key_id.map(PyKeyId)
    }
    /// SHA-256 (hex) of the verified document's signed content.
    #[getter]
    fn signed_sha256(&self) -> Option<String> {
        self.sha256_hex.clone()
    }
    fn to_table(&self) -> String {
        self.inner.to_table()
    }
    /// A one-page PDF certificate of this verified license (`paper`: `a4`
    /// or `letter`); a license not read from verified XML is a ValueError.
    #[pyo3(signature = (vendor, *, signed_file_name = "license.xml".to_owned(), paper = "a4"))]
    fn certificate_pdf<'py>(
        &self,
        py: Python<'py>,
        vendor: String,
        signed_file_name: String,
        paper: &str,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let (Some(key_id), Some(signed_sha256)) = (self.key_id, self.sha256) else {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "a certificate is issued for a verified license (License.from_signed_xml)",
            ));
        };
        let paper = match paper {
            "a4" => license_core::certificate::PaperSize::A4,
            "letter" => license_core::certificate::PaperSize::Letter,
            other => {
                return Err(crate::errors::to_py(license_core::Error::new(
                    license_core::ErrorKind::InvalidArgument,
                    format!("paper `{other}`: expected a4 or letter"),
                )))
            }
        };
        let info = license_core::certificate::CertificateInfo {
            vendor,
            paper,
            signed_sha256,
            vendor_key_id: key_id.to_string(),
            licensee: None,
            signed_file_name,
        };
        let lic = &self.inner;
        let pdf = py.detach(|| license_core::certificate::LicenseCertificate::render(lic, &info));
        Ok(PyBytes::new(py, &pdf))
    }
    fn __str__(&self) -> String {
        self.inner.to_table()
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.extract::<PyRef<'_, PyLicense>>().is_ok_and(|o| o.inner == self.inner)
    }
    fn __repr__(&self) -> String {
        let exp = self.inner.expires_at().map_or_else(|| "None".into(), |t| format!("'{}'", pytime::text(t)));
        format!(
            "License(id={:?}, product={:?}, licensee={:?}, expires_at={}, limit={}, verified={})",
            self.inner.id(),
            self.inner.product(),
            self.inner.licensee().name,
            exp,
            self.inner.actioned_limit().counted().map_or_else(|| "None".to_owned(), |n| n.to_string()),
            if self.key_id.is_some() { "True" } else { "False" }
        )
    }
}

/// Builds a license; every setter returns the builder, `build()` checks.
#[pyclass(module = "license_core._native", name = "LicenseBuilder")]
pub(crate) struct PyLicenseBuilder {
    inner: LicenseBuilder,
}

impl PyLicenseBuilder {
    fn with(
        mut slf: PyRefMut<'_, Self>,
        f: impl FnOnce(LicenseBuilder) -> LicenseBuilder,
    ) -> PyRefMut<'_, Self> {
        let b = slf.inner.clone();
        slf.inner = f(b);
        slf
    }
}

#[pymethods]
impl PyLicenseBuilder {
    #[new]
    fn new(id: String, product: String, issued_at: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(PyLicenseBuilder {
            inner: License::builder(id, product, pytime::from_py(issued_at, "issued_at")?),
        })
    }
    fn licensee(slf: PyRefMut<'_, Self>, name: String) -> PyRefMut<'_, Self> {
        Self::with(slf, |b| b.licensee(name))
    }
    fn organisation(slf: PyRefMut<'_, Self>, organisation: String) -> PyRefMut<'_, Self> {
        Self::with(slf, |b| b.organisation(organisation))
    }
    fn email(slf: PyRefMut<'_, Self>, email: String) -> PyRefMut<'_, Self> {
        Self::with(slf, |b| b.email(email))
    }
    fn expires_at<'py>(slf: PyRefMut<'py, Self>, at: &Bound<'_, PyAny>) -> PyResult<PyRefMut<'py, Self>> {
        let at = pytime::from_py(at, "expires_at")?;
        Ok(Self::with(slf, |b| b.expires_at(at)))
    }
    fn perpetual(slf: PyRefMut<'_, Self>) -> PyRefMut<'_, Self> {
        Self::with(slf, |b| b.perpetual())
    }
    #[pyo3(signature = (grace_days, warning_days = None))]
    fn expiry_policy(
        slf: PyRefMut<'_, Self>,
        grace_days: u32,
        warning_days: Option<Vec<u32>>,
    ) -> PyRefMut<'_, Self> {
        let mut policy = ExpiryPolicy { grace_days, ..ExpiryPolicy::default() };
        if let Some(w) = warning_days {
            policy.warning_days = w;
        }
        Self::with(slf, |b| b.expiry_policy(policy))
    }
    #[pyo3(signature = (name, feature = None))]
    fn feature<'py>(slf: PyRefMut<'py, Self>, name: &str, feature: Option<PyFeature>) -> PyRefMut<'py, Self> {
        let f = feature.map_or_else(Feature::enabled, |f| f.0);
        Self::with(slf, |b| b.feature(name, f))
    }
    fn without_feature<'py>(slf: PyRefMut<'py, Self>, name: &str) -> PyRefMut<'py, Self> {
        Self::with(slf, |b| b.without_feature(name))
    }
    /// A counted limit, or `None` for a site license.
    fn actioned_limit(slf: PyRefMut<'_, Self>, limit: Option<u64>) -> PyRefMut<'_, Self> {
        Self::with(slf, |b| b.actioned_limit(limit_from(limit)))
    }
    fn binding(slf: PyRefMut<'_, Self>, binding: PyInstanceBinding) -> PyRefMut<'_, Self> {
        Self::with(slf, |b| b.binding(binding.0))
    }
    fn attribute(slf: PyRefMut<'_, Self>, name: String, value: String) -> PyRefMut<'_, Self> {
        Self::with(slf, |b| b.attribute(name, value))
    }
    /// Checks every field and returns the license.
    fn build(&self) -> PyResult<PyLicense> {
        self.inner.clone().build().lc().map(PyLicense::plain)
    }
    fn __repr__(&self) -> String {
        "LicenseBuilder(...)".to_owned()
    }
}

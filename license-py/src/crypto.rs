//! Signing keys, verifying keys, key ids and the trusted-key set.

use license_core::{KeyId, SigningKey, TrustedKeys, VerifyingKey};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors::Lc;
use crate::util::bytes_or_str;

/// A key's id: the SHA-256 of its public key (SPKI DER), as 64 hex digits.
#[pyclass(frozen, eq, hash, module = "license_core._native", name = "KeyId")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyKeyId(pub(crate) KeyId);

#[pymethods]
impl PyKeyId {
    #[new]
    fn new(text: &str) -> PyResult<Self> {
        text.parse().map(PyKeyId).lc()
    }
    fn __str__(&self) -> String {
        self.0.to_string()
    }
    fn __repr__(&self) -> String {
        format!("KeyId('{}')", self.0)
    }
    fn __bytes__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.0.as_bytes())
    }
}

/// A signing key, RSA or ECDSA P-256 (the vendor's, or an installation's
/// for usage logs).
#[pyclass(frozen, module = "license_core._native", name = "SigningKey")]
pub(crate) struct PySigningKey(pub(crate) SigningKey);

#[pymethods]
impl PySigningKey {
    /// A new key from the OS generator (RSA generation is slow: the GIL is
    /// released meanwhile).
    #[staticmethod]
    #[pyo3(signature = (bits = license_core::crypto::DEFAULT_KEY_BITS))]
    fn generate(py: Python<'_>, bits: usize) -> PyResult<Self> {
        py.detach(|| SigningKey::generate(bits, &mut rand::rngs::OsRng)).lc().map(PySigningKey)
    }
    /// A new ECDSA P-256 key from the OS generator.
    #[staticmethod]
    fn generate_p256() -> PyResult<Self> {
        SigningKey::generate_p256(&mut rand::rngs::OsRng).lc().map(PySigningKey)
    }
    /// Reads PKCS#8 (RSA or EC P-256) or SEC1 `EC PRIVATE KEY`, PEM (text
    /// or bytes) or DER.
    #[staticmethod]
    fn from_pem(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        SigningKey::from_private_key_bytes(&bytes_or_str(data)?).lc().map(PySigningKey)
    }
    fn to_pem(&self) -> PyResult<String> {
        self.0.to_pkcs8_pem().lc()
    }
    fn to_der<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &self.0.to_pkcs8_der().lc()?))
    }
    #[getter]
    fn verifying_key(&self) -> PyVerifyingKey {
        PyVerifyingKey(self.0.verifying_key().clone())
    }
    #[getter]
    fn key_id(&self) -> PyKeyId {
        PyKeyId(self.0.key_id())
    }
    #[getter]
    fn bits(&self) -> usize {
        self.0.bits()
    }
    /// `"RSA"` or `"P-256"`.
    #[getter]
    fn key_type(&self) -> &'static str {
        self.0.key_type().name()
    }
    fn __repr__(&self) -> String {
        format!(
            "SigningKey(type='{}', bits={}, key_id='{}')",
            self.0.key_type(),
            self.0.bits(),
            self.0.key_id()
        )
    }
}

/// A public key (RSA or ECDSA P-256) that signatures are checked against.
#[pyclass(frozen, module = "license_core._native", name = "VerifyingKey")]
#[derive(Clone)]
pub(crate) struct PyVerifyingKey(pub(crate) VerifyingKey);

#[pymethods]
impl PyVerifyingKey {
    /// Reads an SPKI public key, PEM (text or bytes) or DER.
    #[staticmethod]
    fn from_pem(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        VerifyingKey::from_public_key_bytes(&bytes_or_str(data)?).lc().map(PyVerifyingKey)
    }
    fn to_pem(&self) -> String {
        self.0.to_public_key_pem()
    }
    fn to_der<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.to_public_key_der())
    }
    #[getter]
    fn key_id(&self) -> PyKeyId {
        PyKeyId(self.0.key_id())
    }
    #[getter]
    fn bits(&self) -> usize {
        self.0.bits()
    }
    /// `"RSA"` or `"P-256"`.
    #[getter]
    fn key_type(&self) -> &'static str {
        self.0.key_type().name()
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.extract::<PyRef<'_, PyVerifyingKey>>().is_ok_and(|o| o.0.key_id() == self.0.key_id())
    }
    fn __hash__(&self) -> u64 {
        let b = self.0.key_id();
        u64::from_le_bytes(b.as_bytes()[..8].try_into().unwrap_or_default())
    }
    fn __repr__(&self) -> String {
        format!(
            "VerifyingKey(type='{}', bits={}, key_id='{}')",
            self.0.key_type(),
            self.0.bits(),
            self.0.key_id()
        )
    }
}

/// The public keys a document may be signed with (several during a key
/// rotation).
#[pyclass(module = "license_core._native", name = "TrustedKeys")]
#[derive(Clone)]
pub(crate) struct PyTrustedKeys(pub(crate) TrustedKeys);

#[pymethods]
impl PyTrustedKeys {
    #[new]
    #[pyo3(signature = (keys = Vec::new()))]
    fn new(keys: Vec<PyRef<'_, PyVerifyingKey>>) -> Self {
        PyTrustedKeys(keys.iter().map(|k| k.0.clone()).collect())
    }
    /// Trusts `key`; returns its id.
    fn add(&mut self, key: &PyVerifyingKey) -> PyKeyId {
        PyKeyId(self.0.insert(key.0.clone()))
    }
    fn key_ids(&self) -> Vec<PyKeyId> {
        self.0.iter().map(|(id, _)| PyKeyId(*id)).collect()
    }
    fn get(&self, key_id: &PyKeyId) -> Option<PyVerifyingKey> {
        self.0.get(&key_id.0).cloned().map(PyVerifyingKey)
    }
    fn __len__(&self) -> usize {
        self.0.len()
    }
    fn __contains__(&self, item: &Bound<'_, PyAny>) -> bool {
        if let Ok(id) = item.extract::<PyRef<'_, PyKeyId>>() {
            return self.0.get(&id.0).is_some();
        }
        item.extract::<PyRef<'_, PyVerifyingKey>>().is_ok_and(|k| self.0.get(&k.0.key_id()).is_some())
    }
    fn __repr__(&self) -> String {
        let ids: Vec<String> = self.0.iter().map(|(id, _)| format!("'{}'", id)).collect();
        format!("TrustedKeys([{}])", ids.join(", "))
    }
}

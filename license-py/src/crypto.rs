//! Signing keys, verifying keys, key ids and the trusted-key set.

use std::path::PathBuf;

use license_core::crypto::pkcs11::{Pin, Pkcs11Signer, TokenKeySpec};
use license_core::crypto::{SignatureAlgorithm, Signer};
use license_core::{KeyId, SigningKey, TrustedKeys, VerifyingKey};
use pyo3::exceptions::{PyTypeError, PyValueError};
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

/// A signing key that stays in a PKCS#11 token (an HSM, SoftHSM2): the
/// token signs, and the key cannot be read out.
#[pyclass(frozen, module = "license_core._native", name = "Pkcs11Signer")]
pub(crate) struct PyPkcs11Signer(pub(crate) Pkcs11Signer);

/// The PIN given, or the one in the environment (`LICENSECTL_PKCS11_PIN`,
/// or the file `LICENSECTL_PKCS11_PIN_FILE` names).
fn pin(pin: Option<&str>) -> PyResult<Pin> {
    match pin {
        Some(p) => Pin::new(p).lc(),
        None => Pin::from_env().lc(),
    }
}

#[pymethods]
impl PyPkcs11Signer {
    /// Opens the key labelled `key` in the token labelled `token` through
    /// the PKCS#11 `module` (a shared library path); `pin=None` reads it
    /// from the environment. The GIL is released while the token answers.
    #[new]
    #[pyo3(signature = (module, token, key, pin = None))]
    fn new(py: Python<'_>, module: PathBuf, token: &str, key: &str, pin: Option<&str>) -> PyResult<Self> {
        let pin = self::pin(pin)?;
        py.detach(|| Pkcs11Signer::open(&module, token, key, &pin)).lc().map(PyPkcs11Signer)
    }
    /// Makes a key pair in the token (sensitive, not extractable, sign
    /// only) and opens it. `alg`: `rsa2048`, `rsa3072`, `rsa4096` or `p256`.
    #[staticmethod]
    #[pyo3(signature = (module, token, key, alg = "rsa3072", pin = None))]
    fn generate(
        py: Python<'_>,
        module: PathBuf,
        token: &str,
        key: &str,
        alg: &str,
        pin: Option<&str>,
    ) -> PyResult<Self> {
        let spec = match alg {
            "rsa2048" => TokenKeySpec::Rsa { bits: 2048 },
            "rsa3072" => TokenKeySpec::Rsa { bits: 3072 },
            "rsa4096" => TokenKeySpec::Rsa { bits: 4096 },
            "p256" => TokenKeySpec::P256,
            other => {
                return Err(PyValueError::new_err(format!(
                    "alg `{}` is not rsa2048, rsa3072, rsa4096 or p256",
                    license_core::Error::escape_controls(other)
                )))
            }
        };
        let pin = self::pin(pin)?;
        py.detach(|| Pkcs11Signer::generate(&module, token, key, &pin, spec)).lc().map(PyPkcs11Signer)
    }
    /// The public key as SPKI PEM, what verifiers are given.
    fn public_key_pem(&self) -> String {
        self.0.public_key_pem()
    }
    #[getter]
    fn key_id(&self) -> PyKeyId {
        PyKeyId(self.0.key_id())
    }
    /// `RSA-3072`, `EC P-256`, ...
    #[getter]
    fn kind(&self) -> String {
        self.0.spec().to_string()
    }
    #[getter]
    fn token(&self) -> &str {
        self.0.token_label()
    }
    #[getter]
    fn label(&self) -> &str {
        self.0.key_label()
    }
    fn __repr__(&self) -> String {
        format!(
            "Pkcs11Signer(token='{}', key='{}', kind='{}', key_id='{}')",
            license_core::Error::escape_controls(self.0.token_label()),
            license_core::Error::escape_controls(self.0.key_label()),
            self.0.spec(),
            self.0.key_id()
        )
    }
}

/// A key passed to a signing method: a `SigningKey` or a `Pkcs11Signer`.
/// Holds plain references so that signing can run without the GIL.
pub(crate) enum AnySigner<'a> {
    File(&'a SigningKey),
    Token(&'a Pkcs11Signer),
}

impl<'a> AnySigner<'a> {
    pub(crate) fn extract(key: &'a Bound<'_, PyAny>) -> PyResult<AnySigner<'a>> {
        if let Ok(k) = key.cast::<PySigningKey>() {
            return Ok(AnySigner::File(&k.get().0));
        }
        if let Ok(k) = key.cast::<PyPkcs11Signer>() {
            return Ok(AnySigner::Token(&k.get().0));
        }
        Err(PyTypeError::new_err("key must be a SigningKey or a Pkcs11Signer"))
    }

    fn signer(&self) -> &dyn Signer {
        match self {
            AnySigner::File(k) => *k,
            AnySigner::Token(k) => *k,
        }
    }
}

impl Signer for AnySigner<'_> {
    fn key_id(&self) -> KeyId {
        self.signer().key_id()
    }
    fn algorithms(&self) -> &[SignatureAlgorithm] {
        self.signer().algorithms()
    }
    fn sign(&self, algorithm: SignatureAlgorithm, message: &[u8]) -> license_core::Result<Vec<u8>> {
        self.signer().sign(algorithm, message)
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

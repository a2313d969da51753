//! Core errors become exceptions of the `license_core.LicenseError` family.
//!
//! The classes live in Python (`license_core/_errors.py`): with abi3 an
//! extension cannot subclass exceptions, so the native side asks the Python
//! module for the instance of the right family and raises that.

use license_core::{Error, ErrorKind};
use pyo3::prelude::*;

/// Turns a core error into the family exception (kind, code, detail set).
pub(crate) fn to_py(e: Error) -> PyErr {
    Python::attach(|py| build(py, &e).unwrap_or_else(|err| err))
}

fn build(py: Python<'_>, e: &Error) -> PyResult<PyErr> {
    let kind = e.kind();
    let family = format!("{:?}", kind.family());
    let factory = py.import("license_core._errors")?.getattr("_from_native")?;
    let exc = factory.call1((family, kind.name(), kind.code(), e.to_string(), e.detail()))?;
    Ok(PyErr::from_value(exc))
}

/// `Result` of the core into `PyResult`.
pub(crate) trait Lc<T> {
    fn lc(self) -> PyResult<T>;
}

impl<T> Lc<T> for license_core::Result<T> {
    fn lc(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}

/// Every error kind as `(code, name, family, message)`, in code order; the
/// Python package builds its kind tables from this, so they cannot drift.
#[pyfunction]
pub(crate) fn error_kinds() -> Vec<(u32, &'static str, String, &'static str)> {
    ErrorKind::ALL.iter().map(|k| (k.code(), k.name(), format!("{:?}", k.family()), k.message())).collect()
}

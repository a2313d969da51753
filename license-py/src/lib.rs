//! Python bindings of license-core: the native module `license_core._native`.
//! This first cut exposes the version; the classes come with the Python issue.

use pyo3::prelude::*;

/// The native module.
#[pymodule(gil_used = false)]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", license_core::VERSION)?;
    Ok(())
}

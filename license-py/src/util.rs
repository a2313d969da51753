//! Small argument helpers shared by the classes.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyString};

/// `bytes`, `bytearray`, `memoryview` or `str` (UTF-8) as bytes.
pub(crate) fn bytes_or_str(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_str()?.as_bytes().to_vec());
    }
    bytes_like(obj)
}

/// `bytes`, `bytearray` or any contiguous byte buffer as bytes.
pub(crate) fn bytes_like(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(b.to_vec());
    }
    match pyo3::buffer::PyBuffer::<u8>::get(obj) {
        Ok(buf) => buf.to_vec(obj.py()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "expected bytes, bytearray or a byte buffer, got {}",
            obj.get_type().name()?
        ))),
    }
}

/// A Python repr of an optional string.
pub(crate) fn opt_repr(s: Option<&str>) -> String {
    s.map_or_else(|| "None".to_owned(), |s| format!("{s:?}"))
}

/// A dict in the given order (categories keep the design table's order).
pub(crate) fn ordered_dict<'py>(
    py: Python<'py>,
    items: impl IntoIterator<Item = (&'static str, u64)>,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in items {
        d.set_item(k, v)?;
    }
    Ok(d)
}

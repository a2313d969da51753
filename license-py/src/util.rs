//! Small argument helpers shared by the classes.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString};

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

//! Ids from Python: any buffer of uint32 without a Python loop, or an
//! iterable of ints as the fallback.

use pyo3::buffer::PyBuffer;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString};

/// The ids in `obj`: a buffer whose items are unsigned 32-bit integers
/// (`array('I')`, a numpy `uint32` array, `memoryview(b).cast('I')`), copied
/// in one step; any other buffer is a `TypeError` naming its format and
/// item size (raw `bytes` has item size 1, so it is refused rather than
/// guessed at); anything else is iterated as ints.
pub(crate) fn extract_ids(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u32>> {
    let py = obj.py();
    if obj.cast::<PyString>().is_ok() {
        return Err(PyTypeError::new_err("ids: expected a uint32 buffer or an iterable of ints, got str"));
    }
    if obj.cast::<PyBytes>().is_ok() || obj.cast::<PyByteArray>().is_ok() {
        return Err(PyTypeError::new_err(
            "ids: bytes have item size 1, not 4; pass memoryview(data).cast('I') for packed uint32 ids",
        ));
    }
    match PyBuffer::<u32>::get(obj) {
        Ok(buf) => return buf.to_vec(py),
        Err(_) => {
            // A buffer of another item type is a caller's mistake worth
            // naming; an object without the buffer protocol is iterated.
            if let Ok(view) = py.import("builtins")?.getattr("memoryview")?.call1((obj,)) {
                let format: String = view.getattr("format")?.extract()?;
                let itemsize: usize = view.getattr("itemsize")?.extract()?;
                return Err(PyTypeError::new_err(format!(
                    "ids: a buffer of format {format:?} with item size {itemsize}; \
                     expected unsigned 32-bit items (format 'I', item size 4)"
                )));
            }
        }
    }
    let mut ids = Vec::with_capacity(obj.len().unwrap_or(0));
    for item in obj.try_iter()? {
        ids.push(item?.extract::<u32>()?);
    }
    Ok(ids)
}

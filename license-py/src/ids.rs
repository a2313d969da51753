//! Ids from Python: any buffer of uint32 without a Python loop, or an
//! iterable of ints as the fallback.

use pyo3::buffer::PyBuffer;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString};

/// Ids borrowed from a contiguous uint32 buffer, or copied into a vector.
pub(crate) enum Ids {
    /// A C-contiguous buffer, read in place (no copy).
    Buffer(PyBuffer<u32>),
    /// Ids from an iterable or a strided buffer.
    Owned(Vec<u32>),
}

impl Ids {
    /// Runs `f` on the ids as a slice; callable with the GIL released.
    pub(crate) fn with_slice<R>(&self, f: impl FnOnce(&[u32]) -> R) -> R {
        match self {
            Ids::Owned(v) => f(v),
            Ids::Buffer(buf) => {
                let len = buf.item_count();
                if len == 0 {
                    return f(&[]);
                }
                // SAFETY: `buf` holds the exporter's buffer (a Py_buffer
                // export) until it is dropped, after `f` returns, so the
                // memory stays allocated and unresized; it is C-contiguous,
                // its format is checked to be u32 with item size 4 by
                // `PyBuffer::<u32>::get`, and the exporter guarantees
                // alignment for that format. As with numpy's own nogil
                // operations, the caller must not mutate the array from
                // another thread during the call.
                let ids = unsafe { std::slice::from_raw_parts(buf.buf_ptr() as *const u32, len) };
                f(ids)
            }
        }
    }

    /// The ids as an owned vector.
    pub(crate) fn into_vec(self, py: Python<'_>) -> PyResult<Vec<u32>> {
        match self {
            Ids::Owned(v) => Ok(v),
            Ids::Buffer(buf) => buf.to_vec(py),
        }
    }
}

/// The ids in `obj` as a vector (see [`borrow_ids`]).
pub(crate) fn extract_ids(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u32>> {
    borrow_ids(obj)?.into_vec(obj.py())
}

/// The ids in `obj`: a buffer whose items are unsigned 32-bit integers
/// (`array('I')`, a numpy `uint32` array, `memoryview(b).cast('I')`), copied
/// or read in place; any other buffer is a `TypeError` naming its format and
/// item size (raw `bytes` has item size 1, so it is refused rather than
/// guessed at); anything else is iterated as ints.
pub(crate) fn borrow_ids(obj: &Bound<'_, PyAny>) -> PyResult<Ids> {
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
        Ok(buf)
            if buf.is_c_contiguous()
                && (buf.buf_ptr() as usize).is_multiple_of(std::mem::align_of::<u32>()) =>
        {
            return Ok(Ids::Buffer(buf))
        }
        Ok(buf) => return buf.to_vec(py).map(Ids::Owned),
        Err(_) => {
            // A buffer of another item type is a caller's mistake worth
            // naming; an object without the buffer protocol is iterated.
            if let Ok(view) = py.import("builtins")?.getattr("memoryview")?.call1((obj,)) {
                let format: String = view.getattr("format")?.extract()?;
                let itemsize: usize = view.getattr("itemsize")?.extract()?;
                if itemsize == 4 && matches!(format.as_str(), "I" | "@I" | "=I" | "L" | "@L" | "=L") {
                    // Native uint32 the typed view refused: unaligned memory.
                    // Copied byte-wise instead of read in place.
                    let bytes: Vec<u8> = view.call_method0("tobytes")?.extract()?;
                    let ids = bytes.chunks_exact(4).map(|c| u32::from_ne_bytes([c[0], c[1], c[2], c[3]]));
                    return Ok(Ids::Owned(ids.collect()));
                }
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
    Ok(Ids::Owned(ids))
}

//! Crossing the boundary: borrowed inputs (pointer + length), outputs
//! through out-parameters, caller buffers, owned `lc_bytes`, and the
//! handle conversions. Every `unsafe` block of the crate that touches a
//! caller pointer goes through here.

use std::ffi::c_char;

use time::OffsetDateTime;

use crate::status::{fail, lc_status};

/// Owned bytes returned by the library (a document, JSON, a table, an
/// encoded id set). Read them with `lc_bytes_data`/`lc_bytes_len`; release
/// them with `lc_bytes_free`.
#[allow(non_camel_case_types)]
pub struct lc_bytes {
    _private: [u8; 0],
}

/// The Rust value behind each opaque handle type.
pub(crate) trait Handle {
    /// What the handle owns.
    type Inner;
}

impl Handle for lc_bytes {
    /// The bytes plus one NUL not counted in the length (so text can be
    /// printed directly).
    type Inner = Vec<u8>;
}

/// Moves `value` to the heap and returns it as an opaque handle.
pub(crate) fn into_handle<H: Handle>(value: H::Inner) -> *mut H {
    Box::into_raw(Box::new(value)).cast()
}

/// Borrows the value behind a handle; `None` for NULL.
///
/// # Safety
/// `ptr` is NULL or was returned by [`into_handle`] for `H` and not freed.
pub(crate) unsafe fn handle_ref<'a, H: Handle>(ptr: *const H) -> Option<&'a H::Inner> {
    // SAFETY: per the contract, a non-null ptr points to a live H::Inner.
    unsafe { ptr.cast::<H::Inner>().as_ref() }
}

/// Borrows the value behind a handle mutably; `None` for NULL.
///
/// # Safety
/// As [`handle_ref`], and no other reference to it is live.
pub(crate) unsafe fn handle_mut<'a, H: Handle>(ptr: *mut H) -> Option<&'a mut H::Inner> {
    // SAFETY: per the contract, a non-null ptr points to a live H::Inner.
    unsafe { ptr.cast::<H::Inner>().as_mut() }
}

/// Frees a handle; NULL is a no-op.
///
/// # Safety
/// `ptr` is NULL or was returned by [`into_handle`] for `H` and not freed.
pub(crate) unsafe fn free_handle<H: Handle>(ptr: *mut H) {
    if !ptr.is_null() {
        // SAFETY: per the contract, ptr came from Box::into_raw of H::Inner.
        drop(unsafe { Box::from_raw(ptr.cast::<H::Inner>()) });
    }
}

/// Wraps owned bytes as an `lc_bytes` handle, with a NUL after them.
pub(crate) fn bytes_handle(mut bytes: Vec<u8>) -> *mut lc_bytes {
    bytes.push(0);
    into_handle::<lc_bytes>(bytes)
}

/// Borrows `len` bytes at `ptr`; NULL is accepted only with `len == 0`.
///
/// # Safety
/// A non-null `ptr` points to `len` readable bytes that outlive the call.
pub(crate) unsafe fn slice<'a, T>(ptr: *const T, len: usize) -> Option<&'a [T]> {
    if ptr.is_null() {
        return if len == 0 { Some(&[]) } else { None };
    }
    // SAFETY: per the contract, ptr points to len initialised elements.
    Some(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Copies `text` and a NUL into `buf` (of `len` bytes) and its length into
/// `*written`; when it does not fit, writes the size needed to `*written`
/// and leaves `buf` alone.
///
/// # Safety
/// `written` is valid for writes; `buf` is valid for `len` bytes of writes
/// (or NULL with `len == 0`).
pub(crate) unsafe fn copy_text(text: &[u8], buf: *mut c_char, len: usize, written: *mut usize) -> lc_status {
    // SAFETY: the same contract, passed on.
    let status = unsafe { copy_text_unrecorded(text, buf, len, written) };
    if status == lc_status::BufferTooSmall {
        return fail(status, format!("the buffer has {len} bytes; {} are needed", text.len() + 1));
    }
    status
}

/// [`copy_text`] without recording a failure message (for
/// `lc_last_error_message`, which must not replace what it reports).
///
/// # Safety
/// As [`copy_text`].
pub(crate) unsafe fn copy_text_unrecorded(
    text: &[u8],
    buf: *mut c_char,
    len: usize,
    written: *mut usize,
) -> lc_status {
    let needed = text.len() + 1;
    if len < needed {
        // SAFETY: written is valid per the contract.
        unsafe { *written = needed };
        return lc_status::BufferTooSmall;
    }
    // SAFETY: buf has room for needed bytes (checked) and does not overlap
    // text, which Rust owns.
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), text.len());
        *buf.add(text.len()) = 0;
        *written = text.len();
    }
    lc_status::Ok
}

/// Converts Unix seconds to a time, or fails with `LC_STATUS_INVALID_TIME`.
pub(crate) fn time_of(secs: i64, what: &str) -> Result<OffsetDateTime, lc_status> {
    OffsetDateTime::from_unix_timestamp(secs).map_err(|_| {
        fail(
            lc_status::from_kind(license_core::ErrorKind::InvalidTime),
            format!("`{what}`: {secs} is not a representable Unix time"),
        )
    })
}

/// Argument checks used at the top of function bodies; each returns the
/// failing status from the enclosing boundary closure.
macro_rules! arg {
    // A handle, borrowed.
    (ref $p:ident) => {
        // SAFETY: the caller passes a live handle of this type or NULL
        // (the documented contract of every function).
        match unsafe { $crate::io::handle_ref($p) } {
            Some(v) => v,
            None => return $crate::io::null_arg(stringify!($p)),
        }
    };
    // A handle, borrowed mutably.
    (mut $p:ident) => {
        // SAFETY: as above, and the caller does not use the handle from
        // another thread during the call.
        match unsafe { $crate::io::handle_mut($p) } {
            Some(v) => v,
            None => return $crate::io::null_arg(stringify!($p)),
        }
    };
    // Pointer + length input.
    (slice $p:ident, $len:ident) => {
        // SAFETY: the caller passes `$len` readable elements at `$p`.
        match unsafe { $crate::io::slice($p, $len) } {
            Some(v) => v,
            None => return $crate::io::null_arg(stringify!($p)),
        }
    };
    // Pointer + length UTF-8 text.
    (str $p:ident, $len:ident) => {{
        let bytes = $crate::io::arg!(slice $p, $len);
        match std::str::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => {
                return $crate::status::fail(
                    $crate::status::lc_status::InvalidUtf8,
                    format!("`{}` is not UTF-8: {e}", stringify!($p)),
                )
            }
        }
    }};
    // An out-parameter: checked non-NULL, written later with `put!`.
    (out $p:ident) => {
        if $p.is_null() {
            return $crate::io::null_arg(stringify!($p));
        }
    };
    // A time in Unix seconds.
    (time $t:ident) => {
        match $crate::io::time_of($t, stringify!($t)) {
            Ok(t) => t,
            Err(status) => return status,
        }
    };
}
pub(crate) use arg;

/// Writes an out-parameter already checked non-NULL by `arg!(out ..)`.
macro_rules! put {
    ($p:ident, $v:expr) => {{
        let value = $v;
        // SAFETY: `$p` was checked non-NULL at the top of the body and the
        // caller passes a pointer valid for one write.
        unsafe { $p.write(value) };
    }};
}
pub(crate) use put;

/// Unwraps a core result or returns its mapped status.
macro_rules! core {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(err) => return $crate::status::map_error(&err),
        }
    };
}
pub(crate) use core;

/// Fails with `LC_STATUS_NULL_PARAMETER` naming the argument.
pub(crate) fn null_arg(name: &str) -> lc_status {
    fail(lc_status::NullParameter, format!("argument `{name}` is NULL"))
}

/// The bytes' first byte, or NULL for NULL. The pointer stays valid until
/// `lc_bytes_free`; the bytes are followed by a NUL not counted in
/// `lc_bytes_len`, so text can be used as a C string.
#[no_mangle]
pub extern "C" fn lc_bytes_data(bytes: *const lc_bytes) -> *const u8 {
    crate::panic::ffi_panic_boundary! {
        // SAFETY: bytes is NULL or a live lc_bytes.
        unsafe { handle_ref(bytes) }.map_or(std::ptr::null(), |b: &Vec<u8>| b.as_ptr())
    }
}

/// The number of bytes (without the trailing NUL); 0 for NULL.
#[no_mangle]
pub extern "C" fn lc_bytes_len(bytes: *const lc_bytes) -> usize {
    crate::panic::ffi_panic_boundary! {
        // SAFETY: bytes is NULL or a live lc_bytes.
        unsafe { handle_ref(bytes) }.map_or(0, |b: &Vec<u8>| b.len() - 1)
    }
}

/// Releases bytes returned by the library. NULL is fine; do not call it
/// twice on the same pointer.
#[no_mangle]
pub extern "C" fn lc_bytes_free(bytes: *mut lc_bytes) {
    crate::panic::ffi_panic_boundary! {
        // SAFETY: bytes is NULL or a live lc_bytes, freed once.
        unsafe { free_handle(bytes) }
    }
}

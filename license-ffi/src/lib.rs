//! The C ABI of license-core (`include/license_core.h`).
//!
//! Conventions (after rustls-ffi): every exported function is a plain
//! `#[no_mangle] pub extern "C" fn lc_…` whose whole body runs inside
//! `ffi_panic_boundary!` (src/panic.rs), so no panic unwinds into C and cbindgen
//! sees every signature. Fallible functions return [`lc_status`] (0 = OK,
//! 1-99 the C layer's own failures, 100+ the core's `ErrorKind` codes);
//! outputs go through out-parameters written only on success; opaque
//! handles are created through out-parameters and released by their
//! `_free` function, which accepts NULL. Inputs are pointer + length, text
//! is UTF-8, times are Unix seconds (UTC).
//!
//! This crate may use `unsafe` (the core may not); every block is small
//! and says why it is sound.
#![deny(missing_docs)]
// Exported symbols follow C naming (`lc_license`, `lc_status`).
#![allow(non_camel_case_types)]
// Every exported function checks its raw pointers before use; the C
// contract, not Rust's type system, is what makes them valid.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

use std::ffi::c_char;

// cbindgen writes the header's functions in the order of these
// declarations, and rustfmt sorts only within a group: the groups keep the
// order the header had before the modules were named after the core's, so
// the header did not change.
mod instance;
mod interchange;

mod actioned;
mod io;

mod crypto;
mod license;

#[cfg(feature = "bench")]
pub mod bench;
mod keys;
mod panic;
mod status;
mod store;
mod usage;

pub use actioned::*;
pub use crypto::*;
pub use instance::*;
pub use interchange::*;
pub use io::{lc_bytes, lc_bytes_data, lc_bytes_free, lc_bytes_len};
pub use keys::*;
pub use license::*;
#[cfg(feature = "force-panic")]
pub use panic::force_next_panic;
pub use status::{lc_last_error_message, lc_status, lc_status_name};
pub use store::*;
pub use usage::*;

/// The library version as a NUL-terminated static string, e.g. `"0.1.0"`
/// (the same as `LC_VERSION_MAJOR.MINOR.PATCH` in the header). The pointer
/// is valid for the life of the program; do not free it.
#[no_mangle]
pub extern "C" fn lc_version() -> *const c_char {
    panic::ffi_panic_boundary! {
        concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_matches_the_core() {
        // SAFETY: lc_version returns a pointer to a static NUL-terminated string.
        let v = unsafe { std::ffi::CStr::from_ptr(lc_version()) };
        assert_eq!(v.to_str().unwrap(), license_core::VERSION);
    }
}

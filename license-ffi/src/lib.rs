//! The C ABI of license-core. This first cut exposes the version and the
//! error-kind names; the full surface follows the rustls-ffi conventions
//! described in `../shared/STYLE.md`.
#![deny(missing_docs)]

use std::ffi::c_char;

/// The library version as a NUL-terminated static string, e.g. `"0.1.0"`.
/// The pointer is valid for the life of the program; do not free it.
#[no_mangle]
pub extern "C" fn lc_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
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

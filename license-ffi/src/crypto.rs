//! Signing keys (vendor side), verifying keys and the trusted-key set.

use std::ffi::c_char;

use license_core::{KeyId, SigningKey, TrustedKeys, VerifyingKey};

use crate::io::{arg, bytes_handle, copy_text, core, free_handle, into_handle, lc_bytes, put, Handle};
use crate::panic::ffi_panic_boundary;
use crate::status::lc_status;

/// A private RSA signing key (the vendor's or an installation's).
#[allow(non_camel_case_types)]
pub struct lc_signing_key {
    _private: [u8; 0],
}
impl Handle for lc_signing_key {
    type Inner = SigningKey;
}

/// A set of trusted public keys, looked up by key id when verifying.
#[allow(non_camel_case_types)]
pub struct lc_trusted_keys {
    _private: [u8; 0],
}
impl Handle for lc_trusted_keys {
    type Inner = TrustedKeys;
}

/// Copies a key id's text form (base64url, 43 characters) into a buffer.
pub(crate) fn copy_key_id(id: KeyId, buf: *mut c_char, len: usize, written: *mut usize) -> lc_status {
    // SAFETY: the callers checked `written` non-NULL and pass buf/len as
    // documented on the public function.
    unsafe { copy_text(id.to_string().as_bytes(), buf, len, written) }
}

/// Reads a PKCS#8 private key (PEM or DER) from `data[0..len]`. A valid
/// RSA key the constant-time signer cannot use (not 2048, 3072 or 4096
/// bits, or a public exponent under 65537) is
/// `LC_STATUS_UNSUPPORTED_SIGNING_KEY`.
///
/// On success `*out` receives a new key, owned by the caller and released
/// with `lc_signing_key_free`; on failure `*out` is not written. `data` may
/// be NULL only if `len` is 0; `out` must not be NULL.
#[no_mangle]
pub extern "C" fn lc_signing_key_from_bytes(
    data: *const u8,
    len: usize,
    out: *mut *mut lc_signing_key,
) -> lc_status {
    ffi_panic_boundary! {
        let data = arg!(slice data, len);
        arg!(out out);
        let key = core!(SigningKey::from_pkcs8_bytes(data));
        put!(out, into_handle(key));
        lc_status::Ok
    }
}

/// Copies the key id (its text form: unpadded base64url of the SHA-256 of
/// the public key's DER, 43 characters) into `buf` with
/// a NUL; see `lc_last_error_message` for the buffer contract. `key` and
/// `written` must not be NULL.
#[no_mangle]
pub extern "C" fn lc_signing_key_id(
    key: *const lc_signing_key,
    buf: *mut c_char,
    len: usize,
    written: *mut usize,
) -> lc_status {
    ffi_panic_boundary! {
        let key = arg!(ref key);
        arg!(out written);
        if buf.is_null() && len > 0 {
            return crate::io::null_arg("buf");
        }
        copy_key_id(key.key_id(), buf, len, written)
    }
}

/// The key's public half as PEM (SPKI), in new `lc_bytes` written to
/// `*out` on success. `key` and `out` must not be NULL.
#[no_mangle]
pub extern "C" fn lc_signing_key_public_pem(
    key: *const lc_signing_key,
    out: *mut *mut lc_bytes,
) -> lc_status {
    ffi_panic_boundary! {
        let key = arg!(ref key);
        arg!(out out);
        put!(out, bytes_handle(key.verifying_key().to_public_key_pem().into_bytes()));
        lc_status::Ok
    }
}

/// Releases a signing key. NULL is fine; do not call it twice.
#[no_mangle]
pub extern "C" fn lc_signing_key_free(key: *mut lc_signing_key) {
    ffi_panic_boundary! {
        // SAFETY: key is NULL or a live lc_signing_key, freed once.
        unsafe { free_handle(key) }
    }
}

/// Creates an empty trusted-key set in `*out` (owned by the caller,
/// released with `lc_trusted_keys_free`). `out` must not be NULL.
#[no_mangle]
pub extern "C" fn lc_trusted_keys_new(out: *mut *mut lc_trusted_keys) -> lc_status {
    ffi_panic_boundary! {
        arg!(out out);
        put!(out, into_handle(TrustedKeys::new()));
        lc_status::Ok
    }
}

/// Reads a public key (SPKI PEM or DER) from `data[0..len]` and adds it to
/// `keys`. Keys under 2048 bits are refused (`LC_STATUS_KEY_TOO_SMALL`).
/// On failure the set is unchanged. `keys` must not be NULL; `data` may be
/// NULL only if `len` is 0.
#[no_mangle]
pub extern "C" fn lc_trusted_keys_add(keys: *mut lc_trusted_keys, data: *const u8, len: usize) -> lc_status {
    ffi_panic_boundary! {
        let keys = arg!(mut keys);
        let data = arg!(slice data, len);
        let key = core!(VerifyingKey::from_public_key_bytes(data));
        keys.insert(key);
        lc_status::Ok
    }
}

/// The number of keys in the set; 0 for NULL.
#[no_mangle]
pub extern "C" fn lc_trusted_keys_len(keys: *const lc_trusted_keys) -> usize {
    ffi_panic_boundary! {
        // SAFETY: keys is NULL or a live lc_trusted_keys.
        unsafe { crate::io::handle_ref(keys) }.map_or(0, TrustedKeys::len)
    }
}

/// Releases a trusted-key set. NULL is fine; do not call it twice.
#[no_mangle]
pub extern "C" fn lc_trusted_keys_free(keys: *mut lc_trusted_keys) {
    ffi_panic_boundary! {
        // SAFETY: keys is NULL or a live lc_trusted_keys, freed once.
        unsafe { free_handle(keys) }
    }
}

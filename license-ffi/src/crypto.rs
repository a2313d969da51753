//! Signing keys (vendor side), verifying keys and the trusted-key set.

use std::ffi::c_char;

use license_core::crypto::pkcs11::{Pin, Pkcs11Signer};
use license_core::crypto::{KeyType, SignatureAlgorithm, Signer};
use license_core::{KeyId, SigningKey, TrustedKeys, VerifyingKey};

use crate::io::{arg, bytes_handle, copy_text, core, free_handle, into_handle, lc_bytes, put, Handle};
use crate::panic::ffi_panic_boundary;
use crate::status::lc_status;

/// A signing key (the vendor's or an installation's): an RSA or ECDSA
/// P-256 key read from its private-key bytes, or a key that stays in a
/// PKCS#11 token. Every function that signs takes either.
#[allow(non_camel_case_types)]
pub struct lc_signing_key {
    _private: [u8; 0],
}
impl Handle for lc_signing_key {
    type Inner = AnySigner;
}

/// What an `lc_signing_key` holds.
pub(crate) enum AnySigner {
    /// A key in this process's memory.
    File(SigningKey),
    /// A key in a PKCS#11 token.
    Token(Pkcs11Signer),
}

impl AnySigner {
    fn signer(&self) -> &dyn Signer {
        match self {
            AnySigner::File(key) => key,
            AnySigner::Token(key) => key,
        }
    }

    fn public_key_pem(&self) -> String {
        match self {
            AnySigner::File(key) => key.verifying_key().to_public_key_pem(),
            AnySigner::Token(key) => key.public_key_pem(),
        }
    }

    fn key_type(&self) -> KeyType {
        match self {
            AnySigner::File(key) => key.key_type(),
            // A token key's kind shows in what it signs.
            AnySigner::Token(key) if key.algorithms().contains(&SignatureAlgorithm::EcdsaP256Sha256) => {
                KeyType::P256
            }
            AnySigner::Token(_) => KeyType::Rsa,
        }
    }

    /// The private half as PKCS#8 PEM: only a key in memory has one to give.
    fn to_pkcs8_pem(&self) -> license_core::Result<String> {
        match self {
            AnySigner::File(key) => key.to_pkcs8_pem(),
            AnySigner::Token(key) => Err(license_core::Error::new(
                license_core::ErrorKind::Pkcs11Failed,
                format!("key {} stays in its PKCS#11 token: it has no PKCS#8 form", key.key_id()),
            )),
        }
    }
}

impl Signer for AnySigner {
    fn key_id(&self) -> KeyId {
        self.signer().key_id()
    }

    fn algorithms(&self) -> &[SignatureAlgorithm] {
        self.signer().algorithms()
    }

    fn sign(&self, algorithm: SignatureAlgorithm, message: &[u8]) -> license_core::Result<Vec<u8>> {
        self.signer().sign(algorithm, message)
    }
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

/// The kind of a signing key.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lc_key_type {
    /// RSA, 2048, 3072 or 4096 bits.
    Rsa = 0,
    /// ECDSA on NIST P-256.
    P256 = 1,
}

/// Reads a private key from `data[0..len]`: PKCS#8 (RSA or EC P-256) or
/// SEC1 `EC PRIVATE KEY` (P-256), PEM or DER. A valid RSA key the
/// constant-time signer cannot use (not 2048, 3072 or 4096 bits, or a
/// public exponent under 65537) is `LC_STATUS_UNSUPPORTED_SIGNING_KEY`; an
/// EC key on another curve is `LC_STATUS_UNSUPPORTED_CURVE`.
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
        let key = core!(SigningKey::from_private_key_bytes(data));
        put!(out, into_handle(AnySigner::File(key)));
        lc_status::Ok
    }
}

/// Opens the private key labelled `key_label[0..key_len]` in the PKCS#11
/// token labelled `token[0..token_len]`, through the module (shared
/// library) at the path `module[0..module_len]`, logging in with the user
/// PIN `pin[0..pin_len]`; with `pin` NULL (and `pin_len` 0), the PIN is
/// read from the environment variable `LICENSECTL_PKCS11_PIN`, or from the
/// file `LICENSECTL_PKCS11_PIN_FILE` names. The texts are UTF-8.
///
/// The key signs in the token and never leaves it: RSA keys (2048 to 4096
/// bits) sign licenses, usage logs and bundles like a key file does; the
/// key id is that of the token's public key. Failures:
/// `LC_STATUS_PKCS11_MODULE_LOAD`, `LC_STATUS_PKCS11_TOKEN_NOT_FOUND`,
/// `LC_STATUS_PKCS11_PIN_INCORRECT`, `LC_STATUS_PKCS11_PIN_MISSING`,
/// `LC_STATUS_PKCS11_KEY_NOT_FOUND`, `LC_STATUS_PKCS11_LABEL_AMBIGUOUS`,
/// `LC_STATUS_PKCS11_UNSUPPORTED_KEY`, `LC_STATUS_PKCS11_FAILED`.
///
/// On success `*out` receives a new key, owned by the caller and released
/// with `lc_signing_key_free` (which closes the token session); on failure
/// `*out` is not written. `module`, `token` and `key_label` may be NULL
/// only with a length of 0 (which then fails); `out` must not be NULL.
#[no_mangle]
#[allow(clippy::too_many_arguments)] // four texts as pointer + length
pub extern "C" fn lc_signing_key_open_pkcs11(
    module: *const u8,
    module_len: usize,
    token: *const u8,
    token_len: usize,
    key_label: *const u8,
    key_len: usize,
    pin: *const u8,
    pin_len: usize,
    out: *mut *mut lc_signing_key,
) -> lc_status {
    ffi_panic_boundary! {
        let module = arg!(str module, module_len);
        let token = arg!(str token, token_len);
        let key_label = arg!(str key_label, key_len);
        arg!(out out);
        let pin = if pin.is_null() && pin_len == 0 {
            core!(Pin::from_env())
        } else {
            core!(Pin::new(arg!(str pin, pin_len)))
        };
        let key = core!(Pkcs11Signer::open(std::path::Path::new(module), token, key_label, &pin));
        put!(out, into_handle(AnySigner::Token(key)));
        lc_status::Ok
    }
}

/// Generates a new ECDSA P-256 signing key from the operating system's
/// generator into `*out` (owned by the caller, released with
/// `lc_signing_key_free`; save it with `lc_signing_key_pkcs8_pem`).
/// `out` must not be NULL.
#[no_mangle]
pub extern "C" fn lc_signing_key_generate_p256(out: *mut *mut lc_signing_key) -> lc_status {
    ffi_panic_boundary! {
        arg!(out out);
        let key = core!(SigningKey::generate_p256(&mut rand::rngs::OsRng));
        put!(out, into_handle(AnySigner::File(key)));
        lc_status::Ok
    }
}

/// The key's private half as PKCS#8 PEM, in new `lc_bytes` written to
/// `*out` on success (secret: free it with `lc_bytes_free` as soon as it is
/// saved). A key in a PKCS#11 token has none (`LC_STATUS_PKCS11_FAILED`).
/// `key` and `out` must not be NULL.
#[no_mangle]
pub extern "C" fn lc_signing_key_pkcs8_pem(key: *const lc_signing_key, out: *mut *mut lc_bytes) -> lc_status {
    ffi_panic_boundary! {
        let key = arg!(ref key);
        arg!(out out);
        let pem = core!(key.to_pkcs8_pem());
        put!(out, bytes_handle(pem.into_bytes()));
        lc_status::Ok
    }
}

/// Writes the key's kind (`lc_key_type`) to `*out`. Neither pointer may be
/// NULL.
#[no_mangle]
pub extern "C" fn lc_signing_key_type(key: *const lc_signing_key, out: *mut lc_key_type) -> lc_status {
    ffi_panic_boundary! {
        let key = arg!(ref key);
        arg!(out out);
        let kind = match key.key_type() {
            KeyType::P256 => lc_key_type::P256,
            _ => lc_key_type::Rsa,
        };
        put!(out, kind);
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
        put!(out, bytes_handle(key.public_key_pem().into_bytes()));
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
/// `keys`: RSA or EC P-256. RSA keys under 2048 bits are refused
/// (`LC_STATUS_KEY_TOO_SMALL`), EC keys on other curves too
/// (`LC_STATUS_UNSUPPORTED_CURVE`).
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

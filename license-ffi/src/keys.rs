//! License keys, key bundles (`.bin`), offline activation and the vendor's
//! account registry.

use std::ffi::c_char;

use license_core::{
    keys::{activate, Activation, BundleAlgorithm, KeyKind, KeyRecord, ProductCode},
    Account, Instance, KeyBundle, LicenseKey,
};

use crate::crypto::{lc_signing_key, lc_trusted_keys};
use crate::instance::lc_hardware_profile;
use crate::io::{arg, bytes_handle, copy_text, core, free_handle, into_handle, lc_bytes, put, Handle};
use crate::panic::ffi_panic_boundary;
use crate::status::{fail, lc_status};

/// A 16-character license key (checked: alphabet, kind, check value).
#[allow(non_camel_case_types)]
pub struct lc_license_key {
    _private: [u8; 0],
}
impl Handle for lc_license_key {
    type Inner = LicenseKey;
}

/// A key bundle: an instance's fingerprint, master key and add-ons.
#[allow(non_camel_case_types)]
pub struct lc_key_bundle {
    _private: [u8; 0],
}
impl Handle for lc_key_bundle {
    type Inner = KeyBundle;
}

/// The result of a successful offline activation.
#[allow(non_camel_case_types)]
pub struct lc_activation {
    _private: [u8; 0],
}
impl Handle for lc_activation {
    type Inner = Activation;
}

/// The vendor's registry of a customer's instances and keys.
#[allow(non_camel_case_types)]
pub struct lc_account {
    _private: [u8; 0],
}
impl Handle for lc_account {
    type Inner = Account;
}

/// Whether a key is a server's master key or an add-on.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lc_key_kind {
    /// One per server instance.
    Master = 0,
    /// Extra features on the instance holding its master key.
    Addon = 1,
}

/// How a key bundle is signed.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lc_bundle_algorithm {
    /// RSASSA-PSS with SHA-256 (randomised; RFC 8230).
    Ps256 = 0,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (deterministic; RFC 8812).
    Rs256 = 1,
    /// ECDSA P-256 with SHA-256, raw r||s (randomised; RFC 9053); needs a
    /// P-256 key.
    Es256 = 2,
}

/// Parses a license key typed by a person (`text[0..len]`, UTF-8; dashes
/// and spaces are ignored, case-insensitive). On failure the status says
/// what is wrong (`LC_STATUS_KEY_LENGTH`, `_KEY_CHARACTER`,
/// `_KEY_CHECKSUM`) and `lc_last_error_message` adds which character is
/// wrong and candidate repairs where they can be known. On success `*out`
/// receives a new key (released with `lc_license_key_free`). `out` must
/// not be NULL; `text` may be NULL only if `len` is 0.
#[no_mangle]
pub extern "C" fn lc_license_key_parse(
    text: *const u8,
    len: usize,
    out: *mut *mut lc_license_key,
) -> lc_status {
    ffi_panic_boundary! {
        let text = arg!(str text, len);
        arg!(out out);
        match LicenseKey::diagnose(text) {
            Ok(key) => {
                put!(out, into_handle(key));
                lc_status::Ok
            }
            Err(diagnosis) => {
                let status = crate::status::map_error(&diagnosis.error);
                if !diagnosis.hints.is_empty() {
                    let hints: Vec<String> = diagnosis.hints.iter().map(ToString::to_string).collect();
                    crate::status::set_last_error(format!("{}; {}", diagnosis.error, hints.join("; ")));
                }
                status
            }
        }
    }
}

/// Makes the key of `kind` (an `lc_key_kind` value) for the three-letter
/// product code `product[0..product_len]` and `serial` (under 2^45). On
/// success `*out` receives a new key. `out` must not be NULL; `product`
/// may be NULL only if `product_len` is 0.
#[no_mangle]
pub extern "C" fn lc_license_key_new(
    kind: u32,
    product: *const u8,
    product_len: usize,
    serial: u64,
    out: *mut *mut lc_license_key,
) -> lc_status {
    ffi_panic_boundary! {
        let product = arg!(str product, product_len);
        arg!(out out);
        let kind = match kind {
            0 => KeyKind::Master,
            1 => KeyKind::Addon,
            other => return fail(lc_status::InvalidArgument, format!("`kind`: {other} is not an lc_key_kind")),
        };
        let product: ProductCode = core!(product.parse());
        put!(out, into_handle(core!(LicenseKey::new(kind, product, serial))));
        lc_status::Ok
    }
}

/// Copies the key's display form (`XXXX-XXXX-XXXX-XXXX`) into `buf` with a
/// NUL (buffer contract as `lc_last_error_message`). `key` and `written`
/// must not be NULL; `buf` may be NULL only if `len` is 0.
#[no_mangle]
pub extern "C" fn lc_license_key_text(
    key: *const lc_license_key,
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
        // SAFETY: written checked non-NULL; buf/len as documented.
        unsafe { copy_text(key.to_string().as_bytes(), buf, len, written) }
    }
}

/// The key's kind (an `lc_key_kind` value) and serial number. No pointer
/// may be NULL.
#[no_mangle]
pub extern "C" fn lc_license_key_info(
    key: *const lc_license_key,
    kind: *mut u32,
    serial: *mut u64,
) -> lc_status {
    ffi_panic_boundary! {
        let key = arg!(ref key);
        arg!(out kind);
        arg!(out serial);
        let k = match key.kind() { KeyKind::Master => lc_key_kind::Master, KeyKind::Addon => lc_key_kind::Addon };
        put!(kind, k as u32);
        put!(serial, key.serial());
        lc_status::Ok
    }
}

/// Releases a key. NULL is fine; do not call it twice.
#[no_mangle]
pub extern "C" fn lc_license_key_free(key: *mut lc_license_key) {
    ffi_panic_boundary! {
        // SAFETY: key is NULL or a live lc_license_key, freed once.
        unsafe { free_handle(key) }
    }
}

/// Verifies a key bundle `.bin` (`data[0..len]`, COSE_Sign1) against
/// `trusted` and reads it; nothing is read from the payload before the
/// signature is checked, and every malformation has its own status. On
/// success `*out` receives a new bundle (released with
/// `lc_key_bundle_free`). `trusted` and `out` must not be NULL; `data` may
/// be NULL only if `len` is 0.
#[no_mangle]
pub extern "C" fn lc_key_bundle_verify(
    data: *const u8,
    len: usize,
    trusted: *const lc_trusted_keys,
    out: *mut *mut lc_key_bundle,
) -> lc_status {
    ffi_panic_boundary! {
        let data = arg!(slice data, len);
        let trusted = arg!(ref trusted);
        arg!(out out);
        put!(out, into_handle(core!(KeyBundle::from_bin(data, trusted))));
        lc_status::Ok
    }
}

/// Reads a bundle from its JSON form (`data[0..len]`, vendor side),
/// checking every rule. On success `*out` receives a new bundle. `out`
/// must not be NULL; `data` may be NULL only if `len` is 0.
#[no_mangle]
pub extern "C" fn lc_key_bundle_from_json(
    data: *const u8,
    len: usize,
    out: *mut *mut lc_key_bundle,
) -> lc_status {
    ffi_panic_boundary! {
        let json = arg!(str data, len);
        arg!(out out);
        put!(out, into_handle(core!(KeyBundle::from_json(json))));
        lc_status::Ok
    }
}

/// The bundle's JSON form in new `lc_bytes` (`*out`). Neither pointer may
/// be NULL.
#[no_mangle]
pub extern "C" fn lc_key_bundle_to_json(bundle: *const lc_key_bundle, out: *mut *mut lc_bytes) -> lc_status {
    ffi_panic_boundary! {
        let bundle = arg!(ref bundle);
        arg!(out out);
        put!(out, bytes_handle(bundle.to_json().into_bytes()));
        lc_status::Ok
    }
}

/// The bundle as an aligned text table for people in new `lc_bytes`
/// (`*out`). Neither pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_key_bundle_to_table(bundle: *const lc_key_bundle, out: *mut *mut lc_bytes) -> lc_status {
    ffi_panic_boundary! {
        let bundle = arg!(ref bundle);
        arg!(out out);
        put!(out, bytes_handle(bundle.to_table().into_bytes()));
        lc_status::Ok
    }
}

/// Signs the bundle with `key` using `algorithm` (an
/// `lc_bundle_algorithm` value; PS256 draws its salt from the operating
/// system) into a `.bin` in new `lc_bytes` (`*out`). RS256 output is
/// deterministic. ES256 needs a P-256 key and PS256/RS256 an RSA key
/// (`LC_STATUS_UNSUPPORTED_ALGORITHM` otherwise). No pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_key_bundle_sign(
    bundle: *const lc_key_bundle,
    key: *const lc_signing_key,
    algorithm: u32,
    out: *mut *mut lc_bytes,
) -> lc_status {
    ffi_panic_boundary! {
        let bundle = arg!(ref bundle);
        let key = arg!(ref key);
        arg!(out out);
        let Some(algorithm) = bundle_algorithm(algorithm) else {
            return fail(lc_status::InvalidArgument, format!("`algorithm`: {algorithm} is not an lc_bundle_algorithm"));
        };
        put!(out, bytes_handle(core!(bundle.to_bin(key, algorithm))));
        lc_status::Ok
    }
}

fn bundle_algorithm(value: u32) -> Option<BundleAlgorithm> {
    match value {
        0 => Some(BundleAlgorithm::Ps256),
        1 => Some(BundleAlgorithm::Rs256),
        2 => Some(BundleAlgorithm::Es256),
        _ => None,
    }
}

/// Releases a bundle. NULL is fine; do not call it twice.
#[no_mangle]
pub extern "C" fn lc_key_bundle_free(bundle: *mut lc_key_bundle) {
    ffi_panic_boundary! {
        // SAFETY: bundle is NULL or a live lc_key_bundle, freed once.
        unsafe { free_handle(bundle) }
    }
}

/// Activates offline at `now` (Unix seconds): verifies the `.bin`
/// (`data[0..len]`) against `trusted`, checks its expiry and the master
/// key, matches `profile` against the bound fingerprint under the signed
/// policy, and merges the master's and usable add-ons' features. Failures:
/// the bundle's own statuses, `LC_STATUS_KEY_EXPIRED`,
/// `LC_STATUS_KEY_NOT_ACTIVE`, `LC_STATUS_FINGERPRINT_MISMATCH` (the detail
/// names what drifted). On success `*out` receives a new activation
/// (released with `lc_activation_free`). `trusted`, `profile` and `out`
/// must not be NULL; `data` may be NULL only if `len` is 0.
#[no_mangle]
pub extern "C" fn lc_activate(
    data: *const u8,
    len: usize,
    trusted: *const lc_trusted_keys,
    profile: *const lc_hardware_profile,
    now: i64,
    out: *mut *mut lc_activation,
) -> lc_status {
    ffi_panic_boundary! {
        let data = arg!(slice data, len);
        let trusted = arg!(ref trusted);
        let profile = arg!(ref profile);
        let now = arg!(time now);
        arg!(out out);
        put!(out, into_handle(core!(activate(data, trusted, profile, now))));
        lc_status::Ok
    }
}

/// Whether feature `name[0..name_len]` is enabled at `at` on the activated
/// instance (master and usable add-ons merged). No pointer may be NULL
/// (except `name` when `name_len` is 0).
#[no_mangle]
pub extern "C" fn lc_activation_feature_enabled(
    activation: *const lc_activation,
    name: *const u8,
    name_len: usize,
    at: i64,
    enabled: *mut bool,
) -> lc_status {
    ffi_panic_boundary! {
        let activation = arg!(ref activation);
        let name = arg!(str name, name_len);
        let at = arg!(time at);
        arg!(out enabled);
        put!(enabled, activation.features().is_enabled(name, at));
        lc_status::Ok
    }
}

/// The merged quantity of feature `name[0..name_len]` (the sum over the
/// master and usable add-ons): `*has_quantity` false and `*quantity` 0 when
/// none. No pointer may be NULL (except `name` when `name_len` is 0).
#[no_mangle]
pub extern "C" fn lc_activation_feature_quantity(
    activation: *const lc_activation,
    name: *const u8,
    name_len: usize,
    has_quantity: *mut bool,
    quantity: *mut u64,
) -> lc_status {
    ffi_panic_boundary! {
        let activation = arg!(ref activation);
        let name = arg!(str name, name_len);
        arg!(out has_quantity);
        arg!(out quantity);
        let q = activation.features().quantity(name);
        put!(has_quantity, q.is_some());
        put!(quantity, q.unwrap_or(0));
        lc_status::Ok
    }
}

/// How many add-ons counted and how many were skipped (not active). No
/// pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_activation_addons(
    activation: *const lc_activation,
    counted: *mut usize,
    skipped: *mut usize,
) -> lc_status {
    ffi_panic_boundary! {
        let activation = arg!(ref activation);
        arg!(out counted);
        arg!(out skipped);
        put!(counted, activation.counted_addons().len());
        put!(skipped, activation.skipped_addons().len());
        lc_status::Ok
    }
}

/// The activation as text for people (instance, keys, features, the match
/// report) in new `lc_bytes` (`*out`). Neither pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_activation_to_text(
    activation: *const lc_activation,
    out: *mut *mut lc_bytes,
) -> lc_status {
    ffi_panic_boundary! {
        let activation = arg!(ref activation);
        arg!(out out);
        put!(out, bytes_handle(activation.to_string().into_bytes()));
        lc_status::Ok
    }
}

/// Releases an activation. NULL is fine; do not call it twice.
#[no_mangle]
pub extern "C" fn lc_activation_free(activation: *mut lc_activation) {
    ffi_panic_boundary! {
        // SAFETY: activation is NULL or a live lc_activation, freed once.
        unsafe { free_handle(activation) }
    }
}

/// Reads an account from its JSON form (`data[0..len]`, bounded, every
/// rule checked). On success `*out` receives a new account (released with
/// `lc_account_free`). `out` must not be NULL; `data` may be NULL only if
/// `len` is 0.
#[no_mangle]
pub extern "C" fn lc_account_from_json(data: *const u8, len: usize, out: *mut *mut lc_account) -> lc_status {
    ffi_panic_boundary! {
        let json = arg!(str data, len);
        arg!(out out);
        put!(out, into_handle(core!(Account::from_json(json))));
        lc_status::Ok
    }
}

/// Creates an empty account for customer `customer[0..len]` at `now`
/// (Unix seconds). On success `*out` receives a new account (released with
/// `lc_account_free`). `out` must not be NULL; `customer` may be NULL only
/// if `len` is 0.
#[no_mangle]
pub extern "C" fn lc_account_new(
    customer: *const u8,
    len: usize,
    now: i64,
    out: *mut *mut lc_account,
) -> lc_status {
    ffi_panic_boundary! {
        let customer = arg!(str customer, len);
        let now = arg!(time now);
        arg!(out out);
        put!(out, into_handle(core!(Account::new(customer, now))));
        lc_status::Ok
    }
}

/// Adds a server instance given as Instance JSON (`data[0..len]`; see
/// docs/FORMATS.md) at `now`. The account is unchanged on failure.
/// `account` must not be NULL; `data` may be NULL only if `len` is 0.
#[no_mangle]
pub extern "C" fn lc_account_add_instance(
    account: *mut lc_account,
    data: *const u8,
    len: usize,
    now: i64,
) -> lc_status {
    ffi_panic_boundary! {
        let account = arg!(mut account);
        let json = arg!(str data, len);
        let now = arg!(time now);
        let instance = core!(Instance::from_json(json));
        core!(account.add_instance(instance, now));
        lc_status::Ok
    }
}

/// Adds a key record given as JSON (`data[0..len]`: the form a bundle's
/// `master`/`addons` entries use) at `now`. The account is unchanged on
/// failure. `account` must not be NULL; `data` may be NULL only if `len`
/// is 0.
#[no_mangle]
pub extern "C" fn lc_account_add_key(
    account: *mut lc_account,
    data: *const u8,
    len: usize,
    now: i64,
) -> lc_status {
    ffi_panic_boundary! {
        let account = arg!(mut account);
        let json = arg!(str data, len);
        let now = arg!(time now);
        let record: KeyRecord = match serde_json::from_str(json) {
            Ok(r) => r,
            Err(e) => return fail(lc_status::InvalidJson, format!("key record: {e}")),
        };
        core!(account.add_key(record, now));
        lc_status::Ok
    }
}

/// The account's JSON form in new `lc_bytes` (`*out`). Neither pointer may
/// be NULL.
#[no_mangle]
pub extern "C" fn lc_account_to_json(account: *const lc_account, out: *mut *mut lc_bytes) -> lc_status {
    ffi_panic_boundary! {
        let account = arg!(ref account);
        arg!(out out);
        put!(out, bytes_handle(account.to_json().into_bytes()));
        lc_status::Ok
    }
}

/// Assigns `key` to instance `instance_id[0..len]` at `now` (Unix
/// seconds), under the account's rules (one master per instance, add-ons
/// only where their master is). The account is unchanged on failure. No
/// pointer may be NULL (except `instance_id` when `len` is 0).
#[no_mangle]
pub extern "C" fn lc_account_assign(
    account: *mut lc_account,
    key: *const lc_license_key,
    instance_id: *const u8,
    len: usize,
    now: i64,
) -> lc_status {
    ffi_panic_boundary! {
        let account = arg!(mut account);
        let key = arg!(ref key);
        let instance_id = arg!(str instance_id, len);
        let now = arg!(time now);
        core!(account.assign(*key, instance_id, now));
        lc_status::Ok
    }
}

/// Takes `key` off its instance at `now`. The account is unchanged on
/// failure. Neither pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_account_unassign(
    account: *mut lc_account,
    key: *const lc_license_key,
    now: i64,
) -> lc_status {
    ffi_panic_boundary! {
        let account = arg!(mut account);
        let key = arg!(ref key);
        let now = arg!(time now);
        core!(account.unassign(*key, now));
        lc_status::Ok
    }
}

/// The signed `.bin` for instance `instance_id[0..len]` (its fingerprint,
/// master key and assigned add-ons), issued at `now`, signed with `key`
/// using `algorithm` (an `lc_bundle_algorithm` value), in new `lc_bytes`
/// (`*out`). No pointer may be NULL (except `instance_id` when `len` is 0).
#[no_mangle]
pub extern "C" fn lc_account_bundle(
    account: *const lc_account,
    instance_id: *const u8,
    len: usize,
    key: *const lc_signing_key,
    algorithm: u32,
    now: i64,
    out: *mut *mut lc_bytes,
) -> lc_status {
    ffi_panic_boundary! {
        let account = arg!(ref account);
        let instance_id = arg!(str instance_id, len);
        let key = arg!(ref key);
        let now = arg!(time now);
        arg!(out out);
        let Some(algorithm) = bundle_algorithm(algorithm) else {
            return fail(lc_status::InvalidArgument, format!("`algorithm`: {algorithm} is not an lc_bundle_algorithm"));
        };
        let bin = core!(account.bundle_for(instance_id, key, algorithm, now));
        put!(out, bytes_handle(bin));
        lc_status::Ok
    }
}

/// Releases an account. NULL is fine; do not call it twice.
#[no_mangle]
pub extern "C" fn lc_account_free(account: *mut lc_account) {
    ffi_panic_boundary! {
        // SAFETY: account is NULL or a live lc_account, freed once.
        unsafe { free_handle(account) }
    }
}

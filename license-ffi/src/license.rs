//! Licenses: read (JSON or verified signed XML), sign, inspect, check
//! features and expiry, compare, and check the hardware binding.

use std::ffi::c_char;

use license_core::{
    license::{ActionedLimit, LicenseDiff, LicenseStatus},
    KeyId, License, TrustedKeys,
};

use crate::crypto::{copy_key_id, lc_signing_key, lc_trusted_keys};
use crate::instance::{lc_hardware_profile, lc_match_report};
use crate::io::{arg, bytes_handle, copy_text, core, free_handle, into_handle, lc_bytes, put, Handle};
use crate::panic::ffi_panic_boundary;
use crate::status::{fail, lc_status};

/// A license, either verified from signed XML (it then remembers the key
/// that signed it) or read from its unsigned JSON form (vendor side).
#[allow(non_camel_case_types)]
pub struct lc_license {
    _private: [u8; 0],
}

/// The value behind `lc_license`.
pub(crate) struct LicenseHandle {
    pub(crate) license: License,
    pub(crate) signer: Option<KeyId>,
}
impl Handle for lc_license {
    type Inner = LicenseHandle;
}

/// The comparison of an installed license with a candidate.
#[allow(non_camel_case_types)]
pub struct lc_license_diff {
    _private: [u8; 0],
}
impl Handle for lc_license_diff {
    type Inner = LicenseDiff;
}

/// Where a license stands at an instant.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lc_license_state {
    /// Valid and outside every warning window.
    Valid = 0,
    /// Valid, inside a warning window.
    ExpiringSoon = 1,
    /// Past expiry, inside the grace period (still working).
    InGrace = 2,
    /// Past expiry and grace.
    Expired = 3,
}

/// The status of a license at an instant (`lc_license_status`).
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_license_status_info {
    /// The state.
    pub state: lc_license_state,
    /// Whether the license still works (every state but EXPIRED).
    pub usable: bool,
    /// Whether `days_left` is meaningful (false for a perpetual license and
    /// for EXPIRED).
    pub has_days_left: bool,
    /// Whole days left until expiry (VALID, EXPIRING_SOON) or until the end
    /// of grace (IN_GRACE).
    pub days_left: i64,
    /// EXPIRING_SOON: the smallest warning threshold reached, in days.
    pub threshold_days: u32,
    /// IN_GRACE: when grace ends; EXPIRED: when the license expired; else 0
    /// (Unix seconds, UTC).
    pub until: i64,
}

fn status_info(status: LicenseStatus) -> lc_license_status_info {
    let mut info = lc_license_status_info {
        state: lc_license_state::Valid,
        usable: status.is_usable(),
        has_days_left: false,
        days_left: 0,
        threshold_days: 0,
        until: 0,
    };
    match status {
        LicenseStatus::Valid { days_left } => {
            info.has_days_left = days_left.is_some();
            info.days_left = days_left.unwrap_or(0);
        }
        LicenseStatus::ExpiringSoon { days_left, threshold_days } => {
            info.state = lc_license_state::ExpiringSoon;
            (info.has_days_left, info.days_left, info.threshold_days) = (true, days_left, threshold_days);
        }
        LicenseStatus::InGrace { grace_ends_at, days_left } => {
            info.state = lc_license_state::InGrace;
            (info.has_days_left, info.days_left) = (true, days_left);
            info.until = grace_ends_at.unix_timestamp();
        }
        LicenseStatus::Expired { expired_at } => {
            info.state = lc_license_state::Expired;
            info.until = expired_at.unix_timestamp();
        }
    }
    info
}

/// Reads a license from its JSON form (`data[0..len]`, UTF-8), validating
/// every field. The result is unsigned (vendor side: sign it with
/// `lc_license_sign`). On success `*out` receives a new license, released
/// with `lc_license_free`; on failure `*out` is not written. `data` may be
/// NULL only if `len` is 0; `out` must not be NULL.
#[no_mangle]
pub extern "C" fn lc_license_from_json(data: *const u8, len: usize, out: *mut *mut lc_license) -> lc_status {
    ffi_panic_boundary! {
        let json = arg!(str data, len);
        arg!(out out);
        let license = core!(License::from_json(json));
        put!(out, into_handle(LicenseHandle { license, signer: None }));
        lc_status::Ok
    }
}

/// Verifies a signed license document (`data[0..len]`, XML-DSig) against
/// `trusted` and reads it. On success `*out` receives a new license,
/// released with `lc_license_free`; on failure (a typed status naming what
/// was wrong; see `lc_last_error_message`) `*out` is not written. `data`
/// may be NULL only if `len` is 0; `trusted` and `out` must not be NULL.
#[no_mangle]
pub extern "C" fn lc_license_verify(
    data: *const u8,
    len: usize,
    trusted: *const lc_trusted_keys,
    out: *mut *mut lc_license,
) -> lc_status {
    ffi_panic_boundary! {
        let data = arg!(slice data, len);
        let trusted: &TrustedKeys = arg!(ref trusted);
        arg!(out out);
        let verified = core!(License::from_signed_xml(data, trusted));
        let signer = Some(verified.key_id());
        put!(out, into_handle(LicenseHandle { license: verified.into_license(), signer }));
        lc_status::Ok
    }
}

/// Signs the license with `key` (vendor side) and writes the signed XML
/// document to new `lc_bytes` in `*out` (released with `lc_bytes_free`).
/// With an RSA key the same license always gives the same bytes (an ECDSA
/// P-256 signature differs each time). `license`, `key`
/// and `out` must not be NULL.
#[no_mangle]
pub extern "C" fn lc_license_sign(
    license: *const lc_license,
    key: *const lc_signing_key,
    out: *mut *mut lc_bytes,
) -> lc_status {
    ffi_panic_boundary! {
        let license = arg!(ref license);
        let key = arg!(ref key);
        arg!(out out);
        let xml = core!(license.license.sign(key));
        put!(out, bytes_handle(xml));
        lc_status::Ok
    }
}

/// The license's JSON form in new `lc_bytes` (`*out`, released with
/// `lc_bytes_free`). `license` and `out` must not be NULL.
#[no_mangle]
pub extern "C" fn lc_license_to_json(license: *const lc_license, out: *mut *mut lc_bytes) -> lc_status {
    ffi_panic_boundary! {
        let license = arg!(ref license);
        arg!(out out);
        put!(out, bytes_handle(license.license.to_json().into_bytes()));
        lc_status::Ok
    }
}

/// The license as an aligned text table for people, in new `lc_bytes`
/// (`*out`, released with `lc_bytes_free`). `license` and `out` must not be
/// NULL.
#[no_mangle]
pub extern "C" fn lc_license_to_table(license: *const lc_license, out: *mut *mut lc_bytes) -> lc_status {
    ffi_panic_boundary! {
        let license = arg!(ref license);
        arg!(out out);
        put!(out, bytes_handle(license.license.to_table().into_bytes()));
        lc_status::Ok
    }
}

/// Which text field `lc_license_text` copies.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lc_license_field {
    /// The license id.
    Id = 0,
    /// The product.
    Product = 1,
    /// The licensee's name.
    Licensee = 2,
    /// The licensee's organisation (empty when absent).
    Organisation = 3,
    /// The contact e-mail (empty when absent).
    Email = 4,
    /// The id of the key that signed it (base64url text) (`LC_STATUS_SIGNATURE_MISSING`
    /// for a license read from JSON).
    SignerKeyId = 5,
    /// The instance id it is bound to (empty when unbound).
    InstanceId = 6,
}

/// Copies one text field of the license into `buf` (UTF-8 and a NUL). On
/// success `*written` is the text length; on `LC_STATUS_BUFFER_TOO_SMALL`
/// it is the buffer size needed and `buf` is untouched. `field` is a
/// `lc_license_field` value (an unknown value is
/// `LC_STATUS_INVALID_ARGUMENT`). `license` and `written` must not be NULL;
/// `buf` may be NULL only if `len` is 0.
#[no_mangle]
pub extern "C" fn lc_license_text(
    license: *const lc_license,
    field: u32,
    buf: *mut c_char,
    len: usize,
    written: *mut usize,
) -> lc_status {
    ffi_panic_boundary! {
        let h = arg!(ref license);
        arg!(out written);
        if buf.is_null() && len > 0 {
            return crate::io::null_arg("buf");
        }
        let l = &h.license;
        let text: String = match field {
            0 => l.id().to_owned(),
            1 => l.product().to_owned(),
            2 => l.licensee().name.clone(),
            3 => l.licensee().organisation.clone().unwrap_or_default(),
            4 => l.licensee().email.clone().unwrap_or_default(),
            5 => match h.signer {
                Some(id) => return copy_key_id(id, buf, len, written),
                None => {
                    return fail(
                        lc_status::SignatureMissing,
                        "the license was read from JSON, not verified from a signed document",
                    )
                }
            },
            6 => l.binding().map(|b| b.instance_id.clone()).unwrap_or_default(),
            other => {
                return fail(lc_status::InvalidArgument, format!("`field`: {other} is not an lc_license_field"))
            }
        };
        // SAFETY: written checked non-NULL, buf/len as documented.
        unsafe { copy_text(text.as_bytes(), buf, len, written) }
    }
}

/// When the license was issued and when it expires, in Unix seconds (UTC).
/// A perpetual license writes `*has_expiry = false` and `*expires_at = 0`.
/// No pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_license_times(
    license: *const lc_license,
    issued_at: *mut i64,
    has_expiry: *mut bool,
    expires_at: *mut i64,
) -> lc_status {
    ffi_panic_boundary! {
        let h = arg!(ref license);
        arg!(out issued_at);
        arg!(out has_expiry);
        arg!(out expires_at);
        let expiry = h.license.expires_at();
        put!(issued_at, h.license.issued_at().unix_timestamp());
        put!(has_expiry, expiry.is_some());
        put!(expires_at, expiry.map_or(0, |t| t.unix_timestamp()));
        lc_status::Ok
    }
}

/// The licensed number of actioned certificates: `*site_license = true`
/// and `*limit = 0` for a site license (no limit), else false and the
/// limit. No pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_license_actioned_limit(
    license: *const lc_license,
    site_license: *mut bool,
    limit: *mut u64,
) -> lc_status {
    ffi_panic_boundary! {
        let h = arg!(ref license);
        arg!(out site_license);
        arg!(out limit);
        let value = h.license.actioned_limit();
        put!(site_license, value == ActionedLimit::SiteLicense);
        put!(limit, value.counted().unwrap_or(0));
        lc_status::Ok
    }
}

/// Where the license stands at `now` (Unix seconds): state, days left,
/// warning threshold, grace. Writes `*out` on success. `license` and `out`
/// must not be NULL.
#[no_mangle]
pub extern "C" fn lc_license_status(
    license: *const lc_license,
    now: i64,
    out: *mut lc_license_status_info,
) -> lc_status {
    ffi_panic_boundary! {
        let h = arg!(ref license);
        let now = arg!(time now);
        arg!(out out);
        put!(out, status_info(h.license.status(now)));
        lc_status::Ok
    }
}

/// Whether feature `name[0..name_len]` (UTF-8) is enabled at `at`: present,
/// switched on and not past its own expiry. An unknown feature is
/// disabled. `license`, `name` (unless `name_len` is 0) and `enabled` must
/// not be NULL.
#[no_mangle]
pub extern "C" fn lc_license_feature_enabled(
    license: *const lc_license,
    name: *const u8,
    name_len: usize,
    at: i64,
    enabled: *mut bool,
) -> lc_status {
    ffi_panic_boundary! {
        let h = arg!(ref license);
        let name = arg!(str name, name_len);
        let at = arg!(time at);
        arg!(out enabled);
        put!(enabled, h.license.features().is_enabled(name, at));
        lc_status::Ok
    }
}

/// The quantity of feature `name[0..name_len]`: `*has_quantity` is false
/// (and `*quantity` 0) when the feature is absent or has none. No pointer
/// may be NULL (except `name` when `name_len` is 0).
#[no_mangle]
pub extern "C" fn lc_license_feature_quantity(
    license: *const lc_license,
    name: *const u8,
    name_len: usize,
    has_quantity: *mut bool,
    quantity: *mut u64,
) -> lc_status {
    ffi_panic_boundary! {
        let h = arg!(ref license);
        let name = arg!(str name, name_len);
        arg!(out has_quantity);
        arg!(out quantity);
        let q = h.license.features().quantity(name);
        put!(has_quantity, q.is_some());
        put!(quantity, q.unwrap_or(0));
        lc_status::Ok
    }
}

/// Checks the license's hardware binding against `profile`. When the
/// license is not bound to hardware, `*report` is set to NULL; otherwise
/// to a new report (matched or not), released with
/// `lc_match_report_free`. A malformed binding is an error. No pointer may
/// be NULL.
#[no_mangle]
pub extern "C" fn lc_license_match_hardware(
    license: *const lc_license,
    profile: *const lc_hardware_profile,
    report: *mut *mut lc_match_report,
) -> lc_status {
    ffi_panic_boundary! {
        let h = arg!(ref license);
        let profile = arg!(ref profile);
        arg!(out report);
        let found = core!(h.license.match_hardware(profile));
        put!(report, found.map_or(std::ptr::null_mut(), into_handle));
        lc_status::Ok
    }
}

/// Like `lc_license_match_hardware`, but only the verdict: OK when the
/// license is unbound or matches `profile`, `LC_STATUS_FINGERPRINT_MISMATCH`
/// (the detail names each drifted component) otherwise. Neither pointer
/// may be NULL.
#[no_mangle]
pub extern "C" fn lc_license_require_hardware(
    license: *const lc_license,
    profile: *const lc_hardware_profile,
) -> lc_status {
    ffi_panic_boundary! {
        let h = arg!(ref license);
        let profile = arg!(ref profile);
        core!(h.license.require_hardware(profile));
        lc_status::Ok
    }
}

/// Releases a license. NULL is fine; do not call it twice.
#[no_mangle]
pub extern "C" fn lc_license_free(license: *mut lc_license) {
    ffi_panic_boundary! {
        // SAFETY: license is NULL or a live lc_license, freed once.
        unsafe { free_handle(license) }
    }
}

/// Compares an installed license with a candidate, side by side. On
/// success `*out` receives a new diff, released with
/// `lc_license_diff_free`. No pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_license_diff_new(
    installed: *const lc_license,
    candidate: *const lc_license,
    out: *mut *mut lc_license_diff,
) -> lc_status {
    ffi_panic_boundary! {
        let installed = arg!(ref installed);
        let candidate = arg!(ref candidate);
        arg!(out out);
        put!(out, into_handle(LicenseDiff::between(&installed.license, &candidate.license)));
        lc_status::Ok
    }
}

/// Whether the two licenses are the same in every compared field; false
/// for NULL.
#[no_mangle]
pub extern "C" fn lc_license_diff_is_empty(diff: *const lc_license_diff) -> bool {
    ffi_panic_boundary! {
        // SAFETY: diff is NULL or a live lc_license_diff.
        unsafe { crate::io::handle_ref(diff) }.is_some_and(LicenseDiff::is_empty)
    }
}

/// Whether the candidate takes nothing away (no feature, quantity, limit
/// or validity lost); false for NULL.
#[no_mangle]
pub extern "C" fn lc_license_diff_takes_nothing_away(diff: *const lc_license_diff) -> bool {
    ffi_panic_boundary! {
        // SAFETY: diff is NULL or a live lc_license_diff.
        unsafe { crate::io::handle_ref(diff) }.is_some_and(LicenseDiff::takes_nothing_away)
    }
}

/// The side-by-side comparison as text for people, in new `lc_bytes`
/// (`*out`, released with `lc_bytes_free`). Neither pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_license_diff_to_text(
    diff: *const lc_license_diff,
    out: *mut *mut lc_bytes,
) -> lc_status {
    ffi_panic_boundary! {
        let diff = arg!(ref diff);
        arg!(out out);
        put!(out, bytes_handle(diff.to_string().into_bytes()));
        lc_status::Ok
    }
}

/// Releases a diff. NULL is fine; do not call it twice.
#[no_mangle]
pub extern "C" fn lc_license_diff_free(diff: *mut lc_license_diff) {
    ffi_panic_boundary! {
        // SAFETY: diff is NULL or a live lc_license_diff, freed once.
        unsafe { free_handle(diff) }
    }
}

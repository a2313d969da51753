//! The file-backed license store: stage, compare, commit, roll back, the
//! usage journal, and the installation monitor.

use license_core::{
    store::{Monitor, StageOptions, StagedReplacement, StoreOptions},
    usage, LicenseStore,
};

use crate::actioned::lc_count;
use crate::crypto::lc_trusted_keys;
use crate::io::{arg, bytes_handle, core, free_handle, into_handle, lc_bytes, put, Handle};
use crate::license::{lc_license, lc_license_diff, LicenseHandle};
use crate::panic::ffi_panic_boundary;
use crate::status::lc_status;
use crate::usage::{lc_usage_log, UsageLogHandle};

/// An installation's license store in a directory.
#[allow(non_camel_case_types)]
pub struct lc_store {
    _private: [u8; 0],
}
impl Handle for lc_store {
    type Inner = LicenseStore;
}

/// A verified candidate and its comparison with the installed license,
/// ready to commit. Staging changes nothing on disk.
#[allow(non_camel_case_types)]
pub struct lc_staged {
    _private: [u8; 0],
}
impl Handle for lc_staged {
    type Inner = StagedReplacement;
}

/// The installation a usage log is about; every field is UTF-8 text given
/// as pointer + length (a pointer may be NULL only with length 0).
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_usage_instance {
    /// The instance id.
    pub id: *const u8,
    /// Length of `id`.
    pub id_len: usize,
    /// Its display name.
    pub name: *const u8,
    /// Length of `name`.
    pub name_len: usize,
    /// Where it runs (free text).
    pub location: *const u8,
    /// Length of `location`.
    pub location_len: usize,
    /// The software version it runs.
    pub software_version: *const u8,
    /// Length of `software_version`.
    pub software_version_len: usize,
    /// Its hardware fingerprint (text form).
    pub fingerprint: *const u8,
    /// Length of `fingerprint`.
    pub fingerprint_len: usize,
}

/// Opens (creating if needed) the store in directory `dir[0..dir_len]`
/// (UTF-8 path) for `product[0..product_len]`; licenses are verified
/// against a copy of `trusted`. `instance_id[0..instance_id_len]`, when
/// not empty, refuses licenses bound to another instance. On success
/// `*out` receives a new store, released with `lc_store_free`. `trusted`
/// and `out` must not be NULL; text pointers may be NULL only with length
/// 0.
#[no_mangle]
pub extern "C" fn lc_store_open(
    dir: *const u8,
    dir_len: usize,
    trusted: *const lc_trusted_keys,
    product: *const u8,
    product_len: usize,
    instance_id: *const u8,
    instance_id_len: usize,
    out: *mut *mut lc_store,
) -> lc_status {
    ffi_panic_boundary! {
        let dir = arg!(str dir, dir_len);
        let trusted = arg!(ref trusted);
        let product = arg!(str product, product_len);
        let instance_id = arg!(str instance_id, instance_id_len);
        arg!(out out);
        let mut options = StoreOptions::new(product);
        if !instance_id.is_empty() {
            options.instance_id = Some(instance_id.to_owned());
        }
        put!(out, into_handle(core!(LicenseStore::open_dir(dir, trusted.clone(), options))));
        lc_status::Ok
    }
}

/// The installed license, re-verified and accepted as staging would
/// accept it: `LC_STATUS_STORE_UNTRUSTED` when it is not the license the
/// store installed (copied over, planted, or the store's state is lost),
/// `LC_STATUS_WRONG_PRODUCT`/`WRONG_INSTANCE`/`FINGERPRINT_MISMATCH`,
/// `LC_STATUS_OLDER_LICENSE`, `LC_STATUS_NO_LICENSE_INSTALLED` when there is
/// none. On success `*out` receives a new license (released
/// with `lc_license_free`). Neither pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_store_current(store: *const lc_store, out: *mut *mut lc_license) -> lc_status {
    ffi_panic_boundary! {
        let store = arg!(ref store);
        arg!(out out);
        let verified = core!(store.current());
        let signer = Some(verified.key_id());
        put!(out, into_handle(LicenseHandle { license: verified.into_license(), signer }));
        lc_status::Ok
    }
}

/// Verifies a candidate signed license (`data[0..len]`) for installation
/// at `now` (Unix seconds) and compares it with the installed one, without
/// changing anything: wrong product or instance, already expired, or
/// issued before the installed license (unless `allow_older`) are errors.
/// On success `*out` receives a new staged replacement (released with
/// `lc_staged_free`). `store` and `out` must not be NULL; `data` may be
/// NULL only if `len` is 0.
#[no_mangle]
pub extern "C" fn lc_store_stage(
    store: *const lc_store,
    data: *const u8,
    len: usize,
    now: i64,
    allow_older: bool,
    out: *mut *mut lc_staged,
) -> lc_status {
    ffi_panic_boundary! {
        let store = arg!(ref store);
        let data = arg!(slice data, len);
        let now = arg!(time now);
        arg!(out out);
        put!(out, into_handle(core!(store.stage(data, now, StageOptions { allow_older }))));
        lc_status::Ok
    }
}

/// Installs a staged candidate atomically (the replaced license goes to
/// the history). `LC_STATUS_STALE_STAGE` when the installed license changed
/// since staging; nothing changes on failure. Neither pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_store_commit(store: *const lc_store, staged: *const lc_staged) -> lc_status {
    ffi_panic_boundary! {
        let store = arg!(ref store);
        let staged = arg!(ref staged);
        core!(store.commit(staged));
        lc_status::Ok
    }
}

/// Puts back the license installed before the current one and writes it
/// (a new license, released with `lc_license_free`) to `*out`.
/// `LC_STATUS_NOTHING_TO_ROLL_BACK` when there is none. Neither pointer may
/// be NULL.
#[no_mangle]
pub extern "C" fn lc_store_rollback(store: *const lc_store, out: *mut *mut lc_license) -> lc_status {
    ffi_panic_boundary! {
        let store = arg!(ref store);
        arg!(out out);
        let verified = core!(store.rollback());
        let signer = Some(verified.key_id());
        put!(out, into_handle(LicenseHandle { license: verified.into_license(), signer }));
        lc_status::Ok
    }
}

/// The number of replaced licenses kept in the history. Neither pointer
/// may be NULL.
#[no_mangle]
pub extern "C" fn lc_store_history_len(store: *const lc_store, out: *mut usize) -> lc_status {
    ffi_panic_boundary! {
        let store = arg!(ref store);
        arg!(out out);
        put!(out, core!(store.history()).len());
        lc_status::Ok
    }
}

/// Records a count in the store's usage journal (chained to the one
/// before). Neither pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_store_record_count(store: *const lc_store, count: *const lc_count) -> lc_status {
    ffi_panic_boundary! {
        let store = arg!(ref store);
        let count = arg!(ref count);
        core!(store.record_count(count));
        lc_status::Ok
    }
}

/// Builds the usage log of the installed license at `generated_at` (Unix
/// seconds): `latest` and every count recorded since the last log. Sign it
/// with `lc_usage_log_sign`, hand it over, then `lc_store_mark_logged`. On
/// success `*out` receives a new usage log (released with
/// `lc_usage_log_free`). No pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_store_usage_log(
    store: *const lc_store,
    generated_at: i64,
    instance: *const lc_usage_instance,
    latest: *const lc_count,
    out: *mut *mut lc_usage_log,
) -> lc_status {
    ffi_panic_boundary! {
        let store = arg!(ref store);
        let generated_at = arg!(time generated_at);
        if instance.is_null() {
            return crate::io::null_arg("instance");
        }
        // SAFETY: checked non-NULL; the caller passes a valid struct.
        let i = unsafe { *instance };
        let latest = arg!(ref latest);
        arg!(out out);
        let (id, id_len) = (i.id, i.id_len);
        let (name, name_len) = (i.name, i.name_len);
        let (location, location_len) = (i.location, i.location_len);
        let (software_version, software_version_len) = (i.software_version, i.software_version_len);
        let (fingerprint, fingerprint_len) = (i.fingerprint, i.fingerprint_len);
        let instance = usage::Instance {
            id: arg!(str id, id_len).to_owned(),
            name: arg!(str name, name_len).to_owned(),
            location: arg!(str location, location_len).to_owned(),
            software_version: arg!(str software_version, software_version_len).to_owned(),
            fingerprint: arg!(str fingerprint, fingerprint_len).to_owned(),
        };
        let log = core!(store.usage_log(generated_at, instance, latest));
        put!(out, into_handle(UsageLogHandle::Unsigned(log)));
        lc_status::Ok
    }
}

/// Drops from the journal the entries `log` carried (after it was handed
/// over). Neither pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_store_mark_logged(store: *const lc_store, log: *const lc_usage_log) -> lc_status {
    ffi_panic_boundary! {
        let store = arg!(ref store);
        let log = arg!(ref log);
        core!(store.mark_logged(log.log()));
        lc_status::Ok
    }
}

/// The alerts due at `now` (Unix seconds) that were not raised before:
/// expiry milestones of the installed license, the count (`count`, may be
/// NULL) going over its limit, a clock rollback, a store directory others
/// can write (`store_permissions`). Written to `*out` as a
/// JSON array in new `lc_bytes`; what was raised is remembered in the
/// store. `store` and `out` must not be NULL.
#[no_mangle]
pub extern "C" fn lc_store_check_alerts(
    store: *const lc_store,
    now: i64,
    count: *const lc_count,
    out: *mut *mut lc_bytes,
) -> lc_status {
    ffi_panic_boundary! {
        let store = arg!(ref store);
        let now = arg!(time now);
        // SAFETY: count is NULL or a live lc_count.
        let count = unsafe { crate::io::handle_ref(count) };
        arg!(out out);
        let alerts = core!(Monitor::check(now, store, count));
        let json = serde_json::to_vec(&alerts).unwrap_or_default();
        put!(out, bytes_handle(json));
        lc_status::Ok
    }
}

/// Releases a store. NULL is fine; do not call it twice.
#[no_mangle]
pub extern "C" fn lc_store_free(store: *mut lc_store) {
    ffi_panic_boundary! {
        // SAFETY: store is NULL or a live lc_store, freed once.
        unsafe { free_handle(store) }
    }
}

/// The staged candidate (a new license in `*out`, released with
/// `lc_license_free`). Neither pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_staged_license(staged: *const lc_staged, out: *mut *mut lc_license) -> lc_status {
    ffi_panic_boundary! {
        let staged = arg!(ref staged);
        arg!(out out);
        let verified = staged.candidate();
        let handle = LicenseHandle { license: verified.license().clone(), signer: Some(verified.key_id()) };
        put!(out, into_handle(handle));
        lc_status::Ok
    }
}

/// The comparison with the installed license: a new diff in `*out`
/// (released with `lc_license_diff_free`), or NULL when nothing is
/// installed yet. Neither pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_staged_diff(staged: *const lc_staged, out: *mut *mut lc_license_diff) -> lc_status {
    ffi_panic_boundary! {
        let staged = arg!(ref staged);
        arg!(out out);
        put!(out, staged.diff().cloned().map_or(std::ptr::null_mut(), into_handle));
        lc_status::Ok
    }
}

/// Why the store's files are not ones the store wrote (a license copied
/// over `license.xml`, a planted history file, a lost state), as UTF-8
/// text in new `lc_bytes` (released with `lc_bytes_free`), or NULL when
/// they are. Committing then replaces the untrusted license without keeping
/// it in the history (`lc_staged_diff` gives NULL: there is nothing
/// trusted to compare with). Neither pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_staged_replaces_untrusted(
    staged: *const lc_staged,
    out: *mut *mut lc_bytes,
) -> lc_status {
    ffi_panic_boundary! {
        let staged = arg!(ref staged);
        arg!(out out);
        let why = staged.replaces_untrusted().map(|w| w.as_bytes().to_vec());
        put!(out, why.map_or(std::ptr::null_mut(), bytes_handle));
        lc_status::Ok
    }
}

/// Releases a staged replacement. NULL is fine; do not call it twice.
#[no_mangle]
pub extern "C" fn lc_staged_free(staged: *mut lc_staged) {
    ffi_panic_boundary! {
        // SAFETY: staged is NULL or a live lc_staged, freed once.
        unsafe { free_handle(staged) }
    }
}

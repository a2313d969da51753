//! Usage logs: sign (installation), verify and read into the vendor's
//! ledger.

use std::ffi::c_char;

use license_core::{usage, usage::VerifiedUsageLog, KeyId, TrustedKeys, UsageLog};

use crate::crypto::{copy_key_id, lc_signing_key};
use crate::io::{arg, bytes_handle, core, free_handle, into_handle, lc_bytes, put, Handle};
use crate::panic::ffi_panic_boundary;
use crate::status::{fail, lc_status};

/// A usage log: built by a store (unsigned) or verified from a signed
/// document.
#[allow(non_camel_case_types)]
pub struct lc_usage_log {
    _private: [u8; 0],
}

/// The value behind `lc_usage_log`.
pub(crate) enum UsageLogHandle {
    Unsigned(UsageLog),
    Verified(VerifiedUsageLog),
}
impl UsageLogHandle {
    pub(crate) fn log(&self) -> &UsageLog {
        match self {
            UsageLogHandle::Unsigned(log) => log,
            UsageLogHandle::Verified(v) => v.log(),
        }
    }
}
impl Handle for lc_usage_log {
    type Inner = UsageLogHandle;
}

/// The vendor's record of the usage logs read so far, per instance.
#[allow(non_camel_case_types)]
pub struct lc_usage_ledger {
    _private: [u8; 0],
}
impl Handle for lc_usage_ledger {
    type Inner = usage::Ledger;
}

/// Signs the log with `key` into a signed XML document in new `lc_bytes`
/// (`*out`). No pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_usage_log_sign(
    log: *const lc_usage_log,
    key: *const lc_signing_key,
    out: *mut *mut lc_bytes,
) -> lc_status {
    ffi_panic_boundary! {
        let log = arg!(ref log);
        let key = arg!(ref key);
        arg!(out out);
        put!(out, bytes_handle(core!(log.log().sign(key))));
        lc_status::Ok
    }
}

/// Verifies a signed usage log document (`data[0..len]`) against
/// `trusted`. On success `*out` receives a new log (released with
/// `lc_usage_log_free`); on failure it is not written. `data` may be NULL
/// only if `len` is 0; `trusted` and `out` must not be NULL.
#[no_mangle]
pub extern "C" fn lc_usage_log_verify(
    data: *const u8,
    len: usize,
    trusted: *const lc_trusted_keys,
    out: *mut *mut lc_usage_log,
) -> lc_status {
    ffi_panic_boundary! {
        let data = arg!(slice data, len);
        let trusted: &TrustedKeys = arg!(ref trusted);
        arg!(out out);
        put!(out, into_handle(UsageLogHandle::Verified(core!(UsageLog::from_signed_xml(data, trusted)))));
        lc_status::Ok
    }
}

/// What the log reports: the latest count's total, the number of history
/// entries it carries, and when it was generated (Unix seconds). No
/// pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_usage_log_summary(
    log: *const lc_usage_log,
    latest_total: *mut u64,
    entries: *mut usize,
    generated_at: *mut i64,
) -> lc_status {
    ffi_panic_boundary! {
        let log = arg!(ref log).log();
        arg!(out latest_total);
        arg!(out entries);
        arg!(out generated_at);
        put!(latest_total, log.latest.total);
        put!(entries, log.entries.len());
        put!(generated_at, log.generated_at.unix_timestamp());
        lc_status::Ok
    }
}

/// Copies the id of the installation key that signed a verified log (text
/// form, 43 characters) into `buf` with a NUL; see `lc_last_error_message`
/// for the buffer contract. A log built locally rather than verified is
/// `LC_STATUS_SIGNATURE_MISSING`. `log` and `written` must not be NULL.
#[no_mangle]
pub extern "C" fn lc_usage_log_key_id(
    log: *const lc_usage_log,
    buf: *mut c_char,
    len: usize,
    written: *mut usize,
) -> lc_status {
    ffi_panic_boundary! {
        let log = arg!(ref log);
        arg!(out written);
        if buf.is_null() && len > 0 {
            return crate::io::null_arg("buf");
        }
        let UsageLogHandle::Verified(verified) = log else {
            return fail(lc_status::SignatureMissing, "the usage log was not verified from a signed document");
        };
        copy_key_id(verified.key_id(), buf, len, written)
    }
}

/// Releases a usage log. NULL is fine; do not call it twice.
#[no_mangle]
pub extern "C" fn lc_usage_log_free(log: *mut lc_usage_log) {
    ffi_panic_boundary! {
        // SAFETY: log is NULL or a live lc_usage_log, freed once.
        unsafe { free_handle(log) }
    }
}

/// Reads a ledger from its JSON form (`data[0..len]`; empty means a new
/// ledger). On success `*out` receives a new ledger (released with
/// `lc_usage_ledger_free`). `data` may be NULL only if `len` is 0; `out`
/// must not be NULL.
#[no_mangle]
pub extern "C" fn lc_usage_ledger_from_json(
    data: *const u8,
    len: usize,
    out: *mut *mut lc_usage_ledger,
) -> lc_status {
    ffi_panic_boundary! {
        let data = arg!(slice data, len);
        arg!(out out);
        let ledger = if data.is_empty() {
            usage::Ledger::default()
        } else {
            match serde_json::from_slice(data) {
                Ok(l) => l,
                Err(e) => return fail(lc_status::InvalidJson, format!("usage ledger: {e}")),
            }
        };
        put!(out, into_handle(ledger));
        lc_status::Ok
    }
}

/// The ledger's JSON form in new `lc_bytes` (`*out`), to keep it between
/// runs. Neither pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_usage_ledger_to_json(
    ledger: *const lc_usage_ledger,
    out: *mut *mut lc_bytes,
) -> lc_status {
    ffi_panic_boundary! {
        let ledger = arg!(ref ledger);
        arg!(out out);
        put!(out, bytes_handle(serde_json::to_vec(ledger).unwrap_or_default()));
        lc_status::Ok
    }
}

/// Accepts a verified log if it is signed by the key its instance's logs
/// are bound to (the first log accepted binds it;
/// `LC_STATUS_USAGE_LOG_WRONG_KEY` otherwise), continues the instance's
/// chain and is newer than the last one read
/// (`LC_STATUS_USAGE_LOG_REPLAYED`, `LC_STATUS_USAGE_LOG_CHAIN_BROKEN`; a
/// log built locally rather than verified is
/// `LC_STATUS_SIGNATURE_MISSING`). The ledger is unchanged on failure.
/// Neither pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_usage_ledger_accept(
    ledger: *mut lc_usage_ledger,
    log: *const lc_usage_log,
) -> lc_status {
    ffi_panic_boundary! {
        let ledger = arg!(mut ledger);
        let log = arg!(ref log);
        let UsageLogHandle::Verified(verified) = log else {
            return fail(lc_status::SignatureMissing, "the usage log was not verified from a signed document");
        };
        core!(ledger.accept(verified));
        lc_status::Ok
    }
}

/// The last sequence number read from instance `instance_id[0..len]`:
/// `*known = false` (and `*sequence = 0`) when no log of it was read. No
/// pointer may be NULL (except `instance_id` when `len` is 0).
#[no_mangle]
pub extern "C" fn lc_usage_ledger_last_sequence(
    ledger: *const lc_usage_ledger,
    instance_id: *const u8,
    len: usize,
    known: *mut bool,
    sequence: *mut u64,
) -> lc_status {
    ffi_panic_boundary! {
        let ledger = arg!(ref ledger);
        let instance_id = arg!(str instance_id, len);
        arg!(out known);
        arg!(out sequence);
        let last = ledger.last_sequence(instance_id);
        put!(known, last.is_some());
        put!(sequence, last.unwrap_or(0));
        lc_status::Ok
    }
}

/// Binds the logs of instance `instance_id[0..id_len]` to the installation
/// key whose id (text form) is `key_id[0..key_id_len]`, after that
/// instance's key was replaced: its next logs must be signed by the new
/// key. An instance whose logs the ledger has not read is
/// `LC_STATUS_UNKNOWN_INSTANCE` (its first log binds its key); a malformed
/// key id is `LC_STATUS_INVALID_VALUE`. The ledger is unchanged on failure.
/// No pointer may be NULL (except a text pointer whose length is 0).
#[no_mangle]
pub extern "C" fn lc_usage_ledger_rekey(
    ledger: *mut lc_usage_ledger,
    instance_id: *const u8,
    id_len: usize,
    key_id: *const u8,
    key_id_len: usize,
) -> lc_status {
    ffi_panic_boundary! {
        let ledger = arg!(mut ledger);
        let instance_id = arg!(str instance_id, id_len);
        let key_id = arg!(str key_id, key_id_len);
        let key_id: KeyId = core!(key_id.parse());
        core!(ledger.rekey(instance_id, key_id));
        lc_status::Ok
    }
}

/// Releases a ledger. NULL is fine; do not call it twice.
#[no_mangle]
pub extern "C" fn lc_usage_ledger_free(ledger: *mut lc_usage_ledger) {
    ffi_panic_boundary! {
        // SAFETY: ledger is NULL or a live lc_usage_ledger, freed once.
        unsafe { free_handle(ledger) }
    }
}

use crate::crypto::lc_trusted_keys;

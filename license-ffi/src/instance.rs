//! Hardware profiles (collect, XML), fingerprints and the fuzzy match.

use license_core::{
    instance::{MatchPolicy, MatchReport},
    Fingerprint, HardwareProfile,
};

use crate::io::{arg, bytes_handle, core, free_handle, into_handle, lc_bytes, put, Handle};
use crate::panic::ffi_panic_boundary;
use crate::status::lc_status;

/// What the library reads of a machine's hardware.
#[allow(non_camel_case_types)]
pub struct lc_hardware_profile {
    _private: [u8; 0],
}
impl Handle for lc_hardware_profile {
    type Inner = HardwareProfile;
}

/// How a machine compares with a bound fingerprint.
#[allow(non_camel_case_types)]
pub struct lc_match_report {
    _private: [u8; 0],
}
impl Handle for lc_match_report {
    type Inner = MatchReport;
}

/// Collects this machine's hardware profile (reads /sys, /etc/machine-id
/// and similar; never fails: what cannot be read is left out). On success
/// `*out` receives a new profile, released with
/// `lc_hardware_profile_free`. `out` must not be NULL.
#[no_mangle]
pub extern "C" fn lc_hardware_profile_collect(out: *mut *mut lc_hardware_profile) -> lc_status {
    ffi_panic_boundary! {
        arg!(out out);
        put!(out, into_handle(HardwareProfile::collect()));
        lc_status::Ok
    }
}

/// Reads a hardware profile XML document (`data[0..len]`, strict: bounded
/// size and depth, no DTD). On success `*out` receives a new profile,
/// released with `lc_hardware_profile_free`; on failure it is not written.
/// `data` may be NULL only if `len` is 0; `out` must not be NULL.
#[no_mangle]
pub extern "C" fn lc_hardware_profile_from_xml(
    data: *const u8,
    len: usize,
    out: *mut *mut lc_hardware_profile,
) -> lc_status {
    ffi_panic_boundary! {
        let data = arg!(slice data, len);
        arg!(out out);
        put!(out, into_handle(core!(HardwareProfile::from_xml(data))));
        lc_status::Ok
    }
}

/// The profile as canonical XML in new `lc_bytes` (`*out`, released with
/// `lc_bytes_free`). Neither pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_hardware_profile_to_xml(
    profile: *const lc_hardware_profile,
    out: *mut *mut lc_bytes,
) -> lc_status {
    ffi_panic_boundary! {
        let profile = arg!(ref profile);
        arg!(out out);
        put!(out, bytes_handle(core!(profile.to_xml()).into_bytes()));
        lc_status::Ok
    }
}

/// The profile's fingerprint in its text form (what a license binding
/// stores), in new `lc_bytes` (`*out`). Neither pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_hardware_profile_fingerprint(
    profile: *const lc_hardware_profile,
    out: *mut *mut lc_bytes,
) -> lc_status {
    ffi_panic_boundary! {
        let profile = arg!(ref profile);
        arg!(out out);
        put!(out, bytes_handle(Fingerprint::from_profile(profile).to_string().into_bytes()));
        lc_status::Ok
    }
}

/// The profile as an aligned text table for people, in new `lc_bytes`
/// (`*out`). Neither pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_hardware_profile_to_table(
    profile: *const lc_hardware_profile,
    out: *mut *mut lc_bytes,
) -> lc_status {
    ffi_panic_boundary! {
        let profile = arg!(ref profile);
        arg!(out out);
        put!(out, bytes_handle(profile.to_table().into_bytes()));
        lc_status::Ok
    }
}

/// Releases a profile. NULL is fine; do not call it twice.
#[no_mangle]
pub extern "C" fn lc_hardware_profile_free(profile: *mut lc_hardware_profile) {
    ffi_panic_boundary! {
        // SAFETY: profile is NULL or a live lc_hardware_profile, freed once.
        unsafe { free_handle(profile) }
    }
}

/// Compares `profile` with a bound fingerprint (`fingerprint[0..fp_len]`,
/// its text form) under a match policy (`policy[0..policy_len]`, text
/// form; an empty policy means the default). On success `*out` receives a
/// new report (matched or not), released with `lc_match_report_free`.
/// `profile` and `out` must not be NULL; a text pointer may be NULL only
/// with length 0.
#[no_mangle]
pub extern "C" fn lc_hardware_profile_match(
    profile: *const lc_hardware_profile,
    fingerprint: *const u8,
    fp_len: usize,
    policy: *const u8,
    policy_len: usize,
    out: *mut *mut lc_match_report,
) -> lc_status {
    ffi_panic_boundary! {
        let profile = arg!(ref profile);
        let fingerprint = arg!(str fingerprint, fp_len);
        let policy = arg!(str policy, policy_len);
        arg!(out out);
        let bound: Fingerprint = core!(fingerprint.parse());
        let policy: MatchPolicy = if policy.is_empty() { MatchPolicy::default() } else { core!(policy.parse()) };
        put!(out, into_handle(bound.matches(&Fingerprint::from_profile(profile), &policy)));
        lc_status::Ok
    }
}

/// Whether the machine matches; false for NULL.
#[no_mangle]
pub extern "C" fn lc_match_report_is_match(report: *const lc_match_report) -> bool {
    ffi_panic_boundary! {
        // SAFETY: report is NULL or a live lc_match_report.
        unsafe { crate::io::handle_ref(report) }.is_some_and(MatchReport::is_match)
    }
}

/// The agreeing weight and the policy's threshold. No pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_match_report_score(
    report: *const lc_match_report,
    score: *mut u32,
    threshold: *mut u32,
) -> lc_status {
    ffi_panic_boundary! {
        let report = arg!(ref report);
        arg!(out score);
        arg!(out threshold);
        put!(score, report.score());
        put!(threshold, report.threshold());
        lc_status::Ok
    }
}

/// The report as text (a one-line verdict, then one row per component) in
/// new `lc_bytes` (`*out`). Neither pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_match_report_to_text(
    report: *const lc_match_report,
    out: *mut *mut lc_bytes,
) -> lc_status {
    ffi_panic_boundary! {
        let report = arg!(ref report);
        arg!(out out);
        put!(out, bytes_handle(report.to_string().into_bytes()));
        lc_status::Ok
    }
}

/// Releases a report. NULL is fine; do not call it twice.
#[no_mangle]
pub extern "C" fn lc_match_report_free(report: *mut lc_match_report) {
    ffi_panic_boundary! {
        // SAFETY: report is NULL or a live lc_match_report, freed once.
        unsafe { free_handle(report) }
    }
}

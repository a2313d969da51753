//! libFuzzer entry for the `usage_log` property (see license_core_fuzz::usage_log).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| license_core_fuzz::usage_log(data));

//! libFuzzer entry for the `bundle` property (see license_core_fuzz::bundle).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| license_core_fuzz::bundle(data));

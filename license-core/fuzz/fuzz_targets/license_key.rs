//! libFuzzer entry for the `license_key` property (see license_core_fuzz::license_key).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| license_core_fuzz::license_key(data));

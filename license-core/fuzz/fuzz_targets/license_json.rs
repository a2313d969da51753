//! libFuzzer entry for the `license_json` property (see license_core_fuzz::license_json).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| license_core_fuzz::license_json(data));

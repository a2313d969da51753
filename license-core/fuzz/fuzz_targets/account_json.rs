//! libFuzzer entry for the `account_json` property (see license_core_fuzz::account_json).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| license_core_fuzz::account_json(data));

//! libFuzzer entry for the `text_forms` property (see license_core_fuzz::text_forms).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| license_core_fuzz::text_forms(data));

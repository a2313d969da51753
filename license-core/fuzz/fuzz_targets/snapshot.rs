//! libFuzzer entry for the `snapshot` property (see license_core_fuzz::snapshot).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| license_core_fuzz::snapshot(data));

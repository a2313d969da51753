//! libFuzzer entry for the `id_set` property (see license_core_fuzz::id_set).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| license_core_fuzz::id_set(data));

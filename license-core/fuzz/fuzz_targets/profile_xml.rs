//! libFuzzer entry for the `profile_xml` property (see license_core_fuzz::profile_xml).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| license_core_fuzz::profile_xml(data));

//! libFuzzer entry for the `license_xml` property (see license_core_fuzz::license_xml).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| license_core_fuzz::license_xml(data));

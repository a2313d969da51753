//! libFuzzer entry for the `jsonl` property (see license_core_fuzz::jsonl).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| license_core_fuzz::jsonl(data));

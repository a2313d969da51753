//! libFuzzer entry for the `ledger_json` property (see license_core_fuzz::ledger_json).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| license_core_fuzz::ledger_json(data));

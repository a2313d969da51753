//! A panic inside an exported function comes back as `LC_STATUS_PANIC`,
//! leaves the out-parameter alone and records a message (run with
//! `--features force-panic`).
#![cfg(feature = "force-panic")]

use license_core_ffi::*;

#[test]
fn a_forced_panic_returns_lc_status_panic() {
    let mut out: *mut lc_trusted_keys = std::ptr::null_mut();
    force_next_panic();
    assert_eq!(lc_trusted_keys_new(&mut out), lc_status::Panic);
    assert!(out.is_null(), "the out-parameter is written only on success");

    let mut buf = [0u8; 256];
    let mut written = 0usize;
    assert_eq!(lc_last_error_message(buf.as_mut_ptr().cast(), buf.len(), &mut written), lc_status::Ok);
    let message = std::str::from_utf8(&buf[..written]).unwrap();
    assert!(message.contains("panic") && message.contains("forced by the test hook"), "{message}");

    // The library still works afterwards.
    assert_eq!(lc_trusted_keys_new(&mut out), lc_status::Ok);
    assert!(!out.is_null());
    lc_trusted_keys_free(out);

    // Functions that return no status give their harmless default.
    force_next_panic();
    assert!(lc_status_name(0).is_null());
    force_next_panic();
    assert_eq!(lc_inventory_len(std::ptr::null()), 0);
}

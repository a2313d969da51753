//! Failure messages never carry the control characters of the input they
//! quote: in C, a NUL inside would make `strlen(msg) != written` (a `%s`
//! print loses the rest) and an ESC would reach the terminal (issue 14).

use license_core_ffi::*;

/// The last failure's message as copied out for C, checked to be one C
/// string: no NUL before the terminator, no control characters at all.
fn last_message() -> String {
    let mut buf = [0u8; 4096];
    let mut written = 0usize;
    assert_eq!(lc_last_error_message(buf.as_mut_ptr().cast(), buf.len(), &mut written), lc_status::Ok);
    let strlen = buf.iter().position(|&b| b == 0).unwrap();
    assert_eq!(strlen, written, "a NUL inside the message: {:?}", String::from_utf8_lossy(&buf[..written]));
    let message = std::str::from_utf8(&buf[..written]).unwrap().to_owned();
    assert!(!message.chars().any(char::is_control), "control characters in `{}`", message.escape_debug());
    message
}

/// A JSON object whose one field name carries NUL, ESC and BEL.
const HOSTILE_JSON: &[u8] = b"{\"x\\u0000\\u001b]0;owned\\u0007\": 1}";

#[test]
fn a_core_error_message_quoting_input_is_one_clean_c_string() {
    let mut out: *mut lc_license = std::ptr::null_mut();
    let status = lc_license_from_json(HOSTILE_JSON.as_ptr(), HOSTILE_JSON.len(), &mut out);
    assert_eq!(status, lc_status::InvalidJson);
    assert!(out.is_null());
    let message = last_message();
    assert!(message.contains("x\\0\\u{1b}]0;owned\\u{7}"), "{message}");
}

#[test]
fn a_message_of_the_c_layer_itself_is_one_clean_c_string() {
    // The ledger maps instance ids to their state: the field is in a state.
    let json = [&b"{\"inst-1\": "[..], HOSTILE_JSON, b"}"].concat();
    let mut out: *mut lc_usage_ledger = std::ptr::null_mut();
    let status = lc_usage_ledger_from_json(json.as_ptr(), json.len(), &mut out);
    assert_eq!(status, lc_status::InvalidJson);
    assert!(out.is_null());
    let message = last_message();
    assert!(message.contains("x\\0\\u{1b}]0;owned\\u{7}"), "{message}");
}

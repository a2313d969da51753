//! Error messages that quote hostile input never carry its control
//! characters: a NUL would cut a C string short and an ESC would let the
//! input drive the terminal that shows the log line (issue 14, section 3).

use license_core::{Error, ErrorKind, HardwareProfile, License, LicenseKey};

/// Control characters the inputs below smuggle in.
const SMUGGLED: [char; 3] = ['\0', '\u{1b}', '\u{7}'];

/// XML 1.0 allows DEL and the C1 controls (U+009B is a one-byte CSI, the
/// start of a terminal escape sequence) in text and attribute values.
const XML_ALLOWED: [char; 3] = ['\u{7f}', '\u{9b}', '\u{85}'];

fn assert_clean(err: &Error, what: &str) {
    let text = err.to_string();
    assert!(!text.chars().any(char::is_control), "{what}: control characters in `{}`", text.escape_debug());
    assert!(!err.detail().chars().any(char::is_control), "{what}: control characters in the detail");
}

#[test]
fn a_profile_value_with_control_characters_is_quoted_escaped() {
    let xml =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/profile/server.xml"))
            .unwrap();
    for c in XML_ALLOWED {
        for bad in [
            xml.replace("version=\"1\">", &format!("version=\"1{c}[31m\">")),
            xml.replace("<Hostname>db-7.example.com", &format!("<Hostname>db{c}[2J")),
            xml.replace("<Kernel>", &format!("<Kernel x{c}=\"1\">")),
            xml.replace("<Architecture>x86_64", &format!("<Architecture>x86{c}]0;owned")),
        ] {
            let err = HardwareProfile::from_xml(bad.as_bytes()).unwrap_err();
            assert_clean(&err, &format!("profile with {c:?}"));
        }
    }
}

#[test]
fn a_license_key_with_control_characters_is_quoted_escaped() {
    for c in SMUGGLED {
        let err = format!("CRT1-{c}\u{1b}[2J-ABCD-EFGH").parse::<LicenseKey>().unwrap_err();
        assert_clean(&err, &format!("key with {c:?}"));
    }
}

#[test]
fn an_unknown_json_field_with_control_characters_is_quoted_escaped() {
    for c in SMUGGLED {
        let json = serde_json::json!({ format!("x{c}\u{1b}]0;owned\u{7}"): 1 }).to_string();
        let err = License::from_json(&json).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidJson, "{err}");
        assert_clean(&err, &format!("JSON with {c:?}"));
        // Escaped, the message still names the field that came in.
        assert!(
            err.to_string().contains(&format!("`x{}\\u{{1b}}]0;owned\\u{{7}}`", c.escape_debug())),
            "{err}"
        );
    }
}

#[test]
fn any_detail_is_escaped_once_and_only_its_control_characters() {
    let err = Error::new(ErrorKind::InvalidValue, "a\0b\u{1b}[31mc\nd\u{9b}e \"é\" \\ ok");
    assert_eq!(err.detail(), "a\\0b\\u{1b}[31mc\\nd\\u{9b}e \"é\" \\ ok");
    let again = Error::new(ErrorKind::InvalidValue, err.detail().to_owned());
    assert_eq!(again.detail(), err.detail(), "escaping is idempotent on escaped text");
}

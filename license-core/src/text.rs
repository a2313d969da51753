//! The text rules every record follows, in one place.
//!
//! Values the library stores travel through XML, JSON, CBOR, tables, file
//! names and the C and Python surfaces, so each kind of text has one rule
//! that every format can carry losslessly:
//! - **text** (names of people and companies, attribute values): at most
//!   [`MAX_TEXT_LEN`] bytes, no control characters but tab and newline (XML
//!   cannot carry most of them, and a carriage return would not survive
//!   XML line-end normalisation);
//! - **a line** (profile values, instance names, places): 1 to
//!   [`MAX_LINE_LEN`] bytes, no control characters at all (a tab or newline
//!   would not survive XML attribute normalisation) and no surrounding
//!   spaces (so the stored form is the canonical one);
//! - **an identifier** (feature, attribute and instance ids): 1 to
//!   [`MAX_IDENTIFIER_LEN`] characters of `[A-Za-z0-9._-]`, safe in every
//!   format, table and file name.
//!
//! An instance id is an identifier wherever it appears (an instance record,
//! a license binding, a key record, a key bundle): [`check_instance_id`].

use crate::{Error, ErrorKind, Result};

/// The longest text value, in bytes.
pub(crate) const MAX_TEXT_LEN: usize = 1024;
/// The longest one-line value, in bytes.
pub(crate) const MAX_LINE_LEN: usize = 256;
/// The longest identifier, in bytes (ASCII, so also in characters).
pub(crate) const MAX_IDENTIFIER_LEN: usize = 64;

/// Checks the text rule; [`ErrorKind::InvalidText`] otherwise, naming
/// `what` and the offending byte offset.
pub(crate) fn check_text(value: &str, what: &str) -> Result<()> {
    if value.len() > MAX_TEXT_LEN {
        return Err(Error::new(ErrorKind::InvalidText, format!("{what} is over {MAX_TEXT_LEN} bytes")));
    }
    if let Some((i, c)) = value.char_indices().find(|&(_, c)| forbidden(c) && c != '\t' && c != '\n') {
        return Err(Error::new(ErrorKind::InvalidText, control_detail(what, i, c)));
    }
    Ok(())
}

/// A required text value: not blank (`empty_kind` otherwise), then the text
/// rule.
pub(crate) fn check_required_text(value: &str, what: &str, empty_kind: ErrorKind) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::new(empty_kind, format!("{what} is empty")));
    }
    check_text(value, what)
}

/// Checks the one-line rule; `kind` otherwise.
pub(crate) fn check_line(value: &str, what: &str, kind: ErrorKind) -> Result<()> {
    let fail = |detail: String| Err(Error::new(kind, detail));
    if value.is_empty() {
        return fail(format!("{what} is empty"));
    }
    if value.len() > MAX_LINE_LEN {
        return fail(format!("{what} is over {MAX_LINE_LEN} bytes"));
    }
    if let Some((i, c)) = value.char_indices().find(|&(_, c)| forbidden(c)) {
        return fail(control_detail(what, i, c));
    }
    if value.trim() != value {
        return fail(format!("{what} has leading or trailing spaces"));
    }
    Ok(())
}

/// Checks the identifier rule; `kind` otherwise.
pub(crate) fn check_identifier(name: &str, kind: ErrorKind, what: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= MAX_IDENTIFIER_LEN
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(Error::new(kind, format!("{what} `{}`", name.escape_debug())))
    }
}

/// The one instance-id rule: an identifier, [`ErrorKind::InvalidInstance`]
/// otherwise.
pub(crate) fn check_instance_id(id: &str) -> Result<()> {
    check_identifier(id, ErrorKind::InvalidInstance, "instance id")
}

/// Control characters and the two Unicode noncharacters XML forbids.
fn forbidden(c: char) -> bool {
    c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}'
}

fn control_detail(what: &str, at: usize, c: char) -> String {
    format!("{what} has control character U+{:04X} at byte {at}", u32::from(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_allows_tab_and_newline_but_no_other_control() {
        assert!(check_text("two\tcolumns\nand lines", "v").is_ok());
        let err = check_text("a\rb", "field `x`").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidText);
        assert!(err.detail().contains("U+000D at byte 1"), "{err}");
        assert!(check_text("\u{FFFE}", "v").is_err());
        assert!(check_text(&"x".repeat(MAX_TEXT_LEN), "v").is_ok());
        assert!(check_text(&"x".repeat(MAX_TEXT_LEN + 1), "v").is_err());
        assert_eq!(
            check_required_text(" ", "v", ErrorKind::EmptyLicensee).unwrap_err().kind(),
            ErrorKind::EmptyLicensee
        );
    }

    #[test]
    fn a_line_has_no_control_characters_and_no_surrounding_spaces() {
        let kind = ErrorKind::InvalidProfile;
        assert!(check_line("Slough, GB", "v", kind).is_ok());
        for bad in ["", " x", "x ", "a\tb", "a\nb", &"x".repeat(MAX_LINE_LEN + 1)] {
            assert_eq!(check_line(bad, "v", kind).unwrap_err().kind(), kind, "{bad:?}");
        }
    }

    #[test]
    fn one_instance_id_rule() {
        for ok in ["srv-1", "eu.west_2", &"a".repeat(MAX_IDENTIFIER_LEN)] {
            assert!(check_instance_id(ok).is_ok(), "{ok}");
        }
        for bad in ["", "srv 1", "srv/1", "ü", "a\nb", &"a".repeat(MAX_IDENTIFIER_LEN + 1)] {
            assert_eq!(check_instance_id(bad).unwrap_err().kind(), ErrorKind::InvalidInstance, "{bad:?}");
        }
    }
}

//! One parse under every check a target makes of any parser: its peak heap
//! within the bound, and an error that quotes input escaping its control
//! characters (NUL, ESC, … never reach a log or a C string raw).

use crate::heap;

/// Runs the parse `f` under [`heap::within`], then checks that its error,
/// if it failed, prints no control character.
pub fn parse<T>(
    what: &str,
    input_len: usize,
    bound: usize,
    f: impl FnOnce() -> license_core::Result<T>,
) -> license_core::Result<T> {
    let result = heap::within(what, input_len, bound, f);
    if let Err(e) = &result {
        let text = e.to_string();
        assert!(
            !text.chars().any(char::is_control),
            "{what}: the error quotes a control character raw: {text:?}"
        );
    }
    result
}

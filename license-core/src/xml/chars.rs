//! Character rules of XML 1.0: which characters may appear, what a name
//! is, and the escaping exclusive C14N prescribes.

/// True for characters of the XML 1.0 `Char` production.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The first character that is not an XML `Char`, if any.
pub(crate) fn first_invalid_char(text: &str) -> Option<char> {
    text.chars().find(|&c| !is_xml_char(c))
}

fn is_name_start(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// True for an XML `NCName`: a name without a colon.
pub(crate) fn is_ncname(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(is_name_start) && chars.all(is_name_char)
}

/// Appends `text` escaped as exclusive C14N escapes character data:
/// `&` `<` `>` and carriage return.
pub(crate) fn escape_text(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

/// Appends `value` escaped as exclusive C14N escapes attribute values:
/// `&` `<` `"` and tab, line feed, carriage return.
pub(crate) fn escape_attr(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

/// True when `text` is only XML whitespace (space, tab, CR, LF).
pub(crate) fn is_xml_whitespace(text: &str) -> bool {
    text.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chars_and_names() {
        assert!(is_xml_char('a') && is_xml_char('\t') && is_xml_char('é') && is_xml_char('😀'));
        assert!(!is_xml_char('\0') && !is_xml_char('\u{1B}') && !is_xml_char('\u{FFFE}'));
        assert_eq!(first_invalid_char("ok\u{7}no"), Some('\u{7}'));
        assert!(is_ncname("License") && is_ncname("_x-1.2") && is_ncname("Größe"));
        assert!(!is_ncname("") && !is_ncname("1a") && !is_ncname("a:b") && !is_ncname("-a"));
    }

    #[test]
    fn escaping_follows_c14n() {
        let mut t = String::new();
        escape_text("a&b<c>d\"e'f\r\n\t", &mut t);
        assert_eq!(t, "a&amp;b&lt;c&gt;d\"e'f&#xD;\n\t");
        let mut a = String::new();
        escape_attr("a&b<c>d\"e'f\r\n\t", &mut a);
        assert_eq!(a, "a&amp;b&lt;c>d&quot;e'f&#xD;&#xA;&#x9;");
    }
}

//! The committed header agrees with the library: its version defines with
//! Cargo.toml, including the combined number (rustls-ffi once shipped MINOR
//! where PATCH belongs), and its status constants with `lc_status_name`.

use std::ffi::CStr;

fn header() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../include/license_core.h"))
        .expect("include/license_core.h")
}

fn define(header: &str, name: &str) -> String {
    let prefix = format!("#define {name} ");
    header
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("{name} is not defined in the header"))
        .trim()
        .to_owned()
}

#[test]
fn version_defines_match_cargo_toml() {
    let header = header();
    let num = |name| define(&header, name).parse::<u32>().unwrap_or_else(|e| panic!("{name}: {e}"));
    let (major, minor, patch) = (num("LC_VERSION_MAJOR"), num("LC_VERSION_MINOR"), num("LC_VERSION_PATCH"));
    assert_eq!(major.to_string(), env!("CARGO_PKG_VERSION_MAJOR"));
    assert_eq!(minor.to_string(), env!("CARGO_PKG_VERSION_MINOR"));
    assert_eq!(patch.to_string(), env!("CARGO_PKG_VERSION_PATCH"));

    // Evaluate the combined number's expression as C would, with the three
    // parts substituted, rather than trusting its text.
    let expr = define(&header, "LC_VERSION_NUMBER")
        .replace("LC_VERSION_MAJOR", &major.to_string())
        .replace("LC_VERSION_MINOR", &minor.to_string())
        .replace("LC_VERSION_PATCH", &patch.to_string());
    let terms: Vec<u32> = expr
        .split('|')
        .map(|t| {
            let t = t.trim().trim_matches(|c| c == '(' || c == ')').trim();
            match t.split_once("<<") {
                Some((v, s)) => v.trim().parse::<u32>().unwrap() << s.trim().parse::<u32>().unwrap(),
                None => t.parse::<u32>().unwrap(),
            }
        })
        .collect();
    let combined = terms.iter().fold(0, |acc, t| acc | t);
    assert_eq!(combined, (major << 16) | (minor << 8) | patch, "LC_VERSION_NUMBER = {expr}");
}

/// `lc_status_name` derives its names from the Rust variants; the header's
/// are cbindgen's. Every `LC_STATUS_X = n` constant must be the name the
/// library gives `n`, and every value the library names must be a constant.
#[test]
fn status_names_are_the_header_constants() {
    let header = header();
    let constants: Vec<(String, u32)> = header
        .lines()
        .filter_map(|l| {
            let (name, value) = l.trim().trim_end_matches(',').split_once(" = ")?;
            let value = value.parse().ok()?;
            name.starts_with("LC_STATUS_").then(|| (name.to_owned(), value))
        })
        .collect();
    assert!(constants.len() > 100, "only {} LC_STATUS_ constants in the header", constants.len());
    // SAFETY: lc_status_name returns a static NUL-terminated string.
    let name =
        |v| unsafe { CStr::from_ptr(license_core_ffi::lc_status_name(v)) }.to_str().unwrap().to_owned();
    for (constant, value) in &constants {
        assert_eq!(&name(*value), constant, "lc_status_name({value})");
    }
    let named = (0..1000).filter(|&v| name(v) != "LC_STATUS_UNKNOWN").count();
    assert_eq!(named, constants.len(), "values the library names but the header does not");
}

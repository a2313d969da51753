//! Peak heap of the XML readers on inputs built to expand: memory follows
//! the input's length, not what its namespace declarations multiply.
//!
//! Found while measuring the XML readers' heap bound for the fuzz targets
//! (license-core/fuzz, issue 14 §5): every element or prefixed attribute in the scope of
//! a long namespace URI used to hold its own copy of the URI, and exclusive
//! C14N renders the declaration again on every sibling that uses the
//! prefix, so 6 bytes of `<p:a/>` cost a copy of the URI twice over.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use license_core::{ErrorKind, HardwareProfile, License};

/// The system allocator, counting live and peak bytes while `ON`.
struct Counting;

static ON: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// The measurements share the counters: one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

// SAFETY: forwards every call to `System` unchanged; the counters are atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if ON.load(Ordering::Relaxed) {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        // SAFETY: the caller's layout, unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ON.load(Ordering::Relaxed) {
            LIVE.fetch_sub(layout.size().min(LIVE.load(Ordering::Relaxed)), Ordering::Relaxed);
        }
        // SAFETY: `ptr` came from `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The peak heap of `f` (other test threads may allocate meanwhile, which
/// can only raise the figure; the bounds below have room for that).
fn peak<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    LIVE.store(0, Ordering::Relaxed);
    PEAK.store(0, Ordering::Relaxed);
    ON.store(true, Ordering::Relaxed);
    let out = f();
    ON.store(false, Ordering::Relaxed);
    (out, PEAK.load(Ordering::Relaxed))
}

/// The XML readers' documented bound (docs/FORMATS.md, "Fuzzing and memory
/// bounds"): 256 KiB plus 128 bytes per input byte.
fn xml_bound(input_len: usize) -> usize {
    (256 << 10) + 128 * input_len
}

/// `count` siblings `<p:a/>` (and, with `attributes`, each with 16
/// prefixed attributes) under a root declaring `p` as a `uri_len`-byte URI.
fn namespace_bomb(root_start: &str, uri_len: usize, count: usize, attributes: bool) -> String {
    let uri = format!("urn:{}", "u".repeat(uri_len));
    let mut doc = format!("{} xmlns:p=\"{uri}\">", root_start.strip_suffix('>').unwrap());
    for _ in 0..count {
        doc.push_str("<p:a");
        if attributes {
            for i in 0..16 {
                doc.push_str(&format!(" p:x{i}=\"\""));
            }
        }
        doc.push_str("/>");
    }
    doc
}

#[test]
fn a_long_namespace_used_by_many_elements_costs_its_length_once() {
    for attributes in [false, true] {
        let mut doc = namespace_bomb(
            "<HardwareProfile xmlns=\"urn:license-core:hardware-profile\" version=\"1\">",
            20_000,
            2_000,
            attributes,
        );
        doc.push_str("</HardwareProfile>");
        let (result, peak) = peak(|| HardwareProfile::from_xml(doc.as_bytes()));
        assert!(result.is_err(), "<p:a/> is not in the profile schema");
        assert!(
            peak <= xml_bound(doc.len()),
            "attributes {attributes}: {peak} bytes for a {}-byte profile",
            doc.len()
        );
    }
}

#[test]
fn a_signed_license_padded_with_namespace_users_costs_its_length() {
    // A genuine signed license (so its Signature element reads and the
    // digest is computed) with the expanding siblings added before the
    // Signature: the digest no longer matches, but only after C14N ran.
    let signed = std::fs::read_to_string(common::vectors().join("licenses/certmgr-2026.xml")).unwrap();
    let (head, signature) = signed.split_at(signed.find("<ds:Signature").unwrap());
    let root_start_end =
        head.find("<License").and_then(|at| head[at..].find('>').map(|end| at + end + 1)).unwrap();
    let mut doc = namespace_bomb(&head[..root_start_end], 20_000, 2_000, false);
    doc.push_str(&head[root_start_end..]);
    doc.push_str(signature);
    let trusted = common::trusted();
    let (verified, peak_verify) = peak(|| License::from_signed_xml(doc.as_bytes(), &trusted));
    let kind = verified.unwrap_err().kind();
    assert!(matches!(kind, ErrorKind::DigestMismatch | ErrorKind::InputTooLarge), "{kind:?}");
    assert!(
        peak_verify <= xml_bound(doc.len()),
        "verify: {peak_verify} bytes for a {}-byte license",
        doc.len()
    );
    let (_, peak_inspect) = peak(|| License::inspect_unverified(doc.as_bytes()));
    assert!(peak_inspect <= xml_bound(doc.len()), "inspect: {peak_inspect} bytes for {} bytes", doc.len());
}

#[test]
fn the_canonical_form_that_is_hashed_stays_near_the_input_length() {
    // Short URIs re-rendered on every sibling: each `<p:a/>` (6 bytes)
    // canonicalises to `<p:a xmlns:p="urn:…"></p:a>`. The reader keeps
    // the tree small; the canonical form is refused past 8 bytes per
    // input byte instead of being hashed at any length.
    let signed = std::fs::read_to_string(common::vectors().join("licenses/certmgr-2026.xml")).unwrap();
    let (head, signature) = signed.split_at(signed.find("<ds:Signature").unwrap());
    let root_start_end =
        head.find("<License").and_then(|at| head[at..].find('>').map(|end| at + end + 1)).unwrap();
    let mut doc = namespace_bomb(&head[..root_start_end], 200, 19_000, false);
    doc.push_str(&head[root_start_end..]);
    doc.push_str(signature);
    let trusted = common::trusted();
    let (verified, peak) = peak(|| License::from_signed_xml(doc.as_bytes(), &trusted));
    assert_eq!(verified.unwrap_err().kind(), ErrorKind::InputTooLarge);
    assert!(peak <= xml_bound(doc.len()), "{peak} bytes for a {}-byte license", doc.len());
}

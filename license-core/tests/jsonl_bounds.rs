//! Peak heap of the JSON Lines reader, fed its worst cases, against
//! `Inventory::jsonl_heap_bound` (docs/FORMATS.md, "Memory bounds").
//!
//! The reader parses on worker threads, so a per-thread count (as in
//! `decode_bounds.rs`) would miss most of what it holds. This binary counts
//! the whole process instead, and its tests take one lock so that each
//! measures alone: nothing else in this process allocates meanwhile but the
//! test harness's few bytes, which only make the check stricter.

mod heap;

use std::sync::Mutex;

use heap::process_peak as peak;
use license_core::{actioned::InventoryLimits, ErrorKind, Inventory};

/// One measurement at a time: the counts are the whole process's.
static ALONE: Mutex<()> = Mutex::new(());

/// JSON Lines giving each certificate a store of its own.
fn distinct_stores(lines: u32) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..lines {
        out.extend_from_slice(format!("{{\"id\":{i},\"stores\":[\"{i:x}\"]}}\n").as_bytes());
    }
    out
}

#[test]
fn jsonl_distinct_names_are_limited() {
    let _alone = ALONE.lock().unwrap_or_else(|e| e.into_inner());
    let few = InventoryLimits { max_stores: 1000, ..InventoryLimits::default() };
    let input = distinct_stores(1000);
    let (inv, used) =
        peak(|| Inventory::from_jsonl_with_limits(input.as_slice(), &few, &mut |_| {}).unwrap());
    assert_eq!(inv.names().0.len(), 1000);
    let bound = Inventory::jsonl_heap_bound(input.len(), &few);
    assert!(used <= bound, "{} input bytes used {used}, over {bound}", input.len());
    eprintln!("jsonl limited: {} input bytes, peak heap {used}, bound {bound}", input.len());
    drop(inv);
    let input = distinct_stores(200_000);
    let (err, used) =
        peak(|| Inventory::from_jsonl_with_limits(input.as_slice(), &few, &mut |_| {}).unwrap_err());
    assert_eq!(err.kind(), ErrorKind::TooManyNames, "{err}");
    assert!(err.detail().contains("stores"), "{err}");
    let bound = Inventory::jsonl_heap_bound(input.len(), &few);
    assert!(used <= bound, "{} input bytes used {used}, over {bound}", input.len());
    eprintln!("jsonl limited: {} input bytes, peak heap {used}, bound {bound}", input.len());
    // Metadata fields and collections have their own limits.
    for (key, limits) in [
        ("metadata", InventoryLimits { max_metadata_fields: 3, ..InventoryLimits::default() }),
        ("collections", InventoryLimits { max_collections: 3, ..InventoryLimits::default() }),
    ] {
        let input: String = (0..4).map(|i| format!("{{\"id\":{i},\"{key}\":[\"n{i}\"]}}\n")).collect();
        let err = Inventory::from_jsonl_with_limits(input.as_bytes(), &limits, &mut |_| {}).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TooManyNames, "{err}");
        assert!(err.detail().contains(key), "{err}");
        let three: String = input.lines().take(3).map(|l| format!("{l}\n")).collect();
        Inventory::from_jsonl_with_limits(three.as_bytes(), &limits, &mut |_| {}).unwrap();
    }
}

#[test]
fn jsonl_worst_cases_stay_within_the_default_bound() {
    let _alone = ALONE.lock().unwrap_or_else(|e| e.into_inner());
    let limits = InventoryLimits::default();
    // As many distinct names of each kind as the default allows.
    let input: Vec<u8> = (0..limits.max_stores as u32)
        .flat_map(|i| {
            format!("{{\"id\":{i},\"stores\":[\"{i:x}\"],\"metadata\":[\"{i:x}\"],\"collections\":[\"{i:x}\"]}}\n")
                .into_bytes()
        })
        .collect();
    let (inv, used) = peak(|| Inventory::from_jsonl(input.as_slice()).unwrap());
    let bound = Inventory::jsonl_heap_bound(input.len(), &limits);
    eprintln!("jsonl distinct names: {} input bytes, peak heap {used}, bound {bound}", input.len());
    assert!(used <= bound, "distinct names: {} input bytes used {used}, over {bound}", input.len());
    drop(inv);
    // The shortest lines, and lines listing many names.
    let short: Vec<u8> = (0..200_000u32).flat_map(|i| format!("{{\"id\":{i}}}\n").into_bytes()).collect();
    let (inv, used) = peak(|| Inventory::from_jsonl(short.as_slice()).unwrap());
    let bound = Inventory::jsonl_heap_bound(short.len(), &limits);
    eprintln!("jsonl short lines: {} input bytes, peak heap {used}, bound {bound}", short.len());
    assert!(used <= bound, "short lines: {} input bytes used {used}, over {bound}", short.len());
    drop(inv);
    let names: Vec<String> = (0..1024).map(|i| format!("\"{i:x}\"")).collect();
    let wide: Vec<u8> = (0..200u32)
        .flat_map(|i| format!("{{\"id\":{i},\"metadata\":[{}]}}\n", names.join(",")).into_bytes())
        .collect();
    let (inv, used) = peak(|| Inventory::from_jsonl(wide.as_slice()).unwrap());
    let bound = Inventory::jsonl_heap_bound(wide.len(), &limits);
    eprintln!("jsonl wide lines: {} input bytes, peak heap {used}, bound {bound}", wide.len());
    assert!(used <= bound, "wide lines: {} input bytes used {used}, over {bound}", wide.len());
    drop(inv);
}

/// A file holding `bytes`.
fn file_of(bytes: &[u8]) -> std::fs::File {
    use std::io::{Seek, Write};
    let mut file = tempfile::tempfile().unwrap();
    file.write_all(bytes).unwrap();
    file.rewind().unwrap();
    file
}

#[test]
fn jsonl_files_read_by_position_stay_within_the_default_bound() {
    let _alone = ALONE.lock().unwrap_or_else(|e| e.into_inner());
    let limits = InventoryLimits::default();
    let options = license_core::actioned::ReadOptions::default();
    let distinct: Vec<u8> = (0..limits.max_stores as u32)
        .flat_map(|i| {
            format!("{{\"id\":{i},\"stores\":[\"{i:x}\"],\"metadata\":[\"{i:x}\"],\"collections\":[\"{i:x}\"]}}\n")
                .into_bytes()
        })
        .collect();
    let short: Vec<u8> = (0..200_000u32).flat_map(|i| format!("{{\"id\":{i}}}\n").into_bytes()).collect();
    for (what, input) in [("distinct names", distinct), ("short lines", short)] {
        let file = file_of(&input);
        let (inv, used) = peak(|| Inventory::from_jsonl_file(&file, &options, &mut |_| {}).unwrap());
        let bound = Inventory::jsonl_heap_bound(input.len(), &limits);
        eprintln!("jsonl file, {what}: {} input bytes, peak heap {used}, bound {bound}", input.len());
        assert!(used <= bound, "{what}: {} input bytes used {used}, over {bound}", input.len());
        assert_eq!(inv.to_snapshot(), Inventory::from_jsonl(input.as_slice()).unwrap().to_snapshot());
    }
}

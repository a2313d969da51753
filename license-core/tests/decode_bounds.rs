//! Peak heap of every reader of untrusted bytes, fed its worst-case
//! expansion, against the bound docs/FORMATS.md states ("Memory bounds").
//!
//! A counting global allocator keeps, per thread, the live and the peak
//! heap bytes, so the tests can run in parallel and each measures only its
//! own reader. Run containers that cover whole 2^16-id chunks are the worst
//! case of the Roaring formats: 14 input bytes claim 65,536 ids, which cost
//! 8 KiB as a bitset. The JSON Lines reader, which parses on worker
//! threads, is measured process-wide in `jsonl_bounds.rs`.

mod heap;

use heap::{allocated, peak};
use license_core::{
    actioned::InventoryLimits,
    interchange::{
        read_clickhouse_state32, read_clickhouse_state64, read_id_set, read_portable32, read_portable64,
        write_clickhouse_state32, write_clickhouse_state64, write_portable32, write_portable32_no_runs,
        write_portable64, ExternalSets, InterchangeLimits, SetName,
    },
    ErrorKind, IdSet, Inventory,
};
use roaring::{RoaringBitmap, RoaringTreemap};

fn limits() -> InterchangeLimits {
    InterchangeLimits::default()
}

/// `chunks` whole 2^16-id chunks, written run-optimised: one run each.
fn full_chunks(chunks: u32) -> RoaringBitmap {
    let mut set = RoaringBitmap::new();
    set.insert_range(0..=((u64::from(chunks) << 16) - 1) as u32);
    set
}

/// Chunks of 1,025 ids (the most an array container of the count kernel
/// holds, plus one): the densest input for a bitset chunk.
fn just_over_array(chunks: u32) -> RoaringBitmap {
    (0..chunks).flat_map(|k| (0..1025u32).map(move |i| (k << 16) | (i * 61))).collect()
}

/// Asserts the reader's peak is within the documented interchange bound.
fn within_interchange_bound(what: &str, input: &[u8], used: usize) {
    let bound = InterchangeLimits::heap_bound(input.len());
    eprintln!(
        "{what}: {} input bytes, peak heap {used} ({:.1} per byte)",
        input.len(),
        used as f64 / input.len() as f64
    );
    assert!(
        used <= bound,
        "{what}: {} input bytes used {used} heap bytes, over the bound {bound}",
        input.len()
    );
}

/// The readers that take any id-set file (a ClickHouse state or bare
/// portable bytes).
fn check_detecting_readers(what: &str, ids: u64, bytes: &[u8]) {
    let (got, used) = peak(|| read_id_set(bytes, None, &limits()).unwrap());
    within_interchange_bound(&format!("{what}: read_id_set"), bytes, used);
    assert_eq!(got.0.len(), ids);
    drop(got);
    let (got, used) = peak(|| {
        let mut sets = ExternalSets::new();
        sets.add_bytes(SetName::Revoked, bytes, &limits()).unwrap();
        sets
    });
    within_interchange_bound(&format!("{what}: ExternalSets::add_bytes"), bytes, used);
    assert_eq!(got.shard_count(SetName::Revoked), 1);
}

fn check_all_readers32(what: &str, set: &RoaringBitmap, bytes: &[u8]) {
    let (got, used) = peak(|| read_portable32(bytes, &limits()).unwrap());
    within_interchange_bound(&format!("{what}: read_portable32"), bytes, used);
    assert_eq!(got.len(), set.len());
    drop(got);
    let (got, used) = peak(|| IdSet::from(&read_portable32(bytes, &limits()).unwrap()));
    within_interchange_bound(&format!("{what}: read_portable32 then IdSet::from"), bytes, used);
    assert_eq!(got.len(), set.len());
    drop(got);
    check_detecting_readers(what, set.len(), bytes);
    let state = write_clickhouse_state32(set);
    let (got, used) = peak(|| read_clickhouse_state32(&state, &limits()).unwrap());
    within_interchange_bound(&format!("{what}: read_clickhouse_state32"), &state, used);
    assert_eq!(got.len(), set.len());
    drop(got);
    check_detecting_readers(&format!("{what} in a ClickHouse state"), set.len(), &state);
}

#[test]
fn portable32_full_runs_stay_within_the_bound() {
    let set = full_chunks(2048);
    check_all_readers32("full runs", &set, &write_portable32(&set));
}

#[test]
fn portable32_every_u32_in_0_9_mb_stays_within_the_bound() {
    // The review's case: all 2^32 ids, 65,536 full-run containers.
    let set = full_chunks(1 << 16);
    let bytes = write_portable32(&set);
    assert!(bytes.len() < 1_000_000);
    let (got, used) = peak(|| {
        let mut sets = ExternalSets::new();
        sets.add_bytes(SetName::Revoked, &bytes, &limits()).unwrap();
        sets
    });
    within_interchange_bound("all ids: ExternalSets::add_bytes", &bytes, used);
    drop(got);
    let (got, used) = peak(|| IdSet::from(&read_portable32(&bytes, &limits()).unwrap()));
    within_interchange_bound("all ids: IdSet::from", &bytes, used);
    assert_eq!(got.len(), 1 << 32);
}

#[test]
fn portable32_dense_arrays_and_bitsets_stay_within_the_bound() {
    let set = just_over_array(512);
    check_all_readers32("arrays of 1025", &set, &write_portable32_no_runs(&set));
    let bitsets: RoaringBitmap =
        (0..64u32).flat_map(|k| (0..5000u32).map(move |i| (k << 16) | (i * 13))).collect();
    check_all_readers32("bitsets", &bitsets, &write_portable32_no_runs(&bitsets));
    let singles: RoaringBitmap = (0..60_000u32).map(|k| k << 16).collect();
    check_all_readers32("one id per container", &singles, &write_portable32(&singles));
}

fn check_all_readers64(what: &str, set: &RoaringTreemap) {
    let bytes = write_portable64(set);
    let (got, used) = peak(|| read_portable64(&bytes, &limits()).unwrap());
    within_interchange_bound(&format!("{what}: read_portable64"), &bytes, used);
    assert_eq!(got.len(), set.len());
    drop(got);
    let (got, used) = peak(|| read_id_set(&bytes, None, &limits()).unwrap());
    within_interchange_bound(&format!("{what}: read_id_set"), &bytes, used);
    assert_eq!(got.0.len(), set.len());
    drop(got);
    let (got, used) = peak(|| {
        let mut sets = ExternalSets::new();
        sets.add_bytes(SetName::Expired, &bytes, &limits()).unwrap();
        sets
    });
    within_interchange_bound(&format!("{what}: ExternalSets::add_bytes"), &bytes, used);
    drop(got);
    let state = write_clickhouse_state64(set);
    let (got, used) = peak(|| read_clickhouse_state64(&state, &limits()).unwrap());
    within_interchange_bound(&format!("{what}: read_clickhouse_state64"), &state, used);
    assert_eq!(got.len(), set.len());
    drop(got);
    let (got, used) = peak(|| {
        let mut sets = ExternalSets::new();
        sets.add_bytes(SetName::Expired, &state, &limits()).unwrap();
        sets
    });
    within_interchange_bound(
        &format!("{what}: ClickHouse state through ExternalSets::add_bytes"),
        &state,
        used,
    );
    drop(got);
}

#[test]
fn portable64_worst_cases_stay_within_the_bound() {
    let mut runs = RoaringTreemap::new();
    for bucket in 0..8u64 {
        runs.insert_range(bucket << 32..(bucket << 32) + (256 << 16));
    }
    check_all_readers64("full runs in 8 buckets", &runs);
    // The review's case: four buckets of every low id, 3.7 MB.
    let mut every = RoaringTreemap::new();
    every.insert_range(0..4 << 32);
    assert!(write_portable64(&every).len() < 3_800_000);
    check_all_readers64("four full buckets", &every);
    // Many buckets of one id each: the per-bucket overhead.
    let tiny: RoaringTreemap = (0..20_000u64).map(|k| k << 32 | 7).collect();
    check_all_readers64("one id per bucket", &tiny);
    // The same in the shortest encoding: 15 bytes a bucket (a key, the
    // run cookie for one container, its run flags, its description and
    // one array value).
    let buckets = 30_000u32;
    let mut bytes = u64::from(buckets).to_le_bytes().to_vec();
    for k in 0..buckets {
        bytes.extend_from_slice(&k.to_le_bytes());
        bytes.extend_from_slice(&12347u32.to_le_bytes());
        bytes.extend_from_slice(&[0, 0, 0, 0, 0, 7, 0]);
    }
    let (got, used) = peak(|| read_portable64(&bytes, &limits()).unwrap());
    within_interchange_bound("15-byte buckets: read_portable64", &bytes, used);
    assert_eq!(got.len(), u64::from(buckets));
    drop(got);
    check_detecting_readers("15-byte buckets", u64::from(buckets), &bytes);
}

/// A snapshot whose four flag sets (present, enrolled, private key, ssl)
/// are the first `chunks` full 2^16-id chunks.
fn full_snapshot(chunks: u32) -> Vec<u8> {
    let set = write_portable32(&full_chunks(chunks));
    let mut out = b"LCINVSNP".to_vec();
    out.extend_from_slice(&1u16.to_le_bytes());
    for _ in 0..4 {
        out.extend_from_slice(&(set.len() as u32).to_le_bytes());
        out.extend_from_slice(&set);
    }
    // No ssl_extra slices, no names.
    out.extend_from_slice(&[0; 16]);
    // Revocations and expiries: an empty set and no times.
    let empty = write_portable32(&RoaringBitmap::new());
    for _ in 0..2 {
        out.extend_from_slice(&(empty.len() as u32).to_le_bytes());
        out.extend_from_slice(&empty);
    }
    out
}

fn within_snapshot_bound(what: &str, input: &[u8], used: usize) {
    let bound = Inventory::snapshot_heap_bound(input.len());
    eprintln!(
        "{what}: {} input bytes, peak heap {used} ({:.1} per byte)",
        input.len(),
        used as f64 / input.len() as f64
    );
    assert!(
        used <= bound,
        "{what}: {} input bytes used {used} heap bytes, over the bound {bound}",
        input.len()
    );
}

#[test]
fn snapshots_of_full_runs_stay_within_the_bound() {
    let bytes = full_snapshot(64);
    let (inv, used) = peak(|| Inventory::from_snapshot(&bytes).unwrap());
    within_snapshot_bound("64 full chunks", &bytes, used);
    assert_eq!(inv.len(), 64 << 16);
    // It counts as a full set.
    let t = time::macros::datetime!(2026-11-23 2:00 UTC);
    let count =
        inv.count(t, &license_core::CountConfig::new(license_core::license::ActionedLimit::SiteLicense));
    assert_eq!(count.total(), 64 << 16);
    drop(inv);
    // The review's case: a 0.9 MB snapshot of every u32 id.
    let bytes = full_snapshot(1 << 16);
    let (inv, used) = peak(|| Inventory::from_snapshot(&bytes).unwrap());
    within_snapshot_bound("all ids", &bytes, used);
    assert_eq!(inv.len(), 1 << 32);
    // It writes the same bytes back.
    assert_eq!(inv.to_snapshot(), bytes);
}

#[test]
fn snapshots_of_many_names_and_times_stay_within_the_bound() {
    // Every certificate in a store, a field and a collection of its own,
    // with a revocation and an expiry: the most bookkeeping per byte.
    let t = time::macros::datetime!(2026-11-20 10:00 UTC);
    let records: Vec<license_core::CertificateRecord> = (0..40_000u32)
        .map(|i| {
            let mut r = license_core::CertificateRecord::new(i * 3);
            r.stores = vec![format!("{i:x}")];
            r.metadata = vec![format!("{i:x}")];
            r.collections = vec![format!("{i:x}")];
            r.revoked_at = Some(t);
            r.expires_at = Some(t);
            r
        })
        .collect();
    let bytes = Inventory::from_records(&records).unwrap().to_snapshot();
    let (inv, used) = peak(|| Inventory::from_snapshot(&bytes).unwrap());
    within_snapshot_bound("a name per certificate", &bytes, used);
    assert_eq!(inv.len(), 40_000);
}

#[test]
fn snapshot_name_counts_are_limited() {
    let mut inv = Inventory::new();
    let records: Vec<license_core::CertificateRecord> = (0..5u32)
        .map(|i| {
            let mut r = license_core::CertificateRecord::new(i);
            r.collections = vec![format!("c{i}")];
            r
        })
        .collect();
    inv.insert_records(&records).unwrap();
    let bytes = inv.to_snapshot();
    let four = InventoryLimits { max_collections: 4, ..InventoryLimits::default() };
    let err = Inventory::from_snapshot_with_limits(&bytes, &four).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooManyNames, "{err}");
    assert!(err.detail().contains("collections"), "{err}");
    let five = InventoryLimits { max_collections: 5, ..InventoryLimits::default() };
    assert_eq!(Inventory::from_snapshot_with_limits(&bytes, &five).unwrap().to_snapshot(), bytes);
}

/// A 32-bit portable bitmap, run cookie, of `chunks` run containers that
/// each hold the one id `key << 16` (valid, though not run-optimised: a
/// writer would store such a chunk as an array).
fn one_id_runs(chunks: u32) -> Vec<u8> {
    let n = chunks as usize;
    let mut out = (12347u32 | (chunks - 1) << 16).to_le_bytes().to_vec();
    out.extend(std::iter::repeat_n(0xFFu8, n / 8));
    if !n.is_multiple_of(8) {
        out.push((1u8 << (n % 8)) - 1);
    }
    for key in 0..chunks {
        out.extend_from_slice(&(key as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
    }
    let header = out.len() + 4 * n;
    for key in 0..n {
        out.extend_from_slice(&((header + 6 * key) as u32).to_le_bytes());
    }
    for _ in 0..chunks {
        // One run: starts at 0, length minus one 0.
        out.extend_from_slice(&[1, 0, 0, 0, 0, 0]);
    }
    out
}

#[test]
fn snapshot_subset_checks_do_work_in_proportion_to_their_input() {
    // Present: two ids in each of the 65,536 chunks (array chunks); a
    // store holding one id per chunk, each as a run container. Checking
    // store ⊆ present used to widen both chunks into 8 KiB bitsets, 16 KiB
    // of work for each 10 input bytes (1 GiB for this 1.5 MB file).
    let present: RoaringBitmap = (0..1u32 << 16).flat_map(|k| [k << 16, (k << 16) + 2]).collect();
    let present = write_portable32(&present);
    let store = one_id_runs(1 << 16);
    assert_eq!(read_portable32(&store, &limits()).unwrap().len(), 1 << 16);
    let empty = write_portable32(&RoaringBitmap::new());
    let set = |out: &mut Vec<u8>, bytes: &[u8]| {
        out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        out.extend_from_slice(bytes);
    };
    let mut bytes = b"LCINVSNP".to_vec();
    bytes.extend_from_slice(&1u16.to_le_bytes());
    set(&mut bytes, &present);
    for _ in 0..3 {
        set(&mut bytes, &empty);
    }
    // No ssl_extra slices; one store named `s`; no fields, no collections.
    bytes.extend_from_slice(&0u32.to_le_bytes());
    bytes.extend_from_slice(&1u32.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes());
    bytes.push(b's');
    set(&mut bytes, &store);
    bytes.extend_from_slice(&[0; 8]);
    for _ in 0..2 {
        set(&mut bytes, &empty);
    }
    let (inv, total) = allocated(|| Inventory::from_snapshot(&bytes).unwrap());
    eprintln!(
        "one-id runs against arrays: {} input bytes, {total} bytes allocated ({:.1} per byte)",
        bytes.len(),
        total as f64 / bytes.len() as f64
    );
    assert_eq!(inv.len(), 2 << 16);
    // Every byte the result holds, and scratch, within the peak bound's
    // factor: the loader allocates what it keeps, not per check.
    assert!(
        total <= Inventory::snapshot_heap_bound(bytes.len()),
        "{} input bytes, {total} bytes allocated",
        bytes.len()
    );
}

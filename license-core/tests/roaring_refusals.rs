//! Every rule of the Roaring portable formats, broken on its own: each
//! gives its error kind, names the rule and its offset, and is refused by
//! every reader (the decoders index the bytes the validator accepted, so a
//! rule that is not checked would be an out-of-bounds read or a wrong set).

use license_core::{
    interchange::{
        read_clickhouse_state32, read_id_set, read_portable32, read_portable64, write_portable32,
        write_portable64, ExternalSets, IdWidth, InterchangeLimits, SetName,
    },
    Error, ErrorKind, Inventory,
};
use roaring::{RoaringBitmap, RoaringTreemap};

fn limits() -> InterchangeLimits {
    InterchangeLimits::default()
}

/// Four containers, one of each kind, run-optimised, so the bytes have the
/// run cookie, run flags and the offset header:
/// key 0: one run 10..=19; key 1: the array 1, 5, 9; key 2: a bitset of
/// 5,000 ids; key 3: the runs 0..=99 and 200..=299.
fn sample() -> RoaringBitmap {
    (10..20u32)
        .chain([65_536 + 1, 65_536 + 5, 65_536 + 9])
        .chain((0..5000u32).map(|i| 2 * 65_536 + i * 13))
        .chain((0..100).chain(200..300).map(|i| 3 * 65_536 + i))
        .collect()
}

/// Positions in [`sample`]'s bytes.
const FLAGS: usize = 4;
const DESCRIPTIONS: usize = 5;
const OFFSETS: usize = DESCRIPTIONS + 16;

fn bytes() -> Vec<u8> {
    let b = write_portable32(&sample());
    // The layout the tests rely on: containers 0 and 3 are runs.
    assert_eq!(u16::from_le_bytes([b[0], b[1]]), 12347);
    assert_eq!(u16::from_le_bytes([b[2], b[3]]), 3);
    assert_eq!(b[FLAGS], 0b1001);
    b
}

/// Where container `i`'s data starts.
fn data(b: &[u8], i: usize) -> usize {
    let at = OFFSETS + 4 * i;
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as usize
}

fn put16(b: &mut [u8], at: usize, v: u16) {
    b[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

/// The error every 32-bit reader gives for `b` (they must agree), after
/// checking it has `kind` and says `says`.
fn refused(b: &[u8], kind: ErrorKind, says: &str) -> Error {
    let e = read_portable32(b, &limits()).unwrap_err();
    assert_eq!(e.kind(), kind, "{e}");
    assert!(e.detail().contains(says), "`{says}` not in: {e}");
    let e2 = read_id_set(b, Some(IdWidth::U32), &limits()).unwrap_err();
    assert_eq!((e2.kind(), e2.detail()), (kind, e.detail()));
    // Detection reads bytes that start with a cookie as 32-bit (others
    // may be another format's error).
    let cookie = b.get(..4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]));
    if cookie.is_some_and(|c| c == 12346 || c & 0xFFFF == 12347) {
        let e3 = ExternalSets::new().add_bytes(SetName::Revoked, b, &limits()).unwrap_err();
        assert_eq!((e3.kind(), e3.detail()), (kind, e.detail()));
    }
    // As a set inside a snapshot: a snapshot_format error quoting it.
    let mut snapshot = b"LCINVSNP\x01\x00".to_vec();
    snapshot.extend_from_slice(&(b.len() as u32).to_le_bytes());
    snapshot.extend_from_slice(b);
    let e4 = Inventory::from_snapshot(&snapshot).unwrap_err();
    assert_eq!(e4.kind(), ErrorKind::SnapshotFormat, "{e4}");
    assert!(e4.detail().contains(says), "{e4}");
    // In a ClickHouse state.
    let mut state = vec![1u8];
    let mut n = b.len();
    while n >= 0x80 {
        state.push((n as u8) | 0x80);
        n >>= 7;
    }
    state.push(n as u8);
    state.extend_from_slice(b);
    let e5 = read_clickhouse_state32(&state, &limits()).unwrap_err();
    assert_eq!((e5.kind(), e5.detail()), (kind, e.detail()));
    e
}

#[test]
fn the_sample_is_valid() {
    assert_eq!(read_portable32(&bytes(), &limits()).unwrap(), sample());
}

#[test]
fn an_unknown_cookie() {
    let mut b = bytes();
    // 0x303A: neither cookie (12346 needs zero high bytes), and not a
    // first byte that detection would try as ClickHouse.
    b[0] = 0x3A;
    let e = refused(&b, ErrorKind::RoaringFormat, "unknown cookie");
    assert!(e.detail().contains("offset 0"), "{e}");
}

#[test]
fn more_than_65536_containers() {
    let mut b = 12346u32.to_le_bytes().to_vec();
    b.extend_from_slice(&65_537u32.to_le_bytes());
    b.extend_from_slice(&[0; 64]);
    let e = refused(&b, ErrorKind::RoaringFormat, "65537 containers is over 65536");
    assert!(e.detail().contains("offset 4"), "{e}");
}

#[test]
fn run_flags_past_the_last_container() {
    let mut b = bytes();
    b[FLAGS] |= 0b1_0000;
    refused(&b, ErrorKind::RoaringFormat, "run flags set past the last container");
}

#[test]
fn container_keys_not_increasing() {
    for key in [2u16, 7] {
        let mut b = bytes();
        // Container 1's key equal to, then above, container 2's.
        put16(&mut b, DESCRIPTIONS + 4, key);
        let e = refused(&b, ErrorKind::RoaringFormat, "container keys are not increasing");
        assert!(e.detail().contains(&format!("offset {}", DESCRIPTIONS + 8)), "{e}");
    }
}

#[test]
fn an_offset_that_does_not_match_the_layout() {
    let mut b = bytes();
    let at = OFFSETS + 4 * 2;
    let wrong = data(&b, 2) as u32 + 2;
    b[at..at + 4].copy_from_slice(&wrong.to_le_bytes());
    refused(&b, ErrorKind::RoaringFormat, &format!("container 2 offset says {wrong}"));
}

#[test]
fn a_run_container_without_runs() {
    let mut b = bytes();
    let at = data(&b, 0);
    put16(&mut b, at, 0);
    let e = refused(&b, ErrorKind::RoaringFormat, "run container with no runs");
    assert!(e.detail().contains(&format!("offset {at}")), "{e}");
}

#[test]
fn a_run_past_65535() {
    let mut b = bytes();
    // Container 3's second run (200, length 100) moved to start at 65,500.
    let at = data(&b, 3) + 2 + 4;
    put16(&mut b, at, 65_500);
    let e = refused(&b, ErrorKind::RoaringFormat, "run extends past 65535");
    assert!(e.detail().contains(&format!("offset {at}")), "{e}");
}

#[test]
fn runs_that_overlap_touch_or_are_unsorted() {
    // Overlapping (starts inside 0..=99), touching (starts at 100, right
    // after it) and unsorted (starts before it). Lengths keep the
    // cardinality, so only the order rule is broken.
    for start in [50u16, 100, 0] {
        let mut b = bytes();
        let at = data(&b, 3) + 2 + 4;
        put16(&mut b, at, start);
        if start == 0 {
            // Swap the runs: (200, 99) then (0, 99).
            put16(&mut b, at - 4, 200);
        }
        let e = refused(&b, ErrorKind::RoaringFormat, "runs overlap, touch or are not sorted");
        assert!(e.detail().contains(&format!("offset {at}")), "{e}");
    }
}

#[test]
fn a_run_cardinality_that_differs_from_the_header() {
    let mut b = bytes();
    // Container 0 holds 10 ids; its header says 11.
    put16(&mut b, DESCRIPTIONS + 2, 10);
    refused(&b, ErrorKind::RoaringFormat, "run container holds 10 ids, its header says 11");
}

#[test]
fn array_values_not_increasing() {
    for (first, second) in [(5u16, 1u16), (5, 5)] {
        let mut b = bytes();
        let at = data(&b, 1);
        put16(&mut b, at, first);
        put16(&mut b, at + 2, second);
        let e = refused(&b, ErrorKind::RoaringFormat, "array container values are not increasing");
        assert!(e.detail().contains(&format!("offset {at}")), "{e}");
    }
}

#[test]
fn a_bitset_population_that_differs_from_the_header() {
    let mut b = bytes();
    let at = data(&b, 2);
    b[at] ^= 0b10;
    refused(&b, ErrorKind::RoaringFormat, "bitset container holds 5001 ids, its header says 5000");
}

#[test]
fn short_or_long_bytes() {
    let b = bytes();
    refused(&b[..b.len() - 1], ErrorKind::Truncated, "needs");
    refused(&b[..FLAGS], ErrorKind::Truncated, "needs 1 bytes at offset 4");
    let mut long = b.clone();
    long.push(0);
    refused(&long, ErrorKind::TrailingBytes, "1 bytes after the end");
}

fn sample64() -> RoaringTreemap {
    sample().iter().map(u64::from).chain(sample().iter().map(|i| (7u64 << 32) | u64::from(i))).collect()
}

fn refused64(b: &[u8], kind: ErrorKind, says: &str) -> Error {
    let e = read_portable64(b, &limits()).unwrap_err();
    assert_eq!(e.kind(), kind, "{e}");
    assert!(e.detail().contains(says), "`{says}` not in: {e}");
    let e2 = read_id_set(b, Some(IdWidth::U64), &limits()).unwrap_err();
    assert_eq!((e2.kind(), e2.detail()), (kind, e.detail()));
    let e3 = ExternalSets::new().add_bytes(SetName::Expired, b, &limits()).unwrap_err();
    assert_eq!(e3.kind(), kind, "{e3}");
    e
}

#[test]
fn buckets_not_increasing() {
    let good = write_portable64(&sample64());
    assert_eq!(read_portable64(&good, &limits()).unwrap(), sample64());
    let second = 8 + 4 + bytes().len();
    for equal in [true, false] {
        // Keys 0 then 7 become 0 then 0, or 9 then 7.
        let mut b = good.clone();
        if equal {
            b[second..second + 4].copy_from_slice(&0u32.to_le_bytes());
        } else {
            b[8..12].copy_from_slice(&9u32.to_le_bytes());
        }
        let e = refused64(&b, ErrorKind::RoaringFormat, "bucket keys are not increasing");
        assert!(e.detail().contains(&format!("offset {second}")), "{e}");
    }
}

#[test]
fn a_broken_bucket_is_its_own_error() {
    let good = write_portable64(&sample64());
    let second = 8 + 4 + bytes().len();
    // Container 1 of the second bucket's bitmap gets a key equal to
    // container 2's: the 32-bit rule fires, at its offset in the file.
    let mut b = good.clone();
    let desc = second + 4 + DESCRIPTIONS + 4;
    put16(&mut b, desc, 2);
    let e = refused64(&b, ErrorKind::RoaringFormat, "container keys are not increasing");
    assert!(e.detail().contains(&format!("offset {}", desc + 4)), "{e}");
}

#[test]
fn bucket_counts_over_the_limit_or_the_bytes() {
    let good = write_portable64(&sample64());
    let one = InterchangeLimits { max_buckets: 1, ..limits() };
    assert_eq!(read_portable64(&good, &one).unwrap_err().kind(), ErrorKind::SizeLimit);
    let mut b = good.clone();
    b[..8].copy_from_slice(&100_000u64.to_le_bytes());
    refused64(&b, ErrorKind::Truncated, "100000 buckets cannot fit");
}

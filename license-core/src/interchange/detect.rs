//! Which id-set format a file is in, told from its leading bytes alone:
//! the one place where the formats are told apart. Nothing here decodes;
//! the readers (`read.rs`) ask once, then run one decoder.
//!
//! The rule, first match wins (`n` is the length of the bytes):
//!
//! | leading bytes | format, width |
//! | --- | --- |
//! | a u64 bucket count `c` with `c = 0` and `n = 8`, or `c ≥ 1`, `12·c ≤ n − 8` and a 32-bit cookie at offset 12 | 64-bit portable |
//! | a 32-bit cookie (`12346` as u32, or `12347` as the low u16) | 32-bit portable |
//! | `0x00` or `0x01` | ClickHouse state; width from the state (below) |
//! | anything else | 64-bit portable (its decoder names what is wrong) |
//!
//! A ClickHouse state's width: a small set (`0x00`, VarUInt `k`,
//! `1 ≤ k ≤ 32`) followed by exactly `8·k` bytes has 8-byte ids, any other small set
//! 4-byte ids (`4·k = 8·k` only when `k = 0`); a large one (`0x01`,
//! VarUInt length, payload) has the width the first two rows give its
//! payload, 64-bit when neither does (as for bare bytes).
//!
//! Why the rows never take a valid file of another format:
//!
//! - *Every valid 64-bit file matches row 1*: each bucket takes at least
//!   12 bytes (u32 key and an 8-byte empty bitmap), the first bitmap starts
//!   at offset 12 with its cookie, and no buckets means nothing after the
//!   count.
//! - *No valid 32-bit file matches row 1*: bytes 4–7 are the count's
//!   upper half, so if any is set the count is at least 2^32 buckets
//!   (51 GB), where a 32-bit file is at most 65,536 containers of at most
//!   128 KiB (8.6 GB). If none is set, cookie `12346` means no containers,
//!   an 8-byte file, where the count (12,346) asks for 148 KB; cookie
//!   `12347` makes the count `12347 + (containers − 1)·65536`, 148 KB plus
//!   786 KB per container past the first, where each takes at most
//!   128 KiB, and a lone container is no run (its flag, byte 4, is clear)
//!   so takes at most 8 KiB.
//! - *No valid ClickHouse state matches row 1*: a count whose low byte is
//!   `0x00` is 0 (then the file is 8 bytes, a small set of none followed by
//!   6 bytes) or at least 256 buckets (3 KB, where a small set is at most
//!   266 bytes); one whose low byte is `0x01` is 1 (then the VarUInt length
//!   is 0, which ClickHouse never writes) or at least 257 buckets, whose
//!   bytes 1–7 read as a VarUInt give a length below what follows (each
//!   7-bit group is at most the byte it came from, while the file is
//!   over 3,000 times the count's upper bytes), unless all seven have their
//!   high bit set, which asks for over 2^63 buckets.
//! - *No valid ClickHouse state starts with a cookie*: its first byte is
//!   `0x00` or `0x01`, a cookie's is `0x3A` or `0x3B`.
//!
//! So a valid file is read as its own format whatever it is, and no reading
//! needs a second try: when the chosen decoder refuses the bytes, no other
//! format would have taken them, and its error is the one reported.
//!
//! A ClickHouse state is never read at the wrong width either: a small
//! set's `4·k` and `8·k` bytes differ, and a large one's payload is read
//! at the width rows 1 and 2 give it (when neither does, no width would
//! take it).
//!
//! A width asked for by the caller replaces the one the bytes would give
//! (for a ClickHouse state, the size of a small set's ids and the width of
//! a large one's payload). Portable bytes, bare or a state's payload, that
//! rows 1 and 2 give the other width are then refused with
//! [`ErrorKind::WidthMismatch`] by [`expect_width`] before their decoder
//! runs.

use super::cursor::Cursor;
use super::portable::{COOKIE_NO_RUNS, COOKIE_RUNS};
use super::portable64::MIN_BUCKET_BYTES;
use crate::{Error, ErrorKind, Result};

/// The width of the ids in a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdWidth {
    /// `u32` ids (ClickHouse UInt32, the 32-bit portable format).
    U32,
    /// `u64` ids (ClickHouse UInt64, the 64-bit portable format).
    U64,
}

/// The encoding of an id-set file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdSetFormat {
    /// A ClickHouse `groupBitmap` state.
    ClickHouse,
    /// Bare Roaring portable bytes.
    Portable,
}

/// Classifies an id-set file (the table in this module's docs): its format
/// and the width of its ids, `width` when the caller asked for one.
pub(crate) fn classify(bytes: &[u8], width: Option<IdWidth>) -> (IdSetFormat, IdWidth) {
    let portable = portable_width(bytes);
    if portable.is_none() && matches!(bytes.first(), Some(0 | 1)) {
        (IdSetFormat::ClickHouse, width.unwrap_or_else(|| clickhouse_width(bytes)))
    } else {
        (IdSetFormat::Portable, width.or(portable).unwrap_or(IdWidth::U64))
    }
}

/// The width Roaring portable bytes have by rows 1 and 2 of the rule, or
/// `None` when they start like neither.
pub(crate) fn portable_width(bytes: &[u8]) -> Option<IdWidth> {
    if starts_64(bytes) {
        Some(IdWidth::U64)
    } else if starts_with_cookie(bytes) {
        Some(IdWidth::U32)
    } else {
        None
    }
}

/// Refuses portable bytes that the rule gives the other width than
/// `width`; `what` names the bytes in the error, as their decoder does.
pub(crate) fn expect_width(bytes: &[u8], width: IdWidth, what: &str) -> Result<()> {
    match (portable_width(bytes), width) {
        (Some(IdWidth::U64), IdWidth::U32) => {
            Err(Error::new(ErrorKind::WidthMismatch, format!("{what}: these are 64-bit portable bytes")))
        }
        (Some(IdWidth::U32), IdWidth::U64) => {
            Err(Error::new(ErrorKind::WidthMismatch, format!("{what}: these are 32-bit portable bytes")))
        }
        _ => Ok(()),
    }
}

/// Row 2: the bytes start with one of the two 32-bit cookies.
fn starts_with_cookie(bytes: &[u8]) -> bool {
    match bytes {
        [a, b, c, d, ..] => {
            let cookie = u32::from_le_bytes([*a, *b, *c, *d]);
            cookie == COOKIE_NO_RUNS || (cookie & 0xFFFF) as u16 == COOKIE_RUNS
        }
        _ => false,
    }
}

/// Row 1: a bucket count the bytes can hold, then (unless it is 0) a key
/// and a 32-bit cookie.
fn starts_64(bytes: &[u8]) -> bool {
    let Some((count, rest)) = bytes.split_first_chunk::<8>() else { return false };
    match u64::from_le_bytes(*count) {
        0 => rest.is_empty(),
        n => n.saturating_mul(MIN_BUCKET_BYTES) <= rest.len() as u64 && starts_with_cookie(&rest[4..]),
    }
}

/// A ClickHouse state's width (see the module docs): a small set's element
/// size from its length, a large one's from its payload's leading bytes.
fn clickhouse_width(bytes: &[u8]) -> IdWidth {
    match bytes {
        [0, rest @ ..] => {
            let mut count = Cursor::new(rest, "groupBitmap state");
            match count.leb128() {
                Ok(k) if (1..=32).contains(&k) && count.remaining() as u64 == 8 * k => IdWidth::U64,
                _ => IdWidth::U32,
            }
        }
        [1, rest @ ..] => {
            // The payload follows the VarUInt length (its last byte is the
            // first with the high bit clear).
            let skip = rest.iter().position(|b| b & 0x80 == 0).map_or(rest.len(), |p| p + 1);
            match portable_width(&rest[skip..]) {
                Some(IdWidth::U32) => IdWidth::U32,
                _ => IdWidth::U64,
            }
        }
        _ => IdWidth::U32,
    }
}

#[cfg(test)]
mod tests {
    use roaring::{RoaringBitmap, RoaringTreemap};

    use super::*;
    use crate::interchange::{
        read_clickhouse_state32, read_clickhouse_state64, read_id_set, read_portable32, read_portable64,
        write_clickhouse_state32, write_clickhouse_state64, write_portable32, write_portable32_no_runs,
        write_portable64, DecodedSet, InterchangeLimits,
    };

    use IdSetFormat::{ClickHouse, Portable};
    use IdWidth::{U32, U64};

    /// One row: a name, the bytes, the width asked for, what the rule
    /// says they are, and what reading them gives (the ids or the error).
    type Row =
        (&'static str, Vec<u8>, Option<IdWidth>, (IdSetFormat, IdWidth), std::result::Result<u64, ErrorKind>);

    fn rows() -> Vec<Row> {
        let narrow = |ids: std::ops::Range<u32>| ids.collect::<RoaringBitmap>();
        let wide = |ids: &[u64]| ids.iter().copied().collect::<RoaringTreemap>();
        let one_bucket = write_portable64(&wide(&[1, 2, 3]));
        assert_eq!(&one_bucket[..2], &[1, 0], "one bucket starts like a ClickHouse large state");
        let two_buckets = write_portable64(&wide(&[1, 5 << 32]));
        let many_buckets: RoaringTreemap = (0..12_346u64).map(|k| k << 32).collect();
        let many_buckets = write_portable64(&many_buckets);
        assert!(starts_with_cookie(&many_buckets), "12,346 buckets start like a 32-bit cookie");
        let mut unsorted_bucket = one_bucket.clone();
        let n = unsorted_bucket.len();
        unsorted_bucket.swap(n - 2, n - 4);
        unsorted_bucket.swap(n - 1, n - 3);
        let small32 = write_clickhouse_state32(&narrow(1..4));
        let small64 = write_clickhouse_state64(&wide(&[1, 2, 3 << 32]));
        // ClickHouse writes a VarUInt in as few bytes as it can; a reader
        // takes more (0x81 0x00 is 1).
        let long_count = [&[0u8, 0x81, 0x00][..], &7u64.to_le_bytes()].concat();
        let large32 = write_clickhouse_state32(&narrow(0..40));
        let large64 = write_clickhouse_state64(&(0..40u64).map(|i| i << 31).collect());
        let p32 = write_portable32(&narrow(0..10));
        let plus = |b: &[u8], extra: &[u8]| [b, extra].concat();
        let short = |b: &[u8]| b[..b.len() - 1].to_vec();
        vec![
            // Each format and width, as written.
            ("32-bit, runs", p32.clone(), None, (Portable, U32), Ok(10)),
            ("32-bit, no runs", write_portable32_no_runs(&narrow(0..10)), None, (Portable, U32), Ok(10)),
            ("32-bit, empty", write_portable32(&RoaringBitmap::new()), None, (Portable, U32), Ok(0)),
            ("64-bit, empty (starts 0x00)", vec![0; 8], None, (Portable, U64), Ok(0)),
            ("64-bit, one bucket (starts 0x01 0x00)", one_bucket.clone(), None, (Portable, U64), Ok(3)),
            ("64-bit, two buckets", two_buckets.clone(), None, (Portable, U64), Ok(2)),
            (
                "64-bit, 12,346 buckets (starts with a cookie)",
                many_buckets,
                None,
                (Portable, U64),
                Ok(12_346),
            ),
            ("ClickHouse small, 4-byte ids", small32.clone(), None, (ClickHouse, U32), Ok(3)),
            ("ClickHouse small, 8-byte ids", small64.clone(), None, (ClickHouse, U64), Ok(3)),
            ("ClickHouse small, empty", vec![0, 0], None, (ClickHouse, U32), Ok(0)),
            ("ClickHouse small, 8-byte ids, count in two bytes", long_count, None, (ClickHouse, U64), Ok(1)),
            ("ClickHouse large, 32-bit", large32.clone(), None, (ClickHouse, U32), Ok(40)),
            ("ClickHouse large, 64-bit", large64.clone(), None, (ClickHouse, U64), Ok(40)),
            // Near misses: the format their leading bytes name refuses them.
            ("nothing", vec![], None, (Portable, U64), Err(ErrorKind::Truncated)),
            ("a kind byte alone", vec![0], None, (ClickHouse, U32), Err(ErrorKind::Truncated)),
            ("kind byte 2 is no ClickHouse state", vec![2], None, (Portable, U64), Err(ErrorKind::Truncated)),
            ("half a cookie", vec![0x3A, 0x30], None, (Portable, U64), Err(ErrorKind::Truncated)),
            ("a cookie alone", vec![0x3A, 0x30, 0, 0], None, (Portable, U32), Err(ErrorKind::Truncated)),
            ("7 zero bytes", vec![0; 7], None, (ClickHouse, U32), Err(ErrorKind::TrailingBytes)),
            ("9 zero bytes", vec![0; 9], None, (ClickHouse, U32), Err(ErrorKind::TrailingBytes)),
            (
                "one bucket, none there",
                vec![1, 0, 0, 0, 0, 0, 0, 0],
                None,
                (ClickHouse, U64),
                Err(ErrorKind::ZeroLength),
            ),
            ("one bucket, unsorted", unsorted_bucket, None, (Portable, U64), Err(ErrorKind::RoaringFormat)),
            ("one bucket, cut short", short(&one_bucket), None, (Portable, U64), Err(ErrorKind::Truncated)),
            ("a small set of 33", vec![0, 33], None, (ClickHouse, U32), Err(ErrorKind::SmallSetTooLarge)),
            (
                "small set, a byte over",
                plus(&small32, &[0]),
                None,
                (ClickHouse, U32),
                Err(ErrorKind::TrailingBytes),
            ),
            ("large state, cut short", short(&large32), None, (ClickHouse, U32), Err(ErrorKind::Truncated)),
            ("32-bit, a byte over", plus(&p32, &[0]), None, (Portable, U32), Err(ErrorKind::TrailingBytes)),
            // A width asked for replaces the detected one.
            ("32-bit as 64", p32, Some(U64), (Portable, U64), Err(ErrorKind::WidthMismatch)),
            ("64-bit as 32", two_buckets, Some(U32), (Portable, U32), Err(ErrorKind::WidthMismatch)),
            (
                "64-bit (starts 0x01) as 32",
                one_bucket,
                Some(U32),
                (Portable, U32),
                Err(ErrorKind::WidthMismatch),
            ),
            (
                "large 64-bit state as 32",
                large64,
                Some(U32),
                (ClickHouse, U32),
                Err(ErrorKind::WidthMismatch),
            ),
            (
                "large 32-bit state as 64",
                large32,
                Some(U64),
                (ClickHouse, U64),
                Err(ErrorKind::WidthMismatch),
            ),
            ("small 4-byte state as 64", small32, Some(U64), (ClickHouse, U64), Err(ErrorKind::Truncated)),
            (
                "small 8-byte state as 32",
                small64,
                Some(U32),
                (ClickHouse, U32),
                Err(ErrorKind::TrailingBytes),
            ),
        ]
    }

    /// The reader of one format and width, its result as `read_id_set`'s.
    fn read_as(bytes: &[u8], format: IdSetFormat, width: IdWidth) -> crate::Result<DecodedSet> {
        let l = InterchangeLimits::default();
        match (format, width) {
            (Portable, U32) => read_portable32(bytes, &l).map(DecodedSet::U32),
            (Portable, U64) => read_portable64(bytes, &l).map(DecodedSet::U64),
            (ClickHouse, U32) => read_clickhouse_state32(bytes, &l).map(DecodedSet::U32),
            (ClickHouse, U64) => read_clickhouse_state64(bytes, &l).map(DecodedSet::U64),
        }
    }

    /// Every file is classified once, by its leading bytes, and read by
    /// the one reader of that format and width: `read_id_set` gives exactly
    /// what that reader gives (the same ids, or the same error, detail
    /// included), never another format's error after a second try.
    #[test]
    fn each_file_is_classified_once_and_read_by_its_format() {
        for (name, bytes, width, classified, expected) in rows() {
            assert_eq!(classify(&bytes, width), classified, "{name}");
            let (format, width_read) = classified;
            let got = read_id_set(&bytes, width, &InterchangeLimits::default());
            let reader = read_as(&bytes, format, width_read);
            match (got, reader) {
                (Ok((set, f)), Ok(theirs)) => {
                    assert_eq!(
                        (set.len(), set.width(), f),
                        (expected.unwrap(), width_read, format),
                        "{name}"
                    );
                    assert_eq!(set, theirs, "{name}");
                }
                (Err(e), Err(theirs)) => {
                    assert_eq!(Err(e.kind()), expected, "{name}: {e}");
                    assert_eq!((e.kind(), e.detail()), (theirs.kind(), theirs.detail()), "{name}");
                }
                (got, reader) => panic!("{name}: read_id_set gave {got:?}, its format's reader {reader:?}"),
            }
        }
    }

    /// The rule's first row never takes a valid 32-bit file or ClickHouse
    /// state (the module docs say why): checked on every 32-bit file of
    /// one container of each kind and size class, and every state.
    #[test]
    fn no_valid_file_of_another_format_starts_like_64_bit() {
        let mut sets: Vec<RoaringBitmap> = vec![RoaringBitmap::new()];
        for n in [1u32, 2, 31, 32, 33, 4096, 4097, 65_536] {
            sets.push((0..n).collect());
            sets.push((0..n).map(|i| i * 2).collect());
            sets.push((0..n).map(|i| (i << 16) | 7).collect());
        }
        for set in &sets {
            let wide: RoaringTreemap = set.iter().map(|i| u64::from(i) << 16).collect();
            for bytes in [
                write_portable32(set),
                write_portable32_no_runs(set),
                write_clickhouse_state32(set),
                write_clickhouse_state64(&wide),
            ] {
                assert!(!starts_64(&bytes), "{} ids: {:02x?}", set.len(), &bytes[..bytes.len().min(16)]);
            }
            assert!(starts_64(&write_portable64(&wide)), "{} ids", set.len());
        }
    }
}

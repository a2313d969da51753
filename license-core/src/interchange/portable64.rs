//! The Roaring 64-bit portable format: a u64 little-endian bucket count,
//! then per bucket, in ascending order, a u32 little-endian high key and a
//! 32-bit portable bitmap of the low halves. This is what CRoaring's
//! `Roaring64Map`, pyroaring's `BitMap64`, Java's
//! `Roaring64NavigableMap.serializePortable` and roaring-rs's
//! `RoaringTreemap` write, and what ClickHouse keeps for UInt64 bitmaps.

use roaring::{RoaringBitmap, RoaringTreemap};

use super::cursor::Cursor;
use super::portable;
use super::InterchangeLimits;
use crate::{Error, ErrorKind, Result};

/// The fewest bytes one bucket can take: a key and an empty bitmap.
pub(crate) const MIN_BUCKET_BYTES: u64 = 4 + 8;

/// Validates 64-bit portable bytes and returns each bucket's high key with
/// the bytes of its (validated) 32-bit bitmap. The bytes are taken to be
/// 64-bit: telling the widths apart is `detect`'s, and bounding the input
/// the reader's; this bounds the bucket count by `limits.max_buckets`.
pub(crate) fn buckets<'a>(bytes: &'a [u8], limits: &InterchangeLimits) -> Result<Vec<(u32, &'a [u8])>> {
    let mut c = Cursor::new(bytes, "64-bit portable bitmap");
    let count = c.u64()?;
    if count > limits.max_buckets {
        return Err(Error::new(
            ErrorKind::SizeLimit,
            format!("64-bit portable bitmap: {count} buckets is over the limit of {}", limits.max_buckets),
        ));
    }
    if count.saturating_mul(MIN_BUCKET_BYTES) > c.remaining() as u64 {
        return Err(Error::new(
            ErrorKind::Truncated,
            format!("64-bit portable bitmap: {count} buckets cannot fit in {} bytes", c.remaining()),
        ));
    }
    let mut buckets: Vec<(u32, &[u8])> = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let at = c.pos();
        let key = c.u32()?;
        if buckets.last().is_some_and(|&(prev, _)| key <= prev) {
            return Err(c.error(ErrorKind::RoaringFormat, at, "bucket keys are not increasing"));
        }
        let from = c.pos();
        portable::validate(&mut c)?;
        buckets.push((key, &bytes[from..c.pos()]));
    }
    c.finish()?;
    Ok(buckets)
}

/// Writes a 64-bit set in the portable format, each bucket run-optimised, so
/// the same ids always give the same bytes.
pub fn write_portable64(set: &RoaringTreemap) -> Vec<u8> {
    let buckets: Vec<(u32, &RoaringBitmap)> = set.bitmaps().filter(|(_, b)| !b.is_empty()).collect();
    let mut out = Vec::new();
    out.extend_from_slice(&(buckets.len() as u64).to_le_bytes());
    for (key, bitmap) in buckets {
        out.extend_from_slice(&key.to_le_bytes());
        out.extend_from_slice(&portable::write_portable32(bitmap));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interchange::{read_portable32, read_portable64};

    fn sample() -> RoaringTreemap {
        (0..1000u64).chain((1u64 << 32)..(1u64 << 32) + 70_000).chain([u64::MAX]).collect()
    }

    #[test]
    fn round_trips_and_matches_roaring_rs() {
        let set = sample();
        let bytes = write_portable64(&set);
        assert_eq!(read_portable64(&bytes, &InterchangeLimits::default()).unwrap(), set);
        let mut theirs = Vec::new();
        let mut optimised = RoaringTreemap::new();
        for (k, mut b) in set.bitmaps().map(|(k, b)| (k, b.clone())) {
            b.optimize();
            optimised |= RoaringTreemap::from_bitmaps([(k, b)]);
        }
        optimised.serialize_into(&mut theirs).unwrap();
        assert_eq!(read_portable64(&theirs, &InterchangeLimits::default()).unwrap(), set);
    }

    #[test]
    fn width_mix_ups_are_named() {
        let small: RoaringBitmap = (0..10).collect();
        let b32 = portable::write_portable32(&small);
        assert_eq!(
            read_portable64(&b32, &InterchangeLimits::default()).unwrap_err().kind(),
            ErrorKind::WidthMismatch
        );
        let b64 = write_portable64(&sample());
        assert_eq!(
            read_portable32(&b64, &InterchangeLimits::default()).unwrap_err().kind(),
            ErrorKind::WidthMismatch
        );
    }

    #[test]
    fn absurd_bucket_counts_are_refused_before_allocating() {
        let mut b = u64::MAX.to_le_bytes().to_vec();
        b.extend_from_slice(&[0; 16]);
        assert_eq!(
            read_portable64(&b, &InterchangeLimits::default()).unwrap_err().kind(),
            ErrorKind::SizeLimit
        );
        let few = InterchangeLimits { max_buckets: 2, ..InterchangeLimits::default() };
        let three: RoaringTreemap = [0u64, 1 << 32, 2 << 32].into_iter().collect();
        assert_eq!(
            read_portable64(&write_portable64(&three), &few).unwrap_err().kind(),
            ErrorKind::SizeLimit
        );
        let mut b = 1000u64.to_le_bytes().to_vec();
        b.extend_from_slice(&[0; 16]);
        assert_eq!(
            read_portable64(&b, &InterchangeLimits::default()).unwrap_err().kind(),
            ErrorKind::Truncated
        );
    }

    #[test]
    fn every_truncation_is_refused() {
        let bytes = write_portable64(&sample());
        for len in 0..bytes.len() {
            assert!(read_portable64(&bytes[..len], &InterchangeLimits::default()).is_err(), "{len}");
        }
    }
}

//! The Roaring 32-bit portable format (RoaringFormatSpec), read strictly.
//!
//! Layout: a cookie — `12346` (u32) followed by a u32 container count, or
//! `12347 | (count - 1) << 16` followed by a bitset marking run containers —
//! then per container a u16 key and a u16 cardinality minus one, then (for
//! the first cookie always, for the second when there are 4 or more
//! containers) a u32 byte offset per container, then the containers: runs
//! (u16 run count, then u16 start / u16 length-minus-one pairs), arrays (of
//! at most 4096 sorted u16) or bitsets (8192 bytes).

use roaring::RoaringBitmap;

use super::cursor::Cursor;
use crate::actioned::Block;
use crate::{Error, ErrorKind, IdSet, Result};

pub(crate) const COOKIE_NO_RUNS: u32 = 12346;
pub(crate) const COOKIE_RUNS: u16 = 12347;
const NO_OFFSET_THRESHOLD: usize = 4;
const MAX_CONTAINERS: usize = 1 << 16;
const ARRAY_MAX: usize = 4096;
const BITSET_BYTES: usize = 8192;

/// Checks one serialized 32-bit bitmap starting at the cursor and moves the
/// cursor past it. Every rule of the format is enforced, so the bytes can
/// then be loaded without further checks.
pub(crate) fn validate(c: &mut Cursor<'_>) -> Result<()> {
    let start = c.pos();
    let cookie = c.u32()?;
    let (count, run_bits, has_offsets) = if cookie == COOKIE_NO_RUNS {
        let at = c.pos();
        let count = c.u32()? as usize;
        if count > MAX_CONTAINERS {
            return Err(c.error(ErrorKind::RoaringFormat, at, format!("{count} containers is over 65536")));
        }
        (count, None, true)
    } else if (cookie & 0xFFFF) as u16 == COOKIE_RUNS {
        let count = (cookie >> 16) as usize + 1;
        let bits = c.take(count.div_ceil(8))?;
        // Bits past the last container must be clear.
        if !count.is_multiple_of(8) && bits[bits.len() - 1] >> (count % 8) != 0 {
            return Err(c.error(
                ErrorKind::RoaringFormat,
                start + 4,
                "run flags set past the last container",
            ));
        }
        (count, Some(bits), count >= NO_OFFSET_THRESHOLD)
    } else {
        return Err(c.error(ErrorKind::RoaringFormat, start, format!("unknown cookie {cookie:#010x}")));
    };
    let desc_at = c.pos();
    let descriptions = c.take(4 * count)?;
    let offsets = if has_offsets { Some(c.take(4 * count)?) } else { None };
    let mut previous_key: Option<u16> = None;
    for i in 0..count {
        let d = &descriptions[4 * i..4 * i + 4];
        let key = u16::from_le_bytes([d[0], d[1]]);
        let cardinality = usize::from(u16::from_le_bytes([d[2], d[3]])) + 1;
        if previous_key.is_some_and(|p| key <= p) {
            return Err(c.error(
                ErrorKind::RoaringFormat,
                desc_at + 4 * i,
                "container keys are not increasing",
            ));
        }
        previous_key = Some(key);
        if let Some(offsets) = offsets {
            let o = &offsets[4 * i..4 * i + 4];
            let declared = u32::from_le_bytes([o[0], o[1], o[2], o[3]]) as usize;
            if declared != c.pos() - start {
                return Err(c.error(
                    ErrorKind::RoaringFormat,
                    c.pos(),
                    format!("container {i} offset says {declared}, data is at {}", c.pos() - start),
                ));
            }
        }
        let is_run = run_bits.is_some_and(|bits| bits[i / 8] & (1 << (i % 8)) != 0);
        let at = c.pos();
        if is_run {
            validate_runs(c, cardinality, at)?;
        } else if cardinality <= ARRAY_MAX {
            let values = c.take(2 * cardinality)?;
            let increasing = values
                .chunks_exact(2)
                .map(|v| u16::from_le_bytes([v[0], v[1]]))
                .try_fold(
                    None::<u16>,
                    |prev, v| if prev.is_some_and(|p| v <= p) { Err(()) } else { Ok(Some(v)) },
                )
                .is_ok();
            if !increasing {
                return Err(c.error(
                    ErrorKind::RoaringFormat,
                    at,
                    "array container values are not increasing",
                ));
            }
        } else {
            let words = c.take(BITSET_BYTES)?;
            let ones: usize = words
                .chunks_exact(8)
                .map(|w| {
                    u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]).count_ones() as usize
                })
                .sum();
            if ones != cardinality {
                return Err(c.error(
                    ErrorKind::RoaringFormat,
                    at,
                    format!("bitset container holds {ones} ids, its header says {cardinality}"),
                ));
            }
        }
    }
    Ok(())
}

fn validate_runs(c: &mut Cursor<'_>, cardinality: usize, at: usize) -> Result<()> {
    let runs = usize::from(c.u16()?);
    if runs == 0 {
        return Err(c.error(ErrorKind::RoaringFormat, at, "run container with no runs"));
    }
    let pairs = c.take(4 * runs)?;
    let mut total = 0usize;
    let mut next_free: u32 = 0;
    for (j, p) in pairs.chunks_exact(4).enumerate() {
        let first = u32::from(u16::from_le_bytes([p[0], p[1]]));
        let last = first + u32::from(u16::from_le_bytes([p[2], p[3]]));
        if last > 0xFFFF {
            return Err(c.error(ErrorKind::RoaringFormat, at + 2 + 4 * j, "run extends past 65535"));
        }
        // Touching runs are refused as CRoaring and roaring-rs refuse them:
        // the run-optimised form joins them.
        if j > 0 && first <= next_free {
            return Err(c.error(
                ErrorKind::RoaringFormat,
                at + 2 + 4 * j,
                "runs overlap, touch or are not sorted",
            ));
        }
        next_free = last + 1;
        total += (last - first + 1) as usize;
    }
    if total != cardinality {
        return Err(c.error(
            ErrorKind::RoaringFormat,
            at,
            format!("run container holds {total} ids, its header says {cardinality}"),
        ));
    }
    Ok(())
}

/// Decodes bytes that [`validate`] accepted straight into the count
/// kernel's set, container by container: arrays and bitsets are copied and
/// runs stay runs, so no id is visited on its own and the set costs what
/// its input does (docs/FORMATS.md, "Memory bounds").
pub(crate) fn to_idset(bytes: &[u8]) -> IdSet {
    let u16_at = |p: usize| u16::from_le_bytes([bytes[p], bytes[p + 1]]);
    let cookie = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    let (count, run_bits, has_offsets, mut pos) = if cookie == COOKIE_NO_RUNS {
        let count = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
        (count, &bytes[0..0], true, 8)
    } else {
        let count = (cookie >> 16) as usize + 1;
        let bits = &bytes[4..4 + count.div_ceil(8)];
        (count, bits, count >= NO_OFFSET_THRESHOLD, 4 + bits.len())
    };
    let descriptions = pos;
    pos += 4 * count;
    if has_offsets {
        pos += 4 * count;
    }
    let mut set = IdSet::with_chunks(count);
    let mut lows: Vec<u16> = Vec::new();
    for i in 0..count {
        let key = u16_at(descriptions + 4 * i);
        let cardinality = usize::from(u16_at(descriptions + 4 * i + 2)) + 1;
        let is_run = run_bits.get(i / 8).is_some_and(|b| b & (1 << (i % 8)) != 0);
        if is_run {
            let n = usize::from(u16_at(pos));
            let runs = (0..n)
                .map(|j| {
                    let first = u16_at(pos + 2 + 4 * j);
                    // The validator checked that the run ends by 65535.
                    (first, first + u16_at(pos + 4 + 4 * j))
                })
                .collect();
            set.push_runs(key, runs, cardinality as u32);
            pos += 2 + 4 * n;
        } else if cardinality <= ARRAY_MAX {
            lows.clear();
            lows.extend(
                bytes[pos..pos + 2 * cardinality].chunks_exact(2).map(|v| u16::from_le_bytes([v[0], v[1]])),
            );
            set.push_lows(key, &lows);
            pos += 2 * cardinality;
        } else {
            let mut block: Box<Block> = Box::new([0u64; 1024]);
            for (word, b) in block.iter_mut().zip(bytes[pos..pos + BITSET_BYTES].chunks_exact(8)) {
                *word = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
            }
            set.push_block(key, block, cardinality as u32);
            pos += BITSET_BYTES;
        }
    }
    set
}

/// Validates one whole 32-bit portable bitmap (nothing after it) and
/// decodes it into the kernel's set; errors name the offset in `bytes`.
pub(crate) fn decode_portable32(bytes: &[u8]) -> Result<IdSet> {
    check32(bytes)?;
    Ok(to_idset(bytes))
}

/// Checks that `bytes` hold exactly one valid 32-bit portable bitmap. The
/// bytes are taken to be 32-bit: telling the widths apart is
/// `detect`'s, and bounding the input the reader's.
pub(crate) fn check32(bytes: &[u8]) -> Result<()> {
    let mut c = Cursor::new(bytes, "portable bitmap");
    validate(&mut c)?;
    c.finish()
}

/// Loads bytes that [`validate`] accepted.
pub(crate) fn load(bytes: &[u8]) -> Result<RoaringBitmap> {
    RoaringBitmap::deserialize_unchecked_from(bytes)
        .map_err(|e| Error::new(ErrorKind::RoaringFormat, format!("portable bitmap: {e}")))
}

/// Writes a 32-bit Roaring bitmap in the portable format, run-optimised so
/// that the same set always gives the same bytes.
pub fn write_portable32(set: &RoaringBitmap) -> Vec<u8> {
    let mut canonical = set.clone();
    canonical.optimize();
    let mut out = Vec::with_capacity(canonical.serialized_size());
    // Writing into a Vec cannot fail.
    let _ = canonical.serialize_into(&mut out);
    out
}

/// Writes a 32-bit bitmap in the portable format without run containers
/// (cookie 12346, with the offset header), for readers that predate runs.
/// Deterministic too: arrays up to 4096 ids, bitsets above.
pub fn write_portable32_no_runs(set: &RoaringBitmap) -> Vec<u8> {
    let mut plain = set.clone();
    plain.remove_run_compression();
    let mut out = Vec::with_capacity(plain.serialized_size());
    // Writing into a Vec cannot fail.
    let _ = plain.serialize_into(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interchange::{read_portable32, InterchangeLimits};

    fn limits() -> InterchangeLimits {
        InterchangeLimits::default()
    }

    fn sample() -> RoaringBitmap {
        // An array, a bitset and a run container.
        (0..100u32).map(|i| i * 7).chain(65_536..65_536 + 5000).chain((131_072..200_000).step_by(3)).collect()
    }

    #[test]
    fn round_trips_and_is_canonical() {
        let set = sample();
        let bytes = write_portable32(&set);
        assert_eq!(read_portable32(&bytes, &limits()).unwrap(), set);
        let mut other = set.clone();
        other.remove_run_compression();
        assert_eq!(write_portable32(&other), bytes);
        assert_eq!(read_portable32(&write_portable32(&RoaringBitmap::new()), &limits()).unwrap().len(), 0);
    }

    #[test]
    fn reads_what_roaring_rs_writes_without_runs() {
        let mut set = sample();
        set.remove_run_compression();
        let mut bytes = Vec::new();
        set.serialize_into(&mut bytes).unwrap();
        assert_eq!(&bytes[..4], &COOKIE_NO_RUNS.to_le_bytes());
        assert_eq!(read_portable32(&bytes, &limits()).unwrap(), set);
    }

    #[test]
    fn the_kernel_decoding_gives_the_same_ids() {
        let mut sets = vec![sample(), RoaringBitmap::new(), (0..5000u32).map(|i| i * 13).collect()];
        let mut plain = sample();
        plain.remove_run_compression();
        sets.push(plain);
        sets.push((0..70_000u32).chain(1_000_000..1_000_500).collect());
        for set in sets {
            for bytes in [write_portable32(&set), write_portable32_no_runs(&set)] {
                check32(&bytes).unwrap();
                let decoded = decode_portable32(&bytes).unwrap();
                assert_eq!(decoded.to_roaring(), set);
                assert_eq!(decoded.len(), set.len());
            }
        }
    }

    #[test]
    fn every_truncation_and_extension_is_refused() {
        let bytes = write_portable32(&sample());
        for len in 0..bytes.len() {
            assert!(read_portable32(&bytes[..len], &limits()).is_err(), "prefix of {len} bytes accepted");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(read_portable32(&longer, &limits()).unwrap_err().kind(), ErrorKind::TrailingBytes);
    }

    #[test]
    fn single_byte_corruptions_never_panic() {
        let bytes = write_portable32(&sample());
        for i in 0..bytes.len().min(4096) {
            for flip in [0x01u8, 0x80, 0xFF] {
                let mut b = bytes.clone();
                b[i] ^= flip;
                if let Ok(set) = read_portable32(&b, &limits()) {
                    // A flip that still decodes must describe a valid set,
                    // one that survives its own round trip.
                    assert_eq!(read_portable32(&write_portable32(&set), &limits()).unwrap(), set);
                }
            }
        }
    }

    #[test]
    fn broken_invariants_have_their_errors() {
        // Unsorted array values.
        let set: RoaringBitmap = [1u32, 2, 3].into_iter().collect();
        let mut b = write_portable32(&set);
        let n = b.len();
        b.swap(n - 2, n - 4);
        b.swap(n - 1, n - 3);
        assert_eq!(read_portable32(&b, &limits()).unwrap_err().kind(), ErrorKind::RoaringFormat);
        // Unknown cookie.
        assert_eq!(
            read_portable32(&[9, 9, 9, 9, 0, 0, 0, 0], &limits()).unwrap_err().kind(),
            ErrorKind::RoaringFormat
        );
        // Over the size limit.
        let tight = InterchangeLimits { max_bytes: 4, ..limits() };
        assert_eq!(read_portable32(&b, &tight).unwrap_err().kind(), ErrorKind::SizeLimit);
    }
}

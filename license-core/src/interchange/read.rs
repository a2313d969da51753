//! Reading id sets. Every reader settles the format and width first (the
//! caller names them, or `detect::classify` tells them once from the
//! leading bytes), then runs exactly one decoder: 32-bit portable, 64-bit
//! portable, or a ClickHouse state's envelope and then its payload's. A
//! decoder that refuses the bytes gives the error; nothing is tried again
//! as another format.

use roaring::{RoaringBitmap, RoaringTreemap};

use super::clickhouse::{self, State};
use super::detect::{classify, expect_width, IdSetFormat, IdWidth};
use super::{portable, portable64, InterchangeLimits};
use crate::{IdSet, Result};

/// A set of certificate ids of either width.
#[derive(Debug, Clone, PartialEq)]
pub enum DecodedSet {
    /// 32-bit ids.
    U32(RoaringBitmap),
    /// 64-bit ids.
    U64(RoaringTreemap),
}

impl DecodedSet {
    /// The number of ids.
    pub fn len(&self) -> u64 {
        match self {
            DecodedSet::U32(s) => s.len(),
            DecodedSet::U64(s) => s.len(),
        }
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The width of the ids.
    pub fn width(&self) -> IdWidth {
        match self {
            DecodedSet::U32(_) => IdWidth::U32,
            DecodedSet::U64(_) => IdWidth::U64,
        }
    }

    /// The set as 64-bit ids (a 32-bit set widens losslessly).
    pub fn into_u64(self) -> RoaringTreemap {
        match self {
            DecodedSet::U32(s) => RoaringTreemap::from_bitmaps([(0, s)]),
            DecodedSet::U64(s) => s,
        }
    }
}

/// What a file holds once its decoder accepted it: the slices each
/// consumer turns into its own sets.
enum Layout<'a> {
    /// A 32-bit portable bitmap (validated).
    Portable32(&'a [u8]),
    /// 64-bit buckets: high key and validated 32-bit portable bytes.
    Portable64(Vec<(u32, &'a [u8])>),
    /// A ClickHouse small set of 4-byte little-endian ids.
    Small32(&'a [u8]),
    /// A ClickHouse small set of 8-byte little-endian ids.
    Small64(&'a [u8]),
}

/// Reads an id set, telling its format and (unless `width` is given) its
/// width from its leading bytes, then decoding it as that and nothing else.
///
/// The rule (docs/FORMATS.md, "Detection"): bytes starting with a 64-bit
/// portable header (a bucket count they can hold, a key and a 32-bit
/// cookie) are 64-bit portable; bytes starting with a 32-bit cookie are
/// 32-bit portable; other bytes starting with `0x00` or `0x01` are a
/// ClickHouse state (a small set's width follows from its length, a large
/// one's from its payload); anything else is read as 64-bit portable. No
/// valid file of one format starts like another, so the error of a refused
/// file is the one of the format its leading bytes name. A `width` given
/// replaces the detected one, and portable bytes of the other width are
/// [`crate::ErrorKind::WidthMismatch`].
pub fn read_id_set(
    bytes: &[u8],
    width: Option<IdWidth>,
    limits: &InterchangeLimits,
) -> Result<(DecodedSet, IdSetFormat)> {
    let (format, width) = classify(bytes, width);
    let set = match decode(bytes, format, width, limits)? {
        Layout::Portable32(b) => DecodedSet::U32(portable::load(b)?),
        Layout::Portable64(buckets) => DecodedSet::U64(load64(buckets)?),
        Layout::Small32(e) => DecodedSet::U32(small32(e).collect()),
        Layout::Small64(e) => DecodedSet::U64(small64(e).collect()),
    };
    Ok((set, format))
}

/// Reads an id set as [`read_id_set`] does, straight into the count
/// kernel's sets, one per 2^32 bucket (ascending, empty ones left out):
/// arrays and bitsets are copied container by container.
pub(crate) fn read_kernel_buckets(bytes: &[u8], limits: &InterchangeLimits) -> Result<Vec<(u32, IdSet)>> {
    let (format, width) = classify(bytes, None);
    let mut out: Vec<(u32, IdSet)> = match decode(bytes, format, width, limits)? {
        Layout::Portable32(b) => vec![(0, portable::to_idset(b))],
        Layout::Portable64(buckets) => {
            // Empty buckets (an 8-byte bitmap with no container) take no
            // slot, and the slots are counted first: this vector is the
            // largest per-bucket cost.
            let mut out = Vec::with_capacity(buckets.iter().filter(|(_, b)| b.len() > 8).count());
            out.extend(
                buckets.into_iter().filter(|(_, b)| b.len() > 8).map(|(k, b)| (k, portable::to_idset(b))),
            );
            out
        }
        Layout::Small32(e) => vec![(0, small32(e).collect())],
        Layout::Small64(e) => {
            let mut by_key: std::collections::BTreeMap<u32, IdSet> = std::collections::BTreeMap::new();
            for id in small64(e) {
                by_key.entry((id >> 32) as u32).or_default().insert(id as u32);
            }
            by_key.into_iter().collect()
        }
    };
    out.retain(|(_, s)| !s.is_empty());
    Ok(out)
}

/// Reads a 32-bit Roaring bitmap in the portable format, strictly: the
/// bytes must hold exactly one valid bitmap.
///
/// ```
/// use license_core::{interchange::{read_portable32, write_portable32, InterchangeLimits}};
/// use roaring::RoaringBitmap;
/// let set: RoaringBitmap = (1..1000).chain(70_000..70_010).collect();
/// let bytes = write_portable32(&set);
/// assert_eq!(read_portable32(&bytes, &InterchangeLimits::default())?, set);
/// # Ok::<(), license_core::Error>(())
/// ```
pub fn read_portable32(bytes: &[u8], limits: &InterchangeLimits) -> Result<RoaringBitmap> {
    portable::load(portable32(bytes, limits)?)
}

/// Reads a 64-bit Roaring set in the portable format, strictly: buckets in
/// strictly ascending key order, each a valid 32-bit bitmap, nothing after.
/// Empty buckets are accepted and dropped.
pub fn read_portable64(bytes: &[u8], limits: &InterchangeLimits) -> Result<RoaringTreemap> {
    load64(portable64(bytes, limits)?)
}

/// Reads an `AggregateFunction(groupBitmap, UInt32)` state.
///
/// ```
/// use license_core::{interchange::{read_clickhouse_state32, write_clickhouse_state32, InterchangeLimits}};
/// use roaring::RoaringBitmap;
/// let small: RoaringBitmap = [3, 1, 2].into_iter().collect();
/// let state = write_clickhouse_state32(&small);
/// assert_eq!(state[0], 0x00); // 32 or fewer ids: ClickHouse's small set
/// assert_eq!(read_clickhouse_state32(&state, &InterchangeLimits::default())?, small);
/// # Ok::<(), license_core::Error>(())
/// ```
pub fn read_clickhouse_state32(bytes: &[u8], limits: &InterchangeLimits) -> Result<RoaringBitmap> {
    match clickhouse::split(bytes, limits, 4)? {
        State::Small(elements) => Ok(small32(elements).collect()),
        State::Large(payload) => read_portable32(payload, limits),
    }
}

/// Reads an `AggregateFunction(groupBitmap, UInt64)` state.
pub fn read_clickhouse_state64(bytes: &[u8], limits: &InterchangeLimits) -> Result<RoaringTreemap> {
    match clickhouse::split(bytes, limits, 8)? {
        State::Small(elements) => Ok(small64(elements).collect()),
        State::Large(payload) => read_portable64(payload, limits),
    }
}

/// Runs the one decoder for `format` and `width`.
fn decode<'a>(
    bytes: &'a [u8],
    format: IdSetFormat,
    width: IdWidth,
    limits: &InterchangeLimits,
) -> Result<Layout<'a>> {
    Ok(match (format, width) {
        (IdSetFormat::Portable, IdWidth::U32) => Layout::Portable32(portable32(bytes, limits)?),
        (IdSetFormat::Portable, IdWidth::U64) => Layout::Portable64(portable64(bytes, limits)?),
        (IdSetFormat::ClickHouse, IdWidth::U32) => match clickhouse::split(bytes, limits, 4)? {
            State::Small(elements) => Layout::Small32(elements),
            State::Large(payload) => Layout::Portable32(portable32(payload, limits)?),
        },
        (IdSetFormat::ClickHouse, IdWidth::U64) => match clickhouse::split(bytes, limits, 8)? {
            State::Small(elements) => Layout::Small64(elements),
            State::Large(payload) => Layout::Portable64(portable64(payload, limits)?),
        },
    })
}

/// Bytes to be read as a 32-bit portable bitmap: within the size limit,
/// not 64-bit by the rule, and valid.
fn portable32<'a>(bytes: &'a [u8], limits: &InterchangeLimits) -> Result<&'a [u8]> {
    limits.check_input(bytes.len(), "portable bitmap")?;
    expect_width(bytes, IdWidth::U32, "portable bitmap")?;
    portable::check32(bytes)?;
    Ok(bytes)
}

/// Bytes to be read as a 64-bit portable set: within the size limit, not
/// 32-bit by the rule, and valid; split into buckets.
fn portable64<'a>(bytes: &'a [u8], limits: &InterchangeLimits) -> Result<Vec<(u32, &'a [u8])>> {
    limits.check_input(bytes.len(), "64-bit portable bitmap")?;
    expect_width(bytes, IdWidth::U64, "64-bit portable bitmap")?;
    portable64::buckets(bytes, limits)
}

/// Loads validated buckets, leaving empty ones out.
fn load64(buckets: Vec<(u32, &[u8])>) -> Result<RoaringTreemap> {
    let mut bitmaps = Vec::with_capacity(buckets.len());
    for (key, slice) in buckets {
        let bitmap = portable::load(slice)?;
        if !bitmap.is_empty() {
            bitmaps.push((key, bitmap));
        }
    }
    Ok(RoaringTreemap::from_bitmaps(bitmaps))
}

fn small32(elements: &[u8]) -> impl Iterator<Item = u32> + '_ {
    elements.chunks_exact(4).map(|e| u32::from_le_bytes([e[0], e[1], e[2], e[3]]))
}

fn small64(elements: &[u8]) -> impl Iterator<Item = u64> + '_ {
    elements.chunks_exact(8).map(|e| u64::from_le_bytes([e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7]]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interchange::{
        write_clickhouse_state32, write_clickhouse_state64, write_portable32, write_portable64,
    };

    #[test]
    fn every_format_and_width_is_recognised() {
        let l = InterchangeLimits::default();
        for n in [0u64, 5, 40, 70_000] {
            let narrow: RoaringBitmap = (0..n as u32).collect();
            let wide: RoaringTreemap = (0..n).map(|i| i + (1 << 40)).collect();
            let cases = [
                (write_portable32(&narrow), DecodedSet::U32(narrow.clone()), IdSetFormat::Portable),
                (write_clickhouse_state32(&narrow), DecodedSet::U32(narrow.clone()), IdSetFormat::ClickHouse),
                (write_portable64(&wide), DecodedSet::U64(wide.clone()), IdSetFormat::Portable),
                (write_clickhouse_state64(&wide), DecodedSet::U64(wide.clone()), IdSetFormat::ClickHouse),
            ];
            for (i, (bytes, set, format)) in cases.into_iter().enumerate() {
                let (got, got_format) =
                    read_id_set(&bytes, None, &l).unwrap_or_else(|e| panic!("n={n} case {i}: {e}"));
                if n == 0 {
                    assert!(got.is_empty(), "n=0 case {i}");
                    continue;
                }
                assert_eq!((got, got_format), (set, format), "n={n} case {i}");
            }
        }
    }
}

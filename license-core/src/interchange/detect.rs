//! Reading an id-set file whose format is not known in advance: a
//! ClickHouse state or bare portable bytes, 32- or 64-bit.

use roaring::{RoaringBitmap, RoaringTreemap};

use super::{clickhouse, portable, portable64, InterchangeLimits};
use crate::{IdSet, Result};

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

/// What a file holds once its format and width are known and its bytes
/// validated: the slices each consumer decodes its own way.
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

/// Reads an id set, detecting its format and (unless `width` is given) its
/// width.
///
/// Detection: bytes starting with a 32-bit portable cookie are a 32-bit
/// portable bitmap; bytes starting with `0x00` or `0x01` are tried as a
/// ClickHouse state (a small set's width follows from its length; a large
/// one's from its payload), then as 64-bit portable bytes (whose bucket
/// count can start the same way). Each candidate is checked strictly, so a
/// file is only accepted as a reading that uses every byte. When nothing
/// fits, the error is the one of the most likely reading.
pub fn read_id_set(
    bytes: &[u8],
    width: Option<IdWidth>,
    limits: &InterchangeLimits,
) -> Result<(DecodedSet, IdSetFormat)> {
    let (layout, format) = classify(bytes, width, limits)?;
    let set = match layout {
        Layout::Portable32(b) => DecodedSet::U32(portable::load(b)?),
        Layout::Portable64(buckets) => {
            let mut bitmaps = Vec::with_capacity(buckets.len());
            for (key, slice) in buckets {
                let b = portable::load(slice)?;
                if !b.is_empty() {
                    bitmaps.push((key, b));
                }
            }
            DecodedSet::U64(RoaringTreemap::from_bitmaps(bitmaps))
        }
        Layout::Small32(e) => DecodedSet::U32(small32(e).collect()),
        Layout::Small64(e) => DecodedSet::U64(small64(e).collect()),
    };
    Ok((set, format))
}

/// Reads an id set as [`read_id_set`] does, straight into the count
/// kernel's sets, one per 2^32 bucket (ascending, empty ones left out):
/// arrays and bitsets are copied container by container.
pub(crate) fn read_kernel_buckets(bytes: &[u8], limits: &InterchangeLimits) -> Result<Vec<(u32, IdSet)>> {
    let (layout, _) = classify(bytes, None, limits)?;
    let mut out: Vec<(u32, IdSet)> = match layout {
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

fn small32(elements: &[u8]) -> impl Iterator<Item = u32> + '_ {
    elements.chunks_exact(4).map(|e| u32::from_le_bytes([e[0], e[1], e[2], e[3]]))
}

fn small64(elements: &[u8]) -> impl Iterator<Item = u64> + '_ {
    elements.chunks_exact(8).map(|e| u64::from_le_bytes([e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7]]))
}

/// Detects, checks and splits (see [`read_id_set`]).
fn classify<'a>(
    bytes: &'a [u8],
    width: Option<IdWidth>,
    limits: &InterchangeLimits,
) -> Result<(Layout<'a>, IdSetFormat)> {
    let want32 = width != Some(IdWidth::U64);
    let want64 = width != Some(IdWidth::U32);
    if portable::is_cookie(bytes) && want32 {
        return Ok((Layout::Portable32(validated32(bytes, limits)?), IdSetFormat::Portable));
    }
    let mut first_error = None;
    if matches!(bytes.first(), Some(0 | 1)) {
        let narrow =
            matches!((clickhouse_width(bytes), width), (_, Some(IdWidth::U32)) | (IdWidth::U32, None));
        let attempt = clickhouse::split(bytes, limits, if narrow { 4 } else { 8 }).and_then(|state| {
            Ok(match (state, narrow) {
                (clickhouse::State::Small(e), true) => Layout::Small32(e),
                (clickhouse::State::Small(e), false) => Layout::Small64(e),
                (clickhouse::State::Large(p), true) => Layout::Portable32(validated32(p, limits)?),
                (clickhouse::State::Large(p), false) => Layout::Portable64(portable64::buckets(p, limits)?),
            })
        });
        match attempt {
            Ok(layout) => return Ok((layout, IdSetFormat::ClickHouse)),
            Err(e) => first_error = Some(e),
        }
    }
    if want64 {
        match portable64::buckets(bytes, limits) {
            Ok(buckets) => return Ok((Layout::Portable64(buckets), IdSetFormat::Portable)),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok((Layout::Portable32(validated32(bytes, limits)?), IdSetFormat::Portable)),
    }
}

/// Checks 32-bit portable bytes whole (as `read_portable32` does).
fn validated32<'a>(bytes: &'a [u8], limits: &InterchangeLimits) -> Result<&'a [u8]> {
    portable::check32(bytes, limits)?;
    Ok(bytes)
}

/// The width a ClickHouse state's own bytes imply: a small set's element
/// size from its length, a large one's from whether the payload starts with
/// a 32-bit cookie.
fn clickhouse_width(bytes: &[u8]) -> IdWidth {
    match bytes {
        [0, count, rest @ ..] if *count <= 32 && rest.len() == usize::from(*count) * 8 && *count > 0 => {
            IdWidth::U64
        }
        [1, rest @ ..] => {
            // Skip the VarUInt length to reach the payload.
            let skip = rest.iter().position(|b| b & 0x80 == 0).map_or(rest.len(), |p| p + 1);
            if portable::is_cookie(&rest[skip.min(rest.len())..]) {
                IdWidth::U32
            } else {
                IdWidth::U64
            }
        }
        _ => IdWidth::U32,
    }
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

//! Reading an id-set file whose format is not known in advance: a
//! ClickHouse state or bare portable bytes, 32- or 64-bit.

use roaring::{RoaringBitmap, RoaringTreemap};

use super::{clickhouse, portable, portable64, InterchangeLimits};
use crate::Result;

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
    let want32 = width != Some(IdWidth::U64);
    let want64 = width != Some(IdWidth::U32);
    if portable::is_cookie(bytes) && want32 {
        return Ok((DecodedSet::U32(portable::read_portable32(bytes, limits)?), IdSetFormat::Portable));
    }
    let mut first_error = None;
    if matches!(bytes.first(), Some(0 | 1)) {
        let attempt = match (clickhouse_width(bytes), width) {
            (_, Some(IdWidth::U32)) | (IdWidth::U32, None) => {
                clickhouse::read_clickhouse_state32(bytes, limits).map(DecodedSet::U32)
            }
            _ => clickhouse::read_clickhouse_state64(bytes, limits).map(DecodedSet::U64),
        };
        match attempt {
            Ok(set) => return Ok((set, IdSetFormat::ClickHouse)),
            Err(e) => first_error = Some(e),
        }
    }
    if want64 {
        match portable64::read_portable64(bytes, limits) {
            Ok(set) => return Ok((DecodedSet::U64(set), IdSetFormat::Portable)),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => portable::read_portable32(bytes, limits).map(|s| (DecodedSet::U32(s), IdSetFormat::Portable)),
    }
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
    use crate::{write_clickhouse_state32, write_clickhouse_state64, write_portable32, write_portable64};

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

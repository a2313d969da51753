//! ClickHouse `AggregateFunction(groupBitmap, UInt32 | UInt64)` states.
//!
//! A state is a kind byte, then either `0x00`: a small set (VarUInt count of
//! at most 32, then that many little-endian elements, in any order,
//! duplicates possible), or `0x01`: a VarUInt byte length, then that many
//! bytes of Roaring portable format (32-bit for UInt32, 64-bit for UInt64).
//! ClickHouse refuses a small set of more than 32 elements and expects
//! run-optimised bitmaps, so writers use `0x00` for 32 or fewer ids and
//! `0x01` with run-optimised bytes otherwise.

use roaring::{RoaringBitmap, RoaringTreemap};

use super::cursor::{push_leb128, Cursor};
use super::{portable, portable64, InterchangeLimits};
use crate::{Error, ErrorKind, Result};

/// The most elements ClickHouse keeps in a small set.
const SMALL_SET_MAX: u64 = 32;

/// The two shapes of a state, with the payload still to be decoded.
pub(crate) enum State<'a> {
    /// The little-endian elements of a small set.
    Small(&'a [u8]),
    /// The portable bytes of a large one (not yet validated).
    Large(&'a [u8]),
}

/// Splits a state into its shape and payload, checking the kind byte, the
/// small set's count against `element_size`, the length, and that nothing
/// follows; the payload itself is the reader's to decode.
pub(crate) fn split<'a>(
    bytes: &'a [u8],
    limits: &InterchangeLimits,
    element_size: usize,
) -> Result<State<'a>> {
    limits.check_input(bytes.len(), "groupBitmap state")?;
    let mut c = Cursor::new(bytes, "groupBitmap state");
    let kind = c.u8()?;
    match kind {
        0 => {
            let count = c.leb128()?;
            if count > SMALL_SET_MAX {
                return Err(Error::new(
                    ErrorKind::SmallSetTooLarge,
                    format!("groupBitmap state: small set of {count} elements (at most {SMALL_SET_MAX})"),
                ));
            }
            let elements = c.take(count as usize * element_size)?;
            c.finish()?;
            Ok(State::Small(elements))
        }
        1 => {
            let at = c.pos();
            let len = c.leb128()?;
            if len == 0 {
                return Err(c.error(ErrorKind::ZeroLength, at, "bitmap length is zero"));
            }
            if len > c.remaining() as u64 {
                return Err(c.error(
                    ErrorKind::Truncated,
                    at,
                    format!("bitmap length {len} but {} bytes remain", c.remaining()),
                ));
            }
            let payload = c.take(len as usize)?;
            c.finish()?;
            Ok(State::Large(payload))
        }
        k => Err(Error::new(
            ErrorKind::ClickHouseKind,
            format!("groupBitmap state: kind byte {k} (expected 0 or 1)"),
        )),
    }
}

/// Writes an `AggregateFunction(groupBitmap, UInt32)` state that ClickHouse
/// loads: a small set for 32 or fewer ids, else run-optimised portable bytes.
pub fn write_clickhouse_state32(set: &RoaringBitmap) -> Vec<u8> {
    if set.len() <= SMALL_SET_MAX {
        small(set.len(), set.iter().map(u32::to_le_bytes))
    } else {
        large(&portable::write_portable32(set))
    }
}

/// Writes an `AggregateFunction(groupBitmap, UInt64)` state (see
/// [`write_clickhouse_state32`]).
pub fn write_clickhouse_state64(set: &RoaringTreemap) -> Vec<u8> {
    if set.len() <= SMALL_SET_MAX {
        small(set.len(), set.iter().map(u64::to_le_bytes))
    } else {
        large(&portable64::write_portable64(set))
    }
}

/// A small-set state: kind 0, the count, the little-endian elements.
fn small<const N: usize>(count: u64, elements: impl Iterator<Item = [u8; N]>) -> Vec<u8> {
    let mut out = vec![0u8];
    push_leb128(&mut out, count);
    for e in elements {
        out.extend_from_slice(&e);
    }
    out
}

fn large(payload: &[u8]) -> Vec<u8> {
    let mut out = vec![1u8];
    push_leb128(&mut out, payload.len() as u64);
    out.extend_from_slice(payload);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interchange::{read_clickhouse_state32, read_clickhouse_state64};

    fn limits() -> InterchangeLimits {
        InterchangeLimits::default()
    }

    #[test]
    fn small_and_large_states_round_trip() {
        for n in [0u32, 1, 32, 33, 5000] {
            let set: RoaringBitmap = (0..n).map(|i| i * 3 + 1).collect();
            let state = write_clickhouse_state32(&set);
            assert_eq!(state[0], u8::from(n > 32));
            assert_eq!(read_clickhouse_state32(&state, &limits()).unwrap(), set);
            let wide: RoaringTreemap = set.iter().map(|i| u64::from(i) << 20).collect();
            assert_eq!(read_clickhouse_state64(&write_clickhouse_state64(&wide), &limits()).unwrap(), wide);
        }
    }

    #[test]
    fn small_sets_may_be_unordered_with_duplicates() {
        let mut state = vec![0u8, 4];
        for id in [9u32, 3, 9, 1] {
            state.extend_from_slice(&id.to_le_bytes());
        }
        let set = read_clickhouse_state32(&state, &limits()).unwrap();
        assert_eq!(set.iter().collect::<Vec<_>>(), [1, 3, 9]);
    }

    #[test]
    fn bad_states_have_distinct_errors() {
        let kind = |b: &[u8]| read_clickhouse_state32(b, &limits()).unwrap_err().kind();
        assert_eq!(kind(&[]), ErrorKind::Truncated);
        assert_eq!(kind(&[2]), ErrorKind::ClickHouseKind);
        assert_eq!(kind(&[1, 0]), ErrorKind::ZeroLength);
        assert_eq!(kind(&[0, 33]), ErrorKind::SmallSetTooLarge);
        assert_eq!(kind(&[0, 1, 1, 0, 0]), ErrorKind::Truncated);
        assert_eq!(kind(&[0, 1, 1, 0, 0, 0, 7]), ErrorKind::TrailingBytes);
        assert_eq!(kind(&[1, 200, 1, 0]), ErrorKind::Truncated);
        assert_eq!(
            kind(&[0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
            ErrorKind::RoaringFormat
        );
        let big: RoaringBitmap = (0..100).collect();
        let mut state = write_clickhouse_state32(&big);
        state.push(0);
        assert_eq!(kind(&state), ErrorKind::TrailingBytes);
        // A UInt64 state read as UInt32.
        let wide: RoaringTreemap = (0..100u64).map(|i| i << 33).collect();
        assert_eq!(kind(&write_clickhouse_state64(&wide)), ErrorKind::WidthMismatch);
    }
}

//! Id sets in the formats of the engines that compute them at scale: the
//! Roaring portable format (32- and 64-bit, as CRoaring, Java, Go, pyroaring
//! and roaring-rs write it) and ClickHouse's `groupBitmap` aggregate states.
//!
//! Every reader takes untrusted bytes: it checks each declared size against
//! the bytes actually present before allocating, rejects anything the
//! formats do not allow (unsorted keys, overlapping runs, a bitset whose
//! population differs from its header, trailing bytes, …) with a distinct
//! [`crate::ErrorKind`], and never panics. Writers are deterministic: a set
//! is written in its run-optimised form, so the same ids give the same
//! bytes whatever the history of the in-memory bitmap.
//!
//! ```
//! use license_core::interchange::{read_id_set, write_clickhouse_state32, DecodedSet, IdSetFormat};
//! use license_core::interchange::InterchangeLimits;
//! use license_core::ErrorKind;
//! use roaring::RoaringBitmap;
//!
//! // What ClickHouse's `groupBitmapState(id)` returns, over UInt32 ids.
//! let ids: RoaringBitmap = (1..=1_000).chain([70_000]).collect();
//! let state = write_clickhouse_state32(&ids);
//!
//! // The format and the id width are detected, and every byte is checked.
//! let limits = InterchangeLimits::default();
//! let (set, format) = read_id_set(&state, None, &limits)?;
//! assert_eq!(format, IdSetFormat::ClickHouse);
//! assert_eq!(set, DecodedSet::U32(ids));
//!
//! // Cut short, it is a typed error, never a panic.
//! let err = read_id_set(&state[..state.len() - 1], None, &limits).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::Truncated);
//! # Ok::<(), license_core::Error>(())
//! ```

mod clickhouse;
mod cursor;
mod detect;
mod external;
mod portable;
mod portable64;
mod read;
#[cfg(feature = "spark")]
mod spark;
#[cfg(feature = "spark")]
mod spark_dir;

pub use clickhouse::{write_clickhouse_state32, write_clickhouse_state64};
pub use detect::{IdSetFormat, IdWidth};
pub use external::{ExternalSets, SetName};
pub(crate) use portable::decode_portable32;
pub use portable::{write_portable32, write_portable32_no_runs};
pub use portable64::write_portable64;
pub use read::{
    read_clickhouse_state32, read_clickhouse_state64, read_id_set, read_portable32, read_portable64,
    DecodedSet,
};
#[cfg(feature = "spark")]
pub use spark::{
    read_spark_parquet, spark_bucket_position, write_spark_parquet, SPARK_BITMAP_BYTES, SPARK_BUCKET_IDS,
    SPARK_MAX_BUCKET,
};

/// Bounds on what a reader accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InterchangeLimits {
    /// The largest input accepted, in bytes (default 1 GiB).
    pub max_bytes: usize,
    /// The most 2^32 buckets a 64-bit set may have (default: every possible
    /// high key, 2^32; each bucket takes at least 12 input bytes, so
    /// `max_bytes` bounds memory either way).
    pub max_buckets: u64,
}

impl Default for InterchangeLimits {
    fn default() -> InterchangeLimits {
        InterchangeLimits { max_bytes: 1 << 30, max_buckets: 1 << 32 }
    }
}

impl InterchangeLimits {
    /// Heap bytes per input byte in [`InterchangeLimits::heap_bound`].
    pub const HEAP_PER_INPUT_BYTE: usize = 32;
    /// Fixed heap bytes in [`InterchangeLimits::heap_bound`].
    pub const HEAP_BASE: usize = 64 << 10;

    /// The most heap bytes any reader of this module (and
    /// [`ExternalSets::add_bytes`], and `IdSet::from` a set it read) holds
    /// at its peak for `input_len` input bytes, the decoded set included:
    /// `HEAP_PER_INPUT_BYTE × input_len + HEAP_BASE`. Run containers stay
    /// runs, so a run costs what its 4 input bytes do, whatever it claims;
    /// docs/FORMATS.md ("Memory bounds") derives the factor.
    pub const fn heap_bound(input_len: usize) -> usize {
        input_len.saturating_mul(Self::HEAP_PER_INPUT_BYTE).saturating_add(Self::HEAP_BASE)
    }

    pub(crate) fn check_input(&self, len: usize, what: &str) -> crate::Result<()> {
        if len > self.max_bytes {
            return Err(crate::Error::new(
                crate::ErrorKind::SizeLimit,
                format!("{what} of {len} bytes is over the {}-byte limit", self.max_bytes),
            ));
        }
        Ok(())
    }
}

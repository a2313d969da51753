//! The peak-heap bound of each parser as a function of its input length:
//! the one place the fuzz targets and the corpus replay take them from.
//! docs/FORMATS.md ("Fuzzing and memory bounds") states the same numbers.
//!
//! Each bound is `fixed + per_byte × input length`, for everything the
//! parse holds at once, the value it returns included. The XML, COSE,
//! JSON and key-text figures were measured on worst-case inputs
//! (`tests/worst_case.rs` builds them and checks them against these
//! bounds) and given headroom. The id-set, snapshot and JSON Lines
//! figures are the bounds the decoders state (issue 14 §2); a fuzz input
//! over any bound is a finding.

use license_core::{
    actioned::{
        JSONL_HEAP_BASE, JSONL_HEAP_PER_INPUT_BYTE, JSONL_HEAP_PER_NAME, SNAPSHOT_HEAP_BASE,
        SNAPSHOT_HEAP_PER_INPUT_BYTE,
    },
    interchange::InterchangeLimits,
};

/// A linear bound: `fixed` bytes plus `per_byte` for each input byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    /// Bytes allowed whatever the input (tables, buffers, the empty value).
    pub fixed: usize,
    /// Bytes allowed for each byte of input.
    pub per_byte: usize,
}

impl Bound {
    /// The bound for an input of `len` bytes.
    pub const fn at(self, len: usize) -> usize {
        self.fixed.saturating_add(self.per_byte.saturating_mul(len))
    }
}

/// The XML documents (signed license and usage log, hardware profile):
/// the tree (an element costs about 350 bytes and takes 4 input bytes,
/// `<a/>`: 88 bytes per byte measured), then the schema read and, when
/// signed, the canonical form (at most 8 bytes per input byte, refused
/// past that).
pub const XML: Bound = Bound { fixed: 256 << 10, per_byte: 128 };

/// A COSE key bundle (`.bin`), verified or inspected: header values are
/// CBOR value trees, up to 63 bytes per input byte measured (a header
/// array of one-byte integers); the payload is only decoded after the
/// signature verified (or for inspection), at about 2 bytes per byte.
pub const BUNDLE: Bound = Bound { fixed: 256 << 10, per_byte: 128 };

/// The JSON forms (license, bundle, account, ledger) through serde_json:
/// 8.5 bytes per byte measured (a license's attribute map of empty
/// strings).
pub const JSON: Bound = Bound { fixed: 256 << 10, per_byte: 64 };

/// A license key's text, parsed or diagnosed: the diagnosis reads at most
/// 64 characters and lists a hint per unreadable one (4.4 KiB measured,
/// the first finding of the `license_key` target when this said 4 KiB);
/// longer text costs nothing more.
pub const LICENSE_KEY: Bound = Bound { fixed: 16 << 10, per_byte: 8 };

/// An id set in any format (Roaring portable 32/64-bit, ClickHouse
/// state, and `ExternalSets::add_bytes`): the decoders' own bound,
/// [`InterchangeLimits::heap_bound`] (runs stay runs).
pub const ID_SET: Bound =
    Bound { fixed: InterchangeLimits::HEAP_BASE, per_byte: InterchangeLimits::HEAP_PER_INPUT_BYTE };

/// An inventory snapshot: [`license_core::Inventory::snapshot_heap_bound`].
pub const SNAPSHOT: Bound = Bound { fixed: SNAPSHOT_HEAP_BASE, per_byte: SNAPSHOT_HEAP_PER_INPUT_BYTE };

/// A JSON Lines inventory: [`license_core::Inventory::jsonl_heap_bound`]
/// under the default limits, whose distinct-name term is at most
/// `JSONL_HEAP_PER_NAME` for every 4 input bytes.
pub const JSONL: Bound =
    Bound { fixed: JSONL_HEAP_BASE, per_byte: JSONL_HEAP_PER_INPUT_BYTE + JSONL_HEAP_PER_NAME / 4 };

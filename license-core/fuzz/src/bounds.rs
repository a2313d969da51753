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
/// state): runs stay runs, so memory follows the bytes that encode them.
/// The figure `InterchangeLimits::heap_bound` states on i14-bounds
/// (16 bytes per byte + 256 KiB); to reconcile when that lands.
pub const ID_SET: Bound = Bound { fixed: 256 << 10, per_byte: 16 };

/// An inventory snapshot: as [`ID_SET`] (`Inventory::snapshot_heap_bound`
/// on i14-bounds).
pub const SNAPSHOT: Bound = Bound { fixed: 256 << 10, per_byte: 16 };

/// A JSON Lines inventory: `Inventory::jsonl_heap_bound` on i14-bounds
/// is 16 bytes per byte plus 256 per distinct name (a name takes at least
/// 4 input bytes, so at most 64 per byte) plus 1 MiB. The reader also
/// reserves a whole batch of 65,536 records (8 MiB) before the first
/// line, which the fixed part carries until that reservation goes.
pub const JSONL: Bound = Bound { fixed: (1 << 20) + (8 << 20) + (256 << 10), per_byte: 16 + 64 };

//! Property fuzz targets for every parser of untrusted bytes in
//! license-core.
//!
//! Each target is a plain function of the input bytes that panics when a
//! property fails. libFuzzer drives them (`fuzz_targets/*.rs`, nightly,
//! `scripts/fuzz`); on stable, `cargo test` replays every file of the
//! committed corpus (`corpus/<target>/`) through the same functions.
//!
//! The properties, beyond "never panics":
//! - a document that reads also writes, and what it writes reads back to
//!   the same value and writes the same bytes again;
//! - a signed document (license, usage log, key bundle) that still verifies
//!   after the fuzzer mutated it reads exactly the content that was signed
//!   (the fixed test key of tests/vectors/keys signed only the known
//!   documents in [`known`]);
//! - the parse's peak heap, measured by a counting allocator, stays within
//!   the bound [`bounds`] states for its input length.

pub mod bounds;
pub mod check;
mod forms;
pub mod heap;
mod keys;
pub mod known;
pub mod seeds;
mod sets;
mod text;
mod xml;

pub use forms::text_forms;
pub use keys::{bundle, license_key};
pub use sets::{id_set, jsonl, snapshot};
pub use text::{account_json, ledger_json, license_json};
pub use xml::{license_xml, profile_xml, usage_log};

/// A fuzz target: its name (the corpus directory and the binary) and its
/// property function.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, in the order `scripts/fuzz` runs them.
pub const TARGETS: &[Target] = &[
    ("license_xml", license_xml),
    ("usage_log", usage_log),
    ("profile_xml", profile_xml),
    ("bundle", bundle),
    ("license_key", license_key),
    ("license_json", license_json),
    ("id_set", id_set),
    ("snapshot", snapshot),
    ("jsonl", jsonl),
    ("account_json", account_json),
    ("ledger_json", ledger_json),
    ("text_forms", text_forms),
];

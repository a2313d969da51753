//! License keys, key records, signed key bundles (`.bin`), offline
//! activation and the vendor's account registry.

mod key;
mod merge;
mod record;
mod typo;

pub use key::{KeyKind, LicenseKey, ProductCode, SERIAL_BITS};
pub use merge::effective_features;
pub use record::{KeyRecord, KeyRecordBuilder, KeyStatus};
pub use typo::{KeyDiagnosis, KeyHint};

//! License keys, key records, signed key bundles (`.bin`), offline
//! activation and the vendor's account registry.

mod key;
mod record;
mod typo;

pub use key::{KeyKind, LicenseKey, ProductCode, SERIAL_BITS};
pub use record::{KeyRecord, KeyRecordBuilder, KeyStatus};
pub use typo::{KeyDiagnosis, KeyHint};

//! License keys, key records, signed key bundles (`.bin`), offline
//! activation and the vendor's account registry.

mod key;
mod typo;

pub use key::{KeyKind, LicenseKey, ProductCode, SERIAL_BITS};
pub use typo::{KeyDiagnosis, KeyHint};

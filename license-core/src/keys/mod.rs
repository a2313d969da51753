//! License keys, key records, signed key bundles (`.bin`), offline
//! activation and the vendor's account registry.

mod account;
mod activation;
mod bundle;
mod cbor;
mod key;
mod merge;
mod record;
mod typo;

pub use account::{Account, KeyDetails, ACCOUNT_VERSION, MAX_ACCOUNT_BYTES};
pub use activation::{activate, Activation};
pub use bundle::{
    BundleAlgorithm, KeyBundle, KeyBundleBuilder, SignedBundle, BUNDLE_CONTENT_TYPE, BUNDLE_VERSION,
    MAX_BUNDLE_BYTES,
};
pub use key::{KeyKind, LicenseKey, ProductCode, SERIAL_BITS};
pub use merge::effective_features;
pub use record::{KeyRecord, KeyRecordBuilder, KeyStatus};
pub use typo::{KeyDiagnosis, KeyHint};

//! License keys, key records, signed key bundles (`.bin`), offline
//! activation and the vendor's account registry.
//!
//! ```
//! use license_core::keys::{activate, BundleAlgorithm, KeyKind, KeyRecord, KeyStatus};
//! use license_core::{ErrorKind, Feature, Fingerprint, HardwareProfile};
//! use license_core::{KeyBundle, LicenseKey, TrustedKeys};
//! use time::macros::datetime;
//! # let pem = include_str!("../../../tests/vectors/keys/vendor-2048.key.pem");
//! # let vendor = license_core::SigningKey::from_pkcs8_pem(pem)?;
//! # let mut server = HardwareProfile::default();
//! # server.machine_id = Some("3d1219c7c4c5404aaa1f6d2a48adfda4".into());
//! # server.product_uuid = Some("4c4c4544-0042-3510-8052-b3c04f4e4e32".into());
//! let now = datetime!(2026-11-23 0:00 UTC);
//!
//! // The vendor issues a master key, and signs a bundle for one server.
//! let key = LicenseKey::new(KeyKind::Master, "CRT".parse()?, 1)?;
//! println!("{key}"); // XXXX-XXXX-XXXX-XXXX, for the customer
//! let master = KeyRecord::builder(key, now)
//!     .status(KeyStatus::Active)
//!     .feature("sso", Feature::enabled())
//!     .build()?;
//! let fingerprint = Fingerprint::from_profile(&server);
//! let bundle = KeyBundle::builder("srv-1", &fingerprint, now, master).build()?;
//! let bin = bundle.to_bin(&vendor, BundleAlgorithm::Rs256)?;
//!
//! // The server activates offline, from the `.bin` and its own hardware.
//! let trusted = TrustedKeys::from(vendor.verifying_key().clone());
//! let activation = activate(&bin, &trusted, &server, now)?;
//! assert_eq!(activation.master_key(), key);
//! assert!(activation.features().is_enabled("sso", now));
//!
//! // A copy of the `.bin` on another machine is refused.
//! let mut elsewhere = server.clone();
//! elsewhere.machine_id = Some("0f5e2b7c9d1a4e3f8b6c5d4e3f2a1b0c".into());
//! let err = activate(&bin, &trusted, &elsewhere, now).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::FingerprintMismatch);
//! # Ok::<(), license_core::Error>(())
//! ```

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

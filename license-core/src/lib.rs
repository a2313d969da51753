// The crate's README is its front page: its example runs as a doc-test.
#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs, unreachable_pub)]

pub mod actioned;
pub mod alert;
#[cfg(feature = "pdf")]
pub mod certificate;
pub mod crypto;
mod digest;
pub mod error;
mod fsutil;
pub mod instance;
pub mod interchange;
pub mod keys;
pub mod license;
pub mod store;
mod table;
mod text;
mod timefmt;
pub mod usage;
mod xml;

// The types most programs name, at the root; everything else is in its
// module (`license_core::usage::Journal`, `license_core::actioned::Event`).
pub use actioned::{ActionedCount, CertificateRecord, CountConfig, IdSet, Inventory};
pub use alert::Alert;
pub use crypto::{KeyId, SigningKey, TrustedKeys, VerifyingKey};
pub use error::{Error, ErrorKind, Result};
pub use instance::{Fingerprint, HardwareProfile, Instance};
pub use keys::{Account, KeyBundle, LicenseKey};
pub use license::{Feature, License, LicenseBuilder, VerifiedLicense};
pub use store::LicenseStore;
pub use usage::UsageLog;
pub use xml::XmlLimits;

/// The library's version, as in its Cargo.toml.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

// The README's example is compiled and run as a doc-test.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

// The crate's README is its front page: its example runs as a doc-test.
#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs, unreachable_pub)]

mod actioned;
mod alert;
#[cfg(feature = "pdf")]
mod certificate;
mod crypto;
mod digest;
mod error;
mod fsutil;
mod instance;
mod interchange;
mod keys;
mod license;
mod store;
mod table;
mod timefmt;
mod usage;
mod xml;

pub use actioned::{
    count_sets, synthetic_records, ActionedCount, Category, CategorySets, CertificateRecord, CountConfig,
    CountHistory, CountSchedule, CountTally, Event, Explanation, IdGroup, IdSet, Inventory, InventoryLimits,
    ReferencedCollections, Trend, DEFAULT_MAX_NAMES, JSONL_HEAP_BASE, JSONL_HEAP_PER_INPUT_BYTE,
    JSONL_HEAP_PER_NAME, MAX_HISTORY_BYTES, MAX_LINE_BYTES, MAX_NAMES_PER_RECORD, SNAPSHOT_HEAP_BASE,
    SNAPSHOT_HEAP_PER_INPUT_BYTE, SNAPSHOT_MAGIC, SNAPSHOT_VERSION, SYNTHETIC_COLLECTIONS,
    SYNTHETIC_METADATA, SYNTHETIC_STORES,
};
pub use alert::{Alert, Severity};
#[cfg(feature = "pdf")]
pub use certificate::{Certifiable, CertificateInfo, CertifiedItem, LicenseCertificate, PaperSize};
pub use crypto::{
    KeyId, SigningKey, TrustedKeys, VerifyingKey, DEFAULT_KEY_BITS, MAX_KEY_BITS, MIN_KEY_BITS,
};
pub use error::{Error, ErrorFamily, ErrorKind, Result};
pub use instance::{
    ComponentKind, ComponentReport, ComponentState, Coordinates, Disk, EnvironmentHint, Fingerprint,
    HardwareProfile, HintKind, Instance, Location, MatchPolicy, MatchReport, MatchRule, NetworkInterface,
    SoftwareVersion, PROFILE_NAMESPACE,
};
pub use interchange::{
    read_clickhouse_state32, read_clickhouse_state64, read_id_set, read_portable32, read_portable64,
    write_clickhouse_state32, write_clickhouse_state64, write_portable32, write_portable32_no_runs,
    write_portable64, DecodedSet, ExternalSets, IdSetFormat, IdWidth, InterchangeLimits, SetName,
};
pub use keys::{
    activate, effective_features, Account, Activation, BundleAlgorithm, KeyBundle, KeyBundleBuilder,
    KeyDetails, KeyDiagnosis, KeyHint, KeyKind, KeyRecord, KeyRecordBuilder, KeyStatus, LicenseKey,
    ProductCode, SignedBundle, ACCOUNT_VERSION, BUNDLE_CONTENT_TYPE, BUNDLE_VERSION, MAX_ACCOUNT_BYTES,
    MAX_BUNDLE_BYTES, SERIAL_BITS,
};
pub use license::{
    ActionedLimit, ExpiryChange, ExpiryMilestone, ExpiryPolicy, ExpiryWatch, Feature, FeatureChange,
    FeatureSet, FieldChange, InstanceBinding, License, LicenseBuilder, LicenseDiff, LicenseStatus, Licensee,
    LimitChange, Loss, UnverifiedLicense, VerifiedLicense, DEFAULT_WARNING_DAYS, LICENSE_NAMESPACE,
    LICENSE_XML_VERSION,
};
pub use store::{
    ClockCheck, DirLock, DirStorage, HistoryEntry, LicenseStore, Monitor, StageOptions, StagedReplacement,
    Storage, StoreOptions, StoreWatch,
};
pub use usage::{
    CountRecord, UsageEntry, UsageInstance, UsageJournal, UsageLedger, UsageLicense, UsageLog,
    VerifiedUsageLog, MAX_JOURNAL_ENTRIES, USAGE_LOG_NAMESPACE, USAGE_LOG_VERSION,
};
pub use xml::XmlLimits;

/// The library's version, as in its Cargo.toml.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

// The README's example is compiled and run as a doc-test.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

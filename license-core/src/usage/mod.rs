//! The signed usage log an installation hands its vendor: who it is, which
//! license it runs, the latest actioned-certificate count and every count
//! since the previous log, chained so that the vendor notices a deleted,
//! reordered, duplicated or edited entry, or a log replayed.
//!
//! The installation keeps a [`Journal`] of counts (in its license
//! store), builds a [`UsageLog`] from it, signs it with its own key (the
//! same XML-DSig profile as licenses) and marks the entries as logged. The
//! vendor verifies the log with that key's public half
//! ([`UsageLog::from_signed_xml`]) and feeds it to a [`Ledger`], which
//! remembers where each instance's chain stands.
//!
//! ```
//! use license_core::usage::{self, Journal, Ledger};
//! use license_core::{license::ActionedLimit, CountConfig, ErrorKind, Inventory};
//! use license_core::{SigningKey, TrustedKeys, UsageLog};
//! use time::macros::datetime;
//! # let pem = include_str!("../../../tests/vectors/keys/vendor-2048.key.pem");
//! # let key = SigningKey::from_pkcs8_pem(pem)?; // the installation's own key
//! # let profile = license_core::HardwareProfile::from_xml(include_bytes!("../../../tests/vectors/profile/server.xml"))?;
//! // Who sends the log: this server's instance record...
//! let server = license_core::Instance::new(
//!     "srv-1", "Primary", license_core::instance::Location::new("Slough", Some("GB"), None)?,
//!     "4.2.0".parse()?, profile, datetime!(2026-01-01 0:00 UTC),
//! )?;
//! let instance = usage::Instance::from(&server);
//! // ...and the license it runs, as verified when it was installed.
//! # let vendor = license_core::VerifyingKey::from_public_key_pem(include_str!("../../../tests/vectors/keys/vendor-2048.pub.pem"))?;
//! let installed = license_core::License::from_signed_xml(
//!     include_bytes!("../../../tests/vectors/licenses/certmgr-2026.xml"),
//!     &TrustedKeys::from(vendor),
//! )?;
//! let license = usage::License::from(&installed);
//! # let (inventory, config) = (Inventory::new(), CountConfig::new(ActionedLimit::Counted(5_000)));
//! // The installation journals each daily count...
//! let mut journal = Journal::default();
//! journal.record(&inventory.count(datetime!(2026-11-22 2:00 UTC), &config));
//! journal.record(&inventory.count(datetime!(2026-11-23 2:00 UTC), &config));
//! // ...and sends them in a log signed with its own key.
//! let latest = inventory.count(datetime!(2026-11-23 9:00 UTC), &config);
//! let log = journal.log(datetime!(2026-11-23 9:00 UTC), instance, license, &latest)?;
//! let xml = log.sign(&key)?;
//! journal.mark_logged(&log)?;
//! assert!(journal.pending().is_empty());
//!
//! // The vendor verifies the log and follows the instance's chain.
//! let verified = UsageLog::from_signed_xml(&xml, &TrustedKeys::from(key.verifying_key().clone()))?;
//! assert_eq!(verified.log().entries.len(), 2);
//! let mut ledger = Ledger::default();
//! ledger.accept(&verified)?;
//! assert_eq!(ledger.accept(&verified).unwrap_err().kind(), ErrorKind::UsageLogReplayed);
//! # Ok::<(), license_core::Error>(())
//! ```

mod document;
mod entry;
mod journal;
mod ledger;

use time::OffsetDateTime;

pub use document::{USAGE_LOG_NAMESPACE, USAGE_LOG_VERSION};
pub use entry::{CountRecord, Entry};
pub use journal::{Journal, MAX_JOURNAL_ENTRIES};
pub use ledger::Ledger;

use crate::{license::FeatureSet, KeyId, VerifiedLicense};

/// The instance a usage log is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// The instance id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Where it runs (free text).
    pub location: String,
    /// The core software version it runs.
    pub software_version: String,
    /// Its hardware fingerprint, as canonical text.
    pub fingerprint: String,
}

/// The license a usage log reports under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct License {
    /// License id.
    pub id: String,
    /// Product.
    pub product: String,
    /// Licensee name.
    pub licensee: String,
    /// Expiry, `None` for perpetual.
    pub expires_at: Option<OffsetDateTime>,
    /// SHA-256 of the signed license document, as installed.
    pub sha256: [u8; 32],
    /// The license's features.
    pub features: FeatureSet,
}

impl License {
    /// [`License::sha256`] as 64 lowercase hex digits.
    pub fn sha256_hex(&self) -> String {
        crate::digest::hex(&self.sha256)
    }
}

impl From<&crate::Instance> for Instance {
    fn from(i: &crate::Instance) -> Instance {
        Instance {
            id: i.id().to_owned(),
            name: i.name().to_owned(),
            location: i.location().to_string(),
            software_version: i.software_version().to_string(),
            fingerprint: i.fingerprint().to_string(),
        }
    }
}

impl From<&VerifiedLicense> for License {
    fn from(v: &VerifiedLicense) -> License {
        let l = v.license();
        License {
            id: l.id().to_owned(),
            product: l.product().to_owned(),
            licensee: l.licensee().name.clone(),
            expires_at: l.expires_at(),
            sha256: v.signed_sha256(),
            features: l.features().clone(),
        }
    }
}

/// A usage log: the instance, its license, the latest count and the
/// journal entries since the previous log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageLog {
    /// When the installation produced the log.
    pub generated_at: OffsetDateTime,
    /// The instance.
    pub instance: Instance,
    /// The installed license.
    pub license: License,
    /// The latest count.
    pub latest: CountRecord,
    /// The hash the first entry chains to: the last entry of the previous
    /// log (all zeros before the first entry ever).
    pub chain_start: [u8; 32],
    /// The counts since the previous log, oldest first.
    pub entries: Vec<Entry>,
}

/// A usage log whose signature verified, with the key that signed it and
/// the digest of the signed bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedUsageLog {
    log: UsageLog,
    key_id: KeyId,
    sha256: [u8; 32],
}

impl VerifiedUsageLog {
    /// The log.
    pub fn log(&self) -> &UsageLog {
        &self.log
    }

    /// The installation key that signed it.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// SHA-256 of the signed document.
    pub fn signed_sha256(&self) -> [u8; 32] {
        self.sha256
    }
}

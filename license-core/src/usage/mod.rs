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

//! Key records: what the vendor knows about one license key.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::key::{KeyKind, LicenseKey};
use crate::table::Table;
use crate::text::check_instance_id;
use crate::{license::FeatureSet, timefmt, Error, ErrorKind, Feature, Result};

/// Where a key is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyStatus {
    /// Sold but not yet switched on.
    Pending,
    /// In force.
    Active,
    /// Switched off for now (e.g. an unpaid invoice); may become active again.
    Suspended,
    /// Withdrawn for good.
    Revoked,
    /// Past its expiry.
    Expired,
}

impl KeyStatus {
    /// The lower-case name used in every format.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Pending => "pending",
            KeyStatus::Active => "active",
            KeyStatus::Suspended => "suspended",
            KeyStatus::Revoked => "revoked",
            KeyStatus::Expired => "expired",
        }
    }
}

impl fmt::Display for KeyStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for KeyStatus {
    type Err = Error;

    fn from_str(s: &str) -> Result<KeyStatus> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "key status `{}` is not one of pending, active, suspended, revoked, expired",
                    s.escape_debug()
                ),
            )
        })
    }
}

/// The vendor's record of one license key: its kind, the master key an
/// add-on belongs to, the features it enables, its status, the instance it
/// is assigned to, its expiry and when it last changed. Every value is
/// checked, so a `KeyRecord` is always consistent (an add-on names a master
/// key of the same product; a master names no parent).
///
/// ```
/// use license_core::{Feature, LicenseKey, keys::{KeyKind, KeyRecord, KeyStatus}};
/// use time::macros::datetime;
/// let now = datetime!(2026-11-23 0:00 UTC);
/// let master = LicenseKey::new(KeyKind::Master, "CRT".parse()?, 1)?;
/// let addon = LicenseKey::new(KeyKind::Addon, "CRT".parse()?, 2)?;
/// let record = KeyRecord::builder(addon, now)
///     .parent(master)
///     .feature("sso", Feature::enabled())
///     .status(KeyStatus::Active)
///     .build()?;
/// assert_eq!(record.parent(), Some(master));
/// assert!(record.is_usable_at(now));
/// # Ok::<(), license_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "KeyRecordBuilder", into = "KeyRecordBuilder")]
pub struct KeyRecord {
    key: LicenseKey,
    parent: Option<LicenseKey>,
    features: FeatureSet,
    status: KeyStatus,
    instance: Option<String>,
    expires_at: Option<OffsetDateTime>,
    updated_at: OffsetDateTime,
}

/// Collects a key record's values and checks them in
/// [`KeyRecordBuilder::build`]. It is also the record's serde form (JSON in
/// the account file and `BUNDLE.json`, CBOR in a `.bin`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRecordBuilder {
    key: LicenseKey,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind: Option<KeyKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    parent: Option<LicenseKey>,
    #[serde(default)]
    features: FeatureSet,
    status: KeyStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    instance: Option<String>,
    #[serde(default, with = "timefmt::rfc3339::option", skip_serializing_if = "Option::is_none")]
    expires_at: Option<OffsetDateTime>,
    #[serde(with = "timefmt::rfc3339")]
    updated_at: OffsetDateTime,
    // Features added one by one; checked (and merged into `features`) in
    // `build`, so a repeated name is an error there rather than a panic here.
    #[serde(skip)]
    extra: Vec<(String, Feature)>,
}

impl KeyRecordBuilder {
    /// Sets the master key of an add-on (required for add-ons, refused for
    /// masters).
    pub fn parent(mut self, master: LicenseKey) -> Self {
        self.parent = Some(master);
        self
    }

    /// Adds a feature the key enables.
    pub fn feature(mut self, name: &str, feature: Feature) -> Self {
        self.extra.push((name.to_owned(), feature));
        self
    }

    /// Replaces the whole feature set.
    pub fn features(mut self, features: FeatureSet) -> Self {
        self.features = features;
        self.extra.clear();
        self
    }

    /// Sets the status (the default is [`KeyStatus::Pending`]).
    pub fn status(mut self, status: KeyStatus) -> Self {
        self.status = status;
        self
    }

    /// Assigns the key to an instance.
    pub fn instance(mut self, instance_id: impl Into<String>) -> Self {
        self.instance = Some(instance_id.into());
        self
    }

    /// Sets when the key expires (it is perpetual otherwise).
    pub fn expires_at(mut self, expires_at: OffsetDateTime) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// Checks every value: the stated kind against the key, the parent
    /// rules ([`ErrorKind::KeyKindMismatch`], [`ErrorKind::ParentKeyMissing`],
    /// [`ErrorKind::NotAMasterKey`], [`ErrorKind::WrongProduct`]), the
    /// instance id text and the times.
    pub fn build(self) -> Result<KeyRecord> {
        let key = self.key;
        if let Some(kind) = self.kind {
            if kind != key.kind() {
                return Err(Error::new(
                    ErrorKind::KeyKindMismatch,
                    format!("key {key} is a {} key, the record says {kind}", key.kind()),
                ));
            }
        }
        match (key.kind(), self.parent) {
            (KeyKind::Master, Some(parent)) => {
                return Err(Error::new(
                    ErrorKind::KeyKindMismatch,
                    format!("master key {key} names a parent ({parent}); only add-ons have one"),
                ))
            }
            (KeyKind::Addon, None) => {
                return Err(Error::new(
                    ErrorKind::ParentKeyMissing,
                    format!("add-on key {key} names no master"),
                ))
            }
            (KeyKind::Addon, Some(parent)) if parent.kind() != KeyKind::Master => {
                return Err(Error::new(
                    ErrorKind::NotAMasterKey,
                    format!("add-on key {key} names {parent} as its master, which is an add-on key"),
                ))
            }
            (KeyKind::Addon, Some(parent)) if parent.product() != key.product() => {
                return Err(Error::new(
                    ErrorKind::WrongProduct,
                    format!(
                        "add-on key {key} is for product {}, its master {parent} for {}",
                        key.product(),
                        parent.product()
                    ),
                ))
            }
            _ => {}
        }
        if let Some(instance) = &self.instance {
            check_instance_id(instance)?;
        }
        let what = format!("key {key}");
        let updated_at = timefmt::normalize(self.updated_at, &format!("{what} updated_at"))?;
        let expires_at =
            self.expires_at.map(|e| timefmt::normalize(e, &format!("{what} expires_at"))).transpose()?;
        let mut features = self.features;
        for (name, feature) in self.extra {
            features.insert(&name, feature)?;
        }
        Ok(KeyRecord {
            key,
            parent: self.parent,
            features,
            status: self.status,
            instance: self.instance,
            expires_at,
            updated_at,
        })
    }
}

impl TryFrom<KeyRecordBuilder> for KeyRecord {
    type Error = Error;

    fn try_from(b: KeyRecordBuilder) -> Result<KeyRecord> {
        b.build()
    }
}

impl From<KeyRecord> for KeyRecordBuilder {
    fn from(r: KeyRecord) -> KeyRecordBuilder {
        KeyRecordBuilder {
            kind: Some(r.key.kind()),
            key: r.key,
            parent: r.parent,
            features: r.features,
            status: r.status,
            instance: r.instance,
            expires_at: r.expires_at,
            updated_at: r.updated_at,
            extra: Vec::new(),
        }
    }
}

impl KeyRecord {
    /// Starts a record for `key`, last updated at `updated_at`; status
    /// pending, no features, not assigned, perpetual.
    pub fn builder(key: LicenseKey, updated_at: OffsetDateTime) -> KeyRecordBuilder {
        KeyRecordBuilder {
            key,
            kind: None,
            parent: None,
            features: FeatureSet::new(),
            status: KeyStatus::Pending,
            instance: None,
            expires_at: None,
            updated_at,
            extra: Vec::new(),
        }
    }

    /// A builder holding this record's values, to derive a changed copy.
    pub fn to_builder(&self) -> KeyRecordBuilder {
        KeyRecordBuilder::from(self.clone())
    }

    /// The key.
    pub fn key(&self) -> LicenseKey {
        self.key
    }

    /// The key's kind (from the key itself).
    pub fn kind(&self) -> KeyKind {
        self.key.kind()
    }

    /// The master key of an add-on; `None` for a master.
    pub fn parent(&self) -> Option<LicenseKey> {
        self.parent
    }

    /// The features the key enables.
    pub fn features(&self) -> &FeatureSet {
        &self.features
    }

    /// The status as recorded (see [`Self::status_at`] for expiry).
    pub fn status(&self) -> KeyStatus {
        self.status
    }

    /// The status at `at`: a pending, active or suspended key past its
    /// expiry is [`KeyStatus::Expired`]; revoked stays revoked.
    pub fn status_at(&self, at: OffsetDateTime) -> KeyStatus {
        match self.status {
            KeyStatus::Revoked | KeyStatus::Expired => self.status,
            _ if self.expires_at.is_some_and(|e| e <= at) => KeyStatus::Expired,
            s => s,
        }
    }

    /// Whether the key enables its features at `at` (active, not expired).
    pub fn is_usable_at(&self, at: OffsetDateTime) -> bool {
        self.status_at(at) == KeyStatus::Active
    }

    /// The instance the key is assigned to.
    pub fn instance(&self) -> Option<&str> {
        self.instance.as_deref()
    }

    /// When the key expires; `None` for a perpetual key.
    pub fn expires_at(&self) -> Option<OffsetDateTime> {
        self.expires_at
    }

    /// When the record last changed.
    pub fn updated_at(&self) -> OffsetDateTime {
        self.updated_at
    }

    /// Changes the status, stamping `now` (never moving `updated_at` back).
    pub(crate) fn set_status(&mut self, status: KeyStatus, now: OffsetDateTime) {
        self.status = status;
        self.touch(now);
    }

    /// Assigns or unassigns the key, stamping `now`.
    pub(crate) fn set_instance(&mut self, instance: Option<String>, now: OffsetDateTime) {
        self.instance = instance;
        self.touch(now);
    }

    fn touch(&mut self, now: OffsetDateTime) {
        self.updated_at = self.updated_at.max(now);
    }

    /// Field and value rows for tables (`bundle show`, `account key`).
    pub(crate) fn display_rows(&self) -> Vec<(String, String)> {
        let mut rows = vec![
            ("key".to_owned(), self.key.to_string()),
            ("kind".to_owned(), self.kind().to_string()),
            ("product".to_owned(), self.key.product().to_string()),
        ];
        if let Some(p) = self.parent {
            rows.push(("master key".to_owned(), p.to_string()));
        }
        rows.push(("status".to_owned(), self.status.to_string()));
        rows.push((
            "instance".to_owned(),
            self.instance.clone().unwrap_or_else(|| "(unassigned)".to_owned()),
        ));
        rows.push((
            "expires".to_owned(),
            self.expires_at.map_or_else(|| "never".to_owned(), timefmt::format),
        ));
        rows.push(("last updated".to_owned(), timefmt::format(self.updated_at)));
        if self.features.is_empty() {
            rows.push(("features".to_owned(), "(none)".to_owned()));
        }
        for (name, f) in self.features.iter() {
            rows.push((format!("feature {name}"), f.describe()));
        }
        rows
    }

    /// The record as an aligned two-column table.
    pub fn to_table(&self) -> String {
        let mut t = Table::new();
        for (field, value) in self.display_rows() {
            t.row([field, value]);
        }
        t.render()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-23 08:00 UTC);

    fn key(kind: KeyKind, product: &str, serial: u64) -> LicenseKey {
        LicenseKey::new(kind, product.parse().unwrap(), serial).unwrap()
    }

    #[test]
    fn parent_rules_each_have_their_error() {
        let m = key(KeyKind::Master, "CRT", 1);
        let a = key(KeyKind::Addon, "CRT", 2);
        let cases: [(KeyRecordBuilder, ErrorKind); 5] = [
            (KeyRecord::builder(m, NOW).parent(key(KeyKind::Master, "CRT", 3)), ErrorKind::KeyKindMismatch),
            (KeyRecord::builder(a, NOW), ErrorKind::ParentKeyMissing),
            (KeyRecord::builder(a, NOW).parent(key(KeyKind::Addon, "CRT", 4)), ErrorKind::NotAMasterKey),
            (KeyRecord::builder(a, NOW).parent(key(KeyKind::Master, "XYZ", 5)), ErrorKind::WrongProduct),
            (KeyRecord::builder(m, NOW).instance(" "), ErrorKind::InvalidInstance),
        ];
        for (builder, kind) in cases {
            assert_eq!(builder.build().unwrap_err().kind(), kind);
        }
        let mut b = KeyRecord::builder(m, NOW);
        b.kind = Some(KeyKind::Addon);
        assert_eq!(b.build().unwrap_err().kind(), ErrorKind::KeyKindMismatch);
        let err = KeyRecord::builder(m, NOW)
            .feature("a", Feature::enabled())
            .feature("a", Feature::enabled())
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DuplicateFeature);
    }

    #[test]
    fn status_at_accounts_for_expiry() {
        let m = key(KeyKind::Master, "CRT", 1);
        let r = KeyRecord::builder(m, NOW)
            .status(KeyStatus::Active)
            .expires_at(datetime!(2027-01-01 0:00 UTC))
            .build()
            .unwrap();
        assert!(r.is_usable_at(NOW));
        assert_eq!(r.status_at(datetime!(2027-01-01 0:00 UTC)), KeyStatus::Expired);
        let revoked = r.to_builder().status(KeyStatus::Revoked).build().unwrap();
        assert_eq!(revoked.status_at(datetime!(2028-01-01 0:00 UTC)), KeyStatus::Revoked);
        assert!(!revoked.is_usable_at(NOW));
    }

    #[test]
    fn json_round_trip_and_strictness() {
        let m = key(KeyKind::Master, "CRT", 1);
        let a = key(KeyKind::Addon, "CRT", 2);
        let r = KeyRecord::builder(a, NOW)
            .parent(m)
            .feature("api", Feature::enabled().with_quantity(5))
            .status(KeyStatus::Active)
            .instance("srv-1")
            .build()
            .unwrap();
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains("\"kind\":\"addon\""), "{json}");
        assert_eq!(serde_json::from_str::<KeyRecord>(&json).unwrap(), r);
        let bad = json.replace("\"status\"", "\"colour\":1,\"status\"");
        assert!(serde_json::from_str::<KeyRecord>(&bad).is_err());
        assert!(r.to_table().contains("feature api"));
        assert_eq!("revoked".parse::<KeyStatus>().unwrap(), KeyStatus::Revoked);
        assert_eq!("gone".parse::<KeyStatus>().unwrap_err().kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn updated_at_never_moves_back() {
        let mut r = KeyRecord::builder(key(KeyKind::Master, "CRT", 1), NOW).build().unwrap();
        r.set_status(KeyStatus::Active, NOW - time::Duration::DAY);
        assert_eq!(r.updated_at(), NOW);
        r.set_instance(Some("x".into()), NOW + time::Duration::DAY);
        assert_eq!(r.updated_at(), NOW + time::Duration::DAY);
    }
}

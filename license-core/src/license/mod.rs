//! The license model: who may use which product, with which features, until
//! when, and for how many actioned certificates.
//!
//! ```
//! use license_core::license::{ActionedLimit, LicenseStatus};
//! use license_core::{ErrorKind, Feature, License, SigningKey, TrustedKeys};
//! use time::macros::datetime;
//! # let pem = include_str!("../../../tests/vectors/keys/vendor-2048.key.pem");
//! # let vendor = SigningKey::from_pkcs8_pem(pem)?;
//!
//! // The vendor builds a license and signs it...
//! let license = License::builder("LIC-1", "certmgr", datetime!(2026-01-01 0:00 UTC))
//!     .licensee("Example Ltd")
//!     .expires_at(datetime!(2027-01-01 0:00 UTC))
//!     .feature("sso", Feature::enabled())
//!     .actioned_limit(ActionedLimit::Counted(5_000))
//!     .build()?;
//! let xml = license.sign(&vendor)?;
//!
//! // ...and the installation verifies it with the vendor's public key.
//! let trusted = TrustedKeys::from(vendor.verifying_key().clone());
//! let verified = License::from_signed_xml(&xml, &trusted)?;
//! assert_eq!(verified.license(), &license);
//! let status = verified.license().status(datetime!(2027-01-02 0:00 UTC));
//! assert_eq!(status, LicenseStatus::Expired { expired_at: datetime!(2027-01-01 0:00 UTC) });
//!
//! // A license edited after signing is refused.
//! let edited = String::from_utf8_lossy(&xml).replace("5000", "50000");
//! let err = License::from_signed_xml(edited.as_bytes(), &trusted).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::DigestMismatch);
//! # Ok::<(), license_core::Error>(())
//! ```

mod builder;
mod diff;
mod feature;
mod limit;
mod signed;
mod status;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use builder::LicenseBuilder;
pub use diff::{ExpiryChange, FeatureChange, FieldChange, LicenseDiff, LimitChange, Loss};
pub use feature::{Feature, FeatureSet};
pub use limit::ActionedLimit;
pub(crate) use signed::{features_element, read_feature_list};
pub use signed::{UnverifiedLicense, VerifiedLicense, LICENSE_NAMESPACE, LICENSE_XML_VERSION};
pub use status::{ExpiryMilestone, ExpiryPolicy, ExpiryWatch, LicenseStatus, DEFAULT_WARNING_DAYS};

use crate::timefmt;

/// Who a license is issued to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Licensee {
    /// The person or entity named on the license; never empty.
    pub name: String,
    /// The organisation, if different from the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// A contact e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// Ties a license to one server instance and its hardware.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceBinding {
    /// The instance the license is for.
    pub instance_id: String,
    /// The instance's hardware fingerprint, as its canonical text
    /// (`Fingerprint`'s `Display` form).
    pub fingerprint: String,
    /// How closely a machine must match the fingerprint, as the canonical
    /// text of a `MatchPolicy`; `None` is the default policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
}

/// A validated license. Build one with [`License::builder`] or read one from
/// its JSON form with [`License::from_json`]; either way every field has been
/// checked, so a `License` value is always well-formed.
///
/// ```
/// use license_core::{Feature, License, license::ActionedLimit};
/// use time::macros::datetime;
///
/// let license = License::builder("LIC-2026-0001", "certmgr", datetime!(2026-01-01 0:00 UTC))
///     .licensee("Example Ltd")
///     .expires_at(datetime!(2027-01-01 0:00 UTC))
///     .feature("api", Feature::enabled().with_quantity(10))
///     .actioned_limit(ActionedLimit::Counted(5_000))
///     .build()?;
/// assert!(license.features().is_enabled("api", datetime!(2026-06-01 0:00 UTC)));
/// # Ok::<(), license_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "LicenseBuilder", into = "LicenseBuilder")]
pub struct License {
    pub(crate) id: String,
    pub(crate) product: String,
    pub(crate) licensee: Licensee,
    pub(crate) issued_at: OffsetDateTime,
    pub(crate) expires_at: Option<OffsetDateTime>,
    pub(crate) expiry_policy: ExpiryPolicy,
    pub(crate) features: FeatureSet,
    pub(crate) actioned_limit: ActionedLimit,
    pub(crate) binding: Option<InstanceBinding>,
    pub(crate) attributes: BTreeMap<String, String>,
}

impl License {
    /// Starts a license with its three required values; see
    /// [`LicenseBuilder`] for the rest.
    pub fn builder(
        id: impl Into<String>,
        product: impl Into<String>,
        issued_at: OffsetDateTime,
    ) -> LicenseBuilder {
        LicenseBuilder::new(id, product, issued_at)
    }

    /// Reads the license's JSON form (the serde form of this type), checking
    /// every field as the builder does.
    pub fn from_json(json: &str) -> crate::Result<License> {
        let builder: LicenseBuilder = serde_json::from_str(json).map_err(|e| {
            crate::Error::new(
                crate::ErrorKind::InvalidJson,
                format!("license JSON at line {} column {}: {e}", e.line(), e.column()),
            )
        })?;
        builder.build()
    }

    /// The license's JSON form, pretty-printed, deterministic.
    pub fn to_json(&self) -> String {
        // Serialising plain data to a String cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// A builder holding this license's values, to derive a changed copy.
    pub fn to_builder(&self) -> LicenseBuilder {
        LicenseBuilder::from(self.clone())
    }

    /// The license's unique id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The product code the license is for.
    pub fn product(&self) -> &str {
        &self.product
    }

    /// Who the license is issued to.
    pub fn licensee(&self) -> &Licensee {
        &self.licensee
    }

    /// When the license was issued.
    pub fn issued_at(&self) -> OffsetDateTime {
        self.issued_at
    }

    /// When the license expires; `None` for a perpetual license.
    pub fn expires_at(&self) -> Option<OffsetDateTime> {
        self.expires_at
    }

    /// Warning thresholds and grace period.
    pub fn expiry_policy(&self) -> &ExpiryPolicy {
        &self.expiry_policy
    }

    /// The features the license enables.
    pub fn features(&self) -> &FeatureSet {
        &self.features
    }

    /// The licensed number of actioned certificates.
    pub fn actioned_limit(&self) -> ActionedLimit {
        self.actioned_limit
    }

    /// The instance the license is bound to, if any.
    pub fn binding(&self) -> Option<&InstanceBinding> {
        self.binding.as_ref()
    }

    /// Free-form string attributes, in name order.
    pub fn attributes(&self) -> &BTreeMap<String, String> {
        &self.attributes
    }

    /// A human summary: one `field  value` line per field.
    pub fn to_table(&self) -> String {
        let mut t = crate::table::Table::new();
        for (field, value) in self.display_fields() {
            t.row([field, value]);
        }
        t.render()
    }

    /// The summary as it stands at `at`: [`License::to_table`] with a
    /// `status` row ([`License::status`] at `at`) and each feature described
    /// at `at`, so one whose own expiry has passed reads `expired`.
    ///
    /// ```
    /// use license_core::{Feature, License};
    /// use time::macros::datetime;
    /// let license = License::builder("LIC-1", "certmgr", datetime!(2026-01-01 0:00 UTC))
    ///     .licensee("Example Ltd")
    ///     .feature("reports", Feature::enabled().with_expiry(datetime!(2026-07-01 0:00 UTC)))
    ///     .build()?;
    /// let table = license.to_table_at(datetime!(2026-08-01 0:00 UTC));
    /// assert!(table.contains("expired, ended 2026-07-01"));
    /// assert!(table.contains("at 2026-08-01T00:00:00Z: valid (perpetual)"));
    /// # Ok::<(), license_core::Error>(())
    /// ```
    pub fn to_table_at(&self, at: OffsetDateTime) -> String {
        let mut t = crate::table::Table::new();
        for (field, value) in self.display_fields_at(at) {
            t.row([field, value]);
        }
        t.render()
    }

    /// [`License::display_fields`] as they stand at `at`: a `status` row
    /// after `expires`, and features described at `at`.
    pub(crate) fn display_fields_at(&self, at: OffsetDateTime) -> Vec<(String, String)> {
        let mut rows = self.display_fields();
        for (label, value) in &mut rows {
            if let Some(feature) = label.strip_prefix("feature ").and_then(|name| self.features.get(name)) {
                *value = feature.describe_at(at);
            }
        }
        let after = rows.iter().position(|(label, _)| label == "expires").map_or(rows.len(), |i| i + 1);
        rows.insert(after, ("status".to_owned(), format!("at {}: {}", timefmt::format(at), self.status(at))));
        rows
    }

    /// Every field as `(label, value)` text for tables and diffs, in a fixed
    /// order. Features are listed one per row as `feature NAME`.
    pub(crate) fn display_fields(&self) -> Vec<(String, String)> {
        let mut rows = vec![
            ("id".to_owned(), self.id.clone()),
            ("product".to_owned(), self.product.clone()),
            ("licensee".to_owned(), self.licensee.name.clone()),
        ];
        if let Some(org) = &self.licensee.organisation {
            rows.push(("organisation".to_owned(), org.clone()));
        }
        if let Some(email) = &self.licensee.email {
            rows.push(("email".to_owned(), email.clone()));
        }
        rows.push(("issued".to_owned(), timefmt::format(self.issued_at)));
        rows.push((
            "expires".to_owned(),
            self.expires_at.map_or_else(|| "never (perpetual)".to_owned(), timefmt::format),
        ));
        rows.push(("grace period".to_owned(), format!("{} days", self.expiry_policy.grace_days)));
        rows.push(("warnings".to_owned(), describe_warnings(&self.expiry_policy.warning_days)));
        rows.push(("actioned limit".to_owned(), self.actioned_limit.to_string()));
        if let Some(b) = &self.binding {
            rows.push(("instance".to_owned(), b.instance_id.clone()));
            rows.push(("fingerprint".to_owned(), b.fingerprint.clone()));
        }
        for (name, f) in self.features.iter() {
            rows.push((format!("feature {name}"), f.describe()));
        }
        for (name, value) in &self.attributes {
            rows.push((format!("attribute {name}"), value.clone()));
        }
        rows
    }
}

/// `60, 30, 5 days before expiry`.
pub(crate) fn describe_warnings(days: &[u32]) -> String {
    let list: Vec<String> = days.iter().map(u32::to_string).collect();
    format!("{} days before expiry", list.join(", "))
}

impl TryFrom<LicenseBuilder> for License {
    type Error = crate::Error;
    fn try_from(builder: LicenseBuilder) -> crate::Result<License> {
        builder.build()
    }
}

//! Named features a license enables, each with an optional quantity and an
//! optional expiry of its own.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{text, timefmt, Error, ErrorKind, Result};

/// One feature's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Feature {
    /// Whether the feature is switched on.
    pub enabled: bool,
    /// How many of it are licensed (seats, endpoints, …), if it is counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u64>,
    /// When this feature stops, independently of the license's own expiry.
    #[serde(default, with = "timefmt::rfc3339::option", skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<OffsetDateTime>,
}

impl Feature {
    /// An enabled feature with no quantity and no expiry of its own.
    pub fn enabled() -> Feature {
        Feature { enabled: true, quantity: None, expires_at: None }
    }

    /// A disabled feature.
    pub fn disabled() -> Feature {
        Feature { enabled: false, quantity: None, expires_at: None }
    }

    /// The same feature with a quantity.
    pub fn with_quantity(mut self, quantity: u64) -> Feature {
        self.quantity = Some(quantity);
        self
    }

    /// The same feature with its own expiry.
    pub fn with_expiry(mut self, expires_at: OffsetDateTime) -> Feature {
        self.expires_at = Some(expires_at);
        self
    }

    /// Whether the feature is usable at `at`: enabled and not past its own
    /// expiry (a feature expires at the instant `expires_at`).
    pub fn is_enabled_at(&self, at: OffsetDateTime) -> bool {
        self.enabled && self.expires_at.is_none_or(|e| at < e)
    }

    /// A short description for tables: `enabled, qty 10, until 2027-01-01`.
    /// It states what the license grants, whatever the time; for what holds
    /// at a given instant see [`Feature::describe_at`].
    pub fn describe(&self) -> String {
        self.describe_as(if self.enabled { "enabled" } else { "disabled" }, ", until")
    }

    /// The description at `at`: an enabled feature whose own expiry has
    /// passed reads `expired, qty 10, ended 2026-07-01` rather than
    /// `enabled, …, until <a past date>`; a feature still running reads as
    /// in [`Feature::describe`].
    ///
    /// ```
    /// use license_core::Feature;
    /// use time::macros::datetime;
    /// let reports = Feature::enabled().with_expiry(datetime!(2026-07-01 0:00 UTC));
    /// assert_eq!(reports.describe_at(datetime!(2026-06-30 23:59 UTC)), "enabled, until 2026-07-01");
    /// assert_eq!(reports.describe_at(datetime!(2026-07-01 0:00 UTC)), "expired, ended 2026-07-01");
    /// ```
    pub fn describe_at(&self, at: OffsetDateTime) -> String {
        let ended = self.expires_at.is_some_and(|e| e <= at);
        match (self.enabled, ended) {
            (_, false) => self.describe(),
            (true, true) => self.describe_as("expired", ", ended"),
            (false, true) => self.describe_as("disabled", ", ended"),
        }
    }

    fn describe_as(&self, state: &str, date_label: &str) -> String {
        let mut out = String::from(state);
        if let Some(q) = self.quantity {
            out.push_str(&format!(", qty {q}"));
        }
        if let Some(e) = self.expires_at {
            out.push_str(&format!("{date_label} {}", timefmt::format_date(e)));
        }
        out
    }
}

/// The features of a license, kept in name order so that every rendering
/// is deterministic. Names are unique by construction.
///
/// ```
/// use license_core::{Feature, license::FeatureSet};
/// let mut features = FeatureSet::new();
/// features.insert("api", Feature::enabled().with_quantity(10)).unwrap();
/// assert_eq!(features.quantity("api"), Some(10));
/// assert!(features.insert("api", Feature::disabled()).is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeatureSet {
    features: BTreeMap<String, Feature>,
}

impl FeatureSet {
    /// An empty set.
    pub fn new() -> FeatureSet {
        FeatureSet::default()
    }

    /// Adds a feature; a name that is invalid or already present is an
    /// error ([`ErrorKind::InvalidFeatureName`], [`ErrorKind::DuplicateFeature`]).
    pub fn insert(&mut self, name: &str, feature: Feature) -> Result<()> {
        text::check_identifier(name, ErrorKind::InvalidFeatureName, "feature")?;
        if self.features.contains_key(name) {
            return Err(Error::new(ErrorKind::DuplicateFeature, format!("feature `{name}`")));
        }
        let feature = Feature {
            expires_at: feature
                .expires_at
                .map(|e| timefmt::normalize(e, &format!("feature `{name}` expires_at")))
                .transpose()?,
            ..feature
        };
        self.features.insert(name.to_owned(), feature);
        Ok(())
    }

    /// Adds a feature or replaces the one of the same name.
    pub fn set(&mut self, name: &str, feature: Feature) -> Result<()> {
        self.features.remove(name);
        self.insert(name, feature)
    }

    /// Removes a feature, returning it if it was there.
    pub fn remove(&mut self, name: &str) -> Option<Feature> {
        self.features.remove(name)
    }

    /// The feature of that name.
    pub fn get(&self, name: &str) -> Option<&Feature> {
        self.features.get(name)
    }

    /// Whether the named feature exists, is enabled, and has not passed its
    /// own expiry at `at`. (The license's own expiry is checked by
    /// [`crate::License::status`].)
    pub fn is_enabled(&self, name: &str, at: OffsetDateTime) -> bool {
        self.get(name).is_some_and(|f| f.is_enabled_at(at))
    }

    /// The licensed quantity of the named feature, if it has one.
    pub fn quantity(&self, name: &str) -> Option<u64> {
        self.get(name).and_then(|f| f.quantity)
    }

    /// The features in name order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Feature)> + '_ {
        self.features.iter().map(|(n, f)| (n.as_str(), f))
    }

    /// The number of features.
    pub fn len(&self) -> usize {
        self.features.len()
    }

    /// Whether there are no features.
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }
}

/// The serde form of one feature: its name beside its terms. A list rather
/// than a JSON object, so that a repeated name is seen and refused instead
/// of silently keeping the last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NamedFeature {
    pub(crate) name: String,
    pub(crate) enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) quantity: Option<u64>,
    #[serde(default, with = "timefmt::rfc3339::option", skip_serializing_if = "Option::is_none")]
    pub(crate) expires_at: Option<OffsetDateTime>,
}

impl NamedFeature {
    pub(crate) fn new(name: &str, f: Feature) -> NamedFeature {
        NamedFeature {
            name: name.to_owned(),
            enabled: f.enabled,
            quantity: f.quantity,
            expires_at: f.expires_at,
        }
    }

    pub(crate) fn feature(&self) -> Feature {
        Feature { enabled: self.enabled, quantity: self.quantity, expires_at: self.expires_at }
    }
}

impl Serialize for FeatureSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.iter().map(|(name, f)| NamedFeature::new(name, *f)))
    }
}

impl<'de> Deserialize<'de> for FeatureSet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let mut set = FeatureSet::new();
        for entry in Vec::<NamedFeature>::deserialize(d)? {
            set.insert(&entry.name, entry.feature()).map_err(serde::de::Error::custom)?;
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn names_are_checked() {
        let mut set = FeatureSet::new();
        for bad in ["", "has space", "ünï", &"x".repeat(65)] {
            let err = set.insert(bad, Feature::enabled()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidFeatureName, "{bad:?}");
        }
        set.insert("a.b_c-9", Feature::enabled()).unwrap();
    }

    #[test]
    fn feature_expiry_is_exclusive() {
        let end = datetime!(2027-01-01 00:00:00 UTC);
        let f = Feature::enabled().with_expiry(end);
        assert!(f.is_enabled_at(end - time::Duration::SECOND));
        assert!(!f.is_enabled_at(end));
        assert!(!Feature::disabled().is_enabled_at(end));
    }

    #[test]
    fn serde_refuses_duplicate_names() {
        let json = r#"[{"name":"a","enabled":true},{"name":"a","enabled":false}]"#;
        let err = serde_json::from_str::<FeatureSet>(json).unwrap_err();
        assert!(err.to_string().contains("appears twice"), "{err}");
    }

    #[test]
    fn iteration_is_in_name_order() {
        let mut set = FeatureSet::new();
        set.insert("zeta", Feature::enabled()).unwrap();
        set.insert("alpha", Feature::enabled()).unwrap();
        let names: Vec<_> = set.iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["alpha", "zeta"]);
    }
}

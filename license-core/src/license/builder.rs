//! Building a license: every value checked once, here, with its own error.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::feature::NamedFeature;
use super::{ActionedLimit, ExpiryPolicy, Feature, FeatureSet, InstanceBinding, License, Licensee};
use crate::text;
use crate::{instance::MatchPolicy, timefmt, Error, ErrorKind, Fingerprint, Result};

/// Collects a license's values and checks them in [`LicenseBuilder::build`].
///
/// The builder is also the license's serde form: `License` deserialises
/// through it, so JSON input gets exactly the builder's checks and errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenseBuilder {
    id: String,
    product: String,
    licensee: Licensee,
    #[serde(with = "timefmt::rfc3339")]
    issued_at: OffsetDateTime,
    #[serde(default, with = "timefmt::rfc3339::option")]
    expires_at: Option<OffsetDateTime>,
    #[serde(default)]
    expiry_policy: ExpiryPolicy,
    #[serde(default)]
    features: Vec<NamedFeature>,
    actioned_limit: ActionedLimit,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    binding: Option<InstanceBinding>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    attributes: BTreeMap<String, String>,
}

impl LicenseBuilder {
    /// A builder with the three required values; the licensee name must be
    /// set too. Defaults: perpetual, no features, a site license, warnings at
    /// 60/30/5 days, no grace.
    pub fn new(id: impl Into<String>, product: impl Into<String>, issued_at: OffsetDateTime) -> Self {
        LicenseBuilder {
            id: id.into(),
            product: product.into(),
            licensee: Licensee::default(),
            issued_at,
            expires_at: None,
            expiry_policy: ExpiryPolicy::default(),
            features: Vec::new(),
            actioned_limit: ActionedLimit::SiteLicense,
            binding: None,
            attributes: BTreeMap::new(),
        }
    }

    /// Sets the license id.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    /// Sets the product code.
    pub fn product(mut self, product: impl Into<String>) -> Self {
        self.product = product.into();
        self
    }

    /// Sets when the license was issued.
    pub fn issued_at(mut self, issued_at: OffsetDateTime) -> Self {
        self.issued_at = issued_at;
        self
    }

    /// Sets the licensee's name.
    pub fn licensee(mut self, name: impl Into<String>) -> Self {
        self.licensee.name = name.into();
        self
    }

    /// Sets the licensee's organisation.
    pub fn organisation(mut self, organisation: impl Into<String>) -> Self {
        self.licensee.organisation = Some(organisation.into());
        self
    }

    /// Sets the licensee's contact e-mail address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.licensee.email = Some(email.into());
        self
    }

    /// Sets when the license expires (it is perpetual otherwise).
    pub fn expires_at(mut self, expires_at: OffsetDateTime) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// Makes the license perpetual.
    pub fn perpetual(mut self) -> Self {
        self.expires_at = None;
        self
    }

    /// Sets the warning thresholds and grace period.
    pub fn expiry_policy(mut self, policy: ExpiryPolicy) -> Self {
        self.expiry_policy = policy;
        self
    }

    /// Sets the grace period in days, keeping the warning thresholds.
    pub fn grace_days(mut self, days: u32) -> Self {
        self.expiry_policy.grace_days = days;
        self
    }

    /// Adds a feature. Names must be unique; a repeat fails `build`.
    pub fn feature(mut self, name: &str, feature: Feature) -> Self {
        self.features.push(NamedFeature::new(name, feature));
        self
    }

    /// Removes every feature of that name.
    pub fn without_feature(mut self, name: &str) -> Self {
        self.features.retain(|f| f.name != name);
        self
    }

    /// Sets the licensed number of actioned certificates.
    pub fn actioned_limit(mut self, limit: ActionedLimit) -> Self {
        self.actioned_limit = limit;
        self
    }

    /// Binds the license to an instance and its hardware fingerprint.
    pub fn binding(mut self, binding: InstanceBinding) -> Self {
        self.binding = Some(binding);
        self
    }

    /// Sets a free-form attribute (replacing one of the same name).
    pub fn attribute(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.insert(name.into(), value.into());
        self
    }

    /// Checks every value and returns the license. Each kind of invalid
    /// input has its own [`ErrorKind`]; the detail names the field.
    pub fn build(self) -> Result<License> {
        check_text(&self.id, "id", ErrorKind::EmptyLicenseId)?;
        check_text(&self.product, "product", ErrorKind::EmptyProduct)?;
        check_text(&self.licensee.name, "licensee.name", ErrorKind::EmptyLicensee)?;
        if let Some(org) = &self.licensee.organisation {
            check_text(org, "licensee.organisation", ErrorKind::InvalidText)?;
        }
        if let Some(email) = &self.licensee.email {
            check_email(email)?;
        }
        let issued_at = timefmt::normalize(self.issued_at, "issued_at")?;
        let expires_at = self.expires_at.map(|e| timefmt::normalize(e, "expires_at")).transpose()?;
        if let Some(e) = expires_at {
            if e <= issued_at {
                return Err(Error::new(
                    ErrorKind::ExpiryNotAfterIssue,
                    format!("expires_at {} <= issued_at {}", timefmt::format(e), timefmt::format(issued_at)),
                ));
            }
        }
        let expiry_policy = self.expiry_policy.normalized()?;
        let mut features = FeatureSet::new();
        for entry in &self.features {
            features.insert(&entry.name, entry.feature())?;
        }
        for (name, f) in features.iter() {
            if f.expires_at.is_some_and(|e| e <= issued_at) {
                return Err(Error::new(ErrorKind::FeatureExpiryNotAfterIssue, format!("feature `{name}`")));
            }
        }
        if self.actioned_limit == ActionedLimit::Counted(0) {
            return Err(Error::new(ErrorKind::InvalidLimit, "actioned_limit counted 0"));
        }
        if let Some(b) = &self.binding {
            check_text(&b.fingerprint, "binding.fingerprint", ErrorKind::InvalidBinding)?;
            if let Some(policy) = &b.policy {
                check_text(policy, "binding.policy", ErrorKind::InvalidBinding)?;
            }
            check_binding(b)?;
        }
        for (name, value) in &self.attributes {
            text::check_identifier(name, ErrorKind::InvalidAttributeName, "attribute")?;
            text::check_text(value, &format!("attribute `{name}`"))?;
        }
        Ok(License {
            id: self.id,
            product: self.product,
            licensee: self.licensee,
            issued_at,
            expires_at,
            expiry_policy,
            features,
            actioned_limit: self.actioned_limit,
            binding: self.binding,
            attributes: self.attributes,
        })
    }
}

impl From<License> for LicenseBuilder {
    fn from(l: License) -> LicenseBuilder {
        LicenseBuilder {
            features: l.features.iter().map(|(n, f)| NamedFeature::new(n, *f)).collect(),
            id: l.id,
            product: l.product,
            licensee: l.licensee,
            issued_at: l.issued_at,
            expires_at: l.expires_at,
            expiry_policy: l.expiry_policy,
            actioned_limit: l.actioned_limit,
            binding: l.binding,
            attributes: l.attributes,
        }
    }
}

/// A binding must be one the installation side can check: its fingerprint
/// and policy parse in their canonical forms, and the fingerprint names at
/// least one component. Checked here, on every surface, so that a
/// placeholder (or a typo) is refused when the license is issued rather
/// than found when the customer installs it.
fn check_binding(binding: &InstanceBinding) -> Result<()> {
    let in_field = |field: &str, e: Error| Error::new(e.kind(), format!("field `{field}`: {}", e.detail()));
    // The one instance-id rule, reported as the binding's fault.
    text::check_instance_id(&binding.instance_id).map_err(|e| {
        Error::new(ErrorKind::InvalidBinding, format!("field `binding.instance_id`: {}", e.detail()))
    })?;
    let fingerprint: Fingerprint =
        binding.fingerprint.parse().map_err(|e| in_field("binding.fingerprint", e))?;
    if fingerprint.is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidFingerprint,
            "field `binding.fingerprint` names no hardware component (no machine would match it)",
        ));
    }
    if let Some(policy) = &binding.policy {
        policy.parse::<MatchPolicy>().map_err(|e| in_field("binding.policy", e))?;
    }
    Ok(())
}

/// A required field: not blank (`empty_kind` otherwise), then the text rule.
fn check_text(value: &str, field: &str, empty_kind: ErrorKind) -> Result<()> {
    text::check_required_text(value, &format!("field `{field}`"), empty_kind)
}

/// A pragmatic e-mail check: one `@`, a non-empty local part, a domain with
/// a dot and no empty labels, no spaces. Full RFC 5322 is not the point;
/// catching typos is.
fn check_email(email: &str) -> Result<()> {
    let bad = || Error::new(ErrorKind::InvalidEmail, format!("`{}`", email.escape_debug()));
    text::check_text(email, "licensee.email").map_err(|_| bad())?;
    let (local, domain) = email.split_once('@').ok_or_else(bad)?;
    let ok = !local.is_empty()
        && !domain.contains('@')
        && !email.chars().any(char::is_whitespace)
        && domain.contains('.')
        && domain.split('.').all(|label| !label.is_empty());
    if ok {
        Ok(())
    } else {
        Err(bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn base() -> LicenseBuilder {
        License::builder("LIC-1", "certmgr", datetime!(2026-01-01 0:00 UTC)).licensee("Example Ltd")
    }

    #[test]
    fn each_invalid_input_has_its_own_kind() {
        let t0 = datetime!(2026-01-01 0:00 UTC);
        let cases: Vec<(LicenseBuilder, ErrorKind)> = vec![
            (License::builder("", "p", t0).licensee("x"), ErrorKind::EmptyLicenseId),
            (License::builder("id", " ", t0).licensee("x"), ErrorKind::EmptyProduct),
            (License::builder("id", "p", t0), ErrorKind::EmptyLicensee),
            (base().email("no-at-sign"), ErrorKind::InvalidEmail),
            (base().email("a@b"), ErrorKind::InvalidEmail),
            (base().email("a@b..c"), ErrorKind::InvalidEmail),
            (base().expires_at(t0), ErrorKind::ExpiryNotAfterIssue),
            (
                base().feature("a", Feature::enabled()).feature("a", Feature::disabled()),
                ErrorKind::DuplicateFeature,
            ),
            (base().feature("a b", Feature::enabled()), ErrorKind::InvalidFeatureName),
            (base().feature("a", Feature::enabled().with_expiry(t0)), ErrorKind::FeatureExpiryNotAfterIssue),
            (base().attribute("", "v"), ErrorKind::InvalidAttributeName),
            (
                base().expiry_policy(ExpiryPolicy { warning_days: vec![], grace_days: 0 }),
                ErrorKind::InvalidWarningThresholds,
            ),
            (
                base().binding(InstanceBinding {
                    instance_id: "".into(),
                    fingerprint: "f".into(),
                    policy: None,
                }),
                ErrorKind::InvalidBinding,
            ),
            (
                License::builder("id", "p", datetime!(1960-01-01 0:00 UTC)).licensee("x"),
                ErrorKind::InvalidTime,
            ),
            (base().actioned_limit(ActionedLimit::Counted(0)), ErrorKind::InvalidLimit),
            (base().attribute("note", "bell\u{7}"), ErrorKind::InvalidText),
            (base().grace_days(5000), ErrorKind::InvalidArgument),
        ];
        for (i, (builder, kind)) in cases.into_iter().enumerate() {
            let err = builder.build().unwrap_err();
            assert_eq!(err.kind(), kind, "case {i}: {err}");
        }
    }

    #[test]
    fn json_round_trip_and_json_errors() {
        let license = base()
            .email("ops@example.com")
            .expires_at(datetime!(2027-01-01 0:00 UTC))
            .feature("api", Feature::enabled().with_quantity(3))
            .actioned_limit(ActionedLimit::Counted(100))
            .attribute("po", "PO-7")
            .build()
            .unwrap();
        let json = license.to_json();
        assert_eq!(License::from_json(&json).unwrap(), license);

        let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let features = value["features"].as_array_mut().unwrap();
        features.push(features[0].clone());
        let dup = value.to_string();
        assert_eq!(License::from_json(&dup).unwrap_err().kind(), ErrorKind::DuplicateFeature);
        let unknown = json.replacen('{', "{\"colour\": \"red\",", 1);
        let err = License::from_json(&unknown).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidJson);
        assert!(err.detail().contains("colour"), "{err}");
    }

    /// A binding to a real (if small) machine's fingerprint.
    fn binding(fingerprint: &str, policy: Option<&str>) -> InstanceBinding {
        InstanceBinding {
            instance_id: "srv-1".into(),
            fingerprint: fingerprint.into(),
            policy: policy.map(str::to_owned),
        }
    }

    fn real_fingerprint() -> String {
        let profile = crate::HardwareProfile {
            machine_id: Some("3d1219c7c4c5404aaa1f6d2a48adfda4".into()),
            ..crate::HardwareProfile::default()
        };
        Fingerprint::from_profile(&profile).to_string()
    }

    #[test]
    fn the_binding_must_parse_so_a_placeholder_is_never_signed() {
        let fp = real_fingerprint();
        let policy = MatchPolicy::default().to_string();
        assert!(base().binding(binding(&fp, None)).build().is_ok());
        assert!(base().binding(binding(&fp, Some(&policy))).build().is_ok());
        let cases = [
            (binding("replace with the instance's fingerprint", None), ErrorKind::InvalidFingerprint),
            (binding("fp:v1:0123456789abcdef", None), ErrorKind::InvalidFingerprint),
            // Parses, but names no component: nothing could ever match it.
            (binding("fp1", None), ErrorKind::InvalidFingerprint),
            (binding(&fp.to_uppercase(), None), ErrorKind::InvalidFingerprint),
            (binding(&fp, Some("min-matches=3")), ErrorKind::InvalidMatchPolicy),
            (binding(&fp, Some("mp1;threshold=1")), ErrorKind::InvalidMatchPolicy),
        ];
        for (i, (b, kind)) in cases.into_iter().enumerate() {
            let err = base().binding(b).build().unwrap_err();
            assert_eq!(err.kind(), kind, "case {i}: {err}");
            assert!(err.detail().contains("binding."), "case {i}: the detail names the field: {err}");
        }
        // The JSON form goes through the same checks.
        let mut json: serde_json::Value =
            serde_json::from_str(&base().binding(binding(&fp, None)).build().unwrap().to_json()).unwrap();
        json["binding"]["fingerprint"] = "replace with the instance's fingerprint".into();
        let err = License::from_json(&json.to_string()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidFingerprint, "{err}");
        json["binding"]["fingerprint"] = fp.into();
        json["binding"]["policy"] = "p".into();
        assert_eq!(License::from_json(&json.to_string()).unwrap_err().kind(), ErrorKind::InvalidMatchPolicy);
    }

    #[test]
    fn times_are_normalised() {
        let l = License::builder("id", "p", datetime!(2026-01-01 02:00:00.5 +02:00))
            .licensee("x")
            .build()
            .unwrap();
        assert_eq!(l.issued_at(), datetime!(2026-01-01 0:00 UTC));
    }
}

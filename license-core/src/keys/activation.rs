//! Offline activation: a server that cannot reach the vendor checks its
//! downloaded `.bin` against its own hardware and the vendor's public key.

use std::fmt;

use time::OffsetDateTime;

use super::bundle::KeyBundle;
use super::merge::effective_features;
use super::record::{KeyRecord, KeyStatus};
use crate::table::Table;
use crate::{
    instance::MatchReport, license::FeatureSet, timefmt, Error, ErrorKind, Fingerprint, HardwareProfile,
    LicenseKey, Result, TrustedKeys,
};

/// A successful activation: the verified bundle, what this machine may use,
/// and how its hardware compared.
#[derive(Debug, Clone)]
pub struct Activation {
    bundle: KeyBundle,
    activated_at: OffsetDateTime,
    counted: Vec<LicenseKey>,
    skipped: Vec<(LicenseKey, KeyStatus)>,
    features: FeatureSet,
    report: MatchReport,
}

/// Activates this machine from a `.bin`:
///
/// 1. verifies the bundle ([`KeyBundle::from_bin`]: signature, shape, the
///    master is a master, every add-on names it as parent);
/// 2. refuses a bundle past its expiry ([`ErrorKind::KeyExpired`]);
/// 3. refuses a master key that is not active at `now`
///    ([`ErrorKind::KeyExpired`] when it has expired,
///    [`ErrorKind::KeyNotActive`] otherwise);
/// 4. compares `profile`'s fingerprint with the bundle's under the policy
///    signed into it, refusing a mismatch with
///    [`ErrorKind::FingerprintMismatch`] whose detail names the components
///    that drifted;
/// 5. merges the master's and the usable add-ons' features
///    ([`effective_features`]); add-ons that are not active are skipped
///    and listed, not errors. Every feature ends at the latest at the
///    bundle's expiry.
///
/// ```no_run
/// use license_core::{HardwareProfile, TrustedKeys, VerifyingKey, keys::activate};
/// # fn collect() -> HardwareProfile { HardwareProfile::default() }
/// let trusted = TrustedKeys::from(VerifyingKey::from_public_key_pem(&std::fs::read_to_string("vendor.pub.pem")?)?);
/// let bin = std::fs::read("server.bin")?;
/// let activation = activate(&bin, &trusted, &collect(), time::OffsetDateTime::now_utc())?;
/// println!("{activation}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn activate(
    bundle_bytes: &[u8],
    trusted: &TrustedKeys,
    profile: &HardwareProfile,
    now: OffsetDateTime,
) -> Result<Activation> {
    let bundle = KeyBundle::from_bin(bundle_bytes, trusted)?;
    let now = timefmt::normalize(now, "activation time")?;
    if let Some(end) = bundle.expires_at().filter(|&e| e <= now) {
        return Err(Error::new(
            ErrorKind::KeyExpired,
            format!("the bundle for `{}` expired at {}", bundle.instance_id(), timefmt::format(end)),
        ));
    }
    let master = bundle.master();
    match master.status_at(now) {
        KeyStatus::Active => {}
        KeyStatus::Expired => {
            return Err(Error::new(
                ErrorKind::KeyExpired,
                format!(
                    "master key {} expired{}",
                    master.key(),
                    master.expires_at().map(|e| format!(" at {}", timefmt::format(e))).unwrap_or_default()
                ),
            ))
        }
        other => {
            return Err(Error::new(
                ErrorKind::KeyNotActive,
                format!("master key {} is {other}", master.key()),
            ))
        }
    }
    let here = Fingerprint::from_profile(profile);
    let report = bundle.fingerprint().matches(&here, bundle.policy());
    if !report.is_match() {
        return Err(Error::new(
            ErrorKind::FingerprintMismatch,
            format!("this machine is not instance `{}`: {}", bundle.instance_id(), report.summary()),
        ));
    }
    let (usable, unusable): (Vec<&KeyRecord>, Vec<&KeyRecord>) =
        bundle.addons().iter().partition(|a| a.is_usable_at(now));
    let mut features = effective_features(std::iter::once(master).chain(usable.iter().copied()), now);
    if let Some(end) = bundle.expires_at() {
        features = cap_expiry(features, end);
    }
    Ok(Activation {
        counted: usable.iter().map(|a| a.key()).collect(),
        skipped: unusable.iter().map(|a| (a.key(), a.status_at(now))).collect(),
        features,
        report,
        activated_at: now,
        bundle,
    })
}

fn cap_expiry(features: FeatureSet, end: OffsetDateTime) -> FeatureSet {
    let mut out = FeatureSet::new();
    for (name, f) in features.iter() {
        let mut f = *f;
        f.expires_at = Some(f.expires_at.map_or(end, |e| e.min(end)));
        // Same names, valid times: cannot fail.
        let _ = out.insert(name, f);
    }
    out
}

impl Activation {
    /// The verified bundle.
    pub fn bundle(&self) -> &KeyBundle {
        &self.bundle
    }

    /// The instance activated.
    pub fn instance_id(&self) -> &str {
        self.bundle.instance_id()
    }

    /// The master key.
    pub fn master_key(&self) -> LicenseKey {
        self.bundle.master().key()
    }

    /// The add-on keys whose features count (active, not expired).
    pub fn counted_addons(&self) -> &[LicenseKey] {
        &self.counted
    }

    /// The add-on keys left out, with their status at activation.
    pub fn skipped_addons(&self) -> &[(LicenseKey, KeyStatus)] {
        &self.skipped
    }

    /// The effective features: see [`activate`].
    pub fn features(&self) -> &FeatureSet {
        &self.features
    }

    /// How this machine's hardware compared with the bundle's fingerprint.
    pub fn match_report(&self) -> &MatchReport {
        &self.report
    }

    /// When the activation was checked.
    pub fn activated_at(&self) -> OffsetDateTime {
        self.activated_at
    }
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut t = Table::new();
        t.row(["instance", self.instance_id()]);
        t.row(["master key", &self.master_key().to_string()]);
        t.row(["activated", &timefmt::format(self.activated_at)]);
        t.row([
            "bundle expires",
            &self.bundle.expires_at().map_or_else(|| "never".to_owned(), timefmt::format),
        ]);
        t.row(["hardware", &self.report.summary()]);
        for key in &self.counted {
            t.row(["add-on", &format!("{key} (counted)")]);
        }
        for (key, status) in &self.skipped {
            t.row(["add-on", &format!("{key} ({status}, not counted)")]);
        }
        if self.features.is_empty() {
            t.row(["features", "(none)"]);
        }
        for (name, feature) in self.features.iter() {
            t.row([format!("feature {name}"), feature.describe()]);
        }
        f.write_str(&t.render())
    }
}

#[cfg(test)]
mod tests {
    use super::super::bundle::tests::{profile, sample_bundle};
    use super::*;
    use crate::crypto::test_keys::signing_2048;
    use crate::{keys::BundleAlgorithm, KeyBundle};
    use time::macros::datetime;
    use time::Duration;

    const NOW: OffsetDateTime = datetime!(2026-11-23 08:00 UTC);

    fn trusted() -> TrustedKeys {
        TrustedKeys::from(signing_2048().verifying_key().clone())
    }

    fn sign(bundle: &KeyBundle) -> Vec<u8> {
        bundle.to_bin(&signing_2048(), BundleAlgorithm::Rs256).unwrap()
    }

    #[test]
    fn activates_on_the_bound_machine_and_merges_features() {
        let a =
            activate(&sign(&sample_bundle()), &trusted(), &profile("42"), NOW + Duration::days(1)).unwrap();
        assert_eq!(a.instance_id(), "srv-1");
        assert_eq!(a.counted_addons().len(), 1);
        assert_eq!(a.skipped_addons().len(), 1);
        assert_eq!(a.skipped_addons()[0].1, KeyStatus::Suspended);
        // master api 10 + active add-on api 5; the suspended add-on's 5 not.
        assert_eq!(a.features().quantity("api"), Some(15));
        assert!(a.features().get("sso").is_some());
        assert_eq!(a.features().get("api").unwrap().expires_at, Some(NOW + Duration::days(365)));
        assert!(a.match_report().is_match());
        assert!(a.to_string().contains("feature api"));
    }

    #[test]
    fn drifted_hardware_within_policy_still_activates() {
        let mut p = profile("42");
        p.interfaces.clear(); // a NIC replaced
        p.hostname = Some("renamed".into());
        assert!(activate(&sign(&sample_bundle()), &trusted(), &p, NOW).is_ok());
    }

    #[test]
    fn a_bundle_for_another_machine_is_refused_naming_the_drift() {
        let err = activate(&sign(&sample_bundle()), &trusted(), &profile("77"), NOW).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FingerprintMismatch);
        assert!(err.detail().contains("machine-id"), "{err}");
    }

    #[test]
    fn expiry_and_status_are_checked() {
        let bin = sign(&sample_bundle());
        let err = activate(&bin, &trusted(), &profile("42"), NOW + Duration::days(365)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::KeyExpired);
        let b = sample_bundle();
        let with_master = |status: KeyStatus, expiry: Option<OffsetDateTime>| {
            let mut m = b.master().to_builder().status(status);
            if let Some(e) = expiry {
                m = m.expires_at(e);
            }
            let mut builder = KeyBundle::builder("srv-1", b.fingerprint(), NOW, m.build().unwrap());
            for a in b.addons() {
                builder = builder.addon(a.clone());
            }
            sign(&builder.build().unwrap())
        };
        for status in [KeyStatus::Pending, KeyStatus::Suspended, KeyStatus::Revoked] {
            let err = activate(&with_master(status, None), &trusted(), &profile("42"), NOW).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::KeyNotActive, "{status}");
        }
        let expired = with_master(KeyStatus::Active, Some(NOW + Duration::days(2)));
        assert!(activate(&expired, &trusted(), &profile("42"), NOW + Duration::days(1)).is_ok());
        let err = activate(&expired, &trusted(), &profile("42"), NOW + Duration::days(2)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::KeyExpired);
    }

    #[test]
    fn a_tampered_bundle_never_activates() {
        let mut bin = sign(&sample_bundle());
        let last = bin.len() - 1;
        bin[last] ^= 1;
        let err = activate(&bin, &trusted(), &profile("42"), NOW).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SignatureMismatch);
    }
}

//! The effective features of a set of key records: what an instance may
//! use, given its master key and its add-ons.

use std::collections::{BTreeMap, BTreeSet};

use time::OffsetDateTime;

use super::record::KeyRecord;
use crate::{license::FeatureSet, Feature, LicenseKey};

/// Merges the features of the records usable at `at` (active and not
/// expired; see [`KeyRecord::is_usable_at`]) into one set:
///
/// - a feature is in the result when at least one usable record enables
///   it and it has not passed its own expiry at `at`;
/// - its quantity is the sum of the contributing quantities (saturating),
///   or none when no contributor counts it;
/// - it lasts as long as its longest-lived contributor: each contribution
///   ends at the earlier of the feature's and the record's expiry, and the
///   result carries the latest of those (none when any is perpetual).
///
/// A key present more than once counts once (the first record of a key
/// wins), so the merge is idempotent: merging a list with itself appended
/// gives the same set. The order of distinct keys does not matter.
///
/// ```
/// use license_core::{Feature, LicenseKey, keys::{effective_features, KeyKind, KeyRecord, KeyStatus}};
/// use time::macros::datetime;
/// let now = datetime!(2026-11-23 0:00 UTC);
/// let m = LicenseKey::new(KeyKind::Master, "CRT".parse()?, 1)?;
/// let a = LicenseKey::new(KeyKind::Addon, "CRT".parse()?, 2)?;
/// let master = KeyRecord::builder(m, now)
///     .status(KeyStatus::Active)
///     .feature("api", Feature::enabled().with_quantity(10))
///     .build()?;
/// let addon = KeyRecord::builder(a, now)
///     .parent(m)
///     .status(KeyStatus::Active)
///     .feature("api", Feature::enabled().with_quantity(5))
///     .feature("sso", Feature::enabled())
///     .build()?;
/// let merged = effective_features([&master, &addon, &addon], now);
/// assert_eq!(merged.quantity("api"), Some(15));
/// assert!(merged.is_enabled("sso", now));
/// # Ok::<(), license_core::Error>(())
/// ```
pub fn effective_features<'a>(
    records: impl IntoIterator<Item = &'a KeyRecord>,
    at: OffsetDateTime,
) -> FeatureSet {
    let mut seen: BTreeSet<LicenseKey> = BTreeSet::new();
    // name → (quantity, any quantity seen, expiry; None = perpetual)
    let mut acc: BTreeMap<&str, (u64, bool, Option<OffsetDateTime>)> = BTreeMap::new();
    for record in records {
        if !seen.insert(record.key()) || !record.is_usable_at(at) {
            continue;
        }
        for (name, feature) in record.features().iter() {
            if !feature.is_enabled_at(at) {
                continue;
            }
            let ends = match (feature.expires_at, record.expires_at()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let entry = acc.entry(name).or_insert((0, false, ends));
            if let Some(q) = feature.quantity {
                entry.0 = entry.0.saturating_add(q);
                entry.1 = true;
            }
            entry.2 = match (entry.2, ends) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            };
        }
    }
    let mut out = FeatureSet::new();
    for (name, (quantity, counted, expires_at)) in acc {
        let feature = Feature { enabled: true, quantity: counted.then_some(quantity), expires_at };
        // Names and times come from valid feature sets: insertion cannot fail.
        let _ = out.insert(name, feature);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{KeyKind, KeyStatus};
    use proptest::prelude::*;
    use time::macros::datetime;
    use time::Duration;

    const NOW: OffsetDateTime = datetime!(2026-11-23 08:00 UTC);

    fn master() -> LicenseKey {
        LicenseKey::new(KeyKind::Master, "CRT".parse().unwrap(), 1).unwrap()
    }

    fn addon(serial: u64, status: KeyStatus, features: &[(&str, Option<u64>, Option<i64>)]) -> KeyRecord {
        let key = LicenseKey::new(KeyKind::Addon, "CRT".parse().unwrap(), serial).unwrap();
        let mut b = KeyRecord::builder(key, NOW).parent(master()).status(status);
        for &(name, q, days) in features {
            let mut f = Feature::enabled();
            if let Some(q) = q {
                f = f.with_quantity(q);
            }
            if let Some(d) = days {
                f = f.with_expiry(NOW + Duration::days(d));
            }
            b = b.feature(name, f);
        }
        b.build().unwrap()
    }

    #[test]
    fn quantities_add_and_unusable_keys_count_nothing() {
        let a = addon(2, KeyStatus::Active, &[("api", Some(5), None), ("sso", None, Some(30))]);
        let b = addon(3, KeyStatus::Active, &[("api", Some(7), Some(10)), ("sso", None, Some(90))]);
        let suspended = addon(4, KeyStatus::Suspended, &[("api", Some(100), None), ("audit", None, None)]);
        let expired_feature = addon(5, KeyStatus::Active, &[("old", None, Some(-1))]);
        let set = effective_features([&a, &b, &suspended, &expired_feature], NOW);
        assert_eq!(set.quantity("api"), Some(12));
        // api: one perpetual contributor, so the merged feature is perpetual.
        assert_eq!(set.get("api").unwrap().expires_at, None);
        assert_eq!(set.get("sso").unwrap().expires_at, Some(NOW + Duration::days(90)));
        assert_eq!(set.get("sso").unwrap().quantity, None);
        assert!(set.get("audit").is_none() && set.get("old").is_none());
    }

    #[test]
    fn a_record_expiry_caps_its_features() {
        let key = LicenseKey::new(KeyKind::Addon, "CRT".parse().unwrap(), 9).unwrap();
        let r = KeyRecord::builder(key, NOW)
            .parent(master())
            .status(KeyStatus::Active)
            .expires_at(NOW + Duration::days(3))
            .feature("api", Feature::enabled().with_expiry(NOW + Duration::days(10)))
            .build()
            .unwrap();
        let set = effective_features([&r], NOW);
        assert_eq!(set.get("api").unwrap().expires_at, Some(NOW + Duration::days(3)));
        assert!(effective_features([&r], NOW + Duration::days(3)).is_empty());
    }

    fn any_addon() -> impl Strategy<Value = KeyRecord> {
        let feature = (
            prop::sample::select(vec!["api", "sso", "audit", "reports"]),
            prop::option::of(0u64..1000),
            prop::option::of(-5i64..50),
        );
        (1u64..12, any::<bool>(), prop::collection::vec(feature, 0..4)).prop_map(|(serial, active, fs)| {
            let mut fs: Vec<_> = fs;
            fs.sort_by_key(|f| f.0);
            fs.dedup_by_key(|f| f.0);
            let status = if active { KeyStatus::Active } else { KeyStatus::Suspended };
            addon(serial, status, &fs)
        })
    }

    proptest! {
        #[test]
        fn merge_is_idempotent_and_order_free(records in prop::collection::vec(any_addon(), 0..6)) {
            // One record per key, so that order cannot pick a different
            // record for the same key.
            let mut distinct: Vec<KeyRecord> = Vec::new();
            for r in records {
                if !distinct.iter().any(|d| d.key() == r.key()) {
                    distinct.push(r);
                }
            }
            let once = effective_features(&distinct, NOW);
            let twice = effective_features(distinct.iter().chain(distinct.iter()), NOW);
            prop_assert_eq!(&once, &twice);
            let reversed = effective_features(distinct.iter().rev(), NOW);
            prop_assert_eq!(&once, &reversed);
            // Every merged quantity is the sum over usable contributors.
            for (name, f) in once.iter() {
                let sum: u64 = distinct
                    .iter()
                    .filter(|r| r.is_usable_at(NOW))
                    .filter_map(|r| r.features().get(name).filter(|f| f.is_enabled_at(NOW)))
                    .filter_map(|f| f.quantity)
                    .sum();
                prop_assert_eq!(f.quantity.unwrap_or(0), sum);
            }
        }
    }
}

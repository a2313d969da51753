//! Properties of the license model that hold for every license.

use std::collections::BTreeSet;

use license_core::{
    license::{ActionedLimit, ExpiryPolicy, LicenseDiff, LicenseStatus},
    Feature, License,
};
use proptest::prelude::*;
use time::{Duration, OffsetDateTime};

const T0: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

fn at(offset_secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(T0 + offset_secs).unwrap()
}

fn feature() -> impl Strategy<Value = Feature> {
    (any::<bool>(), proptest::option::of(0u64..1000), proptest::option::of(1i64..400 * 86_400))
        .prop_map(|(enabled, quantity, expiry)| Feature { enabled, quantity, expires_at: expiry.map(at) })
}

fn license() -> impl Strategy<Value = License> {
    (
        "[A-Z]{3}-[0-9]{1,4}",
        proptest::collection::btree_map("[a-z][a-z0-9_.-]{0,8}", feature(), 0..6),
        proptest::option::of(1i64..800 * 86_400),
        0u32..60,
        proptest::collection::btree_set(1u32..400, 1..4),
        proptest::option::of(1u64..100_000),
        "\\PC{1,20}",
    )
        .prop_map(|(id, features, expiry, grace, warnings, limit, name)| {
            let mut b = License::builder(id, "certmgr", at(0))
                .licensee(if name.trim().is_empty() { "x".to_owned() } else { name })
                .expiry_policy(ExpiryPolicy {
                    warning_days: warnings.into_iter().collect(),
                    grace_days: grace,
                })
                .actioned_limit(limit.map_or(ActionedLimit::SiteLicense, ActionedLimit::Counted));
            if let Some(e) = expiry {
                b = b.expires_at(at(e));
            }
            for (n, f) in &features {
                b = b.feature(n, *f);
            }
            b.build().expect("the strategy only makes valid licenses")
        })
}

proptest! {
    #[test]
    fn a_license_compared_with_itself_has_no_differences(l in license()) {
        let diff = LicenseDiff::between(&l, &l);
        prop_assert!(diff.is_empty());
        prop_assert!(diff.takes_nothing_away());
    }

    #[test]
    fn the_diff_lists_exactly_the_features_whose_values_differ(a in license(), b in license()) {
        let diff = LicenseDiff::between(&a, &b);
        let listed: BTreeSet<&str> = diff.features.iter().map(|c| c.name.as_str()).collect();
        let names: BTreeSet<&str> = a.features().iter().chain(b.features().iter()).map(|(n, _)| n).collect();
        let differing: BTreeSet<&str> =
            names.into_iter().filter(|n| a.features().get(n) != b.features().get(n)).collect();
        prop_assert_eq!(listed, differing);
        for change in &diff.features {
            prop_assert_eq!(change.installed.as_ref(), a.features().get(&change.name));
            prop_assert_eq!(change.candidate.as_ref(), b.features().get(&change.name));
        }
    }

    #[test]
    fn status_never_goes_back_in_time(l in license(), t1 in 0i64..1000 * 86_400, dt in 0i64..200 * 86_400) {
        let (early, late) = (l.status(at(t1)), l.status(at(t1 + dt)));
        prop_assert!(early.rank() <= late.rank(), "{:?} then {:?}", early, late);
        if matches!(early, LicenseStatus::Expired { .. }) {
            prop_assert!(!late.is_usable());
        }
    }

    #[test]
    fn json_form_round_trips(l in license()) {
        prop_assert_eq!(License::from_json(&l.to_json()).unwrap(), l);
    }

    #[test]
    fn days_left_only_shrinks(l in license(), t1 in 0i64..800 * 86_400) {
        let days = |s: LicenseStatus| match s {
            LicenseStatus::Valid { days_left } => days_left,
            LicenseStatus::ExpiringSoon { days_left, .. } => Some(days_left),
            _ => None,
        };
        if let (Some(a), Some(b)) = (days(l.status(at(t1))), days(l.status(at(t1) + Duration::days(1)))) {
            prop_assert!(b <= a);
        }
    }
}

//! sign → verify round-trips for arbitrary valid licenses, including text
//! that needs escaping and non-ASCII.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use license_core::{
    instance::{ComponentKind, Disk, MatchPolicy},
    license::{ActionedLimit, ExpiryPolicy, InstanceBinding},
    Feature, Fingerprint, HardwareProfile, License, SigningKey, TrustedKeys,
};
use proptest::prelude::*;
use time::{Duration, OffsetDateTime};

fn key() -> SigningKey {
    let path = support::vectors().join("keys").join("vendor-2048.key.pem");
    SigningKey::from_pkcs8_pem(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Text with XML's special characters, whitespace, non-ASCII and astral
/// characters; never blank.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 &<>\"'=;#\\]\\[\t\néßÜ漢字😀\u{a0}\u{2028}-]{1,40}"
        .prop_filter("not blank", |s| !s.trim().is_empty())
}

/// An identifier: feature and attribute names, instance ids.
fn name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._-]{1,20}"
}

/// The canonical text of a real machine's fingerprint (the builder refuses
/// any other): a machine id and up to three disks.
fn fingerprint() -> impl Strategy<Value = String> {
    ("[0-9a-f]{32}", proptest::collection::vec("[A-Z0-9]{8,16}", 0..3)).prop_map(|(machine_id, disks)| {
        let profile = HardwareProfile {
            machine_id: Some(machine_id),
            disks: disks
                .into_iter()
                .map(|serial| Disk {
                    name: "sda".into(),
                    model: None,
                    serial: Some(serial),
                    size_bytes: None,
                })
                .collect(),
            ..HardwareProfile::default()
        };
        Fingerprint::from_profile(&profile).to_string()
    })
}

/// The canonical text of a match policy: any threshold the weights allow.
fn policy() -> impl Strategy<Value = String> {
    (1u32..=6).prop_map(|threshold| {
        MatchPolicy::new(threshold, &ComponentKind::ALL.map(|k| (k, 1)), &[]).unwrap().to_string()
    })
}

#[derive(Debug, Clone)]
struct Spec {
    id: String,
    product: String,
    licensee: String,
    organisation: Option<String>,
    issued: i64,
    lifetime: Option<i64>,
    warnings: BTreeSet<u32>,
    grace: u32,
    features: BTreeMap<String, (bool, Option<u64>, Option<i64>)>,
    limit: Option<u64>,
    binding: Option<(String, String, Option<String>)>,
    attributes: BTreeMap<String, String>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        (text(), text(), text(), proptest::option::of(text())),
        (0i64..4_000_000_000, proptest::option::of(1i64..1_000_000_000)),
        (proptest::collection::btree_set(1u32..=3660, 1..5), 0u32..=3660),
        proptest::collection::btree_map(
            name(),
            (any::<bool>(), proptest::option::of(any::<u64>()), proptest::option::of(1i64..1_000_000_000)),
            0..4,
        ),
        proptest::option::of(1u64..),
        proptest::option::of((name(), fingerprint(), proptest::option::of(policy()))),
        proptest::collection::btree_map(name(), text(), 0..4),
    )
        .prop_map(
            |(
                (id, product, licensee, organisation),
                (issued, lifetime),
                (warnings, grace),
                features,
                limit,
                binding,
                attributes,
            )| Spec {
                id,
                product,
                licensee,
                organisation,
                issued,
                lifetime,
                warnings,
                grace,
                features,
                limit,
                binding,
                attributes,
            },
        )
}

fn build(s: &Spec) -> License {
    let issued = OffsetDateTime::from_unix_timestamp(s.issued).unwrap();
    let mut b = License::builder(&s.id, &s.product, issued)
        .licensee(&s.licensee)
        .expiry_policy(ExpiryPolicy {
            warning_days: s.warnings.iter().copied().collect(),
            grace_days: s.grace,
        })
        .actioned_limit(s.limit.map_or(ActionedLimit::SiteLicense, ActionedLimit::Counted));
    if let Some(o) = &s.organisation {
        b = b.organisation(o);
    }
    if let Some(l) = s.lifetime {
        b = b.expires_at(issued + Duration::seconds(l));
    }
    for (n, (enabled, qty, exp)) in &s.features {
        let mut f = if *enabled { Feature::enabled() } else { Feature::disabled() };
        if let Some(q) = qty {
            f = f.with_quantity(*q);
        }
        if let Some(e) = exp {
            f = f.with_expiry(issued + Duration::seconds(*e));
        }
        b = b.feature(n, f);
    }
    if let Some((instance_id, fingerprint, policy)) = &s.binding {
        b = b.binding(InstanceBinding {
            instance_id: instance_id.clone(),
            fingerprint: fingerprint.clone(),
            policy: policy.clone(),
        });
    }
    for (n, v) in &s.attributes {
        b = b.attribute(n, v);
    }
    b.build().expect("the strategy makes valid licenses")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn sign_then_verify_round_trips(s in spec()) {
        let key = key();
        let trusted = TrustedKeys::from(key.verifying_key().clone());
        let license = build(&s);
        let xml = license.sign(&key).unwrap();
        prop_assert_eq!(&xml, &license.sign(&key).unwrap());
        let verified = License::from_signed_xml(&xml, &trusted).unwrap();
        prop_assert_eq!(verified.license(), &license);
        prop_assert_eq!(verified.key_id(), key.key_id());
        // What we read back signs to the very same bytes.
        prop_assert_eq!(verified.license().sign(&key).unwrap(), xml);
    }
}

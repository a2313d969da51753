//! Bundle tests: round trips, determinism, the bad-input corpus (one error
//! kind per case) and tampering.

use std::collections::BTreeSet;

use ciborium::value::Value;
use coset::{CoseSign1Builder, Header, HeaderBuilder, TaggedCborSerializable};
use proptest::prelude::*;
use time::macros::datetime;
use time::Duration;

use super::*;
use crate::crypto::test_keys::{signing_2048, signing_3072, signing_p256};
use crate::{instance::NetworkInterface, keys::KeyStatus, Feature, HardwareProfile, LicenseKey};

const NOW: OffsetDateTime = datetime!(2026-11-23 08:00 UTC);

pub(crate) fn profile(machine: &str) -> HardwareProfile {
    HardwareProfile {
        machine_id: Some(format!("{machine:0>32}")),
        product_uuid: Some(format!("4c4c4544-0042-3510-8052-{machine:0>12}")),
        board_serial: Some(format!("BOARD-{machine}")),
        cpu_model: Some("AMD EPYC 7543 32-Core Processor".into()),
        physical_cores: Some(32),
        logical_cores: Some(64),
        interfaces: vec![NetworkInterface {
            name: "eno1".into(),
            mac: Some(format!("b0:83:fe:11:22:{:0>2}", &machine[machine.len().saturating_sub(2)..])),
            physical: true,
        }],
        ..HardwareProfile::default()
    }
}

fn key(kind: KeyKind, serial: u64) -> LicenseKey {
    LicenseKey::new(kind, "CRT".parse().unwrap(), serial).unwrap()
}

pub(crate) fn sample_bundle() -> KeyBundle {
    let m = key(KeyKind::Master, 1);
    let master = KeyRecord::builder(m, NOW)
        .status(KeyStatus::Active)
        .feature("api", Feature::enabled().with_quantity(10))
        .instance("srv-1")
        .build()
        .unwrap();
    let addon = |serial: u64, status: KeyStatus| {
        KeyRecord::builder(key(KeyKind::Addon, serial), NOW)
            .parent(m)
            .status(status)
            .feature("api", Feature::enabled().with_quantity(5))
            .feature("sso", Feature::enabled())
            .build()
            .unwrap()
    };
    KeyBundle::builder("srv-1", &Fingerprint::from_profile(&profile("42")), NOW, master)
        .expires_at(NOW + Duration::days(365))
        .addon(addon(7, KeyStatus::Active))
        .addon(addon(3, KeyStatus::Suspended))
        .build()
        .unwrap()
}

pub(crate) fn trusted() -> TrustedKeys {
    TrustedKeys::from(signing_2048().verifying_key().clone())
}

pub(crate) fn bin(alg: BundleAlgorithm) -> Vec<u8> {
    sample_bundle().to_bin(&signing_2048(), alg).unwrap()
}

/// Signs `payload` under a hand-made protected header.
pub(crate) fn sign_with(protected: Header, payload: Vec<u8>) -> Vec<u8> {
    let key = signing_2048();
    CoseSign1Builder::new()
        .protected(protected)
        .payload(payload)
        .create_signature(b"", |tbs| key.sign_pkcs1v15_sha256(tbs).unwrap())
        .build()
        .to_tagged_vec()
        .unwrap()
}

pub(crate) fn good_header() -> HeaderBuilder {
    HeaderBuilder::new()
        .algorithm(iana::Algorithm::RS256)
        .content_type(BUNDLE_CONTENT_TYPE.to_owned())
        .key_id(signing_2048().key_id().as_bytes().to_vec())
}

/// The payload's serde form as a CBOR value, to edit.
fn payload_value() -> Value {
    cbor::read_value(&sample_bundle().payload().unwrap(), "t").unwrap()
}

fn edit_map(value: &mut Value, key: &str, f: impl FnOnce(&mut Value)) {
    let Value::Map(entries) = value else { panic!("not a map") };
    let (_, v) = entries.iter_mut().find(|(k, _)| k.as_text() == Some(key)).expect("key present");
    f(v);
}

fn kind_of(bytes: &[u8]) -> ErrorKind {
    KeyBundle::from_bin(bytes, &trusted()).unwrap_err().kind()
}

/// `bin` with its signature replaced by `signature`.
fn with_signature(bin: &[u8], signature: Vec<u8>) -> Vec<u8> {
    let mut sign1 = CoseSign1::from_tagged_slice(bin).unwrap();
    sign1.signature = signature;
    sign1.to_tagged_vec().unwrap()
}

#[test]
fn es256_round_trips_with_a_p256_key_raw_r_s() {
    let ec = signing_p256();
    let bytes = sample_bundle().to_bin(&ec, BundleAlgorithm::Es256).unwrap();
    let sign1 = CoseSign1::from_tagged_slice(&bytes).unwrap();
    assert_eq!(sign1.signature.len(), 64, "raw r||s");
    assert_eq!(sign1.protected.header.alg, Some(coset::Algorithm::Assigned(iana::Algorithm::ES256)));
    let both: TrustedKeys =
        [signing_2048().verifying_key().clone(), ec.verifying_key().clone()].into_iter().collect();
    let signed = KeyBundle::verify(&bytes, &both).unwrap();
    assert_eq!(signed.bundle, sample_bundle());
    assert_eq!(signed.algorithm, BundleAlgorithm::Es256);
    assert_eq!(signed.key_id, Some(ec.key_id()));
    assert_eq!(BundleAlgorithm::default_for(&ec), BundleAlgorithm::Es256);
    assert_eq!(BundleAlgorithm::default_for(&signing_2048()), BundleAlgorithm::Rs256);
    assert_eq!("es256".parse::<BundleAlgorithm>().unwrap(), BundleAlgorithm::Es256);
    // Without a kid, the trusted P-256 key is found among the others.
    let mut no_kid = sign1.clone();
    no_kid.protected = coset::ProtectedHeader {
        original_data: None,
        header: HeaderBuilder::new()
            .algorithm(iana::Algorithm::ES256)
            .content_type(BUNDLE_CONTENT_TYPE.to_owned())
            .build(),
    };
    let tbs = no_kid.tbs_data(b"");
    no_kid.signature = ec.sign_ecdsa_p256_sha256(&tbs).unwrap();
    KeyBundle::from_bin(&no_kid.to_tagged_vec().unwrap(), &both).unwrap();
}

#[test]
fn es256_refusals_each_have_their_kind() {
    let ec = signing_p256();
    let rsa = signing_2048();
    let both: TrustedKeys = [rsa.verifying_key().clone(), ec.verifying_key().clone()].into_iter().collect();
    let good = sample_bundle().to_bin(&ec, BundleAlgorithm::Es256).unwrap();
    let sig = CoseSign1::from_tagged_slice(&good).unwrap().signature;
    let order = crate::crypto::test_keys::P256_ORDER;
    let mut flipped = sig.clone();
    flipped[40] ^= 1;
    let es256_rsa_kid = HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .content_type(BUNDLE_CONTENT_TYPE.to_owned())
        .key_id(rsa.key_id().as_bytes().to_vec())
        .build();
    let ps256_ec_kid = HeaderBuilder::new()
        .algorithm(iana::Algorithm::PS256)
        .content_type(BUNDLE_CONTENT_TYPE.to_owned())
        .key_id(ec.key_id().as_bytes().to_vec())
        .build();
    let ec_signed_ps256 = CoseSign1Builder::new()
        .protected(ps256_ec_kid)
        .payload(sample_bundle().payload().unwrap())
        .create_signature(b"", |tbs| ec.sign_ecdsa_p256_sha256(tbs).unwrap())
        .build()
        .to_tagged_vec()
        .unwrap();
    let cases: Vec<(&str, Vec<u8>, ErrorKind)> = vec![
        ("63-byte signature", with_signature(&good, sig[..63].to_vec()), ErrorKind::SignatureLength),
        ("65-byte signature", with_signature(&good, [&sig[..], &[1]].concat()), ErrorKind::SignatureLength),
        ("r = 0", with_signature(&good, [&[0; 32][..], &sig[32..]].concat()), ErrorKind::SignatureScalarZero),
        ("s = n", with_signature(&good, [&sig[..32], &order[..]].concat()), ErrorKind::SignatureScalarRange),
        ("flipped bit", with_signature(&good, flipped), ErrorKind::SignatureMismatch),
        (
            "ES256 naming an RSA key",
            sign_with(es256_rsa_kid, sample_bundle().payload().unwrap()),
            ErrorKind::KeyAlgorithmMismatch,
        ),
        ("PS256 naming a P-256 key", ec_signed_ps256, ErrorKind::KeyAlgorithmMismatch),
    ];
    for (name, bytes, kind) in cases {
        assert_eq!(KeyBundle::from_bin(&bytes, &both).unwrap_err().kind(), kind, "{name}");
    }
    // Each key signs its own kind only.
    for alg in [BundleAlgorithm::Ps256, BundleAlgorithm::Rs256] {
        let err = sample_bundle().to_bin(&ec, alg).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedAlgorithm, "{alg}");
    }
    let err = sample_bundle().to_bin(&rsa, BundleAlgorithm::Es256).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedAlgorithm);
}

#[test]
fn round_trips_with_both_algorithms() {
    for alg in [BundleAlgorithm::Ps256, BundleAlgorithm::Rs256] {
        let bytes = bin(alg);
        let signed = KeyBundle::verify(&bytes, &trusted()).unwrap();
        assert_eq!(signed.bundle, sample_bundle());
        assert_eq!(signed.algorithm, alg);
        assert_eq!(signed.key_id, Some(signing_2048().key_id()));
        assert!(bytes.starts_with(&[0xD2, 0x84]), "tag 18, array of 4");
    }
    let json = sample_bundle().to_json();
    assert_eq!(KeyBundle::from_json(&json).unwrap(), sample_bundle());
}

#[test]
fn rs256_output_is_deterministic_and_independent_of_addon_order() {
    assert_eq!(bin(BundleAlgorithm::Rs256), bin(BundleAlgorithm::Rs256));
    let b = sample_bundle();
    let mut reordered = KeyBundle::builder(b.instance_id(), b.fingerprint(), NOW, b.master().clone())
        .expires_at(NOW + Duration::days(365));
    for a in b.addons().iter().rev() {
        reordered = reordered.addon(a.clone());
    }
    assert_eq!(reordered.build().unwrap().payload().unwrap(), b.payload().unwrap());
}

#[test]
fn template_is_valid_input() {
    let json = KeyBundle::template(NOW).unwrap();
    let bundle = KeyBundle::from_json(&json).unwrap();
    assert_eq!(bundle.addons().len(), 1);
    assert_eq!(bundle.to_json(), json);
}

#[test]
fn a_key_rotation_keeps_old_bundles_verifying() {
    let old = bin(BundleAlgorithm::Rs256);
    let new = sample_bundle().to_bin(&signing_3072(), BundleAlgorithm::Ps256).unwrap();
    let both: TrustedKeys = [signing_2048().verifying_key().clone(), signing_3072().verifying_key().clone()]
        .into_iter()
        .collect();
    assert!(KeyBundle::from_bin(&old, &both).is_ok());
    assert!(KeyBundle::from_bin(&new, &both).is_ok());
    assert_eq!(kind_of(&new), ErrorKind::UnknownKeyId);
    assert_eq!(KeyBundle::from_bin(&old, &TrustedKeys::new()).unwrap_err().kind(), ErrorKind::NoTrustedKeys);
}

/// One case per kind of bad input; each must fail with its own kind.
#[test]
fn bad_input_gets_a_distinct_error_kind_per_case() {
    let good = bin(BundleAlgorithm::Rs256);
    let mut cases: Vec<(&str, Vec<u8>, ErrorKind)> = Vec::new();

    let mut big = good.clone();
    big.resize(MAX_BUNDLE_BYTES + 1, 0);
    cases.push(("oversized", big, ErrorKind::InputTooLarge));
    cases.push(("truncated", good[..good.len() - 7].to_vec(), ErrorKind::Truncated));
    let mut trailing = good.clone();
    trailing.push(0x00);
    cases.push(("trailing bytes", trailing, ErrorKind::TrailingBytes));

    // Wrong CBOR type in the envelope: the payload is an integer.
    let envelope = Value::Tag(
        18,
        Box::new(Value::Array(vec![
            Value::Bytes(vec![0xA1, 0x01, 0x39, 0x01, 0x00]),
            Value::Map(vec![]),
            Value::Integer(7.into()),
            Value::Bytes(vec![0; 256]),
        ])),
    );
    cases.push(("wrong CBOR type", cbor::encode(&envelope, "t").unwrap(), ErrorKind::BundleFormat));

    let crit = good_header()
        .add_critical_label(coset::RegisteredLabelWithPrivate::PrivateUse(-70_000))
        .value(-70_000, Value::Bool(true))
        .build();
    cases.push((
        "unknown critical header",
        sign_with(crit, sample_bundle().payload().unwrap()),
        ErrorKind::UnknownCriticalHeader,
    ));

    let es384 = HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES384)
        .content_type(BUNDLE_CONTENT_TYPE.to_owned())
        .build();
    cases.push((
        "algorithm not allowed",
        sign_with(es384, sample_bundle().payload().unwrap()),
        ErrorKind::UnsupportedAlgorithm,
    ));
    // ES256 is allowed, but only RSA keys are trusted.
    let es256 = HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .content_type(BUNDLE_CONTENT_TYPE.to_owned())
        .build();
    cases.push((
        "ES256 with only RSA keys trusted",
        sign_with(es256, sample_bundle().payload().unwrap()),
        ErrorKind::KeyAlgorithmMismatch,
    ));

    // A duplicate key in the signed payload.
    let mut v = payload_value();
    if let Value::Map(entries) = &mut v {
        let first = entries[0].clone();
        entries.push(first);
    }
    cases.push((
        "duplicate map key",
        sign_with(good_header().build(), cbor::encode(&v, "t").unwrap()),
        ErrorKind::DuplicateMapKey,
    ));

    // An add-on whose master is another key than the bundle's master.
    let mut v = payload_value();
    edit_map(&mut v, "addons", |addons| {
        let Value::Array(items) = addons else { panic!() };
        edit_map(&mut items[0], "parent", |p| *p = Value::Text(key(KeyKind::Master, 99).to_string()));
    });
    cases.push((
        "add-on without its master",
        sign_with(good_header().build(), cbor::encode(&v, "t").unwrap()),
        ErrorKind::ParentKeyMissing,
    ));

    let mut kinds = BTreeSet::new();
    for (name, bytes, expected) in &cases {
        let err = KeyBundle::from_bin(bytes, &trusted()).unwrap_err();
        assert_eq!(err.kind(), *expected, "{name}: {err}");
        assert!(!err.detail().is_empty(), "{name}");
        assert!(kinds.insert(*expected), "{name} shares its kind");
    }
    // Wrong CBOR type in the signed payload too (instance_id a number).
    let mut v = payload_value();
    edit_map(&mut v, "instance_id", |x| *x = Value::Integer(5.into()));
    let signed = sign_with(good_header().build(), cbor::encode(&v, "t").unwrap());
    assert_eq!(kind_of(&signed), ErrorKind::BundleFormat);
    // The last case of the issue, a bundle for another machine, is refused
    // at activation (FingerprintMismatch), tested in `activation`.
}

#[test]
fn more_bad_envelopes() {
    let payload = sample_bundle().payload().unwrap();
    // A duplicate label in the protected header.
    let kid = signing_2048().key_id().as_bytes().to_vec();
    let protected = Value::Map(vec![
        (Value::Integer(1.into()), Value::Integer((-257).into())),
        (Value::Integer(1.into()), Value::Integer((-257).into())),
        (Value::Integer(4.into()), Value::Bytes(kid.clone())),
    ]);
    let envelope = |protected: Vec<u8>, unprotected: Value| {
        let v = Value::Tag(
            18,
            Box::new(Value::Array(vec![
                Value::Bytes(protected),
                unprotected,
                Value::Bytes(payload.clone()),
                Value::Bytes(vec![0; 256]),
            ])),
        );
        cbor::encode(&v, "t").unwrap()
    };
    assert_eq!(
        kind_of(&envelope(cbor::encode(&protected, "t").unwrap(), Value::Map(vec![]))),
        ErrorKind::DuplicateMapKey
    );
    // Untagged, and another tag.
    let good = bin(BundleAlgorithm::Rs256);
    assert_eq!(kind_of(&good[1..]), ErrorKind::BundleFormat);
    let mut other_tag = good.clone();
    other_tag[0] = 0xD1; // tag 17, COSE_Mac0
    assert_eq!(kind_of(&other_tag), ErrorKind::BundleFormat);
    // No alg at all.
    let no_alg = HeaderBuilder::new().content_type(BUNDLE_CONTENT_TYPE.to_owned()).build();
    assert_eq!(kind_of(&sign_with(no_alg, payload.clone())), ErrorKind::UnsupportedAlgorithm);
    // Another content type: not a bundle.
    let other = good_header().content_type("application/cwt".to_owned()).build();
    assert_eq!(kind_of(&sign_with(other, payload.clone())), ErrorKind::WrongDocumentType);
    // A kid that is not a key id, and one that is not trusted.
    let short = good_header().key_id(vec![1, 2, 3]).build();
    assert_eq!(kind_of(&sign_with(short, payload.clone())), ErrorKind::UnknownKeyId);
    let unknown = good_header().key_id(vec![7; 32]).build();
    assert_eq!(kind_of(&sign_with(unknown, payload.clone())), ErrorKind::UnknownKeyId);
    // Parameters other than kid in the unprotected header.
    let protected_ok = cbor::encode(
        &Value::Map(vec![
            (Value::Integer(1.into()), Value::Integer((-257).into())),
            (Value::Integer(3.into()), Value::Text(BUNDLE_CONTENT_TYPE.into())),
        ]),
        "t",
    )
    .unwrap();
    let unprotected = Value::Map(vec![(Value::Integer(1.into()), Value::Integer((-37).into()))]);
    assert_eq!(kind_of(&envelope(protected_ok.clone(), unprotected)), ErrorKind::BundleFormat);
    // No kid: tried against every trusted key; a wrong signature fails.
    assert_eq!(kind_of(&envelope(protected_ok, Value::Map(vec![]))), ErrorKind::SignatureMismatch);
    let no_kid = HeaderBuilder::new()
        .algorithm(iana::Algorithm::RS256)
        .content_type(BUNDLE_CONTENT_TYPE.to_owned())
        .build();
    assert_eq!(
        KeyBundle::from_bin(&sign_with(no_kid, payload.clone()), &trusted()).unwrap(),
        sample_bundle()
    );
    // Deep nesting, empty input, an unsupported payload version.
    assert_eq!(kind_of(&[0x81; 600]), ErrorKind::NestingTooDeep);
    assert_eq!(kind_of(&[]), ErrorKind::Truncated);
    let mut v = payload_value();
    edit_map(&mut v, "version", |x| *x = Value::Integer(2.into()));
    assert_eq!(
        kind_of(&sign_with(good_header().build(), cbor::encode(&v, "t").unwrap())),
        ErrorKind::UnsupportedVersion
    );
    // Trailing bytes inside the signed payload.
    let mut p = payload.clone();
    p.push(0);
    assert_eq!(kind_of(&sign_with(good_header().build(), p)), ErrorKind::TrailingBytes);
}

#[test]
fn builder_rules() {
    let b = sample_bundle();
    let m = b.master().clone();
    let fp = b.fingerprint().clone();
    let base = || KeyBundle::builder("srv-1", &fp, NOW, m.clone());
    let addon = b.addons()[0].clone();
    // The same add-on twice collapses; a different record for it is refused.
    assert_eq!(base().addon(addon.clone()).addon(addon.clone()).build().unwrap().addons().len(), 1);
    let changed = addon.to_builder().status(KeyStatus::Revoked).build().unwrap();
    assert_eq!(
        base().addon(addon.clone()).addon(changed).build().unwrap_err().kind(),
        ErrorKind::DuplicateKey
    );
    // The master among the add-ons, an add-on as master.
    assert_eq!(base().addon(m.clone()).build().unwrap_err().kind(), ErrorKind::DuplicateKey);
    let err = KeyBundle::builder("srv-1", &fp, NOW, addon.clone()).build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotAMasterKey);
    // A record assigned elsewhere; expiry before issue.
    let elsewhere = addon.to_builder().instance("srv-2").build().unwrap();
    assert_eq!(base().addon(elsewhere).build().unwrap_err().kind(), ErrorKind::WrongInstance);
    assert_eq!(base().expires_at(NOW).build().unwrap_err().kind(), ErrorKind::ExpiryNotAfterIssue);
    let json = b.to_json().replace("\"fingerprint\": \"fp1", "\"fingerprint\": \"xx1");
    assert_eq!(KeyBundle::from_json(&json).unwrap_err().kind(), ErrorKind::InvalidFingerprint);
    assert_eq!(KeyBundle::from_json("{").unwrap_err().kind(), ErrorKind::InvalidJson);
}

/// Every single-byte change of a signed bundle is refused: each bit flipped
/// alone, and the whole byte inverted, at every position.
#[test]
fn every_single_byte_flip_is_rejected() {
    for alg in [BundleAlgorithm::Rs256, BundleAlgorithm::Ps256] {
        let good = bin(alg);
        let trusted = trusted();
        assert!(KeyBundle::from_bin(&good, &trusted).is_ok());
        let mut tried = 0;
        for pos in 0..good.len() {
            for mask in [1u8, 2, 4, 8, 16, 32, 64, 128, 0xFF] {
                let mut bad = good.clone();
                bad[pos] ^= mask;
                assert!(
                    KeyBundle::from_bin(&bad, &trusted).is_err(),
                    "{alg}: byte {pos} ^ {mask:#04x} accepted"
                );
                tried += 1;
            }
        }
        assert_eq!(tried, good.len() * 9);
    }
}

#[test]
fn inspect_unverified_reads_without_keys_and_says_so() {
    let signed = KeyBundle::inspect_unverified(&bin(BundleAlgorithm::Ps256)).unwrap();
    assert!(!signed.verified);
    assert_eq!(signed.bundle, sample_bundle());
    assert!(signed.bundle.to_table().contains("srv-1"));
}

/// serial, status, features (name, enabled, quantity, expiry in days),
/// expiry in days.
type RecordSpec = (u64, KeyStatus, Vec<(&'static str, bool, Option<u64>, Option<i64>)>, Option<i64>);

fn any_bundle() -> impl Strategy<Value = KeyBundle> {
    let statuses = prop::sample::select(vec![
        KeyStatus::Pending,
        KeyStatus::Active,
        KeyStatus::Suspended,
        KeyStatus::Revoked,
        KeyStatus::Expired,
    ]);
    let feature = (
        prop::sample::select(vec!["api", "sso", "audit", "reports", "ha.cluster"]),
        any::<bool>(),
        prop::option::of(any::<u64>()),
        prop::option::of(0i64..4000),
    );
    let record =
        (1u64..1 << 45, statuses, prop::collection::vec(feature, 0..4), prop::option::of(1i64..4000));
    (
        "[a-zA-Z0-9._-]{1,24}",
        prop::collection::vec(record, 1..5),
        prop::option::of(1i64..4000),
        prop::sample::select(vec!["1", "42", "abcdef"]),
    )
        .prop_map(|(instance, records, expiry, machine)| {
            let make =
                |(serial, status, features, exp): &RecordSpec, kind: KeyKind, parent: Option<LicenseKey>| {
                    let mut b = KeyRecord::builder(key(kind, *serial), NOW).status(*status);
                    if let Some(p) = parent {
                        b = b.parent(p);
                    }
                    if let Some(d) = exp {
                        b = b.expires_at(NOW + Duration::days(*d));
                    }
                    let mut names = BTreeSet::new();
                    for (name, enabled, q, d) in features {
                        if !names.insert(*name) {
                            continue;
                        }
                        let mut f = if *enabled { Feature::enabled() } else { Feature::disabled() };
                        if let Some(q) = q {
                            f = f.with_quantity(*q);
                        }
                        if let Some(d) = d {
                            f = f.with_expiry(NOW + Duration::days(*d));
                        }
                        b = b.feature(name, f);
                    }
                    b.build().unwrap()
                };
            let master = make(&records[0], KeyKind::Master, None);
            let mut builder = KeyBundle::builder(
                instance,
                &Fingerprint::from_profile(&profile(machine)),
                NOW,
                master.clone(),
            );
            if let Some(d) = expiry {
                builder = builder.expires_at(NOW + Duration::days(d));
            }
            for r in &records[1..] {
                builder = builder.addon(make(r, KeyKind::Addon, Some(master.key())));
            }
            builder.build().unwrap()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn encode_decode_round_trip(bundle in any_bundle()) {
        let key = signing_2048();
        let trusted = TrustedKeys::from(key.verifying_key().clone());
        let bytes = bundle.to_bin(&key, BundleAlgorithm::Rs256).unwrap();
        prop_assert_eq!(&KeyBundle::from_bin(&bytes, &trusted).unwrap(), &bundle);
        prop_assert_eq!(&KeyBundle::from_json(&bundle.to_json()).unwrap(), &bundle);
        // Re-encoding what was read gives the same bytes.
        let again = KeyBundle::from_bin(&bytes, &trusted).unwrap();
        prop_assert_eq!(again.to_bin(&key, BundleAlgorithm::Rs256).unwrap(), bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = KeyBundle::from_bin(&bytes, &trusted());
        let _ = KeyBundle::inspect_unverified(&bytes);
    }
}

//! Account tests: each refusal's kind, the file's atomic update, and
//! random operation sequences that must keep every rule.

use proptest::prelude::*;
use time::macros::datetime;
use time::Duration;

use super::*;
use crate::crypto::test_keys::signing_2048;
use crate::{HardwareProfile, TrustedKeys};

const T0: OffsetDateTime = datetime!(2026-11-23 08:00 UTC);

fn instance(id: &str, machine: u32) -> Instance {
    let profile = HardwareProfile {
        machine_id: Some(format!("{machine:032x}")),
        product_uuid: Some(format!("4c4c4544-0042-3510-8052-{machine:012x}")),
        board_serial: Some(format!("BOARD{machine}")),
        ..HardwareProfile::default()
    };
    Instance::new(
        id,
        format!("Server {id}"),
        Location::new("Slough", Some("GB"), None).unwrap(),
        "4.2.0".parse().unwrap(),
        profile,
        T0,
    )
    .unwrap()
}

fn master(serial: u64) -> LicenseKey {
    LicenseKey::new(KeyKind::Master, "CRT".parse().unwrap(), serial).unwrap()
}

fn addon(serial: u64) -> LicenseKey {
    LicenseKey::new(KeyKind::Addon, "CRT".parse().unwrap(), serial).unwrap()
}

/// Three instances, masters 1..=3, add-ons 11..=15 (parents 1, 1, 2, 2, 3),
/// nothing assigned.
fn account() -> Account {
    let mut a = Account::new("Example Ltd", T0).unwrap();
    for (i, id) in ["srv-a", "srv-b", "srv-c"].iter().enumerate() {
        a.add_instance(instance(id, i as u32 + 1), T0).unwrap();
    }
    for m in 1..=3 {
        let r = KeyRecord::builder(master(m), T0)
            .status(KeyStatus::Active)
            .feature("api", crate::Feature::enabled().with_quantity(10))
            .build()
            .unwrap();
        a.add_key(r, T0).unwrap();
    }
    for (s, p) in [(11, 1), (12, 1), (13, 2), (14, 2), (15, 3)] {
        let r = KeyRecord::builder(addon(s), T0).parent(master(p)).status(KeyStatus::Active).build().unwrap();
        a.add_key(r, T0).unwrap();
    }
    a
}

/// One mutation of an account, for tables of cases.
type AccountOp<'a> = dyn Fn(&mut Account) -> Result<()> + 'a;

#[test]
fn each_refusal_has_its_kind_and_changes_nothing() {
    let mut a = account();
    a.assign(master(1), "srv-a", T0).unwrap();
    a.assign(addon(11), "srv-a", T0).unwrap();
    let t = T0 + Duration::HOUR;
    let cases: Vec<(&str, Box<AccountOp<'_>>, ErrorKind)> = vec![
        ("unknown instance", Box::new(|a| a.assign(master(2), "nope", t)), ErrorKind::UnknownInstance),
        ("unknown key", Box::new(|a| a.assign(master(9), "srv-b", t)), ErrorKind::UnknownKey),
        (
            "assigned elsewhere",
            Box::new(|a| a.assign(master(1), "srv-b", t)),
            ErrorKind::KeyAssignedElsewhere,
        ),
        ("second master", Box::new(|a| a.assign(master(2), "srv-a", t)), ErrorKind::InstanceHasMaster),
        (
            "add-on without master",
            Box::new(|a| a.assign(addon(13), "srv-a", t)),
            ErrorKind::AddonWithoutMaster,
        ),
        ("master leaving its add-ons", Box::new(|a| a.unassign(master(1), t)), ErrorKind::AddonWithoutMaster),
        (
            "out of order",
            Box::new(|a| a.set_status(master(1), KeyStatus::Revoked, T0 - Duration::SECOND)),
            ErrorKind::UpdateOutOfOrder,
        ),
        (
            "duplicate key",
            Box::new(|a| a.add_key(KeyRecord::builder(master(1), t).build()?, t)),
            ErrorKind::DuplicateKey,
        ),
        (
            "add-on of an unknown master",
            Box::new(|a| a.add_key(KeyRecord::builder(addon(20), t).parent(master(7)).build()?, t)),
            ErrorKind::ParentKeyMissing,
        ),
        (
            "duplicate instance",
            Box::new(|a| a.add_instance(instance("srv-a", 9), t)),
            ErrorKind::DuplicateInstance,
        ),
        (
            "no master to bundle",
            Box::new(|a| a.bundle("srv-b", None, None, t).map(drop)),
            ErrorKind::NoMasterKey,
        ),
        ("bad name", Box::new(|a| a.rename("srv-a", "", t)), ErrorKind::InvalidInstance),
    ];
    let mut kinds = std::collections::BTreeSet::new();
    for (name, op, kind) in cases {
        let before = a.clone();
        let err = op(&mut a).unwrap_err();
        assert_eq!(err.kind(), kind, "{name}: {err}");
        assert_eq!(a, before, "{name} changed the account");
        assert!(kinds.insert(kind) || kind == ErrorKind::AddonWithoutMaster, "{name}");
    }
}

#[test]
fn listing_details_and_mutations() {
    let mut a = account();
    let t1 = T0 + Duration::DAY;
    a.assign(master(2), "srv-b", t1).unwrap();
    a.assign(addon(14), "srv-b", t1).unwrap();
    a.assign(addon(13), "srv-b", t1).unwrap();
    // Assigning where it already is: no change at all.
    let before = a.clone();
    a.assign(addon(13), "srv-b", t1 + Duration::DAY).unwrap();
    assert_eq!(a, before);
    let keys: Vec<_> = a.keys_of("srv-b", false).unwrap().iter().map(|r| r.key()).collect();
    assert_eq!(keys, [master(2)]);
    let keys: Vec<_> = a.keys_of("srv-b", true).unwrap().iter().map(|r| r.key()).collect();
    assert_eq!(keys, [master(2), addon(13), addon(14)]);
    let d = a.key(addon(14)).unwrap();
    assert_eq!(d.instance_name, Some("Server srv-b"));
    assert_eq!(d.record.updated_at(), t1);
    assert!(d.to_table().contains("instance name"));
    let t2 = t1 + Duration::DAY;
    a.rename("srv-b", "Backup", t2).unwrap();
    a.relocate("srv-b", Location::new("Frankfurt", Some("DE"), None).unwrap(), t2).unwrap();
    assert_eq!(a.instance("srv-b").unwrap().name(), "Backup");
    assert_eq!(a.last_updated(), t2);
    a.set_status(addon(14), KeyStatus::Suspended, t2).unwrap();
    assert_eq!(a.key(addon(14)).unwrap().record.updated_at(), t2);
    assert!(a.instances_table().contains("Backup"));
    assert!(Account::keys_table(a.keys()).contains("suspended"));
    // Unassign the add-ons, then the master may go.
    a.unassign(addon(13), t2).unwrap();
    a.unassign(addon(14), t2).unwrap();
    a.unassign(master(2), t2).unwrap();
    assert!(a.keys_of("srv-b", true).unwrap().is_empty());
}

#[test]
fn bundle_for_an_instance_verifies_and_holds_its_keys() {
    let mut a = account();
    a.assign(master(3), "srv-c", T0).unwrap();
    a.assign(addon(15), "srv-c", T0).unwrap();
    let key = signing_2048();
    let bin = a.bundle_for("srv-c", &key, BundleAlgorithm::Rs256, T0).unwrap();
    let bundle = KeyBundle::from_bin(&bin, &TrustedKeys::from(key.verifying_key().clone())).unwrap();
    assert_eq!(bundle.instance_id(), "srv-c");
    assert_eq!(bundle.master().key(), master(3));
    assert_eq!(bundle.addons().iter().map(KeyRecord::key).collect::<Vec<_>>(), [addon(15)]);
    assert_eq!(bundle.fingerprint(), a.instance("srv-c").unwrap().fingerprint());
}

#[test]
fn json_round_trip_and_refusals() {
    let mut a = account();
    a.assign(master(1), "srv-a", T0).unwrap();
    a.assign(addon(12), "srv-a", T0).unwrap();
    let json = a.to_json();
    let back = Account::from_json(&json).unwrap();
    assert_eq!(back, a);
    assert_eq!(back.to_json(), json, "deterministic");
    // An add-on on an instance without its master, written by hand.
    let broken = json.replacen("\"instance\": \"srv-a\"", "\"instance\": \"srv-b\"", 1);
    assert!(Account::from_json(&broken).is_err());
    let err = Account::from_json(&json.replace("\"version\": 1", "\"version\": 7")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedVersion);
    assert_eq!(Account::from_json("[]").unwrap_err().kind(), ErrorKind::InvalidJson);
}

#[test]
fn the_file_is_replaced_atomically_and_untouched_on_failure() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("account.json");
    account().save(&path).unwrap();
    let before = std::fs::read(&path).unwrap();
    let err = Account::update_file(&path, |a| a.assign(addon(13), "srv-a", T0)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AddonWithoutMaster);
    assert_eq!(std::fs::read(&path).unwrap(), before);
    Account::update_file(&path, |a| a.assign(master(1), "srv-a", T0)).unwrap();
    let after = std::fs::read(&path).unwrap();
    assert_ne!(after, before);
    assert_eq!(Account::load(&path).unwrap().master_of("srv-a").unwrap().key(), master(1));
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["account.json"]);
    // A file that is not an account is refused and left alone.
    std::fs::write(&path, b"{\"version\": 1}").unwrap();
    assert!(Account::update_file(&path, |a| a.unassign(master(1), T0)).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), b"{\"version\": 1}");
    let missing = dir.path().join("missing.json");
    assert_eq!(Account::load(&missing).unwrap_err().kind(), ErrorKind::Io);
}

#[derive(Debug, Clone)]
enum Op {
    Assign(usize, usize),
    Unassign(usize),
    Status(usize, KeyStatus),
    Rename(usize, String),
}

const INSTANCES: [&str; 4] = ["srv-a", "srv-b", "srv-c", "srv-x"]; // srv-x is unknown

fn pool(i: usize) -> LicenseKey {
    // 3 masters, 5 add-ons, 1 key that is not in the account.
    match i {
        0..=2 => master(i as u64 + 1),
        3..=7 => addon(i as u64 + 8),
        _ => addon(99),
    }
}

fn any_op() -> impl Strategy<Value = Op> {
    let status = prop::sample::select(vec![KeyStatus::Active, KeyStatus::Suspended, KeyStatus::Revoked]);
    prop_oneof![
        4 => (0usize..9, 0usize..4).prop_map(|(k, i)| Op::Assign(k, i)),
        2 => (0usize..9).prop_map(Op::Unassign),
        1 => (0usize..9, status).prop_map(|(k, s)| Op::Status(k, s)),
        1 => (0usize..4, "[A-Za-z ]{0,8}").prop_map(|(i, n)| Op::Rename(i, n)),
    ]
}

fn apply(a: &mut Account, op: &Op, at: OffsetDateTime) -> Result<()> {
    match op {
        Op::Assign(k, i) => a.assign(pool(*k), INSTANCES[*i], at),
        Op::Unassign(k) => a.unassign(pool(*k), at),
        Op::Status(k, s) => a.set_status(pool(*k), *s, at),
        Op::Rename(i, n) => a.rename(INSTANCES[*i], n, at),
    }
}

/// The rules, checked from the outside.
fn assert_rules(a: &Account) {
    a.check_invariants().unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for id in ["srv-a", "srv-b", "srv-c"] {
        let keys = a.keys_of(id, true).unwrap();
        assert!(keys.iter().filter(|r| r.kind() == KeyKind::Master).count() <= 1);
        for r in &keys {
            assert!(seen.insert(r.key()), "{} on two instances", r.key());
            if let Some(p) = r.parent() {
                assert_eq!(a.key(p).unwrap().record.instance(), Some(id), "add-on without its master");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn operation_sequences_keep_the_rules(ops in prop::collection::vec((any_op(), -2i64..6), 1..40)) {
        let mut a = account();
        let mut at = T0;
        for (op, step) in &ops {
            at += Duration::hours(*step);
            let before = a.clone();
            match apply(&mut a, op, at) {
                Ok(()) => prop_assert!(a.last_updated() >= before.last_updated()),
                Err(_) => prop_assert_eq!(&a, &before, "a failed {:?} changed the account", op),
            }
            assert_rules(&a);
        }
    }

    #[test]
    fn failed_file_updates_leave_the_bytes_alone(ops in prop::collection::vec((any_op(), -2i64..6), 1..12)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("account.json");
        account().save(&path).unwrap();
        let mut at = T0;
        let mut last = T0;
        for (op, step) in &ops {
            at += Duration::hours(*step);
            let before = std::fs::read(&path).unwrap();
            match Account::update_file(&path, |a| apply(a, op, at)) {
                Ok(()) => {
                    let now = Account::load(&path).unwrap();
                    prop_assert!(now.last_updated() >= last);
                    last = now.last_updated();
                    assert_rules(&now);
                }
                Err(_) => prop_assert_eq!(std::fs::read(&path).unwrap(), before),
            }
        }
    }
}

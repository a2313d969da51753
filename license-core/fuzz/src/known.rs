//! The fixed key and the documents it signed.
//!
//! Every signed seed in the corpus was signed by `vendor-2048` of
//! tests/vectors/keys, and that key signed nothing else the fuzzer can
//! see. So a mutated document that verifies must read as one of the
//! documents here; anything else is a signature bypass.

use std::sync::OnceLock;

use license_core::{
    actioned::{count_sets, Category, CategorySets},
    instance::Location,
    keys::{KeyKind, KeyRecord, KeyStatus},
    license::ActionedLimit,
    usage, Account, Feature, HardwareProfile, IdSet, Instance, KeyBundle, License, LicenseKey, SigningKey,
    TrustedKeys, UsageLog,
};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const KEY_PEM: &str = include_str!("../../../tests/vectors/keys/vendor-2048.key.pem");
const LICENSE_JSON: [&str; 2] = [
    include_str!("../../../tests/vectors/licenses/certmgr-2026.json"),
    include_str!("../../../tests/vectors/licenses/certmgr-2027.json"),
];
const BUNDLE_JSON: &str = include_str!("../../../tests/vectors/bundles/bundle.json");
const BUNDLE_RS256: &[u8] = include_bytes!("../../../tests/vectors/bundles/bundle-rs256.bin");
const BUNDLE_PS256: &[u8] = include_bytes!("../../../tests/vectors/bundles/bundle-pycose-ps256.bin");

/// The signing key of every signed seed.
pub fn key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::from_pkcs8_pem(KEY_PEM).expect("the test vector key loads"))
}

/// The trusted set holding only [`key`].
pub fn trusted() -> &'static TrustedKeys {
    static TRUSTED: OnceLock<TrustedKeys> = OnceLock::new();
    TRUSTED.get_or_init(|| TrustedKeys::from(key().verifying_key().clone()))
}

/// The licenses of tests/vectors/licenses, whose `.xml` are the signed
/// license seeds.
pub fn licenses() -> &'static [License] {
    static LICENSES: OnceLock<Vec<License>> = OnceLock::new();
    LICENSES.get_or_init(|| {
        LICENSE_JSON.iter().map(|j| License::from_json(j).expect("the vector license reads")).collect()
    })
}

/// The bundle of tests/vectors/bundles, which both `.bin` seeds carry.
pub fn bundles() -> &'static [KeyBundle] {
    static BUNDLES: OnceLock<Vec<KeyBundle>> = OnceLock::new();
    BUNDLES.get_or_init(|| vec![KeyBundle::from_json(BUNDLE_JSON).expect("the vector bundle reads")])
}

/// SHA-256 of each signed bundle seed (tests/vectors/bundles): since a
/// bundle has exactly one accepted encoding, the only `.bin` bytes that
/// verify are these.
pub fn signed_bundle_digests() -> &'static [[u8; 32]] {
    static DIGESTS: OnceLock<Vec<[u8; 32]>> = OnceLock::new();
    DIGESTS.get_or_init(|| {
        [BUNDLE_RS256, BUNDLE_PS256]
            .iter()
            .map(|b| KeyBundle::verify(b, trusted()).expect("the vector bundle verifies").sha256)
            .collect()
    })
}

/// The usage logs whose signed form seeds `usage_log`.
pub fn usage_logs() -> &'static [UsageLog] {
    static LOGS: OnceLock<Vec<UsageLog>> = OnceLock::new();
    LOGS.get_or_init(|| vec![usage_log(0), usage_log(3)])
}

/// The time every generated seed is made at.
pub const T0: OffsetDateTime = datetime!(2026-11-23 08:00 UTC);

/// `n` enrolled certificates counted at `at` against a limit of 100.
pub fn count(n: u32, at: OffsetDateTime) -> license_core::ActionedCount {
    let enrolled: IdSet = (0..n).collect();
    let sets = CategorySets::new(at).with(Category::Enrolled, &enrolled);
    count_sets(&sets, ActionedLimit::Counted(100))
}

/// A usage log of `entries` counts (names with markup characters and
/// non-ASCII text, so escaping is on the path).
pub fn usage_log(entries: u32) -> UsageLog {
    let license = &licenses()[0];
    let mut journal = usage::Journal::default();
    for day in 0..entries {
        journal.record(&count(50 + day * 40, T0 + Duration::days(i64::from(day))));
    }
    let instance = usage::Instance {
        id: "inst-1".into(),
        name: "Prod <EU> & \"main\"".into(),
        location: "Zürich".into(),
        software_version: "5.2.1".into(),
        fingerprint: "fp-v1:abc".into(),
    };
    let license = usage::License {
        id: license.id().to_owned(),
        product: license.product().to_owned(),
        licensee: license.licensee().name.clone(),
        expires_at: license.expires_at(),
        sha256: [7; 32],
        features: license.features().clone(),
    };
    let at = T0 + Duration::days(i64::from(entries));
    journal.log(at, instance, license, &count(60, at)).expect("the seed log builds")
}

/// An account with two instances, masters and an add-on, one assigned.
pub fn account() -> Account {
    let mut a = Account::new("Example Ltd", T0).expect("seed account");
    for (i, id) in ["srv-a", "srv-b"].iter().enumerate() {
        let machine = i + 1;
        let profile = HardwareProfile {
            machine_id: Some(format!("{machine:032x}")),
            product_uuid: Some(format!("4c4c4544-0042-3510-8052-{machine:012x}")),
            board_serial: Some(format!("BOARD{machine}")),
            ..HardwareProfile::default()
        };
        let location = Location::new("Slough", Some("GB"), None).expect("seed location");
        let version = "4.2.0".parse().expect("seed version");
        let instance = Instance::new(*id, format!("Server {id}"), location, version, profile, T0)
            .expect("seed instance");
        a.add_instance(instance, T0).expect("seed instance adds");
    }
    let product = "CRT".parse().expect("seed product");
    let master = |s| LicenseKey::new(KeyKind::Master, product, s).expect("seed key");
    for s in [1, 2] {
        let r = KeyRecord::builder(master(s), T0)
            .status(KeyStatus::Active)
            .feature("api", Feature::enabled().with_quantity(10))
            .build()
            .expect("seed record");
        a.add_key(r, T0).expect("seed key adds");
    }
    let addon = LicenseKey::new(KeyKind::Addon, product, 11).expect("seed key");
    let r = KeyRecord::builder(addon, T0).parent(master(1)).status(KeyStatus::Active).build().expect("seed");
    a.add_key(r, T0).expect("seed add-on adds");
    a.assign(master(1), "srv-a", T0).expect("seed assignment");
    a
}

/// A ledger that has read both seed usage logs' instance.
pub fn ledger() -> usage::Ledger {
    let mut ledger = usage::Ledger::default();
    let signed = usage_log(3).sign(key()).expect("seed log signs");
    let verified = UsageLog::from_signed_xml(&signed, trusted()).expect("seed log verifies");
    ledger.accept(&verified).expect("seed log accepted");
    ledger
}

//! The vendor's ledger binds each instance's chain to the installation key
//! that signed its first log (issue 14, section 3), and each of its
//! refusals is tested with its own kind (section 4).

mod common;

use common::{now, other_key, vendor_key};
use license_core::{
    actioned::{Category, CategorySets},
    license::{ActionedLimit, FeatureSet},
    usage,
    usage::VerifiedUsageLog,
    ErrorKind, IdSet, SigningKey, TrustedKeys, UsageLog,
};
use time::Duration;

fn instance(id: &str) -> usage::Instance {
    usage::Instance {
        id: id.into(),
        name: format!("server {id}"),
        location: "Zürich".into(),
        software_version: "5.2.1".into(),
        fingerprint: "fp-v1:abc".into(),
    }
}

fn license() -> usage::License {
    usage::License {
        id: "LIC-1".into(),
        product: "certmgr".into(),
        licensee: "Example Ltd".into(),
        expires_at: None,
        sha256: [7; 32],
        features: FeatureSet::new(),
    }
}

fn count(n: u32, day: i64) -> license_core::ActionedCount {
    let enrolled: IdSet = (0..n).collect();
    let sets = CategorySets::new(now() + Duration::days(day)).with(Category::Enrolled, &enrolled);
    license_core::actioned::count_sets(&sets, ActionedLimit::Counted(100))
}

/// An installation: its journal and the key it signs logs with.
struct Installation {
    id: &'static str,
    journal: usage::Journal,
    key: SigningKey,
}

impl Installation {
    fn new(id: &'static str, key: SigningKey) -> Installation {
        Installation { id, journal: usage::Journal::default(), key }
    }

    /// Records a count on `day` and sends a log of it, as verified by a
    /// vendor who trusts both installation keys.
    fn send(&mut self, day: i64) -> VerifiedUsageLog {
        self.journal.record(&count(10 + day as u32, day));
        let log = self
            .journal
            .log(now() + Duration::days(day), instance(self.id), license(), &count(10, day))
            .unwrap();
        let xml = log.sign(&self.key).unwrap();
        self.journal.mark_logged(&log).unwrap();
        UsageLog::from_signed_xml(&xml, &both_keys()).unwrap()
    }
}

fn both_keys() -> TrustedKeys {
    TrustedKeys::from_iter([vendor_key().verifying_key().clone(), other_key().verifying_key().clone()])
}

#[test]
fn a_log_signed_by_another_instances_key_does_not_continue_the_chain() {
    let mut a = Installation::new("inst-a", vendor_key());
    let mut ledger = usage::Ledger::default();
    ledger.accept(&a.send(1)).unwrap();

    // Installation B, with its own key, writes a log claiming to be A that
    // continues A's chain exactly (the chain is public in A's logs).
    let mut forged = Installation::new("inst-a", other_key());
    forged.journal = a.journal.clone();
    let log = forged.send(2);
    assert_eq!(log.log().instance.id, "inst-a");
    let before = ledger.clone();
    let err = ledger.accept(&log).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UsageLogWrongKey, "{err}");
    assert!(err.detail().contains(&other_key().key_id().to_string()), "{err}");
    assert_eq!(ledger, before, "a refused log changes nothing");

    // A's own next log still continues.
    ledger.accept(&a.send(3)).unwrap();
    assert_eq!(ledger.key_id("inst-a"), Some(vendor_key().key_id()));
}

#[test]
fn rekey_moves_an_instance_to_its_new_key_and_the_chain_goes_on() {
    let mut a = Installation::new("inst-a", vendor_key());
    let mut ledger = usage::Ledger::default();
    ledger.accept(&a.send(1)).unwrap();

    // The installation's key is replaced; its next log is refused until
    // the vendor rekeys the instance.
    a.key = other_key();
    let next = a.send(2);
    let before = ledger.clone();
    assert_eq!(ledger.accept(&next).unwrap_err().kind(), ErrorKind::UsageLogWrongKey);
    assert_eq!(ledger, before);
    assert_eq!(ledger.rekey("inst-a", other_key().key_id()).unwrap(), Some(vendor_key().key_id()));
    ledger.accept(&next).unwrap();
    assert_eq!(ledger.last_sequence("inst-a"), Some(2));
    // The old key is now the wrong one.
    a.key = vendor_key();
    assert_eq!(ledger.accept(&a.send(3)).unwrap_err().kind(), ErrorKind::UsageLogWrongKey);

    // An instance never read has no key to replace: its first log binds it.
    let err = ledger.rekey("inst-z", vendor_key().key_id()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownInstance);
    assert_eq!(ledger.key_id("inst-z"), None);
}

#[test]
fn the_binding_is_kept_in_the_ledger_json() {
    let mut a = Installation::new("inst-a", vendor_key());
    let mut ledger = usage::Ledger::default();
    ledger.accept(&a.send(1)).unwrap();
    let json = serde_json::to_string(&ledger).unwrap();
    assert!(json.contains(&format!("\"key_id\":\"{}\"", vendor_key().key_id())), "{json}");
    let mut reread: usage::Ledger = serde_json::from_str(&json).unwrap();
    assert_eq!(reread, ledger);
    let mut forged = Installation::new("inst-a", other_key());
    forged.journal = a.journal.clone();
    assert_eq!(reread.accept(&forged.send(2)).unwrap_err().kind(), ErrorKind::UsageLogWrongKey);

    // A ledger written before keys were bound reads, and its next log binds.
    let legacy = json.replace(&format!(",\"key_id\":\"{}\"", vendor_key().key_id()), "");
    assert_ne!(legacy, json);
    let mut legacy: usage::Ledger = serde_json::from_str(&legacy).unwrap();
    assert_eq!(legacy.key_id("inst-a"), None);
    legacy.accept(&a.send(2)).unwrap();
    assert_eq!(legacy.key_id("inst-a"), Some(vendor_key().key_id()));
    // A key id that is not one is refused on reading.
    let bad = json.replace(&vendor_key().key_id().to_string(), "not-a-key-id");
    assert!(serde_json::from_str::<usage::Ledger>(&bad).is_err());
    // So is a chain tip that is not a SHA-256 in hex, on reading rather
    // than when the instance's next log arrives.
    let tip = json.find("\"tip\":\"").unwrap() + "\"tip\":\"".len();
    let bad = format!("{}ZZ{}", &json[..tip], &json[tip + 2..]);
    let err = serde_json::from_str::<usage::Ledger>(&bad).unwrap_err().to_string();
    assert!(err.contains("ledger tip"), "{err}");
}

#[test]
fn each_ledger_refusal_has_its_kind_and_changes_nothing() {
    let mut a = Installation::new("inst-a", vendor_key());
    let mut ledger = usage::Ledger::default();
    let first = a.send(1);
    let second = a.send(2);
    let third = a.send(3);
    ledger.accept(&first).unwrap();

    // Skipping the second log: the third does not continue the chain.
    let before = ledger.clone();
    let err = ledger.accept(&third).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UsageLogChainBroken, "{err}");
    assert_eq!(ledger, before);

    ledger.accept(&second).unwrap();
    // The same log twice, and an older one: replays.
    for old in [&second, &first] {
        let err = ledger.accept(old).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UsageLogReplayed, "{err}");
    }
    // A log of a later date carrying no new entry is not a replay by date,
    // and with no entries it leaves the sequence where it was.
    let empty =
        a.journal.log(now() + Duration::days(10), instance("inst-a"), license(), &count(1, 10)).unwrap();
    let empty = UsageLog::from_signed_xml(&empty.sign(&a.key).unwrap(), &both_keys()).unwrap();
    // (a.journal already marked the third log's entry as sent, which the
    // ledger never accepted: the empty log starts after it.)
    assert_eq!(ledger.accept(&empty).unwrap_err().kind(), ErrorKind::UsageLogChainBroken);
    ledger.accept(&third).unwrap();
    ledger.accept(&empty).unwrap();
    assert_eq!(ledger.last_sequence("inst-a"), Some(3));
    // Same date as the last accepted, new entries: still a replay by date.
    a.journal.record(&count(5, 10));
    let same_date =
        a.journal.log(now() + Duration::days(10), instance("inst-a"), license(), &count(1, 10)).unwrap();
    let same_date = UsageLog::from_signed_xml(&same_date.sign(&a.key).unwrap(), &both_keys()).unwrap();
    assert_eq!(ledger.accept(&same_date).unwrap_err().kind(), ErrorKind::UsageLogReplayed);

    // The key is checked before anything else: a forged log that is also a
    // replay is reported as the wrong key.
    let mut forged = Installation::new("inst-a", other_key());
    forged.journal = usage::Journal::default();
    let forged = forged.send(1);
    assert_eq!(ledger.accept(&forged).unwrap_err().kind(), ErrorKind::UsageLogWrongKey);

    // The first log of an instance may start mid-chain (its journal dropped
    // entries, or an earlier ledger is lost), and binds its key.
    let mut b = Installation::new("inst-b", other_key());
    let _lost = b.send(1);
    let mut fresh = usage::Ledger::default();
    fresh.accept(&b.send(2)).unwrap();
    assert_eq!(fresh.last_sequence("inst-b"), Some(2));
    assert_eq!(fresh.key_id("inst-b"), Some(other_key().key_id()));
}

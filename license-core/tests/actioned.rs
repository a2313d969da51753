//! The actioned count against a brute-force reference: plain `HashSet`s and
//! the rule read straight from the design table, at instants around every
//! revocation and expiry boundary.

use std::collections::{BTreeSet, HashMap, HashSet};

use license_core::{
    actioned::{count_sets, Category, CategorySets, Event},
    license::ActionedLimit,
    CertificateRecord, CountConfig, ErrorKind, IdSet, Inventory,
};
use proptest::prelude::*;
use time::{Duration, OffsetDateTime};

const WEEK: i64 = 7 * 86_400;
const STORES: [&str; 3] = ["s1", "s2", "s3"];
const FIELDS: [&str; 3] = ["Owner", "Notes", "Team"];
const COLLECTIONS: [&str; 3] = ["c1", "c2", "c3"];
const BASE: i64 = 1_790_000_000; // 2026-09-21

fn ts(secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(secs).unwrap()
}

/// The design table, applied to one record at `t`: the categories that
/// make it actioned.
fn reference_categories(r: &CertificateRecord, t: i64, config: &CountConfig) -> Vec<Category> {
    let revoked_at = r.revoked_at.map(|x| x.unix_timestamp());
    let expired = r.expires_at.is_some_and(|x| x.unix_timestamp() <= t);
    let revoked = revoked_at.is_some_and(|x| x <= t);
    let recent = revoked_at.is_some_and(|x| t - WEEK < x && x <= t);
    let live = !revoked && !expired;
    let mut out = Vec::new();
    let mut add = |c, on: bool| {
        if on {
            out.push(c)
        }
    };
    add(Category::Enrolled, r.enrolled && live);
    add(Category::RevokedRecently, recent && !expired);
    add(Category::Metadata, r.metadata.iter().any(|f| !config.excluded_metadata.contains(f)) && live);
    add(Category::SslEndpoint, r.ssl_endpoints > 0 && live);
    add(Category::CertStore, !r.stores.is_empty() && live);
    add(Category::PrivateKey, r.private_key && live);
    add(Category::Collection, r.collections.iter().any(|c| config.counts_collection(c)) && live);
    out
}

/// (total, per-category) by brute force over `HashSet`s of ids.
fn reference_count(records: &[CertificateRecord], t: i64, config: &CountConfig) -> (u64, [u64; 7]) {
    let mut sets: Vec<HashSet<u32>> = vec![HashSet::new(); 7];
    for r in records {
        for c in reference_categories(r, t, config) {
            sets[c.index()].insert(r.id);
        }
    }
    let union: HashSet<u32> = sets.iter().flatten().copied().collect();
    let mut per = [0u64; 7];
    for (p, s) in per.iter_mut().zip(&sets) {
        *p = s.len() as u64;
    }
    (union.len() as u64, per)
}

fn name_subset(pool: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
    proptest::sample::subsequence(pool.to_vec(), 0..=pool.len())
        .prop_map(|v| v.into_iter().map(str::to_owned).collect())
}

fn instant() -> impl Strategy<Value = i64> {
    // Few distinct instants so boundaries coincide; spread over weeks.
    (0i64..6, -2i64..3).prop_map(|(w, s)| BASE + w * 3 * 86_400 + s)
}

fn record_body() -> impl Strategy<Value = CertificateRecord> {
    (
        any::<bool>(),
        proptest::option::weighted(0.4, instant()),
        proptest::option::weighted(0.7, instant()),
        any::<bool>(),
        0u32..3,
        name_subset(&STORES),
        name_subset(&FIELDS),
        name_subset(&COLLECTIONS),
    )
        .prop_map(|(enrolled, rev, exp, pk, ssl, stores, metadata, collections)| CertificateRecord {
            id: 0,
            enrolled,
            revoked_at: rev.map(ts),
            expires_at: exp.map(ts),
            private_key: pk,
            ssl_endpoints: ssl,
            stores,
            metadata,
            collections,
        })
}

/// Ids over three chunks, some shared so that chunks mix layouts.
fn id() -> impl Strategy<Value = u32> {
    (0u32..3, 0u32..200).prop_map(|(chunk, low)| chunk * 65_536 + low * 5)
}

/// Few ids (20 per chunk), so that events in a short session keep
/// touching the same certificates.
fn few_ids() -> impl Strategy<Value = u32> {
    (0u32..3, 0u32..20).prop_map(|(chunk, low)| chunk * 65_536 + low * 5)
}

fn records() -> impl Strategy<Value = Vec<CertificateRecord>> {
    records_of(id())
}

fn records_of(id: impl Strategy<Value = u32>) -> impl Strategy<Value = Vec<CertificateRecord>> {
    proptest::collection::vec((id, record_body()), 0..120).prop_map(|v| {
        let mut seen = HashSet::new();
        v.into_iter()
            .filter(|(id, _)| seen.insert(*id))
            .map(|(id, mut r)| {
                r.id = id;
                r
            })
            .collect()
    })
}

fn config() -> impl Strategy<Value = CountConfig> {
    (name_subset(&FIELDS), proptest::option::of(name_subset(&COLLECTIONS)), proptest::option::of(1u64..100))
        .prop_map(|(excluded, referenced, limit)| {
            let mut c = CountConfig::new(limit.map_or(ActionedLimit::SiteLicense, ActionedLimit::Counted));
            for f in excluded {
                c = c.exclude_metadata(f);
            }
            if let Some(names) = referenced {
                c.referenced_collections =
                    license_core::actioned::ReferencedCollections::Only(names.into_iter().collect());
            }
            c
        })
}

/// Every boundary instant of the records: t-1s, t, t+1s around each
/// revocation and expiry, and exactly 7 days after each revocation (±1s).
fn boundaries(records: &[CertificateRecord]) -> BTreeSet<i64> {
    let mut out = BTreeSet::from([BASE - 10 * 86_400, BASE + 40 * 86_400]);
    for r in records {
        for t in r.revoked_at.iter().chain(&r.expires_at) {
            let t = t.unix_timestamp();
            out.extend([t - 1, t, t + 1]);
        }
        if let Some(t) = r.revoked_at {
            let t = t.unix_timestamp() + WEEK;
            out.extend([t - 1, t, t + 1]);
        }
    }
    out
}

fn check_counts(
    inv: &Inventory,
    records: &[CertificateRecord],
    config: &CountConfig,
) -> Result<(), TestCaseError> {
    for t in boundaries(records) {
        let count = inv.count(ts(t), config);
        let (total, per) = reference_count(records, t, config);
        prop_assert_eq!(count.total(), total, "total at {}", t);
        for c in Category::ALL {
            prop_assert_eq!(count.category(c), per[c.index()], "{} at {}", c, t);
        }
        prop_assert_eq!(count.over_by(), config.limit.over_by(total));
        prop_assert_eq!(count.alerts().len(), usize::from(config.limit.over_by(total).is_some()));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn count_matches_the_brute_force_reference(records in records(), config in config()) {
        let inv = Inventory::from_records(&records).unwrap();
        check_counts(&inv, &records, &config)?;
        // One at a time, in reverse order, gives the same inventory.
        let mut one_by_one = Inventory::new();
        for r in records.iter().rev() {
            one_by_one.insert(r).unwrap();
        }
        prop_assert_eq!(one_by_one.to_snapshot(), inv.to_snapshot());
        // explain agrees with the reference, certificate by certificate.
        let t = BASE + 3 * 86_400;
        for r in &records {
            let e = inv.explain(r.id, ts(t), &config).unwrap();
            prop_assert_eq!(&e.counted, &reference_categories(r, t, &config));
        }
    }

    #[test]
    fn count_sets_matches_the_reference(records in records(), config in config(), t in instant()) {
        // The nine sets computed by brute force, counted by the kernel.
        let by = |f: &dyn Fn(&CertificateRecord) -> bool| -> IdSet { records.iter().filter(|r| f(r)).map(|r| r.id).collect() };
        let rev = |r: &CertificateRecord| r.revoked_at.map(|x| x.unix_timestamp());
        let revoked = by(&|r| rev(r).is_some_and(|x| x <= t));
        let expired = by(&|r| r.expires_at.is_some_and(|x| x.unix_timestamp() <= t));
        let recent = by(&|r| rev(r).is_some_and(|x| t - WEEK < x && x <= t));
        let enrolled = by(&|r| r.enrolled);
        let ssl = by(&|r| r.ssl_endpoints > 0);
        let pk = by(&|r| r.private_key);
        let stores: Vec<IdSet> = STORES.iter().map(|s| by(&|r| r.stores.iter().any(|x| x == s))).collect();
        let fields: Vec<IdSet> = FIELDS.iter().filter(|f| config.counts_metadata(f)).map(|f| by(&|r| r.metadata.iter().any(|x| x == f))).collect();
        let colls: Vec<IdSet> = COLLECTIONS.iter().filter(|c| config.counts_collection(c)).map(|c| by(&|r| r.collections.iter().any(|x| x == c))).collect();
        let mut sets = CategorySets::new(ts(t))
            .with(Category::Enrolled, &enrolled)
            .with(Category::SslEndpoint, &ssl)
            .with(Category::PrivateKey, &pk)
            .with(Category::RevokedRecently, &recent)
            .with_revoked(&revoked)
            .with_expired(&expired);
        for s in stores.iter() { sets = sets.with(Category::CertStore, s); }
        for s in fields.iter() { sets = sets.with(Category::Metadata, s); }
        for s in colls.iter() { sets = sets.with(Category::Collection, s); }
        let count = count_sets(&sets, config.limit);
        let (total, per) = reference_count(&records, t, &config);
        prop_assert_eq!(count.total(), total);
        for c in Category::ALL {
            prop_assert_eq!(count.category(c), per[c.index()]);
        }
        let inv = Inventory::from_records(&records).unwrap();
        prop_assert_eq!(inv.count(ts(t), &config), count);
    }

    #[test]
    fn events_then_count_equals_rebuild_then_count(
        initial in records(),
        events in proptest::collection::vec(event(), 0..150),
        config in config(),
    ) {
        let mut inv = Inventory::from_records(&initial).unwrap();
        let mut model: HashMap<u32, CertificateRecord> = initial.iter().map(|r| (r.id, r.clone())).collect();
        for e in &events {
            let expected = model_apply(&mut model, e);
            let got = inv.apply(e);
            prop_assert_eq!(got.is_ok(), expected, "{:?}", e);
        }
        let mut finals: Vec<CertificateRecord> = model.into_values().collect();
        finals.sort_by_key(|r| r.id);
        let rebuilt = Inventory::from_records(&finals).unwrap();
        prop_assert_eq!(inv.to_snapshot(), rebuilt.to_snapshot());
        check_counts(&inv, &finals, &config)?;
        for r in &finals {
            let mut want = r.clone();
            for list in [&mut want.stores, &mut want.metadata, &mut want.collections] { list.sort(); }
            prop_assert_eq!(inv.record(r.id), Some(want));
        }
    }

    #[test]
    fn a_failing_batch_of_events_changes_nothing(initial in records(), events in proptest::collection::vec(event(), 1..60)) {
        let mut inv = Inventory::from_records(&initial).unwrap();
        let before = inv.to_snapshot();
        let mut batch = events;
        batch.push(Event::Deleted { id: 4_000_000_000 });
        // The batch fails with the error of its first failing event (the
        // deletion of an unknown certificate at the latest), and leaves the
        // inventory exactly as it was.
        let mut one_by_one = inv.clone();
        let first_failure = batch.iter().find_map(|e| one_by_one.apply(e).err()).map(|e| e.kind());
        let err = inv.apply_all(&batch).unwrap_err();
        prop_assert_eq!(Some(err.kind()), first_failure);
        prop_assert_eq!(inv.to_snapshot(), before);
    }

    #[test]
    fn snapshots_round_trip(records in records()) {
        let inv = Inventory::from_records(&records).unwrap();
        let bytes = inv.to_snapshot();
        let back = Inventory::from_snapshot(&bytes).unwrap();
        prop_assert_eq!(back.to_snapshot(), bytes);
        let config = CountConfig::new(ActionedLimit::SiteLicense);
        check_counts(&back, &records, &config)?;
    }

    #[test]
    fn bad_snapshot_bytes_are_errors_not_panics(records in records(), cut in any::<prop::sample::Index>(), flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4), junk in proptest::collection::vec(any::<u8>(), 0..200)) {
        let bytes = Inventory::from_records(&records).unwrap().to_snapshot();
        let short = &bytes[..cut.index(bytes.len())];
        prop_assert!(Inventory::from_snapshot(short).is_err());
        let mut flipped = bytes.clone();
        for (at, x) in flips {
            let i = at.index(flipped.len());
            flipped[i] ^= x | 1;
        }
        // May load (a flipped time, say), but must not panic.
        let _ = Inventory::from_snapshot(&flipped);
        let _ = Inventory::from_snapshot(&junk);
        let mut prefixed = b"LCINVSNP\x01\x00".to_vec();
        prefixed.extend(&junk);
        let _ = Inventory::from_snapshot(&prefixed);
        let mut trailing = bytes.clone();
        trailing.push(0);
        prop_assert_eq!(Inventory::from_snapshot(&trailing).unwrap_err().kind(), ErrorKind::TrailingBytes);
    }
}

fn event() -> impl Strategy<Value = Event> {
    event_of(id())
}

fn event_of(id: impl Strategy<Value = u32>) -> impl Strategy<Value = Event> {
    let name =
        |pool: &'static [&'static str]| proptest::sample::select(pool.to_vec()).prop_map(str::to_owned);
    (
        id,
        0u8..14,
        instant(),
        proptest::option::weighted(0.8, instant()),
        name(&STORES),
        name(&FIELDS),
        name(&COLLECTIONS),
    )
        .prop_map(|(id, kind, at, exp, store, field, collection)| match kind {
            0 => Event::Enrolled { id },
            1 => Event::Revoked { id, at: ts(at) },
            2 => Event::ExpirySet { id, expires_at: exp.map(ts) },
            3 => Event::AddedToStore { id, store },
            4 => Event::RemovedFromStore { id, store },
            5 => Event::MetadataSet { id, field },
            6 => Event::MetadataCleared { id, field },
            7 => Event::PrivateKeyStored { id },
            8 => Event::PrivateKeyDeleted { id },
            9 => Event::EndpointMonitoringOn { id },
            10 => Event::EndpointMonitoringOff { id },
            11 => Event::AddedToCollection { id, collection },
            12 => Event::RemovedFromCollection { id, collection },
            _ => Event::Deleted { id },
        })
}

/// The events' documented meaning on plain records; returns whether the
/// event is accepted.
fn model_apply(model: &mut HashMap<u32, CertificateRecord>, e: &Event) -> bool {
    let id = e.id();
    let adds = matches!(
        e,
        Event::Enrolled { .. }
            | Event::Revoked { .. }
            | Event::ExpirySet { .. }
            | Event::AddedToStore { .. }
            | Event::MetadataSet { .. }
            | Event::PrivateKeyStored { .. }
            | Event::EndpointMonitoringOn { .. }
            | Event::AddedToCollection { .. }
    );
    if !model.contains_key(&id) && !adds {
        return false;
    }
    if matches!(e, Event::EndpointMonitoringOff { .. }) && model[&id].ssl_endpoints == 0 {
        return false;
    }
    let r = model.entry(id).or_insert_with(|| CertificateRecord::new(id));
    let add = |list: &mut Vec<String>, name: &str| {
        if !list.iter().any(|x| x == name) {
            list.push(name.to_owned())
        }
    };
    match e {
        Event::Enrolled { .. } => r.enrolled = true,
        Event::Revoked { at, .. } => r.revoked_at = Some(*at),
        Event::ExpirySet { expires_at, .. } => r.expires_at = *expires_at,
        Event::AddedToStore { store, .. } => add(&mut r.stores, store),
        Event::RemovedFromStore { store, .. } => r.stores.retain(|x| x != store),
        Event::MetadataSet { field, .. } => add(&mut r.metadata, field),
        Event::MetadataCleared { field, .. } => r.metadata.retain(|x| x != field),
        Event::PrivateKeyStored { .. } => r.private_key = true,
        Event::PrivateKeyDeleted { .. } => r.private_key = false,
        Event::EndpointMonitoringOn { .. } => r.ssl_endpoints += 1,
        Event::EndpointMonitoringOff { .. } => r.ssl_endpoints -= 1,
        Event::AddedToCollection { collection, .. } => add(&mut r.collections, collection),
        Event::RemovedFromCollection { collection, .. } => r.collections.retain(|x| x != collection),
        Event::Deleted { .. } => {
            model.remove(&id);
        }
    }
    true
}

#[test]
fn jsonl_reports_the_bad_line_and_applies_nothing() {
    let good = "{\"id\": 1, \"enrolled\": true}\n\n{\"id\": 2, \"stores\": [\"s1\"]}\n";
    let inv = Inventory::from_jsonl(good.as_bytes()).unwrap();
    assert_eq!(inv.len(), 2);
    let cases = [
        ("{\"id\": 3, \"colour\": \"red\"}", ErrorKind::InvalidRecord),
        ("{\"id\": 1}", ErrorKind::DuplicateCertificate),
        ("{\"id\": 4294967296}", ErrorKind::IdOutOfRange),
        ("{\"id\": 3, \"revoked_at\": \"2026-13-01T00:00:00Z\"}", ErrorKind::InvalidRecord),
        ("not json", ErrorKind::InvalidRecord),
        ("{\"id\": 3, \"stores\": [\"s1\", \"s1\"]}", ErrorKind::InvalidRecord),
    ];
    for (bad, kind) in cases {
        let text = format!("{good}{bad}\n{{\"id\": 9}}\n");
        let err = Inventory::from_jsonl(text.as_bytes()).unwrap_err();
        assert_eq!(err.kind(), kind, "{bad}");
        assert!(err.detail().starts_with("line 4: "), "{bad}: {}", err.detail());
        let mut target = Inventory::new();
        target.insert(&CertificateRecord::new(100)).unwrap();
        let before = target.to_snapshot();
        assert!(target.extend_from_jsonl(text.as_bytes()).is_err());
        assert_eq!(target.to_snapshot(), before, "{bad}: something was applied");
    }
    // A duplicate far apart (in another batch) still names its line.
    let mut text = String::new();
    for id in 0..70_000 {
        text.push_str(&format!("{{\"id\": {id}}}\n"));
    }
    text.push_str("{\"id\": 5}\n");
    let err = Inventory::from_jsonl(text.as_bytes()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DuplicateCertificate);
    assert!(err.detail().starts_with("line 70001: "), "{}", err.detail());
    let long =
        format!("{{\"id\": 1, \"stores\": [\"{}\"]}}\n", "x".repeat(license_core::actioned::MAX_LINE_BYTES));
    assert_eq!(Inventory::from_jsonl(long.as_bytes()).unwrap_err().kind(), ErrorKind::InputTooLarge);
}

#[test]
fn site_license_and_over_limit() {
    let records: Vec<CertificateRecord> =
        license_core::actioned::synthetic_records(5_000, 1, ts(BASE)).collect();
    let inv = Inventory::from_records(&records).unwrap();
    let site = inv.count(ts(BASE), &CountConfig::new(ActionedLimit::SiteLicense));
    assert!(site.alerts().is_empty());
    assert_eq!(site.over_by(), None);
    assert!(site.to_table().contains("N/A"));
    let (total, _) = reference_count(&records, BASE, &CountConfig::new(ActionedLimit::SiteLicense));
    assert_eq!(site.total(), total);
    let over = inv.count(ts(BASE), &CountConfig::new(ActionedLimit::Counted(total - 10)));
    assert_eq!(over.over_by(), Some(10));
    assert_eq!(over.alerts()[0].kind(), license_core::alert::AlertKind::ActionedOverLimit);
    assert_eq!(over.alerts()[0].data()["over_by"], 10);
    // A count the instant before, and a week later, stays exact.
    for dt in [Duration::seconds(-1), Duration::days(7)] {
        let t = BASE + dt.whole_seconds();
        let (total, _) = reference_count(&records, t, &CountConfig::new(ActionedLimit::SiteLicense));
        assert_eq!(inv.count(ts(t), &CountConfig::new(ActionedLimit::SiteLicense)).total(), total);
    }
}

#[test]
fn times_after_2106_are_exact() {
    let late = 4_400_000_000i64; // 2109
    let mut r = CertificateRecord::new(7);
    r.enrolled = true;
    r.expires_at = Some(ts(late));
    let inv = Inventory::from_records(&[r]).unwrap();
    let config = CountConfig::new(ActionedLimit::SiteLicense);
    assert_eq!(inv.count(ts(late - 1), &config).total(), 1);
    assert_eq!(inv.count(ts(late), &config).total(), 0);
    assert_eq!(Inventory::from_snapshot(&inv.to_snapshot()).unwrap().count(ts(late), &config).total(), 0);
}

/// One step of a session with an inventory that is counted as it changes.
#[derive(Debug, Clone)]
enum Step {
    /// Insert records (those whose id is taken are dropped first).
    Insert(Vec<CertificateRecord>),
    /// Apply one event (accepted or refused).
    Apply(Event),
    /// Apply a batch that fails at its end, so every change is undone.
    FailingBatch(Vec<Event>),
    /// Add ids to a store, field or collection in bulk.
    Bulk(u8, String, Vec<u32>),
    /// Continue with a clone (which shares the cache until either changes).
    Clone,
    /// Revoke (`0`: a week before, `1`: at) or expire (`2`: at) a
    /// certificate at count instant `i`, plus `delta` seconds.
    Boundary(u8, u32, usize, i64),
    /// Count under config `c` of the session's configs at its instant `t`.
    Count(usize, usize),
}

fn step() -> impl Strategy<Value = Step> {
    let name = proptest::sample::select(vec!["s1", "Notes", "Owner", "c1", "c2"]).prop_map(str::to_owned);
    prop_oneof![
        1 => proptest::collection::vec((few_ids(), record_body()), 1..8).prop_map(|v| {
            Step::Insert(v.into_iter().map(|(id, r)| CertificateRecord { id, ..r }).collect())
        }),
        6 => event_of(few_ids()).prop_map(Step::Apply),
        1 => proptest::collection::vec(event_of(few_ids()), 1..6).prop_map(Step::FailingBatch),
        1 => (0u8..3, name, proptest::collection::vec(few_ids(), 1..6)).prop_map(|(k, n, ids)| Step::Bulk(k, n, ids)),
        1 => Just(Step::Clone),
        2 => (0u8..3, few_ids(), 0usize..2, -1i64..=1).prop_map(|(k, id, i, d)| Step::Boundary(k, id, i, d)),
        // Mostly the same config and instant as before, so that most
        // counts reuse what the previous one kept.
        5 => (prop_oneof![3 => Just(0usize), 1 => Just(1)], prop_oneof![3 => Just(0usize), 1 => Just(1)])
            .prop_map(|(c, t)| Step::Count(c, t)),
    ]
}

/// An instant to count at: one of the events' own, or a week (and a week
/// plus or minus a second) after one, so revocations exactly seven days
/// before the count are common.
fn count_instant() -> impl Strategy<Value = i64> {
    (instant(), prop_oneof![Just(0i64), Just(WEEK), Just(WEEK + 1), Just(WEEK - 1)]).prop_map(|(t, d)| t + d)
}

/// The nine sets of `count_sets` at `t`, computed from plain records.
fn nine_sets(records: &[CertificateRecord], t: i64, config: &CountConfig) -> ([Vec<IdSet>; 6], [IdSet; 3]) {
    let set = |f: &dyn Fn(&CertificateRecord) -> bool| -> IdSet {
        records.iter().filter(|r| f(r)).map(|r| r.id).collect()
    };
    let named = |get: &dyn Fn(&CertificateRecord) -> &Vec<String>, keep: &dyn Fn(&str) -> bool| {
        let names: BTreeSet<&str> = records.iter().flat_map(|r| get(r).iter().map(String::as_str)).collect();
        names.into_iter().filter(|n| keep(n)).map(|n| set(&|r| get(r).iter().any(|m| m == n))).collect()
    };
    let secs = |x: Option<OffsetDateTime>| x.map(|x| x.unix_timestamp());
    (
        [
            vec![set(&|r| r.enrolled)],
            named(&|r| &r.metadata, &|n| config.counts_metadata(n)),
            vec![set(&|r| r.ssl_endpoints > 0)],
            named(&|r| &r.stores, &|_| true),
            vec![set(&|r| r.private_key)],
            named(&|r| &r.collections, &|n| config.counts_collection(n)),
        ],
        [
            set(&|r| secs(r.revoked_at).is_some_and(|x| x <= t)),
            set(&|r| secs(r.expires_at).is_some_and(|x| x <= t)),
            set(&|r| secs(r.revoked_at).is_some_and(|x| t - WEEK < x && x <= t)),
        ],
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// `Inventory::count` keeps unions and instant sets from one count to
    /// the next; whatever happens between counts, each count must equal
    /// `count_sets` over sets computed afresh from the records.
    #[test]
    fn counts_between_changes_equal_count_sets_afresh(
        initial in records_of(few_ids()),
        configs in proptest::collection::vec(config(), 2),
        instants in proptest::collection::vec(count_instant(), 2),
        steps in proptest::collection::vec(step(), 1..80),
    ) {
        let mut inv = Inventory::from_records(&initial).unwrap();
        let mut model: HashMap<u32, CertificateRecord> = initial.iter().map(|r| (r.id, r.clone())).collect();
        for step in steps {
            match step {
                Step::Insert(records) => {
                    let fresh: Vec<CertificateRecord> = records
                        .into_iter()
                        .filter(|r| !model.contains_key(&r.id))
                        .fold(Vec::new(), |mut v, r| {
                            if !v.iter().any(|x: &CertificateRecord| x.id == r.id) { v.push(r) }
                            v
                        });
                    // A batch naming a present id is refused whole.
                    if let Some(&taken) = model.keys().next() {
                        let mut dup = fresh.clone();
                        dup.push(CertificateRecord::new(taken));
                        prop_assert!(inv.insert_records(&dup).is_err());
                    }
                    inv.insert_records(&fresh).unwrap();
                    model.extend(fresh.into_iter().map(|r| (r.id, r)));
                }
                Step::Apply(e) => {
                    let expected = model_apply(&mut model, &e);
                    prop_assert_eq!(inv.apply(&e).is_ok(), expected, "{:?}", e);
                }
                Step::FailingBatch(mut batch) => {
                    batch.push(Event::Deleted { id: 4_000_000_000 });
                    prop_assert!(inv.apply_all(&batch).is_err());
                }
                Step::Bulk(kind, name, ids) => {
                    let group = match kind {
                        0 => license_core::actioned::IdGroup::Store(name.clone()),
                        1 => license_core::actioned::IdGroup::Metadata(name.clone()),
                        _ => license_core::actioned::IdGroup::Collection(name.clone()),
                    };
                    inv.add_ids(&group, &ids).unwrap();
                    for id in ids {
                        let r = model.entry(id).or_insert_with(|| CertificateRecord::new(id));
                        let list = match kind { 0 => &mut r.stores, 1 => &mut r.metadata, _ => &mut r.collections };
                        if !list.contains(&name) { list.push(name.clone()) }
                    }
                }
                Step::Clone => inv = inv.clone(),
                Step::Boundary(kind, id, i, delta) => {
                    let e = match kind {
                        0 => Event::Revoked { id, at: ts(instants[i] - WEEK + delta) },
                        1 => Event::Revoked { id, at: ts(instants[i] + delta) },
                        _ => Event::ExpirySet { id, expires_at: Some(ts(instants[i] + delta)) },
                    };
                    model_apply(&mut model, &e);
                    inv.apply(&e).unwrap();
                }
                Step::Count(c, t) => {
                    let (config, t) = (&configs[c], instants[t]);
                    let records: Vec<CertificateRecord> = model.values().cloned().collect();
                    let (live, dead) = nine_sets(&records, t, config);
                    let mut sets = CategorySets::new(ts(t))
                        .with_revoked(&dead[0])
                        .with_expired(&dead[1])
                        .with(Category::RevokedRecently, &dead[2]);
                    for (category, members) in Category::LIVE.iter().zip(&live) {
                        for m in members {
                            sets = sets.with(*category, m);
                        }
                    }
                    let want = count_sets(&sets, config.limit);
                    let got = inv.count(ts(t), config);
                    prop_assert_eq!(got.tally(), want.tally(), "config {} at {}", c, t);
                    prop_assert_eq!(got.total(), reference_count(&records, t, config).0);
                }
            }
        }
    }
}

/// An inventory grown one insert at a time keeps spare room in its chunk
/// lists; `shrink_to_fit` releases it and changes nothing else, and the
/// constructors that build whole hand back an inventory already trimmed.
#[test]
fn shrink_to_fit_releases_room_and_changes_nothing() {
    let records: Vec<CertificateRecord> = (0..5u32)
        .map(|k| CertificateRecord {
            stores: vec!["iis-prod-1".into()],
            expires_at: Some(ts(1_795_404_000 + i64::from(k) * 86_400)),
            revoked_at: (k % 2 == 0).then(|| ts(1_795_000_000)),
            ..CertificateRecord::new(k << 16 | 7)
        })
        .collect();
    let mut inv = Inventory::new();
    for r in &records {
        inv.insert(r).unwrap();
    }
    let config = CountConfig::new(ActionedLimit::SiteLicense);
    let (bytes, heap, count) = (inv.to_snapshot(), inv.heap_bytes(), inv.count(ts(1_795_404_000), &config));
    inv.shrink_to_fit();
    assert_eq!(inv.to_snapshot(), bytes);
    assert_eq!(inv.count(ts(1_795_404_000), &config), count);
    assert!(inv.heap_bytes() < heap, "{} of {heap} bytes after shrinking", inv.heap_bytes());
    let built = Inventory::from_records(&records).unwrap();
    assert_eq!(built.heap_bytes(), inv.heap_bytes());
    let jsonl: String = records.iter().map(|r| r.to_json() + "\n").collect();
    assert_eq!(Inventory::from_jsonl(jsonl.as_bytes()).unwrap().heap_bytes(), inv.heap_bytes());
}

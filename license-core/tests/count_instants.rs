//! `Inventory::count` at one instant after another, against a brute-force
//! count over the records: the count keeps the dead sets of the last
//! instant and moves them within its UTC day through the times on that
//! day (and a week before it), so instants are drawn around exactly those
//! edges: at a time, a second either side, at midnight either side, a week
//! after a revocation, forwards and backwards within a day and across
//! days, with events that move times across days in between.

use std::collections::BTreeMap;

use license_core::{
    actioned::{Category, Event},
    license::ActionedLimit,
    CertificateRecord, CountConfig, Inventory,
};
use proptest::prelude::*;
use time::OffsetDateTime;

const DAY: i64 = 86_400;
const WEEK: i64 = 7 * DAY;
/// Midnight UTC, 2026-11-23.
const MIDNIGHT: i64 = 1_795_392_000;

fn ts(secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(secs).unwrap()
}

/// (total, per category) at `t` by the design table, record by record.
fn brute_force(records: &BTreeMap<u32, CertificateRecord>, t: i64) -> (u64, [u64; 7]) {
    let (mut total, mut per) = (0, [0u64; 7]);
    for r in records.values() {
        let rev = r.revoked_at.map(|x| x.unix_timestamp());
        let expired = r.expires_at.is_some_and(|x| x.unix_timestamp() <= t);
        let live = rev.is_none_or(|x| x > t) && !expired;
        let recent = rev.is_some_and(|x| t - WEEK < x && x <= t) && !expired;
        let cats = [
            (Category::Enrolled, r.enrolled && live),
            (Category::RevokedRecently, recent),
            (Category::Metadata, !r.metadata.is_empty() && live),
            (Category::SslEndpoint, r.ssl_endpoints > 0 && live),
            (Category::CertStore, !r.stores.is_empty() && live),
            (Category::PrivateKey, r.private_key && live),
            (Category::Collection, false),
        ];
        for (c, on) in cats {
            per[c.index()] += u64::from(on);
        }
        total += u64::from(cats.iter().any(|c| c.1));
    }
    (total, per)
}

/// A time near the edges: on one of the days from eight before midnight to
/// two after, at its first or last second, one either side of noon, or
/// anywhere in it.
fn near_edge() -> impl Strategy<Value = i64> {
    let second = prop_oneof![Just(0i64), Just(1), Just(DAY - 1), Just(DAY / 2), Just(DAY / 2 + 1), 0..DAY];
    (-8i64..3, second).prop_map(|(d, s)| MIDNIGHT + d * DAY + s)
}

/// Ids in two chunks; the fill below makes a third one dense.
fn id() -> impl Strategy<Value = u32> {
    (0u32..2, 0u32..40).prop_map(|(chunk, low)| chunk * 65_536 + low * 3)
}

fn record() -> impl Strategy<Value = CertificateRecord> {
    (
        id(),
        any::<bool>(),
        proptest::option::weighted(0.5, near_edge()),
        proptest::option::weighted(0.7, near_edge()),
    )
        .prop_map(|(id, enrolled, rev, exp)| {
            let mut r = CertificateRecord::new(id);
            r.enrolled = enrolled;
            r.private_key = !enrolled;
            r.revoked_at = rev.map(ts);
            r.expires_at = exp.map(ts);
            r
        })
}

#[derive(Debug, Clone)]
enum Step {
    /// Count at this instant.
    Count(i64),
    /// Count at the time of a record already held (or a week after its
    /// revocation), plus `delta` seconds.
    CountAtTime(prop::sample::Index, bool, i64),
    /// Count again on the day of the last count, at this second of it.
    SameDay(i64),
    /// Revoke (`0`: a week before, `1`: at) or expire (`2`: at) `id` at
    /// the last count's instant plus `delta` seconds, or (`3`) clear its
    /// expiry: the times the last count's day turns on.
    AtLast(u8, u32, i64),
    /// Apply events one by one, or as one batch.
    Events(Vec<Event>, bool),
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        (id(), near_edge()).prop_map(|(id, t)| Event::Revoked { id, at: ts(t) }),
        (id(), proptest::option::weighted(0.8, near_edge()))
            .prop_map(|(id, t)| Event::ExpirySet { id, expires_at: t.map(ts) }),
        id().prop_map(|id| Event::Deleted { id }),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        2 => near_edge().prop_map(Step::Count),
        3 => (any::<prop::sample::Index>(), any::<bool>(), -1i64..=1).prop_map(|(i, w, d)| Step::CountAtTime(i, w, d)),
        5 => prop_oneof![Just(0i64), Just(1), Just(DAY - 1), 0..DAY].prop_map(Step::SameDay),
        4 => (0u8..4, id(), prop_oneof![-1i64..=1, -DAY..DAY]).prop_map(|(k, id, d)| Step::AtLast(k, id, d)),
        2 => (proptest::collection::vec(event(), 1..5), any::<bool>()).prop_map(|(e, b)| Step::Events(e, b)),
    ]
}

/// Applies `e` to the model; false when the inventory must refuse it
/// (deleting an id it does not hold).
fn apply_to_model(model: &mut BTreeMap<u32, CertificateRecord>, e: &Event) -> bool {
    match e {
        Event::Revoked { id, at } => {
            model.entry(*id).or_insert_with(|| CertificateRecord::new(*id)).revoked_at = Some(*at)
        }
        Event::ExpirySet { id, expires_at } => {
            model.entry(*id).or_insert_with(|| CertificateRecord::new(*id)).expires_at = *expires_at
        }
        Event::Deleted { id } => return model.remove(id).is_some(),
        _ => unreachable!("only time events and deletions are drawn"),
    }
    true
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn counts_at_instant_after_instant_equal_a_brute_force_count(
        records in proptest::collection::vec(record(), 0..60),
        dense in any::<bool>(),
        steps in proptest::collection::vec(step(), 1..60),
    ) {
        let mut model: BTreeMap<u32, CertificateRecord> = BTreeMap::new();
        for r in records {
            model.entry(r.id).or_insert(r);
        }
        if dense {
            // A chunk full enough for the time indexes' dense layout, its
            // times spread over the days around midnight.
            for low in 0..6_000u32 {
                let mut r = CertificateRecord::new(2 * 65_536 + low);
                r.enrolled = true;
                let s = i64::from(low) * 7_919 % (10 * DAY);
                r.expires_at = Some(ts(MIDNIGHT - 8 * DAY + s));
                if low % 9 == 0 {
                    r.revoked_at = Some(ts(MIDNIGHT - 9 * DAY + s));
                }
                model.insert(r.id, r);
            }
        }
        let records: Vec<CertificateRecord> = model.values().cloned().collect();
        let mut inv = Inventory::from_records(&records).unwrap();
        let config = CountConfig::new(ActionedLimit::SiteLicense);
        let mut last = MIDNIGHT;
        for step in steps {
            let t = match step {
                Step::Count(t) => t,
                Step::SameDay(second) => last.div_euclid(DAY) * DAY + second,
                Step::AtLast(kind, id, delta) => {
                    let e = match kind {
                        0 => Event::Revoked { id, at: ts(last - WEEK + delta) },
                        1 => Event::Revoked { id, at: ts(last + delta) },
                        2 => Event::ExpirySet { id, expires_at: Some(ts(last + delta)) },
                        _ => Event::ExpirySet { id, expires_at: None },
                    };
                    prop_assert!(inv.apply(&e).is_ok());
                    apply_to_model(&mut model, &e);
                    continue;
                }
                Step::CountAtTime(i, week, delta) => {
                    let times: Vec<i64> = model
                        .values()
                        .flat_map(|r| {
                            let rev = r.revoked_at.map(|x| x.unix_timestamp() + if week { WEEK } else { 0 });
                            rev.into_iter().chain(r.expires_at.map(|x| x.unix_timestamp()))
                        })
                        .collect();
                    if times.is_empty() {
                        continue;
                    }
                    times[i.index(times.len())] + delta
                }
                Step::Events(events, batch) => {
                    if batch {
                        // All or nothing.
                        let mut after = model.clone();
                        let ok = events.iter().all(|e| apply_to_model(&mut after, e));
                        prop_assert_eq!(inv.apply_all(&events).is_ok(), ok);
                        if ok {
                            model = after;
                        }
                    } else {
                        for e in &events {
                            prop_assert_eq!(inv.apply(e).is_ok(), apply_to_model(&mut model, e), "{:?}", e);
                        }
                    }
                    continue;
                }
            };
            last = t;
            let count = inv.count(ts(t), &config);
            let (total, per) = brute_force(&model, t);
            prop_assert_eq!(count.total(), total, "total at {}", t);
            for c in Category::ALL {
                prop_assert_eq!(count.category(c), per[c.index()], "{} at {}", c, t);
            }
        }
    }
}

//! Criterion bench of the actioned count over 1,000,000 synthetic
//! certificates: from the inventory, and from the nine sets.

use criterion::{criterion_group, criterion_main, Criterion};
use license_core::{
    actioned::{count_sets, synthetic_records, Category, CategorySets, Event},
    license::ActionedLimit,
    CertificateRecord, CountConfig, IdSet, Inventory,
};
use time::{macros::datetime, Duration};

/// The member sets of each live category (in `Category::LIVE` order) and
/// the revoked, expired and revoked-within-the-week sets as of `at`,
/// computed from the records alone (not through the inventory).
struct Nine {
    live: [Vec<IdSet>; 6],
    dead: [IdSet; 3],
}

impl Nine {
    fn new(records: &[CertificateRecord], config: &CountConfig, at: time::OffsetDateTime) -> Nine {
        let set = |f: &dyn Fn(&CertificateRecord) -> bool| -> IdSet {
            records.iter().filter(|r| f(r)).map(|r| r.id).collect()
        };
        let names = |get: &dyn Fn(&CertificateRecord) -> &Vec<String>, keep: &dyn Fn(&str) -> bool| {
            let mut all: Vec<&str> = records.iter().flat_map(|r| get(r).iter().map(String::as_str)).collect();
            all.sort_unstable();
            all.dedup();
            all.into_iter()
                .filter(|n| keep(n))
                .map(|n| set(&|r| get(r).iter().any(|m| m == n)))
                .collect::<Vec<_>>()
        };
        let week_ago = at - Duration::days(7);
        Nine {
            live: [
                vec![set(&|r| r.enrolled)],
                names(&|r| &r.metadata, &|n| config.counts_metadata(n)),
                vec![set(&|r| r.ssl_endpoints > 0)],
                names(&|r| &r.stores, &|_| true),
                vec![set(&|r| r.private_key)],
                names(&|r| &r.collections, &|n| config.counts_collection(n)),
            ],
            dead: [
                set(&|r| r.revoked_at.is_some_and(|t| t <= at)),
                set(&|r| r.expires_at.is_some_and(|t| t <= at)),
                set(&|r| r.revoked_at.is_some_and(|t| t <= at && t > week_ago)),
            ],
        }
    }

    fn sets(&self, at: time::OffsetDateTime) -> CategorySets<'_> {
        let mut cs = CategorySets::new(at)
            .with_revoked(&self.dead[0])
            .with_expired(&self.dead[1])
            .with(Category::RevokedRecently, &self.dead[2]);
        for (c, members) in Category::LIVE.iter().zip(&self.live) {
            for m in members {
                cs = cs.with(*c, m);
            }
        }
        cs
    }
}

fn bench(c: &mut Criterion) {
    let now = datetime!(2026-11-23 2:00 UTC);
    let records: Vec<_> = synthetic_records(1_000_000, 1, now).collect();
    let inv = Inventory::from_records(&records).unwrap();
    let config = CountConfig::new(ActionedLimit::Counted(500_000)).exclude_metadata("Notes");
    let nine = Nine::new(&records, &config, now);
    let sets = nine.sets(now);
    assert_eq!(count_sets(&sets, config.limit).tally(), inv.count(now, &config).tally());
    let mut group = c.benchmark_group("actioned");
    group.sample_size(20);
    group.bench_function("count 1M", |b| b.iter(|| inv.count(now, &config)));
    group.bench_function("count_sets 1M (nine sets, same data)", |b| {
        b.iter(|| count_sets(&sets, config.limit))
    });
    group.bench_function("Inventory::count (cached) 1M", |b| b.iter(|| inv.count(now, &config)));
    // A new instant every count (one second later, within one UTC day):
    // the membership unions stay cached, and the instant-dependent sets
    // move by the ids whose time lies between the two instants.
    let mut s = 0i64;
    group.bench_function("Inventory::count (new instant each count) 1M", |b| {
        b.iter(|| {
            s = (s + 1) % 86_400;
            inv.count(now + Duration::seconds(s), &config)
        })
    });
    // A new UTC day every count (the daily schedule): one pass over the
    // time indexes per count, as there is no boundary day to reuse.
    let mut d = 0i64;
    group.bench_function("Inventory::count (new day each count) 1M", |b| {
        b.iter(|| {
            d = (d + 1) % 3_650;
            inv.count(now + Duration::days(d), &config)
        })
    });
    group.bench_function("build 1M from records", |b| b.iter(|| Inventory::from_records(&records).unwrap()));
    let mut live = inv.clone();
    let mut i = 0u32;
    group.bench_function("event add+remove store", |b| {
        b.iter(|| {
            i = (i + 7919) % 1_000_000 + 1;
            let _ = live.apply(&Event::AddedToStore { id: i, store: "f5-edge".into() });
            let _ = live.apply(&Event::RemovedFromStore { id: i, store: "f5-edge".into() });
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Criterion bench of the actioned count over 1,000,000 synthetic
//! certificates: from the inventory, and from the nine sets.

use criterion::{criterion_group, criterion_main, Criterion};
use license_core::{
    actioned::{synthetic_records, Event},
    license::ActionedLimit,
    CountConfig, Inventory,
};
use time::macros::datetime;

fn bench(c: &mut Criterion) {
    let now = datetime!(2026-11-23 2:00 UTC);
    let records: Vec<_> = synthetic_records(1_000_000, 1, now).collect();
    let inv = Inventory::from_records(&records).unwrap();
    let config = CountConfig::new(ActionedLimit::Counted(500_000)).exclude_metadata("Notes");
    let mut group = c.benchmark_group("actioned");
    group.sample_size(20);
    group.bench_function("count 1M", |b| b.iter(|| inv.count(now, &config)));
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

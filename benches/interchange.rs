//! `cargo bench --bench interchange [-- --n 10000000] [-- --json]`: counting
//! from id sets computed elsewhere, as a data platform hands them over.
//!
//! From a synthetic inventory of N certificates (the `gen-inventory`
//! densities), the nine sets of the count rule are exported and each split
//! into 16 overlapping shards (a certificate on one or two shards), written
//! as Roaring portable bytes. Measured in one run, medians of repeated
//! runs: parsing all 144 shard files (GB/s of portable bytes; beside
//! roaring-rs's own deserializer on the same bytes), merging and counting
//! them, the whole read + merge + count, and `Inventory::count` on the same
//! certificates already in memory. Targets: parse ≥ 1 GB/s; merge + count
//! ≤ 3× `Inventory::count`.
//!
//! `cargo bench --bench interchange -- --sim [N]` runs instead the scale
//! simulation of benches/support/sim.rs: N certificates (default
//! 1,000,000,000) in 16 overlapping shards, in the ClickHouse and the Spark
//! format. It is never run by scripts/test (which only builds the benches).

use std::hint::black_box;
use std::time::Instant;

use license_core::{
    actioned::synthetic_records,
    interchange::{write_portable32, DecodedSet, ExternalSets, InterchangeLimits, SetName},
    license::ActionedLimit,
    CountConfig, Inventory,
};
use roaring::RoaringBitmap;
use time::OffsetDateTime;

#[path = "support/sim.rs"]
mod sim;

const SHARDS: u32 = 16;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Runs `f` `runs` times and returns the median seconds and the last result.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut secs = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        let out = black_box(f());
        secs.push(started.elapsed().as_secs_f64());
        last = Some(out);
    }
    (median(secs), last.expect("at least one run"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--sim") {
        let n = args.get(i + 1).and_then(|v| v.parse().ok()).unwrap_or(1_000_000_000);
        sim::run(n);
        return;
    }
    let json = args.iter().any(|a| a == "--json");
    let n: u32 = args
        .iter()
        .position(|a| a == "--n")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let runs = 7;
    let at = OffsetDateTime::from_unix_timestamp(1_795_404_000).expect("a valid instant"); // 2026-11-23T02:00Z
    let config = CountConfig::new(ActionedLimit::Counted(u64::from(n) / 2));

    let records: Vec<_> = synthetic_records(n, 1, at).collect();
    let inventory = Inventory::from_records(&records).expect("synthetic records are valid");
    drop(records);
    let exported = ExternalSets::from_inventory(&inventory, at, &config);

    // 16 overlapping shards per set: id % 16 == k, or id % 37 == k.
    let mut files: Vec<(SetName, Vec<u8>)> = Vec::new();
    for name in SetName::ALL {
        let DecodedSet::U32(set) = exported.union(name) else { unreachable!("u32 ids") };
        for k in 0..SHARDS {
            let shard: RoaringBitmap = set.iter().filter(|id| id % SHARDS == k || id % 37 == k).collect();
            files.push((name, write_portable32(&shard)));
        }
    }
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let limits = InterchangeLimits::default();

    let (parse_s, sets) = time(runs, || {
        let mut sets = ExternalSets::new();
        for (name, b) in &files {
            sets.add_bytes(*name, b, &limits).expect("valid shard");
        }
        sets
    });
    let (roaring_s, _) = time(runs, || {
        files.iter().map(|(_, b)| RoaringBitmap::deserialize_from(&b[..]).expect("valid").len()).sum::<u64>()
    });
    let (merge_count_s, merged) = time(runs, || sets.count(at, config.limit));
    let (end_to_end_s, _) = time(runs, || {
        let mut sets = ExternalSets::new();
        for (name, b) in &files {
            sets.add_bytes(*name, b, &limits).expect("valid shard");
        }
        sets.count(at, config.limit)
    });
    let (inventory_s, direct) = time(runs, || inventory.count(at, &config));
    let (unsharded_s, _) = time(runs, || exported.count(at, config.limit));
    assert_eq!(merged, direct, "the merged shards must count exactly as the inventory");

    let gbps = |s: f64| bytes as f64 / s / 1e9;
    let rows = [
        ("parse 144 shard files (ours, into kernel sets)", parse_s, format!("{:.2} GB/s", gbps(parse_s))),
        (
            "parse 144 shard files (roaring-rs deserialize_from)",
            roaring_s,
            format!("{:.2} GB/s", gbps(roaring_s)),
        ),
        (
            "merge 16 shards/set + count",
            merge_count_s,
            format!("{:.2}x Inventory::count", merge_count_s / inventory_s),
        ),
        (
            "read + merge + count",
            end_to_end_s,
            format!("{:.2}x Inventory::count", end_to_end_s / inventory_s),
        ),
        (
            "count the 9 unsharded sets",
            unsharded_s,
            format!("{:.2}x Inventory::count", unsharded_s / inventory_s),
        ),
        ("Inventory::count (in memory)", inventory_s, "1.00x".to_owned()),
    ];
    if json {
        for (method, s, _) in &rows {
            println!(
                "{}",
                serde_json::json!({"method": method, "n": n, "median_ns": (s * 1e9).round() as u64, "cold": false})
            );
        }
        return;
    }
    println!(
        "{n} certificates, total {} actioned; 9 sets x {SHARDS} shards = {} files, {bytes} bytes",
        direct.total(),
        files.len()
    );
    println!("{:<54} {:>12}  ratio", "method", "median");
    for (method, s, ratio) in rows {
        println!("{method:<54} {:>9.3} ms  {ratio}", s * 1e3);
    }
    println!(
        "targets: parse >= 1 GB/s: {}; merge + count <= 3x Inventory::count: {}",
        if gbps(parse_s) >= 1.0 { "met" } else { "missed" },
        if merge_count_s <= 3.0 * inventory_s { "met" } else { "missed" }
    );
}

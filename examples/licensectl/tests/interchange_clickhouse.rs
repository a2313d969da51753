//! groupBitmap states against ClickHouse itself (chdb, in-process), both
//! ways, for UInt32 and UInt64 ids, small and large states.

mod support;

use std::path::Path;
use std::process::Command;

use license_core::interchange::{
    read_clickhouse_state32, read_clickhouse_state64, read_id_set, write_clickhouse_state32,
    write_clickhouse_state64, DecodedSet, IdSetFormat, InterchangeLimits,
};
use roaring::{RoaringBitmap, RoaringTreemap};

/// Runs SQL in chdb; the result in `format`, as bytes.
fn chdb(sql: &str, format: &str) -> Option<Vec<u8>> {
    let python = support::venv_python(&["chdb"])?;
    let script = "import chdb, sys; sys.stdout.buffer.write(chdb.query(sys.argv[1], sys.argv[2]).bytes())";
    let out = Command::new(python).args(["-c", script, sql, format]).output().unwrap();
    assert!(out.status.success(), "chdb failed on {sql}: {}", String::from_utf8_lossy(&out.stderr));
    Some(out.stdout)
}

/// (sql expression over `number`, rows): the id sets ClickHouse computes.
const SETS: &[(&str, u64)] = &[
    ("number * 3", 100_000),   // large, bitset-heavy
    ("number * 7 + 1", 20),    // small set
    ("number * 7919", 33),     // just over the small-set limit
    ("intDiv(number, 2)", 64), // duplicates fed in
];

#[test]
fn we_read_the_states_clickhouse_writes() {
    let l = InterchangeLimits::default();
    for &(expr, rows) in SETS {
        let sql32 = format!("SELECT groupBitmapState(toUInt32({expr})) FROM numbers({rows})");
        let Some(state) = chdb(&sql32, "RowBinary") else { return };
        let ours = read_clickhouse_state32(&state, &l).unwrap_or_else(|e| panic!("{expr}: {e}"));
        let expected: RoaringBitmap = (0..rows).map(|n| eval(expr, n) as u32).collect();
        assert_eq!(ours, expected, "{expr}");
        assert_eq!(
            read_id_set(&state, None, &l).unwrap(),
            (DecodedSet::U32(expected), IdSetFormat::ClickHouse)
        );

        // UInt64: spread over several 2^32 buckets.
        let sql64 = format!("SELECT groupBitmapState(toUInt64({expr}) * 4294967311) FROM numbers({rows})");
        let state = chdb(&sql64, "RowBinary").unwrap();
        let ours = read_clickhouse_state64(&state, &l).unwrap_or_else(|e| panic!("{expr} (UInt64): {e}"));
        let expected: RoaringTreemap = (0..rows).map(|n| eval(expr, n) * 4_294_967_311).collect();
        assert_eq!(ours, expected, "{expr} (UInt64)");
    }
}

fn eval(expr: &str, n: u64) -> u64 {
    match expr {
        "number * 3" => n * 3,
        "number * 7 + 1" => n * 7 + 1,
        "number * 7919" => n * 7919,
        "intDiv(number, 2)" => n / 2,
        other => panic!("no evaluator for {other}"),
    }
}

fn cardinality_and_sum(file: &Path, column_type: &str) -> Option<String> {
    let sql = format!(
        "SELECT bitmapCardinality(s), arraySum(bitmapToArray(s)) FROM file('{}', RowBinary, 's AggregateFunction(groupBitmap, {column_type})')",
        file.display()
    );
    chdb(&sql, "CSV").map(|b| String::from_utf8(b).unwrap().trim().to_owned())
}

#[test]
fn clickhouse_reads_the_states_we_write() {
    let dir = tempfile::tempdir().unwrap();
    let sets32: Vec<RoaringBitmap> = vec![
        RoaringBitmap::new(),
        (1..=32u32).collect(),
        (0..33u32).map(|i| i * 1000).collect(),
        (0..200_000u32).map(|i| i * 3).chain(5_000_000..5_100_000).collect(),
    ];
    for (i, set) in sets32.iter().enumerate() {
        let file = support::write(dir.path(), &format!("s32-{i}.bin"), &write_clickhouse_state32(set));
        let Some(got) = cardinality_and_sum(&file, "UInt32") else { return };
        let sum: u64 = set.iter().map(u64::from).sum();
        assert_eq!(got, format!("{},{}", set.len(), sum), "UInt32 set {i}");
    }
    let sets64: Vec<RoaringTreemap> =
        vec![(0..10u64).map(|i| i << 40).collect(), (0..50_000u64).map(|i| (i % 7) << 32 | i).collect()];
    for (i, set) in sets64.iter().enumerate() {
        let file = support::write(dir.path(), &format!("s64-{i}.bin"), &write_clickhouse_state64(set));
        let got = cardinality_and_sum(&file, "UInt64").unwrap();
        let sum = set.iter().fold(0u64, u64::wrapping_add);
        assert_eq!(got, format!("{},{}", set.len(), sum), "UInt64 set {i}");
    }
}

/// Runs tests/python/chdb_shards.py; its JSON report.
fn clickhouse_shards(inventory: &Path, out: &Path, width: u32) -> Option<serde_json::Value> {
    let python = support::venv_python(&["chdb"])?;
    let script = support::root().join("tests/python/chdb_shards.py");
    let (ok, stdout, err) = support::run(
        Command::new(python)
            .arg(script)
            .arg(inventory)
            .arg(out)
            .arg("2026-11-23 02:00:00")
            .arg(width.to_string()),
    );
    assert!(ok, "chdb_shards.py failed: {err}");
    Some(serde_json::from_str(stdout.trim()).unwrap())
}

fn licensectl_json(args: &[&str]) -> serde_json::Value {
    let (ok, out, err) = support::run(support::licensectl().args(args));
    assert!(ok, "licensectl {args:?}: {err}");
    serde_json::from_str(out.trim()).unwrap()
}

#[test]
fn sharded_states_merge_to_clickhouses_own_count_and_the_inventorys() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = dir.path().join("inv.jsonl");
    let (ok, _, err) = support::run(
        support::licensectl()
            .args(["gen-inventory", "--count", "60000", "--seed", "11"])
            .args(["--now", "2026-11-23T00:00:00Z", "--out"])
            .arg(&inventory),
    );
    assert!(ok, "{err}");
    let at = "2026-11-23T02:00:00Z";
    let from_inventory =
        licensectl_json(&["count", "--inventory", inventory.to_str().unwrap(), "--at", at, "--json"]);
    for width in [32, 64] {
        let shards = dir.path().join(format!("shards{width}"));
        let Some(reference) = clickhouse_shards(&inventory, &shards, width) else { return };
        let merged =
            licensectl_json(&["count", "--from-bitmaps", shards.to_str().unwrap(), "--at", at, "--json"]);
        eprintln!(
            "UInt{width}: ClickHouse SQL {}, licensectl --from-bitmaps {}, --inventory {}, naive sum of 4 shard totals {}",
            reference["total"], merged["total"], from_inventory["total"], reference["sum_of_shard_totals"]
        );
        assert_eq!(merged["total"], reference["total"], "UInt{width}: merged shards vs ClickHouse's SQL");
        assert_eq!(merged["total"], from_inventory["total"], "UInt{width}: merged shards vs the inventory");
        assert_eq!(merged["categories"], from_inventory["categories"], "UInt{width}");
        assert!(
            reference["sum_of_shard_totals"].as_u64() > reference["total"].as_u64(),
            "the shards overlap"
        );
    }

    // The reverse: the states we export load in ClickHouse with the same sets.
    let ours = dir.path().join("ours");
    let (ok, _, err) = support::run(
        support::licensectl()
            .args(["bitmaps", "export", "--inventory"])
            .arg(&inventory)
            .args(["--at", at, "--format", "clickhouse", "--out"])
            .arg(&ours),
    );
    assert!(ok, "{err}");
    let Some(reference) = clickhouse_shards(&inventory, &dir.path().join("again"), 32) else { return };
    for (name, expected) in reference["cardinalities"].as_object().unwrap() {
        let got = cardinality_and_sum(&ours.join(format!("{name}.bin")), "UInt32").unwrap();
        let cardinality = got.split(',').next().unwrap();
        assert_eq!(cardinality, expected.to_string(), "{name}");
    }
}

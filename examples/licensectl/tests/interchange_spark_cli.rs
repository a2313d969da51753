//! `licensectl count --from-spark DIR` without Spark: directories of the
//! Parquet files license-core writes as Spark would (and the one Spark
//! wrote, tests/vectors/spark), against `count --inventory`, and the
//! refusals. tests/python/test_spark.py does the same with Spark itself.

mod support;

use std::path::Path;

use license_core::{
    interchange::{write_spark_parquet, DecodedSet, ExternalSets, SetName},
    license::ActionedLimit,
    CountConfig,
};
use roaring::RoaringBitmap;

const AT: &str = "2026-11-23T02:00:00Z";

fn count(args: &[&str]) -> (bool, String, String) {
    let out = support::licensectl().arg("count").args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(path: &Path, ids: &RoaringBitmap) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, write_spark_parquet(ids).unwrap()).unwrap();
}

#[test]
fn spark_directories_count_as_the_inventory_and_bad_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = dir.path().join("inv.jsonl");
    let inv = inventory.to_str().unwrap();
    let made = support::licensectl()
        .args([
            "gen-inventory",
            "--count",
            "20000",
            "--seed",
            "5",
            "--out",
            inv,
            "--now",
            "2026-11-23T00:00:00Z",
        ])
        .output()
        .unwrap();
    assert!(made.status.success());
    let records = license_core::Inventory::from_jsonl(&std::fs::read(&inventory).unwrap()[..]).unwrap();
    let at = time::OffsetDateTime::parse(AT, &time::format_description::well_known::Rfc3339).unwrap();
    let sets = ExternalSets::from_inventory(&records, at, &CountConfig::new(ActionedLimit::SiteLicense));
    // Each set in two overlapping shards (shard=0/1, as partitionBy names
    // them), the first as two part files, with Spark's marker files.
    let spark = dir.path().join("spark");
    for name in SetName::ALL {
        let DecodedSet::U32(ids) = sets.union(name) else { panic!("32-bit ids") };
        let set_dir = spark.join(format!("set={name}"));
        let even: RoaringBitmap = ids.iter().filter(|i| i % 2 == 0 || i % 5 == 0).collect();
        let odd: RoaringBitmap = ids.iter().filter(|i| i % 2 == 1 || i % 5 == 1).collect();
        let low: RoaringBitmap = even.iter().filter(|&i| i < 10_000).collect();
        write(&set_dir.join("shard=0/part-00000.snappy.parquet"), &low);
        write(&set_dir.join("shard=0/part-00001.snappy.parquet"), &(even - &low));
        write(&set_dir.join("shard=1/part-00000.snappy.parquet"), &odd);
        std::fs::write(set_dir.join("shard=1/_SUCCESS"), b"").unwrap();
    }
    let s = spark.to_str().unwrap();
    let (ok, from_spark, err) = count(&["--from-spark", s, "--at", AT, "--limit", "5000", "--json"]);
    assert!(ok, "{err}");
    let (ok, from_inventory, err) = count(&["--inventory", inv, "--at", AT, "--limit", "5000", "--json"]);
    assert!(ok, "{err}");
    assert_eq!(from_spark, from_inventory);
    let (ok, text, _) = count(&["--from-spark", s, "--at", AT]);
    assert!(ok && text.contains("enrolled×2"), "{text}");
    // --from-spark excludes --inventory and --from-bitmaps.
    assert!(!count(&["--from-spark", s, "--inventory", inv, "--at", AT]).0);
    assert!(!count(&["--from-spark", s, "--from-bitmaps", s, "--at", AT]).0);

    // The file Spark wrote: 11 ids, 0 to 2^32 - 1, all counted.
    let edges = dir.path().join("edges/enrolled");
    std::fs::create_dir_all(&edges).unwrap();
    std::fs::copy(
        support::root().join("tests/vectors/spark/edges.snappy.parquet"),
        edges.join("part-0.parquet"),
    )
    .unwrap();
    let e = dir.path().join("edges");
    let (ok, json, err) = count(&["--from-spark", e.to_str().unwrap(), "--at", AT, "--json"]);
    assert!(ok && json.contains("\"total\":11"), "{json}{err}");

    // Refusals name their kind and the file.
    let bad = dir.path().join("bad/revoked");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("part-9.parquet"), b"PAR1 not parquet PAR1").unwrap();
    let (ok, _, err) = count(&["--from-spark", dir.path().join("bad").to_str().unwrap(), "--at", AT]);
    assert!(!ok && err.contains("[parquet_format]") && err.contains("part-9.parquet"), "{err}");
    std::fs::create_dir_all(dir.path().join("unknown/revoked_lately")).unwrap();
    let (ok, _, err) = count(&["--from-spark", dir.path().join("unknown").to_str().unwrap(), "--at", AT]);
    assert!(!ok && err.contains("[unknown_set_name]"), "{err}");
}

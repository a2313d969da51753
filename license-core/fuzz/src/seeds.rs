//! The seed corpus: which file of tests/vectors or which generated
//! document starts each target. `tests/corpus.rs` checks that the committed
//! `corpus/<target>/seed-*` files are exactly these (and rewrites them with
//! `LC_WRITE_SEEDS=1`).

use license_core::{
    write_clickhouse_state32, write_clickhouse_state64, write_portable32, write_portable32_no_runs,
    write_portable64, Inventory,
};
use roaring::{RoaringBitmap, RoaringTreemap};

use crate::known;

macro_rules! vector {
    ($path:literal) => {
        include_bytes!(concat!("../../../tests/vectors/", $path)).to_vec()
    };
}

/// Every seed: target, file name (without the `seed-` prefix), bytes.
pub fn seeds() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let small_jsonl = vector!("inventory/small.jsonl");
    let inventory = Inventory::from_jsonl(&small_jsonl[..]).expect("the vector inventory reads");
    let sign_log = |n| known::usage_log(n).sign(known::key()).expect("the seed log signs");
    let ledger = serde_json::to_vec(&known::ledger()).expect("a ledger serialises");

    // Every container kind in both widths: an array, a run, a bitset.
    let narrow: RoaringBitmap = (1..40).chain(1_000..1_300).chain((70_000..80_000).step_by(2)).collect();
    let wide: RoaringTreemap = narrow.iter().map(u64::from).chain([(7 << 32) + 5, u64::MAX]).collect();
    let few: RoaringBitmap = [3, 1 << 20, u32::MAX].into_iter().collect();
    let few_wide: RoaringTreemap = [3, 1 << 40].into_iter().collect();

    vec![
        ("license_xml", "certmgr-2026.xml", vector!("licenses/certmgr-2026.xml")),
        ("license_xml", "certmgr-2027.xml", vector!("licenses/certmgr-2027.xml")),
        ("usage_log", "log-0.xml", sign_log(0)),
        ("usage_log", "log-3.xml", sign_log(3)),
        ("usage_log", "fields.txt", b"inst-2\x01Lab & <test>\x01Z\xc3\xbcrich\x015.2.1\x01fp-v1:x".to_vec()),
        ("profile_xml", "server.xml", vector!("profile/server.xml")),
        ("profile_xml", "drift.xml", vector!("profile/drift.xml")),
        ("profile_xml", "bundle-profile.xml", vector!("bundles/profile.xml")),
        ("bundle", "bundle-rs256.bin", vector!("bundles/bundle-rs256.bin")),
        ("bundle", "bundle-pycose-ps256.bin", vector!("bundles/bundle-pycose-ps256.bin")),
        ("bundle", "bundle.json", vector!("bundles/bundle.json")),
        ("license_key", "master.txt", b"MCRT-0MM9-38NK-RT5C".to_vec()),
        ("license_key", "addon-compact.txt", b"acrt0pt3pags1fa8".to_vec()),
        ("license_key", "typo.txt", b"MCRT-0MM9-38NK-RT5D".to_vec()),
        ("license_json", "certmgr-2026.json", vector!("licenses/certmgr-2026.json")),
        ("license_json", "certmgr-2027.json", vector!("licenses/certmgr-2027.json")),
        ("id_set", "portable32.bin", write_portable32(&narrow)),
        ("id_set", "portable32-no-runs.bin", write_portable32_no_runs(&narrow)),
        ("id_set", "portable64.bin", write_portable64(&wide)),
        ("id_set", "clickhouse32-small.bin", write_clickhouse_state32(&few)),
        ("id_set", "clickhouse32-large.bin", write_clickhouse_state32(&narrow)),
        ("id_set", "clickhouse64-small.bin", write_clickhouse_state64(&few_wide)),
        ("id_set", "clickhouse64-large.bin", write_clickhouse_state64(&wide)),
        ("snapshot", "small.snap", inventory.to_snapshot()),
        ("jsonl", "small.jsonl", small_jsonl),
        ("account_json", "account.json", known::account().to_json().into_bytes()),
        ("ledger_json", "ledger.json", ledger),
    ]
}

//! The seed corpus: which file of tests/vectors or which generated
//! document starts each target. `tests/corpus.rs` checks that the committed
//! `corpus/<target>/seed-*` files are exactly these (and rewrites them with
//! `LC_WRITE_SEEDS=1`).

use license_core::{
    actioned::CountHistory,
    instance::MatchPolicy,
    interchange::{
        write_clickhouse_state32, write_clickhouse_state64, write_portable32, write_portable32_no_runs,
        write_portable64,
    },
    usage, Fingerprint, HardwareProfile, Inventory,
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

    let license = vector!("licenses/certmgr-2026.xml");
    let profile =
        HardwareProfile::from_xml(&vector!("profile/server.xml")).expect("the vector profile reads");
    let form = |which: u8, text: String| [vec![which], text.into_bytes()].concat();
    let account = known::account();
    let instance = account.instance("srv-a").expect("the seed instance");
    let mut history = CountHistory::new();
    let mut journal = usage::Journal::default();
    for day in 0..2 {
        let count = known::count(10 + day, known::T0 + time::Duration::days(i64::from(day)));
        history.push(count.clone()).expect("the seed history grows");
        journal.record(&count);
    }
    vec![
        ("license_xml", "certmgr-2026.xml", license.clone()),
        ("license_xml", "namespace-bomb.xml", namespace_bomb(&license)),
        ("license_xml", "certmgr-2027.xml", vector!("licenses/certmgr-2027.xml")),
        ("usage_log", "log-0.xml", sign_log(0)),
        ("usage_log", "log-3.xml", sign_log(3)),
        ("usage_log", "fields.txt", b"inst-2\x01Lab & <test>\x01Z\xc3\xbcrich\x015.2.1\x01fp-v1:x".to_vec()),
        ("profile_xml", "server.xml", vector!("profile/server.xml")),
        ("profile_xml", "drift.xml", vector!("profile/drift.xml")),
        ("profile_xml", "bundle-profile.xml", vector!("bundles/profile.xml")),
        ("profile_xml", "namespace-bomb.xml", namespace_bomb(&vector!("profile/server.xml"))),
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
        ("text_forms", "fingerprint.txt", form(0, Fingerprint::from_profile(&profile).to_string())),
        ("text_forms", "policy.txt", form(1, MatchPolicy::default().to_string())),
        ("text_forms", "version.txt", form(2, "5.2.1-rc.1".to_owned())),
        ("text_forms", "key-id.txt", form(3, known::key().key_id().to_string())),
        ("text_forms", "instance.json", form(4, instance.to_json())),
        ("text_forms", "history.json", form(5, history.to_json())),
        ("text_forms", "journal.json", form(6, serde_json::to_string(&journal).expect("serialises"))),
    ]
}

/// `document` with a long namespace declared on its root and 500 short
/// siblings using it, just before the Signature of a signed document (so
/// verification canonicalises them) or the root's end tag. Found while
/// measuring the XML bound: 4.2 MB (profile) and 10.5 MB (signed license)
/// for these 13 KB, before the tree shared namespace URIs and verification
/// bounded the canonical form.
fn namespace_bomb(document: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(document);
    let root = text.find("?>").map_or(0, |at| at + 2);
    let root_end = root + text[root..].find('>').expect("a root start tag");
    let last_child = text.find("\n  <ds:Signature").or_else(|| text.rfind("\n</")).expect("a root end tag");
    let uri = format!("urn:{}", "u".repeat(8_000));
    let mut out = String::new();
    out.push_str(&text[..root_end]);
    out.push_str(&format!(" xmlns:p=\"{uri}\""));
    out.push_str(&text[root_end..last_child]);
    out.push_str(&"<p:a/>".repeat(500));
    out.push_str(&text[last_child..]);
    out.into_bytes()
}

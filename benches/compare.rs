//! `cargo bench --bench compare [-- --json] [-- --sizes 1000000,10000000]`:
//! the actioned count side by side with its peers, in one run, on
//! inventories from the `gen-inventory` generator's default densities.
//!
//! Count methods (total plus the seven category counts, all checked to give
//! the same numbers): ours over the inventory (revoked/expired resolved
//! from the exact times at `t`), ours over the nine id sets as of `t`
//! (`count_sets`), CRoaring's best calls (`fast_or` + `andnot_cardinality`,
//! per category too), roaring-rs `MultiOps` union + `difference_len`,
//! `HashSet<u32>`, SQLite over indexed tables (query time only), and the
//! memory-bandwidth floor: one sequential pass summing buffers as large as
//! the dense bitmaps the count reads, warm and cold (a large buffer written
//! between runs). Also: building the inventory from in-memory records
//! (records/s), applying events (events/s) and heap bytes per certificate
//! (a counting allocator) against roaring's portable serialized size of the
//! same data: every set the inventory holds (the endpoint counts as the
//! same bit slices), with revocation and expiry times as UTC-day buckets.

#[path = "support/heap.rs"]
mod heap;

use std::collections::{BTreeMap, HashSet};
use std::hint::black_box;
use std::time::Instant;

use croaring::Bitmap as CBitmap;
use license_core::{
    actioned::{count_sets, synthetic_records, Category, CategorySets, Event},
    license::ActionedLimit,
    CertificateRecord, CountConfig, IdSet, Inventory,
};
use roaring::{MultiOps, RoaringBitmap};
use time::OffsetDateTime;

const WEEK: i64 = 7 * 86_400;
/// The instant the inventories are generated around and counted at.
const NOW: i64 = 1_795_404_000; // 2026-11-23T02:00:00Z

struct Report {
    json: bool,
    rows: Vec<(String, u64, f64, bool)>,
}

impl Report {
    fn add(&mut self, method: &str, n: u64, median_ns: f64, cold: bool) {
        if self.json {
            println!(
                "{}",
                // Keys in the documented order: method, n, median_ns, cold.
                format_args!(
                    "{{\"method\":{},\"n\":{n},\"median_ns\":{},\"cold\":{cold}}}",
                    serde_json::Value::from(method),
                    median_ns.round() as u64
                )
            );
        }
        self.rows.push((method.to_owned(), n, median_ns, cold));
    }

    fn get(&self, method: &str, n: u64, cold: bool) -> Option<f64> {
        self.rows.iter().find(|r| r.0 == method && r.1 == n && r.3 == cold).map(|r| r.2)
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Median wall time of `runs` calls (ns), with `before` run untimed first
/// (to evict caches for the cold measurements).
fn time_it<T>(runs: usize, mut before: impl FnMut(), mut f: impl FnMut() -> T) -> f64 {
    median(
        (0..runs)
            .map(|_| {
                before();
                let t = Instant::now();
                black_box(f());
                t.elapsed().as_nanos() as f64
            })
            .collect(),
    )
}

/// The sets of the count, computed from the records by plain code.
struct Sets {
    enrolled: Vec<u32>,
    private_key: Vec<u32>,
    ssl: Vec<u32>,
    /// Endpoints beyond the first, bit-sliced as the inventory keeps them
    /// (slice `k`: the ids whose extra count has bit `k` set), so the size
    /// reference holds the same data: the endpoint counts, not only "one or
    /// more".
    ssl_extra: Vec<Vec<u32>>,
    stores: Vec<Vec<u32>>,
    metadata: Vec<Vec<u32>>,
    collections: Vec<Vec<u32>>,
    revoked: Vec<u32>,
    expired: Vec<u32>,
    recent: Vec<u32>,
    /// Revocations and expiries in UTC-day buckets (for the size reference).
    revoked_days: BTreeMap<i64, Vec<u32>>,
    expiry_days: BTreeMap<i64, Vec<u32>>,
    ids: Vec<u32>,
}

impl Sets {
    fn new(records: &[CertificateRecord], t: i64) -> Sets {
        let mut s = Sets {
            enrolled: vec![],
            private_key: vec![],
            ssl: vec![],
            ssl_extra: vec![],
            stores: vec![vec![]; 12],
            metadata: vec![vec![]; 6],
            collections: vec![vec![]; 6],
            revoked: vec![],
            expired: vec![],
            recent: vec![],
            revoked_days: BTreeMap::new(),
            expiry_days: BTreeMap::new(),
            ids: vec![],
        };
        let pos = |names: &[&str], n: &str| names.iter().position(|x| *x == n).unwrap();
        let metadata: Vec<&str> = license_core::actioned::SYNTHETIC_METADATA.iter().map(|p| p.0).collect();
        let collections: Vec<&str> =
            license_core::actioned::SYNTHETIC_COLLECTIONS.iter().map(|p| p.0).collect();
        for r in records {
            s.ids.push(r.id);
            if r.enrolled {
                s.enrolled.push(r.id);
            }
            if r.private_key {
                s.private_key.push(r.id);
            }
            if r.ssl_endpoints > 0 {
                s.ssl.push(r.id);
            }
            let extra = r.ssl_endpoints.saturating_sub(1);
            for k in 0..32 - extra.leading_zeros() as usize {
                if extra >> k & 1 == 1 {
                    if s.ssl_extra.len() <= k {
                        s.ssl_extra.resize(k + 1, vec![]);
                    }
                    s.ssl_extra[k].push(r.id);
                }
            }
            for n in &r.stores {
                s.stores[pos(&license_core::actioned::SYNTHETIC_STORES, n)].push(r.id);
            }
            for n in &r.metadata {
                s.metadata[pos(&metadata, n)].push(r.id);
            }
            for n in &r.collections {
                s.collections[pos(&collections, n)].push(r.id);
            }
            if let Some(x) = r.revoked_at.map(|x| x.unix_timestamp()) {
                s.revoked_days.entry(x.div_euclid(86_400)).or_default().push(r.id);
                if x <= t {
                    s.revoked.push(r.id);
                }
                if t - WEEK < x && x <= t {
                    s.recent.push(r.id);
                }
            }
            if let Some(x) = r.expires_at.map(|x| x.unix_timestamp()) {
                s.expiry_days.entry(x.div_euclid(86_400)).or_default().push(r.id);
                if x <= t {
                    s.expired.push(r.id);
                }
            }
        }
        s
    }

    /// The live category member lists, in `Category::LIVE` order.
    fn live(&self) -> Vec<Vec<&Vec<u32>>> {
        vec![
            vec![&self.enrolled],
            self.metadata.iter().collect(),
            vec![&self.ssl],
            self.stores.iter().collect(),
            vec![&self.private_key],
            self.collections.iter().collect(),
        ]
    }

    /// Roaring portable serialized size of every set the inventory holds,
    /// with revocations and expiries as UTC-day buckets.
    fn serialized_size(&self) -> usize {
        let size =
            |v: &Vec<u32>| RoaringBitmap::from_sorted_iter(v.iter().copied()).unwrap().serialized_size();
        let mut total = size(&self.ids) + size(&self.enrolled) + size(&self.private_key) + size(&self.ssl);
        total += self.ssl_extra.iter().map(size).sum::<usize>();
        total += self.stores.iter().chain(&self.metadata).chain(&self.collections).map(size).sum::<usize>();
        total += self.revoked_days.values().chain(self.expiry_days.values()).map(size).sum::<usize>();
        total
    }
}

type Counts = (u64, [u64; 7]);

fn count_croaring(live: &[Vec<CBitmap>], revoked: &CBitmap, expired: &CBitmap, recent: &CBitmap) -> Counts {
    let dead = revoked.or(expired);
    let mut per = [0u64; 7];
    let mut cats = Vec::with_capacity(6);
    for (i, members) in live.iter().enumerate() {
        let refs: Vec<&CBitmap> = members.iter().collect();
        let cat = if refs.len() == 1 { refs[0].clone() } else { CBitmap::fast_or(&refs) };
        per[Category::LIVE[i].index()] = cat.andnot_cardinality(&dead);
        cats.push(cat);
    }
    let rw = recent.andnot_cardinality(expired);
    per[Category::RevokedRecently.index()] = rw;
    let all: Vec<&CBitmap> = live.iter().flatten().collect();
    let union = CBitmap::fast_or(&all);
    (union.andnot_cardinality(&dead) + rw, per)
}

fn count_roaring_rs(
    live: &[Vec<RoaringBitmap>],
    revoked: &RoaringBitmap,
    expired: &RoaringBitmap,
    recent: &RoaringBitmap,
) -> Counts {
    let dead = revoked | expired;
    let mut per = [0u64; 7];
    for (i, members) in live.iter().enumerate() {
        let cat = members.iter().union();
        per[Category::LIVE[i].index()] = cat.difference_len(&dead);
    }
    let rw = recent.difference_len(expired);
    per[Category::RevokedRecently.index()] = rw;
    let union = live.iter().flatten().union();
    (union.difference_len(&dead) + rw, per)
}

fn count_hashset(
    live: &[Vec<HashSet<u32>>],
    revoked: &HashSet<u32>,
    expired: &HashSet<u32>,
    recent: &HashSet<u32>,
) -> Counts {
    let mut per = [0u64; 7];
    let mut union: HashSet<u32> = HashSet::new();
    for (i, members) in live.iter().enumerate() {
        let mut cat: HashSet<u32> = HashSet::new();
        for m in members {
            cat.extend(m.iter().filter(|id| !revoked.contains(id) && !expired.contains(id)));
        }
        per[Category::LIVE[i].index()] = cat.len() as u64;
        union.extend(cat);
    }
    let rw: Vec<u32> = recent.iter().filter(|id| !expired.contains(id)).copied().collect();
    per[Category::RevokedRecently.index()] = rw.len() as u64;
    union.extend(rw);
    (union.len() as u64, per)
}

const SQL_COUNT: &str = "
WITH s AS (
  SELECT c.id,
    (c.revoked_at IS NOT NULL AND c.revoked_at <= ?1) OR (c.expires_at IS NOT NULL AND c.expires_at <= ?1) AS dead,
    (c.expires_at IS NOT NULL AND c.expires_at <= ?1) AS expired,
    (c.revoked_at IS NOT NULL AND c.revoked_at > ?1 - 604800 AND c.revoked_at <= ?1) AS recent,
    c.enrolled AS enrolled, c.private_key AS private_key, c.ssl_endpoints > 0 AS ssl,
    EXISTS (SELECT 1 FROM m WHERE m.id = c.id AND m.kind = 0) AS store,
    EXISTS (SELECT 1 FROM m WHERE m.id = c.id AND m.kind = 1) AS metadata,
    EXISTS (SELECT 1 FROM m WHERE m.id = c.id AND m.kind = 2) AS collection
  FROM c
)
SELECT
  SUM((NOT dead AND (enrolled OR private_key OR ssl OR store OR metadata OR collection)) OR (recent AND NOT expired)),
  SUM(NOT dead AND enrolled), SUM(recent AND NOT expired), SUM(NOT dead AND metadata), SUM(NOT dead AND ssl),
  SUM(NOT dead AND store), SUM(NOT dead AND private_key), SUM(NOT dead AND collection)
FROM s";

fn sqlite_load(records: &[CertificateRecord]) -> rusqlite::Connection {
    let db = rusqlite::Connection::open_in_memory().unwrap();
    db.execute_batch(
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
         CREATE TABLE c (id INTEGER PRIMARY KEY, enrolled INT NOT NULL, private_key INT NOT NULL,
                         ssl_endpoints INT NOT NULL, revoked_at INT, expires_at INT);
         CREATE TABLE m (id INT NOT NULL, kind INT NOT NULL, name TEXT NOT NULL);",
    )
    .unwrap();
    let tx = db.unchecked_transaction().unwrap();
    {
        let mut c = tx.prepare("INSERT INTO c VALUES (?1, ?2, ?3, ?4, ?5, ?6)").unwrap();
        let mut m = tx.prepare("INSERT INTO m VALUES (?1, ?2, ?3)").unwrap();
        for r in records {
            c.execute(rusqlite::params![
                r.id,
                r.enrolled,
                r.private_key,
                r.ssl_endpoints,
                r.revoked_at.map(|t| t.unix_timestamp()),
                r.expires_at.map(|t| t.unix_timestamp())
            ])
            .unwrap();
            for (kind, list) in [(0, &r.stores), (1, &r.metadata), (2, &r.collections)] {
                for name in list {
                    m.execute(rusqlite::params![r.id, kind, name]).unwrap();
                }
            }
        }
    }
    tx.commit().unwrap();
    db.execute_batch("CREATE INDEX m_id ON m (id, kind, name); ANALYZE;").unwrap();
    db
}

fn count_sqlite(db: &rusqlite::Connection, t: i64) -> Counts {
    let mut stmt = db.prepare_cached(SQL_COUNT).unwrap();
    stmt.query_row([t], |row| {
        let mut per = [0u64; 7];
        for (i, c) in [
            Category::Enrolled,
            Category::RevokedRecently,
            Category::Metadata,
            Category::SslEndpoint,
            Category::CertStore,
            Category::PrivateKey,
            Category::Collection,
        ]
        .iter()
        .enumerate()
        {
            per[c.index()] = row.get::<_, i64>(i + 1)? as u64;
        }
        Ok((row.get::<_, i64>(0)? as u64, per))
    })
    .unwrap()
}

/// A deterministic mix of events over existing ids.
fn events(ids: &[u32], n: usize) -> Vec<Event> {
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let stores = license_core::actioned::SYNTHETIC_STORES;
    let fields = license_core::actioned::SYNTHETIC_METADATA;
    let colls = license_core::actioned::SYNTHETIC_COLLECTIONS;
    (0..n)
        .map(|_| {
            let r = next();
            let id = ids[(r % ids.len() as u64) as usize];
            let k = (r >> 32) % 100;
            let pick = (r >> 40) as usize;
            match k {
                0..=19 => Event::AddedToStore { id, store: stores[pick % 12].to_owned() },
                20..=34 => Event::RemovedFromStore { id, store: stores[pick % 12].to_owned() },
                35..=44 => Event::MetadataSet { id, field: fields[pick % 6].0.to_owned() },
                45..=49 => Event::MetadataCleared { id, field: fields[pick % 6].0.to_owned() },
                50..=57 => Event::AddedToCollection { id, collection: colls[pick % 6].0.to_owned() },
                58..=62 => Event::RemovedFromCollection { id, collection: colls[pick % 6].0.to_owned() },
                63..=67 => Event::EndpointMonitoringOn { id },
                68..=72 => Event::PrivateKeyStored { id },
                73..=75 => Event::PrivateKeyDeleted { id },
                76..=80 => Event::Enrolled { id },
                81..=90 => Event::ExpirySet {
                    id,
                    expires_at: OffsetDateTime::from_unix_timestamp(NOW + (pick % 40_000_000) as i64).ok(),
                },
                91..=96 => Event::Revoked {
                    id,
                    at: OffsetDateTime::from_unix_timestamp(NOW - (pick % 5_000_000) as i64).unwrap(),
                },
                _ => Event::Deleted { id },
            }
        })
        .collect()
}

fn run(n: u32, report: &mut Report) {
    let t_now = OffsetDateTime::from_unix_timestamp(NOW).unwrap();
    let records: Vec<CertificateRecord> = synthetic_records(n, 1, t_now).collect();
    let n64 = u64::from(n);
    let big = n >= 5_000_000;
    let runs = if big { 7 } else { 15 };
    eprintln!("n = {n}: {} records generated", records.len());

    // Building, and its memory.
    let (inv, bytes) = heap::retained(|| Inventory::from_records(&records).unwrap());
    let bytes = bytes as f64;
    let build_ns = time_it(if big { 3 } else { 5 }, || {}, || Inventory::from_records(&records).unwrap());
    report.add("build from records", n64, build_ns, false);

    let config = CountConfig::new(ActionedLimit::SiteLicense);
    let sets = Sets::new(&records, NOW);
    let serialized = sets.serialized_size() as f64;
    // The same without revocation and expiry times: the membership sets
    // alone, against their own serialized size.
    let (sets_bytes, sets_serialized) = {
        let timeless: Vec<CertificateRecord> = records
            .iter()
            .map(|r| CertificateRecord { revoked_at: None, expires_at: None, ..r.clone() })
            .collect();
        let (inv, bytes) = heap::retained(|| Inventory::from_records(&timeless).unwrap());
        let bytes = bytes as f64;
        drop(inv);
        let plain = Sets::new(&timeless, NOW);
        (bytes, plain.serialized_size() as f64)
    };

    // Ours, from the inventory (exact times resolved at t).
    let ours = inv.count(t_now, &config);
    let expect: Counts = (ours.total(), Category::ALL.map(|c| ours.category(c)));
    report.add("ours Inventory::count", n64, time_it(runs, || {}, || inv.count(t_now, &config)), false);

    // The nine sets as of t, for every set-based method.
    let id_sets = |v: &Vec<u32>| IdSet::from_iter(v.iter().copied());
    let live_ids: Vec<Vec<IdSet>> =
        sets.live().iter().map(|m| m.iter().map(|v| id_sets(v)).collect()).collect();
    let (rv, ex, rc) = (id_sets(&sets.revoked), id_sets(&sets.expired), id_sets(&sets.recent));
    let mut cs =
        CategorySets::new(t_now).with_revoked(&rv).with_expired(&ex).with(Category::RevokedRecently, &rc);
    for (i, members) in live_ids.iter().enumerate() {
        for m in members {
            cs = cs.with(Category::LIVE[i], m);
        }
    }
    let got = count_sets(&cs, ActionedLimit::SiteLicense);
    assert_eq!((got.total(), Category::ALL.map(|c| got.category(c))), expect, "count_sets disagrees");
    report.add(
        "ours count_sets (nine sets)",
        n64,
        time_it(runs, || {}, || count_sets(&cs, ActionedLimit::SiteLicense)),
        false,
    );

    let to_c = |v: &Vec<u32>| {
        let mut b = CBitmap::of(v);
        b.run_optimize();
        b
    };
    let c_live: Vec<Vec<CBitmap>> = sets.live().iter().map(|m| m.iter().map(|v| to_c(v)).collect()).collect();
    let (c_rv, c_ex, c_rc) = (to_c(&sets.revoked), to_c(&sets.expired), to_c(&sets.recent));
    assert_eq!(count_croaring(&c_live, &c_rv, &c_ex, &c_rc), expect, "croaring disagrees");
    report.add(
        "croaring fast_or+andnot_cardinality",
        n64,
        time_it(runs, || {}, || count_croaring(&c_live, &c_rv, &c_ex, &c_rc)),
        false,
    );

    let to_r = |v: &Vec<u32>| RoaringBitmap::from_sorted_iter(v.iter().copied()).unwrap();
    let r_live: Vec<Vec<RoaringBitmap>> =
        sets.live().iter().map(|m| m.iter().map(|v| to_r(v)).collect()).collect();
    let (r_rv, r_ex, r_rc) = (to_r(&sets.revoked), to_r(&sets.expired), to_r(&sets.recent));
    assert_eq!(count_roaring_rs(&r_live, &r_rv, &r_ex, &r_rc), expect, "roaring-rs disagrees");
    report.add(
        "roaring-rs MultiOps+difference_len",
        n64,
        time_it(runs, || {}, || count_roaring_rs(&r_live, &r_rv, &r_ex, &r_rc)),
        false,
    );

    let to_h = |v: &Vec<u32>| v.iter().copied().collect::<HashSet<u32>>();
    let h_live: Vec<Vec<HashSet<u32>>> =
        sets.live().iter().map(|m| m.iter().map(|v| to_h(v)).collect()).collect();
    let (h_rv, h_ex, h_rc) = (to_h(&sets.revoked), to_h(&sets.expired), to_h(&sets.recent));
    assert_eq!(count_hashset(&h_live, &h_rv, &h_ex, &h_rc), expect, "HashSet disagrees");
    report.add("HashSet<u32>", n64, time_it(3, || {}, || count_hashset(&h_live, &h_rv, &h_ex, &h_rc)), false);
    drop(h_live);

    eprintln!("n = {n}: loading SQLite");
    let db = sqlite_load(&records);
    assert_eq!(count_sqlite(&db, NOW), expect, "SQLite disagrees");
    report.add(
        "SQLite (indexed, query only)",
        n64,
        time_it(if big { 2 } else { 3 }, || {}, || count_sqlite(&db, NOW)),
        false,
    );
    drop(db);

    // The floor: one sequential pass over as many bytes as the dense
    // bitmaps the count reads (every member set, revoked, expired, recent;
    // each a bitmap over the id range).
    let max_id = u64::from(*sets.ids.last().unwrap_or(&0)) + 1;
    let members = live_ids.iter().map(Vec::len).sum::<usize>() + 3;
    let words = (max_id.div_ceil(64) as usize) * members;
    let floor: Vec<u64> = (0..words as u64).map(|i| i.wrapping_mul(0x9E37_79B9)).collect();
    let floor_sum = || floor.iter().fold(0u64, |a, &w| a.wrapping_add(w));
    let mut evict: Vec<u64> = vec![1; 32 << 20]; // 256 MiB, 8x the L3 of the test machine
    let mut flush = || {
        for (i, w) in evict.iter_mut().enumerate() {
            *w = w.wrapping_add(i as u64);
        }
        black_box(&evict);
    };
    report.add("memory floor (sequential sum)", n64, time_it(runs, || {}, floor_sum), false);
    report.add("memory floor (sequential sum)", n64, time_it(runs, &mut flush, floor_sum), true);
    report.add("ours Inventory::count", n64, time_it(runs, &mut flush, || inv.count(t_now, &config)), true);
    report.add(
        "ours count_sets (nine sets)",
        n64,
        time_it(runs, &mut flush, || count_sets(&cs, ActionedLimit::SiteLicense)),
        true,
    );
    report.add(
        "croaring fast_or+andnot_cardinality",
        n64,
        time_it(runs, &mut flush, || count_croaring(&c_live, &c_rv, &c_ex, &c_rc)),
        true,
    );
    drop((floor, evict));

    // Events: the stream's events that apply (an event on a deleted id
    // fails), as one `apply_all` batch, grouped by chunk.
    let stream = events(&sets.ids, if big { 4_000_000 } else { 1_000_000 });
    let stream: Vec<Event> = {
        let mut copy = inv.clone();
        stream.into_iter().filter(|e| copy.apply(e).is_ok()).collect()
    };
    // Each run applies the batch to a fresh copy (the copy is not timed).
    let mut apply_only = Vec::new();
    for _ in 0..3 {
        let mut copy = inv.clone();
        let t = Instant::now();
        copy.apply_all(&stream).unwrap();
        apply_only.push(t.elapsed().as_nanos() as f64);
        black_box(&copy);
    }
    report.add("apply events", n64, median(apply_only), false);

    if !report.json {
        let floor_warm = report.get("memory floor (sequential sum)", n64, false).unwrap();
        let floor_cold = report.get("memory floor (sequential sum)", n64, true).unwrap();
        let ours = report.get("ours Inventory::count", n64, false).unwrap();
        println!(
            "\n== actioned count, n = {n} certificates ({} bytes of dense bitmaps read by the floor)",
            words * 8
        );
        println!("{:<40} {:>6} {:>14} {:>12} {:>12}", "method", "cache", "median", "x floor", "x ours");
        for (m, nn, ns, cold) in report
            .rows
            .iter()
            .filter(|r| r.1 == n64 && !r.0.starts_with("build") && !r.0.starts_with("apply"))
        {
            let _ = nn;
            let floor = if *cold { floor_cold } else { floor_warm };
            let ours_same = report.get("ours Inventory::count", n64, *cold).unwrap_or(ours);
            println!(
                "{:<40} {:>6} {:>11.3} ms {:>12.2} {:>12.2}",
                m,
                if *cold { "cold" } else { "warm" },
                ns / 1e6,
                ns / floor,
                ns / ours_same
            );
        }
        println!("build from records: {:.1} M records/s", n as f64 / build_ns * 1e3);
        let ev = report.get("apply events", n64, false).unwrap();
        println!("apply events: {:.1} M events/s ({} events)", stream.len() as f64 / ev * 1e3, stream.len());
        println!(
            "memory: {:.2} bytes/certificate on the heap; roaring portable size of the same sets {:.2} bytes/certificate (ratio {:.2})",
            bytes / n as f64,
            serialized / n as f64,
            bytes / serialized
        );
        println!(
            "membership sets alone (no times): {:.2} bytes/certificate on the heap; roaring portable {:.2} (ratio {:.2})",
            sets_bytes / n as f64,
            sets_serialized / n as f64,
            sets_bytes / sets_serialized
        );
    } else {
        for (method, value) in [
            ("heap bytes per certificate", bytes),
            ("roaring serialized bytes per certificate", serialized),
            ("heap bytes per certificate, sets without times", sets_bytes),
            ("roaring serialized bytes per certificate, sets without times", sets_serialized),
        ] {
            println!("{{\"method\":\"{method}\",\"n\":{n},\"value\":{:.3}}}", value / n as f64);
        }
        println!(
            "{{\"method\":\"events per second\",\"n\":{n},\"value\":{:.0}}}",
            stream.len() as f64 / report.get("apply events", n64, false).unwrap_or(f64::NAN) * 1e9
        );
        println!(
            "{{\"method\":\"records per second\",\"n\":{n},\"value\":{:.0}}}",
            n as f64 / build_ns * 1e9
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let json = args.iter().any(|a| a == "--json");
    let sizes: Vec<u32> = args
        .iter()
        .position(|a| a == "--sizes")
        .and_then(|i| args.get(i + 1))
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000_000, 10_000_000]);
    let mut report = Report { json, rows: Vec::new() };
    for n in sizes {
        run(n, &mut report);
    }
}

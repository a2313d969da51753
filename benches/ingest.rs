//! `cargo bench --bench ingest [-- --json] [-- --sizes 1000000,10000000]`:
//! from raw data to a count (issue 15, "Measure"), on inventories from the
//! `gen-inventory` generator's default densities (1,000,000 certificates
//! unless `--sizes` says otherwise).
//!
//! Rows, one criterion group per size: JSON Lines in bytes/s
//! (`Inventory::from_jsonl` over the bytes `licensectl gen-inventory`
//! writes), snapshot loading in bytes/s (`Inventory::from_snapshot`),
//! building from in-memory records in records/s (`Inventory::from_records`),
//! applying events as one `Inventory::apply_all` batch in events/s (the
//! events of the stream that apply; to a fresh copy each time, the copy
//! not timed) and the count itself
//! (`Inventory::count`, `Notes` excluded). A counting global allocator gives
//! the heap bytes per certificate the built inventory holds. Beside the
//! records row, a calibration: the records read alone (every field, every
//! name's bytes, no inventory work), the floor under `from_records`; and
//! the column-wise insert (`Inventory::insert_columns`, the C batch's and
//! Python's path) of the same records, filled into columns untimed.
//!
//! The harness: criterion runs and reports every row, but it is configured
//! here rather than from the command line, because criterion's parser
//! refuses flags it does not know (`--json`, `--sizes`); its own flags are
//! not available in this bench. After the last size, one summary line per
//! size, JSON with `--json` (lines starting `{"bench":"ingest"`, so they can
//! be picked out of criterion's report) or a table otherwise; the times in
//! it are the medians of every call criterion timed. Without `--bench` (as
//! under `cargo test --benches`) each row runs once at 10,000 certificates,
//! to check that the bench works.
//!
//! `--rows records,count,events,jsonl,snapshot` runs only the rows named
//! (all by default); a row not run reports NaN (`null` in JSON). Without
//! the records row the records are never held at once (the inventory is
//! built from 10M-record parts, merged), so `--rows count,events,snapshot
//! --sizes 100000000` fits in memory.

#[path = "support/heap.rs"]
mod heap;

use std::cell::RefCell;
use std::hint::black_box;
use std::io::Write;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput};
use license_core::{
    actioned::{
        synthetic_records, CertificateColumns, Event, SYNTHETIC_COLLECTIONS, SYNTHETIC_METADATA,
        SYNTHETIC_STORES,
    },
    license::ActionedLimit,
    CertificateRecord, CountConfig, Inventory,
};
use time::OffsetDateTime;

/// The instant the inventories are generated around and counted at.
const NOW: i64 = 1_795_404_000; // 2026-11-23T02:00:00Z
/// The generator's seed (as `gen-inventory --seed 1`).
const SEED: u64 = 1;
/// Events applied per timed call (fewer if the inventory is smaller).
const EVENTS: usize = 1_000_000;

/// Per-call times of one row, in ns: every call criterion timed, wall
/// clock, and the CPU time of the process over each call (every thread;
/// steadier than the wall clock on a shared machine).
#[derive(Default)]
struct Calls(RefCell<Vec<f64>>, RefCell<Vec<f64>>);

/// The CPU time this process has used, user and system, in ns (Linux:
/// `/proc/self/stat`, in clock ticks of 10 ms; NaN elsewhere).
fn cpu_ns() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        (Some(user), Some(system)) => (user + system) * 1e7,
        _ => f64::NAN,
    }
}

impl Calls {
    /// Times `iters` calls of `f`, each on its own (so the summary can take
    /// a median), and what `setup` returns for each is made untimed.
    fn time<S, T>(&self, iters: u64, mut setup: impl FnMut() -> S, mut f: impl FnMut(S) -> T) -> Duration {
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            let input = setup();
            let (t, cpu) = (Instant::now(), cpu_ns());
            let out = f(input);
            let (elapsed, cpu) = (t.elapsed(), cpu_ns() - cpu);
            black_box(out);
            total += elapsed;
            self.0.borrow_mut().push(elapsed.as_nanos() as f64);
            self.1.borrow_mut().push(cpu);
        }
        total
    }

    fn median_ns(&self) -> f64 {
        Calls::median(&self.0)
    }

    fn median_cpu_ns(&self) -> f64 {
        Calls::median(&self.1)
    }

    fn mean_cpu_ns(&self) -> f64 {
        let v = self.1.borrow();
        v.iter().sum::<f64>() / v.len() as f64
    }

    fn median(calls: &RefCell<Vec<f64>>) -> f64 {
        let mut v = calls.borrow().clone();
        v.sort_by(|a, b| a.total_cmp(b));
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    }
}

/// A deterministic mix of events over existing ids (the same mix as the
/// compare bench's).
fn events(ids: &[u32], n: usize) -> Vec<Event> {
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..n)
        .map(|_| {
            let r = next();
            let id = ids[(r % ids.len() as u64) as usize];
            let pick = (r >> 40) as usize;
            let store = || SYNTHETIC_STORES[pick % SYNTHETIC_STORES.len()].to_owned();
            let field = || SYNTHETIC_METADATA[pick % SYNTHETIC_METADATA.len()].0.to_owned();
            let collection = || SYNTHETIC_COLLECTIONS[pick % SYNTHETIC_COLLECTIONS.len()].0.to_owned();
            match (r >> 32) % 100 {
                0..=19 => Event::AddedToStore { id, store: store() },
                20..=34 => Event::RemovedFromStore { id, store: store() },
                35..=44 => Event::MetadataSet { id, field: field() },
                45..=49 => Event::MetadataCleared { id, field: field() },
                50..=57 => Event::AddedToCollection { id, collection: collection() },
                58..=62 => Event::RemovedFromCollection { id, collection: collection() },
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
                    at: OffsetDateTime::from_unix_timestamp(NOW - (pick % 5_000_000) as i64)
                        .unwrap_or(OffsetDateTime::UNIX_EPOCH),
                },
                _ => Event::Deleted { id },
            }
        })
        .collect()
}

/// What any build from records must do at least, with no inventory work:
/// read every field of every record and load every name's bytes (its
/// first and last eight, as the name lookup does), on one thread per core
/// like `Inventory::from_records`. A calibration for the records row: the
/// part of its time that is reading the records, not building from them.
fn read_records(records: &[CertificateRecord]) -> u64 {
    let word =
        |b: &[u8], at: usize| b.get(at..at + 8).and_then(|w| w.try_into().ok()).map_or(0, u64::from_le_bytes);
    let touch = |r: &CertificateRecord| {
        let secs = |t: Option<OffsetDateTime>| t.map_or(0, |t| t.unix_timestamp() as u64);
        let mut h =
            u64::from(r.id) ^ u64::from(r.ssl_endpoints) ^ u64::from(r.enrolled) ^ u64::from(r.private_key);
        h ^= secs(r.revoked_at).rotate_left(7) ^ secs(r.expires_at).rotate_left(13);
        for name in r.stores.iter().chain(&r.metadata).chain(&r.collections) {
            let b = name.as_bytes();
            let first = u64::from(b.first().copied().unwrap_or(0));
            h = h.rotate_left(5) ^ b.len() as u64 ^ first ^ word(b, 0) ^ word(b, b.len().saturating_sub(8));
        }
        h
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let part = records.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = records
            .chunks(part)
            .map(|p| s.spawn(move || p.iter().map(touch).fold(0, u64::wrapping_add)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).fold(0, u64::wrapping_add)
    })
}

/// Records per part when the inventory is built without holding every
/// record (see [`built_in_parts`]).
const PART: usize = 10_000_000;

/// The inventory of `n` synthetic certificates, built from parts of
/// [`PART`] records merged in id order, with the heap bytes it holds and
/// its ids: how the rows other than `records` get an inventory of any size
/// without holding every record at once.
fn built_in_parts(n: u32, now: OffsetDateTime) -> (Inventory, isize, Vec<u32>) {
    let mut ids = Vec::with_capacity(n as usize);
    let mut records = synthetic_records(n, SEED, now);
    let (inv, heap_bytes) = heap::retained(|| {
        let mut inv = Inventory::default();
        loop {
            let part: Vec<_> = records.by_ref().take(PART).collect();
            if part.is_empty() {
                return inv;
            }
            ids.extend(part.iter().map(|r| r.id));
            let built = Inventory::from_records(&part).expect("synthetic records are valid");
            drop(part);
            inv.merge(built).expect("the parts hold distinct ids");
        }
    });
    (inv, heap_bytes, ids)
}

/// The events of `stream` that apply, in order, to `inv` (one by one, to
/// a copy): a batch that `apply_all` applies whole.
fn valid_events(inv: &Inventory, stream: Vec<Event>) -> Vec<Event> {
    let mut copy = inv.clone();
    stream.into_iter().filter(|e| copy.apply(e).is_ok()).collect()
}

/// `x` rounded to a whole number, or `null` for a row not run (NaN).
fn whole(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.0}")
    } else {
        "null".to_owned()
    }
}

/// The figures of one size.
struct Summary {
    n: u32,
    jsonl_bytes: usize,
    jsonl_ns: f64,
    snapshot_bytes: usize,
    snapshot_ns: f64,
    records_ns: f64,
    events: usize,
    events_ns: f64,
    heap_bytes: usize,
    count_ns: f64,
    total: u64,
}

impl Summary {
    fn per_s(amount: usize, ns: f64) -> f64 {
        amount as f64 / (ns / 1e9)
    }

    fn json(&self) -> String {
        let n = self.n as usize;
        // Keys in the documented order; rates rounded to whole units.
        format!(
            concat!(
                "{{\"bench\":\"ingest\",\"n\":{},\"jsonl_bytes\":{},\"jsonl_bytes_per_s\":{},",
                "\"snapshot_bytes\":{},\"snapshot_bytes_per_s\":{},\"records_per_s\":{},",
                "\"events\":{},\"events_per_s\":{},\"heap_bytes_per_cert\":{:.2},",
                "\"snapshot_bytes_per_cert\":{:.2},\"count_ns\":{},\"total\":{}}}"
            ),
            n,
            self.jsonl_bytes,
            whole(Summary::per_s(self.jsonl_bytes, self.jsonl_ns)),
            self.snapshot_bytes,
            whole(Summary::per_s(self.snapshot_bytes, self.snapshot_ns)),
            whole(Summary::per_s(n, self.records_ns)),
            self.events,
            whole(Summary::per_s(self.events, self.events_ns)),
            self.heap_bytes as f64 / n as f64,
            self.snapshot_bytes as f64 / n as f64,
            whole(self.count_ns),
            self.total
        )
    }

    fn table(&self) -> String {
        let n = self.n as usize;
        let mb = |bytes: usize, ns: f64| Summary::per_s(bytes, ns) / 1e6;
        let m = |amount: usize, ns: f64| Summary::per_s(amount, ns) / 1e6;
        format!(
            "n = {n}: JSON Lines {:.0} MB in {:.3} s = {:.1} MB/s | snapshot {:.1} MB in {:.1} ms = {:.0} MB/s | \
             records {:.2} M/s | events {:.2} M/s | {:.2} heap bytes per certificate \
             (snapshot {:.2} bytes each) | count {:.2} ms (total {})",
            self.jsonl_bytes as f64 / 1e6,
            self.jsonl_ns / 1e9,
            mb(self.jsonl_bytes, self.jsonl_ns),
            self.snapshot_bytes as f64 / 1e6,
            self.snapshot_ns / 1e6,
            mb(self.snapshot_bytes, self.snapshot_ns),
            m(n, self.records_ns),
            m(self.events, self.events_ns),
            self.heap_bytes as f64 / n as f64,
            self.snapshot_bytes as f64 / n as f64,
            self.count_ns / 1e6,
            self.total
        )
    }
}

/// The rows to run: the names given to `--rows`, or every row.
struct Rows(Option<Vec<String>>);

impl Rows {
    fn wants(&self, row: &str) -> bool {
        self.0.as_ref().is_none_or(|rows| rows.iter().any(|r| r == row))
    }
}

fn run(c: &mut Criterion, n: u32, quick: bool, rows: &Rows) -> Summary {
    let now = OffsetDateTime::from_unix_timestamp(NOW).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let config = CountConfig::new(ActionedLimit::SiteLicense).exclude_metadata("Notes");
    let mut group = c.benchmark_group(format!("ingest {n}"));
    group.sampling_mode(SamplingMode::Flat);
    if quick {
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(1))
            .measurement_time(Duration::from_millis(1));
    } else {
        group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
    }

    // From records, and what the inventory holds. The records are held
    // whole only for the records row: at 100M they would take tens of
    // GB. Otherwise the inventory is built from parts of `PART` records,
    // merged in id order.
    let build = Calls::default();
    let (inv, heap_bytes, ids) = if rows.wants("records") {
        let records: Vec<_> = synthetic_records(n, SEED, now).collect();
        let (inv, heap_bytes) =
            heap::retained(|| Inventory::from_records(&records).expect("synthetic records are valid"));
        group.throughput(Throughput::Elements(u64::from(n)));
        group.bench_function("from_records", |b| {
            b.iter_custom(|iters| build.time(iters, || (), |()| Inventory::from_records(&records)))
        });
        let read = Calls::default();
        group.bench_function("read records (no inventory)", |b| {
            b.iter_custom(|iters| read.time(iters, || (), |()| read_records(&records)))
        });
        // Not in the summary (its keys are fixed): on stderr, for A/B runs.
        eprintln!(
            "from_records {n}: median {:.3} s wall, {:.3} s CPU (every thread) per call; \
             reading the records alone {:.3} s wall, {:.3} s CPU",
            build.median_ns() / 1e9,
            build.median_cpu_ns() / 1e9,
            read.median_ns() / 1e9,
            read.median_cpu_ns() / 1e9
        );
        // The column-wise insert, the path of the C batch
        // (`lc_inventory_insert_batch`) and of Python's columns: the
        // columns are filled once, and each call inserts a copy of them
        // (the copy not timed).
        let columns = CertificateColumns::from_records(&records, 0).expect("synthetic records are valid");
        let insert = Calls::default();
        group.bench_function("insert_columns", |b| {
            b.iter_custom(|iters| {
                insert.time(
                    iters,
                    || columns.clone(),
                    |columns| {
                        let mut inv = Inventory::new();
                        inv.insert_columns(columns, 0).map(|()| inv)
                    },
                )
            })
        });
        drop(columns);
        // Not in the summary (its keys are fixed): on stderr.
        eprintln!(
            "insert_columns {n}: median {:.3} s wall = {:.2} M/s, {:.3} s CPU (every thread) per call",
            insert.median_ns() / 1e9,
            Summary::per_s(n as usize, insert.median_ns()) / 1e6,
            insert.median_cpu_ns() / 1e9
        );
        let ids: Vec<u32> = records.iter().map(|r| r.id).collect();
        (inv, heap_bytes, ids)
    } else {
        built_in_parts(n, now)
    };
    let heap_bytes = heap_bytes.max(0) as usize;
    let total = inv.count(now, &config).total();
    let snapshot = inv.to_snapshot();

    // The count.
    let count = Calls::default();
    if rows.wants("count") {
        group.throughput(Throughput::Elements(u64::from(n)));
        group.bench_function("count", |b| {
            b.iter_custom(|iters| count.time(iters, || (), |()| inv.count(now, &config)))
        });
    }

    // Events, as one batch (`apply_all`, grouped by chunk) applied to a
    // fresh copy. The batch is the stream's events that apply (an event on
    // a deleted id fails, and a failing batch applies nothing).
    let apply = Calls::default();
    let mut events_applied = 0;
    if rows.wants("events") {
        let stream = valid_events(&inv, events(&ids, EVENTS.min(ids.len())));
        group.throughput(Throughput::Elements(stream.len() as u64));
        group.bench_function("apply events", |b| {
            b.iter_custom(|iters| {
                apply.time(
                    iters,
                    || inv.clone(),
                    |mut copy| {
                        copy.apply_all(&stream).expect("the batch holds only events that apply");
                        copy
                    },
                )
            })
        });
        events_applied = stream.len();
        // Not in the summary (its keys are fixed): on stderr, for A/B runs.
        eprintln!(
            "apply events {n}: {} events, median {:.1} ms wall, {:.1} ms CPU (every thread; mean {:.1} ms, \
             of 10 ms ticks) per call",
            stream.len(),
            apply.median_ns() / 1e6,
            apply.median_cpu_ns() / 1e6,
            apply.mean_cpu_ns() / 1e6
        );
    }
    drop(ids);

    // JSON Lines, as `licensectl gen-inventory` writes them.
    let parse = Calls::default();
    let mut jsonl_bytes = 0;
    if rows.wants("jsonl") {
        let mut jsonl = Vec::new();
        for record in synthetic_records(n, SEED, now) {
            jsonl.extend_from_slice(record.to_json().as_bytes());
            jsonl.push(b'\n');
        }
        let from_jsonl = Inventory::from_jsonl(jsonl.as_slice()).expect("generated JSON Lines load");
        assert!(from_jsonl.to_snapshot() == snapshot, "JSON Lines and records built different inventories");
        drop(from_jsonl);
        group.throughput(Throughput::Bytes(jsonl.len() as u64));
        group.bench_function("from_jsonl", |b| {
            b.iter_custom(|iters| parse.time(iters, || (), |()| Inventory::from_jsonl(jsonl.as_slice())))
        });
        jsonl_bytes = jsonl.len();
    }

    // The snapshot.
    let load = Calls::default();
    if rows.wants("snapshot") {
        let loaded = Inventory::from_snapshot(&snapshot).expect("our own snapshot loads");
        assert_eq!(loaded.count(now, &config).total(), total, "the snapshot counts differently");
        drop(loaded);
        group.throughput(Throughput::Bytes(snapshot.len() as u64));
        group.bench_function("from_snapshot", |b| {
            b.iter_custom(|iters| load.time(iters, || (), |()| Inventory::from_snapshot(&snapshot)))
        });
    }
    group.finish();

    Summary {
        n,
        jsonl_bytes,
        jsonl_ns: parse.median_ns(),
        snapshot_bytes: snapshot.len(),
        snapshot_ns: load.median_ns(),
        records_ns: build.median_ns(),
        events: events_applied,
        events_ns: apply.median_ns(),
        heap_bytes,
        count_ns: count.median_ns(),
        total,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let json = args.iter().any(|a| a == "--json");
    // `cargo bench` passes `--bench`; `cargo test --benches` does not.
    let quick = !args.iter().any(|a| a == "--bench");
    let sizes: Vec<u32> = args
        .iter()
        .position(|a| a == "--sizes")
        .and_then(|i| args.get(i + 1))
        .map(|s| s.split(',').filter_map(|x| x.trim().replace('_', "").parse().ok()).collect())
        .unwrap_or_else(|| vec![if quick { 10_000 } else { 1_000_000 }]);
    let rows = Rows(
        args.iter()
            .position(|a| a == "--rows")
            .and_then(|i| args.get(i + 1))
            .map(|s| s.split(',').map(|r| r.trim().to_owned()).collect()),
    );
    let mut criterion = Criterion::default();
    let summaries: Vec<Summary> = sizes.into_iter().map(|n| run(&mut criterion, n, quick, &rows)).collect();
    criterion.final_summary();
    let mut out = std::io::stdout().lock();
    for s in &summaries {
        let line = if json { s.json() } else { s.table() };
        let _ = writeln!(out, "{line}");
    }
}

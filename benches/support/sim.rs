//! `cargo bench --bench interchange -- --sim N`: counting N certificates
//! (1,000,000,000 for the docs/SCALE.md table) from 16 overlapping shards,
//! in both engine formats: ClickHouse `groupBitmap` states and Spark bitmap
//! aggregates in Parquet.
//!
//! The nine sets are generated straight as bitmaps, 65,536 ids at a time,
//! never as records: each set's bits are drawn with its density in the
//! `gen-inventory` model (enrolled 18 %, metadata 27 %, …; recently
//! revoked a subset of revoked). Shards are blocks of 65,536 ids dealt
//! round-robin to 16 shards, every 7th block also to the next shard (so a
//! certificate may be on two shards, as in a lake partitioned by id block).
//! Reported per format: bytes per shard file, parse (bytes into the
//! kernel's sets), merge + count, and the peak resident memory of each
//! phase (VmHWM, reset before it; the input files are resident
//! throughout). The counts of both formats must equal the count of the
//! unsharded sets.

use std::time::Instant;

use license_core::{
    interchange::{
        write_clickhouse_state32, write_spark_parquet, DecodedSet, ExternalSets, InterchangeLimits, SetName,
    },
    license::ActionedLimit,
};
use roaring::RoaringBitmap;
use time::OffsetDateTime;

const SHARDS: usize = 16;
const BLOCK: u32 = 65_536;

/// Densities out of 256, in `SetName::ALL` order (enrolled,
/// revoked_recently, metadata, ssl_endpoint, cert_store, private_key,
/// collection, revoked, expired): near `gen-inventory`'s.
const DENSITY: [u32; 9] = [46, 0, 70, 16, 38, 31, 35, 5, 90];
/// Recently revoked: this many out of 256 of the revoked ones.
const RECENT_OF_REVOKED: u32 = 18;

/// splitmix64: a fixed, fast generator, so every run draws the same sets.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A word whose bits are each set with probability `k / 256`.
    fn word(&mut self, k: u32) -> u64 {
        let mut w = 0u64;
        for bit in 0..8 {
            let r = self.next();
            w = if k >> bit & 1 == 1 { w | r } else { w & r };
        }
        w
    }
}

/// The peak resident set since the last reset, in bytes (Linux).
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Resets the peak to the current resident set (Linux: clear_refs 5).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn shards_of(block: usize) -> impl Iterator<Item = usize> {
    let first = block % SHARDS;
    let second = block.is_multiple_of(7).then_some((first + 1) % SHARDS);
    std::iter::once(first).chain(second)
}

/// Each set as 16 shard bitmaps, and unsharded.
fn generate(n: u32) -> (Vec<Vec<RoaringBitmap>>, ExternalSets) {
    let mut rng = Rng(0x5EED);
    let mut shards: Vec<Vec<RoaringBitmap>> = (0..9).map(|_| vec![RoaringBitmap::new(); SHARDS]).collect();
    let mut whole = vec![RoaringBitmap::new(); 9];
    let blocks = n.div_ceil(BLOCK);
    let mut words = vec![0u64; BLOCK as usize / 64];
    let mut revoked = vec![0u64; BLOCK as usize / 64];
    for block in 0..blocks {
        let start = block * BLOCK;
        let ids_here = (n - start).min(BLOCK) as usize;
        // Set 7 (revoked) first: recently revoked is drawn inside it.
        for (s, &density) in DENSITY.iter().enumerate().rev() {
            for (i, w) in words.iter_mut().enumerate() {
                *w = match s {
                    1 => revoked[i] & rng.word(RECENT_OF_REVOKED),
                    _ => rng.word(density),
                };
                // Ids past n and id 0 (no certificate) stay out.
                let first = i * 64;
                if first + 64 > ids_here {
                    *w &= if first >= ids_here { 0 } else { (1u64 << (ids_here - first)) - 1 };
                }
            }
            if block == 0 {
                words[0] &= !1;
            }
            if s == 7 {
                revoked.copy_from_slice(&words);
            }
            let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
            let bitmap = RoaringBitmap::from_lsb0_bytes(start, &bytes);
            for k in shards_of(block as usize) {
                shards[s][k] |= &bitmap;
            }
            whole[s] |= bitmap;
        }
    }
    let mut unsharded = ExternalSets::new();
    for (name, set) in SetName::ALL.into_iter().zip(whole) {
        unsharded.add(name, DecodedSet::U32(set));
    }
    (shards, unsharded)
}

/// Runs the simulation for `n` certificates and prints its table.
pub fn run(n: u32) {
    let at = OffsetDateTime::from_unix_timestamp(1_795_404_000).expect("a valid instant");
    let limit = ActionedLimit::Counted(u64::from(n) / 2);
    let started = Instant::now();
    let (shards, unsharded) = generate(n);
    let expected = unsharded.count(at, limit);
    drop(unsharded);
    println!(
        "{n} certificates generated as 9 sets x {SHARDS} shards in {:.1} s; {} actioned",
        started.elapsed().as_secs_f64(),
        expected.total()
    );
    let limits = InterchangeLimits::default();
    type Write = fn(&RoaringBitmap) -> Vec<u8>;
    type Add = fn(&mut ExternalSets, SetName, &[u8], &InterchangeLimits) -> license_core::Result<()>;
    let formats: [(&str, Write, Add); 2] = [
        ("ClickHouse groupBitmap", write_clickhouse_state32, |s, n, b, l| s.add_bytes(n, b, l)),
        (
            "Spark bitmap Parquet",
            |b| write_spark_parquet(b).expect("writes"),
            |s, n, b, l| s.add_spark_parquet(n, b, l),
        ),
    ];
    println!(
        "{:<24} {:>14} {:>10} {:>12} {:>10} {:>12} {:>10} {:>12}",
        "format", "bytes/shard", "write s", "parse s", "parse GB/s", "peak MiB", "merge+count s", "peak MiB"
    );
    for (label, write, add) in formats {
        let started = Instant::now();
        let files: Vec<(SetName, Vec<u8>)> = SetName::ALL
            .into_iter()
            .zip(&shards)
            .flat_map(|(name, set_shards)| set_shards.iter().map(move |b| (name, write(b))))
            .collect();
        let write_s = started.elapsed().as_secs_f64();
        let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
        reset_peak();
        let started = Instant::now();
        let mut sets = ExternalSets::new();
        for (name, b) in &files {
            add(&mut sets, *name, b, &limits).expect("a valid shard");
        }
        let parse_s = started.elapsed().as_secs_f64();
        let parse_peak = peak_rss();
        reset_peak();
        let started = Instant::now();
        let count = sets.count(at, limit);
        let count_s = started.elapsed().as_secs_f64();
        let count_peak = peak_rss();
        assert_eq!(count, expected, "{label}: the merged shards must count as the unsharded sets");
        println!(
            "{label:<24} {:>14} {write_s:>10.2} {parse_s:>12.2} {:>10.2} {:>12} {count_s:>10.2} {:>12}",
            bytes / (SHARDS * 9),
            bytes as f64 / parse_s / 1e9,
            parse_peak >> 20,
            count_peak >> 20
        );
    }
    println!("(bytes/shard: one set's shard file, averaged over 9 sets x {SHARDS} shards; peak: resident set, input files included)");
}

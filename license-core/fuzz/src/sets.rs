//! Certificate ids from outside: id sets in every interchange format,
//! inventory snapshots and JSON Lines inventories.

use license_core::{
    interchange::{
        read_clickhouse_state32, read_clickhouse_state64, read_id_set, read_portable32, read_portable64,
        write_clickhouse_state32, write_clickhouse_state64, write_portable32, write_portable32_no_runs,
        write_portable64, DecodedSet, ExternalSets, IdSetFormat, IdWidth, InterchangeLimits, SetName,
    },
    CertificateRecord, Inventory,
};
use roaring::{RoaringBitmap, RoaringTreemap};

use crate::{bounds, check};

/// Id-set bytes, read by every reader. Each set read writes (in its
/// format) bytes that read back to the same set and write the same bytes;
/// the format detection takes every file some reader takes and agrees with
/// the reader of the format it detects, and the count kernel's reader
/// (`ExternalSets::add_bytes`) with both.
pub fn id_set(data: &[u8]) {
    let limits = InterchangeLimits::default();
    let n = data.len();
    let bound = bounds::ID_SET.at(n);
    let p32 = check::parse("read_portable32", n, bound, || read_portable32(data, &limits)).ok();
    let p64 = check::parse("read_portable64", n, bound, || read_portable64(data, &limits)).ok();
    let c32 =
        check::parse("read_clickhouse_state32", n, bound, || read_clickhouse_state32(data, &limits)).ok();
    let c64 =
        check::parse("read_clickhouse_state64", n, bound, || read_clickhouse_state64(data, &limits)).ok();
    // The readers of each width that take the bytes (a valid file of one
    // format never starts like another's, so detection takes them too).
    let taken = |width: Option<IdWidth>| match width {
        Some(IdWidth::U32) => p32.is_some() || c32.is_some(),
        Some(IdWidth::U64) => p64.is_some() || c64.is_some(),
        None => p32.is_some() || c32.is_some() || p64.is_some() || c64.is_some(),
    };
    for width in [None, Some(IdWidth::U32), Some(IdWidth::U64)] {
        let detected = check::parse("read_id_set", n, bound, || read_id_set(data, width, &limits));
        if let Err(e) = &detected {
            assert!(!taken(width), "read_id_set({width:?}) refuses bytes a reader of that width takes: {e}");
        }
        let Ok((set, format)) = detected else { continue };
        if let Some(w) = width {
            assert_eq!(set.width(), w, "read_id_set ignored the width asked for");
        }
        let agrees = match (&set, format) {
            (DecodedSet::U32(s), IdSetFormat::Portable) => p32.as_ref() == Some(s),
            (DecodedSet::U32(s), IdSetFormat::ClickHouse) => c32.as_ref() == Some(s),
            (DecodedSet::U64(s), IdSetFormat::Portable) => p64.as_ref() == Some(s),
            (DecodedSet::U64(s), IdSetFormat::ClickHouse) => c64.as_ref() == Some(s),
        };
        assert!(
            agrees,
            "read_id_set({width:?}) read {format:?} {:?} ids the {format:?} reader does not",
            set.len()
        );
    }
    let mut shards = ExternalSets::new();
    let added = check::parse("ExternalSets::add_bytes", n, bound, || {
        shards.add_bytes(SetName::Revoked, data, &limits)
    });
    let detected = read_id_set(data, None, &limits);
    assert_eq!(
        added.is_ok(),
        detected.is_ok(),
        "add_bytes and read_id_set disagree on whether the bytes read"
    );
    if let Ok((set, _)) = detected {
        assert!(
            shards.union(SetName::Revoked).into_u64() == set.into_u64(),
            "add_bytes and read_id_set read different ids"
        );
    }
    if let Some(s) = &p32 {
        round_trip32("portable32", s, write_portable32, read_portable32);
        let plain = write_portable32_no_runs(s);
        assert_eq!(read_portable32(&plain, &limits).ok().as_ref(), Some(s), "portable32 without runs");
    }
    if let Some(s) = &c32 {
        round_trip32("clickhouse32", s, write_clickhouse_state32, read_clickhouse_state32);
    }
    if let Some(s) = &p64 {
        round_trip64("portable64", s, write_portable64, read_portable64);
    }
    if let Some(s) = &c64 {
        round_trip64("clickhouse64", s, write_clickhouse_state64, read_clickhouse_state64);
    }
}

type Read<T> = fn(&[u8], &InterchangeLimits) -> license_core::Result<T>;

fn round_trip32(
    what: &str,
    set: &RoaringBitmap,
    write: fn(&RoaringBitmap) -> Vec<u8>,
    read: Read<RoaringBitmap>,
) {
    let bytes = write(set);
    let again = read(&bytes, &InterchangeLimits::default())
        .unwrap_or_else(|e| panic!("{what}: the bytes we wrote do not read: {e}"));
    assert_eq!(&again, set, "{what}: write then read changed the set");
    assert_eq!(write(&again), bytes, "{what}: writing is not deterministic");
}

fn round_trip64(
    what: &str,
    set: &RoaringTreemap,
    write: fn(&RoaringTreemap) -> Vec<u8>,
    read: Read<RoaringTreemap>,
) {
    let bytes = write(set);
    let again = read(&bytes, &InterchangeLimits::default())
        .unwrap_or_else(|e| panic!("{what}: the bytes we wrote do not read: {e}"));
    assert_eq!(&again, set, "{what}: write then read changed the set");
    assert_eq!(write(&again), bytes, "{what}: writing is not deterministic");
}

/// An inventory snapshot: what loads writes a snapshot that loads and
/// writes the same bytes.
pub fn snapshot(data: &[u8]) {
    let bound = bounds::SNAPSHOT.at(data.len());
    let read = check::parse("Inventory::from_snapshot", data.len(), bound, || Inventory::from_snapshot(data));
    if let Ok(inventory) = read {
        snapshot_round_trip(&inventory);
    }
}

fn snapshot_round_trip(inventory: &Inventory) -> Vec<u8> {
    let bytes = inventory.to_snapshot();
    let again = Inventory::from_snapshot(&bytes)
        .unwrap_or_else(|e| panic!("the snapshot we wrote does not load: {e}"));
    assert_eq!(again.to_snapshot(), bytes, "write then load changed the snapshot");
    bytes
}

/// A JSON Lines inventory: what reads is the inventory of its records read
/// one by one, each record writes JSON that reads back to itself, and the
/// inventory's snapshot round-trips.
pub fn jsonl(data: &[u8]) {
    let bound = bounds::JSONL.at(data.len());
    let read = check::parse("Inventory::from_jsonl", data.len(), bound, || Inventory::from_jsonl(data));
    let mut records = Vec::new();
    let mut all_read = true;
    for line in data.split_inclusive(|b| *b == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match CertificateRecord::from_json_bytes(line) {
            Ok(r) => {
                let json = r.to_json();
                let again = CertificateRecord::from_json(&json)
                    .unwrap_or_else(|e| panic!("the record we wrote does not read: {e}\n{json}"));
                assert_eq!(again, r, "write then read changed the record");
                assert_eq!(again.to_json(), json, "writing is not deterministic");
                records.push(r);
            }
            Err(_) => all_read = false,
        }
    }
    if let Ok(inventory) = read {
        assert!(all_read, "the inventory reads but one of its lines alone does not");
        let bytes = snapshot_round_trip(&inventory);
        let direct = Inventory::from_records(&records).expect("records that read as a file add up");
        assert_eq!(direct.to_snapshot(), bytes, "from_jsonl and from_records disagree");
    }
}

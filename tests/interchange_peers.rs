//! Id-set interchange against the outside world: the RoaringFormatSpec test
//! files, and pyroaring (CRoaring) in both directions.

mod support;

use std::process::Command;

use license_core::interchange::{
    read_id_set, read_portable32, read_portable64, write_portable32, write_portable32_no_runs,
    write_portable64, DecodedSet, IdSetFormat, InterchangeLimits,
};
use roaring::{RoaringBitmap, RoaringTreemap};

fn spec_set() -> RoaringBitmap {
    (0..100u32)
        .map(|i| i * 1000)
        .chain((100_000..200_000u32).map(|k| 3 * k))
        .chain(700_000..800_000)
        .collect()
}

#[test]
fn the_format_spec_files_read_to_their_documented_contents_and_reserialise_identically() {
    let dir = support::vectors().join("roaring");
    let with_runs = std::fs::read(dir.join("bitmapwithruns.bin")).unwrap();
    let without_runs = std::fs::read(dir.join("bitmapwithoutruns.bin")).unwrap();
    let l = InterchangeLimits::default();
    let a = read_portable32(&with_runs, &l).unwrap();
    let b = read_portable32(&without_runs, &l).unwrap();
    assert_eq!(a, spec_set());
    assert_eq!(b, spec_set());
    assert_eq!(a.len(), 200_100);
    assert_eq!(write_portable32(&a), with_runs);
    assert_eq!(write_portable32_no_runs(&b), without_runs);
    let (set, format) = read_id_set(&with_runs, None, &l).unwrap();
    assert_eq!((set, format), (DecodedSet::U32(spec_set()), IdSetFormat::Portable));
}

/// Runs a Python snippet in the virtualenv with pyroaring; `None` when the
/// peer is missing outside CI.
fn pyroaring(script: &str, args: &[&std::path::Path]) -> Option<String> {
    let python = support::venv_python(&["pyroaring"])?;
    let (ok, out, err) = support::run(Command::new(python).arg("-c").arg(script).args(args));
    assert!(ok, "pyroaring script failed: {err}");
    Some(out)
}

#[test]
fn pyroaring_reads_what_we_write_and_we_read_what_it_writes() {
    let dir = tempfile::tempdir().unwrap();
    let narrow: RoaringBitmap =
        (0..5000u32).map(|i| i * 7).chain(1_000_000..1_200_000).chain([u32::MAX]).collect();
    let wide: RoaringTreemap =
        narrow.iter().map(u64::from).chain((0..3000u64).map(|i| (i << 33) | 5)).collect();
    let ours32 = support::write(dir.path(), "ours32.bin", &write_portable32(&narrow));
    let ours64 = support::write(dir.path(), "ours64.bin", &write_portable64(&wide));
    let theirs32 = dir.path().join("theirs32.bin");
    let theirs64 = dir.path().join("theirs64.bin");
    let script = r#"
import sys
from pyroaring import BitMap, BitMap64
ours32, ours64, theirs32, theirs64 = sys.argv[1:5]
a = BitMap.deserialize(open(ours32, 'rb').read())
b = BitMap64.deserialize(open(ours64, 'rb').read())
print(len(a), sum(a) % 1000003, len(b), sum(b) % 1000003)
# Sets of their own, written by CRoaring, with and without run optimisation.
x = BitMap(range(0, 300000, 3)) | BitMap(range(500000, 600000))
x.run_optimize()
open(theirs32, 'wb').write(x.serialize())
y = BitMap64([(k << 32) + v for k in (0, 1, 9) for v in range(0, 100000, 11)])
open(theirs64, 'wb').write(y.serialize())
"#;
    let Some(out) = pyroaring(script, &[&ours32, &ours64, &theirs32, &theirs64]) else { return };
    let sum = |it: &mut dyn Iterator<Item = u64>| it.fold(0u64, |s, v| (s + v % 1_000_003) % 1_000_003);
    let expected = format!(
        "{} {} {} {}",
        narrow.len(),
        sum(&mut narrow.iter().map(u64::from)),
        wide.len(),
        sum(&mut wide.iter())
    );
    assert_eq!(out.trim(), expected);

    let l = InterchangeLimits::default();
    let x = read_portable32(&std::fs::read(&theirs32).unwrap(), &l).unwrap();
    let expected_x: RoaringBitmap = (0..300_000u32).step_by(3).chain(500_000..600_000).collect();
    assert_eq!(x, expected_x);
    let y = read_portable64(&std::fs::read(&theirs64).unwrap(), &l).unwrap();
    let expected_y: RoaringTreemap =
        [0u64, 1, 9].iter().flat_map(|&k| (0..100_000u64).step_by(11).map(move |v| (k << 32) + v)).collect();
    assert_eq!(y, expected_y);
}

//! `licensectl inventory import` and snapshots read through `--inventory`:
//! the same counts as the JSON Lines they came from, the same bytes every
//! time, and damaged snapshots refused with their kind.

mod support;

use std::io::BufReader;
use std::path::{Path, PathBuf};

use license_core::{actioned::SNAPSHOT_MAGIC, ErrorKind, Inventory};

const AT: &str = "2026-11-23T02:00:00Z";

fn gen(dir: &Path) -> PathBuf {
    let file = dir.join("inv.jsonl");
    let (ok, _, err) = support::run(support::licensectl().args([
        "gen-inventory",
        "--count",
        "20000",
        "--seed",
        "5",
        "--now",
        "2026-11-23T00:00:00Z",
        "--out",
        file.to_str().unwrap(),
    ]));
    assert!(ok, "{err}");
    file
}

fn import(jsonl: &Path, out: &Path) -> String {
    let (ok, stdout, err) = support::run(support::licensectl().args([
        "inventory",
        "import",
        "--jsonl",
        jsonl.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]));
    assert!(ok, "{err}");
    stdout
}

/// `licensectl count --inventory FILE` with a fixed rule; (ok, stdout, stderr).
fn count(file: &Path, json: bool) -> (bool, String, String) {
    let mut cmd = support::licensectl();
    cmd.args([
        "count",
        "--inventory",
        file.to_str().unwrap(),
        "--at",
        AT,
        "--exclude-metadata",
        "Notes",
        "--referenced-collection",
        "prod-web",
        "--limit",
        "1000",
    ]);
    if json {
        cmd.arg("--json");
    }
    support::run(&mut cmd)
}

#[test]
fn import_then_count_equals_counting_the_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = gen(dir.path());
    let snapshot = dir.path().join("inv.snapshot");
    let said = import(&jsonl, &snapshot);
    assert!(said.contains("imported 20000 certificates"), "{said}");
    assert!(std::fs::read(&snapshot).unwrap().starts_with(SNAPSHOT_MAGIC));

    let (ok, from_jsonl, err) = count(&jsonl, true);
    assert!(ok, "{err}");
    let (ok, from_snapshot, err) = count(&snapshot, true);
    assert!(ok, "{err}");
    assert_eq!(from_jsonl, from_snapshot);
    assert!(from_jsonl.contains("\"total\""), "{from_jsonl}");

    // The text form too, but for the file name on its first line.
    let (ok, text_jsonl, err) = count(&jsonl, false);
    assert!(ok, "{err}");
    let (ok, text_snapshot, err) = count(&snapshot, false);
    assert!(ok, "{err}");
    assert_eq!(text_jsonl.replace("inv.jsonl", "FILE"), text_snapshot.replace("inv.snapshot", "FILE"));
    assert!(text_jsonl.starts_with("20000 certificates in "), "{text_jsonl}");

    // `bitmaps export` reads --inventory the same way: the same files.
    let export = |file: &Path, out: &str| {
        let out = dir.path().join(out);
        let (ok, _, err) = support::run(support::licensectl().args([
            "bitmaps",
            "export",
            "--inventory",
            file.to_str().unwrap(),
            "--at",
            AT,
            "--format",
            "portable",
            "--out",
            out.to_str().unwrap(),
        ]));
        assert!(ok, "{err}");
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())
            })
            .collect();
        files.sort();
        files
    };
    let a = export(&jsonl, "from-jsonl");
    assert!(a.len() >= 9, "{} files", a.len());
    assert_eq!(a, export(&snapshot, "from-snapshot"));
}

#[test]
fn import_is_deterministic_and_is_the_library_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = gen(dir.path());
    let (one, two) = (dir.path().join("one.snapshot"), dir.path().join("two.snapshot"));
    import(&jsonl, &one);
    import(&jsonl, &two);
    let bytes = std::fs::read(&one).unwrap();
    assert_eq!(bytes, std::fs::read(&two).unwrap());
    let lib = Inventory::from_jsonl(BufReader::new(std::fs::File::open(&jsonl).unwrap())).unwrap();
    assert_eq!(bytes, lib.to_snapshot());
    // Written whole: no temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 3, "{names:?}");

    // Importing over an existing snapshot replaces it.
    std::fs::write(&two, b"old").unwrap();
    import(&jsonl, &two);
    assert_eq!(bytes, std::fs::read(&two).unwrap());
}

/// Runs `count` on `bytes` and checks that it is refused with the kind the
/// library gives the same bytes, and that kind is a snapshot one (the file
/// was not read as JSON Lines).
fn refused_like_the_library(dir: &Path, name: &str, bytes: &[u8]) -> ErrorKind {
    let path = support::write(dir, name, bytes);
    let kind = Inventory::from_snapshot(bytes).err().unwrap_or_else(|| panic!("{name}: loads")).kind();
    assert!(
        matches!(
            kind,
            ErrorKind::SnapshotFormat
                | ErrorKind::Truncated
                | ErrorKind::TrailingBytes
                | ErrorKind::UnsupportedVersion
        ),
        "{name}: {kind:?}"
    );
    let (ok, out, err) = count(&path, false);
    assert!(!ok, "{name}: counted: {out}");
    assert!(err.contains(&format!("[{}]", kind.name())), "{name}: {err}");
    assert!(err.contains(name), "{name}: the file is not named: {err}");
    assert!(out.is_empty(), "{name}: {out}");
    kind
}

#[test]
fn truncated_or_corrupted_snapshots_are_refused_with_their_kind() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = gen(dir.path());
    let snapshot = dir.path().join("inv.snapshot");
    import(&jsonl, &snapshot);
    let bytes = std::fs::read(&snapshot).unwrap();

    for cut in [bytes.len() - 1, bytes.len() / 2, 12, 9] {
        let kind = refused_like_the_library(dir.path(), &format!("cut-{cut}.snapshot"), &bytes[..cut]);
        assert_eq!(kind, ErrorKind::Truncated, "cut at {cut}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(refused_like_the_library(dir.path(), "longer.snapshot", &longer), ErrorKind::TrailingBytes);
    // A Roaring cookie broken: the first set's.
    let mut corrupt = bytes.clone();
    corrupt[SNAPSHOT_MAGIC.len() + 2 + 4] ^= 0xFF;
    assert_eq!(refused_like_the_library(dir.path(), "cookie.snapshot", &corrupt), ErrorKind::SnapshotFormat);
    // Set lengths made huge: refused before anything that size is allocated.
    let mut huge = bytes.clone();
    huge[SNAPSHOT_MAGIC.len() + 2..SNAPSHOT_MAGIC.len() + 6].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(refused_like_the_library(dir.path(), "huge.snapshot", &huge), ErrorKind::Truncated);
}

#[test]
fn a_file_that_only_starts_like_a_snapshot_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = SNAPSHOT_MAGIC.to_vec();
    lines.extend_from_slice(b"{\"id\": 1}\n");
    assert_eq!(
        refused_like_the_library(dir.path(), "magic-then-json.jsonl", &lines),
        ErrorKind::UnsupportedVersion
    );
    let mut version1 = SNAPSHOT_MAGIC.to_vec();
    version1.extend_from_slice(&1u16.to_le_bytes());
    // A first set of 8 bytes that are not a Roaring bitmap.
    version1.extend_from_slice(&8u32.to_le_bytes());
    version1.extend_from_slice(b"not roaring at all, but long enough to hold a few sets");
    assert_eq!(refused_like_the_library(dir.path(), "junk.snapshot", &version1), ErrorKind::SnapshotFormat);
    assert_eq!(refused_like_the_library(dir.path(), "magic.snapshot", SNAPSHOT_MAGIC), ErrorKind::Truncated);

    // Only the whole magic makes a snapshot: a shorter prefix is JSON Lines,
    // refused as such, naming its line.
    let path = support::write(dir.path(), "prefix.jsonl", &SNAPSHOT_MAGIC[..7]);
    let (ok, _, err) = count(&path, false);
    assert!(!ok);
    assert!(err.contains("line 1"), "{err}");
    assert!(!err.contains("snapshot"), "{err}");
}

//! `licensectl gen-inventory` and `licensectl count` end to end: the CLI's
//! count equals the library's over the same file.

mod support;

use std::io::BufReader;

use license_core::{actioned::Category, license::ActionedLimit, ActionedCount, CountConfig, Inventory};
use time::macros::datetime;

#[test]
fn gen_then_count_matches_the_library() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("inv.jsonl");
    let (ok, _, err) = support::run(support::licensectl().args([
        "gen-inventory",
        "--count",
        "20000",
        "--seed",
        "3",
        "--now",
        "2026-11-23T00:00:00Z",
        "--out",
        file.to_str().unwrap(),
    ]));
    assert!(ok, "{err}");
    let at = "2026-11-23T02:00:00Z";
    let (ok, out, err) = support::run(support::licensectl().args([
        "count",
        "--inventory",
        file.to_str().unwrap(),
        "--at",
        at,
        "--exclude-metadata",
        "Notes",
        "--referenced-collection",
        "prod-web",
        "--referenced-collection",
        "pci-scope",
        "--limit",
        "1000",
        "--json",
    ]));
    assert!(ok, "{err}");
    let cli: ActionedCount = serde_json::from_str(out.trim()).unwrap();
    let inv = Inventory::from_jsonl(BufReader::new(std::fs::File::open(&file).unwrap())).unwrap();
    assert_eq!(inv.len(), 20_000);
    let config = CountConfig::new(ActionedLimit::Counted(1000))
        .exclude_metadata("Notes")
        .reference_collection("prod-web")
        .reference_collection("pci-scope");
    let lib = inv.count(datetime!(2026-11-23 2:00 UTC), &config);
    assert_eq!(cli, lib);
    assert!(cli.total() > 1000 && cli.category(Category::Enrolled) > 0);
    assert_eq!(cli.alerts().len(), 1);

    // The text form: the table and the alert; a site license says N/A.
    let (ok, out, _) = support::run(support::licensectl().args([
        "count",
        "--inventory",
        file.to_str().unwrap(),
        "--at",
        at,
        "--site-license",
    ]));
    assert!(ok);
    assert!(out.contains("revoked_recently") && out.contains("limit: N/A"), "{out}");

    // A bad line: an error naming it, exit 1.
    std::fs::write(&file, "{\"id\": 1}\n{\"id\": 1}\n").unwrap();
    let (ok, _, err) = support::run(support::licensectl().args([
        "count",
        "--inventory",
        file.to_str().unwrap(),
        "--at",
        at,
    ]));
    assert!(!ok);
    assert!(err.contains("line 2") && err.contains("duplicate_certificate"), "{err}");
}

/// `--no-referenced-collections`: collection membership makes nothing
/// actioned (tests/vectors/README.md: ids 9 and 10 are only in collections,
/// so the total drops from 9 to 7); it conflicts with
/// `--referenced-collection`.
#[test]
fn count_with_no_referenced_collections() {
    let inventory = support::vectors().join("inventory").join("small.jsonl");
    let count = |extra: &[&str]| {
        let (ok, out, err) = support::run(
            support::licensectl()
                .args(["count", "--json", "--at", "2026-11-20T00:00:00Z", "--inventory"])
                .arg(&inventory)
                .args(extra),
        );
        assert!(ok, "{extra:?}: {err}");
        serde_json::from_str::<ActionedCount>(out.trim()).unwrap()
    };
    let all = count(&[]);
    assert_eq!((all.total(), all.category(Category::Collection)), (9, 2));
    let none = count(&["--no-referenced-collections"]);
    assert_eq!((none.total(), none.category(Category::Collection)), (7, 0));
    let lib = Inventory::from_jsonl(BufReader::new(std::fs::File::open(&inventory).unwrap())).unwrap().count(
        datetime!(2026-11-20 0:00 UTC),
        &CountConfig::new(ActionedLimit::SiteLicense).reference_no_collections(),
    );
    assert_eq!(none, lib);

    let (ok, _, err) = support::run(
        support::licensectl()
            .args([
                "count",
                "--no-referenced-collections",
                "--referenced-collection",
                "archive",
                "--inventory",
            ])
            .arg(&inventory),
    );
    assert!(!ok && err.contains("cannot be used with"), "{err}");
}

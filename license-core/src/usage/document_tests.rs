//! Every refusal of the usage-log reader, each with its own kind: the
//! documents below are edited, then signed, so that the signature holds
//! and the reader's schema and chain checks are what refuse them.

use time::macros::datetime;

use super::*;
use crate::crypto::test_keys::signing_2048;
use crate::usage::Journal;
use crate::{actioned::CategorySets, IdSet};

fn count(n: u32, day: i64) -> crate::ActionedCount {
    let ids: IdSet = (0..n).collect();
    let at = datetime!(2026-11-23 02:00 UTC) + time::Duration::days(day);
    crate::actioned::count_sets(
        &CategorySets::new(at).with(Category::Enrolled, &ids),
        ActionedLimit::Counted(100),
    )
}

/// A log of three chained entries.
fn sample() -> UsageLog {
    let mut journal = Journal::default();
    for day in 0..3 {
        journal.record(&count(10 + day as u32, day));
    }
    let instance = Instance {
        id: "inst-1".into(),
        name: "primary".into(),
        location: "Zürich".into(),
        software_version: "5.2.1".into(),
        fingerprint: "fp-v1:abc".into(),
    };
    let license = License {
        id: "LIC-1".into(),
        product: "certmgr".into(),
        licensee: "Example Ltd".into(),
        expires_at: Some(datetime!(2027-11-23 00:00 UTC)),
        sha256: [9; 32],
        features: FeatureSet::new(),
    };
    journal.log(datetime!(2026-11-26 03:00 UTC), instance, license, &count(13, 3)).unwrap()
}

/// The sample log as unsigned XML text, to edit.
fn text() -> String {
    String::from_utf8(xml::write_document(&sample().to_element()).unwrap()).unwrap()
}

/// Signs the (edited) text as the installation would and reads it back.
fn read(text: &str) -> Result<VerifiedUsageLog> {
    let root = xml::parse(text.as_bytes(), &XmlLimits::default()).unwrap();
    let signed = xml::sign(&root, &signing_2048()).unwrap();
    UsageLog::from_signed_xml(&signed, &TrustedKeys::from(signing_2048().verifying_key().clone()))
}

/// `text()` with the first `from` replaced by `to` (which must be there).
fn edited(from: &str, to: &str) -> String {
    let t = text();
    assert!(t.contains(from), "`{from}` not in the sample:\n{t}");
    t.replacen(from, to, 1)
}

#[test]
fn the_unedited_sample_reads_back() {
    assert_eq!(read(&text()).unwrap().log(), &sample());
}

#[test]
fn each_schema_refusal_has_its_kind() {
    let t = text();
    let generated = &t[t.find("<GeneratedAt>").unwrap()..t.find("<Instance").unwrap()];
    let name = "<Name>primary</Name>";
    let fingerprint = "<Fingerprint>fp-v1:abc</Fingerprint>";
    let category = "<Category count=\"10\" name=\"enrolled\"></Category>";
    let cases: Vec<(&str, String, ErrorKind)> = vec![
        ("another version", edited("version=\"1\"", "version=\"2\""), ErrorKind::UnsupportedVersion),
        (
            "unknown root attribute",
            edited("version=\"1\"", "version=\"1\" mode=\"x\""),
            ErrorKind::UnknownAttribute,
        ),
        ("no GeneratedAt", t.replacen(generated, "", 1), ErrorKind::MissingElement),
        ("instance without id", edited("<Instance id=\"inst-1\"", "<Instance"), ErrorKind::MissingAttribute),
        (
            "unknown element",
            edited(fingerprint, &format!("{fingerprint}<Rack>7</Rack>")),
            ErrorKind::UnknownElement,
        ),
        ("an element twice", edited(name, &format!("{name}{name}")), ErrorKind::DuplicateElement),
        ("a bad license digest", edited(&"09".repeat(32), &"0g".repeat(32)), ErrorKind::InvalidValue),
        ("a non-canonical number", edited("total=\"13\"", "total=\"013\""), ErrorKind::InvalidValue),
        (
            "a non-canonical time",
            edited("asOf=\"2026-11-26T02:00:00Z\"", "asOf=\"2026-11-26T03:00:00+01:00\""),
            ErrorKind::InvalidValue,
        ),
        ("six categories", edited(category, ""), ErrorKind::InvalidValue),
        (
            "a category out of order",
            edited("name=\"enrolled\"", "name=\"metadata\""),
            ErrorKind::InvalidValue,
        ),
        ("text in a category", edited(category, &category.replace("></", ">7</")), ErrorKind::InvalidValue),
        ("a limit that is neither", edited("limit=\"100\"", "limit=\"lots\""), ErrorKind::InvalidValue),
        (
            "a history attribute",
            edited("<History chainStart", "<History length=\"3\" chainStart"),
            ErrorKind::UnknownAttribute,
        ),
    ];
    for (what, doc, kind) in &cases {
        let err = read(doc).unwrap_err();
        assert_eq!(err.kind(), *kind, "{what}: {err}");
        assert!(err.detail().contains("UsageLog") || err.detail().contains('@'), "{what}: {err}");
    }
}

#[test]
fn a_signed_log_whose_own_chain_is_broken_is_refused() {
    let log = sample();
    let e = &log.entries;
    let hex = |h: &[u8; 32]| crate::digest::hex(h);
    let cases = [
        // An entry's link edited (the entries themselves signed as they are).
        ("a broken link", edited(&hex(&e[2].previous), &hex(&[1; 32]))),
        // An entry deleted from the middle.
        ("a deleted entry", {
            let t = text();
            let start = t.find("<Entry").unwrap();
            let second = start + 1 + t[start + 1..].find("<Entry").unwrap();
            let third = second + 1 + t[second + 1..].find("<Entry").unwrap();
            format!("{}{}", &t[..second], &t[third..])
        }),
        // A sequence number skipped.
        ("a sequence gap", edited("sequence=\"3\"", "sequence=\"4\"")),
        // The first entry not linking to the chain start.
        (
            "another chain start",
            edited(
                &format!("chainStart=\"{}\"", hex(&[0; 32])),
                &format!("chainStart=\"{}\"", hex(&[2; 32])),
            ),
        ),
    ];
    for (what, doc) in &cases {
        let err = read(doc).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UsageLogChainBroken, "{what}: {err}");
    }
}

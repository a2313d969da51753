//! `licensectl count --history FILE --plot OUT.svg`: the count history is
//! kept, its trend printed, and drawn as an SVG chart that parses, shows
//! every count and the limit, and is the same bytes on every run.

mod support;

use std::path::Path;

use license_core::{
    actioned::CountHistory, license::ActionedLimit, CertificateRecord, CountConfig, Inventory,
};
use quick_xml::events::Event;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const LIMIT: u64 = 400;
const T0: OffsetDateTime = datetime!(2026-11-01 2:00 UTC);

/// An inventory of `n` enrolled certificates: `n` actioned.
fn inventory(n: u32) -> Inventory {
    let records: Vec<_> =
        (1..=n).map(|id| CertificateRecord { enrolled: true, ..CertificateRecord::new(id) }).collect();
    Inventory::from_records(&records).unwrap()
}

/// Twelve daily counts rising by 10 a day: 100, 110, … 210.
fn history() -> CountHistory {
    let config = CountConfig::new(ActionedLimit::Counted(LIMIT));
    let mut h = CountHistory::new();
    for day in 0..12u32 {
        h.push(inventory(100 + 10 * day).count(T0 + Duration::days(i64::from(day)), &config)).unwrap();
    }
    h
}

/// Runs `count` over 220 certificates on day 12 with `--history` and
/// `--plot` in `dir`; returns (success, stdout, stderr).
fn count_with_history(dir: &Path) -> (bool, String, String) {
    let jsonl: String = (1..=220).map(|id| format!("{{\"id\": {id}, \"enrolled\": true}}\n")).collect();
    let inventory = support::write(dir, "inv.jsonl", jsonl.as_bytes());
    support::run(
        support::licensectl()
            .args(["count", "--limit", &LIMIT.to_string(), "--at", "2026-11-13T02:00:00Z", "--inventory"])
            .arg(inventory)
            .arg("--history")
            .arg(dir.join("history.json"))
            .arg("--plot")
            .arg(dir.join("chart.svg")),
    )
}

/// Every element name in the document, in order; panics unless it is
/// well-formed XML.
fn elements(svg: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut out = Vec::new();
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("not well-formed XML: {e}")) {
            Event::Start(e) | Event::Empty(e) => {
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        (
                            a.key.into_inner().to_owned(),
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0).unwrap().into_owned(),
                        )
                    })
                    .collect();
                out.push((e.name().into_inner().to_owned(), attrs));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

#[test]
fn the_history_is_kept_trended_and_drawn() {
    let runs: Vec<tempfile::TempDir> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    for dir in &runs {
        std::fs::write(dir.path().join("history.json"), history().to_json()).unwrap();
        let (ok, out, err) = count_with_history(dir.path());
        assert!(ok, "{out}{err}");
        // +10 a day from 100 on day 0 reaches 400 on day 30.
        assert!(out.contains("trend over the latest 13 of 13 counts: +10.0 per day"), "{out}");
        assert!(out.contains("projected to reach the limit: 2026-12-01T02:00:00Z"), "{out}");
    }
    let svg = std::fs::read(runs[0].path().join("chart.svg")).unwrap();
    assert_eq!(svg, std::fs::read(runs[1].path().join("chart.svg")).unwrap(), "the same bytes on every run");

    // The history now holds the new count.
    let kept = std::fs::read_to_string(runs[0].path().join("history.json")).unwrap();
    let kept = CountHistory::from_json(&kept).unwrap();
    assert_eq!(kept.counts().len(), 13);
    assert_eq!(kept.counts()[12].total(), 220);

    let svg = String::from_utf8(svg).unwrap();
    let elements = elements(&svg);
    assert_eq!(elements[0].0, "svg");
    // One point per count.
    assert_eq!(elements.iter().filter(|(name, _)| name == "circle").count(), 13);
    // The limit: a horizontal line in the limit's colour at one height,
    // above every point.
    let polylines_in = |colour: &str| -> Vec<Vec<(i32, i32)>> {
        elements
            .iter()
            .filter(|(name, attrs)| name == "polyline" && attr(attrs, "stroke") == Some(colour))
            .map(|(_, attrs)| {
                attr(attrs, "points")
                    .unwrap()
                    .split_whitespace()
                    .map(|p| {
                        let (x, y) = p.split_once(',').unwrap();
                        (x.parse().unwrap(), y.parse().unwrap())
                    })
                    .collect()
            })
            .collect()
    };
    let limit_lines = polylines_in("#D62728");
    let limit_line = limit_lines.iter().find(|l| l.len() >= 2).expect("a limit line");
    assert!(limit_line.iter().all(|&(_, y)| y == limit_line[0].1), "{limit_line:?}");
    let count_line = polylines_in("#1F77B4").into_iter().find(|l| l.len() == 13).expect("the count line");
    // SVG y grows downwards: every count is below the limit, and rising.
    assert!(count_line.iter().all(|&(_, y)| y > limit_line[0].1));
    assert!(count_line.windows(2).all(|w| w[1].0 > w[0].0 && w[1].1 < w[0].1), "{count_line:?}");
    for text in
        ["projected to reach the limit of 400 on 2026-12-01", "licensed limit (400)", "projected 2026-12-01"]
    {
        assert!(svg.contains(text), "no `{text}` in the chart");
    }
}

#[test]
fn a_count_that_does_not_fit_the_history_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut later = history();
    later
        .push(inventory(300).count(T0 + Duration::days(20), &CountConfig::new(ActionedLimit::Counted(LIMIT))))
        .unwrap();
    let before = later.to_json();
    std::fs::write(dir.path().join("history.json"), &before).unwrap();
    let (ok, _, err) = count_with_history(dir.path());
    assert!(!ok && err.contains("later than the last"), "{err}");
    assert_eq!(std::fs::read_to_string(dir.path().join("history.json")).unwrap(), before);
    assert!(!dir.path().join("chart.svg").exists());

    // A history that is not one: refused, left as it was.
    std::fs::write(dir.path().join("history.json"), "{\"counts\": 3}").unwrap();
    let (ok, _, err) = count_with_history(dir.path());
    assert!(!ok && err.contains("invalid_json"), "{err}");
    assert_eq!(std::fs::read_to_string(dir.path().join("history.json")).unwrap(), "{\"counts\": 3}");

    // --plot needs --history.
    let (ok, _, err) =
        support::run(support::licensectl().args(["count", "--plot", "x.svg", "--inventory", "y"]));
    assert!(!ok && err.contains("--history"), "{err}");
}

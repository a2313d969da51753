//! `licensectl profile`: this machine's profile as XML, a table and a
//! fingerprint, and `profile diff` between two machines.

mod support;

use license_core::{instance::NetworkInterface, Fingerprint, HardwareProfile};

#[test]
fn licensectl_profile_shows_and_compares_machines() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, xml, err) = support::run(support::licensectl().args(["profile", "--xml"]));
    assert!(ok, "{err}");
    let here = HardwareProfile::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(Fingerprint::from_profile(&here), Fingerprint::from_profile(&HardwareProfile::collect()));
    let a = support::write(dir.path(), "a.xml", xml.as_bytes());

    let (ok, table, err) = support::run(support::licensectl().args(["profile", "--table"]));
    assert!(ok, "{err}");
    assert!(
        table.starts_with("field") && table.contains("machine id") && table.contains("memory"),
        "{table}"
    );
    let (ok, fp, _) = support::run(support::licensectl().args(["profile", "--fingerprint"]));
    assert!(ok);
    assert_eq!(fp.trim(), Fingerprint::from_profile(&here).to_string());

    let mut refreshed = here.clone();
    refreshed.hostname = Some("renamed".into());
    refreshed.interfaces.push(NetworkInterface { name: "wg0".into(), mac: None, physical: false });
    let b = support::write(dir.path(), "b.xml", refreshed.to_xml().unwrap().as_bytes());
    let (ok, report, err) = support::run(support::licensectl().args(["profile", "diff"]).arg(&a).arg(&b));
    assert!(ok, "{report}{err}");
    assert!(report.starts_with("match:") && report.contains("nothing drifted"), "{report}");

    let other = HardwareProfile {
        machine_id: Some("0123456789abcdef0123456789abcdef".into()),
        ..HardwareProfile::default()
    };
    let c = support::write(dir.path(), "c.xml", other.to_xml().unwrap().as_bytes());
    let out = support::licensectl().args(["profile", "diff"]).arg(&a).arg(&c).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "a mismatch exits 2");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("no match:"));

    let strict = "mp1;threshold=1;weights=machine-id:1,product-uuid:0,board-serial:0,mac:0,disk:0,cpu:0";
    let out =
        support::licensectl().args(["profile", "diff", "--policy", strict]).arg(&a).arg(&b).output().unwrap();
    assert_eq!(out.status.code(), Some(if here.machine_id.is_some() { 0 } else { 2 }));

    let bad = support::write(dir.path(), "bad.xml", b"<!DOCTYPE x><HardwareProfile/>");
    let (ok, _, err) = support::run(support::licensectl().args(["profile", "diff"]).arg(&a).arg(&bad));
    assert!(!ok);
    assert!(err.contains("bad.xml") && err.contains("[doctype_forbidden]"), "{err}");
    let (ok, _, err) =
        support::run(support::licensectl().args(["profile", "diff", "--policy", "mp1"]).arg(&a).arg(&b));
    assert!(!ok);
    assert!(err.contains("[invalid_match_policy]"), "{err}");
}

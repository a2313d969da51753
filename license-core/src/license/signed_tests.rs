use time::macros::datetime;

use super::*;
use crate::crypto::test_keys::*;

/// A license using every field, with text that needs escaping.
pub(crate) fn full_license() -> License {
    License::builder("LIC-2026-0001", "certmgr", datetime!(2026-01-01 0:00 UTC))
        .licensee("Ünïcode & <Sons> \"Ltd\"")
        .organisation("Org 'quoted' >")
        .email("ops@example.com")
        .expires_at(datetime!(2027-01-01 0:00 UTC))
        .expiry_policy(ExpiryPolicy { warning_days: vec![90, 30, 7], grace_days: 14 })
        .feature("api", Feature::enabled().with_quantity(10))
        .feature("audit", Feature::disabled())
        .feature("reports", Feature::enabled().with_expiry(datetime!(2026-07-01 0:00 UTC)))
        .actioned_limit(ActionedLimit::Counted(5_000))
        .binding(InstanceBinding::new(
            "inst-7",
            &bound_fingerprint(),
            Some(&crate::instance::MatchPolicy::default()),
        ))
        .attribute("region", "eu-west\ttabbed\nnewline")
        .attribute("tier", "gold & more")
        .build()
        .unwrap()
}

/// The fingerprint of a small machine: what `full_license` is bound to.
fn bound_fingerprint() -> crate::Fingerprint {
    crate::Fingerprint::from_profile(&crate::HardwareProfile {
        machine_id: Some("3d1219c7c4c5404aaa1f6d2a48adfda4".into()),
        product_uuid: Some("4c4c4544-0042-3510-8052-b3c04f4e4e32".into()),
        ..crate::HardwareProfile::default()
    })
}

fn trusted() -> TrustedKeys {
    [signing_2048().verifying_key().clone(), signing_3072().verifying_key().clone()].into_iter().collect()
}

#[test]
fn every_field_round_trips() {
    let license = full_license();
    let key = signing_3072();
    let xml = license.sign(&key).unwrap();
    assert_eq!(xml, license.sign(&key).unwrap(), "deterministic");
    let verified = License::from_signed_xml(&xml, &trusted()).unwrap();
    assert_eq!(verified.license(), &license);
    assert_eq!(verified.key_id(), key.key_id());
    assert_eq!(verified.signed_sha256(), <[u8; 32]>::from(Sha256::digest(&xml)));
    assert_eq!(verified.signed_sha256_hex().len(), 64);
    assert!(verified.to_string().contains(&key.key_id().to_string()));

    let minimal = License::builder("L", "p", datetime!(2026-01-01 0:00 UTC)).licensee("n").build().unwrap();
    let xml = minimal.sign(&key).unwrap();
    assert_eq!(License::from_signed_xml(&xml, &trusted()).unwrap().into_license(), minimal);
}

#[test]
fn the_document_reads_as_documented() {
    let xml = String::from_utf8(full_license().sign(&signing_2048()).unwrap()).unwrap();
    let policy = format!("<Policy>{}</Policy>", crate::instance::MatchPolicy::default());
    let fingerprint = format!("<Fingerprint>{}</Fingerprint>", bound_fingerprint());
    for needle in [
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<License xmlns=\"urn:license-core:license\" version=\"1\">",
        "\n  <Id>LIC-2026-0001</Id>",
        "<Name>Ünïcode &amp; &lt;Sons&gt; \"Ltd\"</Name>",
        "<ExpiryPolicy graceDays=\"14\">\n    <Warning days=\"90\"></Warning>",
        "<Feature enabled=\"true\" expiresAt=\"2026-07-01T00:00:00Z\" name=\"reports\"></Feature>",
        "<ActionedLimit count=\"5000\" kind=\"counted\"></ActionedLimit>",
        &policy,
        &fingerprint,
        "<Attribute name=\"region\">eu-west\ttabbed\nnewline</Attribute>",
        "\n  <ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">\n    <ds:SignedInfo>",
        "<ds:KeyName>",
        "</ds:Signature>\n</License>\n",
    ] {
        assert!(xml.contains(needle), "missing {needle:?} in\n{xml}");
    }
}

#[test]
fn inspect_unverified_reads_without_keys() {
    let xml = full_license().sign(&signing_2048()).unwrap();
    let seen = License::inspect_unverified(&xml).unwrap();
    assert_eq!(seen.license(), &full_license());
    assert!(seen.has_signature());
    assert_eq!(seen.claimed_key_name(), Some(signing_2048().key_id().to_string().as_str()));
    // It reads a tampered document too: that is why it is only for display.
    let tampered = String::from_utf8(xml).unwrap().replace("5000", "9000");
    assert_eq!(
        License::inspect_unverified(tampered.as_bytes()).unwrap().license().actioned_limit().counted(),
        Some(9000)
    );
    assert_eq!(
        License::from_signed_xml(tampered.as_bytes(), &trusted()).unwrap_err().kind(),
        ErrorKind::DigestMismatch
    );
}

/// Reads an unsigned document body through the schema.
fn read_body(body: &str) -> Result<License> {
    let doc = format!("<License xmlns=\"urn:license-core:license\" version=\"1\">{body}</License>");
    License::inspect_unverified(doc.as_bytes()).map(|u| u.license().clone())
}

const HEAD: &str = "<Id>L</Id><Product>p</Product><Licensee><Name>n</Name></Licensee><IssuedAt>2026-01-01T00:00:00Z</IssuedAt>";
const POLICY: &str = "<ExpiryPolicy graceDays=\"0\"><Warning days=\"5\"/></ExpiryPolicy>";
const SITE: &str = "<ActionedLimit kind=\"site\"/>";

#[test]
fn schema_errors_name_what_is_wrong() {
    assert!(read_body(&format!("{HEAD}{POLICY}{SITE}")).is_ok());
    let cases: Vec<(String, ErrorKind, &str)> = vec![
        (format!("{HEAD}{POLICY}{SITE}<Extra/>"), ErrorKind::UnknownElement, "Extra"),
        (format!("{HEAD}{POLICY}{SITE}{SITE}"), ErrorKind::DuplicateElement, "ActionedLimit"),
        (format!("{HEAD}{SITE}"), ErrorKind::MissingElement, "ExpiryPolicy"),
        (format!("{HEAD}{POLICY}"), ErrorKind::MissingElement, "ActionedLimit"),
        (format!("{HEAD}{POLICY}<ActionedLimit kind=\"site\" count=\"1\"/>"), ErrorKind::UnknownAttribute, "count"),
        (format!("{HEAD}{POLICY}<ActionedLimit kind=\"counted\" count=\"01\"/>"), ErrorKind::InvalidValue, "01"),
        (format!("{HEAD}{POLICY}<ActionedLimit kind=\"counted\" count=\"-1\"/>"), ErrorKind::InvalidValue, "-1"),
        (
            format!("{HEAD}{POLICY}<ActionedLimit kind=\"counted\" count=\"99999999999999999999\"/>"),
            ErrorKind::InvalidValue,
            "9999",
        ),
        (format!("{HEAD}{POLICY}<ActionedLimit kind=\"counted\" count=\"0\"/>"), ErrorKind::InvalidLimit, "0"),
        (format!("{HEAD}{POLICY}<ActionedLimit kind=\"other\"/>"), ErrorKind::InvalidValue, "other"),
        (
            "<Id>L</Id><Product>p</Product><Licensee><Name>n</Name></Licensee><IssuedAt>2026-01-01T01:00:00+01:00</IssuedAt>"
                .to_owned()
                + POLICY
                + SITE,
            ErrorKind::InvalidValue,
            "canonical",
        ),
        (
            format!("{HEAD}{POLICY}<Features><Feature name=\"b\" enabled=\"true\"/><Feature name=\"a\" enabled=\"true\"/></Features>{SITE}"),
            ErrorKind::InvalidValue,
            "order",
        ),
        (
            format!("{HEAD}{POLICY}<Features><Feature name=\"a\" enabled=\"true\"/><Feature name=\"a\" enabled=\"false\"/></Features>{SITE}"),
            ErrorKind::DuplicateFeature,
            "a",
        ),
        (format!("{HEAD}{POLICY}<Features><Feature name=\"a\" enabled=\"yes\"/></Features>{SITE}"), ErrorKind::InvalidValue, "yes"),
        (format!("{HEAD}{POLICY}<Features/>{SITE}"), ErrorKind::MissingElement, "Feature"),
        (format!("{HEAD}<ExpiryPolicy graceDays=\"0\"><Warning days=\"5\"/><Warning days=\"9\"/></ExpiryPolicy>{SITE}"), ErrorKind::InvalidValue, "order"),
        (format!("{HEAD}{POLICY}{SITE}<Attributes><Attribute name=\"a\">x<b/></Attribute></Attributes>"), ErrorKind::UnknownElement, "b"),
        (format!("{HEAD}{POLICY}{SITE}<Attributes><Attribute name=\"a\">1</Attribute><Attribute name=\"a\">2</Attribute></Attributes>"), ErrorKind::DuplicateElement, "a"),
        (format!("<Id k=\"v\">L</Id>{}{POLICY}{SITE}", &HEAD[10..]), ErrorKind::UnknownAttribute, "k"),
        (format!("{HEAD}{POLICY}<x:ActionedLimit xmlns:x=\"urn:other\" kind=\"site\"/>"), ErrorKind::UnknownElement, "urn:other"),
        (format!("text{HEAD}{POLICY}{SITE}"), ErrorKind::InvalidValue, "text"),
        (format!("{HEAD}{POLICY}{SITE}<Binding><InstanceId>i</InstanceId></Binding>"), ErrorKind::MissingElement, "Fingerprint"),
    ];
    for (body, kind, mention) in cases {
        let err = read_body(&body).unwrap_err();
        assert_eq!(err.kind(), kind, "{body}: {err}");
        assert!(err.to_string().contains(mention), "{body}: {err} should mention {mention}");
    }
}

#[test]
fn version_and_root_are_checked() {
    let other = "<License xmlns=\"urn:license-core:license\" version=\"2\"/>";
    let err = License::inspect_unverified(other.as_bytes()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedVersion);
    assert!(err.detail().contains("`2`"), "{err}");
    let none = "<License xmlns=\"urn:license-core:license\"/>";
    assert_eq!(License::inspect_unverified(none.as_bytes()).unwrap_err().kind(), ErrorKind::MissingAttribute);
    let wrong_ns = "<License xmlns=\"urn:other\" version=\"1\"/>";
    assert_eq!(
        License::inspect_unverified(wrong_ns.as_bytes()).unwrap_err().kind(),
        ErrorKind::WrongDocumentType
    );
}

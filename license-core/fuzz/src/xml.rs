//! The XML documents: signed license, signed usage log, hardware profile.

use license_core::{HardwareProfile, License, UsageLog};

use crate::{bounds, check, known};

/// A signed license document. A document that verifies reads one of the
/// licenses the fixed key signed, and reads the same unverified; any
/// document that reads unverified signs, verifies back to the same license
/// and signs to the same bytes again.
pub fn license_xml(data: &[u8]) {
    let bound = bounds::XML.at(data.len());
    let verified = check::parse("License::from_signed_xml", data.len(), bound, || {
        License::from_signed_xml(data, known::trusted())
    });
    let unverified =
        check::parse("License::inspect_unverified", data.len(), bound, || License::inspect_unverified(data));
    if let Ok(v) = &verified {
        assert!(
            known::licenses().contains(v.license()),
            "a mutated document verifies but reads a license nobody signed: {:?}",
            v.license()
        );
        let u = unverified.as_ref().expect("a document that verifies also reads unverified");
        assert_eq!(u.license(), v.license(), "the verified and the unverified reading differ");
        assert!(u.has_signature());
    }
    if let Ok(u) = unverified {
        let signed = u.license().sign(known::key()).expect("a license that reads also signs");
        let again = License::from_signed_xml(&signed, known::trusted()).expect("what we sign verifies");
        assert_eq!(again.license(), u.license(), "sign then verify changed the license");
        assert_eq!(
            again.license().sign(known::key()).expect("signs"),
            signed,
            "signing is not deterministic"
        );
    }
}

/// A signed usage log. Inputs starting with `<` are documents: one that
/// verifies reads one of the logs the fixed key signed, and signs back to
/// the same log. The usage-log schema is only read after the signature
/// verified, so other inputs are made into a log's text fields (names
/// with markup, control characters, any Unicode) that must sign and read
/// back unchanged.
pub fn usage_log(data: &[u8]) {
    if data.first() != Some(&b'<') {
        return usage_log_fields(data);
    }
    let bound = bounds::XML.at(data.len());
    let verified = check::parse("UsageLog::from_signed_xml", data.len(), bound, || {
        UsageLog::from_signed_xml(data, known::trusted())
    });
    if let Ok(v) = verified {
        assert!(
            known::usage_logs().contains(v.log()),
            "a mutated usage log verifies but reads a log nobody signed: {:?}",
            v.log()
        );
        round_trip_log(v.log());
    }
}

fn usage_log_fields(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut fields = text.split('\u{1}').map(str::to_owned);
    let mut log = known::usage_log(1);
    let mut next = |slot: &mut String| {
        if let Some(f) = fields.next() {
            *slot = f;
        }
    };
    next(&mut log.instance.id);
    next(&mut log.instance.name);
    next(&mut log.instance.location);
    next(&mut log.instance.software_version);
    next(&mut log.instance.fingerprint);
    next(&mut log.license.id);
    next(&mut log.license.product);
    next(&mut log.license.licensee);
    // The writer may refuse text XML cannot carry (a typed error); what it
    // writes must read back exactly.
    if let Ok(signed) = log.sign(known::key()) {
        let read = UsageLog::from_signed_xml(&signed, known::trusted());
        let read = read.unwrap_or_else(|e| panic!("a usage log we signed does not read: {e}"));
        assert_eq!(read.log(), &log, "sign then verify changed the usage log");
    }
}

fn round_trip_log(log: &UsageLog) {
    let signed = log.sign(known::key()).expect("a log that reads also signs");
    let again = UsageLog::from_signed_xml(&signed, known::trusted()).expect("what we sign verifies");
    assert_eq!(again.log(), log, "sign then verify changed the usage log");
    assert_eq!(again.log().sign(known::key()).expect("signs"), signed, "signing is not deterministic");
}

/// A hardware profile document: what reads writes canonical XML that reads
/// back to the same profile and writes the same bytes.
pub fn profile_xml(data: &[u8]) {
    let bound = bounds::XML.at(data.len());
    let read =
        check::parse("HardwareProfile::from_xml", data.len(), bound, || HardwareProfile::from_xml(data));
    if let Ok(profile) = read {
        let xml = profile.to_xml().expect("a profile that reads also writes");
        let again = HardwareProfile::from_xml(xml.as_bytes())
            .unwrap_or_else(|e| panic!("the profile we wrote does not read: {e}\n{xml}"));
        assert_eq!(again, profile, "write then read changed the profile");
        assert_eq!(again.to_xml().expect("writes"), xml, "writing is not deterministic");
    }
}

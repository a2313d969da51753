//! The inputs the bounds in `license_core_fuzz::bounds` were measured on:
//! for each parser, the shapes that cost the most heap per input byte,
//! checked against its bound (the fuzzers then look for worse ones).

use license_core::{usage, Account, HardwareProfile, KeyBundle, License, LicenseKey};
use license_core_fuzz::bounds::{self, Bound};
use license_core_fuzz::{heap, known};

fn check<T>(what: &str, bound: Bound, input: &[u8], parse: impl FnOnce(&[u8]) -> T) {
    let (_, peak) = heap::peak_during(|| parse(input));
    let limit = bound.at(input.len());
    assert!(peak <= limit, "{what}: {peak} bytes for {} input bytes, over {limit}", input.len());
}

fn text(input: &[u8]) -> &str {
    std::str::from_utf8(input).expect("the worst cases are UTF-8")
}

/// The most elements the reader accepts, each as short as XML allows.
fn many_elements(root: &str, end: &str) -> String {
    format!("{root}{}{end}", "<a/>".repeat(19_000))
}

#[test]
fn xml_readers() {
    let profile = many_elements("<r>", "</r>");
    check("profile, <a/> elements", bounds::XML, profile.as_bytes(), HardwareProfile::from_xml);
    check("license, <a/> elements", bounds::XML, profile.as_bytes(), License::inspect_unverified);
    let signed = many_elements(
        "<License xmlns=\"urn:license-core:license\">",
        "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"/></License>",
    );
    check("signed license, <a/> elements", bounds::XML, signed.as_bytes(), |d| {
        License::from_signed_xml(d, known::trusted())
    });
    let attributes: String = (0..31).map(|i| format!(" a{i}=''")).collect();
    let attributes = format!("<r>{}</r>", format!("<a{attributes}/>").repeat(600));
    check(
        "license, 31 attributes an element",
        bounds::XML,
        attributes.as_bytes(),
        License::inspect_unverified,
    );
    let text_nodes = format!("<r>{}</r>", "<a>&#x41;</a>".repeat(19_000));
    check("license, text nodes", bounds::XML, text_nodes.as_bytes(), License::inspect_unverified);
}

/// CBOR: major type and length, in the shortest form.
fn cbor_head(major: u8, n: usize, out: &mut Vec<u8>) {
    match n {
        0..24 => out.push(major << 5 | n as u8),
        24..256 => out.extend([major << 5 | 24, n as u8]),
        256..65_536 => {
            out.push(major << 5 | 25);
            out.extend((n as u16).to_be_bytes());
        }
        _ => {
            out.push(major << 5 | 26);
            out.extend((n as u32).to_be_bytes());
        }
    }
}

/// A tagged COSE_Sign1 (RS256) whose unprotected header maps label 99 to
/// an array of `n` items encoded as `items`, over `payload`.
fn sign1(items: &[u8], n: usize, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0xd2, 0x84];
    let protected = [0xa1, 0x01, 0x39, 0x01, 0x00];
    cbor_head(2, protected.len(), &mut out);
    out.extend(protected);
    out.extend([0xa1, 0x18, 99]);
    cbor_head(4, n, &mut out);
    out.extend(items);
    cbor_head(2, payload.len(), &mut out);
    out.extend(payload);
    cbor_head(2, 4, &mut out);
    out.extend([0; 4]);
    out
}

#[test]
fn cose_bundles() {
    let n = 200_000;
    let zeros = sign1(&vec![0; n], n, b"");
    check("header array of 0s", bounds::BUNDLE, &zeros, |d| KeyBundle::verify(d, known::trusted()));
    let maps = sign1(&[0xa0, 0x80].repeat(n / 2), n, b"");
    check("header array of {} and []", bounds::BUNDLE, &maps, KeyBundle::inspect_unverified);
    let mut payload = Vec::new();
    cbor_head(4, n, &mut payload);
    payload.extend(vec![0; n]);
    let inspected = sign1(&[], 0, &payload);
    check("payload array of 0s", bounds::BUNDLE, &inspected, KeyBundle::inspect_unverified);
}

#[test]
fn json_readers() {
    let attributes: String = (0..30_000).map(|i| format!("\"{i}\":\"\",")).collect();
    let license = format!(
        "{{\"id\":\"a\",\"product\":\"p\",\"issued_at\":\"2026-01-01T00:00:00Z\",\"attributes\":{{{attributes}\"x\":\"\"}}}}"
    );
    check("license attributes", bounds::JSON, license.as_bytes(), |d| License::from_json(text(d)));
    let state = "{\"sequence\":1,\"tip\":\"\",\"generated_at\":\"2026-01-01T00:00:00Z\"}";
    let entries: Vec<String> = (0..20_000).map(|i| format!("\"{i}\":{state}")).collect();
    let ledger = format!("{{{}}}", entries.join(","));
    check("ledger instances", bounds::JSON, ledger.as_bytes(), |d| {
        serde_json::from_slice::<usage::Ledger>(d).is_ok()
    });
    let account = known::account().to_json();
    check("account", bounds::JSON, account.as_bytes(), |d| Account::from_json(text(d)));
}

#[test]
fn license_key_text() {
    for key in ["", "x", "MCRT-0MM9-38NK-RT5D", &"M-".repeat(1000), &"\u{10ffff}".repeat(1000)] {
        check("key diagnosis", bounds::LICENSE_KEY, key.as_bytes(), |d| LicenseKey::diagnose(text(d)));
    }
}

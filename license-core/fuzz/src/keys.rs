//! Key material from outside: signed key bundles and license key text.

use license_core::{keys::BundleAlgorithm, KeyBundle, LicenseKey};

use crate::{bounds, check, heap, known};

/// A key bundle, `.bin` or JSON. A `.bin` that verifies is byte for byte
/// one the fixed key signed (one bundle, one encoding) and carries its
/// bundle, read the same unverified; any bundle that reads
/// signs (RS256, deterministic) and verifies back to itself, and its JSON
/// form reads back to itself and writes the same text.
pub fn bundle(data: &[u8]) {
    let bound = bounds::BUNDLE.at(data.len());
    let verified =
        check::parse("KeyBundle::verify", data.len(), bound, || KeyBundle::verify(data, known::trusted()));
    let inspected = check::parse("KeyBundle::inspect_unverified", data.len(), bound, || {
        KeyBundle::inspect_unverified(data)
    });
    if let Ok(v) = &verified {
        assert!(
            known::bundles().contains(&v.bundle),
            "a mutated bundle verifies but reads a bundle nobody signed: {:?}",
            v.bundle
        );
        assert!(
            known::signed_bundle_digests().contains(&v.sha256),
            "bytes other than the signed ones verify (a second encoding of a signed bundle)"
        );
        let i = inspected.as_ref().expect("a bundle that verifies also reads unverified");
        assert_eq!(i.bundle, v.bundle, "the verified and the unverified reading differ");
        assert_eq!((i.algorithm, i.key_id), (v.algorithm, v.key_id));
    }
    if let Ok(i) = inspected {
        round_trip(&i.bundle);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let bound = bounds::JSON.at(data.len());
        if let Ok(b) = check::parse("KeyBundle::from_json", data.len(), bound, || KeyBundle::from_json(text))
        {
            round_trip(&b);
        }
    }
}

fn round_trip(bundle: &KeyBundle) {
    let bin = bundle.to_bin(known::key(), BundleAlgorithm::Rs256).expect("a bundle that reads signs");
    let again = KeyBundle::verify(&bin, known::trusted())
        .unwrap_or_else(|e| panic!("a bundle we signed does not verify: {e}"));
    assert_eq!(&again.bundle, bundle, "sign then verify changed the bundle");
    let bin2 = again.bundle.to_bin(known::key(), BundleAlgorithm::Rs256).expect("signs");
    assert_eq!(bin2, bin, "RS256 signing is not deterministic");
    let json = bundle.to_json();
    let from_json = KeyBundle::from_json(&json)
        .unwrap_or_else(|e| panic!("the JSON we wrote does not read: {e}\n{json}"));
    assert_eq!(&from_json, bundle, "write then read of the JSON changed the bundle");
    assert_eq!(from_json.to_json(), json, "writing the JSON is not deterministic");
}

/// License key text: a key that parses prints (grouped and compact) to
/// text that parses to the same key, and the typo diagnosis agrees with
/// the parser.
pub fn license_key(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let bound = bounds::LICENSE_KEY.at(data.len());
    let parsed = check::parse("LicenseKey::from_str", data.len(), bound, || text.parse::<LicenseKey>());
    let diagnosed = heap::within("LicenseKey::diagnose", data.len(), bound, || LicenseKey::diagnose(text));
    assert_eq!(
        parsed.as_ref().ok(),
        diagnosed.as_ref().ok(),
        "the parser and the diagnosis disagree on {text:?}"
    );
    if let Ok(key) = parsed {
        for printed in [key.to_string(), key.compact()] {
            let again: LicenseKey =
                printed.parse().unwrap_or_else(|e| panic!("{printed:?} does not parse: {e}"));
            assert_eq!(again, key, "{printed:?} reads as another key");
        }
        assert_eq!(LicenseKey::new(key.kind(), key.product(), key.serial()).ok(), Some(key));
    }
}

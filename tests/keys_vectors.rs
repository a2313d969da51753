//! The golden key bundle vectors in tests/vectors/bundles (see its README):
//! the encoding is stable, a bundle from another COSE implementation reads,
//! and activation gives the documented result on the documented machines.

mod support;

use license_core::{
    keys::{activate, BundleAlgorithm},
    ErrorKind, HardwareProfile, KeyBundle, SigningKey, TrustedKeys, VerifyingKey,
};
use time::macros::datetime;

fn read(name: &str) -> Vec<u8> {
    std::fs::read(support::vectors().join("bundles").join(name)).unwrap()
}

fn key(name: &str) -> String {
    std::fs::read_to_string(support::vectors().join("keys").join(name)).unwrap()
}

fn trusted() -> TrustedKeys {
    TrustedKeys::from(VerifyingKey::from_public_key_pem(&key("vendor-2048.pub.pem")).unwrap())
}

#[test]
fn encoding_is_stable() {
    let bundle = KeyBundle::from_json(std::str::from_utf8(&read("bundle.json")).unwrap()).unwrap();
    let signing = SigningKey::from_pkcs8_pem(&key("vendor-2048.key.pem")).unwrap();
    let bin = bundle.to_bin(&signing, BundleAlgorithm::Rs256).unwrap();
    assert_eq!(bin, read("bundle-rs256.bin"), "the RS256 encoding of bundle.json changed");
}

#[test]
fn both_vectors_read_as_the_json() {
    let expected = KeyBundle::from_json(std::str::from_utf8(&read("bundle.json")).unwrap()).unwrap();
    for (name, alg) in
        [("bundle-rs256.bin", BundleAlgorithm::Rs256), ("bundle-pycose-ps256.bin", BundleAlgorithm::Ps256)]
    {
        let signed = KeyBundle::verify(&read(name), &trusted()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(signed.bundle, expected, "{name}");
        assert_eq!(signed.algorithm, alg, "{name}");
    }
}

#[test]
fn activation_on_the_documented_machines() {
    let here = HardwareProfile::from_xml(&read("profile.xml")).unwrap();
    let other = HardwareProfile::from_xml(&read("other-profile.xml")).unwrap();
    let at = datetime!(2027-01-01 00:00 UTC);
    for name in ["bundle-rs256.bin", "bundle-pycose-ps256.bin"] {
        let a = activate(&read(name), &trusted(), &here, at).unwrap();
        assert_eq!(a.features().quantity("api"), Some(15), "{name}");
        let names: Vec<&str> = a.features().iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["api", "reports", "sso"]);
        let err = activate(&read(name), &trusted(), &other, at).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FingerprintMismatch);
        for component in ["machine-id", "product-uuid", "mac"] {
            assert!(err.detail().contains(component), "{err}");
        }
        let err = activate(&read(name), &trusted(), &here, datetime!(2036-11-23 00:00 UTC)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::KeyExpired);
    }
}

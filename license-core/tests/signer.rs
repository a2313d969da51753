//! Every signing API signs through `crypto::Signer`, so a key the process
//! never holds (a hardware token) can take the in-process key's place.

mod common;

use common::{license, now, vendor_key, ExternalSigner, UnpluggedSigner};
use license_core::crypto::SignatureAlgorithm::{RsaPkcs1v15Sha256, RsaPssSha256};
use license_core::keys::{BundleAlgorithm, KeyKind, KeyRecord, KeyStatus};
use license_core::{ErrorKind, Fingerprint, HardwareProfile, KeyBundle, License, LicenseKey, TrustedKeys};

fn bundle() -> KeyBundle {
    let master = LicenseKey::new(KeyKind::Master, "CRT".parse().unwrap(), 1).unwrap();
    let record = KeyRecord::builder(master, now()).status(KeyStatus::Active).build().unwrap();
    let profile =
        HardwareProfile { machine_id: Some("3d1219c7c4c5404aaa1f6d2a48adfda4".into()), ..Default::default() };
    KeyBundle::builder("srv-1", &Fingerprint::from_profile(&profile), now(), record).build().unwrap()
}

fn trusted() -> TrustedKeys {
    TrustedKeys::from(vendor_key().verifying_key().clone())
}

#[test]
fn a_license_signed_through_another_signer_is_the_same_document() {
    let lic = license("LIC-1", 1, 30, 0);
    let external = ExternalSigner::new(vendor_key(), &[RsaPkcs1v15Sha256]);
    let xml = lic.sign(&external).unwrap();
    assert_eq!(external.calls.get(), 1);
    assert_eq!(xml, lic.sign(&vendor_key()).unwrap());
    let verified = License::from_signed_xml(&xml, &trusted()).unwrap();
    assert_eq!(verified.key_id(), vendor_key().key_id());
}

#[test]
fn bundles_sign_through_another_signer_with_either_algorithm() {
    let external = ExternalSigner::new(vendor_key(), &[RsaPkcs1v15Sha256, RsaPssSha256]);
    let rs = bundle().to_bin(&external, BundleAlgorithm::Rs256).unwrap();
    assert_eq!(rs, bundle().to_bin(&vendor_key(), BundleAlgorithm::Rs256).unwrap());
    let ps = bundle().to_bin(&external, BundleAlgorithm::Ps256).unwrap();
    assert_eq!(external.calls.get(), 2);
    for bin in [rs, ps] {
        assert_eq!(KeyBundle::from_bin(&bin, &trusted()).unwrap(), bundle());
    }
}

#[test]
fn a_scheme_the_signer_does_not_make_is_refused_before_it_is_asked() {
    let pkcs1_only = ExternalSigner::new(vendor_key(), &[RsaPkcs1v15Sha256]);
    let err = bundle().to_bin(&pkcs1_only, BundleAlgorithm::Ps256).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedAlgorithm);
    assert!(
        err.detail().contains("PS256") && err.detail().contains(&vendor_key().key_id().to_string()),
        "{err}"
    );
    let pss_only = ExternalSigner::new(vendor_key(), &[RsaPssSha256]);
    let err = license("LIC-1", 1, 30, 0).sign(&pss_only).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedAlgorithm);
    assert_eq!(pkcs1_only.calls.get() + pss_only.calls.get(), 0);
}

#[test]
fn a_signer_that_fails_fails_the_signing_with_its_error() {
    let unplugged = UnpluggedSigner(vendor_key().key_id());
    let err = license("LIC-1", 1, 30, 0).sign(&unplugged).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SigningFailed);
    for alg in [BundleAlgorithm::Rs256, BundleAlgorithm::Ps256] {
        assert_eq!(bundle().to_bin(&unplugged, alg).unwrap_err().kind(), ErrorKind::SigningFailed);
    }
}

//! License verifications per second, beside bare RSA-2048 and RSA-3072
//! PKCS#1 v1.5 SHA-256 verifies with the same keys, in one run; and
//! signatures per second with the same keys: a whole `License::sign` and a
//! bare PKCS#1 v1.5 signature, the constant-time default (`ring`) beside
//! the `rsa` crate's variable-time signer it replaced (RUSTSEC-2023-0071),
//! and the same keys imported into a SoftHSM2 token and used through
//! PKCS#11 (skipped, with a note, when SoftHSM2 is not installed).
//! The same rows for ECDSA P-256 (XML-DSig `ecdsa-sha256`, `ring` both
//! ways): a license verify beside a bare ECDSA verify, a license signing
//! beside a bare ECDSA signature.
//!
//! A license verification is: parse (strict), canonicalize the document and
//! SignedInfo (exclusive C14N), SHA-256, one RSA verify, and the schema
//! read. The ratio to the bare RSA verify is the cost of the XML around it.
//!
//!     cargo bench --bench verify

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, Criterion, Throughput};
use license_core::crypto::pkcs11::{Pin, Pkcs11Signer};
use license_core::crypto::{SignatureAlgorithm, Signer as _};
use license_core::{
    license::{ActionedLimit, ExpiryPolicy, InstanceBinding},
    Feature, Fingerprint, HardwareProfile, License, SigningKey, TrustedKeys,
};
use time::macros::datetime;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn key(bits: u32) -> SigningKey {
    let path = root().join("tests/vectors/keys").join(format!("vendor-{bits}.key.pem"));
    SigningKey::from_pkcs8_pem(&std::fs::read_to_string(path).expect("fixture key")).expect("fixture key")
}

fn key_p256() -> SigningKey {
    let path = root().join("tests/vectors/keys/vendor-p256.key.pem");
    SigningKey::from_pkcs8_pem(&std::fs::read_to_string(path).expect("fixture key")).expect("fixture key")
}

/// The fingerprint of the test vectors' server profile.
fn server_fingerprint() -> Fingerprint {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/profile/server.xml");
    let xml = std::fs::read(path).expect("tests/vectors/profile/server.xml");
    Fingerprint::from_profile(&HardwareProfile::from_xml(&xml).expect("a valid profile"))
}

/// A realistic license: every field set.
fn license() -> License {
    License::builder("LIC-2026-0001", "certmgr", datetime!(2026-01-01 0:00 UTC))
        .licensee("Example Ltd")
        .organisation("Example Group plc")
        .email("licensing@example.com")
        .expires_at(datetime!(2027-01-01 0:00 UTC))
        .expiry_policy(ExpiryPolicy { warning_days: vec![60, 30, 5], grace_days: 14 })
        .feature("api", Feature::enabled().with_quantity(10))
        .feature("reports", Feature::enabled().with_expiry(datetime!(2026-07-01 0:00 UTC)))
        .feature("sso", Feature::disabled())
        .actioned_limit(ActionedLimit::Counted(5_000))
        .binding(InstanceBinding::new("inst-0001", &server_fingerprint(), None))
        .attribute("purchase-order", "PO-88123")
        .build()
        .expect("valid license")
}

const IDS: [&str; 7] = [
    "license-2048",
    "rsa-2048-bare",
    "license-3072",
    "rsa-3072-bare",
    "xml-read-only",
    "license-p256",
    "ecdsa-p256-bare",
];

/// The signing rows: per key size, a whole license, then the bare
/// signature with the constant-time default and with the rsa crate; then
/// the bare signature through PKCS#11 (SoftHSM2), when it ran; then
/// the same two with the P-256 key (ring only).
const SIGN_IDS: [&str; 10] = [
    "license-sign-2048-ring",
    "sign-2048-ring-constant-time",
    "sign-2048-rsa-crate",
    "license-sign-3072-ring",
    "sign-3072-ring-constant-time",
    "sign-3072-rsa-crate",
    "sign-2048-pkcs11-softhsm2",
    "sign-3072-pkcs11-softhsm2",
    "license-sign-p256-ring",
    "sign-p256-ring-constant-time",
];

/// The rsa crate's PKCS#1 v1.5 signer for the same fixture key.
fn rsa_crate_signer(bits: u32) -> rsa::pkcs1v15::SigningKey<sha2::Sha256> {
    use rsa::pkcs8::DecodePrivateKey;
    let path = root().join("tests/vectors/keys").join(format!("vendor-{bits}.key.pem"));
    let pem = std::fs::read_to_string(path).expect("fixture key");
    rsa::pkcs1v15::SigningKey::new(rsa::RsaPrivateKey::from_pkcs8_pem(&pem).expect("fixture key"))
}

/// The fixture keys of `bits` bits imported into a SoftHSM2 token, or
/// `None` (with a note) without SoftHSM2. The token lives as long as the
/// returned guard.
fn softhsm_signer(token: &Option<support::softhsm::Token>, bits: u32) -> Option<Pkcs11Signer> {
    let token = token.as_ref()?;
    let label = format!("vendor-{bits}");
    token.import(&root().join("tests/vectors/keys").join(format!("{label}.key.pem")), &label);
    let pin = Pin::new(support::softhsm::PIN).expect("pin");
    Some(Pkcs11Signer::open(&token.module, support::softhsm::TOKEN, &label, &pin).expect("the imported key"))
}

fn bench(c: &mut Criterion) {
    let license = license();
    let token = support::softhsm::Token::new();
    if let Some(t) = &token {
        // SoftHSM2 reads its configuration when the module is first loaded.
        std::env::set_var("SOFTHSM2_CONF", &t.conf);
    }
    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(4));
    for bits in [2048, 3072] {
        let key = key(bits);
        let trusted = TrustedKeys::from(key.verifying_key().clone());
        let xml = license.sign(&key).expect("sign");
        // The bare verify signs a message of SignedInfo's canonical size.
        let message = vec![b'x'; 800];
        let signature = key.sign_pkcs1v15_sha256(&message).expect("sign");
        let public = key.verifying_key().clone();
        group.bench_function(format!("license-{bits}"), |b| {
            b.iter(|| License::from_signed_xml(std::hint::black_box(&xml), &trusted).expect("verifies"))
        });
        group.bench_function(format!("rsa-{bits}-bare"), |b| {
            b.iter(|| {
                public.verify_pkcs1v15_sha256(std::hint::black_box(&message), &signature).expect("verifies")
            })
        });
        group.bench_function(format!("license-sign-{bits}-ring"), |b| {
            b.iter(|| license.sign(std::hint::black_box(&key)).expect("signs"))
        });
        group.bench_function(format!("sign-{bits}-ring-constant-time"), |b| {
            b.iter(|| key.sign_pkcs1v15_sha256(std::hint::black_box(&message)).expect("signs"))
        });
        let reference = rsa_crate_signer(bits);
        assert_eq!(
            rsa::signature::SignatureEncoding::to_vec(&rsa::signature::Signer::sign(&reference, &message)),
            signature,
            "both backends make one signature"
        );
        group.bench_function(format!("sign-{bits}-rsa-crate"), |b| {
            b.iter(|| rsa::signature::Signer::sign(&reference, std::hint::black_box(&message)))
        });
        if let Some(hsm) = softhsm_signer(&token, bits) {
            let through_token = hsm.sign(SignatureAlgorithm::RsaPkcs1v15Sha256, &message).expect("signs");
            assert_eq!(through_token, signature, "the token makes the same signature");
            group.bench_function(format!("sign-{bits}-pkcs11-softhsm2"), |b| {
                b.iter(|| {
                    hsm.sign(SignatureAlgorithm::RsaPkcs1v15Sha256, std::hint::black_box(&message))
                        .expect("signs")
                })
            });
        }
        if bits == 2048 {
            // The XML work alone (parse, schema, no C14N or RSA), for scale.
            group.bench_function("xml-read-only", |b| {
                b.iter(|| License::inspect_unverified(std::hint::black_box(&xml)).expect("reads"))
            });
        }
    }
    let key = key_p256();
    let trusted = TrustedKeys::from(key.verifying_key().clone());
    let xml = license.sign(&key).expect("sign");
    let message = vec![b'x'; 800];
    let signature = key.sign_ecdsa_p256_sha256(&message).expect("sign");
    let public = key.verifying_key().clone();
    group.bench_function("license-p256", |b| {
        b.iter(|| License::from_signed_xml(std::hint::black_box(&xml), &trusted).expect("verifies"))
    });
    group.bench_function("ecdsa-p256-bare", |b| {
        b.iter(|| {
            public.verify_ecdsa_p256_sha256(std::hint::black_box(&message), &signature).expect("verifies")
        })
    });
    group.bench_function("license-sign-p256-ring", |b| {
        b.iter(|| license.sign(std::hint::black_box(&key)).expect("signs"))
    });
    group.bench_function("sign-p256-ring-constant-time", |b| {
        b.iter(|| key.sign_ecdsa_p256_sha256(std::hint::black_box(&message)).expect("signs"))
    });
    group.finish();
}

criterion_group!(benches, bench);

/// Median time per iteration, from criterion's estimates of this run
/// (the median resists the outliers a shared machine produces).
fn mean_ns(id: &str) -> Option<f64> {
    let path = root().join("target/criterion/verify").join(id).join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["median"]["point_estimate"].as_f64()
}

fn main() {
    // Rows of an earlier run must not pass for this one's (the HSM rows
    // are skipped without SoftHSM2).
    for id in &SIGN_IDS[6..] {
        let _ = std::fs::remove_dir_all(root().join("target/criterion/verify").join(id));
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
    let medians: Vec<Option<f64>> = IDS.iter().map(|id| mean_ns(id)).collect();
    println!("\nverifications per second (this run)");
    for (id, median) in IDS.iter().zip(&medians) {
        if let Some(ns) = median {
            println!("  {id:<16} {:>10.0}/s  ({:.1} µs each)", 1e9 / ns, ns / 1e3);
        }
    }
    for (license, bare) in [(0, 1), (2, 3), (5, 6)] {
        if let (Some(l), Some(b)) = (medians[license], medians[bare]) {
            println!("  {} costs {:.2}x a bare {} verify", IDS[license], l / b, IDS[bare]);
        }
    }
    let medians: Vec<Option<f64>> = SIGN_IDS.iter().map(|id| mean_ns(id)).collect();
    println!("\nsignatures per second (this run)");
    for (id, median) in SIGN_IDS.iter().zip(&medians) {
        if let Some(ns) = median {
            println!("  {id:<30} {:>8.0}/s  ({:.2} ms each)", 1e9 / ns, ns / 1e6);
        }
    }
    for (ring, rsa) in [(1, 2), (4, 5)] {
        if let (Some(r), Some(s)) = (medians[ring], medians[rsa]) {
            println!("  {} takes {:.2}x the time of {}", SIGN_IDS[ring], r / s, SIGN_IDS[rsa]);
        }
    }
    for (hsm, ring) in [(6, 1), (7, 4)] {
        if let (Some(h), Some(r)) = (medians[hsm], medians[ring]) {
            println!("  {} takes {:.2}x the time of {}", SIGN_IDS[hsm], h / r, SIGN_IDS[ring]);
        }
    }
}

//! Key bundles verified per second and license keys parsed per second, each
//! next to its bare baseline in the same run:
//!
//! - `bundle/*`: `KeyBundle::from_bin` (COSE parse, header checks, RSA
//!   verify, strict CBOR decode, validation) against the bare RSA-2048
//!   verification of the same to-be-signed bytes, for PS256 and RS256, and
//!   the same for ES256 with the vendor's P-256 key; and a whole offline
//!   `activate` (adds fingerprint matching and the merge).
//! - `sign/*`: signatures per second over a bundle's to-be-signed bytes
//!   with the vendor's RSA-2048 key, PS256 and RS256: the constant-time
//!   default (`ring`, through `SigningKey`) beside the `rsa` crate's
//!   variable-time signer it replaced, and a whole `KeyBundle::to_bin`;
//!   and the same for ES256 with the P-256 key (`ring`, constant time).
//! - `key/*`: `LicenseKey::from_str` (alias mapping, check symbols, kind)
//!   on the display form and on a sloppy form, against a bare Crockford
//!   decode of 16 characters into 80 bits with no check at all.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use license_core::{
    keys::{activate, BundleAlgorithm, KeyKind, KeyRecord, KeyStatus},
    Feature, Fingerprint, HardwareProfile, KeyBundle, LicenseKey, SigningKey, TrustedKeys,
};
use time::macros::datetime;

fn vendor() -> SigningKey {
    let pem = include_str!("../tests/vectors/keys/vendor-2048.key.pem");
    SigningKey::from_pkcs8_pem(pem).expect("fixture key")
}

fn vendor_p256() -> SigningKey {
    let pem = include_str!("../tests/vectors/keys/vendor-p256.key.pem");
    SigningKey::from_pkcs8_pem(pem).expect("fixture key")
}

fn profile() -> HardwareProfile {
    HardwareProfile {
        machine_id: Some("3d1219c7c4c5404aaa1f6d2a48adfda4".into()),
        product_uuid: Some("4c4c4544-0042-3510-8052-b3c04f4e4e32".into()),
        board_serial: Some("BOARD42".into()),
        ..HardwareProfile::default()
    }
}

/// A typical server file: a master and four add-ons, a few features each.
fn bundle() -> KeyBundle {
    let now = datetime!(2026-11-23 08:00 UTC);
    let product = "CRT".parse().unwrap();
    let m = LicenseKey::new(KeyKind::Master, product, 1).unwrap();
    let master = KeyRecord::builder(m, now)
        .status(KeyStatus::Active)
        .feature("api", Feature::enabled().with_quantity(10))
        .feature("reports", Feature::enabled())
        .build()
        .unwrap();
    let mut b = KeyBundle::builder("srv-bench", &Fingerprint::from_profile(&profile()), now, master);
    for serial in 2..6 {
        let addon = KeyRecord::builder(LicenseKey::new(KeyKind::Addon, product, serial).unwrap(), now)
            .parent(m)
            .status(KeyStatus::Active)
            .feature("api", Feature::enabled().with_quantity(5))
            .feature(&format!("extra-{serial}"), Feature::enabled())
            .build()
            .unwrap();
        b = b.addon(addon);
    }
    b.build().unwrap()
}

/// The COSE Sig_structure of a bundle (what the signature covers), rebuilt
/// here so the baseline verifies exactly the bytes `from_bin` verifies.
fn tbs(bin: &[u8]) -> (Vec<u8>, Vec<u8>) {
    use ciborium::value::Value;
    let Value::Tag(18, inner) = ciborium::from_reader::<Value, _>(bin).unwrap() else { panic!("not tag 18") };
    let Value::Array(items) = *inner else { panic!("not an array") };
    let (Value::Bytes(protected), Value::Bytes(payload), Value::Bytes(sig)) =
        (items[0].clone(), items[2].clone(), items[3].clone())
    else {
        panic!("unexpected shape")
    };
    let structure = Value::Array(vec![
        Value::Text("Signature1".into()),
        Value::Bytes(protected),
        Value::Bytes(vec![]),
        Value::Bytes(payload),
    ]);
    let mut out = Vec::new();
    ciborium::into_writer(&structure, &mut out).unwrap();
    (out, sig)
}

fn bundles(c: &mut Criterion) {
    let key = vendor();
    let ec_key = vendor_p256();
    let trusted: TrustedKeys =
        [key.verifying_key().clone(), ec_key.verifying_key().clone()].into_iter().collect();
    let bundle = bundle();
    let mut g = c.benchmark_group("bundle");
    g.throughput(Throughput::Elements(1));
    for (alg, key, name) in [
        (BundleAlgorithm::Ps256, &key, "RSA-2048"),
        (BundleAlgorithm::Rs256, &key, "RSA-2048"),
        (BundleAlgorithm::Es256, &ec_key, "ECDSA P-256"),
    ] {
        let bin = bundle.to_bin(key, alg).unwrap();
        let (message, sig) = tbs(&bin);
        g.bench_function(format!("from_bin {alg} ({} bytes)", bin.len()), |b| {
            b.iter(|| KeyBundle::from_bin(black_box(&bin), &trusted).unwrap())
        });
        let scheme = alg.signature_algorithm();
        g.bench_function(format!("bare {name} verify {alg}"), |b| {
            b.iter(|| key.verifying_key().verify(scheme, black_box(&message), &sig).unwrap())
        });
    }
    let bin = bundle.to_bin(&key, BundleAlgorithm::Rs256).unwrap();
    let here = profile();
    let now = datetime!(2026-12-01 00:00 UTC);
    g.bench_function("activate RS256", |b| {
        b.iter(|| activate(black_box(&bin), &trusted, &here, now).unwrap())
    });
    g.finish();
}

/// The rsa crate's signer for the same key: what `SigningKey` used before
/// it signed through `ring` (RUSTSEC-2023-0071).
fn rsa_crate_key() -> rsa::RsaPrivateKey {
    use rsa::pkcs8::DecodePrivateKey;
    rsa::RsaPrivateKey::from_pkcs8_pem(include_str!("../tests/vectors/keys/vendor-2048.key.pem")).unwrap()
}

fn signing(c: &mut Criterion) {
    use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer};
    let key = vendor();
    let bundle = bundle();
    let (message, _) = tbs(&bundle.to_bin(&key, BundleAlgorithm::Rs256).unwrap());
    let pkcs1 = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(rsa_crate_key());
    let pss = rsa::pss::SigningKey::<sha2::Sha256>::new(rsa_crate_key());
    let mut g = c.benchmark_group("sign");
    g.throughput(Throughput::Elements(1));
    for alg in [BundleAlgorithm::Ps256, BundleAlgorithm::Rs256] {
        g.bench_function(format!("constant-time RSA-2048 signing (ring) {alg}"), |b| {
            b.iter(|| match alg {
                BundleAlgorithm::Ps256 => key.sign_pss_sha256(black_box(&message)).unwrap(),
                _ => key.sign_pkcs1v15_sha256(black_box(&message)).unwrap(),
            })
        });
        g.bench_function(format!("rsa crate RSA-2048 signing (variable time) {alg}"), |b| {
            b.iter(|| match alg {
                BundleAlgorithm::Ps256 => {
                    pss.sign_with_rng(&mut rand::rngs::OsRng, black_box(&message)).to_vec()
                }
                _ => pkcs1.sign(black_box(&message)).to_vec(),
            })
        });
        g.bench_function(format!("to_bin {alg} (ring)"), |b| b.iter(|| bundle.to_bin(&key, alg).unwrap()));
    }
    let ec_key = vendor_p256();
    g.bench_function("constant-time ECDSA P-256 signing (ring) ES256", |b| {
        b.iter(|| ec_key.sign_ecdsa_p256_sha256(black_box(&message)).unwrap())
    });
    g.bench_function("to_bin ES256 (ring)", |b| {
        b.iter(|| bundle.to_bin(&ec_key, BundleAlgorithm::Es256).unwrap())
    });
    g.finish();
}

/// Crockford symbols of 16 characters into a u128, no aliases, no check.
fn bare_decode(text: &[u8; 16]) -> Option<u128> {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut table = [0xFFu8; 256];
    for (i, &c) in ALPHABET.iter().enumerate() {
        table[usize::from(c)] = i as u8;
    }
    text.iter().try_fold(0u128, |acc, &c| {
        let v = table[usize::from(c)];
        (v != 0xFF).then_some((acc << 5) | u128::from(v))
    })
}

fn keys(c: &mut Criterion) {
    let keys: Vec<LicenseKey> = (0..1024)
        .map(|i| LicenseKey::new(KeyKind::Addon, "CRT".parse().unwrap(), i * 7_919_003).unwrap())
        .collect();
    let display: Vec<String> = keys.iter().map(ToString::to_string).collect();
    let sloppy: Vec<String> =
        keys.iter().map(|k| k.to_string().to_lowercase().replace('-', " ").replace('0', "o")).collect();
    let compact: Vec<[u8; 16]> = keys.iter().map(|k| k.compact().into_bytes().try_into().unwrap()).collect();
    let mut g = c.benchmark_group("key");
    g.throughput(Throughput::Elements(display.len() as u64));
    g.bench_function("parse display form", |b| {
        b.iter(|| display.iter().map(|t| t.parse::<LicenseKey>().unwrap()).fold(0u64, |a, k| a ^ k.serial()))
    });
    g.bench_function("parse sloppy form", |b| {
        b.iter(|| sloppy.iter().map(|t| t.parse::<LicenseKey>().unwrap()).fold(0u64, |a, k| a ^ k.serial()))
    });
    g.bench_function("bare base32 decode, no check", |b| {
        b.iter(|| compact.iter().map(|t| bare_decode(black_box(t)).unwrap()).fold(0u128, |a, v| a ^ v))
    });
    g.finish();
}

criterion_group!(benches, bundles, signing, keys);
criterion_main!(benches);

//! Fixtures shared by the core's integration tests: the committed test keys
//! and signed licenses made from them.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use license_core::crypto::{SignatureAlgorithm, Signer};
use license_core::{
    license::ActionedLimit, Error, ErrorKind, Feature, KeyId, License, SigningKey, TrustedKeys,
};
use time::{Duration, OffsetDateTime};

pub fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

pub fn vendor_key() -> SigningKey {
    let pem = std::fs::read_to_string(vectors().join("keys/vendor-2048.key.pem")).unwrap();
    SigningKey::from_pkcs8_pem(&pem).unwrap()
}

pub fn other_key() -> SigningKey {
    let pem = std::fs::read_to_string(vectors().join("keys/vendor-3072.key.pem")).unwrap();
    SigningKey::from_pkcs8_pem(&pem).unwrap()
}

pub fn trusted() -> TrustedKeys {
    let mut keys = TrustedKeys::new();
    keys.insert(vendor_key().verifying_key().clone());
    keys
}

/// 2026-11-23T00:00:00Z, the tests' "now".
pub fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_795_392_000).unwrap()
}

/// A license for `certmgr` issued `issued_days_ago` before [`now`], expiring
/// in `expires_in_days`, with `padding` bytes of attributes (to make
/// documents long enough for crash tests to land inside them).
pub fn license(id: &str, issued_days_ago: i64, expires_in_days: i64, padding: usize) -> License {
    let mut b = License::builder(id, "certmgr", now() - Duration::days(issued_days_ago))
        .licensee("Example Ltd")
        .expires_at(now() + Duration::days(expires_in_days))
        .feature("api", Feature::enabled().with_quantity(10))
        .actioned_limit(ActionedLimit::Counted(5000));
    for i in 0..padding / 100 {
        b = b.attribute(format!("note-{i:03}"), "x".repeat(90));
    }
    b.build().unwrap()
}

pub fn signed(license: &License) -> Vec<u8> {
    license.sign(&vendor_key()).unwrap()
}

/// Every file in a directory (recursively) with its bytes, to compare a
/// directory before and after an operation.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// A signer outside the crate, as a hardware token's would be: it hands
/// the message to a [`SigningKey`] and makes only the schemes it is given,
/// counting its calls so tests see every signature went through it.
pub struct ExternalSigner {
    pub key: SigningKey,
    pub schemes: Vec<SignatureAlgorithm>,
    pub calls: std::cell::Cell<usize>,
}

impl ExternalSigner {
    pub fn new(key: SigningKey, schemes: &[SignatureAlgorithm]) -> ExternalSigner {
        ExternalSigner { key, schemes: schemes.to_vec(), calls: std::cell::Cell::new(0) }
    }
}

impl Signer for ExternalSigner {
    fn key_id(&self) -> KeyId {
        self.key.key_id()
    }

    fn algorithms(&self) -> &[SignatureAlgorithm] {
        &self.schemes
    }

    fn sign(&self, algorithm: SignatureAlgorithm, message: &[u8]) -> license_core::Result<Vec<u8>> {
        self.calls.set(self.calls.get() + 1);
        Signer::sign(&self.key, algorithm, message)
    }
}

/// A signer whose token has gone away: it names a key and fails to sign.
pub struct UnpluggedSigner(pub KeyId);

impl Signer for UnpluggedSigner {
    fn key_id(&self) -> KeyId {
        self.0
    }

    fn algorithms(&self) -> &[SignatureAlgorithm] {
        &[SignatureAlgorithm::RsaPkcs1v15Sha256, SignatureAlgorithm::RsaPssSha256]
    }

    fn sign(&self, _: SignatureAlgorithm, _: &[u8]) -> license_core::Result<Vec<u8>> {
        Err(Error::new(ErrorKind::SigningFailed, "the token was removed"))
    }
}

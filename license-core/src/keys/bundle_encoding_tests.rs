//! One signed bundle has one byte string: every other encoding of the same
//! COSE_Sign1 is refused before its signature is checked, since
//! certificates print the `.bin`'s SHA-256 (issue 14, section 3). Also the
//! refusals of the envelope's kid and payload placement, each with its kind.

use ciborium::value::Value;
use coset::{sig_structure_data, CoseSign1, Header, ProtectedHeader, SignatureContext};

use super::tests::{bin, good_header, sample_bundle, sign_with, trusted};
use super::*;
use crate::crypto::test_keys::signing_2048;
use crate::SigningKey;

/// A CBOR head of `major` type for `n`, always in its 8-byte form (a
/// non-minimal length for any `n` under 2^32).
fn wide_head(major: u8, n: u64) -> Vec<u8> {
    let mut out = vec![(major << 5) | 27];
    out.extend_from_slice(&n.to_be_bytes());
    out
}

/// A CBOR head of `major` type for `n`, in its shortest form.
fn head(major: u8, n: u64) -> Vec<u8> {
    let m = major << 5;
    match n {
        0..=23 => vec![m | n as u8],
        24..=0xFF => vec![m | 24, n as u8],
        0x100..=0xFFFF => [vec![m | 25], (n as u16).to_be_bytes().to_vec()].concat(),
        0x1_0000..=0xFFFF_FFFF => [vec![m | 26], (n as u32).to_be_bytes().to_vec()].concat(),
        _ => [vec![m | 27], n.to_be_bytes().to_vec()].concat(),
    }
}

fn bstr(bytes: &[u8]) -> Vec<u8> {
    [head(2, bytes.len() as u64), bytes.to_vec()].concat()
}

/// The parts of the canonical RS256 bundle, to reassemble otherwise.
struct Parts {
    protected: Vec<u8>,
    payload: Vec<u8>,
    signature: Vec<u8>,
}

fn parts(bytes: &[u8]) -> Parts {
    let sign1 = CoseSign1::from_tagged_slice(bytes).unwrap();
    Parts {
        protected: sign1.protected.original_data.clone().unwrap(),
        payload: sign1.payload.clone().unwrap(),
        signature: sign1.signature,
    }
}

/// Tag 18, array of four, written the canonical way from its parts.
fn assemble(p: &Parts) -> Vec<u8> {
    [vec![0xD2, 0x84], bstr(&p.protected), vec![0xA0], bstr(&p.payload), bstr(&p.signature)].concat()
}

/// Signs `payload` under protected header bytes given verbatim (so they
/// may be encoded in any way), RS256 with the test key.
fn sign_verbatim_header(protected: Vec<u8>, payload: &[u8]) -> Vec<u8> {
    let header = ProtectedHeader { original_data: Some(protected.clone()), header: Header::default() };
    let tbs = sig_structure_data(SignatureContext::CoseSign1, header, None, b"", payload);
    let signature = signing_2048().sign_pkcs1v15_sha256(&tbs).unwrap();
    assemble(&Parts { protected, payload: payload.to_vec(), signature })
}

#[test]
fn only_the_canonical_encoding_of_a_signed_bundle_is_accepted() {
    let good = bin(BundleAlgorithm::Rs256);
    let p = parts(&good);
    assert_eq!(assemble(&p), good, "the parts reassemble to the bundle");
    let signed = KeyBundle::verify(&good, &trusted()).unwrap();
    assert_eq!(signed.sha256, crate::digest::sha256(&good));

    let chunked_payload = {
        let (a, b) = p.payload.split_at(p.payload.len() / 2);
        [vec![0x5F], bstr(a), bstr(b), vec![0xFF]].concat()
    };
    // The protected header with alg -257 in a 4-byte integer form instead
    // of 2: inside the signature, so it needs the vendor key, but still a
    // second encoding of the same header.
    let wide_alg = {
        let mut h = p.protected.clone();
        let at = h.windows(3).position(|w| w == [0x39, 0x01, 0x00]).unwrap();
        h.splice(at..at + 3, [0x3A, 0x00, 0x00, 0x01, 0x00]);
        h
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "tag 18 in a 1-byte argument",
            [vec![0xD8, 18, 0x84], bstr(&p.protected), vec![0xA0], bstr(&p.payload), bstr(&p.signature)]
                .concat(),
        ),
        (
            "indefinite-length array",
            [
                vec![0xD2, 0x9F],
                bstr(&p.protected),
                vec![0xA0],
                bstr(&p.payload),
                bstr(&p.signature),
                vec![0xFF],
            ]
            .concat(),
        ),
        (
            "indefinite-length unprotected map",
            [vec![0xD2, 0x84], bstr(&p.protected), vec![0xBF, 0xFF], bstr(&p.payload), bstr(&p.signature)]
                .concat(),
        ),
        (
            "signature length in 8 bytes",
            [
                vec![0xD2, 0x84],
                bstr(&p.protected),
                vec![0xA0],
                bstr(&p.payload),
                wide_head(2, p.signature.len() as u64),
                p.signature.clone(),
            ]
            .concat(),
        ),
        (
            "protected header length in 8 bytes",
            [
                vec![0xD2, 0x84],
                wide_head(2, p.protected.len() as u64),
                p.protected.clone(),
                vec![0xA0],
                bstr(&p.payload),
                bstr(&p.signature),
            ]
            .concat(),
        ),
        (
            "payload as an indefinite-length byte string",
            [vec![0xD2, 0x84], bstr(&p.protected), vec![0xA0], chunked_payload, bstr(&p.signature)].concat(),
        ),
        ("protected header with a non-minimal integer", sign_verbatim_header(wide_alg, &p.payload)),
    ];
    for (name, bytes) in &cases {
        assert_ne!(bytes, &good, "{name}");
        let err = KeyBundle::verify(bytes, &trusted()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NonCanonicalCbor, "{name}: {err}");
        assert_eq!(KeyBundle::inspect_unverified(bytes).unwrap_err().kind(), ErrorKind::NonCanonicalCbor);
    }
}

#[test]
fn the_non_canonical_check_comes_before_the_signature() {
    // A wrong signature in a non-canonical envelope: the encoding is what
    // is reported, so no signature work is done for it.
    let mut p = parts(&bin(BundleAlgorithm::Rs256));
    p.signature[10] ^= 1;
    let bytes =
        [vec![0xD2, 0x9F], bstr(&p.protected), vec![0xA0], bstr(&p.payload), bstr(&p.signature), vec![0xFF]]
            .concat();
    assert_eq!(KeyBundle::verify(&bytes, &trusted()).unwrap_err().kind(), ErrorKind::NonCanonicalCbor);
}

#[test]
fn a_signed_payload_in_another_encoding_is_refused() {
    // The payload's map keys out of the deterministic order, signed: the
    // vendor's own tools must write the one encoding.
    let value = cbor::read_value(&sample_bundle().payload().unwrap(), "t").unwrap();
    let Value::Map(mut entries) = value else { panic!("not a map") };
    entries.reverse();
    let payload = cbor::encode(&Value::Map(entries), "t").unwrap();
    let bytes = sign_with(good_header().build(), payload);
    assert_eq!(KeyBundle::verify(&bytes, &trusted()).unwrap_err().kind(), ErrorKind::NonCanonicalCbor);
}

/// The protected header without a kid: alg RS256 and the content type.
fn header_without_kid() -> Header {
    coset::HeaderBuilder::new()
        .algorithm(iana::Algorithm::RS256)
        .content_type(BUNDLE_CONTENT_TYPE.to_owned())
        .build()
}

/// A bundle signed RS256 by `key` with `protected` and `unprotected`.
fn sign_headers(protected: Header, unprotected: Header, key: &SigningKey) -> Vec<u8> {
    coset::CoseSign1Builder::new()
        .protected(protected)
        .unprotected(unprotected)
        .payload(sample_bundle().payload().unwrap())
        .create_signature(b"", |tbs| key.sign_pkcs1v15_sha256(tbs).unwrap())
        .build()
        .to_tagged_vec()
        .unwrap()
}

fn kid_header(kid: Vec<u8>) -> Header {
    coset::HeaderBuilder::new().key_id(kid).build()
}

#[test]
fn a_kid_in_both_headers_is_refused() {
    let kid = signing_2048().key_id().as_bytes().to_vec();
    // Even the same kid twice: which header picks the key must not be a
    // question a reader answers.
    let bytes = sign_headers(good_header().build(), kid_header(kid), &signing_2048());
    let err = KeyBundle::verify(&bytes, &trusted()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BundleFormat, "{err}");
    assert!(err.detail().contains("both the protected and unprotected"), "{err}");
}

#[test]
fn a_kid_only_in_the_unprotected_header_picks_the_key_and_nothing_more() {
    let key = signing_2048();
    let kid = key.key_id().as_bytes().to_vec();
    // Accepted (FORMATS.md allows it), and reported as the signing key.
    let bytes = sign_headers(header_without_kid(), kid_header(kid.clone()), &key);
    let signed = KeyBundle::verify(&bytes, &trusted()).unwrap();
    assert_eq!(signed.key_id, Some(key.key_id()));
    // Unsigned, it can only name a key: an untrusted one is unknown_key_id,
    // one that is not a key id too.
    let untrusted = sign_headers(header_without_kid(), kid_header(vec![7; 32]), &key);
    assert_eq!(KeyBundle::verify(&untrusted, &trusted()).unwrap_err().kind(), ErrorKind::UnknownKeyId);
    let short = sign_headers(header_without_kid(), kid_header(vec![7; 31]), &key);
    assert_eq!(KeyBundle::verify(&short, &trusted()).unwrap_err().kind(), ErrorKind::UnknownKeyId);
    // Naming a trusted key does not make another key's signature verify.
    let other = crate::crypto::test_keys::signing_3072();
    let both = TrustedKeys::from_iter([key.verifying_key().clone(), other.verifying_key().clone()]);
    let forged = sign_headers(header_without_kid(), kid_header(kid), &other);
    assert_eq!(KeyBundle::verify(&forged, &both).unwrap_err().kind(), ErrorKind::SignatureMismatch);
}

#[test]
fn a_detached_payload_is_refused() {
    let key = signing_2048();
    let payload = sample_bundle().payload().unwrap();
    let bytes = coset::CoseSign1Builder::new()
        .protected(good_header().build())
        .create_detached_signature(b"", &payload, |tbs| key.sign_pkcs1v15_sha256(tbs).unwrap())
        .build()
        .to_tagged_vec()
        .unwrap();
    let err = KeyBundle::verify(&bytes, &trusted()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BundleFormat, "{err}");
    assert!(err.detail().contains("detached"), "{err}");
}

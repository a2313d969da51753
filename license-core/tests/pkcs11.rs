//! PKCS#11 signing against a SoftHSM2 token in a temporary directory:
//! keys made in the token cannot be read out, sign what our verifier
//! accepts, and every failure has its own kind.
//!
//! SoftHSM2 reads its configuration once per process, so every test here
//! shares one token (each with its own key labels).

#[path = "../../tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::sync::OnceLock;

use cryptoki::object::{Attribute, AttributeInfo, AttributeType, ObjectClass};
use cryptoki::session::UserType;
use license_core::crypto::pkcs11::{Pin, Pkcs11Signer, TokenKeySpec};
use license_core::crypto::{SignatureAlgorithm, Signer};
use license_core::{ErrorKind, SigningKey, VerifyingKey};
use rsa::pkcs8::DecodePrivateKey as _;
use rsa::traits::{PrivateKeyParts as _, PublicKeyParts as _};
use support::softhsm::{self, Token};

/// The one token of this process (`None` when SoftHSM2 is missing and
/// the run allows skipping).
fn token() -> Option<&'static Token> {
    static TOKEN: OnceLock<Option<Token>> = OnceLock::new();
    TOKEN
        .get_or_init(|| {
            let token = Token::new()?;
            // Before the module is first loaded, which is when SoftHSM2
            // reads it.
            std::env::set_var("SOFTHSM2_CONF", &token.conf);
            Some(token)
        })
        .as_ref()
}

fn pin() -> Pin {
    Pin::new(softhsm::PIN).unwrap()
}

fn open(t: &Token, label: &str) -> Pkcs11Signer {
    Pkcs11Signer::open(&t.module, softhsm::TOKEN, label, &pin()).unwrap()
}

/// A session of our own on the token, to look at what a key lets out.
fn inspect(
    t: &Token,
    label: &str,
    check: impl FnOnce(&cryptoki::session::Session, cryptoki::object::ObjectHandle),
) {
    let context = cryptoki::context::Pkcs11::new(&t.module).unwrap();
    // Already initialized by the signer in this process: that is fine.
    let _ = context.initialize(cryptoki::context::CInitializeArgs::new(
        cryptoki::context::CInitializeFlags::OS_LOCKING_OK,
    ));
    let slot = context
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|s| context.get_token_info(*s).unwrap().label() == softhsm::TOKEN)
        .unwrap();
    let session = context.open_ro_session(slot).unwrap();
    let _ = session.login(UserType::User, Some(&softhsm::PIN.to_owned().into()));
    let found = session
        .find_objects(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Label(label.as_bytes().to_vec()),
        ])
        .unwrap();
    assert_eq!(found.len(), 1);
    check(&session, found[0]);
}

fn assert_locked_in(
    session: &cryptoki::session::Session,
    key: cryptoki::object::ObjectHandle,
    secret: AttributeType,
) {
    let attrs = session
        .get_attributes(
            key,
            &[
                AttributeType::Extractable,
                AttributeType::Sensitive,
                AttributeType::NeverExtractable,
                AttributeType::AlwaysSensitive,
                AttributeType::Token,
                AttributeType::Sign,
                AttributeType::Decrypt,
                AttributeType::Unwrap,
                AttributeType::Derive,
            ],
        )
        .unwrap();
    let expected = [
        Attribute::Extractable(false),
        Attribute::Sensitive(true),
        Attribute::NeverExtractable(true),
        Attribute::AlwaysSensitive(true),
        Attribute::Token(true),
        Attribute::Sign(true),
        Attribute::Decrypt(false),
        Attribute::Unwrap(false),
        Attribute::Derive(false),
    ];
    assert_eq!(format!("{attrs:?}"), format!("{expected:?}"));
    // The token refuses to show the secret itself.
    let info = session.get_attribute_info(key, &[secret]).unwrap();
    assert!(matches!(info[..], [AttributeInfo::Sensitive]), "{secret:?} of the key is {info:?}");
}

#[test]
fn a_generated_rsa_key_stays_in_the_token_and_signs_what_we_verify() {
    let Some(t) = token() else { return };
    let made = Pkcs11Signer::generate(
        &t.module,
        softhsm::TOKEN,
        "rsa-gen",
        &pin(),
        TokenKeySpec::Rsa { bits: 2048 },
    )
    .unwrap();
    assert_eq!(made.spec(), TokenKeySpec::Rsa { bits: 2048 });
    let public = VerifyingKey::from_public_key_pem(&made.public_key_pem()).unwrap();
    assert_eq!(made.key_id(), public.key_id(), "the key id is that of the exported public key");

    let signer = open(t, "rsa-gen");
    assert_eq!(signer.key_id(), made.key_id());
    assert_eq!(
        signer.algorithms(),
        [SignatureAlgorithm::RsaPkcs1v15Sha256, SignatureAlgorithm::RsaPssSha256]
    );
    let a = signer.sign(SignatureAlgorithm::RsaPkcs1v15Sha256, b"license").unwrap();
    public.verify_pkcs1v15_sha256(b"license", &a).unwrap();
    assert_eq!(a, signer.sign(SignatureAlgorithm::RsaPkcs1v15Sha256, b"license").unwrap());
    let p = signer.sign(SignatureAlgorithm::RsaPssSha256, b"bundle").unwrap();
    public.verify_pss_sha256(b"bundle", &p).unwrap();
    assert!(public.verify_pss_sha256(b"bundlE", &p).is_err());
    let err = signer.sign(SignatureAlgorithm::EcdsaP256Sha256, b"x").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedAlgorithm);

    inspect(t, "rsa-gen", |session, key| {
        assert_locked_in(session, key, AttributeType::PrivateExponent);
        let info = session.get_attribute_info(key, &[AttributeType::Prime1]).unwrap();
        assert!(matches!(info[..], [AttributeInfo::Sensitive]), "{info:?}");
    });

    // A second key under the same label would make the label ambiguous.
    let again = Pkcs11Signer::generate(
        &t.module,
        softhsm::TOKEN,
        "rsa-gen",
        &pin(),
        TokenKeySpec::Rsa { bits: 2048 },
    );
    assert_eq!(again.unwrap_err().kind(), ErrorKind::Pkcs11KeyExists);
}

#[test]
fn a_generated_p256_key_stays_in_the_token_and_signs_raw_r_s() {
    let Some(t) = token() else { return };
    let made =
        Pkcs11Signer::generate(&t.module, softhsm::TOKEN, "ec-gen", &pin(), TokenKeySpec::P256).unwrap();
    let signer = open(t, "ec-gen");
    assert_eq!(signer.spec(), TokenKeySpec::P256);
    assert_eq!(signer.key_id(), made.key_id());
    assert_eq!(signer.public_key_der(), made.public_key_der());
    // id-ecPublicKey, P-256, an uncompressed point.
    assert_eq!(signer.public_key_der().len(), 91);
    assert!(signer.public_key_pem().starts_with("-----BEGIN PUBLIC KEY-----\n"));
    assert_eq!(signer.algorithms(), [SignatureAlgorithm::EcdsaP256Sha256]);
    let signature = signer.sign(SignatureAlgorithm::EcdsaP256Sha256, b"license").unwrap();
    assert_eq!(signature.len(), 64, "raw r||s");
    // Our own verifier reads the exported key, gives it the same key id and
    // accepts the token's signature.
    let public = license_core::VerifyingKey::from_public_key_pem(&signer.public_key_pem()).unwrap();
    assert_eq!(public.key_id(), signer.key_id());
    public.verify(SignatureAlgorithm::EcdsaP256Sha256, b"license", &signature).unwrap();
    let err = signer.sign(SignatureAlgorithm::RsaPkcs1v15Sha256, b"license").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedAlgorithm);
    inspect(t, "ec-gen", |session, key| assert_locked_in(session, key, AttributeType::Value));

    // An independent ECDSA implementation (Python's `cryptography`)
    // accepts the exported key and the raw r||s signature of SHA-256, and
    // refuses it for another message.
    if let Some(python) = support::venv_python(&["cryptography"]) {
        let dir = tempfile::tempdir().unwrap();
        let public = support::write(dir.path(), "ec.pub.pem", signer.public_key_pem().as_bytes());
        let sig = support::write(dir.path(), "sig", &signature);
        let check = "import sys\n\
from cryptography.hazmat.primitives import hashes, serialization\n\
from cryptography.hazmat.primitives.asymmetric import ec, utils\n\
key = serialization.load_pem_public_key(open(sys.argv[1], 'rb').read())\n\
raw = open(sys.argv[2], 'rb').read()\n\
der = utils.encode_dss_signature(int.from_bytes(raw[:32], 'big'), int.from_bytes(raw[32:], 'big'))\n\
key.verify(der, sys.argv[3].encode(), ec.ECDSA(hashes.SHA256()))\n";
        let verify = |message: &str| {
            support::run(
                std::process::Command::new(&python).args(["-c", check]).arg(&public).arg(&sig).arg(message),
            )
        };
        let (ok, out, err) = verify("license");
        assert!(ok, "cryptography refused the token's ECDSA signature: {out}{err}");
        assert!(!verify("licensE").0, "cryptography accepted the signature for another message");
    }
}

#[test]
fn a_key_put_in_the_token_signs_byte_for_byte_like_the_key_file() {
    let Some(t) = token() else { return };
    let pem = std::fs::read_to_string(support::vectors().join("keys").join("vendor-2048.key.pem")).unwrap();
    let file_key = SigningKey::from_pkcs8_pem(&pem).unwrap();
    let rsa = rsa::RsaPrivateKey::from_pkcs8_pem(&pem).unwrap();
    let precomputed = |v: Option<&rsa::BigUint>| v.unwrap().to_bytes_be();
    inspect_rw(t, |session| {
        let label = b"imported".to_vec();
        let [p, q] = rsa.primes() else { panic!("two primes") };
        session
            .create_object(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::KeyType(cryptoki::object::KeyType::RSA),
                Attribute::Token(true),
                Attribute::Private(true),
                Attribute::Sensitive(true),
                Attribute::Sign(true),
                Attribute::Label(label),
                Attribute::Modulus(rsa.n().to_bytes_be()),
                Attribute::PublicExponent(rsa.e().to_bytes_be()),
                Attribute::PrivateExponent(rsa.d().to_bytes_be()),
                Attribute::Prime1(p.to_bytes_be()),
                Attribute::Prime2(q.to_bytes_be()),
                Attribute::Exponent1(precomputed(rsa.dp())),
                Attribute::Exponent2(precomputed(rsa.dq())),
                Attribute::Coefficient(rsa.crt_coefficient().unwrap().to_bytes_be()),
            ])
            .unwrap();
    });
    let signer = open(t, "imported");
    assert_eq!(signer.key_id(), file_key.key_id());
    for message in [&b""[..], b"license", &[0xa5; 4096]] {
        assert_eq!(
            signer.sign(SignatureAlgorithm::RsaPkcs1v15Sha256, message).unwrap(),
            file_key.sign_pkcs1v15_sha256(message).unwrap(),
            "PKCS#1 v1.5 is deterministic: the token and ring agree"
        );
    }
}

fn inspect_rw(t: &Token, f: impl FnOnce(&cryptoki::session::Session)) {
    let context = cryptoki::context::Pkcs11::new(&t.module).unwrap();
    let _ = context.initialize(cryptoki::context::CInitializeArgs::new(
        cryptoki::context::CInitializeFlags::OS_LOCKING_OK,
    ));
    let slot = context
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|s| context.get_token_info(*s).unwrap().label() == softhsm::TOKEN)
        .unwrap();
    let session = context.open_rw_session(slot).unwrap();
    let _ = session.login(UserType::User, Some(&softhsm::PIN.to_owned().into()));
    f(&session);
}

#[test]
fn each_failure_to_reach_the_key_has_its_own_kind() {
    let Some(t) = token() else { return };
    Pkcs11Signer::generate(&t.module, softhsm::TOKEN, "present", &pin(), TokenKeySpec::P256).unwrap();
    let kind = |module: &Path, token: &str, key: &str, pin: &str| {
        Pkcs11Signer::open(module, token, key, &Pin::new(pin).unwrap()).unwrap_err().kind()
    };
    assert_eq!(kind(&t.module, softhsm::TOKEN, "present", "00000"), ErrorKind::Pkcs11PinIncorrect);
    assert_eq!(kind(&t.module, "no-such-token", "present", softhsm::PIN), ErrorKind::Pkcs11TokenNotFound);
    assert_eq!(kind(&t.module, softhsm::TOKEN, "no-such-key", softhsm::PIN), ErrorKind::Pkcs11KeyNotFound);
    // The token still checks: the right PIN opens the key after a wrong one.
    open(t, "present");
    assert_eq!(kind(&t.module, softhsm::TOKEN, "present", "99999"), ErrorKind::Pkcs11PinIncorrect);
    // Not a shared library, and no file at all.
    assert_eq!(kind(&t.conf, softhsm::TOKEN, "present", softhsm::PIN), ErrorKind::Pkcs11ModuleLoad);
    let nowhere = t.dir.path().join("missing.so");
    assert_eq!(kind(&nowhere, softhsm::TOKEN, "present", softhsm::PIN), ErrorKind::Pkcs11ModuleLoad);
    assert_eq!(Pin::new("").unwrap_err().kind(), ErrorKind::Pkcs11PinMissing);
    let err =
        Pkcs11Signer::generate(&t.module, softhsm::TOKEN, "odd", &pin(), TokenKeySpec::Rsa { bits: 2049 });
    assert_eq!(err.unwrap_err().kind(), ErrorKind::InvalidArgument);
}

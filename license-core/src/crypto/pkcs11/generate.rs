//! Making a key pair inside a token: the private half sensitive,
//! non-extractable and able to sign only, so nothing (not even its owner
//! with the PIN) can read it out or use it to decrypt.

use std::fmt;
use std::path::Path;

use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, ObjectClass};

use super::public::P256_PARAMS;
use super::token::{self, failed, shown};
use super::{Pin, Pkcs11Signer};
use crate::crypto::{check_bits, SIGNING_KEY_BITS};
use crate::{Error, ErrorKind, Result};

/// The kind of key a token holds or makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenKeySpec {
    /// RSA with a modulus of `bits` bits (2048, 3072 or 4096 to generate;
    /// any size from 2048 to 4096 to sign).
    Rsa {
        /// The modulus size.
        bits: usize,
    },
    /// ECDSA on NIST P-256.
    P256,
}

impl TokenKeySpec {
    /// The length of a signature by such a key, in bytes.
    pub(super) fn signature_len(self) -> usize {
        match self {
            TokenKeySpec::Rsa { bits } => bits.div_ceil(8),
            TokenKeySpec::P256 => 64,
        }
    }
}

impl fmt::Display for TokenKeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenKeySpec::Rsa { bits } => write!(f, "RSA-{bits}"),
            TokenKeySpec::P256 => f.write_str("EC P-256"),
        }
    }
}

/// The public exponent of generated RSA keys (F4, what every tool uses).
const F4: [u8; 3] = [0x01, 0x00, 0x01];

impl Pkcs11Signer {
    /// Generates a key pair of kind `spec` in the token labelled
    /// `token_label`, both halves labelled `key_label`, and returns its
    /// signer (export the public key with [`Self::public_key_pem`]).
    ///
    /// The private key is stored in the token (`CKA_TOKEN`), private,
    /// sensitive and never extractable, signs and does nothing else
    /// (no decrypt, unwrap, derive or sign-recover). A label the token
    /// already uses is [`ErrorKind::Pkcs11KeyExists`], so a key is never
    /// shadowed; an RSA size other than 2048, 3072 or 4096 is
    /// [`ErrorKind::InvalidArgument`]; a token that cannot make the key
    /// is [`ErrorKind::KeyGeneration`]. The token and PIN errors are those
    /// of [`Self::open`].
    pub fn generate(
        module: &Path,
        token_label: &str,
        key_label: &str,
        pin: &Pin,
        spec: TokenKeySpec,
    ) -> Result<Pkcs11Signer> {
        if key_label.is_empty() {
            return Err(Error::new(ErrorKind::InvalidArgument, "the key label is empty"));
        }
        if let TokenKeySpec::Rsa { bits } = spec {
            check_bits(bits, "the requested key")?;
            if !SIGNING_KEY_BITS.contains(&bits) {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!("a {bits}-bit RSA key was asked for; the sizes are 2048, 3072 and 4096"),
                ));
            }
        }
        let token = token::open(module, token_label, pin, true)?;
        let label = key_label.as_bytes().to_vec();
        let taken = token
            .session
            .find_objects(&[Attribute::Label(label.clone())])
            .map_err(|e| failed(&format!("searching token `{}`", shown(&token.token)), &e))?;
        if !taken.is_empty() {
            return Err(Error::new(
                ErrorKind::Pkcs11KeyExists,
                format!("token `{}` already has a key labelled `{}`", shown(&token.token), shown(key_label)),
            ));
        }
        // The label doubles as CKA_ID, which pairs the two halves for
        // tools that match keys by id (p11tool, OpenSSL's pkcs11 engine).
        let common = [Attribute::Token(true), Attribute::Label(label.clone()), Attribute::Id(label)];
        let mut public = vec![
            Attribute::Class(ObjectClass::PUBLIC_KEY),
            Attribute::Private(false),
            Attribute::Verify(true),
            Attribute::Encrypt(false),
            Attribute::Wrap(false),
        ];
        let mut private = vec![
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Sign(true),
            Attribute::SignRecover(false),
            Attribute::Decrypt(false),
            Attribute::Unwrap(false),
            Attribute::Derive(false),
        ];
        public.extend_from_slice(&common);
        private.extend_from_slice(&common);
        let mechanism = match spec {
            TokenKeySpec::Rsa { bits } => {
                public.push(Attribute::ModulusBits((bits as u64).into()));
                public.push(Attribute::PublicExponent(F4.to_vec()));
                Mechanism::RsaPkcsKeyPairGen
            }
            TokenKeySpec::P256 => {
                public.push(Attribute::EcParams(P256_PARAMS.to_vec()));
                Mechanism::EccKeyPairGen
            }
        };
        let (_, private_key) =
            token.session.generate_key_pair(&mechanism, &public, &private).map_err(|e| {
                Error::new(
                    ErrorKind::KeyGeneration,
                    format!("token `{}` did not make a {spec} key: {e}", shown(&token.token)),
                )
            })?;
        Pkcs11Signer::from_handle(token.session, private_key, token.token, key_label)
    }
}

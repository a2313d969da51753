//! The public half of a key in a token, as the SubjectPublicKeyInfo DER
//! that key ids and verifiers use.

use cryptoki::object::{Attribute, AttributeType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use rsa::pkcs8::EncodePublicKey as _;
use rsa::traits::PublicKeyParts as _;
use rsa::{BigUint, RsaPublicKey};

use super::token::failed;
use super::{find_one, TokenKeySpec};
use crate::crypto::check_bits;
use crate::{Error, ErrorKind, Result};

/// The DER of the named curve P-256 (prime256v1), `CKA_EC_PARAMS`.
pub(super) const P256_PARAMS: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

/// A P-256 SubjectPublicKeyInfo up to its point: id-ecPublicKey with the
/// named curve P-256 and a 66-byte BIT STRING (no unused bits, then the
/// uncompressed point). Fixed, so the key id of an EC key is the SHA-256
/// of this prefix and the point.
const P256_SPKI_PREFIX: &[u8] = &[
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86,
    0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// An uncompressed P-256 point: 0x04, then x and y of 32 bytes each.
const P256_POINT_LEN: usize = 65;

/// An RSA key's SPKI, from the modulus and public exponent, which a
/// private-key object shows (they are not secret); the public-key object
/// with the same label is read for tokens that do not.
pub(super) fn rsa(
    session: &Session,
    key: ObjectHandle,
    label: &str,
    what: &str,
) -> Result<(TokenKeySpec, Vec<u8>)> {
    let wanted = [AttributeType::Modulus, AttributeType::PublicExponent];
    let mut values = read_rsa(session, key, &wanted, what)?;
    if values.is_none() {
        let token = what.to_owned();
        let public = find_one(session, ObjectClass::PUBLIC_KEY, label, &token)?;
        values = read_rsa(session, public, &wanted, what)?;
    }
    let Some((n, e)) = values else {
        return Err(Error::new(ErrorKind::Pkcs11UnsupportedKey, format!("{what} shows no RSA modulus")));
    };
    let n = BigUint::from_bytes_be(&n);
    check_bits(n.bits(), what)
        .map_err(|e| Error::new(ErrorKind::Pkcs11UnsupportedKey, e.detail().to_owned()))?;
    let public = RsaPublicKey::new(n, BigUint::from_bytes_be(&e)).map_err(|e| {
        Error::new(ErrorKind::Pkcs11UnsupportedKey, format!("{what} has an invalid public key: {e}"))
    })?;
    let spki = public.to_public_key_der().map_err(|e| {
        Error::new(ErrorKind::Pkcs11UnsupportedKey, format!("encoding the public key of {what}: {e}"))
    })?;
    Ok((TokenKeySpec::Rsa { bits: public.n().bits() }, spki.as_bytes().to_vec()))
}

type RsaValues = Option<(Vec<u8>, Vec<u8>)>;

fn read_rsa(
    session: &Session,
    object: ObjectHandle,
    wanted: &[AttributeType],
    what: &str,
) -> Result<RsaValues> {
    let attrs = session.get_attributes(object, wanted).map_err(|e| failed(&format!("reading {what}"), &e))?;
    let (mut n, mut e) = (None, None);
    for attr in attrs {
        match attr {
            Attribute::Modulus(v) => n = Some(v),
            Attribute::PublicExponent(v) => e = Some(v),
            _ => {}
        }
    }
    Ok(n.zip(e))
}

/// A P-256 key's SPKI: the curve from the private key, the point from the
/// public-key object with the same label (a private EC key holds no point).
pub(super) fn p256(
    session: &Session,
    key: ObjectHandle,
    label: &str,
    what: &str,
) -> Result<(TokenKeySpec, Vec<u8>)> {
    let params = session
        .get_attributes(key, &[AttributeType::EcParams])
        .map_err(|e| failed(&format!("reading {what}"), &e))?;
    let on_p256 = params.iter().any(|a| matches!(a, Attribute::EcParams(p) if p == P256_PARAMS));
    if !on_p256 {
        return Err(Error::new(
            ErrorKind::Pkcs11UnsupportedKey,
            format!("{what} is an EC key on another curve than P-256"),
        ));
    }
    let public = find_one(session, ObjectClass::PUBLIC_KEY, label, what)?;
    let attrs = session
        .get_attributes(public, &[AttributeType::EcPoint])
        .map_err(|e| failed(&format!("reading the public key of {what}"), &e))?;
    let point = attrs.into_iter().find_map(|a| match a {
        Attribute::EcPoint(p) => Some(p),
        _ => None,
    });
    let point = point.as_deref().and_then(uncompressed_point).ok_or_else(|| {
        Error::new(
            ErrorKind::Pkcs11UnsupportedKey,
            format!("the public key of {what} is not an uncompressed P-256 point"),
        )
    })?;
    let mut spki = P256_SPKI_PREFIX.to_vec();
    spki.extend_from_slice(point);
    Ok((TokenKeySpec::P256, spki))
}

/// The 65-byte uncompressed point in `CKA_EC_POINT`, which PKCS#11 says is
/// a DER OCTET STRING (04 41, then the point) and some tokens give bare.
fn uncompressed_point(value: &[u8]) -> Option<&[u8]> {
    let point = match value {
        [0x04, 0x41, rest @ ..] if rest.len() == P256_POINT_LEN => rest,
        bare if bare.len() == P256_POINT_LEN => bare,
        _ => return None,
    };
    (point[0] == 0x04).then_some(point)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ec_points_are_read_wrapped_or_bare_and_nothing_else() {
        let mut point = vec![0x04];
        point.extend_from_slice(&[7; 64]);
        let mut wrapped = vec![0x04, 0x41];
        wrapped.extend_from_slice(&point);
        assert_eq!(uncompressed_point(&wrapped), Some(point.as_slice()));
        assert_eq!(uncompressed_point(&point), Some(point.as_slice()));
        let mut compressed = point.clone();
        compressed[0] = 0x02;
        assert_eq!(uncompressed_point(&compressed), None);
        assert_eq!(uncompressed_point(&wrapped[..60]), None);
        assert_eq!(uncompressed_point(&[]), None);
    }

    #[test]
    fn the_p256_spki_prefix_is_the_der_of_its_header() {
        // SEQUENCE of 89 bytes: the algorithm SEQUENCE (19 bytes) and a
        // BIT STRING of 66 bytes.
        assert_eq!(P256_SPKI_PREFIX.len() + P256_POINT_LEN, 2 + 0x59);
        assert_eq!(&P256_SPKI_PREFIX[13..23], P256_PARAMS);
    }
}

//! Deterministic CBOR out, strict CBOR in, for the key bundle payload.
//!
//! Out: RFC 8949 §4.2.1 core deterministic encoding — definite lengths,
//! shortest integer forms (ciborium's encoder), and map entries sorted by
//! the bytewise order of their encoded keys (done here, recursively).
//! In: one item, nothing after it, no map with a key twice, bounded nesting.

use ciborium::value::Value;
use serde::{de::DeserializeOwned, Serialize};

use crate::{Error, ErrorKind, Result};

/// Deepest nesting accepted when reading (the payload needs four levels).
const MAX_DEPTH: usize = 16;

/// Encodes `value`'s serde form as deterministic CBOR.
pub(crate) fn to_canonical_vec<T: Serialize>(value: &T, what: &str) -> Result<Vec<u8>> {
    let value = Value::serialized(value)
        .map_err(|e| Error::new(ErrorKind::BundleFormat, format!("{what}: cannot encode: {e}")))?;
    encode(&canonical(value), what)
}

/// The bytes of one value (ciborium writes definite lengths and the
/// shortest integer forms).
pub(crate) fn encode(value: &Value, what: &str) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out)
        .map_err(|e| Error::new(ErrorKind::BundleFormat, format!("{what}: cannot encode: {e}")))?;
    Ok(out)
}

/// Sorts every map by its keys' encoded bytes.
fn canonical(value: Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(canonical).collect()),
        Value::Map(entries) => {
            let mut keyed: Vec<(Vec<u8>, (Value, Value))> = entries
                .into_iter()
                .map(|(k, v)| {
                    let k = canonical(k);
                    (encode(&k, "map key").unwrap_or_default(), (k, canonical(v)))
                })
                .collect();
            keyed.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Map(keyed.into_iter().map(|(_, kv)| kv).collect())
        }
        Value::Tag(tag, inner) => Value::Tag(tag, Box::new(canonical(*inner))),
        other => other,
    }
}

/// Reads exactly one CBOR item from `bytes`: truncation, syntax errors,
/// trailing bytes, over-deep nesting and repeated map keys each get their
/// own error kind. `what` names the input in errors.
pub(crate) fn read_value(bytes: &[u8], what: &str) -> Result<Value> {
    let mut rest = bytes;
    let value: Value = ciborium::de::from_reader_with_recursion_limit(&mut rest, MAX_DEPTH)
        .map_err(|e| decode_error(e, what))?;
    if !rest.is_empty() {
        return Err(Error::new(
            ErrorKind::TrailingBytes,
            format!(
                "{what}: {} bytes after the item ending at byte {}",
                rest.len(),
                bytes.len() - rest.len()
            ),
        ));
    }
    check_unique_keys(&value, what)?;
    Ok(value)
}

/// Refuses `bytes` unless they are exactly the deterministic encoding of
/// the one item they hold ([`read_value`]'s checks first): indefinite
/// lengths, longer-than-needed integers, lengths or tags, and maps out of
/// order all give a second byte string for one value, and a signed
/// document is identified by the SHA-256 of its bytes.
pub(crate) fn check_canonical(bytes: &[u8], what: &str) -> Result<()> {
    let value = read_value(bytes, what)?;
    require_canonical(&value, bytes, what)
}

/// [`check_canonical`] for a `value` already read from `bytes`.
pub(crate) fn require_canonical(value: &Value, bytes: &[u8], what: &str) -> Result<()> {
    let expected = encode(&canonical(value.clone()), what)?;
    if expected == bytes {
        return Ok(());
    }
    let at = expected.iter().zip(bytes).position(|(a, b)| a != b).unwrap_or(expected.len().min(bytes.len()));
    Err(Error::new(
        ErrorKind::NonCanonicalCbor,
        format!(
            "{what}: not the deterministic encoding (RFC 8949 §4.2.1); it differs from it at byte {at} \
             ({} bytes, {} in the deterministic form)",
            bytes.len(),
            expected.len()
        ),
    ))
}

/// Maps a ciborium decoding error to the library's kinds.
pub(crate) fn decode_error<E: std::fmt::Debug>(e: ciborium::de::Error<E>, what: &str) -> Error {
    use ciborium::de::Error as De;
    match e {
        De::Io(_) => Error::new(ErrorKind::Truncated, format!("{what}: the input ends inside an item")),
        De::Syntax(offset) => {
            Error::new(ErrorKind::BundleFormat, format!("{what}: invalid CBOR at byte {offset}"))
        }
        De::Semantic(offset, msg) => Error::new(
            ErrorKind::BundleFormat,
            format!("{what}: {msg}{}", offset.map(|o| format!(" at byte {o}")).unwrap_or_default()),
        ),
        De::RecursionLimitExceeded => {
            Error::new(ErrorKind::NestingTooDeep, format!("{what}: nested deeper than {MAX_DEPTH} levels"))
        }
    }
}

/// Refuses any map, at any depth, with the same key twice.
fn check_unique_keys(value: &Value, what: &str) -> Result<()> {
    match value {
        Value::Array(items) => items.iter().try_for_each(|v| check_unique_keys(v, what)),
        Value::Map(entries) => {
            for (i, (k, v)) in entries.iter().enumerate() {
                if entries[..i].iter().any(|(earlier, _)| earlier == k) {
                    return Err(Error::new(
                        ErrorKind::DuplicateMapKey,
                        format!("{what}: map key {} appears twice", describe_key(k)),
                    ));
                }
                check_unique_keys(k, what)?;
                check_unique_keys(v, what)?;
            }
            Ok(())
        }
        Value::Tag(_, inner) => check_unique_keys(inner, what),
        _ => Ok(()),
    }
}

fn describe_key(k: &Value) -> String {
    match k {
        Value::Text(t) => format!("\"{}\"", t.chars().take(64).collect::<String>().escape_debug()),
        Value::Integer(i) => i128::from(*i).to_string(),
        _ => "(non-text key)".to_owned(),
    }
}

/// Deserialises a value read by [`read_value`] into `T`; a shape that does
/// not fit (wrong types, missing or unknown fields) is
/// [`ErrorKind::BundleFormat`].
pub(crate) fn from_value<T: DeserializeOwned>(value: Value, what: &str) -> Result<T> {
    value.deserialized().map_err(|e| Error::new(ErrorKind::BundleFormat, format!("{what}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn maps_are_sorted_by_encoded_key() {
        let mut m = BTreeMap::new();
        m.insert("zz", 1);
        m.insert("a", 2);
        m.insert("bbb", 3);
        m.insert("b", 4);
        let bytes = to_canonical_vec(&m, "t").unwrap();
        // Shorter keys first, then bytewise: a, b, zz, bbb.
        assert_eq!(
            bytes,
            [0xA4, 0x61, b'a', 2, 0x61, b'b', 4, 0x62, b'z', b'z', 1, 0x63, b'b', b'b', b'b', 3]
        );
    }

    #[test]
    fn strict_reading() {
        let kind = |b: &[u8]| read_value(b, "t").unwrap_err().kind();
        assert_eq!(kind(&[0xA2, 0x61, b'a', 1, 0x61, b'a', 2]), ErrorKind::DuplicateMapKey);
        assert_eq!(kind(&[0x82, 0x01]), ErrorKind::Truncated);
        assert_eq!(kind(&[0x01, 0x02]), ErrorKind::TrailingBytes);
        assert_eq!(kind(&[0x5B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), ErrorKind::Truncated);
        assert_eq!(kind(&[0x81; 40]), ErrorKind::NestingTooDeep);
        assert_eq!(kind(&[0x1C]), ErrorKind::BundleFormat);
        assert_eq!(kind(&[]), ErrorKind::Truncated);
        assert!(read_value(&[0xA2, 0x61, b'a', 1, 0x61, b'b', 2], "t").is_ok());
    }
}

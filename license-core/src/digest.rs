//! SHA-256 digests and the one hex form of bytes (lowercase, two digits a
//! byte), as every surface prints and every document carries them.

use sha2::{Digest, Sha256};

use crate::{Error, ErrorKind, Result};

/// SHA-256 of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Reads exactly `2 * N` lowercase hex digits; `None` for anything else
/// (uppercase included: each value has one spelling).
pub(crate) fn parse_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let bytes = text.as_bytes();
    if bytes.len() != 2 * N {
        return None;
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        *byte = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(out)
}

/// Reads 64 lowercase hex digits; `what` names the value in the error.
pub(crate) fn parse_sha256_hex(text: &str, what: &str) -> Result<[u8; 32]> {
    parse_hex(text).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidValue,
            format!("{what} `{}` is not 64 lowercase hex digits", text.escape_debug()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_rejects_other_spellings() {
        let d = sha256(b"abc");
        let h = hex(&d);
        assert_eq!(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(parse_sha256_hex(&h, "x").unwrap(), d);
        assert!(parse_sha256_hex(&h.to_uppercase(), "x").is_err());
        assert!(parse_sha256_hex(&h[1..], "x").is_err());
    }
}

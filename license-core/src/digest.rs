//! SHA-256 digests and their one text form (64 lowercase hex digits), as
//! every surface prints and every document carries them.

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

/// Reads 64 lowercase hex digits; `what` names the value in the error.
pub(crate) fn parse_sha256_hex(text: &str, what: &str) -> Result<[u8; 32]> {
    let bad = || {
        Error::new(
            ErrorKind::InvalidValue,
            format!("{what} `{}` is not 64 lowercase hex digits", text.escape_debug()),
        )
    };
    if text.len() != 64 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (i, pair) in text.as_bytes().chunks_exact(2).enumerate() {
        let s = std::str::from_utf8(pair).map_err(|_| bad())?;
        out[i] = u8::from_str_radix(s, 16).map_err(|_| bad())?;
    }
    Ok(out)
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

//! License keys: 16 characters of Crockford base32 that carry a kind, a
//! product code, a serial and a check value.
//!
//! # Layout
//!
//! The key is 16 symbols of 5 bits (80 bits), written left to right as
//! `KPPP-SSSS-SSSS-SCCC`:
//!
//! | symbols | bits | meaning |
//! | --- | --- | --- |
//! | 1 | 5 | kind: `M` (master) or `A` (add-on) |
//! | 2–4 | 15 | product code, three Crockford characters |
//! | 5–13 | 45 | serial, big-endian, drawn from a CSPRNG |
//! | 14–16 | 15 | check symbols |
//!
//! The 16 symbols form a codeword of a shortened Reed–Solomon code over
//! GF(32) (field polynomial x⁵ + x² + 1, generator with roots α, α², α³).
//! Its minimum distance is 4, so *any* change of one, two or three symbols
//! is detected: every single-character substitution, every swap of two
//! characters (adjacent or not), every pair of wrong characters. The
//! `keys::key` tests prove this exhaustively (it does not depend on the key,
//! because the code is linear), and show it on sample keys through the
//! parser. A random 16-character string passes the check with probability
//! 2⁻¹⁵.
//!
//! The check only catches typing mistakes: it is public and anyone can
//! compute it. Whether a key is *genuine* is decided by the vendor's signed
//! key bundle ([`crate::KeyBundle`]), never by the key text.

use std::fmt;
use std::str::FromStr;

use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Error, ErrorKind, Result};

/// Crockford base32: the digits and the letters without I, L, O, U.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Symbols in a key.
pub(crate) const KEY_SYMBOLS: usize = 16;
/// Data symbols (kind, product, serial); the rest are check symbols.
const DATA_SYMBOLS: usize = 13;
/// Check symbols.
const CHECK_SYMBOLS: usize = KEY_SYMBOLS - DATA_SYMBOLS;
/// The serial's width in bits (nine symbols).
pub const SERIAL_BITS: u32 = 45;
/// The symbol of a master key's first character (`M`).
const MASTER_SYMBOL: u8 = 20;
/// The symbol of an add-on key's first character (`A`).
const ADDON_SYMBOL: u8 = 10;

/// Each byte's Crockford value, with the usual aliases (O→0, I/L→1) and in
/// either case; 0xFF for anything else (U included).
const SYMBOLS: [u8; 256] = {
    let mut t = [0xFFu8; 256];
    let mut i = 0;
    while i < 32 {
        let c = ALPHABET[i];
        t[c as usize] = i as u8;
        t[c.to_ascii_lowercase() as usize] = i as u8;
        i += 1;
    }
    t[b'O' as usize] = 0;
    t[b'o' as usize] = 0;
    t[b'I' as usize] = 1;
    t[b'i' as usize] = 1;
    t[b'L' as usize] = 1;
    t[b'l' as usize] = 1;
    t
};

/// The value of a Crockford character, with the usual aliases (O→0,
/// I/L→1) and in either case; `None` for anything else (U included).
pub(crate) fn symbol_of(c: char) -> Option<u8> {
    let v = *SYMBOLS.get(usize::try_from(u32::from(c)).ok()?)?;
    (v != 0xFF).then_some(v)
}

fn char_of(symbol: u8) -> char {
    char::from(ALPHABET[usize::from(symbol & 31)])
}

/// GF(32) arithmetic, field polynomial x⁵ + x² + 1 (primitive, so α = x
/// has order 31 and the 16 positions get distinct locators).
mod gf32 {
    const POLY: u8 = 0b10_0101;

    /// α^i for i in 0..31, then repeated so that `EXP[a + b]` needs no mod.
    pub(super) const EXP: [u8; 62] = {
        let mut t = [0u8; 62];
        let mut x: u8 = 1;
        let mut i = 0;
        while i < 62 {
            t[i] = x;
            x <<= 1;
            if x & 0b10_0000 != 0 {
                x ^= POLY;
            }
            i += 1;
        }
        t
    };

    /// log_α(x) for x in 1..32 (`LOG[0]` is unused).
    pub(super) const LOG: [u8; 32] = {
        let mut t = [0u8; 32];
        let mut i = 0;
        while i < 31 {
            t[EXP[i] as usize] = i as u8;
            i += 1;
        }
        t
    };

    pub(super) const fn mul(a: u8, b: u8) -> u8 {
        if a == 0 || b == 0 {
            0
        } else {
            EXP[LOG[a as usize] as usize + LOG[b as usize] as usize]
        }
    }
}

/// What a symbol of value `v` at position `i` adds to the three syndromes:
/// v·α^(j·(15−i)) for j = 1, 2, 3. The syndromes are linear in the
/// symbols, so a key's syndromes are the xor of 16 lookups here.
const CONTRIBUTION: [[[u8; CHECK_SYMBOLS]; 32]; KEY_SYMBOLS] = {
    let mut t = [[[0u8; CHECK_SYMBOLS]; 32]; KEY_SYMBOLS];
    let mut i = 0;
    while i < KEY_SYMBOLS {
        let degree = KEY_SYMBOLS - 1 - i;
        let mut v = 0;
        while v < 32 {
            let mut j = 0;
            while j < CHECK_SYMBOLS {
                t[i][v][j] = gf32::mul(v as u8, gf32::EXP[((j + 1) * degree) % 31]);
                j += 1;
            }
            v += 1;
        }
        i += 1;
    }
    t
};

/// The syndromes of 16 symbols (values below 32): the codeword polynomial
/// (symbol 0 the highest power) evaluated at α, α², α³. All zero exactly
/// for codewords.
pub(crate) fn syndromes(symbols: &[u8; KEY_SYMBOLS]) -> [u8; CHECK_SYMBOLS] {
    let mut s = [0u8; CHECK_SYMBOLS];
    for (i, &c) in symbols.iter().enumerate() {
        let add = CONTRIBUTION[i][usize::from(c & 31)];
        s[0] ^= add[0];
        s[1] ^= add[1];
        s[2] ^= add[2];
    }
    s
}

/// The check symbols that make `data` a codeword: the remainder of
/// data(x)·x³ divided by g(x) = (x − α)(x − α²)(x − α³).
fn check_symbols(data: &[u8; DATA_SYMBOLS]) -> [u8; CHECK_SYMBOLS] {
    // g(x), coefficients lowest power first: multiply out (x + αʲ) for
    // j = 1..=3 (in characteristic 2, minus is plus).
    let mut g = [1u8, 0, 0, 0];
    for j in 1..=CHECK_SYMBOLS {
        let root = gf32::EXP[j];
        let mut next = [0u8; CHECK_SYMBOLS + 1];
        for i in 0..=CHECK_SYMBOLS {
            let shifted = if i > 0 { g[i - 1] } else { 0 };
            next[i] = shifted ^ gf32::mul(root, g[i]);
        }
        g = next;
    }
    // Long division, one data symbol at a time (highest power first); `rem`
    // holds the remainder's x², x¹, x⁰ coefficients.
    let mut rem = [0u8; CHECK_SYMBOLS];
    for &d in data {
        let factor = d ^ rem[0];
        rem = [rem[1], rem[2], 0];
        for (k, r) in rem.iter_mut().enumerate() {
            *r ^= gf32::mul(factor, g[CHECK_SYMBOLS - 1 - k]);
        }
    }
    rem
}

/// Whether a key is a server's master key or an add-on for extra features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// One per server instance; add-ons hang off it.
    Master,
    /// Enables extra features on the instance that holds its master key.
    Addon,
}

impl KeyKind {
    /// The lower-case name used in every format (`master`, `addon`).
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Master => "master",
            KeyKind::Addon => "addon",
        }
    }

    fn symbol(self) -> u8 {
        match self {
            KeyKind::Master => MASTER_SYMBOL,
            KeyKind::Addon => ADDON_SYMBOL,
        }
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for KeyKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<KeyKind> {
        match s {
            "master" => Ok(KeyKind::Master),
            "addon" | "add-on" => Ok(KeyKind::Addon),
            _ => Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("key kind `{}` is neither `master` nor `addon`", s.escape_debug()),
            )),
        }
    }
}

/// A product code inside a key: three Crockford base32 characters
/// (`CRT`, `K9X`). Parsed like key text: case-insensitive, O→0, I/L→1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProductCode([u8; 3]);

impl ProductCode {
    fn symbols(self) -> [u8; 3] {
        self.0
    }
}

impl fmt::Display for ProductCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|&s| write!(f, "{}", char_of(s)))
    }
}

impl FromStr for ProductCode {
    type Err = Error;

    fn from_str(s: &str) -> Result<ProductCode> {
        let chars: Vec<char> = s.chars().collect();
        if chars.len() != 3 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("product code `{}` must have exactly 3 characters", s.escape_debug()),
            ));
        }
        let mut out = [0u8; 3];
        for (i, (&c, slot)) in chars.iter().zip(out.iter_mut()).enumerate() {
            *slot = symbol_of(c).ok_or_else(|| {
                Error::new(
                    ErrorKind::KeyCharacter,
                    format!(
                        "product code character {} `{}` is not Crockford base32",
                        i + 1,
                        c.escape_debug()
                    ),
                )
            })?;
        }
        Ok(ProductCode(out))
    }
}

impl Serialize for ProductCode {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ProductCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A 16-character license key, always valid: its check symbols match and
/// its first character names a kind. See docs/FORMATS.md ("License key") for the
/// layout.
///
/// ```
/// use license_core::{LicenseKey, keys::{KeyKind, ProductCode}};
/// let product: ProductCode = "CRT".parse()?;
/// let key = LicenseKey::new(KeyKind::Master, product, 123_456_789)?;
/// let text = key.to_string();
/// assert_eq!(text.len(), 19); // XXXX-XXXX-XXXX-XXXX
/// // Lower case, no hyphens, O for 0 and L for 1 all read back the same key.
/// let sloppy = text.replace('-', "").to_lowercase().replace('0', "o").replace('1', "l");
/// assert_eq!(sloppy.parse::<LicenseKey>()?, key);
/// // A typo is caught.
/// let typo = text.replacen(&text[7..8], if &text[7..8] == "7" { "8" } else { "7" }, 1);
/// assert!(typo.parse::<LicenseKey>().is_err());
/// # Ok::<(), license_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LicenseKey([u8; KEY_SYMBOLS]);

impl LicenseKey {
    /// The key of `kind` for `product` with this serial (below 2⁴⁵).
    pub fn new(kind: KeyKind, product: ProductCode, serial: u64) -> Result<LicenseKey> {
        if serial >> SERIAL_BITS != 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("serial {serial} does not fit in {SERIAL_BITS} bits"),
            ));
        }
        let mut data = [0u8; DATA_SYMBOLS];
        data[0] = kind.symbol();
        data[1..4].copy_from_slice(&product.symbols());
        for (i, slot) in data[4..].iter_mut().enumerate() {
            let shift = 5 * (8 - i as u32);
            *slot = ((serial >> shift) & 31) as u8;
        }
        let mut symbols = [0u8; KEY_SYMBOLS];
        symbols[..DATA_SYMBOLS].copy_from_slice(&data);
        symbols[DATA_SYMBOLS..].copy_from_slice(&check_symbols(&data));
        Ok(LicenseKey(symbols))
    }

    /// A new key with a serial drawn from `rng` (pass a CSPRNG such as
    /// `rand::rngs::OsRng`: serials must not be guessable).
    pub fn generate(kind: KeyKind, product: ProductCode, rng: &mut (impl RngCore + CryptoRng)) -> LicenseKey {
        let serial = rng.next_u64() >> (64 - SERIAL_BITS);
        // The serial fits by construction.
        LicenseKey::new(kind, product, serial).unwrap_or(LicenseKey([0; KEY_SYMBOLS]))
    }

    /// Checks 16 symbols (values 0..32): the check symbols, then the kind.
    pub(crate) fn from_symbols(symbols: [u8; KEY_SYMBOLS]) -> Result<LicenseKey> {
        if symbols.iter().any(|&s| s > 31) {
            return Err(Error::new(ErrorKind::KeyCharacter, "symbol value over 31"));
        }
        if syndromes(&symbols) != [0; CHECK_SYMBOLS] {
            return Err(Error::new(
                ErrorKind::KeyChecksum,
                format!("key `{}`: the check characters do not match (a typo?)", display(&symbols)),
            ));
        }
        if symbols[0] != MASTER_SYMBOL && symbols[0] != ADDON_SYMBOL {
            return Err(Error::new(
                ErrorKind::KeyKindMismatch,
                format!(
                    "key `{}`: first character `{}` is neither `M` (master) nor `A` (add-on)",
                    display(&symbols),
                    char_of(symbols[0])
                ),
            ));
        }
        Ok(LicenseKey(symbols))
    }

    /// Reads the 16 symbols of a key text: case-insensitive, hyphens and
    /// spaces ignored, O→0 and I/L→1. Checks characters and length only.
    pub(crate) fn symbols_of(text: &str) -> Result<[u8; KEY_SYMBOLS]> {
        let mut symbols = [0u8; KEY_SYMBOLS];
        let mut n = 0usize;
        for c in text.chars() {
            if c == '-' || c == ' ' {
                continue;
            }
            let Some(s) = symbol_of(c) else {
                return Err(Error::new(
                    ErrorKind::KeyCharacter,
                    format!(
                        "character {} `{}` is not Crockford base32 (0-9 and A-Z without I, L, O, U)",
                        n + 1,
                        c.escape_debug()
                    ),
                ));
            };
            if n < KEY_SYMBOLS {
                symbols[n] = s;
            }
            n += 1;
        }
        if n != KEY_SYMBOLS {
            return Err(Error::new(
                ErrorKind::KeyLength,
                format!("the key has {n} characters (hyphens and spaces aside), not {KEY_SYMBOLS}"),
            ));
        }
        Ok(symbols)
    }

    /// The key's kind.
    pub fn kind(&self) -> KeyKind {
        if self.0[0] == MASTER_SYMBOL {
            KeyKind::Master
        } else {
            KeyKind::Addon
        }
    }

    /// The product code carried in the key.
    pub fn product(&self) -> ProductCode {
        ProductCode([self.0[1], self.0[2], self.0[3]])
    }

    /// The serial carried in the key (below 2⁴⁵).
    pub fn serial(&self) -> u64 {
        self.0[4..DATA_SYMBOLS].iter().fold(0u64, |acc, &s| (acc << 5) | u64::from(s))
    }

    /// The 16 characters without hyphens.
    pub fn compact(&self) -> String {
        self.0.iter().map(|&s| char_of(s)).collect()
    }
}

/// `XXXX-XXXX-XXXX-XXXX` for any 16 symbols (used in errors too).
pub(crate) fn display(symbols: &[u8; KEY_SYMBOLS]) -> String {
    let mut out = String::with_capacity(19);
    for (i, &s) in symbols.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(char_of(s));
    }
    out
}

pub(crate) fn char_of_symbol(symbol: u8) -> char {
    char_of(symbol)
}

impl fmt::Display for LicenseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&display(&self.0))
    }
}

impl fmt::Debug for LicenseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LicenseKey({self})")
    }
}

impl FromStr for LicenseKey {
    type Err = Error;

    fn from_str(text: &str) -> Result<LicenseKey> {
        LicenseKey::from_symbols(LicenseKey::symbols_of(text)?)
    }
}

impl Serialize for LicenseKey {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LicenseKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::{rngs::StdRng, SeedableRng};

    fn crt() -> ProductCode {
        "CRT".parse().unwrap()
    }

    /// Sample keys: the extreme serials and pseudo-random ones, of both kinds
    /// and several products.
    fn samples() -> Vec<LicenseKey> {
        let mut rng = StdRng::seed_from_u64(7);
        let mut keys = Vec::new();
        for product in ["CRT", "000", "ZZZ", "K9X"] {
            let product: ProductCode = product.parse().unwrap();
            for kind in [KeyKind::Master, KeyKind::Addon] {
                keys.push(LicenseKey::new(kind, product, 0).unwrap());
                keys.push(LicenseKey::new(kind, product, (1 << SERIAL_BITS) - 1).unwrap());
                for _ in 0..6 {
                    keys.push(LicenseKey::generate(kind, product, &mut rng));
                }
            }
        }
        keys
    }

    /// The syndromes of a single error of value `e` at `pos` (a column of
    /// the parity-check matrix, scaled).
    fn unit(pos: usize, e: u8) -> [u8; KEY_SYMBOLS] {
        let mut v = [0u8; KEY_SYMBOLS];
        v[pos] = e;
        v
    }

    fn xor(a: [u8; 3], b: [u8; 3]) -> [u8; 3] {
        [a[0] ^ b[0], a[1] ^ b[1], a[2] ^ b[2]]
    }

    #[test]
    fn field_tables_are_a_field() {
        // α has order 31: the 31 powers are the 31 non-zero elements.
        let mut seen = [false; 32];
        for &x in &gf32::EXP[..31] {
            assert!(!seen[usize::from(x)] && x != 0);
            seen[usize::from(x)] = true;
        }
        for a in 1..32u8 {
            let inv = gf32::EXP[(31 - usize::from(gf32::LOG[usize::from(a)])) % 31];
            assert_eq!(gf32::mul(a, inv), 1);
        }
    }

    /// The syndrome table against the definition (Horner's rule at α^j).
    #[test]
    fn syndrome_table_matches_polynomial_evaluation() {
        let mut rng = StdRng::seed_from_u64(3);
        for _ in 0..2000 {
            let mut v = [0u8; KEY_SYMBOLS];
            v.iter_mut().for_each(|x| *x = (rand::RngCore::next_u32(&mut rng) % 32) as u8);
            let mut expected = [0u8; CHECK_SYMBOLS];
            for (j, e) in expected.iter_mut().enumerate() {
                let root = gf32::EXP[j + 1];
                *e = v.iter().fold(0u8, |acc, &c| gf32::mul(acc, root) ^ c);
            }
            assert_eq!(syndromes(&v), expected, "{v:?}");
        }
    }

    #[test]
    fn keys_are_codewords_and_carry_their_fields() {
        for key in samples() {
            assert_eq!(syndromes(&key.0), [0; 3], "{key}");
            let again = LicenseKey::new(key.kind(), key.product(), key.serial()).unwrap();
            assert_eq!(again, key);
        }
        let key = LicenseKey::new(KeyKind::Master, crt(), 0x0123_4567_89AB).unwrap();
        assert_eq!((key.kind(), key.product(), key.serial()), (KeyKind::Master, crt(), 0x0123_4567_89AB));
        assert!(key.to_string().starts_with("MCRT-"));
        let addon = LicenseKey::new(KeyKind::Addon, crt(), 1).unwrap();
        assert!(addon.to_string().starts_with("ACRT-0000-0000-1"));
        let err = LicenseKey::new(KeyKind::Master, crt(), 1 << SERIAL_BITS).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    }

    /// The proof for every key, not only samples: the check is linear
    /// (syndromes(key ⊕ error) = syndromes(key) ⊕ syndromes(error)), so a
    /// typo is missed exactly when its error pattern has zero syndromes.
    /// Every pattern of one or two wrong symbols is enumerated here
    /// (16·31 plus 120·31², 115 816 patterns); a substitution is weight
    /// one, a swap of two characters (adjacent or not) is weight two.
    #[test]
    fn every_one_or_two_symbol_error_is_detected_for_every_key() {
        let key = samples()[5];
        let mut patterns = 0u32;
        for i in 0..KEY_SYMBOLS {
            for ei in 1..32u8 {
                let single = syndromes(&unit(i, ei));
                assert_ne!(single, [0; 3], "substitution at {i} by {ei} undetected");
                patterns += 1;
                // Linearity, checked on a real key.
                let mut typo = key.0;
                typo[i] ^= ei;
                assert_eq!(syndromes(&typo), single);
                for j in i + 1..KEY_SYMBOLS {
                    for ej in 1..32u8 {
                        let double = xor(single, syndromes(&unit(j, ej)));
                        assert_ne!(double, [0; 3], "errors at {i},{j} by {ei},{ej} undetected");
                        patterns += 1;
                    }
                }
            }
        }
        assert_eq!(patterns, 16 * 31 + 120 * 31 * 31);
    }

    /// Minimum distance 4 (so three wrong symbols are detected too): every
    /// three columns of the parity-check matrix are independent, i.e. every
    /// 3×3 determinant is non-zero (560 of them).
    #[test]
    fn every_three_columns_of_the_check_matrix_are_independent() {
        let col = |i: usize| syndromes(&unit(i, 1));
        let det = |a: [u8; 3], b: [u8; 3], c: [u8; 3]| {
            let m = gf32::mul;
            // Characteristic 2: the determinant is the permanent.
            m(a[0], m(b[1], c[2]))
                ^ m(a[0], m(b[2], c[1]))
                ^ m(a[1], m(b[0], c[2]))
                ^ m(a[1], m(b[2], c[0]))
                ^ m(a[2], m(b[0], c[1]))
                ^ m(a[2], m(b[1], c[0]))
        };
        let mut triples = 0;
        for i in 0..KEY_SYMBOLS {
            for j in i + 1..KEY_SYMBOLS {
                for k in j + 1..KEY_SYMBOLS {
                    assert_ne!(det(col(i), col(j), col(k)), 0, "columns {i},{j},{k} dependent");
                    triples += 1;
                }
            }
        }
        assert_eq!(triples, 560);
        // And a weight-4 pattern can be missed: the bound is tight, the
        // check is not stronger than claimed.
        let data = [0u8; DATA_SYMBOLS];
        let mut data1 = data;
        data1[12] = 1;
        let c = check_symbols(&data1);
        let weight = 1 + c.iter().filter(|&&s| s != 0).count();
        assert_eq!(weight, 4);
    }

    /// The same, shown on sample keys through the parser: every character
    /// typed in place of another (upper and lower case, aliases included)
    /// and every adjacent swap of different characters is refused, unless
    /// it is an alias of the same symbol (which is not a typo).
    #[test]
    fn typos_in_sample_keys_are_refused_by_the_parser() {
        let typed: Vec<char> = ('0'..='9').chain('A'..='Z').chain('a'..='z').collect();
        let mut checked = 0u32;
        for key in samples() {
            let text: Vec<char> = key.compact().chars().collect();
            for pos in 0..KEY_SYMBOLS {
                for &c in &typed {
                    let mut t = text.clone();
                    t[pos] = c;
                    let t: String = t.into_iter().collect();
                    match t.parse::<LicenseKey>() {
                        Ok(k) => {
                            assert_eq!(k, key, "{t} accepted as another key");
                            assert_eq!(symbol_of(c), Some(key.0[pos]), "{t}");
                        }
                        Err(e) => {
                            assert!(
                                matches!(e.kind(), ErrorKind::KeyChecksum | ErrorKind::KeyCharacter),
                                "{e}"
                            );
                            checked += 1;
                        }
                    }
                }
            }
            for pos in 0..KEY_SYMBOLS - 1 {
                if text[pos] == text[pos + 1] {
                    continue; // swapping equal characters changes nothing
                }
                let mut t = text.clone();
                t.swap(pos, pos + 1);
                let t: String = t.into_iter().collect();
                let e = t.parse::<LicenseKey>().unwrap_err();
                assert_eq!(e.kind(), ErrorKind::KeyChecksum, "{t}");
                checked += 1;
            }
        }
        assert!(checked > 60_000, "{checked}");
    }

    #[test]
    fn parsing_is_lenient_about_case_separators_and_aliases() {
        let key = LicenseKey::new(KeyKind::Addon, "K1O".parse().unwrap(), 0o1010101).unwrap();
        let text = key.to_string();
        assert_eq!(key.product().to_string(), "K10");
        for variant in [
            text.clone(),
            text.to_lowercase(),
            text.replace('-', ""),
            text.replace('-', " "),
            text.replace('0', "O").replace('1', "I"),
            text.replace('0', "o").replace('1', "l"),
            format!("  {}  ", text.replace('-', " - ")),
        ] {
            assert_eq!(variant.parse::<LicenseKey>().unwrap(), key, "{variant}");
        }
    }

    #[test]
    fn bad_text_gets_the_right_error() {
        let key = samples()[3].compact();
        let err = key[..15].parse::<LicenseKey>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::KeyLength);
        assert!(err.detail().contains("15"), "{err}");
        let err = format!("{key}0").parse::<LicenseKey>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::KeyLength);
        let err = "".parse::<LicenseKey>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::KeyLength);
        let mut u = key.clone();
        u.replace_range(6..7, "U");
        let err = u.parse::<LicenseKey>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::KeyCharacter);
        assert!(err.detail().contains("character 7 `U`"), "{err}");
        let err = "MCRT-0000-0000-00é0".parse::<LicenseKey>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::KeyCharacter);
        // A codeword whose first symbol is not a kind.
        let mut data = [0u8; DATA_SYMBOLS];
        data[0] = 3;
        let mut symbols = [0u8; KEY_SYMBOLS];
        symbols[..DATA_SYMBOLS].copy_from_slice(&data);
        symbols[DATA_SYMBOLS..].copy_from_slice(&check_symbols(&data));
        let err = display(&symbols).parse::<LicenseKey>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::KeyKindMismatch);
        let err = "CR".parse::<ProductCode>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        let err = "CRU".parse::<ProductCode>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::KeyCharacter);
    }

    #[test]
    fn serde_is_the_display_string() {
        let key = samples()[9];
        let json = serde_json::to_string(&key).unwrap();
        assert_eq!(json, format!("\"{key}\""));
        assert_eq!(serde_json::from_str::<LicenseKey>(&json).unwrap(), key);
        assert!(serde_json::from_str::<LicenseKey>("\"MCRT\"").is_err());
        assert_eq!(serde_json::to_string(&KeyKind::Addon).unwrap(), "\"addon\"");
    }

    #[test]
    fn generated_serials_differ() {
        let mut rng = StdRng::seed_from_u64(1);
        let a = LicenseKey::generate(KeyKind::Master, crt(), &mut rng);
        let b = LicenseKey::generate(KeyKind::Master, crt(), &mut rng);
        assert_ne!(a, b);
        assert_eq!(a.kind(), KeyKind::Master);
    }

    fn any_key() -> impl Strategy<Value = LicenseKey> {
        (any::<bool>(), 0u8..32, 0u8..32, 0u8..32, 0u64..(1 << SERIAL_BITS)).prop_map(|(m, a, b, c, s)| {
            let kind = if m { KeyKind::Master } else { KeyKind::Addon };
            LicenseKey::new(kind, ProductCode([a, b, c]), s).unwrap()
        })
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(key in any_key()) {
            let text = key.to_string();
            prop_assert_eq!(text.len(), 19);
            prop_assert_eq!(text.parse::<LicenseKey>().unwrap(), key);
            prop_assert_eq!(key.compact().parse::<LicenseKey>().unwrap(), key);
        }

        #[test]
        fn any_substitution_or_swap_is_detected(
            key in any_key(), pos in 0usize..KEY_SYMBOLS, delta in 1u8..32, swap in any::<bool>()
        ) {
            let mut typo = key.0;
            if swap {
                let p = pos.min(KEY_SYMBOLS - 2);
                prop_assume!(typo[p] != typo[p + 1]);
                typo.swap(p, p + 1);
            } else {
                typo[pos] ^= delta;
            }
            let err = display(&typo).parse::<LicenseKey>().unwrap_err();
            prop_assert_eq!(err.kind(), ErrorKind::KeyChecksum);
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,40}") {
            let _ = text.parse::<LicenseKey>();
            let _ = LicenseKey::diagnose(&text);
        }
    }
}

//! Saying which character of a mistyped license key is wrong.
//!
//! The check symbols of a [`LicenseKey`] form a code of minimum distance 4,
//! so at most one valid key lies one substitution away from any text: when
//! a single character was mistyped the fix is unique, and when a character
//! is outside the alphabet the one value that fits there can be named. A
//! swap of two adjacent characters, a missing or an extra character are
//! found by trying each. These are *hints*: text with three wrong characters
//! can sit one substitution away from another valid key, so the hint is
//! "most likely", never a certainty.

use std::fmt;

use super::key::{char_of_symbol, symbol_of, LicenseKey, KEY_SYMBOLS};
use crate::Error;

/// One way a mistyped key could be repaired. Positions count the 16 key
/// characters from 1, ignoring hyphens and spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyHint {
    /// The character at `position` is not Crockford base32.
    NotInAlphabet {
        /// Where (1-based).
        position: usize,
        /// What was there.
        found: char,
    },
    /// Changing one character gives a valid key.
    Replace {
        /// Where (1-based).
        position: usize,
        /// What was there.
        found: char,
        /// What would make the key valid.
        with: char,
        /// The repaired key.
        key: LicenseKey,
    },
    /// Swapping the characters at `position` and `position + 1` gives a
    /// valid key.
    Swap {
        /// The first of the two (1-based).
        position: usize,
        /// The repaired key.
        key: LicenseKey,
    },
    /// Inserting a character before `position` gives a valid key.
    Missing {
        /// Where (1-based; 16 means "before the last", 17 "at the end").
        position: usize,
        /// The missing character.
        with: char,
        /// The repaired key.
        key: LicenseKey,
    },
    /// Deleting the character at `position` gives a valid key.
    Extra {
        /// Where (1-based).
        position: usize,
        /// The repaired key.
        key: LicenseKey,
    },
}

impl fmt::Display for KeyHint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyHint::NotInAlphabet { position, found } => {
                write!(f, "character {position} `{}` is not Crockford base32", found.escape_debug())
            }
            KeyHint::Replace { position, found, with, key } => {
                write!(f, "character {position} `{found}` is probably wrong: `{with}` gives {key}")
            }
            KeyHint::Swap { position, key } => {
                write!(f, "characters {position} and {} look swapped: {key}", position + 1)
            }
            KeyHint::Missing { position, with, key } => {
                write!(f, "a character `{with}` seems missing before position {position}: {key}")
            }
            KeyHint::Extra { position, key } => {
                write!(f, "character {position} seems extra: {key}")
            }
        }
    }
}

/// Why a key text was refused, with the repairs that would make it valid.
#[derive(Debug)]
pub struct KeyDiagnosis {
    /// The error [`LicenseKey::from_str`](std::str::FromStr) returns.
    pub error: Error,
    /// Characters known to be wrong, and candidate repairs (empty when
    /// nothing can be said, e.g. several characters are wrong).
    pub hints: Vec<KeyHint>,
}

/// More candidates than this say nothing useful; they are dropped.
const MAX_HINTS: usize = 4;

impl LicenseKey {
    /// Parses `text` like [`str::parse`], and on failure says which
    /// character is wrong where that can be known.
    ///
    /// ```
    /// use license_core::{LicenseKey, keys::{KeyHint, KeyKind}};
    /// let key = LicenseKey::new(KeyKind::Addon, "CRT".parse()?, 42)?;
    /// let mut text = key.compact().into_bytes();
    /// text[9] = if text[9] == b'Z' { b'Y' } else { b'Z' };
    /// let diagnosis = LicenseKey::diagnose(std::str::from_utf8(&text).unwrap()).unwrap_err();
    /// assert!(matches!(diagnosis.hints[..], [KeyHint::Replace { position: 10, key: k, .. }] if k == key));
    /// # Ok::<(), license_core::Error>(())
    /// ```
    pub fn diagnose(text: &str) -> Result<LicenseKey, KeyDiagnosis> {
        let error = match text.parse::<LicenseKey>() {
            Ok(key) => return Ok(key),
            Err(e) => e,
        };
        // Each key character as its symbol, or None outside the alphabet;
        // bounded so that a huge input costs nothing.
        let chars: Vec<(char, Option<u8>)> = text
            .chars()
            .filter(|&c| c != '-' && c != ' ')
            .take(4 * KEY_SYMBOLS)
            .map(|c| (c, symbol_of(c)))
            .collect();
        let mut hints: Vec<KeyHint> = chars
            .iter()
            .enumerate()
            .filter(|(_, (_, s))| s.is_none())
            .map(|(i, &(found, _))| KeyHint::NotInAlphabet { position: i + 1, found })
            .collect();
        let bad = hints.len();
        let symbols: Vec<u8> = chars.iter().map(|&(_, s)| s.unwrap_or(0)).collect();
        let valid = |candidate: &[u8]| -> Option<LicenseKey> {
            let arr: [u8; KEY_SYMBOLS] = candidate.try_into().ok()?;
            LicenseKey::from_symbols(arr).ok()
        };
        // Every other symbol at `pos` that makes the key valid (`skip`: the
        // symbol already there, if it is readable).
        let replace_at = |pos: usize, skip: Option<u8>, out: &mut Vec<KeyHint>| {
            for s in (0..32u8).filter(|&s| Some(s) != skip) {
                let mut c = symbols.clone();
                c[pos] = s;
                if let Some(key) = valid(&c) {
                    out.push(KeyHint::Replace {
                        position: pos + 1,
                        found: chars[pos].0,
                        with: char_of_symbol(s),
                        key,
                    });
                }
            }
        };
        let mut repairs = Vec::new();
        match (chars.len(), bad) {
            (KEY_SYMBOLS, 0) => {
                for (pos, &current) in symbols.iter().enumerate() {
                    replace_at(pos, Some(current), &mut repairs);
                }
                for pos in 0..KEY_SYMBOLS - 1 {
                    let mut c = symbols.clone();
                    c.swap(pos, pos + 1);
                    if c != symbols {
                        if let Some(key) = valid(&c) {
                            repairs.push(KeyHint::Swap { position: pos + 1, key });
                        }
                    }
                }
            }
            (KEY_SYMBOLS, 1) => {
                // One unreadable character is an erasure: the code fixes
                // the value that must have been there.
                let pos = match hints[0] {
                    KeyHint::NotInAlphabet { position, .. } => position - 1,
                    _ => 0,
                };
                replace_at(pos, None, &mut repairs);
            }
            (n, 0) if n == KEY_SYMBOLS - 1 => {
                for pos in 0..=n {
                    for s in 0..32u8 {
                        let mut c = symbols.clone();
                        c.insert(pos, s);
                        if let Some(key) = valid(&c) {
                            repairs.push(KeyHint::Missing {
                                position: pos + 1,
                                with: char_of_symbol(s),
                                key,
                            });
                        }
                    }
                }
            }
            (n, 0) if n == KEY_SYMBOLS + 1 => {
                for pos in 0..n {
                    let mut c = symbols.clone();
                    c.remove(pos);
                    if let Some(key) = valid(&c) {
                        repairs.push(KeyHint::Extra { position: pos + 1, key });
                    }
                }
            }
            _ => {}
        }
        // The same repaired key reached two ways (e.g. a missing character
        // inserted before or after an equal one) is one hint.
        let mut seen = Vec::new();
        repairs.retain(|h| {
            let key = match h {
                KeyHint::Replace { key, .. }
                | KeyHint::Swap { key, .. }
                | KeyHint::Missing { key, .. }
                | KeyHint::Extra { key, .. } => *key,
                KeyHint::NotInAlphabet { .. } => return true,
            };
            if seen.contains(&key) {
                false
            } else {
                seen.push(key);
                true
            }
        });
        if repairs.len() <= MAX_HINTS {
            hints.extend(repairs);
        }
        Err(KeyDiagnosis { error, hints })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{keys::KeyKind, ErrorKind};

    fn sample(serial: u64) -> LicenseKey {
        LicenseKey::new(KeyKind::Master, "CRT".parse().unwrap(), serial).unwrap()
    }

    fn symbol_text(key: LicenseKey) -> Vec<char> {
        key.compact().chars().collect()
    }

    #[test]
    fn a_valid_key_has_no_diagnosis() {
        let key = sample(99);
        assert_eq!(LicenseKey::diagnose(&key.to_string()).unwrap(), key);
    }

    /// A single substitution anywhere is named, with the one repair, for
    /// every position and every wrong character of a few keys.
    #[test]
    fn single_substitutions_are_located_exactly() {
        for serial in [0, 12_345, (1 << 45) - 1] {
            let key = sample(serial);
            let text = symbol_text(key);
            for pos in 0..16 {
                for c in "0123456789ABCDEFGHJKMNPQRSTVWXYZ".chars().filter(|&c| c != text[pos]) {
                    let mut t = text.clone();
                    t[pos] = c;
                    let t: String = t.into_iter().collect();
                    let d = LicenseKey::diagnose(&t).unwrap_err();
                    assert_eq!(d.error.kind(), ErrorKind::KeyChecksum, "{t}");
                    assert_eq!(
                        d.hints,
                        [KeyHint::Replace { position: pos + 1, found: c, with: text[pos], key }],
                        "{t}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_character_outside_the_alphabet_is_named_and_filled_in() {
        let key = sample(4242);
        let mut t = symbol_text(key);
        let was = t[6];
        t[6] = 'U';
        let d = LicenseKey::diagnose(&t.iter().collect::<String>()).unwrap_err();
        assert_eq!(d.error.kind(), ErrorKind::KeyCharacter);
        assert_eq!(
            d.hints,
            [
                KeyHint::NotInAlphabet { position: 7, found: 'U' },
                KeyHint::Replace { position: 7, found: 'U', with: was, key }
            ]
        );
    }

    #[test]
    fn swaps_missing_and_extra_characters_are_found() {
        let key = sample(0x0ABC_DEF0_1234);
        let text = symbol_text(key);
        for pos in 0..15 {
            if text[pos] == text[pos + 1] {
                continue;
            }
            let mut t = text.clone();
            t.swap(pos, pos + 1);
            let d = LicenseKey::diagnose(&t.iter().collect::<String>()).unwrap_err();
            assert!(d.hints.contains(&KeyHint::Swap { position: pos + 1, key }), "{pos}: {:?}", d.hints);
            assert!(d.hints.iter().all(|h| !matches!(h, KeyHint::Replace { .. })));
        }
        for pos in 0..16 {
            let mut t = text.clone();
            t.remove(pos);
            let d = LicenseKey::diagnose(&t.iter().collect::<String>()).unwrap_err();
            assert_eq!(d.error.kind(), ErrorKind::KeyLength);
            assert!(
                d.hints.iter().any(|h| matches!(h, KeyHint::Missing { key: k, .. } if *k == key)),
                "{pos}: {:?}",
                d.hints
            );
            let mut t = text.clone();
            t.insert(pos, if text[pos] == 'Q' { 'R' } else { 'Q' });
            let d = LicenseKey::diagnose(&t.iter().collect::<String>()).unwrap_err();
            assert!(d.hints.iter().any(|h| matches!(h, KeyHint::Extra { key: k, .. } if *k == key)));
        }
    }

    #[test]
    fn several_wrong_characters_give_no_false_certainty() {
        let key = sample(777);
        let mut t = symbol_text(key);
        // Three substitutions: still refused, and any hint given points to
        // a key other than the original, never claiming it.
        for (p, c) in [(4, 'Z'), (8, 'Y'), (12, 'X')] {
            t[p] = if t[p] == c { 'W' } else { c };
        }
        let d = LicenseKey::diagnose(&t.iter().collect::<String>()).unwrap_err();
        assert_eq!(d.error.kind(), ErrorKind::KeyChecksum);
        assert!(d.hints.len() <= MAX_HINTS);
        assert!(d.hints.iter().all(|h| !h.to_string().contains(&key.to_string())), "{:?}", d.hints);
        let too_long = "M".repeat(10_000);
        let d = LicenseKey::diagnose(&too_long).unwrap_err();
        assert_eq!(d.error.kind(), ErrorKind::KeyLength);
        assert!(d.hints.is_empty());
        assert!(d.hints.iter().all(|h| h.to_string().len() < 200));
    }
}

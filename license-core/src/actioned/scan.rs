//! A scanner for one JSON Lines record that knows the record's nine keys:
//! the fast path of [`super::Inventory::from_jsonl`].
//!
//! A general JSON parser spends most of its time on what an inventory line
//! never has. This one reads the form writers produce (any key order and
//! whitespace, names without escapes, times as `YYYY-MM-DDTHH:MM:SSZ`) into
//! borrowed fields, allocating nothing. Anything else (an escape, an
//! unknown or repeated key, a number or time in another form, any error)
//! makes it give up on the line, and the line goes to the serde parse of
//! [`super::CertificateRecord`], so what is accepted and every error
//! message stay exactly those of serde. The rule that keeps this exact:
//! the scanner accepts a line only if serde accepts it with the same
//! values (a differential test checks it).
//!
//! The line is bytes not checked as UTF-8: every byte of a line the
//! scanner takes is one it matched as ASCII, except inside names, so the
//! line is valid UTF-8 exactly when its names are. A name is checked only
//! if it has a byte past ASCII (seen in the words searched for its end),
//! and names are slices of the line. Keys are told apart by a hash of
//! their first two bytes and matched with one masked compare of two
//! words; names are searched sixteen, then eight bytes at a time.

use super::intern::NameKey;

/// A listed name: its bytes, borrowed from the line (valid UTF-8: the
/// scanner takes no other name), and its key for
/// [`super::intern::ChunkNames`], taken while the name is in registers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Name<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) key: NameKey,
}

impl<'a> Name<'a> {
    /// The name as text. Checked again here, not kept from the scan: only
    /// a name new to a chunk, or one in a list to check, needs its text.
    pub(crate) fn text(&self) -> &'a str {
        // The scanner took the name as valid UTF-8: never the default.
        std::str::from_utf8(self.bytes).unwrap_or_default()
    }
}

/// The fields of one record, names borrowed from the line.
#[derive(Debug, Default)]
pub(crate) struct Fields<'a> {
    pub(crate) id: u32,
    pub(crate) enrolled: bool,
    pub(crate) private_key: bool,
    pub(crate) ssl_endpoints: u32,
    /// Seconds since 1970.
    pub(crate) revoked: Option<i64>,
    pub(crate) expires: Option<i64>,
    /// Stores, metadata fields, collections.
    pub(crate) names: [Vec<Name<'a>>; 3],
}

impl Fields<'_> {
    fn clear(&mut self) {
        self.id = 0;
        self.enrolled = false;
        self.private_key = false;
        self.ssl_endpoints = 0;
        self.revoked = None;
        self.expires = None;
        for list in &mut self.names {
            list.clear();
        }
    }
}

/// The keys, in the order of their bits in the seen-mask.
const KEYS: [&[u8]; 9] = [
    b"id",
    b"enrolled",
    b"revoked_at",
    b"expires_at",
    b"private_key",
    b"ssl_endpoints",
    b"stores",
    b"metadata",
    b"collections",
];

/// A key followed by its closing quote, as two little-endian words and
/// the masks of the bytes that take part (a key is at most 13 bytes).
#[derive(Clone, Copy)]
struct KeyWords {
    words: [u64; 2],
    masks: [u64; 2],
}

impl KeyWords {
    /// `bytes` and the mask of those that take part, as little-endian words.
    const fn packed(bytes: &[u8; 16], mask: &[u8; 16]) -> KeyWords {
        let mut words = [0u64; 2];
        let mut masks = [0u64; 2];
        let mut j = 0;
        while j < 16 {
            words[j / 8] |= (bytes[j] as u64) << (8 * (j % 8));
            masks[j / 8] |= (mask[j] as u64) << (8 * (j % 8));
            j += 1;
        }
        KeyWords { words, masks }
    }
}

const fn key_words(key: &[u8]) -> KeyWords {
    let mut bytes = [0u8; 16];
    let mut mask = [0u8; 16];
    let mut i = 0;
    while i < key.len() {
        bytes[i] = key[i];
        mask[i] = 0xFF;
        i += 1;
    }
    bytes[i] = b'"';
    mask[i] = 0xFF;
    KeyWords::packed(&bytes, &mask)
}

const KEY_WORDS: [KeyWords; 9] = key_table(false);

/// A key in its quotes and followed by its colon (`"id":`), as two
/// little-endian words and the masks of the bytes that take part (at most
/// 16 bytes: `"ssl_endpoints":`).
const fn quoted_key_words(key: &[u8]) -> KeyWords {
    let mut bytes = [0u8; 16];
    let mut mask = [0u8; 16];
    bytes[0] = b'"';
    let mut i = 0;
    while i < key.len() {
        bytes[i + 1] = key[i];
        i += 1;
    }
    bytes[i + 1] = b'"';
    bytes[i + 2] = b':';
    let mut j = 0;
    while j < i + 3 {
        mask[j] = 0xFF;
        j += 1;
    }
    KeyWords::packed(&bytes, &mask)
}

const QUOTED_KEY_WORDS: [KeyWords; 9] = key_table(true);

/// A slot of [`QUOTED_SLOTS`]: the quoted key that hashes there, its
/// index in [`KEYS`] and its length with quotes and colon.
#[derive(Clone, Copy)]
struct QuotedSlot {
    key: KeyWords,
    index: u8,
    step: u8,
}

/// Per slot of [`key_slot`], what [`Cursor::quoted_key`] compares: the
/// key's words and masks, its index and length in one entry, so a key is
/// matched with one table load after the hash. A slot without a key has
/// empty masks and a word they cannot give (nothing matches it).
const QUOTED_SLOTS: [QuotedSlot; 16] = {
    let none = KeyWords { words: [1, 0], masks: [0, 0] };
    let mut slots = [QuotedSlot { key: none, index: 9, step: 0 }; 16];
    let mut s = 0;
    while s < 16 {
        let k = KEY_SLOTS[s] as usize;
        if k < KEYS.len() {
            slots[s] = QuotedSlot { key: QUOTED_KEY_WORDS[k], index: k as u8, step: KEYS[k].len() as u8 + 3 };
        }
        s += 1;
    }
    slots
};

/// Every key of [`KEYS`] as [`key_words`] gives it, or with `quoted` as
/// [`quoted_key_words`] does.
const fn key_table(quoted: bool) -> [KeyWords; 9] {
    let mut table = [KeyWords { words: [0; 2], masks: [0; 2] }; 9];
    let mut k = 0;
    while k < KEYS.len() {
        table[k] = if quoted { quoted_key_words(KEYS[k]) } else { key_words(KEYS[k]) };
        k += 1;
    }
    table
}

/// The slot of a key among 16, from its first two bytes: distinct for the
/// nine keys (checked when compiling), so a key is found without a branch
/// per candidate.
const fn key_slot(first_two: u64) -> usize {
    (((first_two & 0xFFFF) * 97) & 0xFFFF) as usize >> 12
}

/// Per slot, the key that hashes there (9 = none).
const KEY_SLOTS: [u8; 16] = {
    let mut slots = [9u8; 16];
    let mut k = 0;
    while k < KEYS.len() {
        let slot = key_slot(KEYS[k][0] as u64 | (KEYS[k][1] as u64) << 8);
        assert!(slots[slot] == 9, "two keys share a slot");
        slots[slot] = k as u8;
        k += 1;
    }
    slots
};

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `w` that is zero (exact for the lowest
/// such byte, which is all the callers use).
#[inline]
fn zero_bytes(w: u64) -> u64 {
    w.wrapping_sub(ONES) & !w & HIGHS
}

/// The high bit of each byte of `w` that ends a fast-form string: a quote,
/// a backslash or a control character (exact for the lowest such byte).
#[inline(always)]
fn special(w: u64) -> u64 {
    zero_bytes(w ^ (ONES * u64::from(b'"')))
        | zero_bytes(w ^ (ONES * u64::from(b'\\')))
        | (w.wrapping_sub(ONES * 0x20) & !w & HIGHS)
}

/// The mask of the low `n` bytes of a word, `n` below 8.
#[inline(always)]
fn low_mask(n: usize) -> u64 {
    (1u64 << (8 * n)) - 1
}

/// Sixteen bytes at `at` as two little-endian words, if there are sixteen
/// (one bounds check for both).
#[inline(always)]
fn words2(bytes: &[u8], at: usize) -> Option<(u64, u64)> {
    let b: &[u8; 16] = bytes.get(at..at.checked_add(16)?)?.try_into().ok()?;
    let (lo, hi) = b.split_at(8);
    Some((u64::from_le_bytes(lo.try_into().ok()?), u64::from_le_bytes(hi.try_into().ok()?)))
}

/// Eight bytes at `at`, little-endian, if there are eight.
#[inline]
fn word(bytes: &[u8], at: usize) -> Option<u64> {
    let b: [u8; 8] = bytes.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(b))
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Skips JSON whitespace but line feeds (space, tab, carriage return):
    /// a line feed ends the line.
    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    #[inline]
    fn eat(&mut self, byte: u8) -> Option<()> {
        self.ws();
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// The key whose opening quote was just eaten, as its index in
    /// [`KEYS`]; `None` for any other string.
    #[inline]
    fn key(&mut self) -> Option<usize> {
        let rest = self.bytes.get(self.at..)?;
        let (a, b) = if rest.len() >= 16 {
            (word(rest, 0)?, word(rest, 8)?)
        } else {
            let mut buf = [0u8; 16];
            buf[..rest.len()].copy_from_slice(rest);
            let (lo, hi) = buf.split_at(8);
            (u64::from_le_bytes(lo.try_into().ok()?), u64::from_le_bytes(hi.try_into().ok()?))
        };
        let k = usize::from(KEY_SLOTS[key_slot(a)]);
        let kw = KEY_WORDS.get(k)?;
        if a & kw.masks[0] != kw.words[0] || b & kw.masks[1] != kw.words[1] {
            return None;
        }
        self.at += KEYS[k].len() + 1;
        Some(k)
    }

    /// A string without escapes or control characters; the opening quote
    /// is next.
    #[inline]
    fn string(&mut self) -> Option<Name<'a>> {
        self.ws();
        self.string_here()
    }

    /// A string without escapes or control characters, its opening quote
    /// at the cursor.
    #[inline(always)]
    fn string_here(&mut self) -> Option<Name<'a>> {
        if self.peek()? != b'"' {
            return None;
        }
        self.at += 1;
        let start = self.at;
        // A name of up to 15 bytes (most of them) ends within the first two
        // words after its quote: the words searched are the words of its
        // key, so it is taken without loading the name again.
        if let Some((w0, w1)) = words2(self.bytes, start) {
            let (s0, s1) = (special(w0), special(w1));
            if s0 != 0 {
                let len = (s0.trailing_zeros() / 8) as usize;
                let w0 = w0 & low_mask(len);
                return self.close_with(start, len, w0, NameKey::from_words(len, w0, 0));
            }
            if s1 != 0 {
                let len = 8 + (s1.trailing_zeros() / 8) as usize;
                let w1 = w1 & low_mask(len - 8);
                return self.close_with(start, len, w0 | w1, NameKey::from_words(len, w0, w1));
            }
            self.at += 16;
        }
        // Eight bytes at a time: the first quote, backslash or control
        // character ends the search (only a quote ends it well).
        while let Some(w) = word(self.bytes, self.at) {
            let special = special(w);
            if special != 0 {
                self.at += (special.trailing_zeros() / 8) as usize;
                return self.close(start);
            }
            self.at += 8;
        }
        loop {
            match self.peek()? {
                b'"' | b'\\' | 0..=0x1F => return self.close(start),
                _ => self.at += 1,
            }
        }
    }

    /// The string of `len` bytes from `start`, whose key is `key`, if the
    /// byte after it is its closing quote and it is valid UTF-8: `or` is
    /// its words ORed, so a name of ASCII bytes (no high bit) is known
    /// valid without a check.
    #[inline(always)]
    fn close_with(&mut self, start: usize, len: usize, or: u64, key: NameKey) -> Option<Name<'a>> {
        let end = start + len;
        if *self.bytes.get(end)? != b'"' {
            return None;
        }
        let bytes = self.bytes.get(start..end)?;
        if or & HIGHS != 0 {
            std::str::from_utf8(bytes).ok()?;
        }
        self.at = end + 1;
        Some(Name { bytes, key })
    }

    /// The string from `start` to here, if here is its closing quote and
    /// it is valid UTF-8.
    #[inline(always)]
    fn close(&mut self, start: usize) -> Option<Name<'a>> {
        if self.peek()? != b'"' {
            return None;
        }
        let bytes = self.bytes.get(start..self.at)?;
        if !bytes.is_ascii() {
            std::str::from_utf8(bytes).ok()?;
        }
        let key = NameKey::within(self.bytes, start, self.at - start);
        self.at += 1;
        Some(Name { bytes, key })
    }

    /// An unsigned integer up to `u32::MAX` in JSON's form (no leading
    /// zero, no fraction or exponent).
    #[inline]
    fn u32(&mut self) -> Option<u32> {
        self.ws();
        self.u32_here()
    }

    /// As [`Cursor::u32`], the first digit at the cursor.
    #[inline(always)]
    fn u32_here(&mut self) -> Option<u32> {
        // Up to seven digits and the byte after them in one word: found and
        // converted without a step per digit.
        if let Some(w) = word(self.bytes, self.at) {
            let x = w ^ (ONES * u64::from(b'0'));
            let len = (non_digits(x, HIGHS).trailing_zeros() / 8) as usize;
            if (1..8).contains(&len) {
                if len > 1 && x & 0xFF == 0 {
                    return None;
                }
                if matches!((w >> (8 * len)) as u8, b'.' | b'e' | b'E') {
                    return None;
                }
                self.at += len;
                return Some(eight_digits(x << (8 * (8 - len))));
            }
        }
        let start = self.at;
        let mut n: u64 = 0;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            n = n * 10 + u64::from(d - b'0');
            self.at += 1;
            if self.at - start > 10 {
                return None;
            }
        }
        let len = self.at - start;
        if len == 0 || (len > 1 && self.bytes[start] == b'0') {
            return None;
        }
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        u32::try_from(n).ok()
    }

    #[inline]
    fn literal(&mut self, word: &[u8]) -> bool {
        self.ws();
        if self.bytes[self.at..].starts_with(word) {
            self.at += word.len();
            true
        } else {
            false
        }
    }

    /// `true` or `false`, told apart with one load and two compares
    /// rather than a branch on the first letter.
    #[inline]
    fn bool(&mut self) -> Option<bool> {
        self.ws();
        self.bool_here()
    }

    /// As [`Cursor::bool`], the literal at the cursor.
    #[inline(always)]
    fn bool_here(&mut self) -> Option<bool> {
        let w = match word(self.bytes, self.at) {
            Some(w) => w,
            None => {
                let rest = self.bytes.get(self.at..)?;
                let mut buf = [0u8; 8];
                buf[..rest.len()].copy_from_slice(rest);
                u64::from_le_bytes(buf)
            }
        };
        const TRUE: u64 = 0x6575_7274; // "true"
        const FALSE: u64 = 0x65_736C_6166; // "false"
        let t = w & 0xFFFF_FFFF == TRUE;
        let f = w & 0xFF_FFFF_FFFF == FALSE;
        if !(t | f) {
            return None;
        }
        self.at += 4 + usize::from(f);
        Some(t)
    }

    /// `null` or a time in the form `YYYY-MM-DDTHH:MM:SSZ`.
    #[inline]
    fn time(&mut self) -> Option<Option<i64>> {
        self.ws();
        self.time_here()
    }

    /// As [`Cursor::time`], the value at the cursor.
    #[inline(always)]
    fn time_here(&mut self) -> Option<Option<i64>> {
        if self.peek()? != b'"' {
            return self.literal(b"null").then_some(None);
        }
        // The only string taken is 20 bytes between quotes; a string of
        // another length (or with a quote, backslash or control byte
        // inside) fails the form that `seconds` checks, as it would there.
        let text: &[u8; 22] = self.bytes.get(self.at..self.at.checked_add(22)?)?.try_into().ok()?;
        let (&open, rest) = text.split_first()?;
        let (&close, body) = rest.split_last()?;
        if (open != b'"') | (close != b'"') {
            return None;
        }
        let secs = seconds_of(body.try_into().ok()?)?;
        self.at += 22;
        Some(Some(secs))
    }

    /// A list of names without whitespace, its `[` at the cursor.
    #[inline(always)]
    fn names_here(&mut self, out: &mut Vec<Name<'a>>) -> Option<()> {
        if self.peek()? != b'[' {
            return None;
        }
        self.at += 1;
        if self.peek()? == b']' {
            self.at += 1;
            return Some(());
        }
        loop {
            out.push(self.string_here()?);
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// The key, with its quotes and colon, at the cursor (`"id":`), as its
    /// index in [`KEYS`]: one masked compare of two words.
    #[inline(always)]
    fn quoted_key(&mut self) -> Option<usize> {
        let (a, b) = match words2(self.bytes, self.at) {
            Some(ab) => ab,
            None => {
                let rest = self.bytes.get(self.at..)?;
                let mut buf = [0u8; 16];
                let n = rest.len().min(16);
                buf[..n].copy_from_slice(&rest[..n]);
                let (lo, hi) = buf.split_at(8);
                (u64::from_le_bytes(lo.try_into().ok()?), u64::from_le_bytes(hi.try_into().ok()?))
            }
        };
        let slot = &QUOTED_SLOTS[key_slot(a >> 8)];
        let kw = &slot.key;
        if (a & kw.masks[0] != kw.words[0]) | (b & kw.masks[1] != kw.words[1]) {
            return None;
        }
        self.at += usize::from(slot.step);
        Some(usize::from(slot.index))
    }

    fn names(&mut self, out: &mut Vec<Name<'a>>) -> Option<()> {
        self.eat(b'[')?;
        self.ws();
        if self.peek()? == b']' {
            self.at += 1;
            return Some(());
        }
        loop {
            out.push(self.string()?);
            self.ws();
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }
}

/// The number of eight digit values (0 to 9, the first in the low byte),
/// combined in pairs, then fours, then all eight.
#[inline]
fn eight_digits(x: u64) -> u32 {
    let pairs = x.wrapping_mul(10).wrapping_add(x >> 8) & 0x00FF_00FF_00FF_00FF;
    let fours = pairs.wrapping_mul(100).wrapping_add(pairs >> 16) & 0x0000_FFFF_0000_FFFF;
    (fours.wrapping_mul(10_000).wrapping_add(fours >> 32) & 0xFFFF_FFFF) as u32
}

/// The 0x80 bit of each byte of `x` (bytes XORed with `'0'`) that is not
/// a digit, among the bytes marked in `digits`.
#[inline]
fn non_digits(x: u64, digits: u64) -> u64 {
    // (x & 0x7F) + 0x76 carries into the byte's high bit exactly when the
    // low seven bits are over 9, and never into the next byte.
    ((x & 0x7F7F_7F7F_7F7F_7F7F).wrapping_add(0x7676_7676_7676_7676) | x) & digits
}

/// Seconds since 1970 of `YYYY-MM-DDTHH:MM:SSZ` with a valid date and time
/// in years 1970 to 9999; `None` for any other text (which serde then
/// judges).
#[cfg(test)]
pub(crate) fn seconds(t: &[u8]) -> Option<i64> {
    seconds_of(t.try_into().ok()?)
}

/// As [`seconds`], of the 20 bytes of the form: inlined into the scanner,
/// whose every line has a time or two.
#[inline(always)]
fn seconds_of(t: &[u8; 20]) -> Option<i64> {
    let a = u64::from_le_bytes(t[0..8].try_into().ok()?);
    let b = u64::from_le_bytes(t[8..16].try_into().ok()?);
    let c = u64::from(u32::from_le_bytes(t[16..20].try_into().ok()?));
    // The separators of "YYYY-MM-" "DDTHH:MM" ":SSZ", then every other
    // byte a digit, checked a word at a time.
    const SEP_A: u64 = 0xFF00_00FF_0000_0000;
    const SEP_B: u64 = 0x0000_FF00_00FF_0000;
    const SEP_C: u64 = 0xFF00_00FF;
    const WANT_A: u64 = (b'-' as u64) << 56 | (b'-' as u64) << 32;
    const WANT_B: u64 = (b':' as u64) << 40 | (b'T' as u64) << 16;
    const WANT_C: u64 = (b'Z' as u64) << 24 | b':' as u64;
    let zeros = ONES * u64::from(b'0');
    let bad = non_digits(a ^ zeros, !SEP_A & HIGHS)
        | non_digits(b ^ zeros, !SEP_B & HIGHS)
        | non_digits(c ^ zeros, !SEP_C & HIGHS & 0xFFFF_FFFF);
    // One branch for the form (a time in it passes every test).
    if (a & SEP_A != WANT_A) | (b & SEP_B != WANT_B) | (c & SEP_C != WANT_C) | (bad != 0) {
        return None;
    }
    // Digit values with the separators zeroed, then each byte plus ten
    // times the byte before it: every two-digit field (and the year's two
    // halves) in one byte, with no carry between bytes (at most 99).
    let pairs = |w: u64, sep: u64| {
        let x = (w ^ zeros) & !sep;
        x.wrapping_mul(10).wrapping_add(x >> 8)
    };
    let (pa, pb, pc) = (pairs(a, SEP_A), pairs(b, SEP_B), pairs(c, SEP_C));
    let field = |w: u64, byte: u32| (w >> (8 * byte)) as u32 & 0xFF;
    // Unsigned arithmetic: the divisions below are by constants, and
    // unsigned ones need no sign fix-up.
    let year = field(pa, 0) * 100 + field(pa, 2);
    let (month, day) = (field(pa, 5), field(pb, 0));
    let (hour, minute, second) = (field(pb, 3), field(pb, 6), field(pc, 1));
    // One branch for all (a valid time passes every test).
    if !(1970..=9999).contains(&year)
        | !(1..=12).contains(&month)
        | (hour > 23)
        | (minute > 59)
        | (second > 59)
    {
        return None;
    }
    // Tables, not a branch per month: months vary from line to line.
    const DAYS: [u32; 13] = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    const BEFORE: [u32; 13] = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    // A year is leap when its last two digits are a multiple of four, or
    // they are 00 and its first two are.
    let (century, low) = (field(pa, 0), field(pa, 2));
    let leap = (if low == 0 { century } else { low }) % 4 == 0;
    let days_in_month = DAYS[month as usize] + u32::from(month == 2 && leap);
    if (day < 1) | (day > days_in_month) {
        return None;
    }
    // Days since 1970-01-01: the whole years before this one (from a table
    // for the years files hold, else their days and leap days: the
    // Gregorian rule's count up to the year before, less that count up to
    // 1969), the months before this one, the days before this one.
    let years = match YEAR_DAYS.get((year - 1970) as usize) {
        Some(&days) => days,
        None => days_before_year(year),
    };
    let days = years + BEFORE[month as usize] + u32::from(month > 2 && leap) + day - 1;
    Some(i64::from(days) * 86_400 + i64::from(hour * 3600 + minute * 60 + second))
}

/// Days from 1970-01-01 to January 1 of `year` (from 1970).
const fn days_before_year(year: u32) -> u32 {
    let y = year - 1;
    365 * (year - 1970) + y / 4 - y / 100 + y / 400 - (1969 / 4 - 1969 / 100 + 1969 / 400)
}

/// [`days_before_year`] of 1970 to 2105: a load instead of three
/// divisions for the years a file's times are in.
const YEAR_DAYS: [u32; 136] = {
    let mut table = [0u32; 136];
    let mut i = 0;
    while i < table.len() {
        table[i] = days_before_year(1970 + i as u32);
        i += 1;
    }
    table
};

impl AsRef<str> for Name<'_> {
    fn as_ref(&self) -> &str {
        self.text()
    }
}

/// Scans the line at the start of `text` (which may go on with more
/// lines) into `out`, and returns its length, its `\n` included, so that
/// the reader needs no separate search for the line's end. `None` when
/// the line is not in the fast form; `out` is then meaningless and the
/// line must be parsed by serde. A line taken is valid UTF-8: every byte
/// outside a name is one the form names (ASCII), and each name is checked
/// (only one with a byte past ASCII needs a check), so the reader need not
/// check its input as text first.
pub(crate) fn scan_line<'a>(text: &'a [u8], out: &mut Fields<'a>) -> Option<usize> {
    out.clear();
    if let Some(n) = scan_compact(text, out) {
        return Some(n);
    }
    out.clear();
    scan(text, out)
}

/// [`scan`] for a line without whitespace, as writers put it: each key
/// with its quotes and colon is one masked compare and no step looks for
/// whitespace. It accepts only lines that [`scan`] accepts, with the same
/// fields (whitespace anywhere makes it give up, and [`scan`] reads the
/// line).
#[inline]
fn scan_compact<'a>(line: &'a [u8], out: &mut Fields<'a>) -> Option<usize> {
    let mut c = Cursor { bytes: line, at: 0 };
    if c.peek()? != b'{' {
        return None;
    }
    c.at = 1;
    let mut seen = 0u16;
    loop {
        let k = c.quoted_key()?;
        if seen & 1 << k != 0 {
            return None;
        }
        seen |= 1 << k;
        match k {
            0 => out.id = c.u32_here()?,
            1 => out.enrolled = c.bool_here()?,
            2 => out.revoked = c.time_here()?,
            3 => out.expires = c.time_here()?,
            4 => out.private_key = c.bool_here()?,
            5 => out.ssl_endpoints = c.u32_here()?,
            _ => c.names_here(&mut out.names[k - 6])?,
        }
        match c.peek()? {
            b',' => c.at += 1,
            b'}' => {
                c.at += 1;
                break;
            }
            _ => return None,
        }
    }
    if seen & 1 == 0 {
        return None;
    }
    match c.peek() {
        None => Some(c.at),
        Some(b'\n') => Some(c.at + 1),
        Some(_) => None,
    }
}

fn scan<'a>(line: &'a [u8], out: &mut Fields<'a>) -> Option<usize> {
    let mut c = Cursor { bytes: line, at: 0 };
    c.eat(b'{')?;
    let mut seen = 0u16;
    loop {
        c.eat(b'"')?;
        let k = c.key()?;
        if seen & 1 << k != 0 {
            return None;
        }
        seen |= 1 << k;
        c.eat(b':')?;
        match k {
            0 => out.id = c.u32()?,
            1 => out.enrolled = c.bool()?,
            2 => out.revoked = c.time()?,
            3 => out.expires = c.time()?,
            4 => out.private_key = c.bool()?,
            5 => out.ssl_endpoints = c.u32()?,
            _ => c.names(&mut out.names[k - 6])?,
        }
        c.ws();
        match c.peek()? {
            b',' => c.at += 1,
            b'}' => {
                c.at += 1;
                break;
            }
            _ => return None,
        }
    }
    // The id is required; after the object only whitespace, to the line
    // feed or the end.
    c.ws();
    if seen & 1 == 0 {
        return None;
    }
    match c.peek() {
        None => Some(c.at),
        Some(b'\n') => Some(c.at + 1),
        Some(_) => None,
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::actioned::CertificateRecord;
    use proptest::prelude::*;

    /// A record in the scanner's terms: id, flags, count, times, names.
    type View = (u32, bool, bool, u32, Option<i64>, Option<i64>, [Vec<String>; 3]);

    /// What serde makes of a line, in the scanner's terms.
    fn serde_view(line: &[u8]) -> Option<View> {
        let r = CertificateRecord::parse_unvalidated(line).ok()?;
        Some((
            r.id,
            r.enrolled,
            r.private_key,
            r.ssl_endpoints,
            r.revoked_at.map(|t| t.unix_timestamp()),
            r.expires_at.map(|t| t.unix_timestamp()),
            [r.stores, r.metadata, r.collections],
        ))
    }

    /// The scanner accepts only what serde accepts, with the same values.
    fn agrees(line: &[u8]) -> std::result::Result<bool, TestCaseError> {
        let mut f = Fields::default();
        // The reader hands the scanner bytes not checked as UTF-8: the
        // scanner checks the names (the only place a byte past ASCII may
        // be), and a line it takes is valid UTF-8.
        let text = line;
        // The whitespace-free path, when it takes the line, reads what the
        // general one reads.
        let mut general = Fields::default();
        let scanned = scan(text, &mut general);
        if let Some(n) = scan_compact(text, &mut f) {
            prop_assert_eq!(Some(n), scanned, "compact and general lengths");
            prop_assert_eq!(format!("{f:?}"), format!("{general:?}"));
        }
        f.clear();
        let Some(n) = scan_line(text, &mut f) else { return Ok(false) };
        // The line is what the scanner took: up to its first line feed.
        let end = memchr::memchr(b'\n', line).map_or(line.len(), |i| i + 1);
        prop_assert_eq!(n, end, "the line ends at its line feed");
        let line = &line[..n];
        prop_assert!(std::str::from_utf8(line).is_ok(), "a line taken is UTF-8");
        // Each name's key is the key of its text, however it was taken.
        for name in f.names.iter().flatten() {
            prop_assert_eq!(std::str::from_utf8(name.bytes).ok(), Some(name.text()));
            prop_assert_eq!(name.key, NameKey::of(name.bytes), "key of {:?}", name.text());
        }
        let ours = (
            f.id,
            f.enrolled,
            f.private_key,
            f.ssl_endpoints,
            f.revoked,
            f.expires,
            f.names.clone().map(|l| l.into_iter().map(|n| n.text().to_owned()).collect::<Vec<_>>()),
        );
        let theirs = serde_view(line);
        prop_assert_eq!(
            Some(ours),
            theirs,
            "scanner and serde disagree on {:?}",
            String::from_utf8_lossy(line)
        );
        Ok(true)
    }

    #[test]
    fn fixed_cases() {
        let fast = [
            r#"{"id":1}"#,
            "{\"id\":1}\n",
            " {\t\"id\" : 0 ,\"enrolled\":false}\r\n",
            r#"{"collections":["c"],"id":4294967295,"ssl_endpoints":4294967295,"private_key":true}"#,
            r#"{"id":7,"revoked_at":null,"expires_at":"2000-02-29T23:59:59Z","stores":[]}"#,
            r#"{"id":7,"stores":["é","a b"],"metadata":["Owner","Notes"]}"#,
            r#"{"id":7,"expires_at":"1970-01-01T00:00:00Z","revoked_at":"9999-12-31T23:59:59Z"}"#,
        ];
        for line in fast {
            assert!(agrees(line.as_bytes()).unwrap(), "{line} should take the fast path");
        }
        // Numbers read a word at a time: every length, and what may follow.
        for n in ["0", "7", "10", "1234567", "12345678", "99999999", "123456789", "4294967295"] {
            for line in [format!("{{\"id\":{n}}}"), format!("{{\"id\":{n},\"ssl_endpoints\":{n}}}\n")] {
                assert!(agrees(line.as_bytes()).unwrap(), "{line} should take the fast path");
                let mut f = Fields::default();
                assert!(scan_compact(line.as_bytes(), &mut f).is_some(), "{line} is compact");
                assert_eq!(f.id.to_string(), n);
            }
        }
        for n in
            ["00", "01", "0123456", "1.5", "1234567.0", "1e3", "1234567E1", "-1", "4294967296", "99999999999"]
        {
            let line = format!("{{\"id\":{n}}}");
            assert!(!agrees(line.as_bytes()).unwrap(), "{line} should go to serde");
        }
        // Valid for serde, but outside the fast form: escapes, other time
        // forms; and lines serde refuses: the scanner must give up on all.
        let slow = [
            r#"{"id":7,"stores":["\u00e9"]}"#,
            r#"{"id":7,"stores":["a\"b"]}"#,
            r#"{"\u0069d":7}"#,
            r#"{"id":7,"expires_at":"2026-11-20T10:00:00+02:00"}"#,
            r#"{"id":7,"expires_at":"2026-11-20T10:00:00.5Z"}"#,
            r#"{"id":7,"expires_at":"2026-11-20t10:00:00z"}"#,
            r#"{"id":7,"expires_at":"2026-02-29T10:00:00Z"}"#,
            r#"{"id":7,"expires_at":"1969-12-31T23:59:59Z"}"#,
            r#"{"id":7,"expires_at":"2016-12-31T23:59:60Z"}"#,
            r#"{"id":7,"id":8}"#,
            r#"{"id":7,"colour":1}"#,
            r#"{"id":4294967296}"#,
            r#"{"id":07}"#,
            r#"{"id":-1}"#,
            r#"{"id":1.0}"#,
            r#"{"id":1e2}"#,
            r#"{"id":1,"enrolled":null}"#,
            r#"{"id":1,"stores":null}"#,
            r#"{"id":1,"stores":["a",]}"#,
            r#"{"id":1,}"#,
            r#"{"id":1} x"#,
            r#"{"id":1}{"id":2}"#,
            r#"{"enrolled":true}"#,
            "{\"id\":1,\"stores\":[\"a\u{1}\"]}",
            "{\"id\":1}\u{c}",
            "",
            "{}",
            "[1]",
        ];
        for line in slow {
            assert!(!agrees(line.as_bytes()).unwrap(), "{line} should go to serde");
        }
        assert!(!agrees(b"{\"id\":1,\"stores\":[\"\xff\"]}").unwrap());
        // Names not UTF-8 of each length the scanner takes apart (in the
        // first word, the second, past both), and valid ones past ASCII.
        for name in
            [&b"a\xc3"[..], b"abcdefghi\xe9", b"abcdefghijklmnopqrs\x80t", b"\xf0\x9f\x98", b"\xed\xa0\x80"]
        {
            let mut line = b"{\"id\":1,\"stores\":[\"".to_vec();
            line.extend_from_slice(name);
            line.extend_from_slice(b"\"]}\n");
            assert!(!agrees(&line).unwrap(), "{line:?} should go to serde");
        }
        for name in
            ["\u{e9}", "abcdefg\u{e9}", "abcdefghijklmno\u{20ac}", "abcdefghijklmnopq\u{1f600}", "\u{1f600}"]
        {
            let line = format!("{{\"id\":1,\"stores\":[\"{name}\",\"x\"]}}");
            assert!(agrees(line.as_bytes()).unwrap(), "{line} should take the fast path");
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard
    /// Hinnant's `days_from_civil`), the reference for [`seconds`].
    fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (month + 9) % 12;
        let doy = (153 * mp + 2) / 5 + day - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    #[test]
    fn every_day_of_every_year_matches_the_reference() {
        // Every year from 1970 to 9999: each month's first, middle and last
        // day, and the day after its last (refused).
        const DAYS: [i64; 13] = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        for year in 1970..=9999i64 {
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
            for month in 1..=12i64 {
                let last = DAYS[month as usize] + i64::from(month == 2 && leap);
                for day in [1, 15, last, last + 1] {
                    let text = format!("{year:04}-{month:02}-{day:02}T23:59:58Z");
                    let want = (day <= last).then(|| days_from_civil(year, month, day) * 86_400 + 86_398);
                    assert_eq!(seconds(text.as_bytes()), want, "{text}");
                }
            }
        }
    }

    #[test]
    fn times_match_the_time_crate() {
        for text in [
            "1970-01-01T00:00:00Z",
            "2026-11-23T02:00:00Z",
            "2000-02-29T12:34:56Z",
            "2000-03-01T00:00:00Z",
            "2100-03-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
        ] {
            let want = crate::timefmt::parse(text, "t").unwrap().unix_timestamp();
            assert_eq!(seconds(text.as_bytes()), Some(want), "{text}");
        }
        assert_eq!(seconds(b"2026-11-23T02:00:00Z"), Some(1_795_399_200));
    }

    /// Pieces of lines: valid and broken keys and values, with the
    /// whitespace and escapes a writer may use.
    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("0".to_owned()),
            Just("00".to_owned()),
            Just("-1".to_owned()),
            Just("1.5".to_owned()),
            Just("1e3".to_owned()),
            (0u64..=5_000_000_000).prop_map(|n| n.to_string()),
            Just("true".to_owned()),
            Just("false".to_owned()),
            Just("null".to_owned()),
            Just("\"2026-11-20T10:00:00Z\"".to_owned()),
            Just("\"2024-02-29T23:59:59Z\"".to_owned()),
            Just("\"2023-02-29T23:59:59Z\"".to_owned()),
            Just("\"2026-11-20T10:00:00+01:00\"".to_owned()),
            Just("\"1969-12-31T23:59:59Z\"".to_owned()),
            (1970i64..=9999, 0i64..14, 0i64..33, 0i64..25, 0i64..61, 0i64..61).prop_map(
                |(y, mo, d, h, mi, s)| { format!("\"{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z\"") }
            ),
            proptest::collection::vec(name(), 0..4).prop_map(|v| format!("[{}]", v.join(" , "))),
            Just("[\"a\",]".to_owned()),
            Just("{}".to_owned()),
        ]
    }

    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z0-9 _.-]{0,6}".prop_map(|s| format!("\"{s}\"")),
            // Names ending in the first word after the quote, the second,
            // or past both (taken by the word search).
            "[a-zA-Z0-9 _.-]{7,25}".prop_map(|s| format!("\"{s}\"")),
            "[a-z]{5,20}(\\\\n|\u{1})[a-z]{0,3}".prop_map(|s| format!("\"{s}\"")),
            "[a-z\u{e9}\u{20ac}\u{1f600}]{1,12}".prop_map(|s| format!("\"{s}\"")),
            Just("\"\\u00e9t\\u00e9\"".to_owned()),
            Just("\"a\\\"b\"".to_owned()),
            Just("\"été\"".to_owned()),
            Just("\"tab\\there\"".to_owned()),
            Just("\"x\u{1}\"".to_owned()),
        ]
    }

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::sample::select(KEYS.to_vec())
                .prop_map(|k| format!("\"{}\"", std::str::from_utf8(k).unwrap_or(""))),
            Just("\"colour\"".to_owned()),
            Just("\"\\u0069d\"".to_owned()),
            Just("\"ID\"".to_owned()),
        ]
    }

    fn ws() -> impl Strategy<Value = String> {
        prop_oneof![Just(String::new()), Just(" ".to_owned()), Just("\t".to_owned()), Just(" \r ".to_owned())]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn scanner_agrees_with_serde(
            pairs in proptest::collection::vec((ws(), key(), ws(), value(), ws()), 0..6),
            with_id in (any::<bool>(), 0u32..10),
            tail in prop_oneof![Just(""), Just("\n"), Just(" \r\n"), Just(" x"), Just(","), Just("}")],
        ) {
            let mut parts: Vec<String> =
                pairs.into_iter().map(|(a, k, b, v, c)| format!("{a}{k}{b}:{v}{c}")).collect();
            if with_id.0 {
                let at = with_id.1 as usize % (parts.len() + 1);
                parts.insert(at, format!("\"id\":{}", with_id.1));
            }
            let line = format!("{{{}}}{tail}", parts.join(","));
            agrees(line.as_bytes())?;
        }

        #[test]
        fn compact_scanner_agrees_with_serde(
            pairs in proptest::collection::vec((key(), value()), 0..6),
            with_id in (any::<bool>(), 0u32..10),
            tail in prop_oneof![Just(""), Just("\n"), Just(" \r\n"), Just(" x"), Just(","), Just("}")],
        ) {
            // No whitespace, as writers put lines: the path that skips
            // looking for it.
            let mut parts: Vec<String> =
                pairs.into_iter().map(|(k, v)| format!("{k}:{}", v.replace(" , ", ","))).collect();
            if with_id.0 {
                let at = with_id.1 as usize % (parts.len() + 1);
                parts.insert(at, format!("\"id\":{}", with_id.1));
            }
            let line = format!("{{{}}}{tail}", parts.join(","));
            agrees(line.as_bytes())?;
        }

        #[test]
        fn scanner_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            agrees(&bytes)?;
        }

        /// Names of any bytes, of every length the scanner takes apart: a
        /// name not UTF-8 goes to serde, as does its line.
        #[test]
        fn names_of_any_bytes(
            name in proptest::collection::vec(prop_oneof![any::<u8>(), 0x61u8..0x7B], 0..24),
            second in any::<bool>(),
        ) {
            let mut line = b"{\"id\":1,\"metadata\":[".to_vec();
            if second {
                line.extend_from_slice(b"\"x\",");
            }
            line.push(b'"');
            line.extend_from_slice(&name);
            line.extend_from_slice(b"\"]}\n");
            agrees(&line)?;
        }
    }
}

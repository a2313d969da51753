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
    pub(crate) names: [Vec<&'a str>; 3],
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

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Skips JSON whitespace (space, tab, line feed, carriage return).
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.ws();
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// A string without escapes or control characters, valid UTF-8; the
    /// opening quote is next.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        loop {
            match self.peek()? {
                b'"' => break,
                b'\\' | 0..=0x1F => return None,
                _ => self.at += 1,
            }
        }
        let raw = &self.bytes[start..self.at];
        self.at += 1;
        // Invalid UTF-8 is serde's error to report.
        std::str::from_utf8(raw).ok()
    }

    /// An unsigned integer up to `u32::MAX` in JSON's form (no leading
    /// zero, no fraction or exponent).
    fn u32(&mut self) -> Option<u32> {
        self.ws();
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

    fn literal(&mut self, word: &[u8]) -> bool {
        self.ws();
        if self.bytes[self.at..].starts_with(word) {
            self.at += word.len();
            true
        } else {
            false
        }
    }

    fn bool(&mut self) -> Option<bool> {
        if self.literal(b"true") {
            Some(true)
        } else if self.literal(b"false") {
            Some(false)
        } else {
            None
        }
    }

    /// `null` or a time in the form `YYYY-MM-DDTHH:MM:SSZ`.
    fn time(&mut self) -> Option<Option<i64>> {
        if self.literal(b"null") {
            return Some(None);
        }
        let text = self.string()?;
        seconds(text.as_bytes()).map(Some)
    }

    fn names(&mut self, out: &mut Vec<&'a str>) -> Option<()> {
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

/// Seconds since 1970 of `YYYY-MM-DDTHH:MM:SSZ` with a valid date and time
/// in years 1970 to 9999; `None` for any other text (which serde then
/// judges).
pub(crate) fn seconds(t: &[u8]) -> Option<i64> {
    if t.len() != 20 || t[4] != b'-' || t[7] != b'-' || t[10] != b'T' || t[13] != b':' || t[16] != b':' {
        return None;
    }
    if t[19] != b'Z' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        t[range].iter().try_fold(0i64, |n, &d| d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0')))
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) || hour > 23 || minute > 59 || second > 59
    {
        return None;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day < 1 || day > days_in_month {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Scans one line (its `\n`, if any, included) into `out`. Returns false
/// when the line is not in the fast form; `out` is then meaningless and
/// the line must be parsed by serde.
pub(crate) fn scan_line<'a>(line: &'a [u8], out: &mut Fields<'a>) -> bool {
    out.clear();
    scan(line, out).is_some()
}

fn scan<'a>(line: &'a [u8], out: &mut Fields<'a>) -> Option<()> {
    let mut c = Cursor { bytes: line, at: 0 };
    c.eat(b'{')?;
    let mut seen = 0u16;
    loop {
        let key = c.string()?.as_bytes();
        let k = KEYS.iter().position(|&known| known == key)?;
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
    // The id is required; after the object only whitespace.
    c.ws();
    (seen & 1 != 0 && c.at == line.len()).then_some(())
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
        if !scan_line(line, &mut f) {
            return Ok(false);
        }
        let ours = (
            f.id,
            f.enrolled,
            f.private_key,
            f.ssl_endpoints,
            f.revoked,
            f.expires,
            f.names.clone().map(|l| l.into_iter().map(str::to_owned).collect::<Vec<_>>()),
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
        fn scanner_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            agrees(&bytes)?;
        }
    }
}

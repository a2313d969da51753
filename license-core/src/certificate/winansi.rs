//! Text for the PDF standard fonts: WinAnsiEncoding bytes, a transliteration
//! for everything that encoding has no glyph for, and glyph widths.
//!
//! The 14 standard fonts need no embedded font file, so a certificate renders
//! the same everywhere with nothing fetched at run time; the price is that
//! they only have the WinAnsi (Windows-1252) repertoire. Characters outside
//! it are transliterated to ASCII (`北京` → `Bei Jing`, `Łódź` → `Lodz`), so
//! the text stays readable and extractable instead of turning into boxes.

/// The Windows-1252 bytes 0x80..=0x9F and the characters they stand for
/// (the five unassigned bytes are absent).
const CP1252_HIGH: [(u8, char); 27] = [
    (0x80, '€'),
    (0x82, '‚'),
    (0x83, 'ƒ'),
    (0x84, '„'),
    (0x85, '…'),
    (0x86, '†'),
    (0x87, '‡'),
    (0x88, 'ˆ'),
    (0x89, '‰'),
    (0x8A, 'Š'),
    (0x8B, '‹'),
    (0x8C, 'Œ'),
    (0x8E, 'Ž'),
    (0x91, '‘'),
    (0x92, '’'),
    (0x93, '“'),
    (0x94, '”'),
    (0x95, '•'),
    (0x96, '–'),
    (0x97, '—'),
    (0x98, '˜'),
    (0x99, '™'),
    (0x9A, 'š'),
    (0x9B, '›'),
    (0x9C, 'œ'),
    (0x9E, 'ž'),
    (0x9F, 'Ÿ'),
];

/// The WinAnsi byte of a character, if the encoding has it.
fn byte_of(c: char) -> Option<u8> {
    match u32::from(c) {
        0x20..=0x7E | 0xA0..=0xFF => u8::try_from(u32::from(c)).ok(),
        _ => CP1252_HIGH.iter().find(|(_, ch)| *ch == c).map(|(b, _)| *b),
    }
}

/// Encodes text as WinAnsi bytes, transliterating what the encoding lacks.
/// Control characters become spaces. Never fails.
pub(crate) fn encode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    // Runs of characters without a glyph are transliterated together, so
    // that deunicode can space the words of a run (`北京` → `Bei Jing`).
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut Vec<u8>| {
        if !run.is_empty() {
            let ascii = deunicode::deunicode_with_tofu(run, "?");
            out.extend(ascii.trim().bytes().filter(|b| (0x20..=0x7E).contains(b)));
            run.clear();
        }
    };
    for c in text.chars() {
        match byte_of(c) {
            Some(b) => {
                flush(&mut run, &mut out);
                out.push(b);
            }
            None if c.is_control() => {
                flush(&mut run, &mut out);
                out.push(b' ');
            }
            None => run.push(c),
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Helvetica's advance widths for ASCII 0x20..=0x7E, in 1/1000 em (from the
/// font's standard AFM metrics).
const HELVETICA_ASCII: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // ' '..'/'
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // '0'..'?'
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // '@'..'O'
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // 'P'..'_'
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // '`'..'o'
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // 'p'..'~'
];

/// The width of WinAnsi bytes set in Helvetica (or Helvetica-Bold, which is
/// at most 10% wider; callers leave that margin), in points at `size`.
/// Bytes above ASCII are taken as 722, the widest accented Latin letter.
pub(crate) fn helvetica_width(bytes: &[u8], size: f32) -> f32 {
    let units: u32 = bytes
        .iter()
        .map(|&b| match b {
            0x20..=0x7E => u32::from(HELVETICA_ASCII[usize::from(b - 0x20)]),
            _ => 722,
        })
        .sum();
    units as f32 * size / 1000.0
}

/// Breaks encoded text into lines no wider than `width` points, at spaces
/// where possible and mid-word where a word alone is too wide.
pub(crate) fn wrap(bytes: &[u8], size: f32, width: f32) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    for word in bytes.split(|&b| b == b' ').filter(|w| !w.is_empty()) {
        let candidate_len = if line.is_empty() { word.len() } else { line.len() + 1 + word.len() };
        let mut candidate = Vec::with_capacity(candidate_len);
        candidate.extend_from_slice(&line);
        if !line.is_empty() {
            candidate.push(b' ');
        }
        candidate.extend_from_slice(word);
        if helvetica_width(&candidate, size) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // A word wider than the line is cut where it must be.
        let mut rest = word;
        while helvetica_width(rest, size) > width && rest.len() > 1 {
            let mut cut = rest.len() - 1;
            while cut > 1 && helvetica_width(&rest[..cut], size) > width {
                cut -= 1;
            }
            lines.push(rest[..cut].to_vec());
            rest = &rest[cut..];
        }
        line = rest.to_vec();
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_text_keeps_its_accents() {
        assert_eq!(encode("Åsa Müller – café"), b"\xC5sa M\xFCller \x96 caf\xE9");
        assert_eq!(encode("€"), [0x80]);
    }

    #[test]
    fn other_scripts_are_transliterated() {
        assert_eq!(encode("Łódź"), b"L\xF3dz");
        assert_eq!(encode("北京 Ltd"), b"Bei Jing Ltd");
        assert_eq!(encode("Москва"), b"Moskva");
        assert_eq!(encode("a\u{7}b"), b"a b");
    }

    #[test]
    fn wrapping_respects_the_width() {
        let text = encode("the quick brown fox jumps over the lazy dog again and again");
        let lines = wrap(&text, 10.0, 100.0);
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(helvetica_width(l, 10.0) <= 100.0, "{}", String::from_utf8_lossy(l));
        }
        let joined: Vec<u8> = lines.join(&b' ');
        assert_eq!(joined, text);
        let long = wrap(&[b'W'; 100], 10.0, 50.0);
        assert!(long.iter().all(|l| helvetica_width(l, 10.0) <= 50.0));
        assert_eq!(long.concat().len(), 100);
    }
}

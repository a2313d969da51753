//! Differential test of our exclusive C14N against libxml2's (through
//! Python's lxml, which the test virtualenv has as a dependency of signxml):
//! random documents in the subset the reader accepts, written with random
//! but equivalent spellings (quotes, escapes, CDATA, self-closing, CRLF,
//! redundant declarations), must canonicalise to the same bytes.
//!
//! The peer is found as `$LC_VENV/bin/python` (or `.venv/bin/python` at the
//! repository root); without it the test notes the skip, unless
//! `LC_REQUIRE_PEERS=1` (set by scripts/test), where it fails.

use std::path::PathBuf;
use std::process::Command;

use super::c14n::canonicalize;
use super::reader::parse;
use super::XmlLimits;

/// xorshift64*: a tiny deterministic generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Namespace URIs. None needs escaping: C14N renders a namespace node "as
/// an attribute node", so `&` in a URI becomes `&amp;` (as we do), while
/// libxml2 writes URIs raw; no document our schemas accept can render such
/// a URI, so the difference is left out of the comparison.
const URIS: &[&str] = &["urn:a", "urn:b", "http://example.com/x?y=1;z", "urn:c"];
const PREFIXES: &[&str] = &["p", "q", "r"];
const NAMES: &[&str] = &["a", "b", "Item", "x-y", "z.z", "_u", "é"];
/// Pieces of character data, already escaped as they may appear in text.
const TEXT: &[&str] = &[
    "plain",
    " ",
    "\n",
    "\t",
    "\r\n",
    "&amp;",
    "&lt;",
    "&gt;",
    ">",
    "\"",
    "'",
    "&quot;",
    "&apos;",
    "&#xD;",
    "&#13;",
    "&#x9;",
    "&#10;",
    "é",
    "漢",
    "😀",
    "&#x1F600;",
    "<![CDATA[<&>]]>",
    "<![CDATA[]]>",
    "]",
];
/// Pieces of attribute values, escaped for a `"`-quoted value.
const ATTR: &[&str] = &[
    "v", " ", "\t", "\n", "\r\n", "&amp;", "&lt;", ">", "&gt;", "'", "&quot;", "&#xD;", "&#x9;", "&#xA;",
    "é", "😀",
];

/// Writes one random element (and its subtree) into `out`. `scope` holds
/// the prefixes declared so far (those may be used).
fn element(rng: &mut Rng, depth: usize, scope: &mut Vec<String>, out: &mut String) {
    let mut declared = Vec::new();
    let mut decls = String::new();
    let mut has_default = false;
    for _ in 0..rng.below(3) {
        if rng.below(4) == 0 {
            if !has_default {
                has_default = true;
                decls
                    .push_str(&format!(" xmlns=\"{}\"", if rng.below(3) == 0 { "" } else { rng.pick(URIS) }));
            }
            continue;
        }
        let p = rng.pick(PREFIXES);
        if !declared.iter().any(|d| d == p) {
            decls.push_str(&format!(" xmlns:{p}=\"{}\"", rng.pick(URIS)));
            declared.push(p.to_owned());
        }
    }
    scope.extend(declared.iter().cloned());
    let prefix = if !scope.is_empty() && rng.below(2) == 0 {
        format!("{}:", scope[rng.below(scope.len())])
    } else {
        String::new()
    };
    let name = format!("{prefix}{}", rng.pick(NAMES));
    let mut attrs = String::new();
    let mut used = Vec::new();
    for _ in 0..rng.below(4) {
        let aprefix = if !scope.is_empty() && rng.below(3) == 0 {
            format!("{}:", scope[rng.below(scope.len())])
        } else {
            String::new()
        };
        let aname = rng.pick(NAMES);
        // One expanded name once: keep attribute local names unique.
        if used.contains(&aname) {
            continue;
        }
        used.push(aname);
        let mut value = String::new();
        for _ in 0..rng.below(4) {
            value.push_str(rng.pick(ATTR));
        }
        if rng.below(2) == 0 {
            attrs.push_str(&format!(" {aprefix}{aname}=\"{value}\""));
        } else {
            let value = value.replace("&quot;", "\"").replace('\'', "&apos;");
            attrs.push_str(&format!(" {aprefix}{aname}='{value}'"));
        }
    }
    if rng.below(3) == 0 {
        attrs.push_str(&format!(" xml:lang=\"{}\"", rng.pick(&["en", "de-CH", ""])));
    }
    // Declarations and attributes in either order: both are attributes.
    let head = if rng.below(2) == 0 { format!("{decls}{attrs}") } else { format!("{attrs}{decls}") };
    let children = if depth >= 4 { 0 } else { rng.below(4) };
    if children == 0 && rng.below(2) == 0 {
        out.push_str(&format!("<{name}{head}{}/>", if rng.below(2) == 0 { "" } else { " " }));
    } else {
        out.push_str(&format!("<{name}{head}>"));
        for _ in 0..children {
            if rng.below(2) == 0 {
                out.push_str(rng.pick(TEXT));
            }
            element(rng, depth + 1, scope, out);
        }
        if rng.below(2) == 0 {
            out.push_str(rng.pick(TEXT));
        }
        out.push_str(&format!("</{name}\n>"));
    }
    scope.truncate(scope.len() - declared.len());
}

fn document(seed: u64) -> String {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut out = String::new();
    if rng.below(2) == 0 {
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n");
    }
    element(&mut rng, 0, &mut Vec::new(), &mut out);
    out.push_str(rng.pick(&["", "\n", "\r\n  "]));
    out
}

fn python() -> Option<PathBuf> {
    let venv = std::env::var_os("LC_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(".venv"));
    let python = venv.join("bin").join("python");
    let has_lxml = Command::new(&python).args(["-c", "import lxml"]).output().map(|o| o.status.success());
    if has_lxml.unwrap_or(false) {
        return Some(python);
    }
    assert!(
        std::env::var("LC_REQUIRE_PEERS").as_deref() != Ok("1"),
        "lxml in {} is required (LC_REQUIRE_PEERS=1); scripts/test installs it",
        venv.display()
    );
    eprintln!("note: lxml not found in {}; skipping the C14N differential test", venv.display());
    None
}

const LXML_C14N: &str = r#"
import sys, pathlib
from lxml import etree
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.xml")):
    root = etree.fromstring(path.read_bytes(), etree.XMLParser(resolve_entities=False))
    out = etree.tostring(root, method="c14n", exclusive=True, with_comments=False)
    path.with_suffix(".c14n").write_bytes(out)
"#;

#[test]
fn our_exclusive_c14n_matches_libxml2() {
    let Some(python) = python() else { return };
    let dir = std::env::temp_dir().join(format!("lc-c14n-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut ours = Vec::new();
    let mut accepted = 0;
    for seed in 0..1000u64 {
        let doc = document(seed);
        // The generator only makes documents the reader should accept.
        let root = parse(doc.as_bytes(), &XmlLimits::default())
            .unwrap_or_else(|e| panic!("seed {seed}: our reader refused\n{doc}\n{e}"));
        accepted += 1;
        std::fs::write(dir.join(format!("{seed:04}.xml")), &doc).unwrap();
        ours.push((seed, doc, canonicalize(&root, None)));
    }
    let status = Command::new(&python).args(["-c", LXML_C14N]).arg(&dir).status().unwrap();
    assert!(status.success(), "lxml failed");
    for (seed, doc, c14n) in ours {
        let theirs = std::fs::read_to_string(dir.join(format!("{seed:04}.c14n"))).unwrap();
        if c14n != theirs {
            let at = c14n
                .bytes()
                .zip(theirs.bytes())
                .position(|(a, b)| a != b)
                .unwrap_or(c14n.len().min(theirs.len()));
            let from = at.saturating_sub(80);
            panic!(
                "seed {seed}: our C14N differs from libxml2's at byte {at}\nours:   {:?}\ntheirs: {:?}\ndocument:\n{doc}",
                c14n.get(from..(at + 80).min(c14n.len())).unwrap_or(&c14n),
                theirs.get(from..(at + 80).min(theirs.len())).unwrap_or(&theirs),
            );
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(accepted, 1000);
}

#[test]
fn the_generator_varies_its_documents() {
    let docs: Vec<String> = (0..50).map(document).collect();
    assert!(docs.iter().any(|d| d.contains("xmlns=\"\"")));
    assert!(docs.iter().any(|d| d.contains("CDATA")));
    assert!(docs.iter().any(|d| d.contains("/>")));
    assert!(docs.iter().any(|d| d.contains("='")));
    let distinct: std::collections::BTreeSet<&String> = docs.iter().collect();
    assert_eq!(distinct.len(), 50);
}

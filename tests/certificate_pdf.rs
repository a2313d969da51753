//! Proof-of-purchase PDFs checked with outside tools: poppler's pdftotext and
//! pdfinfo, and qpdf.

mod support;

use std::path::Path;
use std::process::Command;

use license_core::{
    certificate::{CertificateInfo, LicenseCertificate, PaperSize},
    license::ActionedLimit,
    Feature, License,
};
use time::macros::datetime;

fn info(paper: PaperSize) -> CertificateInfo {
    let mut digest = [0u8; 32];
    for (i, b) in digest.iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(37).wrapping_add(11);
    }
    CertificateInfo {
        vendor: "Vendor (EMEA) \\ Ltd".into(),
        paper,
        signed_sha256: digest,
        vendor_key_id: "k3y-1D_for-test".into(),
        licensee: None,
        signed_file_name: "license.xml".into(),
    }
}

fn license(licensee: &str, features: usize) -> License {
    let mut b = License::builder("LIC-(2026)\\7", "certmgr", datetime!(2026-03-04 05:06:07 UTC))
        .licensee(licensee)
        .organisation("Ex (Group) plc")
        .expires_at(datetime!(2027-03-04 0:00 UTC))
        .actioned_limit(ActionedLimit::Counted(5000));
    for i in 0..features {
        b = b.feature(&format!("feature-{i:03}"), Feature::enabled().with_quantity(i as u64 + 1));
    }
    b.build().unwrap()
}

fn text_of(pdf: &Path) -> Option<String> {
    let tool = support::peer("pdftotext")?;
    let (ok, out, err) = support::run(Command::new(tool).arg("-layout").arg(pdf).arg("-"));
    assert!(ok, "pdftotext failed: {err}");
    Some(out)
}

fn check_with_tools(pdf: &Path) {
    if let Some(pdfinfo) = support::peer("pdfinfo") {
        let (ok, out, err) = support::run(Command::new(pdfinfo).arg(pdf));
        assert!(ok && err.trim().is_empty(), "pdfinfo: {err}");
        assert!(out.lines().any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 1")), "{out}");
    }
    if let Some(qpdf) = support::peer("qpdf") {
        let (ok, out, err) = support::run(Command::new(qpdf).arg("--check").arg(pdf));
        assert!(ok, "qpdf --check: {out}{err}");
        assert!(out.contains("No syntax or stream encoding errors"), "{out}");
    }
}

#[test]
fn the_certificate_carries_every_fact_as_real_text() {
    let dir = tempfile::tempdir().unwrap();
    for paper in [PaperSize::A4, PaperSize::Letter] {
        let l = license("Example Ltd", 3);
        let pdf = LicenseCertificate::render(&l, &info(paper));
        let path = support::write(dir.path(), "cert.pdf", &pdf);
        check_with_tools(&path);
        let Some(text) = text_of(&path) else { return };
        let digest: String = info(paper).signed_sha256.iter().map(|b| format!("{b:02x}")).collect();
        for needle in [
            "License Certificate",
            "Vendor (EMEA) \\ Ltd",
            "certmgr",
            "Example Ltd",
            "Ex (Group) plc",
            "LIC-(2026)\\7",
            "feature-000",
            "enabled, qty 3",
            "2026-03-04",
            "2027-03-04",
            "5000 certificates",
            digest.as_str(),
            "k3y-1D_for-test",
        ] {
            assert!(text.contains(needle), "{paper:?}: `{needle}` missing from:\n{text}");
        }
    }
}

#[test]
fn rendering_is_deterministic() {
    let l = license("Example Ltd", 2);
    assert_eq!(
        LicenseCertificate::render(&l, &info(PaperSize::A4)),
        LicenseCertificate::render(&l, &info(PaperSize::A4))
    );
    assert_ne!(
        LicenseCertificate::render(&l, &info(PaperSize::A4)),
        LicenseCertificate::render(&l, &info(PaperSize::Letter))
    );
}

#[test]
fn non_latin_names_fall_back_to_a_transliteration() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("Åsa Müller Café", "Åsa Müller Café"),
        ("株式会社 東京", "Zhu Shi Hui She Dong Jing"),
        ("Łódź Sp. z o.o.", "Lódz Sp. z o.o."),
        ("ООО Ромашка", "OOO Romashka"),
    ];
    for (name, expected) in cases {
        let pdf = LicenseCertificate::render(&license(name, 1), &info(PaperSize::A4));
        let path = support::write(dir.path(), "intl.pdf", &pdf);
        check_with_tools(&path);
        let Some(text) = text_of(&path) else { return };
        assert!(text.contains(expected), "`{expected}` missing from:\n{text}");
    }
}

#[test]
fn a_long_feature_list_stays_on_one_page() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = LicenseCertificate::render(&license("Example Ltd", 200), &info(PaperSize::Letter));
    let path = support::write(dir.path(), "long.pdf", &pdf);
    check_with_tools(&path);
    let Some(text) = text_of(&path) else { return };
    assert!(text.contains("feature-000"));
    assert!(text.contains("more"), "{text}");
    assert!(text.contains("SHA-256 of the signed file"));
}

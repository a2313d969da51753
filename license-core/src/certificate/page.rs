//! Laying out and writing the certificate page.

use pdf_writer::{Content, Date, Name, Pdf, Rect, Ref, Str, TextStr};
use sha2::{Digest, Sha256};

use super::winansi::{encode, helvetica_width, wrap};
use super::{date_or_never, CertificateInfo, CertifiedItem};
use crate::digest::hex;

const MARGIN: f32 = 56.0;
const VALUE_X: f32 = 190.0;
const BODY: f32 = 10.0;
const LINE: f32 = 14.0;
/// The lowest baseline body text may use before the verification block.
const FLOOR: f32 = 200.0;

const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");
const MONO: Name<'static> = Name(b"F3");

/// A text cursor moving down the page.
struct Writer {
    content: Content,
    y: f32,
    width: f32,
}

impl Writer {
    fn text(&mut self, font: Name<'_>, size: f32, x: f32, y: f32, bytes: &[u8]) {
        self.content.begin_text();
        self.content.set_font(font, size);
        self.content.next_line(x, y);
        self.content.show(Str(bytes));
        self.content.end_text();
    }

    /// A label in bold with its value wrapped beside it; returns false
    /// (writing nothing) when it would run into the verification block.
    fn row(&mut self, label: &str, value: &str) -> bool {
        let lines = wrap(&encode(value), BODY, self.width - VALUE_X - MARGIN);
        if self.y - LINE * (lines.len() as f32 - 1.0) < FLOOR {
            return false;
        }
        let y = self.y;
        self.text(BOLD, BODY, MARGIN, y, &encode(label));
        for line in lines {
            let y = self.y;
            self.text(REGULAR, BODY, VALUE_X, y, &line);
            self.y -= LINE;
        }
        true
    }

    fn rule(&mut self, y: f32) {
        self.content.set_line_width(0.6);
        self.content.move_to(MARGIN, y);
        self.content.line_to(self.width - MARGIN, y);
        self.content.stroke();
    }

    fn heading(&mut self, title: &str) {
        self.y -= 8.0;
        let y = self.y;
        self.text(BOLD, 12.0, MARGIN, y, &encode(title));
        self.y -= LINE + 2.0;
    }
}

/// The PDF date of the certified item's issue time.
fn pdf_date(item: &CertifiedItem) -> Date {
    let t = item.issued_at;
    Date::new(u16::try_from(t.year()).unwrap_or(1970))
        .month(u8::from(t.month()))
        .day(t.day())
        .hour(t.hour())
        .minute(t.minute())
        .second(t.second())
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

pub(super) fn render(item: &CertifiedItem, info: &CertificateInfo) -> Vec<u8> {
    let (width, height) = info.paper.points();
    let digest = hex(&info.signed_sha256);
    let mut w = Writer { content: Content::new(), y: height - MARGIN - 22.0, width };

    // Title and issuer.
    let y = w.y;
    w.text(BOLD, 22.0, MARGIN, y, b"License Certificate");
    w.y -= 20.0;
    let issuer = format!("Proof of purchase issued by {}", info.vendor);
    let y = w.y;
    w.text(REGULAR, 11.0, MARGIN, y, &encode(&issuer));
    w.y -= 12.0;
    let y = w.y;
    w.rule(y);
    w.y -= 22.0;

    // What is certified.
    let licensee = info.licensee.clone().unwrap_or_else(|| item.licensee.clone());
    let mut rows: Vec<(String, String)> =
        vec![("Product".into(), item.product.clone()), ("Licensee".into(), licensee)];
    if let Some(org) = &item.organisation {
        rows.push(("Organisation".into(), org.clone()));
    }
    rows.push((item.identifier_label.clone(), item.identifier.clone()));
    rows.push(("Kind".into(), item.kind.clone()));
    rows.push(("Issued".into(), date_or_never(Some(item.issued_at))));
    rows.push(("Expires".into(), date_or_never(item.expires_at)));
    if let Some(instance) = &item.instance {
        rows.push(("Instance".into(), instance.clone()));
    }
    rows.extend(item.extra.iter().cloned());
    for (label, value) in &rows {
        w.row(label, value);
    }

    // Features, as many as the page holds, then a count of the rest.
    w.heading("Features");
    if item.features.is_empty() {
        w.row("(none)", "");
    }
    for (i, (name, terms)) in item.features.iter().enumerate() {
        let remaining = item.features.len() - i;
        let last_room = w.y - LINE < FLOOR;
        if (last_room && remaining > 1) || !w.row(name, terms) {
            w.row(&format!("and {remaining} more"), "see the signed file for every feature");
            break;
        }
    }

    // The verification block, always at the same place.
    w.y = FLOOR - 20.0;
    let y = w.y + 14.0;
    w.rule(y);
    w.heading("Verification");
    let y = w.y;
    w.text(REGULAR, 9.0, MARGIN, y, b"SHA-256 of the signed file:");
    w.y -= 13.0;
    let y = w.y;
    w.text(MONO, 9.0, MARGIN, y, digest.as_bytes());
    w.y -= 16.0;
    let y = w.y;
    w.text(REGULAR, 9.0, MARGIN, y, b"Vendor key id:");
    let y = w.y;
    w.text(MONO, 9.0, MARGIN + 70.0, y, &encode(&info.vendor_key_id));
    w.y -= 16.0;
    let check = format!("Compare with the output of: {} {}", item.check_command, info.signed_file_name);
    for line in wrap(&encode(&check), 9.0, width - 2.0 * MARGIN) {
        let y = w.y;
        w.text(REGULAR, 9.0, MARGIN, y, &line);
        w.y -= 12.0;
    }
    let footer = format!("Certificate {}", &digest[..16]);
    let x = width - MARGIN - helvetica_width(footer.as_bytes(), 8.0);
    w.text(REGULAR, 8.0, x, MARGIN - 20.0, footer.as_bytes());

    write_pdf(item, info, &digest, w.content.finish().to_vec(), (width, height))
}

fn write_pdf(
    item: &CertifiedItem,
    info: &CertificateInfo,
    digest: &str,
    content: Vec<u8>,
    (width, height): (f32, f32),
) -> Vec<u8> {
    let (catalog, pages, page, contents, info_id) =
        (Ref::new(1), Ref::new(2), Ref::new(3), Ref::new(4), Ref::new(5));
    let fonts = [
        (REGULAR, Ref::new(6), "Helvetica"),
        (BOLD, Ref::new(7), "Helvetica-Bold"),
        (MONO, Ref::new(8), "Courier"),
    ];
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(pages);
    pdf.pages(pages).kids([page]).count(1);
    {
        let mut p = pdf.page(page);
        p.media_box(Rect::new(0.0, 0.0, width, height));
        p.parent(pages);
        p.contents(contents);
        let mut resources = p.resources();
        let mut font_dict = resources.fonts();
        for (name, id, _) in fonts {
            font_dict.pair(name, id);
        }
    }
    // Uncompressed on purpose: a certificate is small and auditors' tools
    // can read it as plain text.
    pdf.stream(contents, &content);
    for (_, id, base) in fonts {
        pdf.type1_font(id).base_font(Name(base.as_bytes())).encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    // The metadata keeps the original Unicode text, which the page itself
    // can only show transliterated.
    let subject = format!("{} {} for {}", item.identifier_label, item.identifier, item.licensee);
    pdf.document_info(info_id)
        .title(TextStr("License Certificate"))
        .author(TextStr(&info.vendor))
        .subject(TextStr(&subject))
        .creator(TextStr(concat!("license-core ", env!("CARGO_PKG_VERSION"))))
        .creation_date(pdf_date(item))
        .modified_date(pdf_date(item));
    // A stable document id: the certified file's digest and the layout input.
    let mut id = Sha256::new();
    id.update(digest.as_bytes());
    id.update(&content);
    let id = id.finalize()[..16].to_vec();
    pdf.set_file_id((id.clone(), id));
    pdf.finish()
}

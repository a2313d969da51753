//! Proof-of-purchase license certificates: a one-page PDF per license or
//! license key, for customers' auditors and procurement.
//!
//! The page is real text in the PDF standard fonts (selectable, extractable,
//! no font files), laid out from the input alone: the same license and
//! [`CertificateInfo`] give the same bytes, with the document id derived from
//! the certified file's digest and the dates taken from the license.
//!
//! ```
//! use license_core::certificate::{Certifiable, CertificateInfo, LicenseCertificate, PaperSize};
//! use license_core::{License, SigningKey, TrustedKeys};
//! use time::macros::datetime;
//! # let pem = include_str!("../../../tests/vectors/keys/vendor-2048.key.pem");
//! # let vendor = SigningKey::from_pkcs8_pem(pem)?;
//! # let trusted = TrustedKeys::from(vendor.verifying_key().clone());
//! # let issued = datetime!(2026-01-01 0:00 UTC);
//! # let license = License::builder("LIC-1", "certmgr", issued).licensee("Example Ltd").build()?;
//! let signed = license.sign(&vendor)?;
//! let verified = License::from_signed_xml(&signed, &trusted)?;
//!
//! // The page names the signed file by its digest and the key that signed it.
//! let info = CertificateInfo {
//!     vendor: "Example Software".into(),
//!     paper: PaperSize::A4,
//!     signed_sha256: verified.signed_sha256(),
//!     vendor_key_id: verified.key_id().to_string(),
//!     licensee: None,
//!     signed_file_name: "license.xml".into(),
//! };
//! let pdf = LicenseCertificate::render(verified.license(), &info);
//! assert!(pdf.starts_with(b"%PDF-"));
//! assert_eq!(pdf, LicenseCertificate::render(verified.license(), &info)); // same input, same bytes
//! assert_eq!(verified.license().certified_item(&info).identifier, "LIC-1");
//! # Ok::<(), license_core::Error>(())
//! ```

mod page;
mod winansi;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{
    keys::{KeyKind, KeyRecord},
    timefmt, License,
};

/// Paper size of a certificate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaperSize {
    /// ISO A4, 210 × 297 mm.
    #[default]
    A4,
    /// US Letter, 8.5 × 11 in.
    Letter,
}

impl PaperSize {
    /// Width and height in PDF points (1/72 in).
    pub fn points(self) -> (f32, f32) {
        match self {
            PaperSize::A4 => (595.28, 841.89),
            PaperSize::Letter => (612.0, 792.0),
        }
    }
}

/// What the certificate says beyond the certified item itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    /// The vendor's name, printed as the issuer.
    pub vendor: String,
    /// Paper size.
    pub paper: PaperSize,
    /// SHA-256 of the signed file certified (the license XML or key bundle
    /// `.bin`), as printed by `licensectl verify` / `bundle show`.
    pub signed_sha256: [u8; 32],
    /// The id of the vendor key that signed that file.
    pub vendor_key_id: String,
    /// The licensee, for items that do not carry one (license keys).
    pub licensee: Option<String>,
    /// The file name to show in the "check with" line.
    pub signed_file_name: String,
}

/// The rows a certificate prints, produced from a [`License`] or a key
/// record by [`Certifiable`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertifiedItem {
    /// `License` or `License key`: what is certified.
    pub what: String,
    /// The product.
    pub product: String,
    /// The licensee.
    pub licensee: String,
    /// The licensee's organisation, if any.
    pub organisation: Option<String>,
    /// The identifier's label (`License id`, `License key`).
    pub identifier_label: String,
    /// The identifier.
    pub identifier: String,
    /// The kind (`Signed license`, `Master key`, `Add-on key of …`).
    pub kind: String,
    /// Features as (name, terms) rows, in name order.
    pub features: Vec<(String, String)>,
    /// Other rows worth printing (limit, status, …) as (label, value).
    pub extra: Vec<(String, String)>,
    /// When issued (also the PDF's creation date).
    pub issued_at: OffsetDateTime,
    /// When it expires; `None` for perpetual.
    pub expires_at: Option<OffsetDateTime>,
    /// The instance it is assigned to, if any.
    pub instance: Option<String>,
    /// The `licensectl` command whose output the verification block
    /// matches, without the file name.
    pub check_command: String,
}

/// Something a certificate can be rendered for.
pub trait Certifiable {
    /// The rows to print, given the certificate's outside information.
    fn certified_item(&self, info: &CertificateInfo) -> CertifiedItem;
}

impl Certifiable for License {
    fn certified_item(&self, _info: &CertificateInfo) -> CertifiedItem {
        CertifiedItem {
            what: "License".to_owned(),
            product: self.product().to_owned(),
            licensee: self.licensee().name.clone(),
            organisation: self.licensee().organisation.clone(),
            identifier_label: "License id".to_owned(),
            identifier: self.id().to_owned(),
            kind: "Signed license".to_owned(),
            features: self.features().iter().map(|(n, f)| (n.to_owned(), f.describe())).collect(),
            extra: vec![("Actioned certificates".to_owned(), self.actioned_limit().to_string())],
            issued_at: self.issued_at(),
            expires_at: self.expires_at(),
            instance: self.binding().map(|b| b.instance_id.clone()),
            check_command: "licensectl verify --pub VENDOR.pub.pem".to_owned(),
        }
    }
}

impl Certifiable for KeyRecord {
    /// A key record has no licensee or issue date of its own: the licensee
    /// comes from [`CertificateInfo::licensee`], and the record's last
    /// update stands as its date.
    fn certified_item(&self, info: &CertificateInfo) -> CertifiedItem {
        let kind = match (self.kind(), self.parent()) {
            (KeyKind::Addon, Some(master)) => format!("Add-on key of master key {master}"),
            (KeyKind::Addon, None) => "Add-on key".to_owned(),
            (KeyKind::Master, _) => "Master key".to_owned(),
        };
        CertifiedItem {
            what: "License key".to_owned(),
            product: self.key().product().to_string(),
            licensee: info.licensee.clone().unwrap_or_else(|| "-".to_owned()),
            organisation: None,
            identifier_label: "License key".to_owned(),
            identifier: self.key().to_string(),
            kind,
            features: self.features().iter().map(|(n, f)| (n.to_owned(), f.describe())).collect(),
            extra: vec![("Status".to_owned(), self.status().as_str().to_owned())],
            issued_at: self.updated_at(),
            expires_at: self.expires_at(),
            instance: self.instance().map(str::to_owned),
            check_command: "licensectl bundle show --pub VENDOR.pub.pem".to_owned(),
        }
    }
}

/// Renders proof-of-purchase certificates.
///
/// ```
/// use license_core::{License, certificate::{CertificateInfo, LicenseCertificate, PaperSize}};
/// use time::macros::datetime;
/// let license = License::builder("LIC-1", "certmgr", datetime!(2026-01-01 0:00 UTC))
///     .licensee("Example Ltd")
///     .build()?;
/// let info = CertificateInfo {
///     vendor: "Example Software".into(),
///     paper: PaperSize::A4,
///     signed_sha256: [0xab; 32],
///     vendor_key_id: "vendor-key".into(),
///     licensee: None,
///     signed_file_name: "license.xml".into(),
/// };
/// let pdf = LicenseCertificate::render(&license, &info);
/// assert!(pdf.starts_with(b"%PDF-"));
/// assert_eq!(pdf, LicenseCertificate::render(&license, &info)); // deterministic
/// # Ok::<(), license_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct LicenseCertificate;

impl LicenseCertificate {
    /// A one-page PDF certifying `subject`.
    pub fn render<T: Certifiable + ?Sized>(subject: &T, info: &CertificateInfo) -> Vec<u8> {
        page::render(&subject.certified_item(info), info)
    }
}

/// `2026-01-01` or `Never (perpetual)`.
fn date_or_never(t: Option<OffsetDateTime>) -> String {
    t.map_or_else(|| "Never (perpetual)".to_owned(), timefmt::format_date)
}

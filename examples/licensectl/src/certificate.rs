//! `licensectl certificate`: proof-of-purchase PDFs for a license or a
//! license key, and the demo's certificate.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use license_core::{
    certificate::{Certifiable, CertificateInfo, LicenseCertificate, PaperSize},
    keys::KeyRecord,
    KeyBundle, License, VerifiedLicense,
};

use crate::cli::{read, write, CliError, CliResult};
use crate::install::trusted_keys;

/// Paper sizes.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Paper {
    /// ISO A4.
    A4,
    /// US Letter.
    Letter,
}

/// Arguments of `licensectl certificate`.
#[derive(Debug, Args)]
pub struct CertificateArgs {
    /// Certify a signed license.
    #[arg(long, value_name = "LICENSE.xml", conflicts_with_all = ["key_record", "bundle"], required_unless_present = "key_record")]
    license: Option<PathBuf>,
    /// Certify a license key: its record (JSON), which must be in --bundle.
    #[arg(long, value_name = "RECORD.json", requires = "bundle")]
    key_record: Option<PathBuf>,
    /// The signed key bundle (.bin) that carries the key record.
    #[arg(long, value_name = "server.bin")]
    bundle: Option<PathBuf>,
    /// The vendor's public key(s) to verify the license or bundle with.
    #[arg(long = "pub", value_name = "VENDOR.pub.pem", required = true)]
    keys: Vec<PathBuf>,
    /// The vendor's name, printed as the issuer.
    #[arg(long)]
    vendor: String,
    /// The licensee to print for a key record (a license names its own).
    #[arg(long)]
    licensee: Option<String>,
    /// Paper size.
    #[arg(long, value_enum, default_value = "a4")]
    paper: Paper,
    /// Where to write the PDF.
    #[arg(long, value_name = "cert.pdf")]
    out: PathBuf,
}

fn info(args: &CertificateArgs, sha256: [u8; 32], key_id: String, file: &std::path::Path) -> CertificateInfo {
    CertificateInfo {
        vendor: args.vendor.clone(),
        paper: match args.paper {
            Paper::A4 => PaperSize::A4,
            Paper::Letter => PaperSize::Letter,
        },
        signed_sha256: sha256,
        vendor_key_id: key_id,
        licensee: args.licensee.clone(),
        signed_file_name: file.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
    }
}

/// Runs `licensectl certificate`.
pub fn run(args: CertificateArgs) -> CliResult {
    let trusted = trusted_keys(&args.keys)?;
    let pdf = match (&args.license, &args.key_record, &args.bundle) {
        (Some(path), _, _) => {
            let verified = License::from_signed_xml(&read(path)?, &trusted)?;
            let info = info(&args, verified.signed_sha256(), verified.key_id().to_string(), path);
            LicenseCertificate::render(verified.license(), &info)
        }
        (None, Some(record_path), Some(bundle_path)) => {
            let record: KeyRecord = serde_json::from_slice(&read(record_path)?)
                .map_err(|e| CliError::Io(format!("{}: not a key record: {e}", record_path.display())))?;
            let signed = KeyBundle::verify(&read(bundle_path)?, &trusted)?;
            let in_bundle =
                std::iter::once(signed.bundle.master()).chain(signed.bundle.addons()).any(|r| r == &record);
            if !in_bundle {
                return Err(CliError::Io(format!(
                    "key {} as recorded in {} is not in the bundle {}",
                    record.key(),
                    record_path.display(),
                    bundle_path.display()
                )));
            }
            let key_id = signed.key_id.map_or_else(String::new, |k| k.to_string());
            let info = info(&args, signed.sha256, key_id, bundle_path);
            LicenseCertificate::render(&record, &info)
        }
        _ => return Err(CliError::Io("give --license, or --key-record with --bundle".into())),
    };
    write(&args.out, &pdf)?;
    println!("certificate written to {} ({} bytes)", args.out.display(), pdf.len());
    Ok(ExitCode::SUCCESS)
}

/// The demo's certificate for the installed license.
pub fn demo(verified: &VerifiedLicense) -> Result<(), CliError> {
    crate::demo::heading("A proof-of-purchase certificate (PDF)");
    let license = verified.license();
    let info = CertificateInfo {
        vendor: "Example Software GmbH".into(),
        paper: PaperSize::A4,
        signed_sha256: verified.signed_sha256(),
        vendor_key_id: verified.key_id().to_string(),
        licensee: None,
        signed_file_name: "license.xml".into(),
    };
    let pdf = LicenseCertificate::render(license, &info);
    let path = std::env::temp_dir().join(format!("licensectl-demo-certificate-{}.pdf", license.id()));
    write(&path, &pdf)?;
    let item = license.certified_item(&info);
    println!("{} for {}: {} bytes of PDF at {}", item.identifier, item.licensee, pdf.len(), path.display());
    println!("its verification block: sha256 {} key {}", verified.signed_sha256_hex(), verified.key_id());
    Ok(())
}

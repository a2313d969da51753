//! The command tree and the pieces every command shares: the error type,
//! time parsing, reading and writing files.

use std::fmt;
use std::path::Path;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// licensectl: issue, verify and inspect licenses; count actioned certificates.
#[derive(Debug, Parser)]
#[command(name = "licensectl", version, about)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

/// Every command; each group's arguments live in its own module.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Walk through the library with sample data (no files of yours needed).
    Demo(crate::demo::DemoArgs),
    /// Generate an RSA signing key pair (PKCS#8 private, SPKI public PEM).
    Keygen(crate::license_cmds::KeygenArgs),
    /// Sign a license given as JSON into a signed XML document.
    Issue(crate::license_cmds::IssueArgs),
    /// Verify a signed license against trusted public keys and summarise it.
    Verify(crate::license_cmds::VerifyArgs),
    /// Display a license document WITHOUT verifying its signature.
    Show(crate::license_cmds::ShowArgs),
    /// Show this machine's hardware profile (table or XML) or fingerprint;
    /// `profile diff A.xml B.xml` compares two machines.
    Profile(crate::profile::ProfileArgs),
    /// Install a signed license into a store, after showing the diff.
    Install(crate::install::InstallArgs),
    /// The installed license, its status and any new alerts.
    Status(crate::install::StatusArgs),
    /// The installed license and the ones it replaced.
    History(crate::install::HistoryArgs),
    /// Reinstall the license the current one replaced.
    Rollback(crate::install::RollbackArgs),
    /// Count the inventory and write a signed usage log for the vendor.
    UsageLog(crate::install::UsageLogArgs),
    /// Verify a usage log (vendor side), optionally against a ledger.
    VerifyUsage(crate::install::VerifyUsageArgs),
    /// Write a proof-of-purchase PDF for a license or a license key.
    Certificate(crate::certificate::CertificateArgs),
    /// Count actioned certificates in an inventory (JSON Lines or a snapshot).
    Count(crate::count::CountArgs),
    /// Write a realistic synthetic inventory as JSON Lines.
    GenInventory(crate::count::GenInventoryArgs),
    /// Inventory files: `inventory import` turns JSON Lines into a snapshot.
    Inventory(crate::inventory::InventoryArgs),
    /// Id sets for engines (ClickHouse, Roaring): `bitmaps export`.
    Bitmaps(crate::bitmaps::BitmapsArgs),
    /// Generate a license key, or check one for typos.
    Key(crate::keys::KeyArgs),
    /// Sign a key bundle (server license file, .bin), print a template, or show one.
    Bundle(crate::keys::BundleArgs),
    /// Activate this machine offline from a .bin and the vendor's public key.
    Activate(crate::keys::ActivateArgs),
    /// The vendor's registry of a customer's instances and keys.
    Account(crate::keys::AccountArgs),
}

/// What a command reports on failure: one line, then exit 1.
#[derive(Debug)]
pub enum CliError {
    /// The library refused something.
    Core(license_core::Error),
    /// A file could not be read or written.
    Io(String),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Core(e) => write!(f, "{e} [{}]", e.kind().name()),
            // Io messages quote paths and serde errors (field names): escape
            // their control characters as the core does its own.
            CliError::Io(e) => f.write_str(&license_core::Error::escape_controls(e)),
        }
    }
}

impl From<license_core::Error> for CliError {
    fn from(e: license_core::Error) -> CliError {
        CliError::Core(e)
    }
}

/// The command's result: an exit code, or an error to print.
pub type CliResult = Result<ExitCode, CliError>;

/// The current time; the CLI is the one place that reads the clock.
pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc().replace_nanosecond(0).unwrap_or_else(|_| OffsetDateTime::now_utc())
}

/// Parses `--at` style RFC 3339 arguments.
pub fn parse_time(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|e| format!("`{text}` is not an RFC 3339 time: {e}"))
}

/// Reads a whole file, naming it in the error.
#[allow(dead_code)]
pub fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| CliError::Io(format!("cannot read {}: {e}", path.display())))
}

/// Writes a whole file, naming it in the error.
#[allow(dead_code)]
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    std::fs::write(path, bytes).map_err(|e| CliError::Io(format!("cannot write {}: {e}", path.display())))
}

/// Replaces a file whole: writes a sibling temporary file, then renames it
/// over `path`, so a reader (or a crash) sees the old file or the new one,
/// never half of one.
pub fn write_replacing(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let mut name = path.file_name().map(|n| n.to_owned()).unwrap_or_default();
    name.push(".tmp");
    let temp = path.with_file_name(name);
    write(&temp, bytes)?;
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        CliError::Io(format!("cannot replace {}: {e}", path.display()))
    })
}

//! The installation side: `install`, `status`, `history`, `rollback`,
//! `usage-log`, `verify-usage`, and the demo's replace-and-report section.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use license_core::{
    store::{DirStorage, Monitor, StageOptions, Storage, StoreOptions},
    usage, CountConfig, Fingerprint, HardwareProfile, Instance, Inventory, License, LicenseStore, SigningKey,
    TrustedKeys, UsageLog, VerifyingKey,
};
use time::OffsetDateTime;

use crate::cli::{now, parse_time, read, write, CliError, CliResult};

/// Where the store is and whom it trusts; shared by the store commands.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// The store directory (created on first install).
    #[arg(long, value_name = "DIR")]
    pub store: PathBuf,
    /// A trusted vendor public key (SPKI PEM or DER); repeat for several.
    #[arg(long = "pub", value_name = "VENDOR.pub.pem", required = true)]
    pub keys: Vec<PathBuf>,
    /// The product this installation runs (default: the installed
    /// license's product, or on first install the new license's).
    #[arg(long)]
    pub product: Option<String>,
    /// This installation's instance id: a license bound to another is refused.
    #[arg(long, value_name = "ID")]
    pub instance_id: Option<String>,
}

/// Arguments of `licensectl install`.
#[derive(Debug, Args)]
pub struct InstallArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Install without asking (required when stdin is not a terminal).
    #[arg(long)]
    pub yes: bool,
    /// Accept a license issued before the installed one.
    #[arg(long)]
    pub allow_older: bool,
    /// Check the license as of this time (RFC 3339; default now): one
    /// expired by then is refused.
    #[arg(long, value_parser = parse_time)]
    pub at: Option<OffsetDateTime>,
    /// The signed license to install.
    #[arg(value_name = "LICENSE.xml")]
    pub license: PathBuf,
}

/// Arguments of `licensectl status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// The instant to report for (RFC 3339; default now).
    #[arg(long, value_parser = parse_time)]
    pub at: Option<OffsetDateTime>,
}

/// Arguments of `licensectl history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Arguments of `licensectl rollback`.
#[derive(Debug, Args)]
pub struct RollbackArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Roll back without asking.
    #[arg(long)]
    pub yes: bool,
}

/// Arguments of `licensectl usage-log`.
#[derive(Debug, Args)]
pub struct UsageLogArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// The certificate inventory to count (JSON Lines, or a snapshot from
    /// `licensectl inventory import`).
    #[arg(long, value_name = "FILE")]
    pub inventory: PathBuf,
    /// The installation's signing key: --key INSTANCE.key.pem, or a key in
    /// a PKCS#11 token.
    #[command(flatten)]
    pub signer: crate::signer::SignerArgs,
    /// The instance record (JSON); default: this machine, named by its
    /// hostname, with the license's bound instance id.
    #[arg(long, value_name = "INSTANCE.json")]
    pub instance: Option<PathBuf>,
    /// Where to write the signed usage log.
    #[arg(long, value_name = "usage.xml")]
    pub out: PathBuf,
    /// The instant to count at (RFC 3339; default now).
    #[arg(long, value_parser = parse_time)]
    pub at: Option<OffsetDateTime>,
}

/// Arguments of `licensectl verify-usage`.
#[derive(Debug, Args)]
pub struct VerifyUsageArgs {
    /// The installation's public key (SPKI PEM or DER); repeat for several.
    #[arg(long = "pub", value_name = "INSTANCE.pub.pem", required = true)]
    pub keys: Vec<PathBuf>,
    /// The vendor's ledger of logs already read (JSON, created if missing):
    /// refuses replayed logs and broken chains, and records this one.
    #[arg(long, value_name = "LEDGER.json")]
    pub ledger: Option<PathBuf>,
    /// The instance's installation key was replaced: accept this log
    /// although its earlier logs were signed by another key, and expect
    /// this log's key from now on.
    #[arg(long, requires = "ledger")]
    pub rekey: bool,
    /// The signed usage log.
    #[arg(value_name = "usage.xml")]
    pub log: PathBuf,
}

/// Loads public keys into a trusted set, naming a bad file.
pub fn trusted_keys(paths: &[PathBuf]) -> Result<TrustedKeys, CliError> {
    let mut trusted = TrustedKeys::new();
    for path in paths {
        let key = VerifyingKey::from_public_key_bytes(&read(path)?)
            .map_err(|e| CliError::Io(format!("{}: {e} [{}]", path.display(), e.kind().name())))?;
        trusted.insert(key);
    }
    Ok(trusted)
}

/// The product to enforce: the flag, else the installed license's, else
/// the candidate's (all read unverified only to pick the name; every
/// license is verified, and the installed one checked against the store's
/// record, before use).
fn product(args: &StoreArgs, candidate: Option<&[u8]>) -> Result<String, CliError> {
    if let Some(p) = &args.product {
        return Ok(p.clone());
    }
    // Read as the store reads (no symbolic links, bounded), not with a
    // plain file read: the directory is not trusted.
    let installed = match DirStorage::open(&args.store)?.read("license.xml")? {
        Some(b) => Some(b),
        None => candidate.map(<[u8]>::to_vec),
    };
    let bytes = installed.ok_or_else(|| {
        CliError::Io(format!("no license installed in {}; give --product", args.store.display()))
    })?;
    Ok(License::inspect_unverified(&bytes)?.license().product().to_owned())
}

fn open(args: &StoreArgs, candidate: Option<&[u8]>) -> Result<LicenseStore, CliError> {
    let mut options = StoreOptions::new(product(args, candidate)?);
    options.instance_id = args.instance_id.clone();
    Ok(LicenseStore::open_dir(&args.store, trusted_keys(&args.keys)?, options)?)
}

/// Asks "yes/no" on the terminal; refuses when stdin is not one.
fn confirm(question: &str) -> Result<bool, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Io("stdin is not a terminal: pass --yes to confirm non-interactively".into()));
    }
    print!("{question} [y/N] ");
    std::io::stdout().flush().map_err(|e| CliError::Io(e.to_string()))?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).map_err(|e| CliError::Io(e.to_string()))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

/// `licensectl install`.
pub fn install(args: InstallArgs) -> CliResult {
    let bytes = read(&args.license)?;
    let store = open(&args.store, Some(&bytes))?;
    let staged =
        store.stage(&bytes, args.at.unwrap_or_else(now), StageOptions { allow_older: args.allow_older })?;
    if let Some(why) = staged.replaces_untrusted() {
        println!(
            "the store's files are not one this store installed ({why});\n\
             installing replaces them, and the untrusted license is not kept in the history"
        );
    }
    match staged.diff() {
        Some(diff) => print!("{diff}"),
        None => print!("nothing installed yet; installing:\n{}", staged.candidate().license().to_table()),
    }
    if !args.yes && !confirm("install this license?")? {
        println!("not installed");
        return Ok(ExitCode::FAILURE);
    }
    store.commit(&staged)?;
    let v = staged.candidate();
    println!("installed {} (sha256 {})", v.license().id(), v.signed_sha256_hex());
    Ok(ExitCode::SUCCESS)
}

/// `licensectl status`.
pub fn status(args: StatusArgs) -> CliResult {
    let store = open(&args.store, None)?;
    let at = args.at.unwrap_or_else(now);
    let current = store.current()?;
    print!("{current}");
    println!("status: {}", current.license().status(at));
    let alerts = Monitor::check(at, &store, None)?;
    if alerts.is_empty() {
        println!("no new alerts");
    }
    for alert in alerts {
        println!("alert: {alert}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `licensectl history`.
pub fn history(args: HistoryArgs) -> CliResult {
    let store = open(&args.store, None)?;
    let current = store.current()?;
    println!("installed  {}  {}", current.license().id(), current.signed_sha256_hex());
    let history = store.history()?;
    if history.is_empty() {
        println!("no earlier licenses");
    }
    for entry in history {
        let l = entry.license.license();
        println!(
            "#{:<8} {}  issued {}  {}",
            entry.sequence,
            l.id(),
            l.issued_at(),
            entry.license.signed_sha256_hex()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `licensectl rollback`.
pub fn rollback(args: RollbackArgs) -> CliResult {
    let store = open(&args.store, None)?;
    let previous = store.history()?.into_iter().next().ok_or_else(|| {
        license_core::Error::new(license_core::ErrorKind::NothingToRollBack, "the history is empty")
    })?;
    print!(
        "{}",
        license_core::license::LicenseDiff::between(store.current()?.license(), previous.license.license())
    );
    if !args.yes && !confirm("roll back to this license?")? {
        println!("not rolled back");
        return Ok(ExitCode::FAILURE);
    }
    let restored = store.rollback()?;
    println!("rolled back to {}", restored.license().id());
    Ok(ExitCode::SUCCESS)
}

/// The instance a usage log reports: the given record, or this machine.
fn usage_instance(path: Option<&Path>, license: &License) -> Result<usage::Instance, CliError> {
    if let Some(path) = path {
        let json = String::from_utf8(read(path)?)
            .map_err(|_| CliError::Io(format!("{} is not UTF-8", path.display())))?;
        return Ok(usage::Instance::from(&Instance::from_json(&json)?));
    }
    let profile = HardwareProfile::collect();
    Ok(usage::Instance {
        id: license.binding().map_or_else(|| "unbound".to_owned(), |b| b.instance_id.clone()),
        name: profile.hostname.clone().unwrap_or_else(|| "unknown".to_owned()),
        location: "unknown".to_owned(),
        software_version: license_core::VERSION.to_owned(),
        fingerprint: Fingerprint::from_profile(&profile).to_string(),
    })
}

/// `licensectl usage-log`.
pub fn usage_log(args: UsageLogArgs) -> CliResult {
    // The key first: a wrong PIN or a missing key must not leave a count
    // recorded for a log that was never written.
    let key = crate::signer::open(&args.signer, "usage-log")?;
    let store = open(&args.store, None)?;
    let at = args.at.unwrap_or_else(now);
    let current = store.current()?;
    let inventory = crate::inventory::load(&args.inventory)?;
    let count = inventory.count(at, &CountConfig::new(current.license().actioned_limit()));
    store.record_count(&count)?;
    let log = store.usage_log(at, usage_instance(args.instance.as_deref(), current.license())?, &count)?;
    write(&args.out, &log.sign(key.as_ref())?)?;
    store.mark_logged(&log)?;
    println!(
        "usage log for {}: {} actioned as of {}, {} journal entries, signed by {} -> {}",
        log.instance.id,
        count.total(),
        log.latest.as_of,
        log.entries.len(),
        key.key_id(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `licensectl verify-usage`.
pub fn verify_usage(args: VerifyUsageArgs) -> CliResult {
    let verified = UsageLog::from_signed_xml(&read(&args.log)?, &trusted_keys(&args.keys)?)?;
    if let Some(path) = &args.ledger {
        let mut ledger: usage::Ledger = match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| CliError::Io(format!("{}: not a usage ledger: {e}", path.display())))?,
            Err(_) => usage::Ledger::default(),
        };
        let id = &verified.log().instance.id;
        // An instance not read yet has no key to replace: accepting binds it.
        if args.rekey && ledger.key_id(id).is_some_and(|bound| bound != verified.key_id()) {
            let old = ledger.rekey(id, verified.key_id())?;
            let old = old.map_or_else(String::new, |k| format!(" (was {k})"));
            let id = license_core::Error::escape_controls(id);
            println!("instance `{id}`: logs now signed by key {}{old}", verified.key_id());
        }
        ledger.accept(&verified)?;
        let json = serde_json::to_vec_pretty(&ledger).map_err(|e| CliError::Io(e.to_string()))?;
        write(path, &json)?;
    }
    let log = verified.log();
    // The log's text comes from the installation: its control characters
    // must not reach the vendor's terminal.
    let shown = license_core::Error::escape_controls;
    println!("{}: signature OK (key {})", args.log.display(), verified.key_id());
    let i = &log.instance;
    println!(
        "instance   {} ({}, {}, version {})",
        shown(&i.id),
        shown(&i.name),
        shown(&i.location),
        shown(&i.software_version)
    );
    println!(
        "license    {} for {} (sha256 {})",
        shown(&log.license.id),
        shown(&log.license.licensee),
        log.license.sha256_hex()
    );
    println!(
        "latest     {} actioned as of {} (limit {}){}",
        log.latest.total,
        log.latest.as_of,
        log.latest.limit,
        log.latest.over_by().map_or(String::new(), |o| format!(", OVER BY {o}"))
    );
    for e in &log.entries {
        println!("entry #{:<6} {}  total {}", e.sequence, e.count.as_of, e.count.total);
    }
    Ok(ExitCode::SUCCESS)
}

/// The demo's section: install a license in a scratch store, replace it,
/// and produce and verify a usage log.
pub fn demo(first: &License, renewal: &License, today: OffsetDateTime) -> Result<(), CliError> {
    crate::demo::heading("The installation side: install, replace, usage log");
    let dir = tempdir()?;
    let vendor = SigningKey::generate(2048, &mut rand::rngs::OsRng)?;
    let instance_key = SigningKey::generate(2048, &mut rand::rngs::OsRng)?;
    let trusted = TrustedKeys::from(vendor.verifying_key().clone());
    let store = LicenseStore::open_dir(&dir, trusted, StoreOptions::new(first.product()))?;
    store.commit(&store.stage(&first.sign(&vendor)?, today, StageOptions::default())?)?;
    println!("installed {} in {}", first.id(), dir.display());
    let staged = store.stage(&renewal.sign(&vendor)?, today, StageOptions::default())?;
    println!("staged {}; the administrator sees the diff above and confirms", renewal.id());
    store.commit(&staged)?;
    println!(
        "replaced: installed {}, history {:?}",
        store.current()?.license().id(),
        store.history()?.iter().map(|h| h.license.license().id().to_owned()).collect::<Vec<_>>()
    );
    for alert in Monitor::check(today, &store, None)? {
        println!("alert: {alert}");
    }
    let records: Vec<_> = license_core::actioned::synthetic_records(10_000, 7, today).collect();
    let count = Inventory::from_records(&records)?.count(today, &CountConfig::new(renewal.actioned_limit()));
    store.record_count(&count)?;
    let instance = usage::Instance {
        id: "demo-instance".into(),
        name: "demo".into(),
        location: "Example DC, Frankfurt (DE)".into(),
        software_version: license_core::VERSION.into(),
        fingerprint: Fingerprint::from_profile(&HardwareProfile::collect()).to_string(),
    };
    let log = store.usage_log(today, instance, &count)?;
    let xml = log.sign(&instance_key)?;
    store.mark_logged(&log)?;
    let read_back =
        UsageLog::from_signed_xml(&xml, &TrustedKeys::from(instance_key.verifying_key().clone()))?;
    let mut ledger = usage::Ledger::default();
    ledger.accept(&read_back)?;
    println!(
        "usage log: {} bytes, {} actioned of 10,000 certificates, verified by the vendor with key {}",
        xml.len(),
        read_back.log().latest.total,
        read_back.key_id()
    );
    crate::certificate::demo(&store.current()?)?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// A fresh scratch directory under the system temp dir.
fn tempdir() -> Result<PathBuf, CliError> {
    let dir = std::env::temp_dir().join(format!("licensectl-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| CliError::Io(format!("cannot create {}: {e}", dir.display())))?;
    Ok(dir)
}

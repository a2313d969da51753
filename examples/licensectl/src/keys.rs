//! License keys, key bundles, offline activation and the vendor account:
//! `key`, `bundle`, `activate`, `account`, and the demo's section on them.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use license_core::{
    instance::{Coordinates, Location},
    keys::{activate, BundleAlgorithm, KeyKind, KeyRecord, KeyStatus, ProductCode},
    Account, Feature, Fingerprint, HardwareProfile, Instance, KeyBundle, LicenseKey, SigningKey, TrustedKeys,
};
use time::OffsetDateTime;

use crate::cli::{now, parse_time, read, write, CliError, CliResult};
use crate::install::trusted_keys as trusted;
use crate::signer::SignerArgs;

/// Arguments of `licensectl key`.
#[derive(Debug, Args)]
pub struct KeyArgs {
    #[command(subcommand)]
    pub command: KeyCommand,
}

/// `licensectl key …`.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate a new 16-character license key (serial from the OS CSPRNG).
    New {
        /// `master` (one per server instance) or `addon` (extra features).
        #[arg(long)]
        kind: KeyKind,
        /// The product code: three Crockford base32 characters, e.g. CRT.
        #[arg(long, value_name = "CODE")]
        product: ProductCode,
    },
    /// Check a key for typos; says which character is wrong where it can.
    Check {
        /// The key as typed (case, hyphens and spaces do not matter).
        #[arg(value_name = "KEY")]
        key: String,
    },
}

/// Arguments of `licensectl bundle`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BundleArgs {
    #[command(subcommand)]
    pub command: Option<BundleCommand>,
    /// Print a complete example of BUNDLE.json (valid input to --from).
    #[arg(long, conflicts_with_all = ["key", "pkcs11_module", "from", "out"])]
    pub template: bool,
    #[command(flatten)]
    pub signer: SignerArgs,
    /// The bundle, as JSON (see `--template`).
    #[arg(long, value_name = "BUNDLE.json", required_unless_present = "template")]
    pub from: Option<PathBuf>,
    /// Where to write the signed server license file.
    #[arg(long, value_name = "server.bin", required_unless_present = "template")]
    pub out: Option<PathBuf>,
    /// The COSE signature algorithm: rs256 (deterministic) or ps256 with an
    /// RSA key, es256 with a P-256 key; default rs256 or es256 by the key.
    #[arg(long)]
    pub alg: Option<BundleAlgorithm>,
    /// The time the template is issued at (RFC 3339; default now).
    #[arg(long, requires = "template", value_parser = parse_time)]
    pub at: Option<OffsetDateTime>,
}

/// `licensectl bundle show`.
#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Display a .bin; verified when --pub is given, clearly marked otherwise.
    Show {
        /// A trusted public key (SPKI PEM or DER); repeat for several.
        #[arg(long = "pub", value_name = "PUB.pem")]
        keys: Vec<PathBuf>,
        /// The server license file.
        #[arg(value_name = "server.bin")]
        bundle: PathBuf,
    },
}

/// Arguments of `licensectl activate`.
#[derive(Debug, Args)]
pub struct ActivateArgs {
    /// The vendor's public key (SPKI PEM or DER); repeat for several.
    #[arg(long = "pub", value_name = "VENDOR.pub.pem", required = true)]
    pub keys: Vec<PathBuf>,
    /// Use this hardware profile (XML) instead of collecting this machine's.
    #[arg(long, value_name = "PROFILE.xml")]
    pub profile: Option<PathBuf>,
    /// Activate as of this time (RFC 3339) instead of now.
    #[arg(long, value_parser = parse_time)]
    pub at: Option<OffsetDateTime>,
    /// The server license file.
    #[arg(value_name = "server.bin")]
    pub bundle: PathBuf,
}

/// Arguments of `licensectl account`.
#[derive(Debug, Args)]
pub struct AccountArgs {
    /// The account file (JSON, rewritten atomically on every change).
    #[arg(long, value_name = "ACCOUNT.json")]
    pub file: PathBuf,
    /// The time the change is recorded at (RFC 3339; default now); the
    /// account refuses changes dated before its last update.
    #[arg(long, value_parser = parse_time)]
    pub at: Option<OffsetDateTime>,
    #[command(subcommand)]
    pub command: AccountCommand,
}

/// `licensectl account --file F …`.
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create a new, empty account file.
    Init {
        /// The customer's name.
        #[arg(long)]
        customer: String,
    },
    /// List the instances with their master key and number of add-ons.
    Instances,
    /// Register an instance (its hardware: --profile, or this machine).
    AddInstance {
        /// The instance id ([A-Za-z0-9._-], 1 to 64 characters).
        #[arg(long)]
        id: String,
        /// The display name.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        location: LocationArgs,
        /// The core software version (semver).
        #[arg(long = "software-version", default_value = "1.0.0")]
        software_version: String,
        /// The instance's hardware profile (XML); this machine's if absent.
        #[arg(long, value_name = "PROFILE.xml")]
        profile: Option<PathBuf>,
    },
    /// Rename an instance.
    Rename {
        /// The instance id.
        instance: String,
        /// The new name.
        name: String,
    },
    /// Move an instance to another location.
    Relocate {
        /// The instance id.
        instance: String,
        #[command(flatten)]
        location: LocationArgs,
    },
    /// Generate a key and add its record to the account (prints the key).
    AddKey {
        /// `master` or `addon`.
        #[arg(long)]
        kind: KeyKind,
        /// The product code (three Crockford characters).
        #[arg(long, value_name = "CODE")]
        product: ProductCode,
        /// The master key of an add-on.
        #[arg(long, value_name = "KEY")]
        parent: Option<LicenseKey>,
        /// A feature the key enables: NAME or NAME=QUANTITY; repeatable.
        #[arg(long = "feature", value_name = "NAME[=QTY]")]
        features: Vec<String>,
        /// The initial status.
        #[arg(long, default_value = "active")]
        status: KeyStatus,
        /// When the key expires (RFC 3339).
        #[arg(long, value_parser = parse_time)]
        expires: Option<OffsetDateTime>,
    },
    /// List the keys of an instance (master only, unless --show-addons).
    Keys {
        /// The instance id.
        instance: String,
        /// Also list the add-on keys.
        #[arg(long)]
        show_addons: bool,
    },
    /// A key's details: status, last updated, instance name, features.
    Key {
        /// The key.
        key: LicenseKey,
    },
    /// Assign a key to an instance.
    Assign {
        /// The key.
        key: LicenseKey,
        /// The instance id.
        instance: String,
    },
    /// Take a key off its instance.
    Unassign {
        /// The key.
        key: LicenseKey,
    },
    /// Change a key's status.
    Status {
        /// The key.
        key: LicenseKey,
        /// pending, active, suspended, revoked or expired.
        status: KeyStatus,
    },
    /// Write an instance's signed server license file (.bin).
    Bundle {
        /// The instance id.
        instance: String,
        #[command(flatten)]
        signer: SignerArgs,
        /// Where to write the .bin.
        #[arg(long, value_name = "server.bin")]
        out: PathBuf,
        /// rs256 (deterministic) or ps256 with an RSA key, es256 with a
        /// P-256 key; default rs256 or es256 by the key.
        #[arg(long)]
        alg: Option<BundleAlgorithm>,
        /// When the bundle stops activating (RFC 3339).
        #[arg(long, value_parser = parse_time)]
        expires: Option<OffsetDateTime>,
    },
}

/// A location on the command line.
#[derive(Debug, Args)]
pub struct LocationArgs {
    /// The place (site, city, data centre).
    #[arg(long)]
    pub place: String,
    /// ISO 3166-1 alpha-2 country code.
    #[arg(long)]
    pub country: Option<String>,
    /// Latitude in degrees (with --lon).
    #[arg(long, requires = "lon", allow_negative_numbers = true)]
    pub lat: Option<f64>,
    /// Longitude in degrees (with --lat).
    #[arg(long, requires = "lat", allow_negative_numbers = true)]
    pub lon: Option<f64>,
}

impl LocationArgs {
    fn location(&self) -> Result<Location, license_core::Error> {
        let coordinates = match (self.lat, self.lon) {
            (Some(lat), Some(lon)) => Some(Coordinates::new(lat, lon)?),
            _ => None,
        };
        Location::new(self.place.clone(), self.country.as_deref(), coordinates)
    }
}

fn profile(path: Option<&Path>) -> Result<HardwareProfile, CliError> {
    match path {
        Some(p) => Ok(HardwareProfile::from_xml(&read(p)?)?),
        None => Ok(HardwareProfile::collect()),
    }
}

/// `licensectl key new|check`.
pub fn key(args: KeyArgs) -> CliResult {
    match args.command {
        KeyCommand::New { kind, product } => {
            let key = LicenseKey::generate(kind, product, &mut rand::rngs::OsRng);
            println!("{key}");
            Ok(ExitCode::SUCCESS)
        }
        KeyCommand::Check { key } => match LicenseKey::diagnose(&key) {
            Ok(k) => {
                println!("{k}: no typo ({} key, product {}, serial {})", k.kind(), k.product(), k.serial());
                println!("note: this checks typing only; a key is genuine when a signed bundle carries it");
                Ok(ExitCode::SUCCESS)
            }
            Err(d) => {
                println!("{} [{}]", d.error, d.error.kind().name());
                for hint in &d.hints {
                    println!("  {hint}");
                }
                if d.hints.is_empty() {
                    println!("  cannot tell where: more than one character seems wrong, missing or extra");
                }
                Ok(ExitCode::FAILURE)
            }
        },
    }
}

/// `licensectl bundle …`.
pub fn bundle(args: BundleArgs) -> CliResult {
    if let Some(BundleCommand::Show { keys, bundle }) = args.command {
        let bytes = read(&bundle)?;
        let signed = if keys.is_empty() {
            println!("UNVERIFIED: the signature was NOT checked; pass --pub to verify.");
            KeyBundle::inspect_unverified(&bytes)?
        } else {
            let signed = KeyBundle::verify(&bytes, &trusted(&keys)?)?;
            println!("{}: signature OK", bundle.display());
            signed
        };
        println!("algorithm     {}", signed.algorithm);
        match signed.key_id {
            Some(id) => println!("key id        {id}{}", if signed.verified { "" } else { " (claimed)" }),
            None => println!("key id        (none)"),
        }
        println!("sha256        {}", signed.sha256_hex());
        println!();
        print!("{}", signed.bundle.to_table());
        return Ok(ExitCode::SUCCESS);
    }
    if args.template {
        print!("{}", KeyBundle::template(args.at.unwrap_or_else(now))?);
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(from), Some(out)) = (args.from, args.out) else {
        return Err(CliError::Io(
            "bundle needs --key (or --pkcs11-*), --from and --out (or --template, or show)".into(),
        ));
    };
    let key = crate::signer::open(&args.signer, "bundle")?;
    let json = String::from_utf8(read(&from)?)
        .map_err(|_| CliError::Io(format!("{} is not UTF-8", from.display())))?;
    let bundle = KeyBundle::from_json(&json)?;
    let alg = args.alg.unwrap_or_else(|| BundleAlgorithm::default_for(key.as_ref()));
    let bin = bundle.to_bin(key.as_ref(), alg)?;
    write(&out, &bin)?;
    println!(
        "signed the bundle of `{}` ({} + {} add-on) with {} key {} -> {} ({} bytes)",
        bundle.instance_id(),
        bundle.master().key(),
        bundle.addons().len(),
        alg,
        key.key_id(),
        out.display(),
        bin.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// `licensectl activate --pub VENDOR.pub.pem server.bin`.
pub fn activate_cmd(args: ActivateArgs) -> CliResult {
    let trusted = trusted(&args.keys)?;
    let profile = profile(args.profile.as_deref())?;
    let activation = activate(&read(&args.bundle)?, &trusted, &profile, args.at.unwrap_or_else(now))?;
    println!("activated");
    print!("{activation}");
    Ok(ExitCode::SUCCESS)
}

fn parse_feature(text: &str) -> Result<(String, Feature), CliError> {
    match text.split_once('=') {
        None => Ok((text.to_owned(), Feature::enabled())),
        Some((name, qty)) => {
            let q: u64 = qty
                .parse()
                .map_err(|_| CliError::Io(format!("--feature {text}: `{qty}` is not a quantity")))?;
            Ok((name.to_owned(), Feature::enabled().with_quantity(q)))
        }
    }
}

/// `licensectl account --file F …`.
pub fn account(args: AccountArgs) -> CliResult {
    let file = args.file.as_path();
    let t = args.at.unwrap_or_else(now);
    match args.command {
        AccountCommand::Init { customer } => {
            if file.exists() {
                return Err(CliError::Io(format!("{} exists; not overwriting", file.display())));
            }
            Account::new(customer, t)?.save(file)?;
            println!("created {}", file.display());
        }
        AccountCommand::Instances => print!("{}", Account::load(file)?.instances_table()),
        AccountCommand::AddInstance { id, name, location, software_version, profile: p } => {
            let instance = Instance::new(
                id,
                name,
                location.location()?,
                software_version.parse()?,
                profile(p.as_deref())?,
                t,
            )?;
            let fp = instance.fingerprint().to_string();
            Account::update_file(file, |a| a.add_instance(instance, t))?;
            println!("added; fingerprint {fp}");
        }
        AccountCommand::Rename { instance, name } => {
            Account::update_file(file, |a| a.rename(&instance, &name, t))?;
            println!("renamed `{instance}` to `{name}`");
        }
        AccountCommand::Relocate { instance, location } => {
            let location = location.location()?;
            let text = location.to_string();
            Account::update_file(file, |a| a.relocate(&instance, location, t))?;
            println!("moved `{instance}` to {text}");
        }
        AccountCommand::AddKey { kind, product, parent, features, status, expires } => {
            let key = LicenseKey::generate(kind, product, &mut rand::rngs::OsRng);
            let mut builder = KeyRecord::builder(key, t).status(status);
            if let Some(p) = parent {
                builder = builder.parent(p);
            }
            if let Some(e) = expires {
                builder = builder.expires_at(e);
            }
            for f in &features {
                let (name, feature) = parse_feature(f)?;
                builder = builder.feature(&name, feature);
            }
            let record = builder.build()?;
            Account::update_file(file, |a| a.add_key(record, t))?;
            println!("{key}");
        }
        AccountCommand::Keys { instance, show_addons } => {
            let account = Account::load(file)?;
            print!("{}", Account::keys_table(account.keys_of(&instance, show_addons)?));
        }
        AccountCommand::Key { key } => print!("{}", Account::load(file)?.key(key)?.to_table()),
        AccountCommand::Assign { key, instance } => {
            Account::update_file(file, |a| a.assign(key, &instance, t))?;
            println!("{key} is on `{instance}`");
        }
        AccountCommand::Unassign { key } => {
            Account::update_file(file, |a| a.unassign(key, t))?;
            println!("{key} is on no instance");
        }
        AccountCommand::Status { key, status } => {
            Account::update_file(file, |a| a.set_status(key, status, t))?;
            println!("{key} is {status}");
        }
        AccountCommand::Bundle { instance, signer, out, alg, expires } => {
            let signing = crate::signer::open(&signer, "account bundle")?;
            let bundle = Account::load(file)?.bundle(&instance, None, expires, t)?;
            let alg = alg.unwrap_or_else(|| BundleAlgorithm::default_for(signing.as_ref()));
            let bin = bundle.to_bin(signing.as_ref(), alg)?;
            write(&out, &bin)?;
            println!(
                "wrote {} ({} bytes): `{instance}`, master {}, {} add-on",
                out.display(),
                bin.len(),
                bundle.master().key(),
                bundle.addons().len()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The demo's section: keys with typo detection, an account, a signed
/// bundle for this machine, its activation, and refusals.
pub fn demo(today: OffsetDateTime) -> Result<(), license_core::Error> {
    crate::demo::heading("License keys, a signed key bundle (.bin) and offline activation");
    let mut rng = rand::rngs::OsRng;
    let product: ProductCode = "CRT".parse()?;
    let master = LicenseKey::generate(KeyKind::Master, product, &mut rng);
    let addon = LicenseKey::generate(KeyKind::Addon, product, &mut rng);
    println!("master key {master}, add-on key {addon}");
    let text = master.to_string();
    let typo: String = text
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i == 7 {
                if c == 'X' {
                    'Y'
                } else {
                    'X'
                }
            } else {
                c
            }
        })
        .collect();
    if let Err(d) = LicenseKey::diagnose(&typo) {
        println!("typed {typo}: {}", d.error.kind().name());
        for hint in d.hints {
            println!("  {hint}");
        }
    }

    let here = HardwareProfile::collect();
    let server = Instance::new(
        "srv-demo-01",
        "This machine",
        Location::new("Demo data centre", Some("GB"), None)?,
        "4.2.0".parse()?,
        here.clone(),
        today,
    )?;
    let mut account = Account::new("Example Ltd", today)?;
    account.add_instance(server, today)?;
    let master_record = KeyRecord::builder(master, today)
        .status(KeyStatus::Active)
        .feature("api", Feature::enabled().with_quantity(10))
        .feature("reports", Feature::enabled())
        .build()?;
    let addon_record = KeyRecord::builder(addon, today)
        .parent(master)
        .status(KeyStatus::Active)
        .feature("api", Feature::enabled().with_quantity(15))
        .feature("sso", Feature::enabled())
        .build()?;
    account.add_key(master_record, today)?;
    account.add_key(addon_record, today)?;
    match account.assign(addon, "srv-demo-01", today) {
        Err(e) => println!("assigning the add-on before its master is refused: {}", e.kind().name()),
        Ok(()) => println!("the add-on was assigned without its master: this must not happen"),
    }
    account.assign(master, "srv-demo-01", today)?;
    account.assign(addon, "srv-demo-01", today)?;
    print!("{}", account.instances_table());

    let vendor = SigningKey::generate(2048, &mut rng)?;
    let bin = account.bundle_for("srv-demo-01", &vendor, BundleAlgorithm::Ps256, today)?;
    println!("server.bin: {} bytes, COSE_Sign1 PS256, kid {}", bin.len(), vendor.key_id());
    let trusted = TrustedKeys::from(vendor.verifying_key().clone());
    let activation = activate(&bin, &trusted, &here, today)?;
    println!("activated on this machine:");
    print!("{activation}");

    let other = HardwareProfile {
        machine_id: Some("0123456789abcdef0123456789abcdef".into()),
        product_uuid: Some("00000000-1111-2222-3333-444444444444".into()),
        ..HardwareProfile::default()
    };
    let note = if Fingerprint::from_profile(&here).is_empty() {
        " (this machine shows no hardware ids)"
    } else {
        ""
    };
    match activate(&bin, &trusted, &other, today) {
        Err(e) => println!("the same .bin on another machine{note}: {} [{}]", e.detail(), e.kind().name()),
        Ok(_) => println!("the same .bin activated on another machine{note}"),
    }
    let mut tampered = bin.clone();
    let mid = tampered.len() / 2;
    tampered[mid] ^= 0x01;
    if let Err(e) = activate(&tampered, &trusted, &here, today) {
        println!("a .bin with one bit changed: {}", e.kind().name());
    }
    Ok(())
}

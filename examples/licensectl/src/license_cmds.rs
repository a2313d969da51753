//! Signed license documents: `keygen`, `issue`, `verify`, `show`, and the
//! demo's section on signing.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use license_core::{
    crypto::pkcs11::{Pkcs11Signer, TokenKeySpec},
    crypto::{Signer as _, DEFAULT_KEY_BITS},
    license::{ActionedLimit, ExpiryPolicy, InstanceBinding},
    Feature, License, SigningKey, TrustedKeys, VerifyingKey,
};
use time::{Duration, OffsetDateTime};

use crate::cli::{now, parse_time, read, write, CliError, CliResult};
use crate::signer::{SignerArgs, TokenArgs};

/// Arguments of `licensectl keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Writes PREFIX.key.pem (PKCS#8, private) and PREFIX.pub.pem (SPKI);
    /// with --pkcs11-module, only PREFIX.pub.pem (the private key stays
    /// in the token).
    #[arg(long, value_name = "PREFIX")]
    pub out: PathBuf,
    /// The RSA modulus size: 2048, 3072 or 4096 (the sizes the constant-time
    /// signer accepts). Kept for compatibility; `--alg` says the same and more.
    #[arg(long, default_value_t = DEFAULT_KEY_BITS)]
    pub bits: usize,
    /// The kind of key: rsa2048, rsa3072, rsa4096 or p256 (ECDSA P-256);
    /// default rsa3072 (or the `--bits` size).
    #[arg(long, value_enum, conflicts_with = "bits")]
    pub alg: Option<KeyAlgorithm>,
    #[command(flatten)]
    pub token: TokenArgs,
}

/// The kind of key `keygen` makes, in a file or in a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KeyAlgorithm {
    /// RSA with a 2048-bit modulus.
    Rsa2048,
    /// RSA with a 3072-bit modulus.
    Rsa3072,
    /// RSA with a 4096-bit modulus.
    Rsa4096,
    /// ECDSA on NIST P-256.
    P256,
}

/// Arguments of `licensectl issue`.
#[derive(Debug, Args)]
pub struct IssueArgs {
    /// Print a complete example of the license JSON (valid input to --from).
    #[arg(long, conflicts_with_all = ["key", "pkcs11_module", "from", "out"])]
    pub template: bool,
    #[command(flatten)]
    pub signer: SignerArgs,
    /// The license, as JSON (the serde form of the license model).
    #[arg(long, value_name = "LICENSE.json", required_unless_present = "template")]
    pub from: Option<PathBuf>,
    /// Where to write the signed license XML.
    #[arg(long, value_name = "LICENSE.xml", required_unless_present = "template")]
    pub out: Option<PathBuf>,
    /// The day the template is issued on (RFC 3339; default now).
    #[arg(long, requires = "template", value_parser = parse_time)]
    pub at: Option<OffsetDateTime>,
}

/// Arguments of `licensectl verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A trusted public key (SPKI PEM or DER); repeat for several.
    #[arg(long = "pub", value_name = "PUB.pem", required = true)]
    pub keys: Vec<PathBuf>,
    /// The signed license.
    #[arg(value_name = "LICENSE.xml")]
    pub license: PathBuf,
    /// Judge the license's and its features' expiry as of this instant
    /// (RFC 3339); default: now.
    #[arg(long, value_parser = parse_time)]
    pub at: Option<OffsetDateTime>,
}

/// Arguments of `licensectl show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The license document to display without verifying it.
    #[arg(value_name = "LICENSE.xml")]
    pub license: PathBuf,
    /// Judge the license's and its features' expiry as of this instant
    /// (RFC 3339); default: now.
    #[arg(long, value_parser = parse_time)]
    pub at: Option<OffsetDateTime>,
}

fn with_suffix(prefix: &Path, suffix: &str) -> PathBuf {
    let mut name = prefix.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Writes a new file that must not exist yet; private keys get mode 0600.
fn create_new(path: &Path, bytes: &[u8], private: bool) -> Result<(), CliError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file =
        options.open(path).map_err(|e| CliError::Io(format!("cannot create {}: {e}", path.display())))?;
    file.write_all(bytes).map_err(|e| CliError::Io(format!("cannot write {}: {e}", path.display())))
}

/// `licensectl keygen --out PREFIX`.
pub fn keygen(args: KeygenArgs) -> CliResult {
    let bits = match args.alg {
        None => args.bits,
        Some(KeyAlgorithm::Rsa2048) => 2048,
        Some(KeyAlgorithm::Rsa3072) => 3072,
        Some(KeyAlgorithm::Rsa4096) => 4096,
        Some(KeyAlgorithm::P256) => 0,
    };
    if let Some((module, token, label)) = args.token.named() {
        let spec = if args.alg == Some(KeyAlgorithm::P256) {
            TokenKeySpec::P256
        } else {
            TokenKeySpec::Rsa { bits }
        };
        return keygen_in_token(module, token, label, spec, &args.out);
    }
    let rng = &mut rand::rngs::OsRng;
    let key = match args.alg {
        Some(KeyAlgorithm::P256) => SigningKey::generate_p256(rng)?,
        _ => SigningKey::generate(bits, rng)?,
    };
    let key_path = with_suffix(&args.out, ".key.pem");
    let pub_path = with_suffix(&args.out, ".pub.pem");
    if pub_path.exists() {
        return Err(CliError::Io(format!("{} exists; not overwriting", pub_path.display())));
    }
    create_new(&key_path, key.to_pkcs8_pem()?.as_bytes(), true)?;
    create_new(&pub_path, key.verifying_key().to_public_key_pem().as_bytes(), false)?;
    println!("private key  {}", key_path.display());
    println!("public key   {}", pub_path.display());
    println!("key id       {}", key.key_id());
    println!("type         {}", key.key_type());
    println!("bits         {}", key.bits());
    Ok(ExitCode::SUCCESS)
}

/// `licensectl keygen --pkcs11-module … --out PREFIX`: the key pair is
/// made in the token and only its public half is written.
fn keygen_in_token(module: &Path, token: &str, label: &str, spec: TokenKeySpec, out: &Path) -> CliResult {
    let pub_path = with_suffix(out, ".pub.pem");
    // Checked first: a key made in the token whose public half could not be
    // written would need the token's tools to find again.
    if pub_path.exists() {
        return Err(CliError::Io(format!("{} exists; not overwriting", pub_path.display())));
    }
    let signer = Pkcs11Signer::generate(module, token, label, &crate::signer::pin()?, spec)?;
    create_new(&pub_path, signer.public_key_pem().as_bytes(), false)?;
    println!("private key  `{label}` in token `{token}` (sensitive, not extractable, sign only)");
    println!("public key   {}", pub_path.display());
    println!("key id       {}", signer.key_id());
    println!("kind         {spec}");
    Ok(ExitCode::SUCCESS)
}

/// The fingerprint of tests/vectors/profile/server.xml (the test suite
/// checks that it is): a real, valid binding for the template, so the
/// template issues as it stands. Replace it with the output of
/// `licensectl profile --fingerprint` on the customer's machine.
pub const TEMPLATE_FINGERPRINT: &str = concat!(
    "fp1;machine-id=dd648d7280145559b1fd909c718f50a8;product-uuid=14d1f9d4b9bd1911039f75523d4f96e1",
    ";board-serial=b58b0ca562fbf0711645556663b75187",
    ";mac=4c542e9efe8d109b3239b7add120f0ed,a5bf4f879dff7425bbbb088a6d7b7ce8",
    ";disk=85dccd7c3578bd87a3f704ac01f0a0a6,a0ff423a267b2284fbbafb7080185652",
    ";cpu=90a09937304a93ca6e5222006a5c4ca0"
);

/// A license with every field set, for `issue --template`: issued at the
/// start of `at`'s day and valid for a year from then, so that it issues
/// and installs as it stands on any day (dates fixed in the template would
/// make it expire under everyone who copies it).
pub fn template(at: OffsetDateTime) -> Result<License, license_core::Error> {
    let issued = at.replace_time(time::Time::MIDNIGHT);
    License::builder(format!("LIC-{}-0001", issued.year()), "certmgr", issued)
        .licensee("Example Ltd")
        .organisation("Example Group plc")
        .email("licensing@example.com")
        .expires_at(issued + Duration::days(365))
        .expiry_policy(ExpiryPolicy { warning_days: vec![60, 30, 5], grace_days: 14 })
        .feature("api", Feature::enabled().with_quantity(10))
        .feature("reports", Feature::enabled().with_expiry(issued + Duration::days(182)))
        .feature("sso", Feature::disabled())
        .actioned_limit(ActionedLimit::Counted(5_000))
        .binding(InstanceBinding {
            instance_id: "inst-0001".into(),
            fingerprint: TEMPLATE_FINGERPRINT.into(),
            policy: None,
        })
        .attribute("purchase-order", "PO-88123")
        .build()
}

/// `licensectl issue`.
pub fn issue(args: IssueArgs) -> CliResult {
    if args.template {
        println!("{}", template(args.at.unwrap_or_else(now))?.to_json());
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(from), Some(out)) = (args.from, args.out) else {
        return Err(CliError::Io(
            "issue needs --key (or --pkcs11-*), --from and --out (or --template)".into(),
        ));
    };
    let key = crate::signer::open(&args.signer, "issue")?;
    let json = String::from_utf8(read(&from)?)
        .map_err(|_| CliError::Io(format!("{} is not UTF-8", from.display())))?;
    let license = License::from_json(&json)?;
    let xml = license.sign(key.as_ref())?;
    write(&out, &xml)?;
    println!(
        "signed {} for {} with key {} -> {}",
        license.id(),
        license.licensee().name,
        key.key_id(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `licensectl verify --pub PUB.pem … LICENSE.xml`.
pub fn verify(args: VerifyArgs) -> CliResult {
    let mut trusted = TrustedKeys::new();
    for path in &args.keys {
        let key = VerifyingKey::from_public_key_bytes(&read(path)?)
            .map_err(|e| CliError::Io(format!("{}: {e} [{}]", path.display(), e.kind().name())))?;
        trusted.insert(key);
    }
    let verified = License::from_signed_xml(&read(&args.license)?, &trusted)?;
    println!("{}: signature OK", args.license.display());
    print!("{}", verified.to_table_at(args.at.unwrap_or_else(now)));
    Ok(ExitCode::SUCCESS)
}

/// `licensectl show LICENSE.xml`: display without verifying.
pub fn show(args: ShowArgs) -> CliResult {
    let seen = License::inspect_unverified(&read(&args.license)?)?;
    println!("UNVERIFIED: the signature was NOT checked; use `licensectl verify` before trusting this.");
    print!("{}", seen.license().to_table_at(args.at.unwrap_or_else(now)));
    println!("signature (claimed)  {}", if seen.has_signature() { "present, not checked" } else { "none" });
    if let Some(name) = seen.claimed_key_name() {
        println!("key name (claimed)   {name}");
    }
    println!("document sha256      {}", seen.sha256_hex());
    Ok(ExitCode::SUCCESS)
}

/// The demo's section: sign a license, verify it, and watch an edit fail.
pub fn demo(license: &License) -> Result<(), license_core::Error> {
    crate::demo::heading("A signed license (XML-DSig, RSA-SHA256, exclusive C14N)");
    let key = SigningKey::generate(DEFAULT_KEY_BITS, &mut rand::rngs::OsRng)?;
    let xml = license.sign(&key)?;
    println!(
        "signed {} with a new {}-bit key {}: {} bytes of XML",
        license.id(),
        key.bits(),
        key.key_id(),
        xml.len()
    );
    let trusted = TrustedKeys::from(key.verifying_key().clone());
    let verified = License::from_signed_xml(&xml, &trusted)?;
    println!("verified: key {}, document sha256 {}", verified.key_id(), verified.signed_sha256_hex());
    let text = String::from_utf8_lossy(&xml);
    let limit = license.actioned_limit().counted().unwrap_or(0).to_string();
    let edited = text.replacen(&format!("count=\"{limit}\""), "count=\"999999\"", 1);
    match License::from_signed_xml(edited.as_bytes(), &trusted) {
        Ok(_) => println!("an edited copy verified: this must not happen"),
        Err(e) => println!("an edited copy (actioned limit raised) is refused: {e} [{}]", e.kind().name()),
    }
    Ok(())
}

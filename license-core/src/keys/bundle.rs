//! The key bundle (`.bin`): a server's master key and add-on keys, bound to
//! its hardware, signed by the vendor as a COSE_Sign1 message.
//!
//! The format is specified field by field in docs/FORMATS.md ("Key bundle").
//! In short: a tagged COSE_Sign1 (RFC 9052, tag 18) whose protected header
//! holds `alg` (PS256, RFC 8230, RS256, RFC 8812, or ES256, RFC 9053, with
//! the signature raw `r‖s`), `content type`
//! [`BUNDLE_CONTENT_TYPE`] and `kid` (the 32 bytes of the vendor key's
//! [`KeyId`]); the unprotected header is empty; the payload is the
//! deterministic CBOR encoding of the bundle's serde form.

use std::fmt;

use coset::iana;
use coset::{CoseError, CoseSign1, CoseSign1Builder, HeaderBuilder, TaggedCborSerializable};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::cbor;
use super::key::KeyKind;
use super::record::{KeyRecord, KeyRecordBuilder};
use crate::crypto::{candidate_keys, check_signature_form, require_algorithm, SignatureAlgorithm, Signer};
use crate::table::Table;
use crate::text::check_instance_id;
use crate::{
    instance::MatchPolicy, timefmt, Error, ErrorKind, Fingerprint, KeyId, Result, TrustedKeys, VerifyingKey,
};

/// The largest `.bin` accepted, in bytes (1 MiB).
pub const MAX_BUNDLE_BYTES: usize = 1 << 20;

/// The COSE content type of a key bundle's payload.
pub const BUNDLE_CONTENT_TYPE: &str = "application/vnd.license-core.key-bundle+cbor";

/// The payload format version this library writes and reads.
pub const BUNDLE_VERSION: u32 = 1;

/// The signature algorithm of a bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BundleAlgorithm {
    /// RSASSA-PSS with SHA-256 (COSE `PS256`, -37; RFC 8230). Signatures
    /// are salted, so two signings of one bundle differ.
    Ps256,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (COSE `RS256`, -257; RFC 8812).
    /// Deterministic: one bundle, one key, one `.bin`.
    Rs256,
    /// ECDSA on P-256 with SHA-256 (COSE `ES256`, -7; RFC 9053), the
    /// signature raw `r‖s` (64 bytes). Signed with a P-256 key; two
    /// signings of one bundle differ.
    Es256,
}

impl BundleAlgorithm {
    fn iana(self) -> iana::Algorithm {
        match self {
            BundleAlgorithm::Ps256 => iana::Algorithm::PS256,
            BundleAlgorithm::Rs256 => iana::Algorithm::RS256,
            BundleAlgorithm::Es256 => iana::Algorithm::ES256,
        }
    }

    /// The signature scheme a [`Signer`] makes for this algorithm.
    pub fn signature_algorithm(self) -> SignatureAlgorithm {
        match self {
            BundleAlgorithm::Ps256 => SignatureAlgorithm::RsaPssSha256,
            BundleAlgorithm::Rs256 => SignatureAlgorithm::RsaPkcs1v15Sha256,
            BundleAlgorithm::Es256 => SignatureAlgorithm::EcdsaP256Sha256,
        }
    }

    /// The COSE name (`PS256`, `RS256`, `ES256`).
    pub fn name(self) -> &'static str {
        match self {
            BundleAlgorithm::Ps256 => "PS256",
            BundleAlgorithm::Rs256 => "RS256",
            BundleAlgorithm::Es256 => "ES256",
        }
    }

    /// The algorithm a bundle signed by `signer` uses when none is chosen:
    /// RS256 (deterministic) for a signer that makes it, else ES256 for a
    /// P-256 signer, else PS256.
    pub fn default_for(signer: &dyn Signer) -> BundleAlgorithm {
        let makes = signer.algorithms();
        [BundleAlgorithm::Rs256, BundleAlgorithm::Es256, BundleAlgorithm::Ps256]
            .into_iter()
            .find(|a| makes.contains(&a.signature_algorithm()))
            .unwrap_or(BundleAlgorithm::Rs256)
    }
}

impl fmt::Display for BundleAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for BundleAlgorithm {
    type Err = Error;

    fn from_str(s: &str) -> Result<BundleAlgorithm> {
        match s.to_ascii_uppercase().as_str() {
            "PS256" => Ok(BundleAlgorithm::Ps256),
            "RS256" => Ok(BundleAlgorithm::Rs256),
            "ES256" => Ok(BundleAlgorithm::Es256),
            _ => Err(Error::new(
                ErrorKind::UnsupportedAlgorithm,
                format!("`{}`: bundles are signed with PS256, RS256 or ES256", s.escape_debug()),
            )),
        }
    }
}

/// A server license file's contents: the instance, its hardware
/// fingerprint and match policy, the issue time and optional expiry, the
/// master key record and every add-on key record of that instance.
///
/// Every value is checked: the master is a master key, every add-on names it
/// as parent, no key appears twice, records assigned to an instance are
/// assigned to this one. Add-ons are kept in key order, so the encoding does
/// not depend on the order they were given in.
///
/// ```
/// use license_core::keys::{BundleAlgorithm, KeyKind, KeyRecord, KeyStatus};
/// use license_core::{Fingerprint, HardwareProfile, KeyBundle, LicenseKey, SigningKey, TrustedKeys};
/// use time::macros::datetime;
/// # let pem = include_str!("../../../tests/vectors/keys/vendor-2048.key.pem");
/// let vendor = SigningKey::from_pkcs8_pem(pem)?;
/// let now = datetime!(2026-11-23 0:00 UTC);
/// let m = LicenseKey::new(KeyKind::Master, "CRT".parse()?, 1)?;
/// let master = KeyRecord::builder(m, now).status(KeyStatus::Active).build()?;
/// let mut profile = HardwareProfile::default();
/// profile.machine_id = Some("3d1219c7c4c5404aaa1f6d2a48adfda4".into());
/// let bundle = KeyBundle::builder("srv-1", &Fingerprint::from_profile(&profile), now, master).build()?;
/// let bin = bundle.to_bin(&vendor, BundleAlgorithm::Rs256)?;
/// let trusted = TrustedKeys::from(vendor.verifying_key().clone());
/// assert_eq!(KeyBundle::from_bin(&bin, &trusted)?, bundle);
/// # Ok::<(), license_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyBundle {
    instance_id: String,
    fingerprint: Fingerprint,
    policy: MatchPolicy,
    issued_at: OffsetDateTime,
    expires_at: Option<OffsetDateTime>,
    master: KeyRecord,
    addons: Vec<KeyRecord>,
}

/// Collects a bundle's values and checks them in [`KeyBundleBuilder::build`].
/// It is also the bundle's serde form: the `BUNDLE.json` that
/// `licensectl bundle --from` reads, and (as CBOR) the signed payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyBundleBuilder {
    version: u32,
    instance_id: String,
    fingerprint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    policy: Option<String>,
    #[serde(with = "timefmt::rfc3339")]
    issued_at: OffsetDateTime,
    #[serde(default, with = "timefmt::rfc3339::option", skip_serializing_if = "Option::is_none")]
    expires_at: Option<OffsetDateTime>,
    master: KeyRecordBuilder,
    #[serde(default)]
    addons: Vec<KeyRecordBuilder>,
}

impl KeyBundleBuilder {
    /// Sets the match policy (the default is [`MatchPolicy::default`], which
    /// is written into the bundle explicitly).
    pub fn policy(mut self, policy: &MatchPolicy) -> Self {
        self.policy = Some(policy.to_string());
        self
    }

    /// Sets when the bundle stops activating.
    pub fn expires_at(mut self, expires_at: OffsetDateTime) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// Adds an add-on key record.
    pub fn addon(mut self, record: KeyRecord) -> Self {
        self.addons.push(record.into());
        self
    }

    /// Checks every value; each rule has its own [`ErrorKind`]:
    /// unknown `version` ([`ErrorKind::UnsupportedVersion`]), a master that
    /// is an add-on ([`ErrorKind::NotAMasterKey`]), a master listed among
    /// the add-ons ([`ErrorKind::KeyKindMismatch`]), an add-on whose master
    /// is not this bundle's ([`ErrorKind::ParentKeyMissing`]), a key twice
    /// with different records ([`ErrorKind::DuplicateKey`]; identical copies
    /// collapse into one), a record assigned to another instance
    /// ([`ErrorKind::WrongInstance`]), expiry not after issue, bad
    /// fingerprint or policy text.
    pub fn build(self) -> Result<KeyBundle> {
        if self.version != BUNDLE_VERSION {
            return Err(Error::new(
                ErrorKind::UnsupportedVersion,
                format!("bundle version {} (this library reads {BUNDLE_VERSION})", self.version),
            ));
        }
        check_instance_id(&self.instance_id)?;
        let fingerprint: Fingerprint = self.fingerprint.parse()?;
        let policy: MatchPolicy = match &self.policy {
            Some(p) => p.parse()?,
            None => MatchPolicy::default(),
        };
        let issued_at = timefmt::normalize(self.issued_at, "bundle issued_at")?;
        let expires_at = self.expires_at.map(|e| timefmt::normalize(e, "bundle expires_at")).transpose()?;
        if let Some(e) = expires_at.filter(|&e| e <= issued_at) {
            return Err(Error::new(
                ErrorKind::ExpiryNotAfterIssue,
                format!(
                    "bundle expires_at {} <= issued_at {}",
                    timefmt::format(e),
                    timefmt::format(issued_at)
                ),
            ));
        }
        let master = self.master.build()?;
        if master.kind() != KeyKind::Master {
            return Err(Error::new(
                ErrorKind::NotAMasterKey,
                format!("the bundle's master key {} is an add-on key", master.key()),
            ));
        }
        let mut addons: Vec<KeyRecord> = Vec::with_capacity(self.addons.len());
        for builder in self.addons {
            let record = builder.build()?;
            let key = record.key();
            if record.kind() != KeyKind::Addon {
                let kind =
                    if key == master.key() { ErrorKind::DuplicateKey } else { ErrorKind::KeyKindMismatch };
                return Err(Error::new(kind, format!("master key {key} is listed among the add-ons")));
            }
            if record.parent() != Some(master.key()) {
                return Err(Error::new(
                    ErrorKind::ParentKeyMissing,
                    format!(
                        "add-on key {key} belongs to master {}, which is not this bundle's master {}",
                        record.parent().map_or_else(|| "(none)".to_owned(), |p| p.to_string()),
                        master.key()
                    ),
                ));
            }
            match addons.iter().find(|a| a.key() == key) {
                Some(same) if *same == record => continue,
                Some(_) => {
                    return Err(Error::new(
                        ErrorKind::DuplicateKey,
                        format!("add-on key {key} appears twice with different records"),
                    ))
                }
                None => addons.push(record),
            }
        }
        addons.sort_by_key(KeyRecord::key);
        for record in std::iter::once(&master).chain(&addons) {
            if let Some(other) = record.instance().filter(|&i| i != self.instance_id) {
                return Err(Error::new(
                    ErrorKind::WrongInstance,
                    format!(
                        "key {} is assigned to instance `{}`, the bundle is for `{}`",
                        record.key(),
                        other.escape_debug(),
                        self.instance_id.escape_debug()
                    ),
                ));
            }
        }
        Ok(KeyBundle {
            instance_id: self.instance_id,
            fingerprint,
            policy,
            issued_at,
            expires_at,
            master,
            addons,
        })
    }
}

impl From<KeyBundle> for KeyBundleBuilder {
    fn from(b: KeyBundle) -> KeyBundleBuilder {
        KeyBundleBuilder {
            version: BUNDLE_VERSION,
            instance_id: b.instance_id,
            fingerprint: b.fingerprint.to_string(),
            policy: Some(b.policy.to_string()),
            issued_at: b.issued_at,
            expires_at: b.expires_at,
            master: b.master.into(),
            addons: b.addons.into_iter().map(Into::into).collect(),
        }
    }
}

/// What [`KeyBundle::inspect_unverified`] and [`KeyBundle::verify`] read besides the
/// bundle: how it is signed, and by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedBundle {
    /// The bundle.
    pub bundle: KeyBundle,
    /// The signature algorithm.
    pub algorithm: BundleAlgorithm,
    /// The `kid` header: the signing key's id, if the bundle names it.
    pub key_id: Option<KeyId>,
    /// Whether the signature was checked against a trusted key (false only
    /// from [`KeyBundle::inspect_unverified`]).
    pub verified: bool,
    /// SHA-256 of the `.bin` bytes, exactly as given: what proof-of-purchase
    /// certificates print to identify the bundle.
    pub sha256: [u8; 32],
}

impl SignedBundle {
    /// [`SignedBundle::sha256`] as 64 lowercase hex digits.
    pub fn sha256_hex(&self) -> String {
        crate::digest::hex(&self.sha256)
    }
}

/// The parts of a COSE_Sign1 envelope a bundle needs, checked.
struct Envelope {
    sign1: CoseSign1,
    algorithm: BundleAlgorithm,
    key_id: Option<KeyId>,
}

/// The header parameters this reader processes; only these may be critical.
const UNDERSTOOD: [iana::HeaderParameter; 3] =
    [iana::HeaderParameter::Alg, iana::HeaderParameter::ContentType, iana::HeaderParameter::Kid];

fn cose_error(e: CoseError, what: &str) -> Error {
    match e {
        CoseError::DecodeFailed(e) => cbor::decode_error(e, what),
        CoseError::DuplicateMapKey => {
            Error::new(ErrorKind::DuplicateMapKey, format!("{what}: a header map has a label twice"))
        }
        CoseError::ExtraneousData => {
            Error::new(ErrorKind::TrailingBytes, format!("{what}: bytes after the COSE_Sign1 message"))
        }
        CoseError::UnexpectedItem(got, want) => {
            Error::new(ErrorKind::BundleFormat, format!("{what}: found {got} where {want} belongs"))
        }
        other => Error::new(ErrorKind::BundleFormat, format!("{what}: {other}")),
    }
}

impl Envelope {
    fn parse(bytes: &[u8]) -> Result<Envelope> {
        if bytes.len() > MAX_BUNDLE_BYTES {
            return Err(Error::new(
                ErrorKind::InputTooLarge,
                format!("the bundle is {} bytes, over the limit of {MAX_BUNDLE_BYTES}", bytes.len()),
            ));
        }
        let sign1 = CoseSign1::from_tagged_slice(bytes).map_err(|e| cose_error(e, "bundle"))?;
        let protected = &sign1.protected.header;
        let algorithm = match &protected.alg {
            Some(coset::Algorithm::Assigned(iana::Algorithm::PS256)) => BundleAlgorithm::Ps256,
            Some(coset::Algorithm::Assigned(iana::Algorithm::RS256)) => BundleAlgorithm::Rs256,
            Some(coset::Algorithm::Assigned(iana::Algorithm::ES256)) => BundleAlgorithm::Es256,
            Some(other) => {
                return Err(Error::new(
                    ErrorKind::UnsupportedAlgorithm,
                    format!("bundle alg {other:?}: only PS256, RS256 and ES256 are accepted"),
                ))
            }
            None => {
                return Err(Error::new(
                    ErrorKind::UnsupportedAlgorithm,
                    "the bundle's protected header names no alg",
                ))
            }
        };
        for label in &protected.crit {
            let understood =
                matches!(label, coset::RegisteredLabelWithPrivate::Assigned(p) if UNDERSTOOD.contains(p));
            if !understood {
                return Err(Error::new(
                    ErrorKind::UnknownCriticalHeader,
                    format!("critical header parameter {label:?} is not understood"),
                ));
            }
        }
        match &protected.content_type {
            Some(coset::ContentType::Text(t)) if t == BUNDLE_CONTENT_TYPE => {}
            other => {
                return Err(Error::new(
                    ErrorKind::WrongDocumentType,
                    format!("content type {other:?}, not `{BUNDLE_CONTENT_TYPE}`: not a key bundle"),
                ))
            }
        }
        // Nothing unsigned may change what is read: the unprotected header
        // may only carry the kid (which picks a key but cannot make a wrong
        // signature verify).
        let unprotected = &sign1.unprotected;
        let only_kid = coset::Header { key_id: Vec::new(), ..unprotected.clone() }.is_empty();
        if !only_kid {
            return Err(Error::new(
                ErrorKind::BundleFormat,
                "the unprotected header carries parameters other than kid",
            ));
        }
        let kid = match (protected.key_id.is_empty(), unprotected.key_id.is_empty()) {
            (true, true) => None,
            (false, true) => Some(&protected.key_id),
            (true, false) => Some(&unprotected.key_id),
            (false, false) => {
                return Err(Error::new(
                    ErrorKind::BundleFormat,
                    "kid is in both the protected and unprotected header",
                ))
            }
        };
        let key_id = kid
            .map(|kid| {
                <[u8; 32]>::try_from(kid.as_slice()).map(KeyId::from_bytes).map_err(|_| {
                    Error::new(ErrorKind::UnknownKeyId, format!("kid is {} bytes; key ids are 32", kid.len()))
                })
            })
            .transpose()?;
        if sign1.payload.is_none() {
            return Err(Error::new(ErrorKind::BundleFormat, "the payload is detached (nil)"));
        }
        // One signed bundle, one byte string: certificates print the
        // SHA-256 of the `.bin`, and any re-encoding (indefinite lengths,
        // wider heads) would keep the signature valid. Refused here, before
        // any signature work.
        cbor::check_canonical(bytes, "bundle")?;
        if let Some(protected) = sign1.protected.original_data.as_deref().filter(|p| !p.is_empty()) {
            cbor::check_canonical(protected, "bundle protected header")?;
        }
        Ok(Envelope { sign1, algorithm, key_id })
    }

    fn verify(&self, trusted: &TrustedKeys) -> Result<()> {
        if trusted.is_empty() {
            return Err(Error::new(ErrorKind::NoTrustedKeys, "verifying a key bundle"));
        }
        let scheme = self.algorithm.signature_algorithm();
        let candidates = candidate_keys(trusted, self.key_id.as_ref(), scheme, "the bundle")?;
        check_signature_form(scheme, &self.sign1.signature)?;
        let check = |key: &VerifyingKey| {
            self.sign1.verify_signature(b"", |signature, tbs| key.verify(scheme, tbs, signature))
        };
        match candidates.as_slice() {
            [key] if self.key_id.is_some() => check(key),
            // No kid: any trusted key of the algorithm's kind that verifies.
            _ if candidates.iter().any(|key| check(key).is_ok()) => Ok(()),
            _ => Err(Error::new(ErrorKind::SignatureMismatch, "no trusted key verifies the bundle")),
        }
    }

    fn bundle(&self) -> Result<KeyBundle> {
        let payload = self.sign1.payload.as_deref().unwrap_or_default();
        let value = cbor::read_value(payload, "bundle payload")?;
        cbor::require_canonical(&value, payload, "bundle payload")?;
        let form: KeyBundleBuilder = cbor::from_value(value, "bundle payload")?;
        form.build()
    }
}

impl KeyBundle {
    /// Starts a bundle for `instance_id` bound to `fingerprint`, issued at
    /// `issued_at`, with its master key record.
    pub fn builder(
        instance_id: impl Into<String>,
        fingerprint: &Fingerprint,
        issued_at: OffsetDateTime,
        master: KeyRecord,
    ) -> KeyBundleBuilder {
        KeyBundleBuilder {
            version: BUNDLE_VERSION,
            instance_id: instance_id.into(),
            fingerprint: fingerprint.to_string(),
            policy: None,
            issued_at,
            expires_at: None,
            master: master.into(),
            addons: Vec::new(),
        }
    }

    /// Reads `BUNDLE.json` (the serde form of [`KeyBundleBuilder`]) and
    /// checks it.
    pub fn from_json(json: &str) -> Result<KeyBundle> {
        let builder: KeyBundleBuilder = serde_json::from_str(json).map_err(|e| {
            Error::new(
                ErrorKind::InvalidJson,
                format!("bundle JSON at line {} column {}: {e}", e.line(), e.column()),
            )
        })?;
        builder.build()
    }

    /// The bundle's JSON form, pretty-printed, deterministic.
    pub fn to_json(&self) -> String {
        // Plain data always serialises.
        serde_json::to_string_pretty(&KeyBundleBuilder::from(self.clone())).unwrap_or_default()
    }

    /// The signed payload: the deterministic CBOR of the serde form.
    pub fn payload(&self) -> Result<Vec<u8>> {
        cbor::to_canonical_vec(&KeyBundleBuilder::from(self.clone()), "bundle payload")
    }

    /// The `.bin`: a tagged COSE_Sign1 over [`Self::payload`], signed
    /// through `signer` (a [`SigningKey`](crate::SigningKey), or a key in a
    /// hardware token) with `algorithm`. A PS256 salt is the signer's own
    /// randomness.
    pub fn to_bin(&self, signer: &dyn Signer, algorithm: BundleAlgorithm) -> Result<Vec<u8>> {
        sign_payload(self.payload()?, signer, algorithm)
    }

    /// Verifies a `.bin` against the trusted keys and returns the bundle;
    /// nothing is read from the payload before the signature is checked.
    /// Bad input is refused with its own [`ErrorKind`]: over 1 MiB
    /// (`InputTooLarge`), truncated (`Truncated`), bytes after the message
    /// (`TrailingBytes`), wrong CBOR types or shape (`BundleFormat`), a
    /// critical header this reader does not process
    /// (`UnknownCriticalHeader`), an algorithm other than PS256/RS256
    /// (`UnsupportedAlgorithm`), a map key twice (`DuplicateMapKey`), a
    /// kid not trusted (`UnknownKeyId`), any encoding but the deterministic
    /// one, of the message, its protected header or its payload
    /// (`NonCanonicalCbor`, before the signature is checked for the first
    /// two), a bad signature
    /// (`SignatureMismatch`), an add-on whose master is missing
    /// (`ParentKeyMissing`), and the rules of [`KeyBundleBuilder::build`].
    pub fn from_bin(bytes: &[u8], trusted: &TrustedKeys) -> Result<KeyBundle> {
        KeyBundle::verify(bytes, trusted).map(|s| s.bundle)
    }

    /// Like [`Self::from_bin`], also saying how the bundle was signed.
    pub fn verify(bytes: &[u8], trusted: &TrustedKeys) -> Result<SignedBundle> {
        let envelope = Envelope::parse(bytes)?;
        envelope.verify(trusted)?;
        let bundle = envelope.bundle()?;
        Ok(SignedBundle {
            bundle,
            algorithm: envelope.algorithm,
            key_id: envelope.key_id,
            verified: true,
            sha256: crate::digest::sha256(bytes),
        })
    }

    /// Reads a `.bin` WITHOUT checking its signature, for display only
    /// (`licensectl bundle show` without `--pub`). Never act on the result.
    pub fn inspect_unverified(bytes: &[u8]) -> Result<SignedBundle> {
        let envelope = Envelope::parse(bytes)?;
        let bundle = envelope.bundle()?;
        Ok(SignedBundle {
            bundle,
            algorithm: envelope.algorithm,
            key_id: envelope.key_id,
            verified: false,
            sha256: crate::digest::sha256(bytes),
        })
    }

    /// A complete example of `BUNDLE.json`, valid input for
    /// [`Self::from_json`] (printed by `licensectl bundle --template`).
    pub fn template(now: OffsetDateTime) -> Result<String> {
        Ok(template_bundle(now)?.to_json())
    }

    /// The instance the bundle is for.
    pub fn instance_id(&self) -> &str {
        &self.instance_id
    }

    /// The instance's hardware fingerprint.
    pub fn fingerprint(&self) -> &Fingerprint {
        &self.fingerprint
    }

    /// How closely a machine must match the fingerprint.
    pub fn policy(&self) -> &MatchPolicy {
        &self.policy
    }

    /// When the bundle was issued.
    pub fn issued_at(&self) -> OffsetDateTime {
        self.issued_at
    }

    /// When the bundle stops activating; `None` for never.
    pub fn expires_at(&self) -> Option<OffsetDateTime> {
        self.expires_at
    }

    /// The master key record.
    pub fn master(&self) -> &KeyRecord {
        &self.master
    }

    /// The add-on key records, in key order.
    pub fn addons(&self) -> &[KeyRecord] {
        &self.addons
    }

    /// The bundle as aligned tables: its own fields, then one block per key.
    pub fn to_table(&self) -> String {
        let mut t = Table::new();
        t.row(["instance", self.instance_id.as_str()]);
        t.row(["issued", &timefmt::format(self.issued_at)]);
        t.row(["expires", &self.expires_at.map_or_else(|| "never".to_owned(), timefmt::format)]);
        t.row(["fingerprint", &self.fingerprint.to_string()]);
        t.row(["match policy", &self.policy.to_string()]);
        t.row(["keys", &format!("1 master, {} add-on", self.addons.len())]);
        let mut out = t.render();
        for record in std::iter::once(&self.master).chain(&self.addons) {
            out.push('\n');
            out.push_str(&record.to_table());
        }
        out
    }
}

/// Signs an encoded payload as a bundle (also used by tests to sign
/// payloads the builder would refuse, to reach the checks after the
/// signature).
pub(crate) fn sign_payload(
    payload: Vec<u8>,
    signer: &dyn Signer,
    algorithm: BundleAlgorithm,
) -> Result<Vec<u8>> {
    let scheme = algorithm.signature_algorithm();
    require_algorithm(signer, scheme, &format!("a {algorithm} bundle"))?;
    let protected = HeaderBuilder::new()
        .algorithm(algorithm.iana())
        .content_type(BUNDLE_CONTENT_TYPE.to_owned())
        .key_id(signer.key_id().as_bytes().to_vec())
        .build();
    let sign1 = CoseSign1Builder::new()
        .protected(protected)
        .payload(payload)
        .try_create_signature(b"", |tbs| signer.sign(scheme, tbs))?
        .build();
    sign1.to_tagged_vec().map_err(|e| cose_error(e, "bundle"))
}

/// The example of `BUNDLE.json`: built from values, so it is valid input by
/// construction.
fn template_bundle(now: OffsetDateTime) -> Result<KeyBundle> {
    use crate::{instance::NetworkInterface, keys::KeyStatus, Feature, HardwareProfile, LicenseKey};
    let product = "CRT".parse()?;
    let master_key = LicenseKey::new(KeyKind::Master, product, 0x0A5_1234_5678)?;
    let addon_key = LicenseKey::new(KeyKind::Addon, product, 0x0B6_8765_4321)?;
    let master = KeyRecord::builder(master_key, now)
        .feature("api", Feature::enabled().with_quantity(10))
        .feature("reports", Feature::enabled())
        .status(KeyStatus::Active)
        .instance("srv-eu-01")
        .build()?;
    let addon = KeyRecord::builder(addon_key, now)
        .parent(master_key)
        .feature("api", Feature::enabled().with_quantity(5))
        .feature("sso", Feature::enabled())
        .status(KeyStatus::Active)
        .instance("srv-eu-01")
        .expires_at(now + time::Duration::days(365))
        .build()?;
    let profile = HardwareProfile {
        machine_id: Some("3d1219c7c4c5404aaa1f6d2a48adfda4".into()),
        product_uuid: Some("4c4c4544-0042-3510-8052-b3c04f4e4e32".into()),
        interfaces: vec![NetworkInterface {
            name: "eno1".into(),
            mac: Some("b0:83:fe:11:22:33".into()),
            physical: true,
        }],
        ..HardwareProfile::default()
    };
    KeyBundle::builder("srv-eu-01", &Fingerprint::from_profile(&profile), now, master)
        .expires_at(now + time::Duration::days(365))
        .addon(addon)
        .build()
}

#[cfg(test)]
#[path = "bundle_encoding_tests.rs"]
mod encoding_tests;
#[cfg(test)]
#[path = "bundle_tests.rs"]
pub(crate) mod tests;

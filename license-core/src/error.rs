//! The one error type of the library.
//!
//! Every failure is an [`Error`]: a stable [`ErrorKind`] saying *what* went
//! wrong, and a free-text detail saying *where* (a field, a line number, an
//! element path, a byte offset). The kind's numeric [`ErrorKind::code`] is a
//! contract: the C ABI returns it as `lc_status` and the Python exceptions
//! carry it as `.code`, so a value, once published, is never reused or
//! renumbered. Codes are grouped in ranges of a hundred by [`ErrorFamily`].
//!
//! ```
//! use license_core::error::ErrorFamily;
//! use license_core::{ErrorKind, License};
//! use time::macros::datetime;
//!
//! let err = License::builder("LIC-1", "certmgr", datetime!(2026-01-01 0:00 UTC))
//!     .licensee("Example Ltd")
//!     .expires_at(datetime!(2025-01-01 0:00 UTC))
//!     .build()
//!     .unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::ExpiryNotAfterIssue); // what, for programs
//! println!("{err}"); // what and where, for people
//!
//! // The kind's code, name and family are the same on every surface.
//! assert_eq!(err.kind().code(), 104); // C: lc_status; Python: .code
//! assert_eq!(err.kind().name(), "expiry_not_after_issue");
//! assert_eq!(err.kind().family(), ErrorFamily::Invalid);
//! assert_eq!(ErrorKind::from_code(104), Some(ErrorKind::ExpiryNotAfterIssue));
//! ```

use std::borrow::Cow;
use std::fmt;

/// The broad family of an [`ErrorKind`]; Python raises one exception class
/// per family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ErrorFamily {
    /// A value given to a builder or constructor is invalid (1xx).
    Invalid,
    /// A document or file is malformed (2xx).
    Format,
    /// A signature or signing key is missing, unknown, weak or wrong (3xx).
    Signature,
    /// A license cannot be installed or the store is unusable (4xx).
    Store,
    /// A license or key has expired (part of 4xx/6xx, own family).
    Expired,
    /// A license or bundle is bound to another product, instance or machine.
    Binding,
    /// The certificate inventory or its interchange formats (5xx).
    Count,
    /// Server instances and hardware profiles (55x).
    Instance,
    /// License keys, key bundles and the vendor account (6xx).
    Key,
    /// Reading or writing files (9xx).
    Io,
}

macro_rules! error_kinds {
    ($( $(#[$meta:meta])* $variant:ident = $code:literal, $family:ident, $name:literal, $message:literal; )*) => {
        /// What went wrong, with a stable numeric code.
        ///
        /// The codes are shared with the C ABI (`lc_status`) and the Python
        /// exceptions (`.code`); they are never reused or renumbered.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $( $(#[$meta])* #[doc = concat!("`", $code, "` ", $message, ".")] $variant, )*
        }

        impl ErrorKind {
            /// Every kind, in code order.
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$variant),*];

            /// The stable numeric code of this kind.
            pub const fn code(self) -> u32 {
                match self { $(ErrorKind::$variant => $code,)* }
            }

            /// The kind with this code, if there is one.
            pub const fn from_code(code: u32) -> Option<ErrorKind> {
                match code { $($code => Some(ErrorKind::$variant),)* _ => None }
            }

            /// The stable snake_case name of this kind (used in JSON and
            /// as the C ABI's `lc_status_name` suffix).
            pub const fn name(self) -> &'static str {
                match self { $(ErrorKind::$variant => $name,)* }
            }

            /// The family this kind belongs to.
            pub const fn family(self) -> ErrorFamily {
                match self { $(ErrorKind::$variant => ErrorFamily::$family,)* }
            }

            /// A short human description of this kind.
            pub const fn message(self) -> &'static str {
                match self { $(ErrorKind::$variant => $message,)* }
            }
        }
    };
}

error_kinds! {
    // 1xx: values given to builders and constructors.
    EmptyLicenseId = 100, Invalid, "empty_license_id", "the license id is empty";
    EmptyProduct = 101, Invalid, "empty_product", "the product is empty";
    EmptyLicensee = 102, Invalid, "empty_licensee", "the licensee name is empty";
    InvalidEmail = 103, Invalid, "invalid_email", "the contact e-mail address is not valid";
    ExpiryNotAfterIssue = 104, Invalid, "expiry_not_after_issue", "the expiry is not after the issue time";
    DuplicateFeature = 105, Invalid, "duplicate_feature", "a feature name appears twice";
    InvalidFeatureName = 106, Invalid, "invalid_feature_name", "a feature name is empty or has characters outside [A-Za-z0-9._-]";
    FeatureExpiryNotAfterIssue = 107, Invalid, "feature_expiry_not_after_issue", "a feature expires before the license is issued";
    InvalidAttributeName = 108, Invalid, "invalid_attribute_name", "an attribute name is empty or has characters outside [A-Za-z0-9._-]";
    InvalidWarningThresholds = 109, Invalid, "invalid_warning_thresholds", "the expiry warning thresholds are empty, zero or repeated";
    InvalidBinding = 110, Invalid, "invalid_binding", "the instance binding is incomplete";
    InvalidTime = 111, Invalid, "invalid_time", "a time is not valid RFC 3339 or out of range";
    InvalidJson = 112, Invalid, "invalid_json", "a JSON document does not match the expected form";
    InvalidLimit = 113, Invalid, "invalid_limit", "a counted limit must be at least 1";
    InvalidText = 114, Invalid, "invalid_text", "a text value is too long or has control characters";
    InvalidArgument = 115, Invalid, "invalid_argument", "an argument is out of its allowed range";

    // 2xx: document syntax and schema.
    XmlSyntax = 200, Format, "xml_syntax", "the XML is not well-formed";
    InputTooLarge = 201, Format, "input_too_large", "the input is over the size limit";
    NestingTooDeep = 202, Format, "nesting_too_deep", "the document nests deeper than the limit";
    DoctypeForbidden = 203, Format, "doctype_forbidden", "a DOCTYPE or DTD is not allowed";
    EntityForbidden = 204, Format, "entity_forbidden", "an entity other than the five predefined ones is not allowed";
    CommentForbidden = 205, Format, "comment_forbidden", "comments are not allowed";
    ProcessingInstructionForbidden = 206, Format, "processing_instruction_forbidden", "processing instructions are not allowed";
    TrailingContent = 207, Format, "trailing_content", "there is content after the root element";
    WrongDocumentType = 208, Format, "wrong_document_type", "the root element is not the expected document type";
    UnknownElement = 209, Format, "unknown_element", "an element is not part of the schema";
    UnknownAttribute = 210, Format, "unknown_attribute", "an attribute is not part of the schema";
    MissingElement = 211, Format, "missing_element", "a required element is missing";
    MissingAttribute = 212, Format, "missing_attribute", "a required attribute is missing";
    UnsupportedVersion = 213, Format, "unsupported_version", "the format version is not supported";
    InvalidValue = 214, Format, "invalid_value", "a value in the document is not valid";
    DuplicateElement = 215, Format, "duplicate_element", "an element appears more often than allowed";
    NamespaceError = 216, Format, "namespace_error", "an element or prefix is in the wrong namespace or undeclared";
    Truncated = 217, Format, "truncated", "the input ends early";
    TrailingBytes = 218, Format, "trailing_bytes", "there are bytes after the end of the encoded value";
    ParquetFormat = 219, Format, "parquet_format", "a Parquet file is malformed or uses a codec or feature that is not supported";
    SparkSchema = 220, Format, "spark_schema", "a Spark bitmap table does not have exactly the columns bucket BIGINT and bitmap BINARY";
    SparkBitmapSize = 221, Format, "spark_bitmap_size", "a Spark bitmap is not 4,096 bytes";
    SparkBucket = 222, Format, "spark_bucket", "a Spark bucket or bit position maps to no u32 id";
    SparkDuplicateBucket = 223, Format, "spark_duplicate_bucket", "a Spark bucket appears twice in one Parquet file";
    SparkNull = 224, Format, "spark_null", "a Spark bucket or bitmap is NULL";

    // 3xx: signatures and keys.
    SignatureMissing = 300, Signature, "signature_missing", "the document is not signed";
    MultipleSignatures = 301, Signature, "multiple_signatures", "the document has more than one signature";
    SignatureNotLast = 302, Signature, "signature_not_last", "the signature is not the last child of the root";
    ReferenceUriNotEmpty = 303, Signature, "reference_uri_not_empty", "the signature reference is not the whole document (URI=\"\")";
    TransformsInvalid = 304, Signature, "transforms_invalid", "the transforms are not exactly enveloped-signature then exc-c14n";
    UnsupportedAlgorithm = 305, Signature, "unsupported_algorithm", "an algorithm is not in the allowed list";
    KeyTooSmall = 306, Signature, "key_too_small", "the RSA key is under 2048 bits";
    UnknownKeyId = 307, Signature, "unknown_key_id", "the signature names a key that is not trusted";
    DigestMismatch = 308, Signature, "digest_mismatch", "the signed content was changed (digest mismatch)";
    SignatureMismatch = 309, Signature, "signature_mismatch", "the signature does not verify";
    KeyMaterialInDocument = 310, Signature, "key_material_in_document", "the document carries key material; only KeyName is accepted";
    HmacOutputLength = 311, Signature, "hmac_output_length", "HMACOutputLength is not allowed";
    SignatureStructure = 312, Signature, "signature_structure", "the Signature element is malformed";
    NoTrustedKeys = 313, Signature, "no_trusted_keys", "no trusted key was given";
    KeyFormat = 314, Signature, "key_format", "a key is not valid PEM or DER";
    KeyGeneration = 315, Signature, "key_generation", "a key could not be generated";
    UnsupportedSigningKey = 316, Signature, "unsupported_signing_key", "the RSA private key cannot sign in constant time (it needs 2048, 3072 or 4096 bits and an exponent of at least 65537)";
    SigningFailed = 317, Signature, "signing_failed", "the signer could not make a signature";
    SignatureLength = 318, Signature, "signature_length", "the signature has the wrong length for its algorithm (ECDSA P-256 is raw r||s, 64 bytes)";
    SignatureScalarZero = 319, Signature, "signature_scalar_zero", "an ECDSA signature's r or s is zero";
    SignatureScalarRange = 320, Signature, "signature_scalar_range", "an ECDSA signature's r or s is not below the curve order";
    KeyAlgorithmMismatch = 321, Signature, "key_algorithm_mismatch", "the signature's algorithm is not the one its key signs with (an RSA key and an ECDSA signature, or the reverse)";
    UnsupportedCurve = 322, Signature, "unsupported_curve", "an elliptic-curve key is on a curve other than P-256";
    Pkcs11ModuleLoad = 326, Signature, "pkcs11_module_load", "the PKCS#11 module cannot be loaded or initialized";
    Pkcs11TokenNotFound = 327, Signature, "pkcs11_token_not_found", "no PKCS#11 token has the given label";
    Pkcs11KeyNotFound = 328, Signature, "pkcs11_key_not_found", "the PKCS#11 token has no private key with the given label";
    Pkcs11PinIncorrect = 329, Signature, "pkcs11_pin_incorrect", "the PKCS#11 token refused the PIN (wrong or locked)";
    Pkcs11PinMissing = 330, Signature, "pkcs11_pin_missing", "no PIN was given for the PKCS#11 token (environment or file)";
    Pkcs11LabelAmbiguous = 331, Signature, "pkcs11_label_ambiguous", "more than one PKCS#11 token or key has the given label";
    Pkcs11KeyExists = 332, Signature, "pkcs11_key_exists", "the PKCS#11 token already has a key with the given label";
    Pkcs11UnsupportedKey = 333, Signature, "pkcs11_unsupported_key", "the PKCS#11 key is not an RSA (2048 to 4096 bits) or P-256 signing key";
    Pkcs11Failed = 334, Signature, "pkcs11_failed", "the PKCS#11 token refused an operation";

    // 4xx: the license store and installation.
    NoLicenseInstalled = 400, Store, "no_license_installed", "no license is installed";
    CandidateExpired = 401, Expired, "candidate_expired", "the license has already expired";
    WrongProduct = 402, Binding, "wrong_product", "the license is for another product";
    WrongInstance = 403, Binding, "wrong_instance", "the license is bound to another instance";
    OlderLicense = 404, Store, "older_license", "the license was issued before the installed one";
    StoreLocked = 405, Store, "store_locked", "another process holds the store lock";
    StoreCorrupt = 406, Store, "store_corrupt", "the store's files are damaged";
    NothingToRollBack = 407, Store, "nothing_to_roll_back", "the store has no earlier license";
    StaleStage = 408, Store, "stale_stage", "the installed license changed after the replacement was staged";
    UsageLogChainBroken = 409, Format, "usage_log_chain_broken", "a usage log history entry is missing, reordered, duplicated or edited";
    UsageLogReplayed = 410, Store, "usage_log_replayed", "the usage log is older than one already read";
    StoreUntrusted = 411, Store, "store_untrusted", "a file in the store is not one the store wrote (copied over, planted or edited, or the store's state is missing); install a license to recover";
    StoreUnsafe = 412, Store, "store_unsafe", "a store file is a symbolic link or not a regular file";
    UsageLogWrongKey = 425, Store, "usage_log_wrong_key", "the usage log is signed by another key than the one its instance's logs are bound to";

    // 5xx: the certificate inventory, counts and id-set interchange.
    InvalidRecord = 500, Count, "invalid_record", "a certificate record is not valid";
    DuplicateCertificate = 501, Count, "duplicate_certificate", "a certificate id appears twice";
    IdOutOfRange = 502, Count, "id_out_of_range", "a certificate id is over the allowed range";
    UnknownCertificate = 503, Count, "unknown_certificate", "the certificate is not in the inventory";
    SnapshotFormat = 504, Count, "snapshot_format", "an inventory snapshot is malformed";
    RoaringFormat = 505, Count, "roaring_format", "Roaring portable bytes are malformed";
    ClickHouseKind = 506, Count, "clickhouse_kind", "a groupBitmap state has an unknown kind byte";
    ZeroLength = 507, Count, "zero_length", "a length that must be positive is zero";
    SmallSetTooLarge = 508, Count, "small_set_too_large", "a groupBitmap small set has more than 32 elements";
    WidthMismatch = 509, Count, "width_mismatch", "a 32-bit id set was read as 64-bit or the reverse";
    SizeLimit = 510, Count, "size_limit", "a declared size is over the limit";
    UnknownSetName = 511, Count, "unknown_set_name", "a set name is not one of the known ones";
    TooManyNames = 512, Count, "too_many_names", "more distinct store, metadata field or collection names than the limit";

    // 55x: server instances and hardware profiles.
    InvalidInstance = 550, Instance, "invalid_instance", "an instance field is not valid";
    InvalidLocation = 551, Instance, "invalid_location", "a location is not valid";
    InvalidSoftwareVersion = 552, Instance, "invalid_software_version", "a software version is not valid semver";
    FingerprintMismatch = 553, Binding, "fingerprint_mismatch", "this machine does not match the bound hardware fingerprint";
    InvalidFingerprint = 554, Instance, "invalid_fingerprint", "a fingerprint is malformed";
    InvalidMatchPolicy = 555, Instance, "invalid_match_policy", "a match policy is malformed or can never match";
    InvalidProfile = 556, Instance, "invalid_profile", "a hardware profile value is not valid";

    // 6xx: license keys, key bundles, offline activation, the vendor account.
    KeyLength = 600, Key, "key_length", "a license key does not have 16 characters";
    KeyCharacter = 601, Key, "key_character", "a license key has a character outside Crockford base32";
    KeyChecksum = 602, Key, "key_checksum", "a license key's check value does not match (a typo)";
    KeyKindMismatch = 603, Key, "key_kind_mismatch", "a license key is of the wrong kind";
    BundleFormat = 604, Key, "bundle_format", "a key bundle is not valid COSE/CBOR of the expected shape";
    UnknownCriticalHeader = 605, Key, "unknown_critical_header", "a COSE header marked critical is not understood";
    DuplicateMapKey = 606, Key, "duplicate_map_key", "a CBOR map has a key twice";
    ParentKeyMissing = 607, Key, "parent_key_missing", "an add-on key's master key is missing";
    NotAMasterKey = 608, Key, "not_a_master_key", "the master key record is not a master key";
    KeyNotActive = 609, Key, "key_not_active", "a key is not active";
    KeyExpired = 610, Expired, "key_expired", "a key or bundle has expired";
    UnknownInstance = 611, Key, "unknown_instance", "the instance is not in the account";
    KeyAssignedElsewhere = 612, Key, "key_assigned_elsewhere", "the key is already assigned to another instance";
    UnknownKey = 613, Key, "unknown_key", "the key is not in the account";
    AddonWithoutMaster = 614, Key, "addon_without_master", "an add-on key's master is not on that instance";
    DuplicateKey = 615, Key, "duplicate_key", "a key appears twice";
    InstanceHasMaster = 616, Key, "instance_has_master", "the instance already has another master key";
    NoMasterKey = 617, Key, "no_master_key", "the instance has no master key assigned";
    DuplicateInstance = 618, Key, "duplicate_instance", "the account already has an instance with that id";
    UpdateOutOfOrder = 619, Key, "update_out_of_order", "a change is dated before the account's last update";
    NonCanonicalCbor = 620, Key, "non_canonical_cbor", "a key bundle is not in the one deterministic CBOR encoding";

    // 9xx: the outside world.
    Io = 900, Io, "io", "a file could not be read or written";
    Render = 901, Io, "render", "a document could not be rendered";
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// A failure: what went wrong ([`ErrorKind`]) and where (the detail).
///
/// ```
/// use license_core::{Error, ErrorKind};
/// let err = Error::new(ErrorKind::EmptyProduct, "field `product`");
/// assert_eq!(err.kind().code(), 101);
/// assert_eq!(err.to_string(), "the product is empty: field `product`");
/// ```
#[derive(Debug, thiserror::Error)]
#[error("{}", self.render())]
pub struct Error {
    kind: ErrorKind,
    detail: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// An error of `kind` with a detail saying where it happened.
    ///
    /// Details often quote hostile input, so control characters in it are
    /// escaped here, once for every error ([`Error::escape_controls`]): a
    /// NUL would cut the C ABI's message short and an ESC would let the
    /// input drive the terminal that shows the message.
    pub fn new(kind: ErrorKind, detail: impl Into<String>) -> Error {
        let detail = detail.into();
        let detail = match Error::escape_controls(&detail) {
            Cow::Borrowed(_) => detail,
            Cow::Owned(escaped) => escaped,
        };
        Error { kind, detail, source: None }
    }

    /// `text` with every control character (C0, DEL and C1, including NUL
    /// and ESC) replaced by its Rust escape (`\0`, `\n`, `\u{1b}`); other
    /// characters, backslashes included, are kept, so escaping escaped text
    /// changes nothing.
    ///
    /// ```
    /// use license_core::Error;
    /// assert_eq!(Error::escape_controls("a\0b\u{1b}[2J"), "a\\0b\\u{1b}[2J");
    /// assert_eq!(Error::escape_controls("plain `é`"), "plain `é`");
    /// ```
    pub fn escape_controls(text: &str) -> Cow<'_, str> {
        if !text.chars().any(char::is_control) {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len() + 8);
        for c in text.chars() {
            if c.is_control() {
                out.extend(c.escape_debug());
            } else {
                out.push(c);
            }
        }
        Cow::Owned(out)
    }

    /// Attaches the lower-level error that caused this one.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Error {
        self.source = Some(Box::new(source));
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Where it went wrong (may be empty).
    pub fn detail(&self) -> &str {
        &self.detail
    }

    fn render(&self) -> String {
        if self.detail.is_empty() {
            self.kind.message().to_owned()
        } else {
            format!("{}: {}", self.kind.message(), self.detail)
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Error {
        Error::new(ErrorKind::Io, err.to_string()).with_source(err)
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique_and_round_trip() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for &kind in ErrorKind::ALL {
            assert!(codes.insert(kind.code()), "code {} reused", kind.code());
            assert!(names.insert(kind.name()), "name {} reused", kind.name());
            assert_eq!(ErrorKind::from_code(kind.code()), Some(kind));
            assert!(kind.code() >= 100, "0..100 are reserved for the C ABI");
        }
        assert_eq!(ErrorKind::from_code(0), None);
    }

    #[test]
    fn codes_sit_in_their_family_range() {
        for &kind in ErrorKind::ALL {
            let hundred = kind.code() / 100;
            let expected: &[ErrorFamily] = match hundred {
                1 => &[ErrorFamily::Invalid],
                2 => &[ErrorFamily::Format],
                3 => &[ErrorFamily::Signature],
                4 => &[ErrorFamily::Store, ErrorFamily::Expired, ErrorFamily::Binding, ErrorFamily::Format],
                5 if kind.code() < 550 => &[ErrorFamily::Count],
                5 => &[ErrorFamily::Instance, ErrorFamily::Binding],
                6 => &[ErrorFamily::Key, ErrorFamily::Expired],
                9 => &[ErrorFamily::Io],
                _ => &[],
            };
            assert!(expected.contains(&kind.family()), "{kind:?} in the wrong range");
        }
    }

    #[test]
    fn display_names_kind_and_detail() {
        let err = Error::new(ErrorKind::DuplicateFeature, "feature `api`");
        assert_eq!(err.to_string(), "a feature name appears twice: feature `api`");
        assert_eq!(Error::new(ErrorKind::Io, "").to_string(), ErrorKind::Io.message());
    }
}

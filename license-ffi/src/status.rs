//! `lc_status`, the result of every fallible function, and the per-thread
//! detail of the last failure.

use std::cell::RefCell;
use std::ffi::{c_char, CStr, CString};
use std::sync::OnceLock;

use license_core::{Error, ErrorKind};
use macro_rules_attribute::macro_rules_derive;

/// Derives, from the one written-out definition of `lc_status`, the list of
/// its variants, the lookup from a value to its variant and each variant's
/// name, so that no status is listed a second time by hand.
/// `#[macro_rules_derive]` passes the enum through unchanged and adds what
/// this expands to; cbindgen, which does not expand macros, reads the enum
/// from the source as written.
macro_rules! status_table {
    (
        $(#[$enum_meta:meta])*
        $vis:vis enum $Status:ident {
            $(
                $(#[$variant_meta:meta])*
                $Variant:ident = $code:literal
            ),* $(,)?
        }
    ) => {
        impl $Status {
            /// Every status, in the order of its definition.
            pub(crate) const ALL: &'static [$Status] = &[$($Status::$Variant),*];

            /// The status whose value is `code`, if there is one.
            pub(crate) fn from_code(code: u32) -> Option<$Status> {
                match code {
                    $($code => Some($Status::$Variant),)*
                    _ => None,
                }
            }

            /// The variant's name as written in Rust, e.g. `SignatureMismatch`
            /// (cbindgen spells it `LC_STATUS_SIGNATURE_MISMATCH`).
            fn variant_name(self) -> &'static str {
                match self {
                    $($Status::$Variant => stringify!($Variant),)*
                }
            }
        }
    };
}

/// The result of a call. `LC_STATUS_OK` (0) is success; values 1 to 99 are
/// the C layer's own failures; every value from 100 up is the stable code of
/// the core's error kind with the same name (`ErrorKind::code`). Values are
/// never reused or renumbered.
// Each status is written here once, with its value and doc comment (which
// cbindgen copies into the header); `status_table!` derives the rest.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[macro_rules_derive(status_table!)]
pub enum lc_status {
    /// Success.
    Ok = 0,
    /// A required pointer argument was NULL (or a NULL data pointer came
    /// with a non-zero length).
    NullParameter = 1,
    /// The library panicked; the call had no effect that can be relied on.
    Panic = 2,
    /// A text argument is not valid UTF-8.
    InvalidUtf8 = 3,
    /// The caller's buffer is too small; the size needed was reported.
    BufferTooSmall = 4,
    /// The core reported an error kind this version of the C layer has no
    /// value for (never returned when header and library match).
    UnmappedError = 5,
    /// The license id is empty (`empty_license_id`).
    EmptyLicenseId = 100,
    /// The product is empty (`empty_product`).
    EmptyProduct = 101,
    /// The licensee name is empty (`empty_licensee`).
    EmptyLicensee = 102,
    /// The contact e-mail address is not valid (`invalid_email`).
    InvalidEmail = 103,
    /// The expiry is not after the issue time (`expiry_not_after_issue`).
    ExpiryNotAfterIssue = 104,
    /// A feature name appears twice (`duplicate_feature`).
    DuplicateFeature = 105,
    /// A feature name is empty or has characters outside [A-Za-z0-9._-] (`invalid_feature_name`).
    InvalidFeatureName = 106,
    /// A feature expires before the license is issued (`feature_expiry_not_after_issue`).
    FeatureExpiryNotAfterIssue = 107,
    /// An attribute name is empty or has characters outside [A-Za-z0-9._-] (`invalid_attribute_name`).
    InvalidAttributeName = 108,
    /// The expiry warning thresholds are empty, zero or repeated (`invalid_warning_thresholds`).
    InvalidWarningThresholds = 109,
    /// The instance binding is incomplete (`invalid_binding`).
    InvalidBinding = 110,
    /// A time is not valid RFC 3339 or out of range (`invalid_time`).
    InvalidTime = 111,
    /// A JSON document does not match the expected form (`invalid_json`).
    InvalidJson = 112,
    /// A counted limit must be at least 1 (`invalid_limit`).
    InvalidLimit = 113,
    /// A text value is too long or has control characters (`invalid_text`).
    InvalidText = 114,
    /// An argument is out of its allowed range (`invalid_argument`).
    InvalidArgument = 115,
    /// The XML is not well-formed (`xml_syntax`).
    XmlSyntax = 200,
    /// The input is over the size limit (`input_too_large`).
    InputTooLarge = 201,
    /// The document nests deeper than the limit (`nesting_too_deep`).
    NestingTooDeep = 202,
    /// A DOCTYPE or DTD is not allowed (`doctype_forbidden`).
    DoctypeForbidden = 203,
    /// An entity other than the five predefined ones is not allowed (`entity_forbidden`).
    EntityForbidden = 204,
    /// Comments are not allowed (`comment_forbidden`).
    CommentForbidden = 205,
    /// Processing instructions are not allowed (`processing_instruction_forbidden`).
    ProcessingInstructionForbidden = 206,
    /// There is content after the root element (`trailing_content`).
    TrailingContent = 207,
    /// The root element is not the expected document type (`wrong_document_type`).
    WrongDocumentType = 208,
    /// An element is not part of the schema (`unknown_element`).
    UnknownElement = 209,
    /// An attribute is not part of the schema (`unknown_attribute`).
    UnknownAttribute = 210,
    /// A required element is missing (`missing_element`).
    MissingElement = 211,
    /// A required attribute is missing (`missing_attribute`).
    MissingAttribute = 212,
    /// The format version is not supported (`unsupported_version`).
    UnsupportedVersion = 213,
    /// A value in the document is not valid (`invalid_value`).
    InvalidValue = 214,
    /// An element appears more often than allowed (`duplicate_element`).
    DuplicateElement = 215,
    /// An element or prefix is in the wrong namespace or undeclared (`namespace_error`).
    NamespaceError = 216,
    /// The input ends early (`truncated`).
    Truncated = 217,
    /// There are bytes after the end of the encoded value (`trailing_bytes`).
    TrailingBytes = 218,
    /// A Parquet file is malformed or uses a codec or feature that is not supported (`parquet_format`).
    ParquetFormat = 219,
    /// A Spark bitmap table does not have exactly the columns bucket BIGINT and bitmap BINARY (`spark_schema`).
    SparkSchema = 220,
    /// A Spark bitmap is not 4,096 bytes (`spark_bitmap_size`).
    SparkBitmapSize = 221,
    /// A Spark bucket or bit position maps to no u32 id (`spark_bucket`).
    SparkBucket = 222,
    /// A Spark bucket appears twice in one Parquet file (`spark_duplicate_bucket`).
    SparkDuplicateBucket = 223,
    /// A Spark bucket or bitmap is NULL (`spark_null`).
    SparkNull = 224,
    /// The document is not signed (`signature_missing`).
    SignatureMissing = 300,
    /// The document has more than one signature (`multiple_signatures`).
    MultipleSignatures = 301,
    /// The signature is not the last child of the root (`signature_not_last`).
    SignatureNotLast = 302,
    /// The signature reference is not the whole document (URI="") (`reference_uri_not_empty`).
    ReferenceUriNotEmpty = 303,
    /// The transforms are not exactly enveloped-signature then exc-c14n (`transforms_invalid`).
    TransformsInvalid = 304,
    /// An algorithm is not in the allowed list (`unsupported_algorithm`).
    UnsupportedAlgorithm = 305,
    /// The RSA key is under 2048 bits (`key_too_small`).
    KeyTooSmall = 306,
    /// The signature names a key that is not trusted (`unknown_key_id`).
    UnknownKeyId = 307,
    /// The signed content was changed (digest mismatch) (`digest_mismatch`).
    DigestMismatch = 308,
    /// The signature does not verify (`signature_mismatch`).
    SignatureMismatch = 309,
    /// The document carries key material; only KeyName is accepted (`key_material_in_document`).
    KeyMaterialInDocument = 310,
    /// HMACOutputLength is not allowed (`hmac_output_length`).
    HmacOutputLength = 311,
    /// The Signature element is malformed (`signature_structure`).
    SignatureStructure = 312,
    /// No trusted key was given (`no_trusted_keys`).
    NoTrustedKeys = 313,
    /// A key is not valid PEM or DER (`key_format`).
    KeyFormat = 314,
    /// A key could not be generated (`key_generation`).
    KeyGeneration = 315,
    /// The RSA private key cannot sign in constant time (it needs 2048, 3072 or 4096 bits and an exponent of at least 65537) (`unsupported_signing_key`).
    UnsupportedSigningKey = 316,
    /// The signer could not make a signature (`signing_failed`).
    SigningFailed = 317,
    /// The signature has the wrong length for its algorithm (ECDSA P-256 is raw r||s, 64 bytes) (`signature_length`).
    SignatureLength = 318,
    /// An ECDSA signature's r or s is zero (`signature_scalar_zero`).
    SignatureScalarZero = 319,
    /// An ECDSA signature's r or s is not below the curve order (`signature_scalar_range`).
    SignatureScalarRange = 320,
    /// The signature's algorithm is not the one its key signs with (an RSA key and an ECDSA signature, or the reverse) (`key_algorithm_mismatch`).
    KeyAlgorithmMismatch = 321,
    /// An elliptic-curve key is on a curve other than P-256 (`unsupported_curve`).
    UnsupportedCurve = 322,
    /// The PKCS#11 module cannot be loaded or initialized (`pkcs11_module_load`).
    Pkcs11ModuleLoad = 326,
    /// No PKCS#11 token has the given label (`pkcs11_token_not_found`).
    Pkcs11TokenNotFound = 327,
    /// The PKCS#11 token has no private key with the given label (`pkcs11_key_not_found`).
    Pkcs11KeyNotFound = 328,
    /// The PKCS#11 token refused the PIN (wrong or locked) (`pkcs11_pin_incorrect`).
    Pkcs11PinIncorrect = 329,
    /// No PIN was given for the PKCS#11 token (environment or file) (`pkcs11_pin_missing`).
    Pkcs11PinMissing = 330,
    /// More than one PKCS#11 token or key has the given label (`pkcs11_label_ambiguous`).
    Pkcs11LabelAmbiguous = 331,
    /// The PKCS#11 token already has a key with the given label (`pkcs11_key_exists`).
    Pkcs11KeyExists = 332,
    /// The PKCS#11 key is not an RSA (2048 to 4096 bits) or P-256 signing key (`pkcs11_unsupported_key`).
    Pkcs11UnsupportedKey = 333,
    /// The PKCS#11 token refused an operation (`pkcs11_failed`).
    Pkcs11Failed = 334,
    /// No license is installed (`no_license_installed`).
    NoLicenseInstalled = 400,
    /// The license has already expired (`candidate_expired`).
    CandidateExpired = 401,
    /// The license is for another product (`wrong_product`).
    WrongProduct = 402,
    /// The license is bound to another instance (`wrong_instance`).
    WrongInstance = 403,
    /// The license was issued before the installed one (`older_license`).
    OlderLicense = 404,
    /// Another process holds the store lock (`store_locked`).
    StoreLocked = 405,
    /// The store's files are damaged (`store_corrupt`).
    StoreCorrupt = 406,
    /// The store has no earlier license (`nothing_to_roll_back`).
    NothingToRollBack = 407,
    /// The installed license changed after the replacement was staged (`stale_stage`).
    StaleStage = 408,
    /// A usage log history entry is missing, reordered, duplicated or edited (`usage_log_chain_broken`).
    UsageLogChainBroken = 409,
    /// The usage log is older than one already read (`usage_log_replayed`).
    UsageLogReplayed = 410,
    /// A file in the store is not one the store wrote (copied over, planted or edited, or the store's state is missing); install a license to recover (`store_untrusted`).
    StoreUntrusted = 411,
    /// A store file is a symbolic link or not a regular file (`store_unsafe`).
    StoreUnsafe = 412,
    /// The usage log is signed by another key than the one its instance's logs are bound to (`usage_log_wrong_key`).
    UsageLogWrongKey = 425,
    /// A certificate record is not valid (`invalid_record`).
    InvalidRecord = 500,
    /// A certificate id appears twice (`duplicate_certificate`).
    DuplicateCertificate = 501,
    /// A certificate id is over the allowed range (`id_out_of_range`).
    IdOutOfRange = 502,
    /// The certificate is not in the inventory (`unknown_certificate`).
    UnknownCertificate = 503,
    /// An inventory snapshot is malformed (`snapshot_format`).
    SnapshotFormat = 504,
    /// Roaring portable bytes are malformed (`roaring_format`).
    RoaringFormat = 505,
    /// A groupBitmap state has an unknown kind byte (`clickhouse_kind`).
    ClickhouseKind = 506,
    /// A length that must be positive is zero (`zero_length`).
    ZeroLength = 507,
    /// A groupBitmap small set has more than 32 elements (`small_set_too_large`).
    SmallSetTooLarge = 508,
    /// A 32-bit id set was read as 64-bit or the reverse (`width_mismatch`).
    WidthMismatch = 509,
    /// A declared size is over the limit (`size_limit`).
    SizeLimit = 510,
    /// A set name is not one of the known ones (`unknown_set_name`).
    UnknownSetName = 511,
    /// More distinct store, metadata field or collection names than the limit (`too_many_names`).
    TooManyNames = 512,
    /// An instance field is not valid (`invalid_instance`).
    InvalidInstance = 550,
    /// A location is not valid (`invalid_location`).
    InvalidLocation = 551,
    /// A software version is not valid semver (`invalid_software_version`).
    InvalidSoftwareVersion = 552,
    /// This machine does not match the bound hardware fingerprint (`fingerprint_mismatch`).
    FingerprintMismatch = 553,
    /// A fingerprint is malformed (`invalid_fingerprint`).
    InvalidFingerprint = 554,
    /// A match policy is malformed or can never match (`invalid_match_policy`).
    InvalidMatchPolicy = 555,
    /// A hardware profile value is not valid (`invalid_profile`).
    InvalidProfile = 556,
    /// A license key does not have 16 characters (`key_length`).
    KeyLength = 600,
    /// A license key has a character outside Crockford base32 (`key_character`).
    KeyCharacter = 601,
    /// A license key's check value does not match (a typo) (`key_checksum`).
    KeyChecksum = 602,
    /// A license key is of the wrong kind (`key_kind_mismatch`).
    KeyKindMismatch = 603,
    /// A key bundle is not valid COSE/CBOR of the expected shape (`bundle_format`).
    BundleFormat = 604,
    /// A COSE header marked critical is not understood (`unknown_critical_header`).
    UnknownCriticalHeader = 605,
    /// A CBOR map has a key twice (`duplicate_map_key`).
    DuplicateMapKey = 606,
    /// An add-on key's master key is missing (`parent_key_missing`).
    ParentKeyMissing = 607,
    /// The master key record is not a master key (`not_a_master_key`).
    NotAMasterKey = 608,
    /// A key is not active (`key_not_active`).
    KeyNotActive = 609,
    /// A key or bundle has expired (`key_expired`).
    KeyExpired = 610,
    /// The instance is not in the account (`unknown_instance`).
    UnknownInstance = 611,
    /// The key is already assigned to another instance (`key_assigned_elsewhere`).
    KeyAssignedElsewhere = 612,
    /// The key is not in the account (`unknown_key`).
    UnknownKey = 613,
    /// An add-on key's master is not on that instance (`addon_without_master`).
    AddonWithoutMaster = 614,
    /// A key appears twice (`duplicate_key`).
    DuplicateKey = 615,
    /// The instance already has another master key (`instance_has_master`).
    InstanceHasMaster = 616,
    /// The instance has no master key assigned (`no_master_key`).
    NoMasterKey = 617,
    /// The account already has an instance with that id (`duplicate_instance`).
    DuplicateInstance = 618,
    /// A change is dated before the account's last update (`update_out_of_order`).
    UpdateOutOfOrder = 619,
    /// A key bundle is not in the one deterministic CBOR encoding (`non_canonical_cbor`).
    NonCanonicalCbor = 620,
    /// A file could not be read or written (`io`).
    Io = 900,
    /// A document could not be rendered (`render`).
    Render = 901,
}

/// The first value of the core's error kinds; below it are the C layer's
/// own statuses.
const FIRST_KIND_CODE: u32 = 100;

impl lc_status {
    /// Whether this status carries a core error kind (rather than being one
    /// of the C layer's own).
    fn is_kind(self) -> bool {
        self as u32 >= FIRST_KIND_CODE
    }

    /// The status carrying `kind`'s code.
    pub(crate) fn from_kind(kind: ErrorKind) -> lc_status {
        lc_status::from_code(kind.code()).filter(|s| s.is_kind()).unwrap_or(lc_status::UnmappedError)
    }

    /// The name cbindgen gives the variant in the header: `LC_STATUS_`, then
    /// the Rust name in screaming snake case (`InvalidUtf8` becomes
    /// `LC_STATUS_INVALID_UTF8`).
    fn c_name(self) -> String {
        let mut name = String::from("LC_STATUS_");
        for (i, c) in self.variant_name().chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                name.push('_');
            }
            name.push(c.to_ascii_uppercase());
        }
        name
    }
}

/// Every status with its NUL-terminated C name, built once from
/// `lc_status::ALL`.
fn table() -> &'static [(lc_status, CString)] {
    static TABLE: OnceLock<Vec<(lc_status, CString)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        lc_status::ALL.iter().map(|&s| (s, CString::new(s.c_name()).unwrap_or_default())).collect()
    })
}

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Records `message` as this thread's last failure. Messages of the C layer
/// quote input too (a serde error names an unknown field), so control
/// characters are escaped here as the core escapes its own: a NUL inside
/// would cut the C string short.
pub(crate) fn set_last_error(message: String) {
    let message = match Error::escape_controls(&message) {
        std::borrow::Cow::Borrowed(_) => message,
        std::borrow::Cow::Owned(escaped) => escaped,
    };
    LAST_ERROR.with(|m| *m.borrow_mut() = message);
}

/// Maps a core error to its status and records its message: the one place
/// where core errors become C results.
pub(crate) fn map_error(err: &Error) -> lc_status {
    set_last_error(err.to_string());
    lc_status::from_kind(err.kind())
}

/// Fails with `status`, recording `message` as the detail.
pub(crate) fn fail(status: lc_status, message: impl Into<String>) -> lc_status {
    set_last_error(message.into());
    status
}

/// The name of a status as a static NUL-terminated string, e.g.
/// `"LC_STATUS_SIGNATURE_MISMATCH"`, or `"LC_STATUS_UNKNOWN"` for a value
/// that is not a status. Takes a plain `uint32_t` so that any value is
/// safe to pass. The pointer is valid for the life of the program; do not
/// free it. NULL only if the library panicked.
#[no_mangle]
pub extern "C" fn lc_status_name(status: u32) -> *const c_char {
    crate::panic::ffi_panic_boundary! {
        const UNKNOWN: &CStr = c"LC_STATUS_UNKNOWN";
        table().iter().find(|(s, _)| *s as u32 == status).map_or(UNKNOWN.as_ptr(), |row| row.1.as_ptr())
    }
}

/// Copies the detail of the last failure on the calling thread (what went
/// wrong and where) into `buf` as UTF-8 followed by a NUL byte; an empty
/// string when nothing has failed on this thread. Calling it does not
/// change the recorded message.
///
/// `buf` may be NULL only when `len` is 0. `written` must not be NULL. On
/// success, `*written` is the message length without the NUL. On
/// `LC_STATUS_BUFFER_TOO_SMALL`, `*written` is the buffer size needed
/// (length + 1) and `buf` is untouched.
#[no_mangle]
pub extern "C" fn lc_last_error_message(buf: *mut c_char, len: usize, written: *mut usize) -> lc_status {
    crate::panic::ffi_panic_boundary! {
        let message = LAST_ERROR.with(|m| m.borrow().clone());
        if written.is_null() || (buf.is_null() && len > 0) {
            // Keep the recorded message: this call reports on it.
            return lc_status::NullParameter;
        }
        // SAFETY: checked non-null above; the caller passes buf/len/written
        // as documented.
        unsafe { crate::io::copy_text_unrecorded(message.as_bytes(), buf, len, written) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_kind_has_its_status_with_the_same_code_and_name() {
        for &kind in ErrorKind::ALL {
            let status = lc_status::from_kind(kind);
            assert_ne!(status, lc_status::UnmappedError, "{kind:?} has no lc_status variant");
            assert_eq!(status as u32, kind.code());
            let name = status.variant_name();
            let snake: String = name
                .chars()
                .enumerate()
                .flat_map(|(i, c)| {
                    let lower = c.to_ascii_lowercase();
                    if c.is_ascii_uppercase() && i > 0 {
                        vec!['_', lower]
                    } else {
                        vec![lower]
                    }
                })
                .collect();
            assert_eq!(snake, kind.name(), "variant name of {kind:?}");
        }
        // The reverse: every status from 100 up carries a core kind.
        for &status in lc_status::ALL.iter().filter(|s| s.is_kind()) {
            assert!(
                ErrorKind::ALL.iter().any(|k| k.code() == status as u32),
                "{status:?} ({}) has no core kind",
                status as u32
            );
        }
    }

    #[test]
    fn every_status_is_found_by_its_value_and_only_those() {
        for &status in lc_status::ALL {
            assert_eq!(lc_status::from_code(status as u32), Some(status));
        }
        let known = (0..1000).filter(|&v| lc_status::from_code(v).is_some()).count();
        assert_eq!(known, lc_status::ALL.len());
        assert_eq!(lc_status::from_code(99), None);
        assert_eq!(lc_status::from_code(u32::MAX), None);
    }

    #[test]
    fn names_are_static_and_cover_unknown_values() {
        // SAFETY: lc_status_name returns a static NUL-terminated string.
        let name = |v| unsafe { CStr::from_ptr(lc_status_name(v)) }.to_str().unwrap().to_owned();
        assert_eq!(name(0), "LC_STATUS_OK");
        assert_eq!(name(309), "LC_STATUS_SIGNATURE_MISMATCH");
        assert_eq!(name(4), "LC_STATUS_BUFFER_TOO_SMALL");
        assert_eq!(name(99), "LC_STATUS_UNKNOWN");
    }
}

//! `CertificateRecord`: one certificate as the inventory sees it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::text;
use crate::{timefmt, Error, ErrorKind, Result};

/// Most names a record may list in one of `stores`, `metadata` or
/// `collections`.
pub const MAX_NAMES_PER_RECORD: usize = 1024;

/// One certificate: its id and everything that decides whether it is
/// actioned.
///
/// Its JSON form is one line of an inventory file; only `id` is required
/// (absent booleans are false, absent times null, absent lists empty), and
/// unknown fields are errors:
///
/// ```
/// use license_core::CertificateRecord;
/// let r = CertificateRecord::from_json(
///     r#"{"id": 17, "enrolled": true, "revoked_at": "2026-11-20T10:00:00Z", "stores": ["iis-prod-1"]}"#,
/// )?;
/// assert_eq!((r.id, r.enrolled, r.stores.len()), (17, true, 1));
/// assert!(CertificateRecord::from_json(r#"{"id": 4294967296}"#).is_err());
/// # Ok::<(), license_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateRecord {
    /// The certificate's id.
    pub id: u32,
    /// Requested through the product (CSR or PFX enrollment).
    #[serde(default, skip_serializing_if = "is_false")]
    pub enrolled: bool,
    /// When it was revoked, if it was.
    #[serde(default, with = "timefmt::rfc3339::option", skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<OffsetDateTime>,
    /// When it expires (its notAfter), if known.
    #[serde(default, with = "timefmt::rfc3339::option", skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<OffsetDateTime>,
    /// Its private key is stored.
    #[serde(default, skip_serializing_if = "is_false")]
    pub private_key: bool,
    /// How many SSL/TLS endpoints monitor it.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub ssl_endpoints: u32,
    /// The managed certificate stores it was found in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stores: Vec<String>,
    /// The metadata fields that have a value for it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metadata: Vec<String>,
    /// The collections it is in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collections: Vec<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The record as read, with the id wide enough to report ids over u32.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecord {
    id: u64,
    #[serde(default)]
    enrolled: bool,
    #[serde(default, with = "timefmt::rfc3339::option")]
    revoked_at: Option<OffsetDateTime>,
    #[serde(default, with = "timefmt::rfc3339::option")]
    expires_at: Option<OffsetDateTime>,
    #[serde(default)]
    private_key: bool,
    #[serde(default)]
    ssl_endpoints: u32,
    #[serde(default)]
    stores: Vec<String>,
    #[serde(default)]
    metadata: Vec<String>,
    #[serde(default)]
    collections: Vec<String>,
}

impl CertificateRecord {
    /// A record with only an id.
    pub fn new(id: u32) -> CertificateRecord {
        CertificateRecord { id, ..CertificateRecord::default() }
    }

    /// Parses and validates one JSON record.
    pub fn from_json(text: &str) -> Result<CertificateRecord> {
        CertificateRecord::from_json_bytes(text.as_bytes())
    }

    /// Parses and validates one JSON record from bytes.
    pub fn from_json_bytes(bytes: &[u8]) -> Result<CertificateRecord> {
        let record = CertificateRecord::parse_unvalidated(bytes)?;
        record.validate()?;
        Ok(record)
    }

    /// Parses one JSON record without the name and time checks, for
    /// callers that hand it straight to `Inventory::insert_records`, which
    /// makes the same checks (once per distinct name).
    pub(crate) fn parse_unvalidated(bytes: &[u8]) -> Result<CertificateRecord> {
        let raw: RawRecord = serde_json::from_slice(bytes)
            .map_err(|e| Error::new(ErrorKind::InvalidRecord, e.to_string()).with_source(e))?;
        let id = u32::try_from(raw.id).map_err(|_| {
            Error::new(ErrorKind::IdOutOfRange, format!("id {} is over {}", raw.id, u32::MAX))
        })?;
        let record = CertificateRecord {
            id,
            enrolled: raw.enrolled,
            revoked_at: raw.revoked_at,
            expires_at: raw.expires_at,
            private_key: raw.private_key,
            ssl_endpoints: raw.ssl_endpoints,
            stores: raw.stores,
            metadata: raw.metadata,
            collections: raw.collections,
        };
        Ok(record)
    }

    /// The JSON form, one line, fields at their defaults left out.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Checks the names (non-empty, text rules, no repeats, at most
    /// [`MAX_NAMES_PER_RECORD`] per list) and the times (years 1970 to
    /// 9999).
    pub fn validate(&self) -> Result<()> {
        let bad =
            |what: String| Error::new(ErrorKind::InvalidRecord, format!("certificate {}: {what}", self.id));
        for (list, what) in
            [(&self.stores, "stores"), (&self.metadata, "metadata"), (&self.collections, "collections")]
        {
            check_names(list, what).map_err(|e| bad(e.detail().to_owned()))?;
        }
        for (t, what) in [(self.revoked_at, "revoked_at"), (self.expires_at, "expires_at")] {
            if let Some(t) = t {
                timefmt::normalize(t, what).map_err(|e| bad(e.detail().to_owned()))?;
            }
        }
        Ok(())
    }
}

/// Checks one store, metadata field or collection name.
pub(crate) fn check_name(name: &str, what: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::new(ErrorKind::InvalidRecord, format!("{what}: an empty name")));
    }
    text::check_text(name, what).map_err(|e| Error::new(ErrorKind::InvalidRecord, e.detail().to_owned()))
}

fn check_names(list: &[String], what: &str) -> Result<()> {
    if list.len() > MAX_NAMES_PER_RECORD {
        return Err(Error::new(
            ErrorKind::InvalidRecord,
            format!("{what}: over {MAX_NAMES_PER_RECORD} names"),
        ));
    }
    for (i, name) in list.iter().enumerate() {
        check_name(name, what)?;
        if list[..i].contains(name) {
            return Err(Error::new(
                ErrorKind::InvalidRecord,
                format!("{what}: `{}` is listed twice", name.escape_debug()),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_errors() {
        let r = CertificateRecord::from_json(r#"{"id": 3}"#).unwrap();
        assert_eq!(r, CertificateRecord::new(3));
        assert_eq!(r.to_json(), r#"{"id":3}"#);
        let cases = [
            (r#"{"id": 3, "colour": 1}"#, ErrorKind::InvalidRecord),
            (r#"{"enrolled": true}"#, ErrorKind::InvalidRecord),
            (r#"{"id": -1}"#, ErrorKind::InvalidRecord),
            (r#"{"id": 4294967296}"#, ErrorKind::IdOutOfRange),
            (r#"{"id": 3, "stores": ["a", "a"]}"#, ErrorKind::InvalidRecord),
            (r#"{"id": 3, "stores": [""]}"#, ErrorKind::InvalidRecord),
            (r#"{"id": 3, "metadata": ["a\u0001"]}"#, ErrorKind::InvalidRecord),
            (r#"{"id": 3, "expires_at": "soon"}"#, ErrorKind::InvalidRecord),
        ];
        for (text, kind) in cases {
            assert_eq!(CertificateRecord::from_json(text).unwrap_err().kind(), kind, "{text}");
        }
    }
}

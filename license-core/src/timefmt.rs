//! UTC time handling shared by every format: RFC 3339 text, whole seconds.
//!
//! The library never reads the clock; callers pass `OffsetDateTime`s in.
//! Times are normalised to UTC and whole seconds so that every document that
//! carries them serialises to the same bytes for the same instant.

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use crate::{Error, ErrorKind, Result};

/// The earliest year any document may carry.
const MIN_YEAR: i32 = 1970;
/// The latest year any document may carry (RFC 3339 has four year digits).
const MAX_YEAR: i32 = 9999;

/// Normalises `t` to UTC and whole seconds, and checks it is in the range
/// every format can carry (years 1970 to 9999). `what` names the value in
/// the error.
pub(crate) fn normalize(t: OffsetDateTime, what: &str) -> Result<OffsetDateTime> {
    let utc = t.to_offset(UtcOffset::UTC);
    if !(MIN_YEAR..=MAX_YEAR).contains(&utc.year()) {
        return Err(Error::new(
            ErrorKind::InvalidTime,
            format!("{what}: year {} is outside {MIN_YEAR}..={MAX_YEAR}", utc.year()),
        ));
    }
    Ok(utc.replace_nanosecond(0).expect("0 ns is always valid"))
}

/// Formats a normalised time as RFC 3339 with a `Z` offset.
pub(crate) fn format(t: OffsetDateTime) -> String {
    // Normalised times are in 1970..=9999 and UTC, so formatting cannot fail.
    t.to_offset(UtcOffset::UTC).format(&Rfc3339).unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// Parses an RFC 3339 time and normalises it. `what` names the value.
pub(crate) fn parse(text: &str, what: &str) -> Result<OffsetDateTime> {
    let t = OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| Error::new(ErrorKind::InvalidTime, format!("{what}: `{text}`: {e}")))?;
    normalize(t, what)
}

/// Formats a time as a date (`YYYY-MM-DD`) for people.
pub(crate) fn format_date(t: OffsetDateTime) -> String {
    let d = t.to_offset(UtcOffset::UTC).date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Serde adapter: a time as RFC 3339 text, normalised on the way in.
pub(crate) mod rfc3339 {
    use serde::{de::Error as _, Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    pub(crate) fn serialize<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format(*t))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        super::parse(&text, "time").map_err(D::Error::custom)
    }

    /// The same for an optional time (`null` or absent is `None`).
    pub(crate) mod option {
        use serde::{de::Error as _, Deserialize, Deserializer, Serializer};
        use time::OffsetDateTime;

        pub(crate) fn serialize<S: Serializer>(t: &Option<OffsetDateTime>, s: S) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => s.serialize_str(&super::super::format(*t)),
                None => s.serialize_none(),
            }
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<OffsetDateTime>, D::Error> {
            match <Option<std::borrow::Cow<'de, str>>>::deserialize(d)? {
                Some(text) => super::super::parse(&text, "time").map(Some).map_err(D::Error::custom),
                None => Ok(None),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn normalises_to_utc_whole_seconds() {
        let t = datetime!(2026-11-23 10:00:00.75 +02:00);
        let n = normalize(t, "t").unwrap();
        assert_eq!(n, datetime!(2026-11-23 08:00:00 UTC));
        assert_eq!(format(n), "2026-11-23T08:00:00Z");
    }

    #[test]
    fn rejects_years_out_of_range() {
        let err = normalize(datetime!(1969-12-31 23:59:59 UTC), "t").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidTime);
    }

    #[test]
    fn parse_names_the_value() {
        let err = parse("yesterday", "expires_at").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidTime);
        assert!(err.detail().contains("expires_at"));
    }
}

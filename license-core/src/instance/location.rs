//! Where an instance is: a free-text place, an optional ISO 3166 country and
//! optional coordinates.

use serde::{Deserialize, Serialize};

use crate::text::check_line;
use crate::{Error, ErrorKind, Result};

/// A geographic location. Build one with [`Location::new`]; every value is
/// checked there, so a `Location` is always valid.
///
/// ```
/// use license_core::{instance::{Coordinates, Location}};
/// let dc = Location::new("Equinix LD5, Slough", Some("GB"), Some(Coordinates::new(51.5225, -0.6298)?))?;
/// assert_eq!(dc.country(), Some("GB"));
/// assert!(Location::new("Atlantis", Some("XA"), None).is_err());
/// # Ok::<(), license_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "LocationRecord", into = "LocationRecord")]
pub struct Location {
    place: String,
    country: Option<String>,
    coordinates: Option<Coordinates>,
}

/// A point on Earth in decimal degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "CoordinatesRecord", into = "CoordinatesRecord")]
pub struct Coordinates {
    latitude: f64,
    longitude: f64,
}

impl Coordinates {
    /// A point; latitude must be within ±90 and longitude within ±180, both
    /// finite ([`ErrorKind::InvalidLocation`] otherwise).
    pub fn new(latitude: f64, longitude: f64) -> Result<Coordinates> {
        let check = |value: f64, limit: f64, what: &str| {
            if value.is_finite() && value.abs() <= limit {
                // -0.0 and 0.0 are the same place; keep one spelling so the
                // JSON form is deterministic.
                Ok(if value == 0.0 { 0.0 } else { value })
            } else {
                Err(Error::new(ErrorKind::InvalidLocation, format!("{what} {value} is outside ±{limit}")))
            }
        };
        Ok(Coordinates {
            latitude: check(latitude, 90.0, "latitude")?,
            longitude: check(longitude, 180.0, "longitude")?,
        })
    }

    /// Degrees north (negative: south).
    pub fn latitude(&self) -> f64 {
        self.latitude
    }

    /// Degrees east (negative: west).
    pub fn longitude(&self) -> f64 {
        self.longitude
    }
}

impl Location {
    /// A location: `place` is one line of 1 to 256 bytes without control
    /// characters or surrounding spaces; `country` an ISO 3166-1 alpha-2
    /// code in capitals (an officially assigned one). Either mistake is
    /// [`ErrorKind::InvalidLocation`].
    pub fn new(
        place: impl Into<String>,
        country: Option<&str>,
        coordinates: Option<Coordinates>,
    ) -> Result<Location> {
        let place = place.into();
        check_line(&place, "place", ErrorKind::InvalidLocation)?;
        if let Some(code) = country {
            if !is_country_code(code) {
                return Err(Error::new(
                    ErrorKind::InvalidLocation,
                    format!("country `{}` is not an ISO 3166-1 alpha-2 code", code.escape_debug()),
                ));
            }
        }
        Ok(Location { place, country: country.map(str::to_owned), coordinates })
    }

    /// The free-text place (site, city, data centre).
    pub fn place(&self) -> &str {
        &self.place
    }

    /// The ISO 3166-1 alpha-2 country code.
    pub fn country(&self) -> Option<&str> {
        self.country.as_deref()
    }

    /// The coordinates, if known.
    pub fn coordinates(&self) -> Option<Coordinates> {
        self.coordinates
    }
}

impl std::fmt::Display for Location {
    /// `Equinix LD5, Slough (GB) at 51.5225, -0.6298`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.place)?;
        if let Some(c) = &self.country {
            write!(f, " ({c})")?;
        }
        if let Some(p) = self.coordinates {
            write!(f, " at {}, {}", p.latitude, p.longitude)?;
        }
        Ok(())
    }
}

/// The serde form of [`Location`], checked on the way in.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LocationRecord {
    place: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    coordinates: Option<Coordinates>,
}

impl TryFrom<LocationRecord> for Location {
    type Error = Error;
    fn try_from(r: LocationRecord) -> Result<Location> {
        Location::new(r.place, r.country.as_deref(), r.coordinates)
    }
}

impl From<Location> for LocationRecord {
    fn from(l: Location) -> LocationRecord {
        LocationRecord { place: l.place, country: l.country, coordinates: l.coordinates }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CoordinatesRecord {
    latitude: f64,
    longitude: f64,
}

impl TryFrom<CoordinatesRecord> for Coordinates {
    type Error = Error;
    fn try_from(r: CoordinatesRecord) -> Result<Coordinates> {
        Coordinates::new(r.latitude, r.longitude)
    }
}

impl From<Coordinates> for CoordinatesRecord {
    fn from(c: Coordinates) -> CoordinatesRecord {
        CoordinatesRecord { latitude: c.latitude, longitude: c.longitude }
    }
}

/// Whether `code` is an officially assigned ISO 3166-1 alpha-2 code.
pub(crate) fn is_country_code(code: &str) -> bool {
    COUNTRY_CODES.binary_search(&code).is_ok()
}

/// The 249 officially assigned ISO 3166-1 alpha-2 codes, sorted (taken from
/// Debian's iso-codes 4.15.0, `iso_3166-1.json`).
const COUNTRY_CODES: [&str; 249] = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA",
    "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV",
    "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU",
    "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES",
    "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM",
    "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU", "ID", "IE",
    "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM",
    "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY",
    "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT",
    "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU",
    "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA",
    "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM",
    "SN", "SO", "SR", "SS", "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL",
    "TM", "TN", "TO", "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE",
    "VG", "VI", "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_codes_are_sorted_and_checked() {
        assert!(COUNTRY_CODES.windows(2).all(|w| w[0] < w[1]));
        for good in ["GB", "DE", "US", "AX", "ZW"] {
            assert!(is_country_code(good), "{good}");
        }
        for bad in ["gb", "UK", "XA", "EU", "G", "GBR", "", "ZZ"] {
            assert!(!is_country_code(bad), "{bad}");
        }
    }

    /// Where the machine has Debian's iso-codes, our table must equal it.
    #[test]
    fn country_codes_match_the_system_iso_codes_when_present() {
        let Ok(text) = std::fs::read_to_string("/usr/share/iso-codes/json/iso_3166-1.json") else {
            eprintln!("note: iso-codes not installed; skipping the cross-check");
            return;
        };
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut codes: Vec<&str> =
            json["3166-1"].as_array().unwrap().iter().map(|c| c["alpha_2"].as_str().unwrap()).collect();
        codes.sort_unstable();
        assert_eq!(codes, COUNTRY_CODES);
    }

    #[test]
    fn invalid_locations_are_refused() {
        let cases: Vec<(Result<Location>, &str)> = vec![
            (Location::new("", None, None), "place is empty"),
            (Location::new(" Slough", None, None), "leading or trailing"),
            (Location::new("a\nb", None, None), "control character"),
            (Location::new("Slough", Some("gb"), None), "`gb`"),
            (Location::new("Slough", Some("UK"), None), "`UK`"),
        ];
        for (result, detail) in cases {
            let err = result.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidLocation);
            assert!(err.detail().contains(detail), "{err}");
        }
        for (lat, lon) in [(90.5, 0.0), (0.0, -180.1), (f64::NAN, 0.0), (0.0, f64::INFINITY)] {
            assert_eq!(Coordinates::new(lat, lon).unwrap_err().kind(), ErrorKind::InvalidLocation);
        }
        assert_eq!(Coordinates::new(-0.0, 0.0).unwrap().latitude().to_bits(), 0.0f64.to_bits());
    }

    #[test]
    fn json_form_is_checked() {
        let l =
            Location::new("Slough", Some("GB"), Some(Coordinates::new(51.5225, -0.6298).unwrap())).unwrap();
        let json = serde_json::to_string(&l).unwrap();
        assert_eq!(
            json,
            r#"{"place":"Slough","country":"GB","coordinates":{"latitude":51.5225,"longitude":-0.6298}}"#
        );
        assert_eq!(serde_json::from_str::<Location>(&json).unwrap(), l);
        assert!(serde_json::from_str::<Location>(r#"{"place":"x","country":"QQ"}"#).is_err());
        assert!(serde_json::from_str::<Location>(
            r#"{"place":"x","coordinates":{"latitude":91,"longitude":0}}"#
        )
        .is_err());
        assert!(serde_json::from_str::<Location>(r#"{"place":"x","planet":"Mars"}"#).is_err());
    }
}

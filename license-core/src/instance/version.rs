//! The core software version an instance runs: Semantic Versioning 2.0.0.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Error, ErrorKind, Result};

/// The longest version text accepted.
const MAX_LEN: usize = 128;

/// A Semantic Versioning 2.0.0 version (`4.2.0`, `5.0.0-rc.1+build.7`).
///
/// Parsing is exact to the specification: three numeric parts without
/// leading zeros, optional pre-release identifiers (numeric ones without
/// leading zeros) and build metadata, identifiers of `[0-9A-Za-z-]`, and
/// nothing else (no `v` prefix, no spaces). Ordering is semver precedence
/// (`1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-beta < 1.0.0`); build metadata does
/// not change precedence and only breaks ties, so that the order agrees with
/// equality.
///
/// ```
/// use license_core::instance::SoftwareVersion;
/// let rc: SoftwareVersion = "5.0.0-rc.1".parse()?;
/// let release: SoftwareVersion = "5.0.0".parse()?;
/// assert!(rc < release);
/// assert!("05.0.0".parse::<SoftwareVersion>().is_err());
/// # Ok::<(), license_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SoftwareVersion {
    major: u64,
    minor: u64,
    patch: u64,
    pre: Vec<Identifier>,
    build: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Identifier {
    Numeric(u64),
    Alphanumeric(String),
}

impl Ord for Identifier {
    fn cmp(&self, other: &Identifier) -> Ordering {
        match (self, other) {
            (Identifier::Numeric(a), Identifier::Numeric(b)) => a.cmp(b),
            (Identifier::Numeric(_), Identifier::Alphanumeric(_)) => Ordering::Less,
            (Identifier::Alphanumeric(_), Identifier::Numeric(_)) => Ordering::Greater,
            (Identifier::Alphanumeric(a), Identifier::Alphanumeric(b)) => a.as_bytes().cmp(b.as_bytes()),
        }
    }
}

impl PartialOrd for Identifier {
    fn partial_cmp(&self, other: &Identifier) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl SoftwareVersion {
    /// The major version.
    pub fn major(&self) -> u64 {
        self.major
    }

    /// The minor version.
    pub fn minor(&self) -> u64 {
        self.minor
    }

    /// The patch version.
    pub fn patch(&self) -> u64 {
        self.patch
    }

    /// Whether this is a pre-release (`-alpha`, `-rc.1`).
    pub fn is_prerelease(&self) -> bool {
        !self.pre.is_empty()
    }

    /// Compares by semver precedence only, ignoring build metadata.
    pub fn cmp_precedence(&self, other: &SoftwareVersion) -> Ordering {
        (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch)).then_with(|| {
            match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                // A release ranks above its pre-releases.
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => self.pre.cmp(&other.pre),
            }
        })
    }
}

impl Ord for SoftwareVersion {
    fn cmp(&self, other: &SoftwareVersion) -> Ordering {
        self.cmp_precedence(other).then_with(|| self.build.cmp(&other.build))
    }
}

impl PartialOrd for SoftwareVersion {
    fn partial_cmp(&self, other: &SoftwareVersion) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for SoftwareVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        for (i, id) in self.pre.iter().enumerate() {
            f.write_str(if i == 0 { "-" } else { "." })?;
            match id {
                Identifier::Numeric(n) => write!(f, "{n}")?,
                Identifier::Alphanumeric(s) => f.write_str(s)?,
            }
        }
        if !self.build.is_empty() {
            write!(f, "+{}", self.build)?;
        }
        Ok(())
    }
}

impl FromStr for SoftwareVersion {
    type Err = Error;

    /// Parses a semver version; anything else is
    /// [`ErrorKind::InvalidSoftwareVersion`] saying which part is wrong.
    fn from_str(text: &str) -> Result<SoftwareVersion> {
        let bad = |why: &str| {
            let shown: String = text.chars().take(MAX_LEN).collect();
            Error::new(ErrorKind::InvalidSoftwareVersion, format!("`{}`: {why}", shown.escape_debug()))
        };
        if text.len() > MAX_LEN {
            return Err(bad(&format!("longer than {MAX_LEN} bytes")));
        }
        let (rest, build) = match text.split_once('+') {
            Some((rest, build)) => {
                if build.split('.').any(|id| !is_identifier(id)) {
                    return Err(bad("build metadata identifiers must be non-empty [0-9A-Za-z-]"));
                }
                (rest, build)
            }
            None => (text, ""),
        };
        let (core, pre) = match rest.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (rest, None),
        };
        let parts: Vec<&str> = core.split('.').collect();
        if parts.len() != 3 {
            return Err(bad("expected MAJOR.MINOR.PATCH"));
        }
        let mut numbers = [0u64; 3];
        for (slot, (part, name)) in numbers.iter_mut().zip(parts.iter().zip(["major", "minor", "patch"])) {
            *slot = numeric(part).ok_or_else(|| {
                bad(&format!(
                    "the {name} part `{}` is not a number without leading zeros",
                    part.escape_debug()
                ))
            })?;
        }
        let mut identifiers = Vec::new();
        if let Some(pre) = pre {
            for id in pre.split('.') {
                if !is_identifier(id) {
                    return Err(bad("pre-release identifiers must be non-empty [0-9A-Za-z-]"));
                }
                if id.bytes().all(|b| b.is_ascii_digit()) {
                    let n = numeric(id).ok_or_else(|| {
                        bad(&format!(
                            "numeric pre-release identifier `{id}` has a leading zero or is too large"
                        ))
                    })?;
                    identifiers.push(Identifier::Numeric(n));
                } else {
                    identifiers.push(Identifier::Alphanumeric(id.to_owned()));
                }
            }
        }
        Ok(SoftwareVersion {
            major: numbers[0],
            minor: numbers[1],
            patch: numbers[2],
            pre: identifiers,
            build: build.to_owned(),
        })
    }
}

fn is_identifier(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Digits without a leading zero (`0` itself allowed), fitting in u64.
fn numeric(text: &str) -> Option<u64> {
    let ok = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    ok.then(|| text.parse().ok()).flatten()
}

impl Serialize for SoftwareVersion {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SoftwareVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<SoftwareVersion, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> SoftwareVersion {
        text.parse().unwrap()
    }

    #[test]
    fn valid_versions_round_trip() {
        for text in [
            "0.0.0",
            "1.2.3",
            "10.20.30",
            "1.0.0-alpha",
            "1.0.0-0.3.7",
            "1.0.0-x.7.z.92",
            "1.0.0-x-y-z.--",
            "1.0.0-alpha+001",
            "1.0.0+20130313144700",
            "1.0.0-beta+exp.sha.5114f85",
            "18446744073709551615.0.0",
        ] {
            assert_eq!(v(text).to_string(), text);
        }
    }

    #[test]
    fn the_specification_s_precedence_example_holds() {
        let order = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ];
        for pair in order.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(v("1.0.0+a").cmp_precedence(&v("1.0.0+b")), Ordering::Equal);
        assert_ne!(v("1.0.0+a"), v("1.0.0+b"));
        assert!(v("1.0.0+a") < v("1.0.0+b"), "build breaks ties so Ord agrees with Eq");
    }

    #[test]
    fn invalid_versions_say_why() {
        for (text, why) in [
            ("", "MAJOR.MINOR.PATCH"),
            ("1.2", "MAJOR.MINOR.PATCH"),
            ("1.2.3.4", "MAJOR.MINOR.PATCH"),
            ("v1.2.3", "major part `v1`"),
            ("01.2.3", "leading zeros"),
            ("1.2.3-01", "leading zero"),
            ("1.2.3-", "pre-release"),
            ("1.2.3-a..b", "pre-release"),
            ("1.2.3+", "build metadata"),
            ("1.2.3+a+b", "build metadata"),
            ("1.2.3-ü", "pre-release"),
            (" 1.2.3", "major"),
            ("18446744073709551616.0.0", "major"),
        ] {
            let err = text.parse::<SoftwareVersion>().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidSoftwareVersion, "{text}");
            assert!(err.detail().contains(why), "{text}: {err}");
        }
        let long = format!("1.0.0-{}", "a".repeat(200));
        assert!(long.parse::<SoftwareVersion>().unwrap_err().detail().contains("longer than 128"));
    }

    #[test]
    fn serde_form_is_the_text() {
        let json = serde_json::to_string(&v("4.2.0-rc.1")).unwrap();
        assert_eq!(json, "\"4.2.0-rc.1\"");
        assert_eq!(serde_json::from_str::<SoftwareVersion>(&json).unwrap(), v("4.2.0-rc.1"));
        assert!(serde_json::from_str::<SoftwareVersion>("\"4.2\"").is_err());
    }
}

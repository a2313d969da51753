//! Alerts: warnings the library raises for people to see (a count over its
//! licensed limit, an approaching expiry, a clock that went backwards).
//!
//! An alert never blocks anything; it is data to show, log or forward. Every
//! part of the library raises the same shape: a severity, an [`AlertKind`]
//! (one enum, as [`ErrorKind`](crate::ErrorKind) is for errors, so a program
//! matches on every kind the library can raise), a human message and
//! machine-readable data.
//!
//! ```
//! use license_core::alert::{AlertKind, Severity};
//! use license_core::license::ActionedLimit;
//! use license_core::{CertificateRecord, CountConfig, Inventory};
//! use time::macros::datetime;
//!
//! let mut records = [CertificateRecord::new(1), CertificateRecord::new(2)];
//! records.iter_mut().for_each(|r| r.enrolled = true);
//! let inventory = Inventory::from_records(&records)?;
//! let limit = CountConfig::new(ActionedLimit::Counted(1));
//! let count = inventory.count(datetime!(2026-11-23 2:00 UTC), &limit);
//!
//! // Over the limit, the count is still made; it carries a warning.
//! let [alert] = count.alerts() else { panic!("expected one alert") };
//! assert_eq!(alert.severity(), Severity::Warning);
//! assert_eq!(alert.kind(), AlertKind::ActionedOverLimit);
//! assert_eq!(alert.kind().name(), "actioned_over_limit"); // stable, in JSON, C and Python
//! assert_eq!(alert.data()["over_by"], 1);
//! println!("{alert}"); // warning: 2 actioned certificates as of …
//! # Ok::<(), license_core::Error>(())
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// How urgent an [`Alert`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// For information; nothing needs doing.
    Info,
    /// Something needs attention soon.
    Warning,
    /// Something needs attention now.
    Critical,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        })
    }
}

/// What an [`Alert`] is about. Its snake_case [`name`](AlertKind::name) is
/// the stable form in JSON and on the C and Python surfaces; a name, once
/// published, is never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AlertKind {
    /// An actioned-certificate count is over its counted limit.
    ActionedOverLimit,
    /// The license is inside one of its expiry warning windows.
    LicenseExpiring,
    /// The license expired and its grace period began.
    #[serde(rename = "license_grace_period")]
    LicenseGrace,
    /// The license expired for good.
    LicenseExpired,
    /// The clock went back further than the store's tolerance.
    ClockRollback,
    /// Others than this installation can replace the store's files: its
    /// directory is writable by group or others, or owned by another user.
    StorePermissions,
}

impl AlertKind {
    /// Every kind, in declaration order.
    pub const ALL: [AlertKind; 6] = [
        AlertKind::ActionedOverLimit,
        AlertKind::LicenseExpiring,
        AlertKind::LicenseGrace,
        AlertKind::LicenseExpired,
        AlertKind::ClockRollback,
        AlertKind::StorePermissions,
    ];

    /// The stable snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            AlertKind::ActionedOverLimit => "actioned_over_limit",
            AlertKind::LicenseExpiring => "license_expiring",
            AlertKind::LicenseGrace => "license_grace_period",
            AlertKind::LicenseExpired => "license_expired",
            AlertKind::ClockRollback => "clock_rollback",
            AlertKind::StorePermissions => "store_permissions",
        }
    }
}

impl fmt::Display for AlertKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A warning or notice raised by the library.
///
/// `kind` is what programs match on; `message` is for people; `data`
/// carries the figures behind the message as a JSON object whose keys are
/// kept in sorted order, so the serialised form is deterministic.
///
/// ```
/// use license_core::alert::{AlertKind, Severity};
/// use license_core::Alert;
/// let alert = Alert::new(Severity::Warning, AlertKind::ActionedOverLimit, "5,200 actioned, limit 5,000")
///     .with_data("over_by", 200);
/// assert_eq!(alert.data()["over_by"], 200);
/// assert_eq!(alert.to_string(), "warning: 5,200 actioned, limit 5,000");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alert {
    severity: Severity,
    kind: AlertKind,
    message: String,
    #[serde(default)]
    data: Map<String, Value>,
}

impl Alert {
    /// An alert with no data.
    pub fn new(severity: Severity, kind: AlertKind, message: impl Into<String>) -> Alert {
        Alert { severity, kind, message: message.into(), data: Map::new() }
    }

    /// Adds (or replaces) one data entry.
    pub fn with_data(mut self, key: impl Into<String>, value: impl Into<Value>) -> Alert {
        self.data.insert(key.into(), value.into());
        self
    }

    /// How urgent it is.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// What it is about, for programs.
    pub fn kind(&self) -> AlertKind {
        self.kind
    }

    /// Its message, for people.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The figures behind the message.
    pub fn data(&self) -> &Map<String, Value> {
        &self.data
    }
}

impl fmt::Display for Alert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.severity, self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_with_sorted_data_and_round_trips() {
        let alert = Alert::new(Severity::Warning, AlertKind::ClockRollback, "m")
            .with_data("z", 1)
            .with_data("a", "x");
        let json = serde_json::to_string(&alert).unwrap();
        assert_eq!(
            json,
            r#"{"severity":"warning","kind":"clock_rollback","message":"m","data":{"a":"x","z":1}}"#
        );
        assert_eq!(serde_json::from_str::<Alert>(&json).unwrap(), alert);
        let unknown_field = r#"{"severity":"warning","kind":"clock_rollback","message":"m","x":1}"#;
        assert!(serde_json::from_str::<Alert>(unknown_field).is_err());
        let unknown_kind = r#"{"severity":"warning","kind":"k","message":"m"}"#;
        assert!(serde_json::from_str::<Alert>(unknown_kind).is_err());
    }

    #[test]
    fn each_kind_s_name_is_its_serde_form_and_unique() {
        let mut names = std::collections::BTreeSet::new();
        for kind in AlertKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.name(), "{kind:?}");
            assert_eq!(serde_json::from_value::<AlertKind>(kind.name().into()).unwrap(), kind);
            assert!(names.insert(kind.name()), "{kind:?}");
        }
    }
}

//! Alerts: warnings the library raises for people to see (a count over its
//! licensed limit, an approaching expiry, a clock that went backwards).
//!
//! An alert never blocks anything; it is data to show, log or forward. It is
//! deliberately general (a severity, a stable kind, a human message and
//! machine-readable data) so that every part of the library raises the same
//! shape.

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

/// A warning or notice raised by the library.
///
/// `kind` is a stable snake_case identifier that programs match on (for
/// example [`Alert::ACTIONED_OVER_LIMIT`]); `message` is for people; `data`
/// carries the figures behind the message as a JSON object whose keys are
/// kept in sorted order, so the serialised form is deterministic.
///
/// ```
/// use license_core::{Alert, alert::Severity};
/// let alert = Alert::new(Severity::Warning, "actioned_over_limit", "5,200 actioned, limit 5,000")
///     .with_data("over_by", 200);
/// assert_eq!(alert.data()["over_by"], 200);
/// assert_eq!(alert.to_string(), "warning: 5,200 actioned, limit 5,000");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alert {
    severity: Severity,
    kind: String,
    message: String,
    #[serde(default)]
    data: Map<String, Value>,
}

impl Alert {
    /// The kind of the alert raised when an actioned-certificate count is
    /// over its counted limit.
    pub const ACTIONED_OVER_LIMIT: &'static str = "actioned_over_limit";

    /// An alert with no data.
    pub fn new(severity: Severity, kind: impl Into<String>, message: impl Into<String>) -> Alert {
        Alert { severity, kind: kind.into(), message: message.into(), data: Map::new() }
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

    /// Its stable kind, for programs.
    pub fn kind(&self) -> &str {
        &self.kind
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
        let alert = Alert::new(Severity::Warning, "k", "m").with_data("z", 1).with_data("a", "x");
        let json = serde_json::to_string(&alert).unwrap();
        assert_eq!(json, r#"{"severity":"warning","kind":"k","message":"m","data":{"a":"x","z":1}}"#);
        assert_eq!(serde_json::from_str::<Alert>(&json).unwrap(), alert);
        assert!(serde_json::from_str::<Alert>(r#"{"severity":"warning","kind":"k","message":"m","x":1}"#)
            .is_err());
    }
}

//! The licensed number of actioned certificates.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How many actioned certificates a license allows.
///
/// Going over a counted limit raises a warning; nothing is ever blocked.
///
/// ```
/// use license_core::license::ActionedLimit;
/// assert_eq!(ActionedLimit::Counted(100).over_by(130), Some(30));
/// assert_eq!(ActionedLimit::Counted(100).over_by(100), None);
/// assert_eq!(ActionedLimit::SiteLicense.over_by(u64::MAX), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionedLimit {
    /// At most this many actioned certificates.
    Counted(u64),
    /// No limit; counts report "N/A" against it.
    SiteLicense,
}

impl ActionedLimit {
    /// By how much `count` exceeds the limit, if it does.
    pub fn over_by(self, count: u64) -> Option<u64> {
        match self {
            ActionedLimit::Counted(limit) if count > limit => Some(count - limit),
            _ => None,
        }
    }

    /// The counted limit, or `None` for a site license.
    pub fn counted(self) -> Option<u64> {
        match self {
            ActionedLimit::Counted(n) => Some(n),
            ActionedLimit::SiteLicense => None,
        }
    }
}

impl fmt::Display for ActionedLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActionedLimit::Counted(n) => write!(f, "{n} certificates"),
            ActionedLimit::SiteLicense => f.write_str("site license (N/A)"),
        }
    }
}

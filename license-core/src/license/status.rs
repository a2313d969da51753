//! Where a license stands at an instant: valid, expiring soon, in its grace
//! period, or expired; and which warnings have already been given.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::{timefmt, Error, ErrorKind, License, Result};

/// The default days-before-expiry at which a warning is raised.
pub const DEFAULT_WARNING_DAYS: [u32; 3] = [60, 30, 5];

/// The longest warning window or grace period accepted, in days (ten years).
const MAX_POLICY_DAYS: u32 = 3660;

/// When to warn before expiry, and how long a grace period follows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpiryPolicy {
    /// Days before expiry at which a warning is raised, largest first.
    #[serde(default = "default_warning_days")]
    pub warning_days: Vec<u32>,
    /// Days after expiry during which the license still works, with alerts.
    #[serde(default)]
    pub grace_days: u32,
}

fn default_warning_days() -> Vec<u32> {
    DEFAULT_WARNING_DAYS.to_vec()
}

impl Default for ExpiryPolicy {
    fn default() -> ExpiryPolicy {
        ExpiryPolicy { warning_days: default_warning_days(), grace_days: 0 }
    }
}

impl ExpiryPolicy {
    /// Checks the policy (thresholds non-empty, each 1..=3660 days, no
    /// repeats; grace at most 3660 days) and sorts thresholds largest first.
    pub(crate) fn normalized(mut self) -> Result<ExpiryPolicy> {
        let mut seen = BTreeSet::new();
        for &d in &self.warning_days {
            if d == 0 || d > MAX_POLICY_DAYS || !seen.insert(d) {
                return Err(Error::new(
                    ErrorKind::InvalidWarningThresholds,
                    format!("warning_days {:?}", self.warning_days),
                ));
            }
        }
        if self.warning_days.is_empty() {
            return Err(Error::new(ErrorKind::InvalidWarningThresholds, "warning_days is empty"));
        }
        if self.grace_days > MAX_POLICY_DAYS {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("grace_days {} is over {MAX_POLICY_DAYS}", self.grace_days),
            ));
        }
        self.warning_days.sort_unstable_by(|a, b| b.cmp(a));
        Ok(self)
    }
}

/// Where a license stands at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LicenseStatus {
    /// Valid and outside every warning window.
    Valid {
        /// Whole days until expiry; `None` for a perpetual license.
        days_left: Option<i64>,
    },
    /// Valid, but inside a warning window.
    ExpiringSoon {
        /// Whole days until expiry (0 on the last day).
        days_left: i64,
        /// The smallest warning threshold reached, in days.
        threshold_days: u32,
    },
    /// Past expiry but inside the grace period: still working, with alerts.
    InGrace {
        /// When the grace period ends.
        #[serde(with = "timefmt::rfc3339")]
        grace_ends_at: OffsetDateTime,
        /// Whole days of grace left.
        days_left: i64,
    },
    /// Past expiry and any grace period.
    Expired {
        /// When the license expired (its `expires_at`).
        #[serde(with = "timefmt::rfc3339")]
        expired_at: OffsetDateTime,
    },
}

impl LicenseStatus {
    /// Whether the license still works (valid, expiring soon or in grace).
    pub fn is_usable(&self) -> bool {
        !matches!(self, LicenseStatus::Expired { .. })
    }

    /// A rank that only grows with time: 0 valid, 1 expiring soon, 2 in
    /// grace, 3 expired.
    pub fn rank(&self) -> u8 {
        match self {
            LicenseStatus::Valid { .. } => 0,
            LicenseStatus::ExpiringSoon { .. } => 1,
            LicenseStatus::InGrace { .. } => 2,
            LicenseStatus::Expired { .. } => 3,
        }
    }
}

impl std::fmt::Display for LicenseStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LicenseStatus::Valid { days_left: None } => f.write_str("valid (perpetual)"),
            LicenseStatus::Valid { days_left: Some(d) } => write!(f, "valid, {d} days left"),
            LicenseStatus::ExpiringSoon { days_left, threshold_days } => {
                write!(f, "expiring soon: {days_left} days left (inside the {threshold_days}-day warning)")
            }
            LicenseStatus::InGrace { grace_ends_at, days_left } => write!(
                f,
                "expired, in grace until {} ({days_left} days left)",
                timefmt::format(*grace_ends_at)
            ),
            LicenseStatus::Expired { expired_at } => {
                write!(f, "expired at {}", timefmt::format(*expired_at))
            }
        }
    }
}

/// Whole days from `from` to `to`, rounded down.
fn whole_days(from: OffsetDateTime, to: OffsetDateTime) -> i64 {
    (to - from).whole_days()
}

impl License {
    /// Where this license stands at `at`. A license expires at the instant
    /// `expires_at` (inclusive), then has `grace_days` of grace.
    ///
    /// ```
    /// use license_core::{License, license::LicenseStatus};
    /// use time::macros::datetime;
    /// let license = License::builder("LIC-1", "certmgr", datetime!(2026-01-01 0:00 UTC))
    ///     .licensee("Example Ltd")
    ///     .expires_at(datetime!(2027-01-01 0:00 UTC))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(
    ///     license.status(datetime!(2026-12-15 0:00 UTC)),
    ///     LicenseStatus::ExpiringSoon { days_left: 17, threshold_days: 30 }
    /// );
    /// ```
    pub fn status(&self, at: OffsetDateTime) -> LicenseStatus {
        let Some(expires_at) = self.expires_at() else {
            return LicenseStatus::Valid { days_left: None };
        };
        if at < expires_at {
            let days_left = whole_days(at, expires_at);
            // Thresholds are sorted largest first; the last one reached is
            // the most urgent. A threshold of d days is reached at exactly
            // d days before expiry, as in `milestones_reached`.
            let reached = self
                .expiry_policy()
                .warning_days
                .iter()
                .rev()
                .find(|&&d| expires_at - at <= Duration::days(i64::from(d)));
            return match reached {
                Some(&threshold_days) => LicenseStatus::ExpiringSoon { days_left, threshold_days },
                None => LicenseStatus::Valid { days_left: Some(days_left) },
            };
        }
        let grace_ends_at = expires_at + Duration::days(i64::from(self.expiry_policy().grace_days));
        if at < grace_ends_at {
            LicenseStatus::InGrace { grace_ends_at, days_left: whole_days(at, grace_ends_at) }
        } else {
            LicenseStatus::Expired { expired_at: expires_at }
        }
    }

    /// The expiry milestones this license has reached at `at`, in the order
    /// they are reached. See [`ExpiryWatch`] for reporting each only once.
    pub fn milestones_reached(&self, at: OffsetDateTime) -> Vec<ExpiryMilestone> {
        let Some(expires_at) = self.expires_at() else {
            return Vec::new();
        };
        let mut reached: Vec<ExpiryMilestone> = self
            .expiry_policy()
            .warning_days
            .iter()
            .filter(|&&d| at >= expires_at - Duration::days(i64::from(d)))
            .map(|&d| ExpiryMilestone::Warning { days: d })
            .collect();
        if at >= expires_at {
            if self.expiry_policy().grace_days > 0 {
                reached.push(ExpiryMilestone::GraceEntered);
            }
            if !self.status(at).is_usable() {
                reached.push(ExpiryMilestone::Expired);
            }
        }
        reached
    }
}

/// One point on the way to expiry that deserves a single warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "milestone", rename_all = "snake_case")]
pub enum ExpiryMilestone {
    /// The license is now this many days or fewer from expiry.
    Warning {
        /// The threshold reached, in days before expiry.
        days: u32,
    },
    /// The license has expired and its grace period has begun.
    GraceEntered,
    /// The license has expired for good.
    Expired,
}

impl std::fmt::Display for ExpiryMilestone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExpiryMilestone::Warning { days } => write!(f, "{days} days or fewer before expiry"),
            ExpiryMilestone::GraceEntered => f.write_str("expired; grace period entered"),
            ExpiryMilestone::Expired => f.write_str("expired"),
        }
    }
}

/// Remembers which expiry milestones of a license have been reported, so a
/// caller that checks repeatedly reports each crossing exactly once.
///
/// A new license (another id) starts afresh. The watch is serde-serialisable
/// so that an installation can persist it between runs.
///
/// ```
/// use license_core::{License, license::{ExpiryMilestone, ExpiryWatch}};
/// use time::macros::datetime;
/// let license = License::builder("LIC-1", "certmgr", datetime!(2026-01-01 0:00 UTC))
///     .licensee("Example Ltd")
///     .expires_at(datetime!(2027-01-01 0:00 UTC))
///     .build()
///     .unwrap();
/// let mut watch = ExpiryWatch::default();
/// let at = datetime!(2026-12-15 0:00 UTC);
/// assert_eq!(
///     watch.check(&license, at),
///     [ExpiryMilestone::Warning { days: 60 }, ExpiryMilestone::Warning { days: 30 }]
/// );
/// assert!(watch.check(&license, at).is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiryWatch {
    license_id: Option<String>,
    reported: BTreeSet<ExpiryMilestone>,
}

impl ExpiryWatch {
    /// The milestones reached at `at` that were not reported before; they
    /// are remembered as reported.
    pub fn check(&mut self, license: &License, at: OffsetDateTime) -> Vec<ExpiryMilestone> {
        if self.license_id.as_deref() != Some(license.id()) {
            self.license_id = Some(license.id().to_owned());
            self.reported.clear();
        }
        license.milestones_reached(at).into_iter().filter(|m| self.reported.insert(*m)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn license(grace_days: u32) -> License {
        License::builder("LIC-1", "certmgr", datetime!(2026-01-01 0:00 UTC))
            .licensee("Example Ltd")
            .expires_at(datetime!(2027-01-01 0:00 UTC))
            .expiry_policy(ExpiryPolicy { warning_days: vec![5, 60, 30], grace_days })
            .build()
            .unwrap()
    }

    #[test]
    fn status_walks_through_every_state() {
        let l = license(14);
        let exp = datetime!(2027-01-01 0:00 UTC);
        assert_eq!(l.status(exp - Duration::days(61)), LicenseStatus::Valid { days_left: Some(61) });
        assert_eq!(
            l.status(exp - Duration::days(60)),
            LicenseStatus::ExpiringSoon { days_left: 60, threshold_days: 60 }
        );
        assert_eq!(
            l.status(exp - Duration::SECOND),
            LicenseStatus::ExpiringSoon { days_left: 0, threshold_days: 5 }
        );
        assert_eq!(
            l.status(exp),
            LicenseStatus::InGrace { grace_ends_at: exp + Duration::days(14), days_left: 14 }
        );
        assert_eq!(l.status(exp + Duration::days(14)), LicenseStatus::Expired { expired_at: exp });
    }

    #[test]
    fn no_grace_means_expired_at_expiry() {
        let exp = datetime!(2027-01-01 0:00 UTC);
        assert_eq!(license(0).status(exp), LicenseStatus::Expired { expired_at: exp });
    }

    #[test]
    fn each_milestone_is_reported_once() {
        let l = license(14);
        let exp = datetime!(2027-01-01 0:00 UTC);
        let mut watch = ExpiryWatch::default();
        assert!(watch.check(&l, exp - Duration::days(90)).is_empty());
        assert_eq!(watch.check(&l, exp - Duration::days(45)), [ExpiryMilestone::Warning { days: 60 }]);
        assert!(watch.check(&l, exp - Duration::days(44)).is_empty());
        // A jump over two thresholds reports both, once.
        assert_eq!(
            watch.check(&l, exp - Duration::days(1)),
            [ExpiryMilestone::Warning { days: 30 }, ExpiryMilestone::Warning { days: 5 }]
        );
        assert_eq!(watch.check(&l, exp), [ExpiryMilestone::GraceEntered]);
        assert_eq!(watch.check(&l, exp + Duration::days(20)), [ExpiryMilestone::Expired]);
        assert!(watch.check(&l, exp + Duration::days(21)).is_empty());
        // The watch survives a round trip through its persisted form.
        let json = serde_json::to_string(&watch).unwrap();
        let mut again: ExpiryWatch = serde_json::from_str(&json).unwrap();
        assert!(again.check(&l, exp + Duration::days(22)).is_empty());
    }

    #[test]
    fn policy_validation() {
        for bad in [vec![], vec![0], vec![30, 30], vec![4000]] {
            let err = ExpiryPolicy { warning_days: bad, grace_days: 0 }.normalized().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidWarningThresholds);
        }
    }
}

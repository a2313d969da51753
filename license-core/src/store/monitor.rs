//! Alerts for the installed license: expiry thresholds, grace period,
//! expiry, actioned count over the limit and clock rollback, each raised
//! once per crossing and remembered in the store across restarts.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{LicenseStore, Storage};
use crate::{
    alert::{AlertKind, Severity},
    license::{ExpiryMilestone, ExpiryWatch},
    timefmt, ActionedCount, Alert, ErrorKind, Result,
};

const MONITOR_STATE: &str = "monitor.json";

/// What the monitor has already raised.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MonitorState {
    expiry: ExpiryWatch,
    /// Whether the last count seen was over its limit.
    over_limit: bool,
    /// The latest-seen time a clock rollback was last reported against.
    #[serde(default, with = "timefmt::rfc3339::option")]
    rollback_reported_for: Option<OffsetDateTime>,
    /// The storage concerns last reported (reported again when they change).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    concerns_reported: Vec<String>,
}

/// Watches an installation and raises each alert once per crossing.
///
/// It raises every [`AlertKind`]. Nothing is ever blocked: the caller shows,
/// logs or forwards the alerts.
#[derive(Debug, Clone, Copy, Default)]
pub struct Monitor;

impl Monitor {
    /// The alerts due at `now` that were not raised before: expiry
    /// milestones of the installed license, the count going over its limit
    /// (again after having come back under), a clock rollback, and a store
    /// others can write. What was raised is remembered in the store.
    pub fn check<S: Storage>(
        now: OffsetDateTime,
        store: &LicenseStore<S>,
        count: Option<&ActionedCount>,
    ) -> Result<Vec<Alert>> {
        let mut alerts = Vec::new();
        let clock = store.check_clock(now)?;
        let mut state: MonitorState = store.read_state(MONITOR_STATE)?.unwrap_or_default();

        if let (Some(behind), Some(latest)) = (clock.rolled_back_by, clock.latest_seen) {
            if state.rollback_reported_for != Some(latest) {
                state.rollback_reported_for = Some(latest);
                alerts.push(
                    Alert::new(
                        Severity::Warning,
                        AlertKind::ClockRollback,
                        format!(
                            "the clock reads {}, {} hours before the latest time seen ({})",
                            timefmt::format(now),
                            behind.whole_hours(),
                            timefmt::format(latest)
                        ),
                    )
                    .with_data("now", timefmt::format(now))
                    .with_data("latest_seen", timefmt::format(latest))
                    .with_data("behind_seconds", behind.whole_seconds()),
                );
            }
        }

        let concerns = store.storage().concerns()?;
        if !concerns.is_empty() && concerns != state.concerns_reported {
            alerts.push(
                Alert::new(Severity::Warning, AlertKind::StorePermissions, concerns.join("; "))
                    .with_data("concerns", concerns.clone()),
            );
        }
        state.concerns_reported = concerns;

        match store.current() {
            Ok(verified) => {
                let license = verified.license();
                for milestone in state.expiry.check(license, now) {
                    alerts.push(expiry_alert(license, milestone, now));
                }
            }
            Err(e) if e.kind() == ErrorKind::NoLicenseInstalled => {}
            Err(e) => return Err(e),
        }

        if let Some(count) = count {
            let over = count.over_by().is_some();
            if over && !state.over_limit {
                alerts.extend(
                    count.alerts().iter().filter(|a| a.kind() == AlertKind::ActionedOverLimit).cloned(),
                );
            }
            state.over_limit = over;
        }
        store.write_state(MONITOR_STATE, &state)?;
        Ok(alerts)
    }
}

fn expiry_alert(license: &crate::License, milestone: ExpiryMilestone, now: OffsetDateTime) -> Alert {
    let expires_at = license.expires_at().map(timefmt::format).unwrap_or_default();
    let alert = match milestone {
        ExpiryMilestone::Warning { days } => Alert::new(
            Severity::Warning,
            AlertKind::LicenseExpiring,
            format!(
                "license {} expires at {expires_at}: {} ({days}-day warning)",
                license.id(),
                license.status(now)
            ),
        )
        .with_data("threshold_days", days),
        ExpiryMilestone::GraceEntered => Alert::new(
            Severity::Critical,
            AlertKind::LicenseGrace,
            format!("license {} expired at {expires_at}; {}", license.id(), license.status(now)),
        ),
        ExpiryMilestone::Expired => Alert::new(
            Severity::Critical,
            AlertKind::LicenseExpired,
            format!("license {} expired at {expires_at}", license.id()),
        ),
    };
    alert.with_data("license_id", license.id()).with_data("expires_at", expires_at)
}

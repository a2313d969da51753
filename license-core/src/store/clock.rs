//! The clock-tamper guard: the store remembers the latest time it has seen,
//! and a `now` well before it means the clock was turned back.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::{read_json, write_json, Storage};
use crate::{timefmt, Result};

const CLOCK_STATE: &str = "clock.json";

#[derive(Serialize, Deserialize)]
struct ClockState {
    #[serde(with = "timefmt::rfc3339")]
    latest_seen: OffsetDateTime,
}

/// What [`crate::LicenseStore::check_clock`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockCheck {
    /// The latest time the store had seen before this check.
    pub latest_seen: Option<OffsetDateTime>,
    /// How far `now` is behind that time, when it is behind by more than
    /// the tolerance: the clock was turned back.
    pub rolled_back_by: Option<Duration>,
}

pub(super) fn check<S: Storage>(storage: &S, now: OffsetDateTime, tolerance: Duration) -> Result<ClockCheck> {
    let now = timefmt::normalize(now, "now")?;
    let previous: Option<ClockState> = read_json(storage, CLOCK_STATE)?;
    let latest_seen = previous.map(|s| s.latest_seen);
    let rolled_back_by = latest_seen.map(|l| l - now).filter(|behind| *behind > tolerance);
    if latest_seen.is_none_or(|l| now > l) {
        write_json(storage, CLOCK_STATE, &ClockState { latest_seen: now })?;
    }
    Ok(ClockCheck { latest_seen, rolled_back_by })
}

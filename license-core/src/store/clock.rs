//! The clock-tamper guard: the store remembers the latest time it has seen,
//! and a `now` well before it means the clock was turned back. Deleting
//! that memory does not help: the floor also comes from facts the store
//! keeps for other reasons (a license's signed issue time, a recorded
//! count), and no clock can read earlier than those.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::{read_json, write_json, Storage};
use crate::{timefmt, Result};

const CLOCK_STATE: &str = "clock.json";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockState {
    #[serde(with = "timefmt::rfc3339")]
    latest_seen: OffsetDateTime,
}

/// What [`crate::LicenseStore::check_clock`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockCheck {
    /// The latest time the store had seen or can prove before this check:
    /// the time last seen, the issue time of the licenses it installed or
    /// holds, the latest recorded count.
    pub latest_seen: Option<OffsetDateTime>,
    /// How far `now` is behind that time, when it is behind by more than
    /// the tolerance: the clock was turned back.
    pub rolled_back_by: Option<Duration>,
}

/// Compares `now` with the latest of the time last seen and `floor` (a time
/// the store can prove has passed), and remembers `now` if it is the latest
/// seen.
pub(super) fn check<S: Storage>(
    storage: &S,
    now: OffsetDateTime,
    tolerance: Duration,
    floor: Option<OffsetDateTime>,
) -> Result<ClockCheck> {
    let now = timefmt::normalize(now, "now")?;
    let previous = read_json::<_, ClockState>(storage, CLOCK_STATE)?.map(|s| s.latest_seen);
    let latest_seen = previous.max(floor);
    let rolled_back_by = latest_seen.map(|l| l - now).filter(|behind| *behind > tolerance);
    if previous.is_none_or(|l| now > l) {
        write_json(storage, CLOCK_STATE, &ClockState { latest_seen: now })?;
    }
    Ok(ClockCheck { latest_seen, rolled_back_by })
}

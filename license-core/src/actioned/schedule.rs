//! `CountSchedule`: when the daily count runs.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime, Time, UtcOffset};

use crate::{Error, ErrorKind, Result};

/// A daily count at a fixed UTC time of day (by default 02:00, as the
/// product this is modelled on does its nightly count).
///
/// ```
/// use license_core::actioned::CountSchedule;
/// use time::macros::datetime;
/// let s = CountSchedule::default();
/// assert_eq!(s.next_after(datetime!(2026-11-23 1:59:59 UTC)), datetime!(2026-11-23 2:00 UTC));
/// assert_eq!(s.next_after(datetime!(2026-11-23 2:00 UTC)), datetime!(2026-11-24 2:00 UTC));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawSchedule")]
pub struct CountSchedule {
    hour: u8,
    minute: u8,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchedule {
    hour: u8,
    minute: u8,
}

impl TryFrom<RawSchedule> for CountSchedule {
    type Error = Error;
    fn try_from(raw: RawSchedule) -> Result<CountSchedule> {
        CountSchedule::daily_at(raw.hour, raw.minute)
    }
}

impl Default for CountSchedule {
    fn default() -> CountSchedule {
        CountSchedule { hour: 2, minute: 0 }
    }
}

impl CountSchedule {
    /// Daily at `hour:minute` UTC.
    pub fn daily_at(hour: u8, minute: u8) -> Result<CountSchedule> {
        if hour > 23 || minute > 59 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("daily count time {hour:02}:{minute:02}"),
            ));
        }
        Ok(CountSchedule { hour, minute })
    }

    /// The UTC time of day of the count.
    pub fn time_of_day(&self) -> Time {
        Time::from_hms(self.hour.min(23), self.minute.min(59), 0).unwrap_or(Time::MIDNIGHT)
    }

    /// The first scheduled run strictly after `t`.
    pub fn next_after(&self, t: OffsetDateTime) -> OffsetDateTime {
        let utc = t.to_offset(UtcOffset::UTC);
        let today = utc.replace_time(self.time_of_day());
        if today > utc {
            today
        } else {
            today.checked_add(Duration::days(1)).unwrap_or(today)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn next_after_in_other_offsets_and_serde() {
        let s = CountSchedule::daily_at(23, 30).unwrap();
        assert_eq!(s.next_after(datetime!(2026-12-31 23:30 UTC)), datetime!(2027-01-01 23:30 UTC));
        // 01:00 at +02:00 is 23:00 UTC the day before.
        assert_eq!(s.next_after(datetime!(2026-11-24 1:00 +2)), datetime!(2026-11-23 23:30 UTC));
        assert!(CountSchedule::daily_at(24, 0).is_err());
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, r#"{"hour":23,"minute":30}"#);
        assert_eq!(serde_json::from_str::<CountSchedule>(&json).unwrap(), s);
        assert!(serde_json::from_str::<CountSchedule>(r#"{"hour":25,"minute":0}"#).is_err());
    }
}

//! `CountHistory`: past counts, persisted, with a simple linear trend.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::ActionedCount;
use crate::{Error, ErrorKind, Result};

/// Largest history file [`CountHistory::from_json`] reads.
pub const MAX_HISTORY_BYTES: usize = 64 << 20;

/// Past counts in time order.
///
/// ```
/// use license_core::{ActionedCount, license::ActionedLimit, actioned::{CountHistory, CountTally}};
/// use time::macros::datetime;
/// let mut history = CountHistory::new();
/// // (counts normally come from Inventory::count)
/// # let count = ActionedCount::from_tally(datetime!(2026-11-23 2:00 UTC), CountTally::default(), ActionedLimit::SiteLicense);
/// history.push(count)?;
/// let back = CountHistory::from_json(&history.to_json())?;
/// assert_eq!(back, history);
/// # Ok::<(), license_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountHistory {
    counts: Vec<ActionedCount>,
}

/// The linear trend of recent counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trend {
    /// Change of the total per day (least-squares slope).
    pub per_day: f64,
    /// The fitted line's total at the latest count's instant; with
    /// `per_day` it gives the line anywhere (charts draw it from here).
    pub fitted_latest: f64,
    /// When the fitted line reaches the counted limit, if it rises and the
    /// limit is counted (may be in the past when already over).
    pub crosses_limit_at: Option<OffsetDateTime>,
}

impl CountHistory {
    /// An empty history.
    pub fn new() -> CountHistory {
        CountHistory::default()
    }

    /// The counts, oldest first.
    pub fn counts(&self) -> &[ActionedCount] {
        &self.counts
    }

    /// Appends a count; it must be later than the last one.
    pub fn push(&mut self, count: ActionedCount) -> Result<()> {
        if let Some(last) = self.counts.last() {
            if count.as_of() <= last.as_of() {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "a count must be later than the last one in the history",
                ));
            }
        }
        self.counts.push(count);
        Ok(())
    }

    /// Keeps only the latest `n` counts.
    pub fn truncate_to_latest(&mut self, n: usize) {
        let drop = self.counts.len().saturating_sub(n);
        self.counts.drain(..drop);
    }

    /// The JSON form: `{"counts": [ActionedCount, …]}`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads the JSON form (at most [`MAX_HISTORY_BYTES`]); counts must be
    /// in strictly increasing time order.
    pub fn from_json(text: &str) -> Result<CountHistory> {
        if text.len() > MAX_HISTORY_BYTES {
            return Err(Error::new(
                ErrorKind::InputTooLarge,
                format!("count history over {MAX_HISTORY_BYTES} bytes"),
            ));
        }
        let history: CountHistory = serde_json::from_str(text)
            .map_err(|e| Error::new(ErrorKind::InvalidJson, format!("count history: {e}")))?;
        if history.counts.windows(2).any(|w| w[1].as_of() <= w[0].as_of()) {
            return Err(Error::new(ErrorKind::InvalidJson, "count history: counts are not in time order"));
        }
        Ok(history)
    }

    /// The least-squares line through the totals of the latest `n` counts
    /// (at least two), and when it reaches the limit of the latest count.
    pub fn trend(&self, n: usize) -> Option<Trend> {
        let recent = &self.counts[self.counts.len().saturating_sub(n)..];
        if recent.len() < 2 {
            return None;
        }
        let t0 = recent[0].as_of();
        let points: Vec<(f64, f64)> =
            recent.iter().map(|c| ((c.as_of() - t0).as_seconds_f64() / 86_400.0, c.total() as f64)).collect();
        let k = points.len() as f64;
        let (mx, my) =
            (points.iter().map(|p| p.0).sum::<f64>() / k, points.iter().map(|p| p.1).sum::<f64>() / k);
        let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
        let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
        if sxx == 0.0 {
            return None;
        }
        let per_day = sxy / sxx;
        let intercept = my - per_day * mx;
        let limit = recent[recent.len() - 1].limit().counted();
        let crosses_limit_at = match limit {
            Some(limit) if per_day > 0.0 => {
                let days = (limit as f64 - intercept) / per_day;
                // Beyond the representable range (or years away) is "no".
                (days.abs() < 3_650_000.0)
                    .then(|| t0.checked_add(Duration::seconds_f64(days * 86_400.0)))
                    .flatten()
                    .map(|t| t.replace_nanosecond(0).unwrap_or(t))
            }
            _ => None,
        };
        let fitted_latest = intercept + per_day * points[points.len() - 1].0;
        Some(Trend { per_day, fitted_latest, crosses_limit_at })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actioned::CountTally;
    use crate::{license::ActionedLimit, Inventory};
    use time::macros::datetime;

    /// A count with `total` certificates (each enrolled) at `at`.
    fn count_of(total: u32, at: OffsetDateTime, limit: ActionedLimit) -> ActionedCount {
        let records: Vec<_> = (1..=total)
            .map(|id| crate::CertificateRecord { enrolled: true, ..crate::CertificateRecord::new(id) })
            .collect();
        Inventory::from_records(&records).unwrap().count(at, &crate::CountConfig::new(limit))
    }

    #[test]
    fn trend_crosses_the_limit_where_the_line_does() {
        let start = datetime!(2026-11-01 2:00 UTC);
        let mut h = CountHistory::new();
        for day in 0..5 {
            // 100 more every day: 1000, 1100, … 1400; limit 2000 is reached
            // 10 days after the first count.
            h.push(count_of(
                1000 + 100 * day,
                start + Duration::days(i64::from(day)),
                ActionedLimit::Counted(2000),
            ))
            .unwrap();
        }
        let trend = h.trend(5).unwrap();
        assert!((trend.per_day - 100.0).abs() < 1e-9);
        assert!((trend.fitted_latest - 1400.0).abs() < 1e-9);
        assert_eq!(trend.crosses_limit_at, Some(start + Duration::days(10)));
        // The last two only: same slope, same date.
        assert_eq!(h.trend(2).unwrap().crosses_limit_at, Some(start + Duration::days(10)));
        assert!(h.trend(1).is_none());
        assert!(h.push(count_of(1, start, ActionedLimit::SiteLicense)).is_err());
        let back = CountHistory::from_json(&h.to_json()).unwrap();
        assert_eq!(back, h);
        h.truncate_to_latest(2);
        assert_eq!(h.counts().len(), 2);
    }

    #[test]
    fn flat_or_site_license_never_crosses() {
        let start = datetime!(2026-11-01 2:00 UTC);
        let mut h = CountHistory::new();
        for (day, total) in [(0, 50u32), (1, 40), (2, 30)] {
            h.push(count_of(total, start + Duration::days(day), ActionedLimit::Counted(100))).unwrap();
        }
        assert_eq!(h.trend(3).unwrap().crosses_limit_at, None);
        let site = ActionedCount::from_tally(
            start + Duration::days(3),
            CountTally::default(),
            ActionedLimit::SiteLicense,
        );
        h.push(site).unwrap();
        assert_eq!(h.trend(3).unwrap().crosses_limit_at, None);
    }

    #[test]
    fn rejects_bad_history_json() {
        assert_eq!(CountHistory::from_json("{").unwrap_err().kind(), ErrorKind::InvalidJson);
        assert_eq!(
            CountHistory::from_json(r#"{"counts": [], "x": 1}"#).unwrap_err().kind(),
            ErrorKind::InvalidJson
        );
        let start = datetime!(2026-11-01 2:00 UTC);
        let a = count_of(1, start, ActionedLimit::SiteLicense);
        let text = serde_json::to_string(&serde_json::json!({"counts": [a.clone(), a]})).unwrap();
        assert_eq!(CountHistory::from_json(&text).unwrap_err().kind(), ErrorKind::InvalidJson);
    }
}

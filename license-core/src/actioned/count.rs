//! The result of a count (`ActionedCount`), and counting from id sets the
//! caller supplies (`CategorySets`, `count_sets`): the same kernel that
//! `Inventory::count` uses, for sets read from elsewhere (Roaring or
//! ClickHouse bytes, shards of a data platform).

use std::fmt;
use std::ops::Index;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;

use super::idset::IdSet;
use super::kernel::{self, SetsDead};
use super::Category;
use crate::table::Table;
use crate::{
    alert::{AlertKind, Severity},
    license::ActionedLimit,
    timefmt, Alert,
};

/// Raw counts of one counting pass: the total and each category's count.
///
/// Tallies of disjoint id ranges add up exactly (for example the 2^32-id
/// buckets of 64-bit ids, counted one bucket at a time); tallies of
/// overlapping ranges do not, since a certificate counts once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CountTally {
    total: u64,
    categories: [u64; 7],
}

impl CountTally {
    pub(crate) fn from_acc(acc: kernel::Acc) -> CountTally {
        let mut categories = [0; 7];
        categories.copy_from_slice(&acc[..7]);
        CountTally { total: acc[7], categories }
    }

    /// Certificates in at least one category, each counted once.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Certificates in `category`, after its exclusion rule.
    pub fn category(&self, category: Category) -> u64 {
        self.categories[category.index()]
    }

    /// Adds the tally of a disjoint id range.
    pub fn add(&mut self, other: &CountTally) {
        self.total += other.total;
        for (a, b) in self.categories.iter_mut().zip(other.categories) {
            *a += b;
        }
    }
}

/// The nine inputs of a count, as id sets the caller supplies: the six live
/// categories, revoked as of `t`, expired as of `t` and revoked within the
/// week before `t`. Each input may be given as several sets (stores, shard
/// states…); it is their union, which the kernel forms chunk by chunk
/// without materialising it.
///
/// ```
/// use license_core::{IdSet, actioned::{count_sets, Category, CategorySets}, license::ActionedLimit};
/// use time::macros::datetime;
///
/// let enrolled: IdSet = [1, 2, 3].into_iter().collect();
/// let store: IdSet = [3, 4].into_iter().collect();
/// let revoked: IdSet = [2, 9].into_iter().collect();
/// let recent: IdSet = [9].into_iter().collect();
/// let sets = CategorySets::new(datetime!(2026-11-23 2:00 UTC))
///     .with(Category::Enrolled, &enrolled)
///     .with(Category::CertStore, &store)
///     .with_revoked(&revoked)
///     .with(Category::RevokedRecently, &recent);
/// let count = count_sets(&sets, ActionedLimit::Counted(3));
/// assert_eq!(count.total(), 4); // 1, 3, 4 live; 9 revoked this week
/// assert_eq!(count.category(Category::Enrolled), 2);
/// assert_eq!(count.over_by(), Some(1));
/// ```
#[derive(Debug, Clone)]
pub struct CategorySets<'a> {
    as_of: OffsetDateTime,
    live: [Vec<&'a IdSet>; 6],
    revoked: Vec<&'a IdSet>,
    expired: Vec<&'a IdSet>,
    recent: Vec<&'a IdSet>,
}

impl<'a> CategorySets<'a> {
    /// No sets yet; the count will be reported as of `as_of` (the instant
    /// the revoked, expired and recent sets were computed for).
    pub fn new(as_of: OffsetDateTime) -> CategorySets<'a> {
        CategorySets {
            as_of: truncate(as_of),
            live: Default::default(),
            revoked: Vec::new(),
            expired: Vec::new(),
            recent: Vec::new(),
        }
    }

    /// Adds a member set to `category` (for
    /// [`Category::RevokedRecently`]: the set of certificates revoked within
    /// the week before `as_of`).
    pub fn with(mut self, category: Category, set: &'a IdSet) -> CategorySets<'a> {
        match Category::LIVE.iter().position(|&c| c == category) {
            Some(i) => self.live[i].push(set),
            None => self.recent.push(set),
        }
        self
    }

    /// Adds a set of certificates revoked as of `as_of`.
    pub fn with_revoked(mut self, set: &'a IdSet) -> CategorySets<'a> {
        self.revoked.push(set);
        self
    }

    /// Adds a set of certificates expired as of `as_of`.
    pub fn with_expired(mut self, set: &'a IdSet) -> CategorySets<'a> {
        self.expired.push(set);
        self
    }

    /// The instant the count is for.
    pub fn as_of(&self) -> OffsetDateTime {
        self.as_of
    }

    /// Runs the kernel and returns the raw counts.
    pub fn tally(&self) -> CountTally {
        let dead = SetsDead { revoked: &self.revoked, expired: &self.expired, recent: &self.recent };
        CountTally::from_acc(kernel::run(&self.live, &dead))
    }
}

/// Counts actioned certificates from sets the caller supplies, with the same
/// kernel as [`crate::Inventory::count`]: the entry point for sets read from
/// Roaring or ClickHouse bytes.
pub fn count_sets(sets: &CategorySets<'_>, limit: ActionedLimit) -> ActionedCount {
    ActionedCount::from_tally(sets.as_of, sets.tally(), limit)
}

/// Whole seconds, UTC: stored times are whole seconds, so the count at `t`
/// equals the count at `t` truncated.
pub(crate) fn truncate(t: OffsetDateTime) -> OffsetDateTime {
    let utc = t.to_offset(time::UtcOffset::UTC);
    utc.replace_nanosecond(0).unwrap_or(utc)
}

/// An actioned-certificate count: when, how many, per category, against
/// which limit, and any alert.
///
/// Its JSON form has the keys `as_of`, `total`, `categories` (an object
/// keyed by the category names in table order), `limit` (a number, or
/// `"N/A"` for a site license), `over_by` (a number, or `"N/A"`) and
/// `alerts`.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionedCount {
    as_of: OffsetDateTime,
    tally: CountTally,
    limit: ActionedLimit,
    alerts: Vec<Alert>,
}

impl ActionedCount {
    /// A count from a tally, with the over-limit alert if the total is over
    /// a counted limit (a warning only: nothing is ever blocked).
    pub fn from_tally(as_of: OffsetDateTime, tally: CountTally, limit: ActionedLimit) -> ActionedCount {
        let as_of = truncate(as_of);
        let mut alerts = Vec::new();
        if let (Some(over), Some(n)) = (limit.over_by(tally.total), limit.counted()) {
            alerts.push(
                Alert::new(
                    Severity::Warning,
                    AlertKind::ActionedOverLimit,
                    format!(
                        "{} actioned certificates as of {}: {over} over the licensed {n}",
                        tally.total,
                        timefmt::format(as_of)
                    ),
                )
                .with_data("as_of", timefmt::format(as_of))
                .with_data("limit", n)
                .with_data("over_by", over)
                .with_data("total", tally.total),
            );
        }
        ActionedCount { as_of, tally, limit, alerts }
    }

    /// The instant counted, UTC, whole seconds.
    pub fn as_of(&self) -> OffsetDateTime {
        self.as_of
    }

    /// Certificates in at least one category, each counted once.
    pub fn total(&self) -> u64 {
        self.tally.total
    }

    /// Certificates in `category`, after its exclusion rule.
    pub fn category(&self, category: Category) -> u64 {
        self.tally.category(category)
    }

    /// The raw counts.
    pub fn tally(&self) -> CountTally {
        self.tally
    }

    /// The licensed limit counted against.
    pub fn limit(&self) -> ActionedLimit {
        self.limit
    }

    /// By how much the total exceeds a counted limit; `None` when within
    /// it, and always for a site license.
    pub fn over_by(&self) -> Option<u64> {
        self.limit.over_by(self.tally.total)
    }

    /// Warnings raised by this count.
    pub fn alerts(&self) -> &[Alert] {
        &self.alerts
    }

    /// The JSON form (see the type's documentation).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The total, the per-category table and the alerts, for people.
    pub fn to_table(&self) -> String {
        let mut t = Table::new().header(["category", "count", "excluded when"]);
        for c in Category::ALL {
            t.row([c.name().to_owned(), self.category(c).to_string(), c.excluded_when().to_owned()]);
        }
        t.row(["total (each once)".to_owned(), self.total().to_string(), String::new()]);
        let mut out = format!("actioned certificates as of {}\n", timefmt::format(self.as_of));
        out.push_str(&t.render());
        match self.limit {
            ActionedLimit::Counted(n) => {
                out.push_str(&format!("limit: {n}; over by: {}\n", self.over_by().unwrap_or(0)))
            }
            ActionedLimit::SiteLicense => out.push_str("limit: N/A (site license); over by: N/A\n"),
        }
        for alert in &self.alerts {
            out.push_str(&format!("{alert}\n"));
        }
        out
    }
}

impl Index<Category> for ActionedCount {
    type Output = u64;
    fn index(&self, c: Category) -> &u64 {
        &self.tally.categories[c.index()]
    }
}

impl fmt::Display for ActionedCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_table())
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoriesRepr {
    enrolled: u64,
    revoked_recently: u64,
    metadata: u64,
    ssl_endpoint: u64,
    cert_store: u64,
    private_key: u64,
    collection: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum NumberOrNa {
    Number(u64),
    Text(String),
}

const NA: &str = "N/A";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CountRepr {
    #[serde(with = "timefmt::rfc3339")]
    as_of: OffsetDateTime,
    total: u64,
    categories: CategoriesRepr,
    limit: NumberOrNa,
    over_by: NumberOrNa,
    alerts: Vec<Alert>,
}

impl Serialize for ActionedCount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = &self.tally.categories;
        let na = || NumberOrNa::Text(NA.to_owned());
        CountRepr {
            as_of: self.as_of,
            total: self.tally.total,
            categories: CategoriesRepr {
                enrolled: c[0],
                revoked_recently: c[1],
                metadata: c[2],
                ssl_endpoint: c[3],
                cert_store: c[4],
                private_key: c[5],
                collection: c[6],
            },
            limit: self.limit.counted().map_or_else(na, NumberOrNa::Number),
            over_by: match self.limit {
                ActionedLimit::Counted(_) => NumberOrNa::Number(self.over_by().unwrap_or(0)),
                ActionedLimit::SiteLicense => na(),
            },
            alerts: self.alerts.clone(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for ActionedCount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ActionedCount, D::Error> {
        use serde::de::Error as _;
        let r = CountRepr::deserialize(d)?;
        let c = r.categories;
        let tally = CountTally {
            total: r.total,
            categories: [
                c.enrolled,
                c.revoked_recently,
                c.metadata,
                c.ssl_endpoint,
                c.cert_store,
                c.private_key,
                c.collection,
            ],
        };
        let limit = match r.limit {
            NumberOrNa::Number(0) => {
                return Err(D::Error::custom("limit: a counted limit must be at least 1"))
            }
            NumberOrNa::Number(n) => ActionedLimit::Counted(n),
            NumberOrNa::Text(t) if t == NA => ActionedLimit::SiteLicense,
            NumberOrNa::Text(t) => {
                return Err(D::Error::custom(format!("limit: `{t}` is not a number or N/A")))
            }
        };
        let over_ok = match (&r.over_by, limit) {
            (NumberOrNa::Number(n), ActionedLimit::Counted(_)) => {
                *n == limit.over_by(tally.total).unwrap_or(0)
            }
            (NumberOrNa::Text(t), ActionedLimit::SiteLicense) => t == NA,
            _ => false,
        };
        if !over_ok {
            return Err(D::Error::custom("over_by does not agree with total and limit"));
        }
        Ok(ActionedCount { as_of: r.as_of, tally, limit, alerts: r.alerts })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn json_keys_and_round_trip() {
        let mut tally = CountTally { total: 12, ..CountTally::default() };
        tally.categories[Category::CertStore.index()] = 12;
        let count =
            ActionedCount::from_tally(datetime!(2026-11-23 2:00 UTC), tally, ActionedLimit::Counted(10));
        let v: serde_json::Value = serde_json::from_str(&count.to_json()).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["alerts", "as_of", "categories", "limit", "over_by", "total"]);
        assert_eq!(v["categories"]["cert_store"], 12);
        assert_eq!(v["over_by"], 2);
        assert_eq!(v["alerts"][0]["kind"], "actioned_over_limit");
        let back: ActionedCount = serde_json::from_str(&count.to_json()).unwrap();
        assert_eq!(back, count);

        let site = ActionedCount::from_tally(count.as_of(), tally, ActionedLimit::SiteLicense);
        let v: serde_json::Value = serde_json::from_str(&site.to_json()).unwrap();
        assert_eq!((v["limit"].as_str(), v["over_by"].as_str()), (Some("N/A"), Some("N/A")));
        assert!(site.alerts().is_empty());
        assert_eq!(serde_json::from_str::<ActionedCount>(&site.to_json()).unwrap(), site);
        let lying = site.to_json().replace("\"over_by\":\"N/A\"", "\"over_by\":3");
        assert!(serde_json::from_str::<ActionedCount>(&lying).is_err());
    }
}

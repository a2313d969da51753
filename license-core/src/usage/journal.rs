//! The installation's journal of counts, kept in its license store.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::entry::{CountRecord, Entry};
use super::{Instance, License, UsageLog};
use crate::digest::{hex, parse_sha256_hex};
use crate::{license::ActionedLimit, timefmt, ActionedCount, Error, ErrorKind, Result};

/// The most counts kept between two logs (a year and a half of daily
/// counts); older ones are dropped from the journal, and the chain shows the
/// vendor the gap.
pub const MAX_JOURNAL_ENTRIES: usize = 550;

/// Counts recorded since the last usage log, and the tip of the chain the
/// next entry links to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Journal {
    /// Sequence and hash of the last entry already sent in a log.
    logged_sequence: u64,
    logged_tip: [u8; 32],
    /// Entries not yet logged, oldest first.
    pending: Vec<Entry>,
}

impl Journal {
    /// Appends a count, chained to the entry before it.
    pub fn record(&mut self, count: &ActionedCount) -> Entry {
        let (sequence, previous) = self.tip();
        let entry = Entry { sequence: sequence + 1, previous, count: CountRecord::from(count) };
        self.pending.push(entry);
        if self.pending.len() > MAX_JOURNAL_ENTRIES {
            // Dropping the oldest pending entry leaves a visible gap rather
            // than growing without bound.
            let dropped = self.pending.remove(0);
            self.logged_sequence = dropped.sequence;
            self.logged_tip = dropped.hash();
        }
        entry
    }

    /// The entries not yet sent, oldest first.
    pub fn pending(&self) -> &[Entry] {
        &self.pending
    }

    /// Sequence and hash of the latest entry (0 and zeros before any).
    pub fn tip(&self) -> (u64, [u8; 32]) {
        match self.pending.last() {
            Some(e) => (e.sequence, e.hash()),
            None => (self.logged_sequence, self.logged_tip),
        }
    }

    /// A usage log of the pending entries, with `latest` as the latest
    /// count (not itself recorded). Marks nothing: call
    /// [`Journal::mark_logged`] once the log is safely out.
    pub fn log(
        &self,
        generated_at: OffsetDateTime,
        instance: Instance,
        license: License,
        latest: &ActionedCount,
    ) -> Result<UsageLog> {
        Ok(UsageLog {
            generated_at: timefmt::normalize(generated_at, "generated_at")?,
            instance,
            license,
            latest: CountRecord::from(latest),
            chain_start: self.logged_tip,
            entries: self.pending.clone(),
        })
    }

    /// Drops the entries a log carried; the next log chains to its last.
    pub fn mark_logged(&mut self, log: &UsageLog) -> Result<()> {
        let Some(last) = log.entries.last() else { return Ok(()) };
        let position = self.pending.iter().position(|e| e == last).ok_or_else(|| {
            Error::new(ErrorKind::InvalidArgument, "the log's entries are not in this journal")
        })?;
        self.logged_sequence = last.sequence;
        self.logged_tip = last.hash();
        self.pending.drain(..=position);
        Ok(())
    }
}

/// The journal's JSON form in the store (`usage-journal.json`).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredJournal {
    logged_sequence: u64,
    logged_tip: String,
    pending: Vec<StoredEntry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredEntry {
    sequence: u64,
    previous: String,
    #[serde(with = "timefmt::rfc3339")]
    as_of: OffsetDateTime,
    total: u64,
    categories: [u64; 7],
    limit: ActionedLimit,
}

impl Serialize for Journal {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        StoredJournal {
            logged_sequence: self.logged_sequence,
            logged_tip: hex(&self.logged_tip),
            pending: self
                .pending
                .iter()
                .map(|e| StoredEntry {
                    sequence: e.sequence,
                    previous: hex(&e.previous),
                    as_of: e.count.as_of,
                    total: e.count.total,
                    categories: e.count.categories,
                    limit: e.count.limit,
                })
                .collect(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Journal {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        let stored = StoredJournal::deserialize(d)?;
        let logged_tip = parse_sha256_hex(&stored.logged_tip, "logged_tip").map_err(D::Error::custom)?;
        let pending = stored
            .pending
            .into_iter()
            .map(|e| {
                Ok(Entry {
                    sequence: e.sequence,
                    previous: parse_sha256_hex(&e.previous, "previous")?,
                    count: CountRecord {
                        as_of: e.as_of,
                        total: e.total,
                        categories: e.categories,
                        limit: e.limit,
                    },
                })
            })
            .collect::<Result<Vec<_>>>()
            .map_err(D::Error::custom)?;
        // A journal that does not chain is damaged: refuse it rather than
        // sign a broken chain.
        super::entry::check_chain(stored.logged_sequence, logged_tip, &pending).map_err(D::Error::custom)?;
        Ok(Journal { logged_sequence: stored.logged_sequence, logged_tip, pending })
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::{actioned::CategorySets, license::FeatureSet};

    fn count(day: i64) -> ActionedCount {
        let at = datetime!(2026-11-23 02:00 UTC) + time::Duration::days(day);
        crate::actioned::count_sets(&CategorySets::new(at), ActionedLimit::Counted(10))
    }

    fn journal(n: i64) -> Journal {
        let mut j = Journal::default();
        for day in 0..n {
            j.record(&count(day));
        }
        j
    }

    fn log_of(j: &Journal) -> UsageLog {
        let instance = Instance {
            id: "i".into(),
            name: "n".into(),
            location: "l".into(),
            software_version: "1.0.0".into(),
            fingerprint: "f".into(),
        };
        let license = License {
            id: "L".into(),
            product: "p".into(),
            licensee: "x".into(),
            expires_at: None,
            sha256: [0; 32],
            features: FeatureSet::new(),
        };
        j.log(datetime!(2026-12-01 00:00 UTC), instance, license, &count(9)).unwrap()
    }

    #[test]
    fn marking_another_journals_log_is_refused_and_changes_nothing() {
        let mut mine = journal(2);
        let theirs = log_of(&journal(3));
        let before = mine.clone();
        assert_eq!(mine.mark_logged(&theirs).unwrap_err().kind(), ErrorKind::InvalidArgument);
        assert_eq!(mine, before);
        let own = log_of(&mine);
        mine.mark_logged(&own).unwrap();
        assert!(mine.pending().is_empty());
        assert_eq!(mine.tip(), before.tip(), "the chain goes on from the last logged entry");
    }

    #[test]
    fn a_stored_journal_that_does_not_chain_is_refused() {
        let json = serde_json::to_value(journal(3)).unwrap();
        assert_eq!(serde_json::from_value::<Journal>(json.clone()).unwrap(), journal(3));
        let refused = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut v = json.clone();
            edit(&mut v);
            serde_json::from_value::<Journal>(v).unwrap_err().to_string()
        };
        let deleted = refused(&|v| {
            v["pending"].as_array_mut().unwrap().remove(1);
        });
        assert!(deleted.contains("usage log history entry"), "{deleted}");
        let edited = refused(&|v| v["pending"][1]["total"] = 99.into());
        assert!(edited.contains("does not chain"), "{edited}");
        let tip = refused(&|v| v["logged_tip"] = "zz".into());
        assert!(tip.contains("logged_tip"), "{tip}");
        let unknown = refused(&|v| v["extra"] = 1.into());
        assert!(unknown.contains("unknown field"), "{unknown}");
    }
}

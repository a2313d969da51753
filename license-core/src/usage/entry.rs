//! One count as a usage log carries it, and the hash chain over counts.

use std::fmt::Write;

use time::OffsetDateTime;

use crate::digest::{hex, sha256};
use crate::{actioned::Category, license::ActionedLimit, timefmt, ActionedCount, Error, ErrorKind, Result};

/// An actioned-certificate count as reported to the vendor: when, the total,
/// each category, and the limit it was counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountRecord {
    /// The instant counted.
    pub as_of: OffsetDateTime,
    /// Certificates actioned, each once.
    pub total: u64,
    /// Per category, in [`Category::ALL`] order.
    pub categories: [u64; 7],
    /// The limit in force.
    pub limit: ActionedLimit,
}

impl From<&ActionedCount> for CountRecord {
    fn from(c: &ActionedCount) -> CountRecord {
        CountRecord {
            as_of: c.as_of(),
            total: c.total(),
            categories: Category::ALL.map(|cat| c.category(cat)),
            limit: c.limit(),
        }
    }
}

impl CountRecord {
    /// The canonical one-line text the chain hashes:
    /// `AS_OF|TOTAL|C1,…,C7|LIMIT` with LIMIT a number or `site`.
    fn canonical(&self) -> String {
        let mut out = format!("{}|{}|", timefmt::format(self.as_of), self.total);
        for (i, c) in self.categories.iter().enumerate() {
            let _ = write!(out, "{}{c}", if i == 0 { "" } else { "," });
        }
        match self.limit {
            ActionedLimit::Counted(n) => {
                let _ = write!(out, "|{n}");
            }
            ActionedLimit::SiteLicense => out.push_str("|site"),
        }
        out
    }

    /// By how much the total is over a counted limit.
    pub fn over_by(&self) -> Option<u64> {
        self.limit.over_by(self.total)
    }
}

/// One journal entry: a count with its sequence number and the hash of the
/// entry before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// 1 for the first count an installation ever recorded, then +1 each.
    pub sequence: u64,
    /// SHA-256 of the previous entry ([`Entry::hash`]); zeros for the
    /// first.
    pub previous: [u8; 32],
    /// The count.
    pub count: CountRecord,
}

impl Entry {
    /// The entry's hash: SHA-256 of `SEQUENCE|PREVIOUS_HEX|` followed by the
    /// count's canonical text (docs/FORMATS.md).
    pub fn hash(&self) -> [u8; 32] {
        sha256(format!("{}|{}|{}", self.sequence, hex(&self.previous), self.count.canonical()).as_bytes())
    }
}

/// Checks that `entries` continue the chain ending at `start` (with
/// sequence `start_sequence`, 0 before the first entry ever): each entry's
/// sequence is one more than the last and its `previous` is the last one's
/// hash. Returns the new chain tip.
pub(crate) fn check_chain(
    start_sequence: u64,
    start: [u8; 32],
    entries: &[Entry],
) -> Result<(u64, [u8; 32])> {
    let (mut sequence, mut tip) = (start_sequence, start);
    for (i, e) in entries.iter().enumerate() {
        if e.sequence != sequence + 1 {
            return Err(Error::new(
                ErrorKind::UsageLogChainBroken,
                format!("entry {} has sequence {}, expected {}", i + 1, e.sequence, sequence + 1),
            ));
        }
        if e.previous != tip {
            return Err(Error::new(
                ErrorKind::UsageLogChainBroken,
                format!("entry {} (sequence {}) does not chain to the entry before it", i + 1, e.sequence),
            ));
        }
        sequence = e.sequence;
        tip = e.hash();
    }
    Ok((sequence, tip))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn chain(n: u64) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        for sequence in 1..=n {
            let previous = out.last().map_or([0; 32], Entry::hash);
            let count = CountRecord {
                as_of: datetime!(2026-11-23 2:00 UTC) + time::Duration::days(sequence as i64),
                total: sequence * 10,
                categories: [sequence; 7],
                limit: ActionedLimit::Counted(100),
            };
            out.push(Entry { sequence, previous, count });
        }
        out
    }

    #[test]
    fn a_whole_chain_checks() {
        let c = chain(5);
        assert_eq!(check_chain(0, [0; 32], &c).unwrap(), (5, c[4].hash()));
        assert_eq!(check_chain(2, c[1].hash(), &c[2..]).unwrap().0, 5);
    }

    #[test]
    fn deleted_reordered_duplicated_or_edited_entries_break_it() {
        let c = chain(5);
        let broken = |entries: Vec<Entry>| check_chain(0, [0; 32], &entries).unwrap_err().kind();
        let mut deleted = c.clone();
        deleted.remove(2);
        let mut reordered = c.clone();
        reordered.swap(1, 2);
        let mut duplicated = c.clone();
        duplicated.insert(3, c[2]);
        let mut edited = c.clone();
        edited[1].count.total += 1;
        for case in [deleted, reordered, duplicated, edited] {
            assert_eq!(broken(case), ErrorKind::UsageLogChainBroken);
        }
    }
}

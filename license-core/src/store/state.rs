//! What the store knows it installed (`state.json`): the SHA-256, id and
//! issue time of the installed license and of every history entry, the
//! newest license it ever installed, and the next history number.
//!
//! The signature only says the vendor signed a license, not that this
//! installation accepted it here; the state says that. A file in the store
//! that the state does not name is not trusted, whoever signed it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::digest::{hex, sha256};
use crate::{timefmt, Error, ErrorKind, Result, VerifiedLicense};

/// The blob the state lives in.
pub(super) const STATE: &str = "state.json";
/// The only `format` this version reads and writes.
const FORMAT: u32 = 1;

const HISTORY_PREFIX: &str = "history-";
const HISTORY_SUFFIX: &str = ".xml";

/// One license the store installed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Record {
    /// SHA-256 of the signed bytes, lowercase hex.
    pub sha256: String,
    /// The license id.
    pub id: String,
    /// The license's issue time.
    #[serde(with = "timefmt::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// Installed on purpose although older than the newest license ever
    /// installed (`allow_older`, or a rollback).
    #[serde(default)]
    pub older_allowed: bool,
}

impl Record {
    pub(super) fn of(verified: &VerifiedLicense, older_allowed: bool) -> Record {
        Record {
            sha256: verified.signed_sha256_hex(),
            id: verified.license().id().to_owned(),
            issued_at: verified.license().issued_at(),
            older_allowed,
        }
    }

    /// Whether `bytes` are the recorded license's bytes.
    pub(super) fn is_of(&self, bytes: &[u8]) -> bool {
        self.sha256 == hex(&sha256(bytes))
    }

    /// Refuses a verified license that is not the one recorded (the bytes
    /// matched, so only an edited state can get here).
    pub(super) fn check(&self, verified: &VerifiedLicense, name: &str) -> Result<()> {
        let license = verified.license();
        if license.id() != self.id || license.issued_at() != self.issued_at {
            return Err(Error::new(
                ErrorKind::StoreUntrusted,
                format!(
                    "{name} is license {} issued {}, the state records {} issued {}",
                    license.id().escape_debug(),
                    timefmt::format(license.issued_at()),
                    self.id.escape_debug(),
                    timefmt::format(self.issued_at)
                ),
            ));
        }
        Ok(())
    }
}

/// One replaced license kept in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HistoryRecord {
    /// Its number; the file is `history-NNNNNN.xml`.
    pub sequence: u64,
    /// The license.
    pub license: Record,
}

/// The whole state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StoreState {
    /// Always [`FORMAT`].
    pub format: u32,
    /// The number the next history entry gets; never reused.
    pub next_sequence: u64,
    /// The latest `issued_at` of any license the store installed: the
    /// floor for "never older" and for the clock.
    #[serde(default, with = "timefmt::rfc3339::option")]
    pub newest_issued_at: Option<OffsetDateTime>,
    /// The latest time of a count recorded in the usage journal or of a
    /// usage log marked as sent, kept here because the journal forgets what
    /// it has logged.
    #[serde(default, with = "timefmt::rfc3339::option")]
    pub latest_usage_at: Option<OffsetDateTime>,
    /// The installed license.
    pub installed: Option<Record>,
    /// Replaced licenses, oldest first.
    pub history: Vec<HistoryRecord>,
    /// While an operation replaces `license.xml`: the state before it,
    /// which is restored if `license.xml` still holds its license after a
    /// crash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undo: Option<Box<StoreState>>,
}

impl Default for StoreState {
    fn default() -> StoreState {
        StoreState {
            format: FORMAT,
            next_sequence: 1,
            newest_issued_at: None,
            latest_usage_at: None,
            installed: None,
            history: Vec::new(),
            undo: None,
        }
    }
}

impl StoreState {
    /// Parses `state.json`, refusing anything this version did not write.
    pub(super) fn from_json(bytes: &[u8]) -> Result<StoreState> {
        let state: StoreState = serde_json::from_slice(bytes)
            .map_err(|e| Error::new(ErrorKind::StoreCorrupt, format!("{STATE}: {e}")))?;
        state.check_shape()?;
        if let Some(undo) = &state.undo {
            if undo.undo.is_some() {
                return Err(Error::new(ErrorKind::StoreCorrupt, format!("{STATE}: nested undo")));
            }
            undo.check_shape()?;
        }
        Ok(state)
    }

    fn check_shape(&self) -> Result<()> {
        let corrupt = |what: String| Err(Error::new(ErrorKind::StoreCorrupt, format!("{STATE}: {what}")));
        if self.format != FORMAT {
            return corrupt(format!("format {} (this version reads {FORMAT})", self.format));
        }
        let mut previous = 0;
        for entry in &self.history {
            if entry.sequence <= previous || entry.sequence >= self.next_sequence {
                return corrupt(format!("history sequence {} out of order", entry.sequence));
            }
            previous = entry.sequence;
        }
        let records = self.installed.iter().chain(self.history.iter().map(|h| &h.license));
        for record in records {
            if record.sha256.len() != 64
                || !record.sha256.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            {
                return corrupt(format!("sha256 `{}`", record.sha256.escape_debug()));
            }
        }
        Ok(())
    }

    /// The recorded history entry numbered `sequence`.
    pub(super) fn history_entry(&self, sequence: u64) -> Option<&HistoryRecord> {
        self.history.iter().find(|h| h.sequence == sequence)
    }

    /// The latest time this state proves has passed: no clock can read
    /// earlier than a license's issue time or a recorded count.
    pub(super) fn time_floor(&self) -> Option<OffsetDateTime> {
        let installed = self.installed.as_ref().map(|r| r.issued_at);
        [self.newest_issued_at, self.latest_usage_at, installed].into_iter().flatten().max()
    }

    /// The state without its undo record.
    pub(super) fn settled(&self) -> StoreState {
        StoreState { undo: None, ..self.clone() }
    }
}

/// The file name of history entry `sequence`.
pub(super) fn history_name(sequence: u64) -> String {
    format!("{HISTORY_PREFIX}{sequence:06}{HISTORY_SUFFIX}")
}

/// Whether a blob name is in the history's namespace (whoever wrote it).
pub(super) fn is_history_name(name: &str) -> bool {
    name.starts_with(HISTORY_PREFIX)
}

/// The sequence of a history file name exactly as [`history_name`] writes
/// it; anything else (`history-1.xml`, a number past `u64`) is `None`.
pub(super) fn parse_history_name(name: &str) -> Option<u64> {
    let digits = name.strip_prefix(HISTORY_PREFIX)?.strip_suffix(HISTORY_SUFFIX)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sequence: u64 = digits.parse().ok()?;
    (history_name(sequence) == name).then_some(sequence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_the_store_writes_parse() {
        assert_eq!(parse_history_name("history-000001.xml"), Some(1));
        assert_eq!(parse_history_name("history-1234567.xml"), Some(1_234_567));
        assert_eq!(parse_history_name("history-18446744073709551615.xml"), Some(u64::MAX));
        for name in [
            "history-1.xml",
            "history-0000001.xml",
            "history-+00001.xml",
            "history-18446744073709551616.xml",
            "history-00000a.xml",
            "history-000001.xml.bak",
        ] {
            assert_eq!(parse_history_name(name), None, "{name}");
        }
    }

    #[test]
    fn a_state_this_version_did_not_write_is_corrupt() {
        let good = serde_json::to_vec(&StoreState::default()).unwrap();
        assert_eq!(StoreState::from_json(&good).unwrap(), StoreState::default());
        let cases: [&[u8]; 5] = [
            b"{",
            br#"{"format":2,"next_sequence":1,"installed":null,"history":[]}"#,
            br#"{"format":1,"next_sequence":1,"installed":null,"history":[],"extra":1}"#,
            br#"{"format":1,"next_sequence":2,"installed":null,"history":[{"sequence":2,"license":{"sha256":"00","id":"x","issued_at":"2026-01-01T00:00:00Z"}}]}"#,
            br#"{"format":1,"next_sequence":1,"installed":{"sha256":"zz","id":"x","issued_at":"2026-01-01T00:00:00Z"},"history":[]}"#,
        ];
        for bytes in cases {
            let err = StoreState::from_json(bytes).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::StoreCorrupt, "{}", String::from_utf8_lossy(bytes));
        }
    }
}

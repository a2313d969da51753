//! The vendor's memory of each instance's usage-log chain.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::entry::check_chain;
use super::VerifiedUsageLog;
use crate::digest::{hex, parse_sha256_hex};
use crate::{timefmt, Error, ErrorKind, KeyId, Result};

/// Where one instance's chain stands at the vendor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChainState {
    sequence: u64,
    /// Checked on reading, so that a damaged ledger is refused when it is
    /// loaded rather than when the instance's next log arrives.
    #[serde(deserialize_with = "sha256_hex")]
    tip: String,
    #[serde(with = "timefmt::rfc3339")]
    generated_at: OffsetDateTime,
    /// The installation key the instance's logs are signed with, bound by
    /// the first log accepted. The instance id inside a log is only what
    /// the log says; the key is who wrote it. Absent only in a ledger
    /// written before keys were bound: the next accepted log binds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key_id: Option<KeyId>,
}

fn sha256_hex<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    let text = String::deserialize(d)?;
    parse_sha256_hex(&text, "ledger tip").map_err(serde::de::Error::custom)?;
    Ok(text)
}

/// What the vendor has read so far, per instance: it refuses a log that
/// does not continue the instance's chain (entries deleted in between, or
/// edited), a log older than one already read (a replay), and a log
/// signed by another key than the instance's earlier logs (another
/// installation writing in its name), until [`Ledger::rekey`] says the
/// instance's key was replaced.
///
/// ```
/// use license_core::usage::Ledger;
/// let ledger = Ledger::default();
/// assert_eq!(serde_json::to_string(&ledger).unwrap(), "{}");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ledger {
    instances: BTreeMap<String, ChainState>,
}

impl Ledger {
    /// Accepts a verified log if it is signed by the key its instance is
    /// bound to (the first log accepted binds it), continues the instance's
    /// chain and is newer than the last log read; the ledger is unchanged
    /// otherwise ([`ErrorKind::UsageLogWrongKey`],
    /// [`ErrorKind::UsageLogReplayed`], [`ErrorKind::UsageLogChainBroken`]).
    pub fn accept(&mut self, verified: &VerifiedUsageLog) -> Result<()> {
        let log = verified.log();
        let known = self.instances.get(&log.instance.id);
        if let Some(bound) = known.and_then(|state| state.key_id) {
            if bound != verified.key_id() {
                return Err(Error::new(
                    ErrorKind::UsageLogWrongKey,
                    format!(
                        "instance `{}`: the log is signed by key {}, its logs by key {bound} \
                         (after replacing the instance's key, rekey the ledger)",
                        log.instance.id,
                        verified.key_id()
                    ),
                ));
            }
        }
        if let Some(state) = known {
            let replayed = log.generated_at <= state.generated_at
                || log.entries.last().is_some_and(|e| e.sequence <= state.sequence);
            if replayed {
                return Err(Error::new(
                    ErrorKind::UsageLogReplayed,
                    format!(
                        "instance `{}`: log of {} is not newer than the one read (sequence {}, {})",
                        log.instance.id,
                        timefmt::format(log.generated_at),
                        state.sequence,
                        timefmt::format(state.generated_at)
                    ),
                ));
            }
        }
        let (start_sequence, start_tip) = match known {
            Some(state) => (state.sequence, parse_sha256_hex(&state.tip, "ledger tip")?),
            // The first log read from an instance may start mid-chain.
            None => (log.entries.first().map_or(0, |e| e.sequence.saturating_sub(1)), log.chain_start),
        };
        if log.chain_start != start_tip {
            return Err(Error::new(
                ErrorKind::UsageLogChainBroken,
                format!(
                    "instance `{}`: the log does not continue from sequence {start_sequence}",
                    log.instance.id
                ),
            ));
        }
        let (sequence, tip) = check_chain(start_sequence, start_tip, &log.entries)?;
        self.instances.insert(
            log.instance.id.clone(),
            ChainState {
                sequence,
                tip: hex(&tip),
                generated_at: log.generated_at,
                key_id: Some(verified.key_id()),
            },
        );
        Ok(())
    }

    /// Binds `instance_id`'s logs to `key_id` from now on, returning the
    /// key they were bound to: the one way to accept logs signed by a new
    /// installation key once the instance's key was replaced. The chain
    /// goes on where it stands. An instance whose logs the ledger has not
    /// read is [`ErrorKind::UnknownInstance`]: its first log binds its key.
    pub fn rekey(&mut self, instance_id: &str, key_id: KeyId) -> Result<Option<KeyId>> {
        let state = self.instances.get_mut(instance_id).ok_or_else(|| {
            Error::new(
                ErrorKind::UnknownInstance,
                format!("the ledger has read no usage log of instance `{instance_id}`"),
            )
        })?;
        Ok(state.key_id.replace(key_id))
    }

    /// The key an instance's logs are bound to (`None` for an instance not
    /// read yet, or one from a ledger written before keys were bound).
    pub fn key_id(&self, instance_id: &str) -> Option<KeyId> {
        self.instances.get(instance_id).and_then(|s| s.key_id)
    }

    /// The last sequence number read from an instance.
    pub fn last_sequence(&self, instance_id: &str) -> Option<u64> {
        self.instances.get(instance_id).map(|s| s.sequence)
    }
}

//! The vendor's memory of each instance's usage-log chain.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::entry::check_chain;
use super::VerifiedUsageLog;
use crate::digest::{hex, parse_sha256_hex};
use crate::{timefmt, Error, ErrorKind, Result};

/// Where one instance's chain stands at the vendor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChainState {
    sequence: u64,
    tip: String,
    #[serde(with = "timefmt::rfc3339")]
    generated_at: OffsetDateTime,
}

/// What the vendor has read so far, per instance: it refuses a log that
/// does not continue the instance's chain (entries deleted in between, or
/// edited) and a log older than one already read (a replay).
///
/// ```
/// use license_core::UsageLedger;
/// let ledger = UsageLedger::default();
/// assert_eq!(serde_json::to_string(&ledger).unwrap(), "{}");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UsageLedger {
    instances: BTreeMap<String, ChainState>,
}

impl UsageLedger {
    /// Accepts a verified log if it continues its instance's chain and is
    /// newer than the last log read; the ledger is unchanged otherwise
    /// ([`ErrorKind::UsageLogReplayed`], [`ErrorKind::UsageLogChainBroken`]).
    pub fn accept(&mut self, verified: &VerifiedUsageLog) -> Result<()> {
        let log = verified.log();
        let known = self.instances.get(&log.instance.id);
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
            ChainState { sequence, tip: hex(&tip), generated_at: log.generated_at },
        );
        Ok(())
    }

    /// The last sequence number read from an instance.
    pub fn last_sequence(&self, instance_id: &str) -> Option<u64> {
        self.instances.get(instance_id).map(|s| s.sequence)
    }
}

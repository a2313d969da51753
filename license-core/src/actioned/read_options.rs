//! `ReadOptions`: how the inventory readers (JSON Lines, snapshots) read:
//! the limits they enforce and the threads they may use.

use super::limits::InventoryLimits;

/// How [`crate::Inventory::from_jsonl_with_options`],
/// [`crate::Inventory::from_jsonl_file`] and
/// [`crate::Inventory::from_snapshot_with_options`] read. Parallelism is
/// the caller's choice; the result, and the error for a bad input, are the
/// same on any number of threads.
///
/// ```
/// use license_core::{actioned::ReadOptions, Inventory};
/// let jsonl = b"{\"id\":1,\"stores\":[\"a\"]}\n{\"id\":2}\n";
/// let options = ReadOptions { threads: 2, ..ReadOptions::default() };
/// let inv = Inventory::from_jsonl_with_options(&jsonl[..], &options, &mut |_| {})?;
/// let back = Inventory::from_snapshot_with_options(&inv.to_snapshot(), &options)?;
/// assert_eq!(back.to_snapshot(), inv.to_snapshot());
/// # Ok::<(), license_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReadOptions {
    /// Limits on the distinct names.
    pub limits: InventoryLimits,
    /// Threads reading: for JSON Lines, the threads parsing chunks of
    /// lines besides the calling thread, which adds them in order; for a
    /// snapshot, the threads decoding its time sections. 0 (the default)
    /// is one per available core (a snapshot under 4 MiB is then read on
    /// one, as starting threads would cost more than they save).
    pub threads: usize,
}

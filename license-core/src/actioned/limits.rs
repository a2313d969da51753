//! `InventoryLimits`: what the inventory readers (JSON Lines, snapshots)
//! accept, so that memory follows the input and not what it claims.
//!
//! Ids and memberships cost memory in proportion to the bytes that list
//! them, but a distinct store, metadata field or collection name costs a
//! named set (about 200 bytes of bookkeeping) for as few as four input
//! bytes (`"a",`). The distinct-name counts are therefore limited, per
//! kind, with [`crate::ErrorKind::TooManyNames`] past the limit.

/// Bounds on the inventory readers ([`crate::Inventory::from_jsonl_with_limits`],
/// [`crate::Inventory::from_snapshot_with_limits`]).
///
/// ```
/// use license_core::{ErrorKind, Inventory, actioned::InventoryLimits};
/// let limits = InventoryLimits { max_stores: 1, ..InventoryLimits::default() };
/// let jsonl = b"{\"id\":1,\"stores\":[\"a\"]}\n{\"id\":2,\"stores\":[\"b\"]}\n";
/// let err = Inventory::from_jsonl_with_limits(&jsonl[..], &limits, &mut |_| {}).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::TooManyNames);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InventoryLimits {
    /// The most distinct certificate store names (default 65,536).
    pub max_stores: usize,
    /// The most distinct metadata field names (default 65,536).
    pub max_metadata_fields: usize,
    /// The most distinct collection names (default 65,536).
    pub max_collections: usize,
}

/// The default of each distinct-name limit.
pub const DEFAULT_MAX_NAMES: usize = 1 << 16;

impl Default for InventoryLimits {
    fn default() -> InventoryLimits {
        InventoryLimits {
            max_stores: DEFAULT_MAX_NAMES,
            max_metadata_fields: DEFAULT_MAX_NAMES,
            max_collections: DEFAULT_MAX_NAMES,
        }
    }
}

impl InventoryLimits {
    /// No limit on names: what the in-memory API ([`crate::Inventory::insert_records`])
    /// applies, since its caller already holds every name it passes.
    pub(crate) const UNLIMITED: InventoryLimits = InventoryLimits {
        max_stores: usize::MAX,
        max_metadata_fields: usize::MAX,
        max_collections: usize::MAX,
    };

    /// The limit for the names listed under `what` (`stores`, `metadata`,
    /// `collections`).
    pub(crate) fn max_names(&self, what: &str) -> usize {
        match what {
            "stores" => self.max_stores,
            "metadata" => self.max_metadata_fields,
            _ => self.max_collections,
        }
    }

    /// The sum of the three limits (saturating).
    pub(crate) fn total_names(&self) -> usize {
        self.max_stores.saturating_add(self.max_metadata_fields).saturating_add(self.max_collections)
    }
}

//! The actioned-certificate count: categories, the certificate inventory,
//! events that keep it current, the count and its breakdown, the daily
//! schedule and the count history.
//!
//! The rule (docs in ../shared/DESIGN.md): with C the union of the six live
//! categories, R revoked, E expired and RW revoked within the week before
//! `t`, `total = |C \ (R ∪ E)| + |RW \ E|`.
//!
//! ```
//! use license_core::actioned::{Category, CountSchedule, Event};
//! use license_core::license::ActionedLimit;
//! use license_core::{CertificateRecord, CountConfig, Inventory};
//! use time::macros::datetime;
//!
//! // Build the inventory once from the product's records...
//! let mut web = CertificateRecord::new(1);
//! web.ssl_endpoints = 2;
//! let mut inventory = Inventory::from_records(&[web, CertificateRecord::new(2)])?;
//! // ...then keep it current with events.
//! inventory.apply(&Event::Enrolled { id: 2 })?;
//! inventory.apply(&Event::Revoked { id: 1, at: datetime!(2026-11-20 9:00 UTC) })?;
//!
//! // Count at the next scheduled run (daily at 02:00 UTC).
//! let at = CountSchedule::default().next_after(datetime!(2026-11-22 18:00 UTC));
//! assert_eq!(at, datetime!(2026-11-23 2:00 UTC));
//! let count = inventory.count(at, &CountConfig::new(ActionedLimit::Counted(5_000)));
//! assert_eq!(count.total(), 2); // 2 enrolled, 1 revoked within the week
//! assert_eq!(count.category(Category::SslEndpoint), 0); // revoked: excluded
//! assert_eq!(count.over_by(), None);
//! # Ok::<(), license_core::Error>(())
//! ```

mod ascending;
mod assemble;
mod bulk;
mod cache;
mod category;
mod columns;
mod config;
mod count;
mod event_batch;
mod events;
mod explain;
#[cfg(any(unix, windows))]
mod filerange;
mod history;
mod idset;
mod intern;
mod inventory;
mod jsonl;
mod kernel;
mod limits;
mod named_batch;
mod packed;
mod read_options;
mod record;
mod scan;
mod schedule;
mod snapshot;
mod synth;
mod timeorder;
mod times;

pub use bulk::IdGroup;
pub use category::Category;
pub use columns::CertificateColumns;
pub use config::{CountConfig, ReferencedCollections};
pub use count::{count_sets, ActionedCount, CategorySets, CountTally};
pub use events::Event;
pub use explain::Explanation;
pub use history::{CountHistory, Trend, MAX_HISTORY_BYTES};
pub(crate) use idset::Block;
pub use idset::IdSet;
pub use inventory::Inventory;
pub use jsonl::{JSONL_HEAP_BASE, JSONL_HEAP_PER_INPUT_BYTE, JSONL_HEAP_PER_NAME, MAX_LINE_BYTES};
pub use limits::{InventoryLimits, DEFAULT_MAX_NAMES};
pub use read_options::ReadOptions;
pub use record::{CertificateRecord, MAX_NAMES_PER_RECORD};
pub use schedule::CountSchedule;
pub use snapshot::{SNAPSHOT_HEAP_BASE, SNAPSHOT_HEAP_PER_INPUT_BYTE, SNAPSHOT_MAGIC, SNAPSHOT_VERSION};
pub use synth::{synthetic_records, SYNTHETIC_COLLECTIONS, SYNTHETIC_METADATA, SYNTHETIC_STORES};
pub(crate) use times::TimeIndex;

//! `CountConfig`: what a count applies at count time (never baked into the
//! data): excluded metadata fields, referenced collections, the limit.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::license::ActionedLimit;

/// Which collections count: those referenced by an expiration alert or a
/// collection-entered/left workflow.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferencedCollections {
    /// Every collection (the default).
    #[default]
    All,
    /// Only these.
    Only(BTreeSet<String>),
}

impl ReferencedCollections {
    /// Whether the collection `name` is referenced.
    pub fn contains(&self, name: &str) -> bool {
        match self {
            ReferencedCollections::All => true,
            ReferencedCollections::Only(names) => names.contains(name),
        }
    }
}

/// The settings of a count.
///
/// ```
/// use license_core::{CountConfig, license::ActionedLimit};
/// let config = CountConfig::new(ActionedLimit::Counted(5_000))
///     .exclude_metadata("Notes")
///     .reference_collection("expiring-soon");
/// assert!(config.counts_metadata("Owner"));
/// assert!(!config.counts_metadata("Notes"));
/// assert!(!config.counts_collection("archive"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountConfig {
    /// Metadata fields whose values do not make a certificate actioned.
    #[serde(default)]
    pub excluded_metadata: BTreeSet<String>,
    /// Collections that make a certificate actioned.
    #[serde(default)]
    pub referenced_collections: ReferencedCollections,
    /// The licensed limit.
    pub limit: ActionedLimit,
}

impl CountConfig {
    /// Every metadata field and every collection counts, against `limit`.
    pub fn new(limit: ActionedLimit) -> CountConfig {
        CountConfig {
            excluded_metadata: BTreeSet::new(),
            referenced_collections: ReferencedCollections::All,
            limit,
        }
    }

    /// Marks a metadata field as excluded.
    pub fn exclude_metadata(mut self, field: impl Into<String>) -> CountConfig {
        self.excluded_metadata.insert(field.into());
        self
    }

    /// Adds a referenced collection; the first call switches from "every
    /// collection" to "only those named".
    pub fn reference_collection(mut self, name: impl Into<String>) -> CountConfig {
        match &mut self.referenced_collections {
            ReferencedCollections::All => {
                self.referenced_collections = ReferencedCollections::Only(BTreeSet::from([name.into()]))
            }
            ReferencedCollections::Only(names) => {
                names.insert(name.into());
            }
        }
        self
    }

    /// Says that no collection is referenced (no alert or workflow names
    /// one), so collection membership makes no certificate actioned. A
    /// later [`CountConfig::reference_collection`] adds to the empty set.
    ///
    /// ```
    /// use license_core::{CountConfig, license::ActionedLimit};
    /// let config = CountConfig::new(ActionedLimit::SiteLicense).reference_no_collections();
    /// assert!(!config.counts_collection("expiring-soon"));
    /// assert!(config.reference_collection("archive").counts_collection("archive"));
    /// ```
    pub fn reference_no_collections(mut self) -> CountConfig {
        self.referenced_collections = ReferencedCollections::Only(BTreeSet::new());
        self
    }

    /// Whether values in metadata field `field` count.
    pub fn counts_metadata(&self, field: &str) -> bool {
        !self.excluded_metadata.contains(field)
    }

    /// Whether membership of collection `name` counts.
    pub fn counts_collection(&self, name: &str) -> bool {
        self.referenced_collections.contains(name)
    }
}

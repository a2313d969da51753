//! Server instances and their hardware: the profile a machine is collected
//! into, its fingerprint, and how closely another machine must match it.
//!
//! A license bound to an instance carries the instance's [`Fingerprint`] and
//! [`MatchPolicy`] as text in its [`InstanceBinding`](crate::license::InstanceBinding);
//! at run time the installation collects its [`HardwareProfile`] and checks
//! the license against it (see [`License::match_hardware`](crate::License::match_hardware)).
//!
//! ```
//! use license_core::instance::MatchPolicy;
//! use license_core::{Fingerprint, HardwareProfile};
//!
//! // On a real server: `HardwareProfile::collect()`.
//! let mut server = HardwareProfile::default();
//! server.machine_id = Some("3d1219c7c4c5404aaa1f6d2a48adfda4".into());
//! server.product_uuid = Some("4c4c4544-0042-3510-8052-b3c04f4e4e32".into());
//! server.board_serial = Some("CN7016389T0123".into());
//! server.cpu_model = Some("Intel(R) Xeon(R) Gold 6338".into());
//! let bound = Fingerprint::from_profile(&server); // what the license carries
//! let policy = MatchPolicy::default(); // any 3 components, or machine id + product UUID
//!
//! // A CPU upgrade: three components still agree.
//! let mut upgraded = server.clone();
//! upgraded.cpu_model = Some("Intel(R) Xeon(R) Gold 6448Y".into());
//! assert!(bound.matches(&Fingerprint::from_profile(&upgraded), &policy).is_match());
//!
//! // A new motherboard: only two agree, and the report says what drifted.
//! let mut moved = server.clone();
//! moved.product_uuid = Some("9a0c4f2e-51d6-4b7e-8a31-2f6c0d9e7b14".into());
//! moved.board_serial = Some("CN7016389T9999".into());
//! let report = bound.matches(&Fingerprint::from_profile(&moved), &policy);
//! assert!(!report.is_match());
//! let drifted: Vec<_> = report.drifted().map(|c| c.kind.name()).collect();
//! assert_eq!(drifted, ["product-uuid", "board-serial"]);
//! ```

mod binding;
mod collect;
mod fingerprint;
#[cfg(test)]
mod fixtures;
mod location;
mod policy;
mod profile;
mod record;
mod report;
mod version;
mod xml;

pub use fingerprint::{ComponentKind, Fingerprint};
pub use location::{Coordinates, Location};
pub use policy::MatchPolicy;
pub use profile::{Disk, EnvironmentHint, HardwareProfile, HintKind, NetworkInterface};
pub use record::Instance;
pub use report::{ComponentReport, ComponentState, MatchReport, MatchRule};
pub use version::SoftwareVersion;
pub use xml::PROFILE_NAMESPACE;

//! Server instances and their hardware: the profile a machine is collected
//! into, its fingerprint, and how closely another machine must match it.
//!
//! A license bound to an instance carries the instance's [`Fingerprint`] and
//! [`MatchPolicy`] as text in its [`InstanceBinding`](crate::license::InstanceBinding);
//! at run time the installation collects its [`HardwareProfile`] and checks
//! the license against it (see [`License::match_hardware`](crate::License::match_hardware)).

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

//! A server instance: one on-premises installation of the product.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{Fingerprint, HardwareProfile, Location, MatchPolicy, MatchReport, SoftwareVersion};
use crate::table::Table;
use crate::text::{check_instance_id, check_line};
use crate::{license::InstanceBinding, timefmt, Error, ErrorKind, Result};

/// An on-premises server: its id, name, location, the core software version
/// it runs, its hardware profile and fingerprint, and when it was created
/// and last changed.
///
/// Every change goes through a method that checks its input, takes the
/// time of the change from the caller, and leaves the instance untouched
/// when it fails. The fingerprint is always the one derived from the
/// current profile.
///
/// ```
/// use license_core::{HardwareProfile, Instance, instance::Location};
/// use time::macros::datetime;
///
/// let profile = HardwareProfile { machine_id: Some("3d1219c7c4c5404aaa1f6d2a48adfda4".into()), ..HardwareProfile::default() };
/// let mut server = Instance::new(
///     "srv-0001",
///     "Primary",
///     Location::new("Slough", Some("GB"), None)?,
///     "4.2.0".parse()?,
///     profile,
///     datetime!(2026-01-01 0:00 UTC),
/// )?;
/// server.rename("Primary (London)", datetime!(2026-02-01 0:00 UTC))?;
/// assert_eq!(server.name(), "Primary (London)");
/// assert_eq!(Instance::from_json(&server.to_json())?, server);
/// # Ok::<(), license_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "InstanceRecord", into = "InstanceRecord")]
pub struct Instance {
    id: String,
    name: String,
    location: Location,
    software_version: SoftwareVersion,
    profile: HardwareProfile,
    fingerprint: Fingerprint,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl Instance {
    /// A new instance, created (and last updated) at `created_at`. The id is
    /// 1 to 64 characters of `[A-Za-z0-9._-]`, the name one line of 1 to 256
    /// bytes; the profile must pass [`HardwareProfile::validate`].
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        location: Location,
        software_version: SoftwareVersion,
        profile: HardwareProfile,
        created_at: OffsetDateTime,
    ) -> Result<Instance> {
        let id = id.into();
        let name = name.into();
        check_instance_id(&id)?;
        check_name(&name)?;
        profile.validate()?;
        let created_at = timefmt::normalize(created_at, "created_at")?;
        Ok(Instance {
            id,
            name,
            location,
            software_version,
            fingerprint: Fingerprint::from_profile(&profile),
            profile,
            created_at,
            updated_at: created_at,
        })
    }

    /// Reads the JSON form (see docs/FORMATS.md), checking every value as
    /// [`Instance::new`] does, and that the stored fingerprint is the one
    /// the stored profile gives.
    pub fn from_json(json: &str) -> Result<Instance> {
        let record: InstanceRecord = serde_json::from_str(json).map_err(|e| {
            Error::new(
                ErrorKind::InvalidJson,
                format!("instance JSON at line {} column {}: {e}", e.line(), e.column()),
            )
        })?;
        Instance::try_from(record)
    }

    /// The JSON form, pretty-printed and deterministic.
    pub fn to_json(&self) -> String {
        // Plain data with string keys: serialising cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The instance id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The display name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the instance is.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// The core software version it runs.
    pub fn software_version(&self) -> &SoftwareVersion {
        &self.software_version
    }

    /// Its hardware profile.
    pub fn profile(&self) -> &HardwareProfile {
        &self.profile
    }

    /// The fingerprint of its hardware profile.
    pub fn fingerprint(&self) -> &Fingerprint {
        &self.fingerprint
    }

    /// When it was created.
    pub fn created_at(&self) -> OffsetDateTime {
        self.created_at
    }

    /// When it was last changed.
    pub fn updated_at(&self) -> OffsetDateTime {
        self.updated_at
    }

    /// A binding of a license to this instance and its current fingerprint,
    /// under `policy` (`None`: the default policy).
    pub fn binding(&self, policy: Option<&MatchPolicy>) -> InstanceBinding {
        InstanceBinding::new(self.id.clone(), &self.fingerprint, policy)
    }

    /// Renames the instance at time `at`.
    pub fn rename(&mut self, name: impl Into<String>, at: OffsetDateTime) -> Result<()> {
        let name = name.into();
        check_name(&name)?;
        let at = self.check_update_time(at)?;
        self.name = name;
        self.updated_at = at;
        Ok(())
    }

    /// Moves the instance to `location` at time `at`.
    pub fn relocate(&mut self, location: Location, at: OffsetDateTime) -> Result<()> {
        let at = self.check_update_time(at)?;
        self.location = location;
        self.updated_at = at;
        Ok(())
    }

    /// Records an upgrade (or downgrade) of the core software at time `at`.
    pub fn set_software_version(&mut self, version: SoftwareVersion, at: OffsetDateTime) -> Result<()> {
        let at = self.check_update_time(at)?;
        self.software_version = version;
        self.updated_at = at;
        Ok(())
    }

    /// Replaces the hardware profile (and with it the fingerprint) at time
    /// `at`, returning how the new fingerprint compares with the old one
    /// under `policy` (`None`: the default policy), so the caller can tell
    /// a hardware refresh from a different machine.
    pub fn update_profile(
        &mut self,
        profile: HardwareProfile,
        policy: Option<&MatchPolicy>,
        at: OffsetDateTime,
    ) -> Result<MatchReport> {
        profile.validate()?;
        let at = self.check_update_time(at)?;
        let fingerprint = Fingerprint::from_profile(&profile);
        let report = self.fingerprint.matches(&fingerprint, policy.unwrap_or(&MatchPolicy::default()));
        self.profile = profile;
        self.fingerprint = fingerprint;
        self.updated_at = at;
        Ok(report)
    }

    /// A change must not be dated before the last one, so `updated_at`
    /// only moves forward.
    fn check_update_time(&self, at: OffsetDateTime) -> Result<OffsetDateTime> {
        let at = timefmt::normalize(at, "update time")?;
        if at < self.updated_at {
            return Err(Error::new(
                ErrorKind::InvalidInstance,
                format!(
                    "update at {} is before the last update at {}",
                    timefmt::format(at),
                    timefmt::format(self.updated_at)
                ),
            ));
        }
        Ok(at)
    }

    /// An aligned table for people: the instance's own fields, then its
    /// hardware profile.
    pub fn to_table(&self) -> String {
        let mut t = Table::new().header(["field", "value"]);
        t.row(["id", self.id.as_str()]);
        t.row(["name", self.name.as_str()]);
        t.row(["location".to_owned(), self.location.to_string()]);
        t.row(["software version".to_owned(), self.software_version.to_string()]);
        t.row(["fingerprint".to_owned(), self.fingerprint.to_string()]);
        t.row(["created".to_owned(), timefmt::format(self.created_at)]);
        t.row(["updated".to_owned(), timefmt::format(self.updated_at)]);
        format!("{}\n{}", t.render(), self.profile.to_table())
    }
}

fn check_name(name: &str) -> Result<()> {
    check_line(name, "name", ErrorKind::InvalidInstance)
}

/// The serde form of [`Instance`]; checked into an `Instance` by `TryFrom`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct InstanceRecord {
    id: String,
    name: String,
    location: Location,
    software_version: SoftwareVersion,
    profile: HardwareProfile,
    fingerprint: String,
    #[serde(with = "timefmt::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(with = "timefmt::rfc3339")]
    updated_at: OffsetDateTime,
}

impl TryFrom<InstanceRecord> for Instance {
    type Error = Error;
    fn try_from(r: InstanceRecord) -> Result<Instance> {
        let mut instance =
            Instance::new(r.id, r.name, r.location, r.software_version, r.profile, r.created_at)?;
        let stored: Fingerprint = r.fingerprint.parse()?;
        if stored != instance.fingerprint {
            return Err(Error::new(
                ErrorKind::InvalidFingerprint,
                format!(
                    "instance `{}`: the stored fingerprint is not the one its profile gives",
                    instance.id
                ),
            ));
        }
        let updated_at = timefmt::normalize(r.updated_at, "updated_at")?;
        if updated_at < instance.created_at {
            return Err(Error::new(
                ErrorKind::InvalidInstance,
                format!(
                    "instance `{}`: updated_at {} is before created_at {}",
                    instance.id,
                    timefmt::format(updated_at),
                    timefmt::format(instance.created_at)
                ),
            ));
        }
        instance.updated_at = updated_at;
        Ok(instance)
    }
}

impl From<Instance> for InstanceRecord {
    fn from(i: Instance) -> InstanceRecord {
        InstanceRecord {
            fingerprint: i.fingerprint.to_string(),
            id: i.id,
            name: i.name,
            location: i.location,
            software_version: i.software_version,
            profile: i.profile,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::fixtures::sample;
    use crate::instance::Coordinates;
    use time::macros::datetime;

    fn server() -> Instance {
        Instance::new(
            "srv-0001",
            "Primary",
            Location::new(
                "Equinix LD5, Slough",
                Some("GB"),
                Some(Coordinates::new(51.5225, -0.6298).unwrap()),
            )
            .unwrap(),
            "4.2.0".parse().unwrap(),
            sample(),
            datetime!(2026-01-01 9:00 UTC),
        )
        .unwrap()
    }

    #[test]
    fn changes_bump_the_updated_time_and_validate() {
        let mut s = server();
        s.rename("Primary (London)", datetime!(2026-02-01 0:00 UTC)).unwrap();
        assert_eq!((s.name(), s.updated_at()), ("Primary (London)", datetime!(2026-02-01 0:00 UTC)));
        s.relocate(Location::new("Frankfurt FR5", Some("DE"), None).unwrap(), datetime!(2026-03-01 0:00 UTC))
            .unwrap();
        assert_eq!(s.location().country(), Some("DE"));
        s.set_software_version("4.3.0".parse().unwrap(), datetime!(2026-03-02 0:00 UTC)).unwrap();
        assert_eq!(s.software_version().to_string(), "4.3.0");
        assert_eq!(s.created_at(), datetime!(2026-01-01 9:00 UTC));
        assert_eq!(s.updated_at(), datetime!(2026-03-02 0:00 UTC));

        let before = s.clone();
        let err = s.rename("", datetime!(2026-04-01 0:00 UTC)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInstance);
        let err = s.rename("Later", datetime!(2026-03-01 23:59 UTC)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInstance);
        assert!(err.detail().contains("before the last update"), "{err}");
        let mut bad = sample();
        bad.hostname = Some(" x".into());
        assert_eq!(
            s.update_profile(bad, None, datetime!(2026-04-01 0:00 UTC)).unwrap_err().kind(),
            ErrorKind::InvalidProfile
        );
        assert_eq!(s, before, "failed changes leave the instance as it was");
    }

    #[test]
    fn updating_the_profile_reports_the_drift() {
        let mut s = server();
        let mut refreshed = sample();
        refreshed.disks[0].serial = Some("S5GXNF0R999999".into());
        refreshed.memory_bytes = Some(512 * 1024 * 1024 * 1024);
        let report = s.update_profile(refreshed.clone(), None, datetime!(2026-05-01 0:00 UTC)).unwrap();
        assert!(report.is_match());
        assert_eq!(report.drifted().map(|c| c.kind.name()).collect::<Vec<_>>(), ["disk"]);
        assert_eq!(s.fingerprint(), &Fingerprint::from_profile(&refreshed));
        assert_eq!(s.profile(), &refreshed);
    }

    #[test]
    fn json_round_trips_and_is_checked() {
        let mut s = server();
        s.rename("Renamed", datetime!(2026-01-02 0:00 UTC)).unwrap();
        let json = s.to_json();
        assert_eq!(Instance::from_json(&json).unwrap(), s);
        assert_eq!(Instance::from_json(&json).unwrap().to_json(), json);
        assert!(json.contains("\"software_version\": \"4.2.0\""), "{json}");
        assert!(json.contains("\"updated_at\": \"2026-01-02T00:00:00Z\""), "{json}");

        let tampered = json.replace("\"machine_id\": \"3d1219c7", "\"machine_id\": \"4d1219c7");
        assert_eq!(Instance::from_json(&tampered).unwrap_err().kind(), ErrorKind::InvalidFingerprint);
        let early = json
            .replace("\"updated_at\": \"2026-01-02T00:00:00Z\"", "\"updated_at\": \"2025-01-01T00:00:00Z\"");
        assert_eq!(Instance::from_json(&early).unwrap_err().kind(), ErrorKind::InvalidInstance);
        let bad_id = json.replace("\"srv-0001\"", "\"srv 0001\"");
        assert_eq!(Instance::from_json(&bad_id).unwrap_err().kind(), ErrorKind::InvalidInstance);
        let unknown = json.replacen('{', "{\"extra\": 1,", 1);
        assert_eq!(Instance::from_json(&unknown).unwrap_err().kind(), ErrorKind::InvalidJson);
        assert_eq!(Instance::from_json("[").unwrap_err().kind(), ErrorKind::InvalidJson);
    }

    #[test]
    fn the_binding_carries_the_current_fingerprint() {
        let s = server();
        let b = s.binding(None);
        assert_eq!(b.instance_id, "srv-0001");
        assert_eq!(b.parsed_fingerprint().unwrap(), *s.fingerprint());
        assert_eq!(b.policy, None);
        assert!(s.to_table().contains("Equinix LD5, Slough (GB) at 51.5225, -0.6298"));
    }
}

//! Checking a license's hardware binding against the machine it runs on.

use super::{Fingerprint, HardwareProfile, MatchPolicy, MatchReport};
use crate::{license::InstanceBinding, Error, ErrorKind, License, Result};

impl InstanceBinding {
    /// A binding to `instance_id` with the fingerprint and policy in their
    /// canonical text forms; `None` stands for the default policy.
    pub fn new(
        instance_id: impl Into<String>,
        fingerprint: &Fingerprint,
        policy: Option<&MatchPolicy>,
    ) -> InstanceBinding {
        InstanceBinding {
            instance_id: instance_id.into(),
            fingerprint: fingerprint.to_string(),
            policy: policy.map(MatchPolicy::to_string),
        }
    }

    /// The bound fingerprint, parsed ([`ErrorKind::InvalidFingerprint`]
    /// when its text is not canonical).
    pub fn parsed_fingerprint(&self) -> Result<Fingerprint> {
        self.fingerprint.parse().map_err(|e: Error| Error::new(e.kind(), format!("binding: {}", e.detail())))
    }

    /// The binding's match policy, parsed; the default when it names none.
    pub fn parsed_policy(&self) -> Result<MatchPolicy> {
        match &self.policy {
            Some(text) => {
                text.parse().map_err(|e: Error| Error::new(e.kind(), format!("binding: {}", e.detail())))
            }
            None => Ok(MatchPolicy::default()),
        }
    }

    /// Compares the bound fingerprint with `profile`'s under the bound
    /// policy.
    pub fn match_profile(&self, profile: &HardwareProfile) -> Result<MatchReport> {
        let bound = self.parsed_fingerprint()?;
        let policy = self.parsed_policy()?;
        Ok(bound.matches(&Fingerprint::from_profile(profile), &policy))
    }
}

impl License {
    /// Compares the license's hardware binding with this machine's
    /// `profile`: `Ok(None)` when the license is not bound to hardware,
    /// otherwise the [`MatchReport`], matched or not. A malformed fingerprint
    /// or policy in the binding is an error.
    ///
    /// ```
    /// use license_core::{Fingerprint, HardwareProfile, License, license::InstanceBinding};
    /// use time::macros::datetime;
    ///
    /// let mut here = HardwareProfile::default();
    /// here.machine_id = Some("3d1219c7c4c5404aaa1f6d2a48adfda4".into());
    /// here.product_uuid = Some("4c4c4544-0042-3510-8052-b3c04f4e4e32".into());
    /// let license = License::builder("LIC-1", "certmgr", datetime!(2026-01-01 0:00 UTC))
    ///     .licensee("Example Ltd")
    ///     .binding(InstanceBinding::new("srv-1", &Fingerprint::from_profile(&here), None))
    ///     .build()?;
    /// assert!(license.match_hardware(&here)?.unwrap().is_match());
    ///
    /// let elsewhere = HardwareProfile::default();
    /// let err = license.require_hardware(&elsewhere).unwrap_err();
    /// assert_eq!(err.kind(), license_core::ErrorKind::FingerprintMismatch);
    /// # Ok::<(), license_core::Error>(())
    /// ```
    pub fn match_hardware(&self, profile: &HardwareProfile) -> Result<Option<MatchReport>> {
        self.binding().map(|b| b.match_profile(profile)).transpose()
    }

    /// Like [`License::match_hardware`], but a mismatch is an
    /// [`ErrorKind::FingerprintMismatch`] error whose detail is the report's
    /// summary (which names every drifted component).
    pub fn require_hardware(&self, profile: &HardwareProfile) -> Result<Option<MatchReport>> {
        match self.match_hardware(profile)? {
            Some(report) if !report.is_match() => Err(Error::new(
                ErrorKind::FingerprintMismatch,
                format!("license `{}`: {}", self.id(), report.summary()),
            )),
            other => Ok(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::fixtures::sample;
    use time::macros::datetime;

    fn bound(binding: InstanceBinding) -> License {
        License::builder("LIC-1", "certmgr", datetime!(2026-01-01 0:00 UTC))
            .licensee("Example Ltd")
            .binding(binding)
            .build()
            .unwrap()
    }

    #[test]
    fn unbound_licenses_have_nothing_to_check() {
        let license = License::builder("LIC-1", "certmgr", datetime!(2026-01-01 0:00 UTC))
            .licensee("Example Ltd")
            .build()
            .unwrap();
        assert_eq!(license.require_hardware(&sample()).unwrap(), None);
    }

    #[test]
    fn the_bound_policy_is_applied() {
        let here = sample();
        let fp = Fingerprint::from_profile(&here);
        let mut drifted = here.clone();
        drifted.interfaces[0].mac = Some("b0:83:fe:00:00:01".into());
        drifted.disks.clear();
        drifted.cpu_model = None;
        drifted.board_serial = None;
        // Default policy: machine id + product UUID suffice.
        assert!(bound(InstanceBinding::new("srv-1", &fp, None)).require_hardware(&drifted).is_ok());
        // A policy that wants the NIC and disk too refuses it.
        let strict = MatchPolicy::new(
            4,
            &[
                (crate::instance::ComponentKind::MachineId, 2),
                (crate::instance::ComponentKind::Mac, 2),
                (crate::instance::ComponentKind::Disk, 2),
            ],
            &[],
        )
        .unwrap();
        let err =
            bound(InstanceBinding::new("srv-1", &fp, Some(&strict))).require_hardware(&drifted).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FingerprintMismatch);
        assert!(err.detail().contains("drifted: board-serial, mac, disk, cpu"), "{err}");
    }

    #[test]
    fn malformed_binding_text_is_a_typed_error() {
        // The builder refuses such bindings; a License put together inside
        // the crate without it must still fail typed, not match.
        let fp = Fingerprint::from_profile(&sample());
        let mut license = bound(InstanceBinding::new("srv-1", &fp, None));
        license.binding =
            Some(InstanceBinding { instance_id: "srv-1".into(), fingerprint: "f".into(), policy: None });
        assert_eq!(license.match_hardware(&sample()).unwrap_err().kind(), ErrorKind::InvalidFingerprint);
        license.binding = Some(InstanceBinding {
            instance_id: "srv-1".into(),
            fingerprint: fp.to_string(),
            policy: Some("mp1;threshold=1".into()),
        });
        assert_eq!(license.match_hardware(&sample()).unwrap_err().kind(), ErrorKind::InvalidMatchPolicy);
    }
}

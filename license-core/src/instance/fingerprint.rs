//! The machine fingerprint: hashed, named components of a hardware profile
//! that survive reboots, renames, VPN clients and container restarts.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use sha2::{Digest as _, Sha256};

use super::policy::MatchPolicy;
use super::report::MatchReport;
use super::HardwareProfile;
use crate::digest::{hex, parse_hex};
use crate::{Error, ErrorKind, Result};

/// The version tag that starts a fingerprint's text form.
const TAG: &str = "fp1";
/// Bytes of SHA-256 kept per component: 128 bits cannot collide by chance
/// among one vendor's machines, and keep the text short.
const DIGEST_LEN: usize = 16;
/// The most values one kind may carry (the profile's disk and interface
/// limits).
const MAX_VALUES_PER_KIND: usize = 256;
/// The longest text form accepted, checked before anything is parsed:
/// every kind at its maximum fits well within it.
const MAX_TEXT_LEN: usize = 64 * 1024;

/// One kind of fingerprint component. Each is derived from a part of the
/// profile that does not change by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ComponentKind {
    /// The operating system's machine id (regenerated only by a reinstall).
    MachineId,
    /// The firmware's product UUID (SMBIOS), stable for the hardware's life.
    ProductUuid,
    /// The main board's serial number.
    BoardSerial,
    /// The MAC addresses of physical interfaces; virtual, VPN, docker and
    /// bridge interfaces never count. The component agrees while any one of
    /// them is still present.
    Mac,
    /// Fixed disks' serial numbers; agrees while any one disk remains.
    Disk,
    /// CPU model with its physical and logical core counts.
    Cpu,
}

impl ComponentKind {
    /// Every kind, in canonical order (the order of the text forms).
    pub const ALL: [ComponentKind; 6] = [
        ComponentKind::MachineId,
        ComponentKind::ProductUuid,
        ComponentKind::BoardSerial,
        ComponentKind::Mac,
        ComponentKind::Disk,
        ComponentKind::Cpu,
    ];

    /// The kind's name in text forms and reports.
    pub fn name(self) -> &'static str {
        match self {
            ComponentKind::MachineId => "machine-id",
            ComponentKind::ProductUuid => "product-uuid",
            ComponentKind::BoardSerial => "board-serial",
            ComponentKind::Mac => "mac",
            ComponentKind::Disk => "disk",
            ComponentKind::Cpu => "cpu",
        }
    }

    /// The kind with this name.
    pub fn from_name(name: &str) -> Option<ComponentKind> {
        ComponentKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether the kind may carry several values (MACs, disks).
    pub fn is_multi_valued(self) -> bool {
        matches!(self, ComponentKind::Mac | ComponentKind::Disk)
    }
}

impl fmt::Display for ComponentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A hashed component value.
pub(crate) type Digest = [u8; DIGEST_LEN];

/// A machine's fingerprint: for each [`ComponentKind`] that could be read,
/// the set of its hashed values.
///
/// Each value is hashed with SHA-256 under a purpose prefix naming the
/// fingerprint version and the kind, so the fingerprint carries no raw
/// serial numbers or MAC addresses and a digest of one kind never equals
/// one of another. Hostname, memory, kernel and the OS are left out: they
/// change in normal operation.
///
/// The canonical text form (what licenses and key bundles carry) is
/// `fp1` followed by `;kind=hex[,hex…]` for each kind present, kinds in
/// [`ComponentKind::ALL`] order, digests as 32 lowercase hex digits in
/// ascending order. [`FromStr`] accepts exactly that form.
///
/// ```
/// use license_core::{Fingerprint, HardwareProfile, instance::MatchPolicy};
///
/// let mut profile = HardwareProfile::default();
/// profile.machine_id = Some("3d1219c7c4c5404aaa1f6d2a48adfda4".into());
/// profile.product_uuid = Some("4c4c4544-0042-3510-8052-b3c04f4e4e32".into());
/// let bound = Fingerprint::from_profile(&profile);
/// let text = bound.to_string();
/// assert!(text.starts_with("fp1;machine-id="));
/// assert_eq!(text.parse::<Fingerprint>()?, bound);
///
/// profile.hostname = Some("renamed".into());
/// let report = bound.matches(&Fingerprint::from_profile(&profile), &MatchPolicy::default());
/// assert!(report.is_match());
/// # Ok::<(), license_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    components: BTreeMap<ComponentKind, BTreeSet<Digest>>,
}

impl Fingerprint {
    /// Derives the fingerprint of a profile. Values known to be placeholders
    /// (`To be filled by O.E.M.`, all-zero UUIDs and the like) are left out,
    /// since every machine of a make would share them.
    pub fn from_profile(profile: &HardwareProfile) -> Fingerprint {
        let mut fp = Fingerprint::default();
        if let Some(id) = profile.machine_id.as_deref().and_then(normalize_id) {
            fp.insert(ComponentKind::MachineId, &id);
        }
        if let Some(uuid) = profile.product_uuid.as_deref().and_then(normalize_id) {
            fp.insert(ComponentKind::ProductUuid, &uuid);
        }
        if let Some(serial) = profile.board_serial.as_deref().and_then(normalize_serial) {
            fp.insert(ComponentKind::BoardSerial, &serial);
        }
        for nic in profile.interfaces.iter().filter(|n| n.physical && !is_virtual_name(&n.name)) {
            if let Some(mac) = nic.mac.as_deref().and_then(normalize_mac) {
                fp.insert(ComponentKind::Mac, &mac);
            }
        }
        for disk in &profile.disks {
            if let Some(serial) = disk.serial.as_deref().and_then(normalize_serial) {
                fp.insert(ComponentKind::Disk, &serial);
            }
        }
        if let Some(model) = profile.cpu_model.as_deref().map(collapse_spaces).filter(|m| !m.is_empty()) {
            let count = |n: Option<u32>| n.map_or_else(|| "-".to_owned(), |n| n.to_string());
            let value = format!("{model}|{}|{}", count(profile.physical_cores), count(profile.logical_cores));
            fp.insert(ComponentKind::Cpu, &value);
        }
        fp
    }

    fn insert(&mut self, kind: ComponentKind, value: &str) {
        let values = self.components.entry(kind).or_default();
        // The profile's own limits keep this bounded; the check keeps the
        // text form parseable even for a profile built by hand.
        if values.len() < MAX_VALUES_PER_KIND {
            values.insert(digest(kind, value));
        }
    }

    /// Whether no component could be derived (nothing will ever match it).
    pub fn is_empty(&self) -> bool {
        self.components.is_empty()
    }

    /// The kinds present, in canonical order.
    pub fn kinds(&self) -> impl Iterator<Item = ComponentKind> + '_ {
        self.components.keys().copied()
    }

    /// The hex digests of one kind, ascending (empty if the kind is absent).
    pub fn digests(&self, kind: ComponentKind) -> Vec<String> {
        self.components.get(&kind).map_or_else(Vec::new, |set| set.iter().map(|d| hex(d)).collect())
    }

    pub(crate) fn values(&self, kind: ComponentKind) -> Option<&BTreeSet<Digest>> {
        self.components.get(&kind)
    }

    /// Compares this fingerprint (the one a license is bound to) with the
    /// `current` machine's under `policy`. The report says whether they
    /// match and names every component that drifted.
    pub fn matches(&self, current: &Fingerprint, policy: &MatchPolicy) -> MatchReport {
        MatchReport::compare(self, current, policy)
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(TAG)?;
        for (kind, values) in &self.components {
            write!(f, ";{kind}=")?;
            for (i, d) in values.iter().enumerate() {
                if i > 0 {
                    f.write_str(",")?;
                }
                f.write_str(&hex(d))?;
            }
        }
        Ok(())
    }
}

impl FromStr for Fingerprint {
    type Err = Error;

    /// Parses the canonical text form; anything else (another version,
    /// unknown or repeated kinds, kinds or digests out of order, upper-case
    /// hex, spaces) is [`ErrorKind::InvalidFingerprint`] naming the part.
    fn from_str(text: &str) -> Result<Fingerprint> {
        let bad = |detail: String| Error::new(ErrorKind::InvalidFingerprint, detail);
        if text.len() > MAX_TEXT_LEN {
            return Err(Error::new(
                ErrorKind::InputTooLarge,
                format!("fingerprint text is {} bytes, over the limit of {MAX_TEXT_LEN}", text.len()),
            ));
        }
        let mut sections = text.split(';');
        match sections.next() {
            Some(TAG) => {}
            Some(tag) if is_version_tag(tag, "fp") => {
                return Err(Error::new(
                    ErrorKind::UnsupportedVersion,
                    format!("fingerprint version `{}` (expected `{TAG}`)", tag.escape_debug()),
                ))
            }
            _ => return Err(bad(format!("does not start with `{TAG}`"))),
        }
        let mut fp = Fingerprint::default();
        let mut previous: Option<ComponentKind> = None;
        for (index, section) in sections.enumerate() {
            let at = index + 1;
            let (name, list) =
                section.split_once('=').ok_or_else(|| bad(format!("section {at} `{section}` has no `=`")))?;
            let kind = ComponentKind::from_name(name)
                .ok_or_else(|| bad(format!("section {at}: unknown component `{}`", name.escape_debug())))?;
            if let Some(p) = previous {
                if kind == p {
                    return Err(bad(format!("component `{kind}` appears twice")));
                }
                if kind < p {
                    return Err(bad(format!("component `{kind}` comes after `{p}`; kinds must be in order")));
                }
            }
            previous = Some(kind);
            let mut values = BTreeSet::new();
            let mut last: Option<Digest> = None;
            for (i, item) in list.split(',').enumerate() {
                if i >= MAX_VALUES_PER_KIND {
                    return Err(bad(format!(
                        "component `{kind}` has more than {MAX_VALUES_PER_KIND} values"
                    )));
                }
                let d = parse_hex::<DIGEST_LEN>(item).ok_or_else(|| {
                    bad(format!(
                        "component `{kind}` value {}: `{}` is not {} lowercase hex digits",
                        i + 1,
                        item.escape_debug(),
                        2 * DIGEST_LEN
                    ))
                })?;
                if last.is_some_and(|l| l >= d) {
                    return Err(bad(format!(
                        "component `{kind}` values are repeated or not in ascending order"
                    )));
                }
                if i > 0 && !kind.is_multi_valued() {
                    return Err(bad(format!("component `{kind}` carries one value only")));
                }
                last = Some(d);
                values.insert(d);
            }
            fp.components.insert(kind, values);
        }
        Ok(fp)
    }
}

/// Whether `tag` is `prefix` followed by a version number (`fp2`), i.e.
/// another version of the form rather than a malformed one.
pub(crate) fn is_version_tag(tag: &str, prefix: &str) -> bool {
    tag.strip_prefix(prefix).is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// SHA-256 under a purpose prefix, truncated. The prefix ties the digest to
/// this use and kind, so it is useless as a lookup key for the raw serial in
/// any other system. (MACs have little entropy and could be brute-forced
/// from a digest; the point is not to carry them in clear, not secrecy.)
fn digest(kind: ComponentKind, value: &str) -> Digest {
    let mut h = Sha256::new();
    h.update(b"license-core/fingerprint/v1/");
    h.update(kind.name().as_bytes());
    h.update([0u8]);
    h.update(value.as_bytes());
    let full = h.finalize();
    let mut out = [0u8; DIGEST_LEN];
    out.copy_from_slice(&full[..DIGEST_LEN]);
    out
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A machine id or UUID: trimmed, lower-case; `None` for placeholders that
/// firmware ships on many machines (all zeros, all `f`, the sequential
/// `03000200-0400-0500-0006-000700080009` of some boards).
fn normalize_id(value: &str) -> Option<String> {
    let id = value.trim().to_ascii_lowercase();
    let digits: String = id.chars().filter(|c| *c != '-').collect();
    let placeholder = digits.is_empty()
        || digits.chars().all(|c| c == '0')
        || digits.chars().all(|c| c == 'f')
        || id == "03000200-0400-0500-0006-000700080009";
    (!placeholder).then_some(id)
}

/// Placeholder serials firmware and disks ship with (compared ignoring case).
const PLACEHOLDER_SERIALS: &[&str] = &[
    "to be filled by o.e.m.",
    "default string",
    "not specified",
    "not applicable",
    "system serial number",
    "base board serial number",
    "chassis serial number",
    "none",
    "n/a",
    "unknown",
    "invalid",
    "empty",
    "o.e.m.",
    "oem",
    "0123456789",
    "123456789",
];

/// A serial number: trimmed; `None` for placeholders, for values with fewer
/// than four letters or digits, and for one character repeated (`00000000`,
/// `XXXXXXXX`).
fn normalize_serial(value: &str) -> Option<String> {
    let serial = value.trim();
    let lower = serial.to_ascii_lowercase();
    let alnum: Vec<char> = lower.chars().filter(|c| c.is_alphanumeric()).collect();
    let placeholder = PLACEHOLDER_SERIALS.contains(&lower.as_str())
        || alnum.len() < 4
        || alnum.iter().all(|c| *c == alnum[0]);
    (!placeholder).then(|| serial.to_owned())
}

/// A MAC that names one device: not all-zero, not broadcast or multicast.
fn normalize_mac(value: &str) -> Option<String> {
    let mac = value.trim().to_ascii_lowercase();
    super::profile::check_mac(&mac).ok()?;
    let first = u8::from_str_radix(&mac[..2], 16).ok()?;
    let usable = first & 1 == 0 && mac != "00:00:00:00:00:00";
    usable.then_some(mac)
}

/// Interface name prefixes of virtual devices: VPN clients, container and
/// VM networking, tunnels. A profile from elsewhere may mark one physical;
/// the fingerprint still leaves it out, since these come and go.
const VIRTUAL_PREFIXES: &[&str] = &[
    "lo",
    "docker",
    "veth",
    "br-",
    "virbr",
    "vnet",
    "vmnet",
    "vboxnet",
    "tun",
    "tap",
    "wg",
    "tailscale",
    "zt",
    "utun",
    "ppp",
    "ipsec",
    "cni",
    "flannel",
    "cali",
    "cilium",
    "kube-",
    "weave",
    "vxlan",
    "genev",
    "ifb",
    "dummy",
    "nordlynx",
    "ham",
    "gpd",
    "cscotun",
    "podman",
    "lxc",
    "lxd",
];

pub(crate) fn is_virtual_name(name: &str) -> bool {
    VIRTUAL_PREFIXES.iter().any(|p| name.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::fixtures::sample;

    #[test]
    fn text_form_round_trips_and_is_canonical() {
        let fp = Fingerprint::from_profile(&sample());
        let text = fp.to_string();
        assert_eq!(
            fp.kinds().collect::<Vec<_>>(),
            [
                ComponentKind::MachineId,
                ComponentKind::ProductUuid,
                ComponentKind::BoardSerial,
                ComponentKind::Mac,
                ComponentKind::Disk,
                ComponentKind::Cpu
            ]
        );
        assert_eq!(text.parse::<Fingerprint>().unwrap(), fp);
        assert_eq!(text.parse::<Fingerprint>().unwrap().to_string(), text);
        assert_eq!("fp1".parse::<Fingerprint>().unwrap(), Fingerprint::default());
    }

    #[test]
    fn digests_carry_no_raw_values_and_depend_on_kind() {
        let p = sample();
        let text = Fingerprint::from_profile(&p).to_string();
        assert!(!text.contains("3d1219c7c4c5404a"), "machine id in clear");
        assert!(!text.contains("b0:83:fe"), "MAC in clear");
        assert_ne!(digest(ComponentKind::MachineId, "x"), digest(ComponentKind::ProductUuid, "x"));
        // The known value of the documented hash, so the docs cannot drift.
        let mut h = Sha256::new();
        h.update(b"license-core/fingerprint/v1/machine-id\x003d1219c7c4c5404aaa1f6d2a48adfda4");
        let expected = hex(h.finalize()[..16].try_into().unwrap());
        assert_eq!(Fingerprint::from_profile(&p).digests(ComponentKind::MachineId), [expected]);
    }

    #[test]
    fn placeholders_and_virtual_interfaces_are_left_out() {
        let mut p = sample();
        p.product_uuid = Some("00000000-0000-0000-0000-000000000000".into());
        p.board_serial = Some("To be filled by O.E.M.".into());
        p.disks[0].serial = Some("0000000000".into());
        p.interfaces[0].name = "tailscale0".into();
        let fp = Fingerprint::from_profile(&p);
        assert_eq!(fp.kinds().collect::<Vec<_>>(), [ComponentKind::MachineId, ComponentKind::Cpu]);
    }

    #[test]
    fn cpu_model_spacing_does_not_matter() {
        let mut a = sample();
        a.cpu_model = Some("Intel(R) Xeon(R) CPU           E5-2680 v4".into());
        let mut b = a.clone();
        b.cpu_model = Some("Intel(R) Xeon(R) CPU E5-2680 v4".into());
        assert_eq!(Fingerprint::from_profile(&a), Fingerprint::from_profile(&b));
    }

    #[test]
    fn malformed_text_gets_typed_errors() {
        let good = Fingerprint::from_profile(&sample()).to_string();
        let d = "0123456789abcdef0123456789abcdef";
        let e = "1123456789abcdef0123456789abcdef";
        let cases: Vec<(String, ErrorKind, &str)> = vec![
            (String::new(), ErrorKind::InvalidFingerprint, "does not start"),
            ("fp2;mac=x".into(), ErrorKind::UnsupportedVersion, "fp2"),
            (format!("fp1;cpu={d};mac={d}"), ErrorKind::InvalidFingerprint, "must be in order"),
            (format!("fp1;mac={d};mac={e}"), ErrorKind::InvalidFingerprint, "appears twice"),
            (format!("fp1;mac={e},{d}"), ErrorKind::InvalidFingerprint, "ascending"),
            (format!("fp1;mac={d},{d}"), ErrorKind::InvalidFingerprint, "repeated"),
            (format!("fp1;cpu={d},{e}"), ErrorKind::InvalidFingerprint, "one value only"),
            (format!("fp1;gpu={d}"), ErrorKind::InvalidFingerprint, "unknown component `gpu`"),
            (format!("fp1;mac={}", d.to_uppercase()), ErrorKind::InvalidFingerprint, "lowercase hex"),
            (format!("fp1;mac={}", &d[..30]), ErrorKind::InvalidFingerprint, "lowercase hex"),
            ("fp1;mac=".into(), ErrorKind::InvalidFingerprint, "value 1"),
            (format!("fp1; mac={d}"), ErrorKind::InvalidFingerprint, "unknown component"),
            (format!("fp1 ;mac={d}"), ErrorKind::InvalidFingerprint, "does not start"),
            (format!("FP1;mac={d}"), ErrorKind::InvalidFingerprint, "does not start"),
            (format!("{good};"), ErrorKind::InvalidFingerprint, "has no `=`"),
            (format!("{good}\n"), ErrorKind::InvalidFingerprint, "lowercase hex"),
            ("fp1;".to_owned() + &"x".repeat(MAX_TEXT_LEN), ErrorKind::InputTooLarge, "over the limit"),
            (
                format!("fp1;disk={}", (0..=256).map(|i| format!("{i:032x}")).collect::<Vec<_>>().join(",")),
                ErrorKind::InvalidFingerprint,
                "more than 256",
            ),
        ];
        for (text, kind, detail) in cases {
            let err = text.parse::<Fingerprint>().expect_err(&text);
            assert_eq!(err.kind(), kind, "{text:.80}: {err}");
            assert!(err.detail().contains(detail), "{text:.80}: {err}");
        }
    }
}

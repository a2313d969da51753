//! What a machine is made of: the hardware profile, as collected, stored in
//! XML and shown to people.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::table::Table;
use crate::text;
use crate::{Error, ErrorKind, Result};

/// The most disks a profile carries; more is hostile or a storage array,
/// and neither belongs in a machine's fingerprint.
pub(crate) const MAX_DISKS: usize = 256;
/// The most network interfaces a profile carries.
pub(crate) const MAX_INTERFACES: usize = 256;
/// The most environment hints a profile carries.
pub(crate) const MAX_HINTS: usize = 32;

/// A server's hardware and platform, as far as it could be read.
///
/// Every field is optional: [`HardwareProfile::collect`] leaves out what it
/// cannot read (a DMI serial without root, a disk without a serial), and a
/// field left out is never an error. The profile feeds the machine's
/// [`Fingerprint`](crate::Fingerprint); most of it (hostname, memory, kernel)
/// is for people only and does not take part in matching.
///
/// Values are checked by [`HardwareProfile::validate`], which the XML reader
/// and [`Instance`](crate::Instance) (also when read from JSON) apply; a
/// profile deserialised on its own with serde is not checked until then.
/// The rules: text is 1 to 256
/// bytes with no control characters and no surrounding spaces, MAC addresses
/// are in lowercase colon form, disk and interface names are unique.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HardwareProfile {
    /// The host name (not part of the fingerprint: hosts get renamed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// The operating system's name, e.g. `Debian GNU/Linux`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_name: Option<String>,
    /// The operating system's version, e.g. `12`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
    /// The kernel release, e.g. `6.1.0-18-amd64`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel: Option<String>,
    /// The CPU architecture, e.g. `x86_64`, `aarch64`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    /// The CPU model name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_model: Option<String>,
    /// Physical cores (distinct package and core ids).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub physical_cores: Option<u32>,
    /// Logical processors (hardware threads) present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logical_cores: Option<u32>,
    /// Total memory in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_bytes: Option<u64>,
    /// The operating system's machine id (`/etc/machine-id` on Linux).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_id: Option<String>,
    /// The firmware's product UUID (SMBIOS/DMI), where readable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_uuid: Option<String>,
    /// The main board's serial number, where readable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub board_serial: Option<String>,
    /// Fixed disks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disks: Vec<Disk>,
    /// Network interfaces, physical and virtual.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interfaces: Vec<NetworkInterface>,
    /// Hints that the machine is virtual, a container or in a cloud.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environment: Vec<EnvironmentHint>,
}

/// A fixed disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disk {
    /// The device name, e.g. `nvme0n1`, `sda`.
    pub name: String,
    /// The model, where the device reports one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The serial number (or the WWID where no serial is exposed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// The capacity in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
}

/// A network interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkInterface {
    /// The interface name, e.g. `eth0`, `enp3s0`.
    pub name: String,
    /// The hardware address in lowercase colon form (`02:fc:00:00:00:01`);
    /// for a bonded port, its permanent address rather than the bond's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    /// Whether a hardware device backs the interface. VPN tunnels, bridges,
    /// veth pairs, docker and loopback interfaces are not physical.
    pub physical: bool,
}

/// What kind of environment an [`EnvironmentHint`] points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HintKind {
    /// The machine is a virtual machine (the name says which hypervisor).
    Virtualisation,
    /// The process runs in a container (the name says which runtime).
    Container,
    /// The machine runs in a public cloud (the name says which).
    Cloud,
}

impl HintKind {
    /// Every kind, in order.
    pub const ALL: [HintKind; 3] = [HintKind::Virtualisation, HintKind::Container, HintKind::Cloud];

    /// The kind's name in XML and JSON.
    pub fn name(self) -> &'static str {
        match self {
            HintKind::Virtualisation => "virtualisation",
            HintKind::Container => "container",
            HintKind::Cloud => "cloud",
        }
    }

    /// The kind with this name.
    pub fn from_name(name: &str) -> Option<HintKind> {
        HintKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl fmt::Display for HintKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A hint about the machine's environment, e.g. `container docker`,
/// `virtualisation kvm`, `cloud aws`. Names are 1 to 64 characters of
/// `[a-z0-9._-]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentHint {
    /// What the hint is about.
    pub kind: HintKind,
    /// Which hypervisor, container runtime or cloud.
    pub name: String,
}

impl EnvironmentHint {
    /// A hint of `kind` named `name` (checked by [`HardwareProfile::validate`]).
    pub fn new(kind: HintKind, name: impl Into<String>) -> EnvironmentHint {
        EnvironmentHint { kind, name: name.into() }
    }
}

impl HardwareProfile {
    /// Checks every value (see the type's docs). The error is
    /// [`ErrorKind::InvalidProfile`] naming the field.
    pub fn validate(&self) -> Result<()> {
        let scalars = [
            ("hostname", &self.hostname),
            ("os_name", &self.os_name),
            ("os_version", &self.os_version),
            ("kernel", &self.kernel),
            ("architecture", &self.architecture),
            ("cpu_model", &self.cpu_model),
            ("machine_id", &self.machine_id),
            ("product_uuid", &self.product_uuid),
            ("board_serial", &self.board_serial),
        ];
        for (field, value) in scalars {
            if let Some(v) = value {
                check_text(v, field)?;
            }
        }
        for (field, value) in [("physical_cores", self.physical_cores), ("logical_cores", self.logical_cores)]
        {
            if value == Some(0) {
                return Err(invalid(format!("{field} is 0")));
            }
        }
        if self.memory_bytes == Some(0) {
            return Err(invalid("memory_bytes is 0"));
        }
        check_count(self.disks.len(), MAX_DISKS, "disks")?;
        check_count(self.interfaces.len(), MAX_INTERFACES, "interfaces")?;
        check_count(self.environment.len(), MAX_HINTS, "environment hints")?;
        let mut names = BTreeSet::new();
        for disk in &self.disks {
            check_text(&disk.name, "disk name")?;
            let at = format!("disk `{}`", disk.name);
            if !names.insert(disk.name.as_str()) {
                return Err(invalid(format!("{at} appears twice")));
            }
            if let Some(model) = &disk.model {
                check_text(model, &format!("{at} model"))?;
            }
            if let Some(serial) = &disk.serial {
                check_text(serial, &format!("{at} serial"))?;
            }
            if disk.size_bytes == Some(0) {
                return Err(invalid(format!("{at} size is 0")));
            }
        }
        names.clear();
        for nic in &self.interfaces {
            check_text(&nic.name, "interface name")?;
            if !names.insert(nic.name.as_str()) {
                return Err(invalid(format!("interface `{}` appears twice", nic.name)));
            }
            if let Some(mac) = &nic.mac {
                check_mac(mac).map_err(|e| invalid(format!("interface `{}`: {e}", nic.name)))?;
            }
        }
        let mut hints = BTreeSet::new();
        for hint in &self.environment {
            let ok = !hint.name.is_empty()
                && hint.name.len() <= 64
                && hint.name.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-'));
            if !ok {
                return Err(invalid(format!("environment hint name `{}`", hint.name.escape_debug())));
            }
            if !hints.insert(hint) {
                return Err(invalid(format!("environment hint `{} {}` appears twice", hint.kind, hint.name)));
            }
        }
        Ok(())
    }

    /// The physical interfaces' MAC addresses, the ones the fingerprint uses.
    pub fn physical_macs(&self) -> impl Iterator<Item = &str> {
        self.interfaces.iter().filter(|n| n.physical).filter_map(|n| n.mac.as_deref())
    }

    /// An aligned two-column table for people: one row per field, one per
    /// disk, interface and hint; fields that could not be read say so.
    pub fn to_table(&self) -> String {
        let mut t = Table::new().header(["field", "value"]);
        let text = |v: &Option<String>| v.clone().unwrap_or_else(|| UNREADABLE.to_owned());
        let number = |v: Option<u32>| v.map_or_else(|| UNREADABLE.to_owned(), |n| n.to_string());
        t.row(["hostname".to_owned(), text(&self.hostname)]);
        let os = match (&self.os_name, &self.os_version) {
            (Some(n), Some(v)) => format!("{n} {v}"),
            (Some(n), None) => n.clone(),
            (None, Some(v)) => format!("version {v}"),
            (None, None) => UNREADABLE.to_owned(),
        };
        t.row(["operating system".to_owned(), os]);
        t.row(["kernel".to_owned(), text(&self.kernel)]);
        t.row(["architecture".to_owned(), text(&self.architecture)]);
        t.row(["cpu model".to_owned(), text(&self.cpu_model)]);
        t.row(["physical cores".to_owned(), number(self.physical_cores)]);
        t.row(["logical cores".to_owned(), number(self.logical_cores)]);
        t.row(["memory".to_owned(), self.memory_bytes.map_or_else(|| UNREADABLE.to_owned(), human_bytes)]);
        t.row(["machine id".to_owned(), text(&self.machine_id)]);
        t.row(["product uuid".to_owned(), text(&self.product_uuid)]);
        t.row(["board serial".to_owned(), text(&self.board_serial)]);
        if self.disks.is_empty() {
            t.row(["disks", "none found"]);
        }
        for disk in &self.disks {
            let mut parts = Vec::new();
            if let Some(size) = disk.size_bytes {
                parts.push(human_bytes(size));
            }
            parts.push(format!("model {}", disk.model.as_deref().unwrap_or(UNREADABLE)));
            parts.push(format!("serial {}", disk.serial.as_deref().unwrap_or(UNREADABLE)));
            t.row([format!("disk {}", disk.name), parts.join(", ")]);
        }
        if self.interfaces.is_empty() {
            t.row(["interfaces", "none found"]);
        }
        for nic in &self.interfaces {
            let kind = if nic.physical { "physical" } else { "virtual" };
            t.row([
                format!("interface {}", nic.name),
                format!("{} ({kind})", nic.mac.as_deref().unwrap_or("no MAC")),
            ]);
        }
        if self.environment.is_empty() {
            t.row(["environment", "no virtualisation, container or cloud seen"]);
        }
        for hint in &self.environment {
            t.row([format!("environment {}", hint.kind), hint.name.clone()]);
        }
        t.render()
    }
}

/// What a table shows for a field that could not be read.
const UNREADABLE: &str = "not readable";

/// `25 GiB (26843545600 bytes)`: binary units for people, the exact count
/// alongside so nothing is lost to rounding.
pub(crate) fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {} ({bytes} bytes)", UNITS[unit])
}

fn invalid(detail: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidProfile, detail)
}

fn check_count(count: usize, max: usize, what: &str) -> Result<()> {
    if count > max {
        return Err(invalid(format!("{count} {what}, more than the limit of {max}")));
    }
    Ok(())
}

/// Profile text follows the one-line rule ([`crate::text`]).
pub(crate) fn check_text(value: &str, what: &str) -> Result<()> {
    text::check_line(value, what, ErrorKind::InvalidProfile)
}

/// A MAC address in canonical form: six lowercase hex octets joined by `:`.
pub(crate) fn check_mac(mac: &str) -> std::result::Result<(), String> {
    let octets: Vec<&str> = mac.split(':').collect();
    let ok = octets.len() == 6
        && octets.iter().all(|o| o.len() == 2 && o.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
    if ok {
        Ok(())
    } else {
        Err(format!("MAC `{}` is not six lowercase hex octets joined by `:`", mac.escape_debug()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::fixtures::sample;

    #[test]
    fn a_sample_profile_is_valid_and_renders_every_field() {
        let p = sample();
        p.validate().unwrap();
        let table = p.to_table();
        let row = |field: &str, value: &str| {
            table.lines().any(|l| l.split_once("  ").is_some_and(|(f, v)| f == field && v.trim() == value))
        };
        assert!(row("memory", "256.0 GiB (274877906944 bytes)"), "{table}");
        assert!(row("interface docker0", "02:42:ac:11:00:01 (virtual)"), "{table}");
        assert!(row("environment container", "docker"), "{table}");
        assert!(
            row(
                "disk nvme0n1",
                "931.5 GiB (1000204886016 bytes), model Samsung SSD 980 PRO 1TB, serial S5GXNF0R123456"
            ),
            "{table}"
        );
        assert_eq!(HardwareProfile::default().to_table().matches(UNREADABLE).count(), 11);
    }

    #[test]
    fn invalid_values_are_named() {
        type Change = fn(&mut HardwareProfile);
        let cases: Vec<(&str, Change, &str)> = vec![
            ("control character", |p| p.hostname = Some("a\nb".into()), "hostname has control character"),
            ("padded", |p| p.kernel = Some(" 6.1".into()), "kernel has leading or trailing spaces"),
            ("empty", |p| p.cpu_model = Some(String::new()), "cpu_model is empty"),
            ("too long", |p| p.board_serial = Some("x".repeat(257)), "board_serial is over 256 bytes"),
            ("zero cores", |p| p.logical_cores = Some(0), "logical_cores is 0"),
            ("upper-case MAC", |p| p.interfaces[0].mac = Some("B0:83:FE:11:22:33".into()), "eno1"),
            ("short MAC", |p| p.interfaces[0].mac = Some("b0:83:fe:11:22".into()), "eno1"),
            ("duplicate disk", |p| p.disks.push(p.disks[0].clone()), "disk `nvme0n1` appears twice"),
            ("hint name", |p| p.environment[0].name = "Docker".into(), "environment hint name"),
            ("hint twice", |p| p.environment.push(p.environment[0].clone()), "appears twice"),
            (
                "too many disks",
                |p| {
                    p.disks = (0..=MAX_DISKS)
                        .map(|i| Disk { name: format!("d{i}"), model: None, serial: None, size_bytes: None })
                        .collect()
                },
                "257 disks",
            ),
        ];
        for (why, change, expected) in cases {
            let mut p = sample();
            change(&mut p);
            let err = p.validate().expect_err(why);
            assert_eq!(err.kind(), ErrorKind::InvalidProfile, "{why}");
            assert!(err.detail().contains(expected), "{why}: {err}");
        }
    }

    #[test]
    fn human_bytes_uses_binary_units_and_keeps_the_count() {
        assert_eq!(human_bytes(512), "512 bytes");
        assert_eq!(human_bytes(1536), "1.5 KiB (1536 bytes)");
        assert_eq!(human_bytes(u64::MAX), "16.0 EiB (18446744073709551615 bytes)");
    }
}

//! Reading the running machine into a [`HardwareProfile`].
//!
//! On Linux everything comes from procfs, sysfs and `/etc`, as an ordinary
//! user: no root, no programs spawned, no network. Files that only root may
//! read (the DMI serials on most distributions) are simply absent from the
//! profile. Every read is bounded, and a value that is unreadable, not UTF-8
//! or not valid profile text is left out rather than reported as an error.

use std::path::Path;

use super::HardwareProfile;

impl HardwareProfile {
    /// Collects the profile of the machine this process runs on.
    ///
    /// Never fails: a field that cannot be read is `None` (or an empty
    /// list). On Linux every field can be filled; on other platforms the
    /// architecture, OS family and logical core count.
    pub fn collect() -> HardwareProfile {
        HardwareProfile::collect_from(Path::new("/"))
    }

    /// Collects the profile from a file system mounted at `root` instead
    /// of `/`, e.g. a host's `/proc`, `/sys` and `/etc` bind-mounted into a
    /// container at `/host`. Only the architecture is taken from the running
    /// build rather than from `root`. On platforms other than Linux, `root`
    /// is not used.
    pub fn collect_from(root: &Path) -> HardwareProfile {
        #[cfg(target_os = "linux")]
        {
            linux::collect(root)
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = root;
            portable()
        }
    }
}

/// What any platform can tell without reading files or calling the OS
/// directly: the build's target and the usable parallelism. Compiled (and
/// tested) everywhere, so the non-Linux path is checked on Linux too.
#[cfg_attr(target_os = "linux", allow(dead_code))]
fn portable() -> HardwareProfile {
    HardwareProfile {
        os_name: Some(std::env::consts::OS.to_owned()),
        architecture: Some(std::env::consts::ARCH.to_owned()),
        logical_cores: std::thread::available_parallelism().ok().and_then(|n| u32::try_from(n.get()).ok()),
        ..HardwareProfile::default()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_portable_profile_names_the_platform() {
        let p = super::portable();
        p.validate().unwrap();
        assert_eq!(p.os_name.as_deref(), Some(std::env::consts::OS));
        assert_eq!(p.architecture.as_deref(), Some(std::env::consts::ARCH));
        assert!(p.logical_cores.is_some_and(|n| n >= 1));
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::collections::BTreeSet;
    use std::io::Read;
    use std::path::{Path, PathBuf};

    use crate::instance::fingerprint::is_virtual_name;
    use crate::instance::profile::{check_mac, check_text, MAX_DISKS, MAX_HINTS, MAX_INTERFACES};
    use crate::instance::{Disk, EnvironmentHint, HardwareProfile, HintKind, NetworkInterface};

    /// The largest small file read (attributes, os-release, machine-id).
    const SMALL: u64 = 64 * 1024;
    /// The largest `/proc/cpuinfo` read (about 2 KiB per logical CPU).
    const CPUINFO: u64 = 16 * 1024 * 1024;
    /// The most directory entries looked at in one directory.
    const MAX_ENTRIES: usize = 4096;
    /// The most CPUs whose topology is read.
    const MAX_CPUS: u32 = 8192;

    pub(super) fn collect(root: &Path) -> HardwareProfile {
        let fs = Fs { root };
        let cpuinfo = fs.read("/proc/cpuinfo", CPUINFO).unwrap_or_default();
        let os_release = fs.read("/etc/os-release", SMALL).or_else(|| fs.read("/usr/lib/os-release", SMALL));
        let os_field = |keys: &[&str]| {
            let text = os_release.as_deref()?;
            keys.iter().find_map(|k| os_release_value(text, k)).and_then(|v| clean(&v))
        };
        let dmi = Dmi::read(&fs);
        let mut environment = environment(&fs, &cpuinfo, &dmi);
        environment.truncate(MAX_HINTS);
        HardwareProfile {
            hostname: fs.value("/proc/sys/kernel/hostname").or_else(|| fs.value("/etc/hostname")),
            os_name: os_field(&["NAME"]),
            os_version: os_field(&["VERSION_ID", "VERSION"]),
            kernel: fs.value("/proc/sys/kernel/osrelease"),
            architecture: Some(std::env::consts::ARCH.to_owned()),
            cpu_model: cpu_model(&cpuinfo),
            physical_cores: physical_cores(&fs, &cpuinfo),
            logical_cores: logical_cores(&fs, &cpuinfo),
            memory_bytes: memory(&fs),
            machine_id: ["/etc/machine-id", "/var/lib/dbus/machine-id"]
                .iter()
                .find_map(|p| {
                    fs.value(p).filter(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
                })
                .map(|id| id.to_ascii_lowercase()),
            product_uuid: dmi
                .product_uuid
                .clone()
                .or_else(|| fs.value("/sys/hypervisor/uuid"))
                .map(|u| u.to_ascii_lowercase()),
            board_serial: dmi
                .board_serial
                .clone()
                .or_else(|| fs.value("/sys/firmware/devicetree/base/serial-number")),
            disks: disks(&fs),
            interfaces: interfaces(&fs),
            environment,
        }
    }

    /// The file system under `root`, read with bounds.
    struct Fs<'a> {
        root: &'a Path,
    }

    impl Fs<'_> {
        fn path(&self, abs: &str) -> PathBuf {
            self.root.join(abs.trim_start_matches('/'))
        }

        fn exists(&self, abs: &str) -> bool {
            self.path(abs).exists()
        }

        /// The whole file as UTF-8 if it is at most `limit` bytes.
        fn read(&self, abs: &str, limit: u64) -> Option<String> {
            let bytes = self.read_bytes(abs, limit)?;
            String::from_utf8(bytes).ok()
        }

        fn read_bytes(&self, abs: &str, limit: u64) -> Option<Vec<u8>> {
            let file = std::fs::File::open(self.path(abs)).ok()?;
            let mut bytes = Vec::new();
            file.take(limit + 1).read_to_end(&mut bytes).ok()?;
            (bytes.len() as u64 <= limit).then_some(bytes)
        }

        /// A one-line attribute, cleaned (see [`clean`]).
        fn value(&self, abs: &str) -> Option<String> {
            self.read(abs, SMALL).and_then(|v| clean(&v))
        }

        fn number(&self, abs: &str) -> Option<u64> {
            self.value(abs)?.parse().ok()
        }

        /// Entry names of a directory, sorted so the profile's lists come
        /// out in a stable order.
        fn list(&self, abs: &str) -> Vec<String> {
            let Ok(dir) = std::fs::read_dir(self.path(abs)) else { return Vec::new() };
            let mut names: Vec<String> =
                dir.take(MAX_ENTRIES).filter_map(|e| e.ok()?.file_name().into_string().ok()).collect();
            names.sort();
            names
        }

        /// Whether a `/sys/class/…` or `/sys/block/…` entry is a software
        /// device: its link points under `/sys/devices/virtual`, or (where
        /// the entry is a plain directory, as on old kernels) it has no
        /// `device` link to hardware.
        fn is_virtual(&self, abs: &str) -> bool {
            match std::fs::read_link(self.path(abs)) {
                Ok(target) => target.to_string_lossy().contains("devices/virtual/"),
                Err(_) => !self.exists(&format!("{abs}/device")),
            }
        }
    }

    /// Trims a value (and the NUL device-tree strings end with), collapses
    /// inner runs of spaces, and keeps it only if it is valid profile text.
    fn clean(raw: &str) -> Option<String> {
        let text = raw.trim_matches(|c: char| c.is_whitespace() || c == '\0');
        let text = text.split(' ').filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ");
        check_text(&text, "value").ok()?;
        Some(text)
    }

    /// One `KEY=value` of os-release(5): the value may be quoted with `"` or
    /// `'`, and inside double quotes `\` escapes the next character.
    fn os_release_value(text: &str, key: &str) -> Option<String> {
        let line = text.lines().find_map(|l| l.trim().strip_prefix(key)?.strip_prefix('='))?;
        let line = line.trim();
        let mut out = String::new();
        let mut chars = line.chars();
        match line.chars().next() {
            Some(q @ ('"' | '\'')) => {
                chars.next();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' if q == '"' => out.push(chars.next()?),
                        c if c == q => return Some(out),
                        c => out.push(c),
                    }
                }
                None
            }
            _ => Some(line.to_owned()),
        }
    }

    /// The first value of `key` in `/proc/cpuinfo`.
    fn cpuinfo_value<'a>(cpuinfo: &'a str, key: &str) -> Option<&'a str> {
        cpuinfo.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            (k.trim() == key).then(|| v.trim())
        })
    }

    /// The CPU model: x86's `model name`, or what other architectures
    /// print instead; on ARM without a name, the implementer and part ids.
    fn cpu_model(cpuinfo: &str) -> Option<String> {
        let named = ["model name", "Processor", "cpu model", "cpu", "uarch"]
            .iter()
            .find_map(|k| cpuinfo_value(cpuinfo, k).filter(|v| !v.is_empty()));
        if let Some(name) = named {
            return clean(name);
        }
        let implementer = cpuinfo_value(cpuinfo, "CPU implementer")?;
        let part = cpuinfo_value(cpuinfo, "CPU part")?;
        clean(&format!("implementer {implementer} part {part}"))
    }

    /// CPU numbers in the kernel's list form (`0-3,8,10-11`), bounded.
    fn cpu_list(text: &str) -> Option<Vec<u32>> {
        let mut cpus = Vec::new();
        for part in text.trim().split(',') {
            let (lo, hi) = match part.split_once('-') {
                Some((lo, hi)) => (lo.parse::<u32>().ok()?, hi.parse::<u32>().ok()?),
                None => {
                    let n = part.parse::<u32>().ok()?;
                    (n, n)
                }
            };
            if lo > hi || hi >= MAX_CPUS {
                return None;
            }
            cpus.extend(lo..=hi);
        }
        cpus.sort_unstable();
        cpus.dedup();
        Some(cpus)
    }

    /// Logical CPUs present (not merely online, so hot-unplug and the
    /// process's affinity or cgroup quota do not change it).
    fn logical_cores(fs: &Fs<'_>, cpuinfo: &str) -> Option<u32> {
        let present = fs.value("/sys/devices/system/cpu/present").and_then(|t| cpu_list(&t));
        if let Some(cpus) = present.filter(|c| !c.is_empty()) {
            return u32::try_from(cpus.len()).ok();
        }
        let n =
            cpuinfo.lines().filter(|l| l.split(':').next().is_some_and(|k| k.trim() == "processor")).count();
        u32::try_from(n).ok().filter(|n| *n > 0)
    }

    /// Distinct (package, core) pairs, from sysfs topology or else from
    /// cpuinfo's `physical id` and `core id`.
    fn physical_cores(fs: &Fs<'_>, cpuinfo: &str) -> Option<u32> {
        let mut cores = BTreeSet::new();
        if let Some(cpus) = fs.value("/sys/devices/system/cpu/present").and_then(|t| cpu_list(&t)) {
            for cpu in cpus {
                let topo = format!("/sys/devices/system/cpu/cpu{cpu}/topology");
                let package = fs.number(&format!("{topo}/physical_package_id"));
                let core = fs.number(&format!("{topo}/core_id"));
                if let (Some(p), Some(c)) = (package, core) {
                    cores.insert((p, c));
                }
            }
        }
        if cores.is_empty() {
            let mut package = None;
            for line in cpuinfo.lines() {
                let Some((k, v)) = line.split_once(':') else { continue };
                match k.trim() {
                    "physical id" => package = v.trim().parse::<u64>().ok(),
                    "core id" => {
                        if let (Some(p), Ok(c)) = (package, v.trim().parse::<u64>()) {
                            cores.insert((p, c));
                        }
                    }
                    _ => {}
                }
            }
        }
        u32::try_from(cores.len()).ok().filter(|n| *n > 0)
    }

    fn memory(fs: &Fs<'_>) -> Option<u64> {
        let meminfo = fs.read("/proc/meminfo", SMALL)?;
        let line = meminfo.lines().find_map(|l| l.strip_prefix("MemTotal:"))?;
        let kib: u64 = line.trim().strip_suffix("kB")?.trim().parse().ok()?;
        kib.checked_mul(1024).filter(|b| *b > 0)
    }

    /// The DMI strings (`/sys/class/dmi/id`); the serials are root-only on
    /// most distributions and then absent.
    #[derive(Default)]
    struct Dmi {
        product_uuid: Option<String>,
        board_serial: Option<String>,
        sys_vendor: Option<String>,
        product_name: Option<String>,
        chassis_asset_tag: Option<String>,
        bios_vendor: Option<String>,
    }

    impl Dmi {
        fn read(fs: &Fs<'_>) -> Dmi {
            let v = |name: &str| fs.value(&format!("/sys/class/dmi/id/{name}"));
            Dmi {
                product_uuid: v("product_uuid"),
                board_serial: v("board_serial"),
                sys_vendor: v("sys_vendor"),
                product_name: v("product_name"),
                chassis_asset_tag: v("chassis_asset_tag"),
                bios_vendor: v("bios_vendor"),
            }
        }
    }

    /// Fixed disks: block devices backed by hardware (not loop, zram,
    /// device-mapper or md), not removable, with a size.
    fn disks(fs: &Fs<'_>) -> Vec<Disk> {
        let mut disks = Vec::new();
        for name in fs.list("/sys/block") {
            let base = format!("/sys/block/{name}");
            if disks.len() == MAX_DISKS || fs.is_virtual(&base) || check_text(&name, "disk").is_err() {
                continue;
            }
            if fs.value(&format!("{base}/removable")).as_deref() == Some("1") {
                continue;
            }
            let size_bytes = fs.number(&format!("{base}/size")).and_then(|sectors| sectors.checked_mul(512));
            if size_bytes.is_none_or(|s| s == 0) {
                continue;
            }
            let serial = fs
                .value(&format!("{base}/device/serial"))
                .or_else(|| fs.value(&format!("{base}/serial")))
                .or_else(|| vpd_serial(fs, &format!("{base}/device/vpd_pg80")))
                .or_else(|| fs.value(&format!("{base}/device/wwid")));
            disks.push(Disk { model: fs.value(&format!("{base}/device/model")), serial, size_bytes, name });
        }
        disks
    }

    /// The unit serial number from a SCSI VPD page 0x80: a 4-byte header
    /// whose last byte is the length, then the ASCII serial.
    fn vpd_serial(fs: &Fs<'_>, abs: &str) -> Option<String> {
        let page = fs.read_bytes(abs, 256)?;
        if page.len() < 4 || page[1] != 0x80 {
            return None;
        }
        let len = usize::from(page[3]);
        let serial = page.get(4..4 + len)?;
        clean(std::str::from_utf8(serial).ok()?)
    }

    /// Network interfaces. Physical means backed by a device; the MAC is the
    /// permanent one for a bonded port, and is left out when the kernel says
    /// it was randomised (`addr_assign_type` 1), since it will not last.
    fn interfaces(fs: &Fs<'_>) -> Vec<NetworkInterface> {
        let mut out = Vec::new();
        for name in fs.list("/sys/class/net") {
            let base = format!("/sys/class/net/{name}");
            if out.len() == MAX_INTERFACES || check_text(&name, "interface").is_err() {
                continue;
            }
            let physical =
                !fs.is_virtual(&base) && fs.exists(&format!("{base}/device")) && !is_virtual_name(&name);
            let random = fs.value(&format!("{base}/addr_assign_type")).as_deref() == Some("1");
            let mac = fs
                .value(&format!("{base}/bonding_slave/perm_hwaddr"))
                .or_else(|| fs.value(&format!("{base}/address")))
                .map(|m| m.to_ascii_lowercase())
                .filter(|m| check_mac(m).is_ok() && m != "00:00:00:00:00:00")
                .filter(|_| !(random && physical));
            out.push(NetworkInterface { name, mac, physical });
        }
        out
    }

    /// Virtualisation, container and cloud hints, from DMI strings, the
    /// CPU's `hypervisor` flag, Xen's sysfs, and the marker files container
    /// runtimes leave. Sorted, no repeats.
    fn environment(fs: &Fs<'_>, cpuinfo: &str, dmi: &Dmi) -> Vec<EnvironmentHint> {
        let mut hints = BTreeSet::new();
        let mut add = |kind, name: &str| {
            hints.insert(EnvironmentHint::new(kind, name));
        };
        let vendor = dmi.sys_vendor.as_deref().unwrap_or("");
        let product = dmi.product_name.as_deref().unwrap_or("");
        let bios = dmi.bios_vendor.as_deref().unwrap_or("");
        let asset = dmi.chassis_asset_tag.as_deref().unwrap_or("");

        let hypervisors: [(&str, bool); 8] = [
            ("kvm", product.contains("KVM") || vendor.contains("QEMU") || bios.contains("SeaBIOS")),
            ("vmware", vendor.contains("VMware") || product.contains("VMware")),
            ("virtualbox", vendor.contains("innotek") || product.contains("VirtualBox")),
            ("hyperv", vendor.contains("Microsoft") && product.contains("Virtual Machine")),
            ("xen", vendor.contains("Xen") || fs.value("/sys/hypervisor/type").as_deref() == Some("xen")),
            ("parallels", vendor.contains("Parallels")),
            ("bochs", vendor.contains("Bochs")),
            ("amazon-nitro", vendor == "Amazon EC2" && !product.contains("metal")),
        ];
        let mut named = false;
        for (name, seen) in hypervisors {
            if seen {
                add(HintKind::Virtualisation, name);
                named = true;
            }
        }
        let flags = cpuinfo_value(cpuinfo, "flags").unwrap_or("");
        if !named && flags.split(' ').any(|f| f == "hypervisor") {
            add(HintKind::Virtualisation, "unidentified");
        }

        let clouds: [(&str, bool); 9] = [
            (
                "aws",
                vendor == "Amazon EC2"
                    || bios == "Amazon EC2"
                    || fs
                        .value("/sys/hypervisor/uuid")
                        .is_some_and(|u| u.to_ascii_lowercase().starts_with("ec2")),
            ),
            ("gcp", product.contains("Google Compute Engine") || vendor == "Google"),
            ("azure", asset == "7783-7084-3265-9085-8269-3286-77"),
            ("digitalocean", vendor.contains("DigitalOcean")),
            ("hetzner", vendor.contains("Hetzner")),
            ("alibaba", vendor.contains("Alibaba")),
            ("oracle", asset.contains("OracleCloud")),
            ("openstack", vendor.contains("OpenStack") || product.contains("OpenStack")),
            ("scaleway", vendor.contains("Scaleway")),
        ];
        for (name, seen) in clouds {
            if seen {
                add(HintKind::Cloud, name);
            }
        }

        if fs.exists("/.dockerenv") {
            add(HintKind::Container, "docker");
        }
        if fs.exists("/run/.containerenv") {
            add(HintKind::Container, "podman");
        }
        if fs.exists("/var/run/secrets/kubernetes.io/serviceaccount") {
            add(HintKind::Container, "kubernetes");
        }
        if let Some(runtime) = fs.value("/run/systemd/container") {
            let name: String = runtime
                .to_ascii_lowercase()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '_' { c } else { '-' })
                .take(64)
                .collect();
            add(HintKind::Container, &name);
        }
        let cgroup = fs.read("/proc/self/cgroup", SMALL).unwrap_or_default();
        for (marker, name) in
            [("docker", "docker"), ("kubepods", "kubernetes"), ("libpod", "podman"), ("/lxc", "lxc")]
        {
            if cgroup.contains(marker) {
                add(HintKind::Container, name);
            }
        }
        hints.into_iter().collect()
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::{instance::ComponentKind, Fingerprint};
        use std::os::unix::fs::symlink;

        /// A fake Linux root: the files `collect` reads, written under a
        /// temporary directory.
        struct FakeRoot(tempfile::TempDir);

        impl FakeRoot {
            fn new() -> FakeRoot {
                FakeRoot(tempfile::tempdir().unwrap())
            }
            fn file(&self, abs: &str, content: &[u8]) -> &Self {
                let p = self.0.path().join(abs.trim_start_matches('/'));
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, content).unwrap();
                self
            }
            /// `/sys/class/<class>/<name>` linked to its device directory,
            /// with the given attributes.
            fn device(&self, class: &str, name: &str, device: &str, attrs: &[(&str, &str)]) -> &Self {
                let dir = format!("/sys/devices/{device}/{name}");
                for (attr, value) in attrs {
                    self.file(&format!("{dir}/{attr}"), format!("{value}\n").as_bytes());
                }
                let link = self.0.path().join(format!("sys/{class}/{name}"));
                std::fs::create_dir_all(link.parent().unwrap()).unwrap();
                let depth = class.split('/').count();
                symlink(format!("{}devices/{device}/{name}", "../".repeat(depth)), link).unwrap();
                self
            }
            fn collect(&self) -> HardwareProfile {
                HardwareProfile::collect_from(self.0.path())
            }
        }

        fn server() -> FakeRoot {
            let root = FakeRoot::new();
            root.file("/proc/sys/kernel/hostname", b"db-7\n")
                .file("/proc/sys/kernel/osrelease", b"6.1.0-18-amd64\n")
                .file("/etc/os-release", b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n")
                .file("/etc/machine-id", b"3D1219C7C4C5404AAA1F6D2A48ADFDA4\n")
                .file("/proc/meminfo", b"MemTotal:       24684092 kB\nMemFree:  1 kB\n")
                .file(
                    "/proc/cpuinfo",
                    b"processor\t: 0\nmodel name\t: Intel(R) Xeon(R) CPU   E5-2680 v4\nphysical id\t: 0\ncore id\t: 0\nflags\t: fpu hypervisor\n\n\
                      processor\t: 1\nmodel name\t: Intel(R) Xeon(R) CPU   E5-2680 v4\nphysical id\t: 0\ncore id\t: 0\n",
                )
                .file("/sys/devices/system/cpu/present", b"0-1\n")
                .file("/sys/class/dmi/id/sys_vendor", b"QEMU\n")
                .file("/sys/class/dmi/id/product_uuid", b"4C4C4544-0042-3510-8052-B3C04F4E4E32\n")
                .file("/sys/class/dmi/id/board_serial", b"  .7B5RNN2.CNWS2009.  \n")
                .file("/.dockerenv", b"")
                .device("block", "sda", "pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block", &[
                    ("size", "1953525168"),
                    ("removable", "0"),
                    ("device/model", "Samsung SSD 870   "),
                    ("device/wwid", "t10.ATA     Samsung SSD 870 S5Y1NX0R123456"),
                ])
                .device("block", "vda", "pci0000:00/0000:00:02.0/virtio1/block", &[
                    ("size", "2048"),
                    ("removable", "0"),
                    ("serial", "disk-serial-01"),
                ])
                .device("block", "sr0", "pci0000:00/0000:00:1f.2/ata2/block", &[("size", "2048"), ("removable", "1")])
                .device("block", "loop0", "virtual/block", &[("size", "2048"), ("removable", "0")])
                .file("/sys/block/hda/size", b"4096\n")
                .file("/sys/block/hda/device/model", b"Old IDE disk\n")
                .file("/sys/block/hda/device/serial", b"IDE-SERIAL-42\n")
                .file("/sys/block/ram0/size", b"4096\n")
                .device("block", "nvme0n1", "pci0000:00/0000:00:1d.0/nvme/nvme0", &[
                    ("size", "0"),
                    ("removable", "0"),
                ])
                .device("class/net", "eno1", "pci0000:00/0000:00:19.0/net", &[
                    ("address", "B0:83:FE:11:22:33"),
                    ("addr_assign_type", "0"),
                    ("device/vendor", "0x8086"),
                ])
                .device("class/net", "wlp2s0", "pci0000:00/0000:02:00.0/net", &[
                    ("address", "7a:11:22:33:44:55"),
                    ("addr_assign_type", "1"),
                    ("device/vendor", "0x8086"),
                ])
                .device("class/net", "lo", "virtual/net", &[("address", "00:00:00:00:00:00")])
                .device("class/net", "docker0", "virtual/net", &[("address", "02:42:ac:11:00:01")])
                .device("class/net", "wg0", "virtual/net", &[]);
            root
        }

        #[test]
        fn reads_a_fake_server() {
            let p = server().collect();
            p.validate().unwrap();
            assert_eq!(p.hostname.as_deref(), Some("db-7"));
            assert_eq!(p.os_name.as_deref(), Some("Debian GNU/Linux"));
            assert_eq!(p.os_version.as_deref(), Some("12"));
            assert_eq!(p.kernel.as_deref(), Some("6.1.0-18-amd64"));
            assert_eq!(p.cpu_model.as_deref(), Some("Intel(R) Xeon(R) CPU E5-2680 v4"));
            assert_eq!((p.physical_cores, p.logical_cores), (Some(1), Some(2)));
            assert_eq!(p.memory_bytes, Some(24_684_092 * 1024));
            assert_eq!(p.machine_id.as_deref(), Some("3d1219c7c4c5404aaa1f6d2a48adfda4"));
            assert_eq!(p.product_uuid.as_deref(), Some("4c4c4544-0042-3510-8052-b3c04f4e4e32"));
            assert_eq!(p.board_serial.as_deref(), Some(".7B5RNN2.CNWS2009."));
            let disks: Vec<(&str, Option<&str>, Option<&str>)> =
                p.disks.iter().map(|d| (d.name.as_str(), d.model.as_deref(), d.serial.as_deref())).collect();
            assert_eq!(
                disks,
                [
                    ("hda", Some("Old IDE disk"), Some("IDE-SERIAL-42")),
                    ("sda", Some("Samsung SSD 870"), Some("t10.ATA Samsung SSD 870 S5Y1NX0R123456")),
                    ("vda", None, Some("disk-serial-01")),
                ],
                "loop0 (virtual), ram0 (no device), sr0 (removable) and nvme0n1 (size 0) are left out"
            );
            assert_eq!(p.disks[1].size_bytes, Some(1_953_525_168 * 512));
            let nics: Vec<(&str, Option<&str>, bool)> =
                p.interfaces.iter().map(|n| (n.name.as_str(), n.mac.as_deref(), n.physical)).collect();
            assert_eq!(
                nics,
                [
                    ("docker0", Some("02:42:ac:11:00:01"), false),
                    ("eno1", Some("b0:83:fe:11:22:33"), true),
                    ("lo", None, false),
                    ("wg0", None, false),
                    ("wlp2s0", None, true),
                ]
            );
            let hints: Vec<String> = p.environment.iter().map(|h| format!("{} {}", h.kind, h.name)).collect();
            assert_eq!(hints, ["virtualisation kvm", "container docker"]);
            let fp = Fingerprint::from_profile(&p);
            assert_eq!(fp.digests(ComponentKind::Mac).len(), 1, "only eno1's MAC");
            assert_eq!(fp.digests(ComponentKind::Disk).len(), 3);
        }

        #[test]
        fn unreadable_and_junk_values_are_absent_not_errors() {
            let root = FakeRoot::new();
            root.file("/etc/machine-id", b"uninitialized\n")
                .file("/proc/sys/kernel/hostname", b"bad\x01name\n")
                .file("/proc/meminfo", b"MemTotal: lots\n")
                .file("/proc/cpuinfo", &[0xff, 0xfe])
                .file("/sys/devices/system/cpu/present", b"0-99999999\n")
                .file("/etc/os-release", b"NAME=\"unterminated\n")
                .file("/proc/sys/kernel/osrelease", &vec![b'x'; (SMALL + 1) as usize]);
            let p = root.collect();
            assert_eq!(
                p,
                HardwareProfile {
                    architecture: Some(std::env::consts::ARCH.to_owned()),
                    ..HardwareProfile::default()
                }
            );
            assert_eq!(FakeRoot::new().collect().architecture.as_deref(), Some(std::env::consts::ARCH));
        }

        #[test]
        fn helpers_parse_the_kernel_formats() {
            assert_eq!(cpu_list("0-3,8,10-11\n"), Some(vec![0, 1, 2, 3, 8, 10, 11]));
            assert_eq!(cpu_list("3-1"), None);
            assert_eq!(cpu_list(""), None);
            let osr = "NAME='Alpine Linux'\nVERSION_ID=3.19.1\nPRETTY_NAME=\"A \\\"quoted\\\" name\"\n";
            assert_eq!(os_release_value(osr, "NAME").as_deref(), Some("Alpine Linux"));
            assert_eq!(os_release_value(osr, "VERSION_ID").as_deref(), Some("3.19.1"));
            assert_eq!(os_release_value(osr, "PRETTY_NAME").as_deref(), Some("A \"quoted\" name"));
            assert_eq!(os_release_value(osr, "VERSION"), None);
            let arm = "processor\t: 0\nCPU implementer\t: 0x41\nCPU part\t: 0xd0c\n";
            assert_eq!(cpu_model(arm).as_deref(), Some("implementer 0x41 part 0xd0c"));
        }

        #[test]
        fn vpd_page_80_serials_are_read() {
            let root = FakeRoot::new();
            root.file("/x/vpd_pg80", b"\x00\x80\x00\x0a  ZA1B2C3D\x00\x00");
            let fs = Fs { root: root.0.path() };
            assert_eq!(vpd_serial(&fs, "/x/vpd_pg80").as_deref(), Some("ZA1B2C3D"));
            root.file("/x/vpd_pg80", b"\x00\x80\x00\xff  ZA");
            assert_eq!(vpd_serial(&fs, "/x/vpd_pg80"), None, "declared length past the end");
        }
    }
}

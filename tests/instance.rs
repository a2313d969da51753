//! Hardware profiles and fingerprints across surfaces: stability of the
//! fingerprint under the changes real servers go through, collection on
//! the machine running the tests, the XML read by an outside parser
//! (Python's `xml.etree`); licensectl's tests cover `licensectl profile`.

mod support;

use std::process::Command;

use license_core::{
    instance::{ComponentKind, Disk, HintKind, MatchPolicy, NetworkInterface},
    ErrorKind, Fingerprint, HardwareProfile,
};

fn nic(name: &str, mac: &str, physical: bool) -> NetworkInterface {
    NetworkInterface { name: name.into(), mac: Some(mac.into()), physical }
}

fn disk(name: &str, serial: &str) -> Disk {
    Disk {
        name: name.into(),
        model: Some("Samsung SSD 980 PRO 1TB".into()),
        serial: Some(serial.into()),
        size_bytes: Some(1 << 40),
    }
}

/// A bare-metal server with two NICs and two disks.
fn server() -> HardwareProfile {
    HardwareProfile {
        hostname: Some("db-7.example.com".into()),
        os_name: Some("Ubuntu".into()),
        os_version: Some("24.04".into()),
        kernel: Some("6.8.0-31-generic".into()),
        architecture: Some("x86_64".into()),
        cpu_model: Some("Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz".into()),
        physical_cores: Some(32),
        logical_cores: Some(64),
        memory_bytes: Some(256 << 30),
        machine_id: Some("5f4dcc3b5aa765d61d8327deb882cf99".into()),
        product_uuid: Some("4c4c4544-0042-3510-8052-b3c04f4e4e32".into()),
        board_serial: Some(".7B5RNN2.CNWS20093500CQ.".into()),
        disks: vec![disk("nvme0n1", "S5GXNF0R123456"), disk("nvme1n1", "S5GXNF0R654321")],
        interfaces: vec![
            nic("eno1", "b0:83:fe:11:22:33", true),
            nic("eno2", "b0:83:fe:11:22:34", true),
            nic("docker0", "02:42:ac:11:00:01", false),
            nic("veth3f2a1b", "ee:11:22:33:44:55", false),
        ],
        environment: Vec::new(),
    }
}

type Change = fn(&mut HardwareProfile);

/// Changes a server goes through in normal life; each must keep matching
/// under the default policy.
const STABLE: &[(&str, Change)] = &[
    ("a reboot changes nothing we read", |_| {}),
    ("a VPN client adds a WireGuard tunnel", |p| p.interfaces.push(nic("wg0", "7a:11:22:33:44:55", false))),
    ("docker starts another container (one more veth)", |p| {
        p.interfaces.push(nic("veth0a0b0c", "ee:11:22:33:44:66", false))
    }),
    ("a veth marked physical by a careless profile source is still ignored by name", |p| {
        p.interfaces.push(nic("veth9", "ee:11:22:33:44:56", true))
    }),
    ("a container restart gives the veth a new name and MAC", |p| {
        for n in p.interfaces.iter_mut().filter(|n| n.name.starts_with("veth")) {
            n.name = "veth77c0de".into();
            n.mac = Some("ee:99:88:77:66:55".into());
        }
    }),
    ("docker is removed", |p| p.interfaces.retain(|n| n.physical)),
    ("the host is renamed", |p| p.hostname = Some("db-7-renamed".into())),
    ("memory is added", |p| p.memory_bytes = Some(512 << 30)),
    ("the kernel and OS are upgraded", |p| {
        p.kernel = Some("6.11.0-9-generic".into());
        p.os_version = Some("24.10".into());
    }),
    ("the interfaces are listed in another order", |p| p.interfaces.reverse()),
    ("the disks are listed in another order", |p| p.disks.reverse()),
    ("one disk is replaced", |p| p.disks[1].serial = Some("S5GXNF0R999999".into())),
    ("one NIC is replaced", |p| p.interfaces[1].mac = Some("b0:83:fe:aa:bb:cc".into())),
    ("a NIC is added", |p| p.interfaces.push(nic("eno3", "b0:83:fe:11:22:35", true))),
    ("interfaces are renamed (eth0 to enp3s0) with the same MACs", |p| {
        p.interfaces[0].name = "enp3s0".into();
        p.interfaces[1].name = "enp4s0".into();
    }),
    ("the DMI serials become unreadable (the app runs without root)", |p| {
        p.product_uuid = None;
        p.board_serial = None;
    }),
    ("the CPU is upgraded and a disk replaced", |p| {
        p.cpu_model = Some("Intel(R) Xeon(R) Platinum 8380".into());
        p.disks[0].serial = Some("NEWDISK0001".into());
    }),
    ("the OS is reinstalled (new machine id) on the same hardware", |p| {
        p.machine_id = Some("aaaabbbbccccddddeeeeffff00001111".into())
    }),
    ("the profile starts seeing that it runs in a container", |p| {
        p.environment.push(license_core::instance::EnvironmentHint::new(HintKind::Container, "docker"))
    }),
];

/// Changes that make it another machine; each must not match.
const DIFFERENT: &[(&str, Change)] = &[
    ("another server: different machine id, UUID, board, MACs and disks; same model", |p| {
        p.machine_id = Some("0123456789abcdef0123456789abcdef".into());
        p.product_uuid = Some("11111111-2222-3333-4444-555555555555".into());
        p.board_serial = Some("OTHER-BOARD-0001".into());
        p.interfaces = vec![nic("eno1", "b0:83:fe:99:00:01", true), nic("eno2", "b0:83:fe:99:00:02", true)];
        p.disks = vec![disk("nvme0n1", "OTHERDISK0001")];
    }),
    ("the disks moved into a new server (only the disks agree)", |p| {
        p.machine_id = Some("0123456789abcdef0123456789abcdef".into());
        p.product_uuid = Some("11111111-2222-3333-4444-555555555555".into());
        p.board_serial = Some("OTHER-BOARD-0001".into());
        p.interfaces = vec![nic("eno1", "b0:83:fe:99:00:01", true)];
        p.cpu_model = Some("AMD EPYC 9554".into());
    }),
    ("a clone of the VM image: same machine id, everything else new", |p| {
        p.product_uuid = Some("11111111-2222-3333-4444-555555555555".into());
        p.board_serial = None;
        p.interfaces = vec![nic("ens3", "52:54:00:12:34:56", true)];
        p.disks = vec![disk("vda", "CLONEDISK0001")];
        p.cpu_model = Some("QEMU Virtual CPU".into());
    }),
    ("only a placeholder serial is shared (placeholders never count)", |p| {
        *p = HardwareProfile {
            board_serial: Some("To be filled by O.E.M.".into()),
            product_uuid: Some("03000200-0400-0500-0006-000700080009".into()),
            ..HardwareProfile::default()
        }
    }),
];

#[test]
fn the_fingerprint_survives_what_servers_go_through_and_tells_machines_apart() {
    let bound = server();
    let fp = Fingerprint::from_profile(&bound);
    let policy = MatchPolicy::default();
    for (why, change) in STABLE {
        let mut current = bound.clone();
        change(&mut current);
        current.validate().unwrap_or_else(|e| panic!("{why}: the test profile is invalid: {e}"));
        let report = fp.matches(&Fingerprint::from_profile(&current), &policy);
        assert!(report.is_match(), "should match: {why}\n{report}");
    }
    for (why, change) in DIFFERENT {
        let mut current = bound.clone();
        change(&mut current);
        let report = fp.matches(&Fingerprint::from_profile(&current), &policy);
        assert!(!report.is_match(), "should not match: {why}\n{report}");
    }
    // A placeholder-only profile has no fingerprint at all.
    let mut placeholder = bound.clone();
    (DIFFERENT[3].1)(&mut placeholder);
    assert!(Fingerprint::from_profile(&placeholder).is_empty());
}

#[test]
fn the_report_names_exactly_what_drifted() {
    let bound = server();
    let mut current = bound.clone();
    current.disks[1].serial = Some("S5GXNF0R999999".into());
    current.product_uuid = None;
    current.hostname = Some("renamed".into());
    let report = Fingerprint::from_profile(&bound)
        .matches(&Fingerprint::from_profile(&current), &MatchPolicy::default());
    assert!(report.is_match());
    let drifted: Vec<ComponentKind> = report.drifted().map(|c| c.kind).collect();
    assert_eq!(drifted, [ComponentKind::ProductUuid, ComponentKind::Disk], "{report}");
}

#[test]
fn collecting_this_machine_twice_gives_the_same_fingerprint() {
    let first = HardwareProfile::collect();
    let second = HardwareProfile::collect();
    first.validate().unwrap();
    assert_eq!(Fingerprint::from_profile(&first), Fingerprint::from_profile(&second));
    assert_eq!(first.architecture.as_deref(), Some(std::env::consts::ARCH));
    if cfg!(target_os = "linux") {
        assert!(
            first.kernel.is_some() && first.logical_cores.is_some() && first.memory_bytes.is_some(),
            "{first:?}"
        );
        assert!(!Fingerprint::from_profile(&first).is_empty(), "{first:?}");
    }
    let fp = Fingerprint::from_profile(&first);
    assert_eq!(fp.to_string().parse::<Fingerprint>().unwrap(), fp);
}

#[test]
fn this_machine_s_profile_round_trips_through_xml() {
    let profile = HardwareProfile::collect();
    let xml = profile.to_xml().unwrap();
    let back = HardwareProfile::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(back, profile);
    assert_eq!(back.to_xml().unwrap(), xml);
}

/// Python's standard-library XML parser reads our document and finds the
/// same values, attribute by attribute.
#[test]
fn python_xml_etree_reads_the_profile() {
    let Some(python) = support::peer("python3") else { return };
    let mut profile = server();
    profile.hostname = Some("a&b <c> \"d\" é".into());
    profile.interfaces.push(NetworkInterface { name: "lo".into(), mac: None, physical: false });
    profile.environment.push(license_core::instance::EnvironmentHint::new(HintKind::Cloud, "aws"));
    let dir = tempfile::tempdir().unwrap();
    for (name, p) in [("server.xml", profile), ("here.xml", HardwareProfile::collect())] {
        let path = support::write(dir.path(), name, p.to_xml().unwrap().as_bytes());
        let script = r#"
import json, sys, xml.etree.ElementTree as ET
ns = {"p": "urn:license-core:hardware-profile:1"}
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "{urn:license-core:hardware-profile:1}HardwareProfile", root.tag
def text(tag):
    e = root.find("p:" + tag, ns)
    return None if e is None else e.text
def attr(tag, name):
    e = root.find("p:" + tag, ns)
    return None if e is None else e.get(name)
out = {
    "version": root.get("version"),
    "hostname": text("Hostname"), "kernel": text("Kernel"), "architecture": text("Architecture"),
    "os_name": attr("OperatingSystem", "name"), "os_version": attr("OperatingSystem", "version"),
    "cpu_model": attr("Cpu", "model"),
    "logical_cores": attr("Cpu", "logicalCores"), "physical_cores": attr("Cpu", "physicalCores"),
    "memory_bytes": attr("Memory", "bytes"),
    "machine_id": text("MachineId"), "product_uuid": text("ProductUuid"), "board_serial": text("BoardSerial"),
    "disks": [[d.get("name"), d.get("model"), d.get("serial"), d.get("bytes")] for d in root.findall("p:Disks/p:Disk", ns)],
    "interfaces": [[n.get("name"), n.get("mac"), n.get("physical")] for n in root.findall("p:NetworkInterfaces/p:Interface", ns)],
    "environment": [[h.get("kind"), h.get("name")] for h in root.findall("p:Environment/p:Hint", ns)],
}
print(json.dumps(out))
"#;
        let (ok, stdout, stderr) = support::run(Command::new(&python).arg("-c").arg(script).arg(&path));
        assert!(ok, "python could not read {name}: {stderr}");
        let seen: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let p = HardwareProfile::from_xml(&std::fs::read(&path).unwrap()).unwrap();
        let num = |n: Option<u64>| n.map(|n| n.to_string());
        let expected = serde_json::json!({
            "version": "1",
            "hostname": p.hostname, "kernel": p.kernel, "architecture": p.architecture,
            "os_name": p.os_name, "os_version": p.os_version, "cpu_model": p.cpu_model,
            "logical_cores": num(p.logical_cores.map(u64::from)), "physical_cores": num(p.physical_cores.map(u64::from)),
            "memory_bytes": num(p.memory_bytes),
            "machine_id": p.machine_id, "product_uuid": p.product_uuid, "board_serial": p.board_serial,
            "disks": p.disks.iter().map(|d| serde_json::json!([d.name, d.model, d.serial, num(d.size_bytes)])).collect::<Vec<_>>(),
            "interfaces": p.interfaces.iter().map(|n| serde_json::json!([n.name, n.mac, n.physical.to_string()])).collect::<Vec<_>>(),
            "environment": p.environment.iter().map(|h| serde_json::json!([h.kind.name(), h.name])).collect::<Vec<_>>(),
        });
        assert_eq!(seen, expected, "{name}");
    }
}

#[test]
fn hostile_profile_documents_get_typed_errors() {
    let ns = license_core::instance::PROFILE_NAMESPACE;
    let billion_laughs = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]>\
         <HardwareProfile xmlns=\"{ns}\" version=\"1\"><Hostname>&lol2;</Hostname></HardwareProfile>"
    );
    let external = format!(
        "<!DOCTYPE p [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><HardwareProfile xmlns=\"{ns}\" version=\"1\"><Hostname>&x;</Hostname></HardwareProfile>"
    );
    let deep = format!("<HardwareProfile xmlns=\"{ns}\" version=\"1\">{}", "<Disks>".repeat(100));
    let huge = format!(
        "<HardwareProfile xmlns=\"{ns}\" version=\"1\"><Hostname>{}</Hostname></HardwareProfile>",
        "a".repeat(2 << 20)
    );
    let cases: Vec<(String, ErrorKind)> = vec![
        (billion_laughs, ErrorKind::DoctypeForbidden),
        (external, ErrorKind::DoctypeForbidden),
        (deep, ErrorKind::NestingTooDeep),
        (huge, ErrorKind::InputTooLarge),
        (format!("<HardwareProfile xmlns=\"{ns}\" version=\"1\"/><HardwareProfile xmlns=\"{ns}\" version=\"1\"/>"), ErrorKind::TrailingContent),
        (format!("<HardwareProfile xmlns=\"{ns}\" version=\"1\"><Gpu/></HardwareProfile>"), ErrorKind::UnknownElement),
        (format!("<HardwareProfile xmlns=\"{ns}\" version=\"1\" extra=\"1\"/>"), ErrorKind::UnknownAttribute),
        ("\u{feff}<a".into(), ErrorKind::XmlSyntax),
        (String::new(), ErrorKind::Truncated),
    ];
    for (xml, kind) in cases {
        let err = HardwareProfile::from_xml(xml.as_bytes()).expect_err(&xml[..xml.len().min(80)]);
        assert_eq!(err.kind(), kind, "{}: {err}", &xml[..xml.len().min(80)]);
    }
}

/// The fingerprint and policy travel inside the license's signed content:
/// a license bound to this machine verifies and accepts it, refuses another
/// machine, and an edited fingerprint breaks the signature.
#[test]
fn a_signed_license_bound_to_this_machine() {
    use license_core::{instance::Location, Instance, License, SigningKey, TrustedKeys};
    let pem = std::fs::read_to_string(support::vectors().join("keys/vendor-2048.key.pem")).unwrap();
    let key = SigningKey::from_pkcs8_pem(&pem).unwrap();
    let trusted = TrustedKeys::from(key.verifying_key().clone());
    let here = HardwareProfile::collect();
    let t = time::macros::datetime!(2026-11-01 0:00 UTC);
    let instance = Instance::new(
        "srv-0001",
        "Primary",
        Location::new("Slough", Some("GB"), None).unwrap(),
        "4.2.0".parse().unwrap(),
        here.clone(),
        t,
    )
    .unwrap();
    let policy = MatchPolicy::new(
        2,
        &[
            (ComponentKind::MachineId, 1),
            (ComponentKind::Mac, 1),
            (ComponentKind::Disk, 1),
            (ComponentKind::Cpu, 1),
        ],
        &[],
    )
    .unwrap();
    let license = License::builder("LIC-HW-1", "certmgr", t)
        .licensee("Example Ltd")
        .binding(instance.binding(Some(&policy)))
        .build()
        .unwrap();
    let xml = license.sign(&key).unwrap();
    let verified = License::from_signed_xml(&xml, &trusted).unwrap().into_license();
    let binding = verified.binding().unwrap();
    assert_eq!(binding.parsed_fingerprint().unwrap(), *instance.fingerprint());
    assert_eq!(binding.parsed_policy().unwrap(), policy);
    let report = verified.require_hardware(&HardwareProfile::collect()).unwrap().unwrap();
    assert!(report.is_match() && report.drifted().count() == 0, "{report}");

    let other = HardwareProfile {
        machine_id: Some("0123456789abcdef0123456789abcdef".into()),
        ..HardwareProfile::default()
    };
    assert_eq!(verified.require_hardware(&other).unwrap_err().kind(), ErrorKind::FingerprintMismatch);

    let text = String::from_utf8(xml).unwrap();
    let fp = instance.fingerprint().to_string();
    let edited = text.replace(&fp, &Fingerprint::from_profile(&other).to_string());
    assert_ne!(edited, text);
    assert!(
        License::from_signed_xml(edited.as_bytes(), &trusted).is_err(),
        "an edited binding must not verify"
    );
}

/// The golden profiles: our writer reproduces them byte for byte, a Python
/// implementation of the fingerprint as docs/FORMATS.md specifies it gives
/// the same text as ours, and the drifted copy matches with only `disk`
/// drifted.
#[test]
fn golden_profiles_and_an_independent_fingerprint() {
    let dir = support::vectors().join("profile");
    let server_xml = std::fs::read(dir.join("server.xml")).unwrap();
    let server = HardwareProfile::from_xml(&server_xml).unwrap();
    assert_eq!(server.to_xml().unwrap().as_bytes(), server_xml, "server.xml is not in canonical form");
    let drift_xml = std::fs::read(dir.join("drift.xml")).unwrap();
    let drift = HardwareProfile::from_xml(&drift_xml).unwrap();
    assert_eq!(drift.to_xml().unwrap().as_bytes(), drift_xml, "drift.xml is not in canonical form");

    let fp = Fingerprint::from_profile(&server);
    assert_eq!(
        fp.digests(ComponentKind::Mac).len(),
        2,
        "eno1 and eno2; not docker0, veth, or wg0 marked physical"
    );
    assert_eq!(fp.digests(ComponentKind::Disk).len(), 2, "the placeholder serial is left out");
    let report = fp.matches(&Fingerprint::from_profile(&drift), &MatchPolicy::default());
    assert!(report.is_match(), "{report}");
    assert_eq!(report.drifted().map(|c| c.kind).collect::<Vec<_>>(), [ComponentKind::Disk], "{report}");

    let Some(python) = support::peer("python3") else { return };
    let script = r#"
import hashlib, sys, xml.etree.ElementTree as ET
ns = {"p": "urn:license-core:hardware-profile:1"}
root = ET.parse(sys.argv[1]).getroot()
def text(tag):
    e = root.find("p:" + tag, ns)
    return None if e is None else e.text
PLACEHOLDERS = {"to be filled by o.e.m.", "default string", "not specified", "not applicable",
    "system serial number", "base board serial number", "chassis serial number", "none", "n/a",
    "unknown", "invalid", "empty", "o.e.m.", "oem", "0123456789", "123456789"}
VIRTUAL = ["lo", "docker", "veth", "br-", "virbr", "vnet", "vmnet", "vboxnet", "tun", "tap", "wg",
    "tailscale", "zt", "utun", "ppp", "ipsec", "cni", "flannel", "cali", "cilium", "kube-", "weave",
    "vxlan", "genev", "ifb", "dummy", "nordlynx", "ham", "gpd", "cscotun", "podman", "lxc", "lxd"]
def ident(v):
    if v is None: return None
    v = v.strip().lower()
    d = v.replace("-", "")
    if not d or set(d) <= {"0"} or set(d) <= {"f"} or v == "03000200-0400-0500-0006-000700080009": return None
    return v
def serial(v):
    if v is None: return None
    v = v.strip()
    a = [c for c in v.lower() if c.isalnum()]
    if v.lower() in PLACEHOLDERS or len(a) < 4 or len(set(a)) == 1: return None
    return v
def digest(kind, value):
    return hashlib.sha256(b"license-core/fingerprint/v1/" + kind.encode() + b"\0" + value.encode()).digest()[:16].hex()
comps = {}
def add(kind, value):
    if value is not None: comps.setdefault(kind, set()).add(digest(kind, value))
add("machine-id", ident(text("MachineId")))
add("product-uuid", ident(text("ProductUuid")))
add("board-serial", serial(text("BoardSerial")))
for n in root.findall("p:NetworkInterfaces/p:Interface", ns):
    mac = n.get("mac")
    if n.get("physical") == "true" and mac and not any(n.get("name").startswith(p) for p in VIRTUAL):
        mac = mac.lower()
        if int(mac[:2], 16) & 1 == 0 and mac != "00:00:00:00:00:00": add("mac", mac)
for d in root.findall("p:Disks/p:Disk", ns):
    add("disk", serial(d.get("serial")))
cpu = root.find("p:Cpu", ns)
if cpu is not None and cpu.get("model"):
    add("cpu", " ".join(cpu.get("model").split()) + "|" + (cpu.get("physicalCores") or "-") + "|" + (cpu.get("logicalCores") or "-"))
order = ["machine-id", "product-uuid", "board-serial", "mac", "disk", "cpu"]
print("fp1" + "".join(";" + k + "=" + ",".join(sorted(comps[k])) for k in order if k in comps))
"#;
    for (name, profile) in [("server.xml", &server), ("drift.xml", &drift)] {
        let (ok, out, err) = support::run(Command::new(&python).arg("-c").arg(script).arg(dir.join(name)));
        assert!(ok, "{err}");
        assert_eq!(out.trim(), Fingerprint::from_profile(profile).to_string(), "{name}");
    }
}

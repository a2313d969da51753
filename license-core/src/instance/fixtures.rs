//! Profiles shared by the unit tests of the instance module.

use super::{Disk, EnvironmentHint, HardwareProfile, HintKind, NetworkInterface};

/// A bare-metal server with one NVMe disk, one NIC and docker installed.
pub(crate) fn sample() -> HardwareProfile {
    HardwareProfile {
        hostname: Some("build-01".into()),
        os_name: Some("Debian GNU/Linux".into()),
        os_version: Some("12".into()),
        kernel: Some("6.1.0-18-amd64".into()),
        architecture: Some("x86_64".into()),
        cpu_model: Some("AMD EPYC 7543 32-Core Processor".into()),
        physical_cores: Some(32),
        logical_cores: Some(64),
        memory_bytes: Some(256 * 1024 * 1024 * 1024),
        machine_id: Some("3d1219c7c4c5404aaa1f6d2a48adfda4".into()),
        product_uuid: Some("4c4c4544-0042-3510-8052-b3c04f4e4e32".into()),
        board_serial: Some(".7B5RNN2.CNWS20093500CQ.".into()),
        disks: vec![Disk {
            name: "nvme0n1".into(),
            model: Some("Samsung SSD 980 PRO 1TB".into()),
            serial: Some("S5GXNF0R123456".into()),
            size_bytes: Some(1_000_204_886_016),
        }],
        interfaces: vec![
            NetworkInterface { name: "eno1".into(), mac: Some("b0:83:fe:11:22:33".into()), physical: true },
            NetworkInterface {
                name: "docker0".into(),
                mac: Some("02:42:ac:11:00:01".into()),
                physical: false,
            },
        ],
        environment: vec![EnvironmentHint::new(HintKind::Container, "docker")],
    }
}

//! Properties of the profile XML and the fingerprint and policy text forms:
//! round trips for any valid value, and no panic on any input, with
//! anything accepted being exactly the canonical form.

use license_core::{
    instance::{Disk, EnvironmentHint, HintKind, MatchPolicy, NetworkInterface},
    Fingerprint, HardwareProfile,
};
use proptest::prelude::*;

/// Profile text: printable, possibly XML-special or non-ASCII, trimmed.
fn text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9 &<>\"'é.:/_-]{1,40}"
        .prop_map(|s| s.trim().to_owned())
        .prop_filter("non-empty", |s| !s.is_empty())
}

fn mac() -> impl Strategy<Value = String> {
    proptest::array::uniform6(any::<u8>())
        .prop_map(|b| b.iter().map(|o| format!("{o:02x}")).collect::<Vec<_>>().join(":"))
}

fn profile() -> impl Strategy<Value = HardwareProfile> {
    let scalars = (
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(1u32..=4096),
        proptest::option::of(1u64..),
        proptest::option::of("[0-9a-f]{32}"),
        proptest::option::of(text()),
    );
    let disks = proptest::collection::btree_map(
        "[a-z]{2,6}[0-9]?",
        (proptest::option::of(text()), proptest::option::of(text()), proptest::option::of(1u64..)),
        0..4,
    );
    let nics = proptest::collection::btree_map(
        "[a-z]{2,6}[0-9]?",
        (proptest::option::of(mac()), any::<bool>()),
        0..5,
    );
    let hints = proptest::collection::btree_set((0usize..3, "[a-z0-9._-]{1,12}"), 0..3);
    (scalars, disks, nics, hints).prop_map(
        |((host, os, cpu, cores, mem, mid, serial), disks, nics, hints)| HardwareProfile {
            hostname: host,
            os_name: os,
            cpu_model: cpu,
            logical_cores: cores,
            memory_bytes: mem,
            machine_id: mid,
            board_serial: serial,
            disks: disks
                .into_iter()
                .map(|(name, (model, serial, size_bytes))| Disk { name, model, serial, size_bytes })
                .collect(),
            interfaces: nics
                .into_iter()
                .map(|(name, (mac, physical))| NetworkInterface { name, mac, physical })
                .collect(),
            environment: hints
                .into_iter()
                .map(|(k, name)| EnvironmentHint::new(HintKind::ALL[k], name))
                .collect(),
            ..HardwareProfile::default()
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_valid_profile_round_trips_through_xml(p in profile()) {
        let xml = p.to_xml().unwrap();
        let back = HardwareProfile::from_xml(xml.as_bytes()).unwrap();
        prop_assert_eq!(&back, &p);
        prop_assert_eq!(back.to_xml().unwrap(), xml);
        let fp = Fingerprint::from_profile(&p);
        prop_assert_eq!(fp.to_string().parse::<Fingerprint>().unwrap(), fp);
    }

    #[test]
    fn damaged_xml_never_panics(p in profile(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut xml = p.to_xml().unwrap().into_bytes();
        let i = at.index(xml.len());
        xml[i] = byte;
        if let Ok(read) = HardwareProfile::from_xml(&xml) {
            read.validate().unwrap();
        }
    }

    #[test]
    fn any_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = HardwareProfile::from_xml(&bytes);
    }

    #[test]
    fn accepted_fingerprint_text_is_canonical(
        p in profile(),
        at in any::<prop::sample::Index>(),
        c in prop::sample::select(vec!['0', '7', 'f', 'F', ',', ';', '=', ' ', 'g', 'm']),
    ) {
        let text = Fingerprint::from_profile(&p).to_string();
        let i = at.index(text.len());
        let mut damaged = text.clone();
        damaged.replace_range(i..i + 1, &c.to_string());
        match damaged.parse::<Fingerprint>() {
            Ok(fp) => prop_assert_eq!(fp.to_string(), damaged),
            Err(e) => prop_assert_ne!(damaged, text, "the canonical form was refused: {}", e),
        }
    }

    #[test]
    fn accepted_policy_text_is_canonical(
        threshold in 1u32..=6,
        weights in proptest::collection::vec(0u32..=3, 6),
        at in any::<prop::sample::Index>(),
        c in prop::sample::select(vec!['0', '1', '9', ',', ';', ':', '+', '=', ' ', 'x']),
    ) {
        let kinds = ["machine-id", "product-uuid", "board-serial", "mac", "disk", "cpu"];
        let w: Vec<String> = kinds.iter().zip(&weights).map(|(k, w)| format!("{k}:{w}")).collect();
        let text = format!("mp1;threshold={threshold};weights={};sufficient=machine-id+product-uuid,mac", w.join(","));
        let valid = threshold <= weights.iter().sum::<u32>();
        prop_assert_eq!(text.parse::<MatchPolicy>().is_ok(), valid, "{}", text);
        let i = at.index(text.len());
        let mut damaged = text.clone();
        damaged.replace_range(i..i + 1, &c.to_string());
        if let Ok(policy) = damaged.parse::<MatchPolicy>() {
            prop_assert_eq!(policy.to_string(), damaged);
        }
    }
}

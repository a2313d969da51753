//! `licensectl profile`: this machine's hardware profile and fingerprint,
//! and `profile diff`: how a machine compares with the one a license is
//! bound to.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use license_core::{
    instance::{Disk, Location, MatchPolicy, NetworkInterface},
    Fingerprint, HardwareProfile, Instance, License,
};
use time::Duration;

use crate::cli::{read, CliError, CliResult};

/// Arguments of `licensectl profile`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ProfileArgs {
    #[command(subcommand)]
    pub action: Option<ProfileAction>,
    /// Print the profile as XML (the document `profile diff` reads).
    #[arg(long, conflicts_with_all = ["table", "fingerprint"])]
    pub xml: bool,
    /// Print the profile as a table for people (the default).
    #[arg(long, conflicts_with = "fingerprint")]
    pub table: bool,
    /// Print only the fingerprint's canonical text (what a license binds).
    #[arg(long)]
    pub fingerprint: bool,
    /// Read the machine from a file system mounted here instead of `/`
    /// (e.g. the host's /proc, /sys and /etc mounted into a container).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// What `licensectl profile` can do besides showing this machine.
#[derive(Debug, Subcommand)]
pub enum ProfileAction {
    /// Compare two profile XML files: BOUND (the machine a license was
    /// issued for) and CURRENT. Prints the match report; exits 0 when they
    /// match and 2 when they do not.
    Diff(DiffArgs),
}

/// Arguments of `licensectl profile diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The profile XML of the machine the license is bound to.
    pub bound: PathBuf,
    /// The profile XML of the machine to check.
    pub current: PathBuf,
    /// The match policy's canonical text (default: any 3 components, or
    /// machine id + product UUID).
    #[arg(long, value_name = "POLICY")]
    pub policy: Option<String>,
}

/// Runs `licensectl profile`.
pub fn run(args: ProfileArgs) -> CliResult {
    if let Some(ProfileAction::Diff(d)) = args.action {
        return diff(d);
    }
    let profile = match &args.root {
        Some(root) => HardwareProfile::collect_from(root),
        None => HardwareProfile::collect(),
    };
    if args.xml {
        print!("{}", profile.to_xml()?);
    } else if args.fingerprint {
        println!("{}", Fingerprint::from_profile(&profile));
    } else {
        print!("{}", profile.to_table());
    }
    Ok(ExitCode::SUCCESS)
}

fn load(path: &Path) -> Result<HardwareProfile, CliError> {
    let bytes = read(path)?;
    HardwareProfile::from_xml(&bytes).map_err(|e| {
        CliError::Core(license_core::Error::new(e.kind(), format!("{}: {}", path.display(), e.detail())))
    })
}

fn diff(args: DiffArgs) -> CliResult {
    let bound = load(&args.bound)?;
    let current = load(&args.current)?;
    let policy = match &args.policy {
        Some(text) => text.parse::<MatchPolicy>()?,
        None => MatchPolicy::default(),
    };
    let report = Fingerprint::from_profile(&bound).matches(&Fingerprint::from_profile(&current), &policy);
    print!("{report}");
    Ok(if report.is_match() { ExitCode::SUCCESS } else { ExitCode::from(2) })
}

/// The demo's section: this machine, a drifted copy of it, another machine,
/// and a license bound to it.
pub fn demo(today: time::OffsetDateTime) -> Result<(), license_core::Error> {
    crate::demo::heading("This machine's hardware profile");
    let here = HardwareProfile::collect();
    print!("{}", here.to_table());
    let fingerprint = Fingerprint::from_profile(&here);
    println!("fingerprint: {fingerprint}");

    crate::demo::heading("The same machine after a hardware refresh, a VPN client and a rename");
    let refreshed = refreshed(&here);
    println!("hostname changed, memory doubled, a WireGuard and a docker interface added, one disk replaced");
    let report = fingerprint.matches(&Fingerprint::from_profile(&refreshed), &MatchPolicy::default());
    print!("{report}");

    crate::demo::heading("Another machine");
    let other = other_machine(&here);
    print!("{}", fingerprint.matches(&Fingerprint::from_profile(&other), &MatchPolicy::default()));

    crate::demo::heading("A license bound to this machine");
    let mut instance = Instance::new(
        "srv-0001",
        "Primary",
        Location::new("Equinix LD5, Slough", Some("GB"), None)?,
        "4.2.0".parse()?,
        here.clone(),
        today - Duration::days(30),
    )?;
    instance.relocate(Location::new("Equinix FR5, Frankfurt", Some("DE"), None)?, today)?;
    println!("instance {} \"{}\" at {}", instance.id(), instance.name(), instance.location());
    let license = License::builder("LIC-2026-0100", "certmgr", today)
        .licensee("Example Ltd")
        .binding(instance.binding(None))
        .build()?;
    for (what, profile) in
        [("this machine", &here), ("after the refresh", &refreshed), ("another machine", &other)]
    {
        match license.require_hardware(profile) {
            Ok(_) => println!("{what}: the license accepts it"),
            Err(e) => println!("{what}: refused: {e} [{}]", e.kind().name()),
        }
    }
    Ok(())
}

/// `here` with the changes that must not break a binding: a new hostname,
/// more memory, VPN and docker interfaces, and its first disk replaced.
fn refreshed(here: &HardwareProfile) -> HardwareProfile {
    let mut p = here.clone();
    p.hostname = Some("renamed-host".into());
    p.memory_bytes = p.memory_bytes.map(|m| m.saturating_mul(2));
    p.interfaces.insert(0, NetworkInterface { name: "wg0".into(), mac: None, physical: false });
    p.interfaces.push(NetworkInterface {
        name: "docker0".into(),
        mac: Some("02:42:ac:11:00:01".into()),
        physical: false,
    });
    match p.disks.first_mut() {
        Some(disk) => disk.serial = Some("REPLACEMENT-0001".into()),
        None => p.disks.push(Disk {
            name: "sdz".into(),
            model: None,
            serial: Some("REPLACEMENT-0001".into()),
            size_bytes: None,
        }),
    }
    p
}

/// A machine of the same model (same CPU) with its own ids, MACs and disks.
fn other_machine(here: &HardwareProfile) -> HardwareProfile {
    let mut p = here.clone();
    p.machine_id = Some("0f0e0d0c0b0a09080706050403020100".into());
    p.product_uuid = here.product_uuid.as_ref().map(|_| "11111111-2222-3333-4444-555555555555".into());
    p.board_serial = here.board_serial.as_ref().map(|_| "OTHER-BOARD-1".into());
    for (i, nic) in p.interfaces.iter_mut().enumerate() {
        if nic.mac.is_some() {
            nic.mac = Some(format!("00:16:3e:00:00:{i:02x}"));
        }
    }
    for (i, disk) in p.disks.iter_mut().enumerate() {
        disk.serial = Some(format!("OTHER-DISK-{i}"));
    }
    p
}

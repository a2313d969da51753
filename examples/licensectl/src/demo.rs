//! `licensectl demo`: a tour with sample data, extended by every capability.

use std::process::ExitCode;

use clap::Args;
use license_core::{
    license::{ActionedLimit, ExpiryWatch, LicenseDiff},
    Feature, License,
};
use time::{Duration, OffsetDateTime};

use crate::cli::{now, parse_time, CliResult};

/// Arguments of `licensectl demo` (it needs no files of yours).
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Run the tour as of this time (RFC 3339; default now).
    #[arg(long, value_parser = parse_time)]
    pub at: Option<OffsetDateTime>,
}

/// Prints a section title.
pub fn heading(title: &str) {
    println!("\n== {title}");
}

/// Runs the demo.
pub fn run(args: DemoArgs) -> CliResult {
    let today = args.at.unwrap_or_else(now);
    let installed = License::builder("LIC-2026-0001", "certmgr", today - Duration::days(300))
        .licensee("Example Ltd")
        .organisation("Example Group plc")
        .email("licensing@example.com")
        .expires_at(today + Duration::days(45))
        .grace_days(14)
        .feature("api", Feature::enabled().with_quantity(10))
        .feature("reports", Feature::enabled())
        .feature("sso", Feature::enabled())
        .actioned_limit(ActionedLimit::Counted(5_000))
        .attribute("purchase-order", "PO-88123")
        .build()?;

    heading("The installed license");
    print!("{}", installed.to_table());

    heading("Its status today");
    println!("{}", installed.status(today));
    let mut watch = ExpiryWatch::default();
    for milestone in watch.check(&installed, today) {
        println!("warning: {milestone}");
    }

    let renewal = installed
        .to_builder()
        .id("LIC-2026-0002")
        .issued_at(today)
        .expires_at(today + Duration::days(410))
        .without_feature("api")
        .feature("api", Feature::enabled().with_quantity(25))
        .without_feature("sso")
        .feature("audit", Feature::enabled())
        .actioned_limit(ActionedLimit::Counted(4_000))
        .build()?;

    heading("A renewal, side by side with the installed license");
    print!("{}", LicenseDiff::between(&installed, &renewal));

    crate::license_cmds::demo(&renewal)?;
    crate::profile::demo(today)?;
    crate::install::demo(&installed, &renewal, today)?;
    crate::count::demo(today)?;
    crate::keys::demo(today)?;
    Ok(ExitCode::SUCCESS)
}

//! `licensectl`: the command-line face of license-core.
//!
//! One module per command group; `main` only parses and dispatches, and
//! turns any error into one line on stderr and a non-zero exit.

mod bitmaps;
mod certificate;
mod cli;
mod count;
mod demo;
mod install;
mod inventory;
mod keys;
mod license_cmds;
mod plot;
mod profile;
mod signer;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    restore_default_sigpipe();
    let args = cli::Args::parse();
    match run(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("licensectl: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Rust ignores SIGPIPE, so a write to a closed pipe (`licensectl … | head
/// -1`) fails and `println!` panics. A filter's convention is to end
/// quietly, killed by SIGPIPE, which is what the default action does.
#[cfg(unix)]
fn restore_default_sigpipe() {
    // SAFETY: called first thing in main, before any thread exists;
    // setting a signal's disposition to SIG_DFL installs no handler code.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn restore_default_sigpipe() {}

fn run(args: cli::Args) -> Result<ExitCode, cli::CliError> {
    match args.command {
        cli::Command::Demo(a) => demo::run(a),
        cli::Command::Keygen(a) => license_cmds::keygen(a),
        cli::Command::Issue(a) => license_cmds::issue(a),
        cli::Command::Verify(a) => license_cmds::verify(a),
        cli::Command::Show(a) => license_cmds::show(a),
        cli::Command::Profile(a) => profile::run(a),
        cli::Command::Install(a) => install::install(a),
        cli::Command::Status(a) => install::status(a),
        cli::Command::History(a) => install::history(a),
        cli::Command::Rollback(a) => install::rollback(a),
        cli::Command::UsageLog(a) => install::usage_log(a),
        cli::Command::VerifyUsage(a) => install::verify_usage(a),
        cli::Command::Certificate(a) => certificate::run(a),
        cli::Command::Count(a) => count::run(a),
        cli::Command::GenInventory(a) => count::gen(a),
        cli::Command::Inventory(a) => inventory::run(a),
        cli::Command::Bitmaps(a) => bitmaps::run(a),
        cli::Command::Key(a) => keys::key(a),
        cli::Command::Bundle(a) => keys::bundle(a),
        cli::Command::Activate(a) => keys::activate_cmd(a),
        cli::Command::Account(a) => keys::account(a),
    }
}

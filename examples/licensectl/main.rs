//! `licensectl`: the command-line face of license-core.
//!
//! One module per command group; `main` only parses and dispatches, and
//! turns any error into one line on stderr and a non-zero exit.

mod cli;
mod count;
mod demo;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    match run(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("licensectl: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: cli::Args) -> Result<ExitCode, cli::CliError> {
    match args.command {
        cli::Command::Demo(a) => demo::run(a),
        cli::Command::Count(a) => count::run(a),
        cli::Command::GenInventory(a) => count::gen(a),
    }
}

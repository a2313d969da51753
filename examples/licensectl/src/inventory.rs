//! `licensectl inventory import`, and the one place that reads an
//! `--inventory` file: a snapshot (recognised by its magic) or JSON Lines.
//!
//! Every command that takes `--inventory` loads it through [`load`], so
//! `count`, `usage-log` and `bitmaps export` accept the same files and
//! report the same errors.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use license_core::{
    actioned::{ReadOptions, SNAPSHOT_MAGIC},
    Inventory,
};

use crate::cli::{write_replacing, CliError, CliResult};
use crate::count::progress_bar;

/// Arguments of `licensectl inventory`.
#[derive(Debug, Args)]
pub struct InventoryArgs {
    #[command(subcommand)]
    command: InventoryCommand,
}

#[derive(Debug, Subcommand)]
enum InventoryCommand {
    /// Read JSON Lines once and write an inventory snapshot, which
    /// `count --inventory` (and every command taking `--inventory`) then
    /// loads much faster.
    Import(ImportArgs),
}

/// Arguments of `licensectl inventory import`.
#[derive(Debug, Args)]
struct ImportArgs {
    /// The inventory: JSON Lines, one certificate record per line.
    #[arg(long, value_name = "FILE.jsonl")]
    jsonl: PathBuf,
    /// Where to write the snapshot (replaced whole, never half-written).
    #[arg(long, value_name = "FILE.snapshot")]
    out: PathBuf,
}

/// Runs `licensectl inventory …`.
pub fn run(args: InventoryArgs) -> CliResult {
    match args.command {
        InventoryCommand::Import(a) => import(a),
    }
}

fn import(args: ImportArgs) -> CliResult {
    let file = open(&args.jsonl)?;
    let inventory = load_jsonl(&args.jsonl, Vec::new(), file)?;
    let snapshot = inventory.to_snapshot();
    write_replacing(&args.out, &snapshot)?;
    println!(
        "imported {} certificates into {} ({} bytes)",
        inventory.len(),
        args.out.display(),
        snapshot.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// Loads the inventory at `path`: a snapshot if the file starts with
/// [`SNAPSHOT_MAGIC`], JSON Lines otherwise (with a progress bar on a
/// terminal). Errors name the file and the error's kind.
pub fn load(path: &Path) -> Result<Inventory, CliError> {
    let mut file = open(path)?;
    let mut head = Vec::with_capacity(SNAPSHOT_MAGIC.len());
    // `take` + `read_to_end`, not one `read`: a read may return fewer bytes
    // than the file holds, and the format must not depend on that.
    (&mut file)
        .take(SNAPSHOT_MAGIC.len() as u64)
        .read_to_end(&mut head)
        .map_err(|e| CliError::Io(format!("cannot read {}: {e}", path.display())))?;
    if head.as_slice() != SNAPSHOT_MAGIC {
        return load_jsonl(path, head, file);
    }
    let mut bytes = head;
    file.read_to_end(&mut bytes).map_err(|e| CliError::Io(format!("cannot read {}: {e}", path.display())))?;
    Inventory::from_snapshot(&bytes).map_err(|e| core_error(path, &e))
}

fn open(path: &Path) -> Result<File, CliError> {
    File::open(path).map_err(|e| CliError::Io(format!("cannot read {}: {e}", path.display())))
}

/// Reads JSON Lines: a regular file by position, on every core
/// ([`Inventory::from_jsonl_file`]); anything else (a pipe) as a stream,
/// the bytes already read from it (`head`) first.
fn load_jsonl(path: &Path, head: Vec<u8>, file: File) -> Result<Inventory, CliError> {
    let meta = file.metadata().ok();
    let size = meta.as_ref().map_or(0, |m| m.len());
    let bar = progress_bar(size, "reading");
    let mut progress = |read| {
        if let Some(bar) = &bar {
            bar.set_position(read);
        }
    };
    let inventory = if meta.is_some_and(|m| m.is_file()) {
        Inventory::from_jsonl_file(&file, &ReadOptions::default(), &mut progress)
    } else {
        let reader = BufReader::with_capacity(1 << 20, std::io::Cursor::new(head).chain(file));
        Inventory::from_jsonl_with_progress(reader, &mut progress)
    }
    .map_err(|e| core_error(path, &e))?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(inventory)
}

/// A library error about the file at `path`, with its kind in brackets as
/// every other error of the CLI.
fn core_error(path: &Path, e: &license_core::Error) -> CliError {
    CliError::Io(format!("{}: {e} [{}]", path.display(), e.kind().name()))
}

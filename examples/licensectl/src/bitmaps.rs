//! Counting beyond one machine: `count --from-bitmaps DIR`, `count
//! --from-spark DIR` and `bitmaps export`, the id-set files engines such as
//! ClickHouse and Spark produce and read (docs/SCALE.md).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Subcommand, ValueEnum};
use license_core::{
    interchange::{ExternalSets, IdSetFormat, InterchangeLimits, SetName},
    license::ActionedLimit,
    ActionedCount, CountConfig,
};
use time::OffsetDateTime;

use crate::cli::{now, parse_time, CliError, CliResult};

/// Arguments of `licensectl bitmaps`.
#[derive(Debug, Args)]
pub struct BitmapsArgs {
    #[command(subcommand)]
    command: BitmapsCommand,
}

#[derive(Debug, Subcommand)]
enum BitmapsCommand {
    /// Write the nine sets of an inventory at an instant, one file each.
    Export(ExportArgs),
}

/// The file format of exported sets.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// ClickHouse `AggregateFunction(groupBitmap, UInt32|UInt64)` states.
    Clickhouse,
    /// Bare Roaring portable bytes (CRoaring, Java, Go, pyroaring, roaring-rs).
    Portable,
}

#[derive(Debug, Args)]
struct ExportArgs {
    /// The inventory: JSON Lines, one certificate record per line, or a
    /// snapshot (`licensectl inventory import`).
    #[arg(long, value_name = "FILE")]
    inventory: PathBuf,
    /// The instant the revoked, expired and recent sets are for (RFC 3339;
    /// default now).
    #[arg(long, value_parser = parse_time)]
    at: Option<OffsetDateTime>,
    /// The file format.
    #[arg(long, value_enum)]
    format: Format,
    /// A metadata field whose values do not count (repeatable).
    #[arg(long, value_name = "FIELD")]
    exclude_metadata: Vec<String>,
    /// A referenced collection (repeatable; default: every collection).
    #[arg(long, value_name = "NAME")]
    referenced_collection: Vec<String>,
    /// The directory to write `SET.bin` files into.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

/// Runs `licensectl bitmaps …`.
pub fn run(args: BitmapsArgs) -> CliResult {
    match args.command {
        BitmapsCommand::Export(a) => export(a),
    }
}

fn export(args: ExportArgs) -> CliResult {
    let inventory = crate::inventory::load(&args.inventory)?;
    let mut config = CountConfig::new(ActionedLimit::SiteLicense);
    for field in args.exclude_metadata {
        config = config.exclude_metadata(field);
    }
    for name in args.referenced_collection {
        config = config.reference_collection(name);
    }
    let at = args.at.unwrap_or_else(now);
    let sets = ExternalSets::from_inventory(&inventory, at, &config);
    let format = match args.format {
        Format::Clickhouse => IdSetFormat::ClickHouse,
        Format::Portable => IdSetFormat::Portable,
    };
    for path in sets.write_dir(&args.out, format)? {
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        println!("{}  {size} bytes", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Where the id sets of `count --from-… DIR` come from.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// `SET.bin` / `SET.SHARD.bin`: ClickHouse states or Roaring portable.
    Bitmaps,
    /// `SET/…/*.parquet`: Spark SQL bitmap aggregates.
    Spark,
}

/// `licensectl count --from-bitmaps DIR` or `--from-spark DIR`: union the
/// shards of each set and count with the inventory's kernel.
pub fn count_dir(
    dir: &Path,
    source: Source,
    at: OffsetDateTime,
    limit: ActionedLimit,
    json: bool,
    timings: bool,
) -> Result<ActionedCount, CliError> {
    let started = Instant::now();
    let sets = match source {
        Source::Bitmaps => ExternalSets::read_dir(dir, &InterchangeLimits::default())?,
        Source::Spark => ExternalSets::read_spark_dir(dir, &InterchangeLimits::default())?,
    };
    let read = started.elapsed();
    let started = Instant::now();
    let count = sets.count(at, limit);
    let counted = started.elapsed();
    if json {
        println!("{}", count.to_json());
    } else {
        let shards: Vec<String> =
            SetName::ALL.iter().map(|n| format!("{n}×{}", sets.shard_count(*n))).collect();
        println!("id sets in {} ({})", dir.display(), shards.join(", "));
        print!("{count}");
    }
    if timings {
        eprintln!(
            "read in {:.3} s; merged and counted in {:.3} s",
            read.as_secs_f64(),
            counted.as_secs_f64()
        );
    }
    Ok(count)
}

//! `licensectl count` and `licensectl gen-inventory`: the actioned-
//! certificate count over an inventory (JSON Lines or a snapshot), and a
//! synthetic inventory to try it on.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use license_core::{
    actioned::{synthetic_records, Category, CountHistory, CountSchedule, Event},
    license::ActionedLimit,
    ActionedCount, CountConfig, Inventory,
};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::bitmaps::Source;
use crate::cli::{now, parse_time, write, write_replacing, CliError, CliResult};

/// Arguments of `licensectl count`.
#[derive(Debug, Args)]
pub struct CountArgs {
    /// The inventory: JSON Lines, one certificate record per line, or a
    /// snapshot written by `licensectl inventory import` (recognised by
    /// its first bytes).
    #[arg(long, value_name = "FILE", required_unless_present_any = ["from_bitmaps", "from_spark"])]
    inventory: Option<PathBuf>,
    /// Count from id sets computed elsewhere instead: a directory of
    /// `SET.bin` / `SET.SHARD.bin` files (ClickHouse groupBitmap states or
    /// Roaring portable bytes; see docs/SCALE.md). `--at` names the instant
    /// the sets were computed for.
    #[arg(
        long,
        value_name = "DIR",
        conflicts_with_all = ["inventory", "exclude_metadata", "referenced_collection", "no_referenced_collections"]
    )]
    from_bitmaps: Option<PathBuf>,
    /// Count from Spark SQL bitmap aggregates instead: a directory with one
    /// Spark Parquet output per set (`DIR/enrolled/part-*.parquet`, …; a
    /// subdirectory of a set's directory is another shard; see
    /// docs/SCALE.md). `--at` names the instant the sets were computed for.
    #[arg(
        long,
        value_name = "DIR",
        conflicts_with_all = ["inventory", "from_bitmaps", "exclude_metadata", "referenced_collection", "no_referenced_collections"]
    )]
    from_spark: Option<PathBuf>,
    /// Count as of this instant (RFC 3339); default: now.
    #[arg(long, value_parser = parse_time)]
    at: Option<OffsetDateTime>,
    /// A metadata field whose values do not count (repeatable).
    #[arg(long, value_name = "FIELD")]
    exclude_metadata: Vec<String>,
    /// A collection referenced by an alert or workflow (repeatable;
    /// default: every collection is referenced).
    #[arg(long, value_name = "NAME")]
    referenced_collection: Vec<String>,
    /// No alert or workflow references any collection: membership of a
    /// collection makes no certificate actioned.
    #[arg(long, conflicts_with = "referenced_collection")]
    no_referenced_collections: bool,
    /// The licensed number of actioned certificates.
    #[arg(long, value_name = "N", conflicts_with = "site_license", value_parser = clap::value_parser!(u64).range(1..))]
    limit: Option<u64>,
    /// A site license: no limit, reported as N/A (the default without --limit).
    #[arg(long)]
    site_license: bool,
    /// Print the count as JSON.
    #[arg(long)]
    json: bool,
    /// Also print how long loading and counting took (on stderr).
    #[arg(long)]
    timings: bool,
    /// Append this count to the count history in FILE.json (created if
    /// missing; a count must be later than the history's last) and print
    /// the trend and when it is projected to reach the limit. Nothing is
    /// written if the count does not fit.
    #[arg(long, value_name = "FILE.json")]
    history: Option<PathBuf>,
    /// Draw the history (with this count) as an SVG chart: the actioned
    /// count over time against the licensed limit, the trend and the
    /// projected crossing date.
    #[arg(long, value_name = "OUT.svg", requires = "history")]
    plot: Option<PathBuf>,
    /// How many of the latest counts the trend is fitted to.
    #[arg(long, value_name = "N", default_value_t = 30, value_parser = clap::value_parser!(u64).range(2..=100_000))]
    trend_counts: u64,
}

/// Arguments of `licensectl gen-inventory`.
#[derive(Debug, Args)]
pub struct GenInventoryArgs {
    /// How many certificates.
    #[arg(long, value_name = "N")]
    count: u32,
    /// The random seed: the same seed (and --now) gives the same file.
    #[arg(long, value_name = "S", default_value_t = 1)]
    seed: u64,
    /// Where to write the JSON Lines.
    #[arg(long, value_name = "FILE.jsonl")]
    out: PathBuf,
    /// The instant the inventory is generated around; default: today 00:00 UTC.
    #[arg(long, value_parser = parse_time)]
    now: Option<OffsetDateTime>,
}

/// A byte-progress bar on stderr, only when stderr is a terminal.
pub(crate) fn progress_bar(total: u64, what: &str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(total);
    let style =
        ProgressStyle::with_template(&format!("{what} [{{bar:40}}] {{bytes}}/{{total_bytes}} ({{eta}})"))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}

/// Runs `licensectl count`.
pub fn run(args: CountArgs) -> CliResult {
    let limit = match args.limit {
        Some(n) => ActionedLimit::Counted(n),
        None => ActionedLimit::SiteLicense,
    };
    for (dir, source) in [(&args.from_bitmaps, Source::Bitmaps), (&args.from_spark, Source::Spark)] {
        if let Some(dir) = dir {
            let at = args.at.unwrap_or_else(now);
            let count = crate::bitmaps::count_dir(dir, source, at, limit, args.json, args.timings)?;
            return record(&args, count);
        }
    }
    let Some(path) = &args.inventory else {
        return Err(CliError::Io("give --inventory FILE, --from-bitmaps DIR or --from-spark DIR".into()));
    };
    let started = Instant::now();
    let inventory = crate::inventory::load(path)?;
    let loaded = started.elapsed();

    let mut config = CountConfig::new(limit);
    for field in &args.exclude_metadata {
        config = config.exclude_metadata(field);
    }
    if args.no_referenced_collections {
        config = config.reference_no_collections();
    }
    for name in &args.referenced_collection {
        config = config.reference_collection(name);
    }
    let at = args.at.unwrap_or_else(now);
    let started = Instant::now();
    let count = inventory.count(at, &config);
    let counted = started.elapsed();
    if args.json {
        println!("{}", count.to_json());
    } else {
        println!("{} certificates in {}", inventory.len(), path.display());
        print!("{count}");
    }
    if args.timings {
        eprintln!(
            "loaded {} certificates in {:.2} s; counted in {:.2} ms; {:.2} bytes of memory per certificate",
            inventory.len(),
            loaded.as_secs_f64(),
            counted.as_secs_f64() * 1e3,
            inventory.heap_bytes() as f64 / inventory.len().max(1) as f64
        );
    }
    record(&args, count)
}

/// `--history` and `--plot`: appends `count` to the history file, prints
/// the trend (text mode only, so `--json` stays one document) and draws
/// the chart. The chart is drawn before the history is replaced, so a
/// failure leaves the history as it was.
fn record(args: &CountArgs, count: ActionedCount) -> CliResult {
    let Some(path) = &args.history else {
        return Ok(ExitCode::SUCCESS);
    };
    let mut history = match std::fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8(bytes)
                .map_err(|_| CliError::Io(format!("{}: the count history is not UTF-8", path.display())))?;
            CountHistory::from_json(&text)
                .map_err(|e| CliError::Io(format!("{}: {e} [{}]", path.display(), e.kind().name())))?
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => CountHistory::new(),
        Err(e) => return Err(CliError::Io(format!("cannot read {}: {e}", path.display()))),
    };
    history
        .push(count)
        .map_err(|e| CliError::Io(format!("{}: {e} [{}]", path.display(), e.kind().name())))?;
    // Within the range clap allows, so the conversion never saturates.
    let window = usize::try_from(args.trend_counts).unwrap_or(usize::MAX);
    let trend = history.trend(window);
    if let Some(out) = &args.plot {
        write(out, crate::plot::history_svg(&history, trend.as_ref(), window)?.as_bytes())?;
    }
    write_replacing(path, history.to_json().as_bytes())?;
    if !args.json {
        let n = history.counts().len();
        match &trend {
            Some(t) => {
                let fitted = n.min(window);
                println!("trend over the latest {fitted} of {n} counts: {:+.1} per day", t.per_day);
                if let Some(at) = t.crosses_limit_at {
                    let ahead = history.counts().last().is_some_and(|c| at > c.as_of());
                    let what =
                        if ahead { "projected to reach the limit" } else { "the trend crossed the limit" };
                    println!("{what}: {}", at.format(&Rfc3339).unwrap_or_default());
                }
            }
            None => println!("history: {n} count(s); a trend needs two at different times"),
        }
        if let Some(out) = &args.plot {
            println!("chart: {}", out.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `licensectl gen-inventory`.
pub fn gen(args: GenInventoryArgs) -> CliResult {
    let around = args.now.unwrap_or_else(|| now().replace_time(time::Time::MIDNIGHT));
    let io = |e: std::io::Error| CliError::Io(format!("cannot write {}: {e}", args.out.display()));
    let mut out = BufWriter::with_capacity(1 << 20, File::create(&args.out).map_err(io)?);
    let bar = progress_bar(u64::from(args.count), "writing").inspect(|b| {
        b.set_style(
            ProgressStyle::with_template("writing [{bar:40}] {pos}/{len} ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        )
    });
    for (i, record) in synthetic_records(args.count, args.seed, around).enumerate() {
        out.write_all(record.to_json().as_bytes()).map_err(io)?;
        out.write_all(b"\n").map_err(io)?;
        if let (Some(bar), true) = (&bar, i % 65_536 == 0) {
            bar.set_position(i as u64);
        }
    }
    out.flush().map_err(io)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    eprintln!("wrote {} certificates to {}", args.count, args.out.display());
    Ok(ExitCode::SUCCESS)
}

/// The demo's section: a count over 1,000,000 synthetic certificates.
pub fn demo(today: OffsetDateTime) -> Result<(), CliError> {
    // The demo's heading style.
    println!("\n== Actioned certificates: a count over 1,000,000 synthetic certificates");
    let started = Instant::now();
    let records: Vec<_> = synthetic_records(1_000_000, 7, today).collect();
    let generated = started.elapsed();
    let started = Instant::now();
    let mut inventory = Inventory::from_records(&records)?;
    let built = started.elapsed();
    drop(records);
    let config = CountConfig::new(ActionedLimit::Counted(600_000)).exclude_metadata("Notes");
    let started = Instant::now();
    let count = inventory.count(today, &config);
    let counted = started.elapsed();
    print!("{count}");
    println!(
        "generated in {:.2} s, built in {:.2} s, counted in {:.2} ms; {:.2} bytes of memory per certificate",
        generated.as_secs_f64(),
        built.as_secs_f64(),
        counted.as_secs_f64() * 1e3,
        inventory.heap_bytes() as f64 / inventory.len() as f64
    );

    // Events keep it current: revoke one certificate now and count again.
    let id = inventory.ids().iter().find(|&id| {
        inventory.explain(id, today, &config).map(|e| e.actioned() && e.revoked_at.is_none()).unwrap_or(false)
    });
    if let Some(id) = id {
        print!("{}", inventory.explain(id, today, &config)?);
        inventory.apply(&Event::Revoked { id, at: today })?;
        let after = inventory.count(today, &config);
        println!(
            "after revoking certificate {id}: total {} -> {}, {} {} -> {}",
            count.total(),
            after.total(),
            Category::RevokedRecently,
            count.category(Category::RevokedRecently),
            after.category(Category::RevokedRecently)
        );
        let week_later = inventory.count(today + Duration::days(7), &config);
        println!("exactly a week later it no longer counts: {} -> {}", after.total(), week_later.total());
    }
    let next = CountSchedule::default().next_after(today);
    println!("next scheduled count: {}", next.format(&Rfc3339).unwrap_or_default());
    Ok(())
}

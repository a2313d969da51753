//! Counting from Spark output directories: `DIR/SET/` as
//! `df.write.parquet("DIR/SET")` leaves it, or one subdirectory per shard.

use std::path::{Path, PathBuf};

use roaring::RoaringBitmap;

use super::spark::or_spark_parquet;
use super::{DecodedSet, ExternalSets, InterchangeLimits, SetName};
use crate::{Error, ErrorKind, Result};

/// How deep files are looked for below a shard directory (Spark's
/// `partitionBy` nests `key=value/` directories); also stops symlink loops.
const MAX_DEPTH: usize = 8;

impl ExternalSets {
    /// Adds one shard of a set from the bytes of one Parquet file of Spark
    /// bitmap rows (see [`super::read_spark_parquet`]). On failure nothing
    /// is added.
    pub fn add_spark_parquet(
        &mut self,
        name: SetName,
        bytes: &[u8],
        limits: &InterchangeLimits,
    ) -> Result<()> {
        let mut ids = RoaringBitmap::new();
        or_spark_parquet(&mut ids, bytes, limits)?;
        self.add(name, DecodedSet::U32(ids));
        Ok(())
    }

    /// Reads a directory of Spark outputs: `DIR/SET/` (or `DIR/set=SET/`,
    /// as `partitionBy("set")` writes it) for each set present (a missing
    /// set is empty; an unknown SET is [`ErrorKind::UnknownSetName`]). Within `DIR/SET/`, the `*.parquet`
    /// files directly in it are one shard (what one `df.write.parquet`
    /// leaves) and each subdirectory is another shard, its `*.parquet`
    /// files found at any depth up to 8 (`partitionBy` directories). Names
    /// starting with `.` or `_` (`_SUCCESS`, `.crc` files, `_temporary/`)
    /// and other files are ignored. All rows of one shard are ORed per
    /// bucket, as are the shards; files are read in name order.
    pub fn read_spark_dir(dir: &Path, limits: &InterchangeLimits) -> Result<ExternalSets> {
        let mut sets = ExternalSets::new();
        for (set_dir_name, set_dir) in visible_entries(dir)? {
            if !set_dir.is_dir() {
                continue;
            }
            // `set=NAME` is what `partitionBy("set")` names it.
            let name: SetName =
                set_dir_name.strip_prefix("set=").unwrap_or(&set_dir_name).parse().map_err(|e: Error| {
                    Error::new(e.kind(), format!("{}: {}", set_dir.display(), e.detail()))
                })?;
            let entries = visible_entries(&set_dir)?;
            let own: Vec<PathBuf> =
                entries.iter().filter(|(n, p)| is_parquet(n, p)).map(|(_, p)| p.clone()).collect();
            if !own.is_empty() {
                sets.add(name, DecodedSet::U32(read_shard(&own, limits)?));
            }
            for (_, shard) in entries.iter().filter(|(_, p)| p.is_dir()) {
                let mut files = Vec::new();
                collect_parquet(shard, MAX_DEPTH, &mut files)?;
                sets.add(name, DecodedSet::U32(read_shard(&files, limits)?));
            }
        }
        Ok(sets)
    }
}

fn is_parquet(name: &str, path: &Path) -> bool {
    name.ends_with(".parquet") && path.is_file()
}

/// The entries of `dir` whose names do not start with `.` or `_`, in name
/// order.
fn visible_entries(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::new(ErrorKind::Io, format!("cannot list {}: {e}", dir.display())))?;
    let mut out: Vec<(String, PathBuf)> = entries
        .flatten()
        .filter_map(|e| Some((e.file_name().into_string().ok()?, e.path())))
        .filter(|(name, _)| !name.starts_with('.') && !name.starts_with('_'))
        .collect();
    out.sort();
    Ok(out)
}

fn collect_parquet(dir: &Path, depth: usize, files: &mut Vec<PathBuf>) -> Result<()> {
    for (name, path) in visible_entries(dir)? {
        if is_parquet(&name, &path) {
            files.push(path);
        } else if path.is_dir() {
            if depth == 0 {
                return Err(Error::new(
                    ErrorKind::Io,
                    format!("{}: directories nest deeper than {MAX_DEPTH} levels", path.display()),
                ));
            }
            collect_parquet(&path, depth - 1, files)?;
        }
    }
    Ok(())
}

fn read_shard(files: &[PathBuf], limits: &InterchangeLimits) -> Result<RoaringBitmap> {
    let mut ids = RoaringBitmap::new();
    for path in files {
        let in_file = |e: Error| Error::new(e.kind(), format!("{}: {}", path.display(), e.detail()));
        let size = std::fs::metadata(path)
            .map_err(|e| Error::new(ErrorKind::Io, format!("cannot read {}: {e}", path.display())))?
            .len();
        limits.check_input(usize::try_from(size).unwrap_or(usize::MAX), "Parquet file").map_err(in_file)?;
        let bytes = std::fs::read(path)
            .map_err(|e| Error::new(ErrorKind::Io, format!("cannot read {}: {e}", path.display())))?;
        or_spark_parquet(&mut ids, &bytes, limits).map_err(in_file)?;
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actioned::Category;
    use crate::interchange::write_spark_parquet;
    use crate::{license::ActionedLimit, CountConfig, Inventory};
    use time::macros::datetime;

    #[test]
    fn a_spark_directory_with_shards_counts_as_the_inventory() {
        let t = datetime!(2026-11-23 2:00 UTC);
        let records: Vec<_> = crate::actioned::synthetic_records(20_000, 11, t).collect();
        let inventory = Inventory::from_records(&records).unwrap();
        let config = CountConfig::new(ActionedLimit::Counted(5_000));
        let expected = inventory.count(t, &config);
        let exported = ExternalSets::from_inventory(&inventory, t, &config);
        let dir = tempfile::tempdir().unwrap();
        // Each set as two overlapping shards in subdirectories, the first
        // split over two part files, plus Spark's marker files; `expired`
        // is left out, as a set no certificate is in would be.
        for name in SetName::ALL.into_iter().filter(|n| *n != SetName::Expired) {
            let DecodedSet::U32(ids) = exported.union(name) else { panic!("32-bit") };
            let all: Vec<u32> = ids.iter().collect();
            let (a, b) = all.split_at(all.len() * 2 / 3);
            let overlap = &all[all.len() / 3..];
            let shard_a = dir.path().join(name.name()).join("shard=a");
            std::fs::create_dir_all(&shard_a).unwrap();
            let (a1, a2) = a.split_at(a.len() / 2);
            for (i, part) in [a1, a2].into_iter().enumerate() {
                let part: RoaringBitmap = part.iter().copied().collect();
                std::fs::write(
                    shard_a.join(format!("part-0000{i}.snappy.parquet")),
                    write_spark_parquet(&part).unwrap(),
                )
                .unwrap();
            }
            std::fs::write(shard_a.join("_SUCCESS"), b"").unwrap();
            std::fs::write(shard_a.join(".part-00000.snappy.parquet.crc"), b"junk").unwrap();
            let shard_b = dir.path().join(name.name()).join("shard=b");
            std::fs::create_dir_all(&shard_b).unwrap();
            let rest: RoaringBitmap = b.iter().chain(overlap).copied().collect();
            std::fs::write(shard_b.join("part-00000.snappy.parquet"), write_spark_parquet(&rest).unwrap())
                .unwrap();
        }
        let read = ExternalSets::read_spark_dir(dir.path(), &InterchangeLimits::default()).unwrap();
        assert_eq!(read.shard_count(SetName::Live(Category::Enrolled)), 2);
        assert_eq!(read.shard_count(SetName::Expired), 0);
        for name in SetName::ALL.into_iter().filter(|n| *n != SetName::Expired) {
            assert_eq!(read.union(name), exported.union(name), "{name}");
        }
        // `expired` as one flat output (part files directly in the set's
        // directory, named as `partitionBy("set")` names it): the count is
        // the inventory's.
        let DecodedSet::U32(expired) = exported.union(SetName::Expired) else { panic!("32-bit") };
        let flat = dir.path().join("set=expired");
        std::fs::create_dir_all(&flat).unwrap();
        std::fs::write(flat.join("part-00000.snappy.parquet"), write_spark_parquet(&expired).unwrap())
            .unwrap();
        let read = ExternalSets::read_spark_dir(dir.path(), &InterchangeLimits::default()).unwrap();
        assert_eq!(read.count(t, config.limit), expected);

        // An unknown set directory is refused; a bad file names its path.
        std::fs::create_dir_all(dir.path().join("revoked_lately")).unwrap();
        let err = ExternalSets::read_spark_dir(dir.path(), &InterchangeLimits::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnknownSetName);
        std::fs::remove_dir(dir.path().join("revoked_lately")).unwrap();
        std::fs::write(flat.join("part-00001.snappy.parquet"), b"PAR1 not really").unwrap();
        let err = ExternalSets::read_spark_dir(dir.path(), &InterchangeLimits::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ParquetFormat);
        assert!(err.detail().contains("part-00001.snappy.parquet"), "{err}");
    }
}

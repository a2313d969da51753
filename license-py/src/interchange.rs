//! Id sets and their interchange formats (Roaring portable, ClickHouse
//! `groupBitmap` states, Spark bitmap aggregates in Parquet), and counting
//! from sets computed elsewhere.

use std::collections::BTreeMap;
use std::path::PathBuf;

use license_core::{
    actioned::{count_sets as core_count_sets, Category, CategorySets},
    interchange::{
        read_clickhouse_state32, read_id_set, read_portable32, read_spark_parquet, write_clickhouse_state32,
        write_portable32, write_portable32_no_runs, write_spark_parquet, ExternalSets, IdSetFormat, IdWidth,
        InterchangeLimits, SetName,
    },
    IdSet,
};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors::Lc;
use crate::ids::extract_ids;
use crate::inventory::PyActionedCount;
use crate::license::limit_from;
use crate::pytime;
use crate::util::bytes_like;

/// A set of 32-bit certificate ids (a Roaring bitmap). Converts to and from
/// `pyroaring.BitMap` through the portable bytes.
#[pyclass(frozen, eq, module = "license_core._native", name = "IdSet")]
#[derive(Clone, PartialEq)]
pub(crate) struct PyIdSet(pub(crate) IdSet);

#[pymethods]
impl PyIdSet {
    /// A set of `ids`: a uint32 buffer or an iterable of ints.
    #[new]
    #[pyo3(signature = (ids = None))]
    fn new(py: Python<'_>, ids: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let ids = match ids {
            Some(o) => extract_ids(o)?,
            None => Vec::new(),
        };
        Ok(PyIdSet(py.detach(|| ids.into_iter().collect())))
    }
    /// Reads Roaring portable bytes (32-bit).
    #[staticmethod]
    fn from_portable(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = bytes_like(data)?;
        py.detach(|| read_portable32(&bytes, &InterchangeLimits::default()).map(|b| IdSet::from(&b)))
            .lc()
            .map(PyIdSet)
    }
    /// The Roaring portable bytes (with run containers unless `runs=False`).
    #[pyo3(signature = (runs = true))]
    fn to_portable<'py>(&self, py: Python<'py>, runs: bool) -> Bound<'py, PyBytes> {
        let set = &self.0;
        let bytes = py.detach(|| {
            let bm = set.to_roaring();
            if runs {
                write_portable32(&bm)
            } else {
                write_portable32_no_runs(&bm)
            }
        });
        PyBytes::new(py, &bytes)
    }
    /// Reads a ClickHouse `groupBitmap(UInt32)` state.
    #[staticmethod]
    fn from_clickhouse(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = bytes_like(data)?;
        py.detach(|| read_clickhouse_state32(&bytes, &InterchangeLimits::default()).map(|b| IdSet::from(&b)))
            .lc()
            .map(PyIdSet)
    }
    /// The ClickHouse `groupBitmap(UInt32)` state.
    fn to_clickhouse<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let set = &self.0;
        let bytes = py.detach(|| write_clickhouse_state32(&set.to_roaring()));
        PyBytes::new(py, &bytes)
    }
    /// Reads one Parquet file of Spark bitmap rows (`bucket`, `bitmap`).
    #[staticmethod]
    fn from_spark_parquet(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = bytes_like(data)?;
        py.detach(|| read_spark_parquet(&bytes, &InterchangeLimits::default()).map(|b| IdSet::from(&b)))
            .lc()
            .map(PyIdSet)
    }
    /// One Parquet file of Spark bitmap rows, as Spark's
    /// `bitmap_construct_agg` query writes them.
    fn to_spark_parquet<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let set = &self.0;
        let bytes = py.detach(|| write_spark_parquet(&set.to_roaring())).lc()?;
        Ok(PyBytes::new(py, &bytes))
    }
    /// Reads either format, detected from the bytes (32-bit ids only).
    #[staticmethod]
    fn read(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = bytes_like(data)?;
        let (set, _) =
            py.detach(|| read_id_set(&bytes, Some(IdWidth::U32), &InterchangeLimits::default())).lc()?;
        match set {
            license_core::interchange::DecodedSet::U32(b) => Ok(PyIdSet(IdSet::from(&b))),
            license_core::interchange::DecodedSet::U64(_) => {
                Err(crate::errors::to_py(license_core::Error::new(
                    license_core::ErrorKind::WidthMismatch,
                    "a 64-bit id set where 32-bit ids were expected",
                )))
            }
        }
    }
    /// From a `pyroaring.BitMap` (through its portable bytes).
    #[staticmethod]
    fn from_pyroaring(py: Python<'_>, bitmap: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = bitmap.call_method0("serialize")?;
        PyIdSet::from_portable(py, &bytes)
    }
    /// As a `pyroaring.BitMap` (needs the `pyroaring` package).
    fn to_pyroaring<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let bytes = self.to_portable(py, true);
        py.import("pyroaring")?.getattr("BitMap")?.call_method1("deserialize", (bytes,))
    }
    /// The ids in ascending order.
    fn to_list(&self) -> Vec<u32> {
        self.0.iter().collect()
    }
    fn union(&self, other: &PyIdSet) -> PyIdSet {
        let mut out = self.0.clone();
        out.union_with(&other.0);
        PyIdSet(out)
    }
    fn __or__(&self, other: &PyIdSet) -> PyIdSet {
        self.union(other)
    }
    fn __len__(&self) -> usize {
        self.0.len() as usize
    }
    fn __contains__(&self, id: i64) -> bool {
        u32::try_from(id).is_ok_and(|id| self.0.contains(id))
    }
    fn __iter__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let list = pyo3::types::PyList::new(py, self.0.iter().collect::<Vec<u32>>())?;
        Ok(list.try_iter()?.into_any().unbind())
    }
    fn __repr__(&self) -> String {
        let head: Vec<String> = self.0.iter().take(8).map(|i| i.to_string()).collect();
        let more = if self.0.len() > 8 { ", ..." } else { "" };
        format!("IdSet(len={}, ids=[{}{}])", self.0.len(), head.join(", "), more)
    }
}

/// Shard sets read from a data platform, unioned per name and counted with
/// the same kernel as `Inventory.count`.
#[pyclass(module = "license_core._native", name = "ExternalSets")]
pub(crate) struct PyExternalSets(ExternalSets);

#[pymethods]
impl PyExternalSets {
    #[new]
    fn new() -> Self {
        PyExternalSets(ExternalSets::new())
    }
    /// Reads every `NAME[.shard].bin` of a directory.
    #[staticmethod]
    fn read_dir(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        py.detach(|| ExternalSets::read_dir(&path, &InterchangeLimits::default())).lc().map(PyExternalSets)
    }
    /// Reads a directory of Spark outputs, `DIR/SET/` or `DIR/set=SET/`,
    /// each a shard or a directory of shard directories of Parquet files.
    #[staticmethod]
    fn read_spark_dir(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        py.detach(|| ExternalSets::read_spark_dir(&path, &InterchangeLimits::default()))
            .lc()
            .map(PyExternalSets)
    }
    /// Adds one shard of set `name` from the bytes of one Parquet file of
    /// Spark bitmap rows (GIL released).
    fn add_spark(&mut self, py: Python<'_>, name: &str, data: &Bound<'_, PyAny>) -> PyResult<()> {
        let name: SetName = name.parse().lc()?;
        let bytes = bytes_like(data)?;
        let sets = &mut self.0;
        py.detach(|| sets.add_spark_parquet(name, &bytes, &InterchangeLimits::default())).lc()
    }
    /// Adds one shard of set `name` (a category, `revoked`, `expired`) from
    /// portable or ClickHouse bytes of either width (GIL released).
    fn add(&mut self, py: Python<'_>, name: &str, data: &Bound<'_, PyAny>) -> PyResult<()> {
        let name: SetName = name.parse().lc()?;
        let bytes = bytes_like(data)?;
        let sets = &mut self.0;
        py.detach(|| sets.add_bytes(name, &bytes, &InterchangeLimits::default())).lc()
    }
    /// How many shards set `name` was given as.
    fn shards(&self, name: &str) -> PyResult<usize> {
        let name: SetName = name.parse().lc()?;
        Ok(self.0.shard_count(name))
    }
    /// Set `name` with its shards unioned (32-bit ids).
    fn union(&self, name: &str) -> PyResult<PyIdSet> {
        let name: SetName = name.parse().lc()?;
        match self.0.union(name) {
            license_core::interchange::DecodedSet::U32(b) => Ok(PyIdSet(IdSet::from(&b))),
            license_core::interchange::DecodedSet::U64(_) => {
                Err(crate::errors::to_py(license_core::Error::new(
                    license_core::ErrorKind::WidthMismatch,
                    format!("set `{}` has ids over 32 bits", name.name()),
                )))
            }
        }
    }
    /// The nine sets of an inventory at `at`: what an engine would compute.
    #[staticmethod]
    #[pyo3(signature = (inventory, at, *, excluded_metadata = Vec::new(), referenced_collections = None))]
    fn from_inventory(
        py: Python<'_>,
        inventory: PyRef<'_, crate::inventory::PyInventory>,
        at: &Bound<'_, PyAny>,
        excluded_metadata: Vec<String>,
        referenced_collections: Option<Vec<String>>,
    ) -> PyResult<Self> {
        let at = pytime::from_py(at, "at")?;
        let config = crate::inventory::config(None, excluded_metadata, referenced_collections);
        let inv = &inventory.0;
        Ok(PyExternalSets(py.detach(|| ExternalSets::from_inventory(inv, at, &config))))
    }
    /// Writes each set to `dir/SET.bin` (`format`: `portable` or
    /// `clickhouse`); returns the paths written.
    #[pyo3(signature = (dir, format = "portable"))]
    fn write_dir(&self, dir: PathBuf, format: &str) -> PyResult<Vec<PathBuf>> {
        let format = match format {
            "portable" => IdSetFormat::Portable,
            "clickhouse" => IdSetFormat::ClickHouse,
            other => {
                return Err(crate::errors::to_py(license_core::Error::new(
                    license_core::ErrorKind::InvalidArgument,
                    format!("id-set format `{other}`: expected portable or clickhouse"),
                )))
            }
        };
        self.0.write_dir(&dir, format).lc()
    }
    /// Counts as of `as_of` (GIL released).
    #[pyo3(signature = (as_of, *, limit = None))]
    fn count(
        &self,
        py: Python<'_>,
        as_of: &Bound<'_, PyAny>,
        limit: Option<u64>,
    ) -> PyResult<PyActionedCount> {
        let at = pytime::from_py(as_of, "as_of")?;
        let sets = &self.0;
        Ok(PyActionedCount(py.detach(|| sets.count(at, limit_from(limit)))))
    }
    fn __repr__(&self) -> String {
        let parts: Vec<String> = SetName::ALL
            .iter()
            .filter(|n| self.0.shard_count(**n) > 0)
            .map(|n| format!("{}: {}", n.name(), self.0.shard_count(*n)))
            .collect();
        format!("ExternalSets({{{}}})", parts.join(", "))
    }
}

/// Counts from id sets the caller supplies: `sets` maps category names to
/// sets; `revoked` and `expired` are the sets revoked and expired as of
/// `as_of` (GIL released).
#[pyfunction]
#[pyo3(signature = (as_of, sets, *, revoked = None, expired = None, limit = None))]
pub(crate) fn count_sets(
    py: Python<'_>,
    as_of: &Bound<'_, PyAny>,
    sets: BTreeMap<String, PyIdSet>,
    revoked: Option<PyIdSet>,
    expired: Option<PyIdSet>,
    limit: Option<u64>,
) -> PyResult<PyActionedCount> {
    let at = pytime::from_py(as_of, "as_of")?;
    let mut named = Vec::with_capacity(sets.len());
    for (name, set) in sets {
        let c: Category = name.parse().lc()?;
        named.push((c, set.0));
    }
    let count = py.detach(|| {
        let mut cs = CategorySets::new(at);
        for (c, s) in &named {
            cs = cs.with(*c, s);
        }
        if let Some(r) = &revoked {
            cs = cs.with_revoked(&r.0);
        }
        if let Some(e) = &expired {
            cs = cs.with_expired(&e.0);
        }
        core_count_sets(&cs, limit_from(limit))
    });
    Ok(PyActionedCount(count))
}

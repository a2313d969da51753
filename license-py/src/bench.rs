//! Timing hooks for `license-py/bench/ratio.py`: the same core calls timed
//! in Rust, without Python in the loop, so the script can report the cost of
//! the binding layer as a ratio in one run. Not part of the public API.

use std::time::Instant;

use license_core::{actioned::IdGroup, Inventory};
use pyo3::prelude::*;

use crate::errors::Lc;
use crate::ids::extract_ids;
use crate::inventory::{config, PyInventory};
use crate::pytime;

/// Best of `repeats` timings of `Inventory::count` on `inv`, in seconds.
#[pyfunction]
#[pyo3(signature = (inv, at, repeats, limit = None))]
pub(crate) fn _bench_rust_count(
    py: Python<'_>,
    inv: PyRef<'_, PyInventory>,
    at: &Bound<'_, PyAny>,
    repeats: usize,
    limit: Option<u64>,
) -> PyResult<(f64, u64)> {
    let at = pytime::from_py(at, "at")?;
    let config = config(limit, Vec::new(), None);
    let inv = &inv.0;
    Ok(py.detach(|| {
        let mut best = f64::INFINITY;
        let mut total = 0;
        for _ in 0..repeats.max(1) {
            let start = Instant::now();
            let count = inv.count(at, &config);
            best = best.min(start.elapsed().as_secs_f64());
            total = std::hint::black_box(count).total();
        }
        (best, total)
    }))
}

/// Best of `repeats` timings of a fresh `Inventory::add_ids(group, ids)`
/// from a Rust slice (the ids are copied out of `ids` once, untimed).
#[pyfunction]
pub(crate) fn _bench_rust_add_ids(
    py: Python<'_>,
    group: &str,
    ids: &Bound<'_, PyAny>,
    repeats: usize,
) -> PyResult<(f64, u64)> {
    let group: IdGroup = group.parse().lc()?;
    let ids = extract_ids(ids)?;
    py.detach(|| {
        let mut best = f64::INFINITY;
        let mut len = 0;
        for _ in 0..repeats.max(1) {
            let start = Instant::now();
            let mut inv = Inventory::new();
            inv.add_ids(&group, &ids)?;
            best = best.min(start.elapsed().as_secs_f64());
            len = std::hint::black_box(inv).len();
        }
        Ok((best, len))
    })
    .lc()
}

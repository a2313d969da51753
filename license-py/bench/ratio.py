"""Python vs Rust, in one run: counting a 10M-certificate inventory, and
loading 10M ids from a numpy array. Build the extension in release mode
first (scripts/test does; or `maturin develop --release`):

    .venv/bin/python license-py/bench/ratio.py [--certificates 10000000] [--repeats 7]

Each figure is the best of --repeats. The Rust side is the same core call
timed inside the extension with no Python in the loop (`_bench_rust_*`), on
the same inventory and the same ids. Not part of the default test run.
"""

# The Rust-side timings come from private hooks of the extension.
# pyright: reportPrivateUsage=false

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Callable

import numpy as np

import license_core as lc
from license_core import _native


def best(repeats: int, fn: Callable[[], object]) -> float:
    times: list[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--certificates", type=int, default=10_000_000)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    n: int = args.certificates
    repeats: int = args.repeats
    now = dt.datetime(2026, 11, 23, 2, tzinfo=dt.timezone.utc)

    print(f"building a synthetic inventory of {n:,} certificates ...", flush=True)
    inv = lc.Inventory.synthetic(n, now)
    # Python and Rust timings alternate, so that load from other processes
    # on the machine falls on both sides alike; each side keeps its best.
    # A count takes milliseconds: three times the repeats for a stable best.
    py_count, rust_count, total = float("inf"), float("inf"), 0
    for _ in range(3 * repeats):
        py_count = min(py_count, best(1, lambda: inv.count(now, limit=n // 2)))
        r, total = _native._bench_rust_count(inv, now, 1, n // 2)
        rust_count = min(rust_count, r)
    assert inv.count(now, limit=n // 2).total == total
    print(f"count       python {py_count * 1e3:8.2f} ms   rust {rust_count * 1e3:8.2f} ms   "
          f"python/rust time {py_count / rust_count:.3f} (target <= 1.05)   total {total:,}")

    rng = np.random.default_rng(7)
    sorted_ids = np.arange(0, 2 * n, 2, dtype=np.uint32)
    random_ids = rng.permutation(sorted_ids)
    for label, ids in (("sorted", sorted_ids), ("random", random_ids)):
        def load(ids: np.ndarray = ids) -> None:
            lc.Inventory().add_ids("enrolled", ids)

        py_load, rust_load = float("inf"), float("inf")
        for _ in range(repeats):
            py_load = min(py_load, best(1, load))
            r, loaded = _native._bench_rust_add_ids("enrolled", ids, 1)
            assert loaded == n
            rust_load = min(rust_load, r)
        print(f"add_ids {label}  python {py_load * 1e3:8.2f} ms   rust {rust_load * 1e3:8.2f} ms   "
              f"python throughput / rust {rust_load / py_load:.3f} (target >= 0.80)")


if __name__ == "__main__":
    main()

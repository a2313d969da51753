"""Id sets: Roaring portable and ClickHouse bytes, pyroaring, counting from
sets read elsewhere."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyroaring
import pytest

import license_core as lc
from conftest import VECTORS, at

T = at(2026, 11, 23, 2)


def expected_vector_ids() -> list[int]:
    return list(range(0, 100000, 1000)) + [3 * k for k in range(100000, 200000)] + list(range(700000, 800000))


def test_golden_roaring_vectors() -> None:
    for name in ["bitmapwithruns.bin", "bitmapwithoutruns.bin"]:
        data = (VECTORS / "roaring" / name).read_bytes()
        s = lc.IdSet.from_portable(data)
        assert s.to_list() == expected_vector_ids()
        assert lc.IdSet.read(data) == s
    runs = (VECTORS / "roaring" / "bitmapwithruns.bin").read_bytes()
    assert lc.IdSet.from_portable(runs).to_portable() == runs, "same input, same bytes"


def test_idset_value_object_and_formats() -> None:
    s = lc.IdSet(np.array([5, 1, 3, 3], dtype=np.uint32))
    assert len(s) == 3 and list(s) == [1, 3, 5] and 3 in s and 4 not in s and -1 not in s and 2**40 not in s
    assert s == lc.IdSet([1, 3, 5]) and s != lc.IdSet([1])
    assert (s | lc.IdSet([7])).to_list() == [1, 3, 5, 7] and s.union(lc.IdSet()) == s
    assert repr(s) == "IdSet(len=3, ids=[1, 3, 5])"
    assert repr(lc.IdSet(range(20))).endswith(", ...])")
    for data in [s.to_portable(), s.to_portable(runs=False), s.to_clickhouse()]:
        assert lc.IdSet.read(data) == s
    assert lc.IdSet.from_clickhouse(s.to_clickhouse()) == s
    with pytest.raises(lc.CountError):
        lc.IdSet.from_clickhouse(b"\x07")
    with pytest.raises(lc.LicenseError):
        lc.IdSet.read(b"")


def test_pyroaring_round_trip() -> None:
    bm = pyroaring.BitMap(range(0, 1_000_000, 7))
    s = lc.IdSet.from_pyroaring(bm)
    assert len(s) == len(bm) and s.to_pyroaring() == bm
    assert lc.IdSet.from_portable(bm.serialize()) == s
    assert pyroaring.BitMap.deserialize(s.to_portable()) == bm


def test_count_sets_matches_inventory() -> None:
    inv = lc.Inventory.from_records(
        [
            lc.CertificateRecord(1, enrolled=True),
            lc.CertificateRecord(2, enrolled=True, revoked_at=at(2026, 11, 20)),
            lc.CertificateRecord(3, stores=["s"], expires_at=at(2026, 1, 1)),
            lc.CertificateRecord(4, private_key=True),
        ]
    )
    direct = lc.count_sets(
        T,
        {"enrolled": lc.IdSet([1, 2]), "cert_store": lc.IdSet([3]), "private_key": lc.IdSet([4]),
         "revoked_recently": lc.IdSet([2])},
        revoked=lc.IdSet([2]),
        expired=lc.IdSet([3]),
        limit=2,
    )
    assert direct == inv.count(T, limit=2)
    with pytest.raises(lc.InvalidInputError):
        lc.count_sets(T, {"nonsense": lc.IdSet()})


def test_external_sets_from_shards(tmp_path: Path) -> None:
    ext = lc.ExternalSets()
    ext.add("enrolled", lc.IdSet([1, 2, 3]).to_portable())
    ext.add("enrolled", lc.IdSet([3, 4]).to_clickhouse())
    ext.add("revoked", lc.IdSet([4]).to_portable())
    assert ext.shards("enrolled") == 2 and ext.shards("expired") == 0
    c = ext.count(T, limit=10)
    assert c.total == 3 and c["enrolled"] == 3
    assert "enrolled: 2" in repr(ext)
    (tmp_path / "enrolled.0.bin").write_bytes(lc.IdSet([1, 2]).to_portable())
    (tmp_path / "enrolled.1.bin").write_bytes(lc.IdSet([9]).to_clickhouse())
    assert lc.ExternalSets.read_dir(tmp_path).count(T).total == 3
    with pytest.raises(lc.LicenseError):
        ext.add("enrolled", b"\x00\x05")
    with pytest.raises(lc.InvalidInputError):
        lc.count_sets(T, {"revoked": lc.IdSet()})


def test_external_sets_from_inventory_write_dir(tmp_path: Path) -> None:
    inv = lc.Inventory.from_records(
        [lc.CertificateRecord(1, enrolled=True), lc.CertificateRecord(2, stores=["s"], revoked_at=at(2026, 11, 20))]
    )
    ext = lc.ExternalSets.from_inventory(inv, T)
    assert ext.count(T, limit=1) == inv.count(T, limit=1)
    assert ext.union("enrolled") == lc.IdSet([1]) and ext.union("revoked") == lc.IdSet([2])
    for fmt in ("portable", "clickhouse"):
        out = tmp_path / fmt
        out.mkdir()
        paths = ext.write_dir(out, fmt)
        assert paths and all(Path(p).exists() for p in paths)
        assert lc.ExternalSets.read_dir(out).count(T) == inv.count(T)
    with pytest.raises(lc.InvalidInputError):
        ext.write_dir(tmp_path, "csv")


SPARK_EDGES = [0, 1, 2, 8, 9, 32767, 32768, 32769, 65536, 2**32 - 2, 2**32 - 1]


def test_spark_parquet_vector_and_round_trip() -> None:
    # Written by Spark 4.3's bitmap_construct_agg (tests/vectors/spark/README.md).
    data = (VECTORS / "spark" / "edges.snappy.parquet").read_bytes()
    assert lc.IdSet.from_spark_parquet(data).to_list() == SPARK_EDGES
    ids = lc.IdSet(SPARK_EDGES + list(range(100_000, 170_000, 3)))
    written = ids.to_spark_parquet()
    assert lc.IdSet.from_spark_parquet(written) == ids
    assert ids.to_spark_parquet() == written, "deterministic"
    with pytest.raises(lc.FormatError) as e:
        lc.IdSet.from_spark_parquet(data[:-1])
    assert e.value.kind == "parquet_format"


def test_external_sets_from_spark_directories(tmp_path: Path) -> None:
    # set=NAME as partitionBy("set") writes it; a subdirectory is a shard.
    for shard, ids in (("shard=0", [1, 2, 3]), ("shard=1", [3, 4])):
        d = tmp_path / "set=enrolled" / shard
        d.mkdir(parents=True)
        (d / "part-00000.snappy.parquet").write_bytes(lc.IdSet(ids).to_spark_parquet())
        (d / "_SUCCESS").write_bytes(b"")
    (tmp_path / "revoked").mkdir()
    (tmp_path / "revoked" / "part-00000.snappy.parquet").write_bytes(lc.IdSet([4]).to_spark_parquet())
    ext = lc.ExternalSets.read_spark_dir(tmp_path)
    assert ext.shards("enrolled") == 2 and ext.shards("revoked") == 1 and ext.shards("expired") == 0
    assert ext.count(T).total == 3
    one = lc.ExternalSets()
    one.add_spark("enrolled", lc.IdSet([7, 8]).to_spark_parquet())
    assert one.count(T).total == 2
    with pytest.raises(lc.FormatError) as e:
        one.add_spark("enrolled", b"PAR1 but not a file")
    assert e.value.kind == "parquet_format" and one.count(T).total == 2
    with pytest.raises(lc.LicenseError):
        one.add_spark("enroled", lc.IdSet([1]).to_spark_parquet())

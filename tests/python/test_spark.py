"""Spark SQL's bitmap aggregates against `licensectl count --from-spark`.

One SparkSession (pyspark, local[2]) for the module. An inventory from
`licensectl gen-inventory` is loaded into a DataFrame split into three
partitions; Spark SQL computes the nine sets of the count rule as
`bitmap_construct_agg` rows over two overlapping shards and writes them as
Parquet (`partitionBy("set", "shard")`); licensectl counts them, and the
count must equal Spark's own SQL count and `licensectl count --inventory`,
at three instants (one of them exactly 7 days after a revocation). Then the
id edges, and the refusals.

scripts/test runs it with LC_LICENSECTL set and LC_REQUIRE_PEERS=1.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
TARGET = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
VECTORS = ROOT / "tests" / "vectors"
REQUIRED = os.environ.get("LC_REQUIRE_PEERS") == "1"

# The count rule, as Spark SQL over the inventory table, at `{t}`.
LIVE = {
    "enrolled": "enrolled",
    "metadata": "size(metadata) > 0",
    "ssl_endpoint": "ssl_endpoints > 0",
    "cert_store": "size(stores) > 0",
    "private_key": "private_key",
    "collection": "size(collections) > 0",
}
DEAD = {
    "revoked": "revoked_at <= {t}",
    "expired": "expires_at <= {t}",
    "revoked_recently": "revoked_at > {t} - INTERVAL 7 DAYS AND revoked_at <= {t}",
}
# Two overlapping shards: a certificate may be on both.
SHARDS = ["id % 2 = 0 OR id % 5 = 0", "id % 2 = 1 OR id % 5 = 1"]
LIMIT = 5000


def licensectl() -> Path:
    named = os.environ.get("LC_LICENSECTL")
    candidates = [Path(named)] if named else [TARGET / p / "licensectl" for p in ("debug", "release")]
    for exe in candidates:
        if exe.is_file():
            return exe
    if REQUIRED:
        pytest.fail(f"licensectl is required (LC_REQUIRE_PEERS=1) but {candidates[0]} is missing")
    pytest.skip("licensectl not built (cargo build -p licensectl)")


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=False)


def count_json(*args: str | Path) -> dict[str, Any]:
    done = run(licensectl(), "count", *args, "--limit", str(LIMIT), "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def rfc3339(t: dt.datetime) -> str:
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def sql_time(t: dt.datetime) -> str:
    # The session time zone is UTC.
    return f"TIMESTAMP '{t.astimezone(dt.timezone.utc).strftime('%Y-%m-%d %H:%M:%S')}'"


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        if REQUIRED:
            pytest.fail("pyspark is required (LC_REQUIRE_PEERS=1) but not installed")
        pytest.skip("pyspark not installed")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("license-core-spark-test")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def inventory(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20,000 certificates, loaded into Spark as the `certs` view in three
    partitions."""
    path = tmp_path_factory.mktemp("inventory") / "inventory.jsonl"
    done = run(licensectl(), "gen-inventory", "--count", "20000", "--seed", "7", "--out", path, "--now", "2026-11-23T00:00:00Z")
    assert done.returncode == 0, done.stderr
    schema = (
        "id BIGINT, enrolled BOOLEAN, revoked_at TIMESTAMP, expires_at TIMESTAMP, private_key BOOLEAN, "
        "ssl_endpoints INT, stores ARRAY<STRING>, metadata ARRAY<STRING>, collections ARRAY<STRING>"
    )
    df = spark.read.schema(schema).json(str(path))
    df = df.fillna(False, ["enrolled", "private_key"]).fillna(0, ["ssl_endpoints"])
    for column in ("stores", "metadata", "collections"):
        df = df.withColumn(column, spark_coalesce_array(column))
    df = df.repartition(3, "id").cache()
    assert df.rdd.getNumPartitions() == 3
    df.createOrReplaceTempView("certs")
    return path


def spark_coalesce_array(column: str) -> Any:
    from pyspark.sql import functions as F

    return F.coalesce(F.col(column), F.array().cast("array<string>"))


def write_sets(spark: Any, t: dt.datetime, out: Path) -> None:
    """The nine sets as of `t`, per shard, in one Spark job:
    out/set=NAME/shard=K/part-*.parquet of (bucket, bitmap) rows."""
    ts = sql_time(t)
    conditions = {**LIVE, **{k: v.format(t=ts) for k, v in DEAD.items()}}
    sets = ", ".join(f"IF({cond}, '{name}', NULL)" for name, cond in conditions.items())
    shards = ", ".join(f"IF({cond}, {k}, NULL)" for k, cond in enumerate(SHARDS))
    spark.sql(f"""
        SELECT `set`, shard, bitmap_bucket_number(id) AS bucket,
               bitmap_construct_agg(bitmap_bit_position(id)) AS bitmap
        FROM certs
        LATERAL VIEW explode(filter(array({sets}), x -> x IS NOT NULL)) s AS `set`
        LATERAL VIEW explode(filter(array({shards}), x -> x IS NOT NULL)) h AS shard
        GROUP BY `set`, shard, bucket
    """).write.partitionBy("set", "shard").parquet(str(out))


def spark_count(spark: Any, t: dt.datetime) -> dict[str, int]:
    """Spark's own count of the rule at `t`, straight from the rows."""
    ts = sql_time(t)
    live = " OR ".join(f"({c})" for c in LIVE.values())
    revoked, expired, recent = (DEAD[k].format(t=ts) for k in ("revoked", "expired", "revoked_recently"))
    dead = f"(coalesce({revoked}, false) OR coalesce({expired}, false))"
    categories = ", ".join(
        f"count_if(({c}) AND NOT {dead}) AS {name}" for name, c in LIVE.items()
    )
    row = spark.sql(f"""
        SELECT count_if((({live}) AND NOT {dead}) OR (coalesce({recent}, false) AND NOT coalesce({expired}, false))) AS total,
               count_if(coalesce({recent}, false) AND NOT coalesce({expired}, false)) AS revoked_recently,
               {categories}
        FROM certs
    """).collect()[0]
    return row.asDict()


def test_spark_sets_count_as_spark_sql_and_the_inventory(spark: Any, inventory: Path, tmp_path: Path) -> None:
    # A revocation that is not expired a week later: at exactly 7 days it
    # has just left "revoked within the previous week", a second before it
    # is still in.
    row = spark.sql("""
        SELECT CAST(revoked_at AS BIGINT) AS revoked_at FROM certs
        WHERE revoked_at IS NOT NULL AND (expires_at IS NULL OR expires_at > revoked_at + INTERVAL 8 DAYS)
        ORDER BY revoked_at DESC, id LIMIT 1
    """).collect()[0]
    revoked_at = dt.datetime.fromtimestamp(row.revoked_at, dt.timezone.utc)
    week_after = revoked_at + dt.timedelta(days=7)
    instants = [dt.datetime(2026, 11, 23, 2, tzinfo=dt.timezone.utc), week_after, week_after - dt.timedelta(seconds=1)]
    recent = []
    for i, t in enumerate(instants):
        out = tmp_path / f"sets{i}"
        write_sets(spark, t, out)
        # Spark's layout: set=NAME/shard=K/, each with part files and markers.
        assert (out / "set=enrolled" / "shard=0").is_dir() and (out / "set=enrolled" / "shard=1").is_dir()
        from_spark = count_json("--from-spark", out, "--at", rfc3339(t))
        from_inventory = count_json("--inventory", inventory, "--at", rfc3339(t))
        sql = spark_count(spark, t)
        assert from_spark == from_inventory, rfc3339(t)
        assert from_spark["total"] == sql["total"], (rfc3339(t), from_spark["total"], sql)
        for name in (*LIVE, "revoked_recently"):
            assert from_spark["categories"][name] == sql[name], (rfc3339(t), name)
        # The shards overlap: adding their own totals would overcount.
        shard_totals = 0
        for k in (0, 1):
            one = tmp_path / f"sets{i}-shard{k}"
            for set_dir in out.glob("set=*"):
                if (set_dir / f"shard={k}").is_dir():
                    (one / set_dir.name).mkdir(parents=True)
                    (one / set_dir.name / "only").symlink_to(set_dir / f"shard={k}")
            shard_totals += count_json("--from-spark", one, "--at", rfc3339(t))["total"]
        assert shard_totals > from_spark["total"]
        recent.append(from_spark["categories"]["revoked_recently"])
        print(f"{rfc3339(t)}: licensectl --from-spark {from_spark['total']}, Spark SQL {sql['total']}, "
              f"--inventory {from_inventory['total']}, naive sum of shard totals {shard_totals}")
    # The boundary: the revocation counts a second before 7 days, not at 7 days.
    assert recent[2] == recent[1] + 1


EDGES = [0, 1, 2, 8, 9, 32767, 32768, 32769, 65536, 2**32 - 2, 2**32 - 1]


def bucket_rows(df: Any) -> list[tuple[int, bytes]]:
    return sorted((r.bucket, bytes(r.bitmap)) for r in df.collect())


def test_id_edges_round_trip(spark: Any, tmp_path: Path) -> None:
    ids = spark.createDataFrame([(i,) for i in EDGES], "id BIGINT")
    ids.createOrReplaceTempView("edges")
    rows = spark.sql(
        "SELECT bitmap_bucket_number(id) AS bucket, bitmap_construct_agg(bitmap_bit_position(id)) AS bitmap FROM edges GROUP BY 1"
    )
    rows.write.parquet(str(tmp_path / "set=enrolled"))
    # Spark writes the rows of the committed vector again.
    assert bucket_rows(rows) == bucket_rows(spark.read.parquet(str(VECTORS / "spark" / "edges.snappy.parquet")))
    assert [b for b, _ in bucket_rows(rows)] == [0, 1, 2, 131072]
    # licensectl reads them as the 11 ids (site license: every id counts).
    done = run(licensectl(), "count", "--from-spark", tmp_path, "--at", "2026-11-23T02:00:00Z", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["categories"]["enrolled"] == len(EDGES)
    # bitmap_or_agg over Spark's rows and their copy gives the same bytes:
    # the merge is an OR per bucket.
    from pyspark.sql import functions as F

    both = rows.union(rows).groupBy("bucket").agg(F.expr("bitmap_or_agg(bitmap)").alias("bitmap"))
    assert bucket_rows(both) == bucket_rows(rows)
    # Two shards of the same rows count once.
    rows.write.parquet(str(tmp_path / "set=enrolled" / "shard=copy"))
    done = run(licensectl(), "count", "--from-spark", tmp_path, "--at", "2026-11-23T02:00:00Z", "--json")
    assert json.loads(done.stdout)["categories"]["enrolled"] == len(EDGES)


@pytest.mark.parametrize(
    ("select", "kind"),
    [
        ("CAST(bitmap_bucket_number(id) AS INT) AS bucket, bitmap_construct_agg(bitmap_bit_position(id)) AS bitmap", "spark_schema"),
        ("bitmap_bucket_number(id) AS bucket, hex(bitmap_construct_agg(bitmap_bit_position(id))) AS bitmap", "spark_schema"),
        ("bitmap_bucket_number(id) AS bucket, substring(bitmap_construct_agg(bitmap_bit_position(id)), 1, 100) AS bitmap", "spark_bitmap_size"),
        ("bitmap_bucket_number(id) - 200000 AS bucket, bitmap_construct_agg(bitmap_bit_position(id)) AS bitmap", "spark_bucket"),
        (None, "parquet_format"),
    ],
    ids=["int-bucket", "string-bitmap", "short-bitmap", "negative-bucket", "not-parquet"],
)
def test_refusals_name_their_kind(spark: Any, tmp_path: Path, select: str | None, kind: str) -> None:
    out = tmp_path / "expired"
    if select is None:
        out.mkdir()
        (out / "part-00000.snappy.parquet").write_bytes(b"PAR1" + bytes(100) + b"PAR1")
    else:
        spark.createDataFrame([(i,) for i in (1, 2, 40000)], "id BIGINT").createOrReplaceTempView("few")
        spark.sql(f"SELECT {select} FROM few GROUP BY 1").write.parquet(str(out))
    done = run(licensectl(), "count", "--from-spark", tmp_path, "--at", "2026-11-23T02:00:00Z")
    assert done.returncode != 0
    assert f"[{kind}]" in done.stderr, done.stderr

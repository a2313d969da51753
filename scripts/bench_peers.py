"""The peer side of scripts/bench-peers: the actioned-certificate count of
one inventory file by DuckDB and by ClickHouse (chdb), each as one SQL query
over the JSON Lines file itself, and the table of the measured runs.

usage:
  bench_peers.py duckdb|clickhouse INVENTORY.jsonl AT [EXCLUDED_FIELD...]
      prints {"total": N, "engine": "DuckDB 2.0.1"}: the count at AT (RFC 3339)
      with the metadata fields EXCLUDED_FIELD not counting, every collection
      referenced (licensectl's default)
  bench_peers.py time OUT COMMAND...
      runs COMMAND and writes "WALL_SECONDS PEAK_KIB" to OUT, like
      /usr/bin/time -f '%e %M' -o OUT (used where GNU time is missing)
  bench_peers.py report [--json] RESULTS [KEY=VALUE...]
      prints the table (and with --json one JSON line, with the KEY=VALUE
      facts about the run) from RESULTS, one
      run a line: ROLE<TAB>NAME<TAB>TIME_FILE<TAB>OUTPUT_FILE, where ROLE is
      licensectl, duckdb, clickhouse, import or snapshot, TIME_FILE holds
      "WALL_SECONDS PEAK_KIB" and OUTPUT_FILE the run's JSON (with "total",
      and "engine" naming the tool) or is "-"; exits 1 if the totals differ

The rule is the one license_core::actioned documents: with C the
union of the six live categories, R revoked (revoked_at <= t), E expired
(expires_at <= t) and RW revoked within the week (t - 7 days < revoked_at
<= t), total = |C \\ (R u E)| + |RW \\ E|. Ids are unique in a valid file, so
counting rows counts certificates. The conditions are those of
tests/python/chdb_shards.py plus the metadata exclusion.
"""
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone


def instants(at: str) -> tuple[str, str]:
    """AT and AT - 7 days as 'YYYY-MM-DD HH:MM:SS' in UTC."""
    t = datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(timezone.utc)
    fmt = "%Y-%m-%d %H:%M:%S"
    return t.strftime(fmt), (t - timedelta(days=7)).strftime(fmt)


def sql_string(s: str) -> str:
    """A single-quoted SQL string literal (both engines double the quote)."""
    return "'" + s.replace("\\", "\\\\").replace("'", "''") + "'"


def duckdb_total(inventory: str, at: str, excluded: list[str]) -> dict[str, object]:
    import duckdb

    t, week_ago = instants(at)
    T = f"TIMESTAMPTZ '{t}+00'"
    W = f"TIMESTAMPTZ '{week_ago}+00'"
    if excluded:
        names = ", ".join(sql_string(f) for f in excluded)
        metadata = f"len(list_filter(metadata, lambda f: NOT list_contains([{names}], f))) > 0"
    else:
        metadata = "len(metadata) > 0"
    # A key left out of a line is NULL here; coalesce gives the defaults of
    # docs/FORMATS.md (false, 0, no names, no time).
    query = f"""
    WITH c AS (
      SELECT coalesce(enrolled, false)
          OR coalesce(private_key, false)
          OR coalesce(ssl_endpoints, 0) > 0
          OR coalesce(len(stores), 0) > 0
          OR coalesce({metadata}, false)
          OR coalesce(len(collections), 0) > 0 AS live,
        coalesce(revoked_at <= {T}, false) AS revoked,
        coalesce(expires_at <= {T}, false) AS expired,
        coalesce(revoked_at > {W} AND revoked_at <= {T}, false) AS revoked_recently
      FROM read_json({sql_string(inventory)}, format = 'newline_delimited',
        columns = {{id: 'UINTEGER', enrolled: 'BOOLEAN', revoked_at: 'TIMESTAMPTZ',
                    expires_at: 'TIMESTAMPTZ', private_key: 'BOOLEAN', ssl_endpoints: 'UINTEGER',
                    stores: 'VARCHAR[]', metadata: 'VARCHAR[]', collections: 'VARCHAR[]'}})
    )
    SELECT count(*) FILTER (WHERE live AND NOT revoked AND NOT expired)
         + count(*) FILTER (WHERE revoked_recently AND NOT expired)
    FROM c
    """
    rows = duckdb.sql(query).fetchall()
    return {"total": int(rows[0][0]), "engine": f"DuckDB {duckdb.__version__}"}


def clickhouse_total(inventory: str, at: str, excluded: list[str]) -> dict[str, object]:
    import chdb

    t, _ = instants(at)
    T = f"toDateTime('{t}', 'UTC')"
    if excluded:
        names = ", ".join(sql_string(f) for f in excluded)
        metadata = f"notEmpty(arrayFilter(f -> NOT has([{names}], f), metadata))"
    else:
        metadata = "notEmpty(metadata)"
    # The schema of chdb_shards.py: a key left out of a line takes the
    # column's default (false, 0, [], NULL for the times).
    query = f"""
    SELECT countIf(live AND NOT revoked AND NOT expired) + countIf(revoked_recently AND NOT expired)
    FROM (
      SELECT enrolled OR private_key OR ssl_endpoints > 0 OR notEmpty(stores) OR {metadata}
          OR notEmpty(collections) AS live,
        ifNull(revoked_at <= {T}, false) AS revoked,
        ifNull(expires_at <= {T}, false) AS expired,
        ifNull(revoked_at > {T} - INTERVAL 7 DAY AND revoked_at <= {T}, false) AS revoked_recently
      FROM file({sql_string(inventory)}, JSONEachRow,
        'id UInt32, enrolled Bool, revoked_at Nullable(DateTime(\\'UTC\\')), expires_at Nullable(DateTime(\\'UTC\\')),
         private_key Bool, ssl_endpoints UInt32, stores Array(String), metadata Array(String), collections Array(String)')
    )
    SETTINGS date_time_input_format = 'best_effort'
    """
    total = int(chdb.query(query, "CSV").bytes().decode().strip())
    return {"total": total, "engine": f"ClickHouse (chdb {chdb.__version__})"}


def timed(out: str, command: list[str]) -> int:
    """Runs COMMAND, writes its wall seconds and peak resident KiB to OUT."""
    started = time.perf_counter()
    child = subprocess.Popen(command)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    with open(out, "w") as f:
        # ru_maxrss is in KiB on Linux, as GNU time's %M.
        f.write(f"{wall:.2f} {usage.ru_maxrss}\n")
    return os.waitstatus_to_exitcode(status)


def fact_value(text: str) -> object:
    """A number stays a number in the JSON line, anything else is a string."""
    try:
        return json.loads(text) if text.lstrip("-").isdigit() else text
    except ValueError:
        return text


def report(results: str, as_json: bool, facts: dict[str, str]) -> int:
    runs = []
    with open(results) as f:
        for line in f:
            role, name, time_file, out_file = line.rstrip("\n").split("\t")
            with open(time_file) as t:
                wall, kib = t.read().split()
            total = None
            if out_file != "-":
                with open(out_file) as o:
                    out = json.load(o)
                total = int(out["total"])
                name = out.get("engine", name)
            runs.append({"role": role, "tool": name, "wall_s": float(wall),
                         "peak_mb": round(int(kib) * 1024 / 1e6, 1), "total": total})
    width = max(len(r["tool"]) for r in runs)
    print(f"{'tool':<{width}}  {'wall s':>8}  {'peak MB':>8}  {'total':>12}")
    for r in runs:
        total = "-" if r["total"] is None else f"{r['total']:,}"
        print(f"{r['tool']:<{width}}  {r['wall_s']:>8.2f}  {r['peak_mb']:>8.1f}  {total:>12}")
    by_role = {r["role"]: r for r in runs}
    ratios = {}
    for mine in ("licensectl", "snapshot"):
        for peer in ("duckdb", "clickhouse"):
            if mine in by_role and peer in by_role:
                a, b = by_role[mine], by_role[peer]
                label = f"{mine}/{peer}"
                ratios[label] = round(a["wall_s"] / b["wall_s"], 3) if b["wall_s"] > 0 else None
                target = " (target <= 0.33)" if (mine, peer) == ("licensectl", "duckdb") else ""
                shown = "n/a" if ratios[label] is None else f"{ratios[label]:.2f}"
                print(f"wall time {label}: {shown}{target}")
    totals = {r["total"] for r in runs if r["total"] is not None}
    agree = len(totals) == 1
    if as_json:
        print(json.dumps({**facts, "runs": runs, "wall_ratios": ratios, "totals_agree": agree}))
    if not agree:
        print(f"the totals differ: {sorted(totals)}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str]) -> int:
    if len(argv) >= 3 and argv[0] in ("duckdb", "clickhouse"):
        count = duckdb_total if argv[0] == "duckdb" else clickhouse_total
        print(json.dumps(count(argv[1], argv[2], argv[3:])))
        return 0
    if len(argv) >= 3 and argv[0] == "time":
        return timed(argv[1], argv[2:])
    if argv[:1] == ["report"]:
        as_json = argv[1:2] == ["--json"]
        rest = argv[2 if as_json else 1 :]
        if rest and all("=" in fact for fact in rest[1:]):
            return report(rest[0], as_json, {k: fact_value(v) for k, v in (f.split("=", 1) for f in rest[1:])})
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

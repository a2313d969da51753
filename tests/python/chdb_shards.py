"""ClickHouse (chdb) side of the sharded-count cross-check.

Loads an inventory (JSON Lines, the licensectl format) into a table, splits
it over four overlapping shards, and for every shard writes each of the nine
id sets of the count rule as a groupBitmap state in RowBinary:
OUT/SET.shardK.bin. Then prints, as JSON, ClickHouse's own count over the
whole table (the pure-SQL reference), the sum of per-shard totals (what a
naive merge would report) and every set's cardinality.

usage: chdb_shards.py INVENTORY.jsonl OUT_DIR AT(YYYY-MM-DD HH:MM:SS) WIDTH(32|64)
"""
import json
import os
import sys

from chdb import session

inventory, out, at, width = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
s = session.Session()
s.query("CREATE DATABASE IF NOT EXISTS lc")
# UInt64 ids are spread over many 2^32 buckets by an injective map.
id_expr = "toUInt32(id)" if width == 32 else "toUInt64(id) * 4294967311"
s.query(f"""
CREATE TABLE lc.certificates ENGINE = MergeTree ORDER BY id AS
SELECT {id_expr} AS id, enrolled, revoked_at, expires_at, private_key, ssl_endpoints, stores, metadata, collections,
       toUInt32(id) AS raw_id
FROM file('{inventory}', JSONEachRow,
  'id UInt32, enrolled Bool, revoked_at Nullable(DateTime(\\'UTC\\')), expires_at Nullable(DateTime(\\'UTC\\')),
   private_key Bool, ssl_endpoints UInt32, stores Array(String), metadata Array(String), collections Array(String)')
SETTINGS date_time_input_format = 'best_effort'
""")

T = f"toDateTime('{at}', 'UTC')"
SETS = {
    "enrolled": "enrolled",
    "metadata": "notEmpty(metadata)",
    "ssl_endpoint": "ssl_endpoints > 0",
    "cert_store": "notEmpty(stores)",
    "private_key": "private_key",
    "collection": "notEmpty(collections)",
    "revoked": f"revoked_at <= {T}",
    "expired": f"expires_at <= {T}",
    "revoked_recently": f"revoked_at > {T} - INTERVAL 7 DAY AND revoked_at <= {T}",
}
# Four overlapping shards: a certificate can be on two of them.
SHARDS = [f"(raw_id % 4 = {k} OR raw_id % 7 = {k})" for k in range(4)]

os.makedirs(out, exist_ok=True)
for k, shard in enumerate(SHARDS):
    for name, cond in SETS.items():
        state = s.query(
            f"SELECT groupBitmapStateIf(id, {cond}) FROM lc.certificates WHERE {shard}", "RowBinary"
        ).bytes()
        with open(os.path.join(out, f"{name}.shard{k}.bin"), "wb") as f:
            f.write(state)

states = ", ".join(f"groupBitmapStateIf(id, {cond}) AS {name}" for name, cond in SETS.items())
live = "bitmapOr(bitmapOr(bitmapOr(enrolled, metadata), bitmapOr(ssl_endpoint, cert_store)), bitmapOr(private_key, collection))"
total_sql = (
    f"bitmapCardinality(bitmapAndnot({live}, bitmapOr(revoked, expired)))"
    f" + bitmapCardinality(bitmapAndnot(revoked_recently, expired))"
)
def total(where):
    q = f"SELECT {total_sql} FROM (SELECT {states} FROM lc.certificates WHERE {where})"
    return int(s.query(q, "CSV").bytes().decode().strip())

cardinalities = {
    name: int(s.query(f"SELECT countIf({cond}) FROM lc.certificates", "CSV").bytes().decode().strip())
    for name, cond in SETS.items()
}
print(json.dumps({
    "total": total("1"),
    "sum_of_shard_totals": sum(total(shard) for shard in SHARDS),
    "cardinalities": cardinalities,
}))

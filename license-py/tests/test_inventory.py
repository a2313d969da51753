"""Inventory: records, events, JSON Lines, snapshots, bulk loads, counts,
schedule and history."""

from __future__ import annotations

import array
import datetime as dt
import json
import pathlib
import struct
import threading

import numpy as np
import pytest

import license_core as lc
from conftest import VECTORS, at

T = at(2026, 11, 23, 2)


def small() -> lc.Inventory:
    return lc.Inventory.from_records(
        [
            lc.CertificateRecord(1, enrolled=True),
            lc.CertificateRecord(2, stores=["iis-prod-1"], revoked_at=at(2026, 11, 20, 10)),
            lc.CertificateRecord(3, metadata=["Owner", "Notes"], expires_at=at(2027)),
            lc.CertificateRecord(4, collections=["expiring"], ssl_endpoints=2),
            lc.CertificateRecord(5, private_key=True, expires_at=at(2026, 1, 1)),
            lc.CertificateRecord(6, collections=["archive"]),
        ]
    )


def test_record_value_object() -> None:
    r = lc.CertificateRecord(17, enrolled=True, revoked_at=at(2026, 11, 20, 10), stores=["iis-prod-1"], ssl_endpoints=3)
    assert (r.id, r.enrolled, r.private_key, r.ssl_endpoints) == (17, True, False, 3)
    assert r.revoked_at == at(2026, 11, 20, 10) and r.expires_at is None
    assert (r.stores, r.metadata, r.collections) == (["iis-prod-1"], [], [])
    assert lc.CertificateRecord.from_json(r.to_json()) == r
    assert r != lc.CertificateRecord(17)
    assert "CertificateRecord.from_json(" in repr(r)
    with pytest.raises(lc.CountError):
        lc.CertificateRecord(1, stores=[""])
    with pytest.raises(lc.CountError):
        lc.CertificateRecord.from_json('{"id": 1, "colour": "red"}')
    with pytest.raises(OverflowError):
        lc.CertificateRecord(-1)


def test_count_and_breakdown() -> None:
    inv = small()
    c = inv.count(T, limit=3)
    assert c.total == 5  # 1, 3, 4, 6 live; 2 revoked this week; 5 expired
    assert list(c.categories) == lc.CATEGORIES
    assert c.categories["enrolled"] == 1 and c["revoked_recently"] == 1 and c["cert_store"] == 0
    assert (c.limit, c.over_by) == (3, 2)
    assert len(c.alerts) == 1 and c.alerts[0].severity == "warning" and c.alerts[0].kind == "actioned_over_limit"
    assert c.alerts[0].data["over_by"] == 2 and "over" in str(c.alerts[0]) and "Alert(" in repr(c.alerts[0])
    assert c.as_of == T and "total (each once)" in str(c) and c.to_table() == str(c)
    assert lc.ActionedCount.from_json(c.to_json()) == c
    assert repr(c) == "ActionedCount(as_of='2026-11-23T02:00:00Z', total=5, limit=3, alerts=1)"
    with pytest.raises(KeyError):
        c["nonsense"]
    site = inv.count(T)
    assert site.limit is None and site.over_by is None and site.alerts == []
    # Configuration at count time: excluded metadata, referenced collections.
    cfg = inv.count(T, excluded_metadata=["Owner", "Notes"], referenced_collections=["expiring"])
    assert cfg.total == 3 and cfg["metadata"] == 0 and cfg["collection"] == 1
    week_later = inv.count(at(2026, 11, 27, 10))
    assert week_later["revoked_recently"] == 0


def test_no_collection_referenced() -> None:
    """`referenced_collections=[]`: no alert or workflow references a
    collection, so membership makes nothing actioned (`None`: every one does)."""
    inv = lc.Inventory.from_jsonl((VECTORS / "inventory" / "small.jsonl").read_bytes())
    when = at(2026, 11, 20)
    every = inv.count(when)
    assert (every.total, every["collection"]) == (9, 2)
    none = inv.count(when, referenced_collections=[])
    assert (none.total, none["collection"]) == (7, 0)
    assert inv.explain(9, when, referenced_collections=[])[0] is False
    assert inv.explain(9, when)[0] is True
    sets = lc.ExternalSets.from_inventory(inv, when, referenced_collections=[])
    assert sets.count(when).total == 7


def test_explain_record_names_len() -> None:
    inv = small()
    actioned, counted, text = inv.explain(2, T)
    assert actioned and counted == ["revoked_recently"] and "revoked" in text
    assert not inv.explain(5, T)[0]
    with pytest.raises(lc.CountError):
        inv.explain(99, T)
    assert inv.record(4) == lc.CertificateRecord(4, collections=["expiring"], ssl_endpoints=2)
    assert inv.record(99) is None
    assert inv.names() == (["iis-prod-1"], ["Notes", "Owner"], ["archive", "expiring"])
    assert len(inv) == 6 and 3 in inv and 7 not in inv
    assert inv.ids().to_list() == [1, 2, 3, 4, 5, 6]
    assert repr(inv) == "Inventory(certificates=6, stores=1, metadata=2, collections=2)"


def test_events_all_or_nothing() -> None:
    inv = small()
    inv.apply(lc.Event("added_to_store", 1, name="iis-prod-2"))
    inv.apply(lc.Event("revoked", 1, at=at(2026, 11, 22)))
    assert inv.count(T)["revoked_recently"] == 2
    snap = inv.to_snapshot()
    batch = [lc.Event("enrolled", 10), lc.Event("deleted", 99)]
    with pytest.raises(lc.CountError) as e:
        inv.apply_all(batch)
    assert e.value.kind == "unknown_certificate" and "event 2" in str(e.value)
    assert inv.to_snapshot() == snap, "a failed batch changes nothing"
    inv.apply_all([lc.Event("enrolled", 10), lc.Event("expiry_set", 10, expires_at=None), lc.Event("deleted", 10)])
    assert 10 not in inv
    ev = lc.Event("metadata_set", 3, name="Owner")
    assert (ev.kind, ev.id) == ("metadata_set", 3)
    assert lc.Event.from_json(ev.to_json()) == ev and json.loads(ev.to_json())["field"] == "Owner"
    assert "Event.from_json(" in repr(ev)
    with pytest.raises(lc.InvalidInputError):
        lc.Event("added_to_store", 1)
    with pytest.raises(lc.InvalidInputError):
        lc.Event("exploded", 1)
    with pytest.raises(lc.CountError):
        lc.Event.from_json('{"event": "enrolled"}')
    kinds = ["removed_from_store", "metadata_cleared", "private_key_stored", "private_key_deleted",
             "endpoint_monitoring_on", "endpoint_monitoring_off", "added_to_collection", "removed_from_collection"]
    for k in kinds:
        inv.apply(lc.Event(k, 4, name="x") if "store" in k or "metadata" in k or "collection" in k else lc.Event(k, 4))


def test_distinct_names_are_limited() -> None:
    text = "".join(f'{{"id": {i}, "stores": ["s{i}"]}}\n' for i in range(4))
    with pytest.raises(lc.CountError) as e:
        lc.Inventory.from_jsonl(text, max_stores=3)
    assert e.value.kind == "too_many_names"
    inv = lc.Inventory.from_jsonl(text, max_stores=4, max_metadata_fields=0, max_collections=0)
    assert len(inv) == 4
    snap = inv.to_snapshot()
    with pytest.raises(lc.CountError) as e:
        lc.Inventory.from_snapshot(snap, max_stores=3)
    assert e.value.kind == "too_many_names"
    assert lc.Inventory.from_snapshot(snap).to_snapshot() == snap


def full_runs(chunks: int) -> bytes:
    """Portable bytes of the first `chunks` whole 2^16-id chunks, each one
    run (14 bytes claiming 65,536 ids)."""
    head = struct.pack("<I", 12347 | (chunks - 1) << 16) + b"\xff" * (chunks // 8)
    desc = b"".join(struct.pack("<HH", k, 65535) for k in range(chunks))
    start = len(head) + 8 * chunks
    offsets = b"".join(struct.pack("<I", start + 6 * k) for k in range(chunks))
    return head + desc + offsets + struct.pack("<HHH", 1, 0, 65535) * chunks


def test_every_u32_id_in_0_9_mb_reads_without_expanding() -> None:
    data = full_runs(1 << 16)
    assert len(data) < 1_000_000
    ids = lc.IdSet.from_portable(data)
    assert len(ids) == 1 << 32
    assert ids.to_portable() == data


def test_jsonl_and_snapshot_round_trip() -> None:
    inv = small()
    text = inv.to_jsonl()
    assert text.count("\n") == 6
    again = lc.Inventory.from_jsonl(text)
    assert again.to_snapshot() == inv.to_snapshot()
    assert lc.Inventory.from_jsonl(text.encode()).count(T) == inv.count(T)
    snap = inv.to_snapshot()
    assert lc.Inventory.from_snapshot(snap).count(T, limit=3) == inv.count(T, limit=3)
    for threads in (1, 2, 3):
        assert lc.Inventory.from_snapshot(snap, threads=threads).to_snapshot() == snap
    with pytest.raises(lc.FormatError) as f:
        lc.Inventory.from_snapshot(snap[:-3])
    assert f.value.kind == "truncated"
    with pytest.raises(lc.CountError) as e:
        lc.Inventory.from_snapshot(b"NOTASNAP" + snap[8:])
    assert e.value.kind == "snapshot_format"
    more = lc.Inventory()
    more.extend_from_jsonl('{"id": 100, "enrolled": true}\n')
    with pytest.raises(lc.CountError):
        more.extend_from_jsonl('{"id": 101}\n{"id": "x"}\n')
    assert len(more) == 1
    more.merge(inv)
    assert len(more) == 7
    with pytest.raises(lc.CountError):
        more.merge(inv)
    m = lc.Inventory()
    m.insert(lc.CertificateRecord(1))
    with pytest.raises(lc.CountError):
        m.insert(lc.CertificateRecord(1))
    m.insert_records([lc.CertificateRecord(2), lc.CertificateRecord(3)])
    assert len(m) == 3


def test_add_ids_buffer_types() -> None:
    inv = lc.Inventory()
    inv.add_ids("enrolled", np.arange(0, 1000, dtype=np.uint32))
    inv.add_ids("store:iis", array.array("I", [5, 2000, 2001]))
    inv.add_ids("metadata:Owner", memoryview(np.array([3000, 3001], dtype=np.uint32).tobytes()).cast("I"))
    inv.add_ids("collection:c", [4000, 4000, 4001])  # iterable fallback, repeats allowed
    inv.add_ids("private_key", (i for i in range(4000, 4003)))
    inv.add_ids("ssl_endpoint", np.arange(10, dtype=np.uint32)[::2])  # strided, non-contiguous
    inv.add_ids("enrolled", np.array([], dtype=np.uint32))
    # An unaligned view (offset 1) is copied rather than read in place.
    raw = bytearray(1) + np.array([7000, 7001], dtype=np.uint32).tobytes()
    inv.add_ids("enrolled", memoryview(raw)[1:].cast("I"))
    assert len(inv) == 1000 + 2 + 2 + 3 + 2 and 7001 in inv
    c = inv.count(T)
    assert (c["enrolled"], c["cert_store"], c["metadata"], c["collection"], c["private_key"], c["ssl_endpoint"]) == (
        1002, 3, 2, 2, 3, 5)
    assert inv.record(5) == lc.CertificateRecord(5, enrolled=True, stores=["iis"])


@pytest.mark.parametrize(
    "bad",
    [
        np.arange(3, dtype=np.uint64),
        np.arange(3, dtype=np.int32),
        np.arange(3, dtype=np.uint16),
        np.arange(3, dtype=np.float32),
        array.array("H", [1, 2]),
        array.array("i", [1, 2]),
        b"\x01\x00\x00\x00",
        bytearray(8),
        memoryview(b"\x01\x00\x00\x00"),
        "1234",
    ],
)
def test_add_ids_wrong_item_type_is_type_error(bad: object) -> None:
    inv = lc.Inventory()
    with pytest.raises(TypeError):
        inv.add_ids("enrolled", bad)  # type: ignore[arg-type]
    assert len(inv) == 0


def test_add_ids_bad_values_and_groups() -> None:
    inv = lc.Inventory()
    with pytest.raises(OverflowError):
        inv.add_ids("enrolled", [1, -1])
    with pytest.raises(OverflowError):
        inv.add_ids("enrolled", [2**32])
    with pytest.raises(lc.InvalidInputError):
        inv.add_ids("revoked", [1])
    with pytest.raises(lc.CountError):
        inv.add_ids("store:", [1])
    assert len(inv) == 0


def test_counts_from_several_threads() -> None:
    # Counts run with the GIL released; concurrent callers get exact results.
    inv = lc.Inventory()
    inv.add_ids("enrolled", np.arange(0, 3_000_000, 3, dtype=np.uint32))
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(inv.count(T).total)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [1_000_000] * 4


def test_schedule_and_history() -> None:
    s = lc.CountSchedule()
    assert (s.hour, s.minute) == (2, 0) and s == lc.CountSchedule(2, 0) and repr(s) == "CountSchedule(hour=2, minute=0)"
    assert s.next_after(at(2026, 11, 23, 1)) == at(2026, 11, 23, 2)
    assert s.next_after(at(2026, 11, 23, 2)) == at(2026, 11, 24, 2)
    with pytest.raises(lc.InvalidInputError):
        lc.CountSchedule(24, 0)
    inv = small()
    h = lc.CountHistory()
    for day in range(1, 6):
        inv.add_ids("enrolled", [1000 + day])
        h.push(inv.count(at(2026, 11, day, 2), limit=8))
    assert len(h) == 5 and h.counts()[-1].total - h.counts()[0].total == 4
    trend = h.trend(5)
    assert trend is not None and trend[0] == pytest.approx(1.0)
    assert trend[1] is not None and isinstance(trend[1], dt.datetime)
    with pytest.raises(lc.LicenseError):
        h.push(inv.count(at(2026, 10, 1), limit=8))
    assert lc.CountHistory.from_json(h.to_json()).counts() == h.counts()
    assert repr(h) == "CountHistory(counts=5)"


def test_a_jsonl_file_reads_as_its_bytes(tmp_path: pathlib.Path) -> None:
    text = "".join(
        f'{{"id": {i}, "stores": ["s{i % 3}"], "expires_at": "2027-01-0{1 + i % 9}T00:00:00Z"}}\n'
        for i in range(5000)
    ) + "\n"
    path = tmp_path / "inv.jsonl"
    path.write_text(text)
    want = lc.Inventory.from_jsonl(text).to_snapshot()
    for threads in (0, 1, 3):
        assert lc.Inventory.from_jsonl_file(path, threads=threads).to_snapshot() == want
        assert lc.Inventory.from_jsonl_file(str(path), threads=threads).to_snapshot() == want
    # The limits and the first bad line, as from bytes.
    with pytest.raises(lc.CountError) as e:
        lc.Inventory.from_jsonl_file(path, max_stores=2)
    assert e.value.kind == "too_many_names"
    path.write_text(text.replace('{"id": 4000,', '{"id": 4000, "colour": 1,', 1))
    with pytest.raises(lc.CountError) as bad:
        lc.Inventory.from_jsonl_file(path)
    assert bad.value.kind == "invalid_record" and "line 4001" in str(bad.value)
    with pytest.raises(lc.LicenseIOError) as missing:
        lc.Inventory.from_jsonl_file(tmp_path / "absent.jsonl")
    assert missing.value.kind == "io" and "absent.jsonl" in str(missing.value)

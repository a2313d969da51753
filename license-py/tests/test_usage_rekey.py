"""The vendor's usage ledger binds an instance to the key that signed its
first log; another key is refused until the ledger is rekeyed."""

from __future__ import annotations

from pathlib import Path

import pytest

import license_core as lc
from conftest import at


def _signed_logs(tmp_path: Path, license_: lc.License, vendor_key: lc.SigningKey, trusted: lc.TrustedKeys,
                 keys: list[lc.SigningKey]) -> list[lc.UsageLog]:
    """One log per key, each carrying one new count, verified by a vendor
    who trusts every key."""
    store = lc.LicenseStore(tmp_path, trusted, "certmgr")
    store.commit(store.stage(license_.sign(vendor_key), at(2026, 2)))
    inv = lc.Inventory()
    inv.add_ids("enrolled", range(10))
    inst = lc.UsageInstance("srv-eu-01", "EU primary", "Frankfurt", "4.2.0", "v1;mid=x")
    everyone = lc.TrustedKeys([k.verifying_key for k in keys])
    logs: list[lc.UsageLog] = []
    for day, key in enumerate(keys, start=1):
        count = inv.count(at(2026, 3, day, 2), limit=5000)
        store.record_count(count)
        log = store.usage_log(at(2026, 3, day, 3), inst, count)
        logs.append(lc.UsageLog.from_signed_xml(log.sign(key), everyone))
        store.mark_logged(log)
    return logs


def test_another_key_is_refused_until_rekey(tmp_path: Path, license_: lc.License, vendor_key: lc.SigningKey,
                                            other_key: lc.SigningKey, trusted: lc.TrustedKeys) -> None:
    first, second = _signed_logs(tmp_path, license_, vendor_key, trusted, [other_key, vendor_key])
    ledger = lc.UsageLedger()
    assert ledger.key_id("srv-eu-01") is None
    ledger.accept(first)
    assert ledger.key_id("srv-eu-01") == other_key.key_id
    with pytest.raises(lc.StoreError) as e:
        ledger.accept(second)
    assert e.value.kind == "usage_log_wrong_key" and e.value.code == 425
    # The binding survives the JSON form.
    ledger = lc.UsageLedger.from_json(ledger.to_json())
    with pytest.raises(lc.StoreError):
        ledger.accept(second)
    with pytest.raises(lc.LicenseKeyError) as e2:
        ledger.rekey("srv-nowhere", vendor_key.key_id)
    assert e2.value.kind == "unknown_instance"
    assert ledger.rekey("srv-eu-01", vendor_key.key_id) == other_key.key_id
    ledger.accept(second)
    assert ledger.key_id("srv-eu-01") == vendor_key.key_id and ledger.last_sequence("srv-eu-01") == 2

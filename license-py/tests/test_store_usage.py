"""The license store (stage, commit, history, rollback, clock) and usage
logs (journal, sign, verify, ledger)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import license_core as lc
from conftest import VECTORS, at


def test_store_lifecycle(tmp_path: Path, license_: lc.License, vendor_key: lc.SigningKey, trusted: lc.TrustedKeys) -> None:
    store = lc.LicenseStore(tmp_path / "s", trusted, "certmgr", history_limit=5)
    assert store.current() is None and store.history() == []
    assert "LicenseStore(" in repr(store) and str(store.path).endswith("s")
    first = store.stage(license_.sign(vendor_key), at(2026, 2))
    assert first.diff is None and first.candidate == license_ and "StagedReplacement(" in repr(first)
    watch = store.watch()
    store.commit(first)
    assert store.changed_since(watch)
    cur = store.current()
    assert cur == license_ and cur is not None and cur.key_id == vendor_key.key_id
    renewal = license_.to_builder().expires_at(at(2028)).build()
    # Issued at the same time: staging shows the diff before anything changes.
    staged = store.stage(renewal.sign(vendor_key), at(2026, 3))
    assert staged.diff is not None and staged.diff.takes_nothing_away and staged.diff.expiry is not None
    assert store.current() == license_
    store.commit(staged)
    assert store.current() == renewal
    hist = store.history()
    assert [(seq, lic.id) for seq, lic in hist] == [(1, license_.id)]
    assert store.rollback() == license_ and store.current() == license_
    newer = lc.License.builder("LIC-NEW", "certmgr", at(2026, 5)).licensee("Example Ltd").build()
    store.commit(store.stage(newer.sign(vendor_key), at(2026, 6)))
    old = lc.License.builder("LIC-OLDER", "certmgr", at(2025, 12)).licensee("x").build()
    with pytest.raises(lc.StoreError) as e:
        store.stage(old.sign(vendor_key), at(2026, 6))
    assert e.value.kind == "older_license"
    assert store.stage(old.sign(vendor_key), at(2026, 6), allow_older=True).candidate.id == "LIC-OLDER"
    with pytest.raises(lc.StoreError) as e:
        store.commit(staged)  # staged against another installed license
    assert e.value.kind == "stale_stage"


def test_clock_check(tmp_path: Path, trusted: lc.TrustedKeys) -> None:
    store = lc.LicenseStore(tmp_path, trusted, "certmgr")
    first = store.check_clock(at(2026, 6, 1))
    assert first.latest_seen is None and first.rolled_back_by is None and first
    back = store.check_clock(at(2026, 5, 1))
    assert back.latest_seen == at(2026, 6, 1) and back.rolled_back_by == dt.timedelta(days=31) and not back
    assert "rolled_back_by=" in repr(back)


def test_instance_binding_in_store(tmp_path: Path, vendor_key: lc.SigningKey, trusted: lc.TrustedKeys) -> None:
    profile = lc.HardwareProfile.from_xml((VECTORS / "bundles" / "profile.xml").read_bytes())
    other = lc.HardwareProfile.from_xml((VECTORS / "bundles" / "other-profile.xml").read_bytes())
    bound = (
        lc.License.builder("LIC-B", "certmgr", at(2026))
        .licensee("x")
        .binding(lc.InstanceBinding("srv-eu-01", profile.fingerprint()))
        .build()
    )
    xml = bound.sign(vendor_key)
    here = lc.LicenseStore(tmp_path / "a", trusted, "certmgr", instance_id="srv-eu-01", hardware=profile)
    here.commit(here.stage(xml, at(2026, 2)))
    elsewhere = lc.LicenseStore(tmp_path / "b", trusted, "certmgr", instance_id="srv-eu-01", hardware=other)
    with pytest.raises(lc.BindingError) as e:
        elsewhere.stage(xml, at(2026, 2))
    assert e.value.kind == "fingerprint_mismatch"
    wrong = lc.LicenseStore(tmp_path / "c", trusted, "certmgr", instance_id="srv-us-02")
    with pytest.raises(lc.BindingError) as e:
        wrong.stage(xml, at(2026, 2))
    assert e.value.kind == "wrong_instance"


def test_usage_log_round_trip(tmp_path: Path, license_: lc.License, vendor_key: lc.SigningKey, other_key: lc.SigningKey, trusted: lc.TrustedKeys) -> None:
    store = lc.LicenseStore(tmp_path, trusted, "certmgr")
    store.commit(store.stage(license_.sign(vendor_key), at(2026, 2)))
    inv = lc.Inventory()
    inv.add_ids("enrolled", range(100))
    counts = [inv.count(at(2026, 2, d, 2), limit=5000) for d in (1, 2, 3)]
    assert [store.record_count(c) for c in counts] == [1, 2, 3]
    assert store.pending_counts() == 3
    inst = lc.UsageInstance("srv-eu-01", "EU primary", "Frankfurt", "4.2.0", "v1;mid=x")
    assert inst == lc.UsageInstance("srv-eu-01", "EU primary", "Frankfurt", "4.2.0", "v1;mid=x")
    assert (inst.id, inst.name, inst.location, inst.software_version, inst.fingerprint) == (
        "srv-eu-01", "EU primary", "Frankfurt", "4.2.0", "v1;mid=x")
    assert "UsageInstance(" in repr(inst)
    log = store.usage_log(at(2026, 2, 4), inst, counts[-1])
    assert log.key_id is None and log.license_id == license_.id and len(log.entries) == 3
    assert log.latest.total == 100 and log.latest.limit == 5000 and log.latest.over_by is None
    assert list(log.latest.categories)[0] == "enrolled" and log.latest.as_of == at(2026, 2, 3, 2)
    assert "CountRecord(" in repr(log.latest) and "UsageLog(" in repr(log)
    installation_key = other_key
    xml = log.sign(installation_key)
    read = lc.UsageLog.from_signed_xml(xml, lc.TrustedKeys([installation_key.verifying_key]))
    assert read.key_id == installation_key.key_id and read.entries == log.entries
    assert read.generated_at == at(2026, 2, 4) and read.instance == inst and read.license_sha256 == log.license_sha256
    with pytest.raises(lc.SignatureError):
        lc.UsageLog.from_signed_xml(xml, trusted)
    ledger = lc.UsageLedger()
    ledger.accept(read)
    assert ledger.last_sequence("srv-eu-01") == 3
    with pytest.raises(lc.StoreError) as e:
        ledger.accept(read)
    assert e.value.kind == "usage_log_replayed"
    with pytest.raises(ValueError):
        ledger.accept(log)
    again = lc.UsageLedger.from_json(ledger.to_json())
    assert again.last_sequence("srv-eu-01") == 3 and "UsageLedger(" in repr(again)
    with pytest.raises(lc.InvalidInputError):
        lc.UsageLedger.from_json("[")
    store.mark_logged(log)
    assert store.pending_counts() == 0


def test_a_license_copied_over_the_installed_one_is_untrusted(tmp_path: Path, license_: lc.License, vendor_key: lc.SigningKey, trusted: lc.TrustedKeys) -> None:
    store = lc.LicenseStore(tmp_path, trusted, "certmgr")
    older = lc.License.builder("LIC-OLDER", "certmgr", at(2025, 12)).licensee("x").build()
    store.commit(store.stage(license_.sign(vendor_key), at(2026, 2)))
    (tmp_path / "license.xml").write_bytes(older.sign(vendor_key))
    with pytest.raises(lc.StoreError) as e:
        store.current()
    assert e.value.kind == "store_untrusted" and e.value.code == 411
    # Installing again runs every check and replaces the copy.
    staged = store.stage(license_.sign(vendor_key), at(2026, 2))
    assert staged.replaces_untrusted is not None and "license.xml" in staged.replaces_untrusted
    assert staged.diff is None
    store.commit(staged)
    assert store.current() == license_ and store.stage(license_.sign(vendor_key), at(2026, 2)).replaces_untrusted is None

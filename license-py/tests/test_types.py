"""Objects the API returns are instances of the exported classes (what the
stubs promise)."""

from __future__ import annotations

from pathlib import Path

import license_core as lc
from conftest import VECTORS, at


def test_returned_objects_are_the_exported_classes(tmp_path: Path) -> None:
    key = lc.SigningKey.from_pem((VECTORS / "keys" / "vendor-2048.key.pem").read_bytes())
    trusted = lc.TrustedKeys([key.verifying_key])
    builder = lc.License.builder("L", "certmgr", at(2026))
    assert isinstance(builder, lc.LicenseBuilder) and "LicenseBuilder" in repr(builder)
    lic = builder.licensee("x").build()
    assert isinstance(lic.status(at(2026, 2)), lc.LicenseStatus)
    assert isinstance(lic.diff(lic), lc.LicenseDiff)
    store = lc.LicenseStore(tmp_path, trusted, "certmgr")
    assert isinstance(store.watch(), lc.StoreWatch)
    assert isinstance(store.check_clock(at(2026, 2)), lc.ClockCheck)
    staged = store.stage(lic.sign(key), at(2026, 2))
    assert isinstance(staged, lc.StagedReplacement)
    count = lc.Inventory().count(at(2026), limit=1)
    inv = lc.Inventory()
    inv.add_ids("enrolled", [1, 2])
    assert isinstance(inv.count(at(2026), limit=1).alerts[0], lc.Alert)
    store.commit(staged)
    store.record_count(count)
    log = store.usage_log(at(2026, 3), lc.UsageInstance("i", "n", "l", "1.0.0", "fp"), count)
    assert isinstance(log.latest, lc.CountRecord)
    profile = lc.HardwareProfile.from_xml((VECTORS / "bundles" / "profile.xml").read_bytes())
    assert isinstance(profile.fingerprint().matches(profile.fingerprint()), lc.MatchReport)
    act = lc.activate((VECTORS / "bundles" / "bundle-rs256.bin").read_bytes(), trusted, profile, at(2027))
    assert isinstance(act, lc.Activation)
    assert all(isinstance(k, lc.ErrorKind) for k in lc.ERROR_KINDS.values())

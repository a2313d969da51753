"""License keys, key records, key bundles (golden vectors), activation,
instances, the account, hardware profiles, fingerprints, policies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import license_core as lc
from conftest import VECTORS, at

BUNDLES = VECTORS / "bundles"


def profile() -> lc.HardwareProfile:
    return lc.HardwareProfile.from_xml((BUNDLES / "profile.xml").read_bytes())


def test_license_key() -> None:
    k = lc.LicenseKey("mcrt 0mm9 38nk rt5c")
    assert str(k) == "MCRT-0MM9-38NK-RT5C" and k.compact() == "MCRT0MM938NKRT5C"
    assert (k.kind, k.product) == ("master", "CRT")
    assert k == lc.LicenseKey("MCRT-0MM9-38NK-RT5C") and hash(k) == hash(lc.LicenseKey(str(k)))
    assert lc.LicenseKey.from_parts("master", "CRT", k.serial) == k
    assert repr(k) == "LicenseKey('MCRT-0MM9-38NK-RT5C')"
    g = lc.LicenseKey.generate("addon", "CRT")
    assert g.kind == "addon" and lc.LicenseKey(str(g)) == g
    with pytest.raises(lc.LicenseKeyError):
        lc.LicenseKey("MCRT-0MM9-38NK-RTUC")
    with pytest.raises(lc.LicenseError):
        lc.LicenseKey.generate("gold", "CRT")


def test_golden_bundles_verify_and_activate(trusted: lc.TrustedKeys) -> None:
    for name in ["bundle-rs256.bin", "bundle-pycose-ps256.bin"]:
        data = (BUNDLES / name).read_bytes()
        b = lc.KeyBundle.from_bin(data, trusted)
        assert b.instance_id == "srv-eu-01" and str(b.master.key) == "MCRT-0MM9-38NK-RT5C"
        assert [str(a.key) for a in b.addons] == ["ACRT-0PT3-PAGS-1FA8"]
        act = lc.activate(data, trusted, profile(), at(2027))
        feats = act.features
        assert feats["api"].quantity == 15 and set(feats) == {"api", "reports", "sso"}
        assert act.instance_id == "srv-eu-01" and act.match_report.is_match and act.activated_at == at(2027)
        assert act.master_key == b.master.key and act.counted_addons == [b.addons[0].key] and act.skipped_addons == []
        assert act.bundle == b and "Activation(" in repr(act) and str(act)
    rs = (BUNDLES / "bundle-rs256.bin").read_bytes()
    other = lc.HardwareProfile.from_xml((BUNDLES / "other-profile.xml").read_bytes())
    with pytest.raises(lc.BindingError) as e:
        lc.activate(rs, trusted, other, at(2027))
    assert e.value.code == 553
    with pytest.raises(lc.ExpiredError):
        lc.activate(rs, trusted, profile(), at(2037))
    with pytest.raises(lc.SignatureError):
        lc.KeyBundle.from_bin(rs[:-1] + bytes([rs[-1] ^ 1]), trusted)


def test_bundle_json_bin_round_trip(vendor_key: lc.SigningKey, trusted: lc.TrustedKeys) -> None:
    text = (BUNDLES / "bundle.json").read_text()
    b = lc.KeyBundle.from_json(text)
    assert json.loads(b.to_json()) == json.loads(text)
    rs = b.to_bin(vendor_key, "rs256")
    assert rs == (BUNDLES / "bundle-rs256.bin").read_bytes(), "RS256 is deterministic: the golden bytes"
    ps = b.to_bin(vendor_key)
    assert lc.KeyBundle.from_bin(ps, trusted) == b
    shown, alg, kid = lc.KeyBundle.inspect_unverified(ps)
    assert shown == b and alg.lower() == "ps256" and kid == vendor_key.key_id
    assert b.issued_at == at(2026, 11, 23) and b.expires_at == at(2036, 11, 23)
    assert b.fingerprint == profile().fingerprint() and b.policy.threshold == 3
    assert "KeyBundle(" in repr(b) and "MCRT-0MM9-38NK-RT5C" in b.to_table()
    assert json.loads(lc.KeyBundle.template(at(2026)))["instance_id"]
    with pytest.raises(lc.LicenseError):
        b.to_bin(vendor_key, "es256")
    built = lc.KeyBundle(b.instance_id, b.fingerprint, b.issued_at, b.master, addons=b.addons,
                         policy=b.policy, expires_at=b.expires_at)
    assert built == b


def test_key_record() -> None:
    master = lc.LicenseKey("MCRT-0MM9-38NK-RT5C")
    r = lc.KeyRecord(master, at(2026), features={"api": lc.Feature(quantity=3)}, status="active",
                     expires_at=at(2027))
    assert (r.key, r.kind, r.parent, r.status, r.instance) == (master, "master", None, "active", None)
    assert r.features == {"api": lc.Feature(quantity=3)} and r.updated_at == at(2026) and r.expires_at == at(2027)
    assert r.status_at(at(2027, 6)) == "expired"
    assert lc.KeyRecord.from_json(r.to_json()) == r and "KeyRecord(" in repr(r) and r.to_table()
    addon = lc.LicenseKey.from_parts("addon", "CRT", 42)
    with pytest.raises(lc.LicenseKeyError):
        lc.KeyRecord(addon, at(2026))  # an add-on needs its master
    assert lc.KeyRecord(addon, at(2026), parent=master).parent == master
    with pytest.raises(lc.LicenseError):
        lc.KeyRecord(master, at(2026), status="sleepy")


def test_account_instances_and_bundles(tmp_path: Path, vendor_key: lc.SigningKey, trusted: lc.TrustedKeys) -> None:
    acct = lc.Account("Example Ltd", at(2026))
    inst = lc.Instance("srv-eu-01", "EU primary", "Frankfurt", "4.2.0", profile(), at(2026), country="DE")
    assert (inst.id, inst.name, inst.place, inst.country, inst.software_version) == (
        "srv-eu-01", "EU primary", "Frankfurt", "DE", "4.2.0")
    assert inst.fingerprint == profile().fingerprint() and inst.profile == profile() and inst.created_at == at(2026)
    assert lc.Instance.from_json(inst.to_json()) == inst and "Instance(" in repr(inst) and inst.to_table()
    assert inst.binding().instance_id == "srv-eu-01"
    with pytest.raises(lc.InstanceError):
        lc.Instance("srv", "x", "Frankfurt", "4.2.0", profile(), at(2026), country="XX")
    with pytest.raises(lc.InstanceError):
        lc.Instance("srv", "x", "Frankfurt", "four", profile(), at(2026))
    acct.add_instance(inst, at(2026, 1, 2))
    with pytest.raises(lc.LicenseKeyError) as e:
        acct.add_instance(inst, at(2026, 1, 3))
    assert e.value.kind == "duplicate_instance"
    master = lc.LicenseKey.from_parts("master", "CRT", 7)
    acct.add_key(lc.KeyRecord(master, at(2026, 1, 3), status="active", features={"api": lc.Feature(quantity=2)}),
                 at(2026, 1, 3))
    with pytest.raises(lc.LicenseKeyError) as e:
        acct.bundle("srv-eu-01", at(2026, 1, 4))
    assert e.value.kind == "no_master_key"
    acct.assign(master, "srv-eu-01", at(2026, 1, 4))
    master_rec = acct.master_of("srv-eu-01")
    assert master_rec is not None and master_rec.key == master
    bundle = acct.bundle("srv-eu-01", at(2026, 1, 5), expires_at=at(2027))
    act = lc.activate(bundle.to_bin(vendor_key), trusted, profile(), at(2026, 2))
    assert act.features["api"].quantity == 2
    acct.set_status(master, "suspended", at(2026, 1, 6))
    with pytest.raises(lc.LicenseKeyError) as e:
        lc.activate(acct.bundle("srv-eu-01", at(2026, 1, 7)).to_bin(vendor_key), trusted, profile(), at(2026, 2))
    assert e.value.kind == "key_not_active"
    acct.unassign(master, at(2026, 1, 8))
    assert acct.master_of("srv-eu-01") is None
    with pytest.raises(lc.LicenseKeyError) as e:
        acct.assign(master, "srv-eu-01", at(2025, 1, 1))
    assert e.value.kind == "update_out_of_order"
    path = tmp_path / "account.json"
    acct.save(path)
    again = lc.Account.load(path)
    assert again.to_json() == acct.to_json() and lc.Account.from_json(acct.to_json()).customer == "Example Ltd"
    assert [i.id for i in again.instances()] == ["srv-eu-01"] and [k.key for k in again.keys()] == [master]
    assert again.last_updated == at(2026, 1, 8) and "srv-eu-01" in again.instances_table()
    assert "Account(customer=" in repr(again)
    assert lc.UsageInstance.from_instance(inst).id == "srv-eu-01"


def test_profile_fingerprint_policy() -> None:
    p = profile()
    assert p.machine_id and p.product_uuid and p.physical_macs
    assert p.hostname is None or isinstance(p.hostname, str)
    assert p.disks == [] or isinstance(p.disks[0], str)
    for text in (p.os_name, p.architecture, p.cpu_model):
        assert text is None or isinstance(text, str)
    for number in (p.logical_cores, p.memory_bytes):
        assert number is None or number > 0
    assert lc.HardwareProfile.from_xml(p.to_xml()) == p and p.to_table() == str(p) and "HardwareProfile(" in repr(p)
    p.validate()
    fp = p.fingerprint()
    assert lc.Fingerprint(str(fp)) == fp and lc.Fingerprint.from_profile(p) == fp and not fp.is_empty
    assert "machine-id" in fp.kinds() and hash(fp) == hash(lc.Fingerprint(str(fp)))
    assert repr(fp).startswith("Fingerprint('") or repr(fp).startswith('Fingerprint("')
    report = fp.matches(fp)
    assert report and report.is_match and report.score >= report.threshold and report.drifted == []
    other = lc.HardwareProfile.from_xml((BUNDLES / "other-profile.xml").read_bytes()).fingerprint()
    miss = fp.matches(other)
    assert not miss and set(miss.drifted) >= {"machine-id", "product-uuid", "mac"}
    assert miss.summary() and str(miss) and "MatchReport(is_match=False" in repr(miss)
    default = lc.MatchPolicy()
    assert lc.MatchPolicy(str(default)) == default and default.threshold > 0 and "MatchPolicy(" in repr(default)
    strict = lc.MatchPolicy("mp1;threshold=6;weights=machine-id:1,product-uuid:1,board-serial:1,mac:1,disk:1,cpu:1")
    assert strict.threshold == 6 and fp.matches(fp, strict).threshold == 6
    here = lc.HardwareProfile.collect()
    assert isinstance(here.to_xml(), str)

"""The exception hierarchy: one class per family, kinds one to one with the
core's ErrorKind, each family raised by the bad input it is for."""

from __future__ import annotations

from pathlib import Path

import pytest

import license_core as lc
from conftest import VECTORS, at


def test_every_kind_maps_to_exactly_one_family_class() -> None:
    kinds = lc.ERROR_KINDS
    assert len(kinds) >= 90
    names = {k.name for k in kinds.values()}
    assert len(names) == len(kinds), "kind names are unique"
    for code, kind in kinds.items():
        assert kind.code == code
        assert issubclass(kind.exception, lc.LicenseError)
        assert kind.exception is lc.FAMILIES[kind.family]
    # Codes stay in their published ranges, shared with the C ABI.
    assert kinds[100].name == "empty_license_id"
    assert kinds[308].name == "digest_mismatch"
    assert kinds[401].exception is lc.ExpiredError
    assert kinds[402].exception is lc.BindingError
    assert kinds[553].exception is lc.BindingError
    assert kinds[610].exception is lc.ExpiredError
    assert kinds[900].exception is lc.LicenseIOError
    assert set(lc.FAMILIES.values()) == {k.exception for k in kinds.values()}
    assert repr(kinds[308]) == "ErrorKind(code=308, name='digest_mismatch', family='Signature')"


def test_value_errors_are_also_value_errors() -> None:
    assert issubclass(lc.InvalidInputError, ValueError)
    assert issubclass(lc.FormatError, ValueError)
    assert not issubclass(lc.SignatureError, ValueError)


def check(exc: pytest.ExceptionInfo[lc.LicenseError], cls: type[lc.LicenseError], kind: str) -> None:
    assert type(exc.value) is cls
    assert exc.value.kind == kind
    assert exc.value.code == next(c for c, k in lc.ERROR_KINDS.items() if k.name == kind)
    assert str(exc.value)
    assert f"kind={kind!r}" in repr(exc.value)


def test_invalid_input() -> None:
    with pytest.raises(lc.InvalidInputError) as e:
        lc.License.builder("LIC-1", "", at(2026)).licensee("x").build()
    check(e, lc.InvalidInputError, "empty_product")
    assert "product" in e.value.detail


def test_format(trusted: lc.TrustedKeys) -> None:
    with pytest.raises(lc.FormatError) as e:
        lc.License.from_signed_xml(b"<License", trusted)
    check(e, lc.FormatError, "xml_syntax")
    with pytest.raises(lc.FormatError) as e:
        lc.License.from_signed_xml(b'<!DOCTYPE x []><License/>', trusted)
    check(e, lc.FormatError, "doctype_forbidden")


def test_signature(license_: lc.License, vendor_key: lc.SigningKey, other_key: lc.SigningKey, trusted: lc.TrustedKeys) -> None:
    xml = license_.sign(vendor_key)
    with pytest.raises(lc.SignatureError) as e:
        lc.License.from_signed_xml(xml.replace(b"Example Ltd", b"Example Plc"), trusted)
    check(e, lc.SignatureError, "digest_mismatch")
    with pytest.raises(lc.SignatureError) as e:
        lc.License.from_signed_xml(license_.sign(other_key), trusted)
    check(e, lc.SignatureError, "unknown_key_id")
    with pytest.raises(lc.SignatureError) as e:
        lc.License.from_signed_xml(xml, lc.TrustedKeys())
    check(e, lc.SignatureError, "no_trusted_keys")
    with pytest.raises(lc.SignatureError) as e:
        lc.SigningKey.from_pem("not a key")
    check(e, lc.SignatureError, "key_format")
    weak = (VECTORS / "keys" / "weak-1024.pub.pem").read_bytes()
    with pytest.raises(lc.SignatureError) as e:
        lc.VerifyingKey.from_pem(weak)
    check(e, lc.SignatureError, "key_too_small")


def test_store_expired_binding(tmp_path: Path, license_: lc.License, vendor_key: lc.SigningKey, trusted: lc.TrustedKeys) -> None:
    store = lc.LicenseStore(tmp_path / "store", trusted, "certmgr")
    with pytest.raises(lc.StoreError) as e:
        store.rollback()
    check(e, lc.StoreError, "nothing_to_roll_back")
    with pytest.raises(lc.ExpiredError) as ex:
        store.stage(license_.sign(vendor_key), at(2028))
    check(ex, lc.ExpiredError, "candidate_expired")
    wrong = lc.License.builder("LIC-9", "othermgr", at(2026)).licensee("x").build()
    with pytest.raises(lc.BindingError) as eb:
        store.stage(wrong.sign(vendor_key), at(2026, 6))
    check(eb, lc.BindingError, "wrong_product")


def test_count_family() -> None:
    with pytest.raises(lc.CountError) as e:
        lc.CertificateRecord.from_json('{"id": 4294967296}')
    check(e, lc.CountError, "id_out_of_range")
    with pytest.raises(lc.CountError) as e:
        lc.Inventory.from_jsonl('{"id": 1}\n{"id": 1}\n')
    check(e, lc.CountError, "duplicate_certificate")
    with pytest.raises(lc.CountError) as e:
        lc.IdSet.from_clickhouse(b"\x07")
    check(e, lc.CountError, "clickhouse_kind")
    with pytest.raises(lc.FormatError) as f:
        lc.IdSet.from_portable(b"\x3a\x30\x00\x00\x05")
    check(f, lc.FormatError, "truncated")
    with pytest.raises(lc.CountError) as e:
        lc.ExternalSets().add("nonsense", lc.IdSet([1]).to_portable())
    check(e, lc.CountError, "unknown_set_name")


def test_instance_family() -> None:
    with pytest.raises(lc.InstanceError) as e:
        lc.Fingerprint("v9;garbage")
    check(e, lc.InstanceError, "invalid_fingerprint")
    with pytest.raises(lc.InstanceError) as e:
        lc.MatchPolicy("threshold=0")
    check(e, lc.InstanceError, "invalid_match_policy")


def test_key_family() -> None:
    with pytest.raises(lc.LicenseKeyError) as e:
        lc.LicenseKey("MCRT-0MM9-38NK")
    check(e, lc.LicenseKeyError, "key_length")
    with pytest.raises(lc.LicenseKeyError) as e:
        lc.LicenseKey("MCRT-0MM9-38NK-RT5D")
    check(e, lc.LicenseKeyError, "key_checksum")
    with pytest.raises(lc.LicenseKeyError) as e:
        lc.KeyBundle.from_bin(b"\xa0", lc.TrustedKeys())
    check(e, lc.LicenseKeyError, "bundle_format")


def test_io_family(tmp_path: Path) -> None:
    with pytest.raises(lc.LicenseIOError) as e:
        lc.Account.load(tmp_path / "missing.json")
    check(e, lc.LicenseIOError, "io")

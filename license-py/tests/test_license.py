"""License, builder, status, diff, signed XML, keys."""

from __future__ import annotations

import json

import pytest

import license_core as lc
from conftest import VECTORS, at


def test_builder_and_properties(license_: lc.License) -> None:
    lic = license_
    assert (lic.id, lic.product, lic.licensee) == ("LIC-2026-0001", "certmgr", "Example Ltd")
    assert lic.organisation == "Example Group" and lic.email == "ops@example.com"
    assert lic.issued_at == at(2026) and lic.expires_at == at(2027)
    assert lic.features == {"api": lc.Feature(quantity=10), "reports": lc.Feature()}
    assert lic.actioned_limit == 5000
    assert lic.attributes == {"po": "PO-7"}
    assert lic.binding is None and lic.key_id is None and lic.signed_sha256 is None
    assert lic.grace_days == 0 and lic.warning_days
    assert lic.is_feature_enabled("api", at(2026, 6)) and not lic.is_feature_enabled("sso", at(2026, 6))
    assert repr(lic).startswith('License(id="LIC-2026-0001"') and "limit=5000" in repr(lic)
    assert "Example Ltd" in str(lic) and str(lic) == lic.to_table()


def server_fingerprint() -> lc.Fingerprint:
    """The fingerprint of the test server profile (the builder refuses placeholders)."""
    return lc.HardwareProfile.from_xml((VECTORS / "profile" / "server.xml").read_bytes()).fingerprint()


def test_site_license_perpetual_grace_binding() -> None:
    b = lc.InstanceBinding("srv-1", server_fingerprint(), None)
    lic = (
        lc.License.builder("L", "certmgr", at(2026))
        .licensee("x")
        .expires_at(at(2027))
        .expiry_policy(14, [30, 7])
        .actioned_limit(None)
        .binding(b)
        .build()
    )
    assert lic.actioned_limit is None and lic.grace_days == 14 and lic.warning_days == [30, 7]
    got = lic.binding
    assert got == b and got is not None and got.instance_id == "srv-1" and got.policy is None
    assert "InstanceBinding(" in repr(b)
    grace = lic.status(at(2027, 1, 5))
    assert grace.state == "in_grace" and grace.is_usable and grace.grace_ends_at == at(2027, 1, 15)
    assert lc.License.builder("P", "certmgr", at(2026)).licensee("x").perpetual().build().expires_at is None


@pytest.mark.parametrize(
    ("fingerprint", "policy", "kind"),
    [
        ("replace with the instance's fingerprint", None, "invalid_fingerprint"),
        ("v1;mid=abc", None, "invalid_fingerprint"),
        ("fp1", None, "invalid_fingerprint"),
        (None, "min-matches=3", "invalid_match_policy"),
    ],
)
def test_a_placeholder_binding_is_refused(fingerprint: str | None, policy: str | None, kind: str) -> None:
    fp = fingerprint if fingerprint is not None else str(server_fingerprint())
    builder = lc.License.builder("L", "certmgr", at(2026)).licensee("x").binding(lc.InstanceBinding("srv-1", fp, policy))
    with pytest.raises(lc.InstanceError) as exc:
        builder.build()
    assert exc.value.kind == kind and "binding." in str(exc.value)
    # The JSON form is checked the same way.
    good = lc.License.builder("L", "certmgr", at(2026)).licensee("x").binding(lc.InstanceBinding("srv-1", server_fingerprint()))
    doc = json.loads(good.build().to_json())
    doc["binding"]["fingerprint"] = fp
    if policy is not None:
        doc["binding"]["policy"] = policy
    with pytest.raises(lc.InstanceError) as exc:
        lc.License.from_json(json.dumps(doc))
    assert exc.value.kind == kind


def test_status_states(license_: lc.License) -> None:
    s = license_.status(at(2026, 6, 1))
    assert (s.state, s.days_left, s.is_usable) == ("valid", 214, True)
    assert s == license_.status(at(2026, 6, 1)) and s != license_.status(at(2026, 6, 2))
    soon = license_.status(at(2026, 12, 20))
    assert soon.state == "expiring_soon" and soon.threshold_days is not None
    gone = license_.status(at(2027, 2))
    assert (gone.state, gone.is_usable, gone.expired_at, gone.days_left) == ("expired", False, at(2027), None)
    assert str(s) == "valid, 214 days left" and "state='valid'" in repr(s)
    assert license_.milestones_reached(at(2026, 12, 20))


def test_diff(license_: lc.License) -> None:
    same = license_.diff(license_)
    assert same.is_empty and same.takes_nothing_away and not same
    new = license_.to_builder().without_feature("api").actioned_limit(6000).expires_at(at(2028)).build()
    d = license_.diff(new)
    assert d and not d.takes_nothing_away
    assert d.losses == ["feature `api` is removed"]
    assert d.features == [("api", lc.Feature(quantity=10), None)]
    assert d.limit == {"change": "raised", "from": 5000, "to": 6000}
    assert d.expiry is not None and d.fields == []
    table = str(d)
    assert "installed" in table and "candidate" in table and "takes away" in table
    assert json.loads(d.to_json())["losses"]
    renamed = license_.diff(license_.to_builder().licensee("Other Ltd").build())
    assert ("licensee", "Example Ltd", "Other Ltd") in renamed.fields
    assert "LicenseDiff(" in repr(d)


def test_json_round_trip(license_: lc.License) -> None:
    again = lc.License.from_json(license_.to_json())
    assert again == license_
    with pytest.raises(lc.InvalidInputError):
        lc.License.from_json("{}")


def test_sign_verify_inspect(license_: lc.License, vendor_key: lc.SigningKey, trusted: lc.TrustedKeys) -> None:
    xml = license_.sign(vendor_key)
    assert xml == license_.sign(vendor_key), "deterministic"
    v = lc.License.from_signed_xml(xml, trusted)
    assert v == license_ and v.key_id == vendor_key.key_id
    assert v.signed_sha256 is not None and len(v.signed_sha256) == 64
    assert "verified=True" in repr(v)
    assert lc.License.from_signed_xml(bytearray(xml), trusted) == license_
    assert lc.License.from_signed_xml(memoryview(xml), trusted) == license_
    u = lc.License.inspect_unverified(xml.replace(b"Example Ltd", b"Example Plc"))
    assert u.licensee == "Example Plc" and u.key_id is None
    with pytest.raises(TypeError):
        lc.License.from_signed_xml("text", trusted)  # type: ignore[arg-type]


def test_keys(vendor_key: lc.SigningKey, other_key: lc.SigningKey) -> None:
    vk = vendor_key.verifying_key
    assert vendor_key.bits == 2048 and other_key.bits == 3072 and vk.bits == 2048
    assert lc.SigningKey.from_pem(vendor_key.to_pem()).key_id == vendor_key.key_id
    assert lc.SigningKey.from_pem(vendor_key.to_der()).key_id == vendor_key.key_id
    assert lc.VerifyingKey.from_pem(vk.to_pem()) == vk
    assert lc.VerifyingKey.from_pem(vk.to_der()) == vk and hash(lc.VerifyingKey.from_pem(vk.to_der())) == hash(vk)
    kid = vk.key_id
    assert lc.KeyId(str(kid)) == kid and hash(lc.KeyId(str(kid))) == hash(kid) and len(bytes(kid)) == 32
    assert repr(kid) == f"KeyId('{kid}')"
    assert "bits=2048" in repr(vendor_key) and "PRIVATE" not in repr(vendor_key)
    with pytest.raises(lc.LicenseError):
        lc.KeyId("zz")
    t = lc.TrustedKeys()
    assert len(t) == 0 and vk not in t
    assert t.add(vk) == kid and t.add(other_key.verifying_key) == other_key.key_id
    assert len(t) == 2 and vk in t and kid in t and t.get(kid) == vk
    assert set(t.key_ids()) == {kid, other_key.key_id}
    assert str(kid) in repr(t)


def test_generate_key() -> None:
    k = lc.SigningKey.generate(2048)
    assert k.bits == 2048 and k.verifying_key.key_id == k.key_id
    with pytest.raises(lc.SignatureError):
        lc.SigningKey.generate(1024)


def test_certificate_pdf(license_: lc.License, vendor_key: lc.SigningKey, trusted: lc.TrustedKeys) -> None:
    v = lc.License.from_signed_xml(license_.sign(vendor_key), trusted)
    pdf = v.certificate_pdf("Example Vendor", signed_file_name="lic.xml")
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert pdf == v.certificate_pdf("Example Vendor", signed_file_name="lic.xml"), "deterministic"
    assert v.certificate_pdf("Example Vendor", paper="letter") != v.certificate_pdf("Example Vendor")
    with pytest.raises(ValueError):
        license_.certificate_pdf("Example Vendor")
    with pytest.raises(lc.InvalidInputError):
        v.certificate_pdf("Example Vendor", paper="a3")

"""ECDSA P-256 keys from Python: load (PKCS#8, SEC1) and generate, sign a
license, a usage log's key and a bundle (ES256 by default for an EC key),
verify with EC public keys; other curves and cross-kind use are refused,
each with its own kind."""

from __future__ import annotations

import pytest

import license_core as lc

from conftest import VECTORS

KEYS = VECTORS / "keys"


@pytest.fixture(scope="module")
def ec_key() -> lc.SigningKey:
    return lc.SigningKey.from_pem((KEYS / "vendor-p256.key.pem").read_text())


def test_load_generate_and_describe(ec_key: lc.SigningKey) -> None:
    assert ec_key.key_type == "P-256" and ec_key.bits == 256
    sec1 = lc.SigningKey.from_pem((KEYS / "vendor-p256.sec1.pem").read_bytes())
    assert sec1.key_id == ec_key.key_id
    public = lc.VerifyingKey.from_pem((KEYS / "vendor-p256.pub.pem").read_text())
    assert public.key_type == "P-256" and public.key_id == ec_key.key_id
    assert public == ec_key.verifying_key
    assert "P-256" in repr(ec_key) and "P-256" in repr(public)
    fresh = lc.SigningKey.generate_p256()
    assert fresh.key_type == "P-256" and fresh.key_id != ec_key.key_id
    assert lc.SigningKey.from_pem(fresh.to_pem()).key_id == fresh.key_id
    assert lc.SigningKey.from_pem(fresh.to_der()).key_id == fresh.key_id
    rsa = lc.SigningKey.from_pem((KEYS / "vendor-2048.key.pem").read_text())
    assert rsa.key_type == "RSA" and rsa.verifying_key.key_type == "RSA"


def test_other_curves_are_refused() -> None:
    with pytest.raises(lc.SignatureError) as e:
        lc.SigningKey.from_pem((KEYS / "p384.key.pem").read_text())
    assert e.value.kind == "unsupported_curve" and e.value.code == 322
    with pytest.raises(lc.SignatureError) as e:
        lc.VerifyingKey.from_pem((KEYS / "p384.pub.pem").read_text())
    assert e.value.kind == "unsupported_curve"


def test_license_signed_with_p256_verifies_with_its_public_key(
    ec_key: lc.SigningKey, license_: lc.License, vendor_key: lc.SigningKey
) -> None:
    xml = license_.sign(ec_key)
    assert b"xmldsig-more#ecdsa-sha256" in xml
    both = lc.TrustedKeys([vendor_key.verifying_key, ec_key.verifying_key])
    verified = lc.License.from_signed_xml(xml, both)
    assert verified.key_id == ec_key.key_id
    # The ECDSA signature claimed by the RSA key: refused by kind.
    claimed = xml.replace(str(ec_key.key_id).encode(), str(vendor_key.key_id).encode())
    with pytest.raises(lc.SignatureError) as e:
        lc.License.from_signed_xml(claimed, both)
    assert e.value.kind == "key_algorithm_mismatch"


def test_es256_bundles(ec_key: lc.SigningKey, vendor_key: lc.SigningKey) -> None:
    bundle = lc.KeyBundle.from_json((VECTORS / "bundles" / "bundle.json").read_text())
    trusted = lc.TrustedKeys([ec_key.verifying_key])
    default = bundle.to_bin(ec_key)
    shown, alg, kid = lc.KeyBundle.inspect_unverified(default)
    assert alg.lower() == "es256" and kid == ec_key.key_id and shown == bundle
    assert lc.KeyBundle.from_bin(bundle.to_bin(ec_key, "es256"), trusted) == bundle
    with pytest.raises(lc.LicenseError) as e:
        bundle.to_bin(ec_key, "rs256")
    assert e.value.kind == "unsupported_algorithm"
    # The RSA vendor key still defaults to PS256.
    _, alg, _ = lc.KeyBundle.inspect_unverified(bundle.to_bin(vendor_key))
    assert alg.lower() == "ps256"

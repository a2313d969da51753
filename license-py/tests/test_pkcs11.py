"""Pkcs11Signer: a key kept in a SoftHSM2 token (a temporary directory)
signs licenses, usage logs and bundles wherever a SigningKey is accepted,
and each way of missing the key raises its own kind."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import license_core as lc
from conftest import VECTORS, at

PIN = "24680"
MODULES = [
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib64/pkcs11/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
]


@pytest.fixture(scope="module")
def module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The SoftHSM2 module with a fresh token `T`. SoftHSM2 reads
    SOFTHSM2_CONF once per process, so the whole module shares the token."""
    found = os.environ.get("LC_SOFTHSM2_MODULE") or next((m for m in MODULES if Path(m).is_file()), None)
    util = shutil.which("softhsm2-util")
    if found is None or util is None:
        if os.environ.get("LC_REQUIRE_PEERS") == "1":
            pytest.fail("SoftHSM2 is required (LC_REQUIRE_PEERS=1); scripts/test installs it")
        pytest.skip("SoftHSM2 not installed (scripts/test installs it)")
    home = tmp_path_factory.mktemp("softhsm")
    (home / "tokens").mkdir()
    conf = home / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {home / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    before = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run([util, "--init-token", "--free", "--label", "T", "--pin", PIN, "--so-pin", "13579"],
                   check=True, capture_output=True)
    yield found
    if before is None:
        del os.environ["SOFTHSM2_CONF"]
    else:
        os.environ["SOFTHSM2_CONF"] = before


def test_a_token_key_signs_wherever_a_signing_key_does(module: str, tmp_path: Path) -> None:
    made = lc.Pkcs11Signer.generate(module, "T", "py-vendor", alg="rsa2048", pin=PIN)
    assert made.kind == "RSA-2048" and made.token == "T" and made.label == "py-vendor"
    os.environ["LICENSECTL_PKCS11_PIN"] = PIN
    try:
        signer = lc.Pkcs11Signer(Path(module), "T", "py-vendor")  # the PIN from the environment
    finally:
        del os.environ["LICENSECTL_PKCS11_PIN"]
    assert signer.key_id == made.key_id and "Pkcs11Signer(" in repr(signer)
    public = lc.VerifyingKey.from_pem(signer.public_key_pem())
    assert public.key_id == signer.key_id
    trusted = lc.TrustedKeys([public])

    license_ = lc.License.from_json((VECTORS / "licenses" / "certmgr-2026.json").read_text())
    read = lc.License.from_signed_xml(license_.sign(signer), trusted)
    assert read.id == license_.id and read.key_id == signer.key_id

    bundle = lc.KeyBundle.from_json(lc.KeyBundle.template(at(2026, 11, 23)))
    for alg in ("rs256", "ps256"):
        assert lc.KeyBundle.from_bin(bundle.to_bin(signer, alg), trusted).instance_id == bundle.instance_id

    store = lc.LicenseStore(tmp_path, lc.TrustedKeys([lc.VerifyingKey.from_pem(
        (VECTORS / "keys" / "vendor-2048.pub.pem").read_text())]), "certmgr")
    vendor = lc.SigningKey.from_pem((VECTORS / "keys" / "vendor-2048.key.pem").read_text())
    store.commit(store.stage(license_.sign(vendor), at(2026, 2)))
    inv = lc.Inventory()
    inv.add_ids("enrolled", range(10))
    count = inv.count(at(2026, 2, 3, 2), limit=5000)
    store.record_count(count)
    inst = lc.UsageInstance("srv-1", "primary", "Lyon", "4.2.0", "v1;mid=x")
    log = store.usage_log(at(2026, 2, 4), inst, count)
    assert lc.UsageLog.from_signed_xml(log.sign(signer), trusted).key_id == signer.key_id

    with pytest.raises(TypeError):
        license_.sign("not a key")  # type: ignore[arg-type]


def test_a_p256_key_is_made_in_the_token(module: str) -> None:
    signer = lc.Pkcs11Signer.generate(module, "T", "py-ec", alg="p256", pin=PIN)
    assert signer.kind == "EC P-256"
    assert signer.public_key_pem().startswith("-----BEGIN PUBLIC KEY-----\n")
    with pytest.raises(lc.SignatureError) as exists:
        lc.Pkcs11Signer.generate(module, "T", "py-ec", alg="p256", pin=PIN)
    assert exists.value.kind == "pkcs11_key_exists"
    with pytest.raises(ValueError):
        lc.Pkcs11Signer.generate(module, "T", "py-x", alg="dsa", pin=PIN)


@pytest.mark.parametrize(
    ("where", "token", "key", "pin", "kind"),
    [
        ("module", "T", "py-vendor", PIN, "pkcs11_module_load"),
        (None, "T", "py-vendor", "00000", "pkcs11_pin_incorrect"),
        (None, "no-such-token", "py-vendor", PIN, "pkcs11_token_not_found"),
        (None, "T", "no-such-key", PIN, "pkcs11_key_not_found"),
    ],
)
def test_each_way_of_missing_the_key_has_its_own_kind(
    module: str, where: str | None, token: str, key: str, pin: str, kind: str
) -> None:
    path = "/nonexistent/libpkcs11.so" if where == "module" else module
    with pytest.raises(lc.SignatureError) as e:
        lc.Pkcs11Signer(path, token, key, pin=pin)
    assert e.value.kind == kind


def test_no_pin_anywhere_is_its_own_kind(module: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LICENSECTL_PKCS11_PIN", raising=False)
    monkeypatch.delenv("LICENSECTL_PKCS11_PIN_FILE", raising=False)
    with pytest.raises(lc.SignatureError) as e:
        lc.Pkcs11Signer(module, "T", "py-vendor")
    assert e.value.kind == "pkcs11_pin_missing"

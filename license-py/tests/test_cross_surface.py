"""Round trips across surfaces: a license issued from Python verifies in
Rust (the licensectl binary), and one issued by licensectl verifies here."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

import license_core as lc
from conftest import TARGET, VECTORS


def licensectl() -> Path:
    """The binary named by LC_LICENSECTL (scripts/test sets it), else the one
    cargo built in its target directory."""
    named = os.environ.get("LC_LICENSECTL")
    candidates = [Path(named)] if named else [TARGET / p / "licensectl" for p in ("debug", "release")]
    for exe in candidates:
        if exe.is_file():
            return exe
    if os.environ.get("LC_REQUIRE_PEERS") == "1":
        pytest.fail(f"licensectl is required (LC_REQUIRE_PEERS=1) but {candidates[0]} is missing")
    pytest.skip("licensectl not built (cargo build -p licensectl)")


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=False)


def test_python_issued_license_verifies_in_rust(tmp_path: Path, license_: lc.License, vendor_key: lc.SigningKey) -> None:
    exe = licensectl()
    xml = tmp_path / "license.xml"
    xml.write_bytes(license_.sign(vendor_key))
    pub = VECTORS / "keys" / "vendor-2048.pub.pem"
    ok = run(exe, "verify", "--pub", pub, xml)
    assert ok.returncode == 0, ok.stderr
    assert license_.id in ok.stdout
    xml.write_bytes(license_.sign(vendor_key).replace(b"Example Ltd", b"Example Plc"))
    bad = run(exe, "verify", "--pub", pub, xml)
    assert bad.returncode != 0 and "digest" in (bad.stderr + bad.stdout)


def test_rust_issued_license_verifies_in_python(tmp_path: Path, license_: lc.License, trusted: lc.TrustedKeys) -> None:
    exe = licensectl()
    src = tmp_path / "license.json"
    src.write_text(license_.to_json())
    out = tmp_path / "license.xml"
    done = run(exe, "issue", "--key", VECTORS / "keys" / "vendor-2048.key.pem", "--from", src, "--out", out)
    assert done.returncode == 0, done.stderr
    back = lc.License.from_signed_xml(out.read_bytes(), trusted)
    assert back == license_
    # Both sides sign deterministically: the same license, the same bytes.
    key = lc.SigningKey.from_pem((VECTORS / "keys" / "vendor-2048.key.pem").read_bytes())
    assert out.read_bytes() == license_.sign(key)

"""Shared fixtures: the golden vectors of tests/vectors (the same files the
Rust and C tests read) and the vendor key."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

import license_core as lc

ROOT = Path(__file__).resolve().parents[2]
# Where cargo puts what it builds (the C library, licensectl): CARGO_TARGET_DIR
# when set, as cargo itself reads it.
TARGET = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
VECTORS = ROOT / "tests" / "vectors"
UTC = dt.timezone.utc


def at(year: int, month: int = 1, day: int = 1, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    """An aware UTC datetime."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.fixture(scope="session")
def vendor_key() -> lc.SigningKey:
    return lc.SigningKey.from_pem((VECTORS / "keys" / "vendor-2048.key.pem").read_text())


@pytest.fixture(scope="session")
def other_key() -> lc.SigningKey:
    return lc.SigningKey.from_pem((VECTORS / "keys" / "vendor-3072.key.pem").read_bytes())


@pytest.fixture(scope="session")
def trusted(vendor_key: lc.SigningKey) -> lc.TrustedKeys:
    return lc.TrustedKeys([vendor_key.verifying_key])


@pytest.fixture
def license_() -> lc.License:
    return (
        lc.License.builder("LIC-2026-0001", "certmgr", at(2026))
        .licensee("Example Ltd")
        .organisation("Example Group")
        .email("ops@example.com")
        .expires_at(at(2027))
        .feature("api", lc.Feature(quantity=10))
        .feature("reports")
        .actioned_limit(5000)
        .attribute("po", "PO-7")
        .build()
    )

"""Datetimes: naive is a ValueError, aware is converted to UTC exactly."""

from __future__ import annotations

import datetime as dt

import pytest

import license_core as lc
from conftest import UTC, at


def test_naive_datetime_is_value_error(license_: lc.License) -> None:
    with pytest.raises(ValueError, match="naive"):
        license_.status(dt.datetime(2026, 6, 1))
    with pytest.raises(ValueError, match="naive"):
        lc.License.builder("L", "p", dt.datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="naive"):
        lc.CertificateRecord(1, revoked_at=dt.datetime(2026, 1, 1))
    # A naive datetime is not a LicenseError: the caller's type mistake.
    with pytest.raises(ValueError) as e:
        lc.Inventory().count(dt.datetime(2026, 1, 1))
    assert not isinstance(e.value, lc.LicenseError)


def test_tzinfo_whose_utcoffset_is_none_counts_as_naive(license_: lc.License) -> None:
    class Floating(dt.tzinfo):
        def utcoffset(self, d: dt.datetime | None) -> dt.timedelta | None:
            return None

        def dst(self, d: dt.datetime | None) -> dt.timedelta | None:
            return None

    with pytest.raises(ValueError, match="naive"):
        license_.status(dt.datetime(2026, 6, 1, tzinfo=Floating()))


def test_not_a_datetime_is_type_error(license_: lc.License) -> None:
    with pytest.raises(TypeError):
        license_.status(dt.date(2026, 6, 1))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        license_.status("2026-06-01T00:00:00Z")  # type: ignore[arg-type]


def test_aware_is_converted_to_utc() -> None:
    plus2 = dt.timezone(dt.timedelta(hours=2))
    lic = lc.License.builder("L", "p", dt.datetime(2026, 1, 1, 2, 0, tzinfo=plus2)).licensee("x").build()
    assert lic.issued_at == at(2026)
    assert lic.issued_at.tzinfo is UTC
    assert lic.issued_at.utcoffset() == dt.timedelta(0)
    minus = dt.timezone(dt.timedelta(hours=-5, minutes=-30))
    r = lc.CertificateRecord(7, revoked_at=dt.datetime(2026, 12, 31, 20, 0, tzinfo=minus))
    assert r.revoked_at == dt.datetime(2027, 1, 1, 1, 30, tzinfo=UTC)


def test_microseconds_are_kept_and_day_boundaries_exact() -> None:
    t = dt.datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
    assert lc.Feature(expires_at=t).expires_at == t
    f = lc.Feature(expires_at=at(2026, 6, 1))
    assert f.is_enabled_at(at(2026, 5, 31, 23, 59, 59))
    assert not f.is_enabled_at(at(2026, 6, 1))


def test_leap_day_and_extremes() -> None:
    leap = dt.datetime(2028, 2, 29, 12, tzinfo=UTC)
    assert lc.Feature(expires_at=leap).expires_at == leap
    # Far out of the core's range: the core refuses it with its own error.
    with pytest.raises(lc.LicenseError):
        lc.CertificateRecord(1, expires_at=dt.datetime(1960, 1, 1, tzinfo=UTC))
    # datetime.max in a negative offset does not fit in UTC.
    west = dt.timezone(dt.timedelta(hours=-1))
    with pytest.raises(ValueError):
        lc.Feature(expires_at=dt.datetime.max.replace(tzinfo=west))


def test_count_time_is_truncated_to_seconds() -> None:
    inv = lc.Inventory()
    inv.add_ids("enrolled", [1])
    c = inv.count(dt.datetime(2026, 1, 1, 0, 0, 0, 999999, tzinfo=UTC))
    assert c.as_of == at(2026)

"""Property test: the count equals a pure-Python reference of the rule in
DESIGN.md, for random inventories, configurations and instants."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

import license_core as lc
from conftest import UTC

BASE = dt.datetime(2026, 11, 1, tzinfo=UTC)
WEEK = dt.timedelta(days=7)
NAMES = ["a", "b", "c"]


@dataclass
class Cert:
    id: int
    enrolled: bool = False
    revoked_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    private_key: bool = False
    ssl_endpoints: int = 0
    stores: list[str] = field(default_factory=list[str])
    metadata: list[str] = field(default_factory=list[str])
    collections: list[str] = field(default_factory=list[str])


def reference(certs: list[Cert], t: dt.datetime, excluded: set[str], referenced: set[str] | None) -> dict[str, int]:
    """DESIGN.md: a certificate is actioned if it is in at least one of the
    seven categories; the six live ones exclude revoked (revoked_at <= t) or
    expired (expires_at <= t); revoked_recently is t - 7d < revoked_at <= t
    and excludes expired. total = |C minus (R or E)| + |RW minus E|."""
    counts = dict.fromkeys(lc.CATEGORIES, 0)
    total = 0
    for c in certs:
        revoked = c.revoked_at is not None and c.revoked_at <= t
        expired = c.expires_at is not None and c.expires_at <= t
        recent = c.revoked_at is not None and t - WEEK < c.revoked_at <= t
        live = {
            "enrolled": c.enrolled,
            "metadata": any(m not in excluded for m in c.metadata),
            "ssl_endpoint": c.ssl_endpoints > 0,
            "cert_store": bool(c.stores),
            "private_key": c.private_key,
            "collection": any(referenced is None or x in referenced for x in c.collections),
        }
        dead = revoked or expired
        actioned = False
        for name, member in live.items():
            if member and not dead:
                counts[name] += 1
                actioned = True
        if recent and not expired:
            counts["revoked_recently"] += 1
            actioned = True
        total += actioned
    counts["total"] = total
    return counts


times = st.one_of(
    st.none(),
    st.integers(min_value=-20 * 86400, max_value=40 * 86400).map(lambda s: BASE + dt.timedelta(seconds=s)),
)
subsets = st.lists(st.sampled_from(NAMES), unique=True, max_size=3)


@st.composite
def certs(draw: st.DrawFn) -> list[Cert]:
    ids = draw(st.lists(st.integers(min_value=0, max_value=200_000), unique=True, max_size=60))
    return [
        Cert(
            id=i,
            enrolled=draw(st.booleans()),
            revoked_at=draw(times),
            expires_at=draw(times),
            private_key=draw(st.booleans()),
            ssl_endpoints=draw(st.integers(min_value=0, max_value=3)),
            stores=draw(subsets),
            metadata=draw(subsets),
            collections=draw(subsets),
        )
        for i in ids
    ]


@settings(max_examples=300, deadline=None, database=None)
@given(
    certs(),
    st.integers(min_value=-10 * 86400, max_value=50 * 86400),
    st.sets(st.sampled_from(NAMES)),
    st.one_of(st.none(), st.sets(st.sampled_from(NAMES))),
    st.one_of(st.none(), st.integers(min_value=1, max_value=80)),
)
def test_count_matches_reference(
    cs: list[Cert], offset: int, excluded: set[str], referenced: set[str] | None, limit: int | None
) -> None:
    t = BASE + dt.timedelta(seconds=offset)
    # Boundaries matter: sometimes put t exactly on a revocation, an expiry
    # or the end of a revocation's week.
    if cs and offset % 3 == 0:
        c = cs[offset % len(cs)]
        if c.revoked_at is not None:
            t = c.revoked_at + (WEEK if offset % 2 else dt.timedelta(0))
        elif c.expires_at is not None:
            t = c.expires_at
    inv = lc.Inventory.from_records(
        [
            lc.CertificateRecord(
                c.id,
                enrolled=c.enrolled,
                revoked_at=c.revoked_at,
                expires_at=c.expires_at,
                private_key=c.private_key,
                ssl_endpoints=c.ssl_endpoints,
                stores=[f"store-{s}" for s in c.stores],
                metadata=c.metadata,
                collections=c.collections,
            )
            for c in cs
        ]
    )
    got = inv.count(
        t,
        limit=limit,
        excluded_metadata=sorted(excluded),
        referenced_collections=None if referenced is None else sorted(referenced),
    )
    want = reference(cs, t, excluded, referenced)
    assert got.total == want.pop("total")
    assert got.categories == want
    assert got.over_by == (None if limit is None or got.total <= limit else got.total - limit)
    assert len(got.alerts) == (1 if got.over_by else 0)

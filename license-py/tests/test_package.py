"""The package surface: version, exports, stubs, and that every exported
name is exercised by this suite."""

from __future__ import annotations

import re
from pathlib import Path

import license_core as lc
from conftest import ROOT


def test_version_matches_the_crate() -> None:
    cargo = (ROOT / "Cargo.toml").read_text()
    m = re.search(r'\[workspace\.package\]\s*\nversion = "([^"]+)"', cargo)
    assert m is not None and lc.__version__ == m.group(1)


def test_exports_and_stub_cover_each_other() -> None:
    stub = (Path(lc.__file__).parent / "_native.pyi").read_text()
    assert (Path(lc.__file__).parent / "py.typed").exists()
    for name in lc.__all__:
        assert hasattr(lc, name), name
        obj = getattr(lc, name)
        if getattr(obj, "__module__", "") == "license_core._native":
            assert re.search(rf"^(class|def) {name}\b", stub, flags=re.M), f"{name} missing from _native.pyi"
    native = {n for n in dir(lc._native) if not n.startswith("_")}  # pyright: ignore[reportPrivateUsage]
    assert native - {"error_kinds"} <= set(lc.__all__), native - set(lc.__all__)


def test_every_export_is_used_by_the_tests() -> None:
    here = Path(__file__).parent
    text = "\n".join(p.read_text() for p in here.glob("test_*.py") if p.name != Path(__file__).name)
    unused = [n for n in lc.__all__ if n != "__version__" and not re.search(rf"\blc\.{n}\b", text)]
    assert unused == [], f"not exercised by any test: {unused}"


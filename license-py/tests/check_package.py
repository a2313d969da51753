"""Checks a built distribution's metadata: what PyPI and pip show a user.

Usage: check_package.py WHEEL_OR_SDIST... ; exits non-zero naming what is
missing. Run by scripts/test on the release wheel and on the sdist.
"""

from __future__ import annotations

import email.parser
import sys
import tarfile
import zipfile
from email.message import Message
from pathlib import Path


def metadata(path: Path) -> Message:
    """The core metadata (PKG-INFO / METADATA) inside a wheel or an sdist."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
            text = wheel.read(name).decode()
    else:
        with tarfile.open(path) as sdist:
            member = next(m for m in sdist.getmembers() if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO"))
            extracted = sdist.extractfile(member)
            assert extracted is not None
            text = extracted.read().decode()
    return email.parser.Parser().parsestr(text)


def problems(meta: Message) -> list[str]:
    """What a published package must carry and this one does not."""
    found: list[str] = []
    if meta["Name"] != "license-core":
        found.append(f"name is {meta['Name']!r}")
    if meta["License"] != "Apache-2.0":
        found.append(f"license is {meta['License']!r}")
    classifiers = meta.get_all("Classifier") or []
    for needed in ("License :: OSI Approved :: Apache Software License", "Typing :: Typed"):
        if needed not in classifiers:
            found.append(f"classifier {needed!r} missing")
    if meta["Description-Content-Type"] is None or not meta["Description-Content-Type"].startswith("text/markdown"):
        found.append("no markdown readme")
    body = meta.get_payload()
    if not isinstance(body, str) or "import license_core" not in body:
        found.append("the readme (long description) is missing or has no example")
    if meta["Requires-Python"] != ">=3.11":
        found.append(f"requires-python is {meta['Requires-Python']!r}")
    return found


def main(paths: list[str]) -> int:
    failed = False
    for path in map(Path, paths):
        found = problems(metadata(path))
        for problem in found:
            print(f"{path.name}: {problem}", file=sys.stderr)
        failed |= bool(found)
        if not found:
            print(f"{path.name}: metadata OK")
    return int(failed)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

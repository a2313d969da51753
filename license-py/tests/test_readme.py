"""The README's Python example runs as written (from the repository root,
where its relative paths point)."""

from __future__ import annotations

import os
import re

import pytest

from conftest import ROOT


def test_readme_python_example(capsys: pytest.CaptureFixture[str]) -> None:
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Python\n", 1)[1]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1
    assert "CPython 3.11 or later" in section
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        exec(compile(blocks[0], "README.md", "exec"), {"__name__": "readme"})
    finally:
        os.chdir(cwd)
    assert "over the licensed 5000" in capsys.readouterr().out

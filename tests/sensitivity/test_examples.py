"""The sensitivity examples run as written (STYLE.md: every example runs in the test suite)."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "sensitivity"


def test_kuznetsov_tumour(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLES / "kuznetsov_tumour.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "PRCC of the tumour T" in out
    assert "ranked by total index: d, p, g" in out


def test_docs_page_runs() -> None:
    """Every Python block of docs/sensitivity.md runs as written, in order."""
    page = EXAMPLES.parents[1] / "docs" / "sensitivity.md"
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.S)
    assert blocks
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(page), "exec"), namespace)

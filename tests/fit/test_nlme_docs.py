"""docs/nlme.md runs as written (STYLE.md: every example runs in the test suite)."""

from __future__ import annotations

import re
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "nlme.md"


def test_docs_page_runs() -> None:
    """Every Python block of docs/nlme.md runs in order; the first asserts the recovery."""
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) == 2
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(PAGE), "exec"), namespace)
    forecast = namespace["forecast"]
    assert list(forecast.columns) == ["time", "median", "lower", "upper"]  # type: ignore[attr-defined]

"""docs/extending.md runs as written, from outside the package (issue 10, "Done means").

Each ``## section`` of the page is a walkthrough; its Python blocks, with those of the sections
before it (later sections build on earlier ones, e.g. a modality acting on the model registered
above), run in a fresh interpreter whose working directory is a temporary folder, so they use
only the installed public API. Each block asserts its own result against a number derived in
the text (a closed form, a half-life), so passing means the walkthrough is still correct.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[1] / "docs" / "extending.md"


def _sections() -> list[tuple[str, list[str], dict[str, str]]]:
    """Each section's title, its Python blocks, and its files (``python file=NAME`` blocks,
    written beside the script instead of run)."""
    out: list[tuple[str, list[str], dict[str, str]]] = []
    for part in re.split(r"^## ", PAGE.read_text(encoding="utf-8"), flags=re.M)[1:]:
        title = part.splitlines()[0].strip()
        blocks = re.findall(r"^```python\n(.*?)^```", part, flags=re.M | re.S)
        files = dict(re.findall(r"^```python file=(\S+)\n(.*?)^```", part, flags=re.M | re.S))
        out.append((title, blocks, files))
    return out


SECTIONS = _sections()


def test_the_page_has_its_walkthroughs() -> None:
    titles = [t for t, _, _ in SECTIONS]
    assert titles == ["A model", "A modality with a new effect", "An endpoint", "A distribution",
                      "A solver"]
    assert all(blocks for _, blocks, _ in SECTIONS), "every section has code"


@pytest.mark.parametrize("k", range(len(SECTIONS)), ids=[t for t, _, _ in SECTIONS])
def test_walkthrough_runs_outside_the_package(k: int, tmp_path: Path) -> None:
    code = "\n\n".join(b for _, blocks, _ in SECTIONS[: k + 1] for b in blocks)
    for _, _, files in SECTIONS[: k + 1]:
        for name, text in files.items():
            (tmp_path / name).write_text(text, encoding="utf-8")
    script = tmp_path / "walkthrough.py"
    script.write_text(code, encoding="utf-8")
    run = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, f"{SECTIONS[k][0]!r} failed:\n{run.stdout}\n{run.stderr}"

"""Property-based tests: every example file, mutated at random, validates or is refused cleanly.

Hypothesis (MacIver et al. 2019, JOSS 4:1891) mutates each regimen, trial and scenario file that
ships with coley: a number becomes NaN, infinite, negative, zero, huge, tiny, a string or a
list; a line is deleted or duplicated; the file is truncated, re-encoded or gets random bytes.
``coley validate`` must then exit 0 (still a valid file) or 2 with ``error:`` lines, never 1 and
never a traceback, and return within seconds (it never simulates). Examples are drawn with a
fixed seed (``derandomize``) so CI runs the same cases every time.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coley.cli import main

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([*(ROOT / "examples" / "regimens").glob("*.*"),
                *(ROOT / "examples" / "trials").glob("*.toml"),
                *(ROOT / "examples" / "fits").glob("*.toml"),
                *(ROOT / "scenarios").glob("*.toml")])
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e-?\d+)?(?![\w.])")
REPLACEMENTS = ["nan", "inf", "-inf", "-1", "0", "1e308", "1e-308", "-1e9", '"x"', "[]",
                "true", "{}", "1e12", "0.5"]
YAML_REPLACEMENTS = [".nan", ".inf", "-.inf", "-1", "0", "1e308", "x", "[]", "true", "{}"]

#: Seconds one validation may take (the real ones take well under one; this catches hangs).
SECONDS = 20.0


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    """A (suffix, content) pair: an example file with one random mutation."""
    path = draw(st.sampled_from(FILES))
    text = path.read_text()
    kind = draw(st.sampled_from(["number", "number", "number", "delete", "duplicate",
                                 "truncate", "encoding", "bytes"]))
    if kind == "number":
        spans = [m.span() for m in NUMBER.finditer(text)]
        a, b = draw(st.sampled_from(spans))
        choices = YAML_REPLACEMENTS if path.suffix != ".toml" else REPLACEMENTS
        text = text[:a] + draw(st.sampled_from(choices)) + text[b:]
    elif kind in ("delete", "duplicate"):
        lines = text.splitlines(keepends=True)
        i = draw(st.integers(0, len(lines) - 1))
        lines[i:i + 1] = [] if kind == "delete" else [lines[i], lines[i]]
        text = "".join(lines)
    elif kind == "truncate":
        text = text[:draw(st.integers(0, len(text)))]
    data = text.encode()
    if kind == "encoding":
        data = text.encode(draw(st.sampled_from(["utf-16", "utf-32", "latin-1", "cp1252"])),
                           errors="replace")
    elif kind == "bytes":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=16)) + data[at:]
    return path.suffix, data


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=mutated())
def test_validate_never_crashes(case: tuple[str, bytes], tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    suffix, data = case
    path = tmp_path / f"mutated{suffix}"
    path.write_bytes(data)
    # a regimen_file next to a trial (a measurement table next to a fit file) is resolved
    # relative to it: keep the examples' layout
    for sibling in [*(ROOT / "examples" / "regimens").glob("*.*"),
                    *(ROOT / "examples" / "fits").glob("*.csv")]:
        target = tmp_path / sibling.name
        if not target.exists():
            target.write_bytes(sibling.read_bytes())
    start = time.perf_counter()
    code = main(["validate", str(path)])
    seconds = time.perf_counter() - start
    err = capsys.readouterr().err
    assert code in (0, 2), err
    assert "Traceback" not in err
    if code == 2:
        lines = [line for line in err.splitlines() if line.strip()]
        assert lines and lines[0].startswith("error: "), err
    assert seconds < SECONDS, (seconds, err)


def test_the_examples_are_found() -> None:
    # 2 regimen files, 5 trials, 1 fit, 6 scenarios ship with coley
    assert len(FILES) >= 14

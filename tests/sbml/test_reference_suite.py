"""The reference suite: all 106 published tumour-immune SBML files of shared/reference-models/sbml
(sources in its README.md), each imported and simulated by coley and by libRoadRunner on the same
time grid, compared at rtol 1e-6 with an absolute floor of 1e-10 of each state's range (method:
tests/sbml/reference.py and docs/sbml.md).

A file passes if both agree; if libRoadRunner cannot integrate it, if coley reports a clear
per-patient failure too (a blow-up both integrators stop at), or if coley's Rodas4 and its
explicit Dopri5 agree instead ('coley only'). The outcome of every file is in the
table of docs/sbml.md (``python -m tests.sbml.make_table`` rewrites it); this test also checks
that the table's status is current.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.sbml import reference

FILES = reference.files()
DOCS = Path(__file__).resolve().parents[2] / "docs" / "sbml.md"

pytestmark = pytest.mark.skipif(
    not FILES, reason=f"{reference.SBML_DIR} is absent (the shared folder lies next to the "
    "repository in CI)")


def table_status() -> dict[str, str]:
    """The status column of docs/sbml.md's table, by model id."""
    rows = {}
    for line in DOCS.read_text().splitlines():
        found = re.match(r"\| \[((?:BIOMD|MODEL)\d{10})\].*?\| (pass|both fail|coley only|"
                         r"coley fails|unverified|differs|rejected) \|", line)
        if found:
            rows[found.group(1)] = found.group(2).strip()
    return rows


def test_every_file_is_in_the_docs_table() -> None:
    assert len(FILES) == 106
    assert sorted(table_status()) == sorted(reference.model_id(p) for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=[reference.model_id(p) for p in FILES])
def test_reference_model(path: Path) -> None:
    outcome = reference.run(path)
    if outcome.model in reference.UNVERIFIABLE:  # see reference.NOTES
        assert outcome.status in ("unverified", "both fail"), outcome.status
        return
    assert outcome.passed, f"{outcome.model}: {outcome.status}: {outcome.reason}"
    if outcome.status in ("pass", "coley only"):
        assert outcome.max_error <= reference.RTOL
    else:  # both integrators fail: coley's message says where and why
        assert "coley:" in outcome.reason and " at t = " in outcome.reason
    assert table_status()[outcome.model] == outcome.status, (
        "docs/sbml.md is out of date; run: python -m tests.sbml.make_table")

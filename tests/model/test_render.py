"""The committed model pages in docs/models/ are exactly what `coley info --markdown` renders."""

from __future__ import annotations

from pathlib import Path

import pytest

from coley import library
from coley.model.render import model_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs" / "models"


@pytest.mark.parametrize("name", library.names())
def test_docs_page_is_current(name: str) -> None:
    page = DOCS / f"{name}.md"
    assert page.exists(), f"missing {page}; run: coley info {name} --markdown > {page}"
    assert page.read_text() == model_markdown(library.get(name)), (
        f"{page} is stale; run: coley info {name} --markdown > {page}"
    )


def test_page_lists_every_parameter_with_unit_and_source() -> None:
    model = library.get("kuznetsov1994")
    page = model_markdown(model)
    for p in model.parameters:
        row = next(line for line in page.splitlines() if line.startswith(f"| `{p.name}` |"))
        assert p.unit in row and p.source in row
    assert "BIOMD0000000762" in page

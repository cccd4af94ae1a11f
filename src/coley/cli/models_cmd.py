"""``coley models``: list the library."""

from __future__ import annotations

import json
from typing import Any

import typer

from coley import library


def models(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable JSON list."),
) -> None:
    """List the library models."""
    rows: list[dict[str, Any]] = []
    for name in library.names():
        m = library.get(name)
        e = library.entry(name)
        rows.append({
            "name": name, "summary": e.summary, "states": list(m.state_names),
            "parameters": len(m.parameters), "citation": str(m.citation),
            "options": {k: list(v) for k, v in e.options.items()},
        })
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        typer.echo(f"{r['name']:<{width}}  {r['summary']}")

"""``coley modalities``: the treatment catalogue, with hooks, dose units and sources."""

from __future__ import annotations

import json
from typing import Any

import typer

from coley.treat.catalogue import modalities as catalogue


def modalities(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable JSON list."),
) -> None:
    """List the treatment modalities and the model hooks each acts on."""
    rows: list[dict[str, Any]] = []
    for m in catalogue():
        rows.append({
            "name": m.name, "kind": m.kind, "dose_units": list(m.dose_units),
            "hooks": [{"hook": a.hook, "mode": a.mode, "optional": a.optional,
                       "source": a.source} for a in m.actions],
            "toxicity": [t.name for t in m.toxicity], "description": m.description,
        })
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        hooks = ", ".join(f"{h['hook']}{'?' if h['optional'] else ''} ({h['mode']})"
                          for h in r["hooks"])
        typer.echo(f"{r['name']:<{width}}  {r['kind']}: {hooks}")

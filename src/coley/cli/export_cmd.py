"""``coley export MODEL --sbml FILE``: write a model as SBML Level 3 Version 2."""

from __future__ import annotations

from pathlib import Path

import typer

from coley.cli._resolve import load_model, parse_settings, settings_for


def export(
    model: str = typer.Argument(..., help="Library model name (see `coley models`) or an "
                                "SBML file."),
    sbml: Path = typer.Option(..., "--sbml", help="SBML file to write (Level 3 Version 2)."),
    set_: list[str] = typer.Option([], "--set", help="NAME=VALUE: a parameter or initial state."),
    variant: str = typer.Option(None, "--variant", help="Model variant, where it has several."),
) -> None:
    """Write a model as SBML (opens in COPASI, tellurium and libRoadRunner)."""
    from coley.sbml import write_sbml

    m = load_model(model, variant)
    settings = parse_settings(set_)
    m = m.with_values(settings_for(m, settings)) if settings else m
    out = write_sbml(m, sbml)
    typer.echo(f"wrote {out} (SBML Level 3 Version 2, model {m.name!r})", err=True)

"""``coley validate FILE``: check a regimen file and name every problem (exit 0 or 2)."""

from __future__ import annotations

from pathlib import Path

import typer

from coley.treat.scenario import problems


def validate(
    file: Path = typer.Argument(..., help="Regimen file (.toml, .yaml or .yml)."),
    days: float = typer.Option(None, "--days", help="Horizon to check dose days against."),
) -> None:
    """Validate a regimen file without simulating anything."""
    found = problems(file, days=days)
    if found:
        for line in found:
            typer.echo(f"error: {line}", err=True)
        raise typer.Exit(2)
    typer.echo(f"{file}: ok")

"""``coley simulate MODEL``: write a CSV of one trajectory and, optionally, a figure."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import typer

from coley.cli._resolve import load_model, parse_settings, settings_for
from coley.errors import InvalidArgumentError
from coley.experiment.files import output_file
from coley.solve.simulate import simulate as run_simulation
from coley.solve.solvers import Dopri5, Rodas4
from coley.treat.apply import Treatment

#: Longest daily output grid by default (27,000 years: a longer one is a typo in --days).
MAX_ROWS = 10_000_000

#: Figure formats ``--plot`` writes (by the file's ending).
PLOT_SUFFIXES = (".png", ".pdf", ".svg")


def simulate(
    model: str = typer.Argument(..., help="Library model name (see `coley models`) or an "
                                "SBML file."),
    set_: list[str] = typer.Option([], "--set", help="NAME=VALUE: a parameter or initial state."),
    days: float = typer.Option(None, "--days", help="Simulated days (default 365)."),
    output: Path = typer.Option(None, "--output", "-o", help="CSV file (default: stdout)."),
    plot: Path = typer.Option(None, "--plot", help="Also write a figure (PNG, PDF or SVG)."),
    variant: str = typer.Option(None, "--variant", help="Model variant, where it has several."),
    solver: str = typer.Option("rodas4", "--solver", help="rodas4 (stiff) or dopri5."),
    rtol: float = typer.Option(1e-8, "--rtol", help="Relative tolerance."),
    atol: float = typer.Option(1e-8, "--atol", help="Absolute tolerance (state units)."),
    regimen: Path = typer.Option(None, "--regimen", help="Regimen file (.toml/.yaml) to apply."),
    max_rows: int = typer.Option(MAX_ROWS, "--max-rows", help="Refuse a daily grid longer "
                                 "than this (memory guard)."),
) -> None:
    """Simulate a model on a daily grid and write time, then one column per state."""
    t_end = 365.0 if days is None else days
    if not (t_end > 0 and math.isfinite(t_end)):
        raise InvalidArgumentError(f"--days must be > 0 and finite, got {days}.")
    rows = math.floor(t_end) + 1
    if rows > max_rows:
        raise InvalidArgumentError(
            f"--days {t_end:g} gives a daily grid of {rows:,} rows, more than --max-rows "
            f"{max_rows:,}; simulate fewer days or raise --max-rows.")
    if output is not None:
        output_file(output, what="--output file")
    if plot is not None:
        output_file(plot, what="--plot file", suffixes=PLOT_SUFFIXES)
    m = load_model(model, variant)
    settings = parse_settings(set_)
    solvers = {"rodas4": Rodas4, "dopri5": Dopri5}
    if solver not in solvers:
        raise InvalidArgumentError(f"--solver must be one of {list(solvers)}, got {solver!r}.")
    m = m.with_values(settings_for(m, settings)) if settings else m
    spec = solvers[solver](rtol=rtol, atol=atol)
    regimens: list[Any] = []
    covariates: dict[str, float] | None = None
    if regimen is not None:
        from coley.treat.scenario import load_regimens

        regimens, covariates, _ = load_regimens(regimen, days=t_end)
        covariates = covariates or None
    treatment = Treatment(regimens, covariates=covariates) if regimens else None
    result = run_simulation(m, t_end=t_end, solver=spec, treatment=treatment)
    if result.status[0] < 0:
        typer.echo(f"error: integration failed: {result.messages[0]}", err=True)
        raise typer.Exit(1)
    # columns named by the model's source ids (the SBML ids of an imported file)
    frame = result.patient_frame(0).rename(columns=dict(m.source_ids))
    if output is None:
        frame.to_csv(sys.stdout, index=False, float_format="%.10g")
    else:
        frame.to_csv(output, index=False, float_format="%.10g")
        typer.echo(f"wrote {output} ({len(frame)} rows)", err=True)
    if plot is not None:
        fig = result.plot(title=f"{m.name}: {m.title}")
        fig.savefig(plot, dpi=120)
        typer.echo(f"wrote {plot}", err=True)

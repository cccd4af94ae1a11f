"""``coley simulate MODEL``: write a CSV of one trajectory and, optionally, a figure."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from coley.cli._resolve import load_model, parse_settings, settings_for
from coley.errors import InvalidArgumentError
from coley.solve.simulate import simulate as run_simulation
from coley.solve.solvers import Dopri5, Rodas4
from coley.treat.apply import Treatment


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
) -> None:
    """Simulate a model on a daily grid and write time, then one column per state."""
    m = load_model(model, variant)
    settings = parse_settings(set_)
    t_end = 365.0 if days is None else days
    if not t_end > 0:
        raise InvalidArgumentError(f"--days must be > 0, got {days}.")
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
        output.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(output, index=False, float_format="%.10g")
        typer.echo(f"wrote {output} ({len(frame)} rows)", err=True)
    if plot is not None:
        plot.parent.mkdir(parents=True, exist_ok=True)
        fig = result.plot(title=f"{m.name}: {m.title}")
        fig.savefig(plot, dpi=120)
        typer.echo(f"wrote {plot}", err=True)

"""``coley validate FILE``: check a regimen, trial or scenario file and name every problem
(exit 0 or 2) without simulating anything."""

from __future__ import annotations

from pathlib import Path

import typer

from coley.errors import CoLeyError, InvalidArgumentError

#: The file kinds `coley validate` checks (a file's optional ``kind`` key names one).
KINDS = ("trial", "scenario", "regimen", "fit", "population_fit")


def _kind(file: Path) -> str:
    """'trial', 'scenario' or 'regimen': the file's ``kind`` key, else inferred from its
    top-level keys (an unreadable file is one error line, exit 2)."""
    from coley.experiment.files import read_document

    data = read_document(file)
    kind = data.get("kind")
    if kind in KINDS:
        return str(kind)
    if kind is not None:
        raise InvalidArgumentError(f"{file}: kind = {kind!r} is not one of {list(KINDS)}; "
                                   "write e.g. kind = \"trial\", or drop the key.")
    if "diagnosis" in data or "follow_up_days" in data:
        return "trial"
    if "measurements" in data and "observable" in data:
        return "fit"
    if "behaviour" in data or ("arm" in data and "regimen" not in data):
        return "scenario"
    return "regimen"


def validate(
    file: Path = typer.Argument(..., help="Regimen, trial, scenario or fit file (.toml/.yaml)."),
    days: float = typer.Option(None, "--days", help="Horizon to check dose days against "
                               "(regimen files)."),
) -> None:
    """Validate a regimen, trial, scenario or fit file."""
    kind = _kind(file)
    if kind == "trial":
        from coley.trial.spec import problems as trial_problems

        found = trial_problems(file)
    elif kind == "fit":
        from coley.fit.spec import problems as fit_problems

        found = fit_problems(file)
    elif kind == "population_fit":
        from coley.fit.population_file import problems as population_problems

        found = population_problems(file)
    elif kind == "scenario":
        from coley.scenario.scenario import load_scenario

        try:
            load_scenario(file)
            found = []
        except CoLeyError as exc:
            found = [str(exc)]
    else:
        from coley.treat.scenario import problems

        found = problems(file, days=days)
    if found:
        for line in found:
            typer.echo(f"error: {line}", err=True)
        raise typer.Exit(2)
    typer.echo(f"{file}: ok ({kind.replace('_', ' ')} file)")

"""``coley fit PROBLEM -o DIR``: fit a model to data (a coley fit file or a PEtab yaml)."""

from __future__ import annotations

from pathlib import Path

import typer


def fit(
    problem: Path = typer.Argument(..., help="Fit file (.toml/.yaml, kind = \"fit\" or "
                                   "\"population_fit\") or a PEtab v1 problem (.yaml with "
                                   "format_version)."),
    output: Path = typer.Option(Path("out/fit"), "--output", "-o",
                                help="Output folder (created if needed)."),
    starts: int = typer.Option(None, "--starts", help="Optimiser starts (default: the "
                               "file's, else 10)."),
    seed: int = typer.Option(None, "--seed", help="Seed of the start points."),
    workers: int = typer.Option(1, "--workers", help="Threads per simulation."),
    processes: int = typer.Option(1, "--processes", help="Starts run at once, each in its "
                                  "own process (the result does not depend on it)."),
    method: str = typer.Option("auto", "--method", help="auto, trf or lbfgsb."),
    resume: bool = typer.Option(False, "--resume", help="Keep the starts already in "
                                "DIR/starts.jsonl and run the rest."),
    profile: bool = typer.Option(False, "--profile", help="Then profile the likelihood of "
                                 "every estimated parameter: likelihood-ratio intervals and "
                                 "identifiability labels (profiles.csv, profiles.png)."),
    sample: int = typer.Option(0, "--sample", help="Then sample the posterior with emcee "
                               "for this many steps (posterior.csv, diagnostics in fit.json; "
                               "needs coley[bayes])."),
) -> None:
    """Fit a model to measurements from many starts; write fit.json, parameters.csv,
    simulations.csv and fit.png (and the profiles with --profile)."""
    from coley.errors import InvalidArgumentError
    from coley.experiment.files import read_document
    from coley.fit.runner import run_fit

    data = read_document(problem, what="fit problem")
    if data.get("kind") == "population_fit":
        _population(problem, output, seed)
        return
    if "format_version" in data:
        from coley.fit.petab import read_petab

        fit_problem = read_petab(problem)
        n, s = 10, 0
    else:
        from coley.fit.spec import load_fit

        loaded = load_fit(problem)
        fit_problem, n, s = loaded.problem, loaded.starts, loaded.seed
    n = n if starts is None else starts
    s = s if seed is None else seed
    for name, value, low in (("--starts", n, 1), ("--seed", s, 0), ("--workers", workers, 1),
                             ("--sample", sample, 0), ("--processes", processes, 1)):
        if value < low:
            raise InvalidArgumentError(f"{name} must be >= {low}, got {value}.")
    result = run_fit(fit_problem, output, starts=n, seed=s, method=method, workers=workers,
                     resume=resume, progress=True, profile=profile, sample=sample,
                     processes=processes)
    best = result.best
    typer.echo(f"{fit_problem.name}: best nll {result.nll:.6g} "
               f"({100 * result.fraction_at_best():.0f}% of {len(result.starts)} starts at the "
               f"best); {', '.join(f'{k} = {v:.4g}' for k, v in result.parameters.items())}"
               + ("" if best.converged else f" [best start did not converge: {best.message}]"),
               err=True)
    if profile:
        import pandas as pd

        table = pd.read_csv(output / "parameters.csv")
        for row in table.itertuples():
            typer.echo(f"  {row.parameter}: {row.identifiability}, 95% profile interval "
                       f"[{_end(row.profile_low)}, {_end(row.profile_high)}]", err=True)
    typer.echo(f"wrote {output / 'fit.json'}, parameters.csv, simulations.csv, fit.png"
               + (", profiles.csv, profiles.png" if profile else "")
               + (", posterior.csv" if sample else "") + ", report.html", err=True)


def _population(problem: Path, output: Path, seed: int | None) -> None:
    """A population (NLME) fit file: SAEM, then fit.json, population.csv and report.html."""
    from coley.fit.population_file import load_population_fit, run_population_fit

    loaded = load_population_fit(problem)
    result = run_population_fit(loaded, output, seed=seed)
    typer.echo(f"{loaded.spec.name}: {loaded.spec.form} population of {result.n_subjects} "
               f"subjects; -2LL {result.minus2ll:.6g}; "
               + ", ".join(f"{k} = {v:.4g}" for k, v in result.estimates.items()), err=True)
    typer.echo(f"wrote {output / 'fit.json'}, population.csv, individual.csv, trajectory.csv, "
               "fit.png, individuals.png, report.html", err=True)


def _end(value: object) -> str:
    """An interval end, or 'open' where the profile stays below the threshold."""
    import math

    if not isinstance(value, int | float) or not math.isfinite(value):
        return "open"
    return f"{value:.4g}"

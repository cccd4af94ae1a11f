"""Run a fit into a folder: starts written as they finish (resumable), then the results.

``DIR/starts.jsonl``: a header line (problem name, estimated parameters, starts, seed, method),
then one line per finished start; ``--resume`` keeps those and runs only the missing ones.
When all are done: ``DIR/fit.json`` (``nll`` with the PEtab normalisation constants; with
priors also ``neg_log_prior`` and ``objective``, their sum, which the starts hold;
``parameters`` on the linear scale, standard errors, every start), ``DIR/parameters.csv``,
``DIR/simulations.csv`` (the measurements with the best fit's simulation, noise and residual),
``DIR/fit.png`` (data against the fitted observables per experiment, and the waterfall of
start objectives) and ``DIR/report.html`` (:mod:`coley.fit.report`).

With ``profile=True`` the profile likelihood of every estimated parameter follows
(:mod:`coley.fit.profile`): ``DIR/profiles.jsonl`` (a header naming the best fit, then one
line per finished profile; ``--resume`` keeps those that belong to the same best fit),
``DIR/profiles.csv`` (every profile point), ``DIR/profiles.png``, the likelihood-ratio
intervals and identifiability labels in ``fit.json`` (``profiles``) and ``parameters.csv``
(``profile_low``, ``profile_high``, ``identifiability``). With ``sample=N`` the posterior
follows (emcee, :mod:`coley.fit.bayes`): ``DIR/posterior.csv`` and ``posterior`` in
``fit.json`` (R-hat, ESS, acceptance); it is not resumable (an interrupted run samples again).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from coley.errors import InvalidArgumentError
from coley.experiment.files import output_folder
from coley.experiment.provenance import versions
from coley.fit.objective import Objective
from coley.fit.optimize import WATERFALL_TOLERANCE, FitResult, StartResult, fit
from coley.fit.problem import FitProblem
from coley.fit.profile import Profile, profile_table

if TYPE_CHECKING:
    from coley.fit.bayes import Posterior
from coley.fit.profile import profile as profile_likelihood

STARTS_FILE = "starts.jsonl"
PROFILES_FILE = "profiles.jsonl"


def _header(problem: FitProblem, objective: Objective, starts: int, seed: int,
            method: str) -> dict[str, Any]:
    return {"problem": problem.name, "estimated": list(objective.estimated_names),
            "starts": starts, "seed": seed, "method": method}


def _read_starts(path: Path, header: dict[str, Any], names: tuple[str, ...]
                 ) -> list[StartResult]:
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines:
        return []
    try:
        found = json.loads(lines[0])
    except json.JSONDecodeError:
        found = None
    if found != header:
        raise InvalidArgumentError(
            f"{path} was written by another fit ({found}); this one is {header}. Use another "
            "output folder, or run without --resume to start again.")
    done = []
    for line in lines[1:]:
        try:
            done.append(StartResult.from_dict(json.loads(line), names))
        except (json.JSONDecodeError, KeyError, TypeError):
            continue  # a line cut short by an interruption: that start runs again
    return done


def run_fit(problem: FitProblem, out_dir: str | Path, *, starts: int = 10, seed: int = 0,
            method: str = "auto", workers: int = 1, resume: bool = False,
            progress: bool = False, profile: bool = False, sample: int = 0,
            processes: int = 1) -> FitResult:
    """Fit ``problem`` and write the results to ``out_dir`` (module docstring)."""
    out = output_folder(out_dir, what="fit output folder")
    objective = Objective(problem, workers=workers)
    header = _header(problem, objective, starts, seed, method)
    path = out / STARTS_FILE
    completed = _read_starts(path, header, objective.estimated_names) \
        if resume and path.exists() else []
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(header) + "\n")
        for r in completed:
            fh.write(json.dumps(r.to_dict(objective.estimated_names)) + "\n")
        fh.flush()
        bar = None
        if progress:
            from rich.progress import Progress

            bar = Progress(transient=True)
            bar.start()
            task = bar.add_task("starts", total=starts, completed=len(completed))

        def done(r: StartResult) -> None:
            fh.write(json.dumps(r.to_dict(objective.estimated_names)) + "\n")
            fh.flush()
            if bar is not None:
                bar.advance(task)

        try:
            result = fit(problem, starts=starts, seed=seed, method=method, objective=objective,
                         progress=done, completed=completed, processes=processes)
        finally:
            if bar is not None:
                bar.stop()
    profiles = (_run_profiles(result, objective, out, method, resume, progress) if profile
                else ())
    posterior = _run_sampler(result, sample, seed, progress) if sample else None
    write_results(result, objective, out, profiles, posterior)
    return result


def _run_sampler(result: FitResult, steps: int, seed: int, progress: bool) -> Posterior:
    """The posterior by emcee (:mod:`coley.fit.bayes`), with a progress bar."""
    from coley.fit.bayes import sample

    if not progress:
        return sample(result, steps=steps, seed=seed)
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("posterior steps", total=steps)
        return sample(result, steps=steps, seed=seed,
                      progress=lambda i: bar.update(task, completed=i))


def _run_profiles(result: FitResult, objective: Objective, out: Path, method: str,
                  resume: bool, progress: bool) -> tuple[Profile, ...]:
    """Profiles of every estimated parameter, each written to profiles.jsonl as it ends."""
    names = result.names
    header = {"problem": result.problem.name, "nll": result.nll,
              "best": dict(zip(names, map(float, result.best.x), strict=True))}
    path = out / PROFILES_FILE
    completed: list[Profile] = []
    if resume and path.exists():
        lines = path.read_text(encoding="utf-8").splitlines()
        if lines and _loads(lines[0]) == header:
            for line in lines[1:]:
                try:
                    completed.append(Profile.from_dict(json.loads(line), names))
                except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                    continue  # cut short by an interruption: that profile runs again
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(header) + "\n")
        for p in completed:
            fh.write(json.dumps(p.to_dict(names)) + "\n")
        fh.flush()
        bar = None
        if progress:
            from rich.progress import Progress

            bar = Progress(transient=True)
            bar.start()
            task = bar.add_task("profiles", total=len(names), completed=len(completed))

        def done(p: Profile) -> None:
            fh.write(json.dumps(p.to_dict(names)) + "\n")
            fh.flush()
            if bar is not None:
                bar.advance(task)

        try:
            return profile_likelihood(result, method=method, objective=objective,
                                      progress=done, completed=completed)
        finally:
            if bar is not None:
                bar.stop()


def _loads(line: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None


def write_results(result: FitResult, objective: Objective, out: Path,
                  profiles: tuple[Profile, ...] = (), posterior: Posterior | None = None
                  ) -> None:
    """fit.json, parameters.csv, simulations.csv and fit.png of ``result``; with
    ``profiles``, also profiles.csv, profiles.png and the profile intervals; with
    ``posterior``, posterior.csv (the kept samples, linear scale) and its diagnostics."""
    best = objective.evaluate(result.best.x, gradient=False)
    data = result.to_dict()
    data["chi2"] = best.chi2 if math.isfinite(best.chi2) else None
    if objective.priors:  # starts hold the negative log posterior; nll is the likelihood's
        data["objective"] = data["nll"]
        data["nll"] = best.nll
        data["neg_log_prior"] = best.neg_log_prior
    table = result.table()
    if profiles:
        data["profiles"] = {p.name: {k: v for k, v in p.to_dict(result.names).items()
                                     if k not in ("values", "nll", "converged", "points")}
                            for p in profiles}
        by_name = {p.name: p for p in profiles}
        for column, pick in (("profile_low", 0), ("profile_high", 1)):
            table[column] = [by_name[n].interval[pick] if n in by_name else None
                             for n in table["parameter"]]
        table["identifiability"] = [by_name[n].label.value if n in by_name else ""
                                    for n in table["parameter"]]
        profile_table(profiles).to_csv(out / "profiles.csv", index=False,
                                       float_format="%.10g")
        profiles_fig = profile_figure(profiles)
        profiles_fig.savefig(out / "profiles.png", dpi=110)
    if posterior is not None:
        data["posterior"] = posterior.to_dict()
        import pandas as pd

        pd.DataFrame(posterior.linear(), columns=list(posterior.names)).to_csv(
            out / "posterior.csv", index=False, float_format="%.10g")
    data["versions"] = versions()
    (out / "fit.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    table.to_csv(out / "parameters.csv", index=False, float_format="%.10g")
    best.table.to_csv(out / "simulations.csv", index=False, float_format="%.10g")
    curves = objective.curves(result.best.x)
    overview = figure(result, best.table, curves)
    overview.savefig(out / "fit.png", dpi=110)
    from coley.fit.report import experiments_figure, render

    log_scale = all(o.transform != "lin" for o in result.problem.observables)
    figures = {"Data and best fit per experiment":
               experiments_figure(curves, best.table, log_scale),
               "Fit overview and start waterfall": overview}
    if profiles:
        figures["Profile likelihoods"] = profiles_fig
    page = render(data, table, figures, model=result.problem.model.name,
                  experiments=len(result.problem.experiments),
                  measurements=len(result.problem.measurements))
    (out / "report.html").write_text(page, encoding="utf-8")


def profile_figure(profiles: tuple[Profile, ...]) -> Any:
    """One panel per parameter: nll - best along its profile, the threshold, the estimate."""
    from matplotlib.figure import Figure

    n = len(profiles)
    cols = min(n, 4)
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(3.2 * cols, 2.8 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    for ax, p in zip(axes, profiles, strict=False):
        finite = np.isfinite(p.nll)
        ax.plot(p.values[finite], p.nll[finite] - p.best_nll, "o-", ms=3)
        ax.axhline(p.threshold, color="k", ls="--", lw=0.8)
        ax.axvline(p.estimate, color="C3", lw=0.8)
        scale = "" if p.scale.value == "lin" else f"{p.scale.value} "
        ax.set(xlabel=f"{scale}{p.name}", ylabel="nll - best", title=p.label.value)
        ax.title.set_fontsize(8)
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig


def figure(result: FitResult, table: Any, curves: Any) -> Any:
    """Data and fitted observables (``curves``: :meth:`Objective.curves`) of every experiment
    (left), start objectives sorted (right)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.5), layout="constrained")
    ax_fit, ax_wf = fig.subplots(1, 2)
    for k, ((exp, obs), rows) in enumerate(table.groupby(["experiment", "observable"],
                                                         sort=True)):
        color = f"C{k % 10}"
        ax_fit.plot(rows["time"], rows["value"], "o", color=color, ms=4)
        line = curves[(curves["experiment"] == exp) & (curves["observable"] == obs)]
        ax_fit.plot(line["time"], line["simulation"], "-", color=color, lw=1.3,
                    label=f"{exp}: {obs}")
    transforms = {o.name: str(o.transform) for o in result.problem.observables}
    if all(t != "lin" for t in transforms.values()):
        ax_fit.set_yscale("log")
    ax_fit.set(xlabel="time", ylabel="observable", title="data (points) and best fit (lines)")
    ax_fit.legend(fontsize=8)
    nll = np.array([s.nll for s in result.starts])
    finite = np.isfinite(nll)
    ax_wf.plot(np.flatnonzero(finite) + 1, nll[finite] - result.nll + 1e-3, "o-", ms=4)
    ax_wf.axhline(WATERFALL_TOLERANCE, color="k", ls="--", lw=0.8)
    ax_wf.set_yscale("log")
    ax_wf.set(xlabel="start (sorted)", ylabel="nll - best nll (+0.001)",
              title=f"waterfall: {100 * result.fraction_at_best():.0f}% of starts at the best")
    return fig


__all__ = ["PROFILES_FILE", "STARTS_FILE", "profile_figure", "run_fit", "write_results"]

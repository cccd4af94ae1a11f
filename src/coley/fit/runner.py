"""Run a fit into a folder: starts written as they finish (resumable), then the results.

``DIR/starts.jsonl``: a header line (problem name, estimated parameters, starts, seed, method),
then one line per finished start; ``--resume`` keeps those and runs only the missing ones.
When all are done: ``DIR/fit.json`` (``nll`` with the PEtab normalisation constants,
``parameters`` on the linear scale, standard errors, every start), ``DIR/parameters.csv``,
``DIR/simulations.csv`` (the measurements with the best fit's simulation, noise and residual)
and ``DIR/fit.png`` (data against the fitted observables per experiment, and the waterfall of
start objectives).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from coley.errors import InvalidArgumentError
from coley.experiment.files import output_folder
from coley.experiment.provenance import versions
from coley.fit.objective import Objective
from coley.fit.optimize import WATERFALL_TOLERANCE, FitResult, StartResult, fit
from coley.fit.problem import FitProblem

STARTS_FILE = "starts.jsonl"


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
            progress: bool = False) -> FitResult:
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
                         progress=done, completed=completed)
        finally:
            if bar is not None:
                bar.stop()
    write_results(result, objective, out)
    return result


def write_results(result: FitResult, objective: Objective, out: Path) -> None:
    """fit.json, parameters.csv, simulations.csv and fit.png of ``result``."""
    best = objective.evaluate(result.best.x, gradient=False)
    data = result.to_dict()
    data["chi2"] = best.chi2 if math.isfinite(best.chi2) else None
    data["versions"] = versions()
    (out / "fit.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    result.table().to_csv(out / "parameters.csv", index=False, float_format="%.10g")
    best.table.to_csv(out / "simulations.csv", index=False, float_format="%.10g")
    figure(result, objective, best.table).savefig(out / "fit.png", dpi=110)


def figure(result: FitResult, objective: Objective, table: Any) -> Any:
    """Data and fitted observables per experiment (left), start objectives sorted (right)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.5), layout="constrained")
    ax_fit, ax_wf = fig.subplots(1, 2)
    curves = objective.curves(result.best.x)
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


__all__ = ["STARTS_FILE", "run_fit", "write_results"]

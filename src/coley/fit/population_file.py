"""Population fit files (TOML or YAML, ``kind = "population_fit"``) and their run.

::

    kind = "population_fit"
    name = "study2_arm1"
    form = "stein_fojo"                 # a growth form of coley.model.growth
    measurements = "lesions.csv"        # subject, time (days), value; or the Laleh table
    format = "long"                     # "long" (subject, time, value) or "laleh2022"
    select = { study_arm = "Study_2_Arm_1" }   # optional: keep rows with these values
    seed = 0

    [error]
    kind = "combined"                   # additive, proportional, combined, exponential
    a_min = 1.05e-5                     # optional floor under the additive part

    [[parameter]]                       # one per parameter of the form
    name = "V0"
    typical = 3e-3                      # the starting typical value
    omega = 1.0                         # the starting sd of log values
    random = true                       # false: no between-subject variability

:func:`problems` lists every problem of a file, and :func:`run_population_fit` writes a fit
into a folder: ``fit.json`` (estimates, SEs, -2LL, AIC, BIC, shrinkage, seed, wall time),
``population.csv`` (the population table with RSE%), ``individual.csv`` (the empirical Bayes
estimates), ``trajectory.csv`` (SAEM's estimates per iteration), ``individuals.png`` (the
first subjects' readings with their individual and population curves), ``fit.png`` (convergence,
observations against individual and population predictions, a visual predictive check) and
``report.html``.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError

from coley.errors import CoLeyError, InvalidArgumentError
from coley.experiment.files import check_input_file, read_document
from coley.experiment.problems import raise_problems
from coley.experiment.schema import Strict
from coley.fit.forecast import check_lesion_table, read_laleh2022
from coley.fit.nlme import NLMEResult, PopulationParameter, ResidualError, saem
from coley.fit.predictive_check import vpc
from coley.model.growth import FORMS, growth_form


class ErrorTable(Strict):
    kind: Literal["additive", "proportional", "combined", "exponential"] = "combined"
    a_min: float = Field(default=0.0, ge=0)


class PopulationParameterTable(Strict):
    name: str
    typical: float = Field(gt=0)
    omega: float = Field(default=0.5, gt=0)
    random: bool = True


class PopulationFitSpec(Strict):
    """A population fit file's top level."""

    kind: Literal["population_fit"] = "population_fit"
    name: str
    title: str = ""
    description: str = ""
    form: str
    measurements: str
    format: Literal["long", "laleh2022"] = "long"
    select: dict[str, str | float] = Field(default_factory=dict)
    seed: int = Field(default=0, ge=0)
    iterations: tuple[int, int] = (200, 100)
    error: ErrorTable = Field(default_factory=ErrorTable)
    parameter: list[PopulationParameterTable]


@dataclass(frozen=True)
class PopulationFitFile:
    """A loaded population fit file: its spec, its data and its parameters."""

    spec: PopulationFitSpec
    path: Path
    data: pd.DataFrame
    parameters: tuple[PopulationParameter, ...]
    error: ResidualError


def _build(spec: PopulationFitSpec, path: Path) -> PopulationFitFile:
    form = growth_form(spec.form)
    if not form.log_normal:
        ok = [k for k, v in FORMS.items() if v.log_normal]
        raise InvalidArgumentError(
            f"form = {spec.form!r} has a parameter that may be negative or is bounded above, "
            f"so it cannot be log-normal; use one of {ok}.")
    names = [p.name for p in spec.parameter]
    missing = [n for n in form.parameter_names if n not in names]
    extra = [n for n in names if n not in form.parameter_names]
    if missing or extra:
        raise InvalidArgumentError(
            f"[[parameter]]: form {spec.form!r} has parameters {list(form.parameter_names)}; "
            + (f"missing {missing}" if missing else "")
            + ("; " if missing and extra else "")
            + (f"unknown {extra}" if extra else "") + ".")
    csv = check_input_file(path.parent / spec.measurements, what="measurements")
    data = read_laleh2022(csv) if spec.format == "laleh2022" else pd.read_csv(csv)
    for column, value in spec.select.items():
        if column not in data.columns:
            raise InvalidArgumentError(
                f"select: {column!r} is not a column of {csv.name}; its columns are "
                f"{list(data.columns)}.")
        data = data[data[column] == value]
        if data.empty:
            raise InvalidArgumentError(f"select: no row has {column} = {value!r}.")
    data = check_lesion_table(data, argument="measurements")
    parameters = tuple(PopulationParameter(p.name, p.typical, omega=p.omega, random=p.random)
                       for p in sorted(spec.parameter,
                                       key=lambda p: form.parameter_names.index(p.name)))
    error = ResidualError(spec.error.kind, a_min=spec.error.a_min)
    return PopulationFitFile(spec, path, data, parameters, error)


def problems(path: str | Path) -> list[str]:
    """Every problem of the population fit file ``path``, one line each (empty: valid)."""
    path = Path(path)
    try:
        data = read_document(path, what="population fit file")
        spec = PopulationFitSpec.model_validate(data)
    except CoLeyError as exc:
        return [str(exc)]
    except ValidationError as exc:
        return [f"{path}: {'.'.join(str(x) for x in err['loc'])}: {err['msg']}"
                for err in exc.errors()]
    try:
        _build(spec, path)
    except CoLeyError as exc:
        return [f"{path}: {exc}"]
    return []


def load_population_fit(path: str | Path) -> PopulationFitFile:
    """The population fit file ``path``, checked."""
    path = Path(path)
    raise_problems(problems(path), "population fit file")
    return _build(PopulationFitSpec.model_validate(read_document(path)), path)


def _predictor(form_name: str):  # type: ignore[no-untyped-def]
    form = growth_form(form_name)

    def predict(t: np.ndarray, psi: dict[str, np.ndarray]) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            return np.asarray(form.solution(t, *(psi[k] for k in form.parameter_names)))
    return predict


def run_population_fit(loaded: PopulationFitFile, out_dir: str | Path, *,
                       seed: int | None = None) -> NLMEResult:
    """Fit the file's population by SAEM and write the outputs listed in the module doc."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InvalidArgumentError(f"output {str(out)!r} is a file; give a folder.")
    out.mkdir(parents=True, exist_ok=True)
    spec = loaded.spec
    s = spec.seed if seed is None else seed
    k1, k2 = spec.iterations
    result = saem(_predictor(spec.form), loaded.data[["subject", "time", "value"]],
                  loaded.parameters, error=loaded.error, k1=k1, k2=k2, seed=s)
    table = result.table()
    table.to_csv(out / "population.csv", index=False)
    result.individual.to_csv(out / "individual.csv")
    result.trajectory.to_csv(out / "trajectory.csv", index_label="iteration")
    summary = {
        "name": spec.name, "form": spec.form, "seed": s, "subjects": result.n_subjects,
        "observations": result.n_observations, "minus2ll": result.minus2ll,
        "aic": result.aic, "bic": result.bic, "log_likelihood_se": result.log_likelihood_se,
        "estimates": result.estimates.to_dict(), "se": result.se.to_dict(),
        "shrinkage": result.shrinkage.to_dict(), "se_message": result.se_message,
        "wall_s": result.wall_s, "error": loaded.error.kind,
    }
    (out / "fit.json").write_text(json.dumps(summary, indent=1, default=float) + "\n")
    _figure(result, loaded, out / "fit.png")
    _individuals(result, loaded, out / "individuals.png")
    _report(result, loaded, table, out / "report.html")
    return result


def _figure(result: NLMEResult, loaded: PopulationFitFile, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = loaded.data
    ind = result.individual
    psi = {k: ind.loc[data["subject"], k].to_numpy(float)
           for k in growth_form(loaded.spec.form).parameter_names}
    predict = _predictor(loaded.spec.form)
    ipred = predict(data["time"].to_numpy(float), psi)
    pop = {k: np.full(len(data), v) for k, v in result.typical.items()}
    ppred = predict(data["time"].to_numpy(float), pop)
    fig, axes = plt.subplots(1, 4, figsize=(17, 4))
    traj = result.trajectory
    for col in traj.columns[:6]:
        axes[0].plot(traj.index, traj[col] / traj[col].iloc[-1], lw=1, label=col)
    axes[0].set(xlabel="SAEM iteration", ylabel="estimate / final", title="convergence")
    axes[0].legend(fontsize=7)
    y = data["value"].to_numpy(float)
    for ax, pred, title in ((axes[1], ipred, "individual"), (axes[2], ppred, "population")):
        keep = (y > 0) & (pred > 0) & np.isfinite(pred)  # log axes: sizes span decades
        ax.scatter(pred[keep], y[keep], s=4, alpha=0.4)
        both = np.r_[y[keep], pred[keep]]
        if both.size:
            ax.plot([both.min(), both.max()], [both.min(), both.max()], "k--", lw=1)
        ax.set(xscale="log", yscale="log", xlabel=f"{title} prediction", ylabel="observation",
               title=f"observations vs {title} predictions")
    check = vpc(result, data, replicates=100, seed=result.seed)
    ax = axes[3]
    for q, colour in zip((0.1, 0.5, 0.9), ("C0", "C3", "C0"), strict=True):
        rows = check[check["quantile"] == q]
        ax.fill_between(rows["time"], rows["low"], rows["high"], color=colour, alpha=0.2)
        ax.plot(rows["time"], rows["observed"], "o-", color=colour, ms=3,
                label=f"observed {int(100 * q)}th percentile")
    ax.set(yscale="log", xlabel="time (days)", ylabel="value",
           title="VPC: observed percentiles, 90% bands")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _individuals(result: NLMEResult, loaded: PopulationFitFile, path: Path, *,
                 panels: int = 12) -> None:
    """Readings of the first ``panels`` subjects with their individual (EBE) and population
    curves."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = loaded.data
    predict = _predictor(loaded.spec.form)
    names = growth_form(loaded.spec.form).parameter_names
    subjects = data["subject"].drop_duplicates().iloc[:panels]
    cols = 4
    rows = -(-len(subjects) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.6 * rows), squeeze=False)
    grid = np.linspace(float(data["time"].min()), float(data["time"].max()), 120)
    pop = predict(grid, {k: np.full(grid.size, v) for k, v in result.typical.items()})
    for ax, subject in zip(axes.ravel(), subjects, strict=False):
        g = data[data["subject"] == subject]
        ebe = result.individual.loc[subject]
        ax.plot(g["time"], g["value"], "ko", ms=3)
        ax.plot(grid, predict(grid, {k: np.full(grid.size, float(ebe[k])) for k in names}),
                "C0-", lw=1.2, label="individual")
        ax.plot(grid, pop, "C3--", lw=1, label="population")
        ax.set_title(str(subject)[:16], fontsize=8)
        ax.set_ylim(0, 1.5 * max(float(g["value"].max()), 1e-12))
    for ax in axes.ravel()[len(subjects):]:
        ax.axis("off")
    axes[0, 0].legend(fontsize=7)
    fig.supxlabel("time (days)")
    fig.supylabel("value")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _report(result: NLMEResult, loaded: PopulationFitFile, table: pd.DataFrame,
            path: Path) -> None:
    spec = loaded.spec
    rows = "".join(
        f"<tr><td>{html.escape(str(r.parameter))}</td><td>{r.estimate:.4g}</td>"
        f"<td>{r.se:.3g}</td><td>{r.rse_percent:.1f}</td></tr>" for r in table.itertuples())
    shrink = ", ".join(f"{k} {v:.2f}" for k, v in result.shrinkage.items())
    path.write_text(
        "<!doctype html><meta charset='utf-8'>"
        f"<title>{html.escape(spec.name)}: population fit</title>"
        f"<h1>{html.escape(spec.title or spec.name)}</h1>"
        f"<p>{html.escape(spec.form)} population, SAEM, {result.n_subjects} subjects, "
        f"{result.n_observations} observations; -2LL {result.minus2ll:.2f} "
        f"(Monte-Carlo SE {2 * result.log_likelihood_se:.2f}), AIC {result.aic:.2f}, "
        f"BIC {result.bic:.2f}; seed {result.seed}.</p>"
        "<h2>Population parameters</h2><table border=1 cellpadding=4>"
        "<tr><th>parameter</th><th>estimate</th><th>SE</th><th>RSE %</th></tr>"
        f"{rows}</table><p>eta-shrinkage: {html.escape(shrink)}</p>"
        "<img src='fit.png' alt='convergence and goodness of fit' style='max-width:100%'>"
        "<h2>Individual fits</h2>"
        "<img src='individuals.png' alt='individual fits' style='max-width:100%'>\n",
        encoding="utf-8")


__all__ = ["PopulationFitFile", "PopulationFitSpec", "load_population_fit", "problems",
           "run_population_fit"]

"""Write a coley fit problem as a PEtab v1 problem (Schmiester et al. 2021, PLoS Comput Biol
17:e1008646): the model as SBML (:func:`coley.sbml.write_sbml`), the condition, observable,
measurement and parameter tables, and the yaml that names them.

Mapping (the inverse of :mod:`coley.fit.petab`): each experiment is a condition (its settings
are the condition's columns); ``preequilibration`` is the measurement's
``preequilibrationConditionId``; observables keep their formula, transformation, noise
formula and distribution; priors are ``objectivePriorType`` / ``objectivePriorParameters``.
Names the model had in its SBML source (``Model.source_ids``) are written back.

PEtab v1 cannot hold everything a coley problem can; these are refused with the reason, never
written approximately: an experiment with a schedule (doses, resections: PEtab v1 has no
time-dependent changes outside the model), censored readings (PEtab v1 has no censoring), a
model with inputs (coley sets them by schedule).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pandas as pd
import sympy as sp

from coley.errors import InvalidArgumentError
from coley.experiment.files import output_folder
from coley.fit.problem import FitProblem, censoring_kind, split_overrides


def _refusals(problem: FitProblem) -> list[str]:
    out = []
    dosed = [e.name for e in problem.experiments if e.schedule]
    if dosed:
        out.append(f"experiments {dosed} have schedules (doses, resections); PEtab v1 has no "
                   "time-dependent changes outside the model. Write them as model events, or "
                   "export the undosed experiments only.")
    if "censoring" in problem.measurements.columns and any(
            censoring_kind(v) for v in problem.measurements["censoring"]):
        out.append("measurements: censored readings have no PEtab v1 representation; drop "
                   "them or the censoring column.")
    if problem.model.inputs:
        out.append(f"model {problem.model.name!r} has inputs "
                   f"{list(problem.model.input_names)}, which coley sets by schedule; PEtab "
                   "v1 cannot.")
    return out


def write_petab(problem: FitProblem, folder: str | os.PathLike[str]) -> Path:
    """Write ``problem`` as PEtab v1 files into ``folder``; returns the yaml's path."""
    from coley.sbml import write_sbml

    problem.check()
    refused = _refusals(problem)
    if refused:
        raise InvalidArgumentError(f"fit problem {problem.name!r} cannot be written as PEtab "
                                   "v1: " + " ".join(refused))
    out = output_folder(folder, what="PEtab output folder")
    m = problem.model
    ids = {n: m.source_ids.get(n, n) for n in (*m.state_names, *m.parameter_names,
                                               *m.expressions)}

    def rename(text: str | float) -> str:
        if not isinstance(text, str):
            return repr(float(text))
        expr = problem.parse(text, "PEtab export")
        subs = {s: sp.Symbol(ids[str(s)]) for s in expr.free_symbols if str(s) in ids
                and ids[str(s)] != str(s)}
        return str(expr.xreplace(subs)) if subs else text

    stem = problem.name
    write_sbml(m, out / f"model_{stem}.xml")
    columns = sorted({k for e in problem.experiments for k in e.settings}, key=str)
    conditions = pd.DataFrame(
        [{"conditionId": e.name, **{ids.get(k, k): e.settings.get(k, math.nan)
                                    for k in columns}} for e in problem.experiments])
    observables = pd.DataFrame([{
        "observableId": o.name, "observableFormula": rename(o.formula),
        "observableTransformation": str(o.transform), "noiseFormula": rename(o.noise),
        "noiseDistribution": str(o.distribution)} for o in problem.observables])
    pre = {e.name: e.preequilibration for e in problem.experiments}
    rows = []
    df = problem.measurements
    for i in range(len(df)):
        row = {"observableId": str(df["observable"].iloc[i]),
               "preequilibrationConditionId": pre.get(str(df["experiment"].iloc[i])) or "",
               "simulationConditionId": str(df["experiment"].iloc[i]),
               "time": float(df["time"].iloc[i]), "measurement": float(df["value"].iloc[i])}
        for col, petab_col in (("observable_parameters", "observableParameters"),
                               ("noise_parameters", "noiseParameters")):
            if col in df.columns:
                items = split_overrides(df[col].iloc[i])
                row[petab_col] = ";".join(str(x) if isinstance(x, str) else repr(x)
                                          for x in items)
        rows.append(row)
    measurements = pd.DataFrame(rows)
    if not measurements["preequilibrationConditionId"].astype(bool).any():
        measurements = measurements.drop(columns="preequilibrationConditionId")
    params = []
    for p in problem.parameters:
        row = {"parameterId": ids.get(p.name, p.name), "parameterScale": str(p.scale),
               "lowerBound": p.lower, "upperBound": p.upper, "nominalValue": p.nominal,
               "estimate": int(p.estimate)}
        if p.prior is not None:
            row["objectivePriorType"] = str(p.prior.kind)
            row["objectivePriorParameters"] = f"{p.prior.a!r};{p.prior.b!r}"
        params.append(row)
    parameters = pd.DataFrame(params)
    files = {"condition": f"conditions_{stem}.tsv", "observable": f"observables_{stem}.tsv",
             "measurement": f"measurements_{stem}.tsv", "parameter": f"parameters_{stem}.tsv"}
    for key, table in (("condition", conditions), ("observable", observables),
                       ("measurement", measurements), ("parameter", parameters)):
        table.to_csv(out / files[key], sep="\t", index=False)
    import yaml

    config = {"format_version": 1, "parameter_file": files["parameter"],
              "problems": [{"sbml_files": [f"model_{stem}.xml"],
                            "condition_files": [files["condition"]],
                            "measurement_files": [files["measurement"]],
                            "observable_files": [files["observable"]]}]}
    path = out / f"{stem}.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


__all__ = ["write_petab"]

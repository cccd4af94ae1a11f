"""Run a scenario file and write its outputs: trajectories (CSV), a figure (PNG), a summary (JSON).

The output folder holds, per scenario ``NAME``:

* ``NAME.csv``: long table with columns arm, time (days) and one per state, plus ``T_total``;
* ``NAME.png``: total tumour burden (the model's burden states), with the detection and
  extinction thresholds, and a panel per readout the model plots (``Model.readouts`` with
  ``panel=True``; for the surveillance model dormant cells, effector T cells and PD-L1/CD200
  expression) per arm;
* ``NAME.json``: per arm the classification (elimination / equilibrium / escape), time under
  control, escape and elimination times, key numbers (the final burden states, the model's
  readouts and the irAE hazard), the expected label where the scenario
  gives one; and the provenance: resolved scenario, seed, package versions, citations.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from coley.experiment.files import output_folder
from coley.experiment.provenance import citations, versions
from coley.scenario.cohort import (
    CohortScenarioResult,
    simulate_cohort_scenario,
    write_cohort_outputs,
)
from coley.scenario.scenario import (
    ScenarioResult,
    load_scenario,
    simulate_scenario,
    summary_header,
    tumour_total,
)
from coley.serialize import json_safe


def summary(run: ScenarioResult, source: str = "") -> dict[str, Any]:
    """The summary of a simulated scenario, as written to ``NAME.json``."""
    spec = run.spec
    modalities = sorted({r.modality for r in spec.regimen}
                        | {r.modality for a in spec.arm for r in a.regimen})
    cited = citations(run.model, modalities)
    arms = []
    for a in run.arms:
        arms.append({
            "arm": a.name,
            "classification": a.classification.label,
            "expected": a.expect,
            "as_expected": None if a.expect is None else a.expect == a.classification.label,
            **{k: v for k, v in a.classification.to_dict().items() if k != "label"},
            "regimens": list(a.regimens),
            **a.metrics,
        })
    return json_safe({
        **summary_header(spec, run.model.name, source),
        "arms": arms,
        "resolved_scenario": spec.model_dump(mode="json"),
        "versions": versions(),
        "citations": cited,
    })


def trajectories(run: ScenarioResult) -> Any:
    """A long pandas table: arm, time, every state, and the total tumour burden."""
    import pandas as pd

    frames = []
    for a in run.arms:
        frame = a.result.patient_frame(0)
        frame.insert(0, "arm", a.name)
        frame["T_total"] = tumour_total(a.result, a.burden_states)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def figure(run: ScenarioResult) -> Any:
    """The total burden and one panel per readout the model plots (``Readout.panel``): the sum
    of its states per arm, on a log scale unless the readout says otherwise."""
    from matplotlib.figure import Figure

    th = run.spec.classify
    panels = [r for r in run.model.readouts if r.panel]
    cols = min(2, len(panels) + 1)
    rows = -(-(len(panels) + 1) // cols)
    fig = Figure(figsize=(5.5 * cols, 3.75 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax in axes[len(panels) + 1:]:
        ax.set_axis_off()
    for k, a in enumerate(run.arms):
        t = a.result.time
        style = {"color": f"C{k % 10}", "lw": 1.5,
                 "label": f"{a.name} ({a.classification.label})"}
        axes[0].plot(t, np.where(a.total > 0, a.total, np.nan), **style)
        for ax, readout in zip(axes[1:], panels, strict=False):
            y = sum(a.result[s][0] for s in readout.states)
            ax.plot(t, np.where(y > 0, y, np.nan) if readout.log_scale else y, **style)
    titles = ["total tumour cells", *(r.meaning for r in panels)]
    scales = [True, *(r.log_scale for r in panels)]
    for ax, title, log in zip(axes, titles, scales, strict=False):
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("time (days)")
        ax.grid(alpha=0.3)
        if log:
            ax.set_yscale("log")
    axes[0].axhline(th.detect_cells, color="k", ls="--", lw=0.8)
    axes[0].axhline(th.extinct_cells, color="k", ls=":", lw=0.8)
    axes[0].legend(fontsize=8, loc="best")
    fig.suptitle(f"{run.spec.name}: {run.spec.title}", fontsize=11)
    return fig


def run_scenario(path: str | Path, out_dir: str | Path) -> ScenarioResult | CohortScenarioResult:
    """Simulate the scenario file ``path`` and write NAME.csv, NAME.png and NAME.json to
    ``out_dir`` (created if needed). Returns the simulated scenario.

    A scenario with a ``[cohort]`` table is simulated by
    :func:`~coley.scenario.cohort.simulate_cohort_scenario`; its NAME.csv holds example
    patients and NAME_patients.csv one row per patient.
    """
    path = Path(path)
    spec = load_scenario(path)
    out = output_folder(out_dir, what="scenario output folder")
    if spec.cohort is not None:
        cohort_run = simulate_cohort_scenario(spec)
        write_cohort_outputs(cohort_run, out, source=str(path), versions=versions())
        return cohort_run
    run = simulate_scenario(spec)
    trajectories(run).to_csv(out / f"{spec.name}.csv", index=False, float_format="%.8g")
    fig = figure(run)
    fig.savefig(out / f"{spec.name}.png", dpi=110)
    (out / f"{spec.name}.json").write_text(
        json.dumps(summary(run, source=str(path)), indent=2) + "\n")
    return run

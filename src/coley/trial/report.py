"""The trial report: numbers (JSON), figures (PNG) and one self-contained HTML page.

Analysis sets: with ``randomise`` each arm analyses the patients allocated to it; otherwise
every virtual patient appears in every arm (paired in-silico twins). Patients that were not
plausible or whose integration failed are counted and listed, never analysed silently. With a
``[calibration]`` table, maximum-entropy weights (:mod:`coley.trial.calibrate`) fitted on all
twins reproduce the targets, and every endpoint is reported weighted, next to the unweighted
numbers.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from coley.errors import InvalidArgumentError
from coley.experiment.provenance import provenance
from coley.serialize import json_safe
from coley.trial.calibrate import Calibration, max_entropy_weights
from coley.trial.endpoints import CALIBRATION_TARGETS, MONTH, arm_summary, compare
from coley.trial.spec import TrialSpec
from coley.trial.status import PatientStatus
from coley.trial.store import read_scans

COLOURS = {"CR": "#1a9850", "PR": "#91cf60", "SD": "#fee08b", "PD": "#d73027", "NE": "#999999"}


#: How each calibration target reads in the report.
TARGET_LABELS = {"orr": "ORR", "pfs_6mo": "6-month PFS"}


def calibration_features(spec: TrialSpec, ok: pd.DataFrame
                         ) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], np.ndarray]:
    """(patients, features), targets, names, patient ids of the twins that ran in every arm."""
    assert spec.calibration is not None
    arms = spec.arm_names()
    ids = None
    for a in arms:
        p = set(ok.loc[ok["arm"] == a, "patient"])
        ids = p if ids is None else ids & p
    pid = np.array(sorted(ids or ()), dtype=np.int64)
    cols, targets, names = [], [], []
    for arm, t in spec.calibration.targets.items():
        sub = ok[ok["arm"] == arm].set_index("patient").loc[pid]
        for key, endpoint in CALIBRATION_TARGETS.items():
            value = getattr(t, key)
            if value is not None:
                cols.append(endpoint.indicator(sub))
                targets.append(value)
                names.append(f"{arm}: {TARGET_LABELS[key]}")
    return np.column_stack(cols), np.array(targets), tuple(names), pid


_COLUMNS = ("bor", "best_change_pct", "response_day", "pd_day", "pfs_days", "pfs_event",
            "os_days", "os_event", "dor_days", "dor_event", "ipfs_days", "ipfs_event",
            "pseudoprogression", "tox_grade", "stopped_for", "allocated")


def _complete(patients: pd.DataFrame) -> pd.DataFrame:
    """Add the endpoint columns a run without any analysable patient lacks."""
    missing = [c for c in _COLUMNS if c not in patients.columns]
    return patients.assign(**{c: np.nan for c in missing}) if missing else patients


def analyse(spec: TrialSpec, patients: pd.DataFrame) -> dict[str, Any]:
    """All report numbers (also returned by :func:`write_report`)."""
    return _analyse(spec, patients)[0]


def _calibrate(spec: TrialSpec, ok: pd.DataFrame
               ) -> tuple[Calibration | None, dict[int, float], dict[str, Any]]:
    """The calibration (None: none, or it failed), each twin's weight, and its report entry."""
    if spec.calibration is None or not len(ok):
        return None, {}, {}
    f, t, names, pid = calibration_features(spec, ok)
    try:
        calib = max_entropy_weights(f, t, names)
    except InvalidArgumentError as exc:
        # The run is kept and reported unweighted; the report says why.
        return None, {}, {"error": str(exc), "patients": int(pid.size)}
    weight_of = dict(zip(pid.tolist(), (calib.weights * pid.size).tolist(), strict=True))
    return calib, weight_of, {
        "method": "maximum-entropy prevalence weights (Schmidt et al. 2013; Jaynes 1957)",
        "source": spec.calibration.source, "effective_sample_size": calib.ess,
        "patients": int(pid.size), "targets": calib.table()}


def _sets(spec: TrialSpec, ok: pd.DataFrame, calib: Calibration | None,
          weight_of: dict[int, float]) -> dict[str, tuple[pd.DataFrame, np.ndarray]]:
    sets: dict[str, tuple[pd.DataFrame, np.ndarray]] = {}
    for arm in spec.arm_names():
        df = ok[ok["arm"] == arm]
        if spec.randomise:
            df = df[df["allocated"]]
        if calib is not None:
            df = df[df["patient"].isin(weight_of)]
            w = df["patient"].map(weight_of).to_numpy(float)
        else:
            w = np.ones(len(df))
        sets[arm] = (df, w)
    return sets


def analysis_sets(spec: TrialSpec, patients: pd.DataFrame
                  ) -> dict[str, tuple[pd.DataFrame, np.ndarray]]:
    """Each arm's analysed rows (allocated patients when randomised; the calibrated twins when
    calibrated) and their weights, as the report uses them."""
    ok = _complete(patients)
    ok = ok[ok["status"] == PatientStatus.OK]
    calib, weight_of, _ = _calibrate(spec, ok)
    return _sets(spec, ok, calib, weight_of)


def _analyse(spec: TrialSpec, patients: pd.DataFrame
             ) -> tuple[dict[str, Any], dict[int, float]]:
    """The report numbers and the calibration weight of each patient (empty: unweighted)."""
    patients = _complete(patients)
    ok = patients[patients["status"] == PatientStatus.OK]
    numbers: dict[str, Any] = {
        "trial": spec.name, "title": spec.title, "model": spec.model, "seed": spec.seed,
        "patients_requested": spec.patients,
        "design": "randomised (allocated arm analysed)" if spec.randomise
        else "paired in-silico twins (every patient in every arm)",
        "follow_up_months": spec.follow_up_days / MONTH,
    }
    first_arm = patients[patients["arm"] == spec.arm[0].name]
    notplaus = first_arm["status"] == PatientStatus.NOT_PLAUSIBLE
    numbers["not_plausible"] = int(notplaus.sum())
    failed = patients[patients["status"] == PatientStatus.FAILED]
    numbers["failed"] = {a: int((failed["arm"] == a).sum()) for a in spec.arm_names()}
    numbers["failed_examples"] = failed[["patient", "arm", "status", "status_reason"]].head(
        5).to_dict("records")
    calib, weight_of, calibration = _calibrate(spec, ok)
    if calibration:
        numbers["calibration"] = calibration
    arms: dict[str, Any] = {}
    sets = _sets(spec, ok, calib, weight_of)
    for arm, (df, w) in sets.items():
        summary = arm_summary(df, w, spec.follow_up_days)
        if calib is not None:
            summary["unweighted"] = {k: v for k, v in arm_summary(
                df, np.ones(len(df)), spec.follow_up_days).items()
                if k in ("orr", "cr", "pfs", "os")}
        arms[arm] = summary
    numbers["arms"] = arms
    ref = spec.reference_arm or spec.arm[0].name
    numbers["reference_arm"] = ref
    numbers["comparisons"] = {
        arm: {ep: compare(*sets[arm], *sets[ref], ep) for ep in ("pfs", "os")}
        for arm in spec.arm_names() if arm != ref}
    return numbers, weight_of


# ---------------------------------------------------------------------------- figures
def _figures(spec: TrialSpec, patients: pd.DataFrame, directory: Path,
             numbers: dict[str, Any], weight_of: dict[int, float]) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from coley.trial.endpoints import kaplan_meier

    patients = _complete(patients)
    ok = patients[patients["status"] == PatientStatus.OK]
    if spec.randomise:
        ok = ok[ok["allocated"]]
    arms = spec.arm_names()
    figs: dict[str, Any] = {}
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, ep, title in ((axes[0], "pfs", "Progression-free survival"),
                          (axes[1], "os", "Overall survival")):
        for arm in arms:
            df = ok[ok["arm"] == arm]
            if not len(df):
                continue
            if weight_of:
                df = df[df["patient"].isin(weight_of)]
            w = df["patient"].map(weight_of).to_numpy(float) if weight_of else np.ones(len(df))
            km = kaplan_meier(df[f"{ep}_days"].to_numpy(float) / MONTH,
                     df[f"{ep}_event"].to_numpy(bool), w, arm)
            km.plot_survival_function(ax=ax, ci_show=True)
        ax.set_xlabel("months since randomisation")
        ax.set_ylabel("probability")
        ax.set_ylim(0, 1.02)
        ax.set_title(title + (" (calibrated weights)" if weight_of else ""))
    fig.tight_layout()
    figs["km"] = fig
    # waterfall
    fig, axes = plt.subplots(1, len(arms), figsize=(4.2 * len(arms), 3.6), squeeze=False)
    for ax, arm in zip(axes[0], arms, strict=True):
        df = ok[ok["arm"] == arm].dropna(subset=["best_change_pct"])
        df = df.head(300).sort_values("best_change_pct", ascending=False)
        ax.bar(np.arange(len(df)), np.clip(df["best_change_pct"], -100, 100), width=1.0,
               color=[COLOURS.get(b, "#999") for b in df["bor"].astype(str)])
        ax.axhline(20, ls="--", lw=0.8, color="k")
        ax.axhline(-30, ls="--", lw=0.8, color="k")
        ax.set_title(arm)
        ax.set_xticks([])
        ax.set_ylabel("best change in SLD (%)")
    fig.tight_layout()
    figs["waterfall"] = fig
    # spider: the first 40 analysed patients of each arm (their scans only are read)
    shown = {arm: ok[ok["arm"] == arm].head(40) for arm in arms}
    scans = read_scans(directory, sorted({int(i) for d in shown.values()
                                          for i in d["patient"]}))
    fig, axes = plt.subplots(1, len(arms), figsize=(4.2 * len(arms), 3.6), squeeze=False)
    for ax, arm in zip(axes[0], arms, strict=True):
        pts = shown[arm]
        for _, row in pts.iterrows():
            s = scans[(scans["arm"] == arm) & (scans["patient"] == row["patient"])]
            ax.plot(np.r_[0, s["day"] / MONTH], np.r_[0, np.clip(s["change_pct"], -100, 200)],
                    color=COLOURS.get(str(row["bor"]), "#999"), lw=0.8)
        ax.axhline(20, ls="--", lw=0.8, color="k")
        ax.axhline(-30, ls="--", lw=0.8, color="k")
        ax.set_title(arm)
        ax.set_xlabel("months")
        ax.set_ylabel("change in SLD from baseline (%)")
    fig.tight_layout()
    figs["spider"] = fig
    # swimmer: responders first
    fig, axes = plt.subplots(1, len(arms), figsize=(4.2 * len(arms), 4.2), squeeze=False)
    for ax, arm in zip(axes[0], arms, strict=True):
        df = ok[ok["arm"] == arm].head(300)
        df = df.assign(r=np.isin(df["bor"].astype(str), ("CR", "PR")))
        df = df.sort_values(["r", "os_days"], ascending=[False, False]).head(25)
        for k, (_, row) in enumerate(df.iterrows()):
            ax.barh(k, row["os_days"] / MONTH, color=COLOURS.get(str(row["bor"]), "#999"))
            if math.isfinite(row["response_day"]):
                ax.plot(row["response_day"] / MONTH, k, "k^", ms=4)
            if math.isfinite(row["pd_day"]):
                ax.plot(row["pd_day"] / MONTH, k, "kx", ms=4)
            if row["os_event"]:
                ax.plot(row["os_days"] / MONTH, k, "ks", ms=3)
        ax.set_title(arm)
        ax.set_xlabel("months (^ response, x progression, square death)")
        ax.set_yticks([])
    fig.tight_layout()
    figs["swimmer"] = fig
    return figs


def _fmt_rate(r: dict[str, float] | None) -> str:
    if not r:
        return "-"
    return f"{100 * r['value']:.1f}% ({100 * r['ci_low']:.1f}-{100 * r['ci_high']:.1f})"


def _fmt_med(s: dict[str, Any] | None) -> str:
    if not s or s.get("median_months") is None:
        return "not reached"
    lo, hi = s["median_ci_months"]
    return f"{s['median_months']:.1f} ({_num(lo)}-{_num(hi)})"


def _num(v: float | None) -> str:
    return "NR" if v is None else f"{v:.1f}"


def _html(spec: TrialSpec, numbers: dict[str, Any], images: dict[str, str]) -> str:
    e = html.escape
    arms = spec.arm_names()
    rows = []
    for arm in arms:
        a = numbers["arms"][arm]
        if not a.get("patients"):
            rows.append(f"<tr><td>{e(arm)}</td><td>0</td>" + "<td>-</td>" * 10 + "</tr>")
            continue
        cells = [str(a["patients"]), _fmt_rate(a.get("orr")), _fmt_rate(a.get("cr")),
                 _fmt_rate(a.get("dcr")), _fmt_med(a.get("pfs")),
                 _fmt_rate(a.get("pfs", {}).get("at_6mo")), _fmt_med(a.get("os")),
                 _fmt_rate(a.get("os", {}).get("at_12mo")), _fmt_med(a.get("dor")),
                 _fmt_rate(a.get("toxicity_grade3plus")),
                 _fmt_rate(a.get("pseudoprogression"))]
        rows.append("<tr><td>" + e(arm) + "</td>" + "".join(f"<td>{e(c)}</td>" for c in cells)
                    + "</tr>")
    comp = []
    for arm, eps in numbers["comparisons"].items():
        for ep, c in eps.items():
            if c:
                comp.append(f"<tr><td>{e(arm)} vs {e(numbers['reference_arm'])}</td>"
                            f"<td>{ep.upper()}</td><td>{c['hazard_ratio']:.2f} "
                            f"({c['ci_low']:.2f}-{c['ci_high']:.2f})</td>"
                            f"<td>{c['logrank_p']:.3g}</td></tr>")
    calib = ""
    if "error" in numbers.get("calibration", {}):
        calib = ("<h2>Calibration</h2><p><b>Not calibrated</b> (endpoints are unweighted): "
                 f"{e(numbers['calibration']['error'])}</p>")
    elif "calibration" in numbers:
        c = numbers["calibration"]
        trs = "".join(
            f"<tr><td>{e(t['target'])}</td><td>{100 * t['observed']:.1f}%</td>"
            f"<td>{100 * t['virtual_unweighted']:.1f}%</td>"
            f"<td>{100 * t['virtual_calibrated']:.1f}%</td><td>{100 * t['residual']:+.2f}</td>"
            "</tr>" for t in c["targets"])
        calib = (f"<h2>Calibration</h2><p>{e(c['method'])}; source: {e(c['source'])}; "
                 f"effective sample size {c['effective_sample_size']:.0f} of {c['patients']} "
                 "virtual patients.</p><table><tr><th>target</th><th>observed</th>"
                 "<th>virtual (unweighted)</th><th>virtual (calibrated)</th>"
                 f"<th>residual (points)</th></tr>{trs}</table>")
    fails = numbers["failed"]
    imgs = "".join(f"<h2>{e(k.capitalize())}</h2><img src='data:image/png;base64,{v}'/>"
                   for k, v in images.items())
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{e(spec.name)}</title>
<style>body{{font-family:sans-serif;max-width:1200px;margin:2em auto}}table{{border-collapse:
collapse}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}td:first-child{{text-align:
left}}img{{max-width:100%}}</style></head><body>
<h1>{e(spec.title or spec.name)}</h1><p>{e(spec.description)}</p>
<p>Model <b>{e(spec.model)}</b>; {numbers['patients_requested']} virtual patients, seed
{numbers['seed']}; {e(numbers['design'])}; follow-up {numbers['follow_up_months']:.1f} months;
response by {e(spec.response.criteria.upper())}. Not plausible (no acceptable draw):
{numbers['not_plausible']}; failed integrations per arm: {e(json.dumps(fails))}.</p>
<h2>Response and survival</h2><table><tr><th>arm</th><th>n</th><th>ORR (95% CI)</th>
<th>CR</th><th>DCR</th><th>median PFS, mo</th><th>6-mo PFS</th><th>median OS, mo</th>
<th>12-mo OS</th><th>median DoR, mo</th><th>grade &ge;3 toxicity</th><th>pseudoprogression</th></tr>
{''.join(rows)}</table>
<h2>Comparisons</h2><table><tr><th>comparison</th><th>endpoint</th><th>HR (95% CI)</th>
<th>log-rank p</th></tr>{''.join(comp)}</table>{calib}{imgs}
<p>Numbers: report.json. Per-patient rows: chunks/patients-*.parquet; scans:
chunks/scans-*.parquet.</p></body></html>"""


def write_report(spec: TrialSpec, patients: pd.DataFrame, directory: str | Path
                 ) -> dict[str, Any]:
    """Write report.json, figures/*.png and report.html into ``directory``; return numbers."""
    import matplotlib.pyplot as plt

    directory = Path(directory)
    numbers, weight_of = _analyse(spec, patients)
    regimens = [r for arm in spec.arm for r in spec.regimens(arm)]
    from coley import library

    numbers["provenance"] = provenance(
        "trial", spec, seed=spec.seed, model=library.get(spec.model, **spec.options),
        modalities=[r.modality for r in regimens])
    (directory / "figures").mkdir(parents=True, exist_ok=True)
    images = {}
    for name, fig in _figures(spec, patients, directory, numbers, weight_of).items():
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=90)
        fig.savefig(directory / "figures" / f"{name}.png", dpi=110)
        plt.close(fig)
        images[name] = base64.b64encode(buf.getvalue()).decode()
    (directory / "report.json").write_text(json.dumps(json_safe(numbers), indent=2, default=_json))
    (directory / "report.html").write_text(_html(spec, numbers, images))
    return numbers


def _json(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(f"not JSON serialisable: {type(x).__name__}")


__all__ = ["analyse", "calibration_features", "write_report"]

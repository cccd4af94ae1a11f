"""Trial endpoints from the per-patient table: response rates, survival, hazard ratios, toxicity.

Rates carry Wilson 95% intervals (on the effective sample size when patients are weighted);
survival uses Kaplan-Meier estimates with Greenwood-type intervals, log-rank tests and Cox
proportional-hazards ratios from lifelines (Davidson-Pilon 2019, JOSS 4:1317), with robust
(sandwich) errors when patients are weighted. Months are 30.4375 days.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from coley.analysis.stats import wilson_interval

MONTH = 30.4375


def _rate(x: np.ndarray, w: np.ndarray) -> dict[str, float]:
    n_eff = float(w.sum() ** 2 / np.sum(w ** 2)) if w.size else 0.0
    p = float(np.sum(w * x) / w.sum()) if w.size else math.nan
    lo, hi = wilson_interval(p, n_eff)
    return {"value": p, "ci_low": lo, "ci_high": hi}


def kaplan_meier(t: np.ndarray, e: np.ndarray, w: np.ndarray, label: str) -> Any:
    """A lifelines Kaplan-Meier fit of times ``t`` with events ``e`` and weights ``w``."""
    from lifelines import KaplanMeierFitter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return KaplanMeierFitter(label=label).fit(t, e.astype(bool), weights=w)


def _survival(t: np.ndarray, e: np.ndarray, w: np.ndarray, horizon: float,
              months: tuple[float, ...]) -> dict[str, Any]:
    from lifelines.utils import median_survival_times

    if t.size == 0:
        return {}
    km = kaplan_meier(t, e, w, "km")
    out: dict[str, Any] = {}
    med = float(km.median_survival_time_)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ci = median_survival_times(km.confidence_interval_)
    out["median_months"] = med / MONTH if math.isfinite(med) else None
    lo, hi = (float(v) for v in np.asarray(ci).ravel()[:2])
    out["median_ci_months"] = [lo / MONTH if math.isfinite(lo) else None,
                               hi / MONTH if math.isfinite(hi) else None]
    sf = km.survival_function_
    cil = km.confidence_interval_
    for m in months:
        day = m * MONTH
        if day > horizon + 1e-9:
            continue
        k = int(np.searchsorted(sf.index.to_numpy(), day, side="right") - 1)
        k = max(k, 0)
        out[f"at_{m:g}mo"] = {"value": float(sf.iloc[k, 0]), "ci_low": float(cil.iloc[k, 0]),
                              "ci_high": float(cil.iloc[k, 1])}
    return out


def arm_summary(df: pd.DataFrame, w: np.ndarray, horizon: float) -> dict[str, Any]:
    """Endpoints of one arm (rows with status 'ok'; weights ``w`` aligned with rows)."""
    out: dict[str, Any] = {"patients": len(df),
                           "effective_patients": float(w.sum() ** 2 / np.sum(w ** 2))
                           if len(df) else 0.0}
    if not len(df):
        return out
    bor = df["bor"].astype(str).to_numpy()
    out["orr"] = _rate(np.isin(bor, ("CR", "PR")).astype(float), w)
    out["cr"] = _rate((bor == "CR").astype(float), w)
    out["dcr"] = _rate(np.isin(bor, ("CR", "PR", "SD")).astype(float), w)
    out["best_response"] = {k: float(np.sum(w * (bor == k)) / w.sum())
                            for k in ("CR", "PR", "SD", "PD", "NE")}
    months = (6.0, 12.0, 24.0, 36.0, 60.0)
    out["pfs"] = _survival(df["pfs_days"].to_numpy(float), df["pfs_event"].to_numpy(bool), w,
                           horizon, months)
    out["os"] = _survival(df["os_days"].to_numpy(float), df["os_event"].to_numpy(bool), w,
                          horizon, months)
    out["ipfs"] = _survival(df["ipfs_days"].to_numpy(float), df["ipfs_event"].to_numpy(bool), w,
                            horizon, months)
    resp = np.isin(bor, ("CR", "PR"))
    if resp.any():
        out["dor"] = _survival(df["dor_days"].to_numpy(float)[resp],
                               df["dor_event"].to_numpy(bool)[resp], w[resp], horizon, (12.0,))
    out["pseudoprogression"] = _rate(df["pseudoprogression"].to_numpy(float), w)
    grade = df["tox_grade"].to_numpy(float)
    out["toxicity_any_grade"] = _rate((grade >= 1).astype(float), w)
    out["toxicity_grade3plus"] = _rate((grade >= 3).astype(float), w)
    stopped = df["stopped_for"].astype(str).to_numpy()
    out["stopped_for_progression"] = float(np.sum(w * (stopped == "progression")) / w.sum())
    out["stopped_for_toxicity"] = float(np.sum(w * (stopped == "toxicity")) / w.sum())
    return out


def compare(a: pd.DataFrame, wa: np.ndarray, b: pd.DataFrame, wb: np.ndarray,
            endpoint: str) -> dict[str, Any]:
    """Arm ``a`` versus reference ``b``: log-rank p and Cox hazard ratio (95% CI)."""
    from lifelines import CoxPHFitter
    from lifelines.statistics import logrank_test

    ta, ea = a[f"{endpoint}_days"].to_numpy(float), a[f"{endpoint}_event"].to_numpy(bool)
    tb, eb = b[f"{endpoint}_days"].to_numpy(float), b[f"{endpoint}_event"].to_numpy(bool)
    if ta.size == 0 or tb.size == 0 or not (ea.any() or eb.any()):
        return {}
    weighted = not (np.allclose(wa, wa[0]) and np.allclose(wb, wb[0]) and
                    np.isclose(wa[0], wb[0]))
    scale = (ta.size + tb.size) / (wa.sum() + wb.sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lr = logrank_test(ta, tb, ea, eb, weights_A=wa * scale, weights_B=wb * scale)
        frame = pd.DataFrame({"T": np.concatenate([ta, tb]),
                              "E": np.concatenate([ea, eb]).astype(int),
                              "arm": np.concatenate([np.ones(ta.size), np.zeros(tb.size)]),
                              "w": np.concatenate([wa, wb]) * scale})
        cph = CoxPHFitter().fit(frame, "T", "E", weights_col="w", robust=weighted)
    s = cph.summary.loc["arm"]
    return {"hazard_ratio": float(s["exp(coef)"]),
            "ci_low": float(s["exp(coef) lower 95%"]), "ci_high": float(s["exp(coef) upper 95%"]),
            "cox_p": float(s["p"]), "logrank_p": float(lr.p_value)}


__all__ = ["MONTH", "arm_summary", "compare"]

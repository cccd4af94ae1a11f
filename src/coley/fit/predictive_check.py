"""RECIST endpoints of lesion series, observed and simulated from a population fit.

A virtual population drawn from an NLME fit (:meth:`coley.fit.nlme.NLMEResult.population`)
should reproduce the clinical endpoints of the data it was fitted to, not only their curves.
:func:`predictive_check` is a visual predictive check on endpoints. It simulates replicate
trials of the same size and the same scan schedules as the data: virtual lesion ``j`` of every
replicate is scanned when real lesion ``j`` was, and reads with the fitted residual error. It
then compares each endpoint's predictive interval with its observed value.

The endpoints are those of RECIST 1.1 (:func:`coley.trial.recist.assess`, one target lesion
per series, CR below 5 mm, confirmation at 28 days, SD at 42 days or later):

- ORR: the fraction with a confirmed CR or PR;
- PD as best response;
- median PFS (Kaplan-Meier, lifelines). Progression is the only event, and a series is censored
  at its last scan, since the data hold no deaths.

The baseline is the last reading at or before day 0 (the first reading if none is), and the
scans are the readings after it. Diameters come from the series' ``diameter`` column, or from
the values through the data's sphere convention ``V = 0.52 d^3`` (``mm3_per_unit`` mm3 per
unit of value).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coley.errors import InvalidArgumentError
from coley.fit.forecast import check_lesion_table
from coley.fit.nlme import NLMEResult
from coley.trial.endpoints import kaplan_meier
from coley.trial.recist import CR, PD, PR, assess

ENDPOINTS = ("orr", "pd_best", "median_pfs_days")


def diameter_mm(value: np.ndarray, mm3_per_unit: float) -> np.ndarray:
    """Longest diameter (mm) of a lesion of volume ``value * mm3_per_unit`` mm3 (V = 0.52 d^3,
    the convention of the Laleh 2022 data)."""
    return np.cbrt(np.maximum(np.asarray(value, float), 0.0) * mm3_per_unit / 0.52)


def _baseline_index(t: np.ndarray) -> int:
    before = np.flatnonzero(t <= 0)
    return int(before[-1]) if before.size else 0


def lesion_outcomes(series: pd.DataFrame) -> pd.DataFrame:
    """RECIST 1.1 per lesion series (columns subject, time in days, diameter in mm): best
    overall response ``bor`` (CR, PR, SD, PD, NE), ``pfs_days`` and ``progressed``."""
    if "diameter" not in series.columns:
        raise InvalidArgumentError(
            "lesion_outcomes: series needs a 'diameter' column (mm); compute it from volumes "
            "with coley.fit.predictive_check.diameter_mm."
        )
    rows = []
    for subject, g in series.sort_values(["subject", "time"]).groupby("subject", sort=False):
        t = g["time"].to_numpy(float)
        d = g["diameter"].to_numpy(float)
        b = _baseline_index(t)
        if b + 1 >= t.size:
            rows.append({"subject": subject, "bor": "NE", "pfs_days": np.nan,
                         "progressed": False})
            continue
        a = assess(t[b + 1:], d[b:b + 1], d[None, b + 1:], lesions=1)
        pd_day = float(a.pd_day[0])
        progressed = bool(np.isfinite(pd_day))
        rows.append({"subject": subject, "bor": a.labels("bor")[0],
                     "pfs_days": pd_day if progressed else float(t[-1]),
                     "progressed": progressed})
    return pd.DataFrame(rows)


def _median_pfs(t: np.ndarray, e: np.ndarray) -> float:
    from lifelines.utils import median_survival_times

    km = kaplan_meier(np.maximum(t, 0.0), e, np.ones(t.size), "pfs")
    return float(median_survival_times(km))


def endpoint_summary(outcomes: pd.DataFrame) -> dict[str, float]:
    """ORR, PD as best response and median PFS (days; inf if not reached) of evaluable
    series."""
    ok = outcomes[outcomes["bor"] != "NE"]
    if ok.empty:
        raise InvalidArgumentError("endpoint_summary: no evaluable series (each needs a scan "
                                   "after its baseline).")
    return {"orr": float(ok["bor"].isin(["CR", "PR"]).mean()),
            "pd_best": float((ok["bor"] == "PD").mean()),
            "median_pfs_days": _median_pfs(ok["pfs_days"].to_numpy(float),
                                           ok["progressed"].to_numpy(bool)),
            "evaluable": float(len(ok))}


def predictive_check(result: NLMEResult, data: pd.DataFrame, *, mm3_per_unit: float,
                     replicates: int = 200, level: float = 0.9, residual: bool = True,
                     seed: int = 0) -> pd.DataFrame:
    """Endpoints observed in ``data`` (subject, time, value[, diameter]) against their
    predictive distribution under the population of ``result``, over ``replicates`` virtual
    trials with the data's lesions and scan schedules.

    Returns one row per endpoint: ``observed``, the simulated ``median`` and central ``level``
    interval (``low``, ``high``), and ``inside`` (whether the observed value lies within it).
    Virtual lesion ``j`` of replicate ``r`` is patient ``r * N + j`` of the population's
    per-patient streams (seeded by ``seed``), so replicates do not depend on each other.
    ``residual=False`` reads the model's curves without the fitted residual error (which
    also holds the model's misfit, so it overstates measurement noise).
    """
    if not (isinstance(replicates, int) and replicates >= 20):
        raise InvalidArgumentError(f"predictive_check: replicates must be an int >= 20, got "
                                   f"{replicates!r}.")
    if not (isinstance(level, float) and 0 < level < 1):
        raise InvalidArgumentError(f"predictive_check: level must be in (0, 1), got {level!r}.")
    if not mm3_per_unit > 0:
        raise InvalidArgumentError(f"predictive_check: mm3_per_unit must be > 0, got "
                                   f"{mm3_per_unit!r}.")
    table = check_lesion_table(data).copy()
    if "diameter" not in table.columns:
        table["diameter"] = diameter_mm(table["value"].to_numpy(float), mm3_per_unit)
    observed = endpoint_summary(lesion_outcomes(table))
    population = result.population()
    groups = list(table.groupby("subject", sort=False))
    n = len(groups)
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    bor = np.full((replicates, n), 0)
    pfs = np.full((replicates, n), np.nan)
    event = np.zeros((replicates, n), bool)
    for j, (_, g) in enumerate(groups):
        t = g["time"].to_numpy(float)
        b = _baseline_index(t)
        if b + 1 >= t.size:
            continue
        psi = population.draw(seed, np.arange(replicates) * n + j)
        rows = {k: np.repeat(v, t.size) for k, v in psi.items()}
        with np.errstate(over="ignore", invalid="ignore"):  # heavy tails: some curves explode
            f = np.asarray(result.model.predict(np.tile(t, replicates), rows), float)
        y = (result.simulate_readings(f, rng) if residual else f).reshape(replicates, t.size)
        d = diameter_mm(y, mm3_per_unit)
        a = assess(t[b + 1:], d[:, b], d[:, b + 1:], lesions=1)
        bor[:, j] = a.bor
        progressed = np.isfinite(a.pd_day)
        pfs[:, j] = np.where(progressed, a.pd_day, t[-1])
        event[:, j] = progressed
    ok = bor != 0
    sims = {"orr": (np.isin(bor, (CR, PR)) & ok).sum(1) / ok.sum(1),
            "pd_best": ((bor == PD) & ok).sum(1) / ok.sum(1),
            "median_pfs_days": np.array([_median_pfs(pfs[r, ok[r]], event[r, ok[r]])
                                         for r in range(replicates)])}
    lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
    rows_out = []
    for k in ENDPOINTS:
        s = sims[k]
        low, high = np.quantile(s, [lo, hi], method="inverted_cdf")  # inf: not reached
        rows_out.append({"endpoint": k, "observed": observed[k], "median": float(np.median(s)),
                         "low": float(low), "high": float(high),
                         "inside": bool(low <= observed[k] <= high)})
    return pd.DataFrame(rows_out)




def vpc(result: NLMEResult, data: pd.DataFrame, *, bins: int = 8, quantiles:
        tuple[float, float, float] = (0.1, 0.5, 0.9), replicates: int = 200, level: float = 0.9,
        seed: int = 0) -> pd.DataFrame:
    """A visual predictive check of the curves: in each time bin (quantiles of the observed
    times), the observed ``quantiles`` of the readings against the ``level`` interval of the
    same quantiles over ``replicates`` data sets simulated with the data's design (each
    subject's times, new parameters from the population, the fitted residual error).

    Returns one row per bin and quantile: ``bin``, ``time`` (median time of the bin),
    ``quantile``, ``observed``, ``low``, ``median``, ``high``.
    """
    if not (isinstance(bins, int) and bins >= 1):
        raise InvalidArgumentError(f"vpc: bins must be an int >= 1, got {bins!r}.")
    if not (isinstance(replicates, int) and replicates >= 20):
        raise InvalidArgumentError(f"vpc: replicates must be an int >= 20, got {replicates!r}.")
    table = check_lesion_table(data)
    t = table["time"].to_numpy(float)
    y = table["value"].to_numpy(float)
    edges = np.unique(np.quantile(t, np.linspace(0, 1, bins + 1)))
    which = np.clip(np.searchsorted(edges, t, side="right") - 1, 0, len(edges) - 2)
    codes, _ = pd.factorize(table["subject"], sort=False)
    n = int(codes.max()) + 1
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[1])
    population = result.population()
    sims = np.empty((replicates, t.size))
    for r in range(replicates):
        psi = population.draw(seed, r * n + np.arange(n))
        rows = {k: v[codes] for k, v in psi.items()}
        with np.errstate(over="ignore", invalid="ignore"):
            f = np.asarray(result.model.predict(t, rows), float)
        sims[r] = result.simulate_readings(f, rng)
    lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
    out = []
    for b in range(len(edges) - 1):
        sel = which == b
        if not sel.any():
            continue
        for q in quantiles:
            sq = np.quantile(sims[:, sel], q, axis=1, method="inverted_cdf")
            low, mid, high = np.quantile(sq, [lo, 0.5, hi], method="inverted_cdf")
            out.append({"bin": b, "time": float(np.median(t[sel])), "quantile": q,
                        "observed": float(np.quantile(y[sel], q)), "low": float(low),
                        "median": float(mid), "high": float(high)})
    return pd.DataFrame(out)


__all__ = ["ENDPOINTS", "diameter_mm", "endpoint_summary", "lesion_outcomes",
           "predictive_check", "vpc"]

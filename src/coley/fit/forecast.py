"""Per-lesion fits of tumour-size models and the forecast comparison protocol.

Design. A lesion table has one row per reading: ``subject`` (lesion id), ``time`` (days since
treatment start; baseline scans are negative) and ``value`` (size, e.g. normalised volume).
:func:`fit_lesions` fits one growth form of :mod:`coley.model.growth` to every lesion by
least squares from a few starts per lesion (the data-informed one and Latin-hypercube points
of the bounded search box). Closed forms let all lesions and starts be solved at once by a
vectorised Levenberg-Marquardt (numpy; scipy's least_squares solves one problem per call, about
10 ms each, which made the comparison over 368 lesions x 8 forms x 4 starts take 2 minutes).
A failure is a row with its reason.

:func:`compare_forecasts` is the protocol of Laleh et al. 2022 (PLoS Comput Biol 18:e1009822):
keep lesions with at least ``min_readings`` readings, fit all but the last ``holdout``,
forecast those, and score the mean absolute error (MAE) per lesion. The last-value-carried-
forward (LVCF) forecast is the baseline. Models are compared pairwise by a paired bootstrap over
lesions (seeded): the interval of the difference of mean MAE; one model beats another when the
interval lies below zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import qmc

from coley.errors import InvalidArgumentError
from coley.fit.nlme import PopulationParameter, ResidualError, saem
from coley.model.growth import FORMS, GrowthForm, growth_form

#: The carry-the-last-value-forward forecast, named like a model in comparison tables.
LVCF = "lvcf"


def read_laleh2022(path: str | Path, *, value: str = "Lesion_normvol") -> pd.DataFrame:
    """The Laleh et al. 2022 lesion table (``shared/data/laleh2022/lesions.csv``) as a lesion
    table: ``subject``, ``study_arm``, ``time`` (days), ``value`` (column ``value``) and
    ``diameter`` (mm), sorted by lesion and time."""
    path = Path(path)
    if not path.is_file():
        raise InvalidArgumentError(
            f"read_laleh2022: no file at {str(path)!r}; pass the path of lesions.csv "
            "(shared/data/laleh2022/lesions.csv beside the project checkout)."
        )
    raw = pd.read_csv(path)
    if value not in raw.columns:
        raise InvalidArgumentError(
            f"read_laleh2022: value={value!r} is not a column of {path.name}; use one of "
            "'Lesion_normvol', 'Lesion_vol', 'Lesion_diam'."
        )
    table = pd.DataFrame({"subject": raw["Pt_hashID"], "study_arm": raw["Study_Arm"],
                          "time": raw["T_days"].astype(float),
                          "value": raw[value].astype(float),
                          "diameter": raw["Lesion_diam"].astype(float)})
    return table.sort_values(["subject", "time"], kind="stable").reset_index(drop=True)


def check_lesion_table(data: pd.DataFrame, *, argument: str = "data") -> pd.DataFrame:
    """``data`` sorted by subject and time, or a clear error naming what is missing or bad."""
    if not isinstance(data, pd.DataFrame):
        raise InvalidArgumentError(
            f"{argument} must be a pandas DataFrame with columns subject, time, value; got "
            f"{type(data).__name__}."
        )
    missing = [c for c in ("subject", "time", "value") if c not in data.columns]
    if missing:
        raise InvalidArgumentError(
            f"{argument} lacks column(s) {missing}; a lesion table has one row per reading with "
            "columns subject, time (days) and value. Rename yours, e.g. "
            "data.rename(columns={'id': 'subject'})."
        )
    bad = data[~np.isfinite(data["time"].to_numpy(float))
               | ~np.isfinite(data["value"].to_numpy(float))]
    if len(bad):
        row = bad.index[0]
        raise InvalidArgumentError(
            f"{argument}: row {row} (subject {bad['subject'].iloc[0]!r}) has a non-finite "
            "time or value; drop or fix such rows."
        )
    negative = data[data["value"] < 0]
    if len(negative):
        raise InvalidArgumentError(
            f"{argument}: row {negative.index[0]} (subject {negative['subject'].iloc[0]!r}) has "
            f"a negative size {float(negative['value'].iloc[0])!r}; sizes must be >= 0."
        )
    return data.sort_values(["subject", "time"], kind="stable")


@dataclass(frozen=True)
class _Search:
    """A form's search box: log10 of the parameters with positive ranges, linear otherwise."""

    form: GrowthForm
    log: np.ndarray = field(init=False)
    lower: np.ndarray = field(init=False)
    upper: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        lo = np.array([p.lower for p in self.form.parameters])
        hi = np.array([p.upper for p in self.form.parameters])
        log = lo > 0
        object.__setattr__(self, "log", log)
        object.__setattr__(self, "lower", np.where(log, np.log10(np.where(log, lo, 1.0)), lo))
        object.__setattr__(self, "upper", np.where(log, np.log10(np.where(log, hi, 1.0)), hi))

    def natural(self, z: np.ndarray) -> np.ndarray:
        return np.where(self.log, 10.0 ** z, z)

    def search(self, x: np.ndarray) -> np.ndarray:
        z = np.where(self.log, np.log10(np.maximum(x, 1e-300)), x)
        return np.clip(z, self.lower, self.upper)

    def predict(self, t: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Predictions for rows of ``z`` (L, p) at times ``t`` (L, M)."""
        x = self.natural(z)
        with np.errstate(all="ignore"):
            return np.asarray(self.form.solution(t, *(x[:, k:k + 1] for k in range(x.shape[1]))))


def _informed_start(form: GrowthForm, t: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Starting values from the data: V0 from the reading nearest t = 0, capacities above it."""
    y0 = max(float(y[np.argmin(np.abs(t))]), 1e-3 * max(float(y.max()), 1e-12))
    d = form.defaults()
    d["V0"] = y0
    top = 2.0 * max(float(y.max()), y0)
    if "K" in d:
        d["K"] = top
    if "a" in d:  # growth balances loss at twice the observed size: a = b*top^(1 - lam)
        d["a"] = d["b"] * top ** (1.0 - d.get("lam", 2.0 / 3.0))
    return np.array([d[p.name] for p in form.parameters])


def _levenberg_marquardt(search: _Search, t: np.ndarray, y: np.ndarray, mask: np.ndarray,
                         weight: np.ndarray, u: np.ndarray, *, iterations: int = 500,
                         tol: float = 1e-12) -> tuple[np.ndarray, np.ndarray]:
    """Least squares for many independent small problems at once (one per row).

    Rows are padded readings ``t``, ``y`` (L, M) with ``mask`` marking the real ones, residuals
    multiplied by ``weight`` (L,); ``u`` (L, p) the starts in the search box. Levenberg-
    Marquardt with Marquardt's diagonal scaling, a damping factor per row, steps projected onto
    the box and capped at 1 (a factor 10 on log-scale parameters), and forward-difference
    Jacobians (p + 1 vectorised evaluations an iteration). Returns the final ``u`` and cost
    (sum of squared weighted residuals; inf where never finite).
    """
    u = u.copy()
    r, cost = _cost_of_rows(search, t, y, mask, weight, u)
    damping = np.full(len(u), 1e-3)
    active = np.isfinite(cost)
    p = u.shape[1]
    for _ in range(iterations):
        if not active.any():
            break
        rows = np.flatnonzero(active)
        ua, ra = u[rows], r[rows]
        jac = np.empty((len(rows), t.shape[1], p))
        h = np.where(ua + 1e-6 > search.upper, -1e-6, 1e-6)  # step inward at an upper bound
        for k in range(p):
            step = ua.copy()
            step[:, k] += h[:, k]
            rk = np.where(mask[rows], (search.predict(t[rows], step) - y[rows])
                          * weight[rows, None], 0.0)
            jac[:, :, k] = (rk - ra) / h[:, k:k + 1]
        jac = np.where(np.isfinite(jac), jac, 0.0)
        grad = np.einsum("lmk,lm->lk", jac, ra)
        # a parameter on a bound that the gradient pushes outwards is held there this step
        held = (((ua <= search.lower) & (grad > 0)) | ((ua >= search.upper) & (grad < 0)))
        jac[held[:, None, :].repeat(jac.shape[1], axis=1)] = 0.0
        grad[held] = 0.0
        hess = np.einsum("lmk,lmj->lkj", jac, jac)
        diag = np.where(held, 1.0, np.maximum(np.einsum("lkk->lk", hess), 1e-12))
        system = hess + (np.where(held, 1.0, damping[rows, None] * diag))[:, :, None] * np.eye(p)
        try:
            delta = np.linalg.solve(system, -grad[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            delta = -grad / diag
        delta /= np.maximum(np.abs(delta).max(axis=1, keepdims=True), 1.0)
        trial = np.clip(ua + delta, search.lower, search.upper)
        r_new, c_new = _cost_of_rows(search, t[rows], y[rows], mask[rows],
                                     weight[rows], trial)
        better = c_new < cost[rows]
        gain = (cost[rows] - c_new) / np.maximum(cost[rows], 1e-300)
        win = rows[better]
        u[win], r[win], cost[win] = trial[better], r_new[better], c_new[better]
        damping[win] = np.maximum(damping[win] / 3.0, 1e-12)
        lose = rows[~better]
        damping[lose] *= 4.0
        done = np.zeros(len(rows), bool)
        done[better] = gain[better] < tol
        done |= damping[rows] > 1e12
        done |= cost[rows] < 1e-28
        active[rows[done]] = False
    return u, cost


def _cost_of_rows(search: _Search, t: np.ndarray, y: np.ndarray, mask: np.ndarray,
                  weight: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted masked residuals and their sum of squares for rows ``u`` (inf if not finite)."""
    r = np.where(mask, (search.predict(t, u) - y) * weight[:, None], 0.0)
    c = np.einsum("lm,lm->l", r, r)
    return r, np.where(np.isfinite(c), c, np.inf)


def _padded(table: pd.DataFrame) -> tuple[list[object], np.ndarray, np.ndarray, np.ndarray]:
    """Lesion ids and their readings as padded (L, M) arrays with a mask of real readings."""
    codes, subjects = pd.factorize(table["subject"], sort=False)
    counts = np.bincount(codes)
    position = table.groupby(codes, sort=False).cumcount().to_numpy()
    shape = (len(subjects), int(counts.max()))
    t, y = np.zeros(shape), np.zeros(shape)
    mask = np.zeros(shape, bool)
    t[codes, position] = table["time"].to_numpy(float)
    y[codes, position] = table["value"].to_numpy(float)
    mask[codes, position] = True
    return list(subjects), t, y, mask


def fit_lesions(data: pd.DataFrame, form: str, *, starts: int = 8, seed: int = 0) -> pd.DataFrame:
    """Fit growth form ``form`` to each lesion of ``data`` (subject, time in days, value).

    Returns one row per lesion: ``subject``, ``status`` ('ok' or 'failed'), ``message``, the
    fitted parameters (natural scale), ``sse`` (sum of squared errors in the unit of value) and
    ``n`` (readings). Every lesion gets ``starts`` starts: the one informed by its data and
    Latin-hypercube points of the search box for the other parameters (seeded by ``seed``,
    the same for every lesion, so a lesion's fit does not depend on the others). All lesions
    and starts are solved together by a vectorised Levenberg-Marquardt; each lesion's
    residuals are divided by its largest reading so that small and large lesions converge
    alike.
    """
    f = growth_form(form)
    if not (isinstance(starts, int) and starts >= 1):
        raise InvalidArgumentError(f"fit_lesions: starts must be an int >= 1, got {starts!r}.")
    table = check_lesion_table(data)
    search = _Search(f)
    subjects, t, y, mask = _padded(table)
    n = mask.sum(axis=1)
    scale = np.maximum(np.where(mask, np.abs(y), 0.0).max(axis=1), 1e-300)
    informed = np.array([_informed_start(f, t[i, mask[i]], y[i, mask[i]])
                         for i in range(len(subjects))])
    u0 = search.search(informed)  # (L, p)
    lhs = qmc.LatinHypercube(d=len(f.parameters), seed=np.random.default_rng(seed)).random(
        max(starts - 1, 0))
    box = search.lower + lhs * (search.upper - search.lower)
    # sizes (V0, K) start within a factor 100 of the data-informed value, rates anywhere
    sizes = np.array([p.name in ("V0", "K") for p in f.parameters])
    candidates = [u0] + [np.clip(np.where(sizes, u0 + 4.0 * (q - 0.5), b), search.lower,
                                 search.upper) for q, b in zip(lhs, box, strict=True)]
    u_all = np.concatenate(candidates)
    reps = len(candidates)
    tt, yy, mm = (np.tile(a, (reps, 1)) for a in (t, y, mask))
    u_fit, cost = _levenberg_marquardt(search, tt, yy, mm, np.tile(1.0 / scale, reps), u_all)
    cost = cost.reshape(reps, len(subjects))
    best = np.argmin(cost, axis=0)
    pick = best * len(subjects) + np.arange(len(subjects))
    x = search.natural(u_fit[pick])
    sse = cost[best, np.arange(len(subjects))] * scale**2
    ok = np.isfinite(sse) & (n >= 2)
    out = pd.DataFrame({"subject": subjects, "n": n})
    out["status"] = np.where(ok, "ok", "failed")
    out["message"] = np.where(n < 2, "fewer than 2 readings; at least 2 are needed",
                              np.where(ok, "", "no start reached a finite fit"))
    for k, name in enumerate(f.parameter_names):
        out[name] = np.where(ok, x[:, k], np.nan)
    out["sse"] = np.where(ok, sse, np.nan)
    return out


@dataclass(frozen=True)
class ForecastComparison:
    """Per-lesion forecast errors of several models and their paired bootstrap comparison.

    ``errors``: one row per lesion with the mean absolute error of each model (columns named by
    model, LVCF included) over its held-out readings; ``failures``: lesions whose fit failed,
    per model, with the reason (their error is NaN and they are left out of that model's mean
    and of its pairwise comparisons).
    """

    errors: pd.DataFrame
    failures: pd.DataFrame
    holdout: int | None
    fit_readings: int | None
    min_readings: int
    bootstrap: int
    seed: int
    boot_means: pd.DataFrame = field(repr=False)

    @property
    def models(self) -> list[str]:
        return [c for c in self.errors.columns if c not in ("subject", "study_arm", "n")]

    def table(self) -> pd.DataFrame:
        """MAE per model with its bootstrap 95% interval, the median of the per-lesion errors
        and the number of lesions scored, best first."""
        rows = []
        for m in self.models:
            e = self.errors[m].to_numpy(float)
            b = self.boot_means[m].to_numpy(float)
            rows.append({"model": m, "mae": float(np.nanmean(e)),
                         "low": float(np.nanquantile(b, 0.025)),
                         "high": float(np.nanquantile(b, 0.975)),
                         "median": float(np.nanmedian(e)),
                         "lesions": int(np.isfinite(e).sum())})
        return pd.DataFrame(rows).sort_values("mae", kind="stable").reset_index(drop=True)

    def pairwise(self) -> pd.DataFrame:
        """Every pair (a, b): mean of MAE_a - MAE_b over lesions both scored, its paired
        bootstrap 95% interval and the verdict ('a better', 'b better' or 'tie')."""
        rng = np.random.default_rng(self.seed + 1)
        n = len(self.errors)
        idx = rng.integers(0, n, size=(self.bootstrap, n))
        rows = []
        models = self.models
        for i, a in enumerate(models):
            for b in models[i + 1:]:
                diff = (self.errors[a] - self.errors[b]).to_numpy(float)
                both = np.isfinite(diff)
                d0 = np.where(both, diff, 0.0)
                w = both.astype(float)
                boot = (d0[idx].sum(axis=1)) / np.maximum(w[idx].sum(axis=1), 1)
                low, high = np.quantile(boot, [0.025, 0.975])
                verdict = f"{a} better" if high < 0 else f"{b} better" if low > 0 else "tie"
                rows.append({"a": a, "b": b, "mean_difference": float(d0.sum() / w.sum()),
                             "low": float(low), "high": float(high), "verdict": verdict,
                             "lesions": int(both.sum())})
        return pd.DataFrame(rows)


def _split(table: pd.DataFrame, holdout: int | None,
           fit_readings: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training and held-out readings of each lesion."""
    by = table.groupby("subject", sort=False)
    if fit_readings is not None:
        return by.head(fit_readings), table[by.cumcount() >= fit_readings]
    assert holdout is not None
    return by.head(-holdout), by.tail(holdout)


def _score(test: pd.DataFrame, form: GrowthForm, params: pd.DataFrame) -> pd.Series:
    """Mean absolute forecast error per lesion (NaN where the forecast is not finite)."""
    x = params.loc[test["subject"], list(form.parameter_names)].to_numpy(float)
    with np.errstate(all="ignore"):
        pred = form.solution(test["time"].to_numpy(float), *x.T)
    err = pd.Series(np.abs(pred - test["value"].to_numpy(float)), index=test["subject"])
    mae = err.groupby(level=0, sort=False).mean()
    mae[~np.isfinite(mae)] = np.nan
    return mae


def _failures(model: str, failed: pd.Series, mae: pd.Series) -> pd.DataFrame:
    nonfinite = mae[mae.isna()].index.difference(failed.index)
    return pd.concat([
        pd.DataFrame({"subject": failed.index, "model": model, "reason": failed.to_numpy()}),
        pd.DataFrame({"subject": nonfinite, "model": model,
                      "reason": "forecast is not finite (fit diverges beyond the data)"}),
    ], ignore_index=True)


def _per_lesion(test: pd.DataFrame, form: str,
                fits: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    fits = fits.set_index("subject")
    mae = _score(test, growth_form(form), fits)
    failed = fits.loc[fits["status"] != "ok", "message"]
    return mae, _failures(form, failed, mae)


def population_name(form: str) -> str:
    """The column of the population-prior forecasts of ``form`` in a comparison."""
    return f"population_{form}"


def _population(train: pd.DataFrame, test: pd.DataFrame, form: str, error: ResidualError,
                fits: pd.DataFrame, seed: int) -> tuple[pd.Series, pd.DataFrame]:
    """Forecasts at the empirical Bayes estimates of a SAEM population fitted to ``train``
    (typical values started at the medians of the per-lesion fits)."""
    f = growth_form(form)
    name = population_name(form)
    ok = fits[fits["status"] == "ok"]
    params = []
    for p in f.parameters:
        typical = float(np.clip(np.median(ok[p.name]) if len(ok) else p.default,
                                p.lower * 1.01, p.upper / 1.01))
        params.append(PopulationParameter(p.name, typical, omega=1.0, lower=p.lower,
                                          upper=p.upper))

    def predict(t: np.ndarray, psi: dict[str, np.ndarray]) -> np.ndarray:
        return np.asarray(f.solution(t, *(psi[k] for k in f.parameter_names)))

    try:
        result = saem(predict, train[["subject", "time", "value"]], params, error=error,
                      seed=seed, standard_errors=False)
    except (ArithmeticError, ValueError, np.linalg.LinAlgError) as exc:
        subjects = test["subject"].drop_duplicates()
        mae = pd.Series(np.nan, index=subjects)
        return mae, _failures(name, pd.Series(f"population fit failed: {exc}", index=subjects),
                              mae)
    mae = _score(test, f, result.individual)
    return mae, _failures(name, pd.Series(dtype=object), mae)


def compare_forecasts(data: pd.DataFrame, forms: Sequence[str] = tuple(FORMS), *,
                      holdout: int | None = 2, fit_readings: int | None = None,
                      min_readings: int = 6, population: Sequence[str] = (),
                      population_error: ResidualError | None = None, starts: int = 8,
                      bootstrap: int = 2000, seed: int = 0) -> ForecastComparison:
    """Forecast the later readings of every lesion with at least ``min_readings`` readings and
    compare the forecasts with LVCF.

    Each lesion is fitted on all but its last ``holdout`` readings (the Laleh protocol), or,
    with ``fit_readings=k`` (and ``holdout=None``), on its first k readings, forecasting all
    later ones. Every growth form in ``forms`` is fitted lesion by lesion; every form in
    ``population`` (those with log-normal parameters) is fitted as a SAEM population to the
    training readings of all scored lesions and forecasts each lesion at its empirical Bayes
    estimate, the Bayesian individual prediction under the population prior
    (``population_error``: the residual error model, default combined). Errors are absolute
    errors in the unit of ``value`` averaged per lesion; the bootstrap resamples lesions
    (``bootstrap`` times, seeded by ``seed``).
    """
    if (holdout is None) == (fit_readings is None):
        raise InvalidArgumentError(
            "compare_forecasts: give exactly one of holdout (forecast the last readings) and "
            f"fit_readings (fit the first readings); got holdout={holdout!r}, "
            f"fit_readings={fit_readings!r}."
        )
    if holdout is not None and not (isinstance(holdout, int) and holdout >= 1):
        raise InvalidArgumentError(f"compare_forecasts: holdout must be an int >= 1, got "
                                   f"{holdout!r}.")
    if fit_readings is not None and not (isinstance(fit_readings, int) and fit_readings >= 2):
        raise InvalidArgumentError(f"compare_forecasts: fit_readings must be an int >= 2, got "
                                   f"{fit_readings!r}.")
    need = holdout + 2 if holdout is not None else (fit_readings or 0) + 1
    if not (isinstance(min_readings, int) and min_readings >= need):
        what = "holdout + 2" if holdout is not None else "fit_readings + 1"
        raise InvalidArgumentError(
            f"compare_forecasts: min_readings must be an int >= {what} = {need} (readings to "
            f"fit and to forecast), got {min_readings!r}."
        )
    if not (isinstance(bootstrap, int) and bootstrap >= 100):
        raise InvalidArgumentError(f"compare_forecasts: bootstrap must be an int >= 100, got "
                                   f"{bootstrap!r}.")
    forms = [growth_form(f).name for f in forms]
    pop_forms = [growth_form(f).name for f in population]
    for f in pop_forms:
        if not growth_form(f).log_normal:
            ok = [k for k, v in FORMS.items() if v.log_normal]
            raise InvalidArgumentError(
                f"compare_forecasts: population form {f!r} has a parameter that may be "
                f"negative or is bounded above, so it cannot be log-normal; use one of {ok}."
            )
    error = population_error if population_error is not None else ResidualError("combined")
    table = check_lesion_table(data)
    counts = table.groupby("subject", sort=False)["time"].transform("size")
    table = table[counts >= min_readings]
    if table.empty:
        raise InvalidArgumentError(
            f"compare_forecasts: no lesion has at least min_readings={min_readings} readings; "
            "lower min_readings."
        )
    train, test = _split(table, holdout, fit_readings)
    subjects = table["subject"].drop_duplicates()
    errors = pd.DataFrame({"subject": subjects.to_numpy()})
    if "study_arm" in table.columns:
        errors["study_arm"] = table.groupby("subject", sort=False)["study_arm"].first().to_numpy()
    errors["n"] = table.groupby("subject", sort=False).size().to_numpy()
    last = train.groupby("subject", sort=False)["value"].last()
    lvcf = (test["value"] - last.loc[test["subject"]].to_numpy()).abs()
    errors[LVCF] = lvcf.groupby(test["subject"].to_numpy(), sort=False).mean().reindex(
        subjects).to_numpy()
    failures = []
    fits = {f: fit_lesions(train, f, starts=starts, seed=seed) for f in {*forms, *pop_forms}}
    for f in forms:
        mae, fail = _per_lesion(test, f, fits[f])
        errors[f] = mae.reindex(subjects).to_numpy()
        failures.append(fail)
    for f in pop_forms:
        mae, fail = _population(train, test, f, error, fits[f], seed)
        errors[population_name(f)] = mae.reindex(subjects).to_numpy()
        failures.append(fail)
    rng = np.random.default_rng(seed)
    n = len(errors)
    idx = rng.integers(0, n, size=(bootstrap, n))
    boot = {}
    for m in [LVCF, *forms, *map(population_name, pop_forms)]:
        e = errors[m].to_numpy(float)
        ok = np.isfinite(e)
        boot[m] = np.where(ok, e, 0.0)[idx].sum(axis=1) / np.maximum(ok[idx].sum(axis=1), 1)
    return ForecastComparison(
        errors=errors, failures=pd.concat(failures, ignore_index=True), holdout=holdout,
        fit_readings=fit_readings, min_readings=min_readings, bootstrap=bootstrap, seed=seed,
        boot_means=pd.DataFrame(boot),
    )


__all__ = ["LVCF", "ForecastComparison", "check_lesion_table", "compare_forecasts",
           "fit_lesions", "population_name", "read_laleh2022"]

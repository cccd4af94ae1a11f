"""Trial endpoints from the per-patient table: response rates, survival, hazard ratios, toxicity.

Rates carry Wilson 95% intervals (on the effective sample size when patients are weighted);
survival uses Kaplan-Meier estimates with Greenwood-type intervals, log-rank tests and Cox
proportional-hazards ratios from lifelines (Davidson-Pilon 2019, JOSS 4:1317), with robust
(sandwich) errors when patients are weighted. Months are 30.4375 days.

An endpoint reads columns of the patient table; the columns themselves are computed by the
outcomes of :mod:`coley.trial.outcomes` (that module says why the two are separate). An
endpoint is an outcome that is also summarised: it declares the columns it reads
(``requires``) and, if it needs one nobody computes yet, computes it itself (``provides`` and
``patient_columns``), so that adding an endpoint is one class.
"""

from __future__ import annotations

import math
import warnings
from abc import abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from coley.analysis.stats import wilson_interval
from coley.errors import InvalidArgumentError
from coley.trial.outcomes import (
    BUILT_IN_OUTCOMES,
    OUTCOMES,
    AbstractOutcome,
    OutcomeContext,
    check_columns,
)
from coley.trial.status import StopReason

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


class AbstractEndpoint(AbstractOutcome):
    """One endpoint of an arm: :meth:`summarise` gives its report entry (None: not reported for
    this arm); a per-patient 0/1 :meth:`indicator` makes it usable as a calibration target.

    ``requires`` names the patient-table columns they read. An endpoint that needs a column no
    outcome computes gives it in ``provides`` and computes it in :meth:`patient_columns` from
    the arm's :class:`~coley.trial.outcomes.OutcomeContext` (it may then require its own
    columns too).

    Endpoints live in one registry (:data:`ENDPOINTS`, :func:`register_endpoint`) that the
    report (:func:`arm_summary`) and the calibration read, and those with columns also in the
    outcome registry the arm runner reads; adding one is one class.
    """

    name: str

    @property
    @abstractmethod
    def requires(self) -> tuple[str, ...]:
        """The patient-table columns :meth:`summarise` and :meth:`indicator` read."""

    @property
    def provides(self) -> tuple[str, ...]:
        """Columns this endpoint adds to the patient table (none unless it says so)."""
        return ()

    def patient_columns(self, ctx: OutcomeContext) -> dict[str, np.ndarray]:
        """The columns of :attr:`provides` for one arm (none by default)."""
        return {}

    @abstractmethod
    def summarise(self, df: pd.DataFrame, w: np.ndarray, horizon: float) -> Any:
        """The endpoint for the rows ``df`` of one arm with weights ``w`` (follow-up
        ``horizon`` days); None to leave it out."""

    def indicator(self, df: pd.DataFrame) -> np.ndarray:
        """Each patient's outcome, 0 or 1 (for calibration targets)."""
        raise InvalidArgumentError(f"endpoint {self.name!r} is not a per-patient 0/1 outcome; "
                                   "it cannot be a calibration target.")


def _bor(df: pd.DataFrame) -> np.ndarray:
    return df["bor"].astype(str).to_numpy()


@dataclass(frozen=True)
class ResponseRate(AbstractEndpoint):
    """Fraction whose best overall response is one of ``responses`` (RECIST 1.1)."""

    name: str
    responses: tuple[str, ...]
    requires: ClassVar[tuple[str, ...]] = ("bor",)

    def indicator(self, df: pd.DataFrame) -> np.ndarray:
        return np.isin(_bor(df), self.responses).astype(float)

    def summarise(self, df: pd.DataFrame, w: np.ndarray, horizon: float) -> Any:
        return _rate(self.indicator(df), w)


@dataclass(frozen=True)
class BestResponse(AbstractEndpoint):
    """Weighted distribution of the best overall response (CR, PR, SD, PD, NE)."""

    name: str
    requires: ClassVar[tuple[str, ...]] = ("bor",)

    def summarise(self, df: pd.DataFrame, w: np.ndarray, horizon: float) -> Any:
        bor = _bor(df)
        return {k: float(np.sum(w * (bor == k)) / w.sum()) for k in ("CR", "PR", "SD", "PD", "NE")}


#: Landmarks (months) of the survival endpoints.
LANDMARKS = (6.0, 12.0, 24.0, 36.0, 60.0)


@dataclass(frozen=True)
class Survival(AbstractEndpoint):
    """Kaplan-Meier of ``{column}_days`` / ``{column}_event``: median and landmark rates; among
    the patients whose best response is one of ``among`` if given (duration of response)."""

    name: str
    column: str
    months: tuple[float, ...] = LANDMARKS
    among: tuple[str, ...] = ()

    @property
    def requires(self) -> tuple[str, ...]:
        return (f"{self.column}_days", f"{self.column}_event") + (("bor",) if self.among else ())

    def summarise(self, df: pd.DataFrame, w: np.ndarray, horizon: float) -> Any:
        t = df[f"{self.column}_days"].to_numpy(float)
        e = df[f"{self.column}_event"].to_numpy(bool)
        if self.among:
            keep = np.isin(_bor(df), self.among)
            if not keep.any():
                return None
            t, e, w = t[keep], e[keep], w[keep]
        return _survival(t, e, w, horizon, self.months)


@dataclass(frozen=True)
class Landmark(AbstractEndpoint):
    """Fraction free of the ``column`` event at ``months`` (e.g. 6-month PFS)."""

    name: str
    column: str
    months: float

    @property
    def requires(self) -> tuple[str, ...]:
        return (f"{self.column}_days",)

    def indicator(self, df: pd.DataFrame) -> np.ndarray:
        return (df[f"{self.column}_days"].to_numpy(float) > self.months * MONTH).astype(float)

    def summarise(self, df: pd.DataFrame, w: np.ndarray, horizon: float) -> Any:
        return _rate(self.indicator(df), w)


@dataclass(frozen=True)
class Flag(AbstractEndpoint):
    """Fraction with the 0/1 column ``column`` set (pseudoprogression)."""

    name: str
    column: str

    @property
    def requires(self) -> tuple[str, ...]:
        return (self.column,)

    def indicator(self, df: pd.DataFrame) -> np.ndarray:
        return df[self.column].to_numpy(float)

    def summarise(self, df: pd.DataFrame, w: np.ndarray, horizon: float) -> Any:
        return _rate(self.indicator(df), w)


@dataclass(frozen=True)
class ToxicityRate(AbstractEndpoint):
    """Fraction with a toxicity of CTCAE grade ``grade`` or worse."""

    name: str
    grade: int
    requires: ClassVar[tuple[str, ...]] = ("tox_grade",)

    def indicator(self, df: pd.DataFrame) -> np.ndarray:
        return (df["tox_grade"].to_numpy(float) >= self.grade).astype(float)

    def summarise(self, df: pd.DataFrame, w: np.ndarray, horizon: float) -> Any:
        return _rate(self.indicator(df), w)


@dataclass(frozen=True)
class StoppedFor(AbstractEndpoint):
    """Weighted fraction whose treatment stopped for ``reason`` (a :class:`StopReason`)."""

    name: str
    reason: StopReason
    requires: ClassVar[tuple[str, ...]] = ("stopped_for",)

    def summarise(self, df: pd.DataFrame, w: np.ndarray, horizon: float) -> Any:
        stopped = df["stopped_for"].astype(str).to_numpy()
        return float(np.sum(w * (stopped == self.reason.value)) / w.sum())


#: Every endpoint the report gives for each arm, in report order (:func:`register_endpoint`
#: adds to it).
ENDPOINTS: dict[str, AbstractEndpoint] = {ep.name: ep for ep in (
    ResponseRate("orr", ("CR", "PR")),
    ResponseRate("cr", ("CR",)),
    ResponseRate("dcr", ("CR", "PR", "SD")),
    BestResponse("best_response"),
    Survival("pfs", "pfs"),
    Survival("os", "os"),
    Survival("ipfs", "ipfs"),
    Survival("dor", "dor", months=(12.0,), among=("CR", "PR")),
    Flag("pseudoprogression", "pseudoprogression"),
    ToxicityRate("toxicity_any_grade", 1),
    ToxicityRate("toxicity_grade3plus", 3),
    StoppedFor("stopped_for_progression", StopReason.PROGRESSION),
    StoppedFor("stopped_for_toxicity", StopReason.TOXICITY),
)}
_BUILT_IN = frozenset(ENDPOINTS)

#: Calibration target keys of a trial file's ``[calibration.targets.ARM]`` and their endpoints.
CALIBRATION_TARGETS: dict[str, AbstractEndpoint] = {
    "orr": ENDPOINTS["orr"],
    "pfs_6mo": Landmark("pfs_6mo", "pfs", 6.0),
}


def register_outcome(outcome: AbstractOutcome, *, replace: bool = False) -> None:
    """Add ``outcome``'s columns to the patient table of every trial (after the built-in
    ones). An endpoint that brings its own columns is registered with
    :func:`register_endpoint` instead (which also checks its columns)."""
    if not isinstance(outcome, AbstractOutcome) or isinstance(outcome, AbstractEndpoint):
        raise InvalidArgumentError(
            f"register_outcome: expected an AbstractOutcome, got {outcome!r}; subclass "
            "coley.trial.outcomes.AbstractOutcome (an endpoint is registered with "
            "coley.trial.endpoints.register_endpoint).")
    if isinstance(OUTCOMES.get(outcome.name), AbstractEndpoint):
        raise InvalidArgumentError(f"register_outcome: {outcome.name!r} is the name of a "
                                   "registered endpoint; give the outcome another name.")
    if outcome.name in BUILT_IN_OUTCOMES:
        raise InvalidArgumentError(f"register_outcome: {outcome.name!r} is a built-in "
                                   "outcome; give yours another name.")
    if outcome.name in OUTCOMES and not replace:
        raise InvalidArgumentError(f"register_outcome: {outcome.name!r} is already "
                                   "registered; pass replace=True to replace it.")
    candidate = dict(OUTCOMES)
    candidate[outcome.name] = outcome
    check_columns(candidate.values(), ENDPOINTS.values())
    OUTCOMES[outcome.name] = outcome


def register_endpoint(endpoint: AbstractEndpoint, *, replace: bool = False) -> None:
    """Report ``endpoint`` for every arm of every trial (after the built-in ones); if it
    provides columns, add them to every trial's patient table (after the built-in ones).

    Refused if it requires a column that neither a registered outcome nor the endpoint itself
    provides."""
    if not isinstance(endpoint, AbstractEndpoint):
        raise InvalidArgumentError(
            f"register_endpoint: expected an AbstractEndpoint, got {endpoint!r}; subclass "
            "coley.trial.endpoints.AbstractEndpoint.")
    if endpoint.name in _BUILT_IN:
        raise InvalidArgumentError(f"register_endpoint: {endpoint.name!r} is a built-in "
                                   "endpoint; give yours another name.")
    if endpoint.name in ENDPOINTS and not replace:
        raise InvalidArgumentError(f"register_endpoint: {endpoint.name!r} is already "
                                   "registered; pass replace=True to replace it.")
    if endpoint.provides and endpoint.name in OUTCOMES \
            and OUTCOMES[endpoint.name] is not ENDPOINTS.get(endpoint.name):
        raise InvalidArgumentError(f"register_endpoint: {endpoint.name!r} is the name of a "
                                   "registered outcome; give the endpoint another name.")
    outcomes = {k: o for k, o in OUTCOMES.items()
                if o is not ENDPOINTS.get(endpoint.name)}  # the one it replaces goes
    if endpoint.provides:
        outcomes[endpoint.name] = endpoint
    endpoints = {**ENDPOINTS, endpoint.name: endpoint}
    check_columns(outcomes.values(), endpoints.values())
    OUTCOMES.clear()
    OUTCOMES.update(outcomes)
    ENDPOINTS[endpoint.name] = endpoint


def arm_summary(df: pd.DataFrame, w: np.ndarray, horizon: float) -> dict[str, Any]:
    """Every registered endpoint of one arm (rows with status 'ok'; weights ``w`` aligned with
    rows)."""
    out: dict[str, Any] = {"patients": len(df),
                           "effective_patients": float(w.sum() ** 2 / np.sum(w ** 2))
                           if len(df) else 0.0}
    if not len(df):
        return out
    for ep in ENDPOINTS.values():
        missing = [c for c in ep.requires if c not in df.columns]
        if missing:
            raise InvalidArgumentError(
                f"endpoint {ep.name!r} reads column {missing[0]!r}, which this patient table "
                "lacks; was the run written before the outcome computing it was registered? "
                "Register it and run the trial again (into a new folder).")
        value = ep.summarise(df, w, horizon)
        if value is not None:
            out[ep.name] = value
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


__all__ = [
    "CALIBRATION_TARGETS",
    "ENDPOINTS",
    "LANDMARKS",
    "MONTH",
    "AbstractEndpoint",
    "BestResponse",
    "Flag",
    "Landmark",
    "ResponseRate",
    "StoppedFor",
    "Survival",
    "ToxicityRate",
    "arm_summary",
    "compare",
    "register_endpoint",
    "register_outcome",
]

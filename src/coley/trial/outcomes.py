"""Per-patient outcome columns of the trial table, computed from one arm's simulated course.

The arm runner (:mod:`coley.trial.arms`) works out what every outcome shares once per arm:
the tumour burden on the output grid, the sum of diameters at each scan, the RECIST 1.1 /
iRECIST :class:`~coley.trial.recist.Assessment`, the death day and the toxicity onset days. It
hands them to each outcome in :data:`OUTCOMES` as one :class:`OutcomeContext`, and the columns
the outcomes return, in registry order, are the outcome columns of the patient table.

Why outcomes are objects of their own and not a method every endpoint has: the patient table
and the report are two products whose entries are related many to many. ORR, CR, DCR and the
best-response distribution all read the one ``bor`` column; the duration of response is built
from the PFS columns; some columns (``baseline_cells``, ``pd_day``, ``last_scan_day``) feed no
endpoint at all; and the two have different orders (the table's follows the derivation, the
report's the paper's table 2). So an :class:`AbstractOutcome` is a group of columns and what
it ``requires`` (columns of outcomes before it), and an endpoint
(:class:`coley.trial.endpoints.AbstractEndpoint`) is an outcome that is also summarised: it
``provides`` no columns unless it says so, and ``requires`` the columns it reads. An endpoint
that needs a column nobody computes yet brings it itself, so adding it is still one class;
:func:`coley.trial.endpoints.register_endpoint` files it here as well. Every requirement must
be met by an outcome registered before it (or by a column the arm runner writes itself,
:data:`RUNNER_COLUMNS`); a registration that breaks this is refused with both names.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np

from coley.errors import InvalidArgumentError
from coley.trial import recist

if TYPE_CHECKING:
    from coley.trial.spec import TrialSpec

#: Columns of the patient table the arm runner writes itself (identity, status, the stop
#: rules' outcome, the diagnosis); ``param_*`` and ``cov_*`` hold each patient's drawn values.
RUNNER_COLUMNS = ("patient", "arm", "status", "status_reason", "allocated",
                  "treatment_stopped_day", "stopped_for", "diagnosis_day", "doubling_days",
                  "attempts")
_PER_TRIAL = ("param_", "cov_")


class _Columns(Mapping[str, np.ndarray]):
    """The columns an outcome declared in ``requires``; reading another is an error."""

    def __init__(self, owner: str, declared: tuple[str, ...], columns: Mapping[str, np.ndarray]
                 ) -> None:
        self._owner = owner
        self._data = {k: columns[k] for k in declared if k in columns}

    def __getitem__(self, key: str) -> np.ndarray:
        if key not in self._data:
            raise InvalidArgumentError(
                f"outcome {self._owner!r} reads column {key!r} from ctx.columns but does not "
                f"require it (it requires {sorted(self._data)}); add {key!r} to its requires.")
        return self._data[key]

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        return self._data.get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


@dataclass(frozen=True)
class OutcomeContext:
    """One arm's simulated course, as every outcome sees it (N patients, K output times, S
    scans; times in days).

    ``grid`` (K,) output days and ``values`` (N, K, states) every state on it (:meth:`state`);
    ``burden`` (N, K) the tumour cells (sum of the tumour states); ``scans`` (S,) scan days at
    ``scan_index`` of the grid; ``baseline_sld`` (N,) and ``sld`` (N, S) sums of diameters (mm;
    NaN after death or a failed integration); ``assessment`` RECIST 1.1 and iRECIST;
    ``death_day`` (N,) NaN if alive at the end of follow-up; ``last_scan_day`` (N,) the last
    scan with a measurement (0 if none); ``toxicity_any_day`` / ``toxicity_g3_day`` (N,) onset of
    any-grade / grade >= 3 toxicity (inf if none); ``solver_status`` (N,) negative where the
    integration failed; ``columns`` the columns of earlier outcomes this one requires.
    """

    spec: TrialSpec
    grid: np.ndarray
    values: np.ndarray
    state_names: tuple[str, ...]
    burden: np.ndarray
    scans: np.ndarray
    scan_index: np.ndarray
    baseline_sld: np.ndarray
    sld: np.ndarray
    assessment: recist.Assessment
    death_day: np.ndarray
    last_scan_day: np.ndarray
    toxicity_any_day: np.ndarray
    toxicity_g3_day: np.ndarray
    solver_status: np.ndarray
    columns: Mapping[str, np.ndarray] = field(default_factory=dict)

    @property
    def patients(self) -> int:
        """N, the number of patients (rows)."""
        return int(self.burden.shape[0])

    @property
    def dead(self) -> np.ndarray:
        """(N,) True where the patient died during follow-up."""
        return np.isfinite(self.death_day)

    def state(self, name: str) -> np.ndarray:
        """(N, K) the state ``name`` on the output grid."""
        if name not in self.state_names:
            raise InvalidArgumentError(f"OutcomeContext.state: no state {name!r}; the model's "
                                       f"states are {list(self.state_names)}.")
        return np.asarray(self.values[:, :, self.state_names.index(name)])


class AbstractOutcome(ABC):
    """Columns of the patient table computed from an arm's :class:`OutcomeContext`.

    ``provides`` names the columns :meth:`patient_columns` returns (each an (N,) array);
    ``requires`` the columns of outcomes registered before it that it reads (from
    ``ctx.columns``). Register one with :func:`coley.trial.endpoints.register_outcome`.
    """

    name: str

    @property
    @abstractmethod
    def provides(self) -> tuple[str, ...]:
        """The columns this outcome adds, in table order."""

    @property
    def requires(self) -> tuple[str, ...]:
        """Columns of earlier outcomes this one reads (``ctx.columns``)."""
        return ()

    @abstractmethod
    def patient_columns(self, ctx: OutcomeContext) -> dict[str, np.ndarray]:
        """Each column of ``provides``, one value per patient."""


@dataclass(frozen=True)
class Baseline(AbstractOutcome):
    """Tumour cells and sum of diameters (mm) at the start of treatment."""

    name: str = "baseline"
    provides: ClassVar[tuple[str, ...]] = ("baseline_cells", "baseline_sld_mm")

    def patient_columns(self, ctx: OutcomeContext) -> dict[str, np.ndarray]:
        return {"baseline_cells": ctx.burden[:, 0], "baseline_sld_mm": ctx.baseline_sld}


@dataclass(frozen=True)
class Recist(AbstractOutcome):
    """RECIST 1.1: best overall response, responder (CR or PR), best % change of the sum of
    diameters, first day of the confirmed response and of progression."""

    name: str = "recist"
    provides: ClassVar[tuple[str, ...]] = ("bor", "responder", "best_change_pct",
                                           "response_day", "pd_day")

    def patient_columns(self, ctx: OutcomeContext) -> dict[str, np.ndarray]:
        a = ctx.assessment
        return {"bor": a.labels("bor"), "responder": np.isin(a.bor, (recist.CR, recist.PR)),
                "best_change_pct": a.best_change, "response_day": a.response_day,
                "pd_day": a.pd_day}


@dataclass(frozen=True)
class EventFree(AbstractOutcome):
    """``{name}_days`` / ``{name}_event``: time to the first of ``progression`` (a day of the
    assessment: ``pd_day`` RECIST, ``iprogression_day`` iRECIST) and death, censored at the
    last scan."""

    name: str
    progression: Literal["pd_day", "iprogression_day"]

    @property
    def provides(self) -> tuple[str, ...]:
        return (f"{self.name}_days", f"{self.name}_event")

    def patient_columns(self, ctx: OutcomeContext) -> dict[str, np.ndarray]:
        end = np.fmin(getattr(ctx.assessment, self.progression),
                      np.where(ctx.dead, ctx.death_day, np.inf))
        event = np.isfinite(end)
        return {f"{self.name}_days": np.where(event, end, ctx.last_scan_day),
                f"{self.name}_event": event}


@dataclass(frozen=True)
class OverallSurvival(AbstractOutcome):
    """Death day, censored at the end of follow-up."""

    name: str = "os"
    provides: ClassVar[tuple[str, ...]] = ("os_days", "os_event")

    def patient_columns(self, ctx: OutcomeContext) -> dict[str, np.ndarray]:
        return {"os_days": np.where(ctx.dead, ctx.death_day, ctx.spec.follow_up_days),
                "os_event": ctx.dead}


@dataclass(frozen=True)
class DurationOfResponse(AbstractOutcome):
    """Responders only: from the confirmed response to progression or death (the PFS event),
    censored with PFS; NaN for non-responders."""

    name: str = "dor"
    provides: ClassVar[tuple[str, ...]] = ("dor_days", "dor_event")
    requires: ClassVar[tuple[str, ...]] = ("responder", "pfs_days", "pfs_event")

    def patient_columns(self, ctx: OutcomeContext) -> dict[str, np.ndarray]:
        responder = ctx.columns["responder"]
        return {"dor_days": np.where(responder, ctx.columns["pfs_days"]
                                     - np.nan_to_num(ctx.assessment.response_day), np.nan),
                "dor_event": responder & ctx.columns["pfs_event"]}


@dataclass(frozen=True)
class Irecist(AbstractOutcome):
    """iRECIST: best response, first iUPD, the scan confirming progression (iCPD) and
    pseudoprogression (an iUPD that was not confirmed)."""

    name: str = "irecist"
    provides: ClassVar[tuple[str, ...]] = ("ibor", "iupd_day", "icpd_day", "pseudoprogression")

    def patient_columns(self, ctx: OutcomeContext) -> dict[str, np.ndarray]:
        a = ctx.assessment
        return {"ibor": a.labels("ibor"), "iupd_day": a.iupd_day, "icpd_day": a.icpd_scan_day,
                "pseudoprogression": a.pseudoprogression}


@dataclass(frozen=True)
class Toxicity(AbstractOutcome):
    """Worst toxicity grade (0, 2 for any grade, 3 for grade >= 3) and the onset days."""

    name: str = "toxicity"
    provides: ClassVar[tuple[str, ...]] = ("tox_grade", "tox_any_day", "tox_g3_day")

    def patient_columns(self, ctx: OutcomeContext) -> dict[str, np.ndarray]:
        worst = np.zeros(ctx.patients, dtype=np.int64)
        worst[np.isfinite(ctx.toxicity_any_day)] = 2
        worst[np.isfinite(ctx.toxicity_g3_day)] = 3
        return {"tox_grade": worst, "tox_any_day": ctx.toxicity_any_day,
                "tox_g3_day": ctx.toxicity_g3_day}


@dataclass(frozen=True)
class LastScan(AbstractOutcome):
    """Day of the last scan with a measurement (0 if none)."""

    name: str = "last_scan"
    provides: ClassVar[tuple[str, ...]] = ("last_scan_day",)

    def patient_columns(self, ctx: OutcomeContext) -> dict[str, np.ndarray]:
        return {"last_scan_day": ctx.last_scan_day}


#: Every outcome of the patient table, in column order
#: (:func:`coley.trial.endpoints.register_outcome` and
#: :func:`coley.trial.endpoints.register_endpoint` add to it).
OUTCOMES: dict[str, AbstractOutcome] = {o.name: o for o in (
    Baseline(),
    Recist(),
    EventFree("pfs", "pd_day"),
    OverallSurvival(),
    DurationOfResponse(),
    Irecist(),
    EventFree("ipfs", "iprogression_day"),
    Toxicity(),
    LastScan(),
)}
BUILT_IN_OUTCOMES = frozenset(OUTCOMES)


def _is_per_trial(column: str) -> bool:
    return column.startswith(_PER_TRIAL)


def check_columns(outcomes: Iterable[AbstractOutcome],
                  readers: Iterable[AbstractOutcome] = ()) -> tuple[str, ...]:
    """The outcome columns of ``outcomes`` in order; refuses an outcome that requires a column
    no outcome before it provides, one that provides a column already provided, and a reader
    (an endpoint) that requires a column none of them provides. Each message names both."""
    seen: dict[str, str] = {c: "the arm runner" for c in RUNNER_COLUMNS}
    order: list[str] = []
    for o in outcomes:
        own = set(o.provides)
        for c in o.requires:
            if c not in seen and c not in own and not _is_per_trial(c):
                raise InvalidArgumentError(
                    f"outcome {o.name!r} requires column {c!r}, which no outcome registered "
                    f"before it provides (columns so far: {order}); register the outcome that "
                    f"computes {c!r} first.")
        for c in o.provides:
            if c in seen:
                raise InvalidArgumentError(
                    f"outcome {o.name!r} provides column {c!r}, which {seen[c]} already "
                    "provides; give the column another name.")
            seen[c] = f"outcome {o.name!r}"
            order.append(c)
    for r in readers:
        missing = [c for c in r.requires if c not in seen and not _is_per_trial(c)]
        if missing:
            raise InvalidArgumentError(
                f"endpoint {r.name!r} requires column {missing[0]!r}, which no registered "
                f"outcome provides (the outcome columns are {order}); register the outcome "
                f"that computes {missing[0]!r} first, or give {r.name!r} its own "
                "provides/patient_columns.")
    return tuple(order)


def patient_columns(ctx: OutcomeContext, outcomes: Iterable[AbstractOutcome]
                    ) -> dict[str, np.ndarray]:
    """Every column of ``outcomes`` for the arm ``ctx``, in order (each outcome sees the
    columns it requires in ``ctx.columns``)."""
    out: dict[str, np.ndarray] = {}
    for o in outcomes:
        got = o.patient_columns(replace(ctx, columns=_Columns(o.name, o.requires, out)))
        if set(got) != set(o.provides):
            raise InvalidArgumentError(
                f"outcome {o.name!r} returned columns {sorted(got)} but provides "
                f"{list(o.provides)}; return exactly the columns it provides.")
        for c in o.provides:
            if np.shape(got[c]) != (ctx.patients,):
                raise InvalidArgumentError(
                    f"outcome {o.name!r}: column {c!r} has shape {np.shape(got[c])}, not one "
                    f"value per patient ({ctx.patients},).")
            out[c] = got[c]
    return out


__all__ = [
    "BUILT_IN_OUTCOMES",
    "OUTCOMES",
    "RUNNER_COLUMNS",
    "AbstractOutcome",
    "Baseline",
    "DurationOfResponse",
    "EventFree",
    "Irecist",
    "LastScan",
    "OutcomeContext",
    "OverallSurvival",
    "Recist",
    "Toxicity",
    "check_columns",
    "patient_columns",
]

"""The outcome registry: the per-patient columns, worked by hand on a three-patient context, and
registration (an endpoint bringing its own column into a run, requirements refused with both
names, resume refused when the columns changed).

The hand example (RECIST 1.1, Eisenhauer et al. 2009): scans on days 14, 28 and 42, every
baseline sum of diameters 100 mm. Patient 0 falls to 60 mm (PR, <= 70 mm) and stays below 70:
confirmed on day 42 (>= 28 days later), response on day 14, no progression, censored at the
last scan. Patient 1 goes 90 then 120 mm (+30 mm >= 20% and 5 mm above the nadir: PD on day
28; best change -10%, the nadir) and dies on day 35, before a stable disease could count (42
days), so its best response is PD. Patient 2 stays at 100 mm: SD at day 42.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest

from coley.errors import InvalidArgumentError
from coley.trial import load_trial, recist, run_trial
from coley.trial.endpoints import (
    ENDPOINTS,
    AbstractEndpoint,
    register_endpoint,
    register_outcome,
)
from coley.trial.outcomes import (
    OUTCOMES,
    AbstractOutcome,
    OutcomeContext,
    check_columns,
    patient_columns,
)

SMOKE = Path(__file__).with_name("smoke.toml")


def _context() -> OutcomeContext:
    spec = load_trial(SMOKE)
    scans = np.array([14.0, 28.0, 42.0])
    grid = np.array([0.0, 7.0, 14.0, 21.0, 28.0, 35.0, 42.0, 200.0])
    base = np.full(3, 100.0)
    sld = np.array([[60.0, 50.0, 50.0], [90.0, 120.0, np.nan], [100.0, 100.0, 100.0]])
    death = np.array([np.nan, 35.0, np.nan])
    a = recist.assess(scans, base, sld, lesions=1, death_day=death)
    burden = np.tile(np.linspace(1e9, 2e9, grid.size), (3, 1))
    return OutcomeContext(
        spec=spec, grid=grid, values=burden[:, :, None], state_names=("T",), burden=burden,
        scans=scans, scan_index=np.searchsorted(grid, scans), baseline_sld=base, sld=sld,
        assessment=a, death_day=death, last_scan_day=np.array([42.0, 28.0, 42.0]),
        toxicity_any_day=np.array([np.inf, 10.0, np.inf]),
        toxicity_g3_day=np.array([np.inf, 20.0, np.inf]), solver_status=np.zeros(3))


def test_built_in_columns_by_hand() -> None:
    c = patient_columns(_context(), OUTCOMES.values())
    assert list(c) == list(check_columns(OUTCOMES.values()))
    assert list(c["bor"]) == ["PR", "PD", "SD"]
    assert list(c["responder"]) == [True, False, False]
    assert c["best_change_pct"] == pytest.approx([-50.0, -10.0, 0.0], abs=1e-12)  # the nadir
    assert np.array_equal(c["response_day"], [14.0, np.nan, np.nan], equal_nan=True)
    assert np.array_equal(c["pd_day"], [np.inf, 28.0, np.inf])
    # PFS: the first of progression and death, else censored at the last scan
    assert np.array_equal(c["pfs_days"], [42.0, 28.0, 42.0])
    assert list(c["pfs_event"]) == [False, True, False]
    # OS: death, else censored at the end of follow-up (200 days)
    assert np.array_equal(c["os_days"], [200.0, 35.0, 200.0])
    assert list(c["os_event"]) == [False, True, False]
    # DoR: responders only, response to the PFS date (censored with it)
    assert np.array_equal(c["dor_days"], [28.0, np.nan, np.nan], equal_nan=True)
    assert list(c["dor_event"]) == [False, False, False]
    assert list(c["tox_grade"]) == [0, 3, 0]
    assert np.array_equal(c["baseline_cells"], [1e9] * 3)
    assert np.array_equal(c["last_scan_day"], [42.0, 28.0, 42.0])


def test_every_built_in_endpoint_reads_columns_the_table_has(tmp_path: Path) -> None:
    columns = check_columns(OUTCOMES.values(), ENDPOINTS.values())
    table = run_trial(SMOKE, tmp_path / "run", patients=16, report=False).patients
    # the outcome columns, in registry order, between the runner's own columns
    cols = list(table.columns)
    assert cols[cols.index("allocated") + 1: cols.index("treatment_stopped_day")] == \
        list(columns)
    for ep in ENDPOINTS.values():
        assert set(ep.requires) <= set(cols), ep.name


@dataclass(frozen=True)
class DeepResponseDay(AbstractEndpoint):
    """Fraction with a sum of diameters 50% or more below baseline at a scan; the first such
    scan day is the column."""

    name: str = "deep_response"
    provides: ClassVar[tuple[str, ...]] = ("deep_response_day",)
    requires: ClassVar[tuple[str, ...]] = ("deep_response_day",)

    def patient_columns(self, ctx: OutcomeContext) -> dict[str, np.ndarray]:
        deep = ctx.sld <= 0.5 * ctx.baseline_sld[:, None]
        return {"deep_response_day": np.where(deep.any(axis=1),
                                              ctx.scans[deep.argmax(axis=1)], np.nan)}

    def summarise(self, df: pd.DataFrame, w: np.ndarray, horizon: float) -> Any:
        return {"value": float(np.sum(w * df["deep_response_day"].notna()) / w.sum())}


@dataclass(frozen=True)
class Reads(AbstractOutcome):
    """An outcome providing ``column`` (zeros) and requiring ``needs``."""

    name: str
    column: str
    needs: tuple[str, ...] = ()
    reads: str | None = None

    @property
    def provides(self) -> tuple[str, ...]:
        return (self.column,)

    @property
    def requires(self) -> tuple[str, ...]:
        return self.needs

    def patient_columns(self, ctx: OutcomeContext) -> dict[str, np.ndarray]:
        if self.reads:
            _ = ctx.columns[self.reads]
        return {self.column: np.zeros(ctx.patients)}


@pytest.fixture
def registries() -> Iterator[None]:
    """Leave both registries as they were."""
    outcomes, endpoints = dict(OUTCOMES), dict(ENDPOINTS)
    try:
        yield
    finally:
        OUTCOMES.clear()
        OUTCOMES.update(outcomes)
        ENDPOINTS.clear()
        ENDPOINTS.update(endpoints)


def test_an_endpoint_brings_its_column_into_the_run(registries: None, tmp_path: Path) -> None:
    register_endpoint(DeepResponseDay())
    # in worker processes too: the registered outcomes travel with each chunk
    run = run_trial(SMOKE, tmp_path / "run", workers=2)
    p = run.patients
    assert list(p.columns).index("deep_response_day") == \
        list(p.columns).index("last_scan_day") + 1
    # the column is the first scan the scans table shows 50% or more below baseline
    scans = run.scans
    deep = scans[scans["change_pct"] <= -50].groupby(["arm", "patient"])["day"].min()
    ok = p[p["status"] == "ok"].set_index(["arm", "patient"])
    expected = deep.reindex(ok.index)
    assert expected.notna().sum() > 0
    assert np.array_equal(ok["deep_response_day"].to_numpy(), expected.to_numpy(),
                          equal_nan=True)
    # ... and the endpoint is in every arm's report, computed from it
    for arm in run.spec.arm_names():
        rows = p[(p["arm"] == arm) & p["allocated"] & (p["status"] == "ok")]
        assert run.report["arms"][arm]["deep_response"]["value"] == \
            pytest.approx(rows["deep_response_day"].notna().mean(), rel=1e-12)


def test_a_requirement_nobody_provides_is_refused(registries: None) -> None:
    before = (dict(OUTCOMES), dict(ENDPOINTS))

    @dataclass(frozen=True)
    class Needs(AbstractEndpoint):
        name: str = "needs_ttr"
        requires: ClassVar[tuple[str, ...]] = ("ttr_days",)

        def summarise(self, df: pd.DataFrame, w: np.ndarray, horizon: float) -> Any:
            return None

    with pytest.raises(InvalidArgumentError, match=r"endpoint 'needs_ttr' requires column "
                                                   r"'ttr_days', which no registered outcome"):
        register_endpoint(Needs())
    assert (dict(OUTCOMES), dict(ENDPOINTS)) == before
    # once an outcome provides it, the endpoint is accepted
    register_outcome(Reads("ttr", "ttr_days", needs=("pd_day",)))
    register_endpoint(Needs())
    assert "needs_ttr" in ENDPOINTS


def test_outcome_registration_is_checked(registries: None) -> None:
    with pytest.raises(InvalidArgumentError, match=r"outcome 'x' requires column 'later'"):
        register_outcome(Reads("x", "x_col", needs=("later",)))
    with pytest.raises(InvalidArgumentError, match=r"provides column 'bor', which outcome "
                                                   r"'recist' already provides"):
        register_outcome(Reads("x", "bor"))
    with pytest.raises(InvalidArgumentError, match="which the arm runner already provides"):
        register_outcome(Reads("x", "stopped_for"))
    with pytest.raises(InvalidArgumentError, match="built-in outcome"):
        register_outcome(Reads("recist", "x_col"))
    with pytest.raises(InvalidArgumentError, match="register_endpoint"):
        register_outcome(DeepResponseDay())
    register_outcome(Reads("x", "x_col"))
    with pytest.raises(InvalidArgumentError, match="already registered"):
        register_outcome(Reads("x", "x_col"))


def test_an_outcome_sees_only_what_it_requires() -> None:
    ctx = _context()
    built = list(OUTCOMES.values())
    assert patient_columns(ctx, [*built, Reads("x", "x_col", ("bor",), reads="bor")])
    with pytest.raises(InvalidArgumentError, match=r"reads column 'bor'.*does not require it"):
        patient_columns(ctx, [*built, Reads("x", "x_col", reads="bor")])

    @dataclass(frozen=True)
    class Wrong(AbstractOutcome):
        name: str = "wrong"
        provides: ClassVar[tuple[str, ...]] = ("a", "b")

        def patient_columns(self, ctx: OutcomeContext) -> dict[str, np.ndarray]:
            return {"a": np.zeros(ctx.patients), "b": np.zeros(ctx.patients + 1)}

    with pytest.raises(InvalidArgumentError, match=r"column 'b' has shape \(4,\)"):
        patient_columns(ctx, [Wrong()])


def test_resume_refuses_other_outcome_columns(registries: None, tmp_path: Path) -> None:
    out = tmp_path / "run"
    run_trial(SMOKE, out, patients=16, report=False)
    register_outcome(Reads("x", "x_col"))
    with pytest.raises(InvalidArgumentError, match=r"differs in outcome_columns"):
        run_trial(SMOKE, out, patients=16, resume=True, report=False)

"""Schedules and regimens: dose days of the protocols users write, and the errors."""

from __future__ import annotations

import pytest

import coley
from coley.treat import At, Cycles, Dose, Every, InfusionRoute, Phase, Regimen, StopRules


def test_every_three_weeks_for_two_years() -> None:
    # Pembrolizumab q3w "for up to 2 years": days 0, 21, ..., 714 (35 doses).
    days = Every(21, until=730).times()
    assert days[0] == 0 and days[-1] == 714 and len(days) == 35


def test_days_1_8_15_every_28_days() -> None:
    # Protocol days are 1-based: days 1, 8, 15 of each 28-day cycle are days 0, 7, 14, 28, ...
    assert Cycles((1, 8, 15), 28, cycles=2).times() == [0, 7, 14, 28, 35, 42]
    assert Cycles((1,), 21, until=50).times() == [0, 21, 42]


def test_loading_then_maintenance_and_stop_after() -> None:
    # Trastuzumab: 8 mg/kg loading, then 6 mg/kg every 3 weeks; stopped after day 100.
    reg = Regimen("trastuzumab", phases=(
        Phase(Dose(8, "mg/kg"), At((0,))),
        Phase(Dose(6, "mg/kg"), Every(21, start=21, until=365)),
    ), stop=StopRules(after_days=100))
    events = reg.dose_events({"weight": 50.0}, 1, horizon=365)
    assert [e.time for e in events] == [0, 21, 42, 63, 84]
    assert [float(e.amount[0]) for e in events] == [400, 300, 300, 300, 300]


def test_dose_after_the_horizon_is_an_error() -> None:
    reg = Regimen("pembrolizumab", Dose(200, "mg"), Every(21, until=400))
    with pytest.raises(coley.InvalidArgumentError, match=r"day 378 is after the end of the "
                       r"simulation \(365 d\)"):
        reg.dose_events(None, 1, horizon=365)


def test_overlapping_infusions_are_an_error() -> None:
    reg = Regimen("il2", Dose(600_000, "IU/kg"), Every(1 / 24, count=3), route=InfusionRoute(2))
    with pytest.raises(coley.InvalidArgumentError, match="infusions overlap"):
        reg.dose_events({"weight": 70.0}, 1, horizon=10)


@pytest.mark.parametrize(("build", "message"), [
    (lambda: Every(0, count=3), "interval must be a positive number"),
    (lambda: Every(21), "give count .* or until"),
    (lambda: Cycles((0, 8), 28, cycles=1), "outside the cycle 1..28"),
    (lambda: Regimen("pembrolizumab", Dose(200, "mg")), "give both dose and schedule"),
    (lambda: Regimen("pembrolizumab"), "no dose"),
    (lambda: Regimen("pembrolizumab", Dose(200, "mg"), At((0,)), route="oral"), "route must be"),
    (lambda: StopRules(max_toxicity_grade=7), "CTCAE"),
])
def test_invalid_specs_name_the_problem(build: object, message: str) -> None:
    with pytest.raises(coley.InvalidArgumentError, match=message):
        build()  # type: ignore[operator]

"""Barros et al. 2021 (CARTmath, HDLM-2) against the numbers in the validation note.

Source of every expected number: shared/research/models-validation.md §6b ("the note"): the
HDLM-2 parameters and events of BioModels BIOMD0000001019 and the [D] trajectory table; the
rechallenge rejection is the paper's key qualitative result (note §6b). The protocol is the
file's two events, given here as a schedule: both are assignments (``Ct = 2e6`` at day 45,
``T = 1e6`` at day 250), hence ``op="set"``.
"""

from __future__ import annotations

import math

import pytest

import coley
from coley.library import barros2021
from tests.helpers import assert_published

# note §6b "HDLM-2 parameters" as printed; the model carries the BioModels file's digits for
# rho, beta and gamma (0.05650026, 1.404029e-12, 3.715843e-6), which round to the printed ones.
PRINTED = {"phi": "0.265", "pi": "0.35", "epsilon": "0.15", "theta": "6e-6", "alpha": "4.5e-8",
           "mu": "0.005", "rho": "0.0565", "beta": "1.404e-12", "gamma": "3.716e-6"}

# note §6b "HDLM-2 events": CAR-T dose Ct = 2e6 at day 45, rechallenge T = 1e6 at day 250.
PROTOCOL = (coley.Jump("Ct", 45.0, 2.0e6, op="set"), coley.Jump("T", 250.0, 1.0e6, op="set"))
TIMES = [0.0, 45.0, 60.0, 100.0, 250.0, 300.0]


@pytest.fixture(scope="module")
def model() -> coley.Model:
    return barros2021.model()


@pytest.fixture(scope="module")
def protocol_run(model: coley.Model) -> coley.SimulationResult:
    # rtol = 1e-10: the integration error is far below the 4-5 printed digits of the note.
    return coley.simulate(model, saveat=TIMES, schedule=PROTOCOL,
                          solver=coley.Rodas4(rtol=1e-10, atol=1e-12))


def _at(result: coley.SimulationResult, state: str, day: float) -> float:
    return float(result[state][0, TIMES.index(day)])


def test_values_round_to_the_printed_ones(model: coley.Model) -> None:
    # note §6b parameter list: each value rounds to the printed digits.
    for name, printed in PRINTED.items():
        assert_published(model.parameter(name).value, printed, name)
    # note §6b: T(0) = 2e6 (and no CAR-T cells before the dose, the file's initial state).
    assert dict(zip(model.state_names, model.initial_values(), strict=True)) == {
        "Ct": 0.0, "Cm": 0.0, "T": 2.0e6}


def test_tumour_before_the_dose(model: coley.Model, protocol_run: coley.SimulationResult) -> None:
    # note §6b trajectory [D]: T(45) = 2.5422e7 (5 significant figures; half a unit, 2e-5
    # relative). Derived analytically as well: without CAR-T cells T is logistic,
    # T(t) = K/(1 + (K/T0 - 1) exp(-rho t)) with K = 1/beta; rtol = 1e-10 -> 1e-8 relative.
    got = _at(protocol_run, "T", 45.0)
    assert_published(got, "2.5422e7", "T(45 d)")
    rho, k = model.parameter("rho").value, 1.0 / model.parameter("beta").value
    assert got == pytest.approx(k / (1.0 + (k / 2.0e6 - 1.0) * math.exp(-rho * 45.0)), rel=1e-8)


def test_dose_sets_the_effectors(protocol_run: coley.SimulationResult) -> None:
    # note §6b event: Ct = 2e6 at day 45 (an assignment; before it Ct = 0, so no memory yet).
    assert _at(protocol_run, "Ct", 45.0) == 2.0e6
    assert _at(protocol_run, "Cm", 45.0) == pytest.approx(0.0, abs=1e-9)


def test_tumour_cleared_after_the_dose(protocol_run: coley.SimulationResult) -> None:
    # note §6b trajectory [D]: T(60) "about 0"; below one cell means cleared.
    assert protocol_run.status[0] == 0
    assert _at(protocol_run, "T", 60.0) < 1.0
    assert _at(protocol_run, "T", 100.0) < 1.0


@pytest.mark.parametrize(("day", "published"), [(60.0, "2.097e6"), (100.0, "2.476e6")])
def test_memory_cells(protocol_run: coley.SimulationResult, day: float, published: str) -> None:
    # note §6b trajectory [D]: Cm(60) = 2.097e6 and Cm(100) = 2.476e6 (4 significant figures:
    # half a unit, 2.4e-4 relative or less).
    assert_published(_at(protocol_run, "Cm", day), published, f"Cm({day:g} d)")


def test_rechallenge_is_rejected(protocol_run: coley.SimulationResult) -> None:
    # note §6b: the rechallenge T = 1e6 at day 250 is set, and T(300) is "about 0": memory
    # re-expands into effectors and rejects it (the paper's key result). Below one cell.
    assert _at(protocol_run, "T", 250.0) == 1.0e6
    assert _at(protocol_run, "T", 300.0) < 1.0
    assert _at(protocol_run, "Cm", 250.0) > 1.0e5  # a memory pool is there to respond


def test_rechallenge_grows_without_memory(model: coley.Model) -> None:
    # The rejection is memory-mediated: remove the memory cells the day before the rechallenge
    # (Jump Cm -> 0 at day 249) and the ~0.05 effector cells left cannot stop it. Derived
    # bound: with Ct ~ 0.05 the kill rate gamma*Ct ~ 2e-7/day is negligible next to rho, so T
    # grows towards 1e6*exp(rho*50) = 1.7e7; asserting > 1e6 (growth) leaves ample margin.
    schedule = (*PROTOCOL, coley.Jump("Cm", 249.0, 0.0, op="set"))
    result = coley.simulate(model, saveat=TIMES, schedule=schedule,
                            solver=coley.Rodas4(rtol=1e-10, atol=1e-12))
    assert result.status[0] == 0
    assert _at(result, "Ct", 250.0) < 0.1
    assert _at(result, "T", 300.0) > 1.0e6

"""Stein et al. 2019 (tisagenlecleucel kinetics) against the numbers in the validation note.

Source of every expected number: shared/research/models-validation.md §6c ("the note"): the
typical values of the paper's Table 1 [P] (FOLDX, Tmax, Cmax, alpha, FB, beta), the closed form
[P], and the derived [D] rho, R0 and half-lives. The ODE must reproduce the closed form.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import coley
from coley.library import stein2019
from tests.helpers import assert_published

# note §6c "Typical values [P]".
TYPICAL = {"FOLDX": 3900.0, "Tmax": 9.3, "Cmax": 24000.0, "alpha": 0.16, "FB": 0.0079,
           "beta": 0.0032}
TMAX = 9.3
# Output times on both sides of the switch at Tmax, out to the slow phase.
TIMES = [0.0, 1.0, 5.0, 9.0, TMAX, 9.6, 12.0, 30.0, 100.0, 365.0, 1000.0]
# Stop the integrator exactly at the switch with a no-op jump (the brief's device).
SWITCH = (coley.Jump("Xe", TMAX, 1.0, op="multiply"),)


@pytest.fixture(scope="module")
def model() -> coley.Model:
    return stein2019.model()


@pytest.fixture(scope="module")
def curve(model: coley.Model) -> np.ndarray:
    # rtol = 1e-10 on exponentials: the global error stays below ~1e-9 relative (checked below
    # to 1e-8). rtol = 1e-12 with a stop at Tmax is not used: see docs/validation.md.
    result = coley.simulate(model, saveat=TIMES, schedule=SWITCH,
                            solver=coley.Rodas4(rtol=1e-10, atol=1e-12))
    assert result.status[0] == 0
    return np.asarray(result["Xe"][0] + result["Xm"][0])


def test_typical_values_are_table_1(model: coley.Model) -> None:
    # note §6c typical values [P], exactly as printed.
    assert {p.name: p.value for p in model.parameters} == TYPICAL


def test_initial_state_splits_the_baseline(model: coley.Model) -> None:
    # note §6c closed form: X(0) = R0 = Cmax/FOLDX; coley's split Xe(0) = (1 - FB) R0,
    # Xm(0) = FB R0 (module docstring) sums to it. Exact up to round-off.
    xe, xm = model.initial_values()
    r0 = TYPICAL["Cmax"] / TYPICAL["FOLDX"]
    assert xe + xm == pytest.approx(r0, rel=1e-15)
    assert xm / (xe + xm) == pytest.approx(TYPICAL["FB"], rel=1e-12)
    assert stein2019.initial_state() == pytest.approx({"Xe": xe, "Xm": xm}, rel=1e-15)


@pytest.mark.parametrize(("name", "published"), [("rho", "0.8891"), ("R0", "6.15"),
                                                 ("fast half-life", "4.33"),
                                                 ("slow half-life", "216.6"),
                                                 ("doubling time", "0.780")])
def test_derived_quantities(name: str, published: str) -> None:
    # note §6c derived [D]: rho = ln(FOLDX)/Tmax = 0.8891/day (doubling time ln2/rho = 0.780 d),
    # R0 = Cmax/FOLDX = 6.15 copies/ug, half-lives ln2/alpha = 4.33 d and ln2/beta = 216.6 d;
    # each computed value must round to the printed one.
    rho = math.log(TYPICAL["FOLDX"]) / TYPICAL["Tmax"]
    values = {"rho": rho, "R0": TYPICAL["Cmax"] / TYPICAL["FOLDX"],
              "fast half-life": math.log(2) / TYPICAL["alpha"],
              "slow half-life": math.log(2) / TYPICAL["beta"],
              "doubling time": math.log(2) / rho}
    assert_published(values[name], published, name)


def test_simulated_curve_equals_the_closed_form(curve: np.ndarray) -> None:
    # note §6c closed form [P], on both sides of Tmax; 1e-8 relative (rtol = 1e-10).
    np.testing.assert_allclose(curve, stein2019.closed_form(np.array(TIMES)), rtol=1e-8)


def test_peak_is_cmax_at_tmax(curve: np.ndarray) -> None:
    # note §6c [P]: the maximum, Cmax = 24000 copies/ug, is reached at Tmax = 9.3 days: the
    # curve rises up to Tmax and falls after it. 1e-8 relative as above.
    i = TIMES.index(TMAX)
    assert curve[i] == pytest.approx(TYPICAL["Cmax"], rel=1e-8)
    assert np.argmax(curve) == i
    assert np.all(np.diff(curve[: i + 1]) > 0) and np.all(np.diff(curve[i:]) < 0)


def test_fold_expansion(curve: np.ndarray) -> None:
    # note §6c [P]: FOLDX = X(Tmax)/X(0) = 3900-fold expansion; 1e-8 relative as above.
    assert curve[TIMES.index(TMAX)] / curve[0] == pytest.approx(TYPICAL["FOLDX"], rel=1e-8)


def test_biphasic_decline_rates(curve: np.ndarray) -> None:
    # note §6c [P]: after Tmax the fast phase declines at alpha and the slow one at beta. By
    # day 1000 the fast term is exp(-0.16*990.7) ~ 1e-69 of the slow one, so the slope of
    # ln X between days 365 and 1000 is -beta to round-off (1e-6 relative covers rtol 1e-10).
    slope = (math.log(curve[-1]) - math.log(curve[-2])) / (1000.0 - 365.0)
    assert slope == pytest.approx(-TYPICAL["beta"], rel=1e-6)


def test_changed_values_need_a_matching_initial_state(model: coley.Model) -> None:
    # The initial state follows from Cmax, FOLDX and FB (module docstring): with a different
    # FOLDX and the matching initial state from initial_state(), the ODE still gives the closed
    # form (derived: X(t) = R0 exp(rho t) with the new R0 and rho). 1e-8 relative as above.
    values = {"FOLDX": 1000.0, **stein2019.initial_state(FOLDX=1000.0)}
    result = coley.simulate(model, values, saveat=TIMES, schedule=SWITCH,
                            solver=coley.Rodas4(rtol=1e-10, atol=1e-12))
    got = result["Xe"][0] + result["Xm"][0]
    np.testing.assert_allclose(got, stein2019.closed_form(np.array(TIMES), FOLDX=1000.0),
                               rtol=1e-8)

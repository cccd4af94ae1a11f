"""de Pillis, Radunskaya & Wiseman 2005 against the numbers in the validation note.

Source of every expected number: shared/research/models-validation.md §3a ("the note"): the mouse
parameter tables [P via re-implementation; nn = BioModels MODEL1907260001] and the nn-variant
trajectory [D] (SBML, T0 = 100, N0 = 1e3, L0 = 0).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import coley
from coley.library import depillis2005
from tests.helpers import assert_published

# note §3a "Shared by all variants".
SHARED = {"a": 0.514, "b": 1.02e-9, "sigma": 1.3e4, "f": 0.0412, "h": 2.02e7, "p": 1.0e-7,
          "m": 0.02, "k": 2.02e7, "q": 3.42e-10, "r": 1.1e-7}
# note §3a "Variant-specific" table: c, g, d, lambda, s, j.
VARIANT_SPECIFIC = {
    "nn": {"c": 3.23e-7, "g": 0.025, "d": 1.43, "lam": 0.58, "s": 2.73, "j": 0.0375},
    "nl": {"c": 3.23e-7, "g": 0.025, "d": 3.6, "lam": 0.46, "s": 1.61, "j": 0.0375},
    "ln": {"c": 3.5e-6, "g": 0.2, "d": 3.51, "lam": 0.90, "s": 5.07, "j": 0.113},
    "ll": {"c": 3.5e-6, "g": 0.2, "d": 7.17, "lam": 0.75, "s": 0.40, "j": 0.30},
}

# note §3a "Checkable [D] (SBML nn variant, T0 = 100, N0 = 1e3, L0 = 0)".
TIMES = [0.0, 5.0, 10.0, 20.0, 35.0]
NN_TRAJECTORY = {
    "T": ["1138.43", "10402.2", "5.10416e5", "2.34189e8"],
    "N": ["59623.7", "111655", "191187", "564.01"],
    "L": ["9.82", "223.2", "27517.3", "422531"],
}


@pytest.fixture(scope="module")
def nn() -> coley.Model:
    return depillis2005.model()


@pytest.mark.parametrize("variant", sorted(VARIANT_SPECIFIC))
def test_mouse_variants_carry_published_values(variant: str) -> None:
    # note §3a parameter tables: every value exactly as printed there.
    m = depillis2005.model(variant)
    values = {p.name: p.value for p in m.parameters}
    for name, published in {**SHARED, **VARIANT_SPECIFIC[variant]}.items():
        assert values[name] == published, name
    assert variant in m.title


def test_default_initial_state_is_the_sbml_one(nn: coley.Model) -> None:
    # note §3a trajectory header: T0 = 100, N0 = 1e3, L0 = 0 (the SBML's initial state).
    assert dict(zip(nn.state_names, nn.initial_values(), strict=True)) == {
        "T": 100.0, "N": 1.0e3, "L": 0.0}


def test_unknown_variant_names_the_valid_ones() -> None:
    with pytest.raises(coley.UnknownNameError, match="variant 'xx'") as direct:
        depillis2005.model("xx")
    with pytest.raises(coley.InvalidArgumentError, match="variant") as via_library:
        coley.library.get("depillis2005", variant="xx")
    for message in (str(direct.value), str(via_library.value)):
        assert "'xx'" in message
        for valid in VARIANT_SPECIFIC:
            assert valid in message


def test_nn_trajectory_matches_published_table(nn: coley.Model) -> None:
    # note §3a checkable trajectory [D], printed to 3-6 significant figures: each value must
    # round to the printed one (half a unit in the last digit). rtol = 1e-10 keeps the
    # integration error orders of magnitude below that, including N(35) = 564.01 after the
    # NK collapse.
    result = coley.simulate(nn, saveat=TIMES, solver=coley.Rodas4(rtol=1e-10, atol=1e-6))
    assert result.status[0] == 0
    for state, column in NN_TRAJECTORY.items():
        for t, got, published in zip(TIMES[1:], result[state][0, 1:], column, strict=True):
            assert_published(got, published, f"{state}({t:g} d)")


def test_tumour_free_nk_level(nn: coley.Model) -> None:
    # note §3a: "Tumour-free N* = sigma/f = 3.1553e5 [D]".
    assert_published(nn.parameter("sigma").value / nn.parameter("f").value, "3.1553e5", "N*")


def test_tumour_free_dynamics_relax_to_nk_level(nn: coley.Model) -> None:
    # Derived analytically: with T = 0 the kill term vanishes, dN/dt = sigma - f*N and
    # dL/dt = -m*L, so N(t) = N* + (N0 - N*) exp(-f t) with N* = sigma/f and L = L0 exp(-m t).
    # rtol = 1e-10 on a linear decay: 1e-8 relative is a safe bound on the global error.
    sigma, f, m = SHARED["sigma"], SHARED["f"], SHARED["m"]
    times = np.array([0.0, 10.0, 50.0, 200.0])
    result = coley.simulate(nn, {"T": 0.0, "L": 10.0}, saveat=times,
                            solver=coley.Rodas4(rtol=1e-10, atol=1e-8))
    assert result.status[0] == 0
    n_star = sigma / f
    np.testing.assert_allclose(result["N"][0], n_star + (1e3 - n_star) * np.exp(-f * times),
                               rtol=1e-8)
    np.testing.assert_allclose(result["L"][0], 10.0 * np.exp(-m * times), rtol=1e-8)
    assert np.all(result["T"][0] == 0.0)


def test_tumour_free_equilibrium_is_found(nn: coley.Model) -> None:
    # note §3a: N* = sigma/f = 3.1553e5 with T = L = 0 is an equilibrium [D].
    free = [e for e in coley.equilibria(nn) if e.state["T"] == 0 and e.state["L"] == 0]
    assert len(free) == 1
    assert_published(free[0].state["N"], "3.1553e5", "N*")
    assert free[0].state["N"] == pytest.approx(SHARED["sigma"] / SHARED["f"], rel=1e-12)


def test_tumour_free_without_cd8_cells_simulates(nn: coley.Model) -> None:
    # Derived analytically: with T = L = 0 only dN/dt = sigma - f*N remains (see above).
    times = np.array([0.0, 50.0])
    result = coley.simulate(nn, {"T": 0.0}, saveat=times, solver=coley.Rodas4(rtol=1e-10))
    assert result.status[0] == 0
    n_star = SHARED["sigma"] / SHARED["f"]
    expected = n_star + (1e3 - n_star) * math.exp(-SHARED["f"] * 50.0)
    assert result.final("N")[0] == pytest.approx(expected, rel=1e-8)

"""Tumour-size models: every ODE equals its closed form; the closed forms meet their identities.

The expected values are analytic: each closed form solves its ODE (checked by integrating the
ODE with coley's solver), and the forms reduce to one another in the limits their equations
give (general Bertalanffy with lam = 2/3 is the classical one; the resistant-fraction Stein-Fojo
with phi -> 1 is exponential growth at g; Claret-Bruno with KD = 0 is exponential at KL).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import coley
from coley.library import tumour_size as tg
from coley.solve.solvers import Rodas4

TIMES = np.array([0.0, 20.0, 60.0, 150.0, 300.0])


def _patients(form: tg.GrowthForm, n: int = 3) -> dict[str, np.ndarray]:
    """n parameter sets: the defaults scaled by 0.5, 1 and 1.7 (phi and lam kept below 1)."""
    scale = np.array([0.5, 1.0, 1.7])[:n]
    out = {}
    for p in form.parameters:
        v = p.default * scale
        out[p.name] = np.minimum(v, 0.9) if p.name in ("phi", "lam") else v
    return out


@pytest.mark.parametrize("name", list(tg.FORMS))
def test_ode_equals_closed_form(name: str) -> None:
    form = tg.growth_form(name)
    model = coley.library.get("tumour_size", form=name)
    values = _patients(form)
    given = dict(values)
    v0 = given.pop("V0")
    if name == "stein_fojo" or name == "general_stein_fojo":
        given["V0"] = v0  # a parameter; the states follow by initial assignment
    else:
        given["V"] = v0
    result = coley.simulate(model, pd.DataFrame(given), saveat=TIMES,
                            solver=Rodas4(rtol=1e-10, atol=1e-10))
    assert result.ok.all()
    volume = sum(result[s] for s in model.burden_states)
    exact = tg.closed_form(name, TIMES[None, :], **{k: v[:, None] for k, v in values.items()})
    np.testing.assert_allclose(volume, exact, rtol=1e-7)


def test_limits_connect_the_forms() -> None:
    t = np.linspace(0.0, 400.0, 41)
    np.testing.assert_allclose(
        tg.closed_form("general_bertalanffy", t, V0=500.0, a=2.0, b=0.02, lam=2 / 3),
        tg.closed_form("bertalanffy", t, V0=500.0, a=2.0, b=0.02), rtol=1e-12)
    np.testing.assert_allclose(
        tg.closed_form("general_stein_fojo", t, V0=500.0, d=0.1, g=0.004, phi=1.0),
        tg.closed_form("exponential", t, V0=500.0, kg=0.004), rtol=1e-12)
    np.testing.assert_allclose(
        tg.closed_form("claret_bruno", t, V0=500.0, KL=0.004, KD=0.0, lam=0.05),
        tg.closed_form("exponential", t, V0=500.0, kg=0.004), rtol=1e-12)
    # Stein-Fojo with g -> 0 is pure exponential regression
    np.testing.assert_allclose(tg.closed_form("stein_fojo", t, V0=500.0, d=0.03, g=1e-15),
                               500.0 * np.exp(-0.03 * t), rtol=0, atol=1e-9)


def test_capacity_and_equilibria() -> None:
    # logistic and Gompertz tend to K; Bertalanffy to (a/b)^(1/(1-lam)) (dV/dt = 0)
    t = np.array([1e5])
    assert tg.closed_form("logistic", t, V0=10.0, kg=0.05, K=3e4)[0] == pytest.approx(3e4)
    assert tg.closed_form("gompertz", t, V0=10.0, kg=0.05, K=3e4)[0] == pytest.approx(3e4)
    assert tg.closed_form("general_bertalanffy", t, V0=10.0, a=1.0, b=0.01, lam=0.5)[0] == \
        pytest.approx((1.0 / 0.01) ** 2)
    # Claret-Bruno: the nadir is where KL = KD*exp(-lam*t), t* = log(KD/KL)/lam
    KL, KD, lam = 0.005, 0.03, 0.02
    t_star = np.log(KD / KL) / lam
    grid = np.linspace(0, 300, 30001)
    v = tg.closed_form("claret_bruno", grid, V0=1.0, KL=KL, KD=KD, lam=lam)
    assert grid[np.argmin(v)] == pytest.approx(t_star, abs=0.02)


def test_unknown_form_and_parameter_are_named() -> None:
    with pytest.raises(coley.UnknownNameError, match=r"gompertzz.*Did you mean 'gompertz'"):
        tg.closed_form("gompertzz", 1.0)
    with pytest.raises(coley.UnknownNameError, match=r"kgg.*Did you mean 'kg'"):
        tg.closed_form("exponential", 1.0, kgg=0.1)
    with pytest.raises(coley.InvalidArgumentError, match=r"option 'form'.*must be one of"):
        coley.library.get("tumour_size", form="gomperz")

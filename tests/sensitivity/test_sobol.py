"""Sobol indices against exact values: the Ishigami function and a linear ODE."""

from __future__ import annotations

import numpy as np
import pytest

import coley
import coley.sensitivity as cs
from coley import InvalidArgumentError, Model, SimulationError
from tests.sensitivity.ishigami import S1_EXACT, ST_EXACT


def test_ishigami_first_and_total_indices(ishigami: tuple) -> None:
    """S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437) (Saltelli et al. 2008, Sobol'
    & Levitan 1999; derived in conftest). Each estimate is within twice its bootstrap 95%
    half-width (about four standard errors) of the exact value, at n = 4096 (20,480 runs)."""
    inputs, output = ishigami
    res = cs.analyse(inputs, output, cs.SobolIndices(n=4096), seed=1)
    ind = res.indices.sel(output="y")
    assert res.n_runs == 4096 * 5
    for key, exact in (("S1", S1_EXACT), ("ST", ST_EXACT)):
        est, conf = ind[key].values, ind[f"{key}_conf"].values
        assert np.all(conf < 0.06), conf
        assert np.all(np.abs(est - exact) <= 2 * conf), (key, est, exact, conf)
    assert res.ranking("ST", output="y") == ("x1", "x2", "x3")
    # the convergence check: the estimates from n = 2048 and 4096 differ by little
    assert set(res.convergence) == {"S1", "ST"}
    assert 0 < max(res.convergence.values()) < 0.05, res.convergence


def test_ishigami_second_order(ishigami: tuple) -> None:
    """The only interaction is x1-x3: S13 = ST1 - S1_1 = 0.2437, S12 = S23 = 0 (conftest)."""
    inputs, output = ishigami
    res = cs.analyse(inputs, output, cs.SobolIndices(n=1024, second_order=True), seed=2)
    s2 = res.indices["S2"].sel(output="y")
    conf = res.indices["S2_conf"].sel(output="y")
    assert s2.dims == ("input", "input_2")
    assert res.n_runs == 1024 * 8
    exact = {("x1", "x2"): 0.0, ("x1", "x3"): ST_EXACT[0] - S1_EXACT[0], ("x2", "x3"): 0.0}
    for (i, j), value in exact.items():
        est = float(s2.sel(input=i, input_2=j))
        assert abs(est - value) <= 2 * float(conf.sel(input=i, input_2=j)), (i, j, est)


def test_linear_ode_indices_over_time(linear: Model) -> None:
    """dx/dt = b1 with x(0) = x0, so x(t) = x0 + b1 t. With x0 ~ U(0, 2) and b1 ~ U(0, 1)
    independent, Var x(t) = 4/12 + t²/12 and the model is additive, so
    S1(b1) = ST(b1) = t² / (4 + t²) and S1(x0) = ST(x0) = 4 / (4 + t²):
    0.2, 0.5, 0.8 for b1 at t = 1, 2, 4 days. Run through coley.simulate (one batched call);
    the estimates agree within twice their bootstrap half-widths."""
    model = linear.with_values(a11=0.0)
    times = (1.0, 2.0, 4.0)
    output = cs.ModelOutput(model, ("x",), times, solver=coley.Dopri5(rtol=1e-8, atol=1e-10))
    inputs = cs.Inputs.of({"b1": (0.0, 1.0), "x": (0.0, 2.0)})
    res = cs.analyse(inputs, output, cs.SobolIndices(n=1024), seed=3)
    assert res.indices["S1"].dims == ("input", "output", "time")
    t = np.asarray(times)
    exact = {"b1": t ** 2 / (4 + t ** 2), "x": 4 / (4 + t ** 2)}
    for name, value in exact.items():
        for key in ("S1", "ST"):
            est = res.indices[key].sel(input=name, output="x").values
            conf = res.indices[f"{key}_conf"].sel(input=name, output="x").values
            assert np.all(np.abs(est - value) <= 2 * conf), (name, key, est, value, conf)
    # the outputs are the closed form at every run
    x0 = res.samples.sel(input="x").values[:, None]
    b1 = res.samples.sel(input="b1").values[:, None]
    np.testing.assert_allclose(res.outputs.sel(output="x").values, x0 + b1 * t, rtol=1e-7,
                               atol=1e-9)


def test_n_must_be_a_power_of_two() -> None:
    with pytest.raises(InvalidArgumentError, match=r"n must be a power of 2.*1000.*1024 or 512"):
        cs.SobolIndices(n=1000)


def test_failed_runs_are_refused(logistic: Model) -> None:
    """r < 0 and T0 > K blow up at t* = ln(T0 / (T0 - K)) / (-r) (tests/conftest.py), before
    day 20 for most of these runs: Sobol cannot use NaN outputs, so it refuses, saying how many
    runs failed."""
    inputs = cs.Inputs.of({"r": (-1.0, -0.5), "T": (0.5e6, 2e6)})
    output = cs.ModelOutput(logistic, ("T",), (20.0,))
    with pytest.raises(SimulationError, match=r"SobolIndices: \d+ of 32 runs failed.*PRCC"):
        cs.analyse(inputs, output, cs.SobolIndices(n=8), seed=0)


def test_kuznetsov_first_order_indices_are_the_linear_ones(kuznetsov: Model) -> None:
    """Within ±5% of the published values T(2000 d) responds almost linearly,
    ΔT/T ≈ Σ e_i Δp_i/p_i with e_i the elasticities, and every Δp_i/p_i is uniform with the
    same variance, so S1_i ≈ ST_i ≈ e_i² / Σ_j e_j². The elasticities come from central
    differences of single coley.simulate runs; each estimate is within twice its bootstrap
    half-width (plus 0.01 for the curvature the linearisation ignores)."""
    grid = [0.0, 2000.0]
    base = coley.simulate(kuznetsov, saveat=grid).final("T")[0]
    e = {}
    for p in kuznetsov.parameters:
        up = coley.simulate(kuznetsov, {p.name: 1.01 * p.value}, saveat=grid).final("T")[0]
        down = coley.simulate(kuznetsov, {p.name: 0.99 * p.value}, saveat=grid).final("T")[0]
        e[p.name] = (up - down) / (0.02 * base)
    total = sum(v * v for v in e.values())
    inputs = cs.Inputs.of({p.name: (0.95 * p.value, 1.05 * p.value)
                           for p in kuznetsov.parameters})
    res = cs.analyse(inputs, cs.ModelOutput(kuznetsov, ("T",), (2000.0,)),
                     cs.SobolIndices(n=256), seed=0)
    at = res.indices.sel(output="T", time=2000.0)
    for name, v in e.items():
        linear = v * v / total
        for key in ("S1", "ST"):
            est = float(at[key].sel(input=name))
            conf = float(at[f"{key}_conf"].sel(input=name))
            assert abs(est - linear) <= 2 * conf + 0.01, (name, key, est, linear, conf)
    assert res.ranking("ST", output="T", time=2000.0)[:3] == ("d", "p", "g")

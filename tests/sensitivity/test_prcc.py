"""LHS-PRCC (Marino et al. 2008, J Theor Biol 254:178): the estimator, and its signs and
ranking on Kuznetsov et al. 1994 against finite-difference derivatives."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import coley
import coley.sensitivity as cs
from coley import Model

TIMES = (100.0, 500.0, 1000.0, 2000.0)
LATE = 2000.0  # days: the default trajectory has settled at the dormant focus (T = 8.19e6)


def _partial_from_precision(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Partial rank correlations from the inverse of the rank correlation matrix:
    r_iy.rest = -P_iy / sqrt(P_ii P_yy) (e.g. Whittaker 1990, Graphical Models, ch. 5), a
    computation independent of the residual regressions of the estimator."""
    ranks = stats.rankdata(np.column_stack([x, y]), axis=0)
    p = np.linalg.inv(np.corrcoef(ranks, rowvar=False))
    k = x.shape[1]
    return -p[:k, k] / np.sqrt(np.diag(p)[:k] * p[k, k])


def test_prcc_equals_the_partial_correlation_of_ranks() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(200, 4))
    y = np.exp(x[:, 0]) - 3 * x[:, 1] ** 3 + 0.2 * rng.normal(size=200)
    r, p = cs.prcc(x, y)
    assert r.shape == p.shape == (4, 1)
    np.testing.assert_allclose(r[:, 0], _partial_from_precision(x, y), atol=1e-12)
    assert r[0, 0] > 0.5 and r[1, 0] < -0.5 and np.all(p[:2] < 1e-10)
    assert np.all(p[2:] > 1e-3)  # x3, x4 do not enter y


def test_one_input_is_spearman() -> None:
    """With no other input to discount (p = 0), the PRCC is Spearman's rho and the t test
    with N - 2 degrees of freedom is scipy's spearmanr p-value."""
    rng = np.random.default_rng(1)
    x = rng.uniform(size=(50, 1))
    y = x[:, 0] + rng.normal(scale=0.5, size=50)
    r, p = cs.prcc(x, y)
    rho, p_ref = stats.spearmanr(x[:, 0], y)
    assert r[0, 0] == pytest.approx(rho, abs=1e-12)
    assert p[0, 0] == pytest.approx(p_ref, rel=1e-9)


def test_constant_output_has_no_prcc() -> None:
    x = np.random.default_rng(2).uniform(size=(20, 2))
    r, p = cs.prcc(x, np.column_stack([x[:, 0], np.ones(20)]))
    assert np.all(np.isfinite(r[:, 0])) and np.all(np.isnan(r[:, 1])) and np.all(np.isnan(p[:, 1]))


@pytest.fixture(scope="module")
def kuznetsov_prcc(kuznetsov: Model) -> cs.SensitivityResult:
    """Every parameter within ±5% of its published value (uniform), 256 runs. Within ±5% no
    run escapes to the large tumour (T stays within 6.5e6..1.0e7 at day 2000); at ±10% about
    1% of runs cross the separatrix and escape (T near 5e8)."""
    inputs = cs.Inputs.of({p.name: (0.95 * p.value, 1.05 * p.value) for p in kuznetsov.parameters})
    return cs.analyse(inputs, cs.ModelOutput(kuznetsov, ("T", "E"), TIMES), cs.PRCC(n=256),
                      seed=0)


def _elasticities(model: Model) -> dict[str, float]:
    """d ln T(LATE) / d ln p by central differences (±1%) of single coley.simulate runs."""
    grid = [0.0, LATE]
    base = coley.simulate(model, saveat=grid).final("T")[0]
    out = {}
    for p in model.parameters:
        up = coley.simulate(model, {p.name: 1.01 * p.value}, saveat=grid).final("T")[0]
        down = coley.simulate(model, {p.name: 0.99 * p.value}, saveat=grid).final("T")[0]
        out[p.name] = (up - down) / (0.02 * base)
    return out


def test_kuznetsov_signs_and_ranking(kuznetsov: Model,
                                     kuznetsov_prcc: cs.SensitivityResult) -> None:
    """The sign of each PRCC of T at day 2000 is the sign of dT/dp (every parameter with a
    non-negligible effect, |elasticity| > 0.05, has p < 0.01), and the ranking by |PRCC|
    follows the ranking by |elasticity|: all ranges are ±5%, so for a locally linear response
    Y = Σ β_j x_j + ε the PRCC of x_i is β_i σ_i / sqrt(β_i² σ_i² + σ_ε²), increasing in
    |β_i σ_i| ∝ |elasticity_i|. Pairs whose elasticities are within 10% (s, n and a: all
    ≈ 0.35 at the focus) are not ordered."""
    el = _elasticities(kuznetsov)
    at = kuznetsov_prcc.indices.sel(output="T", time=LATE)
    r = {name: float(at["prcc"].sel(input=name)) for name in el}
    p = {name: float(at["p_value"].sel(input=name)) for name in el}
    strong = [name for name in el if abs(el[name]) > 0.05]
    assert len(strong) == 7, el  # all but b (inverse carrying capacity: T* << 1/b)
    for name in strong:
        assert np.sign(r[name]) == np.sign(el[name]), (name, r[name], el[name])
        assert p[name] < 0.01, (name, p[name])
    for i in el:
        for j in el:
            if abs(el[i]) > 1.1 * abs(el[j]):
                assert abs(r[i]) > abs(r[j]), (i, j, r[i], r[j], el[i], el[j])
    assert kuznetsov_prcc.ranking("prcc", output="T", time=LATE)[:3] == ("d", "p", "g")
    assert not kuznetsov_prcc.failed.size
    assert float(kuznetsov_prcc.outputs.sel(output="T", time=LATE).max()) < 2e7  # no escape


def test_time_resolved_prcc(kuznetsov_prcc: cs.SensitivityResult) -> None:
    """One PRCC (with p-value and bootstrap interval) per input, output and output time."""
    ind = kuznetsov_prcc.indices
    for key in ("prcc", "p_value", "prcc_low", "prcc_high"):
        assert ind[key].dims == ("input", "output", "time")
        assert ind[key].shape == (8, 2, len(TIMES))
    np.testing.assert_array_equal(ind["time"].values, TIMES)
    assert np.all(np.isfinite(ind["prcc"].values))
    assert np.all((ind["prcc_low"] <= ind["prcc"]) & (ind["prcc"] <= ind["prcc_high"]))
    assert kuznetsov_prcc.outputs.shape == (256, 2, len(TIMES))
    assert set(kuznetsov_prcc.convergence) == {"prcc"}
    assert kuznetsov_prcc.convergence["prcc"] < 0.3


def test_failed_runs_are_recorded_and_left_out(logistic: Model) -> None:
    """r < 0 and T0 > K blow up before day 20 (tests/conftest.py): those runs are recorded
    with their status and reason, the warning counts them, and the PRCC uses the rest."""
    inputs = cs.Inputs.of({"r": (-1.0, -0.5), "T": (0.5e6, 2e6), "K": (0.9e6, 1.1e6)})
    output = cs.ModelOutput(logistic, ("T",), (20.0,))
    with pytest.warns(RuntimeWarning, match=r"(\d+) of 64 runs failed and were left out"):
        res = cs.analyse(inputs, output, cs.PRCC(n=64), seed=0)
    failed = res.failed
    assert 0 < failed.size < 64
    t0 = res.samples.sel(input="T").values
    k = res.samples.sel(input="K").values
    assert np.all(t0[failed] > k[failed])  # only runs that start above K can blow up
    assert all(res.reasons[i] for i in failed) and not any(res.reasons[i] for i in
                                                           np.flatnonzero(res.status >= 0))
    assert res.indices.attrs["failed"] == failed.size
    assert np.all(np.isfinite(res.indices["prcc"].values))

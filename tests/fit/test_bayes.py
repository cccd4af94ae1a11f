"""Posterior sampling (emcee) of a problem whose posterior is known exactly.

Exponential growth observed on the log scale with normal noise of known sd is linear in
(r, log10 T0); with the flat prior on the estimation scale (no prior given) the posterior is
the normal distribution N(beta_hat, sd^2 (X'X)^-1) (X = [t, ln 10]), up to the bounds, which
lie more than 10 standard deviations away (Gelman et al., Bayesian Data Analysis, 3rd ed.,
section 14.2).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import coley
from coley.errors import InvalidArgumentError
from coley.fit import Experiment, FitParameter, FitProblem, Observable, fit

pytest.importorskip("emcee")
pytest.importorskip("arviz")

from coley.fit.bayes import sample

DAYS = np.array([1.0, 3, 5, 8, 11, 14, 17, 20])
SD = 0.1


def _problem() -> FitProblem:
    model = coley.Model(
        name="growth_bayes", title="exponential growth",
        citation=coley.Citation("analytic test model"),
        states=(coley.State("T", 1e6, "cells", "tumour cells", "test value"),),
        parameters=(coley.Parameter("r", 0.2, "1/day", "growth rate", "test value"),),
        equations={"T": "r*T"})
    y = 1e6 * np.exp(0.2 * DAYS + SD * np.random.default_rng(2).standard_normal(DAYS.size))
    data = pd.DataFrame({"experiment": "e", "observable": "tumour", "time": DAYS, "value": y})
    return FitProblem(model, (Experiment("e", {"T": "T0"}),),
                      (Observable("tumour", "T", noise=SD, transform="log"),), data,
                      (FitParameter("r", 0.01, 0.5, 0.1),
                       FitParameter("T0", 1e4, 1e8, 1e5, scale="log10")))


def test_posterior_is_the_exact_normal() -> None:
    problem = _problem()
    y = problem.measurements["value"].to_numpy()
    X = np.column_stack([DAYS, np.full(DAYS.size, math.log(10.0))])
    beta, *_ = np.linalg.lstsq(X, np.log(y), rcond=None)
    cov = SD**2 * np.linalg.inv(X.T @ X)
    se = np.sqrt(np.diag(cov))
    result = fit(problem, starts=2)
    post = sample(result, steps=1500, walkers=16, seed=3)
    s = post.samples
    summary = post.summary()
    ess = summary["ess_bulk"].to_numpy()
    assert np.all(ess > 400), summary
    assert np.all(summary["r_hat"].to_numpy() < 1.05), summary
    # Monte Carlo error of the mean: se / sqrt(ESS) < 0.05 se; allow 4 of those
    assert np.all(np.abs(s.mean(axis=0) - beta) < 4 * se / np.sqrt(ess))
    # sd of the samples: relative error about 1 / sqrt(2 ESS) < 3.5%; allow 4 of those
    assert np.all(np.abs(s.std(axis=0) / se - 1) < 4 / np.sqrt(2 * ess))
    corr = np.corrcoef(s.T)[0, 1]
    assert corr == pytest.approx(cov[0, 1] / (se[0] * se[1]), abs=0.05)
    assert post.failures == 0 and 0.2 < post.acceptance.mean() < 0.9
    # the linear-scale summary is of T0 itself
    assert summary.loc["T0", "mean"] == pytest.approx(np.mean(10 ** s[:, 1]), rel=1e-12)


def test_sampling_is_reproducible_and_checks_its_arguments() -> None:
    result = fit(_problem(), starts=1)
    a = sample(result, steps=30, walkers=6, seed=5)
    b = sample(result, steps=30, walkers=6, seed=5)
    assert np.array_equal(a.chain, b.chain)
    assert not np.array_equal(a.chain, sample(result, steps=30, walkers=6, seed=6).chain)
    with pytest.raises(InvalidArgumentError, match=r"walkers must be an int >= 2 x 2"):
        sample(result, walkers=3)
    with pytest.raises(InvalidArgumentError, match=r"burn must be an int in \[0, steps = 10\)"):
        sample(result, steps=10, burn=10)

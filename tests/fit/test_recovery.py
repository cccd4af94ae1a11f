"""Parameters used to simulate data are recovered within their standard errors.

Data: Kuznetsov et al. 1994 (coley.library "kuznetsov1994"), tumour cells T at 8 times with
log-normal noise of known level (sd 0.1 on the natural-log scale); estimated: the effector
death rate d and the initial tumour T0 (log10 scale). If the standard errors are right, the
95% Wald interval holds the true value in 95% of repeated data sets; over 20 seeds the count
is Binomial(20, 0.95), below 16 with probability 1.6% (and 20 of 20 has probability 36%).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import coley
from coley.fit import Experiment, FitParameter, FitProblem, Observable, fit

DAYS = np.array([2.0, 5, 10, 15, 20, 30, 45, 60])
SD = 0.1


def _problem(model: coley.Model, values: np.ndarray) -> FitProblem:
    data = pd.DataFrame({"experiment": "untreated", "observable": "tumour", "time": DAYS,
                         "value": values})
    return FitProblem(
        model, experiments=(Experiment("untreated", {"T": "T0"}),),
        observables=(Observable("tumour", "T", noise=SD, transform="log"),),
        measurements=data,
        parameters=(FitParameter("d", 0.004, 0.4, 0.04, scale="log10"),
                    FitParameter("T0", 1e5, 1e8, 1e6, scale="log10")),
    )


def test_recovery_and_coverage() -> None:
    model = coley.library.get("kuznetsov1994")
    true_d, true_t0 = model.parameter("d").value, model.state("T").initial
    clean = coley.simulate(model, saveat=np.r_[0.0, DAYS])["T"][0, 1:]
    covered = 0
    for seed in range(20):
        noisy = clean * np.exp(SD * np.random.default_rng(seed).standard_normal(DAYS.size))
        problem = _problem(model, noisy)
        # the sensitivity model is compiled once (the compile cache is keyed by structure)
        result = fit(problem, starts=3, seed=seed)
        assert result.best.converged, result.best.message
        z_true = np.log10([true_d, true_t0])
        inside = np.abs(result.best.x - z_true) <= 1.959964 * result.standard_errors
        covered += int(inside.all())
    # both parameters inside: probability 0.95^2 ~ 0.90 if independent, >= 0.95 if
    # perfectly correlated; P(X < 14) < 1.3% for Binomial(20, 0.9025)
    assert covered >= 14, covered

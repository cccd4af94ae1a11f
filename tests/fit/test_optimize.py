"""Multi-start optimisation: the same fit for any number of processes, failures as data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import coley
from coley.errors import InvalidArgumentError
from coley.fit import Experiment, FitParameter, FitProblem, Observable, fit

DAYS = np.array([1.0, 3, 5, 8, 11, 14, 17, 20])


def _problem() -> FitProblem:
    model = coley.Model(
        name="logistic_opt", title="logistic growth",
        citation=coley.Citation("analytic test model"),
        states=(coley.State("T", 1e6, "cells", "tumour cells", "test value"),),
        parameters=(coley.Parameter("r", 0.2, "1/day", "growth rate", "test value"),
                    coley.Parameter("K", 1e8, "cells", "capacity", "test value")),
        equations={"T": "r*T*(1 - T/K)"})
    y = 1e6 * np.exp(0.2 * DAYS + 0.1 * np.random.default_rng(0).standard_normal(DAYS.size))
    data = pd.DataFrame({"experiment": "e", "observable": "tumour", "time": DAYS, "value": y})
    return FitProblem(model, (Experiment("e", {}),),
                      (Observable("tumour", "T", noise="sd", transform="log"),), data,
                      (FitParameter("r", 0.01, 1.0, 0.1),
                       FitParameter("K", 1e6, 1e12, 1e9, scale="log10"),
                       FitParameter("sd", 0.01, 1.0, 0.3, scale="log10")))


def test_the_fit_does_not_depend_on_the_number_of_processes() -> None:
    problem = _problem()
    one = fit(problem, starts=5, seed=3)
    two = fit(problem, starts=5, seed=3, processes=2)
    assert [s.index for s in one.starts] == [s.index for s in two.starts]
    for a, b in zip(one.starts, two.starts, strict=True):
        assert np.array_equal(a.x, b.x) and a.nll == b.nll and a.message == b.message
    np.testing.assert_array_equal(one.standard_errors, two.standard_errors)
    with pytest.raises(InvalidArgumentError, match="processes must be an int >= 1"):
        fit(problem, processes=0)


def test_batched_objectives_equal_single_evaluations() -> None:
    from coley.fit import Objective

    problem = _problem()
    obj = Objective(problem, gradient=False)
    rng = np.random.default_rng(2)
    lo, hi = problem.bounds()
    Z = lo + (hi - lo) * rng.random((9, 3))  # 9 vectors: the lane kernel
    batched = obj.objectives(Z)
    single = np.array([obj.evaluate(z).objective for z in Z])
    # lane kernel (batched) and scalar kernel (single) take different steps, both at
    # rtol = atol = 1e-8: the objectives agree to far better than 1e-6 relative
    np.testing.assert_allclose(batched, single, rtol=1e-6)
    assert np.isfinite(batched).all()

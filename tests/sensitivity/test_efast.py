"""eFAST on the Ishigami function (exact indices in conftest).

SALib's bootstrap intervals are not reliable for eFAST (SALib issue 649), so the tolerance
comes from the convergence check instead: for an error that shrinks like 1/√n, the error at n
is about (√2 + 1) ≈ 2.4 times the change from n/2 to n; the test allows 3 times that change.
"""

from __future__ import annotations

import numpy as np
import pytest

import coley.sensitivity as cs
from coley import InvalidArgumentError
from tests.sensitivity.ishigami import S1_EXACT, ST_EXACT


def test_ishigami(ishigami: tuple) -> None:
    inputs, output = ishigami
    res = cs.analyse(inputs, output, cs.EFAST(n=1000), seed=5)
    assert res.n_runs == 3000  # the n = 500 design of the convergence check is extra
    for key, exact in (("S1", S1_EXACT), ("ST", ST_EXACT)):
        est = res.indices[key].sel(output="y").values
        tol = 3 * res.convergence[key]
        assert 0 < tol < 0.1, res.convergence
        assert np.all(np.abs(est - exact) <= tol), (key, est, exact, tol)


def test_too_few_points_per_curve() -> None:
    with pytest.raises(InvalidArgumentError, match=r"n > 4 M² = 64"):
        cs.EFAST(n=64)
    inputs = cs.Inputs.of({"a": (0.0, 1.0)})
    with pytest.raises(InvalidArgumentError, match=r"convergence check.*n // 2 = 50"):
        cs.analyse(inputs, cs.FunctionOutput(lambda x: x[:, 0]), cs.EFAST(n=100))

"""Small test models with closed-form solutions, shared by the solve and analysis tests.

Each distinct model is compiled once (numba, cached on disk under the coley cache folder), so the
models are session-scoped and reused: parameter and initial-value changes go through
``simulate(parameters=...)`` or ``with_values``, which keep the compiled kernels.
"""

from __future__ import annotations

import pytest
from hypothesis import settings

import coley
from coley import Citation, Input, Model, Parameter, State

# Property-based tests draw the same examples on every run (CI is reproducible; a failure seen
# once is seen again), from a seed derived from each test's name.
settings.register_profile("coley", derandomize=True)
settings.load_profile("coley")

_TEST = Citation("coley test model (closed-form solution derived in the test)")


@pytest.fixture(scope="session")
def logistic() -> Model:
    """dT/dt = r*T*(1 - T/K) - H: logistic growth with constant harvest H (default 0).

    Closed form for H = 0: T(t) = K / (1 + (K/T0 - 1) exp(-r t)). With r < 0 and T0 > K the
    solution blows up at the finite time t* = ln(T0/(T0 - K)) / (-r).
    """
    return Model(
        name="test_logistic",
        title="logistic growth with harvest",
        states=(State("T", 10.0, "cell", "tumour cells"),),
        parameters=(
            Parameter("r", 0.5, "1/day", "growth rate (may be negative)", "test"),
            Parameter("K", 1.0e6, "cell", "carrying capacity", "test", lower=0.0),
            Parameter("H", 0.0, "cell/day", "constant harvest", "test", lower=0.0),
        ),
        equations={"T": "r*T*(1 - T/K) - H"},
        citation=_TEST,
    )


@pytest.fixture(scope="session")
def linear() -> Model:
    """d(x, y)/dt = A (x, y) + b + (u, 0), A = [[a11, a12], [a21, a22]], b = (b1, b2).

    One model for every linear test, so that it is compiled once. With u = 0 the equilibrium is
    -A^{-1} b and its eigenvalues are those of A. The defaults (a11 = -0.3, a22 = -1, all else
    0, x0 = 1, y0 = 0) decouple x, which then obeys dx/dt = u - k*x with k = -a11 = 0.3/day,
    while y stays 0.
    """
    values = {"a11": -0.3, "a12": 0.0, "a21": 0.0, "a22": -1.0, "b1": 0.0, "b2": 0.0}
    return Model(
        name="test_linear",
        title="two-state linear system with an infusion into x",
        states=(State("x", 1.0, "cell", "first state"),
                State("y", 0.0, "cell", "second state", lower=None)),
        parameters=tuple(Parameter(n, v, "cell/day" if n[0] == "b" else "1/day", f"entry {n}",
                                   "test") for n, v in values.items()),
        inputs=(Input("u", "cell/day", "infusion rate into x"),),
        equations={"x": "a11*x + a12*y + b1 + u", "y": "a21*x + a22*y + b2"},
        citation=_TEST,
    )


@pytest.fixture(scope="session")
def kuznetsov() -> Model:
    """The library's Kuznetsov 1994 model with its published defaults."""
    return coley.library.get("kuznetsov1994")

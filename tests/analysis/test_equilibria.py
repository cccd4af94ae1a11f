"""Equilibria and their stability against systems solved by hand.

conftest ``linear``: d(x, y)/dt = A (x, y) + b (u = 0), one equilibrium -A^{-1} b with the
eigenvalues of A. conftest ``logistic``: dT/dt = r T (1 - T/K) - H, derived equilibria below.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import coley
from coley.analysis.equilibria import classify


def _system(A: list[list[float]], b: list[float]) -> dict[str, float]:
    return {"a11": A[0][0], "a12": A[0][1], "a21": A[1][0], "a22": A[1][1],
            "b1": b[0], "b2": b[1]}


# Each A has its eigenvalues worked out by hand (trace/determinant), and b = -A (1, 1) puts the
# equilibrium at (1, 1).
CASES = {
    "stable node": ([[-2.0, 1.0], [1.0, -2.0]], [-3.0, -1.0]),
    "saddle": ([[1.0, 2.0], [2.0, 1.0]], [-1.0, 3.0]),
    "stable focus": ([[-1.0, -2.0], [2.0, -1.0]], [-1 - 2j, -1 + 2j]),
    "unstable focus": ([[1.0, -2.0], [2.0, 1.0]], [1 - 2j, 1 + 2j]),
    "unstable node": ([[2.0, 0.0], [1.0, 3.0]], [2.0, 3.0]),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_linear_system_equilibrium_and_type(linear: coley.Model, kind: str) -> None:
    A, eigenvalues = CASES[kind]
    b = list(-np.asarray(A) @ np.ones(2))
    (eq,) = coley.equilibria(linear, _system(A, b))
    assert eq.state == pytest.approx({"x": 1.0, "y": 1.0}, rel=1e-12)
    # eigenvalues of a 2x2 integer matrix: exact up to LAPACK round-off
    np.testing.assert_allclose(eq.eigenvalues, eigenvalues, rtol=1e-12)
    assert eq.kind == kind
    assert eq.stable is kind.startswith("stable")


def test_negative_equilibria_are_filtered(linear: coley.Model) -> None:
    # A (x, y) + b = 0 with A = [[-2, 1], [1, -2]] and b = (-1, -1) gives (x, y) = (-1, -1).
    params = _system([[-2.0, 1.0], [1.0, -2.0]], [-1.0, -1.0])
    assert coley.equilibria(linear, params) == []
    (eq,) = coley.equilibria(linear, params, nonnegative=False)
    assert eq.state == pytest.approx({"x": -1.0, "y": -1.0}, rel=1e-12)


def test_logistic_equilibria(logistic: coley.Model) -> None:
    # Derived: T = 0 (eigenvalue r, unstable) and T = K (eigenvalue -r, stable).
    low, high = coley.equilibria(logistic)
    assert low.state["T"] == 0 and high.state["T"] == pytest.approx(1e6, rel=1e-12)
    assert low.eigenvalues == pytest.approx([0.5], rel=1e-12)
    assert high.eigenvalues == pytest.approx([-0.5], rel=1e-12)
    assert (low.kind, high.kind) == ("unstable node", "stable node")


def test_logistic_with_harvest(logistic: coley.Model) -> None:
    # Derived: r T (1 - T/K) = H at T = K/2 (1 -+ sqrt(1 - 4H/(rK))), with eigenvalue
    # r (1 - 2T/K) = +- r sqrt(1 - 4H/(rK)): the lower root is unstable, the upper stable.
    r, K, H = 0.5, 1e6, 1e4
    root = math.sqrt(1 - 4 * H / (r * K))
    low, high = coley.equilibria(logistic, {"H": H})
    assert low.state["T"] == pytest.approx(K / 2 * (1 - root), rel=1e-10)
    assert high.state["T"] == pytest.approx(K / 2 * (1 + root), rel=1e-10)
    assert low.eigenvalues == pytest.approx([r * root], rel=1e-9)
    assert high.eigenvalues == pytest.approx([-r * root], rel=1e-9)
    assert (low.stable, high.stable) == (False, True)


def test_harvest_beyond_maximum_yield_leaves_no_equilibrium(logistic: coley.Model) -> None:
    # Derived: the maximum of r T (1 - T/K) is rK/4 = 1.25e5/day; above it no equilibrium
    # exists, and equilibria() says so instead of returning a spurious root.
    with pytest.raises(coley.InvalidArgumentError,
                       match=r"model 'test_logistic': Newton converged from no starting point"):
        coley.equilibria(logistic, {"H": 2e5})


@pytest.mark.parametrize(("eigenvalues", "kind"), [
    ([-1.0, -2.0], "stable node"),
    ([1.0, 2.0], "unstable node"),
    ([-1.0, 2.0], "saddle"),
    ([-1 + 1j, -1 - 1j], "stable focus"),
    ([1 + 1j, 1 - 1j], "unstable focus"),
    ([-1.0, 1 + 1j, 1 - 1j], "saddle-focus"),
    ([0.0, -1.0], "non-hyperbolic"),
    ([1j, -1j], "non-hyperbolic"),
])
def test_classify(eigenvalues: list[complex], kind: str) -> None:
    assert classify(np.array(eigenvalues, dtype=complex)) == kind


def test_equilibrium_repr_and_stability_flag() -> None:
    eq = coley.Equilibrium({"x": 1.0}, np.array([-0.5 + 0j]), "stable node")
    assert eq.stable
    assert "stable node" in repr(eq) and "x=1" in repr(eq)

"""The forward-sensitivity system's block structure, which the Rodas4 kernels exploit.

Model.jacobian_block = n says: the Jacobian of the augmented system is block lower-triangular
with the state Jacobian J on every diagonal block (d(dS_j/dt)/dS_k = J if j = k, else 0, and
d(dx/dt)/dS = 0), so one n x n LU per step and block substitution replace the LU of the whole
n(1 + D) system. Checked here against the full symbolic Jacobian, and the scalar kernel
against the lane kernel (which also uses it) on the same subjects.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

import coley
from coley.fit import sensitivity_model


def test_augmented_jacobian_has_the_declared_block_structure() -> None:
    base = coley.library.get("kuznetsov1994")
    sens = sensitivity_model(base, ["d", "a"], ["T"])
    aug = sens.model
    n = len(base.states)
    assert aug.jacobian_block == n and len(aug.states) == n * 4
    symbols = [aug.symbols[s] for s in aug.state_names] + [
        aug.symbols[p] for p in aug.parameter_names]
    full = sp.lambdify(symbols, aug.jacobian, modules="numpy")
    rng = np.random.default_rng(0)
    x = np.r_[np.array([3e5, 2e6]), rng.standard_normal(3 * n)]  # sensitivities nonzero
    J = np.asarray(full(*x, *aug.parameter_values()), dtype=float)
    Jb = J[:n, :n]
    for b in range(4):
        for c in range(4):
            block = J[b * n:(b + 1) * n, c * n:(c + 1) * n]
            if b == c:
                np.testing.assert_allclose(block, Jb, rtol=1e-12, atol=0)
            elif c != 0:
                assert not block.any(), (b, c)
    assert not J[:n, n:].any()


def test_scalar_and_lane_kernels_agree_on_the_sensitivity_system() -> None:
    base = coley.library.get("kuznetsov1994")
    sens = sensitivity_model(base, ["d", "a"], [])
    rng = np.random.default_rng(1)
    d = 0.0412 * np.exp(0.3 * rng.standard_normal(9))
    times = np.linspace(0, 60, 7)
    lanes = coley.simulate(sens.model, {"d": d}, saveat=times)  # 9 subjects: lane kernel
    for i in range(3):
        one = coley.simulate(sens.model, {"d": d[i]}, saveat=times)  # scalar kernel
        # two drivers, two step sequences, both within the default tolerance (rtol 1e-6):
        # they agree to a few times it; a wrong block solve is off by orders of magnitude
        np.testing.assert_allclose(lanes.values[i], one.values[0], rtol=1e-5, atol=1e-3)

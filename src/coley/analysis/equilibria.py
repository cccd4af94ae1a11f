"""All equilibria of a model for given parameters, with their stability from the exact Jacobian.

Method: damped Newton (exact Jacobian, compiled) from a grid of starting points that covers each
state on a log scale from 1e-3 to 1e13 plus zero, so boundary equilibria (tumour-free, immune-
free) and interior ones are all reached; roots are kept when the residual is at round-off level,
de-duplicated, and classified by the eigenvalues of the Jacobian. For models of more than four
states the grid is replaced by log-uniform random starts (seeded). This finds every isolated
equilibrium in the covered range in practice; it is not a proof that no other exists.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from coley.errors import InvalidArgumentError
from coley.model.model import Model
from coley.solve.compile import compile_model


@dataclass(frozen=True)
class Equilibrium:
    """A steady state: values by state name, Jacobian eigenvalues (1/day) and its type."""

    state: dict[str, float]
    eigenvalues: np.ndarray
    kind: str

    @property
    def stable(self) -> bool:
        """Locally asymptotically stable (all eigenvalues with negative real part)."""
        return bool(np.all(self.eigenvalues.real < 0))

    def __repr__(self) -> str:
        vals = ", ".join(f"{k}={v:.6g}" for k, v in self.state.items())
        eig = ", ".join(f"{z:.4g}" for z in self.eigenvalues)
        return f"Equilibrium({vals}; {self.kind}; eigenvalues [{eig}] 1/day)"


def classify(eigenvalues: np.ndarray, *, tol: float = 1e-9) -> str:
    """Name the type of a hyperbolic equilibrium from its eigenvalues."""
    re = eigenvalues.real
    scale = max(1.0, float(np.max(np.abs(eigenvalues))))
    if np.any(np.abs(re) <= tol * scale):
        return "non-hyperbolic"
    oscill = bool(np.any(np.abs(eigenvalues.imag) > tol * scale))
    if np.all(re < 0):
        return "stable focus" if oscill else "stable node"
    if np.all(re > 0):
        return "unstable focus" if oscill else "unstable node"
    return "saddle-focus" if oscill else "saddle"


def _starts(n_states: int, seed: int) -> np.ndarray:
    levels = np.concatenate([[0.0], 10.0 ** np.arange(-3, 14, 1.0)])
    if n_states <= 4:
        return np.array(list(itertools.product(levels, repeat=n_states)), dtype=np.float64)
    rng = np.random.default_rng(seed)
    pts = 10.0 ** rng.uniform(-3, 13, size=(20000, n_states))
    pts[rng.random(pts.shape) < 0.2] = 0.0
    return pts


def equilibria(model: Model, parameters: Mapping[str, float] | None = None, *,
               nonnegative: bool = True, seed: int = 0) -> list[Equilibrium]:
    """Every equilibrium of ``model`` found from a dense set of starts, with its stability.

    ``parameters`` overrides defaults by name. With ``nonnegative`` (default) only equilibria
    with all states >= 0 are returned (cells and concentrations). Sorted by the state vector.
    """
    m = model.with_values(dict(parameters)) if parameters else model
    if m.input_names:
        pass  # inputs are zero at equilibrium unless the caller sets them as parameters
    compiled = compile_model(m)
    p = m.parameter_values()
    u = np.zeros(len(m.inputs))
    n = len(m.states)
    starts = _starts(n, seed)
    roots = np.empty_like(starts)
    conv = np.zeros(starts.shape[0], dtype=np.bool_)
    compiled.newton_batch(starts, p, u, 1e-13, 200, roots, conv)
    cand = roots[conv]
    cand = cand[np.all(np.isfinite(cand), axis=1)]
    scale = np.maximum(np.abs(cand), 1.0)
    if nonnegative:
        cand = cand[np.all(cand >= -1e-9 * scale, axis=1)]
    # Coarse de-duplication first (thousands of starts converge to a handful of roots):
    # signed log-magnitudes rounded to 5 digits, then the exact check on the survivors.
    if cand.size:
        key = np.round(np.sign(cand) * np.log10(np.abs(cand) + 1e-30), 5)
        _, first = np.unique(key, axis=0, return_index=True)
        cand = cand[np.sort(first)]
    found: list[np.ndarray] = []
    f = np.empty(n)
    for y in cand:
        scale_y = np.maximum(np.abs(y), 1.0)
        compiled.rhs(0.0, y, p, u, f)
        # residual at round-off level relative to the size of the terms
        if np.any(np.abs(f) > 1e-6 * scale_y):
            continue
        y = np.where(np.abs(y) < 1e-12, 0.0, y)
        if nonnegative:
            y = np.maximum(y, 0.0)
        if any(np.all(np.abs(y - z) <= 1e-6 * np.maximum(np.abs(z), 1e-3)) for z in found):
            continue
        found.append(y)
    if not found and not np.any(conv):
        raise InvalidArgumentError(
            f"model {m.name!r}: Newton converged from no starting point; the model may have "
            "no equilibrium in [0, 1e13]."
        )
    out = []
    J = np.empty((n, n))
    for y in sorted(found, key=lambda z: tuple(z)):
        compiled.jac(0.0, y, p, u, J)
        if np.all(np.isfinite(J)):
            eig = np.linalg.eigvals(J)
            eig = eig[np.lexsort((eig.imag, eig.real))]
            kind = classify(eig)
        else:  # the model is not differentiable there (|x|**a with a < 1 at x = 0, say)
            eig = np.full(n, np.nan + 0j)
            kind = "undetermined (Jacobian not finite)"
        out.append(Equilibrium(dict(zip(m.state_names, map(float, y), strict=True)), eig, kind))
    return out

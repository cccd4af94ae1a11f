"""SALib's samplers and analysers behind typed functions, over the unit cube.

SALib (Herman & Usher 2017, JOSS 2:97; Iwanaga, Usher & Herman 2022, Socio-Environmental
Systems Modelling 4:18155) ships no type information, so every use of it is here. Only its
functional API is used (not ``ProblemSpec``). Every problem is the unit cube: the inputs'
distributions are applied by :meth:`coley.sensitivity.inputs.Inputs.values`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

# SALib is imported where it is used: it costs ~0.1 s (scipy.stats) that `import coley` and
# every CLI call would otherwise pay.


def problem(d: int) -> dict[str, Any]:
    """SALib's problem description of the unit cube in ``d`` dimensions."""
    return {"num_vars": d, "names": [f"x{j}" for j in range(d)], "bounds": [[0.0, 1.0]] * d}


def saltelli(d: int, n: int, *, second_order: bool, seed: int) -> np.ndarray:
    """Saltelli's extension of a scrambled Sobol sequence: ``n (d + 2)`` rows, or
    ``n (2d + 2)`` with second order."""
    from SALib.sample import sobol as sobol_sample  # type: ignore[import-untyped]

    return np.asarray(sobol_sample.sample(problem(d), n, calc_second_order=second_order,
                                          scramble=True, seed=seed))


def sobol(y: np.ndarray, d: int, *, second_order: bool, resamples: int, conf_level: float,
          seed: int) -> dict[str, np.ndarray]:
    """Sobol indices S1, ST (and S2) with bootstrap confidence half-widths (``*_conf``)."""
    from SALib.analyze import sobol as sobol_analyze  # type: ignore[import-untyped]

    out = sobol_analyze.analyze(problem(d), y, calc_second_order=second_order,
                                num_resamples=resamples, conf_level=conf_level, seed=seed)
    return {k: np.asarray(v, dtype=np.float64) for k, v in out.items()}


def morris_trajectories(d: int, r: int, *, levels: int, seed: int) -> np.ndarray:
    """``r`` Morris trajectories on a ``levels`` grid: ``r (d + 1)`` rows."""
    from SALib.sample import morris as morris_sample

    return np.asarray(morris_sample.sample(problem(d), r, num_levels=levels, seed=seed))


def morris(x: np.ndarray, y: np.ndarray, *, levels: int, resamples: int, conf_level: float,
           seed: int) -> dict[str, np.ndarray]:
    """Morris mu, mu*, sigma and the bootstrap half-width of mu* (``mu_star_conf``)."""
    from SALib.analyze import morris as morris_analyze

    out = morris_analyze.analyze(problem(x.shape[1]), x, y, num_resamples=resamples,
                                 conf_level=conf_level, num_levels=levels, seed=seed)
    return {k: np.asarray(out[k], dtype=np.float64)
            for k in ("mu", "mu_star", "sigma", "mu_star_conf")}


def fast_curves(d: int, n: int, *, harmonics: int, seed: int) -> np.ndarray:
    """The eFAST search curves: ``n`` points for each of the ``d`` inputs (``n d`` rows)."""
    from SALib.sample import fast_sampler

    return np.asarray(fast_sampler.sample(problem(d), n, M=harmonics, seed=seed))


def fast(y: np.ndarray, d: int, *, harmonics: int, resamples: int, conf_level: float,
         seed: int) -> dict[str, np.ndarray]:
    """eFAST first-order and total indices with bootstrap half-widths.

    SALib warns on every call that bootstrap intervals are unreliable for eFAST (SALib issue
    649); the warning is silenced here and said once, in the docs and in :class:`EFAST`.
    """
    from SALib.analyze import fast as fast_analyze

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="FAST confidence intervals are estimated",
                                category=UserWarning)
        out = fast_analyze.analyze(problem(d), y, M=harmonics, num_resamples=resamples,
                                   conf_level=conf_level, seed=seed)
    return {k: np.asarray(out[k], dtype=np.float64) for k in ("S1", "ST", "S1_conf", "ST_conf")}

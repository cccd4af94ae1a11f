"""The Ishigami function and its exact Sobol indices, shared by the method tests.

f(x) = sin x1 + a sin² x2 + b x3⁴ sin x1 with x1, x2, x3 independent and uniform on [-π, π]
(Ishigami & Homma 1990; a = 7, b = 0.1 as in Saltelli et al. 2008, *Global Sensitivity
Analysis: The Primer*, Wiley, section 4.9, and Sobol' & Levitan 1999, Comput Phys Commun
117:52). Its variances are exact: V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2, V1 = (1 + bπ⁴/5)²/2,
V2 = a²/8, V3 = 0, V13 = b²π⁸ (1/18 - 1/50), so S1 = (0.3139, 0.4424, 0) and
ST = (0.5576, 0.4424, 0.2437).
"""

from __future__ import annotations

import math

import numpy as np

A, B = 7.0, 0.1


def _exact() -> tuple[tuple[float, ...], tuple[float, ...]]:
    pi4 = math.pi ** 4
    v1 = 0.5 * (1 + B * pi4 / 5) ** 2
    v2 = A * A / 8
    v13 = B * B * math.pi ** 8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return (v1 / v, v2 / v, 0.0), ((v1 + v13) / v, v2 / v, v13 / v)


#: The exact indices, computed from the variances above (they round to the published values).
S1_EXACT, ST_EXACT = _exact()
assert np.allclose(S1_EXACT, (0.3139, 0.4424, 0.0), atol=5e-5)
assert np.allclose(ST_EXACT, (0.5576, 0.4424, 0.2437), atol=5e-5)


def ishigami_function(x: np.ndarray) -> np.ndarray:
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])

"""Small statistical helpers shared by cohorts and trials."""

from __future__ import annotations

import math


def wilson_interval(p: float, n: float, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval (95% by default) of a proportion ``p`` observed in ``n`` cases
    (``n`` may be an effective sample size); NaNs when ``n`` <= 0 or ``p`` is not finite
    (Wilson 1927, J Am Stat Assoc 22:209)."""
    if n <= 0 or not math.isfinite(p):
        return (math.nan, math.nan)
    d = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / d
    half = z * math.sqrt(max(p * (1 - p), 0.0) / n + z * z / (4 * n * n)) / d
    return (max(0.0, centre - half), min(1.0, centre + half))


__all__ = ["wilson_interval"]

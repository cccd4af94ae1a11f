"""Assertions shared by the test modules.

Published tables print each number to a stated precision; ``assert_published`` checks that a
computed value rounds to the printed one, i.e. lies within half a unit of its last printed digit.
This ties each tolerance to the precision of its source instead of to a chosen constant.
"""

from __future__ import annotations

from decimal import Decimal


def half_unit(published: str) -> float:
    """Half a unit in the last printed digit ('562.80' -> 0.005, '2.4e6' -> 5e4)."""
    exponent = Decimal(published).as_tuple().exponent
    assert isinstance(exponent, int)
    return 0.5 * 10.0**exponent


def assert_published(actual: float, published: str, what: str = "") -> None:
    """``actual`` rounds to ``published`` at the number of digits printed there."""
    expected = float(published)
    tol = half_unit(published)
    label = f"{what}: " if what else ""
    assert abs(float(actual) - expected) <= tol, (
        f"{label}computed {float(actual)!r} does not round to the published {published} "
        f"(|difference| = {abs(float(actual) - expected):.3g} > half a unit in the last digit, "
        f"{tol:g})"
    )

"""The interface every sensitivity method implements: a design over the unit cube and the
indices computed from the outputs at its points.

A method is a frozen, validated object holding its sample size ``n`` and its options; the verb
:func:`coley.sensitivity.analyse` joins it with the inputs and an output.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np

from coley.errors import InvalidArgumentError
from coley.sensitivity.inputs import Inputs

#: Index name -> (its leading dimensions, values of shape (*leading, outputs)).
Indices = dict[str, tuple[tuple[str, ...], np.ndarray]]


def whole(owner: str, name: str, value: object, *, least: int, fix: str) -> int:
    """``value`` as an int >= ``least``, or an error naming ``owner``, ``name`` and the fix."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
        raise InvalidArgumentError(f"{owner}: {name} must be an int >= {least}, got {value!r}; "
                                   f"{fix}.")
    return int(value)


def level(owner: str, value: object) -> float:
    """A confidence level in (0, 1)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise InvalidArgumentError(f"{owner}: conf_level must be in (0, 1), got {value!r}; "
                                   "e.g. 0.95.")
    return float(value)


class AbstractMethod(ABC):
    """A global sensitivity method over ``n`` base samples.

    ``nested`` is True when the first :meth:`rows` ``(n // 2, d)`` rows of the design are a
    design of ``n // 2`` base samples (the convergence check then costs no extra runs);
    ``complete`` is True when every run must succeed (variance-based estimators cannot skip a
    run).
    """

    n: int
    nested: ClassVar[bool] = True
    complete: ClassVar[bool] = True
    #: The indices whose change between n // 2 and n is the convergence check.
    convergence_keys: ClassVar[tuple[str, ...]] = ()

    def check(self, inputs: Inputs) -> None:  # noqa: B027 (optional hook)
        """Raise if the method cannot use ``inputs``."""

    @abstractmethod
    def halved(self) -> AbstractMethod:
        """The same method with ``n // 2`` base samples."""

    @abstractmethod
    def rows(self, d: int) -> int:
        """Number of runs (design rows) for ``d`` inputs."""

    @abstractmethod
    def sample(self, d: int, seed: int) -> np.ndarray:
        """The design: :meth:`rows` points in ``[0, 1]^d``."""

    @abstractmethod
    def indices(self, unit: np.ndarray, y: np.ndarray, ok: np.ndarray, *, seed: int,
                confidence: bool = True) -> Indices:
        """Indices of each input for each output column of ``y`` (runs x outputs), from the
        design ``unit``; ``ok`` marks the runs that succeeded. With ``confidence`` False the
        confidence intervals may be skipped (the convergence check needs only the estimates).
        """


__all__ = ["AbstractMethod", "Indices"]

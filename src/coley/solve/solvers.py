"""Solver choices as typed, validated objects: :class:`Rodas4` (stiff) and :class:`Dopri5`.

Both integrate each patient with its own adaptive step size, error control on
``|err_i| <= atol_i + rtol*|y_i|`` (RMS norm), and dense output for the user's time grid.

A solver names its algorithm: ``kernel`` is its module in :mod:`coley.solve.kernels` (the
tableau and ``method_step``, with ``METHOD_ORDER``, ``METHOD_RHS`` and ``METHOD_FSAL``), and
``lane_kernel`` an optional module that integrates LANES patients side by side. Adding a solver
is one kernel module and one class here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from coley.errors import InvalidArgumentError


@dataclass(frozen=True)
class AbstractSolver:
    """Common tolerances and limits. ``atol`` is in each state's unit (scalar or per state)."""

    rtol: float = 1e-6
    atol: float | tuple[float, ...] = 1e-6
    max_steps: int = 100_000
    first_step: float | None = None
    max_step: float = math.inf

    #: The solver's method module in coley.solve.kernels (set by each concrete solver).
    kernel: ClassVar[str] = ""
    #: Its lane kernel module (several patients side by side), or None.
    lane_kernel: ClassVar[str | None] = None

    def __post_init__(self) -> None:
        name = type(self).__name__
        if not (isinstance(self.rtol, int | float) and 1e-14 <= self.rtol < 1):
            raise InvalidArgumentError(
                f"The 'rtol' parameter of {name} must be a float in [1e-14, 1). "
                f"Got {self.rtol!r} instead."
            )
        atols = self.atol if isinstance(self.atol, tuple) else (self.atol,)
        for a in atols:
            if not (isinstance(a, int | float) and a > 0 and math.isfinite(a)):
                raise InvalidArgumentError(
                    f"The 'atol' parameter of {name} must be positive and finite (scalar or one "
                    f"per state). Got {self.atol!r} instead."
                )
        if not (isinstance(self.max_steps, int) and self.max_steps > 0):
            raise InvalidArgumentError(
                f"The 'max_steps' parameter of {name} must be a positive int. "
                f"Got {self.max_steps!r} instead."
            )
        if self.first_step is not None and not (self.first_step > 0):
            raise InvalidArgumentError(
                f"The 'first_step' parameter of {name} must be > 0 days or None. "
                f"Got {self.first_step!r} instead."
            )
        if not self.max_step > 0:
            raise InvalidArgumentError(
                f"The 'max_step' parameter of {name} must be > 0 days. "
                f"Got {self.max_step!r} instead."
            )


@dataclass(frozen=True)
class Rodas4(AbstractSolver):
    """Rodas4: L-stable Rosenbrock method of order 4(3) with the model's exact Jacobian.

    The default: tumour-immune models are stiff near carrying capacity (NK inactivation
    p*T ~ 100/day in de Pillis 2005). Hairer & Wanner, Solving ODEs II, Sec. VI.4.
    """

    kernel: ClassVar[str] = "rodas4"
    lane_kernel: ClassVar[str | None] = "rodas4_lanes"


@dataclass(frozen=True)
class Dopri5(AbstractSolver):
    """Dormand-Prince 5(4) explicit Runge-Kutta with 4th-order dense output.

    Efficient for non-stiff models; on stiff ones its step is stability-limited.
    Dormand & Prince 1980, J Comput Appl Math 6:19-26.
    """

    kernel: ClassVar[str] = "dopri5"

"""What the engine needs from a treatment, without knowing what a treatment is.

:func:`coley.simulate` integrates a model with a schedule of :class:`~coley.solve.schedule.Jump`
and :class:`~coley.solve.schedule.Infusion` items. Anything that changes a model before it is
integrated (a regimen adds PK states and effect terms; a future intervention may add others) is
an :class:`Intervention`: given the model, the number of patients and the horizon (days), it
returns a :class:`Prepared`, the model to integrate, its schedule and what else the result
should carry (for regimens: the toxicity hazard states, see :mod:`coley.treat.apply`). The
result keeps the ``Prepared`` object as ``result.treatment``. ``solve`` defines this protocol;
``coley.treat`` implements it; ``solve`` never imports ``treat``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from coley.errors import InvalidArgumentError
from coley.model.model import Model
from coley.solve.schedule import Infusion, Jump


@runtime_checkable
class Prepared(Protocol):
    """A model made ready to integrate: the (possibly augmented) model and its schedule."""

    @property
    def model(self) -> Model:
        """The model to integrate."""
        ...

    @property
    def schedule(self) -> Sequence[Jump | Infusion]:
        """Schedule items to add to the caller's own."""
        ...


@runtime_checkable
class Intervention(Protocol):
    """Something that prepares a model for integration (``coley.treat.Treatment`` is one)."""

    def prepare(self, model: Model, *, n: int, t_end: float) -> Prepared:
        """Apply to ``model`` for ``n`` patients up to day ``t_end``."""
        ...


def prepare(treatment: object, model: Model, *, n: int, t_end: float) -> Prepared:
    """``treatment.prepare(model, n=n, t_end=t_end)``, with clear errors for a wrong object."""
    if not isinstance(treatment, Intervention):
        raise InvalidArgumentError(
            "treatment must be an intervention such as coley.Treatment([regimen, ...], "
            f"covariates=...), got {type(treatment).__name__}."
        )
    prepared = treatment.prepare(model, n=n, t_end=t_end)
    if not isinstance(prepared, Prepared):
        raise InvalidArgumentError(
            f"{type(treatment).__name__}.prepare must return an object with .model and "
            f".schedule, got {type(prepared).__name__}."
        )
    return prepared


__all__ = ["Intervention", "Prepared", "prepare"]

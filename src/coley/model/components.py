"""The declarations a model is made of: states, parameters, inputs and citations.

Each is a frozen dataclass holding a value with its unit, a one-line meaning and its source.
They check only themselves (a finite value, a valid name, value within bounds); the
:class:`~coley.model.model.Model` that holds them checks how they fit together.
"""

from __future__ import annotations

import keyword
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Literal

from coley.errors import ModelDefinitionError

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: Names a model may not use: ``t`` is time (days).
RESERVED_NAMES = frozenset({"t"})


def check_name(kind: str, name: str, model: str = "") -> None:
    """Raise :class:`ModelDefinitionError` unless ``name`` can be used as a symbol."""
    where = f"model {model!r}: " if model else ""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ModelDefinitionError(
            f"{where}{kind} name {name!r} is not a valid identifier; use letters, digits and "
            "underscores, starting with a letter."
        )
    if keyword.iskeyword(name) or name in RESERVED_NAMES:
        raise ModelDefinitionError(
            f"{where}{kind} name {name!r} is reserved; rename it (for example {name + '_'!r})."
        )


def _check_value(kind: str, name: str, value: float, lower: float | None, upper: float | None,
                 model: str = "") -> float:
    where = f"model {model!r}: " if model else ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ModelDefinitionError(
            f"{where}{kind} {name!r} has value {value!r}, which is not a number; give a float."
        ) from None
    if not math.isfinite(number):
        raise ModelDefinitionError(
            f"{where}{kind} {name!r} has value {number}; give a finite number."
        )
    if lower is not None and upper is not None and lower > upper:
        raise ModelDefinitionError(
            f"{where}{kind} {name!r} has lower bound {lower} above upper bound {upper}; swap them."
        )
    if lower is not None and number < lower:
        raise ModelDefinitionError(
            f"{where}{kind} {name!r} = {number} is below its lower bound {lower}; "
            f"give a value >= {lower}."
        )
    if upper is not None and number > upper:
        raise ModelDefinitionError(
            f"{where}{kind} {name!r} = {number} is above its upper bound {upper}; "
            f"give a value <= {upper}."
        )
    return number


class Provenance(StrEnum):
    """How a value was obtained (the tags ``[P]``, ``[M]``, ``[D]``, ``[A]`` of the docs)."""

    PUBLISHED = "P"
    """Published, and checked against the source's table or text."""
    RECALLED = "M"
    """Recalled or measured elsewhere; still to be re-checked against its primary source."""
    DERIVED = "D"
    """Derived from published numbers (the derivation is in the source text) or calibrated."""
    ASSUMED = "A"
    """coley's assumption; comes with a plausible range."""


@dataclass(frozen=True)
class Parameter:
    """A model constant: value in ``unit``, optional bounds, meaning and source (paper, table).

    ``tag`` says how the value was obtained (:class:`Provenance`); ``plausible`` is the
    ``(low, high)`` range the source considers plausible, in ``unit`` (sensitivity and
    robustness analyses vary assumed parameters over it). Both are data, never read from the
    ``source`` prose. ``normalisation`` marks a value that is a unit of measure (1 by
    definition: relative antigenicity, say): analyses that vary or fit assumed parameters leave
    it alone, though a treatment may still scale it.
    """

    name: str
    value: float
    unit: str
    meaning: str
    source: str
    lower: float | None = None
    upper: float | None = None
    tag: Provenance | None = None
    plausible: tuple[float, float] | None = None
    normalisation: bool = False

    def __post_init__(self) -> None:
        check_name("parameter", self.name)
        object.__setattr__(
            self, "value", _check_value("parameter", self.name, self.value, self.lower, self.upper)
        )
        if self.tag is not None:
            try:
                object.__setattr__(self, "tag", Provenance(self.tag))
            except ValueError:
                raise ModelDefinitionError(
                    f"parameter {self.name!r}: tag {self.tag!r} is not one of "
                    f"{[t.value for t in Provenance]} (published, recalled, derived, assumed)."
                ) from None
        if self.plausible is not None:
            rng = tuple(float(x) for x in self.plausible)
            if len(rng) != 2 or not all(math.isfinite(x) for x in rng) or rng[0] > rng[1]:
                raise ModelDefinitionError(
                    f"parameter {self.name!r}: plausible range {self.plausible!r} must be two "
                    "finite numbers (low, high) with low <= high."
                )
            object.__setattr__(self, "plausible", rng)

    def with_value(self, value: float, *, model: str = "") -> Parameter:
        """A copy holding ``value`` (checked against the bounds)."""
        _check_value("parameter", self.name, value, self.lower, self.upper, model)
        return replace(self, value=float(value))


@dataclass(frozen=True)
class State:
    """A dynamic variable: default initial value in ``unit``, meaning, source of the initial value.

    States are non-negative by default (cell counts, concentrations); pass ``lower=None`` for a
    state that may go negative.
    """

    name: str
    initial: float
    unit: str
    meaning: str
    source: str = ""
    lower: float | None = 0.0
    upper: float | None = None

    def __post_init__(self) -> None:
        check_name("state", self.name)
        object.__setattr__(
            self, "initial",
            _check_value("initial value of state", self.name, self.initial, self.lower, self.upper),
        )

    def with_initial(self, value: float, *, model: str = "") -> State:
        """A copy with a different default initial value (checked against the bounds)."""
        _check_value("initial value of state", self.name, value, self.lower, self.upper, model)
        return State(self.name, float(value), self.unit, self.meaning, self.source,
                     self.lower, self.upper)


@dataclass(frozen=True)
class Input:
    """A piecewise-constant external input (an infusion rate, say), 0 unless a schedule sets it."""

    name: str
    unit: str
    meaning: str

    def __post_init__(self) -> None:
        check_name("input", self.name)


@dataclass(frozen=True)
class Citation:
    """Where a model comes from: a short reference, a DOI and the BioModels id where one exists."""

    reference: str
    doi: str = ""
    biomodels_id: str = ""
    note: str = ""

    def __str__(self) -> str:
        parts = [self.reference]
        if self.doi:
            parts.append(f"doi:{self.doi}")
        if self.biomodels_id:
            parts.append(f"BioModels {self.biomodels_id}")
        return "; ".join(parts)


#: Kinds of treatment hook a model can expose.
class HookKind(StrEnum):
    """What a hook's target is: a rate parameter or a state."""

    RATE = "rate"
    """``target`` is a parameter, scaled over time by stimulation or inhibition."""
    STATE = "state"
    """``target`` is a state: doses add to it, fractions multiply it, log-kill removes it."""


HOOK_KINDS = tuple(k.value for k in HookKind)


@dataclass(frozen=True)
class Hook:
    """A named mechanism a treatment can act on.

    * ``kind="rate"``: ``target`` is a parameter (a rate such as the effector kill rate); a
      treatment scales it over time, ``target * (1 + effect(t))`` for stimulation or
      ``target * (1 - effect(t))`` for inhibition.
    * ``kind="state"``: ``target`` is a state (effector cells, tumour cells, a cytokine); a
      treatment adds to it (infused cells, a bolus), removes from it (resection), or adds a
      first-order loss term ``-effect(t) * target`` (log-kill).

    Names are shared across models (``effector_kill``, ``tumour_growth``, ...), so a regimen
    written once applies to every model that exposes the hooks it uses.
    """

    name: str
    kind: HookKind | Literal["rate", "state"]
    target: str
    meaning: str

    def __post_init__(self) -> None:
        check_name("hook", self.name)
        if self.kind not in HOOK_KINDS:
            raise ModelDefinitionError(
                f"hook {self.name!r}: kind must be one of {list(HOOK_KINDS)}, got {self.kind!r}."
            )
        object.__setattr__(self, "kind", HookKind(self.kind))


class Reduction(StrEnum):
    """How a trajectory is reduced to one reported number."""

    FINAL = "final"
    """The value at the last output time."""
    MAX = "max"
    """The largest value over the output times."""


@dataclass(frozen=True)
class Readout:
    """A quantity a model declares worth reporting: the sum of ``states`` (in their common
    unit), reduced by each of ``reduce``.

    Generic runners (scenarios, robustness) report ``f"{reduction}_{name}"`` for each readout
    of the model (``final_E``, ``max_dormant``) and plot the readouts with ``panel=True``, so no
    code outside the model names its states. ``meaning`` titles the number and its panel.
    """

    name: str
    states: tuple[str, ...]
    meaning: str
    reduce: tuple[Reduction | Literal["final", "max"], ...] = (Reduction.FINAL,)
    panel: bool = False
    log_scale: bool = True

    def __post_init__(self) -> None:
        check_name("readout", self.name)
        states = (self.states,) if isinstance(self.states, str) else tuple(self.states)
        if not states:
            raise ModelDefinitionError(f"readout {self.name!r}: name at least one state.")
        object.__setattr__(self, "states", states)
        kinds = tuple(r.value for r in Reduction)
        bad = [r for r in self.reduce if r not in kinds]
        if bad or not self.reduce:
            raise ModelDefinitionError(
                f"readout {self.name!r}: reduce must be a non-empty list of {list(kinds)}, "
                f"got {list(self.reduce)!r}."
            )
        object.__setattr__(self, "reduce", tuple(Reduction(r) for r in self.reduce))


@dataclass(frozen=True)
class ModelEvent:
    """A discontinuity the model itself declares: when ``trigger`` becomes true, set states.

    ``trigger`` is a condition over states, parameters, inputs, expressions and time ``t``
    (``"t >= 45"``, ``"T < 1"``, ``"(x > 2) & (t > 5)"``; combine with ``&``, ``|`` and ``~``)
    or a sympy relational. The event fires each time the condition goes from false to true
    (an equality ``Eq(t, 20)`` fires when its two sides meet). ``assignments`` maps state names
    to new values, expressions evaluated with the values at the moment the trigger fired
    (``use_values_from_trigger_time``; if false, with the values when the event executes,
    which differ only when several events fire at once). Events firing at the same time execute
    by decreasing ``priority``, then in declaration order; an event that is not ``persistent``
    is dropped if an earlier one made its trigger false. At the first output time an event
    whose trigger is already true fires unless ``initial_value`` is true (the trigger counts as
    having been true before the start). These are the semantics of SBML events without delays.
    """

    name: str
    trigger: Any
    assignments: Mapping[str, Any] = field(default_factory=dict)
    priority: float | None = None
    persistent: bool = True
    initial_value: bool = True
    use_values_from_trigger_time: bool = True

    def __post_init__(self) -> None:
        check_name("event", self.name)
        if not isinstance(self.assignments, Mapping):
            raise ModelDefinitionError(
                f"event {self.name!r}: assignments must be a mapping {{state: expression}}, "
                f"got {self.assignments!r}."
            )
        object.__setattr__(self, "assignments", dict(self.assignments))
        if self.priority is not None:
            _check_value("priority of event", self.name, self.priority, None, None)
            object.__setattr__(self, "priority", float(self.priority))
        for flag in ("persistent", "initial_value", "use_values_from_trigger_time"):
            if not isinstance(getattr(self, flag), bool):
                raise ModelDefinitionError(
                    f"event {self.name!r}: {flag} must be True or False, "
                    f"got {getattr(self, flag)!r}."
                )

"""What a scenario claims beyond its arms' expected labels, written in the scenario file.

A claim is a sentence and the conditions that make it true, each a comparison of the per-arm
metrics that a robustness run records (:mod:`coley.scenario.robustness`)::

    [[claim]]
    text = "memory keeps the residue > 10-fold smaller"
    holds = ["combination_no_memory.final_total >= 1",
             "combination_no_memory.final_total > 10 * combination.final_total"]

A condition is one of

* ``ARM.METRIC OP NUMBER``: an arm's metric against a number;
* ``ARM.METRIC OP [NUMBER *] ARM.METRIC``: against (a multiple of) another metric;
* ``ARM.label in LABEL, LABEL, ...``: the arm's label is one of those listed;

with ``OP`` one of ``<``, ``<=``, ``>`` and ``>=``. The claim holds in a parameter set when
every condition does; a comparison with a missing value (NaN: no remission, say) does not hold.
Conditions are parsed once, when the scenario file is read, into :class:`Comparison` and
:class:`LabelIn` objects.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, cast

import numpy as np
from pydantic import Field, field_validator

from coley.experiment.schema import Strict

#: Per-arm metrics of a robustness run: ``metrics[arm][name][k]`` in parameter set ``k``.
Metrics = Mapping[str, Mapping[str, np.ndarray]]

Op = Literal["<", "<=", ">", ">="]
_OPS: dict[str, Callable[[np.ndarray, np.ndarray | float], np.ndarray]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_TERM = rf"({_NAME})\.({_NAME})"
_COMPARISON = re.compile(
    rf"^\s*{_TERM}\s*(<=|>=|<|>)\s*(?:(?:({_NUMBER})\s*\*\s*)?{_TERM}|({_NUMBER}))\s*$")
_LABEL_IN = re.compile(rf"^\s*({_NAME})\.label\s+in\s+({_NAME}(?:\s*,\s*{_NAME})*)\s*$")

FORMS = ("ARM.METRIC OP NUMBER", "ARM.METRIC OP [NUMBER *] ARM.METRIC",
         "ARM.label in LABEL, LABEL, ...")


@dataclass(frozen=True)
class MetricRef:
    """The metric ``name`` of arm ``arm``."""

    arm: str
    name: str

    def __str__(self) -> str:
        return f"{self.arm}.{self.name}"


@dataclass(frozen=True)
class Comparison:
    """``left OP factor * right`` (``right`` a metric), or ``left OP factor`` (``right`` None)."""

    left: MetricRef
    op: Op
    factor: float
    right: MetricRef | None = None

    @property
    def metrics(self) -> tuple[MetricRef, ...]:
        """The metrics the condition reads."""
        return (self.left,) if self.right is None else (self.left, self.right)

    def evaluate(self, metrics: Metrics) -> np.ndarray:
        """Per parameter set, whether the condition held."""
        left = np.asarray(metrics[self.left.arm][self.left.name], dtype=float)
        right = (self.factor if self.right is None
                 else self.factor * np.asarray(metrics[self.right.arm][self.right.name],
                                               dtype=float))
        with np.errstate(invalid="ignore"):
            return np.asarray(_OPS[self.op](left, right), dtype=bool)


@dataclass(frozen=True)
class LabelIn:
    """The label of arm ``arm`` is one of ``labels``."""

    arm: str
    labels: tuple[str, ...]

    @property
    def metrics(self) -> tuple[MetricRef, ...]:
        """The metrics the condition reads."""
        return (MetricRef(self.arm, "label"),)

    def evaluate(self, metrics: Metrics) -> np.ndarray:
        """Per parameter set, whether the condition held."""
        return np.isin(np.asarray(metrics[self.arm]["label"]), self.labels)


Condition = Comparison | LabelIn


def parse_condition(text: str) -> Condition:
    """The condition written ``text`` (see the module docstring for the forms)."""
    match = _LABEL_IN.match(text)
    if match is not None:
        labels = tuple(x.strip() for x in match.group(2).split(","))
        return LabelIn(match.group(1), labels)
    match = _COMPARISON.match(text)
    if match is None:
        raise ValueError(f"condition {text!r} is not of the form {' or '.join(FORMS)}")
    arm, name, op, factor, right_arm, right_name, number = match.groups()
    left, op = MetricRef(arm, name), cast(Op, op)
    if number is not None:
        return Comparison(left, op, float(number))
    return Comparison(left, op, 1.0 if factor is None else float(factor),
                      MetricRef(right_arm, right_name))


class ClaimSpec(Strict):
    """``[[claim]]``: a sentence the scenario makes true and the conditions that say so."""

    text: str = Field(min_length=1)
    holds: tuple[str, ...] = Field(min_length=1)

    @field_validator("holds")
    @classmethod
    def _parse(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for text in value:
            parse_condition(text)  # a ValueError: pydantic reports it with the path
        return value

    @property
    def conditions(self) -> tuple[Condition, ...]:
        """The parsed conditions."""
        return tuple(parse_condition(t) for t in self.holds)

    @property
    def arms(self) -> tuple[str, ...]:
        """The arms the claim reads, in order of first mention."""
        return tuple(dict.fromkeys(m.arm for c in self.conditions for m in c.metrics))

    def evaluate(self, metrics: Metrics) -> np.ndarray:
        """Per parameter set, whether every condition held."""
        out: np.ndarray | None = None
        for condition in self.conditions:
            ok = condition.evaluate(metrics)
            out = ok if out is None else out & ok
        assert out is not None  # holds has at least one condition
        return out


__all__ = ["ClaimSpec", "Comparison", "Condition", "LabelIn", "MetricRef", "Metrics",
           "parse_condition"]

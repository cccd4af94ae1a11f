"""The errors coley raises on purpose.

Every domain error subclasses a builtin, so ``except ValueError`` still works, and every message
says what was wrong and what to try next. The CLI maps :class:`CoLeyError` subclasses to exit
code 2 (bad input) and prints the message on one line.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class CoLeyError(Exception):
    """Base class of the errors coley raises for bad input."""


class ModelDefinitionError(CoLeyError, ValueError):
    """A model's states, parameters or equations are inconsistent or invalid."""


class UnknownNameError(CoLeyError, KeyError):
    """A model, parameter, state or input name that does not exist."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class InvalidArgumentError(CoLeyError, ValueError):
    """An argument of a public function has a wrong value or type."""


class SimulationError(CoLeyError, RuntimeError):
    """A simulation could not be run at all (not a per-patient failure, which is data)."""


class SBMLError(ModelDefinitionError):
    """An SBML file cannot be read, or uses a construct coley cannot simulate exactly."""


def suggest(name: str, choices: Iterable[str], *, n: int = 3) -> str:
    """A ' Did you mean ...?' hint listing the closest of ``choices`` to ``name`` ('' if none)."""
    options = sorted(set(choices))
    close = difflib.get_close_matches(name, options, n=n, cutoff=0.5)
    if not close:
        lowered = {o.lower(): o for o in options}
        close = [lowered[k] for k in difflib.get_close_matches(name.lower(), list(lowered), n=n)]
    if not close:
        return ""
    return " Did you mean " + " or ".join(repr(c) for c in close) + "?"


def unknown_name(kind: str, name: str, choices: Iterable[str], *,
                 where: str = "") -> UnknownNameError:
    """Build the error for an unknown ``kind`` called ``name``, with the closest valid names."""
    options = sorted(set(choices))
    place = f" in {where}" if where else ""
    listing = ", ".join(options[:20]) + (", ..." if len(options) > 20 else "")
    return UnknownNameError(
        f"unknown {kind} {name!r}{place}.{suggest(name, options)} Valid names: {listing}."
    )

"""The ``problems()`` contract: every file checker returns every problem it finds, one line each
(empty if the file is valid), before anything is simulated; a loader raises them together."""

from __future__ import annotations

from collections.abc import Sequence

from coley.errors import InvalidArgumentError


def problems_error(found: Sequence[str], what: str) -> InvalidArgumentError:
    """The error listing ``found`` (problem lines of a ``what``, e.g. "trial file"): one
    problem is one line, several are listed under a count."""
    if len(found) == 1:
        return InvalidArgumentError(f"invalid {what}: {found[0]}")
    return InvalidArgumentError(f"invalid {what} ({len(found)} problems):\n  "
                                + "\n  ".join(found))


def raise_problems(found: Sequence[str], what: str) -> None:
    """Raise :func:`problems_error` of ``found`` if there are any problems."""
    if found:
        raise problems_error(found, what)


__all__ = ["problems_error", "raise_problems"]

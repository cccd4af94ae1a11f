"""Looking up the arms of a scenario result by name (shared by single-patient and cohort
scenarios)."""

from __future__ import annotations

from typing import Any

from coley.errors import InvalidArgumentError


class ArmLookup:
    """``arm(name)`` and ``labels`` for results holding ``spec`` and named ``arms``."""

    spec: Any
    arms: tuple[Any, ...]

    def arm(self, name: str) -> Any:
        """The arm called ``name``."""
        for a in self.arms:
            if a.name == name:
                return a
        raise InvalidArgumentError(
            f"scenario {self.spec.name!r} has no arm {name!r}; its arms are "
            f"{[a.name for a in self.arms]}."
        )

    @property
    def labels(self) -> dict[str, str]:
        """Classification label per arm (for a cohort: of its median burden)."""
        return {a.name: a.classification.label for a in self.arms}

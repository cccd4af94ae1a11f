"""Provenance of a run, written the same way by every runner: what was run (the resolved spec),
with which seed, by which versions of coley and its numerical libraries, citing what.

A result file that carries this block can be reproduced (same spec, seed and versions give the
same numbers: seeded per-patient streams) and cited (the model's and each modality's sources).
"""

from __future__ import annotations

import platform
from collections.abc import Iterable
from importlib import metadata
from typing import Any

from pydantic import BaseModel

#: Packages whose versions decide the numbers.
PACKAGES = ("coley", "numpy", "scipy", "sympy", "numba", "pandas", "pydantic")


def versions() -> dict[str, str]:
    """Python's and each of :data:`PACKAGES`' installed version."""
    out = {"python": platform.python_version()}
    for pkg in PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:  # pragma: no cover - always installed
            out[pkg] = "not installed"
    return out


def citations(model: Any, modalities: Iterable[str] = ()) -> list[str]:
    """The model's citation, then ``name: source`` of each modality used (sorted)."""
    from coley.treat.catalogue import modality

    return [str(model.citation), *(f"{m}: {modality(m).source}" for m in sorted(set(modalities)))]


def provenance(kind: str, spec: BaseModel, *, seed: int, model: Any,
               modalities: Iterable[str] = ()) -> dict[str, Any]:
    """The provenance block of a ``kind`` run ("trial", "scenario", "fit") of ``spec``."""
    return {"kind": kind, "seed": int(seed), "resolved": spec.model_dump(mode="json"),
            "versions": versions(), "citations": citations(model, modalities)}


__all__ = ["PACKAGES", "citations", "provenance", "versions"]

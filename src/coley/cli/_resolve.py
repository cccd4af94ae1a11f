"""Shared CLI helpers: resolve a model argument and parse NAME=VALUE settings."""

from __future__ import annotations

import os

from coley import library
from coley.errors import InvalidArgumentError
from coley.model.model import Model

#: File name endings taken as SBML files rather than library names.
SBML_SUFFIXES = (".xml", ".sbml")


def is_sbml_path(name: str) -> bool:
    """Whether a model argument names an SBML file (by its ending or a path separator)."""
    return name.lower().endswith(SBML_SUFFIXES) or os.sep in name or "/" in name


def load_model(name: str, variant: str | None = None) -> Model:
    """A library model by name (with its variant option if given), or an SBML file's model."""
    if is_sbml_path(name):
        if variant is not None:
            raise InvalidArgumentError(
                f"--variant applies to library models; {name!r} is an SBML file, drop --variant."
            )
        from coley.sbml import read_sbml

        return read_sbml(name)
    entry = library.entry(name)
    options = {}
    if variant is not None:
        if not entry.options:
            raise InvalidArgumentError(f"model {name!r} has no variants; drop --variant.")
        key = next(iter(entry.options))
        options[key] = variant
    return library.get(name, **options)


def parse_settings(items: list[str]) -> dict[str, float]:
    """``["a=1", "T=1e6"]`` -> ``{"a": 1.0, "T": 1e6}`` with clear errors."""
    out: dict[str, float] = {}
    for item in items:
        if "=" not in item:
            raise InvalidArgumentError(
                f"--set {item!r}: write NAME=VALUE, for example --set c=0.04."
            )
        key, _, text = item.partition("=")
        key = key.strip()
        try:
            out[key] = float(text)
        except ValueError:
            raise InvalidArgumentError(
                f"--set {item!r}: {text!r} is not a number; write NAME=VALUE with a number."
            ) from None
    return out


def settings_for(model: Model, settings: dict[str, float]) -> dict[str, float]:
    """``--set`` values keyed by coley names; a renamed SBML id is accepted for its name."""
    coley_name = {original: name for name, original in model.source_ids.items()}
    return {coley_name.get(k, k) if k not in model.source_ids else k: v
            for k, v in settings.items()}

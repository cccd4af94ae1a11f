"""Shared CLI helpers: resolve a model argument and parse NAME=VALUE settings."""

from __future__ import annotations

from coley import library
from coley.errors import InvalidArgumentError
from coley.model.model import Model


def load_model(name: str, variant: str | None = None) -> Model:
    """A library model by name, with its variant option if given."""
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

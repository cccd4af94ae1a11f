"""The library of published models, each in its own module with its parameters and sources.

``get(name, **options)`` builds a model; ``names()`` lists them. Options are the module's
(``variant`` for de Pillis 2005, ``il2_form`` for Kirschner-Panetta 1998).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from coley.errors import InvalidArgumentError, unknown_name
from coley.library import (
    barros2021,
    bunimovich2007,
    depillis2005,
    kirschner_panetta1998,
    kosinsky2018,
    kuznetsov1994,
    stein2019,
    tumour_size,
)
from coley.library.surveillance import model as surveillance_model
from coley.model.model import Model


@dataclass(frozen=True)
class LibraryEntry:
    """A library model: its name, a one-line summary, its factory and the factory's options."""

    name: str
    summary: str
    factory: Callable[..., Model]
    options: dict[str, tuple[str, ...]]


_ENTRIES: dict[str, LibraryEntry] = {
    e.name: e
    for e in (
        LibraryEntry("kuznetsov1994", "effector cells vs immunogenic tumour (2 states)",
                     kuznetsov1994.model, {}),
        LibraryEntry("kirschner_panetta1998",
                     "effectors, tumour, IL-2; adoptive transfer s1 and IL-2 s2 (3 states)",
                     kirschner_panetta1998.model, {"il2_form": ("paper", "biomodels")}),
        LibraryEntry("depillis2005", "NK cells, CD8+ T cells and tumour (3 states)",
                     depillis2005.model, {"variant": tuple(depillis2005.VARIANTS)}),
        LibraryEntry("bunimovich2007",
                     "BCG, effectors, infected and uninfected bladder tumour cells (4 states)",
                     bunimovich2007.model, {}),
        LibraryEntry("barros2021", "CAR-T effector and memory cells vs tumour, CARTmath (3 states)",
                     barros2021.model, {}),
        LibraryEntry("stein2019",
                     "tisagenlecleucel CAR-T expansion and biphasic decline (2 states, no tumour)",
                     stein2019.model, {}),
        LibraryEntry("tumour_size",
                     "empirical tumour-size models: exponential to Gompertz, Stein-Fojo, "
                     "Claret-Bruno (1-2 states, no immune cells)",
                     tumour_size.model, {"form": tuple(tumour_size.FORMS)}),
        LibraryEntry("kosinsky2018",
                     "radiotherapy and anti-PD-L1: tumour, DNA damage, T cells, PD-L1 (7 states)",
                     kosinsky2018.model, {}),
        LibraryEntry("surveillance",
                     "coley's cancer-immune surveillance model: dormancy, mechanosurveillance, "
                     "editing, relapse (11 states)", surveillance_model, {}),
    )
}


_BUILT_IN = frozenset(_ENTRIES)


def register(name: str, factory: Callable[..., Model], summary: str, *,
             options: dict[str, tuple[str, ...]] | None = None,
             replace: bool = False) -> LibraryEntry:
    """Add a model to the library from your own code: ``get(name)`` then builds it, and trial
    and scenario files can name it.

    ``factory(**options)`` returns a :class:`~coley.model.model.Model`; ``options`` lists each
    option's allowed values. A name already in the library is refused unless ``replace=True``;
    a built-in model can never be replaced.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise InvalidArgumentError(
            f"register: name must be an identifier such as 'my_model', got {name!r}."
        )
    if not callable(factory):
        raise InvalidArgumentError(
            f"register({name!r}): factory must be a function returning a Model, got "
            f"{type(factory).__name__}."
        )
    if name in _BUILT_IN:
        raise InvalidArgumentError(
            f"model {name!r} is built into the library and cannot be replaced; register yours "
            f"under another name (for example {name + '_custom'!r})."
        )
    if name in _ENTRIES and not replace:
        raise InvalidArgumentError(
            f"model {name!r} is already registered; pass replace=True to replace it."
        )
    e = LibraryEntry(name, str(summary), factory, dict(options or {}))
    _ENTRIES[name] = e
    return e


def names() -> list[str]:
    """Names of the library models (built-in, then registered)."""
    return list(_ENTRIES)


def entry(name: str) -> LibraryEntry:
    """The library entry ``name`` (clear error with the closest names if unknown)."""
    if name not in _ENTRIES:
        raise unknown_name("model", name, _ENTRIES, where="the coley library")
    return _ENTRIES[name]


def get(name: str, **options: Any) -> Model:
    """Build library model ``name`` with the given options."""
    e = entry(name)
    for key, value in options.items():
        if key not in e.options:
            allowed = ", ".join(e.options) or "none"
            raise InvalidArgumentError(
                f"model {name!r} has no option {key!r}; its options are: {allowed}."
            )
        if value not in e.options[key]:
            raise InvalidArgumentError(
                f"option {key!r} of model {name!r} must be one of {list(e.options[key])}, "
                f"got {value!r}."
            )
    model = e.factory(**options)
    if not isinstance(model, Model):
        raise InvalidArgumentError(
            f"the factory of library model {name!r} returned {type(model).__name__}, not a "
            "coley Model."
        )
    return model


__all__ = ["LibraryEntry", "entry", "get", "names", "register"]

"""Per-patient random streams: patient ``i`` is the same person whatever the cohort.

Each random quantity of patient ``i`` comes from its own generator,
``numpy.random.default_rng(SeedSequence(seed, spawn_key=(i, stream)))``, with ``stream`` one of
the named :class:`Stream` numbers (parameters 0, toxicity 1, allocation 2). The generator of
patient ``i`` depends only on ``seed``, ``i`` and the stream, never on how many patients are
drawn, in which chunks, or by how many workers (distinct spawn keys give independent streams:
numpy's ``SeedSequence`` documentation, "Parallel random number generation").

A sampler that draws all of a patient's quantities from one stream (the surveillance cohort:
parameters, then host events) uses ``stream=None``: ``SeedSequence(seed, spawn_key=(i,))``,
which is exactly the ``i``-th child of ``SeedSequence(seed).spawn(n)`` for any ``n > i``.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from coley.errors import InvalidArgumentError


class Stream(IntEnum):
    """The named random streams of a patient (their numbers are part of the seed scheme)."""

    PARAMETERS = 0
    TOXICITY = 1
    ALLOCATION = 2


def _whole(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise InvalidArgumentError(f"{name} must be a whole number >= 0, got {value!r}.")
    return int(value)


def patient_seed(seed: int, patient: int, stream: Stream | int | None = None
                 ) -> np.random.SeedSequence:
    """The seed sequence of ``stream`` of global patient ``patient`` (``None``: the patient's
    single stream)."""
    key: tuple[int, ...] = (_whole("patient", patient),)
    if stream is not None:
        key += (_whole("stream", stream),)
    return np.random.SeedSequence(_whole("seed", seed), spawn_key=key)


def patient_rng(seed: int, patient: int, stream: Stream | int | None = None
                ) -> np.random.Generator:
    """The random generator of ``stream`` of global patient ``patient``."""
    return np.random.default_rng(patient_seed(seed, patient, stream))


__all__ = ["Stream", "patient_rng", "patient_seed"]

"""The integer codes shared by the Python side and the compiled kernels, written once.

The generated kernel module receives each member of :class:`Status`, :class:`Action`,
:class:`Change` and :class:`Op` as a constant (``ST_OK``, ``ACT_STOP``, ``DISC_STATE``,
``OP_MUL``, ...; see :func:`coley.solve.codegen.constant_lines`), so the kernels and the results
that read their output cannot disagree; a :class:`Direction` is passed as its sign.
"""

from __future__ import annotations

from enum import IntEnum


class Status(IntEnum):
    """How the integration of one patient (or one stochastic replicate) ended."""

    OK = 0
    STOPPED = 1
    MAX_STEPS = -1
    NONFINITE = -2
    STEP_TOO_SMALL = -3
    SINGULAR = -4
    INVALID_INPUT = -5
    EVENT_LOOP = -6


class Action(IntEnum):
    """What a state event (:class:`~coley.solve.events.Extinction`, ``Threshold``) does."""

    RECORD = 0
    SET = 1
    STOP = 2


class Direction(IntEnum):
    """Which crossings of its threshold a state event detects (the sign is what the kernels
    test)."""

    DOWN = -1
    BOTH = 0
    UP = 1


class Change(IntEnum):
    """What a scheduled discontinuity changes: a state (a jump) or an input (an infusion)."""

    STATE = 0
    INPUT = 1


class Op(IntEnum):
    """How a jump changes its state: add the amount, set it, or multiply by it."""

    ADD = 0
    SET = 1
    MUL = 2

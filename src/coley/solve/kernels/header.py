"""Placeholders for the names the generated model header defines (never part of a kernel).

:func:`coley.solve.codegen.generate_source` writes, for one model, a header with these names
(sizes and flags, the model's numba functions and its events) followed by the source of the
kernel modules. The kernel modules import the names from here only so that each is a valid
module on its own, for ruff and mypy; the generator copies them from their marker line on, so
the imports are not copied and the header's definitions are used instead.

The function signatures are those of the generated code: ``t`` is time (days), ``y`` the states,
``p`` the parameters, ``u`` the inputs; lane versions take (state, lane) arrays of
:data:`LANES` patients side by side.
"""

from __future__ import annotations

import numpy as np

from coley.model.model import TRIGGER_EQ, TRIGGER_GE, TRIGGER_GT
from coley.solve.status import Action, Change, Op, Status

Array = np.ndarray

# ---- sizes and flags of the model
N_STATES = 1
JAC_BLOCK = 0  # > 0: block lower-triangular Jacobian with repeated diagonal blocks (Model)
HAS_TIME = False
LANES = 8

# ---- status codes and kinds (coley.solve.status; emitted by constant_lines())
ST_OK = int(Status.OK)
ST_STOPPED = int(Status.STOPPED)
ST_MAX_STEPS = int(Status.MAX_STEPS)
ST_NONFINITE = int(Status.NONFINITE)
ST_STEP_TOO_SMALL = int(Status.STEP_TOO_SMALL)
ST_SINGULAR = int(Status.SINGULAR)
ST_INVALID_INPUT = int(Status.INVALID_INPUT)
ST_EVENT_LOOP = int(Status.EVENT_LOOP)
ACT_RECORD = int(Action.RECORD)
ACT_SET = int(Action.SET)
ACT_STOP = int(Action.STOP)
DISC_STATE = int(Change.STATE)
DISC_INPUT = int(Change.INPUT)
OP_ADD = int(Op.ADD)
OP_SET = int(Op.SET)
OP_MUL = int(Op.MUL)
MEV_GE = TRIGGER_GE
MEV_GT = TRIGGER_GT
MEV_EQ = TRIGGER_EQ

# ---- model events (see coley.solve.kernels for their semantics)
N_MEVENTS = 0
HAS_MEVENTS = False
MEV_KIND = np.zeros(0, dtype=np.int64)
MEV_TIMEONLY = np.zeros(0, dtype=np.bool_)
MEV_INITIAL = np.zeros(0, dtype=np.bool_)
MEV_PERSISTENT = np.zeros(0, dtype=np.bool_)
MEV_UVFTT = np.zeros(0, dtype=np.bool_)
MEV_ORDER = np.zeros(0, dtype=np.int64)
N_SWITCH = 0
HAS_SWITCH = False


def rhs(t: float, y: Array, p: Array, u: Array, dy: Array) -> None:
    """dy = f(t, y)."""


def jac(t: float, y: Array, p: Array, u: Array, J: Array) -> None:
    """J = df/dy (exact, from sympy)."""


def dfdt(t: float, y: Array, p: Array, u: Array, out: Array) -> None:
    """out = df/dt (the explicit time dependence)."""


def rhs_lanes(TT: Array, Y: Array, P: Array, U: Array, DY: Array) -> None:
    """DY[:, l] = f(TT[l], Y[:, l]) for every lane l."""


def jac_lanes(TT: Array, Y: Array, P: Array, U: Array, J: Array) -> None:
    """J[:, :, l] = df/dy for every lane l."""


def dfdt_lanes(TT: Array, Y: Array, P: Array, U: Array, FT: Array) -> None:
    """FT[:, l] = df/dt for every lane l."""


def mev_g(t: float, y: Array, p: Array, u: Array, g: Array) -> None:
    """The trigger functions g_k of the model events."""


def mev_true(t: float, y: Array, p: Array, u: Array, out: Array) -> None:
    """The truth of each model event's trigger."""


def mev_times(p: Array, out: Array) -> None:
    """The firing time of each event triggered by time alone (NaN for the others)."""


def mev_assign(k: int, t: float, y: Array, p: Array, u: Array, out: Array) -> None:
    """The assignments of event k, evaluated at (t, y), written into out."""


def sw_g(t: float, p: Array, out: Array) -> None:
    """The switch functions of time of the right-hand side."""


# ---- the integration method (defined by its kernel module, e.g. coley.solve.kernels.rodas4)
METHOD_ORDER = 4.0
METHOD_RHS = 5
METHOD_FSAL = False


def method_step(t: float, h: float, y: Array, f0: Array, p: Array, u: Array, J: Array,
                W: Array, piv: Array, ft: Array, k: Array, ytmp: Array, fx: Array, y1: Array,
                f1: Array, err: Array, cont: Array, need_jac: bool, has_time: bool) -> int:
    """One attempted step of the method: y1, err and cont; 0, or 1 for a singular matrix."""
    return 0

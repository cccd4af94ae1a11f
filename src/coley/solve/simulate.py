"""``simulate``: integrate one parameter set or a table of N virtual patients.

The verb joins a :class:`~coley.model.model.Model`, a solver spec, a schedule of jumps and
infusions and a list of state events, and returns a :class:`SimulationResult`. Each patient is
integrated independently with its own adaptive step by compiled code (numba), so results do not
depend on ``workers``; with ``workers > 1`` patients are spread over threads.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from coley.errors import InvalidArgumentError, unknown_name
from coley.model.components import Parameter, State
from coley.model.model import Model
from coley.solve.compile import CompiledModel, compile_model
from coley.solve.events import Event, Extinction, Threshold
from coley.solve.intervention import Intervention, Prepared, prepare
from coley.solve.result import SimulationResult
from coley.solve.schedule import Infusion, Jump
from coley.solve.solvers import AbstractSolver, Rodas4
from coley.solve.status import Action, Change, Direction, Op, Status

ParameterInput = Mapping[str, Any] | Any  # Mapping of scalars/arrays, or a pandas DataFrame


def time_grid(t_end: float | None, saveat: Sequence[float] | np.ndarray | None) -> np.ndarray:
    """The output times (days): ``saveat`` checked, or the daily grid ``0, 1, ..., t_end``."""
    if saveat is not None:
        grid = np.asarray(saveat, dtype=np.float64).ravel()
        if grid.size < 2:
            raise InvalidArgumentError(
                f"saveat must hold at least two times (days), got {grid.size}."
            )
        if not np.all(np.isfinite(grid)):
            raise InvalidArgumentError("saveat contains a non-finite time; give finite days.")
        if np.any(np.diff(grid) <= 0):
            raise InvalidArgumentError("saveat must be strictly increasing (days).")
        if t_end is not None and not math.isclose(grid[-1], t_end):
            raise InvalidArgumentError(
                f"t_end ({t_end}) and the last saveat time ({grid[-1]}) disagree; give one."
            )
        return grid
    if t_end is None:
        raise InvalidArgumentError(
            "give t_end (days) for a daily output grid, or saveat for your own grid."
        )
    if not (isinstance(t_end, int | float) and math.isfinite(t_end) and t_end > 0):
        raise InvalidArgumentError(f"t_end must be a positive number of days, got {t_end!r}.")
    grid = np.arange(0.0, math.floor(t_end) + 1.0)
    if grid[-1] < t_end:
        grid = np.append(grid, float(t_end))
    return grid


def count_patients(parameters: ParameterInput | None) -> int:
    """Number of patients a parameter input describes (1 for None or scalars)."""
    if parameters is None:
        return 1
    if hasattr(parameters, "columns"):
        return len(parameters)
    if isinstance(parameters, Mapping):
        sizes = {np.size(v) for v in parameters.values()} - {1}
        return sizes.pop() if len(sizes) == 1 else 1
    return 1


def patient_table(model: Model, parameters: ParameterInput | None
                  ) -> tuple[np.ndarray, np.ndarray, list[str], bool]:
    """Parameter matrix (N, P), initial states (N, S), per-patient notes, and whether scalar."""
    p0 = model.parameter_values()
    y0 = model.initial_values()
    if parameters is None:
        return p0[None, :].copy(), y0[None, :].copy(), [""], True
    if hasattr(parameters, "to_dict") and hasattr(parameters, "columns"):
        columns = {str(c): np.asarray(parameters[c], dtype=np.float64)
                   for c in parameters.columns}
    elif isinstance(parameters, Mapping):
        columns = {}
        for k, v in parameters.items():
            try:
                columns[str(k)] = np.atleast_1d(np.asarray(v, dtype=np.float64))
            except (TypeError, ValueError):
                raise InvalidArgumentError(
                    f"parameter {k!r}: value {v!r} is not a number or array of numbers."
                ) from None
    else:
        raise InvalidArgumentError(
            "parameters must be a mapping {name: value or array} or a pandas DataFrame with one "
            f"row per patient; got {type(parameters).__name__}."
        )
    lengths = {k: v.size for k, v in columns.items()}
    sizes = {n for n in lengths.values() if n != 1}
    if len(sizes) > 1:
        raise InvalidArgumentError(
            f"parameter columns have different lengths {lengths}; give one value or N values "
            "(one per patient) for each."
        )
    scalar = not sizes and not hasattr(parameters, "columns")
    n = sizes.pop() if sizes else (len(parameters) if hasattr(parameters, "columns") else 1)
    if n == 0:
        raise InvalidArgumentError("the parameter table has no rows (patients).")
    P = np.tile(p0, (n, 1))
    Y = np.tile(y0, (n, 1))
    pnames = model.parameter_names
    snames = model.state_names
    p_at = {name: j for j, name in enumerate(pnames)}
    s_at = {name: j for j, name in enumerate(snames)}
    for key, col in columns.items():
        col = col.ravel()  # size n or 1: assignment broadcasts
        if key in p_at:
            P[:, p_at[key]] = col
        elif key in s_at:
            Y[:, s_at[key]] = col
        else:
            raise unknown_name("parameter or state", key, [*pnames, *snames],
                               where=f"model {model.name!r}")
    # states with initial assignments follow the patients' parameters unless given themselves
    follow = [k for k in model.initial_assignments if k not in columns]
    if follow and any(k in pnames for k in columns):
        for key, col in model.assigned_initial_values(P).items():
            if key in follow:
                Y[:, snames.index(key)] = col
    notes = [""] * n
    checks: list[tuple[np.ndarray, Sequence[Parameter | State], str]] = [
        (P, model.parameters, "parameter"), (Y, model.states, "initial value of"),
    ]
    for matrix, decls, kind in checks:
        lo, hi = _bounds(decls)
        with np.errstate(invalid="ignore"):
            bad_all = ~np.isfinite(matrix) | (matrix < lo) | (matrix > hi)
        if not bad_all.any():
            continue
        for j in np.flatnonzero(bad_all.any(axis=0)):  # one column at a time, as declared
            d = decls[int(j)]
            lower = getattr(d, "lower", None)
            upper = getattr(d, "upper", None)
            col = matrix[:, j]
            for i in np.flatnonzero(bad_all[:, j]):
                bounds = f"[{lower}, {upper}]"
                msg = f"{kind} {d.name!r} = {col[i]} (must be finite, within {bounds})"
                if scalar:
                    raise InvalidArgumentError(f"model {model.name!r}: {msg}.")
                notes[i] = (notes[i] + "; " if notes[i] else "") + msg
    return P, Y, notes, scalar


def _bounds(decls: Sequence[Parameter | State]) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of ``decls`` as arrays (-inf, inf where none)."""
    lo = [getattr(d, "lower", None) for d in decls]
    hi = [getattr(d, "upper", None) for d in decls]
    return (np.array([-np.inf if v is None else v for v in lo], dtype=np.float64),
            np.array([np.inf if v is None else v for v in hi], dtype=np.float64))


def discontinuities(model: Model, schedule: Sequence[Jump | Infusion], n: int,
                    t0: float, t_end: float) -> tuple[np.ndarray, ...]:
    """The schedule as the kernels take it, one row per patient, sorted by time: times, kind
    (:class:`~coley.solve.status.Change`), state or input index, op
    (:class:`~coley.solve.status.Op`) and value."""
    rows: list[tuple[float, int, int, int, np.ndarray]] = []
    for item in schedule:
        if isinstance(item, Jump):
            if item.state not in model.state_names:
                raise unknown_name("state", item.state, model.state_names,
                                   where=f"Jump for model {model.name!r}")
            idx = model.state_names.index(item.state)
            amount = np.asarray(item.amount)
            if amount.size not in (1, n):
                raise InvalidArgumentError(
                    f"Jump({item.state!r}): {amount.size} amounts for {n} patients; give one "
                    "amount or one per patient."
                )
            for t in item.times:  # type: ignore[union-attr]
                if t < t0 or t > t_end:
                    raise InvalidArgumentError(
                        f"Jump({item.state!r}) at t = {t} d is outside the simulated interval "
                        f"[{t0}, {t_end}] d; drop it or extend t_end."
                    )
                rows.append((t, Change.STATE, idx, item.op_code, np.broadcast_to(amount, (n,))))
        elif isinstance(item, Infusion):
            if item.input not in model.input_names:
                raise unknown_name("input", item.input, model.input_names,
                                   where=f"Infusion for model {model.name!r}")
            idx = model.input_names.index(item.input)
            rate = np.asarray(item.rate)
            if rate.size not in (1, n):
                raise InvalidArgumentError(
                    f"Infusion({item.input!r}): {rate.size} rates for {n} patients."
                )
            if item.start < t0 or item.start >= t_end:
                raise InvalidArgumentError(
                    f"Infusion({item.input!r}) starts at {item.start} d, outside [{t0}, {t_end}) "
                    "d; drop it or extend t_end."
                )
            rate = np.broadcast_to(rate, (n,))
            rows.append((item.start, Change.INPUT, idx, Op.ADD, rate))
            if item.stop <= t_end:
                rows.append((item.stop, Change.INPUT, idx, Op.ADD, -rate))
        else:
            raise InvalidArgumentError(
                f"schedule items must be Jump, Bolus or Infusion objects, got {item!r}."
            )
    rows.sort(key=lambda r: r[0])
    d = len(rows)
    times = np.empty((n, d))
    kind = np.empty((n, d), dtype=np.int64)
    index = np.empty((n, d), dtype=np.int64)
    op = np.empty((n, d), dtype=np.int64)
    value = np.empty((n, d))
    for j, (t, k, i, o, v) in enumerate(rows):
        times[:, j] = t
        kind[:, j] = k
        index[:, j] = i
        op[:, j] = o
        value[:, j] = v
    return times, kind, index, op, value


def _event_arrays(model: Model, events: Sequence[Event]
                  ) -> tuple[list[str], tuple[np.ndarray, ...]]:
    names: list[str] = []
    idx, thr, direction, action, value = [], [], [], [], []
    for ev in events:
        if not isinstance(ev, Extinction | Threshold):
            raise InvalidArgumentError(
                f"events must be Extinction or Threshold objects, got {ev!r}."
            )
        if ev.state not in model.state_names:
            raise unknown_name("state", ev.state, model.state_names,
                               where=f"event for model {model.name!r}")
        if ev.name in names:
            raise InvalidArgumentError(f"two events are named {ev.name!r}; give unique names.")
        names.append(ev.name)
        idx.append(model.state_names.index(ev.state))
        if isinstance(ev, Extinction):
            thr.append(ev.threshold)
            direction.append(Direction.DOWN)
            action.append(Action.SET)
            value.append(0.0)
        else:
            thr.append(ev.value)
            direction.append(ev.direction_code)
            action.append(Action.STOP if ev.terminal else Action.RECORD)
            value.append(0.0)
    return names, (np.array(idx, dtype=np.int64), np.array(thr, dtype=np.float64),
                   np.array(direction, dtype=np.int64), np.array(action, dtype=np.int64),
                   np.array(value, dtype=np.float64))


def _run_kernels(compiled: CompiledModel, solver: AbstractSolver, args: tuple[Any, ...],
                 outputs: tuple[np.ndarray, ...], workers: int) -> None:
    """Call the compiled kernel: lanes of patients for a solver with a lane kernel (Rodas4),
    one patient at a time otherwise.

    Every patient is integrated the same way whatever its lane, chunk or thread, so the
    outputs are bitwise identical for any ``workers``. A single patient calls the per-patient
    kernel directly (the only kernel it compiles).
    """
    n = args[1].shape[0]
    lanes = solver.lane_kernel is not None
    if n == 1:
        out, ev_time, info, status = outputs
        row = tuple(a[0] if k in _PER_PATIENT else a for k, a in enumerate(args))
        status[0] = compiled.solve_one(*row, out[0], ev_time[0], info[0])
        return
    if workers == 1 or n < 8:
        if lanes and n >= 8:
            compiled.solve_lanes(*args, *outputs)
        else:
            compiled.solve_serial(*args, *outputs)
        return
    import numba

    previous = numba.get_num_threads()
    numba.set_num_threads(min(workers, int(numba.config.NUMBA_NUM_THREADS)))  # type: ignore[attr-defined]
    try:
        if lanes:
            chunk = int(max(8, min(256, n // (8 * workers))))
            compiled.solve_lanes_parallel(*args, *outputs, chunk)
        else:
            compiled.solve_parallel(*args, *outputs)
    finally:
        numba.set_num_threads(previous)


#: Patients per kernel call when a progress bar is shown.
PROGRESS_CHUNK = 4096
#: Positions of the kernel arguments that hold one row per patient.
_PER_PATIENT = frozenset({1, 2, 3, 4, 5, 6, 7, 8})


def _run_chunked(compiled: CompiledModel, solver: AbstractSolver, args: tuple[Any, ...],
                 outputs: tuple[np.ndarray, ...], workers: int, progress: bool) -> None:
    """Run the kernels in chunks of patients, updating a progress bar after each."""
    n = args[1].shape[0]
    if not progress or n <= PROGRESS_CHUNK:
        _run_kernels(compiled, solver, args, outputs, workers)
        return
    from rich.progress import Progress

    per_patient = _PER_PATIENT
    with Progress(transient=False) as bar:
        task = bar.add_task("simulating patients", total=n)
        for a in range(0, n, PROGRESS_CHUNK):
            b = min(n, a + PROGRESS_CHUNK)
            chunk_args = tuple(x[a:b] if k in per_patient else x for k, x in enumerate(args))
            _run_kernels(compiled, solver, chunk_args, tuple(o[a:b] for o in outputs), workers)
            bar.update(task, completed=b)


#: Largest output array one call may allocate (bytes; ``$COLEY_MAX_OUTPUT_GB`` sets another).
MAX_OUTPUT_BYTES = 8 * 2**30


def check_output_size(n: int, times: int, states: int) -> None:
    """Refuse an output of ``n`` patients x ``times`` x ``states`` float64 values larger than
    :data:`MAX_OUTPUT_BYTES` before allocating it (``t_end=1e9`` would need 15 GiB per state)."""
    env = os.environ.get("COLEY_MAX_OUTPUT_GB")
    try:
        limit = MAX_OUTPUT_BYTES if env is None else float(env) * 2**30
    except ValueError:
        raise InvalidArgumentError(f"$COLEY_MAX_OUTPUT_GB must be a number of gigabytes, got "
                                   f"{env!r}.") from None
    need = 8.0 * n * times * states
    if need > limit:
        raise InvalidArgumentError(
            f"simulate: the output would be {n:,} patients x {times:,} times x {states} states "
            f"= {need / 2**30:,.1f} GiB, more than the {limit / 2**30:g} GiB limit; save fewer "
            "times (saveat=[...] instead of a daily grid), simulate fewer patients per call, or "
            "raise the limit with COLEY_MAX_OUTPUT_GB.")


def simulate(
    model: Model,
    parameters: ParameterInput | None = None,
    *,
    t_end: float | None = None,
    saveat: Sequence[float] | np.ndarray | None = None,
    solver: AbstractSolver | None = None,
    schedule: Sequence[Jump | Infusion] = (),
    events: Sequence[Event] = (),
    workers: int = 1,
    progress: bool = False,
    treatment: Intervention | None = None,
) -> SimulationResult:
    """Integrate ``model`` for one patient or a batch of patients.

    Parameters
    ----------
    model:
        The model; its declared values are the defaults.
    parameters:
        ``None`` (the defaults), a mapping ``{name: value}`` (one patient) or ``{name: array}``
        (N patients), or a DataFrame with one row per patient. Names are parameters or states
        (initial values); names not given keep their defaults.
    t_end, saveat:
        Output on a daily grid ``0, 1, ..., t_end`` days, or on ``saveat`` (days, increasing).
        Integration starts at the first output time.
    solver:
        :class:`~coley.solve.solvers.Rodas4` (default, stiff) or
        :class:`~coley.solve.solvers.Dopri5`.
    schedule:
        :class:`~coley.solve.schedule.Jump` (bolus, resection) and
        :class:`~coley.solve.schedule.Infusion` items.
    events:
        :class:`~coley.solve.events.Extinction` and :class:`~coley.solve.events.Threshold`.
    workers:
        Threads to use (>= 1). Results are identical for any value.
    treatment:
        An :class:`~coley.solve.intervention.Intervention`, e.g. a
        :class:`~coley.treat.regimen.Regimen` or ``coley.Treatment([...], covariates=...)``,
        applied through the model's hooks before integrating; the treated model's extra states
        (PK, toxicity hazards) appear in the result and ``result.treatment`` keeps what it
        prepared (its toxicity outputs, for regimens).
    progress:
        Show a progress bar (patients done) on stderr; patients are run in chunks of
        ``PROGRESS_CHUNK``, which does not change any result.

    Returns
    -------
    SimulationResult
        Patients whose integration failed are marked in ``status`` with a reason in
        ``messages``; the others are complete. One warning reports the number of failures.
    """
    if not isinstance(model, Model):
        raise InvalidArgumentError(
            f"model must be a coley Model (see coley.library.get), got {type(model).__name__}."
        )
    solver = Rodas4() if solver is None else solver
    if not isinstance(solver, AbstractSolver):
        raise InvalidArgumentError(
            f"solver must be a solver object such as Rodas4() or Dopri5(), got {solver!r}."
        )
    if not (isinstance(workers, int) and workers >= 1):
        raise InvalidArgumentError(f"workers must be an int >= 1, got {workers!r}.")
    if saveat is None and isinstance(t_end, int | float) and math.isfinite(t_end):
        check_output_size(1, math.floor(max(t_end, 0.0)) + 1, len(model.states))
    grid = time_grid(t_end, saveat)
    prepared: Prepared | None = None
    if treatment is not None:
        prepared = prepare(treatment, model, n=count_patients(parameters),
                           t_end=float(grid[-1]))
        model = prepared.model
        schedule = [*schedule, *prepared.schedule]
    P, Y, notes, _ = patient_table(model, parameters)
    n = P.shape[0]
    disc = discontinuities(model, schedule, n, float(grid[0]), float(grid[-1]))
    event_names, ev = _event_arrays(model, events)
    n_states = len(model.states)
    atol = np.broadcast_to(np.asarray(solver.atol, dtype=np.float64), (n_states,)).copy() \
        if not isinstance(solver.atol, tuple) or len(solver.atol) in (1, n_states) else None
    if atol is None:
        raise InvalidArgumentError(
            f"solver atol has {len(solver.atol)} entries; give one or one per state "  # type: ignore[arg-type]
            f"({n_states})."
        )
    invalid = np.array([bool(s) for s in notes])
    run = np.flatnonzero(~invalid)
    K = grid.size
    check_output_size(n, K, n_states)
    everyone = run.size == n
    # Kernels fill every row they run; rows of invalid patients stay NaN.
    out = np.empty((n, K, n_states)) if everyone else np.full((n, K, n_states), np.nan)
    ev_time = np.full((n, len(event_names)), np.nan)
    info = np.zeros((n, 4 + n_states))
    info[:, 4:] = np.nan  # end state; stays NaN for patients that never ran
    status = np.full(n, Status.INVALID_INPUT, dtype=np.int64)
    if run.size:
        compiled = compile_model(model, solver)
        sub = run if not everyone else slice(None)
        u0 = np.zeros((run.size, len(model.inputs)))
        args = (
            grid, np.ascontiguousarray(Y[sub]), np.ascontiguousarray(P[sub]),
            u0, *(np.ascontiguousarray(a[sub]) for a in disc), *ev,
            float(solver.rtol), atol, float(solver.first_step or 0.0), float(solver.max_step),
            int(solver.max_steps),
        )
        if everyone:
            _run_chunked(compiled, solver, args, (out, ev_time, info, status), workers,
                         progress)
        else:
            o = np.empty((run.size, K, n_states))
            e = np.empty((run.size, len(event_names)))
            inf = np.zeros((run.size, 4 + n_states))
            st = np.empty(run.size, dtype=np.int64)
            _run_chunked(compiled, solver, args, (o, e, inf, st), workers, progress)
            out[sub] = o
            ev_time[sub] = e
            info[sub] = inf
            status[sub] = st
    n_failed = int(np.sum(status < 0))
    if n_failed:
        warnings.warn(
            f"{n_failed} of {n} patient(s) failed; see result.status and result.messages.",
            RuntimeWarning, stacklevel=2,
        )
    return SimulationResult(
        model_name=model.name, time=grid, state_names=model.state_names, values=out,
        parameter_names=model.parameter_names, parameters=P, status=status,
        stop_time=info[:, 3], end_state=info[:, 4:], event_names=tuple(event_names),
        event_times=ev_time, steps=info[:, :3], notes=tuple(notes), treatment=prepared,
    )

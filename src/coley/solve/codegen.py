"""Generate the numba source of one model for one solver: the model header and the kernels.

The header holds the model's sizes, the status codes and kinds of :mod:`coley.solve.status`,
the right-hand side, the exact Jacobian and the time derivative (each with common
subexpressions eliminated by sympy, and in a lane version over LANES patients), and the model's
events (trigger functions, firing times, assignments). The kernel modules of
:mod:`coley.solve.kernels` follow it, each from its marker line on: the shared helpers, the
solver's method (:attr:`~coley.solve.solvers.AbstractSolver.kernel`), the drivers, the
solver's lane kernel if it has one, and the Newton iteration for equilibria. Their names are the
placeholders of :mod:`coley.solve.kernels.header`, which the header defines.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from coley.errors import InvalidArgumentError
from coley.model.components import ModelEvent
from coley.model.model import TIME, TRIGGER_EQ, TRIGGER_GE, TRIGGER_GT, EventCode
from coley.solve.status import Action, Change, Op, Status

if TYPE_CHECKING:
    from coley.model.model import Model
    from coley.solve.solvers import AbstractSolver

KERNELS = Path(__file__).resolve().parent / "kernels"
#: The line of a kernel module after which its source is copied into the generated module.
MARKER = "# ---------------------------------------------------------------------- KERNEL SOURCE"
#: Patients integrated side by side by a lane kernel.
LANES = 8


class _Printer(PythonCodePrinter):
    """Python printer whose floats round-trip exactly and whose powers stay numba-friendly."""

    def _print_Float(self, expr: sp.Float) -> str:
        return repr(float(expr))

    def _print_Rational(self, expr: sp.Rational) -> str:
        return repr(float(expr))

    def _print_Half(self, expr: sp.Rational) -> str:
        return "0.5"

    def _print_Integer(self, expr: sp.Integer) -> str:
        return f"{int(expr)}.0"

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base, exp = expr.as_base_exp()
        b = self.parenthesize(base, 1000)
        if exp.is_Integer:
            e = int(exp)
            if e == -1:
                return f"(1.0/{b})"
            if 0 < e <= 4:
                return "(" + "*".join([b] * e) + ")"
            if -4 <= e < 0:
                return "(1.0/(" + "*".join([b] * (-e)) + "))"
            return f"({b}**{e})"
        if exp == sp.Rational(1, 2):
            return f"math.sqrt({self._print(base)})"
        if exp == -sp.Rational(1, 2):
            return f"(1.0/math.sqrt({self._print(base)}))"
        return f"({b}**{self.parenthesize(exp, 1000)})"

    def _print_sign(self, expr: sp.Expr) -> str:
        a = self._print(expr.args[0])
        return f"(0.0 if {a} == 0.0 else math.copysign(1.0, {a}))"

    def _print_DiracDelta(self, expr: sp.Expr) -> str:
        # the derivative of a step (a Jacobian of Max, Abs or Heaviside terms): zero except
        # on the switching surface, which the integrator steps across
        return "0.0"

    def _print_Heaviside(self, expr: sp.Expr) -> str:
        a = self._print(expr.args[0])
        return f"(1.0 if {a} > 0.0 else (0.5 if {a} == 0.0 else 0.0))"


def _printer() -> _Printer:
    return _Printer({"fully_qualified_modules": True, "standard": "python3"})


def body(model: Model, targets: list[tuple[str, sp.Expr]], indent: str = "    ") -> list[str]:
    """Lines unpacking y/p/u, the CSE temporaries and the target assignments."""
    printer = _printer()
    # User names are mangled (v_NAME) so they never clash with y, p, u, math, ...
    mangle = {sym: sp.Symbol(f"v_{name}", real=True) for name, sym in model.symbols.items()}
    exprs = [e.xreplace(mangle) for _, e in targets]
    used = set().union(*(e.free_symbols for e in exprs)) if exprs else set()
    lines: list[str] = []
    for vector, names in (("y", model.state_names), ("p", model.parameter_names),
                          ("u", model.input_names)):
        for i, name in enumerate(names):
            if mangle[model.symbols[name]] in used:
                lines.append(f"{indent}v_{name} = {vector}[{i}]")
    gen = (sp.Symbol(f"_x{i}") for i in range(10**9))
    replacements, reduced = sp.cse(exprs, symbols=gen, optimizations="basic")
    for sym, expr in replacements:
        lines.append(f"{indent}{sym} = {printer.doprint(expr)}")
    for (target, _), expr in zip(targets, reduced, strict=True):
        lines.append(f"{indent}{target} = {printer.doprint(expr)}")
    return lines


def body_lanes(model: Model, targets: list[tuple[str, sp.Expr]]) -> list[str]:
    """Like :func:`body` for the lane kernels: a loop over LANES patients held side by side.

    States are ``Y[i, l]``, parameters ``P[k, l]``, inputs ``U[k, l]`` and time ``TT[l]``, so
    consecutive lanes are adjacent in memory and their independent chains overlap in the CPU.
    """
    inner = body(model, targets, indent="        ")
    out = ["    for l in range(LANES):", "        t = TT[l]"]
    for line in inner:
        stripped = line.strip()
        for vector, big in (("y", "Y"), ("p", "P"), ("u", "U")):
            prefix = f"= {vector}["
            if prefix in stripped and stripped.startswith("v_") and stripped.endswith("]"):
                name, _, idx = stripped.partition(prefix)
                line = f"        {name}= {big}[{idx[:-1]}, l]"
                break
        out.append(line)
    return out


def event_source(model: Model) -> list[str]:
    """Constants and functions of the model's events (stubs when it has none).

    The right-hand side's time breakpoints (:attr:`Model.breakpoints`) are added as events at
    those times that assign nothing: the kernels then stop exactly at each.
    """
    events = list(model.event_code) + [
        EventCode(f"breakpoint_{k}", TIME - c, TRIGGER_GE, c, [], sp.Ge(TIME, c))
        for k, c in enumerate(model.breakpoints)
    ]
    m = len(events)
    decl = list(model.events) + [ModelEvent(f"breakpoint_{k}", True)
                                 for k in range(len(model.breakpoints))]
    # execution order of simultaneous events: decreasing priority, then declaration order
    def priority(k: int) -> float:
        value = decl[k].priority
        return -math.inf if value is None else value

    order = sorted(range(m), key=lambda k: (-priority(k), k))

    def array(values: list[Any], dtype: str) -> str:
        return f"np.array({list(values)!r}, dtype=np.{dtype})"

    lines = [
        f"N_MEVENTS = {m}",
        f"HAS_MEVENTS = {m > 0}",
        f"MEV_KIND = {array([e.kind for e in events], 'int64')}",
        f"MEV_TIMEONLY = {array([e.time is not None for e in events], 'bool_')}",
        f"MEV_INITIAL = {array([bool(d.initial_value) for d in decl], 'bool_')}",
        f"MEV_PERSISTENT = {array([bool(d.persistent) for d in decl], 'bool_')}",
        f"MEV_UVFTT = {array([bool(d.use_values_from_trigger_time) for d in decl], 'bool_')}",
        f"MEV_ORDER = {array(order, 'int64')}",
        "",
        "",
        "@njit(cache=True, nogil=True, error_model='numpy')",
        "def mev_g(t, y, p, u, g):",
        *body(model, [(f"g[{k}]", e.g) for k, e in enumerate(events)]),
        "    return",
        "",
        "",
        "@njit(cache=True, nogil=True, error_model='numpy')",
        "def mev_true(t, y, p, u, out):",
        *body(model, [(f"out[{k}]", e.condition) for k, e in enumerate(events)]),
        "    return",
        "",
        "",
        "@njit(cache=True, nogil=True, error_model='numpy')",
        "def mev_times(p, out):",
        *body(model, [(f"out[{k}]", e.time) for k, e in enumerate(events)
                       if e.time is not None]),
        *[f"    out[{k}] = math.nan" for k, e in enumerate(events) if e.time is None],
        "    return",
        "",
        "",
        "@njit(cache=True, nogil=True, error_model='numpy')",
        "def mev_assign(k, t, y, p, u, out):",
    ]
    for k, e in enumerate(events):
        lines.append(f"    {'if' if k == 0 else 'elif'} k == {k}:")
        lines += body(model, [(f"out[{i}]", v) for i, v in e.assignments], indent="        ")
        lines.append("        return")
    lines += ["    return", "", ""]
    switches = model.switch_functions
    lines += [
        f"N_SWITCH = {len(switches)}",
        f"HAS_SWITCH = {bool(switches)}",
        "",
        "",
        "@njit(cache=True, nogil=True, error_model='numpy')",
        "def sw_g(t, p, out):",
        *body(model, [(f"out[{k}]", g) for k, g in enumerate(switches)]),
        "    return",
        "",
        "",
    ]
    return lines


def constant_lines() -> list[str]:
    """The integer codes of :mod:`coley.solve.status` and the trigger kinds, as constants."""
    lines = [f"ST_{s.name} = {int(s)}" for s in Status]
    lines += [f"ACT_{a.name} = {int(a)}" for a in Action]
    lines += [f"DISC_{c.name} = {int(c)}" for c in Change]
    lines += [f"OP_{o.name} = {int(o)}" for o in Op]
    lines += [f"MEV_GE = {TRIGGER_GE}", f"MEV_GT = {TRIGGER_GT}", f"MEV_EQ = {TRIGGER_EQ}"]
    return lines


def kernel_path(name: str) -> Path:
    """The file of kernel module ``name``: one of :mod:`coley.solve.kernels`, else a module of
    that (dotted) name importable from your own code (a solver added outside coley)."""
    local = KERNELS / f"{name}.py"
    if local.is_file():
        return local
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        raise InvalidArgumentError(
            f"kernel module {name!r} is neither one of coley.solve.kernels nor an importable "
            "Python module; name its module (on sys.path) in the solver's kernel.")
    return Path(spec.origin)


def kernel_source(name: str) -> str:
    """The source of kernel module ``name`` (see :func:`kernel_path`) after its marker line."""
    text = kernel_path(name).read_text(encoding="utf-8")
    _, found, after = text.partition(MARKER + "\n")
    if not found:
        raise InvalidArgumentError(f"kernel module {name!r} has no marker line {MARKER!r}; "
                                   "put it after the module's imports.")
    where = f"coley.solve.kernels.{name}" if (KERNELS / f"{name}.py").is_file() else name
    return f"# ---- {where}\n" + after


def kernel_modules(solver: AbstractSolver) -> list[str]:
    """The kernel modules of ``solver``'s generated code, in the order they are written."""
    lanes = [solver.lane_kernel] if solver.lane_kernel else []
    return ["common", solver.kernel, "drivers", *lanes, "newton"]


def _block_copies(nb: int, n: int, *, lanes: bool) -> list[str]:
    """Lines copying the base block of a block-structured Jacobian (:attr:`Model.
    jacobian_block`) onto its diagonal blocks; the entries off the first block column and the
    diagonal stay zero (the kernels allocate J zeroed)."""
    if not nb:
        return []
    index = ", l" if lanes else ""
    lines = ["    for l in range(LANES):"] if lanes else []
    pad = "        " if lanes else "    "
    lines += [f"{pad}for b_ in range({nb}, {n}, {nb}):",
              f"{pad}    for i_ in range({nb}):",
              f"{pad}        for k_ in range({nb}):",
              f"{pad}            J[b_ + i_, b_ + k_{index}] = J[i_, k_{index}]"]
    return lines


def generate_source(model: Model, solver: AbstractSolver) -> str:
    """The full source of the compiled module for ``model`` and ``solver``: the model header
    followed by the solver's kernel modules."""
    n = len(model.states)
    nb = model.jacobian_block
    if nb:  # the first block of columns; the diagonal blocks are copied in the kernel
        first = model.block_jacobian
        jac_targets = [(i, j, first[i, j]) for i in range(n) for j in range(nb)]
    else:
        full = model.jacobian
        jac_targets = [(i, j, full[i, j]) for i in range(n) for j in range(n)]
    time_derivs = [sp.diff(e, TIME) for e in model.rhs]
    header = [
        f"# Generated by coley for model {model.name!r} and {type(solver).__name__}. Do not edit: "
        "regenerated on change.",
        "import math",
        "import numpy as np",
        "from numba import njit, prange",
        "",
        f"N_STATES = {n}",
        f"JAC_BLOCK = {nb}",
        f"HAS_TIME = {bool(model.uses_time)}",
        f"LANES = {LANES}",
        *constant_lines(),
        *event_source(model),
        "",
        "",
        "@njit(cache=True, nogil=True, error_model='numpy')",
        "def rhs(t, y, p, u, dy):",
        *body(model, [(f"dy[{i}]", e) for i, e in enumerate(model.rhs)]),
        "",
        "",
        "@njit(cache=True, nogil=True, error_model='numpy')",
        "def jac(t, y, p, u, J):",
        *body(model, [(f"J[{i}, {j}]", e) for i, j, e in jac_targets]),
        *_block_copies(nb, n, lanes=False),
        "",
        "",
        "@njit(cache=True, nogil=True, error_model='numpy')",
        "def dfdt(t, y, p, u, out):",
        *body(model, [(f"out[{i}]", e) for i, e in enumerate(time_derivs)]),
        "",
        "",
        "@njit(cache=True, nogil=True, error_model='numpy')",
        "def rhs_lanes(TT, Y, P, U, DY):",
        *body_lanes(model, [(f"DY[{i}, l]", e) for i, e in enumerate(model.rhs)]),
        "",
        "",
        "@njit(cache=True, nogil=True, error_model='numpy')",
        "def jac_lanes(TT, Y, P, U, J):",
        *body_lanes(model, [(f"J[{i}, {j}, l]", e) for i, j, e in jac_targets]),
        *_block_copies(nb, n, lanes=True),
        "",
        "",
        "@njit(cache=True, nogil=True, error_model='numpy')",
        "def dfdt_lanes(TT, Y, P, U, FT):",
        *body_lanes(model, [(f"FT[{i}, l]", e) for i, e in enumerate(time_derivs)]),
        "",
        "",
    ]
    kernels = "\n\n".join(kernel_source(name) for name in kernel_modules(solver))
    return "\n".join(header) + kernels

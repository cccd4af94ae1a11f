"""Generate, compile and cache fast numba code for a model.

For each model and integration method coley writes one Python module: the right-hand side, the
exact Jacobian and the time derivative (each with common subexpressions eliminated by sympy),
the model's events (trigger functions, firing times, assignments), followed by the solver
kernels of :mod:`coley.solve._template`; the method is a module constant, so numba compiles
only that method's code. The file is named by a hash of its content and kept in
the cache folder (``$COLEY_CACHE_DIR``, else ``$XDG_CACHE_HOME/coley``, else ``~/.cache/coley``),
so numba's own on-disk cache (``cache=True``) makes the second run of a model start in well
under a second instead of compiling again.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from coley.model.components import ModelEvent
from coley.model.model import TIME, TRIGGER_GE, EventCode

if TYPE_CHECKING:
    from coley.model.model import Model

_TEMPLATE = Path(__file__).resolve().parent.parent / "solve" / "_template.py"
_LOCK = threading.Lock()
_LOADED: dict[str, CompiledModel] = {}


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

    def _print_Heaviside(self, expr: sp.Expr) -> str:
        a = self._print(expr.args[0])
        return f"(1.0 if {a} > 0.0 else (0.5 if {a} == 0.0 else 0.0))"


def _printer() -> _Printer:
    return _Printer({"fully_qualified_modules": True, "standard": "python3"})


def _body(model: Model, targets: list[tuple[str, sp.Expr]], indent: str = "    ") -> list[str]:
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


def _body_lanes(model: Model, targets: list[tuple[str, sp.Expr]]) -> list[str]:
    """Like :func:`_body` for the lane kernels: a loop over LANES patients held side by side.

    States are ``Y[i, l]``, parameters ``P[k, l]``, inputs ``U[k, l]`` and time ``TT[l]``, so
    consecutive lanes are adjacent in memory and their independent chains overlap in the CPU.
    """
    inner = _body(model, targets, indent="        ")
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


def _event_source(model: Model) -> list[str]:
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
        *_body(model, [(f"g[{k}]", e.g) for k, e in enumerate(events)]),
        "    return",
        "",
        "",
        "@njit(cache=True, nogil=True, error_model='numpy')",
        "def mev_true(t, y, p, u, out):",
        *_body(model, [(f"out[{k}]", e.condition) for k, e in enumerate(events)]),
        "    return",
        "",
        "",
        "@njit(cache=True, nogil=True, error_model='numpy')",
        "def mev_times(p, out):",
        *_body(model, [(f"out[{k}]", e.time) for k, e in enumerate(events)
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
        lines += _body(model, [(f"out[{i}]", v) for i, v in e.assignments], indent="        ")
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
        *_body(model, [(f"out[{k}]", g) for k, g in enumerate(switches)]),
        "    return",
        "",
        "",
    ]
    return lines


def generate_source(model: Model, method: int = 0) -> str:
    """The full source of the compiled module for ``model`` and ``method`` (model code + solver
    template); ``method`` is a solver's ``method_id`` (0 Rodas4, 1 Dopri5)."""
    n = len(model.states)
    jac = model.jacobian
    time_derivs = [sp.diff(e, TIME) for e in model.rhs]
    header = [
        f"# Generated by coley for model {model.name!r}. Do not edit: regenerated on change.",
        "import math",
        "import numpy as np",
        "from numba import njit, prange",
        "",
        f"N_STATES = {n}",
        f"HAS_TIME = {bool(model.uses_time)}",
        "LANES = 8",
        f"METHOD = {int(method)}",
        *_event_source(model),
        "",
        "",
        "@njit(cache=True, nogil=True, error_model='numpy')",
        "def rhs(t, y, p, u, dy):",
        *_body(model, [(f"dy[{i}]", e) for i, e in enumerate(model.rhs)]),
        "",
        "",
        "@njit(cache=True, nogil=True, error_model='numpy')",
        "def jac(t, y, p, u, J):",
        *_body(model, [(f"J[{i}, {j}]", jac[i, j]) for i in range(n) for j in range(n)]),
        "",
        "",
        "@njit(cache=True, nogil=True, error_model='numpy')",
        "def dfdt(t, y, p, u, out):",
        *_body(model, [(f"out[{i}]", e) for i, e in enumerate(time_derivs)]),
        "",
        "",
        "@njit(cache=True, nogil=True, error_model='numpy')",
        "def rhs_lanes(TT, Y, P, U, DY):",
        *_body_lanes(model, [(f"DY[{i}, l]", e) for i, e in enumerate(model.rhs)]),
        "",
        "",
        "@njit(cache=True, nogil=True, error_model='numpy')",
        "def jac_lanes(TT, Y, P, U, J):",
        *_body_lanes(model, [(f"J[{i}, {j}, l]", jac[i, j]) for i in range(n) for j in range(n)]),
        "",
        "",
        "@njit(cache=True, nogil=True, error_model='numpy')",
        "def dfdt_lanes(TT, Y, P, U, FT):",
        *_body_lanes(model, [(f"FT[{i}, l]", e) for i, e in enumerate(time_derivs)]),
        "",
        "",
    ]
    return "\n".join(header) + _TEMPLATE.read_text()


def cache_dir() -> Path:
    """Folder holding generated modules and numba's compiled cache."""
    env = os.environ.get("COLEY_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "coley"


@dataclass(frozen=True)
class CompiledModel:
    """The generated module of a model: ``rhs``, ``jac``, ``dfdt`` and the solver kernels."""

    model_name: str
    key: str
    path: Path
    module: ModuleType

    def __getattr__(self, name: str) -> Any:
        return getattr(self.module, name)


def load_source(source: str, file_stem: str, module_name: str) -> tuple[ModuleType, Path]:
    """Write generated ``source`` to the kernel cache as ``file_stem.py`` (atomically, only if
    it changed, so numba's on-disk cache stays valid) and import it as ``module_name``."""
    folder = cache_dir() / "kernels"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{file_stem}.py"
    if not path.exists() or path.read_text() != source:
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(source)
        os.replace(tmp, path)
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:  # pragma: no cover - importlib contract
        raise ImportError(f"cannot load generated module {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module, path


def compile_model(model: Model, method: int = 0) -> CompiledModel:
    """Generate (or reuse) the module for ``model`` and ``method`` and import it; numba compiles
    lazily, each kernel on its first call."""
    # Generating the source (CSE of the Jacobian) costs ~1 s for a treated model; a model
    # rebuilt with the same structure (a trial builds one per chunk) reuses the loaded module.
    structure = hashlib.sha256(repr((
        model.name, model.state_names, model.parameter_names,
        tuple(i.name for i in model.inputs), tuple(sp.srepr(e) for e in model.rhs),
        repr(model.events), method,
    )).encode()).hexdigest()
    with _LOCK:
        if structure in _LOADED:
            return _LOADED[structure]
    source = generate_source(model, method)
    key = hashlib.sha256(source.encode()).hexdigest()[:20]
    with _LOCK:
        if key in _LOADED:
            _LOADED[structure] = _LOADED[key]
            return _LOADED[key]
        module, path = load_source(source, f"coley_{model.name}_{key}",
                                   f"coley_kernels_{model.name}_{key}")
        compiled = CompiledModel(model.name, key, path, module)
        _LOADED[key] = compiled
        _LOADED[structure] = compiled
        return compiled

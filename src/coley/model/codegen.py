"""Generate, compile and cache fast numba code for a model.

For each model coley writes one Python module: the right-hand side, the exact Jacobian and the
time derivative (each with common subexpressions eliminated by sympy), followed by the solver
kernels of :mod:`coley.solve._template`. The file is named by a hash of its content and kept in
the cache folder (``$COLEY_CACHE_DIR``, else ``$XDG_CACHE_HOME/coley``, else ``~/.cache/coley``),
so numba's own on-disk cache (``cache=True``) makes the second run of a model start in well
under a second instead of compiling again.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from coley.model.model import TIME

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


def generate_source(model: Model) -> str:
    """The full source of the compiled module for ``model`` (model code + solver template)."""
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


def compile_model(model: Model) -> CompiledModel:
    """Generate (or reuse) the module for ``model`` and import it; numba compiles lazily."""
    source = generate_source(model)
    key = hashlib.sha256(source.encode()).hexdigest()[:20]
    with _LOCK:
        if key in _LOADED:
            return _LOADED[key]
        folder = cache_dir() / "kernels"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"coley_{model.name}_{key}.py"
        if not path.exists() or path.read_text() != source:
            tmp = path.with_suffix(f".tmp{os.getpid()}")
            tmp.write_text(source)
            os.replace(tmp, path)
        modname = f"coley_kernels_{model.name}_{key}"
        spec = importlib.util.spec_from_file_location(modname, path)
        if spec is None or spec.loader is None:  # pragma: no cover - importlib contract
            raise ImportError(f"cannot load generated module {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[modname] = module
        spec.loader.exec_module(module)
        compiled = CompiledModel(model.name, key, path, module)
        _LOADED[key] = compiled
        return compiled

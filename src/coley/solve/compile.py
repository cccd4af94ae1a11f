"""Compile a model for a solver, once: the one cache of generated kernel modules.

:func:`compile_model` generates the numba module of a model and a solver
(:func:`coley.solve.codegen.generate_source`), writes it to the cache folder
(``$COLEY_CACHE_DIR``, else ``$XDG_CACHE_HOME/coley``, else ``~/.cache/coley``) under
``kernels/``, named by a hash of its content and rewritten only when that changes, and imports
it. numba's own on-disk cache (``cache=True``) then makes the second session that uses a model
start without compiling. numba compiles each kernel lazily, on its first call.

Everything generated is kept in one :class:`CompileCache` (:data:`CACHE`): per model object
(a model used again costs a dictionary look-up), per model structure (a model rebuilt with the
same equations, as a trial does per chunk, reuses the module without generating it again) and
per content. Other code generators (the stochastic simulator) keep their modules in it too, under
their own keys.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import threading
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

import sympy as sp

from coley.errors import InvalidArgumentError
from coley.solve.codegen import generate_source
from coley.solve.solvers import AbstractSolver, Rodas4

if TYPE_CHECKING:
    from coley.model.model import Model

T = TypeVar("T")


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
    """The generated module of a model and a solver: ``rhs``, ``jac``, ``dfdt``, the drivers
    (``solve_one``, ``solve_serial``, ``solve_parallel``), the lane kernels of solvers that
    have them (``solve_lanes``, ``solve_lanes_parallel``) and ``newton_batch``."""

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


def model_structure(model: Model) -> str:
    """A hash of what generated code depends on: names, equations and events of ``model``
    (not its parameter values)."""
    return hashlib.sha256(repr((
        model.name, model.state_names, model.parameter_names,
        tuple(i.name for i in model.inputs), tuple(sp.srepr(e) for e in model.rhs),
        repr(model.events), model.jacobian_block,
    )).encode()).hexdigest()


class CompileCache:
    """Generated modules and what they are built from, by key, safe to share between threads.

    :meth:`shared` holds values by a key of their own (a structure or a content hash);
    :meth:`per_model` holds values by a model object, for as long as that object lives.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._shared: dict[Hashable, Any] = {}
        self._models: dict[int, dict[Hashable, Any]] = {}

    def shared(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value under ``key``, built (under the lock, so once) on first use."""
        with self._lock:
            if key not in self._shared:
                self._shared[key] = build()
            value: T = self._shared[key]
            return value

    def lookup(self, key: Hashable) -> Any:
        """The value under ``key``, or None."""
        with self._lock:
            return self._shared.get(key)

    def per_model(self, model: Model, key: Hashable, build: Callable[[], T]) -> T:
        """The value of ``key`` for this model object; ``build`` runs outside the lock (it may
        take a while) and the value is dropped when the model is."""
        with self._lock:
            values = self._models.get(id(model))
            if values is not None and key in values:
                hit: T = values[key]
                return hit
        value = build()
        with self._lock:
            values = self._models.get(id(model))
            if values is None:
                values = self._models[id(model)] = {}
                weakref.finalize(model, self._forget, id(model))
            values.setdefault(key, value)
            kept: T = values[key]
            return kept

    def _forget(self, ident: int) -> None:
        with self._lock:
            self._models.pop(ident, None)

    def clear(self) -> None:
        """Forget everything loaded (the files on disk stay)."""
        with self._lock:
            self._shared.clear()
            self._models.clear()


#: The compile cache of this process.
CACHE = CompileCache()


def compile_model(model: Model, solver: AbstractSolver | None = None, *,
                  cache: CompileCache = CACHE) -> CompiledModel:
    """The compiled module of ``model`` for ``solver`` (default :class:`Rodas4`), generated and
    imported on first use; numba compiles each kernel on its first call."""
    solver = Rodas4() if solver is None else solver
    if not isinstance(solver, AbstractSolver) or not getattr(solver, "kernel", ""):
        raise InvalidArgumentError(
            f"solver must be a solver object such as Rodas4() or Dopri5(), got {solver!r}."
        )
    method = (solver.kernel, solver.lane_kernel)
    return cache.per_model(model, ("kernels", method),
                           lambda: _compile_structure(model, solver, method, cache))


def _compile_structure(model: Model, solver: AbstractSolver, method: tuple[str, str | None],
                       cache: CompileCache) -> CompiledModel:
    # Generating the source (CSE of the Jacobian) costs ~1 s for a treated model; a model
    # rebuilt with the same structure reuses the loaded module.
    structure = ("kernels-structure", model_structure(model), method)
    found = cache.lookup(structure)
    if found is not None:
        compiled: CompiledModel = found
        return compiled
    source = generate_source(model, solver)
    key = hashlib.sha256(source.encode()).hexdigest()[:20]

    def load() -> CompiledModel:
        module, path = load_source(source, f"coley_{model.name}_{key}",
                                   f"coley_kernels_{model.name}_{key}")
        return CompiledModel(model.name, key, path, module)

    compiled = cache.shared(("kernels-source", key), load)
    return cache.shared(structure, lambda: compiled)

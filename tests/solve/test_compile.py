"""The compile cache (coley.solve.compile): one module per model structure and solver, written
to the cache folder by content hash, and nothing stored on the model."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

import coley
from coley.errors import InvalidArgumentError
from coley.solve import AbstractSolver, Dopri5, Rodas4
from coley.solve.compile import (
    CompileCache,
    CompiledModel,
    cache_dir,
    compile_model,
    load_source,
)


def test_a_model_compiles_once_per_solver_and_nothing_is_stored_on_it() -> None:
    cache = CompileCache()
    m = coley.library.get("kuznetsov1994")
    rodas = compile_model(m, Rodas4(), cache=cache)
    assert compile_model(m, Rodas4(rtol=1e-8), cache=cache) is rodas  # tolerances are arguments
    assert compile_model(m, cache=cache) is rodas  # the default is Rodas4
    dopri = compile_model(m, Dopri5(), cache=cache)
    assert dopri is not rodas and dopri.key != rodas.key
    assert hasattr(rodas, "solve_lanes") and not hasattr(dopri, "solve_lanes")
    assert not any(isinstance(v, CompiledModel) for v in vars(m).values())


def test_a_rebuilt_model_with_the_same_structure_reuses_the_module() -> None:
    cache = CompileCache()
    m = coley.library.get("kuznetsov1994")
    first = compile_model(m, cache=cache)
    other = m.with_values({m.parameter_names[0]: 2.0 * m.parameter_values()[0]})
    assert other is not m
    assert compile_model(other, cache=cache) is first


def test_the_entry_of_a_model_is_dropped_with_the_model() -> None:
    cache = CompileCache()
    base = coley.library.get("kuznetsov1994")
    m = base.with_values({base.parameter_names[0]: 2.0 * base.parameter_values()[0]})
    compile_model(m, cache=cache)
    assert len(cache._models) == 1
    del m
    gc.collect()
    assert not cache._models


def test_the_generated_file_is_named_by_its_content_and_written_only_when_it_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLEY_CACHE_DIR", str(tmp_path))
    assert cache_dir() == tmp_path
    compiled = compile_model(coley.library.get("kuznetsov1994"), cache=CompileCache())
    assert compiled.path.parent == tmp_path / "kernels"
    assert compiled.key in compiled.path.name
    mtime = compiled.path.stat().st_mtime_ns
    again = compile_model(coley.library.get("kuznetsov1994"), cache=CompileCache())
    assert again.path == compiled.path and again.path.stat().st_mtime_ns == mtime
    module, path = load_source("X = 1\n", "probe", "coley_probe_module")
    assert module.X == 1 and path.read_text() == "X = 1\n"


def test_compile_model_refuses_what_is_not_a_solver() -> None:
    m = coley.library.get("kuznetsov1994")
    with pytest.raises(InvalidArgumentError, match="Rodas4"):
        compile_model(m, "rodas4")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="Rodas4"):
        compile_model(m, AbstractSolver())

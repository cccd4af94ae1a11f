"""The layers of coley, enforced from the source (issue 10, "Done means").

Every module's imports are read with :mod:`ast` (top-level, inside functions and under
``TYPE_CHECKING`` alike) and checked against these rules:

* ``coley.model`` imports nothing above it (only ``coley.errors`` and itself);
* ``coley.solve`` imports no ``treat``, ``trial``, ``library``, ``surveillance``, ``stochastic``,
  ``population``, ``sbml`` or ``cli``;
* ``coley.library`` imports no application package;
* no import cycles among modules (the implicit import of a parent package is not an edge);
* no module outside ``coley/library/`` imports a library model's module or names a library
  model in a string (the model a runner uses comes from its spec);
* no module imports another module's private (underscore) names.

A violation fails with the module, the import and the rule.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

import coley

SRC = Path(coley.__file__).resolve().parent
LAYERS_BELOW: dict[str, frozenset[str]] = {
    # package -> packages it may import (besides itself)
    "model": frozenset({"errors"}),
    "solve": frozenset({"errors", "model", "serialize"}),
    "library": frozenset({"errors", "model"}),
}
SOLVE_FORBIDDEN = frozenset({"treat", "trial", "library", "surveillance", "stochastic",
                             "population", "sbml", "cli"})


@dataclass(frozen=True)
class Import:
    module: str  # importing module, e.g. coley.solve.simulate
    target: str  # imported module, e.g. coley.model.model
    names: tuple[str, ...]  # names taken from it (empty for ``import x``)
    line: int


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def _imports(name: str, path: Path) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [Import(name, a.name, (), node.lineno) for a in node.names
                    if a.name.split(".")[0] == "coley"]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*up, *([node.module] if node.module else [])])
            if base.split(".")[0] != "coley":
                continue
            plain = tuple(a.name for a in node.names if f"{base}.{a.name}" not in MODULES)
            out += [Import(name, f"{base}.{a.name}", (), node.lineno) for a in node.names
                    if f"{base}.{a.name}" in MODULES]
            if plain:
                out.append(Import(name, base, plain, node.lineno))
    return out


IMPORTS: list[Import] = [i for m, p in MODULES.items() for i in _imports(m, p)]


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_import_reader_sees_the_package() -> None:
    # a check that reads nothing passes vacuously: make sure the graph is the real one
    assert len(MODULES) > 60
    assert Import("coley.solve.simulate", "coley.model.model", ("Model",),
                  next(i.line for i in IMPORTS if i.module == "coley.solve.simulate"
                       and i.target == "coley.model.model")) in IMPORTS
    assert all(i.target in MODULES for i in IMPORTS), "every import resolves to a module"


@pytest.mark.parametrize("package", sorted(LAYERS_BELOW))
def test_lower_layers_import_nothing_above_them(package: str) -> None:
    allowed = LAYERS_BELOW[package] | {package}
    bad = [f"{i.module}:{i.line} imports {i.target}" for i in IMPORTS
           if _package(i.module) == package and _package(i.target) not in allowed]
    assert not bad, f"coley.{package} may import only {sorted(allowed)}:\n" + "\n".join(bad)


def test_the_engine_knows_nothing_of_treatment_trials_or_models() -> None:
    bad = [f"{i.module}:{i.line} imports {i.target}" for i in IMPORTS
           if _package(i.module) == "solve" and _package(i.target) in SOLVE_FORBIDDEN]
    assert not bad, "\n".join(bad)


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for i in IMPORTS:
        graph[i.module].add(i.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    # Tarjan on a known graph (a -> b -> c -> a, c -> d): one component {a, b, c}
    global IMPORTS, MODULES
    saved = IMPORTS, MODULES
    try:
        MODULES = {k: Path(k) for k in "abcd"}
        IMPORTS = [Import(a, b, (), 0) for a, b in ("ab", "bc", "ca", "cd")]
        assert _cycles() == [["a", "b", "c"]]
    finally:
        IMPORTS, MODULES = saved


def test_no_import_cycles() -> None:
    cycles = _cycles()
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def _library_model_names() -> set[str]:
    return set(coley.library.names())


def _strings(tree: ast.AST) -> list[ast.Constant]:
    docstrings = {
        id(node.body[0].value) for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [n for n in ast.walk(tree) if isinstance(n, ast.Constant)
            and isinstance(n.value, str) and id(n) not in docstrings]


def test_no_generic_module_names_a_library_model() -> None:
    names = _library_model_names()
    assert {"kuznetsov1994", "surveillance"} <= names
    bad = [f"{i.module}:{i.line} imports {i.target}" for i in IMPORTS
           if _package(i.module) != "library" and i.target.startswith("coley.library.")]
    for module, path in MODULES.items():
        if _package(module) == "library":
            continue
        for node in _strings(ast.parse(path.read_text(encoding="utf-8"))):
            if node.value in names:
                bad.append(f"{module}:{node.lineno} names library model {node.value!r}")
    assert not bad, "model-specific knowledge outside coley.library:\n" + "\n".join(bad)


def test_no_private_names_cross_modules() -> None:
    bad = [f"{i.module}:{i.line} imports {n} from {i.target}" for i in IMPORTS
           for n in i.names
           if n.startswith("_") and not n.endswith("__") and i.target != i.module]
    assert not bad, "private names used outside their module:\n" + "\n".join(bad)

"""The package boundary: coley.population imports no trial, treatment, scenario, library or
command-line code (those build on it), and re-exports its public names."""

from __future__ import annotations

import ast
from pathlib import Path

import coley.population as population

FORBIDDEN = ("coley.trial", "coley.treat", "coley.scenario", "coley.library", "coley.cli")
SOURCE = Path(population.__file__).parent


def test_no_module_imports_the_layers_above() -> None:
    for path in sorted(SOURCE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"


def test_public_names_are_re_exported() -> None:
    for name in population.__all__:
        assert getattr(population, name).__module__.startswith("coley.population")

"""Generated code (coley.solve.codegen): the exact Jacobian, the header's constants, and the
kernel modules it is assembled from."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import coley
from coley.model.model import TRIGGER_EQ, TRIGGER_GE, TRIGGER_GT
from coley.solve import Dopri5, Rodas4
from coley.solve.codegen import (
    KERNELS,
    MARKER,
    constant_lines,
    generate_source,
    kernel_modules,
    kernel_source,
)
from coley.solve.compile import compile_model
from coley.solve.kernels import header
from coley.solve.status import Action, Change, Op, Status


# ------------------------------------------------------------------ exact Jacobian
@pytest.mark.parametrize("name", ["kuznetsov1994", "kirschner_panetta1998", "depillis2005"])
def test_compiled_jacobian_matches_sympy_and_finite_differences(name: str) -> None:
    m = coley.library.get(name)
    compiled = compile_model(m)
    p = m.parameter_values()
    u = np.zeros(len(m.inputs))
    n = len(m.states)
    rng = np.random.default_rng(20240601)
    y = 10.0 ** rng.uniform(3, 7, n)  # a random interior point (cells), all states > 0
    jac = np.empty((n, n))
    compiled.jac(0.0, y, p, u, jac)

    # Same expressions differentiated by sympy, evaluated by numpy: they differ only by the
    # order of floating-point operations (common-subexpression elimination), hence 1e-10.
    symbols = [m.symbols[s] for s in (*m.state_names, *m.parameter_names)]
    symbolic = np.array(sp.lambdify(symbols, m.jacobian, "numpy")(*y, *p), dtype=float)
    np.testing.assert_allclose(jac, symbolic, rtol=1e-10, atol=0)

    # Central differences of the compiled rhs with step 1e-6*y_j: truncation error
    # O(h^2) ~ 1e-12 and round-off ~ eps/1e-6 ~ 1e-10 relative, so 1e-6 relative is safe.
    fd = np.empty((n, n))
    f_plus, f_minus = np.empty(n), np.empty(n)
    for j in range(n):
        h = 1e-6 * y[j]
        y_plus, y_minus = y.copy(), y.copy()
        y_plus[j] += h
        y_minus[j] -= h
        compiled.rhs(0.0, y_plus, p, u, f_plus)
        compiled.rhs(0.0, y_minus, p, u, f_minus)
        fd[:, j] = (f_plus - f_minus) / (2 * h)
    np.testing.assert_allclose(fd, jac, rtol=1e-6, atol=0)


# ------------------------------------------------------------------ header and kernel modules
def test_constants_are_the_enums_and_the_placeholders_agree() -> None:
    emitted = dict(line.split(" = ") for line in constant_lines())
    for prefix, enum in (("ST", Status), ("ACT", Action), ("DISC", Change), ("OP", Op)):
        for member in enum:
            name = f"{prefix}_{member.name}"
            assert int(emitted.pop(name)) == int(member) == getattr(header, name)
    kinds = {"MEV_GE": TRIGGER_GE, "MEV_GT": TRIGGER_GT, "MEV_EQ": TRIGGER_EQ}
    assert {k: int(v) for k, v in emitted.items()} == kinds
    assert all(getattr(header, k) == v for k, v in kinds.items())


@pytest.mark.parametrize("solver", [Rodas4(), Dopri5()], ids=["Rodas4", "Dopri5"])
def test_every_kernel_module_has_a_marker_and_imports_only_placeholders_and_kernels(
        solver: Rodas4 | Dopri5) -> None:
    for name in kernel_modules(solver):
        path = KERNELS / f"{name}.py"
        text = path.read_text()
        assert text.count(MARKER + "\n") == 1, name
        before, _, after = text.partition(MARKER + "\n")
        # the copied source defines functions and constants only: every import is above it
        assert not re.search(r"^(import|from) ", after, re.M), name
        for node in ast.walk(ast.parse(before)):
            if isinstance(node, ast.ImportFrom) and node.module.startswith("coley"):
                assert node.module.startswith("coley.solve.kernels."), (name, node.module)
        assert kernel_source(name).endswith(after)


def test_a_solver_names_existing_kernel_modules() -> None:
    assert kernel_modules(Rodas4()) == ["common", "rodas4", "drivers", "rodas4_lanes", "newton"]
    assert kernel_modules(Dopri5()) == ["common", "dopri5", "drivers", "newton"]
    for name in (*kernel_modules(Rodas4()), *kernel_modules(Dopri5())):
        assert Path(KERNELS / f"{name}.py").is_file()


def test_generated_source_holds_only_the_solvers_method() -> None:
    m = coley.library.get("kuznetsov1994")
    rodas = generate_source(m, Rodas4())
    dopri = generate_source(m, Dopri5())
    assert "R_GAMMA = 0.25" in rodas and "R_GAMMA" not in dopri
    assert "D_A21 = 0.2" in dopri and "D_A21" not in rodas
    assert "def solve_lanes(" in rodas and "def solve_lanes(" not in dopri
    for source in (rodas, dopri):
        compile(source, "<generated>", "exec")  # valid Python
        assert "coley.solve.kernels.header" not in source  # placeholders are not copied

"""SBML math (libsbml ``ASTNode`` trees) to sympy and back.

:class:`MathReader` turns a MathML tree into a sympy expression (or condition) over the coley
symbols of the model being imported, inlining function definitions; a construct it cannot
represent exactly raises :class:`~coley.errors.SBMLError` naming the construct and where it
occurs. :func:`to_ast` builds the MathML tree of a coley (sympy) expression for export.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sympy as sp

from coley.errors import SBMLError
from coley.model.model import TIME

#: CODATA 2018 value of the Avogadro constant (the SBML ``avogadro`` csymbol), 1/mol.
AVOGADRO = 6.02214076e23


def libsbml_module() -> Any:
    try:
        import libsbml
    except ImportError:  # pragma: no cover - depends on the environment
        raise SBMLError(
            "SBML support needs python-libsbml; install it with: pip install 'coley[sbml]'."
        ) from None
    return libsbml


def integral_value(x: Any) -> Any:
    """An integer-valued float (an exponent written as 2.0) as an integer, so that x**2 is
    computed as x*x (as libRoadRunner does) and differentiates to 2*x."""
    if isinstance(x, sp.Float) and float(x).is_integer() and abs(float(x)) < 2.0**53:
        return sp.Integer(int(x))
    return x


def _unary(fn: Callable[[sp.Expr], sp.Expr]) -> Callable[[list[Any]], Any]:
    return lambda a: fn(a[0])


def _build_tables(ls: Any) -> tuple[dict[int, Callable[[list[Any]], Any]], dict[int, str]]:
    """Handlers of the MathML elements coley supports, and names of those it rejects."""
    handlers: dict[int, Callable[[list[Any]], Any]] = {
        ls.AST_FUNCTION_ABS: _unary(sp.Abs),
        ls.AST_FUNCTION_EXP: _unary(sp.exp),
        ls.AST_FUNCTION_LN: _unary(sp.log),
        ls.AST_FUNCTION_FLOOR: _unary(sp.floor),
        ls.AST_FUNCTION_CEILING: _unary(sp.ceiling),
        ls.AST_FUNCTION_SIN: _unary(sp.sin),
        ls.AST_FUNCTION_COS: _unary(sp.cos),
        ls.AST_FUNCTION_TAN: _unary(sp.tan),
        ls.AST_FUNCTION_SEC: _unary(lambda x: 1 / sp.cos(x)),
        ls.AST_FUNCTION_CSC: _unary(lambda x: 1 / sp.sin(x)),
        ls.AST_FUNCTION_COT: _unary(lambda x: 1 / sp.tan(x)),
        ls.AST_FUNCTION_SINH: _unary(sp.sinh),
        ls.AST_FUNCTION_COSH: _unary(sp.cosh),
        ls.AST_FUNCTION_TANH: _unary(sp.tanh),
        ls.AST_FUNCTION_SECH: _unary(lambda x: 1 / sp.cosh(x)),
        ls.AST_FUNCTION_CSCH: _unary(lambda x: 1 / sp.sinh(x)),
        ls.AST_FUNCTION_COTH: _unary(lambda x: 1 / sp.tanh(x)),
        ls.AST_FUNCTION_ARCSIN: _unary(sp.asin),
        ls.AST_FUNCTION_ARCCOS: _unary(sp.acos),
        ls.AST_FUNCTION_ARCTAN: _unary(sp.atan),
        ls.AST_FUNCTION_ARCSEC: _unary(lambda x: sp.acos(1 / x)),
        ls.AST_FUNCTION_ARCCSC: _unary(lambda x: sp.asin(1 / x)),
        ls.AST_FUNCTION_ARCCOT: _unary(lambda x: sp.atan(1 / x)),
        ls.AST_FUNCTION_ARCSINH: _unary(sp.asinh),
        ls.AST_FUNCTION_ARCCOSH: _unary(sp.acosh),
        ls.AST_FUNCTION_ARCTANH: _unary(sp.atanh),
        ls.AST_FUNCTION_ARCSECH: _unary(lambda x: sp.acosh(1 / x)),
        ls.AST_FUNCTION_ARCCSCH: _unary(lambda x: sp.asinh(1 / x)),
        ls.AST_FUNCTION_ARCCOTH: _unary(lambda x: sp.atanh(1 / x)),
        ls.AST_FUNCTION_MAX: lambda a: sp.Max(*a),
        ls.AST_FUNCTION_MIN: lambda a: sp.Min(*a),
        ls.AST_LOGICAL_AND: lambda a: sp.And(*a),
        ls.AST_LOGICAL_OR: lambda a: sp.Or(*a),
        ls.AST_LOGICAL_XOR: lambda a: sp.Xor(*a),
        ls.AST_LOGICAL_NOT: _unary(sp.Not),
    }
    rejected = {
        ls.AST_FUNCTION_DELAY: "the delay() function (delay differential equations)",
        ls.AST_FUNCTION_RATE_OF: "the rateOf() function",
        ls.AST_FUNCTION_FACTORIAL: "factorial()",
        ls.AST_FUNCTION_QUOTIENT: "quotient()",
        ls.AST_FUNCTION_REM: "rem()",
        ls.AST_LOGICAL_IMPLIES: "implies()",
        ls.AST_CSYMBOL_FUNCTION: "a csymbol function",
        ls.AST_LAMBDA: "a lambda outside a function definition",
    }
    return handlers, rejected


class MathReader:
    """Converts MathML trees of one SBML model to sympy.

    ``symbols`` maps SBML ids to sympy expressions (usually the coley symbol of the element;
    a reaction id maps to its rate); ``resolve`` is called for ids not in ``symbols`` and may
    return None. ``functions`` are the model's function definitions, ``{id: lambda AST}``.
    """

    def __init__(self, symbols: Mapping[str, Any], functions: Mapping[str, Any],
                 resolve: Callable[[str, str], Any] | None = None) -> None:
        self.ls = libsbml_module()
        self.symbols = symbols
        self.functions = functions
        self.resolve = resolve
        self._handlers, self._rejected = _build_tables(self.ls)
        self._bodies: dict[str, tuple[list[sp.Symbol], Any]] = {}
        self._expanding: list[str] = []

    # ------------------------------------------------------------------ public
    def expr(self, ast: Any, where: str, local: Mapping[str, Any] | None = None) -> sp.Expr:
        """A numeric expression (booleans are not allowed here)."""
        out = self._convert(ast, where, dict(local or {}))
        if isinstance(out, sp.logic.boolalg.Boolean) and not isinstance(out, sp.Expr):
            raise SBMLError(
                f"{where}: a condition ({out}) is used where a number is expected; coley does "
                "not convert true/false to 1/0."
            )
        return sp.sympify(out)

    def condition(self, ast: Any, where: str) -> Any:
        """A condition (a trigger or piecewise condition)."""
        out = self._convert(ast, where, {})
        if not isinstance(out, sp.logic.boolalg.Boolean):
            raise SBMLError(f"{where}: expected a condition (true/false), got the number {out}.")
        return out

    # ------------------------------------------------------------------ conversion
    def _fail(self, where: str, what: str) -> SBMLError:
        return SBMLError(f"{where} uses {what}, which coley does not support.")

    def _convert(self, node: Any, where: str, local: dict[str, Any]) -> Any:
        ls = self.ls
        if node is None:
            raise SBMLError(f"{where} has no math; give it a MathML expression.")
        t = node.getType()
        n = node.getNumChildren()
        if t == ls.AST_INTEGER:
            return sp.Integer(node.getInteger())
        if t in (ls.AST_REAL, ls.AST_REAL_E):
            value = node.getReal()
            if value != value or value in (float("inf"), float("-inf")):
                raise self._fail(where, f"the non-finite number {value}")
            # an integral value stays an integer, so that t/120 is computed as a division
            # (as libRoadRunner does), not as t times a rounded 1/120
            return integral_value(sp.Float(value))
        if t == ls.AST_RATIONAL:
            return sp.Rational(node.getNumerator(), node.getDenominator())
        if t == ls.AST_NAME:
            return self._name(node.getName(), where, local)
        if t == ls.AST_NAME_TIME:
            return TIME
        if t == ls.AST_NAME_AVOGADRO:
            return sp.Float(AVOGADRO)
        if t == ls.AST_CONSTANT_PI:
            return sp.pi
        if t == ls.AST_CONSTANT_E:
            return sp.E
        if t == ls.AST_CONSTANT_TRUE:
            return sp.true
        if t == ls.AST_CONSTANT_FALSE:
            return sp.false
        if t in self._rejected:
            raise self._fail(where, self._rejected[t])
        if t == ls.AST_FUNCTION:
            return self._call(node, where, local)
        args = [self._convert(node.getChild(i), where, local) for i in range(n)]
        if t == ls.AST_PLUS:
            return sp.Add(*args) if args else sp.Integer(0)
        if t == ls.AST_TIMES:
            return sp.Mul(*args) if args else sp.Integer(1)
        if t == ls.AST_MINUS:
            return -args[0] if n == 1 else args[0] - args[1]
        if t == ls.AST_DIVIDE:
            return args[0] / args[1]
        if t in (ls.AST_POWER, ls.AST_FUNCTION_POWER):
            return args[0] ** integral_value(args[1])
        if t == ls.AST_FUNCTION_ROOT:
            if n == 1:
                return sp.sqrt(args[0])
            return args[1] ** (1 / sp.sympify(args[0]))
        if t == ls.AST_FUNCTION_LOG:
            if n == 1:
                return sp.log(args[0]) / sp.log(10)
            return sp.log(args[1]) / sp.log(args[0])
        if t == ls.AST_FUNCTION_PIECEWISE:
            return self._piecewise(args, where)
        relations = {
            ls.AST_RELATIONAL_EQ: sp.Eq, ls.AST_RELATIONAL_NEQ: sp.Ne,
            ls.AST_RELATIONAL_GT: sp.Gt, ls.AST_RELATIONAL_GEQ: sp.Ge,
            ls.AST_RELATIONAL_LT: sp.Lt, ls.AST_RELATIONAL_LEQ: sp.Le,
        }
        if t in relations:
            rel = relations[t]
            if n < 2:
                return sp.true
            return sp.And(*[rel(args[i], args[i + 1]) for i in range(n - 1)])
        if t in self._handlers:
            if t in (ls.AST_LOGICAL_AND, ls.AST_LOGICAL_OR) and n == 0:
                return sp.true if t == ls.AST_LOGICAL_AND else sp.false
            return self._handlers[t](args)
        name = node.getName() or f"type {t}"
        raise self._fail(where, f"the MathML element {name!r}")

    def _name(self, name: str, where: str, local: dict[str, Any]) -> Any:
        if name in local:
            return local[name]
        if name in self.symbols:
            return self.symbols[name]
        if self.resolve is not None:
            value = self.resolve(name, where)
            if value is not None:
                return value
        raise SBMLError(f"{where} uses {name!r}, which the model does not define.")

    def _piecewise(self, args: list[Any], where: str) -> Any:
        pieces = []
        for i in range(0, len(args) - 1, 2):
            value, cond = args[i], args[i + 1]
            if not isinstance(cond, sp.logic.boolalg.Boolean):
                raise SBMLError(f"{where}: a piecewise condition is the number {cond}, not a "
                                "condition.")
            pieces.append((value, cond))
        if len(args) % 2 == 0:
            raise SBMLError(
                f"{where} uses a piecewise without an otherwise value, whose value outside its "
                "conditions is undefined; add an <otherwise> to the piecewise."
            )
        pieces.append((args[-1], sp.true))
        return sp.Piecewise(*pieces)

    def _call(self, node: Any, where: str, local: dict[str, Any]) -> Any:
        name = node.getName()
        if name not in self.functions:
            raise SBMLError(
                f"{where} calls the function {name!r}, which is neither a MathML function nor "
                "a function definition of the model; define it in <listOfFunctionDefinitions>."
            )
        if name in self._expanding:
            raise SBMLError(f"function definition {name!r} calls itself ({where}).")
        params, body = self._body(name)
        n = node.getNumChildren()
        if n != len(params):
            raise SBMLError(
                f"{where} calls {name!r} with {n} arguments; its definition takes "
                f"{len(params)}."
            )
        args = [self._convert(node.getChild(i), where, local) for i in range(n)]
        return body.xreplace(dict(zip(params, args, strict=True)))

    def _body(self, name: str) -> tuple[list[sp.Symbol], Any]:
        """The body of a function definition over dummy arguments (converted once)."""
        if name in self._bodies:
            return self._bodies[name]
        lam = self.functions[name]
        where = f"function definition {name!r}"
        if lam is None or lam.getType() != self.ls.AST_LAMBDA:
            raise SBMLError(f"{where} is not a lambda expression.")
        nargs = lam.getNumBvars()
        names = [lam.getChild(i).getName() for i in range(nargs)]
        dummies = [sp.Dummy(f"arg_{a}", real=True) for a in names]
        self._expanding.append(name)
        try:
            # A function body sees only its arguments (and other functions), not model ids.
            reader = MathReader({}, self.functions)
            reader._bodies = self._bodies
            reader._expanding = self._expanding
            body = reader._convert(lam.getChild(nargs), where, dict(zip(names, dummies,
                                                                       strict=True)))
        finally:
            self._expanding.pop()
        self._bodies[name] = (dummies, body)
        return dummies, body


# ---------------------------------------------------------------------------------- export
def to_ast(expr: Any, where: str) -> Any:
    """The libsbml ASTNode of a sympy expression or condition (coley names kept as ids)."""
    ls = libsbml_module()
    node = _to_ast(ls, expr, where)
    return node


def _node(ls: Any, kind: int, children: Sequence[Any] = ()) -> Any:
    node = ls.ASTNode(kind)
    for child in children:
        node.addChild(child)
    return node


def _real(ls: Any, value: float) -> Any:
    node = ls.ASTNode(ls.AST_REAL)
    node.setValue(float(value))
    return node


def _to_ast(ls: Any, e: Any, where: str) -> Any:
    if e is sp.true or e is sp.false:
        return _node(ls, ls.AST_CONSTANT_TRUE if e is sp.true else ls.AST_CONSTANT_FALSE)
    if e == TIME:
        node = ls.ASTNode(ls.AST_NAME_TIME)
        node.setName("time")
        return node
    if isinstance(e, sp.Symbol):
        node = ls.ASTNode(ls.AST_NAME)
        node.setName(e.name)
        return node
    if e is sp.pi:
        return _node(ls, ls.AST_CONSTANT_PI)
    if e is sp.E:
        return _node(ls, ls.AST_CONSTANT_E)
    if isinstance(e, sp.Integer):
        node = ls.ASTNode(ls.AST_INTEGER)
        node.setValue(int(e))
        return node
    if isinstance(e, sp.Number):
        if not e.is_finite:
            raise SBMLError(f"{where}: the non-finite number {e} cannot be written to SBML.")
        return _real(ls, float(e))
    if isinstance(e, sp.Piecewise):
        node = ls.ASTNode(ls.AST_FUNCTION_PIECEWISE)
        for value, cond in e.args:
            if cond is sp.true:
                node.addChild(_to_ast(ls, value, where))
                break
            node.addChild(_to_ast(ls, value, where))
            node.addChild(_to_ast(ls, cond, where))
        return node
    sub = [_to_ast(ls, a, where) for a in e.args]
    if isinstance(e, sp.Add):
        return _node(ls, ls.AST_PLUS, sub)
    if isinstance(e, sp.Mul):
        return _node(ls, ls.AST_TIMES, sub)
    if isinstance(e, sp.Pow):
        return _node(ls, ls.AST_POWER, sub)
    simple = {
        sp.exp: ls.AST_FUNCTION_EXP, sp.log: ls.AST_FUNCTION_LN, sp.Abs: ls.AST_FUNCTION_ABS,
        sp.floor: ls.AST_FUNCTION_FLOOR, sp.ceiling: ls.AST_FUNCTION_CEILING,
        sp.sin: ls.AST_FUNCTION_SIN, sp.cos: ls.AST_FUNCTION_COS, sp.tan: ls.AST_FUNCTION_TAN,
        sp.sinh: ls.AST_FUNCTION_SINH, sp.cosh: ls.AST_FUNCTION_COSH,
        sp.tanh: ls.AST_FUNCTION_TANH, sp.asin: ls.AST_FUNCTION_ARCSIN,
        sp.acos: ls.AST_FUNCTION_ARCCOS, sp.atan: ls.AST_FUNCTION_ARCTAN,
        sp.asinh: ls.AST_FUNCTION_ARCSINH, sp.acosh: ls.AST_FUNCTION_ARCCOSH,
        sp.atanh: ls.AST_FUNCTION_ARCTANH, sp.Max: ls.AST_FUNCTION_MAX,
        sp.Min: ls.AST_FUNCTION_MIN, sp.And: ls.AST_LOGICAL_AND, sp.Or: ls.AST_LOGICAL_OR,
        sp.Xor: ls.AST_LOGICAL_XOR, sp.Not: ls.AST_LOGICAL_NOT,
        sp.Eq: ls.AST_RELATIONAL_EQ, sp.Ne: ls.AST_RELATIONAL_NEQ,
        sp.StrictGreaterThan: ls.AST_RELATIONAL_GT, sp.GreaterThan: ls.AST_RELATIONAL_GEQ,
        sp.StrictLessThan: ls.AST_RELATIONAL_LT, sp.LessThan: ls.AST_RELATIONAL_LEQ,
    }
    for cls, kind in simple.items():
        if isinstance(e, cls):
            return _node(ls, kind, sub)
    if isinstance(e, sp.Heaviside):
        # Heaviside(x) = 1 for x > 0, 1/2 at 0, 0 below (coley's convention)
        x = e.args[0]
        return _to_ast(ls, sp.Piecewise((1, x > 0), (sp.Rational(1, 2), sp.Eq(x, 0)),
                                        (0, True)), where)
    if isinstance(e, sp.sign):
        x = e.args[0]
        return _to_ast(ls, sp.Piecewise((1, x > 0), (-1, x < 0), (0, True)), where)
    raise SBMLError(
        f"{where}: {type(e).__name__} ({e}) has no SBML equivalent that coley can write."
    )

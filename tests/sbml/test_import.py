"""SBML import: each construct becomes the coley model SBML's semantics define, and each
construct coley cannot simulate exactly is rejected with one clear error naming it.

The expected right-hand sides are derived by hand from the SBML Level 3 Version 2 specification
(section 4.11: a species' value in math is its concentration unless hasOnlySubstanceUnits; a
reaction's rate is in amount per time, so d[S]/dt = sum(stoichiometry x rate) / volume).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sympy as sp

import coley
from coley.errors import SBMLError
from coley.sbml import read_sbml, read_sbml_string
from tests.sbml import reference
from tests.sbml.sbml_text import compartments, doc, math, parameters, reaction, species


def rhs_at(model: coley.Model, **values: float) -> dict[str, float]:
    """Each d(state)/dt evaluated at the given states and parameters (defaults otherwise)."""
    env = {p.name: p.value for p in model.parameters} | {s.name: s.initial for s in model.states}
    env |= values
    sub = {model.symbols[k]: v for k, v in env.items() if k in model.symbols}
    return {s: float(e.xreplace(sub)) for s, e in zip(model.state_names, model.rhs, strict=True)}


def test_concentrations_amounts_and_compartment_size() -> None:
    # Compartment c of size 2. A: initialAmount 4, a concentration (value 4/2 = 2).
    # B: initialConcentration 3 but hasOnlySubstanceUnits, an amount (value 3*2 = 6).
    # R: A -> B at rate k*A*c (amount/day): d[A]/dt = -k*A*c/c, dB/dt = +k*A*c (no /c).
    m = read_sbml_string(doc(
        compartments(c=2.0), parameters(k=0.1),
        f"<listOfSpecies>{species('A', amount=4.0)}"
        f"{species('B', concentration=3.0, hosu=True)}</listOfSpecies>",
        f"<listOfReactions>{reaction('R', 'k*A*c', {'A': 1}, {'B': 1})}</listOfReactions>",
    ))
    assert m.state_names == ("A", "B")
    assert list(m.initial_values()) == [2.0, 6.0]
    assert rhs_at(m) == pytest.approx({"A": -0.1 * 2.0, "B": 0.1 * 2.0 * 2.0}, rel=1e-15)
    assert m.parameter("c").value == 2.0  # compartment sizes are parameters


def test_boundary_constant_rate_rule_and_event_targets() -> None:
    # S: boundary, changed by a rate rule (a state); K: constant (a parameter); p: a parameter
    # with a rate rule (a state); q: a parameter an event sets (a state with dq/dt = 0).
    m = read_sbml_string(doc(
        compartments(c=1.0),
        f"<listOfSpecies>{species('S', amount=1.0, boundary=True)}"
        f"{species('K', amount=5.0, constant=True, boundary=True)}</listOfSpecies>",
        parameters(constant=False, p=2.0, q=0.0),
        f'<listOfRules><rateRule variable="S">{math("K")}</rateRule>'
        f'<rateRule variable="p">{math("-p")}</rateRule></listOfRules>',
        f'<listOfEvents><event id="E" useValuesFromTriggerTime="true">'
        f'<trigger initialValue="true" persistent="true">{math("time >= 1")}</trigger>'
        f'<listOfEventAssignments><eventAssignment variable="q">{math("7")}'
        f"</eventAssignment></listOfEventAssignments></event></listOfEvents>",
    ))
    assert m.state_names == ("S", "p", "q")
    assert "K" in m.parameter_names
    assert rhs_at(m) == {"S": 5.0, "p": -2.0, "q": 0.0}
    assert [e.name for e in m.events] == ["E"]


def test_local_parameters_shadow_globals_and_functions_are_inlined() -> None:
    # f(x, y) = x*y; g(x) = f(x, 2). The kinetic law g(k)*S uses the local k = 3, not the
    # global k = 5, so the rate is 3*2*S = 6*S; the local one is named R_k.
    fdefs = ('<listOfFunctionDefinitions>'
             f'<functionDefinition id="f">{math("lambda(x, y, x*y)")}</functionDefinition>'
             f'<functionDefinition id="g">{math("lambda(x, f(x, 2))")}</functionDefinition>'
             '</listOfFunctionDefinitions>')
    m = read_sbml_string(doc(
        fdefs, compartments(c=1.0), parameters(k=5.0),
        f"<listOfSpecies>{species('S', amount=1.5)}</listOfSpecies>",
        f"<listOfReactions>{reaction('R', 'g(k)*S', {'S': 1}, local={'k': 3.0})}"
        "</listOfReactions>",
    ))
    assert m.parameter("R_k").value == 3.0 and m.parameter("k").value == 5.0
    assert rhs_at(m) == pytest.approx({"S": -6.0 * 1.5}, rel=1e-15)


def test_assignment_rules_are_ordered_and_initial_assignments_evaluated() -> None:
    # b = 2*a is declared before a = S + 1: the expressions come out as a, then b. The initial
    # assignment p2 = 3*p1 + b sees b at t = 0: 2*(S0 + 1) = 2*(4 + 1) = 10, so p2 = 6 + 10.
    m = read_sbml_string(doc(
        compartments(c=1.0), parameters(p1=2.0), parameters(constant=False, a=0.0, b=0.0),
        parameters(p2=0.0).replace("listOfParameters", "listOfParameters"),
        f"<listOfSpecies>{species('S', amount=4.0)}</listOfSpecies>",
        f'<listOfInitialAssignments><initialAssignment symbol="p2">{math("3*p1 + b")}'
        "</initialAssignment></listOfInitialAssignments>",
        f'<listOfRules><assignmentRule variable="b">{math("2*a")}</assignmentRule>'
        f'<assignmentRule variable="a">{math("S + 1")}</assignmentRule>'
        f'<rateRule variable="S">{math("-b")}</rateRule></listOfRules>',
    ).replace("</listOfParameters>\n<listOfParameters>", ""))
    assert list(m.expressions) == ["a", "b"]
    assert m.parameter("p2").value == 16.0
    assert rhs_at(m) == {"S": -10.0}


def test_mathml_functions_and_piecewise() -> None:
    # One rate rule per construct, each evaluated at x = 8 (values derived by hand).
    formulas = {
        "lg": ("log(10, x*125)", 3.0),                  # log10(1000)
        "rt": ("root(3, x)", 2.0),                      # cube root of 8
        "pw": ("piecewise(1, x > 10, 2, x > 5, 3)", 2.0),
        "mx": ("max(x, 9) - min(x, 9)", 1.0),
        "lo": ("piecewise(1, (x > 5) && !(x > 9), 0)", 1.0),
        "tr": ("sin(0)+cos(0)+tanh(0)+exp(0)+ln(exponentiale)+floor(2.5)+ceil(0.5)", 6.0),
        "ab": ("abs(-x)/x + sec(0) + arccot(1)*4/pi", 3.0),
    }
    rules = "".join(f'<rateRule variable="{n}">{math(f)}</rateRule>'
                    for n, (f, _) in formulas.items())
    m = read_sbml_string(doc(
        parameters(x=8.0), parameters(constant=False, **{n: 0.0 for n in formulas}),
        f"<listOfRules>{rules}</listOfRules>",
    ).replace("</listOfParameters>\n<listOfParameters>", ""))
    assert rhs_at(m) == pytest.approx({n: v for n, (_, v) in formulas.items()}, rel=1e-14)


def test_ids_that_are_not_coley_names_are_renamed_and_recorded() -> None:
    # 'lambda' is a Python keyword and 't' is coley's time; both get an underscore.
    m = read_sbml_string(doc(
        compartments(c=1.0), parameters(**{"lambda": 0.5}),
        f"<listOfSpecies>{species('t', amount=2.0)}</listOfSpecies>",
        f"<listOfReactions>{reaction('R', 'lambda*t', {'t': 1})}</listOfReactions>",
    ))
    assert m.state_names == ("t_",) and "lambda_" in m.parameter_names
    assert m.source_ids == {"t_": "t", "lambda_": "lambda"}
    assert rhs_at(m) == {"t_": -1.0}


def test_events_keep_their_sbml_attributes() -> None:
    m = read_sbml_string(doc(
        parameters(constant=False, x=1.0), parameters(k=2.0),
        f'<listOfRules><rateRule variable="x">{math("k")}</rateRule></listOfRules>',
        '<listOfEvents><event id="E" useValuesFromTriggerTime="false">'
        f'<trigger initialValue="false" persistent="false">{math("x >= 3 && time > 1")}'
        f'</trigger><priority>{math("2*k")}</priority><listOfEventAssignments>'
        f'<eventAssignment variable="x">{math("x/2")}</eventAssignment>'
        "</listOfEventAssignments></event></listOfEvents>",
    ).replace("</listOfParameters>\n<listOfParameters>", ""))
    (event,) = m.events
    assert (event.initial_value, event.persistent, event.use_values_from_trigger_time,
            event.priority) == (False, False, False, 4.0)
    x = m.symbols["x"]
    assert sp.simplify(event.assignments["x"] - x / 2) == 0


# ------------------------------------------------------------------ one clear error each
_L2 = ('<?xml version="1.0" encoding="UTF-8"?><sbml xmlns="http://www.sbml.org/sbml/level2/'
       'version4" level="2" version="4"><model id="m"><listOfCompartments><compartment id="c" '
       'size="1"/></listOfCompartments><listOfSpecies><species id="S" compartment="c" '
       'initialAmount="1"/></listOfSpecies>{}</model></sbml>')


def _reactions(inner: str) -> str:
    return f"<listOfReactions>{inner}</listOfReactions>"


_BASE = (compartments(c=1.0), f"<listOfSpecies>{species('S', amount=1.0)}</listOfSpecies>")

REJECTED = {
    "algebraic rule": (doc(*_BASE, parameters(constant=False, z=0.0),
                           f'<listOfRules><algebraicRule id="alg">{math("z - S")}</algebraicRule>'
                           "</listOfRules>"),
                       r"algebraic rule 'alg' \(an implicit equation 0 = z - S\)"),
    "delayed event": (doc(*_BASE, '<listOfEvents><event id="E1" useValuesFromTriggerTime="true">'
                          f'<trigger initialValue="true" persistent="true">{math("time > 1")}'
                          f'</trigger><delay>{math("2")}</delay></event></listOfEvents>'),
                      r"event 'E1' has a delay \(2\)"),
    "delay function": (doc(*_BASE, _reactions(reaction("R1", "delay(S, 1)", {"S": 1}))),
                       r"kinetic law of reaction 'R1' uses the delay\(\) function"),
    "fast reaction": (_L2.format('<listOfReactions><reaction id="R1" fast="true"><listOf'
                                 'Reactants><speciesReference species="S"/></listOfReactants>'
                                 f'<kineticLaw>{math("S")}</kineticLaw></reaction>'
                                 '</listOfReactions>'),
                      r"reaction 'R1' is fast"),
    "variable compartment": (doc(compartments(c=1.0).replace('constant="true"',
                                                             'constant="false"'),
                                 f"<listOfSpecies>{species('S', amount=1.0)}</listOfSpecies>"),
                             r"compartment 'c' changes size"),
    "missing kinetic law": (doc(*_BASE, _reactions(
        '<reaction id="R1" reversible="false"><listOfReactants><speciesReference species="S" '
        'stoichiometry="1" constant="true"/></listOfReactants></reaction>')),
        r"reaction 'R1' has no kinetic law"),
    "unknown function": (doc(*_BASE, _reactions(reaction("R1", "foo(S)", {"S": 1}))),
                         r"reaction 'R1' calls the function 'foo', which is neither"),
    "piecewise without otherwise": (doc(*_BASE, _reactions(reaction(
        "R1", "piecewise(S, S > 1)", {"S": 1}))), r"reaction 'R1' uses a piecewise without an "
                                                  r"otherwise value"),
    "stoichiometryMath": (_L2.format(
        '<listOfReactions><reaction id="R1"><listOfReactants><speciesReference species="S">'
        f'<stoichiometryMath>{math("2")}</stoichiometryMath></speciesReference>'
        f'</listOfReactants><kineticLaw>{math("S")}</kineticLaw></reaction></listOfReactions>'),
        r"species 'S' in reaction 'R1' has a stoichiometryMath"),
    "variable priority": (doc(*_BASE, '<listOfEvents><event id="E1" useValuesFromTriggerTime='
                              f'"true"><trigger initialValue="true" persistent="true">'
                              f'{math("time > 1")}</trigger><priority>{math("S")}</priority>'
                              "</event></listOfEvents>"),
                          r"event 'E1' has a priority that changes during the simulation"),
    "not XML": ("<sbml><model id='m'><listOfSpecies></sbml>", r"is not well-formed XML"),
    "wrong namespace": (doc(*_BASE).replace("sbml/level3/version2/core",
                                            "sbml/level9/version9/core"),
                        r"is not SBML \(wrong or missing SBML namespace"),
}


@pytest.mark.parametrize("case", list(REJECTED))
def test_unsupported_or_malformed_sbml_is_one_clear_error(case: str, tmp_path: Path) -> None:
    text, message = REJECTED[case]
    path = tmp_path / "model.xml"
    path.write_text(text)
    with pytest.raises(SBMLError, match=message):
        read_sbml(path)


def test_missing_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SBMLError, match=r"SBML file '.*nowhere\.xml' does not exist; check "):
        read_sbml(tmp_path / "nowhere.xml")


def test_sbml_errors_are_model_definition_errors() -> None:
    # the CLI maps every CoLeyError to exit code 2
    assert issubclass(SBMLError, coley.ModelDefinitionError)
    assert issubclass(SBMLError, coley.CoLeyError)


@pytest.mark.skipif(not reference.files(), reason=f"{reference.SBML_DIR} is absent (the "
                    "shared folder lies next to the repository in CI)")
def test_import_takes_well_under_a_second() -> None:
    # The largest reference model (Coletti 2020: 20 species, 33 reactions, 26 functions).
    path = next(p for p in reference.files() if p.name.startswith("MODEL2109110002"))
    read_sbml(path)  # libSBML's first call loads its tables
    times = []
    for _ in range(3):
        start = time.perf_counter()
        read_sbml(path)
        times.append(time.perf_counter() - start)
    assert min(times) < 0.5, times

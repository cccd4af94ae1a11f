"""Write a coley model as SBML Level 3 Version 2.

Each state is a species (an amount: ``hasOnlySubstanceUnits``, in one compartment of size 1)
whose equation is a rate rule; parameters are constant parameters with their values; inputs
are parameters fixed at 0 (coley sets them by schedule, SBML has no schedules); named
expressions are assignment rules; model events are SBML events with the same trigger,
assignments, priority and flags. Names renamed on import (``Model.source_ids``) get their
original SBML ids back. The document is checked with libSBML's consistency checks (units
aside) before it is written.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import sympy as sp

from coley.errors import InvalidArgumentError, SBMLError
from coley.experiment.files import output_file
from coley.model.model import Model
from coley.sbml._math import libsbml_module, to_ast


def to_sbml(model: Model) -> str:
    """The SBML Level 3 Version 2 document of ``model``, as a string."""
    ls = libsbml_module()
    doc = _document(ls, model)
    return str(ls.writeSBMLToString(doc))


def write_sbml(model: Model, path: str | os.PathLike[str]) -> Path:
    """Write ``model`` as SBML Level 3 Version 2 to ``path``; returns the path written.

    The file opens in COPASI, tellurium and libRoadRunner, which simulate it to coley's
    trajectory (coley's schedules and treatments are not part of the model and are not written).
    """
    if not isinstance(model, Model):
        raise InvalidArgumentError(
            f"model must be a coley Model (see coley.library.get), got {type(model).__name__}."
        )
    out = output_file(path, what="SBML file")
    text = to_sbml(model)
    out.write_text(text, encoding="utf-8")
    return out


def _ids(model: Model) -> dict[str, str]:
    """SBML id of every coley name: the original id where one was recorded, else the name."""
    names = [*model.state_names, *model.parameter_names, *model.input_names,
             *model.expressions]
    ids = {n: model.source_ids.get(n, n) for n in names}
    if len(set(ids.values())) != len(ids):  # an original id now clashes: keep coley names
        ids = {n: n for n in names}
    return ids


def _document(ls: Any, model: Model) -> Any:
    doc = ls.SBMLDocument(3, 2)
    m = doc.createModel()
    m.setId(model.name)
    m.setName(model.title)
    notes = f"{model.title}. Source: {model.citation}. Written by coley."
    m.setNotes(f'<body xmlns="http://www.w3.org/1999/xhtml"><p>{escape(notes)}</p></body>')
    ids = _ids(model)
    rename = {sp.Symbol(n, real=True): sp.Symbol(i, real=True) for n, i in ids.items() if n != i}

    def math(expr: Any, where: str) -> Any:
        return to_ast(expr.xreplace(rename) if rename else expr, f"model {model.name!r}: {where}")

    day = m.createUnitDefinition()
    day.setId("day")
    unit = day.createUnit()
    unit.setKind(ls.UNIT_KIND_SECOND)
    unit.setExponent(1)
    unit.setScale(0)
    unit.setMultiplier(86400.0)
    m.setTimeUnits("day")
    comp_id = "compartment"
    while comp_id in ids.values():
        comp_id += "_"
    comp = m.createCompartment()
    comp.setId(comp_id)
    comp.setSize(1.0)
    comp.setConstant(True)
    comp.setSpatialDimensions(3)
    for s in model.states:
        sp_ = m.createSpecies()
        sp_.setId(ids[s.name])
        sp_.setName(s.meaning)
        sp_.setCompartment(comp_id)
        sp_.setInitialAmount(float(s.initial))
        sp_.setHasOnlySubstanceUnits(True)
        sp_.setBoundaryCondition(False)
        sp_.setConstant(False)
    for p in model.parameters:
        par = m.createParameter()
        par.setId(ids[p.name])
        par.setName(p.meaning)
        par.setValue(float(p.value))
        par.setConstant(True)
    for u in model.inputs:
        par = m.createParameter()
        par.setId(ids[u.name])
        par.setName(f"{u.meaning} (coley input: 0 unless a schedule sets it)")
        par.setValue(0.0)
        par.setConstant(False)
    for name, expr in model.parsed_expressions.items():
        par = m.createParameter()
        par.setId(ids[name])
        par.setConstant(False)
        rule = m.createAssignmentRule()
        rule.setVariable(ids[name])
        rule.setMath(math(expr, f"expression {name!r}"))
    for state in model.state_names:
        rule = m.createRateRule()
        rule.setVariable(ids[state])
        rule.setMath(math(model.parsed_equations[state], f"equation for {state!r}"))
    for ev, (cond, values) in zip(model.events, model.parsed_events, strict=True):
        e = m.createEvent()
        e.setId(ev.name)
        e.setUseValuesFromTriggerTime(ev.use_values_from_trigger_time)
        trig = e.createTrigger()
        trig.setInitialValue(ev.initial_value)
        trig.setPersistent(ev.persistent)
        trig.setMath(math(cond, f"trigger of event {ev.name!r}"))
        if ev.priority is not None:
            prio = e.createPriority()
            prio.setMath(math(sp.Float(ev.priority), f"priority of event {ev.name!r}"))
        for target, value in values.items():
            ea = e.createEventAssignment()
            ea.setVariable(ids[target])
            ea.setMath(math(value, f"assignment to {target!r} in event {ev.name!r}"))
    _validate(ls, doc, model)
    return doc


def _validate(ls: Any, doc: Any, model: Model) -> None:
    """Raise SBMLError if libSBML finds the document invalid (unit checks are skipped)."""
    doc.setConsistencyChecks(ls.LIBSBML_CAT_UNITS_CONSISTENCY, False)
    doc.setConsistencyChecks(ls.LIBSBML_CAT_MODELING_PRACTICE, False)
    doc.checkConsistency()
    errors = [doc.getError(i) for i in range(doc.getNumErrors())
              if doc.getError(i).getSeverity() >= ls.LIBSBML_SEV_ERROR]
    if errors:
        first = " ".join(errors[0].getMessage().split())
        raise SBMLError(
            f"model {model.name!r}: the SBML written for it is invalid ({len(errors)} error(s));"
            f" first: {first}"
        )

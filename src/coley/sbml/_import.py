"""Import an SBML Level 2 or 3 model as a coley :class:`~coley.model.model.Model`.

What each SBML element becomes:

* A species that is not constant and not set by an assignment rule is a **state**; its value is
  its concentration (amount / compartment size) unless ``hasOnlySubstanceUnits`` is true, as in
  SBML math. Its equation is the sum of stoichiometry x rate over the reactions it takes part
  in (divided by the compartment size for concentrations; times the conversion factor, if
  any), or its rate rule; a boundary species changes only by rules and events. Constant
  species, compartment sizes and constant parameters are **parameters**.
* A parameter with a rate rule, or one that an event changes, is a state (equation 0 if only
  events change it); a parameter, species or compartment set by an assignment rule is a named
  **expression** (ordered by dependency).
* Local parameters of a kinetic law are parameters named ``<reaction id>_<id>``.
* Initial assignments (and assignment rules, which hold at the start too) are evaluated in
  dependency order to give the initial values and parameter values.
* Function definitions are inlined; piecewise, the relational and logical operators and the
  MathML functions become their sympy equivalents.
* Events without delay become :class:`~coley.model.components.ModelEvent` objects with the
  same trigger, assignments, priority, persistence, initial value and
  use-values-from-trigger-time.

SBML ids that are not valid coley names (Python keywords such as ``lambda``, and ``t``, which
is time) get a trailing underscore; ``Model.source_ids`` records the original ids.

Rejected with :class:`~coley.errors.SBMLError`, naming the construct and the element: algebraic
rules, delayed events, the delay and rateOf functions, fast reactions, variable compartments,
variable stoichiometry, non-constant event priorities, reactions without a kinetic law, calls
to undefined functions, and SBML packages that change the model's meaning (comp, fbc, ...).
"""

from __future__ import annotations

import keyword
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sympy as sp

from coley.errors import InvalidArgumentError, SBMLError
from coley.experiment.files import check_input_file
from coley.model.components import Citation, ModelEvent, Parameter, State
from coley.model.model import TIME, Model
from coley.sbml._math import MathReader, integral_value, libsbml_module

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_RESERVED = frozenset({"t"})
#: SBML packages whose content coley ignores safely (drawing information only).
_HARMLESS_PACKAGES = frozenset({"layout", "render"})


#: Largest SBML file read (BioModels' largest curated models are a few MB).
SBML_MAX_BYTES = 100 * 2**20


def read_sbml(path: str | os.PathLike[str], *, name: str | None = None) -> Model:
    """Import the SBML file at ``path`` as a coley model.

    Parameters
    ----------
    path:
        An SBML Level 2 or 3 file (``.xml``/``.sbml``).
    name:
        The coley model name; default: the SBML model id, else the file name.

    Raises
    ------
    SBMLError
        If the file does not exist, is not valid SBML, or uses a construct coley cannot
        simulate exactly (the message names the construct and the element id).
    """
    file = Path(path)
    if not file.exists():
        raise SBMLError(f"SBML file '{file}' does not exist; check the path.")
    if not file.is_file():
        raise SBMLError(f"'{file}' is not a file; give the path of an SBML (.xml) file.")
    try:  # the shared input checks (size); XML declares its own encoding, libsbml reads it
        check_input_file(file, what="SBML file", limit=SBML_MAX_BYTES)
    except InvalidArgumentError as exc:
        raise SBMLError(str(exc)) from None
    ls = libsbml_module()
    doc = ls.readSBMLFromFile(str(file))
    return _Importer(doc, source=file.name, stem=file.stem, name=name).model()


def read_sbml_string(text: str, *, name: str | None = None, source: str = "<string>") -> Model:
    """Import an SBML document given as a string (see :func:`read_sbml`)."""
    ls = libsbml_module()
    doc = ls.readSBMLFromString(text)
    return _Importer(doc, source=source, stem="sbml_model", name=name).model()


# ---------------------------------------------------------------------------------- helpers
def _coley_name(sbml_id: str, taken: set[str]) -> str:
    """A valid, unused coley name for an SBML id (the id itself when possible)."""
    base = sbml_id if _NAME.match(sbml_id) else re.sub(r"\W", "_", sbml_id)
    if not base or base[0].isdigit():
        base = "x_" + base
    candidate = base
    while keyword.iskeyword(candidate) or candidate in _RESERVED or candidate in taken:
        candidate += "_"
    taken.add(candidate)
    return candidate


def _model_name(sbml_id: str, stem: str) -> str:
    for raw in (sbml_id, stem):
        cand = re.sub(r"\W+", "_", raw or "").strip("_")
        if cand and not cand[0].isdigit() and not keyword.iskeyword(cand) and cand != "t":
            return cand[:80]
    return "sbml_model"


def _check_document(ls: Any, doc: Any, source: str) -> Any:
    """The model of a document that read without errors, else a clear SBMLError."""
    problems = []
    for i in range(doc.getNumErrors()):
        err = doc.getError(i)
        if err.getSeverity() >= ls.LIBSBML_SEV_ERROR:
            problems.append(err)
    if problems:
        first = problems[0]
        message = " ".join(first.getMessage().split())
        line = f" (line {first.getLine()})" if first.getLine() else ""
        if first.getCategory() == ls.LIBSBML_CAT_XML or first.getErrorId() < 10000:
            what = "is not well-formed XML"
        elif first.getErrorId() in (10101, 10102, 20101, 20102, 20103):
            what = "is not SBML (wrong or missing SBML namespace, level or version)"
        else:
            what = "is not valid SBML"
        more = f" ({len(problems) - 1} more error(s))" if len(problems) > 1 else ""
        raise SBMLError(f"{source} {what}: {message}{line}{more}.")
    model = doc.getModel()
    if model is None:
        raise SBMLError(f"{source} contains no <model>; it is not an SBML model.")
    if doc.getLevel() < 2:
        raise SBMLError(
            f"{source} is SBML Level {doc.getLevel()}; coley reads Levels 2 and 3 (convert it "
            "with libSBML or COPASI)."
        )
    namespaces = doc.getNamespaces()
    for i in range(namespaces.getNumNamespaces() if namespaces is not None else 0):
        uri = namespaces.getURI(i)
        found = re.match(r"http://www\.sbml\.org/sbml/level3/version\d+/([^/]+)/version\d+",
                         uri)
        if found and found.group(1) not in _HARMLESS_PACKAGES \
                and doc.getPackageRequired(uri):
            raise SBMLError(
                f"{source} requires the SBML package {found.group(1)!r} ({uri}), which coley "
                "does not support."
            )
    return model


@dataclass
class _Item:
    """One SBML element that becomes a coley state, parameter or expression."""

    sbml_id: str
    name: str
    kind: str  # "compartment", "species", "parameter", "local"
    meaning: str
    unit: str
    default: Any = None  # default initial value (sympy, may use compartment symbols)
    role: str = "parameter"  # "state", "parameter", "expression"
    equation: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


class _Importer:
    def __init__(self, doc: Any, *, source: str, stem: str, name: str | None) -> None:
        self.ls = libsbml_module()
        self.doc = doc
        self.source = source
        self.stem = stem
        self.requested_name = name

    # ------------------------------------------------------------------ driver
    def model(self) -> Model:
        ls = self.ls
        m = _check_document(ls, self.doc, self.source)
        self.m = m
        self.level = self.doc.getLevel()
        self.items: dict[str, _Item] = {}
        self.taken: set[str] = set()
        self.functions = {fd.getId(): fd.getMath() for fd in m.getListOfFunctionDefinitions()}
        self.rates: dict[str, sp.Expr] = {}
        self._rate_stack: list[str] = []
        self._rules()
        self._declare()
        self.symbols = {i.sbml_id: sp.Symbol(i.name, real=True) for i in self.items.values()}
        self.reader = MathReader(self.symbols, self.functions, self._resolve)
        self._local_parameters()
        self._reactions()
        self._equations()
        values = self._initial_values()
        events = self._events(values)
        return self._build(values, events)

    # ------------------------------------------------------------------ rules
    def _rules(self) -> None:
        m = self.m
        self.assign: dict[str, Any] = {}
        self.rate_rules: dict[str, Any] = {}
        for k, rule in enumerate(m.getListOfRules()):
            if rule.isAlgebraic():
                ident = rule.getIdAttribute() or rule.getMetaId()
                label = f"{ident!r}" if ident else f"number {k + 1}"
                raise SBMLError(
                    f"{self.source}: algebraic rule {label} (an implicit equation 0 = "
                    f"{self._formula(rule.getMath())}) is not supported; coley needs explicit "
                    "rate or assignment rules (an ODE, not a DAE)."
                )
            var = rule.getVariable()
            if rule.isAssignment():
                self.assign[var] = rule.getMath()
            else:
                self.rate_rules[var] = rule.getMath()
        self.initial = {ia.getSymbol(): ia.getMath() for ia in m.getListOfInitialAssignments()}
        self.event_targets: set[str] = set()
        for ev in m.getListOfEvents():
            for ea in ev.getListOfEventAssignments():
                self.event_targets.add(ea.getVariable())

    def _formula(self, ast: Any) -> str:
        try:
            return str(self.ls.formulaToL3String(ast))
        except Exception:  # pragma: no cover - libsbml formatting only
            return "<math>"

    # ------------------------------------------------------------------ declarations
    def _declare(self) -> None:
        m = self.m
        for c in m.getListOfCompartments():
            cid = c.getId()
            if not c.getConstant() or cid in self.rate_rules or cid in self.assign \
                    or cid in self.event_targets:
                raise SBMLError(
                    f"{self.source}: compartment {cid!r} changes size (constant=false, or set "
                    "by a rule or event); coley supports compartments of constant size only."
                )
            size: Any = sp.Float(c.getSize()) if c.isSetSize() else None
            if size is None and cid not in self.initial:
                dims = c.getSpatialDimensionsAsDouble() if self.level == 3 else \
                    c.getSpatialDimensions()
                if self.level == 2 or dims == 0:
                    size = sp.Integer(1)  # SBML L2 default (and size is moot in 0-D)
                else:
                    raise SBMLError(
                        f"{self.source}: compartment {cid!r} has no size; give it a size or "
                        "an initial assignment."
                    )
            self._add(cid, "compartment", c, size, c.getUnits() if c.isSetUnits() else "")
        for s in m.getListOfSpecies():
            sid = s.getId()
            comp = s.getCompartment()
            if comp not in self.items:
                raise SBMLError(f"{self.source}: species {sid!r} is in the undefined "
                                f"compartment {comp!r}.")
            hosu = bool(s.getHasOnlySubstanceUnits())
            vol = sp.Symbol(self.items[comp].name, real=True)
            if s.isSetInitialConcentration():
                default = sp.Float(s.getInitialConcentration()) * (vol if hosu else 1)
            elif s.isSetInitialAmount():
                default = sp.Float(s.getInitialAmount()) / (1 if hosu else vol)
            else:
                default = None
            unit = s.getSubstanceUnits() if s.isSetSubstanceUnits() else ""
            item = self._add(sid, "species", s, default, unit)
            item.extra = {"compartment": comp, "hosu": hosu,
                          "boundary": bool(s.getBoundaryCondition()),
                          "constant": bool(s.getConstant())}
            cf = ""
            if self.level == 3:
                if s.isSetConversionFactor():
                    cf = s.getConversionFactor()
                elif m.isSetConversionFactor():
                    cf = m.getConversionFactor()
            item.extra["conversion"] = cf
            if s.getConstant() and (sid in self.rate_rules or sid in self.event_targets
                                    or sid in self.assign):
                raise SBMLError(f"{self.source}: species {sid!r} is constant but a rule or "
                                "event changes it; this SBML is invalid.")
        for p in m.getListOfParameters():
            pid = p.getId()
            value = sp.Float(p.getValue()) if p.isSetValue() else None
            self._add(pid, "parameter", p, value, p.getUnits() if p.isSetUnits() else "")
            if p.getConstant() and (pid in self.rate_rules or pid in self.event_targets
                                    or pid in self.assign):
                raise SBMLError(f"{self.source}: parameter {pid!r} is constant but a rule or "
                                "event changes it; this SBML is invalid.")
        # roles
        for item in self.items.values():
            sid = item.sbml_id
            if sid in self.assign:
                if sid in self.rate_rules or sid in self.event_targets:
                    raise SBMLError(f"{self.source}: {sid!r} has an assignment rule and is also "
                                    "changed by a rate rule or event; this SBML is invalid.")
                item.role = "expression"
            elif item.kind == "species":
                item.role = "parameter" if item.extra["constant"] else "state"
            elif item.kind == "parameter":
                changed = sid in self.rate_rules or sid in self.event_targets
                item.role = "state" if changed else "parameter"
        known = set(self.items)
        for var in [*self.assign, *self.rate_rules, *self.initial, *self.event_targets]:
            if var not in known:
                ref_ids = {sr.getId() for r in self.m.getListOfReactions()
                           for sr in [*r.getListOfReactants(), *r.getListOfProducts()]
                           if sr.isSetId()} if self.level == 3 else set()
                if var in ref_ids:
                    raise SBMLError(
                        f"{self.source}: the stoichiometry {var!r} is set by a rule, initial "
                        "assignment or event; coley supports constant stoichiometries only."
                    )
                raise SBMLError(f"{self.source}: a rule, initial assignment or event sets "
                                f"{var!r}, which the model does not declare.")

    def _add(self, sid: str, kind: str, element: Any, default: Any, unit: str) -> _Item:
        name = _coley_name(sid, self.taken)
        label = element.getName() if element.isSetName() else sid
        item = _Item(sid, name, kind, f"{label} ({kind} {sid!r})" if label != sid
                     else f"{kind} {sid!r}", unit, default)
        self.items[sid] = item
        return item

    def _local_parameters(self) -> None:
        self.local: dict[str, dict[str, Any]] = {}
        for r in self.m.getListOfReactions():
            rid = r.getId()
            scope: dict[str, Any] = {}
            if r.isSetKineticLaw():
                kl = r.getKineticLaw()
                plist = kl.getListOfLocalParameters() if self.level == 3 else \
                    kl.getListOfParameters()
                for p in plist:
                    pid = p.getId()
                    if not p.isSetValue():
                        raise SBMLError(f"{self.source}: local parameter {pid!r} of reaction "
                                        f"{rid!r} has no value.")
                    key = f"{rid}_{pid}"
                    item = self._add(key, "local", p, sp.Float(p.getValue()),
                                     p.getUnits() if p.isSetUnits() else "")
                    item.meaning = f"local parameter {pid!r} of reaction {rid!r}"
                    sym = sp.Symbol(item.name, real=True)
                    self.symbols[key] = sym
                    scope[pid] = sym
            self.local[rid] = scope

    # ------------------------------------------------------------------ reactions
    def _resolve(self, name: str, where: str) -> Any:
        """Ids other than declared quantities: a reaction id stands for its rate."""
        if name in self.rates:
            return self.rates[name]
        for r in self.m.getListOfReactions():
            if r.getId() == name:
                if name in self._rate_stack:
                    raise SBMLError(f"{where}: the rate of reaction {name!r} refers to itself.")
                self._rate_stack.append(name)
                try:
                    return self._rate(r)
                finally:
                    self._rate_stack.pop()
        if name in self.functions:
            raise SBMLError(f"{where} uses the function {name!r} as a value.")
        return None

    def _rate(self, r: Any) -> sp.Expr:
        rid = r.getId()
        if rid in self.rates:
            return self.rates[rid]
        where = f"{self.source}: kinetic law of reaction {rid!r}"
        if not r.isSetKineticLaw() or not r.getKineticLaw().isSetMath():
            raise SBMLError(
                f"{self.source}: reaction {rid!r} has no kinetic law; coley needs a rate "
                "(<kineticLaw> with <math>) for every reaction."
            )
        rate = self.reader.expr(r.getKineticLaw().getMath(), where, self.local[rid])
        self.rates[rid] = rate
        return rate

    def _reactions(self) -> None:
        self.flux: dict[str, sp.Expr] = {}
        for r in self.m.getListOfReactions():
            rid = r.getId()
            fast = r.getFast() if (self.level == 2 or r.isSetFast()) else False
            if fast:
                raise SBMLError(f"{self.source}: reaction {rid!r} is fast (fast=\"true\", an "
                                "instantaneous equilibrium); coley does not support fast "
                                "reactions.")
            rate = self._rate(r)
            for sign, refs in ((-1, r.getListOfReactants()), (1, r.getListOfProducts())):
                for sr in refs:
                    sid = sr.getSpecies()
                    if sid not in self.items or self.items[sid].kind != "species":
                        raise SBMLError(f"{self.source}: reaction {rid!r} refers to the "
                                        f"undefined species {sid!r}.")
                    if self.level == 2 and sr.isSetStoichiometryMath():
                        raise SBMLError(
                            f"{self.source}: species {sid!r} in reaction {rid!r} has a "
                            "stoichiometryMath; coley supports constant stoichiometries only."
                        )
                    if self.level == 3 and not sr.isSetStoichiometry():
                        ref = sr.getId() if sr.isSetId() else ""
                        if not ref or ref not in self.initial:
                            raise SBMLError(f"{self.source}: species {sid!r} in reaction "
                                            f"{rid!r} has no stoichiometry.")
                        raise SBMLError(
                            f"{self.source}: the stoichiometry {ref!r} of species {sid!r} in "
                            f"reaction {rid!r} is set by an initial assignment; coley supports "
                            "stoichiometries given as numbers only."
                        )
                    stoich = integral_value(sp.Float(sr.getStoichiometry()))
                    item = self.items[sid]
                    if item.extra["boundary"] or item.role != "state":
                        continue
                    if sid in self.rate_rules:
                        raise SBMLError(f"{self.source}: species {sid!r} has a rate rule and "
                                        f"takes part in reaction {rid!r}; this SBML is invalid.")
                    self.flux[sid] = self.flux.get(sid, sp.Integer(0)) + sign * stoich * rate

    def _equations(self) -> None:
        for item in self.items.values():
            if item.role != "state":
                continue
            sid = item.sbml_id
            where = f"{self.source}: rate rule for {sid!r}"
            if sid in self.rate_rules:
                item.equation = self.reader.expr(self.rate_rules[sid], where)
            elif item.kind == "species" and not item.extra["boundary"]:
                flux = self.flux.get(sid, sp.Integer(0))
                cf = item.extra["conversion"]
                if cf:
                    flux = flux * self.symbols[cf]
                if not item.extra["hosu"]:
                    flux = flux / self.symbols[item.extra["compartment"]]
                item.equation = flux
            else:
                item.equation = sp.Integer(0)
        self.rules: dict[str, sp.Expr] = {}
        for var, ast in self.assign.items():
            self.rules[var] = self.reader.expr(ast, f"{self.source}: assignment rule for {var!r}")

    # ------------------------------------------------------------------ initial values
    def _initial_values(self) -> dict[str, float]:
        """Value at t = 0 of every declared quantity (by SBML id), in dependency order."""
        by_symbol = {self.symbols[k]: k for k in self.items}
        formulas: dict[str, Any] = {}
        for sid, item in self.items.items():
            if sid in self.rules:
                formulas[sid] = self.rules[sid]
            elif sid in self.initial:
                formulas[sid] = self.reader.expr(
                    self.initial[sid], f"{self.source}: initial assignment to {sid!r}")
            else:
                formulas[sid] = item.default
        values: dict[str, float] = {}
        visiting: list[str] = []

        def value(sid: str) -> float:
            if sid in values:
                return values[sid]
            if sid in visiting:
                cycle = " -> ".join([*visiting[visiting.index(sid):], sid])
                raise SBMLError(f"{self.source}: initial values depend on each other in a "
                                f"cycle ({cycle}).")
            expr = formulas[sid]
            if expr is None:
                item = self.items[sid]
                raise SBMLError(f"{self.source}: {item.kind} {sid!r} has no value; give it a "
                                "value, an initial amount or concentration, or an initial "
                                "assignment.")
            visiting.append(sid)
            expr = sp.sympify(expr)
            sub: dict[Any, Any] = {TIME: sp.Integer(0)}
            for sym in expr.free_symbols:
                if sym in by_symbol:
                    sub[sym] = sp.Float(value(by_symbol[sym]))
            visiting.pop()
            number = expr.xreplace(sub)
            try:
                result = float(sp.N(number)) if not number.is_Number else float(number)
            except (TypeError, ValueError):
                raise SBMLError(f"{self.source}: the initial value of {sid!r} ({expr}) does not "
                                "evaluate to a number.") from None
            if not math.isfinite(result):
                raise SBMLError(f"{self.source}: the initial value of {sid!r} ({expr}) is "
                                f"{result}; give a finite value.")
            values[sid] = result
            return result

        for sid in self.items:
            if self.items[sid].role != "expression":
                value(sid)
        self.initial_formulas = formulas
        return values

    def _initial_assignments(self, kept: set[str]) -> dict[str, sp.Expr]:
        """Initial values of states that depend on parameters, as expressions of the kept
        parameters ``kept`` (SBML ids): a patient given other parameter values starts from
        them (SBML semantics of initial assignments)."""
        by_symbol = {self.symbols[k]: k for k in self.items}
        cache: dict[str, sp.Expr] = {}

        def symbolic(sid: str) -> sp.Expr:
            if sid in cache:
                return cache[sid]
            item = self.items[sid]
            if item.role == "parameter" and sid in kept and sid not in self.initial \
                    and sid not in self.rules:
                out: sp.Expr = self.symbols[sid]
            else:
                expr = sp.sympify(self.initial_formulas[sid])
                sub: dict[Any, Any] = {TIME: sp.Integer(0)}
                for sym in expr.free_symbols:
                    if sym in by_symbol:
                        sub[sym] = symbolic(by_symbol[sym])
                out = expr.xreplace(sub)
            cache[sid] = out
            return out

        found = {}
        for sid, item in self.items.items():
            if item.role == "state" and (sid in self.initial or sid in self.rules
                                         or not sp.sympify(item.default).is_Number):
                expr = symbolic(sid)
                if expr.free_symbols:
                    found[item.name] = expr
        return found

    # ------------------------------------------------------------------ events
    def _events(self, values: dict[str, float]) -> list[ModelEvent]:
        out = []
        taken = set(self.taken)
        for k, ev in enumerate(self.m.getListOfEvents()):
            eid = ev.getId() if ev.isSetId() else f"event_{k + 1}"
            where = f"{self.source}: event {eid!r}"
            if ev.isSetDelay():
                raise SBMLError(f"{where} has a delay ({self._formula(ev.getDelay().getMath())});"
                                " coley supports events without delay only.")
            trig = ev.getTrigger()
            if trig is None or not trig.isSetMath():
                raise SBMLError(f"{where} has no trigger.")
            cond = self.reader.condition(trig.getMath(), f"{where} (trigger)")
            if self.level == 3:
                initial = bool(trig.getInitialValue())
                persistent = bool(trig.getPersistent())
            else:
                initial = True   # SBML Level 2: a trigger true at the start does not fire
                persistent = True
            uvftt = bool(ev.getUseValuesFromTriggerTime()) if (
                self.level == 3 or ev.isSetUseValuesFromTriggerTime()) else True
            priority = None
            if self.level == 3 and ev.isSetPriority():
                pexpr = self.reader.expr(ev.getPriority().getMath(), f"{where} (priority)")
                free = pexpr.free_symbols
                symbols = {self.symbols[s]: s for s in self.items}
                if TIME in free or any(symbols.get(s) is None or
                                       self.items[symbols[s]].role != "parameter"
                                       for s in free):
                    raise SBMLError(f"{where} has a priority that changes during the "
                                    "simulation; coley supports constant priorities only.")
                priority = float(pexpr.xreplace({s: values[symbols[s]] for s in free}))
            assignments = {}
            for ea in ev.getListOfEventAssignments():
                var = ea.getVariable()
                item = self.items[var]
                assignments[item.name] = self.reader.expr(
                    ea.getMath(), f"{where} (assignment to {var!r})")
            name = _coley_name(eid, taken)
            out.append(ModelEvent(name, cond, assignments, priority=priority,
                                  persistent=persistent, initial_value=initial,
                                  use_values_from_trigger_time=uvftt))
        return out

    # ------------------------------------------------------------------ the model
    def _citation(self) -> Citation:
        m = self.m
        title = m.getName() if m.isSetName() else (m.getId() or self.stem)
        biomodels = ""
        doi = ""
        refs = []
        for i in range(m.getNumCVTerms()):
            term = m.getCVTerm(i)
            for j in range(term.getNumResources()):
                uri = term.getResourceURI(j)
                found = re.search(r"biomodels\.db[/:]((?:BIOMD|MODEL)\d+)", uri)
                if found and not biomodels:
                    biomodels = found.group(1)
                found = re.search(r"doi[/:](10\.\S+)$", uri)
                if found and not doi:
                    doi = found.group(1)
                found = re.search(r"pubmed[/:](\d+)$", uri)
                if found:
                    refs.append(f"PMID:{found.group(1)}")
        if not biomodels:
            found = re.match(r"((?:BIOMD|MODEL)\d{10})", self.stem)
            biomodels = found.group(1) if found else ""
        reference = f"{title} (SBML model{', ' + ', '.join(refs) if refs else ''})"
        return Citation(reference, doi=doi, biomodels_id=biomodels,
                        note=f"Imported from the SBML file {self.source}.")

    def _time_unit(self) -> str:
        m = self.m
        if self.level == 3 and m.isSetTimeUnits():
            unit = m.getTimeUnits()
        elif self.level == 2 and m.getUnitDefinition("time") is not None:
            unit = "time"
        else:
            return "not declared"
        ud = m.getUnitDefinition(unit)
        if ud is None:
            return unit
        parts = []
        for u in ud.getListOfUnits():
            kind = self.ls.UnitKind_toString(u.getKind())
            factor = u.getMultiplier() * 10.0 ** u.getScale()
            parts.append(f"{factor:g} {kind}" + (f"^{u.getExponent()}" if u.getExponent() != 1
                                                  else ""))
        return f"{unit} = {' * '.join(parts)}"

    def _build(self, values: dict[str, float], events: list[ModelEvent]) -> Model:
        m = self.m
        src = self.source
        states, parameters = [], []
        equations: dict[str, Any] = {}
        expressions = self._ordered_rules()
        used: set[Any] = set()
        for expr in [*(i.equation for i in self.items.values() if i.role == "state"),
                     *expressions.values()]:
            used |= sp.sympify(expr).free_symbols
        for ev in events:
            used |= ev.trigger.free_symbols
            for value in ev.assignments.values():
                used |= sp.sympify(value).free_symbols
        for sid, item in self.items.items():
            where = f"SBML {src}: {item.kind} {sid!r}"
            if item.kind == "compartment" and self.symbols[sid] not in used:
                continue  # a compartment no equation needs (amounts only) is left out
            if item.role == "state":
                states.append(State(item.name, values[sid], item.unit, item.meaning, where,
                                    lower=None))
                equations[item.name] = item.equation
            elif item.role == "parameter":
                parameters.append(Parameter(item.name, values[sid], item.unit, item.meaning,
                                            where))
        if not states:
            raise SBMLError(f"{src}: the model has nothing that changes in time (no species, "
                            "rate rule or event target that is a state); nothing to simulate.")
        kept = {sid for sid, item in self.items.items() if item.role == "parameter"
                and any(p.name == item.name for p in parameters)}
        initial_assignments = self._initial_assignments(kept)
        renamed = {i.name: i.sbml_id for i in self.items.values() if i.name != i.sbml_id
                   and i.kind != "local"}
        for ev, decl in zip(events, self.m.getListOfEvents(), strict=True):
            if decl.isSetId() and ev.name != decl.getId():
                renamed[ev.name] = decl.getId()
        name = self.requested_name or _model_name(m.getId(), self.stem)
        notes = [
            f"Imported from the SBML file {src} (Level {self.doc.getLevel()} Version "
            f"{self.doc.getVersion()}).",
            f"Time unit declared by the file: {self._time_unit()}. coley keeps the file's time "
            "axis (days in coley's commands are the file's time units).",
        ]
        if renamed:
            notes.append("Renamed SBML ids: " + ", ".join(f"{v} -> {k}"
                                                         for k, v in renamed.items()) + ".")
        if m.getNumConstraints():
            notes.append(f"The file's {m.getNumConstraints()} constraint(s) are not checked.")
        return Model(
            name=name,
            title=m.getName() if m.isSetName() else name,
            states=tuple(states), parameters=tuple(parameters), equations=equations,
            citation=self._citation(), expressions=expressions, events=tuple(events),
            source_ids={k: v for k, v in renamed.items() if not any(
                e.name == k for e in events)},
            description=" ".join(notes), initial_assignments=initial_assignments,
        )

    def _ordered_rules(self) -> dict[str, sp.Expr]:
        """Assignment rules as coley expressions, each after those it uses."""
        by_symbol = {self.symbols[k]: k for k in self.rules}
        order: list[str] = []
        state: dict[str, int] = {}

        def visit(sid: str, path: list[str]) -> None:
            if state.get(sid) == 2:
                return
            if state.get(sid) == 1:
                cycle = " -> ".join([*path[path.index(sid):], sid])
                raise SBMLError(f"{self.source}: assignment rules depend on each other in a "
                                f"cycle ({cycle}); this SBML is invalid.")
            state[sid] = 1
            for sym in sorted(self.rules[sid].free_symbols, key=str):
                if sym in by_symbol:
                    visit(by_symbol[sym], [*path, sid])
            state[sid] = 2
            order.append(sid)

        for sid in self.rules:
            visit(sid, [])
        return {self.items[sid].name: self.rules[sid] for sid in order}

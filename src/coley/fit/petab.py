"""PEtab v1 problems read into coley fit problems.

PEtab (Schmiester et al. 2021, PLoS Comput Biol 17:e1008646) describes a parameter estimation
problem as an SBML model and four tables. :func:`read_petab` reads them with the ``petab``
library (``petab.v1.Problem.from_yaml``), imports the model with coley's own
:func:`~coley.sbml.read_sbml`, and maps the tables one to one onto a
:class:`~coley.fit.problem.FitProblem`:

* **parameter table** -> :class:`~coley.fit.problem.FitParameter` (``parameterScale``,
  ``lowerBound``, ``upperBound``, ``nominalValue``, ``estimate``). A parameter that is an SBML
  parameter (or a compartment coley keeps) sets that model parameter in every experiment;
  the others are used by observables, noise models, conditions and measurement overrides.
* **condition table** -> one :class:`~coley.fit.problem.Experiment` per simulation condition
  that has measurements. Each column sets a model parameter, a species' initial value or a
  compartment size to a number or a parameter of the parameter table; ``NaN`` keeps the
  model's value.
* **measurement table** -> the measurements: ``experiment`` (``simulationConditionId``),
  ``observable``, ``time``, ``value`` (``measurement``), ``observable_parameters`` and
  ``noise_parameters``. A ``preequilibrationConditionId`` gives an experiment with
  ``preequilibration`` set, which :meth:`FitProblem.check` does not accept yet.
* **observable table** -> :class:`~coley.fit.problem.Observable` (``observableFormula``,
  ``noiseFormula``, ``observableTransformation``, ``noiseDistribution``). PEtab's ``time`` is
  coley's ``t``; a noise formula that names an observable gets that observable's formula.

SBML ids coley renames (``lambda`` -> ``lambda_``: ``Model.source_ids``) are renamed in every
formula and table. What coley cannot represent is an :class:`~coley.errors.InvalidArgumentError`
naming the PEtab feature and the file: output parameters set in the condition table, mapping
tables, extensions, steady-state measurements (``time = inf``), and pre-equilibration (through
:meth:`FitProblem.check`). SBML constructs coley cannot simulate are an
:class:`~coley.errors.SBMLError` from the importer. Objective priors
(``objectivePriorType``, ``objectivePriorParameters``) become :class:`~coley.fit.prior.Prior`
of the same kind: PEtab v1 defines the non-``parameterScale`` kinds on the linear value, the
``parameterScale*`` ones on the estimation scale, and so does coley. With priors the objective
is the negative log posterior (``ignore_priors=True`` keeps the likelihood alone).
``initializationPriorType`` (start sampling) is ignored.

Initial assignments to parameters follow the problem as in PEtab: coley's importer evaluates
them once, so before the import the model is rewritten (:meth:`_Reader._model`): an assignment
to a parameter the problem sets is dropped, and one that uses parameters the problem sets
(through constant parameters only) becomes an assignment rule, which has the same value at
every time.
"""

from __future__ import annotations

import keyword
import math
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sympy as sp
from sympy.printing.str import StrPrinter

from coley.errors import InvalidArgumentError
from coley.fit.prior import Prior
from coley.fit.problem import Experiment, FitParameter, FitProblem, Observable, split_overrides
from coley.model.model import TIME, Model
from coley.sbml import read_sbml, read_sbml_string

_PLACEHOLDER = re.compile(r"^(observable|noise)Parameter(\d+)_(\w+)$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Printer(StrPrinter):
    """sympy's string printer with every float exact (``repr``) and ``E`` as ``exp(1)``, so
    that coley's formula parser reads back the same expression."""

    def _print_Float(self, expr: sp.Float) -> str:
        x = float(expr)
        return repr(x) if math.isfinite(x) else ("oo" if x > 0 else "-oo" if x < 0 else "nan")

    def _print_Exp1(self, expr: Any) -> str:
        return "exp(1)"


def _text(expr: sp.Expr) -> str | float:
    if expr.is_Number:
        return float(expr)
    return str(_Printer().doprint(expr))


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and not value.strip())


def read_petab(yaml_path: str | os.PathLike[str], *, ignore_priors: bool = False
               ) -> FitProblem:
    """The PEtab v1 problem described by ``yaml_path`` as a checked coley fit problem.

    The objective priors of the parameter table become :class:`~coley.fit.prior.Prior` (the
    objective is then the negative log posterior, as pyPESTO's); ``ignore_priors=True`` drops
    them: maximum likelihood instead of maximum a posteriori estimation.

    Raises
    ------
    InvalidArgumentError
        If the files cannot be read, or the problem uses a PEtab feature coley cannot represent
        (the message names the feature and the file).
    SBMLError
        If the SBML model uses a construct coley cannot simulate.
    """
    return _Reader(Path(yaml_path), ignore_priors).problem()


class _Reader:
    def __init__(self, path: Path, ignore_priors: bool) -> None:
        self.path = path
        self.ignore_priors = ignore_priors
        self.where = path.name

    def fail(self, message: str) -> InvalidArgumentError:
        return InvalidArgumentError(f"PEtab problem {self.where}: {message}")

    # ------------------------------------------------------------------ driver
    def problem(self) -> FitProblem:
        self._load()
        self.model = self._model()
        self._names()
        parameters = self._parameters()
        self._columns()
        observables = self._observables()
        measurements = self._measurements()
        experiments = self._experiments()
        problem = FitProblem(self.model, tuple(experiments), tuple(observables), measurements,
                             tuple(parameters), name=self.path.stem)
        try:
            return problem.check()
        except InvalidArgumentError as exc:
            raise self.fail(str(exc)) from None

    def _load(self) -> None:
        import petab.v1 as petab
        from petab.v1.yaml import load_yaml

        if not self.path.is_file():
            raise InvalidArgumentError(f"PEtab problem file '{self.path}' does not exist; give "
                                       "the path of the problem's YAML file.")
        try:
            config = load_yaml(str(self.path))
        except Exception as exc:  # yaml and schema errors of several kinds
            raise self.fail(f"cannot read the YAML file ({exc}).") from None
        version = str(config.get("format_version", ""))
        if version.split(".")[0] != "1":
            raise self.fail(f"format_version {version!r}: coley reads PEtab v1 problems only.")
        if len(config.get("problems", [])) != 1:
            raise self.fail(f"the file lists {len(config.get('problems', []))} problems "
                            "(a composite problem); coley reads problems with one model.")
        files = config["problems"][0].get("sbml_files", [])
        if len(files) != 1:
            raise self.fail(f"the problem has {len(files)} SBML files; coley needs exactly one.")
        if config.get("extensions"):
            raise self.fail(f"the PEtab extensions {sorted(config['extensions'])} are not "
                            "supported.")
        if config["problems"][0].get("mapping_files"):
            raise self.fail("mapping tables (mapping_files) are not supported; use the model's "
                            "ids in the tables.")
        self.sbml_path = self.path.parent / files[0]
        try:
            self.petab = petab.Problem.from_yaml(str(self.path))
        except Exception as exc:  # petab raises ValueError, KeyError, OSError, ...
            raise self.fail(f"the petab library cannot read the problem: "
                            f"{type(exc).__name__}: {exc}") from None
        p = self.petab
        for table in ("parameter_df", "condition_df", "measurement_df", "observable_df"):
            if getattr(p, table) is None:
                raise self.fail(f"the problem has no {table.removesuffix('_df')} table.")

    # ------------------------------------------------------------------ names
    def _names(self) -> None:
        """PEtab id -> coley name, for the model's entities and the problem's parameters."""
        m: Model = self.model
        entities = {*m.state_names, *m.parameter_names, *m.expressions}
        self.names: dict[str, str] = {m.source_ids.get(n, n): n for n in entities}
        sbml = self.sbml
        # compartments no equation uses (coley leaves them out): their sizes
        self.dropped: dict[str, float] = {}
        for c in sbml.getListOfCompartments():
            if c.getId() not in self.names and c.isSetSize():
                self.dropped[c.getId()] = float(c.getSize())
        taken = set(entities)
        for pid in self.petab.parameter_df.index:
            if pid in self.names:
                continue
            name = str(pid)
            while not _IDENTIFIER.match(name) or keyword.iskeyword(name) or name == "t" \
                    or name in taken:
                name = re.sub(r"\W", "_", name) + "_"
            taken.add(name)
            self.names[str(pid)] = name
        self.observable_names: dict[str, str] = {}
        taken_obs: set[str] = set()
        for oid in self.petab.observable_df.index:
            name = str(oid)
            while not _IDENTIFIER.match(name) or keyword.iskeyword(name) or name in taken_obs:
                name = re.sub(r"\W", "_", name) + "_"
            taken_obs.add(name)
            self.observable_names[str(oid)] = name

    def _parameter(self, value: Any, where: str) -> float | str:
        """A table entry that is a number or a parameter of the parameter table."""
        if isinstance(value, int | float | np.integer | np.floating):
            return float(value)
        text = str(value).strip()
        try:
            return float(text)
        except ValueError:
            pass
        if text not in self.petab.parameter_df.index:
            raise self.fail(f"{where} names {text!r}, which is not in the parameter table.")
        return self.names[text]

    # ------------------------------------------------------------------ parameters
    def _parameters(self) -> list[FitParameter]:
        df = self.petab.parameter_df
        m = self.model
        out = []
        for pid, row in df.iterrows():
            where = f"parameter table, parameter {pid!r}"
            name = self.names[str(pid)]
            if name in m.expressions:
                raise self.fail(f"{where} is set by an assignment rule of the model; it cannot "
                                "be a parameter of the problem.")
            prior = None if self.ignore_priors else self._prior(row, where)
            try:
                out.append(FitParameter(
                    name, float(row.get("lowerBound", math.nan)),
                    float(row.get("upperBound", math.nan)), float(row["nominalValue"]),
                    scale=str(row.get("parameterScale", "lin")),
                    estimate=bool(int(row.get("estimate", 1))), prior=prior))
            except (InvalidArgumentError, TypeError, ValueError, KeyError) as exc:
                raise self.fail(f"{where}: {exc}") from None
        return out

    def _prior(self, row: Any, where: str) -> Prior | None:
        """The row's objective prior (PEtab v1: ``objectivePriorType`` and
        ``objectivePriorParameters`` "a;b"; the non-``parameterScale`` kinds act on the linear
        value), or None. A row without a type has none; a type without parameters is an
        error."""
        kind = row.get("objectivePriorType")
        if _empty(kind):
            return None
        text = row.get("objectivePriorParameters")
        try:
            a, b = (float(v) for v in str(text).split(";"))
        except ValueError:
            raise self.fail(f"{where}: objectivePriorParameters must be two numbers 'a;b' for "
                            f"the {kind!r} prior, got {text!r}.") from None
        try:
            return Prior(str(kind), a, b)
        except InvalidArgumentError as exc:
            raise self.fail(f"{where}: {exc}") from None

    # ------------------------------------------------------------------ the model
    def _model(self) -> Model:
        """The coley model, with the initial assignments of parameters made to follow the
        problem.

        coley's importer evaluates a parameter's initial assignment once and inlines it into
        the initial values that use the parameter. Under PEtab the problem's value of a
        parameter replaces its initial assignment, and everything computed from parameters
        follows the problem's values. So, before the import: an initial assignment to a
        parameter the problem sets is dropped (the parameter keeps the assigned value as its
        default), and one that depends, through constant parameters only, on parameters the
        problem sets becomes an assignment rule (the same values at every time)."""
        model = read_sbml(self.sbml_path)
        sbml = self.petab.model.sbml_model
        self.sbml = sbml
        set_ids = set(map(str, self.petab.parameter_df.index)) | {
            str(c) for c in self.petab.condition_df.columns if c != "conditionName"}
        rules = {r.getVariable() for r in sbml.getListOfRules()}
        constant = {p.getId() for p in sbml.getListOfParameters() if p.getConstant()} | {
            c.getId() for c in sbml.getListOfCompartments()}
        constant -= rules
        assigned = {ia.getSymbol(): ia for ia in sbml.getListOfInitialAssignments()
                    if ia.getSymbol() in constant and sbml.getParameter(ia.getSymbol())}
        memo: dict[str, bool] = {}

        def follows(pid: str, path: tuple[str, ...] = ()) -> bool:
            """Whether the initial assignment to pid uses (maybe through others) a parameter
            the problem sets."""
            if pid not in memo:
                names = _ast_names(assigned[pid].getMath())
                memo[pid] = bool(names & set_ids) or any(
                    follows(n, (*path, pid)) for n in names & set(assigned) - {pid, *path})
            return memo[pid]

        overridden = [pid for pid in assigned if pid in set_ids]
        ruled = [pid for pid in assigned if pid not in set_ids and follows(pid)]
        for pid in ruled:
            names = _ast_names(assigned[pid].getMath())
            if not names <= constant:
                raise self.fail(f"the model's parameter {pid!r} has an initial assignment that "
                                f"uses {sorted(names & set_ids)}, which the problem sets, and "
                                f"{sorted(names - constant)}, which are not constant "
                                "parameters; coley cannot make it follow the problem.")
        if not overridden and not ruled:
            return model
        import libsbml

        doc = libsbml.readSBMLFromFile(str(self.sbml_path))
        m = doc.getModel()
        by_name = {model.source_ids.get(n, n): n for n in model.parameter_names}
        for pid in overridden:
            if pid in by_name:
                m.getParameter(pid).setValue(model.parameter(by_name[pid]).value)
            m.removeInitialAssignment(pid)
        for pid in ruled:
            rule = m.createAssignmentRule()
            rule.setVariable(pid)
            rule.setMath(m.getInitialAssignment(pid).getMath().deepCopy())
            m.getParameter(pid).setConstant(False)
            m.removeInitialAssignment(pid)
        self.sbml = m
        self._document = doc  # keeps m alive
        return read_sbml_string(libsbml.writeSBMLToString(doc), name=model.name,
                                source=self.sbml_path.name)

    # ------------------------------------------------------------------ observables
    def _formula(self, text: Any, where: str, oid: str, kind: str,
                 observables: dict[str, sp.Expr] | None = None) -> sp.Expr:
        from petab.v1.math import sympify_petab

        if _empty(text):
            raise self.fail(f"{where} is empty.")
        try:
            expr = sympify_petab(text)
        except (ValueError, TypeError) as exc:
            raise self.fail(f"{where}: cannot parse {text!r} ({exc}).") from None
        sub: dict[sp.Basic, sp.Basic] = {}
        for sym in expr.free_symbols:
            name = str(sym)
            found = _PLACEHOLDER.match(name)
            if name == "time":
                sub[sym] = TIME
            elif found and found.group(3) == oid:
                if found.group(1) != kind and kind == "observable":
                    raise self.fail(f"{where} uses the noise placeholder {name!r}.")
                sub[sym] = sp.Symbol(f"{found.group(1)}Parameter{found.group(2)}_"
                                     f"{self.observable_names[oid]}", real=True)
            elif name in self.names:
                sub[sym] = sp.Symbol(self.names[name], real=True)
            elif name in self.dropped:
                sub[sym] = sp.Float(self.dropped[name])
            elif observables is not None and name in observables:
                sub[sym] = observables[name]
            else:
                raise self.fail(f"{where} uses {name!r}, which is no entity of the model, no "
                                "parameter of the parameter table and no placeholder of this "
                                "observable.")
        return expr.xreplace(sub)

    def _observables(self) -> list[Observable]:
        df = self.petab.observable_df
        formulas = {str(oid): self._formula(row["observableFormula"],
                                            f"observable table, {oid!r} observableFormula",
                                            str(oid), "observable")
                    for oid, row in df.iterrows()}
        #: observable id -> k of the placeholders its formulas use: (observable formula,
        #: noise formula: noise placeholders, then observable ones), where coley's numbering
        #: differs from PEtab's. coley gives a row's values to the placeholders a formula
        #: uses, in order; PEtab gives value k to placeholder k, and a noise formula may use
        #: observable placeholders. Such formulas are renumbered 1, 2, ... and each row's
        #: values picked to match (_layout_values).
        self.layout: dict[str, tuple[list[int], list[tuple[str, int]]]] = {}
        out = []
        for oid, row in df.iterrows():
            oid = str(oid)
            noise = self._formula(row.get("noiseFormula"), f"observable table, {oid!r} "
                                  "noiseFormula", oid, "noise", formulas)
            coley_id = self.observable_names[oid]
            formula = formulas[oid]
            used = _present(formula, "observable", coley_id)
            order = [(kind, k) for kind in ("noise", "observable")
                     for k in _present(noise, kind, coley_id)]
            if used != list(range(1, len(used) + 1)) or \
                    order != [("noise", j + 1) for j in range(len(order))]:
                formula = formula.xreplace({
                    _placeholder("observable", k, coley_id):
                        _placeholder("observable", j + 1, coley_id)
                    for j, k in enumerate(used)})
                noise = noise.xreplace({_placeholder(kind, k, coley_id):
                                        _placeholder("noise", j + 1, coley_id)
                                        for j, (kind, k) in enumerate(order)})
                self.layout[coley_id] = (used, order)
            transform = row.get("observableTransformation")
            distribution = row.get("noiseDistribution")
            try:
                out.append(Observable(
                    coley_id, _text(formula), _text(noise),
                    transform="lin" if _empty(transform) else str(transform),
                    distribution="normal" if _empty(distribution) else str(distribution)))
            except InvalidArgumentError as exc:
                raise self.fail(f"observable table: {exc}") from None
        return out

    # ------------------------------------------------------------------ measurements
    def _overrides(self, value: Any, where: str) -> Any:
        if _empty(value):
            return math.nan
        if isinstance(value, int | float | np.integer | np.floating):
            return float(value)
        items = [self._parameter(part, where) for part in str(value).split(";")]
        return ";".join(repr(i) if isinstance(i, float) else i for i in items)

    def _measurements(self) -> pd.DataFrame:
        df = self.petab.measurement_df.reset_index(drop=True)
        preeq = df.get("preequilibrationConditionId")
        keys: list[tuple[str | None, str]] = []
        for i in range(len(df)):
            pre = None if preeq is None or _empty(preeq.iloc[i]) else str(preeq.iloc[i])
            keys.append((pre, str(df["simulationConditionId"].iloc[i])))
        wanted = list(dict.fromkeys(keys))
        for pre, _ in list(wanted):
            if pre is not None and (None, pre) not in wanted:
                wanted.append((None, pre))
        self.experiment_names = _experiment_names(wanted)
        time = pd.to_numeric(df["time"], errors="coerce").to_numpy(dtype=float)
        if np.isinf(time).any():
            raise self.fail(f"measurement table: {int(np.isinf(time).sum())} measurements at "
                            "time = inf (steady-state measurements) are not supported.")
        unknown = sorted(set(map(str, df["observableId"])) - set(self.observable_names))
        if unknown:
            raise self.fail(f"measurement table: observables {unknown[:5]} are not in the "
                            "observable table.")
        out = pd.DataFrame({
            "experiment": [self.experiment_names[k] for k in keys],
            "observable": [self.observable_names[str(o)] for o in df["observableId"]],
            "time": time,
            "value": pd.to_numeric(df["measurement"], errors="coerce").to_numpy(dtype=float),
        })
        for petab_col, col in (("observableParameters", "observable_parameters"),
                               ("noiseParameters", "noise_parameters")):
            if petab_col in df.columns:
                out[col] = [self._overrides(v, f"measurement table, row {i} {petab_col}")
                            for i, v in enumerate(df[petab_col])]
        for i, obs in enumerate(out["observable"]):
            if obs in self.layout:
                values = {col: out[col].iloc[i] if col in out.columns else math.nan
                          for col in ("observable_parameters", "noise_parameters")}
                for col, value in self._layout_values(obs, values).items():
                    if col not in out.columns:
                        out[col] = math.nan
                    out[col] = out[col].astype(object)
                    out.at[i, col] = value
        return out

    def _layout_values(self, observable: str, values: dict[str, Any]) -> dict[str, Any]:
        """A row's placeholder values for the renumbered formulas of ``observable`` (see
        ``layout``)."""
        used, order = self.layout[observable]
        given = {}
        for kind, col in (("observable", "observable_parameters"),
                          ("noise", "noise_parameters")):
            part = split_overrides(values[col])
            need = max([*(used if kind == "observable" else []),
                        *(k for c, k in order if c == kind)], default=0)
            if len(part) == 1 and need > 1:
                part = part * need
            if len(part) < need:
                raise self.fail(f"measurement table: observable {observable!r} has a row with "
                                f"{len(part)} {kind} parameters; its formulas use "
                                f"{kind}Parameter{need}.")
            given[kind] = part

        def text(items: list[float | str]) -> Any:
            return ";".join(repr(i) if isinstance(i, float) else i for i in items) \
                if items else math.nan

        return {"observable_parameters": text([given["observable"][k - 1] for k in used]),
                "noise_parameters": text([given[kind][k - 1] for kind, k in order])}

    # ------------------------------------------------------------------ conditions
    def _columns(self) -> dict[str, str | None]:
        """Condition table column -> the coley parameter or state it sets (None: the size of
        a compartment coley leaves out)."""
        m = self.model
        settable = {*m.parameter_names, *m.state_names}
        out: dict[str, str | None] = {}
        for col in map(str, self.petab.condition_df.columns):
            where = f"condition table, column {col!r}"
            target = self.names.get(col)
            if col == "conditionName":
                continue
            if col in self.petab.parameter_df.index:
                raise self.fail(f"{where}: {col!r} is also in the parameter table; PEtab "
                                "allows one or the other.")
            if target in settable:
                out[col] = target
            elif col in self.dropped:
                out[col] = None
            elif target is not None:
                raise self.fail(f"{where} sets {col!r}, which the model computes by an "
                                "assignment rule; a condition can set parameters, initial "
                                "values and compartment sizes.")
            else:
                raise self.fail(f"{where} sets the output parameter {col!r} per condition; "
                                "coley's experiments set model parameters and initial values "
                                "only (give it as a placeholder override in the measurement "
                                "table instead).")
        return out

    def _experiments(self) -> list[Experiment]:
        df = self.petab.condition_df
        columns = self._columns()
        names = self.experiment_names
        out = []
        for key in names:
            pre, sim = key
            if sim not in df.index:
                raise self.fail(f"condition {sim!r} of the measurement table is not in the "
                                "condition table.")
            settings: dict[str, float | str] = {}
            for col, target in columns.items():
                value = df.loc[sim, col]
                if _empty(value):
                    continue
                where = f"condition table, condition {sim!r} column {col!r}"
                v = self._parameter(value, where)
                if target is not None:
                    settings[target] = v
                elif v != self.dropped[col]:
                    raise self.fail(f"{where} sets the size of a compartment that no equation "
                                    "uses (coley leaves it out of the model); initial "
                                    "concentrations would not follow it.")
            out.append(Experiment(names[key], settings,
                                  preequilibration=None if pre is None
                                  else names[(None, pre)]))
        return out


def _experiment_names(keys: list[tuple[str | None, str]]) -> dict[tuple[str | None, str], str]:
    """Experiment names: the simulation condition id, qualified by the pre-equilibration
    condition where one simulation condition has several."""
    by_sim: dict[str, set[str | None]] = {}
    for pre, sim in keys:
        by_sim.setdefault(sim, set()).add(pre)
    return {(pre, sim): sim if len(by_sim[sim]) == 1 or pre is None else f"{sim} after {pre}"
            for pre, sim in keys}


def _placeholder(kind: str, k: int, observable: str) -> sp.Symbol:
    return sp.Symbol(f"{kind}Parameter{k}_{observable}", real=True)


def _present(expr: sp.Expr, kind: str, observable: str) -> list[int]:
    """The k of the placeholders ``{kind}Parameter{k}_{observable}`` in ``expr``, sorted."""
    out = []
    for s in expr.free_symbols:
        found = _PLACEHOLDER.match(str(s))
        if found and found.group(1) == kind and found.group(3) == observable:
            out.append(int(found.group(2)))
    return sorted(out)


def _ast_names(ast: Any) -> set[str]:
    """The names an SBML math AST refers to."""
    out: set[str] = set()
    stack = [ast]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        if node.isName():
            out.add(node.getName())
        stack.extend(node.getChild(i) for i in range(node.getNumChildren()))
    return out


__all__ = ["read_petab"]

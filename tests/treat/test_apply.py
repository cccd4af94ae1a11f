"""Applying regimens through hooks: one regimen on every model that has the hooks, the effect
mechanics checked exactly, clear errors where a hook is missing."""

from __future__ import annotations

import math

import numpy as np
import pytest

import coley
from coley.solve.compile import compile_model
from coley.treat import At, Dose, Every, InfusionRoute, Regimen, apply_regimens

TIGHT = coley.Rodas4(rtol=1e-10, atol=1e-10)


@pytest.fixture(scope="module")
def kuz() -> coley.Model:
    return coley.library.get("kuznetsov1994")


def test_kirschner_panetta_adoptive_transfer_threshold_through_a_regimen() -> None:
    # Kirschner & Panetta 1998: ACI at s1 > r2*g2*mu2/a = 540 cures (models-validation.md §2,
    # derived threshold [D]). A continuous infusion of R cells/vol/day into the effector hook
    # is the same model as s1 = R (bitwise), and from the untreated equilibrium (c = 0.035)
    # R = 550 drives the tumour below one cell while R = 530 leaves it established.
    kp = coley.library.get("kirschner_panetta1998")
    start = next(e.state for e in coley.equilibria(kp) if e.state["T"] > 0)
    days = 3000.0
    finals = {}
    for rate in (530.0, 550.0):
        reg = Regimen("adoptive_t_cells", Dose(rate * days, "state"), At((0,)),
                      route=InfusionRoute(24 * days))
        treated = coley.simulate(kp, start, t_end=days,
                                 treatment=coley.Treatment([reg]), solver=TIGHT)
        direct = coley.simulate(kp, {**start, "s1": rate}, t_end=days, solver=TIGHT)
        assert np.array_equal(treated["T"], direct["T"])
        finals[rate] = treated.final("T")[0]
    assert finals[550.0] < 1.0 < 100.0 < finals[530.0]


def test_kirschner_panetta_il2_alone_does_not_clear() -> None:
    # Kirschner & Panetta 1998: IL-2 alone does not clear the tumour at tolerable doses; the
    # effector equation loses its sink only for s2 > 6.35e7 (models-validation.md §2 [D]).
    kp = coley.library.get("kirschner_panetta1998")
    start = next(e.state for e in coley.equilibria(kp) if e.state["T"] > 0)
    for s2 in (1e5, 1e6, 1e7):
        res = coley.simulate(kp, {**start, "s2": s2}, t_end=2000, solver=TIGHT)
        assert res["T"][0, 1000:].min() > 1.0


def test_bolus_of_cells_adds_to_the_hooked_state(kuz: coley.Model) -> None:
    reg = Regimen("adoptive_t_cells", Dose(1e6, "cells"), At((5,)))
    res = coley.simulate(kuz, saveat=[0, 4.999999, 5],
                         treatment=coley.Treatment([reg]), solver=TIGHT)
    assert res["E"][0, 2] - res["E"][0, 1] == pytest.approx(1e6, rel=1e-4)


def test_radiotherapy_fraction_follows_the_linear_quadratic_model(kuz: coley.Model) -> None:
    # Surviving fraction after d = 2 Gy: exp(-alpha d - beta d^2), alpha = 0.146/Gy (Kosinsky
    # 2018) and alpha/beta = 10 Gy: exp(-0.292 - 0.0584) = 0.7044.
    reg = Regimen("radiotherapy", Dose(2, "Gy"), At((3,)))
    res = coley.simulate(kuz, saveat=[0, 3], treatment=coley.Treatment([reg]), solver=TIGHT)
    ref = coley.simulate(kuz, saveat=[0, 3], solver=TIGHT)
    ratio = res["T"][0, 1] / ref["T"][0, 1]
    assert ratio == pytest.approx(math.exp(-0.146 * 2 - 0.0146 * 4), rel=1e-12)


def test_surgery_leaves_the_residual_fraction(kuz: coley.Model) -> None:
    reg = Regimen("surgery", Dose(0.001, "fraction"), At((10,)))
    res = coley.simulate(kuz, saveat=[0, 10], treatment=coley.Treatment([reg]), solver=TIGHT)
    ref = coley.simulate(kuz, saveat=[0, 10], solver=TIGHT)
    assert res["T"][0, 1] == pytest.approx(0.001 * ref["T"][0, 1], rel=1e-12)


def test_checkpoint_blockade_scales_the_hooked_rate_by_the_emax_occupancy(kuz: coley.Model
                                                                           ) -> None:
    # Pembrolizumab inhibits effector inactivation m: m -> m (1 - emax C/(ec50 + C)).
    treated = apply_regimens(kuz, [Regimen("pembrolizumab", Dose(200, "mg"), At((0,)))],
                             t_end=10).model
    compiled = compile_model(treated)
    y = treated.initial_values()
    names = treated.state_names
    y[names.index("E")], y[names.index("T")] = 1e6, 1e7
    y[names.index("pembrolizumab_A1")] = 3.48 * 20.0  # C = 20 mg/L
    f = np.empty(len(y))
    compiled.rhs(0.0, y, treated.parameter_values(), np.zeros(len(treated.inputs)), f)
    v = {p.name: p.value for p in kuz.parameters}
    occupancy = 0.9 * 20.0 / (0.5 + 20.0)
    m = v["m"] * (1 - occupancy)
    dE = v["s"] + v["p"] * 1e6 * 1e7 / (v["g"] + 1e7) - m * 1e6 * 1e7 - v["d"] * 1e6
    assert f[names.index("E")] == pytest.approx(dE, rel=1e-12)


def test_one_regimen_runs_on_every_library_model_with_its_hooks() -> None:
    # Adoptive transfer and chemotherapy act on hooks every library model of tumour and immune
    # cells has; models without them (CAR-T kinetics, empirical tumour size) refuse clearly.
    regs = [Regimen("adoptive_t_cells", Dose(1e5, "state"), Every(14, count=3)),
            Regimen("chemotherapy", Dose(500, "mg"), At((7,)))]
    for name in coley.library.names():
        model = coley.library.get(name)
        if not {"tumour_cells", "effector_cells"} <= {h.name for h in model.hooks}:
            with pytest.raises(coley.InvalidArgumentError, match="does not expose"):
                apply_regimens(model, regs, t_end=60)
            continue
        treated = apply_regimens(model, regs, t_end=60)
        assert "chemotherapy_A1" in treated.model.state_names
        assert len(treated.schedule) == 4


def test_a_missing_hook_is_an_error_listing_the_model_hooks(kuz: coley.Model) -> None:
    # ADCC antibodies need NK cells: Kuznetsov 1994 has none.
    reg = Regimen("trastuzumab", Dose(6, "mg/kg"), Every(21, count=2))
    with pytest.raises(coley.InvalidArgumentError, match=r"acts on hook 'nk_kill', which model "
                       r"'kuznetsov1994' does not expose\. Its hooks are: effector_kill"):
        apply_regimens(kuz, [reg], covariates={"weight": 70}, t_end=60)


def test_optional_effects_are_skipped_with_a_note() -> None:
    dp = coley.library.get("depillis2005")
    treated = apply_regimens(dp, [Regimen("radiotherapy", Dose(2, "Gy"), Every(1, count=5))],
                             t_end=10)
    assert any("effector_influx" in n for n in treated.notes)


def test_unit_and_label_errors(kuz: coley.Model) -> None:
    with pytest.raises(coley.InvalidArgumentError, match="dosed in mg or mg/kg, not 'cells'"):
        apply_regimens(kuz, [Regimen("pembrolizumab", Dose(1, "cells"), At((0,)))], t_end=10)
    kp = coley.library.get("kirschner_panetta1998")
    with pytest.raises(coley.InvalidArgumentError, match=r"whose unit is 'cell/vol'.*'state'"):
        apply_regimens(kp, [Regimen("adoptive_t_cells", Dose(1e6, "cells"), At((0,)))],
                       t_end=10)
    twice = [Regimen("surgery", Dose(0.1, "fraction"), At((1,)))] * 2
    with pytest.raises(coley.InvalidArgumentError, match="distinct label"):
        apply_regimens(kuz, twice, t_end=10)
    with pytest.raises(coley.UnknownNameError, match="Did you mean 'pembrolizumab'"):
        apply_regimens(kuz, [Regimen("pembrolizumb", Dose(1, "mg"), At((0,)))], t_end=10)


def test_treating_a_model_keeps_its_events() -> None:
    # A model event (as imported from SBML) must survive apply_regimens: the treated model is
    # the same model plus the regimen.
    base = coley.library.get("kuznetsov1994")
    event = coley.ModelEvent("boost", "t >= 5", {"E": "E + 1e5"})
    model = coley.Model(name=base.name, title=base.title, states=base.states,
                        parameters=base.parameters, equations=base.equations,
                        citation=base.citation, hooks=base.hooks, events=(event,))
    reg = Regimen("surgery", Dose(0.5, "fraction"), At((10,)))
    treated = apply_regimens(model, [reg], t_end=20).model
    assert treated.events == model.events

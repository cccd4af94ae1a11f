"""The surveillance model: structure, provenance of every number, hooks for every modality."""

from __future__ import annotations

import numpy as np
import pytest

import coley
from coley.library.surveillance import HOST_INPUTS, TUMOUR_STATES, model
from coley.treat import Dose, Every, modalities
from coley.treat.apply import apply_regimens
from coley.treat.regimen import Regimen

#: Hook names the treatment catalogue uses (docs/treatments.md).
CATALOGUE_HOOKS = {
    "effector_kill", "effector_exhaustion", "effector_influx", "effector_proliferation",
    "regulatory_suppression", "tumour_growth", "antigenicity", "nk_kill", "nk_suppression",
    "nk_cells", "effector_cells", "tumour_cells", "tgfb_signalling", "tumour_softening",
}


def test_model_is_exposed_and_small() -> None:
    m = coley.library.surveillance.model()
    assert m.name == "surveillance"
    assert set(TUMOUR_STATES) <= set(m.state_names)
    assert set(m.input_names) == set(HOST_INPUTS)
    assert len(m.states) <= 12


def test_every_parameter_has_a_unit_and_a_source_or_an_assumption() -> None:
    for p in model().parameters:
        assert p.unit, p.name
        assert p.source, p.name
        if "[A]" in p.source:
            assert "plausible" in p.source, p.name
    stress = model().parameter("stress")
    assert "HYPOTHESIS" in stress.source and stress.value == 0.0


def test_declares_every_catalogue_hook() -> None:
    hooks = {h.name for h in model().hooks}
    assert hooks >= CATALOGUE_HOOKS
    needed = {a.hook for m in modalities() for a in m.actions}
    assert needed <= hooks
    m = model()
    assert m.hook("tumour_softening").target == "softness"
    assert m.hook("tgfb_signalling").target == "k_emt"


@pytest.mark.parametrize("mod", [m.name for m in modalities()])
def test_every_modality_applies_without_skipping(mod: str) -> None:
    entry = coley.treat.modality(mod)
    unit = entry.dose_units[0]
    reg = Regimen(mod, Dose(1.0, unit if unit != "mg/kg" else "mg"), Every(7, count=2))
    treated = apply_regimens(model(), [reg], t_end=30, covariates={"weight": 70, "bsa": 1.8})
    assert treated.notes == ()  # no optional action skipped: every hook exists


def _rates(values: dict[str, float]) -> dict[str, float]:
    """Per-capita T + NK kill of stiff (P) and soft (S) cells at a state, from the equations."""
    import sympy as sp

    m = model()
    subs = {m.symbols[p.name]: p.value for p in m.parameters}
    subs |= {m.symbols[s.name]: values.get(s.name, s.initial) for s in m.states}
    subs |= {m.symbols[u]: 0.0 for u in m.input_names}
    kill = m.expression_values["kill"]
    phi = m.expression_values["phi"]
    return {"stiff": float(kill.xreplace(subs)),
            "soft": float((phi * kill).xreplace(subs)),
            "phi": float(phi.xreplace(subs)),
            "softness": float(sp.Float(m.parameter("softness").value))}


def test_soft_cells_are_killed_with_efficiency_one_minus_softness() -> None:
    r = _rates({"P": 1e6})
    assert r["phi"] == pytest.approx(1 - r["softness"])
    assert r["soft"] == pytest.approx(0.01 * r["stiff"])


def test_dormant_cells_do_not_grow_and_tumour_free_host_is_at_rest() -> None:
    m = model()
    result = coley.simulate(m, {"P": 0.0, "D": 0.0, "S": 0.0}, t_end=100)
    for s in TUMOUR_STATES:
        assert np.all(result[s] == 0)
    assert result.final("N")[0] == pytest.approx(1e9, rel=1e-9)   # N0 = sN/dN
    assert result.final("R")[0] == pytest.approx(1.0, rel=1e-9)


def test_docs_page_renders_the_current_equations() -> None:
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "surveillance.md").read_text()
    for line in model().equations_text():
        assert line in page, f"docs/surveillance.md is stale: regenerate ({line})"
    for p in model().parameters:
        assert f"| `{p.name}` |" in page, p.name


def test_declares_what_scenarios_report_and_plot() -> None:
    # the keys the scenario summaries and robustness runs reported before the model declared
    # them (final_STATE of the burden states is generic), and the figure's three panels
    m = model()
    keys = {f"{r}_{readout.name}" for readout in m.readouts for r in readout.reduce}
    assert keys >= {"final_E", "final_M", "final_N", "max_E", "max_L", "max_V", "final_dormant",
                    "max_dormant", "final_V", "final_S", "max_P"}
    panels = [(r.name, r.states, r.log_scale) for r in m.readouts if r.panel]
    assert panels == [("dormant", ("D", "S"), True), ("E", ("E",), True), ("L", ("L",), False)]
    assert m.hazard_states == ("H",)

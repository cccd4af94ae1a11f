"""Treatment hooks: declared by models, validated at construction, listed on a miss."""

from __future__ import annotations

import pytest

import coley
from coley.model.components import Hook


def _model(*hooks: Hook) -> coley.Model:
    return coley.Model(
        name="hooked", title="decay", citation=coley.Citation("test"),
        states=(coley.State("x", 1.0, "cell", "x"),),
        parameters=(coley.Parameter("k", 0.1, "1/day", "loss", "test"),),
        equations={"x": "-k*x"}, hooks=hooks,
    )


def test_rate_hook_must_target_a_parameter() -> None:
    with pytest.raises(coley.ModelDefinitionError, match=r"hook 'kill'.*targets 'x', which is "
                       r"not a parameter"):
        _model(Hook("kill", "rate", "x", "kill"))


def test_state_hook_must_target_a_state() -> None:
    with pytest.raises(coley.ModelDefinitionError, match=r"not a state.*Did you mean 'x'"):
        _model(Hook("cells", "state", "xx", "cells"))


def test_duplicate_hook_and_unknown_kind() -> None:
    with pytest.raises(coley.ModelDefinitionError, match="declared twice"):
        _model(Hook("kill", "rate", "k", "a"), Hook("kill", "rate", "k", "b"))
    with pytest.raises(coley.ModelDefinitionError, match="kind must be one of"):
        Hook("kill", "scale", "k", "a")


def test_unknown_hook_lists_the_hooks_the_model_has() -> None:
    model = coley.library.get("kuznetsov1994")
    with pytest.raises(coley.UnknownNameError, match=r"effector_kil.*Did you mean "
                       r"'effector_kill'.*tumour_growth"):
        model.hook("effector_kil")


@pytest.mark.parametrize("name", coley.library.names())
def test_library_models_expose_the_shared_hooks(name: str) -> None:
    # Every library model of a tumour exposes at least the hooks a regimen needs to act on the
    # tumour and on effector cells (issue 4: "a regimen written once runs on every library model
    # that has the hooks"). Stein 2019 is a CAR-T kinetics model without a tumour; the
    # empirical tumour-size models have a tumour but no immune cells.
    hooks = {h.name: h for h in coley.library.get(name).hooks}
    if name == "stein2019":
        assert "tumour_cells" not in hooks
        return
    if name == "tumour_size":
        assert {"tumour_growth", "tumour_cells"} <= set(hooks)
        assert not any(h.startswith("effector") for h in hooks)
        return
    for needed in ("effector_kill", "tumour_growth", "effector_cells", "tumour_cells"):
        assert needed in hooks
    assert hooks["effector_cells"].kind == "state" and hooks["effector_kill"].kind == "rate"

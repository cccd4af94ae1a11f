"""Scenario claims as data (claims.py) and the model a scenario file names."""

from __future__ import annotations

import numpy as np
import pytest

from coley.errors import InvalidArgumentError
from coley.scenario.claims import ClaimSpec, Comparison, LabelIn, MetricRef, parse_condition
from coley.scenario.scenario import parse_scenario, simulate_scenario


def test_conditions_parse_into_typed_objects() -> None:
    assert parse_condition("a.final_total >= 1") == Comparison(MetricRef("a", "final_total"),
                                                               ">=", 1.0)
    assert parse_condition("a.x > 10 * b.y") == Comparison(MetricRef("a", "x"), ">", 10.0,
                                                           MetricRef("b", "y"))
    assert parse_condition(" a.x<b.y ") == Comparison(MetricRef("a", "x"), "<", 1.0,
                                                      MetricRef("b", "y"))
    assert parse_condition("a.x <= 1e-3") == Comparison(MetricRef("a", "x"), "<=", 1e-3)
    assert parse_condition("tki.label in elimination, equilibrium") == LabelIn(
        "tki", ("elimination", "equilibrium"))
    for bad in ("a.x = 1", "a > 1", "x.y > 1 + z.w", "a.label in", ""):
        with pytest.raises(ValueError, match="is not of the form"):
            parse_condition(bad)


def test_a_claim_holds_where_every_condition_does() -> None:
    claim = ClaimSpec(text="memory helps", holds=("b.total >= 1", "b.total > 10 * a.total"))
    metrics = {"a": {"total": np.array([1.0, 1.0, 0.01, np.nan])},
               "b": {"total": np.array([20.0, 5.0, 0.5, 20.0])}}
    np.testing.assert_array_equal(claim.evaluate(metrics), [True, False, False, False])
    assert claim.arms == ("b", "a")
    labels = ClaimSpec(text="controlled", holds=("a.label in elimination, equilibrium",))
    got = labels.evaluate({"a": {"label": np.array(["escape", "equilibrium", "failed"])}})
    np.testing.assert_array_equal(got, [False, True, False])


def _minimal(**extra: object) -> dict[str, object]:
    return {"name": "x", "model": "surveillance", "title": "t", "days": 10,
            "arm": [{"name": "a"}], **extra}


def test_scenario_files_validate_their_claims_and_model() -> None:
    spec = parse_scenario(_minimal(claim=[{"text": "t", "holds": ["a.final_total < 1"]}]))
    assert spec.claim[0].arms == ("a",)
    with pytest.raises(InvalidArgumentError, match=r"reads arms \['b'\]"):
        parse_scenario(_minimal(claim=[{"text": "t", "holds": ["b.final_total < 1"]}]))
    with pytest.raises(InvalidArgumentError, match="is not of the form"):
        parse_scenario(_minimal(claim=[{"text": "t", "holds": ["a.final_total"]}]))
    data = _minimal()
    del data["model"]
    with pytest.raises(InvalidArgumentError, match=r"no model: .*model = \"NAME\""):
        parse_scenario(data, where="x.toml")
    with pytest.raises(InvalidArgumentError, match="unknown model 'kuznetsov'"):
        parse_scenario(_minimal(model="kuznetsov"))
    with pytest.raises(InvalidArgumentError, match="inputs of model 'surveillance'"):
        parse_scenario(_minimal(event=[{"input": "flu", "start": 0, "days": 1}]))
    with pytest.raises(InvalidArgumentError, match="states of model 'surveillance'"):
        parse_scenario(_minimal(jump=[{"state": "T", "at": [1], "amount": 0.1}]))


def test_a_scenario_runs_on_the_model_it_names() -> None:
    # Kuznetsov et al. 1994: no inputs, so an event is refused with the model's (empty) list
    with pytest.raises(InvalidArgumentError, match=r"input must be one of \[\]"):
        parse_scenario(_minimal(model="kuznetsov1994",
                                event=[{"input": "bacterial", "start": 0, "days": 1}]))
    with pytest.raises(InvalidArgumentError, match="unknown parameter or state 'sE'"):
        parse_scenario(_minimal(model="kuznetsov1994", set={"sE": 1.0}))
    # Kuznetsov et al. 1994: the default initial state spirals into the dormant focus
    # (tests/library/test_kuznetsov1994.py), which the classifier calls equilibrium
    run = simulate_scenario(parse_scenario(_minimal(model="kuznetsov1994", days=400)))
    arm = run.arm("a")
    assert run.model.name == "kuznetsov1994" and arm.burden_states == ("T",)
    assert arm.classification.label == "equilibrium"
    np.testing.assert_allclose(arm.total, arm.result["T"][0])
    # the metrics are what the model declares: Kuznetsov et al. 1994 declares no readouts
    # (nor hazard states), so only its burden state and the (zero) irAE hazard are reported
    assert run.model.readouts == ()
    assert arm.metrics == {"final_T": arm.result.final("T")[0], "irae_hazard": 0.0,
                           "p_irae_grade3": 0.0}

"""The reading of equations as reactions (coley.stochastic.reactions)."""

from __future__ import annotations

import pytest

from coley import Citation, Model, Parameter, State
from coley.errors import ModelDefinitionError
from coley.stochastic import network


def _changes(net: object) -> dict[str, dict[str, float]]:
    return {str(r.written): dict(r.changes) for r in net.reactions}  # type: ignore[attr-defined]


def _toy(equations: dict[str, str]) -> Model:
    return Model(
        name="test_toy", title="toy", citation=Citation("test"),
        states=(State("X", 10.0, "cell", "x"), State("Y", 0.0, "cell", "y")),
        parameters=tuple(Parameter(n, 0.1, "1/day", n, "test") for n in ("b", "d", "k")),
        equations=equations,
    )


def test_surveillance_transitions_move_whole_cells(surveillance: Model) -> None:
    """P -> D, D -> P, P -> S, S -> P and the mutation P -> V are each ONE reaction."""
    got = _changes(network(surveillance))
    assert got["P*dormancy"] == {"P": -1.0, "D": 1.0}
    assert got["D*wake"] == {"P": 1.0, "D": -1.0}
    assert got["P*emt"] == {"P": -1.0, "S": 1.0}
    assert got["S*wake"] == {"P": 1.0, "S": -1.0}
    assert got["P*growth*mu"] == {"P": -1.0, "V": 1.0}
    assert got["P*growth"] == {"P": 1.0}  # births
    assert got["P*kill"] == {"P": -1.0}  # immune killing
    assert got["E*kEM*stim"] == {"E": -1.0, "M": 1.0}  # effector -> memory


def test_reactions_reproduce_the_equations(surveillance: Model) -> None:
    """Summing change * rate over the reactions gives back every right-hand side."""
    import sympy as sp

    net = network(surveillance)
    for state, rhs in zip(surveillance.state_names, surveillance.rhs, strict=True):
        total = sum((c * r.rate for r in net.reactions for s, c in r.changes if s == state),
                    sp.Integer(0))
        assert sp.simplify(sp.expand(total - rhs)) == 0, state


def test_net_rate_is_split_into_birth_and_death() -> None:
    """(b - d)*X is a birth at b*X and a death at d*X, as b*X - d*X is."""
    got = _changes(network(_toy({"X": "(b - d)*X", "Y": "0"}), ("X",)))
    assert got == {"X*b": {"X": 1.0}, "X*d": {"X": -1.0}}


def test_numeric_factors_scale_the_rate() -> None:
    """0.5*k*X in dX and k*X in dY: X -> 2 Y at rate 0.5*k*X."""
    net = network(_toy({"X": "-0.5*k*X", "Y": "k*X"}), ("X", "Y"))
    (reaction,) = net.reactions
    assert dict(reaction.changes) == {"X": -1.0, "Y": 2.0}
    assert str(reaction.written) == "0.5*X*k"
    assert "X -1, Y +2" in str(net)


def test_fractional_change_of_a_cell_count_is_refused() -> None:
    """X -> 0.3 Y: scaled to whole X (X -3.33) or whole Y, neither is whole in both."""
    with pytest.raises(ModelDefinitionError, match="not a whole number of cells of 'X'"):
        network(_toy({"X": "-k*X", "Y": "0.3*k*X"}), ("X", "Y"))
    # the same model is fine when Y is not counted in whole cells
    net = network(_toy({"X": "-k*X", "Y": "0.3*k*X"}), ("X",))
    assert dict(net.reactions[0].changes) == {"X": -1.0, "Y": 0.3}

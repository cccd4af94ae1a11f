"""Kuznetsov, Makalkin, Taylor & Perelson 1994 against the numbers in the validation note.

Source of every expected number: shared/research/models-validation.md §1 ("the note"): the
parameter table [P], the non-dimensional parameters, the equilibria table [D] and the trajectory
table [D]. Non-dimensional units: x = E/1e6, y = T/1e6, tau = n*1e6*t.
"""

from __future__ import annotations

import numpy as np
import pytest

import coley
from coley.library import kuznetsov1994
from tests.helpers import assert_published

SCALE = 1.0e6  # E0 = T0 = 1e6 cells (note §1, non-dimensional form)

# The note's non-dimensional parameters, as printed (note §1).
PUBLISHED_SCALED = {"sigma": "0.1181", "rho": "1.131", "eta": "20.19", "mu": "0.00311",
                    "delta": "0.3743", "alpha": "1.636", "beta": "2.0e-3"}

# The note's equilibria table [D]: x, y, eigenvalues in tau units, type (note §1).
EQUILIBRIA = {
    "tumour-free": ("0.3155", "0", [("-0.3743", "0"), ("1.3205", "0")], "saddle"),
    "dormant": ("1.6092", "8.1897", [("-0.0501", "-0.5763"), ("-0.0501", "0.5763")],
                "stable focus"),
    "threshold": ("0.7598", "267.798", [("-1.3565", "0"), ("0.3248", "0")], "saddle"),
    "large tumour": ("0.1730", "447.134", [("-1.6931", "0"), ("-0.4527", "0")], "stable node"),
}

# The note's trajectory table [D] from the BioModels initial state (E0 = 3.2e5, T0 = 5e6).
TIMES = [0.0, 10.0, 20.0, 50.0, 100.0, 150.0, 200.0]
TRAJECTORY = {
    "E": ["3.2e5", "4.42084e5", "7.13475e5", "2.39935e6", "1.21823e6", "1.50838e6", "1.58937e6"],
    "T": ["5.0e6", "1.93337e7", "5.53288e7", "4.60039e7", "1.30521e6", "2.62877e7", "2.97294e6"],
}


@pytest.fixture(scope="module")
def model() -> coley.Model:
    return kuznetsov1994.model()


@pytest.fixture(scope="module")
def rounded_model(model: coley.Model) -> coley.Model:
    """Dimensional parameters whose scaled values are exactly the note's rounded ones.

    The note's equilibria table was computed from the rounded scaled values (note §1, "Equilibria
    [D] (beta = 2e-3)"), so the test inverts sigma = s/(n*E0*T0), rho = p/(n*T0), eta = g/T0,
    mu = m/n, delta = d/(n*T0), alpha = a/(n*T0), beta = b*T0 at the model's n.
    """
    n = model.parameter("n").value
    sc = {k: float(v) for k, v in PUBLISHED_SCALED.items()}
    return model.with_values(
        s=sc["sigma"] * n * SCALE**2, p=sc["rho"] * n * SCALE, g=sc["eta"] * SCALE,
        m=sc["mu"] * n, d=sc["delta"] * n * SCALE, a=sc["alpha"] * n * SCALE,
        b=sc["beta"] / SCALE,
    )


@pytest.fixture(scope="module")
def equilibria_default(model: coley.Model) -> list[coley.Equilibrium]:
    return coley.equilibria(model)


# ------------------------------------------------------------------ non-dimensional form
@pytest.mark.parametrize("name", ["sigma", "rho", "eta", "mu", "beta"])
def test_scaled_parameters_round_to_published(name: str) -> None:
    # note §1: "sigma = 0.1181, rho = 1.131, eta = 20.19, mu = 0.00311, ..., beta = 2.0e-3",
    # each printed to the digits shown; the computed value must round to it.
    assert_published(kuznetsov1994.scaled_parameters()[name], PUBLISHED_SCALED[name], name)


def test_scaled_parameters_follow_the_dimensional_table() -> None:
    # Derived analytically from the note's §1 parameter table [P] (s, p, g, m, d, a, b, n) and
    # the scales E0 = T0 = 1e6: only floating-point round-off separates the two computations.
    s, p, g, m, d, a, b, n = 1.3e4, 0.1245, 2.019e7, 3.422e-10, 0.0412, 0.18, 2.0e-9, 1.101e-7
    expected = {"sigma": s / (n * SCALE**2), "rho": p / (n * SCALE), "eta": g / SCALE,
                "mu": m / n, "delta": d / (n * SCALE), "alpha": a / (n * SCALE),
                "beta": b * SCALE}
    got = kuznetsov1994.scaled_parameters()
    assert got == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("name", ["delta", "alpha"])
def test_published_delta_alpha_are_inconsistent_with_the_dimensional_table(name: str) -> None:
    # The note's (and paper's) delta = 0.3743 and alpha = 1.636 do NOT follow from its own
    # parameter table: d/(n*T0) = 0.0412/0.1101 = 0.374205 and a/(n*T0) = 0.18/0.1101 = 1.634877
    # (derived by hand), which round to 0.3742 and 1.635. The implementation follows the
    # dimensional table (test above); here the published value is only reproduced to within
    # its demonstrated inconsistency of 2.5e-4 (delta) and 6.9e-4 (alpha) relative, so 1e-3.
    published = float(PUBLISHED_SCALED[name])
    got = kuznetsov1994.scaled_parameters()[name]
    assert got == pytest.approx(published, rel=1e-3)
    assert round(got, 4 if name == "delta" else 3) != published  # documents the discrepancy


def test_scaled_parameters_round_trip(rounded_model: coley.Model) -> None:
    # Scaling the dimensional values built from the note's rounded scaled values gives those
    # values back (exact up to round-off: the construction is the inverse of the scaling).
    got = kuznetsov1994.scaled_parameters(rounded_model)
    assert got == pytest.approx({k: float(v) for k, v in PUBLISHED_SCALED.items()}, rel=1e-14)


def test_time_unit_in_days(model: coley.Model) -> None:
    # note §1: "tau = n*T0*t, so 1 tau-unit = 9.083 days".
    assert_published(1.0 / (model.parameter("n").value * SCALE), "9.083", "days per tau")


# ------------------------------------------------------------------ equilibria
def _by_tumour_size(eqs: list[coley.Equilibrium]) -> dict[str, coley.Equilibrium]:
    """Name the four equilibria by increasing T (tumour-free < dormant < threshold < large)."""
    ordered = sorted(eqs, key=lambda e: e.state["T"])
    assert len(ordered) == 4, f"expected the note's four equilibria, found {ordered}"
    return dict(zip(EQUILIBRIA, ordered, strict=True))


def test_equilibria_match_published_table(rounded_model: coley.Model) -> None:
    # note §1 equilibria table [D], computed at the rounded scaled parameters; x and y printed
    # to 4 (or 3) decimals, eigenvalues to 4 decimals: each must round to the printed value.
    found = _by_tumour_size(coley.equilibria(rounded_model))
    tau_per_day = rounded_model.parameter("n").value * SCALE
    for label, (x, y, eigs, kind) in EQUILIBRIA.items():
        eq = found[label]
        assert_published(eq.state["E"] / SCALE, x, f"{label} x")
        assert_published(eq.state["T"] / SCALE, y, f"{label} y")
        assert eq.kind == kind, label
        lam = eq.eigenvalues / tau_per_day  # 1/day -> 1/tau
        for got, (re, im) in zip(lam, eigs, strict=True):
            assert_published(got.real, re, f"{label} eigenvalue real part")
            assert_published(got.imag, im, f"{label} eigenvalue imaginary part")


def test_tumour_free_equilibrium_is_analytic(rounded_model: coley.Model) -> None:
    # Derived analytically: at y = 0, x = sigma/delta and the eigenvalues are -delta and
    # alpha - sigma/delta (triangular Jacobian); note §1 prints 0.3155, -0.3743, +1.3205.
    sigma, delta, alpha = 0.1181, 0.3743, 1.636
    found = _by_tumour_size(coley.equilibria(rounded_model))["tumour-free"]
    tau_per_day = rounded_model.parameter("n").value * SCALE
    assert found.state["E"] / SCALE == pytest.approx(sigma / delta, rel=1e-12)
    assert np.sort(found.eigenvalues.real) / tau_per_day == pytest.approx(
        [-delta, alpha - sigma / delta], rel=1e-10)


def test_interior_equilibria_are_roots_of_the_cubic(
        equilibria_default: list[coley.Equilibrium]) -> None:
    # note §1: interior equilibria are the roots y of C3 y^3 + C2 y^2 + C1 y + C0 with
    # C0 = eta(sigma/alpha - delta), C1 = sigma/alpha + rho - mu*eta - delta + delta*eta*beta,
    # C2 = -mu + (mu*eta + delta - rho)*beta, C3 = mu*beta, and x = alpha(1 - beta*y).
    # Exact scaled parameters from the parameter table [P]; the roots are well separated, so
    # both numpy's companion-matrix roots and coley's Newton iterates are accurate to far
    # better than the 1e-9 relative asked of them.
    s, p, g, m, d, a, b, n = 1.3e4, 0.1245, 2.019e7, 3.422e-10, 0.0412, 0.18, 2.0e-9, 1.101e-7
    sigma, rho, eta, mu = s / (n * SCALE**2), p / (n * SCALE), g / SCALE, m / n
    delta, alpha, beta = d / (n * SCALE), a / (n * SCALE), b * SCALE
    c0 = eta * (sigma / alpha - delta)
    c1 = sigma / alpha + rho - mu * eta - delta + delta * eta * beta
    c2 = -mu + (mu * eta + delta - rho) * beta
    c3 = mu * beta
    roots = np.roots([c3, c2, c1, c0])
    assert np.all(np.isreal(roots)), "the note's cubic has three real roots"
    roots = np.sort(roots.real)
    interior = sorted((e for e in equilibria_default if e.state["T"] > 0),
                      key=lambda e: e.state["T"])
    assert len(interior) == 3
    for y_root, eq in zip(roots, interior, strict=True):
        assert eq.state["T"] / SCALE == pytest.approx(y_root, rel=1e-9)
        assert eq.state["E"] / SCALE == pytest.approx(alpha * (1 - beta * y_root), rel=1e-9)


# ------------------------------------------------------------------ trajectory
@pytest.fixture(scope="module", params=[coley.Rodas4, coley.Dopri5], ids=["Rodas4", "Dopri5"])
def trajectory(request: pytest.FixtureRequest, model: coley.Model) -> coley.SimulationResult:
    return coley.simulate(model, saveat=TIMES, solver=request.param(rtol=1e-10, atol=1e-6))


def test_trajectory_matches_published_table(trajectory: coley.SimulationResult) -> None:
    # note §1 trajectory table [D], printed to 6 significant figures: each value must round to
    # the printed one (half a unit in the 6th digit, 3e-7 to 5e-6 relative); with rtol = 1e-10
    # the integration error is far below that.
    assert trajectory.status[0] == 0
    for state, column in TRAJECTORY.items():
        for t, got, published in zip(TIMES, trajectory[state][0], column, strict=True):
            assert_published(got, published, f"{state}({t:g} d)")


def test_dopri5_agrees_with_rodas4(model: coley.Model) -> None:
    # Two unrelated methods at rtol = 1e-10 on a damped spiral: each global error is a modest
    # multiple of rtol, so 1e-7 relative (1000 rtol) is ample, and still 5 to 50 times tighter
    # than the half unit in the 6th digit of the table both must reproduce.
    stiff = coley.simulate(model, saveat=TIMES, solver=coley.Rodas4(rtol=1e-10, atol=1e-6))
    explicit = coley.simulate(model, saveat=TIMES, solver=coley.Dopri5(rtol=1e-10, atol=1e-6))
    np.testing.assert_allclose(explicit.values, stiff.values, rtol=1e-7)


def test_initial_state_spirals_into_dormant_focus(
        model: coley.Model, equilibria_default: list[coley.Equilibrium]) -> None:
    # note §1: the trajectory from the SBML initial state "is a damped spiral into the dormant
    # focus". The focus decays at |Re lambda| = 0.0501 tau^-1 = 0.0055/day (note's eigenvalue),
    # so after 3000 days the distance has shrunk by exp(-16.5) ~ 7e-8: 1e-4 relative is safe.
    dormant = sorted(equilibria_default, key=lambda e: e.state["T"])[1]
    assert dormant.kind == "stable focus"
    result = coley.simulate(model, saveat=[0.0, 3000.0], solver=coley.Rodas4(rtol=1e-8))
    assert result.final("E")[0] == pytest.approx(dormant.state["E"], rel=1e-4)
    assert result.final("T")[0] == pytest.approx(dormant.state["T"], rel=1e-4)


# ------------------------------------------------------------------ basins of attraction
def test_saddle_separates_dormant_and_large_tumour_basins(
        model: coley.Model, equilibria_default: list[coley.Equilibrium]) -> None:
    # note §1: "initial conditions near the saddle on either side go to the dormant versus the
    # large-tumour attractor". Start at the saddle's E with T 5% below / above the saddle's T.
    # Attractors differ by a factor 50 in T; the slowest of them (the focus) decays by exp(-16)
    # over 3000 days (note's eigenvalue -0.0501 tau^-1), so 1e-4 relative identifies each.
    _, dormant, saddle, large = sorted(equilibria_default, key=lambda e: e.state["T"])
    assert saddle.kind == "saddle"
    e_s, t_s = saddle.state["E"], saddle.state["T"]
    result = coley.simulate(model, {"E": [e_s, e_s], "T": [0.95 * t_s, 1.05 * t_s]},
                            saveat=[0.0, 3000.0], solver=coley.Rodas4(rtol=1e-8))
    assert list(result.status) == [0, 0]
    for patient, target in ((0, dormant), (1, large)):
        for state in ("E", "T"):
            assert result.final(state)[patient] == pytest.approx(target.state[state], rel=1e-4)

"""Bunimovich-Mendrazitsky, Shochat & Stone 2007: BCG immunotherapy of superficial bladder cancer.

Bull Math Biol 69:1847-1870 (doi:10.1007/s11538-007-9195-z), BioModels BIOMD0000001034.
Bacillus Calmette-Guerin instilled in the bladder (B) infects uninfected tumour cells (Tu),
turning them into infected tumour cells (Ti), which recruit effector cells (E) that kill them.
The paper's non-dimensional form (its Eq. 4, time scaled by the BCG decay rate mu1):

    dB/dt  = -mu1*B - p1*E*B - p2*B*Tu + b
    dE/dt  = -mu2*E + alpha*Ti + p4*E*B - p5*E*Ti
    dTi/dt = -p3*E*Ti + p2*B*Tu
    dTu/dt = r*Tu*(1 - beta*Tu) - p2*B*Tu

b is the (continuous) BCG instillation rate. Values and the initial state are those of the
curated BioModels file, whose curator reproduced the paper's Fig. 4 with p4 = 0.085.

With mu1 = 1, the BCG-only tumour-free equilibrium (B, E, Ti, Tu) = (b/mu1, 0, 0, 0) has the
Jacobian eigenvalues -mu1, -mu2 + p4*b/mu1, 0 and r - p2*b/mu1: the E and Tu directions decay
for r/p2 < b/mu1 < mu2/p4 (0.421 < b < 4.82). The zero eigenvalue belongs to Ti, which only
effectors remove; it makes the equilibrium non-hyperbolic (see :func:`tumour_free_window`).
"""

from __future__ import annotations

from coley.model.components import Citation, Hook, Parameter, State
from coley.model.model import Model

_SRC = ("Bunimovich-Mendrazitsky et al. 2007, non-dimensional parameters as in BioModels "
        "BIOMD0000001034")
_SBML = "BioModels BIOMD0000001034 initial value"


def model() -> Model:
    """The BCG bladder-cancer model with the BioModels values (b = 1.9, p4 = 0.085)."""
    return Model(
        name="bunimovich2007",
        title=("Bunimovich-Mendrazitsky, Shochat & Stone 2007: BCG immunotherapy of bladder "
               "cancer"),
        states=(
            State("B", 0.0, "1", "BCG in the bladder (non-dimensional)", _SBML),
            State("E", 0.05, "1", "effector cells (non-dimensional)", _SBML),
            State("Ti", 0.0, "1", "BCG-infected tumour cells (non-dimensional)", _SBML),
            State("Tu", 0.55, "1", "uninfected tumour cells (non-dimensional)", _SBML),
        ),
        parameters=(
            Parameter("mu1", 1.0, "1/day", "BCG decay rate (1 after the paper's time scaling)",
                      _SRC, lower=0),
            Parameter("mu2", 0.41, "1/day", "effector-cell death rate", _SRC, lower=0),
            Parameter("p1", 1.25, "1/day", "BCG killing by effector cells", _SRC, lower=0),
            Parameter("p2", 0.285, "1/day", "infection rate of tumour cells by BCG", _SRC,
                      lower=0),
            Parameter("p3", 1.1, "1/day", "killing of infected tumour cells by effectors", _SRC,
                      lower=0),
            Parameter("p4", 0.085, "1/day", "effector activation/proliferation by BCG",
                      _SRC + " (curator: Fig. 4 reproduced with p4 = 0.085)", lower=0),
            Parameter("p5", 0.003, "1/day", "effector inactivation by infected tumour cells",
                      _SRC, lower=0),
            Parameter("alpha", 0.52, "1/day", "effector recruitment by infected tumour cells",
                      _SRC, lower=0),
            Parameter("beta", 0.0155, "1", "inverse carrying capacity of uninfected tumour",
                      _SRC, lower=0),
            Parameter("r", 0.12, "1/day", "tumour growth rate", _SRC, lower=0),
            Parameter("b", 1.9, "1/day", "BCG instillation rate (continuous therapy)", _SRC,
                      lower=0),
        ),
        equations={
            "B": "-mu1*B - p1*E*B - p2*B*Tu + b",
            "E": "-mu2*E + alpha*Ti + p4*E*B - p5*E*Ti",
            "Ti": "-p3*E*Ti + p2*B*Tu",
            "Tu": "r*Tu*(1 - beta*Tu) - p2*B*Tu",
        },
        hooks=(
            Hook("effector_kill", "rate", "p3", "killing of infected tumour cells by effectors"),
            Hook("effector_exhaustion", "rate", "p5",
                 "effector inactivation by infected tumour cells"),
            Hook("effector_influx", "rate", "alpha",
                 "effector recruitment driven by infected (antigen-presenting) tumour cells"),
            Hook("effector_proliferation", "rate", "p4", "BCG-driven effector activation"),
            Hook("tumour_growth", "rate", "r", "tumour growth rate"),
            Hook("bcg_instillation", "rate", "b", "BCG instillation rate (the model's therapy)"),
            Hook("effector_cells", "state", "E", "effector cells (adoptive transfer)"),
            Hook("tumour_cells", "state", "Tu", "uninfected tumour cells (resection, log-kill)"),
            Hook("bcg", "state", "B", "BCG in the bladder (instillation as a bolus)"),
        ),
        citation=Citation(
            "Bunimovich-Mendrazitsky S, Shochat E, Stone L (2007). Mathematical model of BCG "
            "immunotherapy in superficial bladder cancer. Bull Math Biol 69:1847-1870",
            doi="10.1007/s11538-007-9195-z", biomodels_id="BIOMD0000001034",
            note="Values of the curated BioModels file (p4 = 0.085 reproduces the paper's "
                 "Fig. 4, per the curator).",
        ),
        description=(
            "Non-dimensional form (the paper's Eq. 4): states are scaled cell counts, time is "
            "scaled by the BCG decay rate (mu1 = 1); the BioModels file reads it as days. "
            "BCG-only tumour-free equilibrium (b/mu1, 0, 0, 0): eigenvalues -mu1, "
            "-mu2 + p4*b/mu1, 0 (Ti) and r - p2*b/mu1, so the E and Tu directions decay for "
            "r/p2 < b/mu1 < mu2/p4 (0.421 < b < 4.82); the zero eigenvalue makes it "
            "non-hyperbolic, and infected cells then decay algebraically, not exponentially."
        ),
    )


def tumour_free_window(m: Model | None = None) -> tuple[float, float]:
    """The BCG rates (b_low, b_high) = (mu1*r/p2, mu1*mu2/p4) between which (b/mu1, 0, 0, 0)
    attracts along E and Tu.

    From the Jacobian at (b/mu1, 0, 0, 0): the Tu direction has eigenvalue r - p2*b/mu1
    (negative iff b > mu1*r/p2, BCG infects tumour cells faster than they grow), the E
    direction -mu2 + p4*b/mu1 (negative iff b < mu1*mu2/p4; above it BCG alone sustains a
    growing effector population, the effector-positive tumour-free branch).
    """
    v = {p.name: p.value for p in (m or model()).parameters}
    return v["mu1"] * v["r"] / v["p2"], v["mu1"] * v["mu2"] / v["p4"]

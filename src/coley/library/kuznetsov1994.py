"""Kuznetsov, Makalkin, Taylor & Perelson 1994: effector cells versus an immunogenic tumour.

Bull Math Biol 56:295-321 (doi:10.1007/BF02460644), BioModels BIOMD0000000762. BCL1 B-cell
lymphoma in the spleen of chimeric mice; the effector-tumour conjugate is eliminated by a
quasi-steady-state reduction, leaving

    dE/dt = s + p*E*T/(g + T) - m*E*T - d*E
    dT/dt = a*T*(1 - b*T) - n*E*T

The model shows immune control (a stable "dormant" focus near 8e6 cells), escape to a large
tumour, and "sneaking through", separated by the stable manifold of a saddle near 2.7e8 cells.
Initial state: the BioModels file (E0 = 3.2e5, T0 = 5e6), which spirals into the dormant focus.
"""

from __future__ import annotations

from coley.model.components import Citation, Hook, Parameter, State
from coley.model.model import Model

_SRC = "Kuznetsov et al. 1994, parameter table (BCL1 fit)"

#: Scale used by the paper's non-dimensional form: E0 = T0 = 1e6 cells.
SCALE_CELLS = 1.0e6


def model() -> Model:
    """The Kuznetsov 1994 model with the paper's BCL1 parameters."""
    return Model(
        name="kuznetsov1994",
        title="Kuznetsov et al. 1994: effector cells vs immunogenic tumour (BCL1 lymphoma)",
        states=(
            State("E", 3.2e5, "cell", "effector (cytotoxic) cells",
                  "BioModels BIOMD0000000762 initial amount"),
            State("T", 5.0e6, "cell", "tumour cells", "BioModels BIOMD0000000762 initial amount"),
        ),
        parameters=(
            Parameter("s", 1.3e4, "cell/day", "normal (tumour-independent) effector influx",
                      _SRC, lower=0),
            Parameter("p", 0.1245, "1/day", "maximum tumour-driven effector proliferation",
                      _SRC, lower=0),
            Parameter("g", 2.019e7, "cell", "half-saturation of effector proliferation",
                      _SRC, lower=0),
            Parameter("m", 3.422e-10, "1/(cell*day)", "effector inactivation by tumour cells",
                      _SRC, lower=0),
            Parameter("d", 0.0412, "1/day", "effector death rate", _SRC, lower=0),
            Parameter("a", 0.18, "1/day", "maximal tumour growth rate", _SRC, lower=0),
            Parameter("b", 2.0e-9, "1/cell", "inverse carrying capacity (K = 5e8 cells)",
                      _SRC, lower=0),
            Parameter("n", 1.101e-7, "1/(cell*day)", "tumour kill rate by effectors",
                      _SRC, lower=0),
        ),
        equations={
            "E": "s + p*E*T/(g + T) - m*E*T - d*E",
            "T": "a*T*(1 - b*T) - n*E*T",
        },
        hooks=(
            Hook("effector_kill", "rate", "n", "tumour kill by effector cells"),
            Hook("effector_exhaustion", "rate", "m", "effector inactivation by tumour cells"),
            Hook("effector_influx", "rate", "s", "tumour-independent effector supply"),
            Hook("effector_proliferation", "rate", "p", "tumour-driven effector proliferation"),
            Hook("tumour_growth", "rate", "a", "tumour growth rate"),
            Hook("effector_cells", "state", "E", "effector cells (adoptive transfer)"),
            Hook("tumour_cells", "state", "T", "tumour cells (resection, log-kill)"),
        ),
        citation=Citation(
            "Kuznetsov VA, Makalkin IA, Taylor MA, Perelson AS (1994). Nonlinear dynamics of "
            "immunogenic tumors: parameter estimation and global bifurcation analysis. "
            "Bull Math Biol 56:295-321",
            doi="10.1007/BF02460644", biomodels_id="BIOMD0000000762",
        ),
        description=(
            "Dimensional form of the reduced two-equation model. Time in days, cells as counts. "
            "Non-dimensional form: x = E/1e6, y = T/1e6, tau = n*1e6*t (1 tau = 9.083 days)."
        ),
    )


def scaled_parameters(m: Model | None = None) -> dict[str, float]:
    """The paper's non-dimensional parameters (sigma, rho, eta, mu, delta, alpha, beta).

    With E0 = T0 = 1e6 cells and tau = n*T0*t: sigma = s/(n*E0*T0), rho = p/(n*T0),
    eta = g/T0, mu = m/n, delta = d/(n*T0), alpha = a/(n*T0), beta = b*T0.
    """
    v = {p.name: p.value for p in (m or model()).parameters}
    nt = v["n"] * SCALE_CELLS
    return {
        "sigma": v["s"] / (nt * SCALE_CELLS), "rho": v["p"] / nt, "eta": v["g"] / SCALE_CELLS,
        "mu": v["m"] / v["n"], "delta": v["d"] / nt, "alpha": v["a"] / nt,
        "beta": v["b"] * SCALE_CELLS,
    }

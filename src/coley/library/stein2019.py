"""Stein et al. 2019: cellular kinetics of tisagenlecleucel (CAR-T) in paediatric B-ALL.

CPT Pharmacometrics Syst Pharmacol 8:285-295 (doi:10.1002/psp4.12388); no BioModels entry
(structural model as coded in nlmixr2lib, ``Stein_2019_Tisagenlecleucel.R``, which quotes the
paper's Table 1). Data: ELIANA and ENSIGN, 90 patients with relapsed/refractory B-ALL.

The paper's model is a closed form for the transgene level X (copies per ug genomic DNA):

    t < Tmax :  X(t) = R0*exp(rho*t),                    R0 = Cmax/FOLDX, rho = ln(FOLDX)/Tmax
    t >= Tmax:  X(t) = Cmax*((1 - FB)*exp(-alpha*(t - Tmax)) + FB*exp(-beta*(t - Tmax)))

coley writes it as the ODE it solves, with two populations that both expand at rho until Tmax
and then contract, effector-like ones at alpha and memory-like ones at beta:

    dXe/dt = rho*Xe (t < Tmax), -alpha*Xe (t >= Tmax);   Xe(0) = (1 - FB)*R0
    dXm/dt = rho*Xm (t < Tmax), -beta*Xm  (t >= Tmax);   Xm(0) = FB*R0

so that X = Xe + Xm equals the closed form for all t. The switch at Tmax is a discontinuity of
the right-hand side; to integrate exactly across it, stop the integrator there (a no-op
``Jump("Xe", Tmax, 1.0, op="multiply")``). The default initial state is computed from the
default Cmax, FOLDX and FB; when changing those, give Xe and Xm from :func:`initial_state`.

Inter-individual variances (omega^2 on the log scale, Table 1): FOLDX 2.4, Tmax 0.38, Cmax 0.65,
alpha 0.91, FB 0.8, beta 0.86; residual error 0.56 (log scale). Co-medication factors
(tocilizumab 1.2, steroids 1.0) are not part of the structural model.
"""

from __future__ import annotations

import math

import numpy as np

from coley.model.components import Citation, Hook, Parameter, State
from coley.model.model import Model

_SRC = "Stein et al. 2019, Table 1 (typical value), as quoted by nlmixr2lib"

#: Typical values of Stein et al. 2019, Table 1.
TYPICAL: dict[str, float] = {
    "FOLDX": 3900.0, "Tmax": 9.3, "Cmax": 24000.0, "alpha": 0.16, "FB": 0.0079, "beta": 0.0032,
}


def initial_state(Cmax: float = TYPICAL["Cmax"], FOLDX: float = TYPICAL["FOLDX"],
                  FB: float = TYPICAL["FB"]) -> dict[str, float]:
    """Xe(0) = (1 - FB)*R0 and Xm(0) = FB*R0 with the baseline level R0 = Cmax/FOLDX."""
    r0 = Cmax / FOLDX
    return {"Xe": (1.0 - FB) * r0, "Xm": FB * r0}


def closed_form(t: float | np.ndarray, **values: float) -> np.ndarray:
    """The paper's transgene level X(t) (copies/ug) for the typical values, or ``values``."""
    v = {**TYPICAL, **values}
    t = np.asarray(t, dtype=np.float64)
    rho = math.log(v["FOLDX"]) / v["Tmax"]
    r0 = v["Cmax"] / v["FOLDX"]
    growth = r0 * np.exp(rho * np.minimum(t, v["Tmax"]))  # clipped: no overflow past Tmax
    after = np.maximum(t - v["Tmax"], 0.0)
    decline = v["Cmax"] * ((1 - v["FB"]) * np.exp(-v["alpha"] * after)
                           + v["FB"] * np.exp(-v["beta"] * after))
    return np.where(t < v["Tmax"], growth, decline)


def model() -> Model:
    """The Stein 2019 kinetics as a two-population ODE with the typical values of Table 1."""
    x0 = initial_state()
    derived = "derived from the typical values of Stein et al. 2019, Table 1: "
    return Model(
        name="stein2019",
        title="Stein et al. 2019: tisagenlecleucel (CAR-T) expansion and biphasic contraction",
        states=(
            State("Xe", x0["Xe"], "copies/ug",
                  "transgene level of effector-like CAR-T cells (contract at alpha after Tmax)",
                  derived + "(1 - FB)*Cmax/FOLDX"),
            State("Xm", x0["Xm"], "copies/ug",
                  "transgene level of memory-like CAR-T cells (contract at beta after Tmax)",
                  derived + "FB*Cmax/FOLDX"),
        ),
        parameters=(
            Parameter("FOLDX", TYPICAL["FOLDX"], "1", "fold expansion from baseline to Cmax",
                      _SRC, lower=1),
            Parameter("Tmax", TYPICAL["Tmax"], "day", "time of maximal expansion", _SRC,
                      lower=0),
            Parameter("Cmax", TYPICAL["Cmax"], "copies/ug",
                      "maximal transgene level (sets the initial state with FOLDX and FB)",
                      _SRC, lower=0),
            Parameter("alpha", TYPICAL["alpha"], "1/day", "rate of the fast (effector) decline",
                      _SRC, lower=0),
            Parameter("FB", TYPICAL["FB"], "1", "fraction of the peak in the slow phase", _SRC,
                      lower=0, upper=1),
            Parameter("beta", TYPICAL["beta"], "1/day", "rate of the slow (memory) decline",
                      _SRC, lower=0),
        ),
        expressions={"rho": "log(FOLDX)/Tmax"},
        equations={
            "Xe": "Piecewise((rho*Xe, t < Tmax), (-alpha*Xe, True))",
            "Xm": "Piecewise((rho*Xm, t < Tmax), (-beta*Xm, True))",
        },
        hooks=(
            Hook("effector_cells", "state", "Xe", "effector-like CAR-T cells (infusion)"),
            Hook("memory_cells", "state", "Xm", "memory-like CAR-T cells"),
            Hook("effector_contraction", "rate", "alpha", "fast contraction of effector cells"),
            Hook("memory_loss", "rate", "beta", "slow decline of memory cells"),
        ),
        citation=Citation(
            "Stein AM, Grupp SA, Levine JE, et al. (2019). Tisagenlecleucel model-based cellular "
            "kinetic analysis of chimeric antigen receptor-T cells. CPT Pharmacometrics Syst "
            "Pharmacol 8:285-295",
            doi="10.1002/psp4.12388",
            note="No BioModels entry; typical values of Table 1 as coded in nlmixr2lib "
                 "(Stein_2019_Tisagenlecleucel.R).",
        ),
        description=(
            "The paper's closed form written as an ODE: X = Xe + Xm. Both populations expand at "
            "rho = ln(FOLDX)/Tmax until Tmax, then decline at alpha (Xe) and beta (Xm). The "
            "initial state follows from the defaults: Xe(0) = (1 - FB)*Cmax/FOLDX, "
            "Xm(0) = FB*Cmax/FOLDX (coley.library.stein2019.initial_state for other values). "
            "Integrate exactly across the switch by stopping at Tmax, e.g. with the no-op "
            "Jump('Xe', Tmax, 1.0, op='multiply'). A kinetics-only model: it has no tumour. "
            "Log-scale inter-individual variances (Table 1): FOLDX 2.4, Tmax 0.38, Cmax 0.65, "
            "alpha 0.91, FB 0.8, beta 0.86; residual error 0.56."
        ),
    )

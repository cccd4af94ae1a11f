"""Barros et al. 2021 (CARTmath): CAR-T effector and memory cells against a tumour.

Cancers 13:2941 (doi:10.3390/cancers13122941), BioModels BIOMD0000001019 (HDLM-2 Hodgkin
lymphoma cells in NSG mice). Effector CAR-T cells Ct expand, die, are inhibited by the tumour
and turn into memory cells Cm, which re-activate into effectors on meeting tumour cells T:

    dCt/dt = phi*Ct - pi*Ct + theta*T*Cm - alpha*T*Ct
    dCm/dt = epsilon*Ct - theta*T*Cm - mu*Cm
    dT/dt  = rho*T*(1 - beta*T) - gamma*Ct*T

All values, and the initial state (no CAR-T cells, T = 2e6 cells), are those of the curated
BioModels file, which also holds the paper's HDLM-2 protocol as two events: the CAR-T dose sets
Ct = 2e6 cells at day 45, and the tumour rechallenge sets T = 1e6 cells at day 250. They are a
schedule, not part of the model: ``Jump("Ct", 45, 2e6, op="set")`` and
``Jump("T", 250, 1e6, op="set")`` (the file assigns both values). Memory cells re-expand on the
rechallenge and reject it, the paper's key result.
"""

from __future__ import annotations

from coley.model.components import Citation, Hook, Parameter, State
from coley.model.model import Model

_SRC = "Barros et al. 2021, HDLM-2 fit (exact value of BioModels BIOMD0000001019)"
_SBML = "BioModels BIOMD0000001019 initial value"

#: The BioModels file's events (days, cells): CAR-T dose and tumour rechallenge.
CAR_T_DOSE_DAY, CAR_T_DOSE_CELLS = 45.0, 2.0e6
RECHALLENGE_DAY, RECHALLENGE_CELLS = 250.0, 1.0e6


def model() -> Model:
    """The CARTmath model with the HDLM-2 values of BIOMD0000001019 (untreated initial state)."""
    return Model(
        name="barros2021",
        title="Barros et al. 2021 (CARTmath): CAR-T effector and memory cells vs tumour (HDLM-2)",
        states=(
            State("Ct", 0.0, "cell", "effector CAR-T cells", _SBML),
            State("Cm", 0.0, "cell", "memory CAR-T cells", _SBML),
            State("T", 2.0e6, "cell", "tumour cells", _SBML),
        ),
        parameters=(
            Parameter("phi", 0.265, "1/day", "effector CAR-T expansion rate", _SRC, lower=0),
            Parameter("pi", 0.35, "1/day", "effector CAR-T death rate", _SRC, lower=0),
            Parameter("epsilon", 0.15, "1/day", "memory formation rate from effectors", _SRC,
                      lower=0),
            Parameter("theta", 6.0e-6, "1/(cell*day)",
                      "memory re-activation into effectors on tumour contact", _SRC, lower=0),
            Parameter("alpha", 4.5e-8, "1/(cell*day)", "effector inhibition by tumour cells",
                      _SRC, lower=0),
            Parameter("mu", 0.005, "1/day", "memory CAR-T death rate", _SRC, lower=0),
            Parameter("rho", 0.05650026, "1/day", "tumour growth rate", _SRC, lower=0),
            Parameter("beta", 1.404029e-12, "1/cell", "inverse carrying capacity", _SRC,
                      lower=0),
            Parameter("gamma", 3.715843e-6, "1/(cell*day)", "tumour kill by effector CAR-T",
                      _SRC, lower=0),
        ),
        equations={
            "Ct": "phi*Ct - pi*Ct + theta*T*Cm - alpha*T*Ct",
            "Cm": "epsilon*Ct - theta*T*Cm - mu*Cm",
            "T": "rho*T*(1 - beta*T) - gamma*Ct*T",
        },
        hooks=(
            Hook("effector_kill", "rate", "gamma", "tumour kill by effector CAR-T cells"),
            Hook("effector_exhaustion", "rate", "alpha", "effector inhibition by tumour cells"),
            Hook("effector_proliferation", "rate", "phi", "effector CAR-T expansion"),
            Hook("memory_formation", "rate", "epsilon", "effector to memory differentiation"),
            Hook("memory_reactivation", "rate", "theta", "memory re-activation on antigen"),
            Hook("tumour_growth", "rate", "rho", "tumour growth rate"),
            Hook("effector_cells", "state", "Ct", "effector CAR-T cells (CAR-T infusion)"),
            Hook("memory_cells", "state", "Cm", "memory CAR-T cells"),
            Hook("tumour_cells", "state", "T", "tumour cells (rechallenge, resection, log-kill)"),
        ),
        citation=Citation(
            "Barros LRC, Paixao EA, Valli AMP, Naozuka GT, Fassoni AC, Almeida RC (2021). "
            "CARTmath - a mathematical model of CAR-T immunotherapy in preclinical studies of "
            "hematological cancers. Cancers 13:2941",
            doi="10.3390/cancers13122941", biomodels_id="BIOMD0000001019",
            note="HDLM-2 protocol (events of the BioModels file): Ct set to 2e6 cells at day 45, "
                 "T set to 1e6 cells at day 250.",
        ),
        description=(
            "HDLM-2 (Hodgkin lymphoma) parameters. The published protocol is a schedule, not "
            "part of the model: Jump('Ct', 45, 2e6, op='set') and Jump('T', 250, 1e6, "
            "op='set'), as in the BioModels events. Parameters rho, beta and gamma carry the "
            "file's digits (the paper prints 0.0565, 1.404e-12 and 3.716e-6)."
        ),
    )


"""Treatments as data: doses, schedules, regimens, PK, the modality catalogue, application."""

from coley.treat.apply import ToxicityOutput, TreatedModel, Treatment, apply_regimens
from coley.treat.catalogue import modalities, modality, register
from coley.treat.doses import Dose
from coley.treat.effects import (
    AbstractEffect,
    AbstractExposureResponse,
    Add,
    Inhibit,
    Kill,
    Stimulate,
    SurvivingFraction,
    Treating,
)
from coley.treat.modality import Action, Modality, Toxicity
from coley.treat.pk import (
    AbstractPK,
    CellKinetics,
    OneCompartment,
    ReplicatingVirus,
    Signal,
    TwoCompartment,
)
from coley.treat.regimen import (
    At,
    BolusRoute,
    Cycles,
    Every,
    InfusionRoute,
    Phase,
    Regimen,
    StopRules,
)
from coley.treat.toxicity import sample_grades, toxicity_probabilities

__all__ = [
    "AbstractEffect",
    "AbstractExposureResponse",
    "AbstractPK",
    "Action",
    "Add",
    "At",
    "BolusRoute",
    "CellKinetics",
    "Cycles",
    "Dose",
    "Every",
    "InfusionRoute",
    "Inhibit",
    "Kill",
    "Modality",
    "OneCompartment",
    "Phase",
    "Regimen",
    "ReplicatingVirus",
    "Signal",
    "Stimulate",
    "StopRules",
    "SurvivingFraction",
    "Toxicity",
    "ToxicityOutput",
    "TreatedModel",
    "Treating",
    "Treatment",
    "TwoCompartment",
    "apply_regimens",
    "modalities",
    "modality",
    "register",
    "sample_grades",
    "toxicity_probabilities",
]

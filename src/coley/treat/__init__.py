"""Treatments as data: doses, schedules, regimens, PK, the modality catalogue, application."""

from coley.treat.apply import ToxicityOutput, TreatedModel, Treatment, apply_regimens
from coley.treat.catalogue import modalities, modality, register
from coley.treat.doses import Dose
from coley.treat.modality import Action, Modality, Toxicity
from coley.treat.regimen import At, Cycles, Every, Infusion, Phase, Regimen, StopRules

__all__ = [
           "Action",
           "At",
           "Cycles",
           "Dose",
           "Every",
           "Infusion",
           "Modality",
           "Phase",
           "Regimen",
           "StopRules",
           "Toxicity",
           "ToxicityOutput",
           "TreatedModel",
           "Treatment",
           "apply_regimens",
           "modalities",
           "modality",
           "register",
]

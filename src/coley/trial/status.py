"""What happened to each virtual patient, as enum columns of the trial's patient table.

``status`` is one :class:`PatientStatus` value and ``status_reason`` says why, for a patient
who is not ``ok`` (the solver's message, or why no plausible draw was found); ``stopped_for``
is one :class:`StopReason` value. Both are written as their string values, so tables read
back from Parquet compare equal to the enums (``frame["status"] == PatientStatus.OK``).
"""

from __future__ import annotations

from enum import StrEnum


class PatientStatus(StrEnum):
    """A patient-arm row: analysed, failed (integration or arm error) or never a patient."""

    OK = "ok"
    FAILED = "failed"
    """The integration (or the arm) failed for this patient; ``status_reason`` says why."""
    NOT_PLAUSIBLE = "not plausible"
    """No plausible draw within ``diagnosis.max_attempts``; ``status_reason`` gives the last."""


class StopReason(StrEnum):
    """Why treatment stopped before its schedule ended (empty: it did not)."""

    NONE = ""
    PROGRESSION = "progression"
    TOXICITY = "toxicity"


__all__ = ["PatientStatus", "StopReason"]

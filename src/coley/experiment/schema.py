"""The strict base of every file schema: unknown keys are errors, parsed specs are immutable."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """A file table: ``extra="forbid"`` (a misspelt key is an error, not ignored), no NaN or
    infinite numbers (``allow_inf_nan=False``: "inf days" is a typo, not a horizon), frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


__all__ = ["Strict"]

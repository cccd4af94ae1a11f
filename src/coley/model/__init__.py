"""Model definitions: declarations, symbolic equations and generated code."""

from coley.model.components import Citation, Hook, Input, Parameter, Provenance, State
from coley.model.model import Model

__all__ = ["Citation", "Hook", "Input", "Model", "Parameter", "Provenance", "State"]

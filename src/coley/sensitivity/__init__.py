"""Global sensitivity analysis of any model's states, or any function of the inputs.

One verb, :func:`analyse` (``inputs``, ``output``, ``method``; ``seed``), and one concept per
module:

* :mod:`~coley.sensitivity.inputs`: :class:`Inputs` (names with ranges or
  :mod:`coley.population` distributions) and :func:`assumed_inputs` (a model's assumed
  parameters over their plausible ranges);
* :mod:`~coley.sensitivity.outputs`: :class:`FunctionOutput` and :class:`ModelOutput` (states
  at chosen times, one batched :func:`coley.simulate` call);
* :mod:`~coley.sensitivity.sobol`: :class:`SobolIndices` (first, total, second order);
* :mod:`~coley.sensitivity.morris`: :class:`Morris` elementary effects;
* :mod:`~coley.sensitivity.efast`: :class:`EFAST`;
* :mod:`~coley.sensitivity.prcc`: :class:`PRCC` (LHS-PRCC, time-resolved for model outputs)
  and the :func:`prcc` function itself;
* :mod:`~coley.sensitivity.result`: the labelled :class:`SensitivityResult`.

See ``docs/sensitivity.md``.
"""

from coley.sensitivity.analyse import analyse as analyse
from coley.sensitivity.efast import EFAST as EFAST
from coley.sensitivity.inputs import LOG_SPAN as LOG_SPAN
from coley.sensitivity.inputs import Inputs as Inputs
from coley.sensitivity.inputs import assumed_inputs as assumed_inputs
from coley.sensitivity.method import AbstractMethod as AbstractMethod
from coley.sensitivity.morris import Morris as Morris
from coley.sensitivity.outputs import AbstractOutput as AbstractOutput
from coley.sensitivity.outputs import Evaluation as Evaluation
from coley.sensitivity.outputs import FunctionOutput as FunctionOutput
from coley.sensitivity.outputs import ModelOutput as ModelOutput
from coley.sensitivity.prcc import PRCC as PRCC
from coley.sensitivity.prcc import prcc as prcc
from coley.sensitivity.result import SensitivityResult as SensitivityResult
from coley.sensitivity.sobol import SobolIndices as SobolIndices

__all__ = [
    "EFAST", "LOG_SPAN", "PRCC", "AbstractMethod", "AbstractOutput", "Evaluation",
    "FunctionOutput", "Inputs", "ModelOutput", "Morris", "SensitivityResult", "SobolIndices",
    "analyse", "assumed_inputs", "prcc",
]

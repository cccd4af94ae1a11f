"""Graded toxicity from the cumulative hazards a treated simulation carries.

Each toxicity of a regimen adds a hazard state H(t) (see :mod:`coley.treat.modality`), listed in
the result's ``treatment.toxicities``. By time t:

* P(grade >= 3) = 1 - exp(-H(t)),
* P(any grade)  = 1 - exp(-H(t) / severe_fraction),

and :func:`sample_grades` draws, per patient, the worst grade reached (0, 1-2 reported as 2,
or 3+ reported as 3) from each patient's own toxicity stream (:mod:`coley.population.streams`,
the scheme trials use), so a patient's draw does not depend on how many patients run or how
they are split across workers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from coley.errors import InvalidArgumentError
from coley.population.streams import Stream, patient_rng
from coley.solve.result import SimulationResult
from coley.treat.apply import TreatedModel
from coley.treat.regimen import Regimen


def _outputs(result: SimulationResult, regimens: Sequence[Regimen] | None
             ) -> list[tuple[str, str, str, float]]:
    """(regimen label, toxicity, hazard state, severe fraction) of ``result``'s treatment, for
    ``regimens`` (all of the treatment's when None)."""
    treated = result.treatment
    if not isinstance(treated, TreatedModel):
        raise InvalidArgumentError(
            "the result carries no regimens; simulate with treatment=coley.Treatment([...]) "
            "to get toxicity outputs."
        )
    labels = None if regimens is None else {r.label for r in regimens}
    return [(t.regimen, t.name, t.state, t.severe_fraction) for t in treated.toxicities
            if labels is None or t.regimen in labels]


def toxicity_probabilities(result: SimulationResult, regimens: Sequence[Regimen] | None = None,
                           *, time: float | None = None) -> pd.DataFrame:
    """Per patient and toxicity: P(any grade) and P(grade >= 3) by ``time`` (default: the end)."""
    k = -1 if time is None else int(np.searchsorted(result.time, time))
    if k >= len(result.time) or (time is not None and not np.isclose(result.time[k], time)):
        raise InvalidArgumentError(f"time {time} is not an output time of the result.")
    rows = []
    for label, name, state, severe in _outputs(result, regimens):
        h = result[state][:, k]
        for i, hi in enumerate(h):
            rows.append({"patient": i, "regimen": label, "toxicity": name,
                         "p_any": float(1 - np.exp(-hi / severe)),
                         "p_grade3plus": float(1 - np.exp(-hi))})
    return pd.DataFrame(rows, columns=["patient", "regimen", "toxicity", "p_any",
                                       "p_grade3plus"])


def sample_grades(result: SimulationResult, regimens: Sequence[Regimen] | None = None, *,
                  seed: int
                  ) -> pd.DataFrame:
    """Worst grade per patient and toxicity by the end: 0 (none), 2 (grade 1-2), 3 (>= 3)."""
    probs = toxicity_probabilities(result, regimens)
    if probs.empty:
        return probs.assign(grade=pd.Series(dtype=int))
    n = result.n_patients
    u = np.array([patient_rng(seed, i, Stream.TOXICITY).random(16) for i in range(n)])
    keys = sorted({(str(r), str(t))
                   for r, t in zip(probs["regimen"], probs["toxicity"], strict=True)})
    column = {key: j for j, key in enumerate(keys)}
    grades = []
    patients = probs["patient"].to_numpy(dtype=np.int64)
    p3 = probs["p_grade3plus"].to_numpy(dtype=np.float64)
    pany = probs["p_any"].to_numpy(dtype=np.float64)
    labels = list(zip(probs["regimen"].astype(str), probs["toxicity"].astype(str), strict=True))
    for i, key in enumerate(labels):
        x = float(u[patients[i], column[key] % 16])
        grades.append(3 if x < p3[i] else (2 if x < pany[i] else 0))
    return probs.assign(grade=grades)

"""Virtual patients and in-silico clinical trials, reported the way a clinical paper would.

Design (one concept per module):

* :mod:`~coley.trial.spec`: the trial file (TOML/YAML) as a strict pydantic schema, and
  :func:`problems` that lists every error (unknown arm, negative patients, missing regimen,
  unknown parameter, dose after follow-up, ...) before anything is simulated.
* :mod:`~coley.trial.population`: parameter distributions joined by a Gaussian copula, one
  random stream per patient (``SeedSequence(seed, spawn_key=(patient, stream))``), so patient
  ``i`` is the same whatever the number of patients, chunks or workers. Each patient's tumour
  is grown untreated from a small seed to the diagnosis size (the state at that moment is the
  baseline every arm branches from); patients whose volume doubling time at diagnosis is
  implausible, or who are never diagnosed, are redrawn from their own stream.
* :mod:`~coley.trial.recist`: tumour cells to the sum of longest diameters, RECIST 1.1
  (nadir rules, confirmation) and iRECIST (iUPD/iCPD, pseudoprogression) at the imaging days.
* :mod:`~coley.trial.arms`: every patient in every arm (in-silico twins; the
  randomised analysis uses each patient's allocated arm), stop rules executed (stop at
  progression or at a toxicity grade: a second pass with the doses after the stop removed),
  toxicity onset from the cumulative hazards, death at the lethal burden.
* :mod:`~coley.trial.calibrate`: maximum-entropy prevalence weights so arms reproduce target
  response rates (Schmidt et al. 2013, BMC Bioinformatics 14:221; Jaynes 1957).
* :mod:`~coley.trial.outcomes`: the per-patient outcome columns (best response, PFS, OS, DoR,
  iRECIST, toxicity grade, ...), each group an object in one registry that the arm runner asks
  once it has an arm's burden, assessment, death and toxicity days (an ``OutcomeContext``).
* :mod:`~coley.trial.endpoints`: ORR, DCR, DoR, PFS, OS, toxicity rates; Kaplan-Meier, log-rank
  and Cox hazard ratios with confidence intervals (lifelines). Each endpoint is an object in
  one registry that the report and the calibration read; it declares the columns it reads and
  may compute a column of its own (so adding an endpoint is one class).
* :mod:`~coley.trial.runner`: chunks computed by local processes or a Dask cluster, a
  manifest for ``--resume``; :mod:`~coley.trial.store`: the chunk Parquet tables, written as
  they finish and read back; :mod:`~coley.trial.report`: figures, HTML and JSON;
  :mod:`~coley.trial.status`: the patient status and stop reason enums of those tables;
  :mod:`~coley.trial.result`: :class:`TrialResult` (patients x arms, scans, ``summary()``,
  ``km()``, ``waterfall()``).
"""

from coley.trial.result import TrialResult as TrialResult
from coley.trial.runner import run_trial as run_trial
from coley.trial.spec import TrialSpec as TrialSpec
from coley.trial.spec import load_trial as load_trial
from coley.trial.spec import problems as problems
from coley.trial.status import PatientStatus as PatientStatus
from coley.trial.status import StopReason as StopReason
from coley.trial.store import read_chunks as read_chunks

__all__ = ["PatientStatus", "StopReason", "TrialResult", "TrialSpec", "load_trial", "problems",
           "read_chunks", "run_trial"]

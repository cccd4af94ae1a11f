"""A trial's result: patients x arms, their scans, the report numbers, and the usual views.

:class:`TrialResult` is what :func:`~coley.trial.runner.run_trial` returns (and what
:meth:`TrialResult.load` reads back from a run's folder): ``patients`` has one row per
(patient, arm) with ``status`` (:class:`~coley.trial.status.PatientStatus`), ``scans`` one row
per scan (read from the chunk files when first used). :meth:`summary` is the paper's table 2,
:meth:`km` the Kaplan-Meier estimates behind its survival figure and :meth:`waterfall` the
best changes behind its waterfall plot; all use the analysed population (each patient's
allocated arm when randomised, weighted when the trial is calibrated), as the report does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from coley.errors import InvalidArgumentError
from coley.trial.spec import TrialSpec
from coley.trial.status import PatientStatus
from coley.trial.store import read_patients, read_scans

#: The resolved trial spec the runner writes into each run's folder.
SPEC_FILE = "trial_spec.json"


@dataclass
class TrialResult:
    """A finished (or resumed) run: its directory, spec, per-patient table and report numbers.

    ``scans`` (one row per patient, arm and scan) is read from the chunk files when first used,
    so a large run's report does not hold every scan in memory.
    """

    directory: Path
    spec: TrialSpec
    patients: pd.DataFrame
    report: dict[str, Any]

    @classmethod
    def load(cls, directory: str | Path) -> TrialResult:
        """The result of the run in ``directory`` (its chunk files, spec and report.json)."""
        from coley.trial.report import analyse

        d = Path(directory)
        spec_file = d / SPEC_FILE
        if not spec_file.is_file():
            raise InvalidArgumentError(f"{str(d)!r} holds no trial run ({spec_file.name} is "
                                       "missing); give the -o folder of `coley trial`.")
        spec = TrialSpec.model_validate_json(spec_file.read_text(encoding="utf-8"))
        patients = read_patients(d)
        report_file = d / "report.json"
        report = (json.loads(report_file.read_text(encoding="utf-8")) if report_file.is_file()
                  else analyse(spec, patients))
        return cls(d, spec, patients, report)

    @property
    def scans(self) -> pd.DataFrame:
        """Every scan of the run (read from ``chunks/scans-*.parquet``)."""
        return read_scans(self.directory)

    def analysed(self, arm: str) -> tuple[pd.DataFrame, np.ndarray]:
        """The analysed rows of ``arm`` and their weights (1 unless calibrated)."""
        from coley.trial.report import analysis_sets

        sets = analysis_sets(self.spec, self.patients)
        if arm not in sets:
            raise InvalidArgumentError(f"no arm {arm!r}; the arms are {self.spec.arm_names()}.")
        return sets[arm]

    def summary(self) -> pd.DataFrame:
        """One row per arm: analysed patients, ORR, CR, DCR, median PFS and OS (months), 6-month
        PFS, 12-month OS and grade >= 3 toxicity (fractions, with 95% intervals)."""
        rows = []
        for arm in self.spec.arm_names():
            a = self.report["arms"].get(arm, {})
            row: dict[str, Any] = {"arm": arm, "patients": a.get("patients", 0)}
            for key, entry in (("orr", a.get("orr")), ("cr", a.get("cr")),
                               ("dcr", a.get("dcr")),
                               ("pfs_6mo", a.get("pfs", {}).get("at_6mo")),
                               ("os_12mo", a.get("os", {}).get("at_12mo")),
                               ("tox_grade3plus", a.get("toxicity_grade3plus"))):
                row[key] = entry["value"] if entry else np.nan
                row[f"{key}_ci"] = (entry["ci_low"], entry["ci_high"]) if entry else None
            for key in ("pfs", "os"):
                med = a.get(key, {}).get("median_months")
                row[f"median_{key}_months"] = np.nan if med is None else med
            rows.append(row)
        return pd.DataFrame(rows).set_index("arm")

    def km(self, endpoint: str = "pfs") -> dict[str, Any]:
        """Kaplan-Meier estimates (lifelines fitters, time in months) of ``endpoint`` ("pfs",
        "os", "ipfs", "dor") for each arm with analysed patients."""
        from coley.trial.endpoints import MONTH, kaplan_meier

        if endpoint not in ("pfs", "os", "ipfs", "dor"):
            raise InvalidArgumentError(f"km: endpoint must be 'pfs', 'os', 'ipfs' or 'dor', "
                                       f"got {endpoint!r}.")
        out = {}
        for arm in self.spec.arm_names():
            df, w = self.analysed(arm)
            if endpoint == "dor":
                keep = np.isin(df["bor"].astype(str), ("CR", "PR"))
                df, w = df[keep], w[keep]
            if len(df):
                out[arm] = kaplan_meier(df[f"{endpoint}_days"].to_numpy(float) / MONTH,
                                        df[f"{endpoint}_event"].to_numpy(bool), w, arm)
        return out

    def waterfall(self, arm: str) -> pd.DataFrame:
        """Best change in the sum of diameters (%) and best response of each analysed patient
        of ``arm``, largest increase first (the bars of a waterfall plot)."""
        df, _ = self.analysed(arm)
        df = df.dropna(subset=["best_change_pct"])
        return (df[["patient", "best_change_pct", "bor"]]
                .sort_values("best_change_pct", ascending=False, kind="stable")
                .reset_index(drop=True))

    def failures(self) -> pd.DataFrame:
        """Rows that are not analysed (failed or not plausible), with why."""
        bad = self.patients[self.patients["status"] != PatientStatus.OK]
        return bad[["patient", "arm", "status", "status_reason"]].reset_index(drop=True)


__all__ = ["TrialResult"]

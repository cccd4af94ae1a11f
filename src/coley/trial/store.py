"""The chunk store of a trial run: per-chunk Parquet tables, written whole, read back.

``DIR/chunks/patients-000012.parquet`` holds one row per (patient, arm) of chunk 12 and
``DIR/chunks/scans-000012.parquet`` one row per (patient, arm, scan). The runner writes them;
the report, :class:`~coley.trial.result.TrialResult` and users read them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from coley.errors import InvalidArgumentError


def chunk_path(directory: Path, kind: str, chunk: int) -> Path:
    """``DIR/chunks/KIND-000012.parquet`` (``kind``: patients or scans)."""
    return directory / "chunks" / f"{kind}-{chunk:06d}.parquet"


def write_chunk(directory: Path, chunk: int, patients: pd.DataFrame, scans: pd.DataFrame
                ) -> None:
    """Write a chunk's tables under temporary names, then rename (a chunk on disk is whole)."""
    for kind, frame in (("scans", scans), ("patients", patients)):
        path = chunk_path(directory, kind, chunk)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)


def chunk_done(directory: Path, chunk: int) -> bool:
    """Whether both tables of ``chunk`` are on disk."""
    return chunk_path(directory, "patients", chunk).exists() and \
        chunk_path(directory, "scans", chunk).exists()


def read_patients(directory: str | Path) -> pd.DataFrame:
    """The per-patient rows of every chunk, sorted by (arm, patient)."""
    directory = Path(directory)
    files = sorted((directory / "chunks").glob("patients-*.parquet"))
    if not files:
        raise InvalidArgumentError(f"{str(directory)!r} holds no finished chunks.")
    patients = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    for col in ("arm", "status", "bor", "ibor", "stopped_for"):
        if col in patients.columns:
            patients[col] = patients[col].astype("category")
    return patients.sort_values(["arm", "patient"], kind="stable").reset_index(drop=True)


def read_scans(directory: str | Path, patients: Iterable[int] | None = None) -> pd.DataFrame:
    """Scans of every chunk (or only of ``patients``), sorted by (arm, patient, day)."""
    files = sorted((Path(directory) / "chunks").glob("scans-*.parquet"))
    wanted = None if patients is None else [int(i) for i in patients]
    frames = []
    for f in files:
        if wanted is None:
            frames.append(pd.read_parquet(f))
        elif wanted:
            frames.append(pd.read_parquet(f, filters=[("patient", "in", wanted)]))
    scans = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["patient", "arm", "day", "sld_mm", "change_pct", "response"])
    return scans.sort_values(["arm", "patient", "day"], kind="stable").reset_index(drop=True)


def read_chunks(directory: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-patient rows and every scan of a run."""
    return read_patients(directory), read_scans(directory)


__all__ = ["chunk_done", "chunk_path", "read_chunks", "read_patients", "read_scans",
           "write_chunk"]

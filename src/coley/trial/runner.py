"""Run a trial in chunks: Parquet files as chunks finish, resume, processes or a Dask cluster.

Layout of the output directory::

    DIR/trial.json               manifest: trial digest, seed, patients, chunk size, version
    DIR/chunks/patients-000012.parquet   one row per (patient, arm) of chunk 12
    DIR/chunks/scans-000012.parquet      one row per (patient, arm, scan)
    DIR/report.html, DIR/report.json, DIR/figures/*.png   written at the end

A chunk's files are written to a temporary name and renamed, so a chunk on disk is complete.
``resume=True`` checks the manifest (same trial, seed, patients and chunk size) and skips
chunks already on disk; without it a directory holding another run is an error. Chunks are
independent (per-patient random streams), so the results are the same for any number of
workers and for a Dask cluster (``scheduler="tcp://host:8786"``), and the same after resuming.
The outcomes registered when the run starts (:data:`coley.trial.outcomes.OUTCOMES`, user ones
included) are sent to every worker with its chunk, and their columns are in the manifest: a run
cannot be resumed with other ones.

:func:`check_run` holds every check made before any work (and before the command line prints
anything): patients, workers, seed, the scheduler address, the output folder and the disk.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pandas as pd

from coley.errors import InvalidArgumentError
from coley.experiment.files import output_folder
from coley.trial.outcomes import BUILT_IN_OUTCOMES, OUTCOMES, AbstractOutcome
from coley.trial.result import SPEC_FILE, TrialResult
from coley.trial.spec import TrialSpec, load_trial
from coley.trial.store import chunk_done, read_patients, write_chunk

MANIFEST = "trial.json"


def _compute(spec_json: str, chunk: int, outcomes: Sequence[AbstractOutcome]
             ) -> tuple[int, pd.DataFrame, pd.DataFrame]:
    """Worker entry point (a process, or a Dask worker): one chunk."""
    from coley.trial.arms import run_chunk

    spec = TrialSpec.model_validate_json(spec_json)
    p, s = run_chunk(spec, chunk, outcomes=outcomes)
    return chunk, p, s


#: Version of the chunk tables' columns (2: ``status`` is a PatientStatus value and
#: ``status_reason`` says why); a run written with another cannot be resumed.
TABLE_FORMAT = 2


def _columns(outcomes: Iterable[AbstractOutcome]) -> list[str]:
    return [c for o in outcomes for c in o.provides]


def _manifest(spec: TrialSpec, outcomes: Sequence[AbstractOutcome]) -> dict[str, Any]:
    from coley._version import __version__

    return {"trial": spec.name, "digest": spec.digest(), "seed": spec.seed,
            "patients": spec.patients, "chunk_size": spec.chunk_size,
            "table_format": TABLE_FORMAT, "outcome_columns": _columns(outcomes),
            "coley_version": __version__}


def _prepare(directory: Path, spec: TrialSpec, resume: bool,
             outcomes: Sequence[AbstractOutcome]) -> None:
    manifest = _manifest(spec, outcomes)
    path = directory / MANIFEST
    if path.exists():
        old = json.loads(path.read_text())
        # a manifest written before outcomes could be registered holds the built-in ones
        old.setdefault("outcome_columns",
                       _columns(o for k, o in OUTCOMES.items() if k in BUILT_IN_OUTCOMES))
        if not resume:
            raise InvalidArgumentError(
                f"output directory {str(directory)!r} already holds a trial run; pass "
                "--resume to continue it, or choose a new -o DIR."
            )
        diff = [k for k in ("digest", "seed", "patients", "chunk_size", "table_format",
                            "outcome_columns")
                if old.get(k) != manifest[k]]
        if diff:
            raise InvalidArgumentError(
                f"cannot resume in {str(directory)!r}: the run there differs in "
                f"{', '.join(diff)} (there: {[old.get(k) for k in diff]}, now: "
                f"{[manifest[k] for k in diff]}); use the same settings or a new -o DIR."
            )
    (directory / "chunks").mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, indent=2))
    (directory / SPEC_FILE).write_text(spec.model_dump_json(indent=2), encoding="utf-8")


def run_trial(spec: TrialSpec | str | Path, directory: str | Path, *,
              patients: int | None = None, seed: int | None = None, workers: int = 1,
              resume: bool = False, scheduler: str | None = None, progress: bool = False,
              report: bool = True) -> TrialResult:
    """Run a trial into ``directory`` and (by default) write its report.

    ``patients``/``seed`` override the file's. ``workers`` > 1 runs chunks in that many
    processes; ``scheduler`` sends them to a Dask cluster instead. Returns the tables and the
    report numbers.
    """
    if isinstance(spec, str | Path):
        spec = load_trial(spec, patients=patients)
    elif patients is not None:
        spec = spec.model_copy(update={"patients": patients})
    if seed is not None:
        spec = spec.model_copy(update={"seed": int(seed)})
    directory = check_run(spec, directory, workers=workers, scheduler=scheduler).directory
    outcomes = tuple(OUTCOMES.values())
    _prepare(directory, spec, resume, outcomes)
    n_chunks = -(-spec.patients // spec.chunk_size)
    todo = [c for c in range(n_chunks) if not chunk_done(directory, c)]
    spec_json = spec.model_dump_json()
    sizes = {c: min(spec.chunk_size, spec.patients - c * spec.chunk_size)
             for c in range(n_chunks)}
    with _Progress(progress, spec.patients, spec.patients - sum(sizes[c] for c in todo)) as bar:
        for chunk, p, s in _execute(spec_json, todo, workers, scheduler, outcomes):
            write_chunk(directory, chunk, p, s)
            bar.advance(sizes[chunk])
    patients_frame = read_patients(directory)
    numbers: dict[str, Any] = {}
    if report:
        from coley.trial.report import write_report

        numbers = write_report(spec, patients_frame, directory)
    return TrialResult(directory, spec, patients_frame, numbers)


#: Seconds to wait for a Dask scheduler before giving up.
CONNECT_SECONDS = 5

#: Chunk-file bytes per patient and arm (measured: 100,000 patients x 3 arms of KEYNOTE-006
#: wrote 1.2 GB, benchmarks/README.md).
CHUNK_BYTES_PER_PATIENT_ARM = 4_000

_SCHEDULER = re.compile(r"^(?:(?:tcp|tls|ucx|inproc)://)?[A-Za-z0-9_.\-\[\]:]+:\d{1,5}$")


@dataclass(frozen=True)
class RunCheck:
    """What :func:`check_run` found: the output ``directory`` (created if need be) and the
    ``estimated_bytes`` of chunk files the run will write."""

    directory: Path
    estimated_bytes: int


def check_run(spec: TrialSpec, directory: str | Path, *, workers: int = 1,
              scheduler: str | None = None) -> RunCheck:
    """Every check :func:`run_trial` makes before any work: ``spec.patients`` and ``workers``
    >= 1, ``spec.seed`` a whole number >= 0, the ``scheduler`` address, the output folder
    (usable, created) and the disk (the chunk files fit). Raises
    :class:`~coley.errors.InvalidArgumentError` naming the first problem."""
    if not (isinstance(spec.patients, int) and spec.patients >= 1):
        raise InvalidArgumentError(f"patients must be an int >= 1, got {spec.patients!r}.")
    if not (isinstance(workers, int) and workers >= 1):
        raise InvalidArgumentError(f"workers must be an int >= 1, got {workers!r}.")
    if isinstance(spec.seed, bool) or not isinstance(spec.seed, int) or spec.seed < 0:
        raise InvalidArgumentError(f"seed must be a whole number >= 0, got {spec.seed!r}.")
    check_scheduler(scheduler)
    folder = output_folder(directory, what="trial output folder")
    check_disk(folder, spec)
    return RunCheck(folder, estimated_bytes(spec))


def check_scheduler(scheduler: str | None) -> None:
    """Refuse a ``--scheduler`` address that is not ``tcp://host:port`` (before any work)."""
    if scheduler is None:
        return
    if not isinstance(scheduler, str) or not _SCHEDULER.match(scheduler.strip()):
        raise InvalidArgumentError(
            f"--scheduler {scheduler!r} is not a Dask scheduler address; write "
            "tcp://host:port, e.g. tcp://127.0.0.1:8786.")


def estimated_bytes(spec: TrialSpec) -> int:
    """Disk the trial's chunk files will take, about (bytes)."""
    return int(spec.patients * max(len(spec.arm), 1) * CHUNK_BYTES_PER_PATIENT_ARM)


def check_disk(directory: Path, spec: TrialSpec) -> None:
    """Refuse a trial whose chunk files would not fit on the output folder's disk."""
    need = estimated_bytes(spec)
    free = shutil.disk_usage(directory).free
    if need > free:
        raise InvalidArgumentError(
            f"trial: {spec.patients:,} patients x {len(spec.arm)} arms need about "
            f"{need / 1e9:.1f} GB of chunk files but {str(directory)!r} has {free / 1e9:.1f} GB "
            "free; lower --patients or choose an output folder on a larger disk.")


def _execute(spec_json: str, todo: list[int], workers: int, scheduler: str | None,
             outcomes: Sequence[AbstractOutcome]
             ) -> Iterable[tuple[int, pd.DataFrame, pd.DataFrame]]:
    if scheduler:
        try:
            from distributed import Client
            from distributed import as_completed as dask_completed
        except ImportError:  # pragma: no cover - depends on the environment
            raise InvalidArgumentError(
                "--scheduler needs dask.distributed: pip install 'coley[dask]'."
            ) from None
        try:
            client = Client(scheduler, timeout=f"{CONNECT_SECONDS}s")
        except (OSError, TimeoutError) as exc:
            raise InvalidArgumentError(
                f"--scheduler {scheduler!r}: no Dask scheduler answered within "
                f"{CONNECT_SECONDS} s ({' '.join(str(exc).split())[:120]}); start one "
                "(`dask scheduler`) or drop --scheduler to run here.") from None
        with client:
            futures = [client.submit(_compute, spec_json, c, outcomes, pure=False)
                       for c in todo]
            for fut in dask_completed(futures):
                yield fut.result()
        return
    if workers == 1 or len(todo) <= 1:
        for c in todo:
            yield _compute(spec_json, c, outcomes)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        local = [pool.submit(_compute, spec_json, c, outcomes) for c in todo]
        for done in as_completed(local):
            yield done.result()


class _Progress:
    """A rich progress bar over patients (or nothing)."""

    def __init__(self, show: bool, total: int, done: int) -> None:
        self.show, self.total, self.done = show, total, done
        self._bar: Any = None
        self._task: Any = None
        self.advance: Callable[[int], None] = lambda k: None

    def __enter__(self) -> _Progress:
        if self.show:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress("patients", BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), TimeRemainingColumn(), transient=False)
            self._bar.__enter__()
            self._task = self._bar.add_task("trial", total=self.total, completed=self.done)
            self.advance = lambda k: self._bar.advance(self._task, k)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)


__all__ = ["CHUNK_BYTES_PER_PATIENT_ARM", "CONNECT_SECONDS", "TABLE_FORMAT", "RunCheck",
           "check_disk", "check_run", "check_scheduler", "estimated_bytes", "run_trial"]

"""Throughput of a whole virtual trial (``coley trial``): patients per second and peak memory.

Runs ``examples/trials/keynote006.toml`` (surveillance model, three arms, two years of
follow-up, diagnosis by growing each tumour, RECIST, stop rules, Parquet chunks) at a given
size with 1 and 2 worker processes, after a warm-up run that fills the kernel cache, and
records:

* diagnosed patients per second (each runs in all three arms), and patient-arms per second,
  total and per worker;
* the peak resident memory of the parent process and the size of the chunk files.

    python benchmarks/trial_throughput.py --patients 20000 --workers 1 2

Results are appended to ``benchmarks/trial_results.json`` (one entry per run) and summarised in
``benchmarks/README.md``. Needs a quiet machine: timings on a loaded machine are not comparable.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import tempfile
import time
from pathlib import Path

from coley.trial import load_trial, run_trial

HERE = Path(__file__).resolve().parent
TRIAL = HERE.parent / "examples" / "trials" / "keynote006.toml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patients", type=int, default=5000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--chunk", type=int, default=500)
    args = ap.parse_args()
    spec = load_trial(TRIAL).model_copy(update={"chunk_size": args.chunk})
    entries = []
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        run_trial(spec, Path(tmp) / "warm", patients=min(200, args.patients), report=False)
        warm = time.perf_counter() - t0
        for w in args.workers:
            out = Path(tmp) / f"w{w}"
            t0 = time.perf_counter()
            run = run_trial(spec, out, patients=args.patients, workers=w, report=False)
            wall = time.perf_counter() - t0
            t1 = time.perf_counter()
            from coley.trial.report import write_report

            write_report(run.spec, run.patients, out)
            report_s = time.perf_counter() - t1
            size = sum(f.stat().st_size for f in (out / "chunks").glob("*.parquet"))
            arms = len(spec.arm)
            entry = {
                "trial": spec.name, "patients": args.patients, "arms": arms, "workers": w,
                "chunk_size": args.chunk, "wall_s": round(wall, 2),
                "report_s": round(report_s, 2), "warm_up_s": round(warm, 2),
                "patients_per_s": round(args.patients / wall, 1),
                "patient_arms_per_s": round(args.patients * arms / wall, 1),
                "patient_arms_per_s_per_worker": round(args.patients * arms / wall / w, 1),
                "peak_rss_mb_parent": round(
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "chunk_files_mb": round(size / 2**20, 1),
                "machine": platform.processor() or platform.machine(),
            }
            print(json.dumps(entry))
            entries.append(entry)
            shutil.rmtree(out)
    path = HERE / "trial_results.json"
    old = json.loads(path.read_text()) if path.exists() else []
    path.write_text(json.dumps(old + entries, indent=2) + "\n")


if __name__ == "__main__":
    main()

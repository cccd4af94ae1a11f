"""The PEtab benchmark collection through coley: import, nominal check, multi-start fits.

For every problem of ``shared/test-suites/petab-benchmark`` (Benchmarking-Initiative/
Benchmark-Models-PEtab; Hass et al. 2019, Bioinformatics 35:3073) this script records:

* whether :func:`coley.fit.petab.read_petab` imports it, and if not the error (one line);
  problems with objective priors are read a second time with ``ignore_priors=True`` (the
  likelihood alone, which is what the collection's ``simulatedData`` checks);
* states, estimated parameters, measurements and experiments;
* at the nominal parameters: the largest difference between coley's simulation and
  ``simulatedData_*`` (absolute, and relative to ``max(|reference|, 1e-3 max|reference|)``),
  coley's negative log-likelihood, and the one the ``petab`` library computes
  (``petab.v1.calculate_llh``) from ``simulatedData``;
* the times: import, first evaluation (code generation and numba compilation of the model;
  with ``--cold`` in an empty ``COLEY_CACHE_DIR``), second evaluation;
* with ``--starts N``: a multi-start fit (``coley.fit.fit(problem, starts=N, seed=...,
  nominal_first=False)``, Latin-hypercube starts within the bounds, none at the nominal
  point): best nll against the nominal nll, the fraction of starts within 1.92 of the best,
  failed starts and wall time.

Each problem runs in its own subprocess (a crash or a time-out is recorded, not fatal), one at
a time, so that the times are those of one core. The results go to
``benchmarks/results/petab_benchmark_collection.json`` (merged by problem with what is already
there) with the provenance (date, CPU, cores, package versions, git commit).

Run::

    python benchmarks/petab_benchmark_collection.py                      # nominal check, all
    python benchmarks/petab_benchmark_collection.py Boehm_JProteomeRes2014 --starts 20
    python benchmarks/petab_benchmark_collection.py --small --starts 20 --timeout 1200
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
COLLECTION = (ROOT / ".." / "shared" / "test-suites" / "petab-benchmark").resolve()
OUT = ROOT / "benchmarks" / "results" / "petab_benchmark_collection.json"
#: Incomplete in the shared copy (large files missing): left out (test-suites/README.md).
INCOMPLETE = ("Froehlich_CellSystems2018", "Smith_BMCSystBiol2013")
#: The small problems of the brief, fitted with --small.
SMALL = ("Boehm_JProteomeRes2014", "Bruno_JExpBot2016", "Crauste_CellSystems2017",
         "Elowitz_Nature2000", "Fujita_SciSignal2010", "Zheng_PNAS2012",
         "Liu_IFACPapersOnLine2025", "Borghans_BiophysChem1997", "Brannmark_JBC2010",
         "Schwen_PONE2014", "Weber_BMC2015")
#: Starts within this much of the best count as reaching it (coley.fit's waterfall tolerance).
AT_BEST = 1.92


def checks() -> Any:
    """tests/fit/test_petab_benchmark.py, whose helpers match the collection's simulations
    with the measurements and compute petab's likelihood (one definition of both)."""
    import importlib.util

    path = ROOT / "tests" / "fit" / "test_petab_benchmark.py"
    spec = importlib.util.spec_from_file_location("test_petab_benchmark", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def problems() -> list[str]:
    return sorted(p.name for p in COLLECTION.iterdir()
                  if p.is_dir() and p.name not in INCOMPLETE)


# ----------------------------------------------------------------------------- one problem
def summary(nlls: list[float], nominal: float, wall: float, starts: int, seed: int
            ) -> dict[str, Any]:
    """A multi-start fit in numbers: best against nominal, fraction of starts at the best
    (within 1.92) and at the nominal nll, failures, wall time."""
    finite = [n for n in nlls if n is not None and math.isfinite(n)]
    best = min(finite) if finite else math.inf
    return {"starts": starts, "finished": len(nlls), "seed": seed, "wall_s": round(wall, 1),
            "best_nll": best, "nominal_nll": nominal, "best_minus_nominal": best - nominal,
            "fraction_at_best": sum(n <= best + AT_BEST for n in finite) / max(len(nlls), 1),
            "fraction_at_nominal": sum(n <= nominal + AT_BEST for n in finite)
            / max(len(nlls), 1),
            "failed": len(nlls) - len(finite),
            "nlls": sorted(finite) + [None] * (len(nlls) - len(finite))}


def run_one(name: str, starts: int, seed: int, partial: Path | None = None) -> dict[str, Any]:
    """Everything measured on one problem (in this process)."""
    import numpy as np

    from coley.errors import InvalidArgumentError, SBMLError
    from coley.fit import Objective, fit
    from coley.fit.petab import read_petab

    out: dict[str, Any] = {"problem": name}
    check = checks()
    path = check.yaml_of(name)
    t0 = time.perf_counter()
    try:
        problem = read_petab(path)
    except (InvalidArgumentError, SBMLError) as exc:
        out.update(imported=False, error=f"{type(exc).__name__}: {exc}")
        if "objective prior" not in str(exc):
            return out
        out["ignore_priors"] = True
        try:
            problem = read_petab(path, ignore_priors=True)
        except (InvalidArgumentError, SBMLError) as again:
            out["error_ignoring_priors"] = f"{type(again).__name__}: {again}"
            return out
    out["import_s"] = round(time.perf_counter() - t0, 3)
    out.setdefault("imported", True)
    out.update(states=len(problem.model.state_names), estimated=len(problem.estimated),
               measurements=len(problem.measurements), experiments=len(problem.experiments))
    t0 = time.perf_counter()
    objective = Objective(problem, gradient=False)
    z = problem.nominal_vector()
    prediction = objective.evaluate(z)
    out["first_evaluation_s"] = round(time.perf_counter() - t0, 3)
    t0 = time.perf_counter()
    objective.evaluate(z)
    out["evaluation_s"] = round(time.perf_counter() - t0, 4)
    out["ok"] = bool(prediction.ok)
    out["message"] = prediction.message
    out["nll_coley"] = float(prediction.nll)
    pp = check.petab_problem(name)
    got = prediction.table["simulation"].to_numpy(dtype=float)
    t0 = time.perf_counter()
    out["nll_petab_of_coley_simulation"] = check.petab_nll(pp, got)
    out["petab_llh_s"] = round(time.perf_counter() - t0, 2)
    if name not in check.NO_REFERENCE and (
            sorted((COLLECTION / name).glob("simulatedData_*.tsv"))
            or (COLLECTION / name / "simulations.tsv").is_file()):
        try:
            expected = check.reference(name, pp.measurement_df)
        except AssertionError as exc:
            out["reference_error"] = str(exc).splitlines()[0]
        else:
            diff = np.abs(got - expected)
            scale = np.maximum(np.abs(expected), 1e-3 * np.max(np.abs(expected)))
            worst = int(np.nanargmax(diff / scale))
            out.update(max_abs_diff=float(np.nanmax(diff)),
                       max_rel_diff=float(np.nanmax(diff / scale)),
                       worst_row=worst, worst_expected=float(expected[worst]),
                       worst_coley=float(got[worst]),
                       nll_petab=check.petab_nll(pp, expected))
    if starts > 0:
        t0 = time.perf_counter()
        done: list[float] = []

        def progress(start: Any) -> None:  # each finished start, for a fit cut short
            done.append(start.nll)
            if partial is not None:
                partial.write_text(json.dumps({"nominal_nll": out["nll_coley"], "nlls": [
                    n if math.isfinite(n) else None for n in done],
                    "wall_s": time.perf_counter() - t0}))

        result = fit(problem, starts=starts, seed=seed, nominal_first=False, progress=progress)
        out["fit"] = summary([s.nll for s in result.starts], out["nll_coley"],
                             time.perf_counter() - t0, starts, seed)
        out["fit"]["converged"] = sum(s.converged for s in result.starts)
    return out


# ----------------------------------------------------------------------------- driver
def provenance(cores: int) -> dict[str, Any]:
    import numba
    import numpy
    import petab.v1
    import scipy

    import coley

    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "src"],
                           capture_output=True, text=True).stdout.strip() != ""
    return {"date": time.strftime("%Y-%m-%d %H:%M:%S +0000", time.gmtime()), "cpu": cpu,
            "cpus": os.cpu_count(), "cores_used": cores, "platform": platform.platform(),
            "git_head": head, "git_dirty_src": dirty,
            "versions": {"python": platform.python_version(), "coley": coley.__version__,
                         "numpy": numpy.__version__, "scipy": scipy.__version__,
                         "numba": numba.__version__, "petab": petab.v1.__version__}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="problems (default: all)")
    parser.add_argument("--small", action="store_true", help="the small problems of issue 11")
    parser.add_argument("--starts", type=int, default=0, help="multi-start fit with N starts")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=900, help="seconds per problem")
    parser.add_argument("--cold", action="store_true",
                        help="compile in an empty COLEY_CACHE_DIR (the CI situation)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--markdown", action="store_true",
                        help="print the tables of --out as markdown and stop")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--partial", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:  # the subprocess
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            print(json.dumps(run_one(args.one, args.starts, args.seed, args.partial)))
        return 0
    names = args.names or (list(SMALL) if args.small else problems())
    results: dict[str, Any] = {}
    if args.out.is_file():
        results = json.loads(args.out.read_text()).get("problems", {})
    if args.markdown:
        print(markdown(results))
        return 0
    with tempfile.TemporaryDirectory() as cache:
        for name in names:
            env = dict(os.environ)
            if args.cold:
                env["COLEY_CACHE_DIR"] = str(Path(cache) / name)
            partial = Path(cache) / f"{name}.fit.json"
            cmd = [sys.executable, __file__, "--one", name, "--starts", str(args.starts),
                   "--seed", str(args.seed), "--partial", str(partial)]
            t0 = time.perf_counter()
            try:
                done = subprocess.run(cmd, capture_output=True, text=True, env=env,
                                      timeout=args.timeout)
                lines = done.stdout.strip().splitlines()
                row = json.loads(lines[-1]) if done.returncode == 0 and lines else {
                    "problem": name, "crashed": done.stderr.strip().splitlines()[-3:]}
            except subprocess.TimeoutExpired:
                row = {"problem": name, "timed_out_s": args.timeout}
                if partial.is_file():  # the starts that finished
                    got = json.loads(partial.read_text())
                    row["fit"] = summary([math.inf if n is None else n for n in got["nlls"]],
                                         got["nominal_nll"], got["wall_s"], args.starts,
                                         args.seed)
            row["wall_s"] = round(time.perf_counter() - t0, 1)
            previous = results.get(name, {})
            if args.starts == 0 and "fit" in previous:  # keep an earlier fit
                row["fit"] = previous["fit"]
            elif args.starts > 0 and "timed_out_s" in row:
                row = {**previous, "problem": name, "fit": row.get("fit"),
                       "fit_timed_out_s": args.timeout}
            results[name] = row
            print(_line(row), flush=True)
            args.out.parent.mkdir(parents=True, exist_ok=True)  # after each problem
            args.out.write_text(json.dumps({"provenance": provenance(1), "problems": results},
                                           indent=1, default=float) + "\n")
    return 0


def markdown(results: dict[str, Any]) -> str:
    """The nominal table (one row per problem) and the fit table (problems fitted)."""
    lines = ["| problem | imported | states | estimated | measurements | nll coley | nll petab "
             "(simulatedData) | max rel. diff. of simulations | first evaluation s |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name in sorted(results):
        r = results[name]
        if "estimated" not in r:
            why = r.get("error") or r.get("crashed") or f"timed out ({r.get('timed_out_s')} s)"
            lines.append(f"| {name} | no: {why} | | | | | | | |")
            continue
        imported = "yes" + (" (ignore_priors)" if r.get("ignore_priors") else "")
        petab_nll = f"{r['nll_petab']:.4f}" if "nll_petab" in r else "(no simulatedData)"
        rel = f"{r['max_rel_diff']:.1e}" if "max_rel_diff" in r else ""
        lines.append(f"| {name} | {imported} | {r['states']} | {r['estimated']} | "
                     f"{r['measurements']} | {r['nll_coley']:.4f} | {petab_nll} | {rel} | "
                     f"{r['first_evaluation_s']:.1f} |")
    lines += ["", "| problem | starts (finished) | nominal nll | best nll | best - nominal | "
              "fraction at best | fraction at or below nominal + 1.92 | failed | wall s |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name in sorted(results):
        f = results[name].get("fit")
        if not f and "fit_timed_out_s" in results[name]:
            lines.append(f"| {name} | no start finished in {results[name]['fit_timed_out_s']:.0f}"
                         " s | | | | | | | |")
        if not f:
            continue
        lines.append(f"| {name} | {f['starts']} ({f['finished']}) | {f['nominal_nll']:.4f} | "
                     f"{f['best_nll']:.4f} | {f['best_minus_nominal']:+.3f} | "
                     f"{f['fraction_at_best']:.2f} | {f['fraction_at_nominal']:.2f} | "
                     f"{f['failed']} | {f['wall_s']:.0f} |")
    return "\n".join(lines)


def _line(row: dict[str, Any]) -> str:
    if "imported" not in row:
        return f"{row['problem']}: {row.get('crashed') or row}"
    if not row["imported"] and "estimated" not in row:
        return f"{row['problem']}: rejected: {row['error']}"
    text = (f"{row['problem']}: {row['states']} states, {row['estimated']} estimated, "
            f"{row['measurements']} measurements; nll coley {row['nll_coley']:.4f}")
    if "nll_petab" in row:
        text += (f", petab {row['nll_petab']:.4f}; sim max rel {row['max_rel_diff']:.2e} "
                 f"abs {row['max_abs_diff']:.2e}")
    text += f"; first evaluation {row['first_evaluation_s']:.1f} s, wall {row['wall_s']} s"
    if row.get("fit"):
        f = row["fit"]
        text += (f"; fit best {f['best_nll']:.4f} ({f['best_minus_nominal']:+.3f} vs nominal), "
                 f"at best {f['fraction_at_best']:.2f}, {f['wall_s']} s")
    return text


if __name__ == "__main__":
    sys.exit(main())

"""Fitting speed on Boehm et al. 2014 (J Proteome Res 13:5685), the PEtab benchmark problem
``Boehm_JProteomeRes2014`` (8 states, 9 estimated parameters, 48 measurements).

Measured in one process, side by side:

* coley: objective + exact gradient (forward sensitivities, Rodas4 at rtol = atol = 1e-8),
  and the objective alone, per evaluation (warm; mean over ``--repeats`` evaluations);
* the alternative without AMICI: libRoadRunner (CVODE, rtol = atol = 1e-8) simulating the
  same SBML at the measurement times, the same negative log-likelihood computed with numpy,
  and the gradient by central finite differences (2 K + 1 simulations);
* a multi-start fit with coley (``--starts``, default 100, seed 0; the noise levels are
  estimated, so L-BFGS-B), starts in ``--processes`` (2) forked processes: wall time, best
  nll against the benchmark's nominal nll, fraction of starts within 1.92 of the best;
* the first-run cost (SBML import, code generation and numba compilation) in a subprocess
  with an empty ``COLEY_CACHE_DIR``.

Run:  python benchmarks/fit_boehm.py [--starts 100] [--repeats 50] [--out FILE]
Results: benchmarks/results/fit_boehm.json (and the table in docs/fit.md).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PROBLEM = (ROOT / ".." / "shared" / "test-suites" / "petab-benchmark" / "Boehm_JProteomeRes2014"
           / "Boehm_JProteomeRes2014.yaml").resolve()


def cold_start() -> dict[str, float]:
    """Import, first evaluation with gradient, in a fresh process with an empty cache."""
    code = ("import time; t0 = time.perf_counter(); from coley.fit.petab import read_petab; "
            "from coley.fit import Objective; t1 = time.perf_counter(); "
            f"p = read_petab({str(PROBLEM)!r}); o = Objective(p); t2 = time.perf_counter(); "
            "r = o.evaluate(p.nominal_vector()); t3 = time.perf_counter(); "
            "print(t1 - t0, t2 - t1, t3 - t2)")
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "COLEY_CACHE_DIR": cache}
        out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                             capture_output=True, text=True).stdout.split()
    return {"import_coley_s": float(out[0]), "read_petab_and_objective_s": float(out[1]),
            "first_evaluation_s": float(out[2])}


class RoadRunnerObjective:
    """The problem's negative log-likelihood with libRoadRunner simulations (one condition:
    Boehm has one), observables and noise formulas evaluated with numpy."""

    def __init__(self, problem_path: Path, names: tuple[str, ...], scales: tuple) -> None:
        import petab.v1 as petab
        import roadrunner
        import sympy as sp

        self.petab = petab.Problem.from_yaml(str(problem_path))
        model_file = problem_path.parent / f"model_{problem_path.stem}.xml"
        self.rr = roadrunner.RoadRunner(str(model_file))
        self.rr.integrator.relative_tolerance = 1e-8
        self.rr.integrator.absolute_tolerance = 1e-8
        self.names, self.scales = names, scales
        m = self.petab.measurement_df
        self.times = np.unique(m["time"].to_numpy(dtype=float))
        noise = m["noiseParameters"] if "noiseParameters" in m.columns else [None] * len(m)
        # the row's noise placeholder value: a number or a parameter id (Boehm: one per row)
        self.rows = [(str(o), float(t), float(y), None if not isinstance(n, str) else n)
                     for o, t, y, n in zip(m["observableId"], m["time"], m["measurement"],
                                           noise, strict=True)]
        par = self.petab.parameter_df
        self.fixed = {str(k): float(v) for k, v in par["nominalValue"].items()}
        obs = self.petab.observable_df
        species = list(self.rr.model.getFloatingSpeciesIds())
        self.species = species
        symbols = [sp.Symbol(s) for s in (*species, *self.fixed)]
        holder = sp.Symbol("noise_value")
        self.formula = {}
        self.noise = {}
        for oid, row in obs.iterrows():
            self.formula[str(oid)] = sp.lambdify(symbols, sp.sympify(row["observableFormula"]))
            text = str(row["noiseFormula"]).replace(f"noiseParameter1_{oid}", "noise_value")
            self.noise[str(oid)] = sp.lambdify([*symbols, holder], sp.sympify(text))
        self.model_params = set(self.rr.model.getGlobalParameterIds())

    def nll(self, z: np.ndarray) -> float:
        values = dict(self.fixed)
        for n, s, v in zip(self.names, self.scales, z, strict=True):
            values[n] = float(s.to_linear(v))
        self.rr.resetToOrigin()
        for k, v in values.items():
            if k in self.model_params:
                self.rr[k] = v
        self.rr.reset()  # initial assignments at the new parameter values
        res = self.rr.simulate(times=list(np.r_[0.0, self.times])
                               if self.times[0] > 0 else list(self.times))
        cols = {c.strip("[]"): i for i, c in enumerate(res.colnames)}
        t = res[:, 0]
        total = 0.0
        for oid, time_, y, noise in self.rows:
            k = int(np.argmin(np.abs(t - time_)))
            args = [res[k, cols[s]] for s in self.species] + list(values.values())
            h = float(self.formula[oid](*args))
            level = values[noise] if noise in values else float(noise or "nan")
            sigma = float(self.noise[oid](*args, level))
            total += 0.5 * math.log(2 * math.pi * sigma**2) + 0.5 * ((y - h) / sigma) ** 2
        return total

    def nll_and_fd_gradient(self, z: np.ndarray, h: float = 1e-5) -> tuple[float, np.ndarray]:
        f = self.nll(z)
        g = np.array([(self.nll(z + h * e) - self.nll(z - h * e)) / (2 * h)
                      for e in np.eye(z.size)])
        return f, g


def timed(fn, repeats: int) -> float:  # type: ignore[no-untyped-def]
    fn()
    t = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - t) / repeats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--starts", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results"
                        / "fit_boehm.json")
    args = parser.parse_args()
    from coley.fit import Objective, fit
    from coley.fit.petab import read_petab

    out: dict = {"problem": PROBLEM.parent.name, "machine": platform.processor() or
                 platform.machine(), "cpus": os.cpu_count(), "date": time.strftime("%Y-%m-%d")}
    out["cold_start"] = cold_start()
    problem = read_petab(PROBLEM)
    obj = Objective(problem)
    z = problem.nominal_vector()
    p = obj.evaluate(z)
    out["nominal_nll"] = p.nll
    out["coley_objective_and_gradient_ms"] = 1e3 * timed(lambda: obj.evaluate(z), args.repeats)
    out["coley_objective_ms"] = 1e3 * timed(lambda: obj.evaluate(z, gradient=False),
                                            args.repeats)
    rr = RoadRunnerObjective(PROBLEM, obj.estimated_names, obj.scales)
    out["roadrunner_nominal_nll"] = rr.nll(z)
    out["roadrunner_objective_ms"] = 1e3 * timed(lambda: rr.nll(z), args.repeats)
    out["roadrunner_objective_and_fd_gradient_ms"] = 1e3 * timed(
        lambda: rr.nll_and_fd_gradient(z), max(3, args.repeats // 10))
    # agreement away from the optimum (at it the gradient is ~1e-2 and finite differences of
    # an integration at 1e-8 are noise); k_imp_homo (nominal 1e5 /min, a fast equilibrium)
    # has a gradient ~1e-5 that roadrunner's differences cannot resolve
    zp = z + 0.2
    g_coley = obj.evaluate(zp).gradient
    _, g_rr = rr.nll_and_fd_gradient(zp)
    out["gradient_at_nominal_plus_0.2"] = {"coley_exact": g_coley.tolist(),
                                           "roadrunner_central_differences": g_rr.tolist(),
                                           "relative_difference_to_norm": float(
                                               np.linalg.norm(g_coley - g_rr)
                                               / np.linalg.norm(g_rr))}
    out["speedup_gradient"] = (out["roadrunner_objective_and_fd_gradient_ms"]
                               / out["coley_objective_and_gradient_ms"])
    t = time.perf_counter()
    result = fit(problem, starts=args.starts, seed=0, objective=obj, processes=args.processes)
    out["fit"] = {"starts": args.starts, "processes": args.processes,
                  "wall_s": time.perf_counter() - t,
                  "best_nll": result.nll, "fraction_at_best": result.fraction_at_best(),
                  "evaluations": sum(s.evaluations for s in result.starts),
                  "failed": sum(not math.isfinite(s.nll) for s in result.starts)}
    out["load_average_1min_after"] = os.getloadavg()[0]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()

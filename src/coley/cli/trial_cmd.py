"""``coley trial FILE -o DIR``: run a virtual clinical trial and write its report."""

from __future__ import annotations

from pathlib import Path

import typer


def trial(
    file: Path = typer.Argument(..., help="Trial file (examples/trials/*.toml)."),
    output: Path = typer.Option(Path("out/trial"), "--output", "-o",
                                help="Output folder: chunks (Parquet), report.html, report.json."),
    patients: int = typer.Option(None, "--patients", "-n",
                                 help="Virtual patients (default: the file's)."),
    seed: int = typer.Option(None, "--seed", help="Random seed (default: the file's)."),
    workers: int = typer.Option(1, "--workers", "-w", help="Worker processes (>= 1)."),
    resume: bool = typer.Option(False, "--resume",
                                help="Continue an interrupted run in the same folder."),
    scheduler: str = typer.Option(None, "--scheduler",
                                  help="Dask scheduler address (tcp://host:8786)."),
    check: bool = typer.Option(False, "--check", help="Only check the file; exit 0 or 2."),
    progress: bool = typer.Option(True, "--progress/--no-progress",
                                  help="Show a progress bar."),
) -> None:
    """Run every arm of a trial for N virtual patients; report RECIST, PFS, OS, toxicity."""
    from coley.experiment.problems import raise_problems
    from coley.trial.runner import check_run, run_trial
    from coley.trial.spec import load_trial, problems

    found = problems(file, patients=patients)
    raise_problems(found, "trial file")
    if check:
        typer.echo(f"{file}: ok", err=True)
        return
    spec = load_trial(file, patients=patients)
    if seed is not None:
        spec = spec.model_copy(update={"seed": seed})
    # every check before the first line of output (run_trial makes the same ones)
    planned = check_run(spec, output, workers=workers, scheduler=scheduler)
    if planned.estimated_bytes > 100e6:  # a large run says what it will take before starting
        typer.echo(f"{spec.name}: {spec.patients:,} patients x {len(spec.arm)} arms, about "
                   f"{planned.estimated_bytes / 1e6:,.0f} MB of chunk files in {output}",
                   err=True)
    run = run_trial(spec, output, workers=workers, resume=resume, scheduler=scheduler,
                    progress=progress)
    calibration = run.report.get("calibration", {})
    if "error" in calibration:
        typer.echo(f"warning: not calibrated, endpoints are unweighted: {calibration['error']}",
                   err=True)
    for arm, a in run.report["arms"].items():
        if not a.get("patients"):
            typer.echo(f"{arm}: no analysable patients", err=True)
            continue
        orr = a["orr"]["value"]
        pfs6 = a.get("pfs", {}).get("at_6mo", {}).get("value", float("nan"))
        typer.echo(f"{arm}: n={a['patients']} ORR {100 * orr:.1f}% 6-mo PFS "
                   f"{100 * pfs6:.1f}%", err=True)
    typer.echo(f"wrote {output / 'report.html'} and report.json", err=True)

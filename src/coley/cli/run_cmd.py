"""``coley run SCENARIO -o DIR``: simulate a scenario file, write trajectories, figure, summary."""

from __future__ import annotations

from pathlib import Path

import typer


def run(
    scenario: Path = typer.Argument(..., help="Scenario file (scenarios/*.toml)."),
    output: Path = typer.Option(Path("out"), "--output", "-o",
                                help="Output folder (created if needed)."),
) -> None:
    """Simulate every arm of a scenario; write NAME.csv, NAME.png and NAME.json to the folder."""
    from coley.scenario.runner import run_scenario

    result = run_scenario(scenario, output)
    name = result.spec.name
    for arm in result.arms:
        stats = getattr(arm, "statistics", None)
        if stats is not None:  # a virtual cohort: report remissions, not one trajectory
            typer.echo(f"{name}/{arm.name}: {stats['remissions']} of {stats['patients']} "
                       f"patients remit ({100 * stats['fraction_remitting']:.1f}%)", err=True)
            continue
        c = arm.classification
        check = "" if arm.expect is None else (" (as expected)" if arm.expect == c.label
                                               else f" (expected {arm.expect})")
        typer.echo(f"{name}/{arm.name}: {c.label}{check}; time under control "
                   f"{c.time_under_control:g} d; final burden {c.final_total:.3g} cells", err=True)
    typer.echo(f"wrote {output / (name + '.csv')}, {name}.png, {name}.json", err=True)

"""``coley info MODEL``: equations, parameter table with units and sources, citation."""

from __future__ import annotations

import typer

from coley.cli._resolve import load_model


def info(
    model: str = typer.Argument(..., help="Library model name (see `coley models`) or an "
                                "SBML file."),
    variant: str = typer.Option(None, "--variant", help="Model variant, where it has several."),
    markdown: bool = typer.Option(False, "--markdown", help="Print a Markdown page instead."),
) -> None:
    """Show a model's equations, states, parameters (units, sources) and citation."""
    m = load_model(model, variant)
    if markdown:
        from coley.model.render import model_markdown

        typer.echo(model_markdown(m), nl=False)
        return
    lines = [f"{m.name}: {m.title}", "", "Equations (time in days):"]
    lines += [f"  {line}" for line in m.equations_text()]
    lines += ["", "States (default initial value):"]
    for s in m.states:
        lines.append(f"  {s.name:<8} {s.initial:<12.6g} {s.unit:<12} {s.meaning}  [{s.source}]")
    lines += ["", "Parameters:"]
    for p in m.parameters:
        bounds = ""
        if p.lower is not None or p.upper is not None:
            bounds = f" in [{'' if p.lower is None else p.lower}, " \
                     f"{'' if p.upper is None else p.upper}]"
        lines.append(f"  {p.name:<8} {p.value:<12.6g} {p.unit:<14} {p.meaning}{bounds}  "
                     f"[{p.source}]")
    lines += ["", f"Citation: {m.citation}"]
    if m.citation.note:
        lines.append(f"Note: {m.citation.note}")
    if m.description:
        lines += ["", m.description]
    typer.echo("\n".join(lines))

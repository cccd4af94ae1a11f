"""Write the reference-suite table of docs/sbml.md: one row per reference SBML file.

Run from the repository root: ``python -m tests.sbml.make_table`` (about 10 minutes on one core:
each model is generated and compiled once). The table sits between the markers
``<!-- reference-table:start -->`` and ``<!-- reference-table:end -->``; the rest of the page is
left as it is. The method is in tests/sbml/reference.py.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from tests.sbml import reference

DOCS = Path(__file__).resolve().parents[2] / "docs" / "sbml.md"
START = "<!-- reference-table:start -->"
END = "<!-- reference-table:end -->"


def row(o: reference.Outcome) -> str:
    link = f"[{o.model}](https://www.ebi.ac.uk/biomodels/{o.model})"
    name = o.file.split("_", 1)[1].removesuffix(".xml").replace("_", " ")
    if len(name) > 60:
        name = name[:57] + "..."
    error = f"{o.max_error:.1e}" if math.isfinite(o.max_error) else "-"
    rr = f"{o.rr_rtol:g}" if math.isfinite(o.rr_rtol) else "-"
    events = f", {o.events} events" if o.events else ""
    notes = "; ".join(x for x in (o.reason, reference.NOTES.get(o.model, "")) if x)
    return (f"| {link} | {name} | {o.status} | {error} | {o.horizon:g} | {rr} | "
            f"{o.states}{events} | {o.time_unit} | {notes} |")


def table(outcomes: list[reference.Outcome]) -> str:
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items(), key=lambda x: -x[1]))
    head = [
        f"{len(outcomes)} files: {summary}.",
        "",
        "| model | name | status | max error | horizon | rr rtol | states | declared time unit"
        " | notes |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    return "\n".join(head + [row(o) for o in outcomes])


def main() -> int:
    files = reference.files()
    if not files:
        print(f"no SBML files under {reference.SBML_DIR}", file=sys.stderr)
        return 1
    outcomes = []
    for path in files:
        o = reference.run(path)
        print(f"{o.model} {o.status} {o.max_error:.2e} {o.seconds:.1f}s {o.reason[:100]}",
              file=sys.stderr, flush=True)
        outcomes.append(o)
    text = DOCS.read_text()
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    DOCS.write_text(f"{before}{START}\n{table(outcomes)}\n{END}{after}")
    print(f"wrote {DOCS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

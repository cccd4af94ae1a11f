"""``DIR/report.html`` of a fit: one self-contained page (figures embedded as PNG).

It shows the problem (model, experiments, measurements), the parameter table (estimate,
standard error, Wald interval; with profiles, the likelihood-ratio interval and the
identifiability label; with a posterior, its mean, 94% HDI, R-hat and ESS), the data against
the best fit per experiment (up to :data:`MAX_PANELS` panels), the start waterfall, and the
profiles. Every number in it is also in ``fit.json``.
"""

from __future__ import annotations

import base64
import html
import io
import math
from typing import Any

import numpy as np
import pandas as pd

#: Experiments drawn in the report's data-and-fit figure (the rest are in simulations.csv).
MAX_PANELS = 16


def experiments_figure(curves: pd.DataFrame, table: pd.DataFrame, log_scale: bool) -> Any:
    """One panel per experiment: measurements (points) and the best fit (lines) of each
    observable."""
    from matplotlib.figure import Figure

    names = list(dict.fromkeys(table["experiment"].astype(str)))[:MAX_PANELS]
    cols = min(len(names), 4)
    rows = math.ceil(len(names) / cols)
    fig = Figure(figsize=(3.4 * cols, 2.8 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    for ax, exp in zip(axes, names, strict=False):
        data = table[table["experiment"].astype(str) == exp]
        for k, (obs, pts) in enumerate(data.groupby("observable", sort=True)):
            color = f"C{k % 10}"
            ax.plot(pts["time"], pts["value"], "o", ms=3, color=color)
            line = curves[(curves["experiment"] == exp) & (curves["observable"] == obs)]
            ax.plot(line["time"], line["simulation"], "-", lw=1.2, color=color, label=obs)
        if log_scale:
            ax.set_yscale("log")
        ax.set_title(exp, fontsize=8)
        ax.set_xlabel("time", fontsize=8)
        ax.legend(fontsize=6)
    for ax in axes[len(names):]:
        ax.set_visible(False)
    return fig


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    return base64.b64encode(buf.getvalue()).decode()


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if isinstance(value, float | np.floating):
        return f"{value:.4g}"
    return html.escape(str(value))


def render(data: dict[str, Any], parameters: pd.DataFrame, figures: dict[str, Any],
           *, model: str, experiments: int, measurements: int) -> str:
    """The report page from ``fit.json``'s numbers, the parameter table and figures."""
    e = html.escape
    table = parameters.copy()
    posterior = data.get("posterior")
    if posterior:
        for key, column in (("mean", "posterior_mean"), ("hdi_3%", "hdi_3%"),
                            ("hdi_97%", "hdi_97%"), ("r_hat", "r_hat"),
                            ("ess_bulk", "ess_bulk")):
            table[column] = [posterior["parameters"][n].get(key) for n in table["parameter"]]
    head = "".join(f"<th>{e(str(c))}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>"
                   for row in table.itertuples(index=False))
    starts = data["starts"]
    failed = [s for s in starts if s["nll"] is None]
    prior = (f"; negative log prior {data['neg_log_prior']:.6g} (objective "
             f"{data['objective']:.6g})" if "neg_log_prior" in data else "")
    chi2 = "-" if data.get("chi2") is None else f"{data['chi2']:.6g}"
    imgs = "".join(f"<h2>{e(title)}</h2><img src='data:image/png;base64,{_png(fig)}'/>"
                   for title, fig in figures.items())
    more = (f"<p>The first {MAX_PANELS} of {experiments} experiments are drawn; every "
            "simulation is in simulations.csv.</p>" if experiments > MAX_PANELS else "")
    post = ""
    if posterior:
        post = (f"<p>Posterior: {posterior['walkers']} walkers x {posterior['steps']} steps "
                f"(emcee), {posterior['burn']} burn-in, acceptance "
                f"{posterior['acceptance']:.2f}, {posterior['failures']} failed "
                "evaluations; R-hat and ESS by arviz (each walker a chain).</p>")
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{e(data['problem'])}</title>
<style>body{{font-family:sans-serif;max-width:1200px;margin:2em auto}}table{{border-collapse:
collapse}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}td:first-child{{text-align:
left}}img{{max-width:100%}}</style></head><body>
<h1>Fit: {e(data['problem'])}</h1>
<p>Model <b>{e(model)}</b>; {experiments} experiments, {measurements} measurements.
Best negative log-likelihood {data['nll']:.6g} (PEtab convention, normalisation constants
included){prior}; chi2 {chi2}. {len(starts)} starts, {100 * data['fraction_at_best']:.0f}% within
1.92 of the best; {len(failed)} failed.</p>
<h2>Parameters</h2><table><tr>{head}</tr>{body}</table>{post}{more}{imgs}
<p>Numbers: fit.json; parameters.csv; simulations.csv; starts.jsonl.</p></body></html>"""


__all__ = ["MAX_PANELS", "experiments_figure", "render"]

"""Plots (SVG and PNG, matplotlib's Agg backend) and the HTML page of `leaderless pbs`.

Figures are drawn from the sampled data and the report dict that `pbs` already
computed; nothing here samples or recomputes a probability. SVG output is made
reproducible (fixed id salt, no date), so the same seed gives the same bytes.
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # the backend must be chosen before pyplot loads
import numpy as np

from model.pbs.wars import Z95, WarsResult

_METADATA = {"svg": {"Date": None}, "png": {"Software": None}}


def _wilson_band(fresh: np.ndarray, reads: int) -> tuple[np.ndarray, np.ndarray]:
    p = fresh / reads
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * reads)) / (1 + z2 / reads)
    half = Z95 * np.sqrt(p * (1 - p) / reads + z2 / (4 * reads * reads)) / (1 + z2 / reads)
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def visibility_figure(data: dict[str, Any], result: WarsResult):
    """P(consistent) against t, with its 95% band and the targets marked."""
    figure, axes = plt.subplots(figsize=(6.4, 4.0))
    targets = data["t_visibility"]["targets"]
    # Up to the t of the highest target reached (or of the last finite window), plus a margin.
    reached = [row["t_ms"]["estimate"] for row in targets if row["t_ms"]["estimate"] is not None]
    finite = result.windows[np.isfinite(result.windows)]
    right = max(max(reached) if reached else float(finite.max(initial=0.0)), 1e-3) * 1.15
    ts = np.linspace(0.0, right, 400)
    if result.reads:
        fresh = np.searchsorted(result.windows, ts, side="right")
        low, high = _wilson_band(fresh, result.reads)
        axes.fill_between(ts, low, high, alpha=0.25, linewidth=0, label="95% interval")
        axes.plot(ts, fresh / result.reads, label="P(consistent read)")
    for row in targets:
        axes.axhline(row["probability"], color="grey", linewidth=0.6, linestyle=":")
    axes.set_xlabel("t: ms after the write commits")
    axes.set_ylabel("P(read returns the write or newer)")
    axes.set_title(data["configuration"]["description"], fontsize=8)
    axes.set_xlim(0, right)
    axes.legend(loc="lower right", fontsize=8)
    axes.grid(alpha=0.3)
    figure.tight_layout()
    return figure


def latency_figure(data: dict[str, Any], result: WarsResult):
    """Distribution functions of read and write latency (log time axis)."""
    figure, axes = plt.subplots(figsize=(6.4, 4.0))
    for label, values in (("read", result.read_latency), ("write", result.write_latency)):
        if len(values):
            positive = np.maximum(values, 1e-6)
            axes.plot(positive, np.arange(1, len(values) + 1) / len(values), label=label)
    axes.set_xscale("log")
    axes.set_xlabel("operation latency (ms)")
    axes.set_ylabel("fraction of operations")
    axes.set_title(data["configuration"]["description"], fontsize=8)
    axes.legend(loc="lower right", fontsize=8)
    axes.grid(alpha=0.3, which="both")
    figure.tight_layout()
    return figure


FIGURES = {"t-visibility": visibility_figure, "latency": latency_figure}


def _render(figure, fmt: str, name: str) -> bytes:
    # A fixed salt per figure: the same data gives the same SVG bytes, and two figures
    # inlined in one page never share an element id.
    buffer = io.BytesIO()
    # Text stays text (no glyph outlines: smaller, selectable, and no empty <path>).
    settings = {"svg.hashsalt": f"leaderless-pbs-{name}", "svg.fonttype": "none"}
    with matplotlib.rc_context(settings):
        figure.savefig(buffer, format=fmt, metadata=_METADATA[fmt], dpi=110)
    return buffer.getvalue()


def write_plots(directory: Path, data: dict[str, Any], result: WarsResult) -> list[Path]:
    """t-visibility.svg/.png and latency.svg/.png in `directory` (created if missing)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in FIGURES.items():
        figure = draw(data, result)
        try:
            for fmt in ("svg", "png"):
                path = directory / f"{name}.{fmt}"
                path.write_bytes(_render(figure, fmt, name))
                written.append(path)
        finally:
            plt.close(figure)
    return written


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222; }
pre { background: #f6f6f6; padding: .6em; overflow-x: auto; }
h2 { font-size: 1.1em; margin-top: 1.6em; }
.met { color: #176317; } .unmet { color: #a11; } .undecided { color: #a60; }
figure { margin: 1em 0; }
"""


def _inline(svg: str, name: str) -> str:
    """An SVG file as an element of an HTML page: no XML prolog or doctype, no RDF
    metadata (not HTML), and every id (and reference to one) prefixed with the figure's
    name, since matplotlib numbers ids per figure (figure_1, axes_1) and they repeat."""
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg[svg.index("<svg"):], flags=re.DOTALL)
    return re.sub(r'(\bid="|url\(#|href="#)([^")]+)', rf"\g<1>{name}-\g<2>", svg)


def html_page(data: dict[str, Any], result: WarsResult, tables: list[tuple[str, str]]) -> str:
    """One self-contained page: the tables as text, the plots as inline SVG."""
    parts = [(f"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
              f"<title>leaderless pbs</title><style>{_STYLE}</style></head><body>"),
             "<h1>How stale, how often</h1>",
             f"<p>{html.escape(data['configuration']['description'])}</p>"]
    verdicts = data["requirements"]
    if verdicts:
        parts.append("<h2>Requirements</h2><ul>")
        for row in verdicts:
            parts.append(f"<li class=\"{row['verdict']}\">{html.escape(row['description'])}: "
                         f"<strong>{row['verdict']}</strong></li>")
        parts.append("</ul>")
    for name, draw in FIGURES.items():
        figure = draw(data, result)
        try:
            svg = _render(figure, "svg", name).decode()
        finally:
            plt.close(figure)
        parts.append(f"<figure id=\"{name}\">{_inline(svg, name)}</figure>")
    for title, table in tables:
        parts.append(f"<h2>{html.escape(title)}</h2><pre>{html.escape(table)}</pre>")
    parts.append("<p>Exact: k-staleness and availability. Sampled (Monte Carlo of the WARS "
                 "model, 95% intervals): t-visibility and latency.</p></body></html>")
    return "\n".join(parts) + "\n"


def write_html(path: Path, data: dict[str, Any], result: WarsResult,
               tables: list[tuple[str, str]]) -> None:
    path.write_text(html_page(data, result, tables), encoding="utf-8")

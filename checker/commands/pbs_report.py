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

from leaderless.checker.commands.pbs import Samples
from leaderless.model.pbs.wars import Z95

_METADATA = {"svg": {"Date": None}, "png": {"Software": None}}


def _wilson_band(fresh: np.ndarray, reads: int) -> tuple[np.ndarray, np.ndarray]:
    p = fresh / reads
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * reads)) / (1 + z2 / reads)
    half = Z95 * np.sqrt(p * (1 - p) / reads + z2 / (4 * reads * reads)) / (1 + z2 / reads)
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def _curve(axes, windows: np.ndarray, ts: np.ndarray, label: str, band: bool, **style) -> None:
    """P(consistent at t) from sorted staleness windows, optionally with its 95% band."""
    if not len(windows):
        return
    fresh = np.searchsorted(windows, ts, side="right")
    if band:
        low, high = _wilson_band(fresh, len(windows))
        axes.fill_between(ts, low, high, alpha=0.25, linewidth=0, label="95% interval")
    axes.plot(ts, fresh / len(windows), label=label, **style)


def _right_edge(data: dict[str, Any], windows: np.ndarray) -> float:
    # Up to the t of the highest target reached (or of the last finite window), plus a margin.
    targets = data["t_visibility"]["targets"]
    reached = [row["t_ms"]["estimate"] for row in targets if row["t_ms"]["estimate"] is not None]
    finite = windows[np.isfinite(windows)]
    return max(max(reached) if reached else float(finite.max(initial=0.0)), 1e-3) * 1.15


def _dress(axes, title: str, xlabel: str, ylabel: str) -> None:
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_title(title, fontsize=8)
    axes.legend(loc="lower right", fontsize=8)
    axes.grid(alpha=0.3, which="both")


def visibility_figure(data: dict[str, Any], samples: Samples):
    """P(consistent) against t with its 95% band and the targets marked; beside it the
    same trials without --down/--drop, when those were given."""
    figure, axes = plt.subplots(figsize=(6.4, 4.0))
    right = _right_edge(data, samples.result.windows)
    ts = np.linspace(0.0, right, 400)
    _curve(axes, samples.result.windows, ts, "P(consistent read)", True)
    if samples.baseline is not None:
        _curve(axes, samples.baseline.windows, ts, "without --down/--drop", False, linestyle="--")
    for row in data["t_visibility"]["targets"]:
        axes.axhline(row["probability"], color="grey", linewidth=0.6, linestyle=":")
    axes.set_xlim(0, right)
    _dress(
        axes,
        data["config"]["description"],
        "t: ms after the write commits",
        "P(read returns the write or newer)",
    )
    figure.tight_layout()
    return figure


def latency_figure(data: dict[str, Any], samples: Samples):
    """Distribution functions of read and write latency (log time axis)."""
    figure, axes = plt.subplots(figsize=(6.4, 4.0))
    for label, values in (
        ("read", samples.result.read_latency),
        ("write", samples.result.write_latency),
    ):
        if len(values):
            axes.plot(
                np.maximum(values, 1e-6), np.arange(1, len(values) + 1) / len(values), label=label
            )
    axes.set_xscale("log")
    _dress(
        axes,
        data["config"]["description"],
        "operation latency (ms)",
        "fraction of operations",
    )
    figure.tight_layout()
    return figure


def sweep_figure(data: dict[str, Any], samples: Samples):
    """One t-visibility curve per partial quorum (r + w <= n) of --sweep."""
    figure, axes = plt.subplots(figsize=(6.4, 4.0))
    reached = [
        row["t_at_target"]["estimate"]
        for row in data["sweep"]["rows"]
        if row["t_at_target"]["estimate"]
    ]
    right = max(reached, default=1.0) * 1.15
    ts = np.linspace(0.0, right, 400)
    for (r, w), windows in sorted(samples.sweep.items()):
        _curve(axes, windows, ts, f"r={r} w={w}", False)
    axes.set_xlim(0, right)
    _dress(
        axes,
        f"every partial quorum (r + w <= n) of n={data['config']['n']}; "
        f"latency {data['latency']['name']}",
        "t: ms after the write commits",
        "P(read returns the write or newer)",
    )
    figure.tight_layout()
    return figure


def figures(samples: Samples) -> dict[str, Any]:
    """The figures this report has: name -> drawing function."""
    found = {"t-visibility": visibility_figure, "latency": latency_figure}
    if samples.sweep:
        found["sweep"] = sweep_figure
    return found


def _render(figure, fmt: str, name: str) -> bytes:
    # A fixed salt per figure: the same data gives the same SVG bytes, and two figures
    # inlined in one page never share an element id.
    buffer = io.BytesIO()
    # Text stays text (no glyph outlines: smaller, selectable, and no empty <path>).
    with matplotlib.rc_context({"svg.hashsalt": f"leaderless-pbs-{name}", "svg.fonttype": "none"}):
        figure.savefig(buffer, format=fmt, metadata=_METADATA[fmt], dpi=110)
    return buffer.getvalue()


def write_plots(directory: Path, data: dict[str, Any], samples: Samples) -> list[Path]:
    """t-visibility, latency (and sweep) as .svg and .png in `directory`, created if
    missing."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in figures(samples).items():
        figure = draw(data, samples)
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
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg[svg.index("<svg") :], flags=re.DOTALL)
    return re.sub(r'(\bid="|url\(#|href="#)([^")]+)', rf"\g<1>{name}-\g<2>", svg)


def html_page(data: dict[str, Any], samples: Samples, tables: list[tuple[str, str]]) -> str:
    """One self-contained page: the tables as text, the plots as inline SVG."""
    parts = [
        (
            f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>leaderless pbs</title><style>{_STYLE}</style></head><body>"
        ),
        "<h1>How stale, how often</h1>",
        f"<p>{html.escape(data['config']['description'])}</p>",
    ]
    verdicts = data["requirements"]
    if verdicts:
        parts.append("<h2>Requirements</h2><ul>")
        for row in verdicts:
            parts.append(
                f'<li class="{row["verdict"]}">{html.escape(row["description"])}: '
                f"<strong>{row['verdict']}</strong></li>"
            )
        parts.append("</ul>")
    for name, draw in figures(samples).items():
        figure = draw(data, samples)
        try:
            svg = _render(figure, "svg", name).decode()
        finally:
            plt.close(figure)
        parts.append(f'<figure id="{name}">{_inline(svg, name)}</figure>')
    for title, table in tables:
        parts.append(f"<h2>{html.escape(title)}</h2><pre>{html.escape(table)}</pre>")
    parts.append(
        "<p>Exact: k-staleness and availability. Sampled (Monte Carlo of the WARS "
        "model, 95% intervals): t-visibility and latency.</p></body></html>"
    )
    return "\n".join(parts) + "\n"


def write_html(
    path: Path, data: dict[str, Any], samples: Samples, tables: list[tuple[str, str]]
) -> None:
    path.write_text(html_page(data, samples, tables), encoding="utf-8")

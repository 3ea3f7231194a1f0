"""A run as one self-contained HTML report: configuration, verdicts and, for each
violated property, an SVG sequence diagram of its counterexample that can be stepped
through, with the state at every step.

Everything is inline (CSS, SVG, a small script), so the file opens offline and can be
attached to an issue. The report is drawn from `exploration_data` alone, through the
diagram model of `leaderless.checker.sequence`; nothing here calls the model.

    report = exploration_data(model, exploration)
    write_html("report.html", report)  # or: leaderless check --html report.html
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from leaderless.checker.render import VACUOUS, vacuous, write_output
from leaderless.checker.sequence import (
    DELIVERED,
    DROPPED,
    IN_FLIGHT,
    LOST,
    REDIRECTED,
    Arrow,
    Diagram,
    build_diagram,
)

COLUMN = 136  # horizontal distance between lifelines
GUTTER = 110  # left margin: step numbers, and room for the first client's marks
HEADER = 56  # lifeline name boxes above the first row
ROW = 38  # vertical distance between steps
DESCRIPTION = 380  # width of the column of step descriptions
CUT = 0.55  # where along its path a dropped, lost or in-flight message stops
LABEL_AT = 0.7  # where along an arrow its label sits: near the end, where fans spread out
NIL_COLOUR = "#e5e7eb"
VERSION_COLOURS = (
    "#60a5fa",
    "#f59e0b",
    "#34d399",
    "#f472b6",
    "#a78bfa",
    "#f87171",
    "#2dd4bf",
    "#facc15",
)
OP_FIELDS = ("status", "invoked", "completed", "ts", "acks", "responses", "result", "awaiting")

STYLE = """
:root { --ink: #1f2937; --muted: #6b7280; --line: #d1d5db; --bad: #dc2626;
  --bad-bg: #fee2e2; --ok: #15803d; --now: #fef3c7; --accent: #2563eb; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
  margin: 0; padding: 20px 28px 60px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; }
h3 { font-size: 14px; margin: 14px 0 4px; }
code, .mono, td.mono { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace;
  font-size: 12.5px; }
.muted { color: var(--muted); }
table { border-collapse: collapse; }
th, td { text-align: left; padding: 3px 10px 3px 0; vertical-align: top;
  border-bottom: 1px solid #f3f4f6; }
th { font-weight: 600; color: var(--muted); font-size: 12.5px; }
.config th, .config td { padding-right: 18px; }
.verdict { font-weight: 600; padding: 1px 7px; border-radius: 9px; font-size: 12px; }
.v-holds { background: #dcfce7; color: var(--ok); }
.v-violated { background: var(--bad-bg); color: var(--bad); }
.v-inconclusive { background: #fef9c3; color: #a16207; }
.v-na { background: #f3f4f6; color: var(--muted); }
.trace { border-top: 2px solid var(--line); margin-top: 26px; }
.reason { background: var(--bad-bg); border-left: 4px solid var(--bad); padding: 8px 12px;
  margin: 8px 0 12px; }
.controls { position: sticky; top: 0; background: #fff; padding: 6px 0; z-index: 1;
  display: flex; gap: 8px; align-items: center; }
.controls button { font: inherit; padding: 3px 12px; border: 1px solid var(--line);
  border-radius: 6px; background: #f9fafb; cursor: pointer; }
.controls button:hover { background: #eef2ff; }
.controls .where { font-weight: 600; min-width: 7em; }
.controls .what { color: var(--muted); }
.panes { display: flex; gap: 24px; align-items: flex-start; flex-wrap: wrap; }
.diagram { overflow-x: auto; max-width: 100%; }
.states { flex: 1 1 380px; min-width: 380px; max-width: 640px; overflow-x: auto; }
.state[hidden] { display: none; }
.state td.changed, .state li.entered { background: var(--now); }
.state li.left { text-decoration: line-through; color: var(--muted); }
.state ul { margin: 2px 0; padding-left: 18px; }
svg text { font-size: 12px; fill: var(--ink); }
svg .halo { paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }
svg .row { fill: transparent; cursor: pointer; }
svg .row:hover { fill: #f9fafb; }
svg .row.violating { fill: #fff1f2; }
svg .row.current { fill: var(--now); }
svg .row.violating.current { fill: #fde68a; }
svg .stepno { fill: var(--muted); font-size: 11px; }
svg .desc.violating { fill: var(--bad); font-weight: 600; }
svg .head rect { fill: #f3f4f6; stroke: var(--line); }
svg .head.client rect { fill: #e0e7ff; }
svg .lifeline { stroke: #9ca3af; stroke-width: 1; }
svg .lifeline.down { stroke-dasharray: 3 4; }
svg .activation { stroke-width: 1.5; fill: #fff; }
svg .activation.ok { stroke: var(--ok); } svg .activation.fail { stroke: var(--bad); }
svg .activation.open { stroke: var(--accent); stroke-dasharray: 4 2; }
svg .arrow line { stroke: #374151; stroke-width: 1.3; }
svg .arrow.wack line, svg .arrow.rresp line { stroke: #0f766e; }
svg .arrow.lost line, svg .arrow.in-flight line { stroke-dasharray: 5 4; stroke: #9ca3af; }
svg .arrow.dropped line { stroke: var(--bad); }
svg .arrow text { font-size: 10.5px; }
svg .arrow.active line { stroke: var(--accent); stroke-width: 2.6; }
svg .arrow.active text { fill: var(--accent); font-weight: 600; }
svg .cross { stroke: var(--bad); stroke-width: 2.4; }
svg .lost .cross { stroke: #9ca3af; }
svg .crash { stroke: var(--bad); stroke-width: 4; }
svg .mark { font-size: 10.5px; }
svg .mark.bad { fill: var(--bad); font-weight: 600; }
svg .veil { fill: #fff; opacity: 0.6; pointer-events: none; }
"""

SCRIPT = """
(function () {
  'use strict';
  document.querySelectorAll('section.trace').forEach(function (section) {
    var last = Number(section.dataset.steps);
    var rows = section.querySelectorAll('svg .row');
    var arrows = section.querySelectorAll('svg .arrow');
    var states = section.querySelectorAll('.state');
    var descs = section.querySelectorAll('svg .desc');
    var veil = section.querySelector('svg .veil');
    var where = section.querySelector('.where');
    var what = section.querySelector('.what');
    var current = last;
    function show(step) {
      current = Math.max(0, Math.min(last, step));
      rows.forEach(function (row) {
        row.classList.toggle('current', Number(row.dataset.step) === current);
      });
      arrows.forEach(function (arrow) {
        var touched = Number(arrow.dataset.sent) === current ||
          Number(arrow.dataset.ended) === current;
        arrow.classList.toggle('active', touched);
      });
      states.forEach(function (state) {
        state.hidden = Number(state.dataset.step) !== current;
      });
      var top = Number(veil.dataset.top) + current * Number(veil.dataset.row);
      veil.setAttribute('y', String(top));
      veil.setAttribute('height', String(Math.max(0, Number(veil.dataset.bottom) - top)));
      where.textContent = 'step ' + current + ' of ' + last;
      what.textContent = descs[current].dataset.text;
    }
    section.querySelector('.prev').addEventListener('click', function () { show(current - 1); });
    section.querySelector('.next').addEventListener('click', function () { show(current + 1); });
    section.querySelector('.first').addEventListener('click', function () { show(0); });
    section.querySelector('.violation').addEventListener('click', function () { show(last); });
    rows.forEach(function (row) {
      row.addEventListener('click', function () { show(Number(row.dataset.step)); });
    });
    section.addEventListener('keydown', function (event) {
      if (event.key === 'ArrowLeft') { show(current - 1); event.preventDefault(); }
      if (event.key === 'ArrowRight') { show(current + 1); event.preventDefault(); }
    });
    show(last);
  });
})();
"""


@dataclass(frozen=True)
class _Layout:
    """Where things go in one diagram's SVG."""

    columns: dict[str, int]  # lifeline id -> column index
    steps: int

    def x(self, lifeline: str) -> float:
        return GUTTER + COLUMN / 2 + self.columns[lifeline] * COLUMN

    def y(self, step: float) -> float:
        return HEADER + ROW / 2 + step * ROW

    @property
    def description_x(self) -> float:
        return GUTTER + len(self.columns) * COLUMN + 8

    @property
    def width(self) -> float:
        return self.description_x + DESCRIPTION

    @property
    def bottom(self) -> float:
        # One extra row below the last step, where in-flight messages trail off.
        return self.y(self.steps + 1)


def _version_colours(diagram: Diagram) -> dict[str, str]:
    versions = sorted({s.version for s in diagram.segments if s.written})
    return {v: VERSION_COLOURS[i % len(VERSION_COLOURS)] for i, v in enumerate(versions)}


def _attrs(**values: object) -> str:
    return " ".join(
        f'{key.rstrip("_").replace("_", "-")}="{escape(str(value))}"'
        for key, value in values.items()
    )


def _text(x: float, y: float, text: str, cls: str = "", **extra: object) -> str:
    return (
        f"<text {_attrs(x=f'{x:.1f}', y=f'{y:.1f}', class_=f'halo {cls}'.strip(), **extra)}>"
        f"{escape(text)}</text>"
    )


def _arrow_svg(arrow: Arrow, layout: _Layout, marker: str) -> str:
    x1, y1 = layout.x(arrow.source), layout.y(arrow.sent)
    full_x = layout.x(arrow.target)
    if arrow.fate == DELIVERED:
        x2, y2 = full_x, layout.y(arrow.ended if arrow.ended is not None else layout.steps)
    else:
        x2 = x1 + CUT * (full_x - x1)
        y2 = layout.y(layout.steps + 0.7) if arrow.ended is None else layout.y(arrow.ended)
    head = f' marker-end="url(#{marker})"' if arrow.fate in (DELIVERED, IN_FLIGHT) else ""
    ends = _attrs(x1=f"{x1:.1f}", y1=f"{y1:.1f}", x2=f"{x2:.1f}", y2=f"{y2:.1f}")
    parts = [f"<line {ends}{head}/>"]
    if arrow.fate in (DROPPED, LOST, REDIRECTED):
        parts.append(
            f'<path class="cross" d="M{x2 - 6:.1f},{y2 - 6:.1f} l12,12 '
            f'M{x2 - 6:.1f},{y2 + 6:.1f} l12,-12"/>'
        )
    if arrow.fate == LOST:
        # What removed it is in the tooltip and the state panel; a label would only
        # crowd the step whose completion swept it away.
        return _group(arrow, parts)
    angle = math.degrees(math.atan2(y2 - y1, x2 - x1))
    if abs(angle) > 90:
        angle += 180  # keep the label upright on right-to-left arrows
    lx, ly = x1 + LABEL_AT * (x2 - x1), y1 + LABEL_AT * (y2 - y1)
    label = arrow.label + {
        DROPPED: " (dropped)",
        LOST: " (lost)",
        IN_FLIGHT: " (in flight)",
        REDIRECTED: " (to a stand-in)",
    }.get(arrow.fate, "")
    parts.append(
        _text(
            lx,
            ly - 4,
            label,
            text_anchor="middle",
            transform=f"rotate({angle:.1f} {lx:.1f} {ly:.1f})",
        )
    )
    return _group(arrow, parts)


def _group(arrow: Arrow, parts: list[str]) -> str:
    ended = "still in flight" if arrow.ended is None else f"{arrow.fate} at step {arrow.ended}"
    why = f": {arrow.why}" if arrow.why else ""
    title = f"{arrow.message}: sent at step {arrow.sent}, {ended}{why}"
    group = _attrs(
        class_=f"arrow {arrow.kind} {arrow.fate}",
        data_message=arrow.message,
        data_sent=arrow.sent,
        data_ended="" if arrow.ended is None else arrow.ended,
    )
    return f"<g {group}><title>{escape(title)}</title>{''.join(parts)}</g>"


def _lifelines_svg(diagram: Diagram, layout: _Layout) -> list[str]:
    parts = []
    colours = _version_colours(diagram)
    labels = {lifeline.id: lifeline.label for lifeline in diagram.lifelines}
    for lifeline in diagram.lifelines:
        x = layout.x(lifeline.id)
        parts.append(
            f'<g class="head {lifeline.kind}"><rect x="{x - COLUMN / 2 + 10:.1f}" '
            f'y="8" width="{COLUMN - 20}" height="30" rx="6"/>'
            f"{_text(x, 28, lifeline.label, text_anchor='middle')}</g>"
        )
        if lifeline.kind == "client":
            parts.append(
                f'<line class="lifeline" x1="{x:.1f}" y1="38" x2="{x:.1f}" '
                f'y2="{layout.bottom:.1f}"/>'
            )
    for segment in diagram.segments:
        x, top = layout.x(segment.lifeline), layout.y(segment.start) - ROW / 2
        bottom = layout.bottom if segment.end == layout.steps else layout.y(segment.end) + ROW / 2
        top = 38 if segment.start == 0 else top
        if not segment.up:
            parts.append(
                f'<line class="lifeline down" x1="{x:.1f}" y1="{top:.1f}" '
                f'x2="{x:.1f}" y2="{bottom:.1f}"/>'
            )
            continue
        parts.append(
            f'<rect class="store" x="{x - 4:.1f}" y="{top:.1f}" width="8" '
            f'height="{bottom - top:.1f}" '
            f'fill="{colours[segment.version] if segment.written else NIL_COLOUR}">'
            f"<title>{escape(labels[segment.lifeline])} stores {escape(segment.version)} "
            f"in states {segment.start}..{segment.end}</title></rect>"
        )
        parts.append(
            _text(
                x + 8,
                top + 14 if segment.start == 0 else layout.y(segment.start) + 4,
                segment.version,
                "mark",
            )
        )
    return parts


def _activity_svg(diagram: Diagram, layout: _Layout) -> list[str]:
    parts = []
    for act in diagram.activations:
        x, top = layout.x(act.lifeline), layout.y(act.start)
        end = layout.y(act.end) if act.end is not None else layout.bottom - ROW / 2
        cls = "open" if act.end is None else ("ok" if act.status == "ok" else "fail")
        parts.append(
            f'<rect class="activation {cls}" x="{x - 5:.1f}" y="{top:.1f}" width="10" '
            f'height="{max(end - top, 4):.1f}"><title>{escape(act.op)}: '
            f"{escape(act.status)}</title></rect>"
        )
    for mark in diagram.marks:
        x, y = layout.x(mark.lifeline), layout.y(mark.step)
        if mark.kind == "crash":
            parts.append(
                f'<path class="crash" d="M{x - 9:.1f},{y - 9:.1f} l18,18 '
                f'M{x - 9:.1f},{y + 9:.1f} l18,-18"/>'
            )
        bad = mark.kind in ("crash", "timeout")
        parts.append(
            _text(x - 10, y + 4, mark.text, "mark bad" if bad else "mark", text_anchor="end")
        )
    return parts


def diagram_svg(diagram: Diagram, marker: str = "arrowhead") -> str:
    """The sequence diagram as inline SVG; rows, arrows and the veil carry the data
    attributes that the report's script steps through. `marker` is the id of its
    arrowhead, which must differ between the diagrams of one page (ids are unique)."""
    layout = _Layout(
        {lifeline.id: i for i, lifeline in enumerate(diagram.lifelines)}, diagram.violation_step
    )
    last = layout.steps
    width, height = layout.width, layout.bottom + 6
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
            f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img">'
        ),
        (
            f'<defs><marker id="{escape(marker)}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" '
            'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto">'
            '<path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>'
        ),
    ]
    descriptions = ["initial state"] + [s.description for s in diagram.steps]
    for step, text in enumerate(descriptions):
        y = layout.y(step)
        violating = " violating" if step == last else ""
        parts.append(
            f'<rect class="row{violating}" data-step="{step}" x="0" '
            f'y="{y - ROW / 2:.1f}" width="{width:.0f}" height="{ROW}"/>'
        )
        parts.append(_text(28, y + 4, str(step), "stepno", text_anchor="end"))
        parts.append(_text(layout.description_x, y + 4, text, f"desc{violating}", data_text=text))
    parts.extend(_lifelines_svg(diagram, layout))
    parts.extend(_activity_svg(diagram, layout))
    parts.extend(_arrow_svg(arrow, layout, marker) for arrow in diagram.arrows)
    top = layout.y(0) + ROW / 2
    parts.append(
        f'<rect class="veil" x="0" y="{top:.1f}" width="{width:.0f}" height="0" '
        f'data-top="{top:.1f}" data-row="{ROW}" data-bottom="{height:.1f}"/>'
    )
    parts.append("</svg>")
    return "\n".join(parts)


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict) and "name" in value:
        return str(value["name"])  # a message or a version, shown as its name
    if isinstance(value, list):
        return ", ".join(
            _show(v) if not isinstance(v, list) else ":".join(_show(part) for part in v)
            for v in value
        )
    return str(value)


def _cell(value: Any, before: Any, mono: bool = True) -> str:
    classes = " ".join(
        c
        for c in (
            "mono" if mono else "",
            "changed" if before is not None and value != before else "",
        )
        if c
    )
    return f'<td class="{classes}">{escape(_show(value))}</td>'


def _up(up: bool) -> str:
    return "up" if up else "DOWN"


def _state_html(diagram: Diagram, step: int) -> str:
    state = diagram.states[step]
    before = diagram.states[step - 1] if step > 0 else None
    heading = (
        "Initial state"
        if step == 0
        else f"After step {step}: " + diagram.steps[step - 1].description
    )
    hidden = "" if step == diagram.violation_step else " hidden"
    out = [f'<div class="state" data-step="{step}"{hidden}>', f"<h3>{escape(heading)}</h3>"]
    if step == diagram.violation_step:
        out.append(
            f'<div class="reason"><b>{escape(diagram.property_id)} is violated here:'
            f"</b> {escape(diagram.reason)}</div>"
        )
    out.append("<table><tr><th>replica</th><th>up</th><th>stores</th></tr>")
    for replica in sorted(state["store"], key=int):
        old = before["store"][replica] if before else None
        old_up = _up(before["up"][replica]) if before else None
        out.append(
            f"<tr><td>{escape(replica)}</td>{_cell(_up(state['up'][replica]), old_up)}"
            f"{_cell(state['store'][replica], old)}</tr>"
        )
    out.append(
        "</table><table><tr><th>op</th>"
        + "".join(f"<th>{field}</th>" for field in OP_FIELDS)
        + "</tr>"
    )
    for op, record in state["ops"].items():
        old_record = before["ops"][op] if before else {}
        out.append(
            f'<tr><td class="mono">{escape(op)}</td>'
            + "".join(
                _cell(record.get(f), old_record.get(f) if before else None) for f in OP_FIELDS
            )
            + "</tr>"
        )
    out.append("</table><h3>network</h3><ul>")
    # Messages are records (normalized: already in set order); each is shown by its name.
    left = [m for m in before["net"] if m not in state["net"]] if before else []
    for message in state["net"]:
        entered = before is not None and message not in before["net"]
        cls = ' class="mono entered"' if entered else ' class="mono"'
        out.append(f"<li{cls}>{escape(_show(message))}</li>")
    out.extend(f'<li class="mono left">{escape(_show(message))}</li>' for message in left)
    if not state["net"] and not left:
        out.append('<li class="muted">empty</li>')
    out.append(
        f'</ul><p class="muted">now {state["now"]}, drops {state["drops"]}, '
        f"crashes {state['crashes']}</p></div>"
    )
    return "\n".join(out)


def _anchor(property_id: str, prefix: str = "") -> str:
    # The prefix keeps anchors apart when one page shows several reports (a gate's).
    return f"{prefix}trace-{property_id}"


def _trace_section(prop: dict[str, Any], prefix: str = "") -> str:
    diagram = build_diagram(prop["trace"])
    marker = f"{_anchor(prop['id'], prefix)}-arrowhead"
    last = diagram.violation_step
    states = "\n".join(_state_html(diagram, step) for step in range(last + 1))
    return f"""<section class="trace" id="{escape(_anchor(prop["id"], prefix))}" data-steps="{last}"
  tabindex="0">
<h2>Counterexample to <code>{escape(prop["id"])}</code>, {last} steps</h2>
<p class="muted">{escape(prop.get("meaning") or "")}</p>
<div class="reason"><b>Step {last} breaks it:</b> {escape(diagram.reason)}</div>
<div class="controls"><button class="first" type="button">&#x21E4; start</button>
<button class="prev" type="button">&#x25C0; prev</button><span class="where"></span>
<button class="next" type="button">next &#x25B6;</button>
<button class="violation" type="button">violating step</button>
<span class="what"></span></div>
<div class="panes"><div class="diagram">{diagram_svg(diagram, marker)}</div>
<div class="states">{states}</div></div>
</section>"""


def _verdict_class(verdict: str) -> str:
    # "none found" (a search's) is inconclusive too; a class name has no spaces.
    return {"n/a": "v-na", "none found": "v-inconclusive"}.get(
        verdict, "v-" + re.sub(r"[^a-z0-9-]", "-", verdict.lower())
    )


def _verdicts_html(report: dict[str, Any], prefix: str = "") -> str:
    rows = []
    for prop in report.get("properties", []):
        name = escape(prop["id"])
        if prop.get("trace") is not None:
            name = f'<a href="#{escape(_anchor(prop["id"], prefix))}">{name}</a>'
        steps = "" if prop.get("length") is None else str(prop["length"])
        detail = escape(prop.get("meaning") or "")
        if prop.get("reason"):
            detail += f'<br><span class="muted">{escape(prop["reason"])}</span>'
        shown = VACUOUS if vacuous(prop) else prop["verdict"]
        if vacuous(prop):
            never = f"no explored state was in its situation: {prop['situation']}"
            detail += f'<br><span class="muted">{escape(never)}</span>'
        rows.append(
            f'<tr><td class="mono">{name}</td><td><span class="verdict '
            f'{_verdict_class(prop["verdict"])}">{escape(shown)}</span></td>'
            f"<td>{steps}</td><td>{detail}</td></tr>"
        )
    return (
        '<table class="verdicts"><tr><th>property</th><th>verdict</th><th>steps</th>'
        "<th>meaning</th></tr>" + "\n".join(rows) + "</table>"
    )


# Configuration fields as the CLI names them (--drops, --crashes, --anti-entropy, ...).
def _option_value(value: Any) -> str:
    # The CLI's words for a switch: on/off, as `Config.describe` and --help say.
    return ("on" if value else "off") if isinstance(value, bool) else _show(value)


def _config_html(report: dict[str, Any], names: Mapping[str, str]) -> str:
    config = report.get("config") or {}
    keys = "".join(
        f"<th>{escape(names.get(str(k), str(k)).replace('_', '-'))}</th>" for k in config
    )
    values = "".join(f'<td class="mono">{escape(_option_value(v))}</td>' for v in config.values())
    counts = []
    if "states" in report:
        unit = "symmetry classes" if report.get("symmetry") else "distinct states"
        counts.append(f"{report['states']:,} {unit}")
    if "transitions" in report:
        counts.append(f"{report['transitions']:,} transitions")
    if "depth" in report:
        counts.append(f"depth {report['depth']}")
    if "seconds" in report:
        counts.append(f"{report['seconds']:.2f} s")
    if "complete" in report and "states" in report:
        stopped = report.get("stopped_by")
        counts.append(
            "complete" if report["complete"] else "INCOMPLETE" + (f": {stopped}" if stopped else "")
        )
    summary = f'<p class="muted">explored {escape(", ".join(counts))}</p>' if counts else ""
    if "states" not in report and "seed" in report:
        summary = f'<p class="muted">{escape(_search_summary(report))}</p>'
    return f'{summary}<table class="config"><tr>{keys}</tr><tr>{values}</tr></table>'


def _search_summary(report: dict[str, Any]) -> str:
    # A search samples runs: say so where an exploration would give its counts.
    clock = (report.get("clock") or {}).get("description")
    parts = [f"random search, seed {report['seed']}"]
    if report.get("examples") is not None:
        parts.append(f"up to {report['examples']} runs per property")
    if report.get("steps") is not None:
        parts.append(f"at most {report['steps']} steps each")
    if clock:
        parts.append(clock)
    return (
        "; ".join(parts) + ". A search samples runs: none found is not holds "
        "(leaderless check explores them all on small scopes)."
    )


def _describe_config(config: dict[str, Any]) -> str:
    shown = [
        f"{k}={_show(v).replace(', ', ',')}"
        for k, v in config.items()
        if k in ("n", "w", "r", "clients")
    ]
    return " ".join(shown)


def _page(heading: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{escape(heading)}</title>
<style>{STYLE}</style></head>
<body>
<h1>{escape(heading)}</h1>
{body}
<script>{SCRIPT}</script>
</body></html>
"""


def _report_body(
    report: dict[str, Any], names: Mapping[str, str], prefix: str = "", level: int = 2
) -> str:
    violated = [p for p in report.get("properties", []) if p.get("trace") is not None]
    traces = "\n".join(_trace_section(prop, prefix) for prop in violated)
    if not violated:
        traces = '<p class="muted">No property is violated, so there is no trace to draw.</p>'
    return (
        f"{_config_html(report, names)}\n<h{level}>Verdicts</h{level}>\n"
        f"{_verdicts_html(report, prefix)}\n{traces}"
    )


def render_html(
    report: dict[str, Any], title: str = "leaderless check", names: Mapping[str, str] = {}
) -> str:
    """The report (`exploration_data` output) as one self-contained HTML page; `names`
    are the words the caller's users know the config's keys by (its command-line
    options), where they differ from the keys."""
    heading = f"{title}: {_describe_config(report.get('config') or {})}".rstrip(": ")
    return _page(heading, _report_body(report, names))


def render_html_sections(
    title: str,
    summary: tuple[list[str], list[list[str]]],
    sections: list[tuple[str, dict[str, Any]]],
    names: Mapping[str, str] = {},
) -> str:
    """Several reports on one page (a gate's scenarios): a summary table of plain
    strings, then a section per (heading, report) with its own verdicts and traces."""
    headers, rows = summary
    table = (
        '<table class="verdicts"><tr>'
        + "".join(f"<th>{escape(h)}</th>" for h in headers)
        + "</tr>"
        + "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
        + "</table>"
    )
    parts = [table]
    for index, (heading, report) in enumerate(sections):
        parts.append(f"<h2>{escape(heading)}</h2>")
        parts.append(_report_body(report, names, prefix=f"s{index}-", level=3))
    return _page(title, "\n".join(parts))


def write_html(
    path: str | Path,
    report: dict[str, Any],
    title: str = "leaderless check",
    names: Mapping[str, str] = {},
) -> None:
    """Write `render_html(report)` to `path`; a failure is a UsageError naming --html."""
    _write(path, render_html(report, title, names))


def _write(path: str | Path, text: str) -> None:
    write_output(path, text, "--html")

"""A recorded history as a timeline: operations as bars per process over time, as
Porcupine's visualisation draws them, with the violating ones marked, the longest
partial linearization numbered and where the linearizable prefix ends.

Data first (`timeline_data`, plain dicts), then a self-contained HTML page with one
inline SVG per key (`render_timeline`). Time is compressed to event order per key:
bars keep every overlap and every precedence, and nothing else about time is known.
"""

from __future__ import annotations

import html
from typing import Any

_CHAR = 7  # pixels per character of a bar's label (11px monospace)
_MIN_STEP, _MAX_STEP = 14, 32  # pixels per event: wide enough for labels, within reason
_ROW = 30
_LEFT = 56
_TOP = 28


def timeline_data(ops: list[dict[str, Any]], section: dict[str, Any]) -> dict[str, Any]:
    """One key's timeline.

    `ops`: that key's operations, each with index, process, label (short), title (in
    words), status (ok, fail, info), invoked and completed (event numbers or None).
    `section`: title, verdicts (list of "property: verdict" lines), witness (op
    indices to mark), linearization (op indices in the order found), breaks_at (the
    event where the linearizable prefix ends, or None).
    """
    events = sorted(
        {op["invoked"] for op in ops}
        | {op["completed"] for op in ops if op["completed"] is not None}
        | ({section["breaks_at"]} if section.get("breaks_at") is not None else set())
    )
    rank = {event: position for position, event in enumerate(events)}
    end = len(events)
    processes = sorted({op["process"] for op in ops}, key=lambda p: (isinstance(p, str), p))
    row = {process: number for number, process in enumerate(processes)}
    witness = set(section.get("witness", ()))
    order = {op: number for number, op in enumerate(section.get("linearization", ()), 1)}
    bars = []
    for op in ops:
        start = rank[op["invoked"]]
        finished = op["completed"] is not None and op["status"] != "info"
        stop = rank[op["completed"]] if finished else end
        bars.append(
            {
                "op": op["index"],
                "row": row[op["process"]],
                "start": start,
                "stop": stop,
                "open": not finished,
                "status": op["status"],
                "label": op["label"],
                "title": op["title"],
                "witness": op["index"] in witness,
                "order": order.get(op["index"]),
            }
        )
    breaks_at = section.get("breaks_at")
    # As wide as the tightest label needs (its bar's span in events), within bounds.
    need = max(
        ((len(bar["label"]) + 4) * _CHAR / max(1, bar["stop"] - bar["start"]) for bar in bars),
        default=_MIN_STEP,
    )
    return {
        "title": section["title"],
        "step": round(min(_MAX_STEP, max(_MIN_STEP, need))),
        "verdicts": section.get("verdicts", []),
        "processes": [str(p) for p in processes],
        "width": end + 1,
        "bars": bars,
        "cut": rank[breaks_at] if breaks_at is not None else None,
        "linearized": len(order),
    }


def render_timeline(title: str, summary: list[str], timelines: list[dict[str, Any]]) -> str:
    """A self-contained HTML page: the summary lines, then each timeline."""
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{_e(title)}</title>",
        f"<style>{_STYLE}</style></head><body><h1>{_e(title)}</h1>",
    ]
    parts += [f"<p>{_e(line)}</p>" for line in summary]
    parts.append(
        "<p class='legend'><span class='k ok'></span>ok <span class='k fail'></span>"
        "failed <span class='k info'></span>outcome unknown "
        "<span class='k witness'></span>in the witness &nbsp; #n: position in the "
        "longest linearization found &nbsp; dashed line: the linearizable prefix "
        "ends here</p>"
    )
    for timeline in timelines:
        parts.append(f"<section><h2>{_e(timeline['title'])}</h2>")
        parts += [f"<p class='verdict'>{_e(line)}</p>" for line in timeline["verdicts"]]
        parts.append(_svg(timeline))
        parts.append("</section>")
    parts.append("</body></html>\n")
    return "".join(parts)


def _svg(timeline: dict[str, Any]) -> str:
    step = timeline["step"]
    width = _LEFT + timeline["width"] * step + 20
    height = _TOP + len(timeline["processes"]) * _ROW + 10
    out = [
        (
            f"<div class='scroll'><svg xmlns='http://www.w3.org/2000/svg' width='{width}' "
            f"height='{height}' role='img'>"
        )
    ]
    for number, process in enumerate(timeline["processes"]):
        y = _TOP + number * _ROW
        out.append(
            f"<text class='proc' x='4' y='{y + 19}'>p{_e(process)}</text>"
            f"<line class='lane' x1='{_LEFT}' y1='{y + _ROW - 2}' x2='{width - 10}' "
            f"y2='{y + _ROW - 2}'/>"
        )
    for bar in timeline["bars"]:
        x = _LEFT + bar["start"] * step
        w = max(step // 2, (bar["stop"] - bar["start"]) * step)
        y = _TOP + bar["row"] * _ROW + 3
        classes = (
            ["bar", bar["status"]]
            + (["witness"] if bar["witness"] else [])
            + (["open"] if bar["open"] else [])
        )
        order = f"#{bar['order']} " if bar["order"] is not None else ""
        out.append(
            f"<g class='{' '.join(classes)}' data-op='{bar['op']}'>"
            f"<title>{_e(order + bar['title'])}</title>"
            f"<rect x='{x}' y='{y}' width='{w}' height='{_ROW - 8}' rx='3'/>"
            f"<text x='{x + 3}' y='{y + 15}'>{_e(order + bar['label'])}</text></g>"
        )
    if timeline["cut"] is not None:
        x = _LEFT + timeline["cut"] * step + step // 2
        out.append(
            f"<line class='cut' x1='{x}' y1='4' x2='{x}' y2='{height - 4}'/>"
            f"<text class='cutlabel' x='{x + 4}' y='14'>linearizable up to here</text>"
        )
    out.append("</svg></div>")
    return "".join(out)


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
h2{font-size:1.1em;margin-top:1.6em}
.scroll{overflow-x:auto;border:1px solid #ddd;padding:4px}
.proc{font:12px monospace;fill:#555}
.lane{stroke:#eee}
.bar rect{stroke:#4a7;fill:#dfd}
.bar.fail rect{stroke:#999;fill:#eee}
.bar.info rect{stroke:#c93;fill:#fec}
.bar.open rect{stroke-dasharray:4 3}
.bar.witness rect{stroke:#c00;stroke-width:2.5;fill:#fcc}
.bar text{font:11px monospace;fill:#222;pointer-events:none}
.cut{stroke:#c00;stroke-dasharray:6 4;stroke-width:1.5}
.cutlabel{font:11px sans-serif;fill:#c00}
.verdict{font-family:monospace;margin:.2em 0}
.legend .k{display:inline-block;width:1.2em;height:.8em;border:1px solid;margin:0 .2em 0 .8em}
.legend .ok{background:#dfd;border-color:#4a7}.legend .fail{background:#eee;border-color:#999}
.legend .info{background:#fec;border-color:#c93}
.legend .witness{background:#fcc;border-color:#c00}
"""

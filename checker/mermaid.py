"""Counterexample traces as Mermaid `sequenceDiagram` text, for GitHub issues and Markdown.

Mermaid draws every arrow horizontally, so each message appears at the step that
ended it (delivered, dropped or lost), labelled with the step that sent it; messages
still in flight come last. Steps that send nothing (invocations, crashes, timeouts,
anti-entropy) are notes. The violating step is shaded and ends with the reason.

    print(render_mermaid(trace))  # trace: data from checker.trace.trace_data
    sequenceDiagram
        participant C0 as client 0 (w)
        ...
        C0->>R0: 2. wreq w(0,0)@1 (sent at 1)
        Note over R0: stores w(0,0)@1
"""

from __future__ import annotations

import re
from typing import Any

from leaderless.checker.render import (
    VERDICT_HEADERS,
    markdown_fence,
    markdown_table,
    markdown_text,
    verdict_rows,
)
from leaderless.checker.sequence import DELIVERED, DROPPED, LOST, Arrow, Diagram, build_diagram

VIOLATION_SHADE = "rgb(255, 228, 225)"
_ENTITIES = {"#": "#35;", ";": "#59;", "\n": " "}


def _text(text: str) -> str:
    # `#` and `;` end a Mermaid message; entity codes keep them in the text.
    return re.sub(r"[#;\n]", lambda m: _ENTITIES[m.group()], text)


def _arrow_line(arrow: Arrow, number: int | None) -> str:
    prefix = f"{number}. " if number is not None else ""
    sent = f"(sent at {arrow.sent})"
    if arrow.fate == DELIVERED:
        return f"{arrow.source}->>{arrow.target}: {prefix}{arrow.label} {sent}"
    if arrow.fate == DROPPED:
        return f"{arrow.source}-x{arrow.target}: {prefix}{arrow.label} dropped {sent}"
    if arrow.fate == LOST:
        return f"{arrow.source}--x{arrow.target}: {arrow.label} lost, {arrow.why} {sent}"
    return f"{arrow.source}--){arrow.target}: {arrow.label} still in flight {sent}"


def _step_lines(diagram: Diagram, number: int) -> list[str]:
    step = diagram.steps[number - 1]
    ending = [a for a in diagram.arrows if a.ended == number]
    primary = next((a for a in ending if a.fate in (DELIVERED, DROPPED)), None)
    lines = []
    if primary is not None:
        lines.append(_arrow_line(primary, number))
    else:
        over = step.actor or diagram.lifelines[0].id
        if step.actor is None:
            # A step at no one participant (anti-entropy) sits over the lifelines it marks.
            marked = [m.lifeline for m in diagram.marks if m.step == number]
            over = ",".join(marked[:2]) or over
        lines.append(f"Note over {over}: {number}. {step.description}")
    lines.extend(_arrow_line(a, None) for a in ending if a is not primary)
    for segment in diagram.segments:
        if segment.start == number and segment.up:
            lines.append(f"Note over {segment.lifeline}: stores {segment.version}")
    lines.extend(
        f"Note over {m.lifeline}: {m.text}"
        for m in diagram.marks
        if m.step == number and m.kind in ("ok", "repairing")
    )
    return lines


def diagram_mermaid(diagram: Diagram) -> str:
    """A built `Diagram` as Mermaid text."""
    lines = [f"participant {lifeline.id} as {lifeline.label}" for lifeline in diagram.lifelines]
    last = diagram.violation_step
    for number in range(1, last):
        lines.extend(_step_lines(diagram, number))
    span = f"{diagram.lifelines[0].id},{diagram.lifelines[-1].id}"
    final = _step_lines(diagram, last) if last else []
    final.append(f"Note over {span}: {diagram.property_id} violated: {diagram.reason}")
    lines.append(f"rect {VIOLATION_SHADE}")
    lines.extend(f"    {line}" for line in final)
    lines.append("end")
    lines.extend(_arrow_line(a, None) for a in diagram.arrows if a.ended is None)
    return "sequenceDiagram\n" + "".join(f"    {_text(line)}\n" for line in lines)


def render_mermaid(trace: dict[str, Any]) -> str:
    """A trace (data from `leaderless.checker.trace.trace_data`) as a Mermaid `sequenceDiagram`."""
    return diagram_mermaid(build_diagram(trace))


def mermaid_block(trace: dict[str, Any]) -> str:
    """A trace as Markdown: a line naming it, then its diagram fenced as `mermaid`, which
    GitHub draws."""
    title = markdown_text(f"Counterexample to {trace['property']} ({trace['length']} steps):")
    return f"{title}\n\n{markdown_fence(render_mermaid(trace), 'mermaid')}"


def markdown_report(intro: list[str], data: dict[str, Any], notes: list[str]) -> str:
    """A whole report (`exploration_data`) as GitHub Markdown, to paste into an issue:
    the intro lines as paragraphs, the verdicts as a pipe table, a diagram per trace,
    then the notes."""
    parts = [markdown_text(line) for line in intro]
    parts.append(markdown_table(VERDICT_HEADERS, verdict_rows(data)))
    parts += [mermaid_block(prop["trace"]) for prop in data["properties"] if prop["trace"]]
    parts += [markdown_text(line) for line in notes]
    return "\n\n".join(parts)

"""Mermaid text of counterexamples, and `leaderless check --mermaid` / `--html`.

The golden diagram was checked once by rendering it with Mermaid 11 in Chromium;
these tests pin the text so that a change to it is deliberate.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from leaderless.checker.cli import EXIT_USAGE, EXIT_VIOLATED, main
from leaderless.checker.explorer import explore
from leaderless.checker.mermaid import render_mermaid
from leaderless.checker.render import exploration_data
from leaderless.checker.sequence import build_diagram
from leaderless.model import Config, ReplicationModel, parse_clients

FAULTS = Config(
    n=3, w=2, r=1, clients=parse_clients("w,r"), timeouts=True, max_drops=1, max_crashes=1
)
FAULT_ARGS = [
    "check",
    "--quiet",
    "--timeouts",
    "--clients",
    "w,r",
    "--r",
    "1",
    "--crashes",
    "1",
    "--drops",
    "1",
]

AVAILABILITY = """\
sequenceDiagram
    participant C0 as client 0 (w)
    participant C1 as client 1 (r)
    participant R0 as replica 0
    participant R1 as replica 1
    participant R2 as replica 2
    Note over C0: 1. client 0 invokes write w(0,0) with ts=1
    C0-xR0: 2. wreq w(0,0)@1 dropped (sent at 1)
    rect rgb(255, 228, 225)
        Note over R1: 3. replica 1 crashes
        C0--xR1: wreq w(0,0)@1 lost, replica 1 crashed (sent at 1)
        Note over C0,R2: availability violated: REASON
    end
    C0--)R2: wreq w(0,0)@1 still in flight (sent at 1)
"""

ARROW = re.compile(r"^\s*[CR]\d+(->>|-x|--x|--\))[CR]\d+: ")


@pytest.fixture(scope="module")
def fault_traces() -> dict[str, dict[str, Any]]:
    model = ReplicationModel(FAULTS)
    data = exploration_data(model, explore(model))
    return {p["id"]: p["trace"] for p in data["properties"] if p["trace"] is not None}


def test_golden_availability(fault_traces: dict[str, Any]) -> None:
    # The reason's wording belongs to the model; the diagram around it is pinned here.
    assert render_mermaid(dict(fault_traces["availability"], reason="REASON")) == AVAILABILITY


def test_every_message_is_one_arrow(fault_traces: dict[str, Any]) -> None:
    for trace in fault_traces.values():
        text = render_mermaid(trace)
        arrows = [line for line in text.splitlines() if ARROW.match(line)]
        assert len(arrows) == len(build_diagram(trace).arrows)
        assert text.startswith("sequenceDiagram\n")
        assert text.count("rect ") == 1 and f"{trace['property']} violated: " in text


def test_steps_appear_in_order(fault_traces: dict[str, Any]) -> None:
    trace = fault_traces["stale-read"]
    numbers = [int(m.group(1)) for m in re.finditer(r": (\d+)\. ", render_mermaid(trace))]
    assert numbers == list(range(1, trace["length"] + 1))


def test_mermaid_separators_are_escaped(fault_traces: dict[str, Any]) -> None:
    trace = dict(fault_traces["availability"], reason="a; b #1")
    assert "availability violated: a#59; b #35;1" in render_mermaid(trace)


def test_check_mermaid_prints_fenced_diagrams(
    fault_traces: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(FAULT_ARGS + ["--mermaid"]) == EXIT_VIOLATED
    out = capsys.readouterr().out
    assert out.count("```mermaid\nsequenceDiagram\n") == 6
    diagram = render_mermaid(fault_traces["availability"])
    assert f"Counterexample to availability (3 steps):\n\n```mermaid\n{diagram}```" in out
    assert "  0. initial state" not in out  # the diagrams replace the text traces


def test_check_html_writes_a_self_contained_report(tmp_path: Path) -> None:
    page = tmp_path / "check.html"
    assert main(FAULT_ARGS + ["--html", str(page)]) == EXIT_VIOLATED
    html = page.read_text()
    assert html.count('<section class="trace"') == 6
    assert html.count("<svg ") == 6
    # Nothing to fetch: no external scripts, styles, images or fonts.
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "@import" not in html and "url(http" not in html


def test_check_html_unwritable_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["check", "--quiet", "--html", str(blocker / "report.html")]) == EXIT_USAGE
    assert "--html: cannot write" in capsys.readouterr().err

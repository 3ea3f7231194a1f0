"""The data step of the diagrams: trace data -> lifelines, arrows, marks, stored versions.

Traces come from real explorations of small configurations (each well under a second),
so the facts pinned here are the checker's own shortest counterexamples.
"""

from __future__ import annotations

from typing import Any

import pytest

from leaderless.checker.explorer import explore
from leaderless.checker.render import exploration_data
from leaderless.checker.sequence import (
    DELIVERED,
    DROPPED,
    IN_FLIGHT,
    LOST,
    Diagram,
    TraceFormatError,
    build_diagram,
)
from leaderless.checker.trace import trace_data
from leaderless.model import Config, ReplicationModel, parse_clients

DEFAULT = Config()  # n=3 w=2 r=2, clients w,rr
FAULTS = Config(
    n=3, w=2, r=1, clients=parse_clients("w,r"), timeouts=True, max_drops=1, max_crashes=1
)


def traces(config: Config) -> dict[str, dict[str, Any]]:
    model = ReplicationModel(config)
    data = exploration_data(model, explore(model))
    return {p["id"]: p["trace"] for p in data["properties"] if p["trace"] is not None}


@pytest.fixture(scope="module")
def default_traces() -> dict[str, dict[str, Any]]:
    return traces(DEFAULT)


@pytest.fixture(scope="module")
def fault_traces() -> dict[str, dict[str, Any]]:
    return traces(FAULTS)


def arrow(diagram: Diagram, message: str) -> tuple[str, str, int, int | None, str, str]:
    found = [a for a in diagram.arrows if a.message == message]
    assert len(found) == 1, f"{len(found)} arrows for {message}"
    a = found[0]
    return a.source, a.target, a.sent, a.ended, a.fate, a.why


def all_messages(trace: dict[str, Any]) -> set[str]:
    return {m["name"] for state in trace["states"] for m in state["net"]}


def test_lifelines_are_clients_then_replicas(default_traces: dict[str, Any]) -> None:
    diagram = build_diagram(default_traces["monotonic-reads"])
    assert [(line.id, line.label) for line in diagram.lifelines] == [
        ("C0", "client 0 (w)"),
        ("C1", "client 1 (rr)"),
        ("R0", "replica 0"),
        ("R1", "replica 1"),
        ("R2", "replica 2"),
    ]


def test_monotonic_reads_arrows(default_traces: dict[str, Any]) -> None:
    diagram = build_diagram(default_traces["monotonic-reads"])
    assert diagram.violation_step == 12
    assert diagram.property_id == "monotonic-reads"
    assert arrow(diagram, "wreq(w(0,0), 1, w(0,0)@1)") == ("C0", "R1", 1, 5, DELIVERED, "")
    assert arrow(diagram, "rresp(r(1,0), 1, w(0,0)@1)") == ("R1", "C1", 6, 7, DELIVERED, "")
    # The read decided on two responses; its third request leaves the network unanswered.
    assert arrow(diagram, "rreq(r(1,0), 2)") == ("C1", "R2", 2, 7, LOST, "r(1,0) completed")
    assert arrow(diagram, "wack(w(0,0), 1)") == ("R1", "C0", 5, None, IN_FLIGHT, "")
    assert [(m.step, m.lifeline, m.text) for m in diagram.marks if m.kind == "ok"] == [
        (7, "C1", "r(1,0) returns w(0,0)@1"),
        (12, "C1", "r(1,1) returns NIL"),
    ]


@pytest.mark.parametrize("config", [DEFAULT, FAULTS], ids=["default", "faults"])
def test_one_arrow_per_message_in_the_right_direction(config: Config) -> None:
    for trace in traces(config).values():
        diagram = build_diagram(trace)
        assert sorted(a.message for a in diagram.arrows) == sorted(all_messages(trace))
        clients = {op["name"]: op["client"] for op in trace["operations"]}
        replicas = {p["id"] for p in trace["participants"] if p["role"] == "replica"}
        for a in diagram.arrows:
            # Requests go from the op's client to a replica, acks and responses back.
            ends = (a.source, a.target) if a.kind in ("wreq", "rreq") else (a.target, a.source)
            assert ends[0] == clients[a.op] and ends[1] in replicas
            assert a.ended is None or a.sent < a.ended
            assert (a.ended is None) == (a.fate == IN_FLIGHT)


def test_drop_and_crash(fault_traces: dict[str, Any]) -> None:
    diagram = build_diagram(fault_traces["availability"])
    assert diagram.violation_step == 3
    assert arrow(diagram, "wreq(w(0,0), 0, w(0,0)@1)") == ("C0", "R0", 1, 2, DROPPED, "")
    assert arrow(diagram, "wreq(w(0,0), 1, w(0,0)@1)") == (
        "C0",
        "R1",
        1,
        3,
        LOST,
        "replica 1 crashed",
    )
    assert [(m.step, m.lifeline, m.kind) for m in diagram.marks if m.kind == "crash"] == [
        (3, "R1", "crash")
    ]
    assert [(s.start, s.end, s.version, s.up) for s in diagram.segments if s.lifeline == "R1"] == [
        (0, 2, "NIL", True),
        (3, 3, "NIL", False),
    ]
    assert diagram.steps[1].actor is None  # the network, not a lifeline, drops a message


def test_timeout_loses_the_acks(fault_traces: dict[str, Any]) -> None:
    diagram = build_diagram(fault_traces["convergence"])
    assert arrow(diagram, "wack(w(0,0), 0)") == ("R0", "C0", 2, 5, LOST, "w(0,0) timed out")
    assert arrow(diagram, "wreq(w(0,0), 2, w(0,0)@1)")[4] == DROPPED
    assert [(m.step, m.lifeline, m.kind) for m in diagram.marks if m.kind == "timeout"] == [
        (5, "C0", "timeout")
    ]
    assert [(a.op, a.start, a.end, a.status) for a in diagram.activations] == [
        ("w(0,0)", 1, 5, "fail")
    ]


def test_segments_follow_each_replica_store(fault_traces: dict[str, Any]) -> None:
    trace = fault_traces["stale-read"]
    diagram = build_diagram(trace)
    assert [(s.lifeline, s.start, s.end, s.version) for s in diagram.segments] == [
        ("R0", 0, 1, "NIL"),
        ("R0", 2, 8, "w(0,0)@1"),
        ("R1", 0, 3, "NIL"),
        ("R1", 4, 8, "w(0,0)@1"),
        ("R2", 0, 8, "NIL"),
    ]
    replicas = {p["id"]: str(p["index"]) for p in trace["participants"]}
    for segment in diagram.segments:
        replica = replicas[segment.lifeline]
        for index in range(segment.start, segment.end + 1):
            assert trace["states"][index]["store"][replica]["name"] == segment.version


def test_raw_trace_data_gives_the_same_diagram() -> None:
    model = ReplicationModel(FAULTS)
    exploration = explore(model)
    verdict = next(v for v in exploration.verdicts if v.property_id == "stale-read")
    assert verdict.trace is not None
    raw = trace_data(model, verdict.trace)  # int keys, frozensets: not yet normalized
    normalized = exploration_data(model, exploration)["properties"][0]["trace"]
    assert build_diagram(raw) == build_diagram(normalized)


def test_a_step_marks_the_lifelines_its_data_names() -> None:
    # Anti-entropy marks both replicas: the step's data says so, the diagram only draws it.
    idle = {
        "status": "idle",
        "invoked": None,
        "completed": None,
        "ts": None,
        "acks": [],
        "responses": [],
        "result": None,
        "awaiting": [],
    }
    nil = {"name": "NIL", "writer": None, "ts": None}
    version = {"name": "w(0,0)@1", "writer": "w(0,0)", "ts": 1}
    state = {
        "store": {"0": version, "1": nil},
        "up": {"0": True, "1": True},
        "now": 1,
        "ops": {"w(0,0)": dict(idle, status="ok")},
        "net": [],
        "drops": 0,
        "crashes": 0,
    }
    after = dict(state, store={"0": version, "1": version})
    trace = {
        "schema_version": 1,
        "property": "convergence",
        "reason": "r",
        "config": {"clients": ["w"]},
        "participants": [
            {"id": "C0", "role": "client", "index": 0, "label": "client 0 (w)"},
            {"id": "R0", "role": "replica", "index": 0, "label": "replica 0"},
            {"id": "R1", "role": "replica", "index": 1, "label": "replica 1"},
        ],
        "operations": [{"name": "w(0,0)", "client": "C0", "type": "write"}],
        "states": [state, after],
        "steps": [
            {
                "action": {"action": "AntiEntropy", "actor": None, "replicas": [0, 1]},
                "description": "anti-entropy: replicas 0 and 1 both keep w(0,0)@1",
                "marks": [
                    {"at": "R0", "kind": "anti-entropy", "text": "anti-entropy with 1"},
                    {"at": "R1", "kind": "anti-entropy", "text": "anti-entropy with 0"},
                ],
            }
        ],
    }
    diagram = build_diagram(trace)
    assert [(m.lifeline, m.kind) for m in diagram.marks] == [
        ("R0", "anti-entropy"),
        ("R1", "anti-entropy"),
    ]
    assert diagram.arrows == ()


def test_malformed_data_says_what_is_wrong(fault_traces: dict[str, Any]) -> None:
    trace = dict(fault_traces["stale-read"])
    with pytest.raises(TraceFormatError, match="needs 9 states"):
        build_diagram(dict(trace, states=trace["states"][:-1]))
    with pytest.raises(TraceFormatError, match="missing or malformed 'ops'"):
        build_diagram(dict(trace, states=[{"net": []}] * 9))
    with pytest.raises(TraceFormatError, match="missing or malformed 'participants'"):
        build_diagram({k: v for k, v in trace.items() if k != "participants"})
    lifelines = [dict(p, index="first") for p in trace["participants"]]
    with pytest.raises(TraceFormatError, match="missing or malformed .*'first'"):
        build_diagram(dict(trace, participants=lifelines))

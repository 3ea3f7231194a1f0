"""Counterexample traces as sequence diagrams: the data step that the renderers share.

`build_diagram(trace)` turns trace data (from `leaderless.checker.trace.trace_data`) into a
`Diagram`: a lifeline per participant of the trace (clients, then replicas), an arrow
per message from the step that sent it to the step that ended it, the marks
(invocations, completions, timeouts, crashes, anti-entropy) and each replica's stored
version over time. It reads only the fields of the recorded participants, operations,
states and actions (never a display name, which it only shows), so the HTML and
Mermaid renderers draw exactly the run that the checker found.

    # the stale-read trace of `leaderless check --clients w,r --r 1 --timeouts`
    diagram = build_diagram(trace)
    [(a.label, a.source, a.target, a.sent, a.ended, a.fate) for a in diagram.arrows][0]
    ('wreq w(0,0)@1', 'C0', 'R0', 1, 2, 'delivered')
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from leaderless.checker.trace import member_order, normalize

# Fates of a message: the step that took it out of the network says which.
DELIVERED = "delivered"  # a Deliver* step named it
DROPPED = "dropped"  # a Drop step named it
LOST = "lost"  # it left as a side effect (its op completed or timed out, a crash)
IN_FLIGHT = "in-flight"  # still in the network in the last state
REDIRECTED = "redirected"  # a step took it elsewhere (a stand-in kept it as a hint)
# A step's "fate" for the message its action names (checker.protocol's action_effects).
FATES = {"delivered": DELIVERED, "dropped": DROPPED, "redirected": REDIRECTED}

# Why an op's leftover messages left the network, by the op's new status.
_DONE = {"ok": "{op} completed", "fail": "{op} failed", "repairing": "{op} began its repair"}


class TraceFormatError(ValueError):
    """Trace data that is not in the shape `leaderless.checker.trace.trace_data` produces."""


@dataclass(frozen=True, slots=True)
class Lifeline:
    id: str  # "C0" for client 0, "R2" for replica 2; also a valid Mermaid participant
    kind: str  # the participant's role: "client" or "replica"
    index: int
    label: str  # "client 1 (rr)", "replica 0"


@dataclass(frozen=True, slots=True)
class Arrow:
    message: str  # the message record's name: "wreq(w(0,0), 1, w(0,0)@1)"
    kind: str  # wreq, wack, rreq, rresp
    op: str  # the op it belongs to: "w(0,0)"
    source: str  # lifeline id of the sender
    target: str  # lifeline id of the receiver
    sent: int  # the step whose state first holds it (0: the initial state)
    ended: int | None  # the step that took it out of the network; None if in flight
    fate: str  # DELIVERED, DROPPED, LOST or IN_FLIGHT
    why: str  # for LOST, what removed it ("replica 1 crashed"); else ""
    label: str  # short text for the arrow: "wreq w(0,0)@1", "rresp r(1,0) = NIL"


@dataclass(frozen=True, slots=True)
class Mark:
    step: int
    lifeline: str
    kind: str  # invoke, ok, repairing, timeout, crash, anti-entropy
    text: str


@dataclass(frozen=True, slots=True)
class Activation:
    op: str
    lifeline: str  # the client's
    start: int  # the step that invoked it
    end: int | None  # the step that completed it (ok or fail); None if still running
    status: str  # its status in the last state


@dataclass(frozen=True, slots=True)
class Segment:
    lifeline: str  # a replica's
    start: int  # first state index (step number) of the run of equal values
    end: int  # last state index of the run
    version: str  # the name of the version the replica stores, "NIL" initially
    up: bool
    written: bool  # whether a write wrote that version (False for the initial value)


@dataclass(frozen=True, slots=True)
class Step:
    number: int  # 1-based; state `number` is the state after it
    action: str  # MODEL.md action name
    description: str
    actor: str | None  # the lifeline the action happens on, if one


@dataclass(frozen=True, slots=True)
class Diagram:
    property_id: str
    reason: str
    lifelines: tuple[Lifeline, ...]
    steps: tuple[Step, ...]
    arrows: tuple[Arrow, ...]  # in order of sending, then of message text
    marks: tuple[Mark, ...]  # in step order
    activations: tuple[Activation, ...]
    segments: tuple[Segment, ...]  # per replica, in time order
    states: tuple[dict[str, Any], ...]  # the recorded state views, normalized

    @property
    def violation_step(self) -> int:
        """The step whose resulting state breaks the property (0: the initial state)."""
        return len(self.steps)


def _message_key(message: dict[str, Any]) -> str:
    # A message is its whole record: two are the same message exactly when every field is.
    return json.dumps(message, sort_keys=True)


def _arrow_label(message: dict[str, Any]) -> str:
    kind, op, version = message["kind"], message["op"], message["version"]
    if kind == "wreq":
        return f"wreq {version['name']}"
    if kind == "rresp":
        return f"rresp {op} = {version['name']}"
    return f"{kind} {op}"


def _lifelines(trace: dict[str, Any]) -> tuple[Lifeline, ...]:
    return tuple(
        Lifeline(str(p["id"]), str(p["role"]), int(p["index"]), str(p["label"]))
        for p in trace["participants"]
    )


class _Facts:
    """What the trace's header says about its lifelines and operations, looked up."""

    def __init__(self, trace: dict[str, Any], lifelines: tuple[Lifeline, ...]) -> None:
        self.operations = {str(op["name"]): op for op in trace["operations"]}
        self._lifelines = {(line.kind, line.index): line.id for line in lifelines}

    def client(self, op: str) -> str:
        return str(self.operations[op]["client"])

    def replica(self, index: Any) -> str:
        return self._lifelines[("replica", int(index))]


def _loss_reason(message: dict[str, Any], step: dict[str, Any], after: dict[str, Any]) -> str:
    op = message["op"]
    loses = step.get("loses")
    if loses is not None and loses.get("op") in (None, op):
        return str(loses["why"])
    status = after["ops"].get(op, {}).get("status")
    return _DONE.get(status, "{op} no longer needs it").format(op=op)


def _arrows(steps: list[dict[str, Any]], states: list[dict[str, Any]]) -> list[Arrow]:
    open_since: dict[str, tuple[dict[str, Any], int]] = {
        _message_key(m): (m, 0) for m in states[0]["net"]
    }
    arrows: list[Arrow] = []

    def arrow(message: dict[str, Any], sent: int, ended: int | None, fate: str, why: str) -> Arrow:
        return Arrow(
            str(message["name"]),
            str(message["kind"]),
            str(message["op"]),
            str(message["from"]),
            str(message["to"]),
            sent,
            ended,
            fate,
            why,
            _arrow_label(message),
        )

    for number, (step, before, after) in enumerate(zip(steps, states, states[1:]), start=1):
        action = step.get("action") or {}
        was_in = {_message_key(m): m for m in before["net"]}
        now_in = {_message_key(m): m for m in after["net"]}
        for key in sorted(was_in.keys() - now_in.keys(), key=lambda k: member_order(was_in[k])):
            message, sent = open_since.pop(key)
            if action.get("message") == message and step.get("fate") in FATES:
                arrows.append(arrow(message, sent, number, FATES[step["fate"]], ""))
            else:
                why = _loss_reason(message, step, after)
                arrows.append(arrow(message, sent, number, LOST, why))
        for key in now_in.keys() - was_in.keys():
            open_since[key] = (now_in[key], number)
    for message, sent in open_since.values():
        arrows.append(arrow(message, sent, None, IN_FLIGHT, ""))
    arrows.sort(key=lambda a: (a.sent, a.message))
    return arrows


def _marks(steps: list[dict[str, Any]], states: list[dict[str, Any]], facts: _Facts) -> list[Mark]:
    marks: list[Mark] = []
    for number, (step, before, after) in enumerate(zip(steps, states, states[1:]), start=1):
        marks.extend(
            Mark(number, str(mark["at"]), str(mark["kind"]), str(mark["text"]))
            for mark in step.get("marks") or []
        )
        for op, record in after["ops"].items():
            old, new = before["ops"][op]["status"], record["status"]
            if old == new:
                continue
            client = facts.client(op)
            if old == "idle":
                ts = "" if record.get("ts") is None else f" ts={record['ts']}"
                marks.append(Mark(number, client, "invoke", f"invokes {op}{ts}"))
            if new == "fail":
                marks.append(Mark(number, client, "timeout", f"{op} times out"))
            elif new == "ok" and facts.operations[op]["type"] == "read":
                result = record["result"]["name"]
                marks.append(Mark(number, client, "ok", f"{op} returns {result}"))
            elif new == "ok":
                marks.append(Mark(number, client, "ok", f"{op} ok"))
            elif new == "repairing":
                result = record["result"]["name"]
                marks.append(Mark(number, client, "repairing", f"{op} chose {result}, repairing"))
    return marks


def _activations(states: list[dict[str, Any]], facts: _Facts) -> list[Activation]:
    activations = []
    for op in states[0]["ops"]:
        statuses = [state["ops"][op]["status"] for state in states]
        started = [i for i, s in enumerate(statuses) if s != "idle"]
        if not started:
            continue
        ended = [i for i, s in enumerate(statuses) if s in ("ok", "fail")]
        activations.append(
            Activation(op, facts.client(op), started[0], ended[0] if ended else None, statuses[-1])
        )
    return activations


def _segments(states: list[dict[str, Any]], facts: _Facts) -> list[Segment]:
    segments = []
    for replica in sorted(states[0]["store"], key=int):
        start = 0
        for index in range(1, len(states) + 1):
            value = (states[start]["store"][replica], states[start]["up"][replica])
            if (
                index < len(states)
                and (states[index]["store"][replica], states[index]["up"][replica]) == value
            ):
                continue
            version, up = value
            segments.append(
                Segment(
                    facts.replica(replica),
                    start,
                    index - 1,
                    version["name"],
                    up,
                    version["writer"] is not None,
                )
            )
            start = index
    return segments


def build_diagram(trace: dict[str, Any]) -> Diagram:
    """The sequence diagram of a trace (normalized or not), computed from its data alone."""
    data = normalize(trace)
    try:
        states: list[dict[str, Any]] = data["states"]
        steps: list[dict[str, Any]] = data.get("steps") or []
        if len(states) != len(steps) + 1:
            raise TraceFormatError(
                f"a trace of {len(steps)} steps needs {len(steps) + 1} states, found {len(states)}"
            )
        lifelines = _lifelines(data)
        facts = _Facts(data, lifelines)
        return Diagram(
            property_id=str(data.get("property") or "property"),
            reason=str(data.get("reason") or ""),
            lifelines=lifelines,
            steps=tuple(
                Step(
                    number,
                    str((s.get("action") or {}).get("action", "?")),
                    str(s.get("description") or ""),
                    (s.get("action") or {}).get("actor"),
                )
                for number, s in enumerate(steps, start=1)
            ),
            arrows=tuple(_arrows(steps, states)),
            marks=tuple(_marks(steps, states, facts)),
            activations=tuple(_activations(states, facts)),
            segments=tuple(_segments(states, facts)),
            states=tuple(states),
        )
    except TraceFormatError:
        raise
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise TraceFormatError(
            f"not trace data from checker.trace.trace_data: missing or malformed {error}"
        ) from None

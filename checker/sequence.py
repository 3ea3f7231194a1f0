"""Counterexample traces as sequence diagrams: the data step that the renderers share.

`build_diagram(trace)` turns trace data (from `leaderless.checker.trace.trace_data`) into a
`Diagram`: a lifeline per client and per replica, an arrow per message from the step
that sent it to the step that ended it, the marks (invocations, completions,
timeouts, crashes, anti-entropy) and each replica's stored version over time. It
reads only the recorded states and actions, so the HTML and Mermaid renderers draw
exactly the run that the checker found.

    # the stale-read trace of `leaderless check --clients w,r --r 1 --timeouts`
    diagram = build_diagram(trace)
    [(a.label, a.source, a.target, a.sent, a.ended, a.fate) for a in diagram.arrows][0]
    ('wreq w(0,0)@1', 'C0', 'R0', 1, 2, 'delivered')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from leaderless.checker.trace import normalize

# Fates of a message: the step that took it out of the network says which.
DELIVERED = "delivered"  # a Deliver* step named it
DROPPED = "dropped"  # a Drop step named it
LOST = "lost"  # it left as a side effect (its op completed or timed out, a crash)
IN_FLIGHT = "in-flight"  # still in the network in the last state

_MESSAGE = re.compile(r"^(wreq|wack|rreq|rresp)\((\w\(\d+,\d+\)), (\d+)(?:, (.+))?\)$")
_OP = re.compile(r"^([wr])\((\d+),(\d+)\)$")
# Why an op's leftover messages left the network, by the op's new status.
_DONE = {"ok": "{op} completed", "fail": "{op} failed", "repairing": "{op} began its repair"}


class TraceFormatError(ValueError):
    """Trace data that is not in the shape `leaderless.checker.trace.trace_data` produces."""


@dataclass(frozen=True, slots=True)
class Lifeline:
    id: str  # "C0" for client 0, "R2" for replica 2; also a valid Mermaid participant
    kind: str  # "client" or "replica"
    index: int
    label: str  # "client 1 (rr)", "replica 0"


@dataclass(frozen=True, slots=True)
class Arrow:
    message: str  # as in the state views: "wreq(w(0,0), 1, w(0,0)@1)"
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
    version: str  # the version the replica stores, "NIL" initially
    up: bool


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


def client_id(index: int) -> str:
    return f"C{index}"


def replica_id(index: int) -> str:
    return f"R{index}"


def op_client(op: str) -> int:
    match = _OP.match(op)
    if match is None:
        raise TraceFormatError(f"cannot read op {op!r}; expected w(c,k) or r(c,k)")
    return int(match.group(2))


def parse_message(message: str) -> tuple[str, str, int, str | None]:
    """(kind, op, replica, version or None) of a message string from a state view."""
    match = _MESSAGE.match(message)
    if match is None:
        raise TraceFormatError(
            f"cannot read message {message!r}; expected wreq(OP, REPLICA, VERSION), "
            "wack(OP, REPLICA), rreq(OP, REPLICA) or rresp(OP, REPLICA, VERSION)"
        )
    kind, op, replica, version = match.groups()
    return kind, op, int(replica), version


def _arrow_label(kind: str, op: str, version: str | None) -> str:
    if kind == "wreq":
        return f"wreq {version}"
    if kind == "rresp":
        return f"rresp {op} = {version}"
    return f"{kind} {op}"


def _lifelines(trace: dict[str, Any], states: list[dict[str, Any]]) -> tuple[Lifeline, ...]:
    scripts = (trace.get("config") or {}).get("clients")
    if not scripts:
        count = 1 + max((op_client(op) for op in states[0]["ops"]), default=-1)
        scripts = [""] * count
    clients = [
        Lifeline(client_id(c), "client", c, f"client {c} ({script})" if script else f"client {c}")
        for c, script in enumerate(scripts)
    ]
    replicas = [
        Lifeline(replica_id(int(i)), "replica", int(i), f"replica {i}")
        for i in sorted(states[0]["store"], key=int)
    ]
    return tuple(clients + replicas)


def _actor(action: dict[str, Any]) -> str | None:
    name = action.get("action")
    if name == "Invoke":
        return client_id(int(action["client"]))
    if name == "Timeout":
        return client_id(op_client(action["op"]))
    if name == "Crash":
        return replica_id(int(action["replica"]))
    if "message" in action and name != "Drop":
        kind, op, replica, _ = parse_message(action["message"])
        # A request acts on its replica; an ack or response acts on the op's client.
        return replica_id(replica) if kind in ("wreq", "rreq") else client_id(op_client(op))
    return None


def _loss_reason(message: str, action: dict[str, Any], after: dict[str, Any]) -> str:
    _, op, _, _ = parse_message(message)
    name = action.get("action")
    if name == "Crash":
        return f"replica {action['replica']} crashed"
    if name == "Timeout" and action.get("op") == op:
        return f"{op} timed out"
    status = after["ops"].get(op, {}).get("status")
    return _DONE.get(status, "{op} no longer needs it").format(op=op)


def _arrows(steps: list[dict[str, Any]], states: list[dict[str, Any]]) -> list[Arrow]:
    open_since: dict[str, int] = {m: 0 for m in states[0]["net"]}
    arrows: list[Arrow] = []

    def arrow(message: str, sent: int, ended: int | None, fate: str, why: str) -> Arrow:
        kind, op, replica, version = parse_message(message)
        client, server = client_id(op_client(op)), replica_id(replica)
        source, target = (client, server) if kind in ("wreq", "rreq") else (server, client)
        return Arrow(
            message,
            kind,
            op,
            source,
            target,
            sent,
            ended,
            fate,
            why,
            _arrow_label(kind, op, version),
        )

    for number, (step, before, after) in enumerate(zip(steps, states, states[1:]), start=1):
        action = step.get("action") or {}
        now_in = set(after["net"])
        for message in sorted(set(before["net"]) - now_in):
            if action.get("message") == message:
                fate = DROPPED if action.get("action") == "Drop" else DELIVERED
                arrows.append(arrow(message, open_since.pop(message), number, fate, ""))
            else:
                why = _loss_reason(message, action, after)
                arrows.append(arrow(message, open_since.pop(message), number, LOST, why))
        for message in sorted(now_in - set(before["net"])):
            open_since[message] = number
    for message, sent in open_since.items():
        arrows.append(arrow(message, sent, None, IN_FLIGHT, ""))
    arrows.sort(key=lambda a: (a.sent, a.message))
    return arrows


def _marks(steps: list[dict[str, Any]], states: list[dict[str, Any]]) -> list[Mark]:
    marks = []
    for number, (step, before, after) in enumerate(zip(steps, states, states[1:]), start=1):
        action = step.get("action") or {}
        name = action.get("action")
        if name == "Crash":
            replica = int(action["replica"])
            marks.append(Mark(number, replica_id(replica), "crash", f"replica {replica} crashes"))
        if name == "AntiEntropy":
            i, j = (int(r) for r in action["replicas"])
            marks.append(Mark(number, replica_id(i), "anti-entropy", f"anti-entropy with {j}"))
            marks.append(Mark(number, replica_id(j), "anti-entropy", f"anti-entropy with {i}"))
        for op, record in after["ops"].items():
            old, new = before["ops"][op]["status"], record["status"]
            if old == new:
                continue
            client = client_id(op_client(op))
            if old == "idle":
                ts = "" if record.get("ts") is None else f" ts={record['ts']}"
                marks.append(Mark(number, client, "invoke", f"invokes {op}{ts}"))
            if new == "fail":
                marks.append(Mark(number, client, "timeout", f"{op} times out"))
            elif new == "ok" and op.startswith("r"):
                marks.append(Mark(number, client, "ok", f"{op} returns {record['result']}"))
            elif new == "ok":
                marks.append(Mark(number, client, "ok", f"{op} ok"))
            elif new == "repairing":
                marks.append(
                    Mark(number, client, "repairing", f"{op} chose {record['result']}, repairing")
                )
    return marks


def _activations(states: list[dict[str, Any]]) -> list[Activation]:
    activations = []
    for op in states[0]["ops"]:
        statuses = [state["ops"][op]["status"] for state in states]
        started = [i for i, s in enumerate(statuses) if s != "idle"]
        if not started:
            continue
        ended = [i for i, s in enumerate(statuses) if s in ("ok", "fail")]
        activations.append(
            Activation(
                op, client_id(op_client(op)), started[0], ended[0] if ended else None, statuses[-1]
            )
        )
    return activations


def _segments(states: list[dict[str, Any]]) -> list[Segment]:
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
            segments.append(Segment(replica_id(int(replica)), start, index - 1, *value))
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
        return Diagram(
            property_id=str(data.get("property") or "property"),
            reason=str(data.get("reason") or ""),
            lifelines=_lifelines(data, states),
            steps=tuple(
                Step(
                    number,
                    str((s.get("action") or {}).get("action", "?")),
                    str(s.get("description") or ""),
                    _actor(s.get("action") or {}),
                )
                for number, s in enumerate(steps, start=1)
            ),
            arrows=tuple(_arrows(steps, states)),
            marks=tuple(_marks(steps, states)),
            activations=tuple(_activations(states)),
            segments=tuple(_segments(states)),
            states=tuple(states),
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise TraceFormatError(
            f"not trace data from checker.trace.trace_data: missing or malformed {error}"
        ) from None

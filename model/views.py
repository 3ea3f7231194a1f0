"""Readable views of states and actions: plain data for traces, JSON and ITF.

A state view is a dict of plain values (ints, strings, bools, None, tuples,
frozensets for sets, dicts for records and per-replica maps) that names every
MODEL.md component, so a trace file can be checked against the model component by
component.
"""

from __future__ import annotations

from typing import Any

from leaderless.model.properties import Catalogue
from leaderless.model.state import (
    CRASHES,
    DROPS,
    H_COMPLETED,
    H_INVOKED,
    H_RESULT,
    H_STATUS,
    H_VERSION,
    HIST,
    L_ACKS,
    L_AWAITING,
    L_RESPONSES,
    LIVE,
    NET,
    NO_RESULT,
    NOW,
    RREQ,
    RRESP,
    STATUS_NAMES,
    STORE,
    UP,
    WACK,
    WREQ,
    Scope,
)

KIND_NAMES = {WREQ: "wreq", WACK: "wack", RREQ: "rreq", RRESP: "rresp"}


def _replicas(mask: int, n: int) -> frozenset[int]:
    return frozenset(i for i in range(n) if mask >> i & 1)


class Views:
    def __init__(self, scope: Scope, catalogue: Catalogue) -> None:
        self.scope = scope
        self.op_name = catalogue.op_name
        self.version_name = catalogue.version_name

    def message_name(self, code: int) -> str:
        m = self.scope.decode_message(code)
        op = self.op_name(m.op)
        if m.kind == WREQ:
            return f"wreq({op}, {m.replica}, {self.version_name(m.version)})"
        if m.kind == RRESP:
            return f"rresp({op}, {m.replica}, {self.version_name(m.version)})"
        return f"{KIND_NAMES[m.kind]}({op}, {m.replica})"

    def state(self, state: tuple) -> dict[str, Any]:
        scope = self.scope
        ops = {}
        for op, (record, live) in enumerate(zip(state[HIST], state[LIVE])):
            ts = scope.version_parts(record[H_VERSION])[0] if record[H_VERSION] else None
            ops[self.op_name(op)] = {
                "status": STATUS_NAMES[record[H_STATUS]],
                "invoked": record[H_INVOKED] or None,
                "completed": record[H_COMPLETED] or None,
                "ts": ts,
                "acks": _replicas(live[L_ACKS], scope.n),
                "responses": frozenset((i, self.version_name(v)) for i, v in live[L_RESPONSES]),
                "result": None
                if record[H_RESULT] == NO_RESULT
                else self.version_name(record[H_RESULT]),
                "awaiting": _replicas(live[L_AWAITING], scope.n),
            }
        return {
            "store": {i: self.version_name(v) for i, v in enumerate(state[STORE])},
            "up": {i: bool(state[UP] >> i & 1) for i in range(scope.n)},
            "now": state[NOW],
            "ops": ops,
            "net": frozenset(self.message_name(code) for code in state[NET]),
            "drops": state[DROPS],
            "crashes": state[CRASHES],
        }

    def action(self, label: tuple) -> dict[str, Any]:
        """The action as plain data: its MODEL.md name and arguments."""
        name = label[0]
        if name == "Invoke":
            view: dict[str, Any] = {"action": name, "client": label[1]}
            if label[2] is not None:
                view["ts"] = label[2]
            return view
        if name in ("DeliverWriteRequest", "DeliverWriteAck", "DeliverReadRequest", "Drop"):
            return {"action": name, "message": self.message_name(label[1])}
        if name == "DeliverReadResponse":
            view = {"action": name, "message": self.message_name(label[1])}
            if label[2] is not None:
                view["result"] = self.version_name(label[2])
            return view
        if name == "Timeout":
            return {"action": name, "op": self.op_name(label[1])}
        if name == "Crash":
            return {"action": name, "replica": label[1]}
        return {"action": name, "replicas": [label[1], label[2]]}

    def describe(self, label: tuple, before: tuple) -> str:
        """The action in words, e.g. "replica 2 applies w(0,0)@1"."""
        name = label[0]
        if name == "Invoke":
            client = label[1]
            op = next(o for o in self.scope.ops_of_client[client] if before[HIST][o][H_STATUS] == 0)
            if self.scope.is_write[op]:
                ts = "" if label[2] is None else f" with ts={label[2]}"
                return f"client {client} invokes write {self.op_name(op)}{ts}"
            return f"client {client} invokes read {self.op_name(op)}"
        if name == "Timeout":
            return f"client {self.scope.ops[label[1]][0]} gives up on {self.op_name(label[1])}"
        if name == "Crash":
            return f"replica {label[1]} crashes"
        if name == "AntiEntropy":
            i, j = label[1], label[2]
            merged = max(before[STORE][i], before[STORE][j])
            return f"anti-entropy: replicas {i} and {j} both keep {self.version_name(merged)}"
        m = self.scope.decode_message(label[1])
        op = self.op_name(m.op)
        if name == "Drop":
            return f"the network drops {self.message_name(label[1])}"
        if name == "DeliverWriteRequest":
            source = "" if self.scope.is_write[m.op] else f" (repair by read {op})"
            return f"replica {m.replica} applies {self.version_name(m.version)}{source}"
        if name == "DeliverWriteAck":
            if self.scope.is_write[m.op]:
                return f"write {op} receives the ack of replica {m.replica}"
            return f"read {op} receives the repair ack of replica {m.replica}"
        if name == "DeliverReadRequest":
            return (
                f"replica {m.replica} answers read {op} with "
                f"{self.version_name(before[STORE][m.replica])}"
            )
        text = f"read {op} receives {self.version_name(m.version)} from replica {m.replica}"
        if label[2] is not None:
            text += f" and returns {self.version_name(label[2])}"
        return text

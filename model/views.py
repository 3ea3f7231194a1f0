"""Views of states and steps as plain data: records, never strings to be parsed.

A state view is a dict of plain values (ints, strings, bools, None, tuples,
frozensets for sets, dicts for records and per-replica maps) that names every
MODEL.md component, so a trace file can be checked against the model component by
component. Versions and messages are records (docs/schemas/trace.schema.json): a
version is (writer, ts) with its display `name`, a message is (kind, op, from, to,
version) with its `name`; renderers show a `name` and read the other fields, so a
change of wording here changes no diagram and no stored trace's structure. A step's
view comes from its typed label and its registered action
(`leaderless.model.actions.ACTIONS`).
"""

from __future__ import annotations

from typing import Any

from leaderless.model.actions import ACTION_OF, Message, Participant
from leaderless.model.properties import Catalogue
from leaderless.model.state import (
    CRASHES,
    DROPS,
    H_COMPLETED,
    H_INVOKED,
    H_RESULT,
    H_STATUS,
    H_VERSION,
    HINTS,
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
    State,
)

KIND_NAMES = {WREQ: "wreq", WACK: "wack", RREQ: "rreq", RRESP: "rresp"}


def _replicas(mask: int, n: int) -> frozenset[int]:
    return frozenset(i for i in range(n) if mask >> i & 1)


def participant_id(participant: Participant) -> str:
    """ "C0" for client 0, "R2" for replica 2, "H0" for stand-in 0: the ids traces use
    for lifelines."""
    role, index = participant
    return f"{ {'client': 'C', 'replica': 'R'}.get(role, 'H') }{index}"


class Views:
    def __init__(self, scope: Scope, catalogue: Catalogue) -> None:
        self.scope = scope
        self.op_name = catalogue.op_name
        self.version_name = catalogue.version_name

    def version(self, code: int) -> dict[str, Any]:
        """A version as a record: its writer op and timestamp (None for NIL, and for
        every version under arrival order), with its display name."""
        ts, writer = self.scope.version_parts(code)
        record: dict[str, Any] = {
            "name": self.version_name(code),
            "writer": None if writer is None else self.op_name(writer),
            "ts": ts,
        }
        if self.scope.siblings:
            record["siblings"] = [self.op_name(op) for op in self.scope.writers(code)]
        return record

    def _node(self, node: int) -> Participant:
        """A message's node: a replica, or (from n on) a stand-in."""
        n = self.scope.n
        return ("replica", node) if node < n else ("stand-in", node - n)

    def message_name(self, m: Message) -> str:
        op = self.op_name(m.op)
        node = m.replica if m.replica < self.scope.n else participant_id(self._node(m.replica))
        if m.kind == WREQ or m.kind == RRESP:
            return f"{KIND_NAMES[m.kind]}({op}, {node}, {self.version_name(m.version)})"
        return f"{KIND_NAMES[m.kind]}({op}, {node})"

    def message(self, m: Message) -> dict[str, Any]:
        client = participant_id(("client", self.scope.ops[m.op][0]))
        replica = participant_id(self._node(m.replica))
        to_replica = m.kind == WREQ or m.kind == RREQ
        return {
            "name": self.message_name(m),
            "kind": KIND_NAMES[m.kind],
            "op": self.op_name(m.op),
            "from": client if to_replica else replica,
            "to": replica if to_replica else client,
            "version": self.version(m.version) if m.kind == WREQ or m.kind == RRESP else None,
        }

    def _side(self, side: int, other: bool = False) -> list[str]:
        """The participant ids of a side of a split (participant mask: replica i is bit
        i, client c bit n + c, stand-in h bit n + C + h), or of the other side."""
        n, clients = self.scope.n, len(self.scope.ops_of_client)
        members = [x for x in range(self.scope.participants) if (side >> x & 1) != other]
        return [
            participant_id(
                ("replica", x)
                if x < n
                else ("client", x - n)
                if x < n + clients
                else ("stand-in", x - n - clients)
            )
            for x in members
        ]

    def side_names(self, side: int, other: bool = False) -> str:
        return "{" + ", ".join(self._side(side, other)) + "}"

    def participants(self) -> list[dict[str, Any]]:
        """The lifelines of a trace: every client, then every replica."""
        clients = self.scope.config.clients
        return (
            [
                {
                    "id": participant_id(("client", c)),
                    "role": "client",
                    "index": c,
                    "label": f"client {c} ({script})",
                }
                for c, script in enumerate(clients)
            ]
            + [
                {
                    "id": participant_id(("replica", i)),
                    "role": "replica",
                    "index": i,
                    "label": f"replica {i}",
                }
                for i in range(self.scope.n)
            ]
            + [
                {
                    "id": participant_id(("stand-in", h)),
                    "role": "stand-in",
                    "index": h,
                    "label": f"stand-in {h}",
                }
                for h in range(self.scope.config.stand_ins)
            ]
        )

    def operations(self) -> list[dict[str, Any]]:
        """Each op's fixed facts: its name, its client, whether it writes, deletes or reads."""
        return [
            {
                "name": self.op_name(op),
                "client": participant_id(("client", client)),
                "type": "read"
                if not self.scope.is_write[op]
                else "delete"
                if self.scope.is_delete[op]
                else "write",
            }
            for op, (client, _) in enumerate(self.scope.ops)
        ]

    def state(self, state: State) -> dict[str, Any]:
        scope = self.scope
        version = self.version
        ops = {}
        for op, (record, live) in enumerate(zip(state[HIST], state[LIVE])):
            ts = (
                scope.version_parts(record[H_VERSION])[0]
                if record[H_VERSION] and not scope.siblings
                else None
            )
            ops[self.op_name(op)] = {
                "status": STATUS_NAMES[record[H_STATUS]],
                "invoked": record[H_INVOKED] or None,
                "completed": record[H_COMPLETED] or None,
                "ts": ts,
                "acks": _replicas(live[L_ACKS], scope.n),
                "responses": frozenset((i, _Frozen(version(v))) for i, v in live[L_RESPONSES]),
                "result": None if record[H_RESULT] == NO_RESULT else version(record[H_RESULT]),
                "awaiting": _replicas(live[L_AWAITING], scope.n),
            }
            if scope.siblings and scope.is_write[op]:
                context = scope.writers(record[H_VERSION])
                ops[self.op_name(op)]["context"] = [self.op_name(w) for w in context]
        decode = scope.decode_message
        return {
            "store": {i: version(v) for i, v in enumerate(state[STORE])},
            "up": {i: bool(state[UP] >> i & 1) for i in range(scope.n)},
            "now": state[NOW],
            "ops": ops,
            "net": frozenset(_Frozen(self.message(decode(code))) for code in state[NET]),
            "drops": state[DROPS],
            "crashes": state[CRASHES],
            **self._network(state[UP]),
            **self._hints(state),
        }

    def _hints(self, state: State) -> dict[str, Any]:
        """With stand-ins: the hints each keeps, as (replica, version) pairs."""
        if not self.scope.config.stand_ins:
            return {}
        return {
            "hints": {
                participant_id(("stand-in", h)): frozenset(
                    (replica, _Frozen(self.version(version))) for replica, version in held
                )
                for h, held in enumerate(state[HINTS])
            }
        }

    def _network(self, up: int) -> dict[str, Any]:
        """With partitions: the side of the split in force that holds client 0 (None
        when whole) and the splits spent; nothing without, so base views stay as they are."""
        if not self.scope.config.max_partitions:
            return {}
        cut = self.scope.cut(up)
        return {
            "cut": self._side(cut) if cut else None,
            "partitions": self.scope.partitions_spent(up),
        }

    def action(self, label: Any) -> dict[str, Any]:
        """The step as a record: its MODEL.md name, where it happens, and its label's
        fields as data (an op by name, a message or a version as a record; a field
        that is None, such as a read's timestamp, is left out)."""
        action = ACTION_OF[type(label)]
        actor = action.actor(label, self.scope)
        view: dict[str, Any] = {
            "action": action.name,
            "actor": None if actor is None else participant_id(actor),
        }
        for field, value in zip(label._fields, label):
            if value is None:
                continue
            if field == "message":
                view[field] = self.message(value)
            elif field == "op":
                view[field] = self.op_name(value)
            elif field == "result":
                view[field] = self.version(value)
            elif field == "replicas":
                view[field] = list(value)
            elif field == "side":
                view[field] = self._side(value)
            elif field == "version":
                view[field] = self.version(value)
            elif field == "stand_in":
                view[field] = participant_id(("stand-in", value))
            else:
                view[field] = value
        return view

    def effects(self, label: Any) -> dict[str, Any]:
        """What a diagram draws for the step besides its actor and words (see
        `leaderless.model.actions.Action`): the fate of its message, its marks, and why
        messages it removed on the side were lost; empty entries are left out."""
        action = ACTION_OF[type(label)]
        found: dict[str, Any] = {}
        if action.fate is not None:
            found["fate"] = action.fate
        marks = [
            {"at": participant_id(at), "kind": kind, "text": text}
            for at, kind, text in action.marks(label)
        ]
        if marks:
            found["marks"] = marks
        loses = action.loses(self, label)
        if loses is not None:
            reason, op = loses
            found["loses"] = {"why": reason, "op": None if op is None else self.op_name(op)}
        return found

    def describe(self, label: Any, before: State) -> str:
        """The step in words, e.g. "replica 2 applies w(0,0)@1"."""
        return ACTION_OF[type(label)].describe(self, label, before)


class _Frozen(dict):
    """A record that can sit in a set view: hashable by its (immutable) contents."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(repr(sorted(self.items(), key=lambda item: item[0])))

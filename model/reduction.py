"""Partial-order reduction (docs/MODEL.md, "Partial-order reduction"): `ReducedModel`.

At a state, the reduced relation offers either every step, or one step alone: the
delivery of one message that nothing else can interfere with before it happens (a
singleton ample set). Which deliveries qualify, and why every verdict of
every property in the catalogue survives, is argued in docs/MODEL.md; in short:

- **no-op request** (N): a `wreq(o, i, v)` to an up replica that already holds `v` or
  a larger version under `lww`, with no crash left to spend or `o` completed (so no
  ack). Its delivery leaves the store as it is and at most turns the request into
  its ack; every other step commutes with it, or takes the message out itself (a
  crash of i when `o` is completed, a cut, a timeout), or has a match after it (a
  drop of the request: a drop of the ack, or, with no ack, one drop fewer spent).
- **final read request** (R): an `rreq(o, i)` at an up replica whose stored version
  can no longer change and which can no longer crash. The answer is then fixed; a
  drop of the request is matched by a drop of the response, and a timeout, the read
  deciding or a cut remove the response as they would have removed the request.
- **quiet write request** (W): any `wreq(o, i, v)` at an up replica under `lww` when no
  fault is left to spend (drops, crashes, partitions), without timeouts or
  anti-entropy, and no read can ever reach replica i again (no `rreq(·, i)` in `net`,
  no read left to invoke): taking the larger version commutes with every other
  update of i, and nothing else reads i's store.
- **settled ack** (A): any `wack(o, i)` when no drop, split or timeout can come and no
  op is left to invoke: `now` is final, so `o` completes at the same time whichever
  of its acks comes last, and nothing else touches its acks.

None of them takes a violation or a situation away (N, W and A may make a state
quiescent, and A may complete an op, which can only add violations), but for
availability's situation, an op in flight, which every search reaches at its first
step. With the state graph acyclic (`progress_measure`), that preserves the
reachability of every violation and every situation, with and without symmetry.
Configurations outside that argument are refused (`UnsupportedReduction`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator
from typing import Any

from leaderless.model.actions import PartitionedTransitions, Step, Transitions
from leaderless.model.properties import CATALOGUE
from leaderless.model.state import (
    CRASHES,
    DROPS,
    FAIL,
    H_STATUS,
    HIST,
    IDLE,
    LIVE,
    NET,
    OK,
    PENDING,
    REPAIRING,
    RREQ,
    RRESP,
    STORE,
    UP,
    WACK,
    WREQ,
    MessageTable,
    Scope,
    State,
)
from leaderless.model.system import ReplicationModel

# The properties the argument of docs/MODEL.md covers, by id: what each reads is
# listed there. A property added to the catalogue is refused until the argument
# covers it too.
COVERED = (
    "stale-read",
    "read-your-writes",
    "monotonic-reads",
    "aborted-read",
    "write-atomicity",
    "lww-order",
    "linearizable",
    "convergence",
    "availability",
    "no-resurrection",
    "no-lost-update",
)


class UnsupportedReduction(ValueError):
    """The partial-order reduction's argument does not cover this configuration; the
    message names the option (as on the command line) that puts it outside."""


def refusal(model: ReplicationModel) -> str | None:
    """Why the reduction cannot be offered for `model`, naming the option; None if it can."""
    config = model.config
    if config.stand_ins:
        return "--reduction por does not cover --hinted-handoff (hints are a second way in)"
    if config.resolution not in ("lww", "arrival"):
        return f"--reduction por does not cover --resolution {config.resolution}"
    if config.gc_grace is not None and config.has_deletes:
        # Purge then anti-entropy can bring a tombstone back and purge it again: the
        # state graph has cycles, and the argument needs none.
        return "--reduction por does not cover --gc-grace with deletes (purging makes cycles)"
    if type(model) is not ReplicationModel or type(model.transitions) not in (
        Transitions,
        PartitionedTransitions,
    ):
        return f"the reduction covers the model of docs/MODEL.md only, not {type(model).__name__}"
    known = {prop.id: prop for prop in CATALOGUE}
    for index, prop in enumerate(model.properties):
        if not model.applicable >> index & 1:
            continue
        if prop.id not in COVERED or known.get(prop.id) is not prop:
            return f"--reduction por does not cover the property {prop.id}"
    return None


class ReducedModel:
    """`model` with the reduced successor relation; everything else is `model`'s."""

    def __init__(self, model: ReplicationModel) -> None:
        why = refusal(model)
        if why is not None:
            raise UnsupportedReduction(why)
        self.model = model
        scope = model.scope
        config = scope.config
        self.scope = scope
        self.transitions = model.transitions
        self._full = model.transitions.successors
        self._table = MessageTable(scope)
        self._lww = scope.lww
        self._n = scope.n
        self._is_write = scope.is_write
        self._max_drops = config.max_drops
        self._max_crashes = config.max_crashes
        self._max_partitions = config.max_partitions
        # R's "the store can no longer change" without comparing with every version:
        # only when no anti-entropy and no read repair can bring one in.
        self._closed_updates = not config.anti_entropy and config.read_repair == "off"
        # W needs all of these for the whole run, and the rest per state.
        self._quiet_possible = self._lww and not config.anti_entropy
        self._timeouts = config.timeouts

    def __getattr__(self, name: str) -> Any:
        # Views, properties, canonical keys: the model's own (only successors differ).
        # Looked up in __dict__, so an object still without `model` (being copied or
        # unpickled) raises AttributeError instead of recursing.
        if name == "model":
            raise AttributeError(name)
        return getattr(self.model, name)

    def successors(self, state: State) -> Iterable[Step]:
        code = self.ample(state)
        if code is None:
            return self._full(state)
        return self._deliver(state, code)

    def _deliver(self, state: State, code: int) -> Iterator[Step]:
        transitions = self.transitions
        m = transitions.table[code]  # fills delivery_labels[code] on first use
        index = bisect_left(state[NET], code)
        nxt: State | None
        if m.kind == WACK:
            nxt = transitions.deliver_write_ack(state, index, m)
        elif m.kind == WREQ:
            nxt = transitions.deliver_write_request(state, index, m)
        else:
            nxt = transitions.deliver_read_request(state, index, m)
        assert nxt is not None  # ample() chose a request to a replica that is up
        yield transitions.delivery_labels[code], nxt

    def ample(self, state: State) -> int | None:
        """The message whose delivery is the only step offered at `state`, or None when
        every step is: the first of `qualifying`, in `net`'s order."""
        return next(self.qualifying(state), None)

    def qualifying(self, state: State) -> Iterator[int]:
        """The messages in flight whose delivery may be offered alone at `state` (N, R,
        W or A of the module docstring), in `net`'s order."""
        store, up, net, hist = state[STORE], state[UP], state[NET], state[HIST]
        if not net:
            return
        table, lww, is_write = self._table, self._lww, self._is_write
        updates_left = reads_left = False
        for op, record in enumerate(hist):
            if record[H_STATUS] == IDLE:
                if is_write[op]:
                    updates_left = True
                else:
                    reads_left = True
        crashes_spent = state[CRASHES] >= self._max_crashes
        # No drop, split or timeout can come, so no message's fate is open.
        settled = (
            not self._timeouts
            and state[DROPS] >= self._max_drops
            and self.scope.partitions_spent(up) >= self._max_partitions
        )
        quiet = settled and self._quiet_possible and crashes_spent and not reads_left
        # No op is left to invoke, so `now` is final: an op completes at the same time
        # whichever of its acks comes last.
        acks_alone = settled and not updates_left and not reads_left
        read_at = 0  # replicas with an rreq in flight, for W
        if quiet:
            for code in net:
                if code & 3 == RREQ:
                    read_at |= 1 << table[code].replica
        top = None  # the largest version anywhere a replica could get it from, for R
        for code in net:
            kind, op, replica, version = table[code]
            if kind == WACK:
                if acks_alone:
                    yield code  # A
                continue
            if not up >> replica & 1:
                continue
            if kind == WREQ:
                if lww and version <= store[replica]:
                    status = hist[op][H_STATUS]
                    if crashes_spent or status == OK or status == FAIL:
                        yield code  # N
                        continue
                if quiet and not read_at >> replica & 1:
                    yield code  # W
            elif kind == RREQ and crashes_spent and not updates_left:
                if lww and top is None:
                    top = _largest_version(state, table)
                if self._store_final(state, replica, top):
                    yield code  # R

    def _store_final(self, state: State, replica: int, top: int | None) -> bool:
        """Whether replica's stored version can no longer change (no update is left to
        invoke, no purge: the caller and the refusal see to those)."""
        held = state[STORE][replica]
        if self._lww:
            if top is not None and held >= top:
                return True  # no version it could ever be sent is larger
            if not self._closed_updates:
                return False
        table = self._table
        for code in state[NET]:
            kind, _, to, version = table[code]
            if (
                kind == WREQ
                and to == replica
                and (version > held if self._lww else version != held)
            ):
                return False
        return True


def _largest_version(state: State, table: MessageTable) -> int:
    """The largest version an up replica holds or a message or a pending read's
    responses carry. With no update left to invoke, no version above it can ever reach
    a replica: deliveries, repairs and anti-entropy only pass on versions from these."""
    up = state[UP]
    top = max((v for i, v in enumerate(state[STORE]) if up >> i & 1), default=0)
    for code in state[NET]:
        top = max(top, table[code].version)
    for _, responses, _ in state[LIVE]:
        for _, version in responses:
            top = max(top, version)
    return top


def progress_measure(scope: Scope, state: State) -> tuple[int, ...]:
    """A measure that every step of the relation strictly lowers (lexicographically),
    with no purge and no stand-ins: ops still to invoke, ops pending, ops repairing,
    the weight of `net` (a request weighs 2, an ack or a response 1), crashes spent
    (negated), the stores (negated: outside a delivery, only anti-entropy changes them,
    and it raises one), and the network splits left (one in force counting half). So
    the state graph is acyclic."""
    statuses = [record[H_STATUS] for record in state[HIST]]
    weight = sum(1 if code & 3 in (WACK, RRESP) else 2 for code in state[NET])
    up = state[UP]
    splits_left = scope.config.max_partitions - scope.partitions_spent(up)
    return (
        statuses.count(IDLE),
        statuses.count(PENDING),
        statuses.count(REPAIRING),
        weight,
        -state[CRASHES],
        -sum(state[STORE]),
        2 * splits_left + (scope.cut(up) != 0),
    )

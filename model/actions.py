"""The actions of MODEL.md (and of docs/MODEL.md's extensions): one registry, typed labels, pure guard-and-update functions.

Each action is registered once in `ACTIONS`, in MODEL.md's order, with its typed label
(a NamedTuple whose fields are what the step acts on: an op, a replica, a message as
(kind, op, replica, version)), the words that describe a step of it, what it belongs
to (an op, a replica) for shortening and search, how a random walk schedules it, and
whether the symbolic encoding (`leaderless.proofs.symbolic`) covers it. Views, trace
text, diagrams, the search walk and shortening all read the registry and the labels'
fields; nothing else keeps a list of the actions.

Every action takes a state and its arguments and returns the successor states it
produces (none when the guard fails; several when the action makes a choice, such as
an arrival-order read picking its result). `Transitions.successors` lists every step
of a state in a fixed order: invokes by client, deliveries by message code, drops,
timeouts, crashes, anti-entropy pairs. Labels of deliveries, drops, timeouts and
crashes are built once per scope and shared, so the explorer allocates none per step.

Adding an action: write its label class and its guard-and-update method on
`Transitions`, enumerate it in `successors`, register it in `ACTIONS`, then give it
an encoding in proofs/symbolic.py or register it with `symbolic=False`
(tests/test_action_registry.py checks each of these).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from leaderless.model.config import OPTION, Config
from leaderless.model.levels import meets
from leaderless.model.state import (
    CRASHES,
    DROPS,
    FAIL,
    H_INVOKED,
    H_RESULT,
    H_STATUS,
    H_VERSION,
    HINTS,
    HIST,
    IDLE,
    L_ACKS,
    L_AWAITING,
    L_RESPONSES,
    LIVE,
    NET,
    NIL,
    NO_LIVE,
    NO_RESULT,
    NOW,
    OK,
    PENDING,
    REPAIRING,
    RREQ,
    RRESP,
    STORE,
    UP,
    WACK,
    WREQ,
    HistRecord,
    Message,
    MessageTable,
    Scope,
    State,
    merge_siblings,
)


class Invoke(NamedTuple):
    """1. Client `client` invokes its next op `op`; `ts` is a write's timestamp under
    lww (None for reads and under arrival order)."""

    client: int
    op: int
    ts: int | None


class DeliverWriteRequest(NamedTuple):
    """2. A replica applies a wreq (a write's, or a read's repair)."""

    message: Message


class DeliverWriteAck(NamedTuple):
    """3. A client receives a wack (for a write, or for a blocking repair)."""

    message: Message


class DeliverReadRequest(NamedTuple):
    """4. A replica answers an rreq with the version it holds."""

    message: Message


class DeliverReadResponse(NamedTuple):
    """5. A read receives an rresp; `result` is the version it returns when this
    response completes its quorum (None while it still waits)."""

    message: Message
    result: int | None


class Drop(NamedTuple):
    """6. The network loses a message."""

    message: Message


class Timeout(NamedTuple):
    """7. A client gives up on a pending or repairing op."""

    op: int


class Crash(NamedTuple):
    """8. A live replica crash-stops."""

    replica: int


class AntiEntropy(NamedTuple):
    """9. Two live replicas holding different versions both keep the larger one."""

    replicas: tuple[int, int]


class Purge(NamedTuple):
    """10. A live replica forgets a tombstone whose grace period has passed."""

    replica: int


class Partition(NamedTuple):
    """11. The network splits in two; `side` is the side holding client 0, as a
    participant mask (replica i is bit i, client c is bit n + c)."""

    side: int


class Heal(NamedTuple):
    """12. The split network is whole again."""


class Redirect(NamedTuple):
    """13. A pending write's request goes to stand-in `stand_in` (0-based) instead of
    its replica; the stand-in keeps it as a hint (and acks under sloppy quorums)."""

    message: Message
    stand_in: int


class Handoff(NamedTuple):
    """14. A stand-in hands a hint to the live replica it was kept for."""

    stand_in: int
    replica: int
    version: int


Label = (
    Invoke
    | DeliverWriteRequest
    | DeliverWriteAck
    | DeliverReadRequest
    | DeliverReadResponse
    | Drop
    | Timeout
    | Crash
    | AntiEntropy
    | Purge
    | Partition
    | Heal
    | Redirect
    | Handoff
)
Step = tuple[Label, State]


def _replace(items: tuple, index: int, value: object) -> tuple:
    return items[:index] + (value,) + items[index + 1 :]


class Transitions:
    """The transition relation of one configuration."""

    def __init__(self, scope: Scope) -> None:
        config = scope.config
        self.scope = scope
        self.n = scope.n
        self.w = config.w
        self.r = config.r
        self.needs = scope.needs  # None: MODEL.md's counts w and r decide, as below
        self.gc_grace = config.gc_grace
        self.purge_repaired = config.purge_repaired
        self.drift = config.drift
        self.lww = scope.lww
        self.siblings = scope.siblings
        self.read_repair = config.read_repair
        self.max_drops = config.max_drops
        self.max_crashes = config.max_crashes
        self.timeouts = config.timeouts
        self.anti_entropy = config.anti_entropy
        # Code -> the label delivering (or dropping) that message: plain dicts, filled
        # when the table first decodes the code, so the hot path reads them with the
        # fast lookup of a dict and builds no label per step.
        self.delivery_labels: dict[int, Label] = {}
        self.drop_labels: dict[int, Label] = {}
        self.table = MessageTable(scope, self._new_message)
        self.op_count = scope.op_count
        self.timeout_labels = tuple(Timeout(op) for op in range(scope.op_count))
        self.crash_labels = tuple(Crash(replica) for replica in range(scope.n))
        self.purge_labels = tuple(Purge(replica) for replica in range(scope.n))
        # Indexed i * n + j; built only where anti-entropy runs (n * n labels).
        self.anti_entropy_labels = (
            tuple(AntiEntropy((i, j)) for i in range(scope.n) for j in range(scope.n))
            if config.anti_entropy
            else ()
        )
        self.decided_labels: dict[tuple[int, int], Label] = {}  # (code, result)

    def _decided(self, code: int, m: Message, result: int) -> Label:
        """The label of a response that completes its read's quorum with this result."""
        label = self.decided_labels.get((code, result))
        if label is None:
            label = self.decided_labels[code, result] = DeliverReadResponse(m, result)
        return label

    def _new_message(self, code: int, m: Message) -> None:
        self.delivery_labels[code] = _deliver_label(m)
        self.drop_labels[code] = Drop(m)

    def _applied(self, hist: tuple, held: int, version: int) -> int:
        """What a replica holding `held` stores once it applies `version`."""
        if self.lww:
            return max(held, version)
        return merge_siblings(hist, held | version) if self.siblings else version

    def _context(self, hist: tuple, client: int, op: int) -> int:
        """The causal context of `client`'s write `op` (docs/MODEL.md, siblings): its
        last ok read's sibling set, with the contexts of those siblings."""
        scope = self.scope
        earlier = scope.ops_of_client[client]
        for read in reversed(earlier[: earlier.index(op)]):
            if not scope.is_write[read] and hist[read][H_STATUS] == OK:
                result = hist[read][H_RESULT]
                context = result
                for writer in scope.writers(result):
                    context |= hist[writer][H_VERSION]
                return context
        return 0

    def _without_op(self, net: tuple, op: int, kinds: tuple[int, ...]) -> tuple:
        # A code's op is (code >> 2) % op_count: no table lookup on this hot path.
        op_count = self.op_count
        return tuple([m for m in net if (m >> 2) % op_count != op or (m & 3) not in kinds])

    # 1. Invoke(c, t)
    def invoke(
        self, state: State, client: int, timestamps: Iterable[int] | None = None
    ) -> list[Step]:
        """One step per timestamp choice; `timestamps` replaces MODEL.md's window of
        now ± drift, for clock models that read a client's own clock instead."""
        return list(self._invoke_steps(state, client, timestamps))

    def _invoke_steps(
        self, state: State, client: int, timestamps: Iterable[int] | None = None
    ) -> Iterable[Step]:
        hist = state[HIST]
        op = None
        for candidate in self.scope.ops_of_client[client]:
            status = hist[candidate][H_STATUS]
            if status == IDLE:
                op = candidate
                break
            if status == PENDING or status == REPAIRING:
                return ()  # busy
        if op is None:
            return ()  # script finished
        now = state[NOW] + 1
        up = state[UP]
        live_replicas = [i for i in range(self.n) if up >> i & 1]
        scope = self.scope
        if not scope.is_write[op]:
            targets = scope.all_up if scope.read_targets is None else scope.read_targets[op]
            sent = tuple(scope.message(RREQ, op, i) for i in live_replicas if targets >> i & 1)
            record = (PENDING, now, 0, 0, NO_RESULT)
            return ((Invoke(client, op, None), self._invoked(state, now, op, record, sent)),)
        if not self.lww:
            choices: Iterable[int | None] = (None,)
        elif timestamps is not None:
            choices = timestamps
        else:
            choices = range(now - self.drift, now + self.drift + 1)
        # Lazy: a window of 2 * drift + 1 timestamps may be too many states to hold at once.
        return (self._invoke_write(state, client, op, now, live_replicas, ts) for ts in choices)

    def _invoke_write(
        self, state: State, client: int, op: int, now: int, live_replicas: list[int], ts: int | None
    ) -> Step:
        scope = self.scope
        version = scope.version(op, ts)
        sent = tuple(scope.message(WREQ, op, i, version) for i in live_replicas)
        if self.siblings:
            fixed = self._context(state[HIST], client, op)
        else:
            fixed = version if self.lww else 0
        record = (PENDING, now, 0, fixed, NO_RESULT)
        return Invoke(client, op, ts), self._invoked(state, now, op, record, sent)

    @staticmethod
    def _invoked(state: State, now: int, op: int, record: HistRecord, sent: tuple) -> State:
        net = tuple(sorted(state[NET] + sent))
        return (
            state[STORE],
            state[UP],
            now,
            net,
            state[DROPS],
            state[CRASHES],
            _replace(state[HIST], op, record),
            state[LIVE],
        )

    # 2. DeliverWriteRequest(wreq(o, i, v))
    def deliver_write_request(self, state: State, index: int, m: Message) -> State | None:
        replica = m.replica
        if not state[UP] >> replica & 1:
            return None
        store = state[STORE]
        held = store[replica]
        # lww inline: this is the explorer's most frequent step.
        new = max(held, m.version) if self.lww else self._applied(state[HIST], held, m.version)
        if new != held:
            store = _replace(store, replica, new)
        net = state[NET]
        net = net[:index] + net[index + 1 :]
        status = state[HIST][m.op][H_STATUS]
        if (status == PENDING and self.scope.is_write[m.op]) or status == REPAIRING:
            net = tuple(sorted(net + (self.scope.message(WACK, m.op, replica),)))
        return (
            store,
            state[UP],
            state[NOW],
            net,
            state[DROPS],
            state[CRASHES],
            state[HIST],
            state[LIVE],
        )

    # 3. DeliverWriteAck(wack(o, i))
    def deliver_write_ack(self, state: State, index: int, m: Message) -> State:
        net = state[NET]
        net = net[:index] + net[index + 1 :]
        hist, live = state[HIST], state[LIVE]
        op = m.op
        record = hist[op]
        status = record[H_STATUS]
        bit = 1 << m.replica
        if status == PENDING and self.scope.is_write[op]:
            acks = live[op][L_ACKS] | bit
            if acks.bit_count() >= self.w if self.needs is None else meets(self.needs[op], acks):
                hist = _replace(hist, op, (OK,) + record[1:2] + (state[NOW],) + record[3:])
                live = _replace(live, op, NO_LIVE)
                net = self._without_op(net, op, (WACK,))
            else:
                live = _replace(live, op, (acks,) + live[op][1:])
        elif status == REPAIRING:
            awaiting = live[op][L_AWAITING] & ~bit
            if awaiting == 0:
                hist = _replace(hist, op, (OK,) + record[1:2] + (state[NOW],) + record[3:])
                live = _replace(live, op, NO_LIVE)
            else:
                live = _replace(live, op, live[op][:L_AWAITING] + (awaiting,))
        return (state[STORE], state[UP], state[NOW], net, state[DROPS], state[CRASHES], hist, live)

    # 4. DeliverReadRequest(rreq(o, i))
    def deliver_read_request(self, state: State, index: int, m: Message) -> State | None:
        replica = m.replica
        if not state[UP] >> replica & 1:
            return None
        net = state[NET]
        response = self.scope.message(RRESP, m.op, replica, state[STORE][replica])
        net = tuple(sorted(net[:index] + net[index + 1 :] + (response,)))
        return (
            state[STORE],
            state[UP],
            state[NOW],
            net,
            state[DROPS],
            state[CRASHES],
            state[HIST],
            state[LIVE],
        )

    # 5. DeliverReadResponse(rresp(o, i, v))
    def deliver_read_response(self, state: State, index: int, code: int, m: Message) -> list[Step]:
        net = state[NET]
        net = net[:index] + net[index + 1 :]
        hist, live = state[HIST], state[LIVE]
        op = m.op
        record = hist[op]
        if record[H_STATUS] != PENDING:
            # Unreachable: responses to a completed read leave the network with it.
            rest = (state[DROPS], state[CRASHES], hist, live)
            return [(self.delivery_labels[code], (state[STORE], state[UP], state[NOW], net) + rest)]
        responses = tuple(sorted(live[op][L_RESPONSES] + ((m.replica, m.version),)))
        if (
            len(responses) < self.r
            if self.needs is None
            else not meets(self.needs[op], _replica_mask(responses))
        ):
            live = _replace(live, op, (0, responses, 0))
            return [
                (
                    self.delivery_labels[code],
                    (
                        state[STORE],
                        state[UP],
                        state[NOW],
                        net,
                        state[DROPS],
                        state[CRASHES],
                        hist,
                        live,
                    ),
                )
            ]
        net = self._without_op(net, op, (RREQ, RRESP))
        if self.lww:
            choices: list[int] = [max(version for _, version in responses)]
        elif self.siblings:
            union = 0
            for _, version in responses:
                union |= version
            choices = [merge_siblings(hist, union)]
        else:
            choices = sorted({version for _, version in responses})
        steps: list[Step] = []
        now = state[NOW]
        for result in choices:
            stale = [j for j, version in responses if version < result]
            repair = self.read_repair
            out_net = net
            if stale and repair != "off":
                sent = tuple(self.scope.message(WREQ, op, j, result) for j in stale)
                out_net = tuple(sorted(net + sent))
            if stale and repair == "blocking":
                awaiting = 0
                for j in stale:
                    awaiting |= 1 << j
                new_hist = _replace(hist, op, (REPAIRING, record[H_INVOKED], 0, 0, result))
                new_live = _replace(live, op, (0, (), awaiting))
            else:
                new_hist = _replace(hist, op, (OK, record[H_INVOKED], now, 0, result))
                new_live = _replace(live, op, NO_LIVE)
            steps.append(
                (
                    self._decided(code, m, result),
                    (
                        state[STORE],
                        state[UP],
                        now,
                        out_net,
                        state[DROPS],
                        state[CRASHES],
                        new_hist,
                        new_live,
                    ),
                )
            )
        return steps

    # 6. Drop(m)
    def drop(self, state: State, index: int) -> State | None:
        if state[DROPS] >= self.max_drops:
            return None
        net = state[NET]
        return (
            state[STORE],
            state[UP],
            state[NOW],
            net[:index] + net[index + 1 :],
            state[DROPS] + 1,
            state[CRASHES],
            state[HIST],
            state[LIVE],
        )

    # 7. Timeout(o)
    def timeout(self, state: State, op: int) -> State | None:
        if not self.timeouts:
            return None
        record = state[HIST][op]
        if record[H_STATUS] != PENDING and record[H_STATUS] != REPAIRING:
            return None
        now = state[NOW]
        hist = _replace(state[HIST], op, (FAIL, record[H_INVOKED], now, record[3], NO_RESULT))
        live = _replace(state[LIVE], op, NO_LIVE)
        net = self._without_op(state[NET], op, (WACK, RREQ, RRESP))
        return (state[STORE], state[UP], now, net, state[DROPS], state[CRASHES], hist, live)

    # 8. Crash(i)
    def crash(self, state: State, replica: int) -> State | None:
        if state[CRASHES] >= self.max_crashes or not state[UP] >> replica & 1:
            return None
        table = self.table
        net = tuple(m for m in state[NET] if (m & 3) in (WACK, RRESP) or table[m][2] != replica)
        return (
            state[STORE],
            state[UP] & ~(1 << replica),
            state[NOW],
            net,
            state[DROPS],
            state[CRASHES] + 1,
            state[HIST],
            state[LIVE],
        )

    # 9. AntiEntropy(i, j), i < j
    def anti_entropy_exchange(self, state: State, i: int, j: int) -> State | None:
        store, up = state[STORE], state[UP]
        if not self.anti_entropy or not (up >> i & 1 and up >> j & 1) or store[i] == store[j]:
            return None
        if self.siblings:
            merged = merge_siblings(state[HIST], store[i] | store[j])
        else:
            merged = max(store[i], store[j])
        store = tuple(merged if k == i or k == j else v for k, v in enumerate(store))
        return (store, up) + state[NOW:]

    # 10. Purge(i) (docs/MODEL.md, deletes and purging)
    def purge(self, state: State, replica: int) -> State | None:
        scope = self.scope
        store, up = state[STORE], state[UP]
        tombstone = store[replica]
        if self.gc_grace is None or not up >> replica & 1 or not scope.is_tombstone(tombstone):
            return None
        if state[NOW] < scope.version_parts(tombstone)[0] + self.gc_grace:  # type: ignore[operator]
            return None
        if self.purge_repaired and self._older_value_left(state, tombstone):
            return None
        return (_replace(store, replica, NIL),) + state[UP:]

    def _older_value_left(self, state: State, tombstone: int) -> bool:
        """Whether a write's value below the tombstone is left anywhere it could come back
        from once the tombstone is gone: stored on an up replica, carried by a wreq to an
        up replica or by an rresp, or among the responses a pending read holds."""
        scope, up = self.scope, state[UP]

        def older_value(version: int) -> bool:
            return NIL < version < tombstone and not scope.is_tombstone(version)

        if any(up >> i & 1 and older_value(v) for i, v in enumerate(state[STORE])):
            return True
        table = self.table
        for m in map(table.__getitem__, state[NET]):
            if older_value(m.version) and (
                m.kind == RRESP or (m.kind == WREQ and up >> m.replica & 1)
            ):
                return True
        return any(older_value(v) for live in state[LIVE] for _, v in live[L_RESPONSES])

    def successors(self, state: State) -> Iterator[Step]:
        """Every step enabled in `state`, in the fixed order of the module docstring.

        Generated lazily, so a caller holds one step at a time however many there are
        (a wide clock window or many replicas), and can stop between two of them.
        Guards that fail for most arguments are tested here, before the call, to keep
        the explorer's inner loop short; each action still checks its own guard.
        """
        for client in range(len(self.scope.ops_of_client)):
            yield from self._invoke_steps(state, client)
        net = state[NET]
        table = self.table
        labels = self.delivery_labels
        for index, code in enumerate(net):
            m = table[code]
            kind = m[0]
            if kind == WREQ:
                nxt = self.deliver_write_request(state, index, m)
                if nxt is not None:
                    yield labels[code], nxt
            elif kind == WACK:
                yield labels[code], self.deliver_write_ack(state, index, m)
            elif kind == RREQ:
                nxt = self.deliver_read_request(state, index, m)
                if nxt is not None:
                    yield labels[code], nxt
            else:
                yield from self.deliver_read_response(state, index, code, m)
        if state[DROPS] < self.max_drops:
            drops = self.drop_labels
            for index, code in enumerate(net):
                if (nxt := self.drop(state, index)) is not None:
                    yield drops[code], nxt
        if self.timeouts:
            for op, record in enumerate(state[HIST]):
                if (record[H_STATUS] == PENDING or record[H_STATUS] == REPAIRING) and (
                    nxt := self.timeout(state, op)
                ) is not None:
                    yield self.timeout_labels[op], nxt
        if state[CRASHES] < self.max_crashes:
            up = state[UP]
            for replica in range(self.n):
                if up >> replica & 1 and (nxt := self.crash(state, replica)) is not None:
                    yield self.crash_labels[replica], nxt
        if self.anti_entropy:
            store, up = state[STORE], state[UP]
            for i in range(self.n):
                for j in range(i + 1, self.n):
                    if (
                        store[i] != store[j]
                        and up >> i & 1
                        and up >> j & 1
                        and (nxt := self.anti_entropy_exchange(state, i, j)) is not None
                    ):
                        yield self.anti_entropy_labels[i * self.n + j], nxt
        if self.gc_grace is not None:
            for replica in range(self.n):
                if (nxt := self.purge(state, replica)) is not None:
                    yield self.purge_labels[replica], nxt


class PartitionedTransitions(Transitions):
    """The transition relation with network partitions (docs/MODEL.md): every step of
    the base relation, less the messages that would cross a cut in force (lost as they
    are sent) and the anti-entropy exchanges across it, then Partition and Heal. A
    separate class, so that a configuration without partitions runs the base relation
    untouched."""

    def __init__(self, scope: Scope) -> None:
        super().__init__(scope)
        self.participants = scope.participants
        self.max_partitions = scope.config.max_partitions
        self._client_bit = tuple(scope.n + client for client, _ in scope.ops)
        # With hinted handoff a write's request waits for the cut to heal instead of
        # being lost to it (docs/MODEL.md, hinted handoff across a partition).
        self._writes_wait = bool(scope.config.stand_ins)
        self.heal_label = Heal()
        # Sides holding client 0 (bit n) that leave someone out, in increasing order.
        everyone = (1 << self.participants) - 1
        self.partition_labels = tuple(
            Partition(side)
            for side in (range(1 << self.participants) if self.max_partitions else ())
            if side >> scope.n & 1 and side != everyone
        )

    def _crosses(self, cut: int, m: Message) -> bool:
        return bool(
            (cut >> self.scope.participant_bit(m.replica) ^ cut >> self._client_bit[m.op]) & 1
        )

    def _lost(self, cut: int, code: int) -> bool:
        m = self.table[code]
        if self._writes_wait and m.kind == WREQ and self.scope.is_write[m.op]:
            return False
        return self._crosses(cut, m)

    def _cut_off(self, cut: int, net: tuple) -> tuple:
        return tuple(code for code in net if not self._lost(cut, code))

    def invoke(
        self, state: State, client: int, timestamps: Iterable[int] | None = None
    ) -> list[Step]:
        """As the base relation's, less the requests that would cross the cut (the
        search calls it directly, to choose a client's timestamp)."""
        cut = self.scope.cut(state[UP])
        steps = super().invoke(state, client, timestamps)
        if not cut:
            return steps
        return [
            (label, nxt[:NET] + (self._cut_off(cut, nxt[NET]),) + nxt[NET + 1 :])
            for label, nxt in steps
        ]

    def successors(self, state: State) -> Iterator[Step]:
        scope = self.scope
        up = state[UP]
        cut = scope.cut(up)
        for label, nxt in super().successors(state):
            if cut:
                if isinstance(label, AntiEntropy):
                    i, j = label.replicas
                    if (cut >> i ^ cut >> j) & 1:
                        continue
                if isinstance(label, DeliverWriteRequest) and self._crosses(cut, label.message):
                    continue  # a write's request waiting for the cut to heal
                kept = self._cut_off(cut, nxt[NET])
                if kept != nxt[NET]:
                    nxt = nxt[:NET] + (kept,) + nxt[NET + 1 :]
            yield label, nxt
        spent = scope.partitions_spent(up)
        if cut:
            yield self.heal_label, (state[STORE], scope.with_cut(up, 0, spent)) + state[NOW:]
        elif spent < self.max_partitions:
            for label in self.partition_labels:
                net = self._cut_off(label.side, state[NET])
                yield (
                    label,
                    (
                        state[STORE],
                        scope.with_cut(up, label.side, spent + 1),
                        state[NOW],
                        net,
                    )
                    + state[DROPS:],
                )


class HintedTransitions(PartitionedTransitions):
    """The transition relation with stand-ins (docs/MODEL.md, sloppy quorums and hinted
    handoff): every step of the relation without them, the hints carried along, then
    Redirect and Handoff."""

    def __init__(self, scope: Scope) -> None:
        super().__init__(scope)
        self.sloppy = scope.config.hinted_handoff == "sloppy"
        self.stand_ins = scope.config.stand_ins

    def invoke(
        self, state: State, client: int, timestamps: Iterable[int] | None = None
    ) -> list[Step]:
        hints = state[HINTS]
        return [(label, (*nxt, hints)) for label, nxt in super().invoke(state, client, timestamps)]

    def successors(self, state: State) -> Iterator[Step]:
        hints = state[HINTS]
        for label, nxt in super().successors(state):
            # The base actions build eight components; the hints ride along unchanged.
            yield label, (nxt if len(nxt) > HINTS else (*nxt, hints))
        scope, table, n = self.scope, self.table, self.n
        hist, net = state[HIST], state[NET]
        cut = scope.cut(state[UP])
        for index, code in enumerate(net):
            m = table[code]
            if m.kind != WREQ or not scope.is_write[m.op] or hist[m.op][H_STATUS] != PENDING:
                continue
            rest = net[:index] + net[index + 1 :]
            for stand_in in range(self.stand_ins):
                stand_in_bit = scope.participant_bit(n + stand_in)
                if (cut >> stand_in_bit ^ cut >> self._client_bit[m.op]) & 1:
                    continue  # the stand-in is across the cut from the write's client
                out = rest
                ack = scope.message(WACK, m.op, n + stand_in)
                if self.sloppy and ack not in rest:  # net is a set: an ack in it stays one
                    out = tuple(sorted((*rest, ack)))
                held = tuple(sorted((*hints[stand_in], (m.replica, m.version))))
                yield (
                    Redirect(m, stand_in),
                    (
                        state[:NET]
                        + (out,)
                        + state[DROPS:HINTS]
                        + (_replace(hints, stand_in, held),)
                    ),
                )
        up, store = state[UP], state[STORE]
        for stand_in, held in enumerate(hints):
            for pair in held:
                replica, version = pair
                if not up >> replica & 1:
                    continue
                if cut and (cut >> replica ^ cut >> scope.participant_bit(n + stand_in)) & 1:
                    continue
                stored = self._applied(hist, store[replica], version)
                kept = tuple(p for p in held if p != pair)
                yield (
                    Handoff(stand_in, replica, version),
                    (
                        (_replace(store, replica, stored),)
                        + state[UP:HINTS]
                        + (_replace(hints, stand_in, kept),)
                    ),
                )


def _replica_mask(responses: tuple) -> int:
    mask = 0
    for replica, _ in responses:
        mask |= 1 << replica
    return mask


def _deliver_label(m: Message) -> Label:
    if m.kind == WREQ:
        return DeliverWriteRequest(m)
    if m.kind == WACK:
        return DeliverWriteAck(m)
    if m.kind == RREQ:
        return DeliverReadRequest(m)
    return DeliverReadResponse(m, None)  # a response that decides builds its own label


class Names(Protocol):
    """How the words of a step name ops, versions and messages (`Views` offers it)."""

    scope: Scope

    def op_name(self, op: int) -> str: ...

    def version_name(self, code: int) -> str: ...

    def message_name(self, m: Message) -> str: ...

    def side_names(self, side: int, other: bool = False) -> str: ...


Participant = tuple[str, int]  # ("client", c), ("replica", i) or ("stand-in", h)


@dataclass(frozen=True)
class Action:
    """One MODEL.md action, registered once; every view of a step reads it from here."""

    label: type  # its typed label; the class name is the MODEL.md action name
    number: int  # its section in MODEL.md
    walk: str  # how a random walk times it (model/search.py); all deliveries share one
    subject: Callable[[Any], Hashable]  # what one step acts on: a message, a client, an op...
    owner: Callable[[Any], tuple[int | None, int | None]]  # (op, replica) the step is part of
    actor: Callable[[Any, Scope], Participant | None]  # the participant it happens at
    describe: Callable[[Names, Any, tuple], str]  # the step in words, given the state before
    symbolic: bool = True  # the symbolic encoding (leaderless.proofs.symbolic) covers it
    option: str | None = None  # the Config field that brings it in, for an extension's action
    # What a diagram draws for a step beyond its actor and its words: what became of the
    # message the label names (delivered, dropped, redirected), marks on lifelines as
    # (participant, kind, text), and why messages it took out of `net` on the side were
    # lost (with the op whose messages, if only one op's).
    fate: str | None = None
    marks: Callable[[Any], tuple[tuple[Participant, str, str], ...]] = lambda label: ()
    loses: Callable[[Names, Any], tuple[str, int | None] | None] = lambda names, label: None

    @property
    def name(self) -> str:
        return self.label.__name__

    def occurs(self, config: Config) -> bool:
        """Whether `config` can take a step of it: always, or once its option is set."""
        return self.option is None or getattr(config, self.option) != OPTION[self.option].default


def _client_of(op: int, scope: Scope) -> Participant:
    return ("client", scope.ops[op][0])


def _describe_invoke(names: Names, label: Invoke, before: State) -> str:
    op = names.op_name(label.op)
    if names.scope.is_write[label.op]:
        ts = "" if label.ts is None else f" with ts={label.ts}"
        kind = "delete" if names.scope.is_delete[label.op] else "write"
        return f"client {label.client} invokes {kind} {op}{ts}"
    return f"client {label.client} invokes read {op}"


def _describe_write_request(names: Names, label: DeliverWriteRequest, before: State) -> str:
    m = label.message
    source = "" if names.scope.is_write[m.op] else f" (repair by read {names.op_name(m.op)})"
    return f"replica {m.replica} applies {names.version_name(m.version)}{source}"


def _describe_write_ack(names: Names, label: DeliverWriteAck, before: State) -> str:
    m = label.message
    op = names.op_name(m.op)
    node = (
        f"replica {m.replica}"
        if m.replica < names.scope.n
        else f"stand-in H{m.replica - names.scope.n}"
    )
    if names.scope.is_write[m.op]:
        kind = "delete" if names.scope.is_delete[m.op] else "write"
        return f"{kind} {op} receives the ack of {node}"
    return f"read {op} receives the repair ack of replica {m.replica}"


def _describe_read_request(names: Names, label: DeliverReadRequest, before: State) -> str:
    m = label.message
    held = names.version_name(before[STORE][m.replica])
    return f"replica {m.replica} answers read {names.op_name(m.op)} with {held}"


def _describe_read_response(names: Names, label: DeliverReadResponse, before: State) -> str:
    m = label.message
    text = (
        f"read {names.op_name(m.op)} receives {names.version_name(m.version)} "
        f"from replica {m.replica}"
    )
    if label.result is not None:
        text += f" and returns {names.version_name(label.result)}"
    return text


def _describe_anti_entropy(names: Names, label: AntiEntropy, before: State) -> str:
    i, j = label.replicas
    merged = max(before[STORE][i], before[STORE][j])
    return f"anti-entropy: replicas {i} and {j} both keep {names.version_name(merged)}"


def _message_owner(label: Any) -> tuple[int | None, int | None]:
    return label.message.op, label.message.replica


def _at_replica(label: Any, scope: Scope) -> Participant:
    return ("replica", label.message.replica)


def _at_client(label: Any, scope: Scope) -> Participant:
    return _client_of(label.message.op, scope)


def _message(label: Any) -> Hashable:
    return label.message


# MODEL.md's actions in its order, which is also the symbolic encoding's order.
ACTIONS: tuple[Action, ...] = (
    Action(
        Invoke,
        1,
        "Invoke",
        subject=lambda label: label.client,
        owner=lambda label: (label.op, None),
        actor=lambda label, scope: ("client", label.client),
        describe=_describe_invoke,
    ),
    Action(
        DeliverWriteRequest,
        2,
        "Deliver",
        _message,
        _message_owner,
        _at_replica,
        _describe_write_request,
        fate="delivered",
    ),
    Action(
        DeliverWriteAck,
        3,
        "Deliver",
        _message,
        _message_owner,
        _at_client,
        _describe_write_ack,
        fate="delivered",
    ),
    Action(
        DeliverReadRequest,
        4,
        "Deliver",
        _message,
        _message_owner,
        _at_replica,
        _describe_read_request,
        fate="delivered",
    ),
    Action(
        DeliverReadResponse,
        5,
        "Deliver",
        _message,
        _message_owner,
        _at_client,
        _describe_read_response,
        fate="delivered",
    ),
    Action(
        Drop,
        6,
        "Drop",
        _message,
        _message_owner,
        actor=lambda label, scope: None,  # it happens in the network, at no participant
        describe=lambda names, label, before: (
            f"the network drops {names.message_name(label.message)}"
        ),
        fate="dropped",
    ),
    Action(
        Timeout,
        7,
        "Timeout",
        subject=lambda label: label.op,
        owner=lambda label: (label.op, None),
        actor=lambda label, scope: _client_of(label.op, scope),
        describe=lambda names, label, before: (
            f"client {names.scope.ops[label.op][0]} gives up on {names.op_name(label.op)}"
        ),
        loses=lambda names, label: (f"{names.op_name(label.op)} timed out", label.op),
    ),
    Action(
        Crash,
        8,
        "Crash",
        subject=lambda label: label.replica,
        owner=lambda label: (None, label.replica),
        actor=lambda label, scope: ("replica", label.replica),
        describe=lambda names, label, before: f"replica {label.replica} crashes",
        marks=lambda label: (
            (("replica", label.replica), "crash", f"replica {label.replica} crashes"),
        ),
        loses=lambda names, label: (f"replica {label.replica} crashed", None),
    ),
    Action(
        AntiEntropy,
        9,
        "AntiEntropy",
        subject=lambda label: label.replicas,
        owner=lambda label: (None, None),  # two replicas, no op: no one part owns it
        actor=lambda label, scope: None,  # two replicas at once
        describe=_describe_anti_entropy,
        marks=lambda label: tuple(
            (("replica", mine), "anti-entropy", f"anti-entropy with {other}")
            for mine, other in (label.replicas, label.replicas[::-1])
        ),
    ),
    Action(
        Purge,
        10,
        "Purge",
        subject=lambda label: label.replica,
        owner=lambda label: (None, label.replica),
        actor=lambda label, scope: ("replica", label.replica),
        describe=lambda names, label, before: (
            f"replica {label.replica} purges the tombstone "
            f"{names.version_name(before[STORE][label.replica])}"
        ),
        marks=lambda label: ((("replica", label.replica), "purge", "purges a tombstone"),),
        symbolic=False,
        option="gc_grace",
    ),
    Action(
        Partition,
        11,
        "Partition",
        subject=lambda label: label.side,
        owner=lambda label: (None, None),
        actor=lambda label, scope: None,  # the network, between participants
        describe=lambda names, label, before: (
            f"the network splits: {names.side_names(label.side)} | "
            f"{names.side_names(label.side, other=True)}"
        ),
        loses=lambda names, label: ("the network split", None),
        option="max_partitions",
    ),
    Action(
        Heal,
        12,
        "Heal",
        subject=lambda label: None,
        owner=lambda label: (None, None),
        actor=lambda label, scope: None,
        describe=lambda names, label, before: "the network heals",
        option="max_partitions",
    ),
    Action(
        Redirect,
        13,
        "Redirect",
        subject=lambda label: (label.message, label.stand_in),
        owner=_message_owner,
        actor=lambda label, scope: ("stand-in", label.stand_in),
        describe=lambda names, label, before: (
            f"stand-in H{label.stand_in} takes {names.message_name(label.message)} "
            f"as a hint for replica {label.message.replica}"
        ),
        fate="redirected",
        option="stand_ins",
    ),
    Action(
        Handoff,
        14,
        "Handoff",
        subject=lambda label: label,
        owner=lambda label: (None, label.replica),
        actor=lambda label, scope: ("stand-in", label.stand_in),
        describe=lambda names, label, before: (
            f"stand-in H{label.stand_in} hands replica {label.replica} its hint "
            f"{names.version_name(label.version)}"
        ),
        marks=lambda label: (
            (("replica", label.replica), "handoff", f"gets a hint from H{label.stand_in}"),
        ),
        option="stand_ins",
    ),
)
ACTION_OF: dict[type, Action] = {action.label: action for action in ACTIONS}

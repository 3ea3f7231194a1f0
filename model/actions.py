"""The nine actions of MODEL.md, each a pure function: guard first, then the update.

Every action takes a state and its arguments and returns the successor states it
produces, as `(label, state)` pairs (none when the guard fails; several when the
action makes a choice, such as an arrival-order read picking its result). A label
is a plain tuple naming the action and its arguments, so a trace can be replayed.
`Transitions.successors` lists every step of a state in a fixed order: invokes by
client, deliveries by message code, drops, timeouts, crashes, anti-entropy pairs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from leaderless.model.state import (
    CRASHES,
    DROPS,
    FAIL,
    H_INVOKED,
    H_STATUS,
    HIST,
    IDLE,
    L_ACKS,
    L_AWAITING,
    L_RESPONSES,
    LIVE,
    NET,
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
    Message,
    MessageTable,
    Scope,
)

Label = tuple
Step = tuple[Label, tuple]


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
        self.drift = config.drift
        self.lww = scope.lww
        self.read_repair = config.read_repair
        self.max_drops = config.max_drops
        self.max_crashes = config.max_crashes
        self.timeouts = config.timeouts
        self.anti_entropy = config.anti_entropy
        self.table = MessageTable(scope)
        self.op_count = scope.op_count

    def _without_op(self, net: tuple, op: int, kinds: tuple[int, ...]) -> tuple:
        # A code's op is (code >> 2) % op_count: no table lookup on this hot path.
        op_count = self.op_count
        return tuple([m for m in net if (m >> 2) % op_count != op or (m & 3) not in kinds])

    # 1. Invoke(c, t)
    def invoke(
        self, state: tuple, client: int, timestamps: Iterable[int] | None = None
    ) -> list[Step]:
        """One step per timestamp choice; `timestamps` replaces MODEL.md's window of
        now ± drift, for clock models that read a client's own clock instead."""
        return list(self._invoke_steps(state, client, timestamps))

    def _invoke_steps(
        self, state: tuple, client: int, timestamps: Iterable[int] | None = None
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
            sent = tuple(scope.message(RREQ, op, i) for i in live_replicas)
            record = (PENDING, now, 0, 0, NO_RESULT)
            return ((("Invoke", client, None), self._invoked(state, now, op, record, sent)),)
        if not self.lww:
            choices: Iterable[int | None] = (None,)
        elif timestamps is not None:
            choices = timestamps
        else:
            choices = range(now - self.drift, now + self.drift + 1)
        # Lazy: a window of 2 * drift + 1 timestamps may be too many states to hold at once.
        return (self._invoke_write(state, client, op, now, live_replicas, ts) for ts in choices)

    def _invoke_write(
        self, state: tuple, client: int, op: int, now: int, live_replicas: list[int], ts: int | None
    ) -> Step:
        scope = self.scope
        version = scope.version(op, ts)
        sent = tuple(scope.message(WREQ, op, i, version) for i in live_replicas)
        record = (PENDING, now, 0, version if self.lww else 0, NO_RESULT)
        return ("Invoke", client, ts), self._invoked(state, now, op, record, sent)

    @staticmethod
    def _invoked(state: tuple, now: int, op: int, record: tuple, sent: tuple) -> tuple:
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
    def deliver_write_request(self, state: tuple, index: int, m: Message) -> tuple | None:
        replica = m.replica
        if not state[UP] >> replica & 1:
            return None
        store = state[STORE]
        held = store[replica]
        new = (max(held, m.version)) if self.lww else m.version
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
    def deliver_write_ack(self, state: tuple, index: int, m: Message) -> tuple:
        net = state[NET]
        net = net[:index] + net[index + 1 :]
        hist, live = state[HIST], state[LIVE]
        op = m.op
        record = hist[op]
        status = record[H_STATUS]
        bit = 1 << m.replica
        if status == PENDING and self.scope.is_write[op]:
            acks = live[op][L_ACKS] | bit
            if acks.bit_count() >= self.w:
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
    def deliver_read_request(self, state: tuple, index: int, m: Message) -> tuple | None:
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
    def deliver_read_response(self, state: tuple, index: int, code: int, m: Message) -> list[Step]:
        net = state[NET]
        net = net[:index] + net[index + 1 :]
        hist, live = state[HIST], state[LIVE]
        op = m.op
        record = hist[op]
        if record[H_STATUS] != PENDING:
            # Unreachable: responses to a completed read leave the network with it.
            rest = (state[DROPS], state[CRASHES], hist, live)
            return [
                (
                    ("DeliverReadResponse", code, None),
                    (state[STORE], state[UP], state[NOW], net) + rest,
                )
            ]
        responses = tuple(sorted(live[op][L_RESPONSES] + ((m.replica, m.version),)))
        if len(responses) < self.r:
            live = _replace(live, op, (0, responses, 0))
            return [
                (
                    ("DeliverReadResponse", code, None),
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
        else:
            choices = sorted({version for _, version in responses})
        steps = []
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
                    ("DeliverReadResponse", code, result),
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
    def drop(self, state: tuple, index: int) -> tuple | None:
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
    def timeout(self, state: tuple, op: int) -> tuple | None:
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
    def crash(self, state: tuple, replica: int) -> tuple | None:
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
    def anti_entropy_exchange(self, state: tuple, i: int, j: int) -> tuple | None:
        store, up = state[STORE], state[UP]
        if not self.anti_entropy or not (up >> i & 1 and up >> j & 1) or store[i] == store[j]:
            return None
        merged = max(store[i], store[j])
        store = tuple(merged if k == i or k == j else v for k, v in enumerate(store))
        return (store, up) + state[NOW:]

    def successors(self, state: tuple) -> Iterator[Step]:
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
        for index, code in enumerate(net):
            m = table[code]
            kind = m[0]
            if kind == WREQ:
                nxt = self.deliver_write_request(state, index, m)
                if nxt is not None:
                    yield ("DeliverWriteRequest", code), nxt
            elif kind == WACK:
                yield ("DeliverWriteAck", code), self.deliver_write_ack(state, index, m)
            elif kind == RREQ:
                nxt = self.deliver_read_request(state, index, m)
                if nxt is not None:
                    yield ("DeliverReadRequest", code), nxt
            else:
                yield from self.deliver_read_response(state, index, code, m)
        if state[DROPS] < self.max_drops:
            for index, code in enumerate(net):
                if (nxt := self.drop(state, index)) is not None:
                    yield ("Drop", code), nxt
        if self.timeouts:
            for op, record in enumerate(state[HIST]):
                if (record[H_STATUS] == PENDING or record[H_STATUS] == REPAIRING) and (
                    nxt := self.timeout(state, op)
                ) is not None:
                    yield ("Timeout", op), nxt
        if state[CRASHES] < self.max_crashes:
            up = state[UP]
            for replica in range(self.n):
                if up >> replica & 1 and (nxt := self.crash(state, replica)) is not None:
                    yield ("Crash", replica), nxt
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
                        yield ("AntiEntropy", i, j), nxt

"""The base model's hot loop compiled with numba: successors, fingerprints and state
properties of packed states, a batch at a time.

The Python model (`leaderless.model.actions`, `leaderless.model.properties`) stays the
readable reference; this module restates the same steps over a flat row of small
ints, so that one core explores the same space several times faster. It covers the
base semantics of MODEL.md with deletes; configurations with siblings, datacenter
levels, partitions, stand-ins or purging use the Python model (`compiled_model`
returns None). History properties are not restated: they are computed by the Python
catalogue once per distinct history, which are few, and handed to the kernel.

A row (int16) holds, at the offsets of `Layout`:

    STORE n versions | UP | NOW | DROPS | CRASHES
    HIST  per op: status, invoked, completed, version, result
    LIVE  per op: acks, awaiting, then per replica its response's version + 1 (0: none)
    NET   the number of messages, then their codes ascending, the unused slots 0

The fingerprint of a row is `hash()` of the Python state it packs, computed the way
CPython hashes a tuple (the xxHash-based tuplehash of CPython 3.8 on; an int hashes to
itself, -1 to -2), so that a search can go on from Python states to rows and rebuild
its traces with the Python model. `compiled_model` checks that agreement on the
initial state before it offers the kernel.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

import numpy as np

from leaderless.model import state as reference
from leaderless.model.actions import Transitions
from leaderless.model.properties import HISTORY, QUIESCENT, STATE, Catalogue
from leaderless.model.state import Scope

# model/state.py's codes, written out: numba caches the compiled kernel by this file
# alone, so a code taken from state.py would stay stale in the cache if it changed
# there. `compiled_model` declines the kernel unless they agree.
IDLE, PENDING, REPAIRING, OK, FAIL = 0, 1, 2, 3, 4
WREQ, WACK, RREQ, RRESP = 0, 1, 2, 3
NO_RESULT = -1
_CODES_AGREE = (IDLE, PENDING, REPAIRING, OK, FAIL, WREQ, WACK, RREQ, RRESP, NO_RESULT) == (
    reference.IDLE,
    reference.PENDING,
    reference.REPAIRING,
    reference.OK,
    reference.FAIL,
    reference.WREQ,
    reference.WACK,
    reference.RREQ,
    reference.RRESP,
    reference.NO_RESULT,
)
# The state and quiescent properties the kernel evaluates: check -> (reads, situation).
_COVERED: dict[Callable[..., str | None], tuple[str, Callable[..., bool]]] = {
    Catalogue.write_atomicity: (STATE, Catalogue.write_failed),
    Catalogue.availability: (STATE, Catalogue.op_in_flight),
    Catalogue.no_lost_update: (STATE, Catalogue.update_acknowledged),
    Catalogue.convergence: (QUIESCENT, Catalogue.written_value_on_live_replicas),
}
# CPython's hash of (0, 1) on 64 bits since 3.8 (the xxHash-based tuple hash), which
# the kernel computes; another Python cannot meet the kernel's fingerprints.
_TUPLE_HASH_OF_0_1 = -1950498447580522560

try:
    import numba
except ImportError:  # the Python model serves alone
    numba = None  # type: ignore[assignment]

ROW = np.int16
_ROW_MAX = np.iinfo(ROW).max

# Parameters, in the int64 array every kernel takes.
(
    P_N,
    P_OPS,
    P_W,
    P_R,
    P_DRIFT,
    P_LWW,
    P_REPAIR,
    P_MAX_DROPS,
    P_MAX_CRASHES,
    P_TIMEOUTS,
    P_ANTI_ENTROPY,
    P_CLIENTS,
    P_MIN_TS,
    P_H0,
    P_L0,
    P_N0,
    P_CAPACITY,
    P_WIDTH,
    P_FANOUT,
    P_WRITE_ATOMICITY,
    P_AVAILABILITY,
    P_NO_LOST_UPDATE,
    P_CONVERGENCE,
    P_SYMMETRY,
    P_COUNT,
) = range(25)
_REPAIR_CODES = {"off": 0, "async": 1, "blocking": 2}


class Layout:
    """Where each component of a state sits in a row, for one scope."""

    def __init__(self, scope: Scope) -> None:
        n, ops = scope.n, scope.op_count
        self.n, self.ops = n, ops
        self.store, self.up, self.now, self.drops, self.crashes = 0, n, n + 1, n + 2, n + 3
        self.hist = n + 4
        self.live = self.hist + 5 * ops
        self.live_width = 2 + n
        self.net = self.live + self.live_width * ops
        # Each op has at most one message per replica in flight: a request or its
        # answer (a write's wreq or wack, a read's rreq or rresp, then its repair's).
        self.capacity = n * ops
        self.width = self.net + 1 + self.capacity


def _steps_of_no_message(scope: Scope) -> int:
    """The most successors a state has besides its messages' deliveries and drops:
    invokes (one per timestamp of a write's window), timeouts, crashes, anti-entropy."""
    invokes = len(scope.ops_of_client) * (2 * scope.config.drift + 1)
    return invokes + scope.op_count + scope.n + scope.n * scope.n


if numba is not None:
    _P1 = np.uint64(11400714785074694791)
    _P2 = np.uint64(14029467366897019727)
    _P5 = np.uint64(2870177450012600261)
    _LENGTH_MIX = np.uint64(2870177450012600261 ^ 3527539)
    _ALL_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)
    _MINUS_TWO = np.uint64(0xFFFFFFFFFFFFFFFE)

    @numba.njit(cache=True, inline="always")
    def _lane(acc: np.uint64, value: int) -> np.uint64:
        lane = _MINUS_TWO if value == -1 else np.uint64(value)
        acc = acc + lane * _P2
        acc = (acc << np.uint64(31)) | (acc >> np.uint64(33))
        return acc * _P1

    @numba.njit(cache=True, inline="always")
    def _lane_hash(acc: np.uint64, lane: np.uint64) -> np.uint64:
        acc = acc + lane * _P2
        acc = (acc << np.uint64(31)) | (acc >> np.uint64(33))
        return acc * _P1

    @numba.njit(cache=True, inline="always")
    def _finish(acc: np.uint64, length: int) -> np.uint64:
        acc = acc + (np.uint64(length) ^ _LENGTH_MIX)
        if acc == _ALL_ONES:
            return np.uint64(1546275796)
        return acc

    @numba.njit(cache=True, inline="always")
    def _history_hash(s: np.ndarray, h0: int, ops: int) -> np.uint64:
        """hash() of HIST: a tuple of per-op 5-tuples."""
        hist = _P5
        for op in range(ops):
            record = _P5
            for f in range(5):
                record = _lane(record, s[h0 + 5 * op + f])
            hist = _lane_hash(hist, _finish(record, 5))
        return _finish(hist, ops)

    @numba.njit(cache=True)
    def _fingerprint(s: np.ndarray, p: np.ndarray) -> np.uint64:
        n, ops, h0, l0, n0 = p[P_N], p[P_OPS], p[P_H0], p[P_L0], p[P_N0]
        acc = _P5
        part = _P5
        for i in range(n):
            part = _lane(part, s[i])
        acc = _lane_hash(acc, _finish(part, n))
        acc = _lane(acc, s[n])
        acc = _lane(acc, s[n + 1])
        count = s[n0]
        part = _P5
        for k in range(count):
            part = _lane(part, s[n0 + 1 + k])
        acc = _lane_hash(acc, _finish(part, count))
        acc = _lane(acc, s[n + 2])
        acc = _lane(acc, s[n + 3])
        acc = _lane_hash(acc, _history_hash(s, h0, ops))
        live = _P5
        for op in range(ops):
            at = l0 + (2 + n) * op
            record = _lane(_P5, s[at])
            responses = _P5
            answered = 0
            for replica in range(n):
                if s[at + 2 + replica] != 0:
                    pair = _lane(_lane(_P5, replica), s[at + 2 + replica] - 1)
                    responses = _lane_hash(responses, _finish(pair, 2))
                    answered += 1
            record = _lane_hash(record, _finish(responses, answered))
            record = _lane(record, s[at + 1])
            live = _lane_hash(live, _finish(record, 3))
        acc = _lane_hash(acc, _finish(live, ops))
        return _finish(acc, 8)

    @numba.njit(cache=True, inline="always")
    def _code(p: np.ndarray, kind: int, op: int, replica: int, version: int) -> int:
        return (((version * p[P_N] + replica) * p[P_OPS] + op) << 2) | kind

    @numba.njit(cache=True, inline="always")
    def _remove_at(s: np.ndarray, n0: int, index: int) -> None:
        count = s[n0]
        for k in range(n0 + 1 + index, n0 + count):
            s[k] = s[k + 1]
        s[n0 + count] = 0
        s[n0] = count - 1

    @numba.njit(cache=True)
    def _insert(s: np.ndarray, p: np.ndarray, code: int) -> bool:
        """Insert in order; False when the row has no room (the caller reports it)."""
        n0 = p[P_N0]
        count = s[n0]
        if count >= p[P_CAPACITY]:
            return False
        at = n0 + 1 + count
        while at > n0 + 1 and s[at - 1] > code:
            s[at] = s[at - 1]
            at -= 1
        s[at] = code
        s[n0] = count + 1
        return True

    @numba.njit(cache=True)
    def _remove_of_op(s: np.ndarray, p: np.ndarray, op: int, kinds: int) -> None:
        """Drop the messages of `op` whose kind is in the bitmask `kinds`, keeping order."""
        n0, ops = p[P_N0], p[P_OPS]
        count = s[n0]
        kept = 0
        for k in range(count):
            code = s[n0 + 1 + k]
            if (code >> 2) % ops == op and kinds >> (code & 3) & 1:
                continue
            s[n0 + 1 + kept] = code
            kept += 1
        for k in range(kept, count):
            s[n0 + 1 + k] = 0
        s[n0] = kept

    @numba.njit(cache=True, inline="always")
    def _clear_live(s: np.ndarray, p: np.ndarray, op: int) -> None:
        at = p[P_L0] + (2 + p[P_N]) * op
        for f in range(2 + p[P_N]):
            s[at + f] = 0

    @numba.njit(cache=True)
    def _expand(rows, p, is_write, client_ops, versions):
        """Every successor of every row, in the order of Transitions.successors. Returns
        (successor rows, parent index, fingerprints, ok); ok is False when a state
        outgrew the row (cannot happen within the bound of Layout.capacity)."""
        n, ops, h0, l0, n0 = p[P_N], p[P_OPS], p[P_H0], p[P_L0], p[P_N0]
        lww, drift, repair = p[P_LWW], p[P_DRIFT], p[P_REPAIR]
        width = p[P_WIDTH]
        # Room for the most successors these rows can have: besides the steps of no
        # message, a delivery (an arrival-order read may return any of n responses)
        # and a drop per message in flight.
        room = 0
        for index in range(rows.shape[0]):
            room += p[P_FANOUT] + rows[index, n0] * (n + 1)
        out = np.empty((room, width), dtype=rows.dtype)
        parent = np.empty(room, dtype=np.int64)
        scratch = np.empty(width, dtype=rows.dtype)
        m = 0
        ok = True
        for index in range(rows.shape[0]):
            s = rows[index]
            up, now = s[n], s[n + 1]
            count = s[n0]
            # 1. Invokes, by client.
            for client in range(p[P_CLIENTS]):
                op = -1
                for k in range(client_ops.shape[1]):
                    candidate = client_ops[client, k]
                    if candidate < 0:
                        break
                    status = s[h0 + 5 * candidate]
                    if status == IDLE:
                        op = candidate
                        break
                    if status == PENDING or status == REPAIRING:
                        break
                if op < 0:
                    continue
                first, last = 0, 0  # the timestamps (their window), or one arrival write
                if is_write[op] and lww:
                    first, last = now + 1 - drift, now + 1 + drift
                for ts in range(first, last + 1):
                    t = out[m]
                    t[:] = s
                    t[n + 1] = now + 1
                    at = h0 + 5 * op
                    t[at] = PENDING
                    t[at + 1] = now + 1
                    t[at + 2] = 0
                    t[at + 4] = NO_RESULT
                    if not is_write[op]:
                        t[at + 3] = 0
                        for replica in range(n):
                            if up >> replica & 1:
                                ok &= _insert(t, p, _code(p, RREQ, op, replica, 0))
                    else:
                        version = versions[op, ts - p[P_MIN_TS]] if lww else op + 1
                        t[at + 3] = version if lww else 0
                        for replica in range(n):
                            if up >> replica & 1:
                                ok &= _insert(t, p, _code(p, WREQ, op, replica, version))
                    parent[m] = index
                    m += 1
            # 2-5. Deliveries, by message code.
            for k in range(count):
                code = s[n0 + 1 + k]
                kind = code & 3
                rest = code >> 2
                op = rest % ops
                rest //= ops
                replica = rest % n
                version = rest // n
                status = s[h0 + 5 * op]
                if kind == WREQ:
                    if not up >> replica & 1:
                        continue
                    t = out[m]
                    t[:] = s
                    if lww:
                        t[replica] = max(s[replica], version)
                    else:
                        t[replica] = version
                    _remove_at(t, n0, k)
                    if (status == PENDING and is_write[op]) or status == REPAIRING:
                        ok &= _insert(t, p, _code(p, WACK, op, replica, 0))
                    parent[m] = index
                    m += 1
                elif kind == WACK:
                    t = out[m]
                    t[:] = s
                    _remove_at(t, n0, k)
                    at = l0 + (2 + n) * op
                    bit = 1 << replica
                    if status == PENDING and is_write[op]:
                        acks = t[at] | bit
                        done = 0
                        for i in range(n):
                            done += acks >> i & 1
                        if done >= p[P_W]:
                            t[h0 + 5 * op] = OK
                            t[h0 + 5 * op + 2] = now
                            _clear_live(t, p, op)
                            _remove_of_op(t, p, op, 1 << WACK)
                        else:
                            t[at] = acks
                    elif status == REPAIRING:
                        awaiting = t[at + 1] & ~bit
                        if awaiting == 0:
                            t[h0 + 5 * op] = OK
                            t[h0 + 5 * op + 2] = now
                            _clear_live(t, p, op)
                        else:
                            t[at + 1] = awaiting
                    parent[m] = index
                    m += 1
                elif kind == RREQ:
                    if not up >> replica & 1:
                        continue
                    t = out[m]
                    t[:] = s
                    _remove_at(t, n0, k)
                    ok &= _insert(t, p, _code(p, RRESP, op, replica, s[replica]))
                    parent[m] = index
                    m += 1
                else:
                    # A scratch row: a response that completes a read under arrival
                    # order has a successor per result, each made from it.
                    t = scratch
                    t[:] = s
                    _remove_at(t, n0, k)
                    at = l0 + (2 + n) * op
                    answered = 0
                    if status == PENDING:
                        t[at + 2 + replica] = version + 1
                        for i in range(n):
                            answered += t[at + 2 + i] != 0
                        if answered < p[P_R]:
                            t[at] = 0
                            t[at + 1] = 0
                    if status != PENDING or answered < p[P_R]:
                        out[m, :] = t
                        parent[m] = index
                        m += 1
                        continue
                    _remove_of_op(t, p, op, 1 << RREQ | 1 << RRESP)
                    # The results it may return: the largest version under lww, any
                    # response's under arrival order, ascending.
                    previous = -1
                    while True:
                        result = -1
                        for i in range(n):
                            held = t[at + 2 + i] - 1
                            if held < 0:
                                continue
                            if lww:
                                if held > result:
                                    result = held
                            elif held > previous and (result < 0 or held < result):
                                result = held
                        if result < 0 or (lww and previous >= 0):
                            break
                        previous = result
                        u = out[m]
                        u[:] = t
                        stale = 0
                        for i in range(n):
                            held = t[at + 2 + i] - 1
                            if held >= 0 and held < result:
                                stale |= 1 << i
                        if stale and repair != 0:
                            for i in range(n):
                                if stale >> i & 1:
                                    ok &= _insert(u, p, _code(p, WREQ, op, i, result))
                        _clear_live(u, p, op)
                        u[h0 + 5 * op + 3] = 0
                        u[h0 + 5 * op + 4] = result
                        if stale and repair == 2:
                            u[h0 + 5 * op] = REPAIRING
                            u[h0 + 5 * op + 2] = 0
                            u[at + 1] = stale
                        else:
                            u[h0 + 5 * op] = OK
                            u[h0 + 5 * op + 2] = now
                        parent[m] = index
                        m += 1
            # 6. Drops.
            if s[n + 2] < p[P_MAX_DROPS]:
                for k in range(count):
                    t = out[m]
                    t[:] = s
                    _remove_at(t, n0, k)
                    t[n + 2] += 1
                    parent[m] = index
                    m += 1
            # 7. Timeouts.
            if p[P_TIMEOUTS]:
                for op in range(ops):
                    status = s[h0 + 5 * op]
                    if status != PENDING and status != REPAIRING:
                        continue
                    t = out[m]
                    t[:] = s
                    t[h0 + 5 * op] = FAIL
                    t[h0 + 5 * op + 2] = now
                    t[h0 + 5 * op + 4] = NO_RESULT
                    _clear_live(t, p, op)
                    _remove_of_op(t, p, op, 1 << WACK | 1 << RREQ | 1 << RRESP)
                    parent[m] = index
                    m += 1
            # 8. Crashes.
            if s[n + 3] < p[P_MAX_CRASHES]:
                for replica in range(n):
                    if not up >> replica & 1:
                        continue
                    t = out[m]
                    t[:] = s
                    kept = 0
                    for k in range(count):
                        code = s[n0 + 1 + k]
                        kind = code & 3
                        if (kind == WREQ or kind == RREQ) and (code >> 2) // ops % n == replica:
                            continue
                        t[n0 + 1 + kept] = code
                        kept += 1
                    for k in range(kept, count):
                        t[n0 + 1 + k] = 0
                    t[n0] = kept
                    t[n] = up & ~(1 << replica)
                    t[n + 3] += 1
                    parent[m] = index
                    m += 1
            # 9. Anti-entropy, by pair.
            if p[P_ANTI_ENTROPY]:
                for i in range(n):
                    for j in range(i + 1, n):
                        if s[i] == s[j] or not (up >> i & 1 and up >> j & 1):
                            continue
                        t = out[m]
                        t[:] = s
                        merged = max(s[i], s[j])
                        t[i] = merged
                        t[j] = merged
                        parent[m] = index
                        m += 1
        return out[:m], parent[:m], _fingerprints(out[:m], p), ok

    @numba.njit(cache=True)
    def _signature_before(sig: np.ndarray, length: np.ndarray, a: int, b: int) -> bool:
        """Whether signature a sorts before signature b, as Python compares lists."""
        for k in range(min(length[a], length[b])):
            if sig[a, k] != sig[b, k]:
                return sig[a, k] < sig[b, k]
        return length[a] < length[b]

    @numba.njit(cache=True)
    def _canonical_fingerprint(s: np.ndarray, p: np.ndarray, sig: np.ndarray) -> np.uint64:
        """hash(Symmetry.canonical_key(state)): the replicas' signatures sorted, then
        now, the fault budgets and the history (model/symmetry.py says why that key
        identifies a state up to renaming replicas)."""
        n, ops, h0, l0, n0 = p[P_N], p[P_OPS], p[P_H0], p[P_L0], p[P_N0]
        length = np.zeros(n, dtype=np.int64)
        for i in range(n):
            sig[i, 0] = s[i]
            sig[i, 1] = s[n] >> i & 1
            length[i] = 2
        stride = ops << 2
        for k in range(s[n0]):
            code = np.int64(s[n0 + 1 + k])
            replica = (code >> 2) // ops % n
            sig[replica, length[replica]] = code - replica * stride
            length[replica] += 1
        for op in range(ops):
            at = l0 + (2 + n) * op
            acks, awaiting = s[at], s[at + 1]
            for i in range(n):
                if acks >> i & 1:
                    sig[i, length[i]] = -2 - 3 * op
                    length[i] += 1
            for i in range(n):
                if awaiting >> i & 1:
                    sig[i, length[i]] = -4 - 3 * op
                    length[i] += 1
            for i in range(n):
                if s[at + 2 + i] != 0:
                    sig[i, length[i]] = -3 * (1 + op + ops * (s[at + 2 + i] - 1))
                    length[i] += 1
        order = np.arange(n)
        for i in range(1, n):  # insertion sort: n is small
            j = i
            while j > 0 and _signature_before(sig, length, order[j], order[j - 1]):
                order[j], order[j - 1] = order[j - 1], order[j]
                j -= 1
        signatures = _P5
        for i in range(n):
            one = _P5
            for k in range(length[order[i]]):
                one = _lane_hash(one, np.uint64(sig[order[i], k]))
            signatures = _lane_hash(signatures, _finish(one, length[order[i]]))
        acc = _lane_hash(_P5, _finish(signatures, n))
        acc = _lane(acc, s[n + 1])
        acc = _lane(acc, s[n + 2])
        acc = _lane(acc, s[n + 3])
        acc = _lane_hash(acc, _history_hash(s, h0, ops))
        return _finish(acc, 5)

    @numba.njit(cache=True)
    def _fingerprints(rows, p):
        """Each row's fingerprint: of its state, or under symmetry of its class."""
        fingerprints = np.empty(rows.shape[0], dtype=np.uint64)
        sig = np.empty((p[P_N], 2 + p[P_CAPACITY] + 3 * p[P_OPS]), dtype=np.int64)
        for k in range(rows.shape[0]):
            if p[P_SYMMETRY]:
                fingerprints[k] = _canonical_fingerprint(rows[k], p, sig)
            else:
                fingerprints[k] = _fingerprint(rows[k], p)
        return fingerprints

    @numba.njit(cache=True)
    def _check(
        rows,
        p,
        is_write,
        history,
        violated_by_history,
        reached_by_history,
        contexts,
        wanted,
        unreached,
    ):
        """The state and quiescent properties (Catalogue.write_atomicity, availability,
        no_lost_update, convergence and their situations) of each row, with its
        history's bits (computed by the Python catalogue) added."""
        n, ops, h0, l0, n0 = p[P_N], p[P_OPS], p[P_H0], p[P_L0], p[P_N0]
        atomicity, availability = p[P_WRITE_ATOMICITY], p[P_AVAILABILITY]
        lost_update, convergence = p[P_NO_LOST_UPDATE], p[P_CONVERGENCE]
        violated = np.zeros(rows.shape[0], dtype=np.int64)
        reached = np.zeros(rows.shape[0], dtype=np.int64)
        in_flight = np.zeros(ops, dtype=np.int64)
        for index in range(rows.shape[0]):
            s = rows[index]
            h = history[index]
            up = s[n]
            count = s[n0]
            bad = violated_by_history[h] & wanted
            seen = reached_by_history[h] & unreached
            failed = False
            acknowledged = 0
            active = False
            for op in range(ops):
                status = s[h0 + 5 * op]
                if is_write[op] and status == FAIL:
                    failed = True
                if is_write[op] and status == OK:
                    acknowledged |= 1 << op
                if status == PENDING or status == REPAIRING:
                    active = True
            if atomicity >= 0:
                bit = np.int64(1) << atomicity
                if unreached & bit and failed:
                    seen |= bit
                if wanted & bit and failed:
                    for replica in range(n):
                        version = s[replica]
                        if not up >> replica & 1 or version == 0:
                            continue
                        writer = (version - 1) % ops
                        if (
                            is_write[writer]
                            and s[h0 + 5 * writer] == FAIL
                            and (not p[P_LWW] or s[h0 + 5 * writer + 3] == version)
                        ):
                            bad |= bit
                            break
            if availability >= 0:
                bit = np.int64(1) << availability
                if unreached & bit and active:
                    seen |= bit
                if wanted & bit and active:
                    in_flight[:] = 0
                    for k in range(count):
                        code = s[n0 + 1 + k]
                        replica = (code >> 2) // ops % n
                        if (code & 3) != WREQ or up >> replica & 1:
                            in_flight[(code >> 2) % ops] += 1
                    for op in range(ops):
                        status = s[h0 + 5 * op]
                        at = l0 + (2 + n) * op
                        if status == PENDING and is_write[op]:
                            acks = 0
                            for i in range(n):
                                acks += s[at] >> i & 1
                            if acks + in_flight[op] < p[P_W]:
                                bad |= bit
                                break
                        elif status == PENDING:
                            answered = 0
                            for i in range(n):
                                answered += s[at + 2 + i] != 0
                            if answered + in_flight[op] < p[P_R]:
                                bad |= bit
                                break
                        elif status == REPAIRING:
                            awaiting = s[at + 1]
                            for k in range(count):
                                code = s[n0 + 1 + k]
                                kind = code & 3
                                if (code >> 2) % ops == op and (kind == WACK or kind == WREQ):
                                    awaiting &= ~(1 << (code >> 2) // ops % n)
                            if awaiting:
                                bad |= bit
                                break
            if lost_update >= 0:
                bit = np.int64(1) << lost_update
                if unreached & bit and acknowledged:
                    seen |= bit
                if wanted & bit and acknowledged:
                    lost = acknowledged
                    for replica in range(n):
                        version = s[replica]
                        if up >> replica & 1 and version != 0:
                            writer = (version - 1) % ops
                            lost &= ~((1 << writer) | contexts[h, writer])
                    for k in range(count):
                        code = s[n0 + 1 + k]
                        rest = code >> 2
                        replica = rest // ops % n
                        version = rest // ops // n
                        if (code & 3) == WREQ and up >> replica & 1 and version != 0:
                            writer = (version - 1) % ops
                            lost &= ~((1 << writer) | contexts[h, writer])
                    if lost:
                        bad |= bit
            if convergence >= 0 and not active and count == 0:
                bit = np.int64(1) << convergence
                live = 0
                written = False
                differ = False
                first = -1
                for replica in range(n):
                    if up >> replica & 1:
                        live += 1
                        written |= s[replica] != 0
                        if first < 0:
                            first = s[replica]
                        elif s[replica] != first:
                            differ = True
                if unreached & bit and live >= 2 and written:
                    seen |= bit
                # Under anti-entropy, convergence reads the fixpoint of the exchanges.
                if wanted & bit and differ and not p[P_ANTI_ENTROPY]:
                    bad |= bit
            violated[index] = bad
            reached[index] = seen
        return violated, reached


class CompiledReplicationModel:
    """The `CompiledModel` (checker/protocol.py) of a ReplicationModel whose
    configuration the kernel covers; made by `compiled_model`."""

    def __init__(self, scope: Scope, catalogue: Catalogue, symmetry: bool) -> None:
        config = scope.config
        self.scope = scope
        self.catalogue = catalogue
        self.layout = layout = Layout(scope)
        self.width = layout.width
        clients = scope.ops_of_client
        self._client_ops = np.full(
            (len(clients), max(map(len, clients), default=0) or 1), -1, dtype=np.int64
        )
        for client, ops in enumerate(clients):
            self._client_ops[client, : len(ops)] = ops
        self._is_write = np.array(scope.is_write, dtype=np.int64)
        max_ts = scope.op_count + config.drift
        self._versions = np.zeros((scope.op_count, max_ts - scope.min_timestamp + 1), np.int64)
        if scope.lww:
            for op in range(scope.op_count):
                for ts in range(scope.min_timestamp, max_ts + 1):
                    self._versions[op, ts - scope.min_timestamp] = scope.version(op, ts)
        p = np.zeros(P_COUNT, dtype=np.int64)
        p[P_N], p[P_OPS], p[P_W], p[P_R] = scope.n, scope.op_count, config.w, config.r
        p[P_DRIFT], p[P_LWW] = config.drift, scope.lww
        p[P_REPAIR] = _REPAIR_CODES[config.read_repair]
        p[P_MAX_DROPS], p[P_MAX_CRASHES] = config.max_drops, config.max_crashes
        p[P_TIMEOUTS], p[P_ANTI_ENTROPY] = config.timeouts, config.anti_entropy
        p[P_CLIENTS], p[P_MIN_TS] = len(clients), scope.min_timestamp
        p[P_H0], p[P_L0], p[P_N0] = layout.hist, layout.live, layout.net
        p[P_CAPACITY], p[P_WIDTH], p[P_FANOUT] = (
            layout.capacity,
            layout.width,
            _steps_of_no_message(scope),
        )
        p[P_SYMMETRY] = symmetry
        checks = {
            P_WRITE_ATOMICITY: Catalogue.write_atomicity,
            P_AVAILABILITY: Catalogue.availability,
            P_NO_LOST_UPDATE: Catalogue.no_lost_update,
            P_CONVERGENCE: Catalogue.convergence,
        }
        for slot, check in checks.items():
            p[slot] = next(
                (i for i, prop in enumerate(catalogue.properties) if prop.check is check), -1
            )
        self._params = p
        # Per distinct history met so far: its index, its history-property bits
        # (violated, situations) and its ops' causal contexts.
        self._histories: dict[bytes, int] = {}
        self._violated_by_history = np.zeros(64, dtype=np.int64)
        self._reached_by_history = np.zeros(64, dtype=np.int64)
        self._contexts = np.zeros((64, scope.op_count), dtype=np.int64)

    # Packing, for the states a search hands over and for the tests.
    def pack(self, states: Sequence[tuple]) -> np.ndarray:
        layout, n = self.layout, self.scope.n
        rows = np.zeros((len(states), layout.width), dtype=ROW)
        for row, state in zip(rows, states):
            store, up, now, net, drops, crashes, hist, live = state
            row[:n] = store
            row[layout.up], row[layout.now] = up, now
            row[layout.drops], row[layout.crashes] = drops, crashes
            row[layout.hist : layout.live] = [field for record in hist for field in record]
            for op, (acks, responses, awaiting) in enumerate(live):
                at = layout.live + layout.live_width * op
                row[at], row[at + 1] = acks, awaiting
                for replica, version in responses:
                    row[at + 2 + replica] = version + 1
            if len(net) > layout.capacity:
                raise ValueError(f"{len(net)} messages in flight, above the row's room")
            row[layout.net] = len(net)
            row[layout.net + 1 : layout.net + 1 + len(net)] = net
        return rows

    def unpack(self, row: np.ndarray) -> tuple:
        layout, n, ops = self.layout, self.scope.n, self.scope.op_count
        values = row.tolist()
        hist = self._hist(values)
        live = []
        for op in range(ops):
            at = layout.live + layout.live_width * op
            responses = tuple(
                (replica, values[at + 2 + replica] - 1)
                for replica in range(n)
                if values[at + 2 + replica]
            )
            live.append((values[at], responses, values[at + 1]))
        count = values[layout.net]
        net = tuple(values[layout.net + 1 : layout.net + 1 + count])
        return (
            tuple(values[:n]),
            values[layout.up],
            values[layout.now],
            net,
            values[layout.drops],
            values[layout.crashes],
            hist,
            tuple(live),
        )

    def _hist(self, values: list[int]) -> tuple:
        at = self.layout.hist
        return tuple(
            tuple(values[at + 5 * op : at + 5 * op + 5]) for op in range(self.scope.op_count)
        )

    def fingerprints(self, rows: np.ndarray) -> np.ndarray:
        return _fingerprints(rows, self._params)

    def expand(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        out, parents, fingerprints, ok = _expand(
            np.ascontiguousarray(rows),
            self._params,
            self._is_write,
            self._client_ops,
            self._versions,
        )
        if not ok:
            raise RuntimeError("a state outgrew the compiled kernel's row")
        return out, parents, fingerprints

    def check(self, rows: np.ndarray, wanted: int, unreached: int) -> tuple[np.ndarray, np.ndarray]:
        history = self._history_indices(rows)
        return _check(
            np.ascontiguousarray(rows),
            self._params,
            self._is_write,
            history,
            self._violated_by_history,
            self._reached_by_history,
            self._contexts,
            np.int64(wanted),
            np.int64(unreached),
        )

    def _history_indices(self, rows: np.ndarray) -> np.ndarray:
        """Each row's history as an index into the per-history arrays, the histories
        not met before evaluated by the Python catalogue."""
        layout = self.layout
        columns = np.ascontiguousarray(rows[:, layout.hist : layout.live])
        keys = columns.view(np.dtype((np.void, columns.shape[1] * columns.itemsize))).ravel()
        unique, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        indices = np.empty(len(unique), dtype=np.int64)
        known = self._histories
        for k, key in enumerate(unique.tolist()):
            index = known.get(key)
            if index is None:
                index = known[key] = len(known)
                self._learn(index, rows[first[k]])
            indices[k] = index
        return indices[inverse.ravel()]

    def _learn(self, index: int, row: np.ndarray) -> None:
        if index >= len(self._violated_by_history):
            grown = 2 * len(self._violated_by_history)
            self._violated_by_history = np.resize(self._violated_by_history, grown)
            self._reached_by_history = np.resize(self._reached_by_history, grown)
            self._contexts = np.resize(self._contexts, (grown, self.scope.op_count))
        hist = self._hist(row.tolist())
        violated, reached, contexts = self.catalogue.history_facts(hist)
        self._violated_by_history[index] = violated
        self._reached_by_history[index] = reached
        self._contexts[index] = contexts


def compiled_model(
    transitions: Transitions,
    catalogue: Catalogue,
    symmetry: bool = False,
) -> CompiledReplicationModel | None:
    """The compiled kernel for this relation and catalogue, or None where it does not
    cover them (see the module docstring) or numba is missing. With `symmetry`, a row's
    fingerprint is the hash of its state's canonical key (model/symmetry.py)."""
    scope = transitions.scope
    config = scope.config
    if (
        numba is None
        or not _CODES_AGREE
        or sys.hash_info.width != 64
        or hash((0, 1)) != _TUPLE_HASH_OF_0_1
        or type(transitions) is not Transitions
        or scope.siblings
        or scope.needs is not None
        or config.gc_grace is not None
        or scope.nodes != scope.n
        or (symmetry and len(scope.dc_masks) > 1)
    ):
        return None
    kernel_properties = [p for p in catalogue.properties if p.reads != HISTORY]
    if any(_COVERED.get(p.check) != (p.reads, p.reached) for p in kernel_properties) or len(
        {p.check for p in kernel_properties}
    ) < len(kernel_properties):
        return None  # a state property it does not know, or one it knows twice
    latest = scope.op_count + config.drift  # now never passes the number of ops
    largest_version = max(
        scope.version(op, latest if scope.lww else None) for op in range(scope.op_count)
    )
    largest_code = scope.message(RRESP, scope.op_count - 1, scope.n - 1, largest_version)
    # Every code must fit a field; replica bitmasks too, and op bitmasks an int64.
    if largest_code > _ROW_MAX or scope.n > 14 or scope.op_count > 62:
        return None
    return CompiledReplicationModel(scope, catalogue, symmetry)

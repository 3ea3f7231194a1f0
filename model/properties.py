"""The property catalogue: stable ids, one-line meanings, applicability, predicates.

Every property is an invariant over one state. A predicate returns None when the
state satisfies it, or a sentence saying why it breaks, so the checker's verdict and
the trace's last line come from the same code.

Every property also names its situation: what a state must show for the property to
be able to break there (an ok read after an acknowledged write, for stale-read). The
checker reports whether any explored state reached it, so a property that holds only
because its situation never arose is shown as holding vacuously (Stateright pairs its
invariants with `sometimes` properties for the same reason). A situation is a
necessary condition of a violation: tests/test_vacuity.py checks that on every state
of several configurations.

Each entry says what its predicate reads (see READS): history properties read only
the ops' history records (HIST), which most successors share with their parent, so
`Catalogue.violations` caches them per history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from leaderless.model.config import Config
from leaderless.model.levels import meets
from leaderless.model.state import (
    FAIL,
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
    NIL,
    OK,
    PENDING,
    REPAIRING,
    STORE,
    UP,
    WACK,
    WREQ,
    MessageTable,
    Scope,
    State,
    merge_siblings,
)

# What a property's predicate reads, which decides when the checker evaluates it.
HISTORY = "history"  # the ops' history records (HIST) alone: evaluated once per history
STATE = "state"  # the whole state: evaluated on every state
QUIESCENT = "quiescent state"  # the whole state, only once no op is in flight and NET is empty
READS = (HISTORY, STATE, QUIESCENT)


@dataclass(frozen=True)
class Property:
    """A guarantee with a stable id, a one-line meaning, where it applies and its predicate.

    `check(catalogue, x)` gets the history (reads=HISTORY) or the state (otherwise) and
    returns None when the property holds there, else why it breaks. The checker
    evaluates every applicable entry through `reads`, so a new entry cannot go unchecked.
    `reached(catalogue, x)` gets the same and says whether x is in the property's
    `situation`; every x that `check` rejects must be in it. Neither predicate may
    depend on which replica is which: symmetry reduction keeps one state per renaming
    of replicas.
    """

    id: str
    meaning: str
    applies: Callable[[Config], bool]
    reads: str
    check: Callable[[Catalogue, tuple], str | None]
    situation: str  # in words, completing "never reached: ..."
    reached: Callable[[Catalogue, tuple], bool]


def _writes(config: Config) -> bool:
    """Some client updates the register: "write" in MODEL.md's properties reads write or
    delete (docs/MODEL.md's extension)."""
    return any("w" in script or "d" in script for script in config.clients)


def _updates_then_reads(script: str) -> bool:
    first = min((script.find(op) for op in "wd" if op in script), default=-1)
    return first >= 0 and "r" in script[first:]


def _nil_readable(config: Config) -> bool:
    """NIL still means "saw no update": false once purging may forget a delete."""
    return config.gc_grace is None or not config.has_deletes


def _reads(config: Config) -> bool:
    return any("r" in script for script in config.clients)


def _precedes(a: tuple, b: tuple) -> bool:
    """a -> b: a has completed, b has been invoked, and a completed before b was invoked."""
    return a[H_COMPLETED] != 0 and b[H_INVOKED] != 0 and a[H_COMPLETED] < b[H_INVOKED]


# What the per-history cache keeps: (violated history properties, versions of failed
# writes, ops in flight, history properties whose situation the history is in).
_HistoryEntry = tuple[int, frozenset[int], tuple[int, ...], int]


class Catalogue:
    """The predicates bound to one scope, with the per-history cache."""

    def __init__(self, scope: Scope, properties: tuple[Property, ...]) -> None:
        self.scope = scope
        self.properties = properties
        config = scope.config
        self.applicable = 0
        by_reads: dict[str, list[tuple[int, Property]]] = {kind: [] for kind in READS}
        for index, prop in enumerate(properties):
            if prop.reads not in by_reads:
                raise ValueError(
                    f"property {prop.id}: reads {prop.reads!r}; allowed {', '.join(READS)}"
                )
            if prop.applies(config):
                self.applicable |= 1 << index
                by_reads[prop.reads].append((1 << index, prop))
        self._on_history = tuple((bit, p.check) for bit, p in by_reads[HISTORY])
        self._on_state = tuple((bit, p.check) for bit, p in by_reads[STATE])
        self._on_quiescent = tuple((bit, p.check) for bit, p in by_reads[QUIESCENT])
        self._reached_on_history = tuple((bit, p.reached) for bit, p in by_reads[HISTORY])
        self._reached_on_state = tuple((bit, p.reached) for bit, p in by_reads[STATE])
        self._reached_on_quiescent = tuple((bit, p.reached) for bit, p in by_reads[QUIESCENT])
        self._state_bits = sum(bit for bit, _ in self._on_state)
        self._quiescent_bits = sum(bit for bit, _ in self._on_quiescent)
        self._history_cache: dict[tuple, _HistoryEntry] = {}
        self._last_history: tuple | None = None
        self._last_entry: _HistoryEntry = (0, frozenset(), (), 0)
        self._updates_cache: dict[tuple, tuple[int, tuple[int, ...]]] = {}
        self.table = MessageTable(scope)

    # Naming, for the sentences the predicates return.
    def op_name(self, op: int) -> str:
        client, k = self.scope.ops[op]
        kind = "r" if not self.scope.is_write[op] else "d" if self.scope.is_delete[op] else "w"
        return f"{kind}({client},{k})"

    def version_name(self, code: int) -> str:
        if self.scope.siblings and code.bit_count() > 1:
            return "{" + ",".join(map(self.op_name, self.scope.writers(code))) + "}"
        ts, op = self.scope.version_parts(code)
        if op is None:
            return "NIL"
        return self.op_name(op) if ts is None else f"{self.op_name(op)}@{ts}"

    def _writer(self, code: int) -> int | None:
        """The write whose value a version carries, None for NIL (and, under siblings,
        the one sibling of a set of one)."""
        if code == NIL:
            return None
        return code.bit_length() - 1 if self.scope.siblings else (code - 1) % self.scope.op_count

    def _ok_reads(self, hist: tuple) -> list[int]:
        is_write = self.scope.is_write
        return [o for o, rec in enumerate(hist) if not is_write[o] and rec[H_STATUS] == OK]

    # History properties.
    def stale_read(self, hist: tuple) -> str | None:
        return self._stale(hist, same_client=False)

    def read_your_writes(self, hist: tuple) -> str | None:
        return self._stale(hist, same_client=True)

    def _stale(self, hist: tuple, same_client: bool) -> str | None:
        scope = self.scope
        for read in self._ok_reads(hist):
            if scope.siblings and hist[read][H_RESULT].bit_count() > 1:
                stale = self._stale_siblings(hist, read, same_client)
                if stale is not None:
                    return stale
                continue
            x = self._writer(hist[read][H_RESULT])
            for write, rec in enumerate(hist):
                if not scope.is_write[write] or rec[H_STATUS] != OK:
                    continue
                if same_client and scope.ops[write][0] != scope.ops[read][0]:
                    continue
                if not _precedes(rec, hist[read]):
                    continue
                if x is None:
                    return (
                        f"read {self.op_name(read)} returned NIL, although write "
                        f"{self.op_name(write)} was acknowledged before the read began"
                    )
                if _precedes(hist[x], rec):
                    return (
                        f"read {self.op_name(read)} returned {self.op_name(x)}, which "
                        f"finished before write {self.op_name(write)} began, and "
                        f"{self.op_name(write)} was acknowledged before the read began"
                    )
        return None

    def _stale_siblings(self, hist: tuple, read: int, same_client: bool) -> str | None:
        """stale-read of a read that returned several siblings: every one of them
        finished before an acknowledged write that preceded the read began."""
        scope = self.scope
        result = hist[read][H_RESULT]
        siblings = scope.writers(result)
        for write, rec in enumerate(hist):
            if not scope.is_write[write] or rec[H_STATUS] != OK:
                continue
            if same_client and scope.ops[write][0] != scope.ops[read][0]:
                continue
            if _precedes(rec, hist[read]) and all(_precedes(hist[x], rec) for x in siblings):
                return (
                    f"read {self.op_name(read)} returned {self.version_name(result)}, "
                    f"each of which finished before write {self.op_name(write)} began, "
                    f"and {self.op_name(write)} was acknowledged before the read began"
                )
        return None

    def monotonic_reads(self, hist: tuple) -> str | None:
        if self.scope.siblings:
            return self._monotonic_siblings(hist)
        reads = self._ok_reads(hist)
        ops = self.scope.ops
        for first in reads:
            x1 = self._writer(hist[first][H_RESULT])
            if x1 is None:
                continue
            for second in reads:
                if ops[first][0] != ops[second][0] or not _precedes(hist[first], hist[second]):
                    continue
                x2 = self._writer(hist[second][H_RESULT])
                if x2 is None or _precedes(hist[x2], hist[x1]):
                    shown = "NIL" if x2 is None else self.op_name(x2)
                    return (
                        f"read {self.op_name(second)} returned {shown}, older than "
                        f"{self.op_name(x1)} which the same client's earlier read "
                        f"{self.op_name(first)} returned"
                    )
        return None

    def _monotonic_siblings(self, hist: tuple) -> str | None:
        """monotonic-reads over sibling sets: the later read's siblings (none: NIL) all
        finished before some sibling the earlier read returned began."""
        reads = self._ok_reads(hist)
        ops, writers = self.scope.ops, self.scope.writers
        for first in reads:
            x1s = writers(hist[first][H_RESULT])
            if not x1s:
                continue
            for second in reads:
                if ops[first][0] != ops[second][0] or not _precedes(hist[first], hist[second]):
                    continue
                x2s = writers(hist[second][H_RESULT])
                if all(any(_precedes(hist[x2], hist[x1]) for x1 in x1s) for x2 in x2s):
                    return (
                        f"read {self.op_name(second)} returned "
                        f"{self.version_name(hist[second][H_RESULT])}, older than what the "
                        f"same client's earlier read {self.op_name(first)} returned, "
                        f"{self.version_name(hist[first][H_RESULT])}"
                    )
        return None

    def aborted_read(self, hist: tuple) -> str | None:
        for read in self._ok_reads(hist):
            for x in self.scope.writers(hist[read][H_RESULT]):
                if hist[x][H_STATUS] == FAIL:
                    return (
                        f"read {self.op_name(read)} returned the value of write "
                        f"{self.op_name(x)}, which failed"
                    )
        return None

    def lww_order(self, hist: tuple) -> str | None:
        writes = [o for o in range(len(hist)) if self.scope.is_write[o]]
        for a in writes:
            for b in writes:
                if (
                    hist[b][H_STATUS] == OK
                    and _precedes(hist[a], hist[b])
                    and hist[a][H_VERSION] > hist[b][H_VERSION]
                ):
                    return (
                        f"write {self.op_name(b)} got {self.version_name(hist[b][H_VERSION])}, "
                        f"below {self.version_name(hist[a][H_VERSION])} of write "
                        f"{self.op_name(a)} which finished before it began: the older "
                        "write wins"
                    )
        return None

    def no_resurrection(self, hist: tuple) -> str | None:
        scope = self.scope
        for read in self._ok_reads(hist):
            result = hist[read][H_RESULT]
            if result == NIL or scope.is_tombstone(result):
                continue
            x = (result - 1) % scope.op_count
            for delete, rec in enumerate(hist):
                if (
                    scope.is_delete[delete]
                    and rec[H_STATUS] == OK
                    and _precedes(rec, hist[read])
                    and result < rec[H_VERSION]
                    and not _precedes(rec, hist[x])
                ):
                    return (
                        f"read {self.op_name(read)} returned {self.version_name(result)}, "
                        f"the value of write {self.op_name(x)}, although delete "
                        f"{self.op_name(delete)} ({self.version_name(rec[H_VERSION])}, "
                        "above it) was acknowledged before the read began: deleted data "
                        "came back"
                    )
        return None

    def linearizable(self, hist: tuple) -> str | None:
        if _linearizable(self.scope.is_write, self.scope.is_delete, hist):
            return None
        shown = []
        for op, rec in enumerate(hist):
            status = rec[H_STATUS]
            if status == OK or (self.scope.is_write[op] and status in (PENDING, FAIL)):
                span = f"[{rec[H_INVOKED]},{rec[H_COMPLETED] or '..'}]"
                result = ""
                if not self.scope.is_write[op]:
                    result = f"->{self.version_name(rec[H_RESULT])}"
                elif status != OK:
                    result = f" {('pending', 'failed')[status == FAIL]}"
                shown.append(f"{self.op_name(op)}{span}{result}")
        return (
            "no order of the operations respects real time with every read returning "
            "the latest write before it: " + ", ".join(shown)
        )

    # State properties.
    def write_atomicity(self, state: State) -> str | None:
        failed = self._history(state[HIST])[1]
        if not failed:
            return None
        up = state[UP]
        siblings = self.scope.siblings
        for replica, version in enumerate(state[STORE]):
            if not up >> replica & 1:
                continue
            if siblings:
                holds_failed = [w for w in self.scope.writers(version) if 1 << w in failed]
                if holds_failed:
                    return (
                        f"replica {replica} is up and stores {self.version_name(version)}, "
                        f"holding the value of write {self.op_name(holds_failed[0])}, "
                        "which failed"
                    )
            elif version in failed:
                writer = (version - 1) % self.scope.op_count  # not NIL: failed writes have one
                return (
                    f"replica {replica} is up and stores {self.version_name(version)}, "
                    f"the value of write {self.op_name(writer)}, which failed"
                )
        return None

    def no_lost_update(self, state: State) -> str | None:
        ok_updates, contexts = self._updates(state[HIST])
        if not ok_updates:
            return None
        scope, up = self.scope, state[UP]
        writers = scope.writers

        def covered(version: int) -> int:
            mask = 0
            for writer in writers(version):
                mask |= 1 << writer | contexts[writer]
            return mask

        lost = ok_updates
        for replica, version in enumerate(state[STORE]):
            if up >> replica & 1:
                lost &= ~covered(version)
                if not lost:
                    return None
        table = self.table
        for code in state[NET]:
            kind, _, replica, version = table[code]
            if kind == WREQ and up >> replica & 1:
                lost &= ~covered(version)
        if scope.config.stand_ins:
            for held in state[HINTS]:
                for _, version in held:
                    lost &= ~covered(version)
        if not lost:
            return None
        update = (lost & -lost).bit_length() - 1
        return (
            f"{'delete' if scope.is_delete[update] else 'write'} {self.op_name(update)} was "
            "acknowledged, but no live replica, request in flight or hint holds it, nor a "
            "write whose client had read it: it was silently discarded"
        )

    def _updates(self, hist: tuple) -> tuple[int, tuple[int, ...]]:
        """The ok updates of a history, as a bitmask, and every op's causal context
        (docs/MODEL.md: what its client's last ok read returned, with their contexts)."""
        entry = self._updates_cache.get(hist)
        if entry is not None:
            return entry
        scope = self.scope
        ok_updates = 0
        for op, rec in enumerate(hist):
            if scope.is_write[op] and rec[H_STATUS] == OK:
                ok_updates |= 1 << op
        if scope.siblings:
            contexts = tuple(
                rec[H_VERSION] if scope.is_write[op] else 0 for op, rec in enumerate(hist)
            )
        else:
            found: dict[int, int] = {}

            def context(op: int) -> int:
                if op not in found:
                    found[op] = 0
                    client, k = scope.ops[op]
                    for read in reversed(scope.ops_of_client[client][:k]):
                        if not scope.is_write[read] and hist[read][H_STATUS] == OK:
                            for writer in scope.writers(hist[read][H_RESULT]):
                                found[op] |= 1 << writer | context(writer)
                            break
                return found[op]

            contexts = tuple(
                context(op) if scope.is_write[op] and hist[op][H_INVOKED] else 0
                for op in range(len(hist))
            )
        entry = self._updates_cache[hist] = (ok_updates, contexts)
        return entry

    def convergence(self, state: State) -> str | None:
        """Read on quiescent states only (see QUIESCENT)."""
        up = state[UP]
        live = [(i, v) for i, v in enumerate(state[STORE]) if up >> i & 1]
        if self.scope.config.anti_entropy:
            # Pairwise max (or merge) over live replicas reaches its fixpoint when all
            # hold the max (the merge of every sibling set).
            if self.scope.siblings:
                union = 0
                for _, v in live:
                    union |= v
                top = merge_siblings(state[HIST], union)
            else:
                top = max((v for _, v in live), default=NIL)
            live = [(i, top) for i, _ in live]
        for i, vi in live:
            for j, vj in live:
                if vi != vj:
                    return (
                        f"nothing is in flight, yet live replicas {i} and {j} hold "
                        f"{self.version_name(vi)} and {self.version_name(vj)}"
                    )
        return None

    def availability(self, state: State) -> str | None:
        hist, live, net, up = state[HIST], state[LIVE], state[NET], state[UP]
        active = self._history(hist)[2]
        if not active:
            return None
        table = self.table
        config = self.scope.config
        if self.scope.needs is not None:
            return self._availability_by_level(state, active)
        if config.stand_ins:
            return self._availability_with_stand_ins(state, active)
        # A pending op's messages in flight all count towards its quorum, except
        # requests to replicas that are down (only a repair can send one there).
        in_flight = [0] * self.scope.op_count
        for code in net:
            kind, op, replica, _ = table[code]
            if kind != WREQ or up >> replica & 1:
                in_flight[op] += 1
        for op in active:
            status = hist[op][H_STATUS]
            if status == PENDING and self.scope.is_write[op]:
                acks = live[op][L_ACKS].bit_count()
                if acks + in_flight[op] < config.w:
                    return (
                        f"write {self.op_name(op)} can no longer reach {config.w} acks: "
                        f"{acks} received, {in_flight[op]} requests or acks in flight"
                    )
            elif status == PENDING:
                responses = len(live[op][L_RESPONSES])
                if responses + in_flight[op] < config.r:
                    return (
                        f"read {self.op_name(op)} can no longer reach {config.r} "
                        f"responses: {responses} received, {in_flight[op]} requests or "
                        "responses in flight"
                    )
            elif (stuck := self._repair_stuck_op(state, op)) is not None:
                return stuck
        return None

    def _availability_by_level(self, state: State, active: tuple[int, ...]) -> str | None:
        """Availability under consistency levels (docs/MODEL.md): the replicas that
        answered or still may must be able to meet the op's level."""
        hist, live, net, up = state[HIST], state[LIVE], state[NET], state[UP]
        needs, table = self.scope.needs, self.table
        assert needs is not None
        possible = [0] * self.scope.op_count
        for code in net:
            kind, op, replica, _ = table[code]
            if kind != WREQ or up >> replica & 1:
                possible[op] |= 1 << replica
        for op in active:
            status = hist[op][H_STATUS]
            if status == REPAIRING:
                continue  # as in availability: awaiting a repair ack, level met already
            answered = live[op][L_ACKS]
            for replica, _ in live[op][L_RESPONSES]:
                answered |= 1 << replica
            if not meets(needs[op], answered | possible[op]):
                level = (
                    self.scope.config.write_level
                    if self.scope.is_write[op]
                    else (self.scope.config.read_level)
                )
                shown = level or (
                    f"{self.scope.config.w} acks"
                    if self.scope.is_write[op]
                    else f"{self.scope.config.r} responses"
                )
                return (
                    f"{'read' if not self.scope.is_write[op] else 'write'} "
                    f"{self.op_name(op)} can no longer meet {shown}: the replicas that "
                    "answered or still may are too few"
                )
        return self._repair_stuck(state, active)

    def _availability_with_stand_ins(self, state: State, active: tuple[int, ...]) -> str | None:
        """Availability with stand-ins (docs/MODEL.md, hinted handoff): the nodes that
        acked or whose ack or request is in flight, plus under sloppy quorums one
        stand-in for each request to a down replica while stand-ins are left."""
        hist, live, net, up = state[HIST], state[LIVE], state[NET], state[UP]
        scope, config, table = self.scope, self.scope.config, self.table
        n = scope.n
        for op in active:
            if hist[op][H_STATUS] != PENDING:
                continue
            if not scope.is_write[op]:
                responses = len(live[op][L_RESPONSES])
                in_flight = sum(1 for code in net if table[code][1] == op)
                if responses + in_flight < config.r:
                    return (
                        f"read {self.op_name(op)} can no longer reach {config.r} "
                        f"responses: {responses} received, {in_flight} requests or "
                        "responses in flight"
                    )
                continue
            nodes, to_down = live[op][L_ACKS], 0
            for code in net:
                kind, m_op, node, _ = table[code]
                if m_op != op:
                    continue
                if kind == WACK or up >> node & 1:
                    nodes |= 1 << node
                else:
                    to_down += 1
            possible = nodes.bit_count()
            if config.hinted_handoff == "sloppy":
                possible += min(config.stand_ins - (nodes >> n).bit_count(), to_down)
            if possible < config.w:
                return (
                    f"write {self.op_name(op)} can no longer reach {config.w} acks: "
                    f"{possible} replicas or stand-ins acked or still may"
                )
        return self._repair_stuck(state, active)

    def _repair_stuck(self, state: State, active: tuple[int, ...]) -> str | None:
        """The first repairing read of `active` that waits for an ack that cannot come."""
        for op in active:
            if state[HIST][op][H_STATUS] == REPAIRING:
                stuck = self._repair_stuck_op(state, op)
                if stuck is not None:
                    return stuck
        return None

    def _repair_stuck_op(self, state: State, op: int) -> str | None:
        awaiting = state[LIVE][op][L_AWAITING]
        for code in state[NET]:
            kind, m_op, replica, _ = self.table[code]
            if m_op == op and (kind == WACK or kind == WREQ):
                awaiting &= ~(1 << replica)
        if not awaiting:
            return None
        replica = (awaiting & -awaiting).bit_length() - 1
        return (
            f"read {self.op_name(op)} awaits the repair ack of replica "
            f"{replica}, but neither its repair nor its ack is in flight"
        )

    def read_after_acknowledged_delete(self, hist: tuple) -> bool:
        scope = self.scope
        return any(
            scope.is_delete[delete] and rec[H_STATUS] == OK and _precedes(rec, hist[read])
            for read in self._ok_reads(hist)
            for delete, rec in enumerate(hist)
        )

    # Situations: each holds wherever its property's predicate above can fail, and
    # says what a run must show before a "holds" of that property means anything.
    def read_after_acknowledged_write(self, hist: tuple) -> bool:
        return self._read_after_acknowledged_write(hist, same_client=False)

    def read_after_own_acknowledged_write(self, hist: tuple) -> bool:
        return self._read_after_acknowledged_write(hist, same_client=True)

    def _read_after_acknowledged_write(self, hist: tuple, same_client: bool) -> bool:
        scope = self.scope
        return any(
            scope.is_write[write]
            and rec[H_STATUS] == OK
            and (not same_client or scope.ops[write][0] == scope.ops[read][0])
            and _precedes(rec, hist[read])
            for read in self._ok_reads(hist)
            for write, rec in enumerate(hist)
        )

    def read_after_read_of_a_write(self, hist: tuple) -> bool:
        reads = self._ok_reads(hist)
        ops = self.scope.ops
        return any(
            hist[first][H_RESULT] != NIL
            and ops[first][0] == ops[second][0]
            and _precedes(hist[first], hist[second])
            for first in reads
            for second in reads
        )

    def read_returned_after_failed_write_began(self, hist: tuple) -> bool:
        # The value of a write exists from its invocation on, so a read that returns it
        # returns no sooner.
        return any(
            self.scope.is_write[write]
            and rec[H_STATUS] == FAIL
            and rec[H_INVOKED] <= hist[read][H_COMPLETED]
            for read in self._ok_reads(hist)
            for write, rec in enumerate(hist)
        )

    def read_returned_after_write_began(self, hist: tuple) -> bool:
        # Reads that all return before any write begins return NIL: placed first, in
        # their real-time order, then the writes, they linearize.
        return any(
            self.scope.is_write[write]
            and rec[H_INVOKED] != 0
            and rec[H_INVOKED] <= hist[read][H_COMPLETED]
            for read in self._ok_reads(hist)
            for write, rec in enumerate(hist)
        )

    def write_after_finished_write(self, hist: tuple) -> bool:
        is_write = self.scope.is_write
        return any(
            is_write[a] and is_write[b] and hist[b][H_STATUS] == OK and _precedes(hist[a], hist[b])
            for a in range(len(hist))
            for b in range(len(hist))
        )

    def write_failed(self, state: State) -> bool:
        return bool(self._history(state[HIST])[1])

    def written_value_on_live_replicas(self, state: State) -> bool:
        """Read on quiescent states only (see QUIESCENT)."""
        up = state[UP]
        live = [v for i, v in enumerate(state[STORE]) if up >> i & 1]
        return len(live) >= 2 and any(v != NIL for v in live)

    def update_acknowledged(self, state: State) -> bool:
        return self._updates(state[HIST])[0] != 0

    def op_in_flight(self, state: State) -> bool:
        return bool(self._history(state[HIST])[2])

    # The checker's fast path.
    def _history(self, hist: tuple) -> _HistoryEntry:
        """The cache entry of a history (see _HistoryEntry)."""
        if hist is self._last_history:
            # The state predicates ask again for the history violations() just looked
            # up: the same object, so no second hash of it.
            return self._last_entry
        entry = self._history_cache.get(hist)
        if entry is None:
            violated = 0
            for bit, check in self._on_history:
                if check(self, hist) is not None:
                    violated |= bit
            scope = self.scope
            failed = frozenset(
                rec[H_VERSION] if scope.lww else 1 << op if scope.siblings else op + 1
                for op, rec in enumerate(hist)
                if scope.is_write[op] and rec[H_STATUS] == FAIL
            )
            active = tuple(
                op for op, rec in enumerate(hist) if rec[H_STATUS] in (PENDING, REPAIRING)
            )
            # Histories are few (hundreds where states are hundreds of thousands), so
            # every situation is computed with the violations, whether asked or not.
            reached = 0
            for bit, situation in self._reached_on_history:
                if situation(self, hist):
                    reached |= bit
            entry = self._history_cache[hist] = (violated, failed, active, reached)
        self._last_history, self._last_entry = hist, entry
        return entry

    def history_facts(self, hist: tuple) -> tuple[int, int, tuple[int, ...]]:
        """What the compiled kernel (`leaderless.model.kernel`) takes from a history:
        the history properties it violates, those whose situation it is in, and each
        op's causal context (for no-lost-update)."""
        violated, _, _, reached = self._history(hist)
        return violated, reached, self._updates(hist)[1]

    def violations(self, state: State, wanted: int) -> int:
        """The properties among `wanted` (a bitmask) that `state` violates."""
        violated, _, active, _ = self._history(state[HIST])
        violated &= wanted
        if wanted & self._state_bits:
            for bit, check in self._on_state:
                if wanted & bit and check(self, state) is not None:
                    violated |= bit
        if wanted & self._quiescent_bits and not active and not state[NET]:
            for bit, check in self._on_quiescent:
                if wanted & bit and check(self, state) is not None:
                    violated |= bit
        return violated

    def reached(self, state: State, wanted: int) -> int:
        """The properties among `wanted` (a bitmask) whose situation `state` is in."""
        _, _, active, found = self._history(state[HIST])
        found &= wanted
        if wanted & self._state_bits:
            for bit, situation in self._reached_on_state:
                if wanted & bit and situation(self, state):
                    found |= bit
        if wanted & self._quiescent_bits and not active and not state[NET]:
            for bit, situation in self._reached_on_quiescent:
                if wanted & bit and situation(self, state):
                    found |= bit
        return found

    def explain(self, bit: int, state: State) -> str | None:
        """Why `state` violates the property, or None when it does not."""
        prop = self.properties[bit.bit_length() - 1]
        if prop.reads == HISTORY:
            return prop.check(self, state[HIST])
        if prop.reads == QUIESCENT and (state[NET] or self._history(state[HIST])[2]):
            return None
        return prop.check(self, state)


# The catalogue itself, after the predicates it names.
CATALOGUE: tuple[Property, ...] = (
    Property(
        "stale-read",
        "no ok read returns a value older than a write acknowledged before the read began",
        lambda c: _writes(c) and _reads(c) and _nil_readable(c),
        HISTORY,
        Catalogue.stale_read,
        "an ok read began after an acknowledged write",
        Catalogue.read_after_acknowledged_write,
    ),
    Property(
        "read-your-writes",
        "a client's ok read never misses that client's own earlier acknowledged write",
        lambda c: any(_updates_then_reads(script) for script in c.clients) and _nil_readable(c),
        HISTORY,
        Catalogue.read_your_writes,
        "a client's ok read began after its own acknowledged write",
        Catalogue.read_after_own_acknowledged_write,
    ),
    Property(
        "monotonic-reads",
        "a client's later read never returns an older value than its earlier read",
        lambda c: any(script.count("r") >= 2 for script in c.clients) and _nil_readable(c),
        HISTORY,
        Catalogue.monotonic_reads,
        "a client's ok read began after its earlier ok read returned a written value",
        Catalogue.read_after_read_of_a_write,
    ),
    Property(
        "aborted-read",
        "no ok read returns the value of a write that timed out (indeterminate, not aborted)",
        lambda c: c.timeouts and _writes(c) and _reads(c),
        HISTORY,
        Catalogue.aborted_read,
        "an ok read returned after a write that failed had begun",
        Catalogue.read_returned_after_failed_write_began,
    ),
    Property(
        "write-atomicity",
        "no live replica keeps the value of a failed write (no partial writes)",
        lambda c: c.timeouts and _writes(c),
        STATE,
        Catalogue.write_atomicity,
        "a write failed (timed out)",
        Catalogue.write_failed,
    ),
    Property(
        "lww-order",
        "a write never gets a lower timestamp than a write that finished before it began",
        lambda c: (
            c.resolution == "lww" and sum(s.count("w") + s.count("d") for s in c.clients) >= 2
        ),
        HISTORY,
        Catalogue.lww_order,
        "an acknowledged write began after another write had finished",
        Catalogue.write_after_finished_write,
    ),
    Property(
        "linearizable",
        "the history is linearizable as a read/write register starting at NIL",
        lambda c: _reads(c) and c.resolution != "siblings",
        HISTORY,
        Catalogue.linearizable,
        "an ok read returned after a write had begun",
        Catalogue.read_returned_after_write_began,
    ),
    Property(
        "convergence",
        "once quiet (and anti-entropy done, if on), all live replicas hold the same version",
        lambda c: c.n >= 2 and _writes(c) and _nil_readable(c),
        QUIESCENT,
        Catalogue.convergence,
        "a quiescent state had two live replicas, one holding a written value",
        Catalogue.written_value_on_live_replicas,
    ),
    Property(
        "availability",
        "every op in flight can still complete successfully",
        lambda c: True,
        STATE,
        Catalogue.availability,
        "an operation was in flight",
        Catalogue.op_in_flight,
    ),
    Property(
        "no-resurrection",
        "once a delete is acknowledged, no later ok read returns a value it superseded",
        lambda c: c.has_deletes and "w" in "".join(c.clients) and _reads(c),
        HISTORY,
        Catalogue.no_resurrection,
        "an ok read began after an acknowledged delete",
        Catalogue.read_after_acknowledged_delete,
    ),
    Property(
        "no-lost-update",
        "an acknowledged write stays held somewhere until a write that read it supersedes it",
        lambda c: _writes(c) and _nil_readable(c),
        STATE,
        Catalogue.no_lost_update,
        "a write was acknowledged",
        Catalogue.update_acknowledged,
    ),
)
PROPERTY_IDS = tuple(p.id for p in CATALOGUE)


def _linearizable(is_write: tuple[bool, ...], is_delete: tuple[bool, ...], hist: tuple) -> bool:
    """Search for a linearization of the ok ops plus any subset of pending/failed writes.

    Depth-first over (ops placed, register value), placing next any op whose ok
    real-time predecessors are all placed; a read may be placed only where it returns
    the current value. Dead ends are remembered, so each (placed, value) is tried once.
    """
    required = []
    optional = []
    for op, rec in enumerate(hist):
        status = rec[H_STATUS]
        if status == OK:
            required.append(op)
        elif is_write[op] and status in (PENDING, FAIL):
            optional.append(op)
    members = required + optional
    need = (1 << len(required)) - 1
    op_count = len(hist)
    # must_follow[p]: ok members placed before member p (a -> p with a ok).
    must_follow = [
        sum(1 << q for q, a in enumerate(required) if _precedes(hist[a], hist[e])) for e in members
    ]
    # Values, not versions: a delete writes NIL, and a read of its tombstone returns NIL.
    returns = [
        None
        if is_write[e] or hist[e][H_RESULT] == NIL or is_delete[(hist[e][H_RESULT] - 1) % op_count]
        else (hist[e][H_RESULT] - 1) % op_count
        for e in members
    ]
    dead_ends: set[tuple[int, int | None]] = set()

    def extend(placed: int, value: int | None) -> bool:
        if placed & need == need:
            return True
        if (placed, value) in dead_ends:
            return False
        for position, e in enumerate(members):
            bit = 1 << position
            if placed & bit or must_follow[position] & ~placed:
                continue
            if is_write[e]:
                if extend(placed | bit, None if is_delete[e] else e):
                    return True
            elif returns[position] == value and extend(placed | bit, value):
                return True
        dead_ends.add((placed, value))
        return False

    return extend(0, None)

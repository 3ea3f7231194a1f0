"""The state of MODEL.md, encoded as nested tuples of small ints for speed.

Two states are the same exactly when every MODEL.md component is equal, and the
encoding is one-to-one, so tuple equality is state equality. Readable views of a
state (for traces, JSON and ITF) come from `leaderless.model.views`.

Layout of a state (a tuple, indexed by the constants below):

    STORE    tuple of n version codes, the version each replica holds
    UP       bitmask, bit i set while replica i is alive (with partitions, the cut
             above those bits: see Scope.cut)
    NOW      real time: the number of invocations so far
    NET      sorted tuple of message codes in flight (a set: no message is sent twice)
    DROPS    drops spent
    CRASHES  crashes spent
    HIST     per op: (status, invoked, completed, version, result), what histories read
    LIVE     per op: (acks, responses, awaiting), what only an op in flight uses

Splitting an op's record into HIST and LIVE keeps the history part shared between a
state and most of its successors, so history properties are computed once per history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from leaderless.model.config import Config
from leaderless.model.levels import LOCAL_LEVELS, Requirement, requirement

STORE, UP, NOW, NET, DROPS, CRASHES, HIST, LIVE = range(8)

# The records of the layout above, and a state: a tuple of those components (eight, or
# nine with HINTS), indexed by the constants. Equality of states is tuple equality.
HistRecord = tuple[int, int, int, int, int]  # (status, invoked, completed, version, result)
LiveRecord = tuple[int, tuple[tuple[int, int], ...], int]  # (acks, responses, awaiting)
State = tuple[Any, ...]
# With stand-ins (docs/MODEL.md, hinted handoff) a ninth component: per stand-in, the
# sorted (replica, version) pairs it keeps as hints.
HINTS = 8

# Op status.
IDLE, PENDING, REPAIRING, OK, FAIL = range(5)
STATUS_NAMES = ("idle", "pending", "repairing", "ok", "fail")

# HIST fields of one op. `invoked`/`completed` are 0 for none (times start at 1);
# `version` is a write's version code under lww (0 otherwise), so it fixes the
# timestamp; `result` is NO_RESULT unless a read returned.
H_STATUS, H_INVOKED, H_COMPLETED, H_VERSION, H_RESULT = range(5)
NO_RESULT = -1  # hash(-1) == hash(-2), but no result is -2: versions are >= 0
IDLE_HIST = (IDLE, 0, 0, 0, NO_RESULT)

# LIVE fields of one op: acks and awaiting are replica bitmasks; responses is a
# tuple of (replica, version) pairs sorted by replica (a replica answers once).
L_ACKS, L_RESPONSES, L_AWAITING = range(3)
NO_LIVE = (0, (), 0)

# Message kinds, in the low two bits of a message code.
WREQ, WACK, RREQ, RRESP = range(4)

NIL = 0  # the version code of the initial value, below every version


def merge_siblings(hist: tuple, siblings: int) -> int:
    """docs/MODEL.md's merge(S) of a sibling set (a bitmask of writes): the writes no
    member's causal context covers. Under resolution siblings a write's HIST version
    field holds its context."""
    covered = 0
    rest = siblings
    while rest:
        low = rest & -rest
        covered |= hist[low.bit_length() - 1][H_VERSION]
        rest ^= low
    return siblings & ~covered


class Message(NamedTuple):
    kind: int
    op: int
    replica: int
    version: int


class MessageTable(dict):
    """Message code -> Message, filled on first use: the hot path decodes by lookup.
    `on_new(code, message)` runs once per code, when it is first decoded."""

    def __init__(self, scope: Scope, on_new: Callable[[int, Message], None] | None = None) -> None:
        super().__init__()
        self._decode = scope.decode_message
        self._on_new = on_new

    def __missing__(self, code: int) -> Message:
        message = self[code] = self._decode(code)
        if self._on_new is not None:
            self._on_new(code, message)
        return message


@dataclass(frozen=True)
class Scope:
    """A config's derived constants: op numbering and the version and message codes.

    Ops are numbered in lexicographic (client, k) order, the order MODEL.md uses to
    break timestamp ties, so comparing version codes compares versions.
    """

    config: Config
    n: int
    ops: tuple[tuple[int, int], ...]  # op index -> (client, k)
    is_write: tuple[bool, ...]  # the op updates the register: a write or a delete
    ops_of_client: tuple[tuple[int, ...], ...]
    lww: bool
    all_up: int
    op_count: int
    min_timestamp: int  # the lowest timestamp a write may carry
    is_delete: tuple[bool, ...] = ()
    deletes: bool = False  # some op is a delete: version codes carry the tombstone bit
    dc_of: tuple[int, ...] = ()  # replica -> the index of its datacenter
    dc_masks: tuple[int, ...] = ()  # datacenter -> its replicas, as a bitmask
    # Per op: what its acks (writes, deletes) or its responses (reads) must meet, and
    # the replicas a read asks; None where MODEL.md's plain counts w and r apply.
    needs: tuple[Requirement, ...] | None = None
    read_targets: tuple[int, ...] | None = None
    nodes: int = 0  # replicas and stand-ins: a message's node field counts up to this
    # Under resolution siblings (docs/MODEL.md) a version is a sibling set, coded as a
    # bitmask of the writes it holds (NIL, 0, is the empty set), and a write's HIST
    # `version` field holds its causal context, a bitmask of writes too.
    siblings: bool = False

    @classmethod
    def of(cls, config: Config, min_timestamp: int | None = None) -> Scope:
        """`min_timestamp` defaults to MODEL.md's 1 - drift (invoked >= 1); clock
        models whose readings go lower pass their own floor."""
        ops = tuple((c, k) for c, script in enumerate(config.clients) for k in range(len(script)))
        is_write = tuple(config.clients[c][k] in "wd" for c, k in ops)
        is_delete = tuple(config.clients[c][k] == "d" for c, k in ops)
        dc_of = tuple(dc for dc, (_, count) in enumerate(config.dcs) for _ in range(count))
        dc_masks = tuple(
            sum(1 << i for i, of in enumerate(dc_of) if of == dc) for dc in range(len(config.dcs))
        )
        needs = read_targets = None
        if config.write_level is not None or config.read_level is not None:
            needs = tuple(
                requirement(
                    config.write_level if is_write[op] else config.read_level,
                    config.w if is_write[op] else config.r,
                    dc_masks,
                    config.client_dc(c),
                )
                for op, (c, _) in enumerate(ops)
            )
            read_targets = tuple(
                dc_masks[config.client_dc(c)]
                if not is_write[op] and config.read_level in LOCAL_LEVELS
                else (1 << config.n) - 1
                for op, (c, _) in enumerate(ops)
            )
        by_client = tuple(
            tuple(index for index, (c, _) in enumerate(ops) if c == client)
            for client in range(len(config.clients))
        )
        return cls(
            config,
            config.n,
            ops,
            is_write,
            by_client,
            config.resolution == "lww",
            (1 << config.n) - 1,
            len(ops),
            1 - config.drift if min_timestamp is None else min_timestamp,
            is_delete,
            any(is_delete),
            dc_of,
            dc_masks,
            needs,
            read_targets,
            config.n + config.stand_ins,
            config.resolution == "siblings",
        )

    # Versions: NIL is 0; under lww (ts, op) is (ts - min_timestamp + 1) * ops + op + 1,
    # which orders like (ts, op) and stays above NIL; under arrival op + 1. With deletes
    # a tombstone bit sits between the two, (2 * (ts - min_timestamp + 1) + tombstone)
    # * ops + op + 1, so a tombstone is above a value of the same timestamp (Cassandra's
    # rule). Either way (code - 1) % ops is the op that wrote the version.
    def version(self, op: int, ts: int | None) -> int:
        if self.siblings:
            return 1 << op
        if ts is None:
            return op + 1
        if ts < self.min_timestamp:
            raise ValueError(f"timestamp {ts} is below this scope's floor {self.min_timestamp}")
        slot = ts - self.min_timestamp + 1
        if self.deletes:
            slot = 2 * slot + self.is_delete[op]
        return slot * self.op_count + op + 1

    def version_parts(self, code: int) -> tuple[int | None, int | None]:
        """(timestamp, writer op) of a version code; (None, None) for NIL, and for a
        sibling set of more than one write."""
        if code == NIL:
            return None, None
        if self.siblings:
            writers = self.writers(code)
            return None, writers[0] if len(writers) == 1 else None
        op = (code - 1) % self.op_count
        if not self.lww:
            return None, op
        slot = (code - 1) // self.op_count
        if self.deletes:
            slot //= 2
        return slot - 1 + self.min_timestamp, op

    # With partitions (docs/MODEL.md), UP's bits above the n up-bits hold the network's
    # cut: bit n + x is set when participant x (replica i is x = i, client c is x = n + c,
    # stand-in h is x = n + C + h) is on client 0's side of a split in force (none in force: all clear), and the bits
    # above those count the splits spent. Liveness reads only the low n bits, so code
    # that knows nothing of partitions reads UP as it always did.
    def cut(self, up: int) -> int:
        """The side holding client 0 as a participant mask, 0 when no split is in force."""
        return up >> self.n & ((1 << self.participants) - 1)

    def partitions_spent(self, up: int) -> int:
        return up >> (self.n + self.participants)

    def with_cut(self, up: int, cut: int, spent: int) -> int:
        return (up & self.all_up) | cut << self.n | spent << (self.n + self.participants)

    @property
    def participants(self) -> int:
        """Replicas, clients and stand-ins: the bits of a side of a split."""
        return self.nodes + len(self.ops_of_client)

    def participant_bit(self, node: int) -> int:
        """The bit of a message's node (a replica, or from n on a stand-in) in a side:
        stand-ins come after the clients."""
        return node if node < self.n else node + len(self.ops_of_client)

    def writers(self, code: int) -> tuple[int, ...]:
        """The writes a version holds: none for NIL, one under lww and arrival, the
        siblings under resolution siblings."""
        if code == NIL:
            return ()
        if not self.siblings:
            return ((code - 1) % self.op_count,)
        return tuple(op for op in range(self.op_count) if code >> op & 1)

    def is_tombstone(self, code: int) -> bool:
        return code != NIL and self.is_delete[(code - 1) % self.op_count]

    def message(self, kind: int, op: int, replica: int, version: int = NIL) -> int:
        """A message's code; `replica` is the node at the other end from the op's client,
        a replica or (from n on) a stand-in."""
        return (((version * self.nodes + replica) * self.op_count + op) << 2) | kind

    def decode_message(self, code: int) -> Message:
        kind = code & 3
        rest = code >> 2
        op = rest % self.op_count
        rest //= self.op_count
        return Message(kind, op, rest % self.nodes, rest // self.nodes)

    def initial_state(self) -> tuple:
        state = (
            (NIL,) * self.n,
            self.all_up,
            0,
            (),
            0,
            0,
            (IDLE_HIST,) * self.op_count,
            (NO_LIVE,) * self.op_count,
        )
        if self.config.stand_ins:
            return (*state, ((),) * self.config.stand_ins)
        return state

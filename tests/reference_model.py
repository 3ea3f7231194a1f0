"""An independent, deliberately plain reference for docs/MODEL.md.

Written from MODEL.md alone, without reading `model/` or `checker/`, so that agreement
with the fast implementation means something. Speed is not a goal: every state is a
tree of frozen dataclasses, tuples and frozensets, each action is one function, and the
explorer is a textbook breadth-first search with no symmetry reduction.

Readings of MODEL.md where the text leaves room (each is marked "Reading" below too):

* A timestamp is "any integer within D of real time", so it may be zero or negative.
* `NIL` is represented by `None`. A read's `result` is also `None` while it has none;
  the two never collide, because a read's status tells them apart (only an `ok` read
  can have returned `NIL`; a `repairing` read's result is above some stale response,
  so it is never `NIL`).
* Read repair sends `wreq(o, j, x)` to every stale responder j, as written, even one
  that crashed after responding. Such a message can never be delivered (delivery needs
  j up), so it stays in `net` until dropped; for `availability` it still counts as
  "net holds its wreq" (that rule, unlike the write rule, does not say "to up
  replicas").
* `lww-order` takes "writes a -> b" literally: a only needs to have completed, with
  status `ok` or `fail`.
* `precedes` needs a completed and b invoked; `fail` counts as completed.

The extension section of docs/MODEL.md ("deletes and tombstones, datacenters and
consistency levels") is followed from that section alone, too. Its readings:

* Reading: "In every property above, 'write' reads write or delete" is applied to the
  applicability table above as well: "some client writes" there means "some script has
  a `w` or a `d`" (an update), "a write followed by a read" means an update followed by
  a read, and `lww-order` needs two updates. Otherwise clients `d,r` would leave
  `stale-read` n/a although a read after an ok delete can return a `NIL` that the
  delete did not write (the delete's tombstone missed). `no-resurrection`'s own
  "some client writes" is in the new section, so it means a `w`: the property needs a
  write's value to come back.
* Reading: the update "a read's result names (x)" is the op of the result version, a
  delete for a tombstone. So `aborted-read` is violated by an ok read whose result is
  the tombstone of a failed delete, `stale-read` compares the delete itself with `w`,
  and `monotonic-reads` is violated when a read's result is a tombstone and a later
  read's result is `NIL`, although both return the value `NIL`. Only `linearizable`
  (said to be "over values") and `no-resurrection` look at values.
* `purge_repaired` checks exactly the four places the Purge rule names: the stores of
  up replicas, the `wreq`s in `net` to up replicas, every `rresp` in `net` (the rule
  does not ask whether its sender is still up) and the `responses` of `pending` reads
  (a `repairing` read's are empty; its repairs are `wreq`s).
* `stale-read`, `read-your-writes`, `monotonic-reads` and `convergence` are n/a
  exactly when `gc_grace` is set and some script has a `d` (the document's revised
  condition: "`gc_grace` is none or no script has a delete").
* Reading: "With a level set, `w` (or `r`) is not used" does not lift the base range
  check: `w` and `r` must still be within `1..n`.
* Reading: with `datacenters` none, the one datacenter is named `dc1`, so `client_dcs`
  may name it.
* `TWO` and `THREE` are rejected for `n < 2`, `n < 3` as a write level and as a read
  level alike; `ALL` counts every replica, crashed or not (`|S| = N`), so it becomes
  unreachable after a crash, and an ack already received from a replica that crashed
  later still counts for every level.

The extension "network partitions" of docs/MODEL.md is followed from that section
alone. The cut is kept as the set of participants on client 0's side, each participant
written ("client", c) or ("replica", i); a message of op o between client o[0] and
replica i crosses the cut when exactly one of the two is in it. Every send goes through
one function that loses a crossing message, so the rule holds for every message kind
(only an invocation's requests and a read's repairs can actually cross: a message that
is in `net` never crosses, so neither does the ack or response it causes; with stand-ins
a write's requests wait at the cut instead, see below). Its readings:

* Reading: every replica and every client is a participant for the whole run, a
  crashed replica and a client whose script is done included: a side may hold them or
  not, and two sides that differ only in them are distinct steps and distinct states.
* Reading: `convergence` applies anti-entropy "to a fixpoint" as the base rule does,
  between every two up replicas, across the cut too ("`cut` and `partitions` are not
  part of what they read"); so with `anti_entropy` on it is still never violated.
* Reading: `purge_repaired`'s "no older value left" looks at every up replica and
  every message named, whichever side it is on (the Purge rule does not read the cut).
* Reading: a response a pending read received before the cut still counts for it (it
  is in `o.responses`, not in `net`), also for `availability`, even if its replica is
  now on the other side; a read repair to such a responder is lost as it is sent, and
  a blocking read then awaits an ack that cannot come.
* Partition spends no drop, and Heal neither restores lost messages nor gives a split
  back (`partitions` only grows).

The extension "sloppy quorums and hinted handoff" of docs/MODEL.md is followed from that
section alone. Stand-in h (ids n .. n+S-1) keeps its hints in `hints[h - n]`; with
`stand_ins` 0 that tuple is empty, so every state is as before. A stand-in's ack is the
message ("wack", o, h); stand-ins never crash, serve no read and take no part in
anti-entropy or read repair, so every other rule reads replicas 0..n-1 only. Its
readings:

* `availability` counts nodes as the document now says (it once read "counts", and the
  reference then counted messages): the nodes in `o.acks` or with a `wack(o, .)` in
  `net`, and the up replicas with a `wreq(o, ., .)` in `net`, once each; under `sloppy`
  plus min(its `wreq`s to down replicas, stand-ins not among those nodes). A request to
  a down replica of a pending update never occurs in a reachable state (Crash removes
  them, Invoke sends to up replicas only), so that term shows on hand-built states only.
* Reading: two requests of one op redirected to one stand-in send the one message
  `wack(o, h)` (`net` is a set), and h counts once in `o.acks`.
* Reading: Redirect asks only that the `wreq` be in `net` and its op a pending write
  or delete, not whether replica i is up; Handoff asks only that replica i be up, not
  what became of the op: a failed write's hint is handed off too (and may then break
  `write-atomicity`), and a Handoff sends no ack.
* Reading: the configuration error "together with datacenters or consistency levels"
  means `datacenters` set (even to one datacenter), `write_level` or `read_level` set;
  `client_dcs` alone (naming the one datacenter `dc1`) is no error, nor are
  `gc_grace`, `purge_repaired`, `arrival` or partitions.
* One Handoff step per pair (h, i, v): its label names v, since a stand-in may hold
  two versions for one replica.

Its subsection "Hinted handoff across a partition" (stand-ins and `max_partitions` >= 1
together): a stand-in h is the participant ("stand-in", h), after the clients in bit
order; `wack(o, h)` travels between o's client and h. A write's or delete's `wreq`
(`waits_at_cut`: by the kind of its op, whatever the op's status) is never lost to a
cut, at its sending or by Partition; DeliverWriteRequest needs its client and replica on
one side (for every `wreq`: no other can cross while in `net`); Redirect needs h on the
side of o's client, Handoff h on the side of replica i. Readings:

* Reading: "stand-in h is bit n + C + h" with h the stand-in's id (n .. n+S-1) leaves
  bits unused; with h its index (0 .. S-1) it does not. Either way the stand-ins' bits
  come after the clients' in id order, so the order of Partition steps is the same, and
  that order is all the bitmask decides.
* Reading: a completed (ok or failed) update's request waits at the cut too: the rule
  names the kind of message ("a write's or delete's `wreq`"), not its op's status, and
  the base rules keep a completed write's requests in `net`.
* Reading: a waiting request may be dropped, redirected (its replica may be on the other
  side; only the stand-in's side is asked) or removed by a crash of its replica, as any
  request; it still counts for `availability`, `no-lost-update`'s "kept" and
  `purge_repaired` (none of them reads the cut).
* Reading: a stand-in's `wack` in `net` is lost to a later split that puts the stand-in
  and the client on different sides (it is "every other message kind"); the hint stays.
* Reading: hints are part of no property and of no other rule: `purge_repaired`
  checks the four places the Purge rule names, not the hints (a hint older than a
  tombstone may come back after a purge), and `convergence` ignores them as the
  document says.

The extension "siblings with causal contexts (version vectors)" of docs/MODEL.md and its
property `no-lost-update` are followed from that section alone. A sibling set is a
frozenset of op ids, NIL under siblings is the empty frozenset (so `store` starts as n
empty sets), and a read's `result` is None only while it has none, as above. `ctx(o)` is
no field of the state: it is computed from the ops' records whenever it is needed, which
gives the context fixed at o's invocation, because every read before o in its script had
completed then, and a completed op's status and result never change. Labels write a
sibling set sorted (`show`), so they do not depend on a frozenset's iteration order.
Every property is written once over `held(result)`, the set of updates a version holds
(one or none under lww and arrival, where each rule is the base rule word for word).
Its readings:

* Reading: "the last read that precedes o in c's script and whose status is ok" is the
  last of the ok reads before o: a failed read after it is skipped (script `rrw` with
  the second read timed out takes the first read's result), not "the last read, if ok".
* Reading: `no-lost-update`'s "some client writes" counts deletes, as the base table
  does (clients `d,r` under lww: the property applies; an ok delete can be lost too).
* Reading: under lww with deletes a delete has a context like a write (it "is an op
  like a write"), a tombstone holds its delete, and a read that returned a tombstone
  puts the delete into the next update's context; "a write b with a in ctx(b)" ranges
  over updates, a delete b included.
* `monotonic-reads` under siblings, "every x2 in X2 has x2 -> x1 for some x1 in X1",
  is coded as "for all x2, some x1"; "some x1 for all x2" is the same condition,
  because `->` is an interval order: x2 -> x1 for some x1 exactly when x2 -> the x1
  invoked last.
* Reading: "kept" looks at exactly the three places named: the stores of up replicas,
  the `wreq`s in `net` to up replicas (a read repair's too, under lww: "wreq(., j, v)"
  names any op), and every stand-in hint, also one for a crashed replica that can never
  be handed off (the rule does not ask). A response in flight, a pending read's
  responses and a read's result keep nothing.
* Reading: under lww, two blind writes in one script (`ww`, no read between) lose the
  first: the second's context is empty, so once it overwrites every copy the first is
  not kept. The document's definition says so; siblings keep both as siblings.
* `convergence` with anti-entropy under siblings is never violated, as under lww:
  pairwise merging to a fixpoint leaves every up replica with the merge of all their
  sets (merge of a union is a join), so no two differ.
* The configuration errors: `siblings` with a `d`, with read repair, with `gc_grace`
  (so with `purge_repaired` too); anti-entropy stays an error under `arrival` only.
  `linearizable` is n/a under siblings; `lww-order` needs lww as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache

NIL = None

PROPERTY_IDS = (
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

LEVELS = (
    "ONE",
    "TWO",
    "THREE",
    "QUORUM",
    "LOCAL_ONE",
    "LOCAL_QUORUM",
    "EACH_QUORUM",
    "ALL",
    "ANY",
)


@dataclass(frozen=True)
class RefConfig:
    n: int = 3
    w: int = 2
    r: int = 2
    clients: tuple[str, ...] = ("w", "rr")
    drift: int = 0
    max_drops: int = 0
    max_crashes: int = 0
    timeouts: bool = False
    anti_entropy: bool = False
    read_repair: str = "off"
    resolution: str = "lww"
    gc_grace: int | None = None
    purge_repaired: bool = False
    datacenters: tuple[tuple[str, int], ...] | None = None
    client_dcs: tuple[str, ...] | None = None
    write_level: str | None = None
    read_level: str | None = None
    max_partitions: int = 0
    hinted_handoff: str = "off"
    stand_ins: int = 0

    def __post_init__(self) -> None:
        ok = (
            self.n >= 1
            and 1 <= self.w <= self.n
            and 1 <= self.r <= self.n
            and len(self.clients) >= 1
            and all(s and set(s) <= {"w", "r", "d"} for s in self.clients)
            and self.drift >= 0
            and self.max_drops >= 0
            and 0 <= self.max_crashes <= self.n
            and self.read_repair in ("off", "async", "blocking")
            and self.resolution in ("lww", "arrival", "siblings")
            and self.max_partitions >= 0
            and self.hinted_handoff in ("off", "sloppy", "strict")
            and self.stand_ins >= 0
        )
        if not ok:
            raise ValueError(f"invalid configuration {self}")
        if self.resolution == "arrival" and self.anti_entropy:
            raise ValueError("anti-entropy needs resolution = lww or siblings")
        if self.resolution != "lww" and self.read_repair != "off":
            raise ValueError("read repair needs resolution = lww")
        if self.resolution == "siblings" and self.gc_grace is not None:
            raise ValueError("siblings with gc_grace")
        if self.resolution != "lww" and any("d" in s for s in self.clients):
            raise ValueError("a delete needs resolution = lww")
        if self.gc_grace is not None and self.gc_grace < 0:
            raise ValueError("gc_grace must be >= 0")
        if self.purge_repaired and self.gc_grace is None:
            raise ValueError("purge_repaired needs gc_grace")
        if self.datacenters is not None:
            names = [name for name, _ in self.datacenters]
            if (
                not self.datacenters
                or len(set(names)) != len(names)
                or any(size < 1 for _, size in self.datacenters)
            ):
                raise ValueError("datacenters: >= 1 datacenter of >= 1 replica, distinct names")
            if sum(size for _, size in self.datacenters) != self.n:
                raise ValueError("n must be the datacenters' sum")
        if self.client_dcs is not None:
            known = {name for name, _ in dc_sizes(self)}
            if len(self.client_dcs) != len(self.clients) or not set(self.client_dcs) <= known:
                raise ValueError("client_dcs: one known datacenter per client")
        for level in (self.write_level, self.read_level):
            if level is not None and level not in LEVELS:
                raise ValueError(f"unknown level {level}")
            if (level == "TWO" and self.n < 2) or (level == "THREE" and self.n < 3):
                raise ValueError(f"{level} needs that many replicas")
        if self.read_level == "ANY":
            raise ValueError("ANY is no read level")
        if (self.stand_ins >= 1) != (self.hinted_handoff != "off"):
            raise ValueError("stand_ins >= 1 exactly when hinted_handoff is not off")
        if self.hinted_handoff != "off" and (
            self.datacenters is not None
            or self.write_level is not None
            or self.read_level is not None
        ):
            raise ValueError("hinted handoff with datacenters or levels")


@dataclass(frozen=True)
class Op:
    status: str = "idle"
    invoked: int | None = None
    completed: int | None = None
    ts: int | None = None
    acks: frozenset = frozenset()
    responses: frozenset = frozenset()
    result: object = None
    awaiting: frozenset = frozenset()


@dataclass(frozen=True)
class State:
    store: tuple
    up: tuple
    now: int
    ops: tuple  # ops[c][k] is the record of op (c, k)
    net: frozenset = field(default_factory=frozenset)
    drops: int = 0
    crashes: int = 0
    cut: frozenset | None = None  # the participants on client 0's side, or no cut
    partitions: int = 0
    hints: tuple = ()  # hints[h - n]: the pairs (i, v) stand-in h holds for replica i


# Messages are plain tuples: ("wreq", o, i, v), ("wack", o, i), ("rreq", o, i),
# ("rresp", o, i, v), where o = (c, k). A version is (ts, o) under lww, o under
# arrival and a frozenset of op ids (a sibling set) under siblings; whether (ts, o) is
# a write's value or a tombstone is the kind of op o.


def nil(cfg: RefConfig) -> object:
    """The version a replica starts with: NIL, the empty sibling set under siblings."""
    return frozenset() if cfg.resolution == "siblings" else NIL


def initial_state(cfg: RefConfig) -> State:
    return State(
        store=(nil(cfg),) * cfg.n,
        up=(True,) * cfg.n,
        now=0,
        ops=tuple(tuple(Op() for _ in script) for script in cfg.clients),
        hints=tuple(frozenset() for _ in range(cfg.stand_ins)),
    )


# ---------------------------------------------------------------- helpers


def kind(cfg: RefConfig, o: tuple) -> str:
    return cfg.clients[o[0]][o[1]]


def is_update(cfg: RefConfig, o: tuple) -> bool:
    return kind(cfg, o) in ("w", "d")


def op(s: State, o: tuple) -> Op:
    return s.ops[o[0]][o[1]]


def all_ops(cfg: RefConfig) -> list[tuple]:
    return [(c, k) for c, script in enumerate(cfg.clients) for k in range(len(script))]


def with_op(s: State, o: tuple, rec: Op) -> tuple:
    c, k = o
    row = s.ops[c][:k] + (rec,) + s.ops[c][k + 1 :]
    return s.ops[:c] + (row,) + s.ops[c + 1 :]


def write_of(cfg: RefConfig, v: object) -> tuple | None:
    """The update (write or delete) a version (or a read's result) names; None for NIL."""
    if v is NIL:
        return None
    return v[1] if cfg.resolution == "lww" else v


def is_tombstone(cfg: RefConfig, v: object) -> bool:
    o = write_of(cfg, v)
    return o is not None and kind(cfg, o) == "d"


def value_of(cfg: RefConfig, v: object) -> tuple | None:
    """The value a version stands for: the write's own value, NIL for a tombstone."""
    return None if is_tombstone(cfg, v) else write_of(cfg, v)


def vkey(cfg: RefConfig, v: object) -> tuple:
    # NIL is below every version; lww: timestamp, then a tombstone above a value, then
    # the op id. Without deletes the middle item is constant: the base order.
    if v is NIL:
        return (0,)
    if cfg.resolution != "lww":
        return (1, v)
    ts, o = v
    return (1, ts, is_tombstone(cfg, v), o)


def vmax(cfg: RefConfig, a: object, b: object) -> object:
    return a if vkey(cfg, a) >= vkey(cfg, b) else b


def below(cfg: RefConfig, a: object, b: object) -> bool:
    return vkey(cfg, a) < vkey(cfg, b)


def version_order(cfg: RefConfig, v: object) -> tuple:
    """A sort key for the order of steps only: sibling sets have no total order."""
    return tuple(sorted(v)) if cfg.resolution == "siblings" else vkey(cfg, v)


def version_of(cfg: RefConfig, s: State, o: tuple) -> object:
    return (op(s, o).ts, o) if cfg.resolution == "lww" else o


def next_op(cfg: RefConfig, s: State, c: int) -> tuple | None:
    for k, rec in enumerate(s.ops[c]):
        if rec.status == "idle":
            return (c, k)
        if rec.status not in ("ok", "fail"):
            return None
    return None


def busy(s: State, c: int) -> bool:
    return any(rec.status in ("pending", "repairing") for rec in s.ops[c])


def drop_for(net: frozenset, o: tuple, kinds: tuple[str, ...]) -> frozenset:
    return frozenset(m for m in net if not (m[0] in kinds and m[1] == o))


def show(x: object) -> str:
    """repr, except that a sibling set is written sorted, as {(0, 0), (1, 0)}, so that a
    label does not depend on a frozenset's iteration order."""
    plain = repr(x)
    if "frozenset" not in plain:  # the common case, and the cheap one
        return plain
    if isinstance(x, frozenset):
        return "{" + ", ".join(show(y) for y in sorted(x)) + "}"
    if isinstance(x, tuple):
        return "(" + ", ".join(show(y) for y in x) + ("," if len(x) == 1 else "") + ")"
    return repr(x)


# ---------------------------------------------------------------- siblings and contexts


def held(cfg: RefConfig, v: object) -> frozenset:
    """The updates a version (or a read's result) holds: under lww and arrival the one
    it names (none for NIL), under siblings every member of the sibling set."""
    if v is NIL:
        return frozenset()
    if cfg.resolution == "siblings":
        return v
    return frozenset({write_of(cfg, v)})


def ctx(cfg: RefConfig, s: State, o: tuple) -> frozenset:
    """The causal context of update o: X, what the last ok read before o in its client's
    script returned, and the contexts of X's members (closed downwards)."""
    c, k = o
    x_set = frozenset()
    for j in range(k):
        if cfg.clients[c][j] == "r" and s.ops[c][j].status == "ok":
            x_set = held(cfg, s.ops[c][j].result)
    closed = set(x_set)
    for x in x_set:
        closed |= ctx(cfg, s, x)
    return frozenset(closed)


def merge(cfg: RefConfig, s: State, writes: frozenset) -> frozenset:
    """The members of `writes` that no member of `writes` supersedes."""
    return frozenset(x for x in writes if not any(x in ctx(cfg, s, y) for y in writes))


def absorb(cfg: RefConfig, s: State, stored: object, v: object) -> object:
    """What a replica stores once version v reaches it (a write request, a handoff)."""
    if cfg.resolution == "lww":
        return vmax(cfg, stored, v)
    if cfg.resolution == "arrival":
        return v
    return merge(cfg, s, stored | v)


# ---------------------------------------------------------------- datacenters and levels


def dc_sizes(cfg: RefConfig) -> tuple[tuple[str, int], ...]:
    return cfg.datacenters if cfg.datacenters is not None else (("dc1", cfg.n),)


def dc_of_replica(cfg: RefConfig, i: int) -> str:
    first = 0
    for name, size in dc_sizes(cfg):
        if first <= i < first + size:
            return name
        first += size
    raise ValueError(f"no replica {i}")


def dc_of_client(cfg: RefConfig, c: int) -> str:
    return cfg.client_dcs[c] if cfg.client_dcs is not None else dc_sizes(cfg)[0][0]


def quorum(k: int) -> int:
    return k // 2 + 1


def meets(cfg: RefConfig, replicas: frozenset, o: tuple) -> bool:
    """Whether a set of replicas meets the level of op o (its kind, its client's DC)."""
    reading = kind(cfg, o) == "r"
    level = cfg.read_level if reading else cfg.write_level
    if level is None:
        return len(replicas) >= (cfg.r if reading else cfg.w)
    in_dc = {name: 0 for name, _ in dc_sizes(cfg)}
    for i in replicas:
        in_dc[dc_of_replica(cfg, i)] += 1
    local = dc_of_client(cfg, o[0])
    rf = dict(dc_sizes(cfg))
    return {
        "ONE": len(replicas) >= 1,
        "TWO": len(replicas) >= 2,
        "THREE": len(replicas) >= 3,
        "ANY": len(replicas) >= 1,
        "QUORUM": len(replicas) >= quorum(cfg.n),
        "ALL": len(replicas) == cfg.n,
        "LOCAL_ONE": in_dc[local] >= 1,
        "LOCAL_QUORUM": in_dc[local] >= quorum(rf[local]),
        "EACH_QUORUM": all(in_dc[d] >= quorum(rf[d]) for d in rf),
    }[level]


# ---------------------------------------------------------------- partitions


def participants(cfg: RefConfig) -> list[tuple[str, int]]:
    """In bit order: replica i is bit i, client c is bit n + c, then the stand-ins in id
    order (the document's bit n + C + h; only the order of the bits matters here)."""
    return (
        [("replica", i) for i in range(cfg.n)]
        + [("client", c) for c in range(len(cfg.clients))]
        + [("stand-in", h) for h in stand_ins(cfg)]
    )


def node(cfg: RefConfig, x: int) -> tuple[str, int]:
    """The participant a message's node id names: a replica, or a stand-in (ids >= n)."""
    return ("stand-in", x) if x >= cfg.n else ("replica", x)


def same_side(cut: frozenset | None, a: tuple[str, int], b: tuple[str, int]) -> bool:
    return cut is None or ((a in cut) == (b in cut))


def crosses(cfg: RefConfig, cut: frozenset | None, m: tuple) -> bool:
    """Whether message m (of op m[1], with node m[2]) has its ends on two sides."""
    return not same_side(cut, ("client", m[1][0]), node(cfg, m[2]))


def waits_at_cut(cfg: RefConfig, m: tuple) -> bool:
    """Whether m is never lost to a cut: with stand-ins, a write's or delete's request
    (not a read's repair) waits in `net` until the cut heals."""
    return cfg.hinted_handoff != "off" and m[0] == "wreq" and is_update(cfg, m[1])


def sent(cfg: RefConfig, s: State, msgs: set) -> frozenset:
    """What of msgs enters `net`: a message that would cross the cut is lost as sent,
    unless it waits at the cut."""
    return frozenset(m for m in msgs if waits_at_cut(cfg, m) or not crosses(cfg, s.cut, m))


# ---------------------------------------------------------------- actions


def invoke(cfg: RefConfig, s: State) -> Iterator[tuple[str, State]]:
    for c in range(len(cfg.clients)):
        o = next_op(cfg, s, c)
        if busy(s, c) or o is None:
            continue
        now = s.now + 1
        ups = [i for i in range(cfg.n) if s.up[i]]
        if kind(cfg, o) == "r":
            if cfg.read_level in ("LOCAL_ONE", "LOCAL_QUORUM"):
                ups = [i for i in ups if dc_of_replica(cfg, i) == dc_of_client(cfg, c)]
            rec = replace(op(s, o), status="pending", invoked=now)
            net = s.net | sent(cfg, s, {("rreq", o, i) for i in ups})
            yield f"Invoke{o}", replace(s, now=now, ops=with_op(s, o, rec), net=net)
        elif cfg.resolution == "lww":
            # Reading: "any integer within D", so t may be zero or negative. A delete
            # is invoked as a write; (t, o) is its tombstone because o is a `d`.
            for t in range(now - cfg.drift, now + cfg.drift + 1):
                rec = replace(op(s, o), status="pending", invoked=now, ts=t)
                net = s.net | sent(cfg, s, {("wreq", o, i, (t, o)) for i in ups})
                yield f"Invoke{o} t={t}", replace(s, now=now, ops=with_op(s, o, rec), net=net)
        else:
            # Under siblings ctx(o) is no field: it is read off the client's reads.
            v = frozenset({o}) if cfg.resolution == "siblings" else o
            rec = replace(op(s, o), status="pending", invoked=now)
            net = s.net | sent(cfg, s, {("wreq", o, i, v) for i in ups})
            yield f"Invoke{o}", replace(s, now=now, ops=with_op(s, o, rec), net=net)


def deliver_write_request(cfg: RefConfig, s: State, m: tuple) -> Iterator[tuple[str, State]]:
    _, o, i, v = m
    # Only a request that waits at the cut can cross it while in `net`.
    if not s.up[i] or crosses(cfg, s.cut, m):
        return
    store = s.store[:i] + (absorb(cfg, s, s.store[i], v),) + s.store[i + 1 :]
    net = s.net - {m}
    rec = op(s, o)
    if (is_update(cfg, o) and rec.status == "pending") or (
        kind(cfg, o) == "r" and rec.status == "repairing"
    ):
        net = net | sent(cfg, s, {("wack", o, i)})
    yield f"DeliverWriteRequest{show(m)}", replace(s, store=store, net=net)


def deliver_write_ack(cfg: RefConfig, s: State, m: tuple) -> Iterator[tuple[str, State]]:
    _, o, i = m
    net = s.net - {m}
    rec = op(s, o)
    if is_update(cfg, o) and rec.status == "pending":
        acks = rec.acks | {i}
        if meets(cfg, acks, o):
            rec = replace(rec, status="ok", completed=s.now, acks=frozenset())
            net = drop_for(net, o, ("wack",))
        else:
            rec = replace(rec, acks=acks)
    elif kind(cfg, o) == "r" and rec.status == "repairing":
        awaiting = rec.awaiting - {i}
        rec = replace(rec, awaiting=awaiting)
        if not awaiting:
            rec = replace(rec, status="ok", completed=s.now)
    yield f"DeliverWriteAck{show(m)}", replace(s, ops=with_op(s, o, rec), net=net)


def deliver_read_request(cfg: RefConfig, s: State, m: tuple) -> Iterator[tuple[str, State]]:
    _, o, i = m
    if not s.up[i]:
        return
    net = (s.net - {m}) | sent(cfg, s, {("rresp", o, i, s.store[i])})
    yield f"DeliverReadRequest{show(m)}", replace(s, net=net)


def deliver_read_response(cfg: RefConfig, s: State, m: tuple) -> Iterator[tuple[str, State]]:
    _, o, i, v = m
    net = s.net - {m}
    rec = op(s, o)
    responses = rec.responses | {(i, v)}
    if not meets(cfg, frozenset(j for j, _ in responses), o):
        rec = replace(rec, responses=responses)
        yield f"DeliverReadResponse{show(m)}", replace(s, ops=with_op(s, o, rec), net=net)
        return
    net = drop_for(net, o, ("rreq", "rresp"))
    if cfg.resolution == "siblings":
        # One result, no choice; read repair is off (anything else is a config error).
        x = merge(cfg, s, frozenset().union(*(u for _, u in responses)))
        done = replace(rec, status="ok", completed=s.now, result=x, responses=frozenset())
        yield (
            f"DeliverReadResponse{show(m)} -> {show(x)}",
            replace(s, ops=with_op(s, o, done), net=net),
        )
        return
    versions = {u for _, u in responses}
    if cfg.resolution == "lww":
        best = NIL
        for u in versions:
            best = vmax(cfg, best, u)
        choices = [best]
    else:
        choices = sorted(versions, key=lambda u: vkey(cfg, u))
    for x in choices:
        stale = frozenset(j for j, u in responses if below(cfg, u, x))
        done = replace(rec, status="ok", completed=s.now, result=x, responses=frozenset())
        if cfg.read_repair == "off":
            nxt = replace(s, ops=with_op(s, o, done), net=net)
        elif cfg.read_repair == "async":
            repairs = {("wreq", o, j, x) for j in stale}
            nxt = replace(s, ops=with_op(s, o, done), net=net | sent(cfg, s, repairs))
        elif not stale:
            nxt = replace(s, ops=with_op(s, o, done), net=net)
        else:
            # Reading: the repair goes to every stale responder, crashed or not.
            repairs = {("wreq", o, j, x) for j in stale}
            waiting = replace(
                rec, status="repairing", result=x, awaiting=stale, responses=frozenset()
            )
            nxt = replace(s, ops=with_op(s, o, waiting), net=net | sent(cfg, s, repairs))
        yield f"DeliverReadResponse{show(m)} -> {show(x)}", nxt


def drop(cfg: RefConfig, s: State, m: tuple) -> Iterator[tuple[str, State]]:
    if s.drops < cfg.max_drops:
        yield f"Drop{show(m)}", replace(s, net=s.net - {m}, drops=s.drops + 1)


def timeout(cfg: RefConfig, s: State) -> Iterator[tuple[str, State]]:
    if not cfg.timeouts:
        return
    for o in all_ops(cfg):
        rec = op(s, o)
        if rec.status not in ("pending", "repairing"):
            continue
        failed = replace(
            rec,
            status="fail",
            completed=s.now,
            acks=frozenset(),
            responses=frozenset(),
            awaiting=frozenset(),
            result=None,
        )
        net = drop_for(s.net, o, ("wack", "rreq", "rresp"))
        yield f"Timeout{o}", replace(s, ops=with_op(s, o, failed), net=net)


def crash(cfg: RefConfig, s: State) -> Iterator[tuple[str, State]]:
    if s.crashes >= cfg.max_crashes:
        return
    for i in range(cfg.n):
        if not s.up[i]:
            continue
        up = s.up[:i] + (False,) + s.up[i + 1 :]
        net = frozenset(m for m in s.net if not (m[0] in ("wreq", "rreq") and m[2] == i))
        yield f"Crash({i})", replace(s, up=up, net=net, crashes=s.crashes + 1)


def anti_entropy(cfg: RefConfig, s: State) -> Iterator[tuple[str, State]]:
    if not cfg.anti_entropy:
        return
    for i in range(cfg.n):
        for j in range(i + 1, cfg.n):
            if (
                s.up[i]
                and s.up[j]
                and same_side(s.cut, ("replica", i), ("replica", j))
                and s.store[i] != s.store[j]
            ):
                if cfg.resolution == "siblings":
                    v = merge(cfg, s, s.store[i] | s.store[j])
                else:
                    v = vmax(cfg, s.store[i], s.store[j])
                store = tuple(v if x in (i, j) else s.store[x] for x in range(cfg.n))
                yield f"AntiEntropy({i},{j})", replace(s, store=store)


def older_value_left(cfg: RefConfig, s: State, tomb: object) -> bool:
    """Whether a write's version below `tomb` could still come back: stored on an up
    replica, in a wreq to an up replica, in any rresp, or among a pending read's
    responses."""

    def older_value(v: object) -> bool:
        return v is not NIL and not is_tombstone(cfg, v) and below(cfg, v, tomb)

    if any(s.up[j] and older_value(s.store[j]) for j in range(cfg.n)):
        return True
    for m in s.net:
        if m[0] == "wreq" and s.up[m[2]] and older_value(m[3]):
            return True
        if m[0] == "rresp" and older_value(m[3]):
            return True
    return any(
        older_value(v)
        for o in all_ops(cfg)
        if kind(cfg, o) == "r" and op(s, o).status == "pending"
        for _, v in op(s, o).responses
    )


def purge(cfg: RefConfig, s: State) -> Iterator[tuple[str, State]]:
    if cfg.gc_grace is None:
        return
    for i in range(cfg.n):
        v = s.store[i]
        if not (s.up[i] and is_tombstone(cfg, v) and s.now >= v[0] + cfg.gc_grace):
            continue
        if cfg.purge_repaired and older_value_left(cfg, s, v):
            continue
        store = s.store[:i] + (NIL,) + s.store[i + 1 :]
        yield f"Purge({i})", replace(s, store=store)


def partition(cfg: RefConfig, s: State) -> Iterator[tuple[str, State]]:
    if s.cut is not None or s.partitions >= cfg.max_partitions:
        return
    people = participants(cfg)
    everyone = (1 << len(people)) - 1
    for mask in range(everyone):  # the full set leaves nobody out: not a side
        if not mask >> cfg.n & 1:  # bit n is client 0, always on its own side
            continue
        side = frozenset(p for b, p in enumerate(people) if mask >> b & 1)
        net = frozenset(m for m in s.net if waits_at_cut(cfg, m) or not crosses(cfg, side, m))
        names = ",".join(f"{role[0]}{x}" for role, x in sorted(side))
        yield f"Partition({names})", replace(s, cut=side, partitions=s.partitions + 1, net=net)


def heal(cfg: RefConfig, s: State) -> Iterator[tuple[str, State]]:
    if s.cut is not None:
        yield "Heal", replace(s, cut=None)


def stand_ins(cfg: RefConfig) -> range:
    return range(cfg.n, cfg.n + cfg.stand_ins)


def with_hints(cfg: RefConfig, s: State, h: int, held: frozenset) -> tuple:
    k = h - cfg.n
    return s.hints[:k] + (held,) + s.hints[k + 1 :]


def redirect(cfg: RefConfig, s: State) -> Iterator[tuple[str, State]]:
    if cfg.hinted_handoff == "off":
        return
    for m in sorted(s.net, key=show):
        if m[0] != "wreq" or not is_update(cfg, m[1]) or op(s, m[1]).status != "pending":
            continue
        _, o, i, v = m
        for h in stand_ins(cfg):
            if not same_side(s.cut, ("client", o[0]), ("stand-in", h)):
                continue
            hints = with_hints(cfg, s, h, s.hints[h - cfg.n] | {(i, v)})
            net = s.net - {m}
            if cfg.hinted_handoff == "sloppy":
                net = net | {("wack", o, h)}
            yield f"Redirect({show(m)}, {h})", replace(s, net=net, hints=hints)


def handoff(cfg: RefConfig, s: State) -> Iterator[tuple[str, State]]:
    for h, hinted in zip(stand_ins(cfg), s.hints, strict=True):
        for i, v in sorted(hinted, key=lambda pair: (pair[0], version_order(cfg, pair[1]))):
            if not s.up[i] or not same_side(s.cut, ("stand-in", h), ("replica", i)):
                continue
            store = s.store[:i] + (absorb(cfg, s, s.store[i], v),) + s.store[i + 1 :]
            hints = with_hints(cfg, s, h, hinted - {(i, v)})
            yield f"Handoff({h},{i},{show(v)})", replace(s, store=store, hints=hints)


def successors(cfg: RefConfig, s: State) -> Iterator[tuple[str, State]]:
    yield from invoke(cfg, s)
    for m in sorted(s.net, key=show):
        handler = {
            "wreq": deliver_write_request,
            "wack": deliver_write_ack,
            "rreq": deliver_read_request,
            "rresp": deliver_read_response,
        }[m[0]]
        yield from handler(cfg, s, m)
        yield from drop(cfg, s, m)
    yield from timeout(cfg, s)
    yield from crash(cfg, s)
    yield from anti_entropy(cfg, s)
    yield from purge(cfg, s)
    yield from partition(cfg, s)
    yield from heal(cfg, s)
    yield from redirect(cfg, s)
    yield from handoff(cfg, s)


# ---------------------------------------------------------------- properties
# "write" in the base properties reads "write or delete" (an update); the update a
# read's result names may be a delete (see the readings above). A result is read as
# the set of updates it holds (`held`): one or none under lww and arrival, where each
# rule below is the base rule word for word, the sibling set under siblings.


def precedes(s: State, a: tuple, b: tuple) -> bool:
    ra, rb = op(s, a), op(s, b)
    return ra.completed is not None and rb.invoked is not None and ra.completed < rb.invoked


def ok_reads(cfg: RefConfig, s: State) -> list[tuple]:
    return [o for o in all_ops(cfg) if kind(cfg, o) == "r" and op(s, o).status == "ok"]


def _stale_read(cfg: RefConfig, s: State, same_client: bool) -> bool:
    for rd in ok_reads(cfg, s):
        xs = held(cfg, op(s, rd).result)
        for wr in all_ops(cfg):
            if not is_update(cfg, wr) or op(s, wr).status != "ok":
                continue
            if same_client and wr[0] != rd[0]:
                continue
            # An empty result is NIL; all() of an empty set is True, as it should be.
            if precedes(s, wr, rd) and all(precedes(s, x, wr) for x in xs):
                return True
    return False


def stale_read(cfg: RefConfig, s: State) -> bool:
    return _stale_read(cfg, s, same_client=False)


def read_your_writes(cfg: RefConfig, s: State) -> bool:
    return _stale_read(cfg, s, same_client=True)


def monotonic_reads(cfg: RefConfig, s: State) -> bool:
    reads = ok_reads(cfg, s)
    for r1 in reads:
        for r2 in reads:
            if r1[0] != r2[0] or not precedes(s, r1, r2):
                continue
            xs1 = held(cfg, op(s, r1).result)
            xs2 = held(cfg, op(s, r2).result)
            # "every x2 has x2 -> x1 for some x1" (the order of the quantifiers does not
            # matter: see the docstring).
            if xs1 and all(any(precedes(s, x2, x1) for x1 in xs1) for x2 in xs2):
                return True
    return False


def aborted_read(cfg: RefConfig, s: State) -> bool:
    for rd in ok_reads(cfg, s):
        if any(op(s, x).status == "fail" for x in held(cfg, op(s, rd).result)):
            return True
    return False


def write_atomicity(cfg: RefConfig, s: State) -> bool:
    for i in range(cfg.n):
        if s.up[i] and any(op(s, x).status == "fail" for x in held(cfg, s.store[i])):
            return True
    return False


def lww_order(cfg: RefConfig, s: State) -> bool:
    if cfg.resolution != "lww":
        return False
    updates = [o for o in all_ops(cfg) if is_update(cfg, o)]
    for a in updates:
        for b in updates:
            if (
                precedes(s, a, b)
                and op(s, b).status == "ok"
                and vkey(cfg, version_of(cfg, s, a)) > vkey(cfg, version_of(cfg, s, b))
            ):
                return True
    return False


def linearizable_violated(cfg: RefConfig, s: State) -> bool:
    # Over values: an update writes its value (its op id for a write, NIL for a delete),
    # a read returns the value its result stands for.
    hist = []
    for o in all_ops(cfg):
        rec = op(s, o)
        k = kind(cfg, o)
        if rec.status == "ok" or (k != "r" and rec.status in ("pending", "fail")):
            shown = rec.result if k == "r" else version_of(cfg, s, o)
            value = value_of(cfg, shown)
            hist.append((o, k, rec.status, rec.invoked, rec.completed, value))
    return not _linearizable(tuple(hist))


@cache
def _linearizable(hist: tuple) -> bool:
    """Search for a total order of the history; optional updates may be left out.

    Leaving a non-ok update out never removes a constraint on anyone else, because only
    ok ops impose real-time order, so "some subset" is the same as "place the
    mandatory ops, placing optional updates wherever it helps".
    """
    ids = [h[0] for h in hist]
    info = {h[0]: h for h in hist}

    def before(a: tuple, b: tuple) -> bool:
        _, _, st_a, _, done_a, _ = info[a]
        inv_b = info[b][3]
        return st_a == "ok" and done_a is not None and done_a < inv_b

    preds = {b: frozenset(a for a in ids if a != b and before(a, b)) for b in ids}
    mandatory = frozenset(h[0] for h in hist if h[2] == "ok")

    @cache
    def search(placed: frozenset, value: tuple | None) -> bool:
        if mandatory <= placed:
            return True
        for o in ids:
            if o in placed or not preds[o] <= placed:
                continue
            _, k, _, _, _, v = info[o]
            if k != "r":
                if search(placed | {o}, v):
                    return True
            elif v == value and search(placed | {o}, value):
                return True
        return False

    return search(frozenset(), None)


def convergence(cfg: RefConfig, s: State) -> bool:
    if s.net or any(rec.status in ("pending", "repairing") for row in s.ops for rec in row):
        return False
    ups = [s.store[i] for i in range(cfg.n) if s.up[i]]
    if cfg.anti_entropy:
        # Pairwise max to a fixpoint leaves every up replica at the max over them.
        return False
    return len(set(ups)) > 1


def availability(cfg: RefConfig, s: State) -> bool:
    # With numeric levels the sets below have the sizes the base rule counts: an op has
    # at most one ack, ack in flight or request in flight per replica.
    for o in all_ops(cfg):
        rec = op(s, o)
        mine = [m for m in s.net if m[1] == o]
        if is_update(cfg, o) and rec.status == "pending" and cfg.hinted_handoff != "off":
            # The nodes acked or with an ack in flight and the up replicas with a request
            # in flight (across a cut too: every cut heals), counted once each; under
            # sloppy each request to a down replica adds one while uncounted stand-ins
            # remain to take it.
            nodes = rec.acks | {
                m[2] for m in mine if m[0] == "wack" or (m[0] == "wreq" and s.up[m[2]])
            }
            count = len(nodes)
            if cfg.hinted_handoff == "sloppy":
                to_down = sum(1 for m in mine if m[0] == "wreq" and not s.up[m[2]])
                free = sum(1 for h in stand_ins(cfg) if h not in nodes)
                count += min(to_down, free)
            if count < cfg.w:
                return True
        elif is_update(cfg, o) and rec.status == "pending":
            reachable = rec.acks | {
                m[2] for m in mine if m[0] == "wack" or (m[0] == "wreq" and s.up[m[2]])
            }
            if not meets(cfg, frozenset(reachable), o):
                return True
        elif kind(cfg, o) == "r" and rec.status == "pending":
            reachable = {j for j, _ in rec.responses} | {
                m[2] for m in mine if m[0] in ("rresp", "rreq")
            }
            if not meets(cfg, frozenset(reachable), o):
                return True
        elif kind(cfg, o) == "r" and rec.status == "repairing":
            for j in rec.awaiting:
                # Reading: any wreq counts, even to a crashed j (the rule says no "up").
                if not any(m[0] in ("wack", "wreq") and m[2] == j for m in mine):
                    return True
    return False


def no_resurrection(cfg: RefConfig, s: State) -> bool:
    deletes = [o for o in all_ops(cfg) if kind(cfg, o) == "d" and op(s, o).status == "ok"]
    for rd in ok_reads(cfg, s):
        x = value_of(cfg, op(s, rd).result)
        if x is None:
            continue
        for d in deletes:
            if (
                precedes(s, d, rd)
                and below(cfg, version_of(cfg, s, x), version_of(cfg, s, d))
                and not precedes(s, d, x)
            ):
                return True
    return False


def no_lost_update(cfg: RefConfig, s: State) -> bool:
    acked = [a for a in all_ops(cfg) if is_update(cfg, a) and op(s, a).status == "ok"]
    if not acked:
        return False
    holding = set()
    for i in range(cfg.n):
        if s.up[i]:
            holding |= held(cfg, s.store[i])
    for m in s.net:
        if m[0] == "wreq" and s.up[m[2]]:
            holding |= held(cfg, m[3])
    for hinted in s.hints:
        for _, v in hinted:
            holding |= held(cfg, v)
    kept = set(holding)
    for b in holding:
        kept |= ctx(cfg, s, b)
    return any(a not in kept for a in acked)


CHECKS = {
    "stale-read": stale_read,
    "read-your-writes": read_your_writes,
    "monotonic-reads": monotonic_reads,
    "aborted-read": aborted_read,
    "write-atomicity": write_atomicity,
    "lww-order": lww_order,
    "linearizable": linearizable_violated,
    "convergence": convergence,
    "availability": availability,
    "no-resurrection": no_resurrection,
    "no-lost-update": no_lost_update,
}


def applicable(cfg: RefConfig) -> dict[str, bool]:
    # Reading: "writes" in the base table reads "writes or deletes" (updates).
    scripts = "".join(cfg.clients)
    updates = "w" in scripts or "d" in scripts
    reads = "r" in scripts
    kept = cfg.gc_grace is None or "d" not in scripts

    def update_then_read(script: str) -> bool:
        first = min((script.index(k) for k in "wd" if k in script), default=None)
        return first is not None and "r" in script[first:]

    return {
        "stale-read": updates and reads and kept,
        "read-your-writes": any(update_then_read(s) for s in cfg.clients) and kept,
        "monotonic-reads": any(s.count("r") >= 2 for s in cfg.clients) and kept,
        "aborted-read": cfg.timeouts and updates and reads,
        "write-atomicity": cfg.timeouts and updates,
        "lww-order": cfg.resolution == "lww" and scripts.count("w") + scripts.count("d") >= 2,
        "linearizable": reads and cfg.resolution != "siblings",
        "convergence": cfg.n >= 2 and updates and kept,
        "availability": True,
        "no-resurrection": "d" in scripts and "w" in scripts and reads,
        # Reading: "some client writes" counts deletes, as in the base table.
        "no-lost-update": updates and (cfg.gc_grace is None or "d" not in scripts),
    }


# ---------------------------------------------------------------- exploration


@dataclass
class RefResult:
    states: int
    verdicts: dict[str, str]  # "holds" / "violated" / "n/a"
    lengths: dict[str, int | None]  # BFS depth of the first violating state
    witnesses: dict[str, State] = field(default_factory=dict)


def explore(cfg: RefConfig, until: frozenset[str] = frozenset()) -> RefResult:
    """Full BFS; with `until`, stop at the level where all of those are violated.

    An early stop makes `states` a partial count and leaves unseen properties as
    "holds", so it only serves to confirm violations cheaply on large configurations.
    """
    apply = applicable(cfg)
    live = [p for p in PROPERTY_IDS if apply[p]]
    first: dict[str, int] = {}
    witnesses: dict[str, State] = {}
    start = initial_state(cfg)
    seen = {start}
    frontier = [start]
    depth = 0
    while frontier:
        for s in frontier:
            for p in live:
                if p not in first and CHECKS[p](cfg, s):
                    first[p] = depth
                    witnesses[p] = s
        if until and until <= first.keys():
            break
        nxt = []
        for s in frontier:
            for _, t in successors(cfg, s):
                if t not in seen:
                    seen.add(t)
                    nxt.append(t)
        frontier = nxt
        depth += 1
    verdicts = {}
    for p in PROPERTY_IDS:
        verdicts[p] = "n/a" if not apply[p] else ("violated" if p in first else "holds")
    lengths = {p: first.get(p) for p in PROPERTY_IDS}
    return RefResult(len(seen), verdicts, lengths, witnesses)

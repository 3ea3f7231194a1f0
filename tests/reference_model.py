"""An independent, deliberately plain reference for /work/shared/MODEL.md.

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

    def __post_init__(self) -> None:
        ok = (
            self.n >= 1
            and 1 <= self.w <= self.n
            and 1 <= self.r <= self.n
            and len(self.clients) >= 1
            and all(s and set(s) <= {"w", "r"} for s in self.clients)
            and self.drift >= 0
            and self.max_drops >= 0
            and 0 <= self.max_crashes <= self.n
            and self.read_repair in ("off", "async", "blocking")
            and self.resolution in ("lww", "arrival")
        )
        if not ok:
            raise ValueError(f"invalid configuration {self}")
        if self.resolution != "lww" and (self.anti_entropy or self.read_repair != "off"):
            raise ValueError("anti-entropy and read repair need resolution = lww")


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


# Messages are plain tuples: ("wreq", o, i, v), ("wack", o, i), ("rreq", o, i),
# ("rresp", o, i, v), where o = (c, k).


def initial_state(cfg: RefConfig) -> State:
    return State(
        store=(NIL,) * cfg.n,
        up=(True,) * cfg.n,
        now=0,
        ops=tuple(tuple(Op() for _ in script) for script in cfg.clients),
    )


# ---------------------------------------------------------------- helpers


def kind(cfg: RefConfig, o: tuple) -> str:
    return cfg.clients[o[0]][o[1]]


def op(s: State, o: tuple) -> Op:
    return s.ops[o[0]][o[1]]


def all_ops(cfg: RefConfig) -> list[tuple]:
    return [(c, k) for c, script in enumerate(cfg.clients) for k in range(len(script))]


def with_op(s: State, o: tuple, rec: Op) -> tuple:
    c, k = o
    row = s.ops[c][:k] + (rec,) + s.ops[c][k + 1 :]
    return s.ops[:c] + (row,) + s.ops[c + 1 :]


def vkey(v: object) -> tuple:
    # NIL is below every version; lww versions (ts, (c, k)) compare lexicographically.
    return (0,) if v is NIL else (1, v)


def vmax(a: object, b: object) -> object:
    return a if vkey(a) >= vkey(b) else b


def below(a: object, b: object) -> bool:
    return vkey(a) < vkey(b)


def write_of(cfg: RefConfig, v: object) -> tuple | None:
    """The write a version (or a read's result) names; None for NIL."""
    if v is NIL:
        return None
    return v[1] if cfg.resolution == "lww" else v


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


# ---------------------------------------------------------------- actions


def invoke(cfg: RefConfig, s: State) -> Iterator[tuple[str, State]]:
    for c in range(len(cfg.clients)):
        o = next_op(cfg, s, c)
        if busy(s, c) or o is None:
            continue
        now = s.now + 1
        ups = [i for i in range(cfg.n) if s.up[i]]
        if kind(cfg, o) == "r":
            rec = replace(op(s, o), status="pending", invoked=now)
            net = s.net | {("rreq", o, i) for i in ups}
            yield f"Invoke{o}", replace(s, now=now, ops=with_op(s, o, rec), net=net)
        elif cfg.resolution == "lww":
            # Reading: "any integer within D", so t may be zero or negative.
            for t in range(now - cfg.drift, now + cfg.drift + 1):
                rec = replace(op(s, o), status="pending", invoked=now, ts=t)
                net = s.net | {("wreq", o, i, (t, o)) for i in ups}
                yield f"Invoke{o} t={t}", replace(s, now=now, ops=with_op(s, o, rec), net=net)
        else:
            rec = replace(op(s, o), status="pending", invoked=now)
            net = s.net | {("wreq", o, i, o) for i in ups}
            yield f"Invoke{o}", replace(s, now=now, ops=with_op(s, o, rec), net=net)


def deliver_write_request(cfg: RefConfig, s: State, m: tuple) -> Iterator[tuple[str, State]]:
    _, o, i, v = m
    if not s.up[i]:
        return
    new = vmax(s.store[i], v) if cfg.resolution == "lww" else v
    store = s.store[:i] + (new,) + s.store[i + 1 :]
    net = s.net - {m}
    rec = op(s, o)
    if (kind(cfg, o) == "w" and rec.status == "pending") or (
        kind(cfg, o) == "r" and rec.status == "repairing"
    ):
        net = net | {("wack", o, i)}
    yield f"DeliverWriteRequest{m}", replace(s, store=store, net=net)


def deliver_write_ack(cfg: RefConfig, s: State, m: tuple) -> Iterator[tuple[str, State]]:
    _, o, i = m
    net = s.net - {m}
    rec = op(s, o)
    if kind(cfg, o) == "w" and rec.status == "pending":
        acks = rec.acks | {i}
        if len(acks) >= cfg.w:
            rec = replace(rec, status="ok", completed=s.now, acks=frozenset())
            net = drop_for(net, o, ("wack",))
        else:
            rec = replace(rec, acks=acks)
    elif kind(cfg, o) == "r" and rec.status == "repairing":
        awaiting = rec.awaiting - {i}
        rec = replace(rec, awaiting=awaiting)
        if not awaiting:
            rec = replace(rec, status="ok", completed=s.now)
    yield f"DeliverWriteAck{m}", replace(s, ops=with_op(s, o, rec), net=net)


def deliver_read_request(cfg: RefConfig, s: State, m: tuple) -> Iterator[tuple[str, State]]:
    _, o, i = m
    if not s.up[i]:
        return
    net = (s.net - {m}) | {("rresp", o, i, s.store[i])}
    yield f"DeliverReadRequest{m}", replace(s, net=net)


def deliver_read_response(cfg: RefConfig, s: State, m: tuple) -> Iterator[tuple[str, State]]:
    _, o, i, v = m
    net = s.net - {m}
    rec = op(s, o)
    responses = rec.responses | {(i, v)}
    if len(responses) < cfg.r:
        rec = replace(rec, responses=responses)
        yield f"DeliverReadResponse{m}", replace(s, ops=with_op(s, o, rec), net=net)
        return
    versions = {u for _, u in responses}
    if cfg.resolution == "lww":
        best = NIL
        for u in versions:
            best = vmax(best, u)
        choices = [best]
    else:
        choices = sorted(versions, key=vkey)
    net = drop_for(net, o, ("rreq", "rresp"))
    for x in choices:
        stale = frozenset(j for j, u in responses if below(u, x))
        done = replace(rec, status="ok", completed=s.now, result=x, responses=frozenset())
        if cfg.read_repair == "off":
            nxt = replace(s, ops=with_op(s, o, done), net=net)
        elif cfg.read_repair == "async":
            repairs = {("wreq", o, j, x) for j in stale}
            nxt = replace(s, ops=with_op(s, o, done), net=net | repairs)
        elif not stale:
            nxt = replace(s, ops=with_op(s, o, done), net=net)
        else:
            # Reading: the repair goes to every stale responder, crashed or not.
            repairs = {("wreq", o, j, x) for j in stale}
            waiting = replace(
                rec, status="repairing", result=x, awaiting=stale, responses=frozenset()
            )
            nxt = replace(s, ops=with_op(s, o, waiting), net=net | repairs)
        yield f"DeliverReadResponse{m} -> {x}", nxt


def drop(cfg: RefConfig, s: State, m: tuple) -> Iterator[tuple[str, State]]:
    if s.drops < cfg.max_drops:
        yield f"Drop{m}", replace(s, net=s.net - {m}, drops=s.drops + 1)


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
            if s.up[i] and s.up[j] and s.store[i] != s.store[j]:
                v = vmax(s.store[i], s.store[j])
                store = tuple(v if x in (i, j) else s.store[x] for x in range(cfg.n))
                yield f"AntiEntropy({i},{j})", replace(s, store=store)


def successors(cfg: RefConfig, s: State) -> Iterator[tuple[str, State]]:
    yield from invoke(cfg, s)
    for m in sorted(s.net, key=repr):
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


# ---------------------------------------------------------------- properties


def precedes(s: State, a: tuple, b: tuple) -> bool:
    ra, rb = op(s, a), op(s, b)
    return ra.completed is not None and rb.invoked is not None and ra.completed < rb.invoked


def _stale_read(cfg: RefConfig, s: State, same_client: bool) -> bool:
    for rd in all_ops(cfg):
        if kind(cfg, rd) != "r" or op(s, rd).status != "ok":
            continue
        x = write_of(cfg, op(s, rd).result)
        for wr in all_ops(cfg):
            if kind(cfg, wr) != "w" or op(s, wr).status != "ok":
                continue
            if same_client and wr[0] != rd[0]:
                continue
            if precedes(s, wr, rd) and (x is None or precedes(s, x, wr)):
                return True
    return False


def stale_read(cfg: RefConfig, s: State) -> bool:
    return _stale_read(cfg, s, same_client=False)


def read_your_writes(cfg: RefConfig, s: State) -> bool:
    return _stale_read(cfg, s, same_client=True)


def monotonic_reads(cfg: RefConfig, s: State) -> bool:
    reads = [o for o in all_ops(cfg) if kind(cfg, o) == "r" and op(s, o).status == "ok"]
    for r1 in reads:
        for r2 in reads:
            if r1[0] != r2[0] or not precedes(s, r1, r2):
                continue
            x1 = write_of(cfg, op(s, r1).result)
            x2 = write_of(cfg, op(s, r2).result)
            if x1 is not None and (x2 is None or precedes(s, x2, x1)):
                return True
    return False


def aborted_read(cfg: RefConfig, s: State) -> bool:
    for rd in all_ops(cfg):
        if kind(cfg, rd) == "r" and op(s, rd).status == "ok":
            x = write_of(cfg, op(s, rd).result)
            if x is not None and op(s, x).status == "fail":
                return True
    return False


def write_atomicity(cfg: RefConfig, s: State) -> bool:
    for i in range(cfg.n):
        x = write_of(cfg, s.store[i])
        if s.up[i] and x is not None and op(s, x).status == "fail":
            return True
    return False


def lww_order(cfg: RefConfig, s: State) -> bool:
    if cfg.resolution != "lww":
        return False
    writes = [o for o in all_ops(cfg) if kind(cfg, o) == "w"]
    for a in writes:
        for b in writes:
            if (
                precedes(s, a, b)
                and op(s, b).status == "ok"
                and vkey(version_of(cfg, s, a)) > vkey(version_of(cfg, s, b))
            ):
                return True
    return False


def linearizable_violated(cfg: RefConfig, s: State) -> bool:
    hist = []
    for o in all_ops(cfg):
        rec = op(s, o)
        k = kind(cfg, o)
        if rec.status == "ok" or (k == "w" and rec.status in ("pending", "fail")):
            res = write_of(cfg, rec.result) if k == "r" else None
            hist.append((o, k, rec.status, rec.invoked, rec.completed, res))
    return not _linearizable(tuple(hist))


@cache
def _linearizable(hist: tuple) -> bool:
    """Search for a total order of the history; optional writes may be left out.

    Leaving a non-ok write out never removes a constraint on anyone else, because only
    ok ops impose real-time order, so "some subset" is the same as "place the
    mandatory ops, placing optional writes wherever it helps".
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
            _, k, _, _, _, res = info[o]
            if k == "w":
                if search(placed | {o}, o):
                    return True
            elif res == value and search(placed | {o}, value):
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
    for o in all_ops(cfg):
        rec = op(s, o)
        mine = [m for m in s.net if m[1] == o]
        if kind(cfg, o) == "w" and rec.status == "pending":
            wacks = sum(1 for m in mine if m[0] == "wack")
            wreqs = sum(1 for m in mine if m[0] == "wreq" and s.up[m[2]])
            if len(rec.acks) + wacks + wreqs < cfg.w:
                return True
        elif kind(cfg, o) == "r" and rec.status == "pending":
            flying = sum(1 for m in mine if m[0] in ("rresp", "rreq"))
            if len(rec.responses) + flying < cfg.r:
                return True
        elif kind(cfg, o) == "r" and rec.status == "repairing":
            for j in rec.awaiting:
                # Reading: any wreq counts, even to a crashed j (the rule says no "up").
                if not any(m[0] in ("wack", "wreq") and m[2] == j for m in mine):
                    return True
    return False


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
}


def applicable(cfg: RefConfig) -> dict[str, bool]:
    scripts = "".join(cfg.clients)
    writes = "w" in scripts
    reads = "r" in scripts
    return {
        "stale-read": writes and reads,
        "read-your-writes": any("w" in s and "r" in s[s.index("w") :] for s in cfg.clients),
        "monotonic-reads": any(s.count("r") >= 2 for s in cfg.clients),
        "aborted-read": cfg.timeouts and writes and reads,
        "write-atomicity": cfg.timeouts and writes,
        "lww-order": cfg.resolution == "lww" and scripts.count("w") >= 2,
        "linearizable": reads,
        "convergence": cfg.n >= 2 and writes,
        "availability": True,
    }


# ---------------------------------------------------------------- exploration


@dataclass
class RefResult:
    states: int
    verdicts: dict[str, str]  # "holds" / "violated" / "n/a"
    lengths: dict[str, int | None]  # BFS depth of the first violating state
    witnesses: dict[str, State] = field(default_factory=dict)


def explore(cfg: RefConfig, until: frozenset[str] = frozenset()) -> RefResult:
    """Full BFS; with `until`, stop after the level where all of those are violated.

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
        nxt = []
        for s in frontier:
            for _, t in successors(cfg, s):
                if t not in seen:
                    seen.add(t)
                    nxt.append(t)
        if until and until <= first.keys():
            break
        frontier = nxt
        depth += 1
    verdicts = {}
    for p in PROPERTY_IDS:
        verdicts[p] = "n/a" if not apply[p] else ("violated" if p in first else "holds")
    lengths = {p: first.get(p) for p in PROPERTY_IDS}
    return RefResult(len(seen), verdicts, lengths, witnesses)

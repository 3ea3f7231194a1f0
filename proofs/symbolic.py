"""MODEL.md's state machine in Z3: state variables per step, `init`, one transition
formula per action kind, and each property of the catalogue as a formula over one state.

The encoding is exact for the explicit model (`leaderless.model.actions`): a decoded Z3 state is
the explicit state tuple, and every symbolic step is one explicit step. Shortcuts,
each sound because of how MODEL.md sends messages:

- Every message is a boolean per step, keyed by (kind, op, replica). A write sends one
  version only (its own), so `wreq` of a write carries no version variable: it is the
  write's version. A read sends one repair version (its result) to every stale
  responder, kept in the auxiliary `rv` (the result itself is erased by a timeout
  while the repairs stay in flight). A replica answers a read once, so `rresp(o, i, .)`
  is one boolean plus a version variable `rrespv`. No message is ever sent twice, so a
  boolean per message is the set `net`.
- Versions are the explicit model's integer codes (`Scope.version`), which order like
  (ts, op) under lww; a write's version is a linear function of its invocation time.
  Under siblings they are bitvectors, the sets of writes the explicit model codes as
  bitmasks, and a write's `version` variable holds its causal context.
- A hint is a flag per (stand-in, write, replica): only a write's own request is
  redirected, so the version a hint holds is its write's.
- With partitions, the cut is a flag per participant; what a step sends across it is
  dropped in `transition`, from the step's updates, as the explorer drops it from `net`.
- Every action's guard implies it changes the state (it consumes a message, changes a
  status, a replica or a store), so MODEL.md's "a step that changes nothing is not a
  step" needs no extra conjunct and there is no stuttering step.

`linearizable` is not encoded (it needs a search over orders of the history, a
quantifier alternation); it stays with the explicit checker.

>>> from leaderless.model import Config
>>> encoding = Encoding(Config(n=2, w=1, r=1, clients=("w", "r")))
>>> s0, s1 = encoding.state("0"), encoding.state("1")
>>> sorted(encoding.bad)[:2]
['aborted-read', 'availability']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import z3

from leaderless.model import CATALOGUE, Config
from leaderless.model.actions import ACTIONS
from leaderless.model.state import (
    FAIL,
    IDLE,
    NIL,
    NO_RESULT,
    OK,
    PENDING,
    REPAIRING,
    RREQ,
    RRESP,
    WACK,
    WREQ,
    Scope,
)

Key = tuple[Any, ...]  # ("store", i), ("status", o), ("wreq", o, i), ...
NOT_ENCODED = {
    "linearizable": "needs a search over orders of the history; "
    "left to the explicit checker (leaderless check)",
}


def count(flags: Iterable[z3.BoolRef]) -> z3.ArithRef:
    terms = [z3.If(flag, 1, 0) for flag in flags]
    return z3.Sum(terms) if terms else z3.IntVal(0)


def _max(values: Sequence[tuple[z3.BoolRef, z3.ArithRef]], floor: int) -> z3.ArithRef:
    """The largest value among those whose flag is set, `floor` when none is."""
    best: z3.ArithRef = z3.IntVal(floor)
    for flag, value in values:
        best = z3.If(z3.And(flag, value > best), value, best)
    return best


@dataclass(frozen=True)
class SymState:
    """The variables of one step, by key; `tag` names the step in variable names."""

    tag: str
    vars: dict[Key, z3.ExprRef]
    act: z3.ArithRef  # the action instance of the step into this state

    def __getitem__(self, key: Key | str) -> Any:
        return self.vars[(key,) if isinstance(key, str) else key]


@dataclass(frozen=True)
class Effect:
    """What one action instance does: its guard, and the new values it gives."""

    guard: Sequence[z3.BoolRef]
    updates: dict[Key, z3.ExprRef]


@dataclass(frozen=True)
class Instance:
    """One action with one choice of its arguments (a MODEL.md step kind, instantiated)."""

    kind: str  # the MODEL.md action name
    args: tuple[Any, ...]
    effect: Callable[[SymState], Effect]
    # While a cut is in force, what a step sends across it is lost as it is sent
    # (docs/MODEL.md, partitions); Partition and Heal set the cut themselves.
    through_cut: bool = True


class NotEncoded(Exception):
    """The model has an action the encoding lacks; raised before any solving. `options`
    are the Config fields that bring those actions in."""

    def __init__(self, message: str, options: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.options = options


def refuse_unencoded(config: Config) -> None:
    """Raise NotEncoded when the configuration can take an action the encoding lacks:
    every symbolic verdict would then rest on a smaller model than the explorer's."""
    missing = [action for action in ACTIONS if not action.symbolic and action.occurs(config)]
    if missing:
        raise NotEncoded(
            f"the symbolic encoding does not cover {', '.join(a.name for a in missing)} "
            "(registered with symbolic=False in leaderless.model.actions), so bmc and "
            "k-induction cannot check this configuration",
            tuple(dict.fromkeys(a.option for a in missing if a.option is not None)),
        )


class Encoding:
    """The transition system of one configuration."""

    def __init__(self, config: Config) -> None:
        refuse_unencoded(config)
        self.config = config
        self.scope = Scope.of(config)
        scope = self.scope
        self.n = config.n
        self.ops = range(scope.op_count)
        self.writes = [o for o in self.ops if scope.is_write[o]]
        self.reads = [o for o in self.ops if not scope.is_write[o]]
        self.lww = scope.lww
        # Under siblings a version is a set of writes: a bitvector over the op ids, one
        # bit wider so that NO_RESULT (all ones) is no set of writes.
        self.siblings = scope.siblings
        self.width = scope.op_count + 1
        self.repair = config.read_repair != "off"
        self.blocking = config.read_repair == "blocking"
        # docs/MODEL.md's partitions: participants are replicas, clients and stand-ins,
        # numbered as in a side's bitmask (Scope.participant_bit).
        self.partitions = config.max_partitions > 0
        self.participants = scope.participants
        # docs/MODEL.md's hinted handoff: stand-ins are nodes n .. n + S - 1; they ack
        # only under sloppy quorums, so only then do they have acks and wacks.
        self.stand_ins = config.stand_ins
        self.sloppy = config.hinted_handoff == "sloppy"
        self.nodes = self.n + self.stand_ins
        self.ack_nodes = self.nodes if self.sloppy else self.n
        self.keys = self._keys()
        self.key_set = {key for key, _ in self.keys}
        self.instances = self._instances()
        self.kinds = sorted({inst.kind for inst in self.instances}, key=_ACTION_ORDER.index)
        self.bad: dict[str, Callable[[SymState], z3.BoolRef]] = {
            "stale-read": lambda s: self.stale_read(s, same_client=False),
            "read-your-writes": lambda s: self.stale_read(s, same_client=True),
            "monotonic-reads": self.monotonic_reads,
            "aborted-read": self.aborted_read,
            "write-atomicity": self.write_atomicity,
            "lww-order": self.lww_order,
            "convergence": self.convergence,
            "availability": self.availability,
            "no-resurrection": self.no_resurrection,
            "no-lost-update": self.no_lost_update,
        }
        assert set(self.bad) | set(NOT_ENCODED) == {p.id for p in CATALOGUE}

    # State variables.
    def _keys(self) -> list[tuple[Key, str]]:
        """Every variable of a step and its sort ("int", "bool", or "version": an int, or
        under siblings a sibling set)."""
        n = self.n
        keys: list[tuple[Key, str]] = []
        keys += [(("store", i), "version") for i in range(n)]  # version a replica holds
        keys += [(("up", i), "bool") for i in range(n)]  # replica alive
        keys += [(("now",), "int"), (("drops",), "int"), (("crashes",), "int")]
        if self.partitions:
            # The cut as the side holding client 0 (every flag false: no cut in force),
            # and the splits spent.
            keys += [(("side", x), "bool") for x in range(self.participants)]
            keys.append((("partitions",), "int"))
        for o in self.ops:
            keys += [(("status", o), "int"), (("invoked", o), "int"), (("completed", o), "int")]
            if o in self.writes:
                # The write's version under lww, its causal context under siblings, else 0.
                keys.append((("version", o), "version"))
                keys += [(("acks", o, x), "bool") for x in range(self.ack_nodes)]
                keys += [(("wreq", o, i), "bool") for i in range(n)]  # carries ("version", o)
                keys += [(("wack", o, x), "bool") for x in range(self.ack_nodes)]
                # Only a write's own request is redirected, so a hint (i, v) is the hint
                # of the one write whose version v is: a flag per (stand-in, write, i).
                keys += [
                    (("hint", h, o, i), "bool") for h in range(self.stand_ins) for i in range(n)
                ]
            else:
                keys.append((("result", o), "version"))  # NO_RESULT until the read returns
                keys += [(("has", o, i), "bool") for i in range(n)]  # responses: replica i...
                keys += [(("resp", o, i), "version") for i in range(n)]  # ...with this version
                keys += [(("rreq", o, i), "bool") for i in range(n)]
                keys += [(("rresp", o, i), "bool") for i in range(n)]
                keys += [(("rrespv", o, i), "version") for i in range(n)]  # version rresp carries
                if self.repair:
                    keys.append((("rv", o), "version"))  # version the repairs carry
                    keys += [(("wreq", o, i), "bool") for i in range(n)]
                if self.blocking:
                    keys += [(("awaiting", o, i), "bool") for i in range(n)]
                    keys += [(("wack", o, i), "bool") for i in range(n)]
        return keys

    def state(self, tag: str) -> SymState:
        made: dict[Key, z3.ExprRef] = {}
        for key, sort in self.keys:
            name = f"{tag}.{key[0]}[{','.join(map(str, key[1:]))}]"
            if sort == "bool":
                made[key] = z3.Bool(name)
            elif sort == "version" and self.siblings:
                made[key] = z3.BitVec(name, self.width)
            else:
                made[key] = z3.Int(name)
        return SymState(tag, made, z3.Int(f"{tag}.act"))

    def value(self, code: int) -> z3.ExprRef:
        """A version code (NO_RESULT included) as a constant of the versions' sort."""
        return z3.BitVecVal(code, self.width) if self.siblings else z3.IntVal(code)

    def vcode(self, s: SymState, o: int) -> z3.ExprRef:
        """The version write `o` writes."""
        if self.siblings:
            return self.value(1 << o)
        return s["version", o] if self.lww else z3.IntVal(o + 1)

    def member(self, x: z3.ExprRef, w: int) -> z3.BoolRef:
        """Write `w` is in sibling set `x`."""
        return z3.Extract(w, w, x) == 1

    def merge(self, s: SymState, x: z3.ExprRef) -> z3.ExprRef:
        """docs/MODEL.md's merge: the writes of `x` that no member's context covers."""
        covered = self.value(0)
        for w in self.writes:
            covered = covered | z3.If(self.member(x, w), s["version", w], self.value(0))
        return x & ~covered

    def applied(self, s: SymState, held: z3.ExprRef, v: z3.ExprRef) -> z3.ExprRef:
        """What a replica holding `held` stores once it applies `v`."""
        if self.siblings:
            return self.merge(s, held | v)
        return z3.If(v > held, v, held) if self.lww else v

    def read_context(self, s: SymState, client: int, k: int) -> z3.ExprRef:
        """Under siblings, ctx of the client's op at position k (docs/MODEL.md): what its
        last ok read before it returned, with those writes' contexts."""
        context = self.value(0)
        for r in self.scope.ops_of_client[client][:k]:  # the last ok read is the latest
            if r in self.reads:
                x = s["result", r]
                closed = x
                for w in self.writes:
                    closed = closed | z3.If(self.member(x, w), s["version", w], self.value(0))
                context = z3.If(s["status", r] == OK, closed, context)
        return context

    def ts_version(self, invoked: z3.ArithRef, o: int, delta: int) -> z3.ArithRef:
        # Scope.version(o, invoked + delta), written out so that it stays linear.
        slot = invoked + delta - self.scope.min_timestamp + 1
        if self.scope.deletes:
            slot = 2 * slot + int(self.scope.is_delete[o])
        return slot * self.scope.op_count + o + 1

    def meets(self, o: int, replicas: Sequence[z3.BoolRef]) -> z3.BoolRef:
        """Whether the replicas flagged meet op o's quorum: w (writes and deletes) or r
        (reads) of them, or its consistency level's requirements (docs/MODEL.md)."""
        needs = self.scope.needs
        if needs is None:
            return count(replicas) >= (self.config.w if o in self.writes else self.config.r)
        return z3.And(
            *[
                count([flag for i, flag in enumerate(replicas) if mask >> i & 1]) >= least
                for mask, least in needs[o]
            ]
        )

    # Initial state.
    def init(self, s: SymState) -> z3.BoolRef:
        facts: list[z3.BoolRef] = []
        for key, sort in self.keys:
            if sort == "bool":
                facts.append(s[key] == (key[0] == "up"))
            elif key[0] == "status":
                facts.append(s[key] == IDLE)
            elif key[0] == "result":
                facts.append(s[key] == NO_RESULT)
            else:
                facts.append(s[key] == 0)
        return z3.And(*facts)

    # 1. Invoke(c, t): `k` is the position of the client's next op, `delta` is t - now'.
    def invoke(self, s: SymState, client: int, k: int, delta: int) -> Effect:
        ops = self.scope.ops_of_client[client]
        o = ops[k]
        guard = [s["status", o] == IDLE]
        guard += [z3.Or(s["status", p] == OK, s["status", p] == FAIL) for p in ops[:k]]
        now = s["now"] + 1
        updates: dict[Key, z3.ExprRef] = {
            ("now",): now,
            ("status", o): z3.IntVal(PENDING),
            ("invoked", o): now,
            ("completed", o): z3.IntVal(0),
        }
        if o in self.writes:
            if self.lww:
                updates["version", o] = self.ts_version(now, o, delta)
            elif self.siblings:
                updates["version", o] = self.read_context(s, client, k)
            for i in range(self.n):
                updates["wreq", o, i] = z3.Or(s["wreq", o, i], s["up", i])
        else:
            updates["result", o] = self.value(NO_RESULT)
            targets = self.scope.read_targets
            for i in range(self.n):
                if targets is None or targets[o] >> i & 1:
                    updates["rreq", o, i] = z3.Or(s["rreq", o, i], s["up", i])
        return Effect(guard, updates)

    # 2. DeliverWriteRequest(wreq(o, i, v)), v is o's version (a write) or rv (a repair).
    def deliver_write_request(self, s: SymState, o: int, i: int) -> Effect:
        v = self.vcode(s, o) if o in self.writes else s["rv", o]
        stored = self.applied(s, s["store", i], v)
        updates: dict[Key, z3.ExprRef] = {("store", i): stored, ("wreq", o, i): z3.BoolVal(False)}
        if o in self.writes:
            updates["wack", o, i] = z3.Or(s["wack", o, i], s["status", o] == PENDING)
        elif self.blocking:
            updates["wack", o, i] = z3.Or(s["wack", o, i], s["status", o] == REPAIRING)
        guard = [s["wreq", o, i], s["up", i]]
        if self.partitions:
            guard.append(z3.Not(self.crosses(s, ("wreq", o, i))))
        return Effect(guard, updates)

    # 3. DeliverWriteAck(wack(o, i))
    def deliver_write_ack(self, s: SymState, o: int, i: int) -> Effect:
        n, status = self.n, s["status", o]
        updates: dict[Key, z3.ExprRef] = {("wack", o, i): z3.BoolVal(False)}
        if o in self.writes:
            pending = status == PENDING
            acks = [z3.Or(s["acks", o, j], j == i) for j in range(self.ack_nodes)]
            done = z3.And(pending, self.meets(o, acks))
            updates["status", o] = z3.If(done, OK, status)
            updates["completed", o] = z3.If(done, s["now"], s["completed", o])
            for j in range(self.ack_nodes):
                updates["acks", o, j] = z3.If(done, False, z3.If(pending, acks[j], s["acks", o, j]))
                if j != i:
                    updates["wack", o, j] = z3.And(s["wack", o, j], z3.Not(done))
        else:
            repairing = status == REPAIRING
            awaiting = [z3.And(s["awaiting", o, j], j != i) for j in range(n)]
            done = z3.And(repairing, z3.Not(z3.Or(*awaiting)))
            updates["status", o] = z3.If(done, OK, status)
            updates["completed", o] = z3.If(done, s["now"], s["completed", o])
            for j in range(n):
                updates["awaiting", o, j] = z3.If(repairing, awaiting[j], s["awaiting", o, j])
                updates["has", o, j] = z3.And(s["has", o, j], z3.Not(done))
                updates["resp", o, j] = z3.If(done, 0, s["resp", o, j])
        return Effect([s["wack", o, i]], updates)

    # 4. DeliverReadRequest(rreq(o, i))
    def deliver_read_request(self, s: SymState, o: int, i: int) -> Effect:
        updates: dict[Key, z3.ExprRef] = {
            ("rreq", o, i): z3.BoolVal(False),
            ("rresp", o, i): z3.BoolVal(True),
            ("rrespv", o, i): s["store", i],
        }
        return Effect([s["rreq", o, i], s["up", i]], updates)

    # 5. DeliverReadResponse(rresp(o, i, v)). `choice` None: the response does not
    # decide ("wait"), or decides under lww ("max"); a replica j: an arrival-order
    # read decides and returns j's version. A response to a read no longer pending is
    # only consumed ("stray"; unreachable, kept for exactness).
    def deliver_read_response(
        self, s: SymState, o: int, i: int, mode: str, choice: int | None = None
    ) -> Effect:
        n = self.n
        guard = [s["rresp", o, i]]
        updates: dict[Key, z3.ExprRef] = {("rresp", o, i): z3.BoolVal(False)}
        if mode == "stray":
            return Effect(guard + [s["status", o] != PENDING], updates)
        guard.append(s["status", o] == PENDING)
        has = [z3.Or(s["has", o, j], j == i) for j in range(n)]
        resp = [s["rrespv", o, i] if j == i else s["resp", o, j] for j in range(n)]
        if mode == "wait":
            guard.append(z3.Not(self.meets(o, has)))
            updates["has", o, i] = z3.BoolVal(True)
            updates["resp", o, i] = resp[i]
            return Effect(guard, updates)
        guard.append(self.meets(o, has))
        if self.siblings:
            union = self.value(0)
            for flag, version in zip(has, resp, strict=True):
                union = union | z3.If(flag, version, self.value(0))
            x = self.merge(s, union)
        elif choice is None:
            x = _max(list(zip(has, resp)), NIL)
        else:
            guard.append(has[choice])
            x = resp[choice]
        stale = [z3.And(has[j], resp[j] < x) for j in range(n)]
        repairing = z3.Or(*stale) if self.blocking else z3.BoolVal(False)
        updates["result", o] = x
        updates["status", o] = z3.If(repairing, REPAIRING, OK)
        updates["completed", o] = z3.If(repairing, 0, s["now"])
        for j in range(n):
            updates["rreq", o, j] = z3.BoolVal(False)
            updates["rresp", o, j] = z3.BoolVal(False)
            updates["has", o, j] = z3.BoolVal(False)
            updates["resp", o, j] = self.value(0)
            if self.repair:
                updates["wreq", o, j] = z3.Or(s["wreq", o, j], stale[j])
            if self.blocking:
                updates["awaiting", o, j] = stale[j]
        if self.repair:
            updates["rv", o] = x
        return Effect(guard, updates)

    def messages(self, o: int) -> list[tuple[int, Key]]:
        """The (kind, key) of every message variable of op `o`."""
        found = []
        for i in range(self.nodes):
            for kind, name in ((WREQ, "wreq"), (WACK, "wack"), (RREQ, "rreq"), (RRESP, "rresp")):
                key = (name, o, i)
                if key in self.key_set:
                    found.append((kind, key))
        return found

    # 6. Drop(m)
    def drop(self, s: SymState, message: Key) -> Effect:
        guard = [s["drops"] < self.config.max_drops, s[message]]
        return Effect(guard, {message: z3.BoolVal(False), ("drops",): s["drops"] + 1})

    # 7. Timeout(o)
    def timeout(self, s: SymState, o: int) -> Effect:
        status = s["status", o]
        guard = [z3.Or(status == PENDING, status == REPAIRING)]
        updates: dict[Key, z3.ExprRef] = {
            ("status", o): z3.IntVal(FAIL),
            ("completed", o): s["now"],
        }
        if o in self.reads:
            updates["result", o] = self.value(NO_RESULT)
        for kind, key in self.messages(o):
            if kind != WREQ:
                updates[key] = z3.BoolVal(False)
        empty: dict[str, z3.ExprRef] = {
            "acks": z3.BoolVal(False),
            "has": z3.BoolVal(False),
            "resp": self.value(0),
            "awaiting": z3.BoolVal(False),
        }
        for i in range(self.nodes):
            for name, value in empty.items():
                if (name, o, i) in self.key_set:
                    updates[name, o, i] = value
        return Effect(guard, updates)

    # 8. Crash(i)
    def crash(self, s: SymState, i: int) -> Effect:
        guard = [s["crashes"] < self.config.max_crashes, s["up", i]]
        updates: dict[Key, z3.ExprRef] = {
            ("up", i): z3.BoolVal(False),
            ("crashes",): s["crashes"] + 1,
        }
        for o in self.ops:
            for kind, key in self.messages(o):
                if key[2] == i and kind in (WREQ, RREQ):
                    updates[key] = z3.BoolVal(False)
        return Effect(guard, updates)

    # 9. AntiEntropy(i, j)
    def anti_entropy(self, s: SymState, i: int, j: int) -> Effect:
        a, b = s["store", i], s["store", j]
        merged = self.merge(s, a | b) if self.siblings else z3.If(a > b, a, b)
        guard = [s["up", i], s["up", j], a != b]
        if self.partitions:
            guard.append(s["side", i] == s["side", j])
        return Effect(guard, {("store", i): merged, ("store", j): merged})

    # Partitions (docs/MODEL.md). A cut is in force exactly when client 0's flag is set.
    def crosses(self, s: SymState, key: Key) -> z3.BoolRef:
        """Message `key` (kind, op, node) crosses the cut of `s`."""
        return self.apart(s, key[2], self.scope.ops[key[1]][0])

    def apart(self, s: SymState, node: int, client: int) -> z3.BoolRef:
        """Node (a replica or a stand-in) and client are on different sides in `s`."""
        return s["side", self.scope.participant_bit(node)] != s["side", self.n + client]

    def waits(self, key: Key) -> bool:
        """Message `key` is a write's request, which with stand-ins waits for the cut
        to heal instead of being lost to it (docs/MODEL.md, hinted handoff across a
        partition)."""
        return bool(self.stand_ins) and key[0] == "wreq" and key[1] in self.writes

    def in_force(self, s: SymState) -> z3.BoolRef:
        return s["side", self.n]

    # 11. Partition(S), S a participant mask holding client 0.
    def partition(self, s: SymState, side: int) -> Effect:
        guard = [z3.Not(self.in_force(s)), s["partitions"] < self.config.max_partitions]
        updates: dict[Key, z3.ExprRef] = {
            ("side", x): z3.BoolVal(bool(side >> x & 1)) for x in range(self.participants)
        }
        updates["partitions",] = s["partitions"] + 1
        bit = self.scope.participant_bit
        for o in self.ops:
            client = self.n + self.scope.ops[o][0]
            for _, key in self.messages(o):
                if (side >> bit(key[2]) ^ side >> client) & 1 and not self.waits(key):
                    updates[key] = z3.BoolVal(False)
        return Effect(guard, updates)

    # 12. Heal
    def heal(self, s: SymState) -> Effect:
        updates: dict[Key, z3.ExprRef] = {
            ("side", x): z3.BoolVal(False) for x in range(self.participants)
        }
        return Effect([self.in_force(s)], updates)

    # Hinted handoff (docs/MODEL.md).
    # 13. Redirect(wreq(o, i, v), h)
    def redirect(self, s: SymState, o: int, i: int, h: int) -> Effect:
        updates: dict[Key, z3.ExprRef] = {
            ("wreq", o, i): z3.BoolVal(False),
            ("hint", h, o, i): z3.BoolVal(True),
        }
        if self.sloppy:
            updates["wack", o, self.n + h] = z3.BoolVal(True)
        guard = [s["wreq", o, i], s["status", o] == PENDING]
        if self.partitions:
            guard.append(z3.Not(self.apart(s, self.n + h, self.scope.ops[o][0])))
        return Effect(guard, updates)

    # 14. Handoff(h, i), the hint of write o.
    def handoff(self, s: SymState, h: int, o: int, i: int) -> Effect:
        stored = self.applied(s, s["store", i], self.vcode(s, o))
        updates: dict[Key, z3.ExprRef] = {
            ("store", i): stored,
            ("hint", h, o, i): z3.BoolVal(False),
        }
        guard = [s["hint", h, o, i], s["up", i]]
        if self.partitions:
            bit = self.scope.participant_bit
            guard.append(s["side", i] == s["side", bit(self.n + h)])
        return Effect(guard, updates)

    def _instances(self) -> list[Instance]:
        """Every action instance the configuration allows, in MODEL.md's order."""
        config, scope, n = self.config, self.scope, self.n
        found: list[Instance] = []

        def add(
            kind: str, args: tuple[Any, ...], fn: Callable[..., Effect], through_cut: bool = True
        ) -> None:
            found.append(Instance(kind, args, lambda s: fn(s, *args), through_cut))

        for client, ops in enumerate(scope.ops_of_client):
            for k, o in enumerate(ops):
                spread = config.drift if o in self.writes and self.lww else 0
                for delta in range(-spread, spread + 1):
                    add("Invoke", (client, k, delta), self.invoke)
        for o in self.ops:
            for i in range(self.nodes):
                if ("wreq", o, i) in self.key_set:
                    add("DeliverWriteRequest", (o, i), self.deliver_write_request)
                if ("wack", o, i) in self.key_set:
                    add("DeliverWriteAck", (o, i), self.deliver_write_ack)
                if o in self.reads and i < n:
                    add("DeliverReadRequest", (o, i), self.deliver_read_request)
                    add("DeliverReadResponse", (o, i, "stray"), self.deliver_read_response)
                    add("DeliverReadResponse", (o, i, "wait"), self.deliver_read_response)
                    if self.lww or self.siblings:
                        add("DeliverReadResponse", (o, i, "decide"), self.deliver_read_response)
                    else:
                        for j in range(n):
                            add(
                                "DeliverReadResponse",
                                (o, i, "decide", j),
                                self.deliver_read_response,
                            )
        if config.max_drops:
            for o in self.ops:
                for _, key in self.messages(o):
                    add("Drop", (key,), self.drop)
        if config.timeouts:
            for o in self.ops:
                add("Timeout", (o,), self.timeout)
        if config.max_crashes:
            for i in range(n):
                add("Crash", (i,), self.crash)
        if config.anti_entropy:
            for i in range(n):
                for j in range(i + 1, n):
                    add("AntiEntropy", (i, j), self.anti_entropy)
        if config.max_partitions:
            everyone = (1 << self.participants) - 1
            for side in range(1 << self.participants):
                if side >> n & 1 and side != everyone:
                    add("Partition", (side,), self.partition, through_cut=False)
            add("Heal", (), self.heal, through_cut=False)
        for h in range(self.stand_ins):
            for o in self.writes:
                for i in range(n):
                    add("Redirect", (o, i, h), self.redirect)
        for h in range(self.stand_ins):
            for o in self.writes:
                for i in range(n):
                    add("Handoff", (h, o, i), self.handoff)
        return found

    def chosen(self, kind: str | None = None) -> list[Instance]:
        return [inst for inst in self.instances if kind is None or inst.kind == kind]

    def transition(self, s: SymState, t: SymState, kind: str | None = None) -> z3.BoolRef:
        """One step from `s` to `t`: any action instance, or any of one kind.

        `t.act` names the instance taken (its index in `chosen(kind)`). Each variable
        of `t` is one if-then-else over the instances that change it, framed to its
        value in `s` otherwise, which keeps the formula linear in the instances.
        """
        chosen = self.chosen(kind)
        act = t.act
        parts = [act >= 0, act < len(chosen)]
        values: dict[Key, z3.ExprRef] = {key: s[key] for key, _ in self.keys}
        for index, inst in enumerate(chosen):
            effect = inst.effect(s)
            parts.append(z3.Implies(act == index, z3.And(*effect.guard)))
            for key, value in effect.updates.items():
                values[key] = z3.If(act == index, value, values[key])
        if self.partitions:
            # The explorer drops from `net` whatever crosses the cut after every step but
            # Partition and Heal; a cut is fixed during such a step, so `s`'s cut decides.
            setting = [act == index for index, inst in enumerate(chosen) if not inst.through_cut]
            through = z3.Not(z3.Or(*setting)) if setting else z3.BoolVal(True)
            if any(inst.through_cut for inst in chosen):
                for o in self.ops:
                    for _, key in self.messages(o):
                        if self.waits(key):
                            continue
                        lost = z3.And(through, self.crosses(s, key))
                        values[key] = z3.And(values[key], z3.Not(lost))
        parts += [t[key] == value for key, value in values.items()]
        return z3.And(*parts)

    # Properties: each `bad` formula holds exactly in the states that violate it.
    def precedes(self, s: SymState, a: int, b: int) -> z3.BoolRef:
        ca, ib = s["completed", a], s["invoked", b]
        return z3.And(ca != 0, ib != 0, ca < ib)

    def names(self, s: SymState, x: z3.ArithRef, w: int) -> z3.BoolRef:
        """Version `x` is the value of write `w` (NIL names no write)."""
        return z3.And(x != NIL, x == self.vcode(s, w))

    def holds(self, s: SymState, x: z3.ExprRef, w: int) -> z3.BoolRef:
        """Version `x` holds write `w`: names it, or under siblings has it as a sibling."""
        return self.member(x, w) if self.siblings else self.names(s, x, w)

    def _ok_read(self, s: SymState, o: int) -> z3.BoolRef:
        return s["status", o] == OK

    def stale_read(self, s: SymState, same_client: bool) -> z3.BoolRef:
        ops = self.scope.ops
        cases = []
        for r in self.reads:
            x = s["result", r]
            for w in self.writes:
                if same_client and ops[w][0] != ops[r][0]:
                    continue
                if self.siblings:  # every sibling returned (none: NIL) finished before w
                    older = z3.And(
                        *[
                            z3.Implies(self.member(x, y), self.precedes(s, y, w))
                            for y in self.writes
                        ]
                    )
                else:
                    older = z3.Or(
                        x == NIL,
                        *[z3.And(self.names(s, x, y), self.precedes(s, y, w)) for y in self.writes],
                    )
                cases.append(
                    z3.And(self._ok_read(s, r), s["status", w] == OK, self.precedes(s, w, r), older)
                )
        return z3.Or(*cases)

    def no_resurrection(self, s: SymState) -> z3.BoolRef:
        is_delete = self.scope.is_delete
        cases = []
        for r in self.reads:
            x = s["result", r]
            for d in self.writes:
                if not is_delete[d]:
                    continue
                for w in self.writes:
                    if is_delete[w]:
                        continue
                    cases.append(
                        z3.And(
                            self._ok_read(s, r),
                            s["status", d] == OK,
                            self.precedes(s, d, r),
                            self.names(s, x, w),
                            x < self.vcode(s, d),
                            z3.Not(self.precedes(s, d, w)),
                        )
                    )
        return z3.Or(*cases)

    def monotonic_reads(self, s: SymState) -> z3.BoolRef:
        ops = self.scope.ops
        cases = []
        for r1 in self.reads:
            x1 = s["result", r1]
            for r2 in self.reads:
                if r1 == r2 or ops[r1][0] != ops[r2][0]:
                    continue
                x2 = s["result", r2]
                if self.siblings:  # every sibling of x2 (none: NIL) precedes one of x1
                    older = z3.And(
                        *[
                            z3.Implies(
                                self.member(x2, b),
                                z3.Or(
                                    *[
                                        z3.And(self.member(x1, a), self.precedes(s, b, a))
                                        for a in self.writes
                                    ]
                                ),
                            )
                            for b in self.writes
                        ]
                    )
                else:
                    older = z3.Or(
                        x2 == NIL,
                        *[
                            z3.And(
                                self.names(s, x1, a), self.names(s, x2, b), self.precedes(s, b, a)
                            )
                            for a in self.writes
                            for b in self.writes
                        ],
                    )
                cases.append(
                    z3.And(
                        self._ok_read(s, r1),
                        self._ok_read(s, r2),
                        x1 != NIL,
                        self.precedes(s, r1, r2),
                        older,
                    )
                )
        return z3.Or(*cases)

    def aborted_read(self, s: SymState) -> z3.BoolRef:
        return z3.Or(
            *[
                z3.And(
                    self._ok_read(s, r), self.holds(s, s["result", r], w), s["status", w] == FAIL
                )
                for r in self.reads
                for w in self.writes
            ]
        )

    def write_atomicity(self, s: SymState) -> z3.BoolRef:
        def stores(i: int, w: int) -> z3.BoolRef:
            if self.siblings:
                return self.member(s["store", i], w)
            return s["store", i] == self.vcode(s, w)

        return z3.Or(
            *[
                z3.And(s["status", w] == FAIL, s["up", i], stores(i, w))
                for w in self.writes
                for i in range(self.n)
            ]
        )

    def lww_order(self, s: SymState) -> z3.BoolRef:
        if not self.lww:
            return z3.BoolVal(False)
        return z3.Or(
            *[
                z3.And(
                    s["status", b] == OK, self.precedes(s, a, b), s["version", a] > s["version", b]
                )
                for a in self.writes
                for b in self.writes
            ]
        )

    def quiescent(self, s: SymState) -> z3.BoolRef:
        quiet = [z3.Not(s[key]) for o in self.ops for _, key in self.messages(o)]
        quiet += [z3.And(s["status", o] != PENDING, s["status", o] != REPAIRING) for o in self.ops]
        return z3.And(*quiet)

    def convergence(self, s: SymState) -> z3.BoolRef:
        if self.config.anti_entropy:
            return z3.BoolVal(False)  # every live replica then holds the largest version
        return z3.And(
            self.quiescent(s),
            z3.Or(
                *[
                    z3.And(s["up", i], s["up", j], s["store", i] != s["store", j])
                    for i in range(self.n)
                    for j in range(i + 1, self.n)
                ]
            ),
        )

    def availability(self, s: SymState) -> z3.BoolRef:
        n, cases = self.n, []
        # A replica can still count for an op when it answered or a message of the op to or
        # from it is in flight; an op has at most one of these per replica.
        for o in self.writes:
            possible = [
                z3.Or(s["acks", o, i], s["wack", o, i], z3.And(s["wreq", o, i], s["up", i]))
                for i in range(n)
            ]
            if self.stand_ins:
                cases.append(z3.And(s["status", o] == PENDING, self._stuck_with_stand_ins(s, o)))
                continue
            cases.append(z3.And(s["status", o] == PENDING, z3.Not(self.meets(o, possible))))
        for o in self.reads:
            possible = [
                z3.Or(*[s[name, o, i] for name in ("has", "rreq", "rresp")]) for i in range(n)
            ]
            cases.append(z3.And(s["status", o] == PENDING, z3.Not(self.meets(o, possible))))
            if self.blocking:
                cases.append(
                    z3.And(
                        s["status", o] == REPAIRING,
                        z3.Or(
                            *[
                                z3.And(
                                    s["awaiting", o, i],
                                    z3.Not(s["wack", o, i]),
                                    z3.Not(s["wreq", o, i]),
                                )
                                for i in range(n)
                            ]
                        ),
                    )
                )
        return z3.Or(*cases)

    def _stuck_with_stand_ins(self, s: SymState, o: int) -> z3.BoolRef:
        """docs/MODEL.md's availability for a pending write with stand-ins: the nodes that
        acked or whose ack or request (to an up replica) is in flight, plus under sloppy
        quorums one stand-in per request to a down replica while stand-ins are left,
        fall short of w."""
        n = self.n
        answering = [
            z3.Or(
                s["acks", o, x],
                s["wack", o, x],
                *([z3.And(s["wreq", o, x], s["up", x])] if x < n else []),
            )
            for x in range(self.ack_nodes)
        ]
        possible = count(answering)
        if self.sloppy:
            free = self.stand_ins - count(answering[n:])
            to_down = count([z3.And(s["wreq", o, i], z3.Not(s["up", i])) for i in range(n)])
            possible = possible + z3.If(free < to_down, free, to_down)
        return possible < self.config.w

    def context(self, s: SymState) -> dict[tuple[int, int], z3.BoolRef]:
        """`(a, b)`: update a is in ctx(b) (docs/MODEL.md): in what b's client's last ok
        read before b returned, or in that write's context, and so on down."""
        ops, writes = self.scope.ops, self.writes
        if self.siblings:  # fixed at invocation, in the write's version field
            return {(a, b): self.member(s["version", b], a) for a in writes for b in writes}
        direct: dict[tuple[int, int], z3.BoolRef] = {}
        for b in writes:
            client, k = ops[b]
            earlier = [r for r in self.scope.ops_of_client[client][:k] if r in self.reads]
            for a in writes:
                returned = [
                    z3.And(
                        s["status", r] == OK,
                        *[s["status", later] != OK for later in earlier[place + 1 :]],
                        self.names(s, s["result", r], a),
                    )
                    for place, r in enumerate(earlier)
                ]
                direct[a, b] = z3.And(s["invoked", b] != 0, z3.Or(*returned))
        # A context only names writes invoked before, so chains have fewer links than
        # there are writes: that many rounds of closing reach the fixpoint.
        closed = dict(direct)
        for _ in writes:
            closed = {
                (a, b): z3.Or(direct[a, b], *[z3.And(direct[x, b], closed[a, x]) for x in writes])
                for a in writes
                for b in writes
            }
        return closed

    def no_lost_update(self, s: SymState) -> z3.BoolRef:
        n, writes = self.n, self.writes
        # Per write b, whether some version still held names it.
        held: dict[int, list[z3.BoolRef]] = {b: [] for b in writes}
        for i in range(n):
            for b in writes:
                held[b].append(z3.And(s["up", i], self.holds(s, s["store", i], b)))
        for o in self.ops:
            for i in range(n):
                if ("wreq", o, i) not in self.key_set:
                    continue
                sent = z3.And(s["wreq", o, i], s["up", i])
                if o in writes:
                    held[o].append(sent)
                else:
                    for b in writes:
                        held[b].append(z3.And(sent, self.holds(s, s["rv", o], b)))
        for h in range(self.stand_ins):
            for b in writes:
                held[b] += [s["hint", h, b, i] for i in range(n)]
        context = self.context(s)
        return z3.Or(
            *[
                z3.And(
                    s["status", a] == OK,
                    z3.Not(
                        z3.Or(
                            *held[a],
                            *[z3.And(context[a, b], z3.Or(*held[b])) for b in writes if b != a],
                        )
                    ),
                )
                for a in writes
            ]
        )

    # Decoding a Z3 model into the explicit state tuple (model.state's layout).
    def decode(self, m: z3.ModelRef, s: SymState) -> tuple:
        def num(key: Key) -> int:
            value = m.eval(s[key], model_completion=True)
            return value.as_signed_long() if z3.is_bv(value) else value.as_long()

        def written(o: int) -> int:
            """The version code write `o` sends (Scope.version)."""
            if self.siblings:
                return 1 << o
            return num(("version", o)) if self.lww else o + 1

        def flag(key: Key) -> bool:
            return z3.is_true(m.eval(s[key], model_completion=True))

        scope, n = self.scope, self.n
        store = tuple(num(("store", i)) for i in range(n))
        up = sum(1 << i for i in range(n) if flag(("up", i)))
        if self.partitions:
            cut = sum(1 << x for x in range(self.participants) if flag(("side", x)))
            up = scope.with_cut(up, cut, num(("partitions",)))
        net: list[int] = []
        hist, live = [], []
        for o in self.ops:
            for kind, key in self.messages(o):
                if not flag(key):
                    continue
                i = key[2]
                if kind == WREQ:
                    v = written(o) if o in self.writes else num(("rv", o))
                    net.append(scope.message(WREQ, o, i, v))
                elif kind == RRESP:
                    net.append(scope.message(RRESP, o, i, num(("rrespv", o, i))))
                else:
                    net.append(scope.message(kind, o, i))
            is_write = o in self.writes
            hist.append(
                (
                    num(("status", o)),
                    num(("invoked", o)),
                    num(("completed", o)),
                    num(("version", o)) if is_write and (self.lww or self.siblings) else 0,
                    NO_RESULT if is_write else num(("result", o)),
                )
            )
            acks = sum(1 << i for i in range(self.ack_nodes) if is_write and flag(("acks", o, i)))
            responses = (
                ()
                if is_write
                else tuple((i, num(("resp", o, i))) for i in range(n) if flag(("has", o, i)))
            )
            awaiting = sum(
                1 << i
                for i in range(n)
                if not is_write and self.blocking and flag(("awaiting", o, i))
            )
            live.append((acks, responses, awaiting))
        state = (
            store,
            up,
            num(("now",)),
            tuple(sorted(net)),
            num(("drops",)),
            num(("crashes",)),
            tuple(hist),
            tuple(live),
        )
        if not self.stand_ins:
            return state
        hints = tuple(
            tuple(
                sorted(
                    (i, written(o))
                    for o in self.writes
                    for i in range(n)
                    if flag(("hint", h, o, i))
                )
            )
            for h in range(self.stand_ins)
        )
        return (*state, hints)


# MODEL.md's order, from the action registry: tests/test_action_registry.py checks that
# the encoding has instances of exactly the actions registered with symbolic=True.
_ACTION_ORDER = tuple(action.name for action in ACTIONS)

"""k-induction: prove a property of MODEL.md for runs of every length.

The proof has three parts, each a set of named Z3 obligations (mypyvy's one
obligation per (action, invariant)):

1. **Strengthening invariants.** `INVARIANTS` states facts about every reachable
   state (message bookkeeping, clocks, where versions come from, quorum counts).
   Each must hold initially (`init/<inv>`) and be preserved by every action kind
   given all of them (`<Action>/<inv>`). Candidates that fail are dropped, and the
   rest re-checked, until the survivors are inductive together (Houdini); a dropped
   candidate is reported with the action that breaks it, never assumed.
2. **Base case.** BMC (`leaderless.proofs.bmc`) finds no violation in runs of fewer than k
   steps; a violation there refutes the property, with a trace that replays.
3. **Inductive step** (`step<k>/<Action>/<property>`): any k+1 states linked by k
   steps, the last of that action kind, where the invariants hold throughout and the
   property holds in the first k states, satisfy the property in the last.

Outcomes: `proved` at k; `refuted` (a real violation, base case); `not inductive`
at the largest k tried, with the counterexample to induction (states that satisfy
every kept invariant, need not be reachable, and show what a further invariant must
rule out); `unknown` when Z3 gives up.

>>> from leaderless.model import Config, ReplicationModel
>>> model = ReplicationModel(Config(n=3, w=2, r=2, clients=("w", "w", "r")))
>>> prove(model, "lww-order").outcome
'proved'
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import z3

from leaderless.checker.trace import Trace, normalize, trace_data
from leaderless.model import CATALOGUE, ReplicationModel
from leaderless.model.state import FAIL, IDLE, NIL, NO_RESULT, OK, PENDING, REPAIRING
from leaderless.proofs.bmc import (
    NOT_APPLICABLE,
    NOT_ENCODED_STATUS,
    UNKNOWN,
    VIOLATED,
    BmcVerdict,
    bmc,
)
from leaderless.proofs.result import InvalidInput, Obligation, Proved, Refuted, Result, Unknown
from leaderless.proofs.solve import CTRL_C, check, frame, logic_solver, stop_for, stop_reason
from leaderless.proofs.symbolic import NOT_ENCODED, Encoding, SymState, count

PROVED, REFUTED, NOT_INDUCTIVE = "proved", "refuted", "not inductive"

Formula = Callable[[Encoding, SymState], z3.BoolRef]


@dataclass(frozen=True)
class Invariant:
    name: str
    statement: str
    formula: Formula
    lww_only: bool = False  # states facts of timestamps, which arrival order lacks


def _all(parts: list[z3.BoolRef]) -> z3.BoolRef:
    return z3.And(*parts) if parts else z3.BoolVal(True)


def _budgets(e: Encoding, s: SymState) -> z3.BoolRef:
    c = e.config
    return z3.And(
        s["drops"] >= 0,
        s["drops"] <= c.max_drops,
        s["crashes"] <= c.max_crashes,
        s["crashes"] == count([z3.Not(s["up", i]) for i in range(e.n)]),
    )


def _statuses(e: Encoding, s: SymState) -> z3.BoolRef:
    parts = []
    for o in e.ops:
        status, invoked, completed = s["status", o], s["invoked", o], s["completed", o]
        allowed = [IDLE, PENDING, OK, FAIL] + ([REPAIRING] if o in e.reads and e.blocking else [])
        parts += [
            z3.Or(*[status == a for a in allowed]),
            z3.Implies(status == IDLE, z3.And(invoked == 0, completed == 0)),
            z3.Implies(status != IDLE, z3.And(invoked >= 1, invoked <= s["now"])),
            z3.Implies(z3.Or(status == PENDING, status == REPAIRING), completed == 0),
            z3.Implies(
                z3.Or(status == OK, status == FAIL),
                z3.And(completed >= invoked, completed <= s["now"]),
            ),
        ]
    return _all(parts)


def _clock(e: Encoding, s: SymState) -> z3.BoolRef:
    parts = [s["now"] == count([s["status", o] != IDLE for o in e.ops])]
    parts += [
        z3.Implies(
            z3.And(s["status", a] != IDLE, s["status", b] != IDLE),
            s["invoked", a] != s["invoked", b],
        )
        for a in e.ops
        for b in e.ops
        if a < b
    ]
    return _all(parts)


def _scripts(e: Encoding, s: SymState) -> z3.BoolRef:
    parts = []
    for ops in e.scope.ops_of_client:
        for a, b in itertools.pairwise(ops):
            parts.append(
                z3.Implies(
                    s["status", b] != IDLE,
                    z3.And(
                        z3.Or(s["status", a] == OK, s["status", a] == FAIL),
                        s["invoked", a] < s["invoked", b],
                        s["completed", a] < s["invoked", b],
                    ),
                )
            )
    return _all(parts)


def _timestamps(e: Encoding, s: SymState) -> z3.BoolRef:
    if not e.lww:
        return z3.BoolVal(True)
    drift = e.config.drift
    return _all(
        [
            z3.If(
                s["status", o] == IDLE,
                s["version", o] == 0,
                z3.Or(
                    *[
                        s["version", o] == e.ts_version(s["invoked", o], o, delta)
                        for delta in range(-drift, drift + 1)
                    ]
                ),
            )
            for o in e.writes
        ]
    )


def _is_version(e: Encoding, s: SymState, x: z3.ArithRef) -> z3.BoolRef:
    return z3.Or(x == NIL, *[e.names(s, x, w) for w in e.writes])


def _provenance(e: Encoding, s: SymState) -> z3.BoolRef:
    parts = [_is_version(e, s, s["store", i]) for i in range(e.n)]
    for o in e.reads:
        status, result = s["status", o], s["result", o]
        parts.append(
            z3.If(
                z3.Or(status == OK, status == REPAIRING),
                _is_version(e, s, result),
                result == NO_RESULT,
            )
        )
        for i in range(e.n):
            parts.append(z3.Implies(s["rresp", o, i], _is_version(e, s, s["rrespv", o, i])))
            parts.append(z3.Implies(s["has", o, i], _is_version(e, s, s["resp", o, i])))
            if e.repair:
                parts.append(z3.Implies(s["wreq", o, i], _is_version(e, s, s["rv", o])))
    return _all(parts)


def _messages(e: Encoding, s: SymState) -> z3.BoolRef:
    parts = []
    for o in e.ops:
        status = s["status", o]
        for _, key in e.messages(o):
            parts.append(z3.Implies(s[key], status != IDLE))
            if key[0] in ("wreq", "rreq"):
                parts.append(z3.Implies(s[key], s["up", key[2]]))
    for o in e.writes:
        pending = s["status", o] == PENDING
        parts.append(z3.Implies(pending, count([s["acks", o, i] for i in range(e.n)]) < e.config.w))
        for i in range(e.n):
            wreq, wack, ack = s["wreq", o, i], s["wack", o, i], s["acks", o, i]
            parts += [
                z3.Implies(wack, pending),
                z3.Implies(ack, pending),
                z3.Not(z3.And(wreq, wack)),
                z3.Not(z3.And(wreq, ack)),
                z3.Not(z3.And(wack, ack)),
            ]
    for o in e.reads:
        pending = s["status", o] == PENDING
        parts.append(z3.Implies(pending, count([s["has", o, i] for i in range(e.n)]) < e.config.r))
        for i in range(e.n):
            rreq, rresp, has = s["rreq", o, i], s["rresp", o, i], s["has", o, i]
            parts += [
                z3.Implies(z3.Or(rreq, rresp, has), pending),
                z3.Not(z3.And(rreq, rresp)),
                z3.Not(z3.And(rreq, has)),
                z3.Not(z3.And(rresp, has)),
            ]
            if e.blocking:
                repairing, awaiting = status == REPAIRING, s["awaiting", o, i]
                wreq, wack = s["wreq", o, i], s["wack", o, i]
                parts += [
                    z3.Implies(awaiting, repairing),
                    z3.Implies(wack, awaiting),
                    z3.Implies(z3.And(repairing, wreq), awaiting),
                    z3.Not(z3.And(wreq, wack)),
                ]
    return _all(parts)


def _live_quorum(e: Encoding, s: SymState) -> z3.BoolRef:
    n = e.n
    floor = n - s["crashes"] - s["drops"]
    parts = [
        z3.Implies(
            s["status", o] == PENDING,
            count(
                [s["acks", o, i] for i in range(n)]
                + [s["wack", o, i] for i in range(n)]
                + [z3.And(s["wreq", o, i], s["up", i]) for i in range(n)]
            )
            >= floor,
        )
        for o in e.writes
    ]
    parts += [
        z3.Implies(
            s["status", o] == PENDING,
            count([s[name, o, i] for name in ("has", "rreq", "rresp") for i in range(n)]) >= floor,
        )
        for o in e.reads
    ]
    return _all(parts)


def _delivery(e: Encoding, s: SymState) -> z3.BoolRef:
    return _all(
        [
            z3.Implies(
                z3.And(s["status", o] != IDLE, s["up", i]),
                z3.Or(s["wreq", o, i], s["store", i] >= s["version", o]),
            )
            for o in e.writes
            for i in range(e.n)
        ]
    )


def _acked_stored(e: Encoding, s: SymState) -> z3.BoolRef:
    return _all(
        [
            z3.Implies(z3.Or(s["acks", o, i], s["wack", o, i]), s["store", i] >= s["version", o])
            for o in e.writes
            for i in range(e.n)
        ]
    )


def _write_quorum(e: Encoding, s: SymState) -> z3.BoolRef:
    return _all(
        [
            z3.Implies(
                s["status", o] == OK,
                count([s["store", i] >= s["version", o] for i in range(e.n)]) >= e.config.w,
            )
            for o in e.writes
        ]
    )


def _read_quorum(e: Encoding, s: SymState) -> z3.BoolRef:
    parts = []
    for w in e.writes:
        vw = s["version", w]
        for r in e.reads:
            good = [
                z3.And(
                    s["store", i] >= vw,
                    z3.Implies(s["has", r, i], s["resp", r, i] >= vw),
                    z3.Implies(s["rresp", r, i], s["rrespv", r, i] >= vw),
                )
                for i in range(e.n)
            ]
            parts.append(
                z3.Implies(
                    z3.And(s["status", w] == OK, s["status", r] == PENDING, e.precedes(s, w, r)),
                    count(good) >= e.config.w,
                )
            )
    return _all(parts)


def _reads_see_writes(e: Encoding, s: SymState) -> z3.BoolRef:
    return _all(
        [
            z3.Implies(
                z3.And(s["status", w] == OK, s["status", r] == OK, e.precedes(s, w, r)),
                s["result", r] >= s["version", w],
            )
            for w in e.writes
            for r in e.reads
        ]
    )


INVARIANTS: tuple[Invariant, ...] = (
    Invariant("budgets", "faults spent stay within budget; crashes = replicas down", _budgets),
    Invariant(
        "statuses",
        "an op's times match its status (idle: none; done: invoked <= completed <= now)",
        _statuses,
    ),
    Invariant("clock", "now counts the invoked ops, each invoked at its own time", _clock),
    Invariant("scripts", "a client runs its script in order, one op at a time", _scripts),
    Invariant(
        "timestamps", "under lww a write's timestamp is within drift of its invocation", _timestamps
    ),
    Invariant(
        "provenance",
        "every stored, sent or returned version is NIL or an invoked write's",
        _provenance,
    ),
    Invariant(
        "messages",
        "messages and acks/responses belong to ops in flight, one per "
        "replica; requests go to live replicas",
        _messages,
    ),
    Invariant(
        "live-quorum",
        "a pending op's acks/responses plus messages in flight number at least n - crashes - drops",
        _live_quorum,
    ),
    Invariant(
        "delivery",
        "under lww a live replica holds each invoked write's version or "
        "more, or its wreq is in flight",
        _delivery,
        lww_only=True,
    ),
    Invariant(
        "acked-stored",
        "under lww a replica that acked a pending write stores its version or more",
        _acked_stored,
        lww_only=True,
    ),
    Invariant(
        "write-quorum",
        "under lww an ok write's version (or more) is stored on w replicas",
        _write_quorum,
        lww_only=True,
    ),
    Invariant(
        "read-quorum",
        "a read pending after an ok write has w replicas that "
        "store and answer that write's version or more",
        _read_quorum,
        lww_only=True,
    ),
    Invariant(
        "reads-see-writes",
        "an ok read returns at least the version of every ok write that precedes it",
        _reads_see_writes,
        lww_only=True,
    ),
)


@dataclass(frozen=True)
class KInduction:
    """The outcome of a k-induction attempt on one property."""

    property_id: str
    outcome: str  # proved / refuted / not inductive / unknown / n/a / not encoded
    k: int | None  # the k proved at, or the largest k tried
    result: Result | None  # the obligations, as proofs.result data
    invariants: tuple[str, ...] = ()  # strengthening invariants proved and assumed
    dropped: tuple[tuple[str, str], ...] = ()  # (invariant, the action that breaks it)
    cti: dict[str, Any] | None = None  # counterexample to induction: action and states
    trace: Trace | None = None  # a real violation (base case)
    seconds: float = 0.0
    stopped_by: str | None = None  # Ctrl-C or a limit stopped the attempt: unknown

    @property
    def interrupted(self) -> bool:
        return self.stopped_by is not None

    def to_json(self, model: ReplicationModel, times: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "property": self.property_id,
            "verdict": self.outcome,
            "k": self.k,
            "invariants": list(self.invariants),
            "dropped": [{"invariant": i, "broken_by": a} for i, a in self.dropped],
        }
        if self.result is not None:
            data["result"] = self.result.to_json(times)
        if self.cti is not None:
            data["counterexample_to_induction"] = self.cti
        if self.trace is not None:
            data["trace"] = normalize(trace_data(model, self.trace))
        if times:
            data["seconds"] = round(self.seconds, 3)
        return data


class Prover:
    """The obligations of one configuration, on one solver per check. The
    strengthening invariants are pruned once and shared by every property proved."""

    def __init__(self, model: ReplicationModel, timeout_ms: int | None = None) -> None:
        self.model = model
        self.encoding = Encoding(model.config)
        self.timeout_ms = timeout_ms
        self.obligations: list[Obligation] = []
        self._strengthened: tuple[list[Invariant], list[tuple[str, str]], str | None] | None = None
        self._shared: list[Obligation] = []

    def _check(
        self, name: str, statement: str, facts: list[z3.BoolRef]
    ) -> tuple[Obligation, z3.ModelRef | None]:
        solver = logic_solver(self.timeout_ms)
        with frame(solver):
            solver.add(*facts)
            obligation, found = check(solver, name, statement)
        self.obligations.append(obligation)
        return obligation, found

    def strengthening(self) -> tuple[list[Invariant], list[tuple[str, str]], str | None]:
        """`_strengthen`, computed once; leaves its obligations in `self.obligations`."""
        if self._strengthened is None:
            self._strengthened = self._strengthen()
            self._shared = list(self.obligations)
        self.obligations = list(self._shared)
        return self._strengthened

    def _strengthen(self) -> tuple[list[Invariant], list[tuple[str, str]], str | None]:
        """Houdini: the largest subset of INVARIANTS that is inductive; the dropped
        ones with the obligation that broke them; a reason if Z3 gave up."""
        e = self.encoding
        s, t = e.state("s"), e.state("t")
        kept: list[Invariant] = []
        dropped: list[tuple[str, str]] = []
        for inv in INVARIANTS:
            if inv.lww_only and not e.lww:
                continue
            ob, _ = self._check(
                f"init/{inv.name}",
                f"{inv.statement}, initially",
                [e.init(s), z3.Not(inv.formula(e, s))],
            )
            if ob.z3_result == "unknown":
                return kept, dropped, f"init/{inv.name}: {ob.reason}"
            if ob.z3_result == "sat":
                dropped.append((inv.name, "init"))
            else:
                kept.append(inv)
        changed = True
        while changed:
            changed = False
            assumed = [inv.formula(e, s) for inv in kept]
            self.obligations = [ob for ob in self.obligations if ob.name.startswith("init/")]
            for kind in e.kinds:
                step = e.transition(s, t, kind)
                for inv in list(kept):
                    ob, _ = self._check(
                        f"{kind}/{inv.name}",
                        f"{kind} preserves {inv.name}: {inv.statement}",
                        assumed + [step, z3.Not(inv.formula(e, t))],
                    )
                    if ob.z3_result == "unknown":
                        return kept, dropped, f"{ob.name}: {ob.reason}"
                    if ob.z3_result == "sat":
                        kept.remove(inv)
                        dropped.append((inv.name, kind))
                        changed = True
                if changed:
                    break
        return kept, dropped, None

    def step(
        self, property_id: str, k: int, kept: list[Invariant]
    ) -> tuple[str, dict[str, Any] | None, str | None]:
        """The inductive step at k, one obligation per action kind of the last step:
        ("unsat" | "sat" | "unknown", the counterexample to induction, Z3's reason)."""
        e = self.encoding
        path = [e.state(f"k{i}") for i in range(k + 1)]
        bad = e.bad[property_id]
        facts = [inv.formula(e, state) for state in path for inv in kept]
        facts += [z3.Not(bad(state)) for state in path[:-1]]
        facts += [e.transition(a, b) for a, b in itertools.pairwise(path[:-1])]
        for kind in e.kinds:
            ob, found = self._check(
                f"step{k}/{kind}/{property_id}",
                f"{k} steps ending in {kind} from states where {property_id} holds keep it",
                facts + [e.transition(path[-2], path[-1], kind), bad(path[-1])],
            )
            if ob.z3_result == "unknown":
                return "unknown", None, ob.reason
            if found is not None:
                return "sat", self._cti(found, path, kind), None
        return "unsat", None, None

    def _cti(self, found: z3.ModelRef, path: list[SymState], kind: str) -> dict[str, Any]:
        states = []
        for state in path:
            decoded = self.encoding.decode(found, state)
            try:
                states.append(normalize(self.model.state_view(decoded)))
            except (ValueError, IndexError, KeyError):
                states.append({"raw": normalize(decoded)})
        return {"last_action": kind, "states": states}


def prove(
    model: ReplicationModel,
    property_id: str,
    max_k: int = 2,
    timeout_ms: int | None = None,
    prover: Prover | None = None,
) -> KInduction:
    """Try k = 1..max_k; see the module docstring for the outcomes. Pass one `prover`
    to several calls on the same model to prune the invariants only once. Ctrl-C
    (or a limit) ends the attempt as unknown with `stopped_by` set, never as proved."""
    if max_k < 1:
        raise InvalidInput(f"max_k = {max_k} is out of range: k-induction needs k >= 1")
    started = time.monotonic()
    index = [p.id for p in CATALOGUE].index(property_id)
    if not model.applicable >> index & 1:
        return KInduction(property_id, NOT_APPLICABLE, None, None)
    if property_id in NOT_ENCODED:
        return KInduction(property_id, NOT_ENCODED_STATUS, None, None)
    claim = f"{property_id} holds in every reachable state of {model.config.describe()}"
    prover = prover if prover is not None else Prover(model, timeout_ms)
    attempt = _Attempt(model, property_id, claim, prover, started)
    try:
        return attempt.run(max_k, timeout_ms)
    except KeyboardInterrupt as stop:
        stopped_by = stop_reason(stop)
        reason = f"{stopped_by} before every obligation was discharged"
        return attempt.finish(
            UNKNOWN,
            attempt.k,
            Unknown(claim, reason, tuple(prover.obligations)),
            stopped_by=stopped_by,
        )


class _Attempt:
    """One call of `prove`: the k reached so far, for a report on Ctrl-C."""

    def __init__(
        self, model: ReplicationModel, property_id: str, claim: str, prover: Prover, started: float
    ) -> None:
        self.model, self.property_id, self.claim = model, property_id, claim
        self.prover, self.started = prover, started
        self.k: int | None = None
        self.names: tuple[str, ...] = ()
        self.dropped: tuple[tuple[str, str], ...] = ()

    def finish(self, outcome: str, k: int | None, result: Result, **extra: Any) -> KInduction:
        return KInduction(
            self.property_id,
            outcome,
            k,
            result,
            self.names,
            self.dropped,
            seconds=time.monotonic() - self.started,
            **extra,
        )

    def run(self, max_k: int, timeout_ms: int | None) -> KInduction:
        model, property_id, claim, prover = self.model, self.property_id, self.claim, self.prover
        kept, dropped, gave_up = prover.strengthening()
        self.names = tuple(inv.name for inv in kept)
        self.dropped = tuple(dropped)
        if gave_up is not None:
            return self.finish(UNKNOWN, None, Unknown(claim, gave_up, tuple(prover.obligations)))
        cti = None
        for k in range(1, max_k + 1):
            self.k = k
            answer, cti, reason = prover.step(property_id, k, kept)
            if answer == "unknown":
                return self.finish(
                    UNKNOWN, k, Unknown(claim, f"step {k}: {reason}", tuple(prover.obligations))
                )
            if answer == "unsat" or k == max_k:
                base = self._base_case(k, timeout_ms)
                obligations = tuple(prover.obligations)
                if base.status == VIOLATED and base.trace is not None:
                    witness = normalize(trace_data(model, base.trace))
                    return self.finish(
                        REFUTED,
                        k,
                        Refuted(claim, witness, base.trace.reason, obligations),
                        trace=base.trace,
                    )
                if base.status == UNKNOWN:
                    return self.finish(UNKNOWN, k, Unknown(claim, base.reason or "", obligations))
                if answer == "unsat":
                    explanation = (
                        f"{k}-inductive, strengthened by: {', '.join(self.names)}"
                        if self.names
                        else f"{k}-inductive on its own"
                    )
                    return self.finish(PROVED, k, Proved(claim, obligations, explanation))
        assert cti is not None
        reason = (
            f"not inductive at k={max_k}: a step ending in {cti['last_action']} breaks "
            "it from states that satisfy every kept invariant (see the counterexample "
            "to induction); a stronger invariant or a larger k may prove it"
        )
        return self.finish(
            NOT_INDUCTIVE, max_k, Unknown(claim, reason, tuple(prover.obligations)), cti=cti
        )

    def _base_case(self, k: int, timeout_ms: int | None) -> BmcVerdict:
        """BMC over every run of fewer than k steps, recorded as the obligation base<k>.

        A base case that Ctrl-C cut short covers only some of those depths, and a
        shorter violation may lie in the rest, so it raises KeyboardInterrupt (unless
        it already found a violation, which is real however far the search got)."""
        searched = bmc(self.model, k - 1, [self.property_id], timeout_ms)
        base = searched.verdict(self.property_id)
        cut_short = searched.interrupted and base.status != VIOLATED
        answer = (
            "unknown"
            if cut_short or base.status == UNKNOWN
            else "sat"
            if base.status == VIOLATED
            else "unsat"
        )
        self.prover.obligations.append(
            Obligation(
                f"base{k}/{self.property_id}",
                f"no run of fewer than {k} steps violates it",
                answer,
                base.seconds,
                (base.reason or "") if answer == "unknown" else "",
            )
        )
        if cut_short:
            raise stop_for(searched.stopped_by or CTRL_C)
        return base

"""Bounded model checking: the shortest violation of each property within K steps.

One incremental solver holds `init(s0) and T(s0, s1) and ... and T(s(d-1), sd)`; at each
depth d every property not yet violated is asked, in a solver frame, whether sd can
break it. The first depth that answers sat is the shortest violation (no step
stutters, so a path of d steps is a run of d steps). Each model is decoded state by
state and replayed through the explicit model, picking at each step the explicit
successor equal to the decoded state: every trace returned is a concrete run of
`leaderless.model.ReplicationModel`, and a disagreement between the two engines is an error.

>>> from leaderless.model import Config, ReplicationModel
>>> result = bmc(ReplicationModel(Config(n=3, w=1, r=1, clients=("w", "r"))), depth=6)
>>> result.verdict("stale-read").status, result.verdict("stale-read").depth
('violated', 6)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import z3

from leaderless.checker.trace import Trace
from leaderless.model import CATALOGUE, ReplicationModel
from leaderless.proofs.result import Inconsistent
from leaderless.proofs.solve import frame, interruptible_check, logic_solver, stop_reason
from leaderless.proofs.symbolic import NOT_ENCODED, Encoding, SymState

VIOLATED, NONE_WITHIN, NOT_APPLICABLE, NOT_ENCODED_STATUS, UNKNOWN = (
    "violated",
    "none within K",
    "n/a",
    "not encoded",
    "unknown",
)


class EncodingMismatch(Inconsistent):
    """The symbolic and the explicit model disagree: a bug in one of them."""


@dataclass(frozen=True)
class BmcVerdict:
    property_id: str
    status: str  # violated / none within K / n/a / not encoded / unknown
    depth: int | None = None  # steps of the shortest violation
    trace: Trace | None = None
    reason: str | None = None  # why it breaks, or why there is no answer
    seconds: float = 0.0  # solver time spent on this property


@dataclass(frozen=True)
class BmcResult:
    bound: int  # paths of 0..bound steps were searched for every property still open
    seconds: float
    verdicts: list[BmcVerdict] = field(default_factory=list)
    stopped_by: str | None = None  # Ctrl-C or a limit stopped it before the depth asked for

    @property
    def interrupted(self) -> bool:
        return self.stopped_by is not None

    def verdict(self, property_id: str) -> BmcVerdict:
        return next(v for v in self.verdicts if v.property_id == property_id)


def replay_states(model: ReplicationModel, states: list[tuple], property_id: str) -> Trace:
    """The explicit run through decoded `states`; raise EncodingMismatch if there is none."""
    initial = model.initial_states()[0]
    if states[0] != initial:
        raise EncodingMismatch(f"decoded initial state {states[0]} is not {initial}")
    steps: list[tuple[tuple, tuple]] = []
    for number, wanted in enumerate(states[1:], start=1):
        before = steps[-1][1] if steps else initial
        match = next(
            ((label, nxt) for label, nxt in model.successors(before) if nxt == wanted), None
        )
        if match is None:
            raise EncodingMismatch(
                f"step {number}: no explicit successor of {before} is the decoded state {wanted}"
            )
        steps.append(match)
    index = [p.id for p in CATALOGUE].index(property_id)
    final = steps[-1][1] if steps else initial
    reason = model.explain(index, final)
    if reason is None:
        raise EncodingMismatch(
            f"{property_id}: the symbolic formula says {final} violates it, "
            "the explicit predicate says it does not"
        )
    return Trace(index, property_id, initial, tuple(steps), reason)


def decode_run(encoding: Encoding, solver_model: z3.ModelRef, path: list[SymState]) -> list[tuple]:
    return [encoding.decode(solver_model, s) for s in path]


def bmc(
    model: ReplicationModel,
    depth: int,
    properties: list[str] | None = None,
    timeout_ms: int | None = None,
    progress: Callable[[int, int, float], None] | None = None,
) -> BmcResult:
    """Search runs of 0..`depth` steps for the shortest violation of each property.

    `properties` limits the search (default: every applicable one); `timeout_ms`
    bounds each solver call, past which the property is `unknown`. `progress` hears
    (depth about to be searched, properties still open, seconds so far). Ctrl-C stops
    the search at the depth reached, keeping what was found.
    """
    started = time.monotonic()
    encoding = Encoding(model.config)
    wanted = properties if properties is not None else [p.id for p in CATALOGUE]
    finished: dict[str, BmcVerdict] = {}
    for index, prop in enumerate(CATALOGUE):
        if prop.id not in wanted:
            continue
        if not model.applicable >> index & 1:
            finished[prop.id] = BmcVerdict(prop.id, NOT_APPLICABLE)
        elif prop.id in NOT_ENCODED:
            finished[prop.id] = BmcVerdict(prop.id, NOT_ENCODED_STATUS, reason=NOT_ENCODED[prop.id])
    open_ids = [p for p in wanted if p not in finished]
    spent = dict.fromkeys(open_ids, 0.0)

    solver = logic_solver(timeout_ms)
    path = [encoding.state("0")]
    solver.add(encoding.init(path[0]))
    searched = -1  # the deepest depth every open property was asked about
    stopped_by = None
    try:
        searched = _unroll(
            model,
            encoding,
            solver,
            path,
            depth,
            open_ids,
            finished,
            spent,
            started,
            progress,
            timed=timeout_ms is not None,
        )
    except KeyboardInterrupt as stop:
        searched, stopped_by = len(path) - 2, stop_reason(stop)
    open_ids = [p for p in open_ids if p not in finished]
    stopped = f"{stopped_by}: " if stopped_by else ""
    for p in open_ids:
        if searched < 0:
            finished[p] = BmcVerdict(
                p, UNKNOWN, reason=f"{stopped_by} before any run was searched", seconds=spent[p]
            )
            continue
        finished[p] = BmcVerdict(
            p,
            NONE_WITHIN,
            reason=f"{stopped}no violation in runs of at most {searched} steps",
            seconds=spent[p],
        )
    verdicts = [finished[p.id] for p in CATALOGUE if p.id in finished]
    return BmcResult(searched, time.monotonic() - started, verdicts, stopped_by)


def _unroll(
    model: ReplicationModel,
    encoding: Encoding,
    solver: z3.Solver,
    path: list[SymState],
    depth: int,
    open_ids: list[str],
    finished: dict[str, BmcVerdict],
    spent: dict[str, float],
    started: float,
    progress: Callable[[int, int, float], None] | None,
    timed: bool,
) -> int:
    """Unroll depth by depth, asking each open property at each depth; returns `depth`."""
    for d in range(depth + 1):
        if progress is not None:
            progress(d, len(open_ids), time.monotonic() - started)
        last = path[-1]
        bad = {p: encoding.bad[p](last) for p in open_ids}
        if bad:
            clock = time.monotonic()
            with frame(solver):
                solver.add(z3.Or(*bad.values()))
                any_bad = interruptible_check(solver, timed)
            share = (time.monotonic() - clock) / len(bad)
            for p in bad:
                spent[p] += share
            if any_bad != z3.unsat:
                for p, formula in bad.items():
                    clock = time.monotonic()
                    with frame(solver):
                        solver.add(formula)
                        answer = interruptible_check(solver, timed)
                        found = solver.model() if answer == z3.sat else None
                    spent[p] += time.monotonic() - clock
                    if found is not None:
                        trace = replay_states(model, decode_run(encoding, found, path), p)
                        finished[p] = BmcVerdict(p, VIOLATED, d, trace, trace.reason, spent[p])
                    elif answer == z3.unknown:
                        finished[p] = BmcVerdict(
                            p,
                            UNKNOWN,
                            reason=(f"solver gave up at depth {d}: {solver.reason_unknown()}"),
                            seconds=spent[p],
                        )
                open_ids = [p for p in open_ids if p not in finished]
        if d < depth:
            path.append(encoding.state(str(d + 1)))
            solver.add(encoding.transition(path[-2], path[-1]))
    return depth

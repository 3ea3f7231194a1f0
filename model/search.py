"""Randomised search for counterexamples: random runs of the model, shrunk.

The explorer is complete but only for small scopes. The search samples long runs
of larger ones (9 replicas, 6 clients x 4 ops, large drift and fault budgets) with
`leaderless.checker.simulation`, which draws every choice from Hypothesis. This module gives it
the model's side: `ReplicationWalk`, how a run chooses its next step among those the
model's `successors` allow (swarm weights per action kind, a cap on ops in flight,
the clocks that choose timestamps). A violation is shrunk by Hypothesis, then
shortened step by step while it still replays, and returned as the explorer's
`Trace`, so every renderer and `replay` take it as they are.

Finding nothing proves nothing: a search reports "none found in N examples",
never "holds".

>>> from leaderless.model import Config
>>> [f.status for f in search(Config(n=3, w=1, r=1, clients=("w", "r")),
...                          properties=["stale-read"], examples=200, seed=0)]
['violated']
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import cast

from leaderless.checker.simulation import (
    INTERRUPTED,
    Choices,
    Limits,
    SimulationProgress,
    simulate,
)
from leaderless.checker.trace import Trace
from leaderless.model.actions import ACTION_OF, Invoke, Label, Timeout
from leaderless.model.clocks import ClientClock, ClientClocks, Clock, PerWriteClock, clock_error
from leaderless.model.config import Config, ConfigError
from leaderless.model.properties import CATALOGUE, PROPERTY_IDS
from leaderless.model.state import H_STATUS, HIST, IDLE, NOW, PENDING, REPAIRING, State
from leaderless.model.system import ReplicationModel

VIOLATED, NONE_FOUND, NOT_APPLICABLE = "violated", "none found", "n/a"

# Hypothesis's shrinking re-runs a violating run hundreds of times; past this many
# seconds the shortest run so far goes on to the (much faster) shortening pass.
SHRINK_SECONDS = 10.0
# What `leaderless search` does without options: runs per property, steps per run.
DEFAULT_EXAMPLES = 500
DEFAULT_STEPS = 1000

Step = tuple[Label, tuple]


@dataclass(frozen=True)
class SearchProgress:
    property_id: str
    runs: int  # runs generated so far (shrinking's re-runs not counted)
    steps: int  # model steps taken, shrinking included
    seconds: float
    phase: str  # "searching", "shrinking" or "shortening"
    shortest: int | None = None  # steps in the shortest violating run so far
    shrink_runs: int = 0  # runs the shrinking re-ran so far


@dataclass(frozen=True)
class Finding:
    """What the search of one property found."""

    property_id: str
    meaning: str
    status: str  # violated / none found / n/a
    examples: int  # runs generated until the first violation, or in all when none was found
    steps: int  # model steps taken in every run, shrinking included
    seconds: float
    first_seconds: float | None = None  # time until the first violation
    trace: Trace | None = None  # the shortened counterexample, when violated
    model: ReplicationModel | None = None  # the model `trace` replays in (see `report_config`)
    stopped_by: str | None = None  # the limit (or Ctrl-C) that cut this search short
    shortened: bool = True  # the trace was shortened to the end (not cut short by a limit)
    cut_runs: int = 0  # runs Hypothesis ended early at its data limit (too many steps)

    @property
    def interrupted(self) -> bool:
        return self.stopped_by == INTERRUPTED


# The walk times every step, as a discrete-event simulation does: each message gets a
# latency when it is sent, each client a think time before its next op, each op a
# timeout, each fault a time, and the step due first is taken. Latencies decide the
# order of deliveries, so the orders that anomalies need come out often: a write
# that reaches some replicas late while a read reaches them early is a stale read.
# Ties go to the step the model lists first.
_LATENCY = 10  # a message arrives 1.._LATENCY ticks after it was sent ...
_SLOW_ONE_IN = 4  # ... or, one message in this many, _SLOW_BY ticks later still
_SLOW_BY = 3 * _LATENCY
_THINK = 1  # a client invokes its next op 0.._THINK ticks after the last one ended
_TIMEOUT = (_LATENCY, 4 * _LATENCY)  # an op times out this many ticks after it began
_FAULT_BY = 4 * _LATENCY  # a crash, an anti-entropy exchange: this many ticks at most
_DROP_PERCENTS = (0, 10, 30)
_NEVER = float("inf")


class ReplicationWalk:
    """How one run of the replication model chooses its steps (a `leaderless.checker.simulation`
    walk): a timed schedule, as above. Each run first draws what it is like (swarm
    testing, Groce et al. 2012: runs differ in what they do, not only in order):
    whether ops time out, how many messages get lost, which replicas crash and
    when, whether anti-entropy runs, and how many ops may be in flight at once (like
    Jepsen's concurrency; most anomalies need ops that follow one another). MODEL.md's
    per-write clocks, or one drifting clock per client, choose the timestamps. Times
    only choose among the steps the model allows: every run is a run of the model."""

    def __init__(
        self, model: ReplicationModel, clock: Clock, choices: Choices, limits: Limits | None = None
    ) -> None:
        self.model = model
        self.clock = clock
        self.limits = limits or Limits()
        config = model.config
        self.timeouts = config.timeouts and bool(choices.integer(0, 1, "timeouts on"))
        self.drop_percent = choices.pick(_DROP_PERCENTS, "drop %") if config.max_drops else 0
        self.crash_at = [
            choices.integer(0, _FAULT_BY, f"replica {r} crashes at")
            if config.max_crashes and choices.integer(0, 1, f"replica {r} crashes")
            else _NEVER
            for r in range(config.n)
        ]
        self.anti_entropy = config.anti_entropy and bool(choices.integer(0, 1, "anti-entropy on"))
        self.splits = bool(config.max_partitions) and bool(choices.integer(0, 1, "splits on"))
        self.redirects = bool(config.stand_ins) and bool(choices.integer(0, 1, "redirects on"))
        self.concurrency = choices.integer(1, len(config.clients), "concurrency")
        self.clocks: tuple[ClientClock, ...] = ()
        self.ntp_at: list[float] = []
        if isinstance(clock, ClientClocks):
            self.clocks = tuple(
                ClientClock(
                    choices.integer(-clock.max_offset, clock.max_offset, f"client {c} offset"),
                    choices.integer(-clock.max_skew, clock.max_skew, f"client {c} skew %"),
                    0,
                )
                for c in range(len(config.clients))
            )
            self.ntp_at = sorted(
                choices.integer(0, _FAULT_BY, "NTP correction at") for _ in range(clock.ntp_steps)
            )
        self.now = 0.0
        self.due: dict[tuple, float] = {}

    def step(self, state: State, choices: Choices) -> Step | None:
        options = self.options(state)
        for key in [key for key in self.due if key not in options]:
            if not (key[0] == "Drop" and ("Deliver", key[1]) in options):
                del self.due[key]
        for key, steps in options.items():
            if key not in self.due and key[0] != "Drop":
                self.due[key] = self.schedule(key, steps[0][0], choices)
        due, _, key = min(
            ((self.due.get(key, _NEVER), index, key) for index, key in enumerate(options)),
            default=(_NEVER, 0, ()),
        )
        while self.ntp_at and self.ntp_at[0] <= due:
            # An NTP correction is no MODEL.md step: it changes a clock, not the state.
            self.step_clock_back(choices)
        if due == _NEVER:
            return None  # nothing left that this run would do
        self.now = due
        del self.due[key]
        if key[0] == "Deliver":
            del self.due[("Drop", key[1])]
        if key[0] == "Invoke":
            return self.invoke(state, key[1], choices)
        return choices.pick(options[key], key[0])

    def options(self, state: State) -> dict[tuple, list[Step]]:
        """The steps the model allows, by what they act on: a message (delivered or
        dropped), a client's next op, an op's timeout, a replica's crash..."""
        hist = state[HIST]
        busy = sum(1 for rec in hist if rec[H_STATUS] in (PENDING, REPAIRING))
        options: dict[tuple, list[Step]] = {}
        for count, (label, nxt) in enumerate(self.model.successors(state), 1):
            if count % 4096 == 0:
                self.limits.check()  # a wide clock window: one write, many timestamps
            action = ACTION_OF[type(label)]
            if action.walk == "Invoke" and busy >= self.concurrency:
                continue
            # Steps on one subject share a key: a message's deliveries (an arrival-order
            # read's choices of result), a client's invokes (one per timestamp).
            options.setdefault((action.walk, action.subject(label)), []).append((label, nxt))
        return options

    def schedule(self, key: tuple, label: tuple, choices: Choices) -> float:
        """When the step `key` names is due, drawn when the model first allows it. A
        message also draws whether it is lost; then its drop comes due first."""
        kind = key[0]
        if kind == "Deliver":
            # One draw for both, as a run may hold only so many: the top 1 / _SLOW_ONE_IN
            # of the range is slow.
            drawn = choices.integer(0, _SLOW_ONE_IN * _LATENCY - 1, "latency")
            latency = drawn % _LATENCY + 1
            if drawn >= (_SLOW_ONE_IN - 1) * _LATENCY:
                latency += _SLOW_BY
            lost = self.drop_percent and choices.integer(0, 99, "lost") < self.drop_percent
            self.due[("Drop", key[1])] = self.now + latency if lost else _NEVER
            return self.now + latency + (1 if lost else 0)
        if kind == "Invoke":
            return self.now + choices.integer(0, _THINK, "think")
        if kind == "Timeout":
            return self.now + choices.integer(*_TIMEOUT, "timeout") if self.timeouts else _NEVER
        if kind == "Crash":
            return max(self.now, self.crash_at[key[1]])
        if kind == "Purge":
            return self.now + choices.integer(1, _FAULT_BY, "purge")
        if kind == "Partition":
            return self.now + choices.integer(1, _FAULT_BY, "split") if self.splits else _NEVER
        if kind == "Heal":
            return self.now + choices.integer(1, _FAULT_BY, "heal")
        if kind == "Redirect":
            # A request to a slow replica goes to a stand-in instead, now and then.
            return (
                self.now + choices.integer(1, _FAULT_BY, "redirect") if self.redirects else _NEVER
            )
        if kind == "Handoff":
            return self.now + choices.integer(1, _FAULT_BY, "handoff")
        if kind == "AntiEntropy":
            return (
                self.now + choices.integer(1, _FAULT_BY, "anti-entropy")
                if self.anti_entropy
                else _NEVER
            )
        raise ValueError(f"the walk has no schedule for {kind} steps")

    def invoke(self, state: State, client: int, choices: Choices) -> Step:
        scope = self.model.scope
        op = next(op for op in scope.ops_of_client[client] if state[HIST][op][H_STATUS] == IDLE)
        # Reads, and writes under arrival order, carry no timestamp.
        timestamps = None
        if scope.is_write[op] and self.model.config.resolution == "lww":
            timestamps = [self.timestamp(state, client, choices)]
        [step] = self.model.transitions.invoke(state, client, timestamps)
        return step

    def timestamp(self, state: State, client: int, choices: Choices) -> int:
        """The clock reading for a write invoked now by `client`."""
        if self.clocks:
            return ClientClocks.reading(self.clocks[client], state[NOW] + 1)
        drift = self.model.config.drift
        return state[NOW] + 1 + choices.integer(-drift, drift, "clock error")

    def step_clock_back(self, choices: Choices) -> None:
        clock = self.clock
        assert isinstance(clock, ClientClocks)
        self.ntp_at.pop(0)
        client = choices.integer(0, len(self.clocks) - 1, "client")
        amount = choices.integer(1, clock.max_step, "ticks back")
        chosen = self.clocks[client]
        self.clocks = (
            self.clocks[:client]
            + (replace(chosen, back=chosen.back + amount),)
            + self.clocks[client + 1 :]
        )


def search_model(config: Config, clock: Clock) -> ReplicationModel:
    """The model a search runs: MODEL.md's encoding, floored below every clock reading."""
    if isinstance(clock, ClientClocks) and config.drift:
        raise ConfigError(
            f"drift: {config.drift} belongs to the per-write clock; with client "
            "clocks use max_offset, max_skew and ntp_steps (drift 0)"
        )
    if isinstance(clock, PerWriteClock) and clock.drift != config.drift:
        raise ConfigError(
            f"drift: the clock's {clock.drift} differs from the config's "
            f"{config.drift}; build the clock as PerWriteClock(config.drift)"
        )
    op_count = sum(len(script) for script in config.clients)
    return ReplicationModel(config, min_timestamp=clock.lowest_reading(op_count))


def _match_key(label: Label, renamed: Mapping[int, int] | None = None) -> tuple:
    """What a step is across runs whose timestamps differ. A message names its version,
    which changes when a shortened run retimes the write, while the message (kind, op,
    replica) is still the one meant: a replica gets one request per op. `renamed` maps
    ops of the old run to the ops that stand in for them."""
    message = getattr(label, "message", None)
    if message is not None:
        op = renamed.get(message.op, message.op) if renamed else message.op
        return (type(label), message.kind, op, message.replica)
    if isinstance(label, Timeout) and renamed:
        return (Timeout, renamed.get(label.op, label.op))
    return (type(label), *label)


def _replay_step(
    model: ReplicationModel,
    clock: Clock,
    state: State,
    label: Label,
    first_now: int,
    renamed: Mapping[int, int],
    keep_error: bool,
) -> Step | None:
    """The step of `state` that `label` (first taken at real time `first_now`) stands
    for: an invoke by the client its op moved to, a write retimed the clock's way,
    another step matched by `_match_key`, preferring the very same label; None when
    the model has no such step."""
    if isinstance(label, Invoke):
        timestamps = None
        if label.ts is not None:
            ts = clock.retime(state[NOW] + 1, label.ts, first_now, keep_error)
            if ts is None:
                return None
            timestamps = [ts]
        client = label.client
        if renamed:
            ops = model.scope.ops
            client = next(
                (ops[new][0] for old, new in renamed.items() if ops[old][0] == client), client
            )
        options = model.transitions.invoke(state, client, timestamps)
        return options[0] if options else None
    key = _match_key(label, renamed)
    found = None
    for candidate, nxt in model.successors(state):
        if type(candidate) is type(label) and _match_key(candidate) == key:
            if candidate == label:
                return candidate, nxt
            if found is None:
                found = (candidate, nxt)
    return found


class _Shortener:
    """A violating run and the states it visits, made shorter by dropping sets of steps.

    A candidate keeps the run's steps before the first one it drops, so replay starts
    from the state recorded there; the rest is replayed with `_replay_step`, so the
    result is always a run of the model, cut at its first violating state.
    """

    def __init__(
        self,
        model: ReplicationModel,
        clock: Clock,
        steps: Sequence[Step],
        property_index: int,
        limits: Limits,
    ) -> None:
        self.model = model
        self.clock = clock
        self.limits = limits
        self.wanted = 1 << property_index
        self.steps = list(steps)
        self.states = [model.initial_states()[0]] + [nxt for _, nxt in self.steps]

    def drop(self, indices: Collection[int], renamed: Mapping[int, int] | None = None) -> bool:
        """Drop these steps if the rest, its ops `renamed`, still replays to a violation;
        whether it did. Dropping an invoke moves every later write in real time: the
        clock first keeps their timestamps, else their errors (the order among them)."""
        if not indices:
            return False
        self.limits.check()
        if self._replay(indices, renamed or {}, keep_error=False):
            return True
        moved = any(isinstance(self.steps[i][0], Invoke) for i in indices)
        return moved and self._replay(indices, renamed or {}, keep_error=True)

    def _replay(
        self, indices: Collection[int], renamed: Mapping[int, int], keep_error: bool
    ) -> bool:
        start = min(indices)
        state = self.states[start]
        steps = self.steps[:start]
        states = self.states[: start + 1]
        for index in range(start, len(self.steps)):
            if index in indices:
                continue
            label, nxt = self.steps[index]
            step = _replay_step(self.model, self.clock, state, label, nxt[NOW], renamed, keep_error)
            if step is None:
                return False
            state = step[1]
            steps.append(step)
            states.append(state)
            if self.model.violations(state, self.wanted):
                self.steps, self.states = steps, states
                return True
        return False

    def owners(self) -> list[tuple[int | None, int | None]]:
        """Per step, the op it belongs to (its invoke, its messages, its timeout) and the
        replica it concerns (a message to or from it, its crash), each if any."""
        return [ACTION_OF[type(label)].owner(label) for label, _ in self.steps]

    def client_ops(self) -> bool:
        """Drop a client's ops from some op on, else one op, its client's later ops
        each standing in for the one before: the script must then agree (a read for a
        read), since the client invokes its next op in the dropped one's place."""
        dropped = False
        scope = self.model.scope
        for ops in scope.ops_of_client:
            for k in range(len(ops)):
                tail = set(ops[k:])
                if self.drop({i for i, (op, _) in enumerate(self.owners()) if op in tail}):
                    dropped = True
                    break
            for k in range(len(ops) - 1, -1, -1):
                owners = self.owners()
                used = {op for op, _ in owners if op in ops[k + 1 :]}
                if all(scope.is_write[op] == scope.is_write[op - 1] for op in used):
                    dropped |= self.drop(
                        {i for i, (op, _) in enumerate(owners) if op == ops[k]},
                        {op: op - 1 for op in used},
                    )
        return dropped

    def recast(self) -> bool:
        """Hand a client's ops from some op on to a client with no step in the run whose
        script starts alike, dropping the ops before them: a write that a client does
        only after two reads can then be done without them."""
        dropped = False
        scope = self.model.scope
        for ops in scope.ops_of_client:
            for k in range(1, len(ops)):
                owners = self.owners()
                used = sorted({op for op, _ in owners if op in ops[k:]})
                idle = set(range(len(scope.ops_of_client))) - {
                    scope.ops[op][0] for op, _ in owners if op is not None
                }
                for other in sorted(idle):
                    target = scope.ops_of_client[other]
                    moves = dict(zip(used, target))
                    if (
                        used
                        and len(moves) == len(used)
                        and all(scope.is_write[a] == scope.is_write[b] for a, b in moves.items())
                        and self.drop(
                            {i for i, (op, _) in enumerate(owners) if op in ops[:k]}, moves
                        )
                    ):
                        dropped = True
                        break
        return dropped

    def replicas(self) -> bool:
        """Drop everything one replica does: most runs reach a quorum with replicas
        to spare, and its steps lie scattered across the run."""
        dropped = False
        for replica in range(self.model.scope.n):
            dropped |= self.drop(
                {i for i, (_, owner) in enumerate(self.owners()) if owner == replica}
            )
        return dropped

    def exchanges(self) -> bool:
        """Drop one op's exchange with one replica (a request and its answer), which
        only go together and seldom lie side by side."""
        dropped = False
        pairs = sorted(
            {
                (op, replica)
                for op, replica in self.owners()
                if op is not None and replica is not None
            },
            reverse=True,
        )
        for pair in pairs:
            dropped |= self.drop({i for i, owner in enumerate(self.owners()) if owner == pair})
        return dropped

    def chunks(self) -> bool:
        """Delta debugging's complement step: drop runs of halves, quarters, ..., single
        steps, for whatever the grouped passes cannot name."""
        dropped = False
        chunk = max(len(self.steps) // 2, 1)
        while True:
            start = 0
            while start < len(self.steps):
                if self.drop(range(start, min(start + chunk, len(self.steps)))):
                    dropped = True
                else:
                    start += chunk
            if chunk == 1:
                return dropped
            chunk //= 2


def shorten(
    model: ReplicationModel,
    clock: Clock,
    steps: Sequence[Step],
    property_index: int,
    limits: Limits | None = None,
) -> tuple[list[Step], bool]:
    """Drop steps while the run still violates the property: a client's last ops, a
    replica's part, an op's exchange with a replica, then chunks, until none goes;
    the run, and whether that end was reached before `limits` stopped it (every
    intermediate run violates the property too). Hypothesis shrinks the choices it
    drew; a dropped step shifts which message every later choice picks, so this pass,
    working on the steps themselves, removes more."""
    shortener = _Shortener(model, clock, steps, property_index, limits or Limits())
    passes = (
        shortener.client_ops,
        shortener.recast,
        shortener.replicas,
        shortener.exchanges,
        shortener.chunks,
    )
    try:
        # Each pass can free steps for another (an op gone leaves a replica idle), so
        # they repeat until a whole round drops nothing.
        while any(run() for run in passes):
            pass
    except KeyboardInterrupt:  # a limit (LimitReached), or a second Ctrl-C
        return shortener.steps, False
    return shortener.steps, True


def report_config(config: Config, steps: Sequence[Step]) -> Config:
    """The MODEL.md configuration a run replays in: `config`, with its drift raised to
    the largest clock error of the run's writes (client clocks may err by more)."""
    writes = [
        (nxt[NOW], label.ts)
        for label, nxt in steps
        if isinstance(label, Invoke) and label.ts is not None
    ]
    return replace(config, drift=max(config.drift, clock_error(writes)))


def _transplant(
    source: ReplicationModel, target: ReplicationModel, steps: Sequence[Step]
) -> list[Step]:
    """The same run in another model, step by step by action view: two models of one
    configuration may encode versions (and so labels) differently."""
    state = target.initial_states()[0]
    moved: list[Step] = []
    for label, _ in steps:
        view = source.action_view(label)
        found = next(
            (
                (candidate, nxt)
                for candidate, nxt in target.successors(state)
                if target.action_view(candidate) == view
            ),
            None,
        )
        if found is None:
            raise RuntimeError(
                f"step {len(moved) + 1} ({view}) has no counterpart in the "
                f"report model; report_config must cover every timestamp"
            )
        moved.append(found)
        state = found[1]
    return moved


def counterexample(
    model: ReplicationModel, steps: Sequence[Step], property_index: int
) -> tuple[ReplicationModel, Trace]:
    """A violating run made a trace in the model it replays in (see `report_config`)."""
    config = report_config(model.config, steps)
    target = ReplicationModel(config)
    moved = _transplant(model, target, steps)
    initial = target.initial_states()[0]
    final = moved[-1][1] if moved else initial
    reason = target.explain(property_index, final)
    if reason is None:
        raise RuntimeError(
            f"the shortened run does not violate {PROPERTY_IDS[property_index]} "
            "in the report model; the search and the model disagree"
        )
    return target, Trace(
        property_index, PROPERTY_IDS[property_index], initial, tuple(moved), reason
    )


def search_property(
    model: ReplicationModel,
    clock: Clock,
    property_index: int,
    *,
    examples: int,
    steps: int,
    seed_value: int | None,
    shrink: bool = True,
    shrink_seconds: float | None = SHRINK_SECONDS,
    limits: Limits | None = None,
    progress: Callable[[SearchProgress], None] | None = None,
) -> Finding:
    """Search one property with `examples` runs of up to `steps` steps each.

    `seed_value` None leaves the randomness to the loaded Hypothesis profile (the CI
    profile derandomizes); an integer fixes it. Hypothesis's shrinking re-runs the
    violating run hundreds of times (for at most `shrink_seconds`); `shrink=False`
    keeps only `shorten`, which is much faster and usually as short. When `limits`
    stop the search after a violation was seen, the shortest violating run so far is
    kept, reported as not fully shortened.
    """
    prop = CATALOGUE[property_index]
    if not model.applicable >> property_index & 1:
        return Finding(prop.id, prop.meaning, NOT_APPLICABLE, 0, 0, 0.0)
    limits = limits or Limits()
    started = time.monotonic()

    def report(p: SimulationProgress) -> None:
        if progress is not None:
            progress(
                SearchProgress(
                    prop.id,
                    p.runs,
                    p.steps,
                    p.seconds,
                    "shrinking" if p.shortest is not None else "searching",
                    p.shortest,
                    p.shrink_runs,
                )
            )

    def start(choices: Choices) -> ReplicationWalk:
        return ReplicationWalk(model, clock, choices, limits)

    found = simulate(
        model,
        property_index,
        start,
        runs=examples,
        max_steps=steps,
        seed=seed_value,
        shrink=shrink,
        shrink_seconds=shrink_seconds,
        limits=limits,
        progress=report,
    )
    if found.violation is None:
        return Finding(
            prop.id,
            prop.meaning,
            NONE_FOUND,
            found.runs,
            found.steps,
            found.seconds,
            stopped_by=found.stopped_by,
            cut_runs=found.cut_runs,
        )
    if progress is not None:
        progress(
            SearchProgress(
                prop.id,
                found.runs,
                found.steps,
                time.monotonic() - started,
                "shortening",
                len(found.violation),
                found.shrink_runs,
            )
        )
    # simulate() is generic over its walks' steps; a ReplicationWalk's are this module's.
    violation = cast(tuple[Step, ...], found.violation)
    shortest, shortened = shorten(model, clock, violation, property_index, limits)
    target, trace = counterexample(model, shortest, property_index)
    return Finding(
        prop.id,
        prop.meaning,
        VIOLATED,
        found.runs,
        found.steps,
        time.monotonic() - started,
        found.first_seconds,
        trace,
        target,
        found.stopped_by or limits.stop_reason(),
        shortened,
        found.cut_runs,
    )


def search(
    config: Config,
    *,
    clock: Clock | None = None,
    properties: Sequence[str] | None = None,
    examples: int = DEFAULT_EXAMPLES,
    steps: int = DEFAULT_STEPS,
    seed: int | None = None,
    shrink: bool = True,
    shrink_seconds: float | None = SHRINK_SECONDS,
    max_seconds: float | None = None,
    progress: Callable[[SearchProgress], None] | None = None,
) -> list[Finding]:
    """Search each property (default: every one in the catalogue) on its own, so each
    violation found is shortened to a counterexample of that property alone. Within
    `max_seconds` for the whole search; Ctrl-C stops it at the next step. What was
    found by then is kept; the properties not yet searched say why."""
    clock = PerWriteClock(config.drift) if clock is None else clock
    model = search_model(config, clock)
    wanted = PROPERTY_IDS if properties is None else properties
    findings: list[Finding] = []
    with Limits(max_seconds) as limits:
        for prop in wanted:
            index = PROPERTY_IDS.index(prop)
            # A limit that cut one property short stops the whole search.
            reason = limits.stop_reason() or (findings[-1].stopped_by if findings else None)
            if reason is not None:
                findings.append(
                    Finding(
                        prop, CATALOGUE[index].meaning, NONE_FOUND, 0, 0, 0.0, stopped_by=reason
                    )
                )
                continue
            findings.append(
                search_property(
                    model,
                    clock,
                    index,
                    examples=examples,
                    steps=steps,
                    seed_value=seed,
                    shrink=shrink,
                    shrink_seconds=shrink_seconds,
                    limits=limits,
                    progress=progress,
                )
            )
    return findings

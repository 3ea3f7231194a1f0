"""Randomised search for counterexamples: a Hypothesis state machine over the model.

The explorer is complete but only for small scopes. The search samples long runs
of larger ones (9 replicas, 6 clients x 4 ops, large drift and fault budgets) with
Hypothesis's `RuleBasedStateMachine`: one rule per MODEL.md action kind, whose
precondition is that action's guard (read off the model's own `successors`), and
one invariant per catalogue property. A violation is shrunk by Hypothesis, then
shortened step by step while it still replays, and returned as the explorer's
`Trace`, so every renderer and `replay` take it as they are.

Finding nothing proves nothing: a search reports "none found in N examples",
never "holds".

>>> from model import Config
>>> [f.status for f in search(Config(n=3, w=1, r=1, clients=("w", "r")),
...                          properties=["stale-read"], examples=200, seed=0)]
['violated']
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from hypothesis import HealthCheck, Phase, Verbosity, settings
from hypothesis import seed as fix_seed
from hypothesis import strategies as st
from hypothesis.internal.conjecture.data import Status
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from hypothesis.strategies._internal.featureflags import FeatureFlags

from checker.trace import Trace
from model.clocks import ClientClock, ClientClocks, Clock, PerWriteClock, clock_error
from model.config import Config, ConfigError
from model.properties import CATALOGUE, PROPERTY_IDS
from model.state import H_STATUS, HIST, IDLE, NOW, PENDING, REPAIRING
from model.system import ReplicationModel

VIOLATED, NONE_FOUND, NOT_APPLICABLE = "violated", "none found", "n/a"

Step = tuple[tuple, tuple]


@dataclass(frozen=True)
class SearchProgress:
    property_id: str
    examples: int  # runs started so far, shrinking included
    steps: int  # model steps taken in them
    seconds: float


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
    interrupted: bool = False  # Ctrl-C cut this search short (or kept it from starting)


class Violation(AssertionError):
    """An invariant broke; carries the run so far, for the caller to turn into a trace."""

    def __init__(self, property_index: int, steps: tuple[Step, ...]) -> None:
        super().__init__(f"{PROPERTY_IDS[property_index]} violated after {len(steps)} steps")
        self.property_index = property_index
        self.steps = steps


class _Search:
    """What every run of one search shares: the model, the clock, the target and counts."""

    def __init__(self, model: ReplicationModel, clock: Clock, property_index: int,
                 progress: Callable[[SearchProgress], None] | None) -> None:
        self.model = model
        self.clock = clock
        self.property_index = property_index
        self.wanted = 1 << property_index
        self.progress = progress
        self.started = time.monotonic()
        self.next_report = self.started + 1.0
        self.runs = 0
        self.steps = 0
        self.first_run: int | None = None
        self.first_seconds: float | None = None

    def run_started(self) -> None:
        self.runs += 1
        if self.progress is not None and time.monotonic() >= self.next_report:
            self.next_report = time.monotonic() + 1.0
            self.progress(SearchProgress(PROPERTY_IDS[self.property_index], self.runs,
                                         self.steps, time.monotonic() - self.started))

    def violated(self) -> None:
        if self.first_run is None:
            self.first_run = self.runs
            self.first_seconds = time.monotonic() - self.started


class ReplicationMachine(RuleBasedStateMachine):
    """MODEL.md's actions as rules; per-write clocks (MODEL.md's own) choose timestamps."""

    def __init__(self, search: _Search) -> None:
        super().__init__()
        self.search = search
        self.model = search.model
        self.state = self.model.initial_states()[0]
        self.steps: list[Step] = []
        self._enabled: dict[str, list[Step]] | None = None
        self._violated: tuple[tuple, int] | None = None
        self.concurrency = len(self.model.config.clients)
        # Hypothesis's swarm testing disables a random subset of the rules for each
        # run. A run of this model needs every kind of delivery to get anywhere, so
        # a disabled one ends it early as invalid: measured, 200 examples cost 470
        # runs of 5 steps. Every rule stays enabled; the draws still vary the runs.
        self._rules_strategy.enabled_rules_strategy = st.just(FeatureFlags())
        search.run_started()

    def enabled(self, action: str) -> list[Step]:
        """The steps of one action kind that the model allows now: its guard, as data."""
        if self._enabled is None:
            grouped: dict[str, list[Step]] = {}
            for label, nxt in self.model.successors(self.state):
                grouped.setdefault(label[0], []).append((label, nxt))
            self._enabled = grouped
        return self._enabled.get(action, [])

    def enabled_kinds(self) -> list[str]:
        self.enabled("")
        assert self._enabled is not None
        return list(self._enabled)

    def take(self, label: tuple, nxt: tuple) -> None:
        self.steps.append((label, nxt))
        self.state = nxt
        self._enabled = None
        self.search.steps += 1

    def pick(self, action: str, data: st.DataObject) -> None:
        options = self.enabled(action)
        index = data.draw(st.integers(0, len(options) - 1), label=action) if len(options) > 1 else 0
        self.take(*options[index])

    def timestamp(self, client: int, data: st.DataObject) -> int:
        """The clock reading for a write invoked now by `client`."""
        drift = self.search.clock.drift  # type: ignore[union-attr]
        error = data.draw(st.integers(-drift, drift), label="clock error") if drift else 0
        return self.state[NOW] + 1 + error

    # Like Jepsen's concurrency: a run draws how many ops may be in flight at once.
    # Under a uniform choice of rules, a client invokes long before the others'
    # ops finish, yet most anomalies need ops that follow one another (a -> b);
    # a run with a low cap makes them likely. The cap only narrows the schedule:
    # every run is still a run of the model.
    @initialize(data=st.data())
    def draw_concurrency(self, data: st.DataObject) -> None:
        clients = len(self.model.config.clients)
        self.concurrency = data.draw(st.integers(1, clients), label="concurrency") \
            if clients > 1 else 1

    def in_flight(self) -> int:
        return sum(1 for rec in self.state[HIST] if rec[H_STATUS] in (PENDING, REPAIRING))

    def can_invoke(self) -> bool:
        return bool(self.enabled("Invoke")) and self.in_flight() < self.concurrency

    @precondition(lambda self: self.can_invoke())
    @rule(data=st.data())
    def invoke(self, data: st.DataObject) -> None:
        invokes = self.enabled("Invoke")
        clients = sorted({label[1] for label, _ in invokes})
        client = data.draw(st.sampled_from(clients), label="client") if len(clients) > 1 \
            else clients[0]
        # Reads, and writes under arrival order, carry no timestamp.
        timed = any(label[1] == client and label[2] is not None for label, _ in invokes)
        timestamps = [self.timestamp(client, data)] if timed else None
        [(label, nxt)] = self.model.transitions.invoke(self.state, client, timestamps)
        self.take(label, nxt)

    @precondition(lambda self: bool(self.enabled("DeliverWriteRequest")))
    @rule(data=st.data())
    def deliver_write_request(self, data: st.DataObject) -> None:
        self.pick("DeliverWriteRequest", data)

    @precondition(lambda self: bool(self.enabled("DeliverWriteAck")))
    @rule(data=st.data())
    def deliver_write_ack(self, data: st.DataObject) -> None:
        self.pick("DeliverWriteAck", data)

    @precondition(lambda self: bool(self.enabled("DeliverReadRequest")))
    @rule(data=st.data())
    def deliver_read_request(self, data: st.DataObject) -> None:
        self.pick("DeliverReadRequest", data)

    @precondition(lambda self: bool(self.enabled("DeliverReadResponse")))
    @rule(data=st.data())
    def deliver_read_response(self, data: st.DataObject) -> None:
        self.pick("DeliverReadResponse", data)

    @precondition(lambda self: bool(self.enabled("Drop")))
    @rule(data=st.data())
    def drop(self, data: st.DataObject) -> None:
        self.pick("Drop", data)

    @precondition(lambda self: bool(self.enabled("Timeout")))
    @rule(data=st.data())
    def timeout(self, data: st.DataObject) -> None:
        self.pick("Timeout", data)

    @precondition(lambda self: bool(self.enabled("Crash")))
    @rule(data=st.data())
    def crash(self, data: st.DataObject) -> None:
        self.pick("Crash", data)

    @precondition(lambda self: bool(self.enabled("AntiEntropy")))
    @rule(data=st.data())
    def anti_entropy(self, data: st.DataObject) -> None:
        self.pick("AntiEntropy", data)

    # Hypothesis refuses a state where no rule may run, and would otherwise idle a
    # finished run up to its step count at about a millisecond a step; this rule
    # ends the run there as a valid example.
    @precondition(lambda self: not self.can_invoke()
                  and not any(kind != "Invoke" for kind in self.enabled_kinds()))
    @rule(data=st.data())
    def finished(self, data: st.DataObject) -> None:
        data.conjecture_data.conclude_test(Status.VALID)

    def holds(self, property_index: int) -> None:
        if self._violated is None or self._violated[0] is not self.state:
            self._violated = (self.state, self.model.violations(self.state, self.search.wanted))
        if self._violated[1] >> property_index & 1:
            self.search.violated()
            raise Violation(property_index, tuple(self.steps))


def _property_invariant(index: int) -> Callable[[ReplicationMachine], None]:
    def check(self: ReplicationMachine) -> None:
        self.holds(index)

    check.__name__ = check.__qualname__ = PROPERTY_IDS[index].replace("-", "_")
    check.__doc__ = CATALOGUE[index].meaning
    return invariant()(precondition(lambda self: self.search.property_index == index)(check))


for _index, _prop in enumerate(CATALOGUE):
    setattr(ReplicationMachine, _prop.id.replace("-", "_"), _property_invariant(_index))


class ClientClockMachine(ReplicationMachine):
    """The same rules with `ClientClocks`: each client reads its own drifting clock."""

    def __init__(self, search: _Search) -> None:
        super().__init__(search)
        self.clocks: tuple[ClientClock, ...] = ()
        self.ntp_left = search.clock.ntp_steps  # type: ignore[union-attr]

    @initialize(data=st.data())
    def draw_clocks(self, data: st.DataObject) -> None:
        clock = self.search.clock
        assert isinstance(clock, ClientClocks)
        offsets = st.integers(-clock.max_offset, clock.max_offset)
        skews = st.integers(-clock.max_skew, clock.max_skew)
        self.clocks = tuple(
            ClientClock(data.draw(offsets, label=f"client {c} offset"),
                        data.draw(skews, label=f"client {c} skew %"), 0)
            for c in range(len(self.model.config.clients))
        )

    # An NTP correction is no MODEL.md step: it changes the clocks, not the state.
    @precondition(lambda self: self.ntp_left > 0)
    @rule(data=st.data())
    def ntp_step(self, data: st.DataObject) -> None:
        clock = self.search.clock
        assert isinstance(clock, ClientClocks)
        client = data.draw(st.integers(0, len(self.clocks) - 1), label="client")
        amount = data.draw(st.integers(1, clock.max_step), label="ticks back")
        chosen = self.clocks[client]
        self.clocks = (self.clocks[:client] + (replace(chosen, back=chosen.back + amount),)
                       + self.clocks[client + 1:])
        self.ntp_left -= 1

    def timestamp(self, client: int, data: st.DataObject) -> int:
        return ClientClocks.reading(self.clocks[client], self.state[NOW] + 1)


def search_model(config: Config, clock: Clock) -> ReplicationModel:
    """The model a search runs: MODEL.md's encoding, floored below every clock reading."""
    if isinstance(clock, ClientClocks) and config.drift:
        raise ConfigError(f"drift: {config.drift} belongs to the per-write clock; with client "
                          "clocks use max_offset, max_skew and ntp_steps (drift 0)")
    if isinstance(clock, PerWriteClock) and clock.drift != config.drift:
        raise ConfigError(f"drift: the clock's {clock.drift} differs from the config's "
                          f"{config.drift}; build the clock as PerWriteClock(config.drift)")
    op_count = sum(len(script) for script in config.clients)
    return ReplicationModel(config, min_timestamp=clock.lowest_reading(op_count))


# Steps that act on one message; its code names the version it carries.
_MESSAGE_ACTIONS = frozenset({"DeliverWriteRequest", "DeliverWriteAck", "DeliverReadRequest",
                              "DeliverReadResponse", "Drop"})


def _match_key(model: ReplicationModel, label: tuple,
               renamed: Mapping[int, int] | None = None) -> tuple:
    """What a step is across runs whose timestamps differ. A message's code names its
    version, which changes when a shortened run retimes the write, while the message
    (kind, op, replica) is still the one meant: a replica gets one request per op.
    `renamed` maps ops of the old run to the ops that stand in for them."""
    if label[0] in _MESSAGE_ACTIONS:
        m = model.transitions.table[label[1]]
        op = renamed.get(m.op, m.op) if renamed else m.op
        return (label[0], m.kind, op, m.replica)
    if label[0] == "Timeout" and renamed:
        return (label[0], renamed.get(label[1], label[1]))
    return label


def _replay_step(model: ReplicationModel, clock: Clock, state: tuple, label: tuple,
                 first_now: int, renamed: Mapping[int, int], keep_error: bool) -> Step | None:
    """The step of `state` that `label` (first taken at real time `first_now`) stands
    for: an invoke by the client its op moved to, a write retimed the clock's way,
    another step matched by `_match_key`, preferring the very same label; None when
    the model has no such step."""
    if label[0] == "Invoke":
        timestamps = None
        if label[2] is not None:
            ts = clock.retime(state[NOW] + 1, label[2], first_now, keep_error)
            if ts is None:
                return None
            timestamps = [ts]
        client = label[1]
        if renamed:
            ops = model.scope.ops
            client = next((ops[new][0] for old, new in renamed.items()
                           if ops[old][0] == client), client)
        options = model.transitions.invoke(state, client, timestamps)
        return options[0] if options else None
    key = _match_key(model, label, renamed)
    found = None
    for candidate, nxt in model.successors(state):
        if candidate[0] == label[0] and _match_key(model, candidate) == key:
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

    def __init__(self, model: ReplicationModel, clock: Clock, steps: Sequence[Step],
                 property_index: int) -> None:
        self.model = model
        self.clock = clock
        self.wanted = 1 << property_index
        self.steps = list(steps)
        self.states = [model.initial_states()[0]] + [nxt for _, nxt in self.steps]

    def drop(self, indices: Collection[int], renamed: Mapping[int, int] | None = None) -> bool:
        """Drop these steps if the rest, its ops `renamed`, still replays to a violation;
        whether it did. Dropping an invoke moves every later write in real time: the
        clock first keeps their timestamps, else their errors (the order among them)."""
        if not indices:
            return False
        if self._replay(indices, renamed or {}, keep_error=False):
            return True
        moved = any(self.steps[i][0][0] == "Invoke" for i in indices)
        return moved and self._replay(indices, renamed or {}, keep_error=True)

    def _replay(self, indices: Collection[int], renamed: Mapping[int, int],
                keep_error: bool) -> bool:
        start = min(indices)
        state = self.states[start]
        steps = self.steps[:start]
        states = self.states[:start + 1]
        for index in range(start, len(self.steps)):
            if index in indices:
                continue
            label, nxt = self.steps[index]
            step = _replay_step(self.model, self.clock, state, label, nxt[NOW], renamed,
                                keep_error)
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
        table, ops_of_client = self.model.transitions.table, self.model.scope.ops_of_client
        owners: list[tuple[int | None, int | None]] = []
        for (label, _), before in zip(self.steps, self.states):
            if label[0] in _MESSAGE_ACTIONS:
                m = table[label[1]]
                owners.append((m.op, m.replica))
            elif label[0] == "Invoke":
                hist = before[HIST]
                owners.append((next(op for op in ops_of_client[label[1]]
                                    if hist[op][H_STATUS] == IDLE), None))
            elif label[0] == "Timeout":
                owners.append((label[1], None))
            elif label[0] == "Crash":
                owners.append((None, label[1]))
            else:
                owners.append((None, None))
        return owners

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
                used = {op for op, _ in owners if op in ops[k + 1:]}
                if all(scope.is_write[op] == scope.is_write[op - 1] for op in used):
                    dropped |= self.drop({i for i, (op, _) in enumerate(owners) if op == ops[k]},
                                         {op: op - 1 for op in used})
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
                    scope.ops[op][0] for op, _ in owners if op is not None}
                for other in sorted(idle):
                    target = scope.ops_of_client[other]
                    moves = dict(zip(used, target))
                    if (used and len(moves) == len(used)
                            and all(scope.is_write[a] == scope.is_write[b]
                                    for a, b in moves.items())
                            and self.drop({i for i, (op, _) in enumerate(owners)
                                           if op in ops[:k]}, moves)):
                        dropped = True
                        break
        return dropped

    def replicas(self) -> bool:
        """Drop everything one replica does: most runs reach a quorum with replicas
        to spare, and its steps lie scattered across the run."""
        dropped = False
        for replica in range(self.model.scope.n):
            dropped |= self.drop({i for i, (_, owner) in enumerate(self.owners())
                                  if owner == replica})
        return dropped

    def exchanges(self) -> bool:
        """Drop one op's exchange with one replica (a request and its answer), which
        only go together and seldom lie side by side."""
        dropped = False
        pairs = sorted({(op, replica) for op, replica in self.owners()
                        if op is not None and replica is not None}, reverse=True)
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


def shorten(model: ReplicationModel, clock: Clock, steps: Sequence[Step],
            property_index: int) -> list[Step]:
    """Drop steps while the run still violates the property: a client's last ops, a
    replica's part, an op's exchange with a replica, then chunks, until none goes.
    Hypothesis shrinks the choices it drew; a dropped step shifts which message every
    later choice picks, so this pass, working on the steps themselves, removes more."""
    shortener = _Shortener(model, clock, steps, property_index)
    passes = (shortener.client_ops, shortener.recast, shortener.replicas, shortener.exchanges,
              shortener.chunks)
    # Each pass can free steps for another (an op gone leaves a replica idle), so they
    # repeat until a whole round drops nothing.
    while any(run() for run in passes):
        pass
    return shortener.steps


def report_config(config: Config, steps: Sequence[Step]) -> Config:
    """The MODEL.md configuration a run replays in: `config`, with its drift raised to
    the largest clock error of the run's writes (client clocks may err by more)."""
    writes = [(nxt[NOW], label[2]) for label, nxt in steps
              if label[0] == "Invoke" and label[2] is not None]
    return replace(config, drift=max(config.drift, clock_error(writes)))


def _transplant(source: ReplicationModel, target: ReplicationModel,
                steps: Sequence[Step]) -> list[Step]:
    """The same run in another model, step by step by action view: two models of one
    configuration may encode versions (and so labels) differently."""
    state = target.initial_states()[0]
    moved: list[Step] = []
    for label, _ in steps:
        view = source.action_view(label)
        found = next(((candidate, nxt) for candidate, nxt in target.successors(state)
                      if target.action_view(candidate) == view), None)
        if found is None:
            raise RuntimeError(f"step {len(moved) + 1} ({view}) has no counterpart in the "
                               f"report model; report_config must cover every timestamp")
        moved.append(found)
        state = found[1]
    return moved


def counterexample(model: ReplicationModel, clock: Clock, violation: Violation
                   ) -> tuple[ReplicationModel, Trace]:
    """A shrunk run made a trace: shortened, then moved to the model it replays in."""
    index = violation.property_index
    steps = shorten(model, clock, violation.steps, index)
    config = report_config(model.config, steps)
    target = ReplicationModel(config)
    moved = _transplant(model, target, steps)
    initial = target.initial_states()[0]
    final = moved[-1][1] if moved else initial
    reason = target.explain(index, final)
    if reason is None:
        raise RuntimeError(f"the shortened run does not violate {PROPERTY_IDS[index]} in the "
                           "report model; the search and the model disagree")
    return target, Trace(index, PROPERTY_IDS[index], initial, tuple(moved), reason)


def search_property(model: ReplicationModel, clock: Clock, property_index: int, *,
                    examples: int, steps: int, seed_value: int | None, shrink: bool = True,
                    progress: Callable[[SearchProgress], None] | None = None) -> Finding:
    """Search one property with `examples` runs of up to `steps` rule steps each.

    `seed_value` None leaves the randomness to the loaded Hypothesis profile (the CI
    profile derandomizes); an integer fixes it. Hypothesis's shrinking re-runs the
    failing example hundreds of times; `shrink=False` keeps only `shorten`, which is
    much faster and usually as short.
    """
    prop = CATALOGUE[property_index]
    if not model.applicable >> property_index & 1:
        return Finding(prop.id, prop.meaning, NOT_APPLICABLE, 0, 0, 0.0)
    shared = _Search(model, clock, property_index, progress)
    machine = ClientClockMachine if isinstance(clock, ClientClocks) else ReplicationMachine

    def factory() -> ReplicationMachine:
        return machine(shared)

    if seed_value is not None:
        factory = fix_seed(seed_value)(factory)
    phases = (Phase.generate,) + ((Phase.shrink,) if shrink else ())
    chosen = settings(max_examples=examples, stateful_step_count=steps, database=None,
                      deadline=None, phases=phases,
                      report_multiple_bugs=False, suppress_health_check=list(HealthCheck),
                      verbosity=Verbosity.quiet, print_blob=False)
    try:
        run_state_machine_as_test(factory, settings=chosen)
    except Violation as violation:
        seconds = time.monotonic() - shared.started
        target, trace = counterexample(model, clock, violation)
        assert shared.first_run is not None
        return Finding(prop.id, prop.meaning, VIOLATED, shared.first_run, shared.steps,
                       seconds, shared.first_seconds, trace, target)
    except KeyboardInterrupt:
        return Finding(prop.id, prop.meaning, NONE_FOUND, shared.runs, shared.steps,
                       time.monotonic() - shared.started, interrupted=True)
    return Finding(prop.id, prop.meaning, NONE_FOUND, shared.runs, shared.steps,
                   time.monotonic() - shared.started)


def search(config: Config, *, clock: Clock | None = None,
           properties: Sequence[str] | None = None, examples: int = 100, steps: int = 200,
           seed: int | None = None, shrink: bool = True,
           progress: Callable[[SearchProgress], None] | None = None) -> list[Finding]:
    """Search each property (default: every one in the catalogue) on its own, so each
    violation found is shrunk to a counterexample of that property alone."""
    clock = PerWriteClock(config.drift) if clock is None else clock
    model = search_model(config, clock)
    wanted = PROPERTY_IDS if properties is None else properties
    findings: list[Finding] = []
    for prop in wanted:
        index = PROPERTY_IDS.index(prop)
        if findings and findings[-1].interrupted:
            # One Ctrl-C stops the whole search; what was found so far is kept.
            findings.append(Finding(prop, CATALOGUE[index].meaning, NONE_FOUND, 0, 0, 0.0,
                                    interrupted=True))
            continue
        findings.append(search_property(model, clock, index, examples=examples, steps=steps,
                                        seed_value=seed, shrink=shrink, progress=progress))
    return findings

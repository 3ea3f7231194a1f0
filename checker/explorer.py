"""Exhaustive breadth-first exploration with fingerprints and shortest counterexamples.

The explorer visits every reachable state (one per symmetry class when symmetry is
on), checks every still-unviolated property on each new state, and keeps, per
property, the first violating state in BFS order, so each counterexample is a
shortest one. It does not stop at a violation: a property holds only when the
whole space was explored. It also notes, per property, whether any explored state
was in the situation the property is about (the model's `reached`), so a "holds"
that nothing in the run put to the test is told apart as vacuous.

Memory: the visited set keeps a 60-bit fingerprint per state and the fingerprint of
its parent (as TLC and Stateright do), not the states themselves; traces are rebuilt
by replaying steps from an initial state. Two distinct states with the same
fingerprint would hide one of them; `Exploration.collision_probability` bounds that
chance (k states, 2^60 values: about k^2 / 2^61).
"""

from __future__ import annotations

import os
import resource
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from leaderless.checker.outcome import Outcome
from leaderless.checker.protocol import Model, State
from leaderless.checker.trace import Trace, rebuild_trace

FINGERPRINT_BITS = 60
_MASK = (1 << FINGERPRINT_BITS) - 1
_PAGE_SIZE = resource.getpagesize()
_LOOK_SECONDS = 0.05  # how often the search looks at the clock and at memory
_MAX_LOOK_EVERY = 1 << 14  # transitions between looks, at most

HOLDS, VIOLATED, NOT_APPLICABLE = Outcome.HOLDS, Outcome.VIOLATED, Outcome.NOT_APPLICABLE
INCONCLUSIVE = Outcome.INCONCLUSIVE
INTERRUPTED = "interrupted (Ctrl-C)"


@dataclass(frozen=True)
class Verdict:
    property_id: str
    meaning: str
    status: str  # holds / violated / n/a / inconclusive
    trace: Trace | None = None  # the shortest counterexample, when violated
    reason: str | None = None  # why it breaks, or which limit cut the search short
    # Whether an explored state was in the property's situation (always, when violated);
    # None when it does not apply or the model names no situations.
    reached: bool | None = None
    situation: str | None = None  # that situation in words

    @property
    def vacuous(self) -> bool:
        """Holds only because no explored state was in the situation it is about."""
        return self.status == HOLDS and self.reached is False


@dataclass(frozen=True)
class Progress:
    states: int
    transitions: int
    depth: int
    frontier: int
    seconds: float

    @property
    def states_per_second(self) -> float:
        return self.states / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class Exploration:
    states: int  # distinct states (symmetry classes when symmetry is on)
    transitions: int  # steps taken, including those to states already seen
    depth: int  # BFS depth of the deepest state reached
    seconds: float
    complete: bool  # the whole reachable space was explored
    stopped_by: str | None  # the limit that cut the search short, in words
    symmetry: bool
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def collision_probability(self) -> float:
        return self.states * self.states / 2.0 ** (FINGERPRINT_BITS + 1)

    def verdict(self, property_id: str) -> Verdict:
        for verdict in self.verdicts:
            if verdict.property_id == property_id:
                return verdict
        raise KeyError(property_id)


class _Stop(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


def memory_in_use() -> int:
    """Bytes of memory this process holds now (resident set), cheap enough to poll."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        # No /proc (macOS): the peak instead, which only makes the ceiling stricter.
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def memory_available() -> int | None:
    """Bytes this process may use at most: physical memory, or the container's limit
    (cgroup) when lower; None when neither can be read."""
    try:
        limit = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        limit = None
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path) as cgroup:
                text = cgroup.read().strip()
        except OSError:
            continue
        if text.isdigit():
            limit = int(text) if limit is None else min(limit, int(text))
    return limit


def describe_bytes(count: int) -> str:
    return f"{count / 2**30:.1f} GiB" if count >= 2**30 else f"{count / 2**20:.0f} MiB"


def explore(
    model: Model,
    *,
    symmetry: bool = True,
    max_states: int | None = None,
    max_seconds: float | None = None,
    max_memory: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    progress_every: float = 1.0,
) -> Exploration:
    """Explore `model` breadth-first; return counts and a verdict per property.

    Limits (`max_states` distinct states, `max_seconds`, `max_memory` bytes of resident
    memory) stop the search as inconclusive. Time and memory are looked at every few
    hundredths of a second whatever one state or one step costs: the number of
    transitions between two looks adapts to how long they take.
    """
    started = time.monotonic()
    canonical_key = model.canonical_key if symmetry else None

    def fingerprint(state: State) -> int:
        return hash(canonical_key(state) if canonical_key else state) & _MASK

    properties = model.properties
    applicable = model.applicable
    wanted = applicable
    # Asked like `wanted`: only until a state in the situation (or a violation) is found.
    names_situations = hasattr(model, "reached")
    # A model that names no situations is asked nothing: `unreached` stays 0.
    in_situation: Callable[[State, int], int] = getattr(model, "reached", lambda state, asked: 0)
    unreached = applicable if names_situations else 0
    first_violation: dict[int, int] = {}  # property index -> fingerprint
    parents: dict[int, int | None] = {}
    violations = model.violations
    state_limit: float = max_states if max_states is not None else float("inf")

    def record(broken: int, fp: int) -> None:
        nonlocal wanted, unreached
        wanted &= ~broken
        unreached &= ~broken  # a violation is in its situation
        for index in range(len(properties)):
            if broken >> index & 1:
                first_violation[index] = fp

    # One FIFO queue holds the BFS frontier; an expanded state leaves it at once, so at
    # any moment only the unexpanded rest of one level and the next level are in memory.
    queue: deque[tuple[State, int]] = deque()
    transitions = 0
    depth = 0
    found_for_next_level = 0
    stopped_by: str | None = None
    deadline = started + max_seconds if max_seconds is not None else None
    next_report = started + progress_every
    # The hot loop only compares counters with these marks; `look` does the rest. It is
    # called once `look_at` transitions were taken, even inside one expansion (a wide
    # clock window, many replicas), and before a new state is kept once there are
    # `states_mark` states.
    look_every = 1
    look_at = 0
    states_mark: float = 0
    last_look = started

    def look(new_state: bool = False) -> None:
        """The state limit (before keeping a new state), time, memory and progress; then
        when to look again, about _LOOK_SECONDS on however much a step costs."""
        nonlocal look_every, look_at, states_mark, last_look, next_report
        if new_state and len(parents) == state_limit:
            # Only a state beyond the K-th stops the search: a space of exactly K
            # states is still explored completely.
            raise _Stop(f"--max-states {max_states} reached")
        now = time.monotonic()
        if deadline is not None and now >= deadline:
            raise _Stop(f"--max-seconds {max_seconds:g} reached")
        if max_memory is not None and memory_in_use() >= max_memory:
            raise _Stop(f"--max-memory {describe_bytes(max_memory)} reached")
        if progress is not None and now >= next_report:
            next_report = now + progress_every
            progress(Progress(len(parents), transitions, depth + 1, len(queue), now - started))
        elapsed = now - last_look
        if elapsed < _LOOK_SECONDS / 2:
            look_every = min(look_every * 2, _MAX_LOOK_EVERY)
        elif elapsed > _LOOK_SECONDS * 2:
            look_every = max(look_every // 2, 1)
        last_look = now
        look_at = transitions + look_every
        states_mark = min(len(parents) + look_every, state_limit)

    try:
        for state in model.initial_states():
            fp = fingerprint(state)
            if fp not in parents:
                if len(parents) >= states_mark:
                    look(new_state=True)
                parents[fp] = None
                queue.append((state, fp))
                broken = violations(state, wanted) if wanted else 0
                if broken:
                    record(broken, fp)
                if unreached:
                    unreached &= ~in_situation(state, unreached)
        left_in_level = len(queue)
        successors = model.successors
        popleft, push = queue.popleft, queue.append
        while queue:
            state, parent_fp = popleft()
            for _, nxt in successors(state):
                transitions += 1
                if transitions >= look_at:
                    look()
                # fingerprint(), inlined: a call per transition costs a few percent here.
                fp = hash(canonical_key(nxt) if canonical_key else nxt) & _MASK
                if fp in parents:
                    continue
                if len(parents) >= states_mark:
                    look(new_state=True)
                parents[fp] = parent_fp
                if wanted:
                    broken = violations(nxt, wanted)
                    if broken:
                        record(broken, fp)
                if unreached:
                    unreached &= ~in_situation(nxt, unreached)
                push((nxt, fp))
                found_for_next_level += 1
            left_in_level -= 1
            if left_in_level == 0 and queue:
                depth += 1
                left_in_level, found_for_next_level = len(queue), 0
    except _Stop as stop:
        stopped_by = stop.reason
    except KeyboardInterrupt:
        stopped_by = INTERRUPTED
    except MemoryError:
        stopped_by = "out of memory (lower --max-memory to stop sooner)"
    queue.clear()  # the frontier is not needed for verdicts; rebuilding traces may be
    if stopped_by is not None and found_for_next_level:
        depth += 1  # states one level further were already found
    elapsed = time.monotonic() - started

    complete = stopped_by is None
    verdicts = []
    for index, prop in enumerate(properties):
        if not applicable >> index & 1:
            verdict = Verdict(prop.id, prop.meaning, NOT_APPLICABLE)
        elif index in first_violation:
            trace = rebuild_trace(model, parents, first_violation[index], fingerprint, index)
            verdict = Verdict(prop.id, prop.meaning, VIOLATED, trace, trace.reason)
        elif complete:
            verdict = Verdict(prop.id, prop.meaning, HOLDS)
        else:
            reason = (
                f"{stopped_by} after {len(parents):,} states at depth {depth}; "
                "no violation found so far"
            )
            verdict = Verdict(prop.id, prop.meaning, INCONCLUSIVE, reason=reason)
        if names_situations:
            verdict = replace(
                verdict,
                reached=None if verdict.status == NOT_APPLICABLE else not unreached >> index & 1,
                situation=getattr(prop, "situation", None),
            )
        verdicts.append(verdict)
    return Exploration(
        len(parents), transitions, depth, elapsed, complete, stopped_by, symmetry, verdicts
    )

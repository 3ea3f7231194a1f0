"""Shortest counterexamples after a reduced search.

A reduction of the successor relation (a partial-order reduction) keeps every
violation reachable but may reach it by a longer path than the full relation's
shortest. `explore_with_recovery` explores the reduced model, and where it found a
violation at depth D, explores the full model breadth-first again with no state
expanded beyond depth D (`DepthBounded`): the first violation of each property in
that search is the one the unreduced search reports, with its trace, since a
breadth-first search visits the first D levels in the same order whether or not it
goes further. When that search runs out of the limits left, or Ctrl-C stopped the
first one, the reduced trace is kept and its reason says it may not be the shortest.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterator
from dataclasses import replace
from typing import Any, cast

from leaderless.checker.explorer import INTERRUPTED, VIOLATED, Exploration, Verdict, explore
from leaderless.checker.protocol import Model, State
from leaderless.checker.trace import InconsistentModel, Trace

NOT_SHORTEST = "found with a reduced search; may not be the shortest counterexample"


class _AtDepth:
    """A state with the BFS depth it was found at; hashes and compares as the state
    alone, so a state found again deeper is the same state (BFS meets it first at its
    least depth)."""

    __slots__ = ("depth", "state")

    def __init__(self, depth: int, state: State) -> None:
        self.depth = depth
        self.state = state

    def __hash__(self) -> int:
        return hash(self.state)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _AtDepth) and self.state == other.state


class DepthBounded:
    """`model` with no successors beyond depth `max_depth`; states are `_AtDepth`.

    Once every property of `targets` (a bitmask) has been found violated, the bound
    drops to the depth of that last find: breadth-first, nothing deeper can give any
    of them a shorter trace, and every state of a trace is still expanded when the
    trace is rebuilt."""

    def __init__(self, model: Model, max_depth: int, targets: int = 0) -> None:
        self.model = model
        self.max_depth = max_depth
        self.properties = model.properties
        self.applicable = model.applicable
        self._missing = targets
        if hasattr(model, "reached"):
            self.reached = lambda at, wanted: model.reached(at.state, wanted)

    def initial_states(self) -> list[_AtDepth]:
        return [_AtDepth(0, state) for state in self.model.initial_states()]

    def successors(self, at: _AtDepth) -> Iterator[tuple[Hashable, _AtDepth]]:
        if at.depth >= self.max_depth:
            return
        deeper = at.depth + 1
        for label, nxt in self.model.successors(at.state):
            yield label, _AtDepth(deeper, nxt)

    def violations(self, at: _AtDepth, wanted: int) -> int:
        broken = self.model.violations(at.state, wanted)
        if broken & self._missing:
            self._missing &= ~broken
            if not self._missing:
                self.max_depth = min(self.max_depth, at.depth)
        return broken

    def canonical_key(self, at: _AtDepth) -> Hashable:
        return self.model.canonical_key(at.state)

    def explain(self, property_index: int, at: _AtDepth) -> str | None:
        return self.model.explain(property_index, at.state)

    def __getattr__(self, name: str) -> Any:
        if name == "model":  # not set yet (a copy being made): no recursion
            raise AttributeError(name)
        return getattr(self.model, name)


def _unwrapped(trace: Trace) -> Trace:
    """The trace of a depth-bounded search, with its states as the model's own."""
    initial = cast(_AtDepth, trace.initial)
    steps = tuple((label, cast(_AtDepth, at).state) for label, at in trace.steps)
    return replace(trace, initial=initial.state, steps=steps)


def _noted(verdict: Verdict, why: str | None) -> Verdict:
    """A violation's verdict whose trace was not recovered, saying so and why."""
    if verdict.status != VIOLATED:
        return verdict
    return replace(verdict, reason=f"{verdict.reason} ({NOT_SHORTEST}: {why})")


def explore_with_recovery(
    reduced: Model,
    full: Model,
    *,
    max_seconds: float | None = None,
    **limits: Any,
) -> tuple[Exploration, Exploration | None]:
    """Explore `reduced`; give each violation the shortest trace of `full` (the same
    model without the reduction). Returns the exploration (counts of the reduced
    search, verdicts with recovered traces) and the bounded search of `full` that
    recovered them (None when nothing was violated or no time was left)."""
    started = time.monotonic()
    found = explore(reduced, max_seconds=max_seconds, **limits)
    violated = [v for v in found.verdicts if v.status == VIOLATED and v.trace is not None]
    if not violated:
        return found, None
    if found.stopped_by == INTERRUPTED:
        # Ctrl-C stops everything: no second search.
        return replace(found, verdicts=[_noted(v, INTERRUPTED) for v in found.verdicts]), None
    depth = max(len(v.trace) for v in violated if v.trace is not None)
    ids = [p.id for p in full.properties]
    targets = sum(1 << ids.index(v.property_id) for v in violated)
    left = None if max_seconds is None else max_seconds - (time.monotonic() - started)
    # A time limit named as the user gave it, not as the time left for this search.
    out_of_time = f"--max-seconds {max_seconds:g} reached" if max_seconds is not None else ""
    if left is not None and left <= 0:
        return replace(found, verdicts=[_noted(v, out_of_time) for v in found.verdicts]), None
    bounded = explore(DepthBounded(full, depth, targets), max_seconds=left, **limits)
    shortest = {
        v.property_id: v.trace
        for v in bounded.verdicts
        if v.status == VIOLATED and v.trace is not None
    }
    verdicts = []
    for verdict in found.verdicts:
        if verdict.status == VIOLATED and verdict.trace is not None:
            trace = shortest.get(verdict.property_id)
            if trace is not None:
                trace = _unwrapped(trace)
                verdict = replace(verdict, trace=trace, reason=trace.reason)
            elif not bounded.complete:
                why = bounded.stopped_by or ""
                verdict = _noted(verdict, out_of_time if why.startswith("--max-seconds") else why)
            else:
                # The bounded search covers every path of the reduced one's length: a
                # reduction that reached a state the full relation cannot is a bug.
                found_at = len(verdict.trace) if verdict.trace is not None else None
                raise InconsistentModel(
                    f"{verdict.property_id}: violated in the reduced search at depth "
                    f"{found_at} but not in the full search to that depth"
                )
        verdicts.append(verdict)
    return replace(found, verdicts=verdicts), bounded

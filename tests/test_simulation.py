"""checker/simulation.py on a toy model: finds, shrinks, counts runs, and stops on every
limit without losing what it found. The limits lean on one Hypothesis behaviour (it
stops at once on a KeyboardInterrupt and records nothing of the run cut short); these
tests fail loudly on a Hypothesis that behaves otherwise."""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from typing import Any

import pytest

from leaderless.checker.simulation import INTERRUPTED, Choices, Limits, simulate


@dataclass(frozen=True)
class _Prop:
    id: str
    meaning: str


class Counter:
    """A counter that steps by 1 or 2 up to 20; the one property: it never reads 7."""

    properties = (_Prop("not-seven", "the counter never reads 7"),)
    applicable = 1

    def initial_states(self) -> list[int]:
        return [0]

    def successors(self, state: int) -> list[tuple[Any, int]]:
        return [(("add", k), state + k) for k in (1, 2) if state + k <= 20]

    def violations(self, state: int, wanted: int) -> int:
        return wanted & 1 if state == 7 else 0


class RandomWalk:
    def __init__(self, model: Counter, choices: Choices) -> None:
        self.model = model

    def step(self, state: int, choices: Choices) -> Any:
        options = self.model.successors(state)
        return choices.pick(options, "step") if options else None


def _start(choices: Choices) -> RandomWalk:
    return RandomWalk(Counter(), choices)


def test_finds_and_shrinks_a_violating_run() -> None:
    found = simulate(Counter(), 0, _start, runs=200, max_steps=50)
    assert found.violation is not None and found.shrunk and found.stopped_by is None
    states = [state for _, state in found.violation]
    assert states[-1] == 7 and 7 not in states[:-1] and len(states) <= 7
    assert found.runs >= 1 and found.shrink_runs >= 1 and found.first_seconds is not None


def test_runs_count_generated_runs_only() -> None:
    """A property no run breaks: every run generated is counted, shrinking has none."""
    never = Counter()
    never.violations = lambda state, wanted: 0  # type: ignore[method-assign]
    found = simulate(never, 0, _start, runs=40, max_steps=50)
    assert found.violation is None and found.shrink_runs == 0
    assert found.runs >= 1 and found.steps >= found.runs * 10  # each run walks to 20


class _StopAfterViolation(Limits):
    """Ctrl-C pressed just after the first violating run: during the shrinking."""

    def __init__(self) -> None:
        super().__init__()
        self.armed = False

    def stop_reason(self) -> str | None:
        return INTERRUPTED if self.armed else None


def test_a_limit_while_shrinking_keeps_the_violation_found() -> None:
    limits = _StopAfterViolation()

    class ArmingWalk(RandomWalk):
        def step(self, state: int, choices: Choices) -> Any:
            taken = super().step(state, choices)
            if taken is not None and taken[1] == 7:
                limits.armed = True
            return taken

    found = simulate(
        Counter(),
        0,
        lambda choices: ArmingWalk(Counter(), choices),
        runs=200,
        max_steps=50,
        limits=limits,
    )
    assert found.stopped_by == INTERRUPTED and not found.shrunk
    assert found.violation is not None and found.violation[-1][1] == 7


def test_the_shrink_budget_ends_shrinking_not_the_search() -> None:
    found = simulate(Counter(), 0, _start, runs=200, max_steps=50, shrink_seconds=1e-9)
    assert found.violation is not None and found.violation[-1][1] == 7
    assert not found.shrunk and found.stopped_by is None


def test_max_seconds_stops_generation() -> None:
    never = Counter()
    never.violations = lambda state, wanted: 0  # type: ignore[method-assign]
    found = simulate(never, 0, _start, runs=10**6, max_steps=50, limits=Limits(1e-9))
    assert found.violation is None and found.stopped_by == "--max-seconds 1e-09 reached"


def test_ctrl_c_sets_a_flag_then_a_second_one_raises() -> None:
    before = signal.getsignal(signal.SIGINT)
    with Limits() as limits:
        os.kill(os.getpid(), signal.SIGINT)
        assert limits.interrupted and limits.stop_reason() == INTERRUPTED
        # The first press gave Ctrl-C back: a second one interrupts at once.
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is before


def test_an_ignored_ctrl_c_stays_ignored() -> None:
    """A background job ignores SIGINT; the search must not take it over."""
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with Limits() as limits:
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            os.kill(os.getpid(), signal.SIGINT)
            assert not limits.interrupted
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)


def test_ctrl_c_during_a_simulation_stops_it_at_the_next_step() -> None:
    never = Counter()
    never.violations = lambda state, wanted: 0  # type: ignore[method-assign]
    steps = []

    class PressingWalk(RandomWalk):
        def step(self, state: int, choices: Choices) -> Any:
            steps.append(state)
            if len(steps) == 30:
                os.kill(os.getpid(), signal.SIGINT)
            return super().step(state, choices)

    with Limits() as limits:
        found = simulate(
            never,
            0,
            lambda choices: PressingWalk(never, choices),
            runs=10**6,
            max_steps=50,
            limits=limits,
        )
    assert found.stopped_by == INTERRUPTED and len(steps) == 30


def test_runs_hypothesis_cuts_short_are_counted() -> None:
    """A run that draws more than Hypothesis allows one run ends early; the
    simulation counts them instead of passing them off as searched, and when most
    runs end so, it stops and says why (Hypothesis would go on looking for runs it
    can take, for ever)."""

    class Greedy(RandomWalk):
        def step(self, state: int, choices: Choices) -> Any:
            for _ in range(100):
                choices.integer(0, 2**64, "noise")
            return super().step(state, choices)

    class Endless(Counter):
        def successors(self, state: int) -> list[tuple[Any, int]]:
            return [(("add", k), state + k) for k in (1, 2)]

        def violations(self, state: int, wanted: int) -> int:
            return 0

    endless = Endless()
    found = simulate(endless, 0, lambda choices: Greedy(endless, choices), runs=5, max_steps=10_000)
    assert found.violation is None and found.cut_runs >= 1
    assert found.stopped_by is not None and "drew more than Hypothesis allows" in found.stopped_by

"""Random exploration: sampled runs of a model, beside the explorer's exhaustive search.

The explorer visits every state; a simulation samples runs (as Stateright keeps
`simulation.rs` beside `bfs.rs`). Hypothesis supplies the randomness and the
shrinking, through its public API only: one `@given(st.data())` test whose body is
one run, every choice drawn from `data`, so a violating run shrinks as its choices
do. How a run chooses its steps is the model's business (a `Walk`, begun by a
`Start` that draws what the whole run shares); this module runs the walks, checks
one property after each step, counts runs and steps, and honours the limits: a
deadline, Ctrl-C, a time budget for shrinking. A violation once seen is never lost:
when a limit cuts the search short, the shortest violating run so far is returned.

Finding nothing proves nothing: a simulation reports runs, never "holds".
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Any, Protocol, Self, TypeVar

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as fix_seed
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from leaderless.checker.protocol import Model

INTERRUPTED = "interrupted (Ctrl-C)"

Step = tuple[Hashable, Hashable]  # a label and the state it leads to
T = TypeVar("T")


class LimitReached(KeyboardInterrupt):
    """A limit stopped the search. Hypothesis stops at once on a KeyboardInterrupt, and
    only then leaves the run cut short unrecorded; any other exception it takes for a
    failure to shrink, or for a run that drew differently from an earlier one."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Limits:
    """When a search must stop: a deadline (`max_seconds` from now) and Ctrl-C.

    Used as a context manager, it takes Ctrl-C over: the first press only sets a flag
    that the search reads at every step, so it stops at the next step wherever it is
    (a KeyboardInterrupt raised inside a finalizer is printed as "Exception ignored in"
    and lost, and the search ran on). A second press raises KeyboardInterrupt at once.
    """

    def __init__(self, max_seconds: float | None = None) -> None:
        self.max_seconds = max_seconds
        self.deadline = None if max_seconds is None else time.monotonic() + max_seconds
        self.interrupted = False
        self._previous: Any = None

    def __enter__(self) -> Self:
        if threading.current_thread() is threading.main_thread():
            previous = signal.getsignal(signal.SIGINT)
            # An ignored Ctrl-C (a background job's) stays ignored; a handler not set
            # from Python could not be put back.
            if previous not in (signal.SIG_IGN, None):
                self._previous = signal.signal(signal.SIGINT, self._on_interrupt)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def _on_interrupt(self, signum: int, frame: FrameType | None) -> None:
        self.interrupted = True
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def stop_reason(self) -> str | None:
        if self.interrupted:
            return INTERRUPTED
        if self.deadline is not None and time.monotonic() >= self.deadline:
            return f"--max-seconds {self.max_seconds:g} reached"
        return None

    def check(self) -> None:
        """Raise LimitReached when the search must stop."""
        reason = self.stop_reason()
        if reason is not None:
            raise LimitReached(reason)


class Choices:
    """The choices a walk makes, drawn from Hypothesis so that they shrink."""

    def __init__(self, data: st.DataObject) -> None:
        self._data = data

    def integer(self, low: int, high: int, label: str) -> int:
        return low if low == high else self._data.draw(st.integers(low, high), label=label)

    def pick(self, options: Sequence[T], label: str) -> T:
        return options[self.integer(0, len(options) - 1, label)]

    def weighted(self, weights: Sequence[int], label: str) -> int:
        """An index, each with probability proportional to its weight (all > 0).
        Shrinks towards the first index."""
        point = self.integer(0, sum(weights) - 1, label)
        for index, weight in enumerate(weights):
            if point < weight:
                return index
            point -= weight
        raise AssertionError("unreachable: point < sum(weights)")


class Walk(Protocol):
    def step(self, state: Any, choices: Choices) -> Step | None:
        """The next step from `state`, or None to end the run here."""


Start = Callable[[Choices], Walk]  # begins a run: draws what the whole run shares


@dataclass(frozen=True)
class SimulationProgress:
    runs: int  # runs generated so far (not counting shrinking's re-runs)
    steps: int  # model steps taken, shrinking included
    seconds: float
    shrink_runs: int  # re-runs of the shrinking so far (0 before a violation)
    shortest: int | None  # steps in the shortest violating run so far


@dataclass(frozen=True)
class Simulation:
    runs: int  # runs generated until the first violation, or in all when none was found
    steps: int  # model steps taken in every run, shrinking included
    seconds: float
    first_seconds: float | None  # time until the first violation
    shrink_runs: int  # runs the shrinking re-ran
    cut_runs: int  # runs Hypothesis cut short at its data limit (before a violation)
    violation: tuple[Step, ...] | None  # the shortest violating run seen
    shrunk: bool  # shrinking ran to its end (False when cut short or not asked for)
    stopped_by: str | None  # the limit that cut the search short, in words


# Runs cut short at Hypothesis's data limit, past which (and past half of all runs) the
# simulation stops.
_MOST_CUT_RUNS = 10


class _Violated(Exception):
    """The property broke: Hypothesis shrinks the run that raised it."""


class _ShrinkBudgetSpent(LimitReached):
    """Shrinking took its time budget; the shortest run so far is the result."""


class _Run:
    """What every run of one simulation shares: the target, the counts, the best find."""

    def __init__(
        self,
        model: Model,
        property_index: int,
        start: Start,
        max_steps: int,
        limits: Limits,
        shrink_seconds: float | None,
        progress: Callable[[SimulationProgress], None] | None,
    ) -> None:
        self.model = model
        self.wanted = 1 << property_index
        self.start = start
        self.max_steps = max_steps
        self.limits = limits
        self.shrink_seconds = shrink_seconds
        self.progress = progress
        self.started = time.monotonic()
        self.next_report = self.started + 1.0
        self.runs = 0
        self.steps = 0
        self.shrink_runs = 0
        self.cut_runs = 0
        self.first_seconds: float | None = None
        self.shrink_deadline: float | None = None
        self.best: tuple[Step, ...] | None = None

    def check_limits(self) -> None:
        self.limits.check()
        if self.shrink_deadline is not None and time.monotonic() >= self.shrink_deadline:
            raise _ShrinkBudgetSpent("shrinking took its time budget")
        if self.progress is not None and time.monotonic() >= self.next_report:
            self.next_report = time.monotonic() + 1.0
            self.progress(
                SimulationProgress(
                    self.runs,
                    self.steps,
                    time.monotonic() - self.started,
                    self.shrink_runs,
                    None if self.best is None else len(self.best),
                )
            )

    def __call__(self, data: st.DataObject) -> None:
        """One run: the walk's steps until it ends, the run is long enough, or the
        property breaks."""
        if self.best is None:
            self.runs += 1
        else:
            self.shrink_runs += 1
        self.check_limits()
        if self.cut_runs >= _MOST_CUT_RUNS and 2 * self.cut_runs > self.runs:
            # Hypothesis would go on trying for runs it allows, for ever.
            raise LimitReached(
                f"{self.cut_runs} of {self.runs} runs drew more than "
                "Hypothesis allows one run; runs of fewer steps fit"
            )
        choices = Choices(data)
        walk = self.start(choices)
        state = self.model.initial_states()[0]
        steps: list[Step] = []
        try:
            while True:
                if self.model.violations(state, self.wanted):
                    self._violated(steps)
                if len(steps) == self.max_steps:
                    return
                self.check_limits()
                step = walk.step(state, choices)
                if step is None:
                    return
                steps.append(step)
                state = step[1]
                self.steps += 1
        except (_Violated, KeyboardInterrupt):
            raise
        except BaseException:
            # Hypothesis ends a run that draws more than it allows one run (a run of
            # thousands of steps, or early on several times its simplest run); such a
            # run was not walked to its end.
            if self.best is None:
                self.cut_runs += 1
            raise

    def _violated(self, steps: list[Step]) -> None:
        if self.best is None:
            self.first_seconds = time.monotonic() - self.started
            if self.shrink_seconds is not None:
                self.shrink_deadline = time.monotonic() + self.shrink_seconds
        if self.best is None or len(steps) < len(self.best):
            self.best = tuple(steps)
        raise _Violated


def simulate(
    model: Model,
    property_index: int,
    start: Start,
    *,
    runs: int,
    max_steps: int,
    seed: int | None = None,
    shrink: bool = True,
    shrink_seconds: float | None = None,
    limits: Limits | None = None,
    progress: Callable[[SimulationProgress], None] | None = None,
) -> Simulation:
    """Up to `runs` runs of at most `max_steps` steps each, walked by `start`, until one
    violates the property `property_index`; that run is then shrunk (within
    `shrink_seconds`, when shrinking is asked for).

    `seed` None leaves the randomness to the loaded Hypothesis profile (a derandomized
    profile makes the simulation repeat); an integer fixes it. `limits` stop the
    search; what it found by then is kept.
    """
    limits = limits or Limits()
    shared = _Run(model, property_index, start, max_steps, limits, shrink_seconds, progress)
    phases = (Phase.generate,) + ((Phase.shrink,) if shrink else ())
    chosen = settings(
        max_examples=runs,
        database=None,
        deadline=None,
        phases=phases,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        print_blob=False,
    )

    def one_run(data: st.DataObject) -> None:
        shared(data)

    test = given(st.data())(chosen(one_run))
    if seed is not None:
        test = fix_seed(seed)(test)
    stopped_by, shrunk = None, False
    try:
        test()
    except _Violated:
        shrunk = shrink
    except _ShrinkBudgetSpent:
        pass  # the shortest violating run so far is the result
    except Unsatisfiable:
        # Every run drew more than Hypothesis allows one (see `cut_runs`); it gave up.
        pass
    except LimitReached as stop:
        stopped_by = stop.reason
    except KeyboardInterrupt:
        # A second Ctrl-C, or one before `limits` took Ctrl-C over.
        stopped_by = INTERRUPTED
    return Simulation(
        shared.runs,
        shared.steps,
        time.monotonic() - shared.started,
        shared.first_seconds,
        shared.shrink_runs,
        shared.cut_runs,
        shared.best,
        shrunk,
        stopped_by,
    )

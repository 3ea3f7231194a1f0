"""The explorer on a toy model: generic machinery, limits, honesty about incompleteness."""

from dataclasses import dataclass

import pytest

from leaderless.checker.explorer import HOLDS, INCONCLUSIVE, NOT_APPLICABLE, VIOLATED, explore
from leaderless.checker.trace import InconsistentModel
from leaderless.model import Config, ReplicationModel


@dataclass(frozen=True)
class _Prop:
    id: str
    meaning: str


class Grid:
    """Two counters 0..size, each step increments one. Properties: 'x below 3' (violated
    at depth 3), 'sum below a million' (holds), and one that does not apply. Swapping the
    counters is a symmetry."""

    properties = (
        _Prop("x-below-3", "x < 3"),
        _Prop("sum-small", "x + y < 10**6"),
        _Prop("never", "does not apply"),
    )
    applicable = 0b011

    def __init__(self, size: int = 5, interrupt_after: int | None = None) -> None:
        self.size = size
        self.calls = 0
        self.interrupt_after = interrupt_after

    def initial_states(self):
        return [(0, 0)]

    def successors(self, state):
        self.calls += 1
        if self.interrupt_after is not None and self.calls > self.interrupt_after:
            self.interrupt_after = None  # one Ctrl-C, as a user presses it
            raise KeyboardInterrupt
        x, y = state
        steps = []
        if x < self.size:
            steps.append((("inc", "x"), (x + 1, y)))
        if y < self.size:
            steps.append((("inc", "y"), (x, y + 1)))
        return steps

    def violations(self, state, wanted):
        broken = 0
        if wanted & 1 and state[0] >= 3:
            broken |= 1
        if wanted & 2 and sum(state) >= 10**6:
            broken |= 2
        return broken

    def canonical_key(self, state):
        return tuple(sorted(state))

    def explain(self, index, state):
        return f"x is {state[0]}" if index == 0 and state[0] >= 3 else None


def test_whole_space_counts_and_shortest_violation():
    result = explore(Grid(), symmetry=False)
    assert (result.states, result.transitions, result.depth) == (36, 60, 10)
    assert result.complete and result.stopped_by is None
    statuses = [v.status for v in result.verdicts]
    assert statuses == [VIOLATED, HOLDS, NOT_APPLICABLE]
    trace = result.verdicts[0].trace
    assert len(trace) == 3 and trace.final == (3, 0) and trace.reason == "x is 3"


def test_symmetry_keeps_one_state_per_class_and_concrete_traces():
    result = explore(Grid(), symmetry=True)
    assert result.states == 21  # pairs {x, y} with x <= y
    trace = result.verdicts[0].trace
    # The class of (0, 3) was reached first; the rebuilt run still ends with x >= 3.
    assert len(trace) == 3 and trace.final[0] == 3


def test_state_limit_makes_unviolated_properties_inconclusive_never_holds():
    result = explore(Grid(), symmetry=False, max_states=5)
    # BFS holds (0,0); (1,0) (0,1); then (2,0) (1,1) and stops at (0,2), the sixth.
    assert (result.states, result.transitions, result.depth) == (5, 6, 2)
    assert not result.complete
    assert "--max-states 5" in result.stopped_by
    sum_small = result.verdict("sum-small")
    assert sum_small.status == INCONCLUSIVE and "--max-states 5" in sum_small.reason
    assert result.verdict("never").status == NOT_APPLICABLE


@pytest.mark.parametrize(
    ("symmetry", "limit", "counts"),
    [
        (True, 1, (1, 1, 0)),
        (True, 50, (50, 111, 5)),
        (False, 50, (50, 65, 4)),
        (False, 1000, (1000, 2567, 7)),
    ],
)
def test_exact_counts_after_a_state_limit_on_the_model(symmetry, limit, counts):
    result = explore(ReplicationModel(Config()), symmetry=symmetry, max_states=limit)
    assert (result.states, result.transitions, result.depth) == counts
    assert result.stopped_by == f"--max-states {limit} reached" and not result.complete


def test_a_limit_equal_to_the_space_still_completes():
    assert explore(Grid(), symmetry=False, max_states=36).complete  # 36 states in all
    assert not explore(Grid(), symmetry=False, max_states=35).complete
    assert explore(ReplicationModel(Config()), max_states=2310).complete


def test_a_violating_initial_state_gives_a_trace_of_no_steps():
    class BadStart(Grid):
        def violations(self, state, wanted):
            return wanted & 1

        def explain(self, index, state):
            return "broken from the start" if index == 0 else None

    result = explore(BadStart(), symmetry=False)
    verdict = result.verdict("x-below-3")
    assert verdict.status == VIOLATED and len(verdict.trace) == 0
    assert verdict.trace.final == (0, 0) and verdict.reason == "broken from the start"
    assert result.verdict("sum-small").status == HOLDS and result.states == 36


def test_a_violation_the_model_cannot_explain_is_an_internal_error():
    class Mute(Grid):
        def explain(self, index, state):
            return None  # violations() says x >= 3 breaks it; explain() disagrees

    with pytest.raises(InconsistentModel, match="x-below-3 .* explain\\(\\) must agree"):
        explore(Mute(), symmetry=False)


def test_the_cli_maps_an_inconsistent_model_to_exit_4(monkeypatch, capsys):
    from leaderless.checker.cli import main

    monkeypatch.setattr("leaderless.model.system.ReplicationModel.explain", lambda self, i, s: None)
    assert main(["check", "--quiet"]) == 4
    captured = capsys.readouterr()
    assert "VIOLATED" not in captured.out and "no reason" not in captured.out
    assert "internal error: InconsistentModel" in captured.err


def test_violations_found_before_a_limit_stay_violated_and_shortest():
    result = explore(Grid(size=50), symmetry=False, max_states=40)
    assert result.verdict("x-below-3").status == VIOLATED
    assert len(result.verdict("x-below-3").trace) == 3
    assert result.verdict("sum-small").status == INCONCLUSIVE


def test_ctrl_c_reports_what_was_found_so_far():
    result = explore(Grid(size=50, interrupt_after=20), symmetry=False)
    assert result.stopped_by == "interrupted (Ctrl-C)"
    assert result.verdict("x-below-3").status == VIOLATED
    assert result.verdict("sum-small").status == INCONCLUSIVE


def test_time_limit_and_progress_reports():
    reports = []
    result = explore(
        Grid(size=10**6),
        symmetry=False,
        max_seconds=0.3,
        progress=reports.append,
        progress_every=0.05,
    )
    assert result.stopped_by == "--max-seconds 0.3 reached"
    assert reports and reports[-1].states > 0 and reports[-1].depth >= 1
    assert result.verdict("sum-small").status == INCONCLUSIVE


def test_collision_probability_is_reported():
    result = explore(Grid(), symmetry=False)
    assert 0 < result.collision_probability < 1e-15


@pytest.mark.parametrize("symmetry", [False, True])
def test_nondeterministic_models_are_named_as_the_cause(symmetry):
    expansions = 21 if symmetry else 36  # one per state of the space

    class Flaky(Grid):
        def successors(self, state):
            steps = super().successors(state)
            if self.calls <= expansions:
                return steps
            # Other states once the search is over: the rebuilt trace cannot follow.
            return [(label, (x + 7, y)) for label, (x, y) in steps]

    with pytest.raises(RuntimeError, match="must be deterministic"):
        explore(Flaky(), symmetry=symmetry)


@dataclass(frozen=True)
class _Situated(_Prop):
    situation: str


class SituatedGrid(Grid):
    """Grid with situations: 'x below 3' is about states with x >= 1, 'sum small' about
    sums of a million or more (never reached), 'never' about everything."""

    properties = (
        _Situated("x-below-3", "x < 3", "x grew"),
        _Situated("sum-small", "x + y < 10**6", "the sum reached a million"),
        _Situated("never", "does not apply", "anything"),
    )

    def __init__(self, size: int = 5) -> None:
        super().__init__(size)
        self.asked: list[int] = []

    def reached(self, state, wanted):
        self.asked.append(wanted)
        return (wanted & 1 if state[0] >= 1 else 0) | (wanted & 2 if sum(state) >= 10**6 else 0)


def test_situations_are_asked_until_reached_and_a_holds_never_reached_is_vacuous():
    model = SituatedGrid()
    result = explore(model, symmetry=False)
    found = [(v.status, v.reached, v.situation, v.vacuous) for v in result.verdicts]
    assert found == [
        (VIOLATED, True, "x grew", False),
        (HOLDS, False, "the sum reached a million", True),
        (NOT_APPLICABLE, None, "anything", False),
    ]
    # Once per state; x grew in the second state (1, 0), so from there on only the
    # sum is asked about, and never the property that does not apply.
    assert len(model.asked) == result.states
    assert model.asked[:2] == [0b011, 0b011] and set(model.asked[2:]) == {0b010}


def test_a_violation_counts_as_reached_without_asking():
    class Unseen(SituatedGrid):
        def reached(self, state, wanted):
            self.asked.append(wanted)
            return 0

    model = Unseen()
    result = explore(model, symmetry=False)
    assert result.verdict("x-below-3").reached is True
    assert result.verdict("sum-small").vacuous
    assert model.asked[-1] == 0b010  # asked about x below 3 only until it broke


def test_a_model_without_situations_leaves_reached_unknown():
    result = explore(Grid(), symmetry=False)
    assert [(v.reached, v.situation, v.vacuous) for v in result.verdicts] == [
        (None, None, False)
    ] * 3


def test_an_inconclusive_run_reports_what_it_reached_so_far():
    result = explore(SituatedGrid(size=50), symmetry=False, max_states=2)
    x_below_3 = result.verdict("x-below-3")
    assert (x_below_3.status, x_below_3.reached, x_below_3.vacuous) == (INCONCLUSIVE, True, False)
    assert result.verdict("sum-small").reached is False

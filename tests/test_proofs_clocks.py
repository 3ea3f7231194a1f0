"""The LWW clock-drift bound: the symbolic theorem and concrete numbers at its edge."""

from fractions import Fraction

import pytest
import z3

from leaderless.proofs import clocks as clocks_module
from leaderless.proofs.clocks import prove_clock_bound, prove_clocks
from leaderless.proofs.result import Inconsistent, InvalidInput, Proved, Refuted


def assert_inverting(result, drift, gap):
    assert isinstance(result, Refuted)
    first, second = result.witness["first_write"], result.witness["second_write"]
    first_at, first_ts = Fraction(first["real_time"]), Fraction(first["timestamp"])
    second_at, second_ts = Fraction(second["real_time"]), Fraction(second["timestamp"])
    assert second_at - first_at >= gap
    assert abs(first_ts - first_at) <= drift and abs(second_ts - second_at) <= drift
    assert first_ts >= second_ts


def test_the_bound_is_proved_for_all_drifts_and_gaps():
    result = prove_clock_bound()
    assert isinstance(result, Proved)
    assert [o.name for o in result.obligations] == [
        "clock-bound/integer/sufficient",
        "clock-bound/integer/necessary",
        "clock-bound/real/sufficient",
        "clock-bound/real/necessary",
    ]


@pytest.mark.parametrize("drift", [0, 1, 5, 37])
def test_integer_clocks_at_the_edge(drift):
    assert_inverting(prove_clocks(drift, 2 * drift), drift, 2 * drift)
    assert isinstance(prove_clocks(drift, 2 * drift + 1), Proved)


def test_the_issue_example_explains_the_minimum_gap():
    result = prove_clocks(5, 8)
    assert_inverting(result, 5, 8)
    assert result.explanation.startswith(
        "writes to one key must be at least 11 ms apart for LWW to keep their order"
    )
    assert result.witness["first_write"]["timestamp"] > result.witness["second_write"]["timestamp"]


def test_at_exactly_2d_the_best_witness_is_a_tie():
    result = prove_clocks(5, 10)
    assert result.witness["first_write"]["timestamp"] == result.witness["second_write"]["timestamp"]
    assert "tie" in result.explanation


def test_real_clocks_need_strictly_more_than_2d():
    drift = Fraction(5, 2)
    assert_inverting(prove_clocks(drift, 5, dense=True), drift, 5)
    assert isinstance(prove_clocks(drift, Fraction(501, 100), dense=True), Proved)


@pytest.mark.parametrize(
    "drift,gap,message",
    [
        (-1, 3, "drift = -1 is negative"),
        (1, -3, "gap = -3 is negative"),
        (Fraction(1, 2), 3, "not an integer"),
    ],
)
def test_bad_numbers_are_one_line_errors(drift, gap, message):
    with pytest.raises(InvalidInput, match=message):
        prove_clocks(drift, gap)


class _OutOfRangeModel:
    """A model whose every reading is 100: far outside a drift of 5 at real time 0."""

    def eval(self, term, model_completion=False):
        return z3.IntVal(100)


def test_a_witness_that_fails_the_plain_python_check_is_inconsistent(monkeypatch):
    real = clocks_module.check

    def bad_model(solver, name, statement):
        obligation, model = real(solver, name, statement)
        return obligation, (_OutOfRangeModel() if model is not None else None)

    monkeypatch.setattr(clocks_module, "check", bad_model)
    with pytest.raises(Inconsistent, match="failed the plain-Python check"):
        prove_clocks(5, 8)

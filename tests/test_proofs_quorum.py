"""Concrete quorum configurations: verdicts, witnesses checked in Python, timeouts."""

import time

import pytest
import z3
from hypothesis import given
from hypothesis import strategies as st

from leaderless.proofs import quorum as quorum_module
from leaderless.proofs.quorum import LARGEST_N, prove_overlap, prove_write_overlap, quorum_space
from leaderless.proofs.result import Inconsistent, InvalidInput, Proved, Refuted, Unknown
from leaderless.proofs.solve import check, frame


def assert_disjoint_witness(result, n, first_key, first_size, second_key, second_size):
    assert isinstance(result, Refuted)
    first, second = result.witness[first_key], result.witness[second_key]
    assert len(set(first)) == first_size and len(set(second)) == second_size
    assert all(0 <= i < n for i in first + second)
    assert not set(first) & set(second)


def test_the_issue_example_is_refuted_with_two_disjoint_replica_sets():
    result = prove_overlap(5, 2, 3)
    assert_disjoint_witness(result, 5, "read", 2, "write", 3)
    assert result.obligations[0].z3_result == "sat"


def test_majority_quorums_overlap():
    result = prove_overlap(3, 2, 2)
    assert isinstance(result, Proved)
    assert result.obligations[0].name == "overlap/n=3,r=2,w=2"
    assert result.obligations[0].z3_result == "unsat"


@pytest.mark.parametrize(
    "r,w,holds", [(32, 33, True), (32, 32, False), (1, 64, True), (64, 1, True), (1, 63, False)]
)
def test_n_64_on_both_sides_of_the_bound(r, w, holds):
    result = prove_overlap(64, r, w)
    if holds:
        assert isinstance(result, Proved)
    else:
        assert_disjoint_witness(result, 64, "read", r, "write", w)


@given(
    st.integers(1, 40).flatmap(
        lambda n: st.tuples(st.just(n), st.integers(1, n), st.integers(1, n))
    )
)
def test_any_configuration_is_proved_iff_r_plus_w_exceeds_n(config):
    n, r, w = config
    result = prove_overlap(n, r, w)
    if r + w > n:
        assert isinstance(result, Proved)
    else:
        assert_disjoint_witness(result, n, "read", r, "write", w)


def test_write_write_corollary_needs_a_strict_majority():
    assert isinstance(prove_write_overlap(5, 3), Proved)
    assert_disjoint_witness(prove_write_overlap(4, 2), 4, "write", 2, "other_write", 2)


@pytest.mark.parametrize(
    "n,r,w,field", [(0, 1, 1, "n"), (3, 0, 1, "r"), (3, 4, 1, "r"), (3, 1, 5, "w")]
)
def test_out_of_range_parameters_name_the_field(n, r, w, field):
    with pytest.raises(InvalidInput, match=f"^{field} = "):
        prove_overlap(n, r, w)


def test_a_solver_timeout_on_a_large_instance_is_unknown_not_proved():
    result = prove_overlap(256, 128, 129, timeout_ms=1)
    assert isinstance(result, Unknown)
    assert result.obligations[0].z3_result == "unknown"
    assert "Z3 answered unknown" in result.reason


def test_a_timeout_on_a_hard_pigeonhole_instance_is_reported_as_unknown():
    # Boolean pseudo-boolean encoding of 33 + 32 > 64: minutes for CDCL without a limit.
    solver = z3.Solver()
    solver.set("timeout", 1)
    first = [z3.Bool(f"a{i}") for i in range(64)]
    second = [z3.Bool(f"b{i}") for i in range(64)]
    with frame(solver):
        solver.add(z3.PbEq([(x, 1) for x in first], 33), z3.PbEq([(x, 1) for x in second], 32))
        solver.add([z3.Not(z3.And(x, y)) for x, y in zip(first, second)])
        started = time.perf_counter()
        obligation, model = check(solver, "pigeonhole", "no disjoint 33- and 32-sets of 64")
    assert obligation.z3_result == "unknown" and model is None
    assert obligation.reason in ("timeout", "canceled")
    assert time.perf_counter() - started < 5
    assert len(solver.assertions()) == 0


def test_one_space_serves_every_configuration_of_its_n():
    space = quorum_space(6)
    base = len(space.solver.assertions())
    verdicts = [prove_overlap(6, r, 3, space=space).verdict for r in range(1, 7)]
    assert verdicts == ["refuted"] * 3 + ["proved"] * 3
    assert len(space.solver.assertions()) == base
    with pytest.raises(InvalidInput, match="quorum space for n = 6 cannot check n = 5"):
        prove_overlap(5, 1, 1, space=space)


def test_a_size_past_the_encoding_is_unknown_without_building_it():
    started = time.perf_counter()
    huge = 10**23
    for result in (prove_overlap(huge, 1, 1), prove_write_overlap(huge, 1)):
        assert isinstance(result, Unknown) and result.obligations == ()
        assert f"the largest is {LARGEST_N}" in result.reason
    assert time.perf_counter() - started < 1
    with pytest.raises(InvalidInput, match=f"the largest is {LARGEST_N}"):
        quorum_space(LARGEST_N + 1)


@pytest.mark.parametrize(
    "first,second",
    [
        ([0, 1], [1, 2, 3]),  # they meet
        ([0, 0], [2, 3, 4]),  # a repeated replica: too small a quorum
        ([0, 5], [1, 2, 3]),  # replica 5 of 0..4
        ([0], [1, 2, 3]),  # the wrong size
    ],
)
def test_a_bad_witness_fails_the_plain_python_check(first, second):
    assert not quorum_module._disjoint_pair_is_valid(5, first, 2, second, 3)
    assert quorum_module._disjoint_pair_is_valid(5, [0, 4], 2, [1, 2, 3], 3)


def test_a_witness_from_z3_that_fails_the_check_is_an_internal_error_not_refuted(
    monkeypatch, capsys
):
    monkeypatch.setattr(quorum_module, "_chosen", lambda model, members: [0, 1])
    with pytest.raises(Inconsistent, match="failed the plain-Python check"):
        prove_overlap(5, 2, 3)  # read [0, 1], write [0, 1]: they meet
    from leaderless.checker import cli

    assert cli.main(["prove", "quorum", "--n", "5", "--r", "2", "--w", "2"]) == 4
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("internal error: Inconsistent")

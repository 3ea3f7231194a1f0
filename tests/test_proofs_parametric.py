"""The parametric quorum theorem: proved by induction, non-vacuous, and in line with
the concrete finite encoding."""

import z3

from proofs import parametric
from proofs.parametric import prove_parametric
from proofs.quorum import prove_overlap, prove_write_overlap
from proofs.result import Obligation, Proved, Unknown

EXPECTED_OBLIGATIONS = {
    "overlap-lemma/base",
    "overlap-lemma/step",
    "overlap/conclusion",
    "first-r-count/base",
    "first-r-count/step",
    "last-w-count/base",
    "last-w-count/step",
    "first-r-last-w-apart/base",
    "first-r-last-w-apart/step",
    "disjoint/conclusion",
}


def test_both_theorems_are_proved_with_every_obligation_unsat():
    read_write, write_write = prove_parametric()
    assert isinstance(read_write, Proved) and isinstance(write_write, Proved)
    assert {o.name for o in read_write.obligations} == EXPECTED_OBLIGATIONS
    assert "write-write-overlap/conclusion" in {o.name for o in write_write.obligations}
    assert all(o.z3_result == "unsat" for r in (read_write, write_write) for o in r.obligations)


def test_the_induction_hypotheses_are_satisfiable_so_the_step_is_not_vacuous():
    sets = parametric._arbitrary_sets()
    k = z3.Int("k")
    solver = z3.Solver()
    solver.add(
        k >= 3,
        parametric._recursion_at(sets, k),
        parametric._overlap_lemma(sets, k),
        sets.apart(k),
        sets.read_count(k) + sets.write_count(k) == k,
    )
    assert solver.check() == z3.sat


def test_a_false_lemma_is_not_discharged():
    # Lemma "countR(k) + countW(k) <= k - 1" fails at the base: the method must notice.
    sets = parametric._arbitrary_sets()
    solver = z3.Solver()
    solver.add(
        parametric._origin(sets),
        z3.Not(z3.Implies(sets.apart(0), sets.read_count(0) + sets.write_count(0) <= -1)),
    )
    assert solver.check() == z3.sat


def test_parametric_verdict_agrees_with_every_concrete_configuration_up_to_n_8():
    for n in range(1, 9):
        for w in range(1, n + 1):
            assert (prove_write_overlap(n, w).verdict == "proved") == (2 * w > n)
            for r in range(1, n + 1):
                assert (prove_overlap(n, r, w).verdict == "proved") == (r + w > n), (n, r, w)


def test_an_undischarged_obligation_gives_unknown_never_proved():
    timed_out = Obligation("overlap-lemma/step", "s", "unknown", 0.001, "timeout")
    countermodel = Obligation("overlap-lemma/step", "s", "sat", 0.001)
    ok = Obligation("overlap-lemma/base", "b", "unsat", 0.001)
    first = parametric._verdict("claim", "why", (ok, timed_out))
    second = parametric._verdict("claim", "why", (ok, countermodel))
    assert isinstance(first, Unknown) and "timeout" in first.reason
    assert isinstance(second, Unknown) and "overlap-lemma/step" in second.reason


def test_to_json_is_plain_data_and_stable_without_times():
    first = [result.to_json(times=False) for result in prove_parametric()]
    second = [result.to_json(times=False) for result in prove_parametric()]
    assert first == second
    assert all("seconds" not in o for o in first[0]["obligations"])

"""The parametric quorum theorem: proved by induction, non-vacuous, and in line with
the concrete finite encoding."""

import z3

from leaderless.proofs import parametric
from leaderless.proofs.parametric import prove_parametric
from leaderless.proofs.quorum import prove_overlap, prove_write_overlap
from leaderless.proofs.result import Obligation, Proved, Unknown

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


def _covers(goal, **values):
    """Whether the goal's domain includes these parameter values (k, n, r, w)."""
    substitution = [(z3.Int(name), z3.IntVal(value)) for name, value in values.items()]
    return z3.is_true(z3.simplify(z3.substitute(goal.domain, *substitution)))


# Each obligation must cover its side of the theorem up to its very edge: the claim says
# "iff r + w > n", so overlap must be shown at r + w = n + 1 and disjointness at r + w = n.
SIDES = {
    "overlap/conclusion": lambda n, r, w: r + w > n,
    "disjoint/conclusion": lambda n, r, w: r + w <= n,
    "first-r-last-w-apart/step": lambda n, r, w: r + w <= n,
    "write-write-overlap/conclusion": lambda n, r, w: 2 * w > n,
    "write-write-disjoint/conclusion": lambda n, r, w: 2 * w <= n,
    "overlap-lemma/step": lambda n, r, w: True,
    "first-r-count/base": lambda n, r, w: True,
    "first-r-count/step": lambda n, r, w: True,
    "last-w-count/base": lambda n, r, w: True,
    "last-w-count/step": lambda n, r, w: True,
}


def test_every_obligation_covers_its_side_of_the_theorem_up_to_the_boundary():
    goals = parametric.goals()
    for name, side in SIDES.items():
        for n in range(1, 7):
            for r in range(1, n + 1):
                for w in range(1, n + 1):
                    for k in range(n):  # every prefix step 0 -> 1, ..., n-1 -> n
                        assert _covers(goals[name], k=k, n=n, r=r, w=w) or not side(n, r, w), (
                            name,
                            n,
                            r,
                            w,
                            k,
                        )


def test_the_boundary_cases_are_in_the_domains_and_not_vacuous():
    goals = parametric.goals()
    overlap, disjoint = goals["overlap/conclusion"], goals["disjoint/conclusion"]
    for n in range(1, 7):
        for r in range(1, n + 1):
            w = n + 1 - r
            if 1 <= w <= n:
                assert _covers(overlap, n=n, r=r, w=w), (n, r, w)
                solver = z3.Solver()  # sets of these sizes exist: the premises are satisfiable
                solver.add(
                    overlap.domain,
                    *overlap.premises,
                    z3.Int("n") == n,
                    z3.Int("r") == r,
                    z3.Int("w") == w,
                )
                assert solver.check() == z3.sat, (n, r, w)
            if 1 <= w - 1 <= n:
                assert _covers(disjoint, n=n, r=r, w=w - 1), (n, r, w - 1)


def test_a_narrower_domain_is_caught():
    # The mutant the test above exists for: the same printed claim, one case short.
    goal = parametric.goals()["overlap/conclusion"]
    n, r, w = z3.Ints("n r w")
    narrowed = parametric.Goal(
        goal.name,
        goal.statement,
        z3.And(goal.domain, r + w > n + 1),
        goal.premises,
        goal.conclusion,
    )
    assert narrowed.discharge(None).z3_result == "unsat"  # Z3 alone would accept it
    assert not _covers(narrowed, n=3, r=2, w=2)

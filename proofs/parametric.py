"""The quorum intersection theorem for every n at once, by induction in Z3.

Theorem (read/write): for all n >= 1 and 1 <= r, w <= n, every r-subset and every
w-subset of the replicas {0..n-1} intersect if r + w > n; if r + w <= n, a disjoint
pair exists. Corollary (write/write): two w-subsets always intersect iff 2w > n.

Z3 cannot do induction itself, so the argument is split. Sets are predicates over
replica ids; a set's size is its counting function over prefixes, defined by
primitive recursion (`count(0) = 0`, `count(k+1) = count(k) + [k in S]`), and
"R and W are disjoint on {0..k-1}" is the prefix predicate `apart(k)`
(`apart(0)`, `apart(k+1) = apart(k) and not (k in R and k in W)`). Each inductive
lemma becomes two quantifier-free obligations, a base case and a step, where the
step holds for an arbitrary k and arbitrary sets, so Z3 decides it; induction
over k (the one step done outside Z3) then gives the lemma for every k, and a
final obligation derives the theorem from the lemma instantiated at k = n.
Every obligation is discharged by showing its negation unsatisfiable.

    >>> from leaderless.proofs.parametric import prove_parametric
    >>> [result.verdict for result in prove_parametric()]
    ['proved', 'proved']
"""

from __future__ import annotations

from dataclasses import dataclass

import z3

from leaderless.proofs.result import Obligation, Proved, Result, Unknown
from leaderless.proofs.solve import refute


@dataclass(frozen=True)
class _Sets:
    """Two arbitrary replica sets and the prefix functions over them."""

    read: z3.FuncDeclRef  # Int -> Bool: replica i is in the read quorum
    write: z3.FuncDeclRef  # Int -> Bool: replica i is in the write quorum
    read_count: z3.FuncDeclRef  # Int -> Int: |read ∩ {0..k-1}|
    write_count: z3.FuncDeclRef  # Int -> Int: |write ∩ {0..k-1}|
    apart: z3.FuncDeclRef  # Int -> Bool: read and write disjoint on {0..k-1}


def _arbitrary_sets() -> _Sets:
    int_sort, bool_sort = z3.IntSort(), z3.BoolSort()
    return _Sets(
        read=z3.Function("R", int_sort, bool_sort),
        write=z3.Function("W", int_sort, bool_sort),
        read_count=z3.Function("countR", int_sort, int_sort),
        write_count=z3.Function("countW", int_sort, int_sort),
        apart=z3.Function("apart", int_sort, bool_sort),
    )


def _one_if(condition: z3.BoolRef) -> z3.ArithRef:
    return z3.If(condition, 1, 0)


def _recursion_at(sets: _Sets, k: z3.ArithRef) -> z3.BoolRef:
    """The defining equations of the prefix functions, from k to k + 1."""
    in_read, in_write = sets.read(k), sets.write(k)
    return z3.And(
        sets.read_count(k + 1) == sets.read_count(k) + _one_if(in_read),
        sets.write_count(k + 1) == sets.write_count(k) + _one_if(in_write),
        sets.apart(k + 1) == z3.And(sets.apart(k), z3.Not(z3.And(in_read, in_write))),
    )


def _origin(sets: _Sets) -> z3.BoolRef:
    return z3.And(sets.read_count(0) == 0, sets.write_count(0) == 0, sets.apart(0))


def _overlap_lemma(sets: _Sets, k: z3.ArithRef) -> z3.BoolRef:
    """Disjoint sets fit in the prefix: apart(k) -> countR(k) + countW(k) <= k."""
    return z3.Implies(sets.apart(k), sets.read_count(k) + sets.write_count(k) <= k)


def _quorum_sizes(n: z3.ArithRef, r: z3.ArithRef, w: z3.ArithRef) -> z3.BoolRef:
    return z3.And(n >= 1, r >= 1, r <= n, w >= 1, w <= n)


@dataclass(frozen=True)
class Goal:
    """One obligation before Z3 sees it: for every value of its free constants (k, n,
    r, w and the set functions) in `domain` that satisfies the `premises`, the
    `conclusion` holds. Kept apart so that a test can check which parameters each
    obligation covers: a domain narrower than the theorem's (say r + w > n + 1) would
    still be discharged and print the same claim."""

    name: str
    statement: str
    domain: z3.BoolRef  # the parameters covered
    premises: tuple[z3.BoolRef, ...]
    conclusion: z3.BoolRef

    def discharge(self, timeout_ms: int | None) -> Obligation:
        negation = z3.And(self.domain, *self.premises, z3.Not(self.conclusion))
        return refute(self.name, self.statement, negation, timeout_ms)


def _overlap_goals() -> tuple[Goal, ...]:
    sets = _arbitrary_sets()
    k, n, r, w = z3.Ints("k n r w")
    return (
        Goal(
            "overlap-lemma/base",
            "apart(0) -> countR(0) + countW(0) <= 0",
            z3.BoolVal(True),
            (_origin(sets),),
            _overlap_lemma(sets, z3.IntVal(0)),
        ),
        Goal(
            "overlap-lemma/step",
            "for every k >= 0: lemma(k) -> lemma(k + 1)",
            k >= 0,
            (_recursion_at(sets, k), _overlap_lemma(sets, k)),
            _overlap_lemma(sets, k + 1),
        ),
        Goal(
            "overlap/conclusion",
            "r + w > n, |R| = r, |W| = w and lemma(n) leave R, W never apart",
            z3.And(_quorum_sizes(n, r, w), r + w > n),
            (sets.read_count(n) == r, sets.write_count(n) == w, _overlap_lemma(sets, n)),
            z3.Not(sets.apart(n)),
        ),
        Goal(
            "write-write-overlap/conclusion",
            "2w > n, |W1| = |W2| = w and lemma(n) leave W1, W2 never apart",
            z3.And(_quorum_sizes(n, w, w), 2 * w > n),
            (sets.read_count(n) == w, sets.write_count(n) == w, _overlap_lemma(sets, n)),
            z3.Not(sets.apart(n)),
        ),
    )


def _prefix_count_goals(
    name: str,
    member: z3.BoolRef,
    k: z3.ArithRef,
    closed_form: z3.ArithRef,
    closed_form_text: str,
    domain: z3.BoolRef,
) -> tuple[Goal, ...]:
    """count(k) == closed_form(k), for the set given by `member` (a formula in k)."""
    count = z3.Function(f"count_{name}", z3.IntSort(), z3.IntSort())
    at_zero = z3.substitute(closed_form, (k, z3.IntVal(0)))
    after = z3.substitute(closed_form, (k, k + 1))
    return (
        Goal(
            f"{name}-count/base",
            f"count_{name}(0) = {closed_form_text} at k = 0",
            domain,
            (count(0) == 0,),
            count(0) == at_zero,
        ),
        Goal(
            f"{name}-count/step",
            f"count_{name}(k) = {closed_form_text} -> the same at k + 1",
            domain,
            (count(k + 1) == count(k) + _one_if(member), count(k) == closed_form),
            count(k + 1) == after,
        ),
    )


def _disjoint_goals() -> tuple[Goal, ...]:
    """A disjoint pair when r + w <= n: the first r replicas and the last w replicas."""
    k, n, r, w = z3.Ints("k n r w")
    in_read = z3.And(k >= 0, k < r)
    in_write = z3.And(n - w <= k, k < n)
    read_size = z3.If(k < r, k, r)
    write_size = z3.If(k <= n - w, 0, k - (n - w))
    counts = _prefix_count_goals(
        "first-r", in_read, k, read_size, "min(k, r)", z3.And(k >= 0, r >= 0)
    ) + _prefix_count_goals(
        "last-w",
        in_write,
        k,
        write_size,
        "max(0, k - (n - w))",
        z3.And(k >= 0, k < n, w >= 0, w <= n),
    )
    apart = z3.Function("apart0", z3.IntSort(), z3.BoolSort())
    separate = (
        Goal(
            "first-r-last-w-apart/base",
            "apart0(0), the empty prefix",
            z3.BoolVal(True),
            (apart(0) == z3.BoolVal(True),),
            apart(0),
        ),
        Goal(
            "first-r-last-w-apart/step",
            "r + w <= n: apart0(k) -> apart0(k + 1)",
            z3.And(k >= 0, r + w <= n),
            (apart(k), apart(k + 1) == z3.And(apart(k), z3.Not(z3.And(in_read, in_write)))),
            apart(k + 1),
        ),
    )
    sizes_at_n = z3.And(
        z3.substitute(read_size, (k, n)) == r, z3.substitute(write_size, (k, n)) == w
    )
    conclusions = (
        Goal(
            "disjoint/conclusion",
            "r + w <= n: the first r and the last w replicas (apart by the lemma) have sizes r, w",
            z3.And(_quorum_sizes(n, r, w), r + w <= n),
            (),
            sizes_at_n,
        ),
        Goal(
            "write-write-disjoint/conclusion",
            "2w <= n: the first w and the last w replicas (apart by the lemma) have size w",
            z3.And(_quorum_sizes(n, w, w), 2 * w <= n),
            (),
            z3.substitute(sizes_at_n, (r, w)),
        ),
    )
    return counts + separate + conclusions


def goals() -> dict[str, Goal]:
    """Every obligation of both theorems, by name, before Z3 sees it."""
    return {goal.name: goal for goal in _overlap_goals() + _disjoint_goals()}


def _verdict(claim: str, explanation: str, obligations: tuple[Obligation, ...]) -> Result:
    """Proved only if every obligation came back unsat; anything else is unknown."""
    for obligation in obligations:
        if obligation.z3_result == "unknown":
            return Unknown(
                claim,
                f"{obligation.name}: Z3 answered unknown "
                f"({obligation.reason or 'no reason given'})",
                obligations,
            )
        if obligation.z3_result != "unsat":
            # A failed step shows the induction was too weak, not that the claim is false.
            return Unknown(
                claim,
                f"{obligation.name}: not discharged, Z3 found a model of its negation",
                obligations,
            )
    return Proved(claim, obligations, explanation)


def prove_parametric(timeout_ms: int | None = None) -> tuple[Result, Result]:
    """Prove, for every n, the read/write theorem and the write/write corollary.

    Returns (read/write result, write/write result), each with the obligations it
    rests on, shared lemmas included.
    """
    done = {name: goal.discharge(timeout_ms) for name, goal in goals().items()}
    lemma = (done["overlap-lemma/base"], done["overlap-lemma/step"])
    construction = tuple(
        done[name]
        for name in (
            "first-r-count/base",
            "first-r-count/step",
            "last-w-count/base",
            "last-w-count/step",
            "first-r-last-w-apart/base",
            "first-r-last-w-apart/step",
        )
    )
    read_write = _verdict(
        "for all n >= 1 and 1 <= r, w <= n: every r-set and w-set of n replicas intersect "
        "iff r + w > n",
        "a read of r replicas always meets the last write's w replicas exactly when r + w > n",
        (*lemma, done["overlap/conclusion"], *construction, done["disjoint/conclusion"]),
    )
    write_write = _verdict(
        "for all n >= 1 and 1 <= w <= n: every two w-sets of n replicas intersect iff 2w > n",
        "two concurrent conflicting writes cannot both succeed on disjoint replica sets "
        "exactly when 2w > n",
        (
            *lemma,
            done["write-write-overlap/conclusion"],
            *construction,
            done["write-write-disjoint/conclusion"],
        ),
    )
    return read_write, write_write

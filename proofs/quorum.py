"""Concrete quorum configurations: does every read quorum meet every write quorum?

A direct finite encoding, independent of the parametric proof so that each checks
the other: replica i is in a quorum when its 0/1 variable is 1, a quorum's size is
the sum of its variables (a pseudo-boolean cardinality constraint), and Z3 looks for
two disjoint quorums. `unsat` proves overlap; a model is a counterexample, which is
re-checked in plain Python before it is reported.

    >>> prove_overlap(5, 3, 3).verdict
    'proved'
    >>> sorted(prove_overlap(5, 2, 3).witness)
    ['n', 'read', 'write']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import z3

from leaderless.proofs.result import (
    Inconsistent,
    InvalidInput,
    Obligation,
    Proved,
    Refuted,
    Result,
    Unknown,
)
from leaderless.proofs.solve import arithmetic_solver, check, frame

# Past this n the 4n constraints take gigabytes and minutes to build and solve
# (n = 4096: about 1 GB and 17 s for both checks on one core); a larger n is refused
# or answered unknown rather than left to exhaust memory.
LARGEST_N = 4096


def validate(n: int, r: int, w: int) -> None:
    """Raise InvalidInput naming the first parameter out of range."""
    if n < 1:
        raise InvalidInput(f"n = {n} is out of range: a configuration needs n >= 1 replicas")
    for name, value in (("r", r), ("w", w)):
        if not 1 <= value <= n:
            raise InvalidInput(
                f"{name} = {value} is out of range: it must be in 1..{n} for n = {n}"
            )


@dataclass(frozen=True)
class QuorumSpace:
    """Two disjoint 0/1 membership vectors over n replicas, asserted once in a solver.

    Each check adds only the two cardinalities, in a frame of its own, so one space
    serves every (r, w) of its n without rebuilding the 4n constraints.
    """

    n: int
    solver: z3.Solver
    first: tuple[z3.ArithRef, ...]  # first[i] = 1: replica i is in the first quorum
    second: tuple[z3.ArithRef, ...]  # second[i] = 1: replica i is in the second quorum


def quorum_space(n: int, timeout_ms: int | None = None) -> QuorumSpace:
    """One space for n replicas; InvalidInput for n < 1 or n > LARGEST_N."""
    validate(n, 1, 1)
    if n > LARGEST_N:
        raise InvalidInput(_too_large(n))
    first = tuple(z3.Int(f"a{i}") for i in range(n))
    second = tuple(z3.Int(f"b{i}") for i in range(n))
    solver = arithmetic_solver(timeout_ms)
    solver.add([z3.And(x >= 0, x <= 1) for x in first + second])
    solver.add([x + y <= 1 for x, y in zip(first, second, strict=True)])
    return QuorumSpace(n, solver, first, second)


def _chosen(model: z3.ModelRef, members: Sequence[z3.ArithRef]) -> list[int]:
    return [i for i, x in enumerate(members) if model.eval(x, model_completion=True).as_long()]


def _disjoint_pair_is_valid(
    n: int, first: list[int], size_first: int, second: list[int], size_second: int
) -> bool:
    return (
        len(set(first)) == size_first
        and len(set(second)) == size_second
        and all(0 <= i < n for i in first + second)
        and not set(first) & set(second)
    )


def _search_disjoint(
    space: QuorumSpace, size_first: int, size_second: int, name: str, statement: str
) -> tuple[Obligation, list[int], list[int]]:
    """Look for disjoint quorums of the given sizes in the space."""
    with frame(space.solver):
        space.solver.add(z3.Sum(space.first) == size_first, z3.Sum(space.second) == size_second)
        obligation, model = check(space.solver, name, statement)
    if model is None:
        return obligation, [], []
    return obligation, _chosen(model, space.first), _chosen(model, space.second)


def _too_large(n: int) -> str:
    return (
        f"n = {n} is more than this finite encoding can hold (the largest is "
        f"{LARGEST_N}); the parametric proof covers every n"
    )


def _space(n: int, timeout_ms: int | None, space: QuorumSpace | None) -> QuorumSpace:
    if space is None:
        return quorum_space(n, timeout_ms)
    if space.n != n:
        raise InvalidInput(f"a quorum space for n = {space.n} cannot check n = {n}")
    return space


def _decide(
    claim: str,
    obligation: Obligation,
    witness: dict[str, object],
    valid: bool,
    proved_text: str,
    refuted_text: str,
) -> Result:
    if obligation.z3_result == "unsat":
        return Proved(claim, (obligation,), proved_text)
    if obligation.z3_result == "unknown":
        return Unknown(
            claim,
            f"{obligation.name}: Z3 answered unknown ({obligation.reason or 'no reason given'})",
            (obligation,),
        )
    if not valid:
        raise Inconsistent(f"{obligation.name}: Z3's model failed the plain-Python check {witness}")
    return Refuted(claim, witness, refuted_text, (obligation,))


def prove_overlap(
    n: int, r: int, w: int, timeout_ms: int | None = None, space: QuorumSpace | None = None
) -> Result:
    """Every r-replica read quorum meets every w-replica write quorum among n replicas?

    Proved when r + w > n, else refuted with two disjoint replica sets (ids 0..n-1);
    unknown for n > LARGEST_N, which the encoding cannot hold.
    Pass `space` (from `quorum_space(n)`) to share one solver across many checks.

        >>> prove_overlap(3, 2, 2).verdict
        'proved'
    """
    validate(n, r, w)
    claim = f"with n={n}, every read quorum of {r} meets every write quorum of {w}"
    if n > LARGEST_N:
        return Unknown(claim, _too_large(n), ())
    obligation, read, write = _search_disjoint(
        _space(n, timeout_ms, space),
        r,
        w,
        f"overlap/n={n},r={r},w={w}",
        f"no {r}-replica read quorum is disjoint from a {w}-replica write quorum",
    )
    return _decide(
        claim,
        obligation,
        {"n": n, "read": read, "write": write},
        _disjoint_pair_is_valid(n, read, r, write, w),
        f"every read of {r} of the {n} replicas reaches at least one replica "
        "that acknowledged the last completed write",
        f"a read from replicas {read} misses a write acknowledged only by {write}: "
        f"raise r or w until r + w > {n}",
    )


def prove_write_overlap(
    n: int, w: int, timeout_ms: int | None = None, space: QuorumSpace | None = None
) -> Result:
    """Every two w-replica write quorums among n replicas meet? Proved iff 2w > n."""
    validate(n, 1, w)
    claim = f"with n={n}, every two write quorums of {w} intersect"
    if n > LARGEST_N:
        return Unknown(claim, _too_large(n), ())
    obligation, first, second = _search_disjoint(
        _space(n, timeout_ms, space),
        w,
        w,
        f"write-write-overlap/n={n},w={w}",
        f"no two {w}-replica write quorums are disjoint",
    )
    return _decide(
        claim,
        obligation,
        {"n": n, "write": first, "other_write": second},
        _disjoint_pair_is_valid(n, first, w, second, w),
        "two concurrent conflicting writes cannot both succeed on disjoint replicas",
        f"concurrent writes acknowledged by {first} and by {second} both succeed "
        f"without seeing each other: raise w until 2w > {n}",
    )

"""The one place that talks to a Z3 solver: frames, timeouts and the three answers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import z3

from proofs.result import Obligation


def arithmetic_solver(timeout_ms: int | None) -> z3.Solver:
    """A solver for 0/1 integer encodings of finite sets.

    Z3's default QF_LIA strategy bit-blasts 0/1 integers into pseudo-boolean
    constraints, where quorum intersection becomes a pigeonhole problem that takes
    minutes at n = 32; the plain SMT core refutes it at once from the linear relaxation.
    """
    solver = z3.Tactic("smt").solver()
    _limit(solver, timeout_ms)
    return solver


def logic_solver(timeout_ms: int | None) -> z3.Solver:
    """A general solver, for the symbolic (quantifier-free UF + arithmetic) obligations."""
    solver = z3.Solver()
    _limit(solver, timeout_ms)
    return solver


def _limit(solver: z3.Solver, timeout_ms: int | None) -> None:
    if timeout_ms is not None:
        solver.set("timeout", timeout_ms)


@contextmanager
def frame(solver: z3.Solver) -> Iterator[z3.Solver]:
    """Assertions added inside the block are retracted when it ends, even on error."""
    solver.push()
    try:
        yield solver
    finally:
        solver.pop()


def interruptible_check(solver: z3.Solver, timed: bool = True) -> z3.CheckSatResult:
    """`solver.check()`, but Ctrl-C raises KeyboardInterrupt.

    Z3 catches SIGINT itself during a check and answers `unknown`; left at that, a
    Ctrl-C would read as one undecided obligation and the work would carry on. Z3
    words it "interrupted from keyboard" or, depending on where the signal lands,
    "canceled", which a timeout can also give: pass `timed=False` for a solver
    without a timeout, so that "canceled" can only be Ctrl-C.
    """
    answer = solver.check()
    if answer == z3.unknown:
        reason = solver.reason_unknown()
        if reason == "interrupted from keyboard" or (reason == "canceled" and not timed):
            raise KeyboardInterrupt
    return answer


def check(solver: z3.Solver, name: str, statement: str) -> tuple[Obligation, z3.ModelRef | None]:
    """Run one check; return the obligation record and, when `sat`, the model."""
    started = time.perf_counter()
    answer = interruptible_check(solver)
    seconds = time.perf_counter() - started
    model = solver.model() if answer == z3.sat else None
    reason = solver.reason_unknown() if answer == z3.unknown else ""
    return Obligation(name, statement, str(answer), seconds, reason), model


def refute(name: str, statement: str, negation: z3.BoolRef, timeout_ms: int | None) -> Obligation:
    """Discharge `statement` by checking that `negation` (its negation) is unsatisfiable."""
    solver = logic_solver(timeout_ms)
    solver.add(negation)
    obligation, _ = check(solver, name, statement)
    return obligation

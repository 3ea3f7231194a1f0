"""The one place that talks to a Z3 solver: frames, timeouts and the three answers."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import z3

from proofs.result import InvalidInput, Obligation

# Z3 keeps its timeout in an unsigned 32-bit integer: a larger value would wrap around.
MAX_TIMEOUT_MS = 2**32 - 1


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


def check_timeout(timeout_ms: int | None) -> None:
    """Raise InvalidInput unless `timeout_ms` is None (no limit) or 1..MAX_TIMEOUT_MS."""
    if timeout_ms is not None and not 1 <= timeout_ms <= MAX_TIMEOUT_MS:
        raise InvalidInput(f"timeout_ms = {timeout_ms} is out of range: allowed 1..{MAX_TIMEOUT_MS}")


def _limit(solver: z3.Solver, timeout_ms: int | None) -> None:
    check_timeout(timeout_ms)
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


_Z3_PACKAGE = os.path.dirname(z3.__file__) + os.sep


def _unsafe_to_interrupt(frame: FrameType | None) -> bool:
    """True inside Z3's Python bindings or any finalizer. A KeyboardInterrupt raised
    there is lost: in `__del__` Python prints "Exception ignored in ..." and drops it
    (the search runs on), and in a ctypes `from_param` it becomes ctypes.ArgumentError."""
    if frame is not None and frame.f_code.co_filename.startswith(_Z3_PACKAGE):
        return True
    while frame is not None:
        if frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False


def _deferring_handler(signum: int, frame: FrameType | None) -> None:
    if _unsafe_to_interrupt(frame):
        # Ask again: Python runs this handler anew at its next check for signals,
        # a few bytecodes on, by which time the finalizer or binding has returned.
        signal.raise_signal(signum)
        return
    raise KeyboardInterrupt


@contextmanager
def ctrl_c_outside_z3() -> Iterator[None]:
    """Within the block, Ctrl-C raises KeyboardInterrupt only in code outside Z3's
    bindings and outside finalizers, so that it reaches the caller (during a solver
    check Z3 takes the signal itself, see `interruptible_check`). A no-op off the
    main thread, where Python does not deliver signals."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, _deferring_handler)
    try:
        yield
    finally:
        # None: a handler set outside Python, which cannot be put back; Python's own
        # default is the nearest.
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None
                      else previous)


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

"""The one place that talks to a Z3 solver: frames, timeouts and the three answers."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import z3

from leaderless.checker.explorer import describe_bytes, memory_in_use
from leaderless.proofs.result import InvalidInput, Obligation

# Z3 keeps its timeout in an unsigned 32-bit integer: a larger value would wrap around.
MAX_TIMEOUT_MS = 2**32 - 1

CTRL_C = "interrupted (Ctrl-C)"


class LimitReached(KeyboardInterrupt):
    """A time or memory limit stopped the work. It is delivered the way Ctrl-C is (at the
    same safe points, cutting a solver check short), so everything that keeps what it
    found on Ctrl-C keeps it on a limit too; its text names the limit."""


def stop_reason(stop: KeyboardInterrupt) -> str:
    """What stopped the work, in words: the limit reached, or Ctrl-C."""
    return str(stop) if isinstance(stop, LimitReached) else CTRL_C


def stop_for(reason: str) -> KeyboardInterrupt:
    """The exception that carries `reason` on (the inverse of `stop_reason`)."""
    return KeyboardInterrupt() if reason == CTRL_C else LimitReached(reason)


_active: _CtrlC | None = None  # the handler in force, so a cut check raises its reason
_checking: z3.Solver | None = None  # the solver whose check is running, to interrupt it


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
        raise InvalidInput(
            f"timeout_ms = {timeout_ms} is out of range: allowed 1..{MAX_TIMEOUT_MS}"
        )


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
    global _checking
    _checking = solver
    try:
        answer = solver.check()
    finally:
        _checking = None
    if answer == z3.unknown:
        reason = solver.reason_unknown()
        if reason == "interrupted from keyboard" or (reason == "canceled" and not timed):
            raise _active.stop() if _active is not None else KeyboardInterrupt()
    return answer


_Z3_PACKAGE = os.path.dirname(z3.__file__) + os.sep


def _in_bindings(frame: FrameType) -> bool:
    return (
        frame.f_code.co_filename.startswith(_Z3_PACKAGE) or frame.f_code.co_name == "from_param"
    )  # a ctypes argument converter


def _safe_frame(frame: FrameType | None) -> FrameType | None:
    """The innermost frame where KeyboardInterrupt may be raised: outside Z3's Python
    bindings (an exception between creating a Z3 object and counting its reference
    corrupts Z3's reference counts) and ctypes converters (where it turns into
    ctypes.ArgumentError), and not called from a finalizer (in `__del__` Python prints
    "Exception ignored in ..." and drops it, and the work runs on)."""
    stack = []
    while frame is not None:
        stack.append(frame)
        frame = frame.f_back
    finalizers = [i for i, f in enumerate(stack) if f.f_code.co_name == "__del__"]
    below = stack[finalizers[-1] + 1 :] if finalizers else stack
    return next((f for f in below if not _in_bindings(f)), None)


class _CtrlC:
    """Ctrl-C raised at the first safe point: at once when the signal lands in safe
    code, else at the next line run in the innermost safe frame (a trace function on
    that frame). Z3 is told not to catch SIGINT itself, since it may swallow one that
    lands as a check ends; instead a thread woken by the signal interrupts any check
    in progress, and the handler raises when it returns."""

    def __init__(self) -> None:
        self.target: FrameType | None = None
        self.previous_trace = sys.gettrace()
        self.limit: str | None = None  # set by the watchdog before it sends its SIGINT
        self.delivered = False  # the main thread has raised for the last SIGINT

    def stop(self) -> KeyboardInterrupt:
        self.delivered = True
        return LimitReached(self.limit) if self.limit is not None else KeyboardInterrupt()

    def handler(self, signum: int, frame: FrameType | None) -> None:
        self.delivered = False
        target = _safe_frame(frame)
        if target is frame:
            self.disarm()
            raise self.stop()
        if target is not None and self.target is None:
            self.target = target
            target.f_trace, target.f_trace_lines = self.trace, True
            sys.settrace(self._no_new_frames)

    @staticmethod
    def _no_new_frames(frame: FrameType, event: str, arg: object) -> None:
        return None  # only the target frame is traced

    def trace(self, frame: FrameType, event: str, arg: Any) -> Any:
        if frame is not self.target:
            return None
        if event == "exception" and issubclass(arg[0], KeyboardInterrupt):
            self.delivered = True
            self.disarm()  # one is on its way already (raised after a check was cut)
            return None
        if event == "line":
            self.disarm()
            raise self.stop()
        if event == "return":
            # Leaving without another line: the caller is safe too (it called safe code).
            caller = frame.f_back
            self.target = caller
            if caller is not None:
                caller.f_trace, caller.f_trace_lines = self.trace, True
        return self.trace

    def disarm(self) -> None:
        if self.target is not None:
            self.target.f_trace = None
            self.target = None
            sys.settrace(self.previous_trace)


def _interrupt_checks_on_sigint(wakeup: int, ctrl_c: _CtrlC, done: threading.Event) -> None:
    """Read the signal numbers Python writes to `wakeup`; on SIGINT cut short the
    solver check in progress (Z3 answers unknown). The solver, not the context, is
    interrupted: a context interrupted while idle stays canceled for good, and the
    process may go on using Z3 after a limit. A solver ignores an interrupt that comes
    before its check starts, so the check that may start just after the signal is cut
    too: until the main thread has raised, or the block is over."""
    while received := os.read(wakeup, 64):
        if signal.SIGINT not in received:
            continue
        while not ctrl_c.delivered and not done.is_set():
            solver = _checking
            if solver is not None:
                solver.interrupt()
            time.sleep(0.02)


def _watch_limits(
    ctrl_c: _CtrlC,
    done: threading.Event,
    deadline: float | None,
    max_seconds: float | None,
    max_memory: int | None,
) -> None:
    """Poll the clock and the resident memory; at a limit, stop the main thread as
    Ctrl-C would (a solver check cannot be cut short from Python any other way)."""
    while not done.wait(0.1):
        if deadline is not None and time.monotonic() >= deadline:
            ctrl_c.limit = f"--max-seconds {max_seconds:g} reached"
        elif max_memory is not None and memory_in_use() >= max_memory:
            ctrl_c.limit = f"--max-memory {describe_bytes(max_memory)} reached"
        else:
            continue
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
        return


@contextmanager
def ctrl_c_outside_z3(
    max_seconds: float | None = None, max_memory: int | None = None
) -> Iterator[None]:
    """Within the block, Ctrl-C raises KeyboardInterrupt only where it is safe to (see
    `_safe_frame`), so that it reaches the caller intact, and cuts short a solver check
    in progress. Past `max_seconds` or once the process holds `max_memory` bytes, the
    same happens with LimitReached. A no-op off the main thread, where Python does not
    deliver signals."""
    global _active
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    ctrl_c = _CtrlC()
    wakeup, notify = os.pipe()
    os.set_blocking(notify, False)
    done = threading.Event()
    watcher = threading.Thread(
        target=_interrupt_checks_on_sigint, args=(wakeup, ctrl_c, done), daemon=True
    )
    watcher.start()
    watchdog = None
    if max_seconds is not None or max_memory is not None:
        deadline = time.monotonic() + max_seconds if max_seconds is not None else None
        watchdog = threading.Thread(
            target=_watch_limits,
            daemon=True,
            args=(ctrl_c, done, deadline, max_seconds, max_memory),
        )
        watchdog.start()
    previous = signal.signal(signal.SIGINT, ctrl_c.handler)
    previous_wakeup = signal.set_wakeup_fd(notify, warn_on_full_buffer=False)
    z3.set_param("ctrl_c", False)
    _active = ctrl_c
    try:
        yield
    finally:
        _active = None
        done.set()
        if watchdog is not None:
            watchdog.join()
        z3.set_param("ctrl_c", True)
        signal.set_wakeup_fd(previous_wakeup)
        ctrl_c.disarm()
        # None: a handler set outside Python, which cannot be put back; Python's own
        # default is the nearest.
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)
        os.close(notify)  # the watcher reads the end of the pipe and stops
        watcher.join()
        os.close(wakeup)


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

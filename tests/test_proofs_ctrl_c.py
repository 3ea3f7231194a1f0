"""Ctrl-C on the Z3 subcommands, as a user presses it: a real SIGINT to a real process.

Z3's Python bindings and its objects' finalizers run most of the time while formulas
are built; a KeyboardInterrupt raised there used to surface as "Exception ignored in
<function AstRef.__del__>" (and the run went on) or as ctypes.ArgumentError (exit 4).
Each run below is stopped while it builds or solves, and must end at once with exit 3
and no such noise.
"""

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from leaderless.proofs.solve import ctrl_c_outside_z3

BUSY = {
    # n = 40: minutes of formula building in Z3's bindings, depth after depth
    "bmc": ["bmc", "--n", "40", "--w", "1", "--r", "1", "--depth", "30"],
    # about 2 s to build 4n constraints, then seconds inside the solver
    "prove": ["prove", "quorum", "--n", "4096", "--r", "2048", "--w", "2049"],
}


def _interrupt(argv: list[str], after: float) -> tuple[int, str, float]:
    process = subprocess.Popen(
        [sys.executable, "-m", "leaderless.checker", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    # Wait until the command has started its work, so that the signal lands in it.
    first = process.stderr.readline() if argv[0] == "bmc" else ""
    time.sleep(after)
    process.send_signal(signal.SIGINT)
    sent = time.monotonic()
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    return process.returncode, first + err, time.monotonic() - sent


@pytest.mark.parametrize("command,after", [("bmc", 0.5), ("bmc", 1.5), ("prove", 1.0)])
def test_ctrl_c_stops_at_once_with_exit_3_and_no_noise(command, after):
    code, err, waited = _interrupt(BUSY[command], after)
    assert code == 3, err
    assert "Exception ignored" not in err and "Traceback" not in err, err
    assert "ArgumentError" not in err and "internal error" not in err, err
    assert "interrupted" in err
    assert waited < 10  # prompt, not the rest of the run


class _Finalized:
    def __del__(self):
        signal.raise_signal(signal.SIGINT)  # Ctrl-C lands while a finalizer runs


class _Converted(ctypes.c_void_p):
    def from_param(obj):
        signal.raise_signal(signal.SIGINT)  # Ctrl-C lands while ctypes converts
        return obj


def test_ctrl_c_in_a_finalizer_is_raised_after_it_not_lost(monkeypatch):
    ignored = []
    monkeypatch.setattr(sys, "unraisablehook", ignored.append)
    with pytest.raises(KeyboardInterrupt), ctrl_c_outside_z3():
        _Finalized()  # collected at once
        for _ in range(1000):
            pass
    assert ignored == []


def test_ctrl_c_in_a_ctypes_converter_is_not_an_argument_error():
    to_int = ctypes.pythonapi.PyLong_FromVoidPtr
    to_int.argtypes, to_int.restype = [_Converted], ctypes.py_object
    with pytest.raises(KeyboardInterrupt), ctrl_c_outside_z3():
        to_int(_Converted(12345))


def test_the_previous_handler_is_back_afterwards():
    before = signal.getsignal(signal.SIGINT)
    with ctrl_c_outside_z3():
        assert signal.getsignal(signal.SIGINT) is not before
    assert signal.getsignal(signal.SIGINT) is before


def test_ctrl_c_cuts_a_long_solver_check_short():
    import z3

    from leaderless.proofs.solve import interruptible_check

    solver = z3.Solver()
    holes = [[z3.Bool(f"p{i}_{j}") for j in range(12)] for i in range(13)]  # pigeonhole 13 -> 12
    for row in holes:
        solver.add(z3.Or(row))
    for j in range(12):
        for i in range(13):
            for k in range(i + 1, 13):
                solver.add(z3.Or(z3.Not(holes[i][j]), z3.Not(holes[k][j])))
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt), ctrl_c_outside_z3():
        timer.start()
        interruptible_check(solver, timed=False)  # minutes if left to finish
    assert time.monotonic() - started < 5

"""`leaderless search` under its limits: Ctrl-C (a real SIGINT to a real process) and
--max-seconds stop it promptly, keep the counterexample already found (reported as not
fully shortened), and leave no noise on stderr."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from leaderless.checker import cli

# Found within a few runs, then Hypothesis shrinks it for many seconds.
SHRINKS_LONG = [
    "--n",
    "5",
    "--w",
    "3",
    "--r",
    "3",
    "--clients",
    "ww,ww,ww,rr",
    "--drift",
    "2",
    "--require",
    "lww-order",
    "--shrink-seconds",
    "60",
]
# r + w > n, exact clocks: nothing to find, however long it searches.
NOTHING_TO_FIND = [
    "--n",
    "3",
    "--w",
    "2",
    "--r",
    "2",
    "--clients",
    "w,w,r",
    "--require",
    "stale-read,lww-order",
    "--examples",
    "1000000",
]


def _interrupt_when(argv: list[str], line_has: str) -> tuple[int, str, str, float]:
    """Run a search, press Ctrl-C once a progress line contains `line_has`; its exit
    code, stdout, stderr and the seconds it took to stop after the press."""
    process = subprocess.Popen(
        [sys.executable, "-m", "leaderless.checker", "search", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    progress = []
    for line in process.stderr:
        progress.append(line)
        if line_has in line:
            break
    pressed = time.monotonic()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    return process.returncode, out, "".join(progress) + err, time.monotonic() - pressed


def test_ctrl_c_while_shrinking_keeps_the_counterexample() -> None:
    code, out, err, seconds = _interrupt_when(SHRINKS_LONG, "shrinking")
    assert code == cli.EXIT_VIOLATED
    assert "VIOLATED (run" in out and "not fully shortened" in out
    assert "Counterexample to lww-order" in out and "=> lww-order violated" in out
    assert "interrupted (Ctrl-C): the search stopped early" in out
    assert "Exception ignored" not in err and "Traceback" not in err
    assert seconds < 10


def test_ctrl_c_while_searching_is_inconclusive_and_stops_everything() -> None:
    code, out, err, seconds = _interrupt_when(NOTHING_TO_FIND, "stale-read: searching")
    assert code == cli.EXIT_INCONCLUSIVE
    assert "none found in" in out and "(interrupted (Ctrl-C))" in out
    assert "not searched (interrupted (Ctrl-C))" in out  # lww-order, after stale-read
    assert "Exception ignored" not in err and "Traceback" not in err
    assert seconds < 10


@pytest.fixture
def leaderless(capsys: pytest.CaptureFixture[str]):
    def run(*argv: str) -> tuple[int, str, str]:
        code = cli.main(["search", "--quiet", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_max_seconds_bounds_a_search_that_finds_nothing(leaderless) -> None:
    started = time.monotonic()
    code, out, _ = leaderless(*NOTHING_TO_FIND, "--max-seconds", "1")
    assert code == cli.EXIT_INCONCLUSIVE
    assert "(--max-seconds 1 reached)" in out and "not searched (--max-seconds 1 reached)" in out
    assert time.monotonic() - started < 10


def test_max_seconds_while_shrinking_keeps_the_counterexample(leaderless) -> None:
    code, out, _ = leaderless(*SHRINKS_LONG, "--max-seconds", "4")
    assert code == cli.EXIT_VIOLATED
    assert "not fully shortened" in out and "=> lww-order violated" in out


def test_the_shrink_budget_leaves_a_fully_shortened_trace(leaderless) -> None:
    code, out, _ = leaderless(*SHRINKS_LONG[:-2], "--shrink-seconds", "0.5", "--json")
    assert code == cli.EXIT_VIOLATED
    assert '"shortened": true' in out and '"stopped_by": null' in out

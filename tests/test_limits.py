"""Limits as a user meets them, in real subprocesses bounded by a timeout: the search
stops on time and on memory whatever one state costs, says why, and exits 3."""

import subprocess
import sys

import pytest

from leaderless.checker.explorer import INCONCLUSIVE, explore, memory_in_use
from leaderless.model import Config, ReplicationModel

LEADERLESS = [sys.executable, "-m", "leaderless.checker"]


def _check(*argv: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*LEADERLESS, "check", *argv], capture_output=True, text=True, timeout=timeout, check=False
    )


def test_a_wide_clock_window_stops_on_time_with_progress_lines():
    # One invoke has 200,001 next states: they are generated one at a time, so the
    # deadline is looked at between two of them, and the frontier is what fills memory.
    result = _check("--drift", "100000", "--clients", "w,w", "--max-seconds", "2.5")
    assert result.returncode == 3, result.stderr
    assert "inconclusive: --max-seconds 2.5 reached after" in result.stdout
    progress = [line for line in result.stderr.splitlines() if "states/s" in line]
    assert len(progress) >= 2


def test_costly_states_stop_on_time():
    # n = 1000: a step costs about a millisecond, an expansion about a second.
    result = _check("--n", "1000", "--max-seconds", "1", "--quiet")
    assert result.returncode == 3, result.stderr
    assert "INCOMPLETE: --max-seconds 1 reached" in result.stdout


def test_a_memory_ceiling_stops_the_search_as_inconclusive():
    result = _check("--clients", "w,w", "--drift", "100000000", "--max-memory", "1M", "--quiet")
    assert result.returncode == 3, result.stderr
    assert "inconclusive: --max-memory 1 MiB reached after" in result.stdout


def test_a_closed_stdout_keeps_the_verdicts_exit_code():
    # `leaderless check | head -1`: the reader leaves after one line, the verdict stays 1.
    with subprocess.Popen(
        [*LEADERLESS, "check", "--quiet", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout.readline().startswith("{")
        child.stdout.close()
        _, err = child.communicate(timeout=60)
    assert child.returncode == 1, err
    assert err == ""


def test_memory_in_use_is_the_resident_set():
    before = memory_in_use()
    block = bytearray(64 * 2**20)
    block[::4096] = b"x" * len(block[::4096])  # touch every page
    assert memory_in_use() - before >= 60 * 2**20
    del block


class _Greedy:
    """One property that always holds and a successor function that runs out of memory."""

    class _Prop:
        id, meaning = "p", "holds"

    properties = (_Prop(),)
    applicable = 1

    def initial_states(self):
        return [0]

    def successors(self, state):
        if state >= 3:
            raise MemoryError
        return [("inc", state + 1)]

    def violations(self, state, wanted):
        return 0

    def canonical_key(self, state):
        return state


def test_running_out_of_memory_is_inconclusive_never_holds():
    result = explore(_Greedy(), symmetry=False)
    assert not result.complete and "out of memory" in result.stopped_by
    assert result.verdict("p").status == INCONCLUSIVE


@pytest.mark.parametrize("ceiling", [1, 2**20])
def test_the_explorer_stops_at_a_memory_ceiling(ceiling):
    result = explore(ReplicationModel(Config()), max_memory=ceiling)
    assert result.stopped_by.startswith("--max-memory") and not result.complete
    assert all(v.status != "holds" for v in result.verdicts)


def test_a_gate_scenario_with_a_huge_clock_window_stops_on_time(tmp_path):
    gate = tmp_path / "leaderless.toml"
    gate.write_text(
        '[[scenario]]\nname = "wide"\nclients = "w,w"\ndrift = 100000000\n'
        'max_seconds = 1\nrequire = ["lww-order"]\n'
    )
    result = subprocess.run(
        [*LEADERLESS, "gate", str(gate), "--quiet"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 3, result.stderr
    assert "1 inconclusive" in result.stdout


def test_a_closed_stderr_stops_progress_lines_not_the_search():
    # `leaderless check 2>&1 | head -1` on a long run: the first progress line closes the
    # pipe, later ones must not turn the verdict into an internal error.
    with subprocess.Popen(
        [*LEADERLESS, "check", "--drift", "100000", "--clients", "w,w", "--max-seconds", "2.5"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        assert "states/s" in child.stderr.readline()
        child.stderr.close()
        child.wait(timeout=60)
    assert child.returncode == 3


def test_progress_printer_goes_quiet_when_its_stream_breaks():
    from leaderless.checker.commands.progress import ProgressPrinter
    from leaderless.checker.explorer import Progress

    class Broken:
        writes = 0

        def isatty(self):
            return False

        def write(self, text):
            Broken.writes += 1
            raise BrokenPipeError

        def flush(self):
            pass

    printer = ProgressPrinter(Broken())
    for _ in range(3):
        printer(Progress(1, 1, 1, 1, 1.0))
    printer.done()
    assert Broken.writes == 1

    from leaderless.checker.commands.search import SearchProgressPrinter
    from leaderless.model.search import SearchProgress

    Broken.writes = 0
    searching = SearchProgressPrinter(Broken())
    for _ in range(3):
        searching(SearchProgress("stale-read", 1, 1, 1.0, "searching"))
    searching.done()
    assert Broken.writes == 1

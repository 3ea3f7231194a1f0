"""The explorer on several cores, and its compact memory.

Whatever the number of workers, a search gives the same states, transitions, depth,
verdicts, reasons, situations and traces as one process (which tests/test_model_pins.py
pins), also when a limit stops it; the fingerprint table never loses a fingerprint.
`parallel_from=1` hands every level to the workers, however small.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import test_model_pins
from leaderless.checker import explorer
from leaderless.checker.explorer import INTERRUPTED, explore
from leaderless.checker.visited import FingerprintTable, Frontier, ParentLevels
from leaderless.model import Config, ReplicationModel
from support import outcome

LEADERLESS = [sys.executable, "-m", "leaderless.checker"]


def test_the_table_keeps_the_first_occurrence_of_what_is_new():
    table = FingerprintTable()
    assert table.add(np.array([5, 0, 5, 7, 0], dtype=np.uint64)).tolist() == [0, 1, 3]
    assert table.add(np.array([7, 8, 0, 9, 8], dtype=np.uint64)).tolist() == [1, 3]
    assert table.count == 5
    asked = np.array([0, 5, 7, 8, 9, 1, 2**60 - 1], dtype=np.uint64)
    assert table.contains(asked).tolist() == [True] * 5 + [False] * 2


def test_the_table_grows_without_losing_a_fingerprint():
    rng = np.random.default_rng(7)
    table = FingerprintTable(small=0)  # the shards from the start: they grow here
    every = rng.integers(0, 2**60, size=200_000, dtype=np.uint64)
    added = 0
    for batch in np.array_split(every, 37):
        added += len(table.add(batch))
        assert table.count <= 0.75 * table.capacity
    assert added == len(np.unique(every)) == table.count
    assert table.contains(every).all()
    assert not table.contains(every + np.uint64(2**60)).any()  # never a false positive
    # A batch all of one home slot (small ints, linear probing runs) still resolves.
    assert len(table.add(np.arange(1000, dtype=np.uint64) << np.uint64(50))) == 1000


def test_a_shared_table_is_read_by_another_process(tmp_path):
    table = FingerprintTable()
    table.add(np.array([3, 4], dtype=np.uint64))
    table.share(str(tmp_path))
    table.add(np.arange(10, 2000, dtype=np.uint64))  # grows into a new file
    slots = FingerprintTable.attach(table.path)
    from leaderless.checker.visited import contains

    assert contains(slots, np.array([3, 4, 1999, 2000], dtype=np.uint64)).tolist() == [
        True,
        True,
        True,
        False,
    ]
    table.close()
    assert not os.listdir(tmp_path)


def test_parents_spilled_to_disk_read_back_as_in_memory():
    parents = ParentLevels(budget=64)
    parents.add_level(np.array([9, 4], dtype=np.uint64), np.zeros(2, dtype=np.uint64))
    parents.add_level(np.array([30, 10, 20], dtype=np.uint64), np.array([4, 9, 9], np.uint64))
    parents.add_level(np.array([7], dtype=np.uint64), np.array([20], dtype=np.uint64))
    assert parents.nbytes <= 64 and len(parents) == 6
    parents.start_at(2)
    assert [parents[7], parents[20], parents[9]] == [20, 9, None]
    assert parents[30] == 4 and parents[4] is None
    with pytest.raises(KeyError):
        parents[5]
    parents.close()


def test_a_frontier_past_its_budget_goes_to_disk_and_comes_back_in_order():
    frontier = Frontier(budget=5, chunk=3)
    for start in range(0, 20, 4):
        frontier.extend([(i, "state") for i in range(start, start + 4)])
    assert len(frontier) == 20 and frontier.spilled
    assert [i for i, _ in frontier.drain()] == list(range(20))
    assert len(frontier) == 0 and not frontier.spilled


def test_a_search_whose_levels_go_to_disk_finds_the_same(monkeypatch):
    config = Config(n=3, w=2, r=2, clients=("w", "r"))
    in_memory = _run(config, 1, symmetry=False)
    monkeypatch.setattr(explorer, "Frontier", functools.partial(Frontier, budget=50, chunk=16))
    monkeypatch.setattr(explorer, "ParentLevels", functools.partial(ParentLevels, budget=256))
    assert _run(config, 1, symmetry=False) == in_memory


def _run(config: Config, workers: int, **options) -> tuple:
    """Everything a search reports, traces as their labels and states."""
    return outcome(explore(ReplicationModel(config), workers=workers, parallel_from=1, **options))


FAMILIES = [
    Config(n=3, w=2, r=2, clients=("w", "r")),
    Config(n=3, w=1, r=1, clients=("w", "r"), max_drops=1, timeouts=True),
    Config(n=2, w=1, r=1, clients=("w", "r"), max_crashes=1, anti_entropy=True, drift=1),
    Config(n=2, w=1, r=2, clients=("w", "rr"), read_repair="blocking", max_drops=1),
    Config(n=2, w=1, r=1, clients=("w", "w"), resolution="arrival", timeouts=True),
    Config(n=2, w=1, r=1, clients=("wd", "r"), gc_grace=0),
    Config(n=3, w=2, r=2, clients=("w", "r"), datacenters=(("dc1", 2), ("dc2", 1))),
    Config(n=2, w=2, r=2, clients=("w", "r"), max_partitions=1),
    Config(n=2, w=2, r=1, clients=("w", "r"), hinted_handoff="sloppy", stand_ins=1),
]


@pytest.mark.parametrize("symmetry", [False, True])
@pytest.mark.parametrize("config", FAMILIES, ids=lambda c: c.describe())
def test_every_number_of_workers_finds_the_same(config, symmetry):
    one = _run(config, 1, symmetry=symmetry)
    assert one[3] is None and one[0] > 100
    assert _run(config, 2, symmetry=symmetry) == one
    assert _run(config, 3, symmetry=symmetry) == one


@pytest.mark.parametrize("limit", [1, 7, 50, 1000, 2309, 2310])
def test_a_state_limit_cuts_at_the_same_state(limit):
    config = Config()  # 2,310 symmetry classes
    one = _run(config, 1, max_states=limit)
    assert _run(config, 2, max_states=limit) == one
    assert (one[3] is None) == (limit == 2310)


PINNED = [
    {"clients": ("w", "r"), "max_crashes": 2, "n": 3, "r": 2, "w": 2},
    {"clients": ("w", "rr"), "n": 3, "r": 2, "read_repair": "blocking", "w": 2},
    {"anti_entropy": True, "clients": ("w", "w"), "drift": 1, "n": 2, "r": 1, "w": 1},
    {"clients": ("w", "rwr"), "n": 2, "r": 1, "w": 1},
]


@pytest.mark.parametrize("config", PINNED, ids=json.dumps)
def test_the_pinned_outcomes_on_two_workers(config, monkeypatch):
    golden = json.loads(test_model_pins.GOLDEN.read_text())[test_model_pins._key(config)]
    parallel = functools.partial(explore, workers=2, parallel_from=1)
    monkeypatch.setattr(test_model_pins, "explore", parallel)
    assert test_model_pins.outcome(config) == golden


def test_ctrl_c_in_a_worker_keeps_what_was_found():
    model = ReplicationModel(Config(n=3, w=1, r=1, clients=("w", "r")))
    expand = model.successors
    expanded = itertools.count()  # in each worker process

    def successors(state):
        if next(expanded) == 250:  # past depth 6 (stale-read), before the last level
            raise KeyboardInterrupt
        return expand(state)

    model.successors = successors
    result = explore(model, symmetry=False, workers=2, parallel_from=1)
    assert result.stopped_by == INTERRUPTED and 100 < result.states < 694
    assert len(result.verdict("stale-read").trace) == 6
    assert {v.status for v in result.verdicts} <= {"violated", "inconclusive", "n/a"}


def test_time_and_memory_limits_stop_the_workers():
    config = Config(n=3, w=2, r=2, clients=("w", "w", "r"), drift=1)  # millions of states
    started = time.monotonic()
    result = explore(
        ReplicationModel(config), symmetry=False, workers=2, parallel_from=1, max_seconds=1
    )
    assert result.stopped_by == "--max-seconds 1 reached"
    assert time.monotonic() - started < 10  # the limit is looked at every 0.05 s
    result = explore(
        ReplicationModel(config), symmetry=False, workers=2, parallel_from=1, max_memory=2**20
    )
    assert result.stopped_by.startswith("--max-memory") and not result.complete


_SEARCH = """
from leaderless.checker.explorer import explore
from leaderless.model import Config, ReplicationModel
config = Config(n=3, w=2, r=2, clients=("w", "w", "r"), drift=1)
print("searching", flush=True)
result = explore(ReplicationModel(config), symmetry=False, workers=2, parallel_from=1)
print(result.stopped_by, result.states)
"""


def test_ctrl_c_ends_the_workers_and_keeps_the_count():
    process = subprocess.Popen(
        [sys.executable, "-c", _SEARCH],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # the workers too, so that pgrep finds any left behind
    )
    assert process.stdout.readline() == "searching\n"
    time.sleep(1.5)
    process.send_signal(signal.SIGINT)  # to the coordinator alone, as in a shell
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    reason, states = out.rsplit(" ", 1)
    assert reason == INTERRUPTED and int(states) > 1000
    left = subprocess.run(["pgrep", "-s", str(process.pid)], capture_output=True, check=False)
    assert not left.stdout


def test_workers_out_of_range_is_one_line_of_usage():
    result = subprocess.run(
        [*LEADERLESS, "check", "--workers", "0"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "--workers" in result.stderr


def test_a_worker_killed_by_the_kernel_is_out_of_memory_never_a_verdict():
    model = ReplicationModel(Config(n=3, w=1, r=1, clients=("w", "r")))
    expand = model.successors
    expanded = itertools.count()

    def successors(state):
        if next(expanded) == 100:
            os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer would
        return expand(state)

    model.successors = successors
    result = explore(model, symmetry=False, workers=2, parallel_from=1)
    assert result.stopped_by.startswith("out of memory") and not result.complete
    assert "holds" not in {v.status for v in result.verdicts}

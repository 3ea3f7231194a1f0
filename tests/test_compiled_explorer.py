"""The explorer going on with packed states (a `CompiledModel`), and its row frontier.

`PythonRows` is a `CompiledModel` over any Python model: a row is the number of a state
in a list it keeps (an int64, or int16 digits across several fields, so that nothing
here assumes one dtype or width). With it, a search that switches to rows, at the first
level or midway, must report exactly what the Python search reports: states,
transitions, depth, verdicts, reasons, situations and traces, also when a limit cuts
it, whatever the chunks of parents and wherever the rows wait.
"""

from __future__ import annotations

import errno
import time

import numpy as np
import pytest

from leaderless.checker import explorer
from leaderless.checker.explorer import INTERRUPTED, explore, memory_in_use
from leaderless.checker.visited import FingerprintTable, RowFrontier
from leaderless.model import Config, ReplicationModel
from support import outcome

_DIGIT = 15  # bits of an index per int16 field


class PythonRows:
    """A `CompiledModel` that keeps every state it packs or finds in a list; a row holds
    its index (one int64 field, or `digits` int16 fields of 15 bits each). `symmetric`:
    fingerprints of the states' symmetry classes (their canonical keys)."""

    def __init__(self, model, digits: int = 0, symmetric: bool = False) -> None:
        self.model = model
        self.digits = digits
        self.key = model.canonical_key if symmetric else None
        self.states: list = []
        self.numbers: dict = {}
        self.expanded = 0  # rows expanded

    @property
    def width(self) -> int:
        return self.digits or 1

    def _number(self, state) -> int:
        number = self.numbers.get(state)
        if number is None:
            number = self.numbers[state] = len(self.states)
            self.states.append(state)
        return number

    def _rows(self, numbers: list[int]) -> np.ndarray:
        if not self.digits:
            return np.array(numbers, dtype=np.int64).reshape(-1, 1)
        assert all(n < 1 << (_DIGIT * self.digits) for n in numbers)
        fields = [
            [n >> (_DIGIT * d) & ((1 << _DIGIT) - 1) for d in range(self.digits)] for n in numbers
        ]
        return np.array(fields, dtype=np.int16).reshape(-1, self.digits)

    def _unpack(self, rows: np.ndarray) -> list:
        assert rows.ndim == 2 and rows.shape[1] == self.width
        numbers = [sum(int(f) << (_DIGIT * d) for d, f in enumerate(row)) for row in rows]
        return [self.states[n] for n in numbers]

    def pack(self, states):
        return self._rows([self._number(state) for state in states])

    def expand(self, rows):
        found, parents, fingerprints = [], [], []
        for parent, state in enumerate(self._unpack(rows)):
            for _, nxt in self.model.successors(state):
                found.append(self._number(nxt))
                parents.append(parent)
                fingerprints.append(hash(self.key(nxt) if self.key else nxt) & (2**64 - 1))
        self.expanded += len(rows)
        return (
            self._rows(found),
            np.array(parents, dtype=np.int64),
            np.array(fingerprints, dtype=np.uint64),
        )

    def check(self, rows, wanted, unreached):
        states = self._unpack(rows)
        violated = [self.model.violations(s, wanted) if wanted else 0 for s in states]
        reached = [self.model.reached(s, unreached) if unreached else 0 for s in states]
        return np.array(violated, dtype=np.int64), np.array(reached, dtype=np.int64)


# From tests/test_model_pins.py (exact states: 694, 505, 638, 1,794, 2,355, 3,403).
CONFIGS = [
    {"clients": ("w", "r"), "n": 3, "r": 1, "w": 1},
    {"clients": ("w", "r"), "max_drops": 1, "n": 2, "r": 1, "w": 1},
    {"clients": ("w", "r"), "n": 2, "r": 2, "read_repair": "blocking", "timeouts": True, "w": 1},
    {"clients": ("w", "r"), "max_crashes": 1, "n": 2, "r": 2, "timeouts": True, "w": 2},
    {"anti_entropy": True, "clients": ("w", "w"), "drift": 1, "n": 2, "r": 1, "w": 1},
    {"clients": ("w", "rwr"), "n": 2, "r": 1, "w": 1},
]


def _model(config: dict) -> ReplicationModel:
    return ReplicationModel(Config(**config))


def _python(config: dict, **options) -> tuple:
    return outcome(explore(_model(config), symmetry=False, **options))


def _rows(config: dict, digits: int = 0, **options) -> tuple[tuple, PythonRows]:
    model = _model(config)
    rows = PythonRows(model, digits)
    return outcome(explore(model, symmetry=False, compiled=rows, **options)), rows


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: Config(**c).describe())
def test_rows_from_the_first_level_or_midway_find_the_same(config):
    python = _python(config)
    assert python[3] is None and python[0] > 500
    from_the_start, rows = _rows(config, compiled_from=1)
    assert from_the_start == python
    # Every state was expanded as a row, and the first once more before (`Search.agree`).
    assert rows.expanded == python[0] + 1
    midway, rows = _rows(config, digits=2, compiled_from=60)
    assert midway == python
    assert 0 < rows.expanded < python[0]  # the first levels went in Python


@pytest.mark.parametrize("limit", [1, 2, 5, 40, 61, 333, 693, 694, 695])
def test_a_state_limit_cuts_the_rows_at_the_same_state(limit, monkeypatch):
    config = CONFIGS[0]  # 694 states
    python = _python(config, max_states=limit)
    for batch in (1, 7, 1 << 14):  # one parent a chunk, a few, whole levels
        monkeypatch.setattr(explorer, "_MAX_BATCH", batch)
        assert _rows(config, compiled_from=1, max_states=limit)[0] == python
        assert _rows(config, digits=3, compiled_from=30, max_states=limit)[0] == python
    assert (python[3] is None) == (limit >= 694)


def test_chunks_of_any_size_find_the_same(monkeypatch):
    config = CONFIGS[4]
    python = _python(config)
    for batch in (1, 3, 100):
        monkeypatch.setattr(explorer, "_MAX_BATCH", batch)
        assert _rows(config, compiled_from=1)[0] == python


class SpillingRows(RowFrontier):
    """A row frontier with a budget of a few rows, which notes that it went to disk."""

    went_to_disk = False

    def __init__(self) -> None:
        super().__init__(budget=64, chunk=200)

    def extend(self, rows: np.ndarray) -> None:
        super().extend(rows)
        SpillingRows.went_to_disk |= self.spilled


def test_levels_of_rows_on_disk_find_the_same(monkeypatch):
    config = CONFIGS[5]
    python = _python(config)
    monkeypatch.setattr(explorer, "RowFrontier", SpillingRows)
    assert _rows(config, compiled_from=1)[0] == python
    assert _rows(config, digits=2, compiled_from=100, max_states=2000)[0] == _python(
        config, max_states=2000
    )
    assert SpillingRows.went_to_disk


class FullDisk(SpillingRows):
    """A row frontier whose disk is full."""

    def _write(self) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_stops_the_search_as_inconclusive(monkeypatch):
    monkeypatch.setattr(explorer, "RowFrontier", FullDisk)
    model = _model(CONFIGS[5])
    result = explore(model, symmetry=False, compiled=PythonRows(model), compiled_from=1)
    assert not result.complete
    assert result.stopped_by is not None and result.stopped_by.startswith("out of disk space")
    assert {v.status for v in result.verdicts} <= {"inconclusive", "violated", "n/a"}
    assert "inconclusive" in {v.status for v in result.verdicts}


def test_a_row_frontier_past_its_budget_goes_to_disk_and_comes_back_in_order():
    frontier = RowFrontier(budget=10 * 3 * 2, chunk=7 * 3 * 2)  # 10 rows, files of 7
    every = np.arange(60 * 3, dtype=np.int16).reshape(60, 3)
    for start, stop in [(0, 4), (4, 13), (13, 14), (14, 30), (30, 60)]:
        frontier.extend(every[start:stop])
    frontier.extend(every[:0])
    assert len(frontier) == 60 and frontier.spilled
    assert frontier.nbytes < every.nbytes
    directory = frontier._directory.name
    taken = []
    for count in [3, 1, 9, 20, 100]:
        rows = frontier.take(count)
        assert rows.dtype == np.int16 and rows.shape[1] == 3
        taken.append(rows)
    assert (np.concatenate(taken) == every).all()
    assert len(frontier) == 0 and frontier.take(5) is None
    assert not frontier.spilled
    import os

    assert not os.path.exists(directory)


def test_progress_is_reported_while_rows_are_expanded():
    config = CONFIGS[5]
    reports = []
    found, _ = _rows(config, compiled_from=200, progress=reports.append, progress_every=0)
    assert found == _python(config)
    counts = [report.states for report in reports]
    assert counts == sorted(counts) and 0 < counts[-1] <= found[0]
    # A report comes after every chunk, the last while the deepest level is expanded.
    assert max(report.depth for report in reports) == found[2] + 1
    assert any(report.frontier > 0 for report in reports)


def test_ctrl_c_while_expanding_rows_keeps_what_was_found(monkeypatch):
    config = CONFIGS[0]  # stale-read breaks at depth 6, the last level is 9
    whole = explore(_model(config), symmetry=False)
    model = _model(config)
    rows = PythonRows(model)
    expand = rows.expand

    def interrupted(parents):
        if rows.expanded >= 500:
            raise KeyboardInterrupt
        return expand(parents)

    rows.expand = interrupted
    monkeypatch.setattr(explorer, "_MAX_BATCH", 8)
    result = explore(model, symmetry=False, compiled=rows, compiled_from=1)
    assert result.stopped_by == INTERRUPTED and 500 < result.states < 694
    stale = result.verdict("stale-read")
    assert stale.trace.steps == whole.verdict("stale-read").trace.steps
    assert {v.status for v in result.verdicts} <= {"violated", "inconclusive", "n/a"}
    # What was kept is what the Python search keeps when it stops at that many states.
    cut = explore(_model(config), symmetry=False, max_states=result.states)
    assert (result.states, result.depth) == (cut.states, cut.depth)
    for kept, python in zip(result.verdicts, cut.verdicts):
        assert (kept.status, kept.reached) == (python.status, python.reached)
        assert kept.trace == python.trace


def test_ctrl_c_while_packing_keeps_the_levels_before():
    config = CONFIGS[0]
    model = _model(config)
    rows = PythonRows(model)

    def interrupted(states):
        raise KeyboardInterrupt

    rows.pack = interrupted
    result = explore(model, symmetry=False, compiled=rows, compiled_from=100)
    assert result.stopped_by == INTERRUPTED and rows.expanded == 0
    cut = explore(_model(config), symmetry=False, max_states=result.states)
    assert (result.states, result.depth) == (cut.states, cut.depth)  # levels 0 to 5, whole


def test_time_and_memory_limits_stop_the_rows():
    config = {"n": 3, "w": 2, "r": 2, "clients": ("w", "w", "r"), "drift": 1}  # millions
    started = time.monotonic()
    result, rows = _rows(config, compiled_from=1, max_seconds=0.5)
    assert result[3] == "--max-seconds 0.5 reached" and rows.expanded > 0
    assert time.monotonic() - started < 10  # the limit is looked at every 0.05 s
    ceiling = memory_in_use() + 16 * 2**20
    result, rows = _rows(config, compiled_from=1, max_memory=ceiling, max_seconds=60)
    assert result[3].startswith("--max-memory") and rows.expanded > 0


def test_a_search_smaller_than_the_threshold_stays_in_python():
    config = CONFIGS[0]
    found, rows = _rows(config)  # COMPILED_FROM states in a level: never here
    assert found == _python(config) and rows.expanded == 0


@pytest.mark.parametrize("config", CONFIGS[:3], ids=lambda c: Config(**c).describe())
def test_rows_of_symmetry_classes_find_the_same(config):
    python = outcome(explore(_model(config), symmetry=True))
    for start in (1, 40):
        model = _model(config)
        rows = PythonRows(model, symmetric=True)
        assert outcome(explore(model, compiled=rows, compiled_from=start)) == python
        assert rows.expanded > 0


def test_a_compiled_model_that_fingerprints_otherwise_is_refused():
    model = _model(CONFIGS[0])
    exact = PythonRows(model)  # the states' hashes, not their classes'
    with pytest.raises(RuntimeError, match="differ"):
        explore(model, symmetry=True, compiled=exact, compiled_from=1)
    assert exact.expanded == 1  # the state it was checked on, then nothing


def test_the_table_stays_between_three_eighths_and_three_quarters_full():
    table = FingerprintTable(small=0)
    rng = np.random.default_rng(3)
    for size in [10, 3000, 1, 50_000, 7, 200_000, 123_456]:
        table.add(rng.integers(0, 2**60, size=size, dtype=np.uint64))
        if table.capacity > 1024:  # past the least table
            assert 3 / 8 * table.capacity <= table.count <= 3 / 4 * table.capacity

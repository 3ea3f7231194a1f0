"""Parents per level given a chunk at a time, rows carrying their fingerprints, and the
compiled search with both on disk.

`ParentLevels` must read like the dict of fingerprint -> parent (None at level 0) it
stands for, wherever each level went (sorted in memory, sorted on disk, in BFS order
on disk), and hold no more than its budget in memory whatever a level's size. A search
that switches to rows with every budget tiny must report exactly what the Python search
reports, traces included.
"""

from __future__ import annotations

import functools
import os
import tracemalloc

import numpy as np
import pytest

from leaderless.checker import explorer, visited
from leaderless.checker.explorer import _records, explore
from leaderless.checker.visited import ParentLevels, RowFrontier
from leaderless.model import Config, ReplicationModel
from support import outcome
from test_compiled_explorer import CONFIGS, PythonRows


def _levels(sizes: list[int], seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Levels of distinct random fingerprints, each state's parent one of the last level
    before that has any (random words for level 0, which has none)."""
    rng = np.random.default_rng(seed)
    every = rng.choice(2**60, size=sum(sizes), replace=False).astype(np.uint64)
    levels, at = [], 0
    below = rng.integers(0, 2**60, 5, dtype=np.uint64)
    for size in sizes:
        states = every[at : at + size]
        levels.append((states, below[rng.integers(0, len(below), size)]))
        below = states if size else below
        at += size
    return levels


def _fill(parents: ParentLevels, levels, chunks: int, seed: int, whole: tuple = ()) -> None:
    """Levels given in random chunks (in order), those numbered in `whole` at once."""
    rng = np.random.default_rng(seed)
    for number, (states, fathers) in enumerate(levels):
        if number in whole:
            parents.add_level(states, fathers)
            continue
        parents.begin_level()
        cuts = np.sort(rng.integers(0, len(states) + 1, chunks))
        for start, stop in zip([0, *cuts], [*cuts, len(states)]):
            parents.add_chunk(states[start:stop], fathers[start:stop])
            assert parents.nbytes <= parents._budget
        parents.end_level()
        assert parents.nbytes <= parents._budget


def _as_dict(levels) -> dict[int, int | None]:
    return {
        int(state): None if number == 0 else int(parent)
        for number, (states, fathers) in enumerate(levels)
        for state, parent in zip(states, fathers)
    }


SIZES = [3, 40, 0, 700, 2500, 90, 1]  # an empty level too: later ones keep their numbers


@pytest.mark.parametrize("budget", [2**30, 4096, 64, 0], ids=lambda b: f"budget {b}")
def test_parents_read_like_a_dict_wherever_the_levels_went(budget, monkeypatch):
    monkeypatch.setattr(visited, "_SCAN", 50)  # a scan of a level on disk goes in pieces
    levels = _levels(SIZES, seed=budget)
    expected = _as_dict(levels)
    parents = ParentLevels(budget=budget)
    _fill(parents, levels, chunks=9, seed=1, whole=(0, 4))
    assert len(parents) == len(expected) == sum(SIZES)
    rng = np.random.default_rng(2)
    for fp in rng.permutation(list(expected)):
        assert parents[int(fp)] == expected[int(fp)]
    for unknown in [0, 2**60, int(rng.integers(0, 2**60))]:
        if unknown not in expected:
            with pytest.raises(KeyError):
                parents[unknown]
    directory = parents._directory.name if parents._directory else None
    assert (directory is None) == (budget == 2**30)  # a small budget sent levels to disk
    parents.close()
    assert directory is None or not os.path.exists(directory)


def test_a_trace_looks_in_one_level_a_step_from_the_hint(monkeypatch):
    levels = _levels([2, 50, 300, 1000, 20], seed=5)
    parents = ParentLevels(budget=0)  # every level on disk, in BFS order but the whole one
    _fill(parents, levels, chunks=4, seed=6, whole=(1,))
    looked = []
    find = visited._Level.find
    monkeypatch.setattr(
        visited._Level, "find", lambda level, fp: looked.append(level.size) or find(level, fp)
    )
    expected = _as_dict(levels)
    fp: int | None = int(levels[4][0][7])
    parents.start_at(4)
    chain = []
    while fp is not None:
        chain.append(fp)
        fp = parents[fp]
    assert len(chain) == 5 and all(expected[a] == b for a, b in zip(chain, chain[1:]))
    assert looked == [20, 1000, 300, 50, 2]  # each lookup found its state at once
    looked.clear()
    parents.start_at(0)  # a wrong hint costs time, not the answer
    assert parents[int(levels[3][0][0])] == expected[int(levels[3][0][0])]
    assert len(looked) > 1
    parents.close()


def test_a_level_of_any_size_costs_the_budget_in_memory():
    budget = 2**20
    parents = ParentLevels(budget=budget)
    rng = np.random.default_rng(9)
    chunk = 20_000
    tracemalloc.start()
    try:
        parents.add_level(np.array([5], dtype=np.uint64), np.zeros(1, dtype=np.uint64))
        parents.begin_level()
        for _ in range(100):  # 2 M states: 32 MB of fingerprints and parents
            states = rng.integers(1 << 40, 2**60, chunk, dtype=np.uint64)
            parents.add_chunk(states, np.full(chunk, 5, dtype=np.uint64))
        parents.end_level()
        _, peak = tracemalloc.get_traced_memory()
        assert len(parents) == 2_000_001 and parents.nbytes <= budget
        assert peak < budget + 4 * 16 * chunk  # the budget and a few chunks, not 32 MB
        tracemalloc.reset_peak()
        assert parents[int(states[-1])] == 5  # the last chunk: a scan of the whole file
        with pytest.raises(KeyError):
            parents[3]
        assert tracemalloc.get_traced_memory()[1] < 5 * 2**20  # a scan buffer of 4 MiB
    finally:
        tracemalloc.stop()
        parents.close()


def test_levels_in_chunks_are_used_as_they_are_meant():
    parents = ParentLevels()
    with pytest.raises(RuntimeError):
        parents.add_chunk(np.zeros(1, dtype=np.uint64), np.zeros(1, dtype=np.uint64))
    with pytest.raises(RuntimeError):
        parents.end_level()
    parents.begin_level()
    with pytest.raises(RuntimeError):
        parents.add_level(np.zeros(1, dtype=np.uint64), np.zeros(1, dtype=np.uint64))
    with pytest.raises(RuntimeError):
        parents.begin_level()
    parents.close()


def test_rows_keep_their_fingerprints_in_order_across_the_disk():
    frontier = RowFrontier(budget=10 * 14, chunk=7 * 14)  # 10 records of 14 bytes, files of 7
    rows = np.arange(60 * 3, dtype=np.int16).reshape(60, 3)
    fingerprints = np.arange(60, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    for start, stop in [(0, 4), (4, 13), (13, 14), (14, 30), (30, 60)]:
        frontier.extend(_records(rows[start:stop], fingerprints[start:stop]))
    assert len(frontier) == 60 and frontier.spilled
    taken = [frontier.take(count) for count in [3, 1, 9, 20, 100]]
    assert frontier.take(1) is None
    back = np.concatenate(taken)
    assert (back["state"] == rows).all() and (back["fingerprint"] == fingerprints).all()
    assert back["state"].dtype == np.int16 and back["state"].shape == (60, 3)


class TinyParents(ParentLevels):
    """Parents with no memory at all: every level goes to disk, most as they are found."""

    def __init__(self) -> None:
        super().__init__(budget=0)


def _everything_on_disk(monkeypatch) -> list[int]:
    """Every budget tiny; returns the list of the sizes of levels scanned on disk."""
    monkeypatch.setattr(explorer, "ParentLevels", TinyParents)
    monkeypatch.setattr(explorer, "RowFrontier", functools.partial(RowFrontier, 64, 200))
    monkeypatch.setattr(visited, "_SCAN", 5)
    scanned: list[int] = []
    scan = visited._Level._scan
    monkeypatch.setattr(
        visited._Level, "_scan", lambda level, fp: scanned.append(level.size) or scan(level, fp)
    )
    return scanned


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: Config(**c).describe())
def test_a_compiled_search_with_everything_on_disk_finds_the_same(config, monkeypatch):
    python = outcome(explore(ReplicationModel(Config(**config)), symmetry=False))
    scanned = _everything_on_disk(monkeypatch)
    for start, digits in [(1, 0), (60, 2)]:  # rows from the first level, or midway
        model = ReplicationModel(Config(**config))
        rows = PythonRows(model, digits)
        result = explore(model, symmetry=False, compiled=rows, compiled_from=start)
        assert outcome(result) == python
    if any(trace for *_, trace in python[4]):
        assert scanned  # traces were rebuilt from levels on disk in BFS order


@pytest.mark.parametrize("limit", [1, 50, 333, 2000])
def test_a_limit_cuts_a_compiled_search_on_disk_at_the_same_state(limit, monkeypatch):
    config = CONFIGS[5]  # 3,403 states
    python = outcome(explore(ReplicationModel(Config(**config)), symmetry=False, max_states=limit))
    _everything_on_disk(monkeypatch)
    model = ReplicationModel(Config(**config))
    rows = PythonRows(model)
    found = explore(model, symmetry=False, compiled=rows, compiled_from=1, max_states=limit)
    assert outcome(found) == python


def test_once_on_rows_the_search_holds_no_level_of_fingerprints(monkeypatch):
    held = []
    expand_rows = explorer.Search.expand_rows

    def expand_noting(search, compiled, frontier):
        held.append(len(search.level_fingerprints))
        return expand_rows(search, compiled, frontier)

    monkeypatch.setattr(explorer.Search, "expand_rows", expand_noting)
    config = CONFIGS[5]
    model = ReplicationModel(Config(**config))
    found = explore(model, symmetry=False, compiled=PythonRows(model), compiled_from=60)
    assert outcome(found) == outcome(explore(ReplicationModel(Config(**config)), symmetry=False))
    assert len(held) > 3 and set(held) == {0}  # each row carries its own instead

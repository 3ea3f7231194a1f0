"""The explorer's compact memory: a fingerprint table, and parents kept per BFS level.

`FingerprintTable` is the visited set: an open-addressing hash table of 64-bit words
in one numpy array (8 bytes a slot, kept between a third and three quarters full), so
a visited state costs 11 to 21 bytes instead of a Python int in a dict (about 100).
It is probed and filled a batch at a time with vectorised numpy, and it can live in a
file mapped by several processes, which then probe it without copying it.

`ParentLevels` keeps, per BFS level, each state's fingerprint and its parent's, sorted
by fingerprint. Levels move to files on disk once they outgrow a small memory budget
(as TLC keeps its trace file on disk); they are read back only to rebuild a trace.

`Frontier` holds a level's states, past a budget pickled to disk in chunks;
`RowFrontier` holds a level's packed states (rows of a numpy array, for a compiled
model), past a byte budget saved to disk in chunks, with no Python object per state.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

# A slot holding 0 is empty. Fingerprints have at most 63 bits, so a stored word is the
# fingerprint with the top bit set: never 0, even for the fingerprint 0.
_PRESENT = np.uint64(1 << 63)
_SCATTER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: any fingerprint bits spread
_MAX_LOAD = 0.75
_MIN_BITS = 10
_STRAGGLERS = 32  # words still probing below which a batch is finished word by word
_REHASH = 1 << 16  # old slots moved at a time when the table grows


def _words(fingerprints: np.ndarray) -> np.ndarray:
    return np.asarray(fingerprints, dtype=np.uint64) | _PRESENT


class FingerprintTable:
    """A set of fingerprints (ints below 2^63), added to and asked a batch at a time.

    `directory`: keep the slots in a file there (mapped into memory), so that other
    processes can map the same table (`attach`) and probe it while this one does not
    change it; without it the slots are private memory.
    """

    def __init__(self, directory: str | None = None, bits: int = _MIN_BITS) -> None:
        self._directory = directory
        self._generation = 0
        self.count = 0
        self._slots, self.path = self._allocate(bits)

    @property
    def capacity(self) -> int:
        return len(self._slots)

    @property
    def nbytes(self) -> int:
        return self._slots.nbytes

    def _allocate(self, bits: int) -> tuple[np.ndarray, str | None]:
        if self._directory is None:
            return np.zeros(1 << bits, dtype=np.uint64), None
        self._generation += 1
        path = os.path.join(self._directory, f"visited-{self._generation}.u64")
        slots = np.lib.format.open_memmap(path, mode="w+", dtype=np.uint64, shape=(1 << bits,))
        return slots, path

    def share(self, directory: str) -> None:
        """Move the slots into a file in `directory`, for `attach` in other processes."""
        old = self._slots
        self._directory = directory
        self._slots, self.path = self._allocate(int(len(old)).bit_length() - 1)
        self._slots[:] = old

    @staticmethod
    def attach(path: str) -> np.ndarray:
        """Another process's table, read-only, for `contains`."""
        return np.load(path, mmap_mode="r")

    def close(self) -> None:
        if self.path is not None:
            del self._slots
            Path(self.path).unlink(missing_ok=True)
            self.path = None

    def add(self, fingerprints: np.ndarray, distinct: bool = False) -> np.ndarray:
        """Add a batch; return, ascending, the indices in the batch of the fingerprints
        that were not in the table, each at its first occurrence in the batch.
        `distinct`: the caller knows that no fingerprint is twice in the batch."""
        words = _words(fingerprints)
        if distinct:
            unique, first = words, None
        else:
            unique, first = np.unique(words, return_index=True)
        if self.count + len(unique) > _MAX_LOAD * self.capacity:
            self._grow(self.count + len(unique))
        added = _insert(self._slots, unique)
        self.count += int(np.count_nonzero(added))
        return np.flatnonzero(added) if first is None else np.sort(first[added])

    def contains(self, fingerprints: np.ndarray) -> np.ndarray:
        """A boolean per fingerprint of the batch: whether it is in the table."""
        return contains(self._slots, fingerprints)

    def _grow(self, needed: int) -> None:
        # The least power of two above needed / _MAX_LOAD: at least 3/8 full after growing.
        bits = max(_MIN_BITS, int(needed / _MAX_LOAD).bit_length())
        old, old_path = self._slots, self.path
        self._slots, self.path = self._allocate(bits)
        # A slice of the old slots at a time: probing them all at once would take several
        # words of memory per fingerprint for the while.
        for start in range(0, len(old), _REHASH):
            part = old[start : start + _REHASH]
            _insert(self._slots, part[part != 0])
        del old
        if old_path is not None:
            Path(old_path).unlink(missing_ok=True)


def _home(slots: np.ndarray, words: np.ndarray) -> np.ndarray:
    shift = np.uint64(64 - (len(slots).bit_length() - 1))
    return ((words * _SCATTER) >> shift).astype(np.int64)


def _insert(slots: np.ndarray, words: np.ndarray) -> np.ndarray:
    """Linear probing for a batch of distinct words at once: each round, every word
    still probing looks at its slot; it is found, or it claims an empty slot (when two
    claim the same slot, one write wins and the other moves on), or it moves on. A word
    present lies past an unbroken run of full slots from its home (nothing is ever
    removed), so reaching an empty slot proves it absent. The few words left after
    some rounds (the long probe runs) are finished one by one, which costs less than
    more rounds over a whole batch."""
    added = np.zeros(len(words), dtype=bool)
    index = _home(slots, words)
    pending = np.arange(len(words))
    mask = len(slots) - 1
    while pending.size > _STRAGGLERS:
        held = slots[index[pending]]
        empty = held == 0
        claimants = pending[empty]
        slots[index[claimants]] = words[claimants]
        won = slots[index[claimants]] == words[claimants]
        added[claimants[won]] = True
        moving = np.concatenate((pending[~empty & (held != words[pending])], claimants[~won]))
        index[moving] = (index[moving] + 1) & mask
        pending = moving
    for one in pending.tolist():
        word, at = words[one], int(index[one])
        while True:
            held = slots[at]
            if held == word:
                break
            if held == 0:
                slots[at] = word
                added[one] = True
                break
            at = (at + 1) & mask
    return added


def contains(slots: np.ndarray, fingerprints: np.ndarray) -> np.ndarray:
    """Membership of a batch in a table's slots (a private array or an attached file)."""
    words = _words(fingerprints)
    found = np.zeros(len(words), dtype=bool)
    index = _home(slots, words)
    pending = np.arange(len(words))
    mask = len(slots) - 1
    while pending.size > _STRAGGLERS:
        held = slots[index[pending]]
        hit = held == words[pending]
        found[pending[hit]] = True
        pending = pending[~hit & (held != 0)]
        index[pending] = (index[pending] + 1) & mask
    for one in pending.tolist():
        word, at = words[one], int(index[one])
        while True:
            held = slots[at]
            if held == word or held == 0:
                found[one] = held == word
                break
            at = (at + 1) & mask
    return found


class ParentLevels:
    """Each visited state's parent fingerprint, level by level, for rebuilding traces.

    A level is kept as two arrays sorted by fingerprint (state, parent); once the levels
    in memory exceed `budget` bytes, the older ones go to files in a temporary
    directory, mapped back only when a trace is rebuilt. Reads like the dict of
    fingerprint -> parent fingerprint (None for an initial state) that
    `rebuild_trace` takes.
    """

    def __init__(self, budget: int = 8 * 2**20) -> None:
        self._budget = budget
        self._levels: list[tuple[np.ndarray, np.ndarray]] = []
        self._in_memory = 0
        self._directory: tempfile.TemporaryDirectory[str] | None = None
        self._spilled = 0  # levels before this one are on disk
        self._hint = 0

    def __len__(self) -> int:
        return sum(len(states) for states, _ in self._levels)

    @property
    def nbytes(self) -> int:
        return self._in_memory

    def add_level(self, states: np.ndarray, parents: np.ndarray) -> None:
        """A level's fingerprints and their parents' (anything for level 0)."""
        order = np.argsort(states, kind="stable")
        level = (np.ascontiguousarray(states[order]), np.ascontiguousarray(parents[order]))
        self._levels.append(level)
        self._in_memory += level[0].nbytes + level[1].nbytes
        while self._in_memory > self._budget and self._spilled < len(self._levels):
            self._spill(self._spilled)
            self._spilled += 1

    def _spill(self, index: int) -> None:
        if self._directory is None:
            self._directory = tempfile.TemporaryDirectory(prefix="leaderless-parents-")
        saved = []
        for name, array in zip(("states", "parents"), self._levels[index]):
            path = os.path.join(self._directory.name, f"{index}-{name}.npy")
            np.save(path, array)
            self._in_memory -= array.nbytes
            saved.append(np.load(path, mmap_mode="r"))
        self._levels[index] = (saved[0], saved[1])

    def _search_order(self) -> Iterator[int]:
        # A trace walks down one level a step: look in the level below the last hit first.
        yield from range(min(self._hint, len(self._levels) - 1), -1, -1)
        yield from range(len(self._levels) - 1, self._hint, -1)

    def __getitem__(self, fingerprint: int) -> int | None:
        for level in self._search_order():
            states, parents = self._levels[level]
            at = int(np.searchsorted(states, np.uint64(fingerprint)))
            if at < len(states) and int(states[at]) == fingerprint:
                self._hint = max(level - 1, 0)
                return None if level == 0 else int(parents[at])
        raise KeyError(fingerprint)

    def start_at(self, level: int) -> None:
        """Where the next lookup looks first: the level of a trace's last state."""
        self._hint = level

    def close(self) -> None:
        self._levels.clear()
        if self._directory is not None:
            self._directory.cleanup()
            self._directory = None


class Frontier:
    """A BFS level's states in order: the first `budget` in memory, the rest pickled to
    files in chunks (as TLC keeps its queue on disk), so that a level of any size costs
    at most `budget` states of memory. `drain` hands them out in order, each released
    as it goes."""

    def __init__(self, budget: int = 1 << 17, chunk: int = 1 << 14) -> None:
        self._budget = budget
        self._chunk = chunk
        self._memory: list[Any] = []
        self._tail: list[Any] = []  # past the budget, not yet written
        self._files: list[str] = []
        self._directory: tempfile.TemporaryDirectory[str] | None = None
        self._size = 0

    def __len__(self) -> int:
        return self._size

    @property
    def spilled(self) -> bool:
        return bool(self._files)

    def extend(self, states: list[Any]) -> None:
        self._size += len(states)
        room = self._budget - len(self._memory)
        if room > 0:
            self._memory.extend(states[:room])
            states = states[room:]
        if states:
            self._tail.extend(states)
            while len(self._tail) >= self._chunk:
                self._write(self._tail[: self._chunk])
                del self._tail[: self._chunk]

    def _write(self, states: list[Any]) -> None:
        if self._directory is None:
            self._directory = tempfile.TemporaryDirectory(prefix="leaderless-frontier-")
        path = os.path.join(self._directory.name, f"{len(self._files)}.pickle")
        with open(path, "wb") as file:
            pickle.dump(states, file, protocol=pickle.HIGHEST_PROTOCOL)
        self._files.append(path)

    def drain(self) -> Iterator[Any]:
        """The states in order, each dropped from memory once handed out."""
        for part in self._parts():
            for index, state in enumerate(part):
                part[index] = None
                yield state
        self.close()

    def _parts(self) -> Iterator[list[Any]]:
        memory, self._memory = self._memory, []
        yield memory
        for path in self._files:
            with open(path, "rb") as file:
                part = pickle.load(file)
            os.unlink(path)
            yield part
        self._files = []
        tail, self._tail = self._tail, []
        yield tail

    def close(self) -> None:
        self._memory, self._tail, self._files, self._size = [], [], [], 0
        if self._directory is not None:
            self._directory.cleanup()
            self._directory = None


class RowFrontier:
    """A BFS level's packed states (rows of 2-D numpy arrays) in order: the first
    `budget` bytes in memory, the rest saved to files of about `chunk` bytes (np.save),
    so that a level of any size costs at most `budget` + `chunk` bytes of memory.
    It is filled (`extend`), then emptied in order (`take`), each file deleted once
    read back."""

    # Small by default: a level's rows are read once, in order, and files written just
    # before come back from the page cache at little cost; memory is for the table.
    def __init__(self, budget: int = 4 * 2**20, chunk: int = 2**20) -> None:
        self._budget = budget
        self._chunk = chunk
        self._memory: deque[np.ndarray] = deque()
        self._in_memory = 0
        self._files: deque[str] = deque()
        self._written = 0  # files written, for their names
        self._tail: deque[np.ndarray] = deque()  # past the budget, not yet written
        self._tail_bytes = 0
        self._directory: tempfile.TemporaryDirectory[str] | None = None
        self._current: np.ndarray | None = None  # the part being taken, from `_at` on
        self._at = 0
        self._size = 0

    def __len__(self) -> int:
        return self._size

    @property
    def spilled(self) -> bool:
        return bool(self._files)

    @property
    def nbytes(self) -> int:
        """Bytes of rows held in memory."""
        current = 0 if self._current is None else self._current.nbytes
        return self._in_memory + self._tail_bytes + current

    def extend(self, rows: np.ndarray) -> None:
        """Append rows (k, width) after those already held."""
        if not len(rows):
            return
        self._size += len(rows)
        room = max(self._budget - self._in_memory, 0) // (rows.nbytes // len(rows))
        if room:
            # A part of `rows` is copied: a view would keep the whole array in memory.
            kept = rows if room >= len(rows) else rows[:room].copy()
            self._memory.append(kept)
            self._in_memory += kept.nbytes
            rows = rows[room:]
        if len(rows):
            self._tail.append(rows)
            self._tail_bytes += rows.nbytes
            if self._tail_bytes >= self._chunk:
                self._write()

    def _write(self) -> None:
        if self._directory is None:
            self._directory = tempfile.TemporaryDirectory(prefix="leaderless-rows-")
        path = os.path.join(self._directory.name, f"{self._written}.npy")
        self._written += 1
        np.save(path, np.concatenate(self._tail))
        self._files.append(path)
        self._tail, self._tail_bytes = deque(), 0

    def take(self, count: int) -> np.ndarray | None:
        """The next `count` rows in order (fewer at the end), dropped from the frontier;
        None once every row was taken."""
        parts = []
        while count > 0:
            if self._current is None or self._at == len(self._current):
                self._current, self._at = self._next_part(), 0
                if self._current is None:
                    break
            part = self._current[self._at : self._at + count]
            self._at += len(part)
            count -= len(part)
            parts.append(part)
        if not parts:
            self.close()
            return None
        rows = parts[0] if len(parts) == 1 else np.concatenate(parts)
        self._size -= len(rows)
        return rows

    def _next_part(self) -> np.ndarray | None:
        if self._memory:
            rows = self._memory.popleft()
            self._in_memory -= rows.nbytes
            return rows
        if self._files:
            path = self._files.popleft()
            rows = np.load(path)
            os.unlink(path)
            return rows
        if self._tail:
            rows = self._tail.popleft()
            self._tail_bytes -= rows.nbytes
            return rows
        return None

    def close(self) -> None:
        self._memory, self._files, self._tail = deque(), deque(), deque()
        self._in_memory = self._tail_bytes = self._size = self._at = 0
        self._current = None
        if self._directory is not None:
            self._directory.cleanup()
            self._directory = None

"""The explorer's compact memory: a fingerprint table, and parents kept per BFS level.

`FingerprintTable` is the visited set: an open-addressing hash table of 64-bit words
(linear probing), 8 bytes a slot instead of a Python int in a dict (about 100 bytes).
It is split by the top bits of the scattered fingerprint into 64 shards, each its own
power-of-two array kept between three eighths and three quarters full and grown on its
own, so that a growth holds at most one shard twice (the old array and the new one),
never the whole table. Probing is a compiled loop (numba, `leaderless.checker.shards`)
over a batch. The shards can live in files mapped by several processes, which then
probe them without copying them. A table starts as a Python set and moves to shards
past 65,536 fingerprints, so that a small search does not load numba.

What it costs: 8 / (3/4) to 8 / (3/8), i.e. 10.7 to 21.3 bytes a state, and while a
shard grows, half a shard more (under 1% of the table). A billion states fill shards of
2^25 slots: 16 GiB (17.2 bytes a state), 16.1 GiB at the peak of the growth into them
(a single array growing into 2^31 slots would have needed 24 GiB at that moment).

`ParentLevels` keeps, per BFS level, each state's fingerprint and its parent's: 16
bytes a state, in memory up to a budget of a few MiB, past it on disk (as TLC keeps its
trace file on disk), read back only to rebuild a trace. A level may come a chunk at a
time as it is found, so that no level is ever held whole.

`Frontier` holds a level's states, past a budget pickled to disk in chunks;
`RowFrontier` holds a level's packed states (rows of a numpy array, for a compiled
model), past a byte budget saved to disk in chunks, with no Python object per state.

A billion states, searched with a compiled model (`Search.expand_rows`): in memory, the
table (10.7 to 21.3 bytes a state, 16.1 GiB at its peak) and buffers of a few MiB
whatever a level's size (the parents' budget, the rows' budget and the chunk being
expanded), so 24 GiB is enough; on disk, the parents (16 GB) and the rows of the level
being expanded and the next one (a row's bytes and 8 for its fingerprint a state: the
replication kernel's 47 to 60 int16 fields make some 100 to 130 bytes, about 25 GB for
two levels of 100 M states), each file deleted once read.
"""

from __future__ import annotations

import os
import pickle
import sys
import tempfile
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

# A slot holding 0 is empty. Fingerprints have at most 63 bits, so a stored word is the
# fingerprint with the top bit set: never 0, even for the fingerprint 0.
_PRESENT = np.uint64(1 << 63)
_SCATTER = 0x9E3779B97F4A7C15  # Fibonacci hashing (as in checker/shards.py)
_SHARD_BITS = 6  # 64 shards: the top 6 bits of a scattered word choose its shard
_SHARDS = 1 << _SHARD_BITS
_MIN_BITS = 10  # the least table: 1024 slots, 16 a shard
# A table starts as a Python set and moves to the shards past this many fingerprints:
# a small search (most commands, most tests) then never loads numba, which costs some
# tenths of a second a process.
SMALL = 1 << 16
_SHARED_SHARD_BITS = 12  # a shared table starts at 64 x 4,096 slots (2 MiB)


def _words(fingerprints: np.ndarray) -> np.ndarray:
    return np.asarray(fingerprints, dtype=np.uint64) | _PRESENT


def _shard(word: np.uint64) -> int:
    return ((int(word) * _SCATTER) & 0xFFFF_FFFF_FFFF_FFFF) >> (64 - _SHARD_BITS)


def _shifts(shards: Sequence[np.ndarray]) -> np.ndarray:
    """Per shard, the right shift that leaves a home slot's bits (64 - log2 of its size)."""
    return np.array([64 - (len(s).bit_length() - 1) for s in shards], dtype=np.uint64)


class FingerprintTable:
    """A set of fingerprints (ints below 2^63), added to and asked a batch at a time.

    `directory`: keep the shards in files there (mapped into memory), so that other
    processes can map the same table (`attach`) and probe it while this one does not
    change it; without it the shards are private memory. `bits`: the least table holds
    2^bits slots. `small`: without a directory, the fingerprints are kept in a Python
    set until there are more than `small` of them (0: shards from the start).
    """

    def __init__(
        self, directory: str | None = None, bits: int = _MIN_BITS, small: int = SMALL
    ) -> None:
        self._directory = directory
        self._files = 0  # files made so far, for their names
        self.path: str | None = None
        self._paths: list[str | None] = [None] * _SHARDS
        self._bits = bits
        self._small: set[int] | None = set() if directory is None and small else None
        self._small_limit = small
        self.count = 0
        self._shards: tuple[np.ndarray, ...] = ()
        if self._small is None:
            self._start_shards()

    def _start_shards(self) -> None:
        shard_bits = max(self._bits - _SHARD_BITS, 2)
        self._shards = tuple(self._allocate(index, shard_bits) for index in range(_SHARDS))
        self._shifts = _shifts(self._shards)
        self._counts = np.zeros(_SHARDS, dtype=np.int64)
        self._limits = np.array([_limit(len(s)) for s in self._shards], dtype=np.int64)
        self._write_index()

    def _leave_small(self) -> None:
        """Move the fingerprints of the Python set into shards."""
        if self._small is None:
            return
        words = np.fromiter(self._small, dtype=np.uint64, count=len(self._small))
        self._small = None
        self._start_shards()
        self._add_to_shards(words)

    @property
    def capacity(self) -> int:
        if self._small is not None:
            return len(self._small)
        return sum(len(s) for s in self._shards)

    @property
    def nbytes(self) -> int:
        if self._small is not None:
            return sys.getsizeof(self._small)
        return sum(s.nbytes for s in self._shards)

    def _allocate(self, index: int, bits: int) -> np.ndarray:
        if self._directory is None:
            return np.zeros(1 << bits, dtype=np.uint64)
        self._files += 1
        path = os.path.join(self._directory, f"visited-{self._files}.npy")
        self._paths[index] = path
        return np.lib.format.open_memmap(path, mode="w+", dtype=np.uint64, shape=(1 << bits,))

    def _write_index(self) -> None:
        """In a directory, a file naming the shards' files in order: the table's `path`,
        a new one each time a shard moves to a new file."""
        if self._directory is None:
            return
        old = self.path
        self._files += 1
        self.path = os.path.join(self._directory, f"visited-{self._files}.index")
        Path(self.path).write_text("".join(f"{os.path.basename(str(p))}\n" for p in self._paths))
        if old is not None:
            Path(old).unlink(missing_ok=True)

    def share(self, directory: str) -> None:
        """Move the shards into files in `directory`, for `attach` in other processes."""
        self._leave_small()
        self._directory = directory
        # A shard at a time: the list lets each old array go once copied.
        from leaderless.checker import shards as compiled

        shards, self._shards = list(self._shards), ()
        for index, old in enumerate(shards):
            old_path = self._paths[index]
            # At least _SHARED_SHARD_BITS a shard: each growth of a shared table makes
            # every worker map the shards again, which small shards would make often.
            bits = max(len(old).bit_length() - 1, _SHARED_SHARD_BITS)
            shards[index] = self._allocate(index, bits)
            if len(shards[index]) == len(old):
                shards[index][:] = old
            else:
                self._shifts[index] = 64 - bits
                self._limits[index] = _limit(len(shards[index]))
                compiled.rehash(old, shards[index], self._shifts[index])
            if old_path is not None:
                Path(old_path).unlink(missing_ok=True)
        self._shards = tuple(shards)
        self._write_index()

    @staticmethod
    def attach(path: str) -> tuple[np.ndarray, ...]:
        """Another process's table (its `path`), read-only, for `contains`."""
        directory = os.path.dirname(path)
        names = Path(path).read_text().split()
        return tuple(np.asarray(np.load(os.path.join(directory, n), mmap_mode="r")) for n in names)

    def close(self) -> None:
        if self.path is not None:
            self._shards = ()
            for path in [*self._paths, self.path]:
                if path is not None:
                    Path(path).unlink(missing_ok=True)
            self.path = None

    def add(self, fingerprints: np.ndarray, distinct: bool = False) -> np.ndarray:
        """Add a batch; return, ascending, the indices in the batch of the fingerprints
        that were not in the table, each at its first occurrence in the batch.
        `distinct`: the caller knows that no fingerprint is twice in the batch (the
        table needs not know: the words go in in order, a repeat finds the first)."""
        words = _words(fingerprints)
        if self._small is None:
            return self._add_to_shards(words)
        small, added = self._small, []
        for index, word in enumerate(words.tolist()):
            if word not in small:
                small.add(word)
                added.append(index)
        self.count = len(small)
        if self.count > self._small_limit:
            self._leave_small()
        return np.array(added, dtype=np.int64)

    def _add_to_shards(self, words: np.ndarray) -> np.ndarray:
        from leaderless.checker import shards  # numba: loaded only once the table is large

        added = np.zeros(len(words), dtype=bool)
        at = 0
        while True:
            at = shards.insert(
                self._shards, self._shifts, self._counts, self._limits, words, added, at
            )
            if at == len(words):
                break
            self._grow(_shard(words[at]))
        self.count = int(self._counts.sum())
        return np.flatnonzero(added)

    def contains(self, fingerprints: np.ndarray) -> np.ndarray:
        """A boolean per fingerprint of the batch: whether it is in the table."""
        if self._small is not None:
            small = self._small
            words = _words(fingerprints).tolist()
            return np.fromiter((word in small for word in words), dtype=bool, count=len(words))
        return contains(self._shards, fingerprints)

    def _grow(self, index: int) -> None:
        """Double one shard: only it is held twice for the while."""
        from leaderless.checker import shards

        old, old_path = self._shards[index], self._paths[index]
        new = self._allocate(index, len(old).bit_length())
        self._shifts[index] -= 1
        shards.rehash(old, new, self._shifts[index])
        self._shards = (*self._shards[:index], new, *self._shards[index + 1 :])
        self._limits[index] = _limit(len(new))
        if old_path is not None:
            Path(old_path).unlink(missing_ok=True)
            self._write_index()


def _limit(size: int) -> int:
    return size * 3 // 4


def contains(shards: Sequence[np.ndarray], fingerprints: np.ndarray) -> np.ndarray:
    """Membership of a batch in a table's shards (its own, or `attach`ed from its files)."""
    from leaderless.checker import shards as compiled

    shards = tuple(shards)
    return compiled.probe(shards, _shifts(shards), _words(fingerprints))


class ParentLevels:
    """Each visited state's parent fingerprint, level by level, for rebuilding traces.

    Reads like the dict of fingerprint -> parent fingerprint (None for an initial state)
    that `rebuild_trace` takes. A level comes whole (`add_level`) or as it is found, in
    chunks (`begin_level`, `add_chunk`, `end_level`). Levels held in memory are two
    arrays (state, parent) sorted by fingerprint; once memory exceeds `budget` bytes,
    levels go to files in a temporary directory, the oldest first, and last the chunks
    of the level being found, which from then on are appended to its files in the order
    they come: so memory stays within `budget` whatever a level's size (but for the
    moment a level that fits in it is sorted: about twice the budget).

    A level moved to disk whole stays sorted and is looked up by bisection. A level
    that went to disk as it was found is in BFS order, and a lookup scans its states
    file 4 MiB at a time (memory: that buffer; time: reading 8 bytes a state of the
    level, 0.03 s for 50 M states from the page cache here, else the disk's speed).
    A trace looks up one state a level, starting where `start_at` says, so rebuilding
    one reads each spilled level about once: 8 GB for a billion states, some seconds
    at a disk's speed.
    """

    def __init__(self, budget: int = 4 * 2**20) -> None:
        self._budget = budget
        self._levels: list[_Level] = []
        self._in_memory = 0  # bytes, the open level's chunks included
        self._count = 0
        self._directory: tempfile.TemporaryDirectory[str] | None = None
        self._spilled = 0  # levels before this one are on disk (or empty)
        self._hint = 0
        # The level being found (between begin_level and end_level): its chunks in
        # memory, and its files once it went to disk.
        self._open = False
        self._chunks: list[tuple[np.ndarray, np.ndarray]] = []
        self._open_paths: tuple[str, str] | None = None
        self._open_size = 0

    def __len__(self) -> int:
        return self._count

    @property
    def nbytes(self) -> int:
        return self._in_memory

    def add_level(self, states: np.ndarray, parents: np.ndarray) -> None:
        """A whole level: its fingerprints and their parents' (anything for level 0)."""
        if self._open:
            raise RuntimeError("a level is being added in chunks")
        self._count += len(states)
        self._add_sorted(states, parents)

    def begin_level(self) -> None:
        """Start a level given in chunks (`add_chunk`), closed by `end_level`."""
        if self._open:
            raise RuntimeError("a level is being added in chunks")
        self._open = True

    def add_chunk(self, states: np.ndarray, parents: np.ndarray) -> None:
        """The next fingerprints of the level being found, in BFS order, and their
        parents'. The arrays are kept as they are, not copied."""
        if not self._open:
            raise RuntimeError("no level was begun")
        if not len(states):
            return
        states = np.asarray(states, dtype=np.uint64)
        parents = np.asarray(parents, dtype=np.uint64)
        self._chunks.append((states, parents))
        self._in_memory += states.nbytes + parents.nbytes
        self._count += len(states)
        self._open_size += len(states)
        self._fit()

    def end_level(self) -> None:
        """Close the level begun: it is the next level, even if no chunk came."""
        if not self._open:
            raise RuntimeError("no level was begun")
        if self._open_paths is not None:
            # Written before the level is closed, so that an interruption leaves it open
            # with its chunks, not half on disk.
            self._append_to_files(self._open_paths, self._chunks)
        chunks, self._chunks = self._chunks, []
        self._in_memory -= sum(s.nbytes + p.nbytes for s, p in chunks)
        self._open = False
        if self._open_paths is None:
            states = np.concatenate([s for s, _ in chunks]) if chunks else _NONE
            parents = np.concatenate([p for _, p in chunks]) if chunks else _NONE
            del chunks
            self._add_sorted(states, parents)
        else:
            self._levels.append(_Level.on_disk(self._open_paths, self._open_size, False))
            self._spilled = len(self._levels)  # every level before went to disk first
        self._open_paths, self._open_size = None, 0

    def _add_sorted(self, states: np.ndarray, parents: np.ndarray) -> None:
        order = np.argsort(states, kind="stable")
        level = _Level.in_memory(states[order], parents[order])
        self._levels.append(level)
        self._in_memory += level.nbytes
        self._fit()

    def _fit(self) -> None:
        """Move to disk what exceeds the budget: whole levels, the oldest first, then
        the chunks of the level being found."""
        while self._in_memory > self._budget:
            if self._spilled < len(self._levels):
                level = self._levels[self._spilled]
                if level.size:
                    self._in_memory -= level.nbytes
                    level.move_to(self._paths(self._spilled))
                self._spilled += 1
            elif self._chunks:
                if self._open_paths is None:
                    self._open_paths = self._paths(len(self._levels))
                chunks, self._chunks = self._chunks, []
                try:
                    self._append_to_files(self._open_paths, chunks)
                except BaseException:
                    self._chunks = chunks + self._chunks  # not written: still held here
                    raise
                self._in_memory -= sum(s.nbytes + p.nbytes for s, p in chunks)
            else:
                break

    def _paths(self, index: int) -> tuple[str, str]:
        if self._directory is None:
            self._directory = tempfile.TemporaryDirectory(prefix="leaderless-parents-")
        return (
            os.path.join(self._directory.name, f"{index}-states.u64"),
            os.path.join(self._directory.name, f"{index}-parents.u64"),
        )

    @staticmethod
    def _append_to_files(
        paths: tuple[str, str], chunks: list[tuple[np.ndarray, np.ndarray]]
    ) -> None:
        """Append the chunks' two columns to the two files, all or nothing: a Ctrl-C or a
        full disk between two writes puts the files back as they were, so that the i-th
        state and the i-th parent stay each other's."""
        sizes = [os.path.getsize(path) if os.path.exists(path) else 0 for path in paths]
        try:
            for column, path in enumerate(paths):
                with open(path, "ab") as file:
                    for chunk in chunks:
                        chunk[column].tofile(file)
        except BaseException:
            for path, size in zip(paths, sizes):
                if os.path.exists(path):
                    os.truncate(path, size)
            raise

    def _search_order(self) -> Iterator[int]:
        # A trace walks down one level a step: look in the level below the last hit first.
        yield from range(min(self._hint, len(self._levels) - 1), -1, -1)
        yield from range(len(self._levels) - 1, self._hint, -1)

    def __getitem__(self, fingerprint: int) -> int | None:
        """The parent of a state of a closed level (KeyError if none has it)."""
        for index in self._search_order():
            level = self._levels[index]
            at = level.find(fingerprint)
            if at is not None:
                self._hint = max(index - 1, 0)
                return None if index == 0 else level.parent(at)
        raise KeyError(fingerprint)

    def start_at(self, level: int) -> None:
        """Where the next lookup looks first: the level of a trace's last state."""
        self._hint = level

    def close(self) -> None:
        self._levels.clear()
        self._chunks.clear()
        self._in_memory = self._count = self._spilled = self._open_size = 0
        self._open, self._open_paths = False, None
        if self._directory is not None:
            self._directory.cleanup()
            self._directory = None


_NONE = np.zeros(0, dtype=np.uint64)
_SCAN = 2**19  # fingerprints read at a time when a level on disk is scanned (4 MiB)


class _Level:
    """One level of `ParentLevels`: its states' fingerprints and their parents', as
    arrays in memory (sorted by fingerprint) or files of raw uint64 words on disk
    (sorted, or in BFS order)."""

    def __init__(
        self,
        arrays: tuple[np.ndarray, np.ndarray] | None,
        paths: tuple[str, str] | None,
        size: int,
        ordered: bool,
    ) -> None:
        self.arrays = arrays
        self.paths = paths
        self.size = size
        self.ordered = ordered  # sorted by fingerprint

    @classmethod
    def in_memory(cls, states: np.ndarray, parents: np.ndarray) -> _Level:
        return cls((states, parents), None, len(states), True)

    @classmethod
    def on_disk(cls, paths: tuple[str, str], size: int, ordered: bool) -> _Level:
        return cls(None, paths, size, ordered)

    @property
    def nbytes(self) -> int:
        return 0 if self.arrays is None else self.arrays[0].nbytes + self.arrays[1].nbytes

    def move_to(self, paths: tuple[str, str]) -> None:
        assert self.arrays is not None
        for array, path in zip(self.arrays, paths):
            array.tofile(path)
        self.arrays, self.paths = None, paths

    def find(self, fingerprint: int) -> int | None:
        """The index of `fingerprint` among the level's states, or None."""
        if not self.size:
            return None
        wanted = np.uint64(fingerprint)
        if not self.ordered:
            return self._scan(wanted)
        states = self.arrays[0] if self.arrays is not None else self._mapped(0)
        at = int(np.searchsorted(states, wanted))
        return at if at < len(states) and states[at] == wanted else None

    def _scan(self, wanted: np.uint64) -> int | None:
        assert self.paths is not None
        buffer = np.empty(min(_SCAN, self.size), dtype=np.uint64)
        done = 0
        with open(self.paths[0], "rb") as file:
            while read := file.readinto(buffer.data) // buffer.itemsize:
                hits = np.flatnonzero(buffer[:read] == wanted)
                if len(hits):
                    return done + int(hits[0])
                done += read
        return None

    def _mapped(self, column: int) -> np.ndarray:
        # A bisection touches a few pages of the file, read through a mapping.
        assert self.paths is not None
        return np.memmap(self.paths[column], dtype=np.uint64, mode="r", shape=(self.size,))

    def parent(self, at: int) -> int:
        if self.arrays is not None:
            return int(self.arrays[1][at])
        assert self.paths is not None
        return int(np.fromfile(self.paths[1], dtype=np.uint64, count=1, offset=at * 8)[0])


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
    """A BFS level's packed states (rows of 2-D numpy arrays, or records of a 1-D
    structured array, such as a state with its fingerprint) in order: the first
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

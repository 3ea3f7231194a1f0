"""Breadth-first search shared among processes, with exactly the result of one.

Every state has a position: its number in the BFS order of the one-process search.
Each level, every worker expands its share of the level's states (in position order)
and keeps, of the successors, those that are in no earlier level (it probes the
visited table, shared read-only for the level) and that it did not find before in
the level. It sends the coordinator their fingerprints with their order keys (the
parent's position, the successor's index among the parent's successors). The
coordinator sorts all by key and keeps the first occurrence of each fingerprint: the
state a FIFO queue would have kept, with the parent it would have recorded. It numbers
them, adds them to the table and to the parents, and tells each worker which of its
states won and their positions. The workers check the properties on their winners and
report, per property, the first violating position (the coordinator keeps the least)
and the situations reached. Then shares are evened out. So states, transitions, depth,
verdicts and traces are the same whatever the number of workers and the scheduling.

Fingerprints are `hash()` of tuples of ints (the model's states and canonical keys),
which CPython computes the same way in every process: only str, bytes and datetime
hashes are salted per process (PYTHONHASHSEED), and forked workers share the salt
anyway. A backend whose workers are not forked from the coordinator (another machine)
must fix PYTHONHASHSEED or use an unsalted hash if states ever hold strings.

The transport is `ForkedWorkers`: processes forked from the coordinator (so the model
reaches them without being pickled), driven through pipes by method name. Another
backend (Ray actors, Dask) needs only the same `start` / `call` / `pids` / `close`
around `LevelWorker`.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import tempfile
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any, Protocol, cast

import numpy as np

from leaderless.checker.protocol import Model, State
from leaderless.checker.visited import FingerprintTable, contains

_MASK = (1 << 60) - 1  # the explorer's fingerprint bits
_BATCH = 1 << 12  # transitions a worker takes between two probes of the table
_MAX_SEEN = 1 << 20
_POLL_SECONDS = 0.05  # how often the coordinator looks at limits while workers work
_BALANCE = 1.1  # shares are evened out once the largest is this much above the mean


class SearchStopped(Exception):
    """A limit stopped the search; `reason` says which, in the user's words."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


class LevelWorker:
    """One worker's share of the search: its states of the level being expanded (in
    position order) and, while a level is resolved, the new states it found."""

    def __init__(
        self, model: Model, symmetry: bool, positions: np.ndarray, states: list[State]
    ) -> None:
        self.model = model
        self.canonical_key = model.canonical_key if symmetry else None
        self.positions = positions
        self.states = states
        self.found: list[State] = []
        self._table_path: str | None = None
        self._table: tuple[np.ndarray, ...] | None = None

    def expand(self, table: str | tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
        """Expand the share against the visited table: the path of the coordinator's
        file (mapped once per file), or its shards themselves (shipped to a machine that
        cannot map the file); return the new states' fingerprints, parent positions and
        successor indices (their order keys), and each parent's number of successors."""
        if isinstance(table, tuple):
            self._table, self._table_path = table, None
        elif table != self._table_path:
            self._table, self._table_path = FingerprintTable.attach(table), table
        slots = self._table
        assert slots is not None
        successors, canonical_key = self.model.successors, self.canonical_key
        fps: list[int] = []
        indices: list[int] = []
        found: list[State] = []
        starts: list[int] = []
        owners: list[int] = []
        kept: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.found = []
        counts = np.zeros(len(self.states), dtype=np.int64)
        seen: set[int] = set()

        def probe() -> None:
            batch = np.fromiter(fps, np.uint64, len(fps))
            new = np.flatnonzero(~contains(slots, batch))
            owner = np.repeat(
                np.asarray(owners, dtype=np.int64),
                np.diff(np.append(np.asarray(starts, dtype=np.int64), len(fps))),
            )
            kept.append(
                (batch[new], self.positions[owner[new]], np.asarray(indices, dtype=np.int64)[new])
            )
            self.found.extend(found[i] for i in new.tolist())
            for pending in (fps, indices, found, starts, owners):
                pending.clear()
            if len(seen) > _MAX_SEEN:
                seen.clear()

        for parent, state in enumerate(self.states):
            starts.append(len(fps))
            owners.append(parent)
            index = -1
            for index, (_, nxt) in enumerate(successors(state)):
                fp = hash(canonical_key(nxt) if canonical_key else nxt) & _MASK
                if fp not in seen:
                    seen.add(fp)
                    fps.append(fp)
                    indices.append(index)
                    found.append(nxt)
                    if len(fps) >= _BATCH:
                        probe()
                        starts.append(0)
                        owners.append(parent)
            counts[parent] = index + 1
        probe()
        columns = zip(*kept)
        fingerprints, parents, successor = (np.concatenate(column) for column in columns)
        return fingerprints, parents, successor.astype(np.int64), self.positions, counts

    def resolve(
        self, winners: np.ndarray, positions: np.ndarray, wanted: int, unreached: int
    ) -> tuple[dict[int, int], int, int]:
        """Keep the winners (indices into what `expand` returned) as the next share, at
        `positions`; check them. Return the first violating position per property, the
        situations still unreached, and the share's size."""
        found, self.found = self.found, []
        self.states = [found[i] for i in winners.tolist()]
        self.positions = positions
        violations = self.model.violations
        in_situation = getattr(self.model, "reached", None)
        first: dict[int, int] = {}
        for state, position in zip(self.states, positions.tolist()):
            if wanted:
                broken = violations(state, wanted)
                if broken:
                    wanted &= ~broken
                    unreached &= ~broken
                    for index in range(broken.bit_length()):
                        if broken >> index & 1:
                            first[index] = position
            if unreached:
                unreached &= ~in_situation(state, unreached)  # type: ignore[misc]
        return first, unreached, len(self.states)

    def give(self, count: int) -> tuple[np.ndarray, list[State]]:
        """Hand over the last `count` states of the share (to even out shares)."""
        keep = len(self.states) - count
        given = self.positions[keep:], self.states[keep:]
        self.positions, self.states = self.positions[:keep], self.states[:keep]
        return given

    def take(self, positions: np.ndarray, states: list[State]) -> int:
        """Add states to the share, keeping position order; return the share's size."""
        merged = np.concatenate((self.positions, positions))
        order = np.argsort(merged, kind="stable")
        every = self.states + states
        self.positions = merged[order]
        self.states = [every[i] for i in order.tolist()]
        return len(self.states)


class Workers(Protocol):
    """The transport: K `LevelWorker`s somewhere, called by method name."""

    size: int

    def start(self, make: Callable[[int], LevelWorker]) -> None: ...

    def call(
        self,
        requests: Sequence[tuple[str, tuple[Any, ...]] | None],
        waiting: Callable[[], None],
    ) -> list[Any]:
        """Send each worker its request (None: nothing) and wait for every answer,
        calling `waiting` every few hundredths of a second meanwhile (the limits; it
        may raise to stop the search, and the caller then closes the workers)."""
        ...

    @property
    def pids(self) -> list[int]: ...

    def close(self) -> None: ...


class ForkedWorkers:
    """Worker processes forked from this one, each serving a `LevelWorker` over a pipe.

    Workers ignore Ctrl-C: the coordinator receives it, ends them and reports what it
    found."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._processes: list[multiprocessing.process.BaseProcess] = []
        self._pipes: list[Connection] = []

    @staticmethod
    def available() -> bool:
        return "fork" in multiprocessing.get_all_start_methods()

    def start(self, make: Callable[[int], LevelWorker]) -> None:
        context = multiprocessing.get_context("fork")
        for index in range(self.size):
            mine, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(theirs, make, index), daemon=True)
            process.start()
            theirs.close()
            self._processes.append(process)
            self._pipes.append(mine)

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self._processes if process.pid is not None]

    def call(
        self,
        requests: Sequence[tuple[str, tuple[Any, ...]] | None],
        waiting: Callable[[], None],
    ) -> list[Any]:
        waiting_for: dict[Connection, int] = {}
        for pipe, request in zip(self._pipes, requests):
            if request is not None:
                pipe.send(request)
                waiting_for[pipe] = len(waiting_for)
        answers: list[Any] = [None] * len(requests)
        index_of = {pipe: i for i, pipe in enumerate(self._pipes)}
        while waiting_for:
            for ready in wait(list(waiting_for), timeout=_POLL_SECONDS):
                pipe = cast(Connection, ready)  # wait() gives back what it was given
                try:
                    status, answer = pipe.recv()
                except EOFError:
                    process = self._processes[index_of[pipe]]
                    process.join(1)
                    if process.exitcode == -signal.SIGKILL:
                        # What the kernel does to a process when memory runs out.
                        raise MemoryError from None
                    raise RuntimeError(
                        f"a worker process ended unexpectedly (exit code {process.exitcode})"
                    ) from None
                del waiting_for[pipe]
                if status == "interrupted":
                    raise KeyboardInterrupt
                if status == "memory":
                    raise MemoryError
                if status == "error":
                    raise RuntimeError(f"in a worker process: {answer}")
                answers[index_of[pipe]] = answer
            waiting()
        return answers

    def close(self) -> None:
        for pipe in self._pipes:
            pipe.close()
        for process in self._processes:
            if process.is_alive():
                process.kill()
        for process in self._processes:
            process.join()
        self._processes.clear()
        self._pipes.clear()


def _serve(pipe: Connection, make: Callable[[int], LevelWorker], index: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    worker = make(index)
    while True:
        try:
            method, args = pipe.recv()
        except EOFError:
            return
        try:
            reply: tuple[str, Any] = ("ok", getattr(worker, method)(*args))
        except KeyboardInterrupt:  # raised by the model itself: the parent ignores none
            reply = ("interrupted", None)
        except MemoryError:
            reply = ("memory", None)
        except Exception as error:  # the coordinator turns it into an internal error
            reply = ("error", f"{type(error).__name__}: {error}")
        pipe.send(reply)


def explore_in_parallel(search: Any, frontier: list[State], workers: Workers) -> None:
    """Go on with `search` (the explorer's `Search`, at the level `frontier`) in
    `workers`, level by level, to the end of the space or a limit (SearchStopped)."""
    size = workers.size
    cuts = np.linspace(0, len(frontier), size + 1).astype(int).tolist()
    positions = search.level_start + np.arange(len(frontier), dtype=np.int64)
    model, symmetry = search.model, search.symmetry

    def make(index: int) -> LevelWorker:
        share = slice(cuts[index], cuts[index + 1])
        return LevelWorker(model, symmetry, positions[share], frontier[share])

    with tempfile.TemporaryDirectory(prefix="leaderless-", dir=_table_directory()) as directory:
        search.table.share(directory)
        try:
            workers.start(make)
            frontier.clear()  # the workers have it now
            sizes = [cuts[i + 1] - cuts[i] for i in range(size)]

            def waiting() -> None:
                search.look(workers.pids)

            while _level(search, workers, sizes, waiting):
                search.depth += 1
                sizes = _even_out(workers, sizes, waiting)
        finally:
            workers.close()


def _table_directory() -> str | None:
    """Where the shared table's file goes: memory (/dev/shm) when it is large enough for
    a table as big as half the memory (containers often give it only 64 MiB, and a
    full one would crash the search), else the temporary directory."""
    try:
        shm = os.statvfs("/dev/shm")
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (OSError, ValueError, AttributeError):
        return None
    return "/dev/shm" if shm.f_bavail * shm.f_frsize >= memory // 2 else None


def _level(search: Any, workers: Workers, sizes: list[int], waiting: Callable[[], None]) -> bool:
    """Expand one level in the workers; return whether it found new states."""
    search.found_for_next_level = 0
    search.frontier_left = sum(sizes)
    found = workers.call([("expand", (search.table.path,))] * workers.size, waiting)
    fps, parents, successor, who, local = [], [], [], [], []
    counted = search.transitions
    for index, (fingerprints, parent, succ, _, _) in enumerate(found):
        fps.append(fingerprints)
        parents.append(parent)
        successor.append(succ)
        who.append(np.full(len(fingerprints), index, dtype=np.int64))
        local.append(np.arange(len(fingerprints), dtype=np.int64))
    parent_positions = np.concatenate([f[3] for f in found])
    counts = np.concatenate([f[4] for f in found])
    all_fps, all_parents, all_successor = map(np.concatenate, (fps, parents, successor))
    order = np.lexsort((all_successor, all_parents))
    _, first = np.unique(all_fps[order], return_index=True)
    won = order[np.sort(first)]

    def transitions_through(cut: int) -> int:
        at, index = int(all_parents[won[cut]]), int(all_successor[won[cut]])
        return counted + int(counts[parent_positions < at].sum()) + index + 1

    won = won[: search.room(len(won), transitions_through)]
    if search.stop_after_keeping is None:
        search.transitions = counted + int(counts.sum())
    if not len(won):
        search.check_kept_limit()
        return False
    new_fps = all_fps[won]
    search.table.add(new_fps)
    parent_fps = search.level_fingerprints[all_parents[won] - search.level_start]
    search.parents.add_level(new_fps, parent_fps)
    search.level_start = search.states
    search.level_fingerprints = new_fps
    search.states += len(won)
    search.found_for_next_level = len(won)
    new_positions = search.level_start + np.arange(len(won), dtype=np.int64)
    winner_of, winner_local = np.concatenate(who)[won], np.concatenate(local)[won]
    requests = []
    for index in range(workers.size):
        mine = winner_of == index
        requests.append(
            ("resolve", (winner_local[mine], new_positions[mine], search.wanted, search.unreached))
        )
    checked = workers.call(requests, waiting)
    level = search.depth + 1
    firsts: dict[int, int] = {}
    unreached = search.unreached
    for first, left, _ in checked:
        for index, position in first.items():
            firsts[index] = min(position, firsts.get(index, position))
        unreached &= left  # a situation stays unreached only if no worker reached it
    search.unreached = unreached
    for index, position in sorted(firsts.items()):
        search.record(1 << index, level, int(new_fps[position - search.level_start]))
    sizes[:] = [share for _, _, share in checked]
    search.check_kept_limit()
    return True


def _even_out(workers: Workers, sizes: list[int], waiting: Callable[[], None]) -> list[int]:
    """Move states from the largest shares to the smallest when they drift apart."""
    total = sum(sizes)
    mean = total / len(sizes)
    if max(sizes) <= _BALANCE * mean + 1:
        return sizes
    target = [total // len(sizes) + (i < total % len(sizes)) for i in range(len(sizes))]
    surplus = [max(size - goal, 0) for size, goal in zip(sizes, target)]
    given = workers.call([("give", (count,)) if count else None for count in surplus], waiting)
    moving = [answer for answer in given if answer is not None]
    positions = np.concatenate([p for p, _ in moving])
    states = [state for _, share in moving for state in share]
    requests: list[tuple[str, tuple[Any, ...]] | None] = []
    offset = 0
    for size, goal, gave in zip(sizes, target, surplus):
        need = goal - (size - gave)
        requests.append(
            ("take", (positions[offset : offset + need], states[offset : offset + need]))
            if need > 0
            else None
        )
        offset += max(need, 0)
    taken = workers.call(requests, waiting)
    return [
        size - gave if answer is None else answer
        for size, gave, answer in zip(sizes, surplus, taken)
    ]

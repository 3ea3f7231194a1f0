"""Exhaustive breadth-first exploration with fingerprints and shortest counterexamples.

The explorer visits every reachable state (one per symmetry class when symmetry is
on), checks every still-unviolated property on each new state, and keeps, per
property, the first violating state in BFS order, so each counterexample is a
shortest one. It does not stop at a violation: a property holds only when the
whole space was explored. It also notes, per property, whether any explored state
was in the situation the property is about (the model's `reached`), so a "holds"
that nothing in the run put to the test is told apart as vacuous.

The search goes level by level. A level's frontier is an ordered list; expanding it
in order, successors in the model's order, and keeping the first occurrence of each
fingerprint not visited before gives exactly the order of a FIFO queue, hence the same
states, parents, first violations and traces. Successors are taken in batches, so the
visited set is probed with numpy a batch at a time; with `workers` > 1 a large level is
split among processes (`leaderless.checker.parallel`), with the same result. Given a
`CompiledModel`, the search goes on from a large level with packed states (rows of a
numpy array) expanded and checked by compiled code a chunk of parents at a time, in the
same order, hence again with the same result; a level's rows wait in a `RowFrontier`.

Memory: the visited set keeps a 60-bit fingerprint per state in a compact table and the
fingerprint of its parent per level, on disk once it outgrows a small budget (as TLC
and Stateright keep fingerprints, not states); traces are rebuilt by replaying steps
from an initial state (`leaderless.checker.visited`). With rows, no state is a Python
object, and no level is held whole: its rows, each with its fingerprint, stay in memory
up to a few MiB and go to disk past that, and the parents of the states it finds go to
disk a chunk at a time. So a billion states cost the table (10.7 to 21.3 bytes a state,
16.1 GiB at its peak) and buffers of a few MiB in memory, within 24 GiB; on disk, 16
bytes a state of parents and the rows of two levels (`leaderless.checker.visited`).
Two distinct states with the same fingerprint would hide one of them;
`Exploration.collision_probability` bounds that chance (k states, 2^60 values: about
k^2 / 2^61).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import gc
import itertools
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from leaderless.checker.outcome import Outcome
from leaderless.checker.parallel import (
    ForkedWorkers,
    SearchStopped,
    Workers,
    explore_in_parallel,
)
from leaderless.checker.protocol import CompiledModel, Model, State
from leaderless.checker.trace import Trace, rebuild_trace
from leaderless.checker.visited import FingerprintTable, Frontier, ParentLevels, RowFrontier

FINGERPRINT_BITS = 60
_MASK = (1 << FINGERPRINT_BITS) - 1
_PAGE_SIZE = resource.getpagesize()
_LOOK_SECONDS = 0.05  # how often the search looks at the clock and at memory
_MAX_BATCH = 1 << 14  # transitions taken between two looks (and two probes), at most
# With several workers, a level goes to them once it has this many states: below it,
# starting processes and exchanging a level cost more than they save.
PARALLEL_FROM = 20_000
# Given a compiled model, the search goes on with rows once a level has this many states:
# below it, packing states and calling compiled code cost more than they save, and a small
# search never waits for the kernel's first compilation.
COMPILED_FROM = 20_000
_PACK = 1 << 12  # states packed into rows at a time, between two looks
_MAX_SEEN = 1 << 20  # fingerprints a level remembers outside the table, at most

HOLDS, VIOLATED, NOT_APPLICABLE = Outcome.HOLDS, Outcome.VIOLATED, Outcome.NOT_APPLICABLE
INCONCLUSIVE = Outcome.INCONCLUSIVE
INTERRUPTED = "interrupted (Ctrl-C)"


@dataclass(frozen=True)
class Verdict:
    property_id: str
    meaning: str
    status: str  # holds / violated / n/a / inconclusive
    trace: Trace | None = None  # the shortest counterexample, when violated
    reason: str | None = None  # why it breaks, or which limit cut the search short
    # Whether an explored state was in the property's situation (always, when violated);
    # None when it does not apply or the model names no situations.
    reached: bool | None = None
    situation: str | None = None  # that situation in words

    @property
    def vacuous(self) -> bool:
        """Holds only because no explored state was in the situation it is about."""
        return self.status == HOLDS and self.reached is False


@dataclass(frozen=True)
class Progress:
    states: int
    transitions: int
    depth: int
    frontier: int
    seconds: float

    @property
    def states_per_second(self) -> float:
        return self.states / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class Exploration:
    states: int  # distinct states (symmetry classes when symmetry is on)
    transitions: int  # steps taken, including those to states already seen
    depth: int  # BFS depth of the deepest state reached
    seconds: float
    complete: bool  # the whole reachable space was explored
    stopped_by: str | None  # the limit that cut the search short, in words
    symmetry: bool
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def collision_probability(self) -> float:
        return self.states * self.states / 2.0 ** (FINGERPRINT_BITS + 1)

    def verdict(self, property_id: str) -> Verdict:
        for verdict in self.verdicts:
            if verdict.property_id == property_id:
                return verdict
        raise KeyError(property_id)


def memory_in_use(pid: int | str = "self") -> int:
    """Bytes of memory a process (this one by default) holds now (resident set), cheap
    enough to poll."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        # No /proc (macOS): the peak instead, which only makes the ceiling stricter.
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def memory_available() -> int | None:
    """Bytes this process may use at most: physical memory, or the container's limit
    (cgroup) when lower; None when neither can be read."""
    try:
        limit = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        limit = None
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path) as cgroup:
                text = cgroup.read().strip()
        except OSError:
            continue
        if text.isdigit():
            limit = int(text) if limit is None else min(limit, int(text))
    return limit


def describe_bytes(count: int) -> str:
    return f"{count / 2**30:.1f} GiB" if count >= 2**30 else f"{count / 2**20:.0f} MiB"


_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter (malloc.h)


@functools.cache
def return_freed_memory() -> None:
    """Have the C allocator serve blocks of 128 KiB and more (numpy's batch arrays)
    from mappings it gives back when they are freed. glibc starts so, but raises that
    threshold after the first such block is freed, after which a search's freed batches
    stay in its heap: some 20 MiB of the resident set, over 4 bytes a state on a 4 M-state
    search. Fixing the threshold keeps it; elsewhere (not glibc) nothing is done."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, 128 * 1024)


def default_workers() -> int:
    """Every core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Search:
    """What a search knows between levels, whoever expands them: the visited table, the
    parents per level, counts, the properties still asked about, and the limits.

    Positions: the states are numbered in BFS order from 0 (`states` so far); a level
    is the range of positions `level_start` .. `states`. Until the search goes on with
    rows, `level_fingerprints` holds the level's fingerprints in that order; from then
    on each row carries its own, and it is empty.
    """

    def __init__(
        self,
        model: Model,
        symmetry: bool,
        max_states: int | None,
        max_seconds: float | None,
        max_memory: int | None,
        progress: Callable[[Progress], None] | None,
        progress_every: float,
    ) -> None:
        self.started = time.monotonic()
        self.model = model
        self.symmetry = symmetry
        self.canonical_key = model.canonical_key if symmetry else None
        self.applicable = model.applicable
        self.wanted = self.applicable
        self.names_situations = hasattr(model, "reached")
        # A model that names no situations is asked nothing: `unreached` stays 0.
        self.unreached = self.applicable if self.names_situations else 0
        self.first_violation: dict[int, tuple[int, int]] = {}  # property -> (level, fp)
        self.table = FingerprintTable()
        self.parents = ParentLevels()
        self.states = 0
        self.transitions = 0
        self.depth = 0  # the level being expanded
        self.level_start = 0
        self.level_fingerprints = np.zeros(0, dtype=np.uint64)
        self.found_for_next_level = 0
        self.frontier_left = 0  # states of the level not yet expanded, for progress
        self.max_states = max_states
        self.state_limit: float = max_states if max_states is not None else float("inf")
        self.max_seconds = max_seconds
        self.deadline = self.started + max_seconds if max_seconds is not None else None
        self.max_memory = max_memory
        self.progress = progress
        self.progress_every = progress_every
        self.next_report = self.started + progress_every
        self.last_look = self.started
        # Transitions taken between two looks at the clock: adapted so that a look comes
        # about every _LOOK_SECONDS, whatever a step costs.
        self.batch = 1
        self.stop_after_keeping: str | None = None  # the state limit cut a batch

    def fingerprint(self, state: State) -> int:
        return hash(self.canonical_key(state) if self.canonical_key else state) & _MASK

    def record(self, broken: int, level: int, fp: int) -> None:
        self.wanted &= ~broken
        self.unreached &= ~broken  # a violation is in its situation
        for index in range(len(self.model.properties)):
            if broken >> index & 1:
                self.first_violation[index] = (level, fp)

    def look(self, others: Sequence[int] = ()) -> None:
        """Time, memory (of this process and the processes `others`) and progress; then
        how many transitions to take before the next look."""
        now = time.monotonic()
        if self.deadline is not None and now >= self.deadline:
            raise SearchStopped(f"--max-seconds {self.max_seconds:g} reached")
        if (
            self.max_memory is not None
            and memory_in_use() + sum(map(memory_in_use, others)) >= self.max_memory
        ):
            raise SearchStopped(f"--max-memory {describe_bytes(self.max_memory)} reached")
        if self.progress is not None and now >= self.next_report:
            self.next_report = now + self.progress_every
            frontier = self.frontier_left + self.found_for_next_level
            self.progress(
                Progress(
                    self.states, self.transitions, self.depth + 1, frontier, now - self.started
                )
            )
        elapsed = now - self.last_look
        if elapsed < _LOOK_SECONDS / 2:
            self.batch = min(self.batch * 2, _MAX_BATCH)
        elif elapsed > _LOOK_SECONDS * 2:
            self.batch = max(self.batch // 2, 1)
        self.last_look = now

    def room(self, found: int, transitions_through: Callable[[int], int]) -> int:
        """How many of `found` new states (in BFS order) the state limit lets in; when it
        cuts them, count the transitions up to the first state left out
        (`transitions_through(i)`: all those taken, through the one to the i-th new
        state) and stop after they are kept."""
        room = self.state_limit - self.states
        if found <= room:
            return found
        self.transitions = transitions_through(int(room))
        self.stop_after_keeping = f"--max-states {self.max_states} reached"
        return int(room)

    def check_kept_limit(self) -> None:
        if self.stop_after_keeping is not None:
            raise SearchStopped(self.stop_after_keeping)

    def initial_level(self) -> Frontier:
        """The initial states, checked and kept as level 0."""
        self.look()
        states = list(self.model.initial_states())
        fingerprints = np.fromiter(map(self.fingerprint, states), np.uint64, len(states))
        new = self.table.add(fingerprints)
        new = new[: self.room(len(new), lambda i: 0)]
        kept = fingerprints[new]
        first = [states[i] for i in new.tolist()]
        self.check_states(first, kept.tolist(), 0)
        frontier = Frontier()
        frontier.extend(first)
        self.states = len(kept)
        self.parents.add_level(kept, np.zeros_like(kept))
        self.level_fingerprints = kept
        self.check_kept_limit()
        return frontier

    def check_states(self, states: Sequence[State], fingerprints: list[int], level: int) -> None:
        """Properties and situations on new states, in BFS order."""
        if not (self.wanted or self.unreached):
            return
        violations = self.model.violations
        in_situation = getattr(self.model, "reached", None)
        for state, fp in zip(states, fingerprints):
            if self.wanted:
                broken = violations(state, self.wanted)
                if broken:
                    self.record(broken, level, fp)
            if self.unreached:
                self.unreached &= ~in_situation(state, self.unreached)  # type: ignore[misc]

    def expand_level(self, frontier: Frontier) -> Frontier:
        """Expand one level in this process; return the next level's states in order.

        Successors go into a batch, which the table resolves (`resolve`) once it holds
        `self.batch` transitions. A set of the fingerprints met in the level drops a
        state seen again at once, so that most successors die young (a batch full of
        them is slower to free than each at once); it is only a cache, cleared when it
        grows large: the table decides what is new.
        """
        successors = self.model.successors
        canonical_key = self.canonical_key
        level = self.depth + 1
        fps: list[int] = []
        found: list[State] = []
        taken_at: list[int] = []  # each found state's transition number in the level
        # Parent index of the batch's transitions: parent owners[k] from starts[k] on.
        starts: list[int] = []
        owners: list[int] = []
        next_level = Frontier()
        kept_fps: list[np.ndarray] = []
        kept_parents: list[np.ndarray] = []
        add_fp, add_found, add_taken = fps.append, found.append, taken_at.append
        seen: set[int] = set()
        seen_add = seen.add
        taken = 0  # transitions taken in the level
        counted = self.transitions  # the transitions before the level
        look_at = self.batch
        self.found_for_next_level = 0

        def resolve() -> None:
            batch = np.fromiter(fps, np.uint64, len(fps))
            new = self.table.add(batch, distinct=True)  # `seen` let no fingerprint in twice
            owner = np.repeat(
                np.asarray(owners, dtype=np.int64),
                np.diff(np.append(np.asarray(starts, dtype=np.int64), len(fps))),
            )
            new = new[: self.room(len(new), lambda i: counted + taken_at[int(new[i])])]
            if self.stop_after_keeping is None:
                self.transitions = counted + taken
            kept = batch[new]
            kept_fps.append(kept)
            kept_parents.append(self.level_fingerprints[owner[new]])
            states = [found[i] for i in new.tolist()]
            self.check_states(states, kept.tolist(), level)
            next_level.extend(states)
            self.states += len(states)
            self.found_for_next_level += len(states)
            for pending in (fps, found, taken_at, starts, owners):
                pending.clear()
            if len(seen) > _MAX_SEEN:
                seen.clear()

        try:
            for parent, state in enumerate(frontier.drain()):
                starts.append(len(fps))
                owners.append(parent)
                for _, nxt in successors(state):
                    taken += 1
                    # The fingerprint, inlined: a call per transition costs a few percent.
                    fp = hash(canonical_key(nxt) if canonical_key else nxt) & _MASK
                    if fp not in seen:
                        seen_add(fp)
                        add_fp(fp)
                        add_found(nxt)
                        add_taken(taken)
                    if taken >= look_at:
                        resolve()
                        self.check_kept_limit()
                        self.frontier_left = len(frontier) - parent
                        self.look()
                        look_at = taken + self.batch
                        starts.append(0)
                        owners.append(parent)
            resolve()
        except (KeyboardInterrupt, SearchStopped):
            if fps:
                resolve()  # what was found before the interruption counts
            raise
        finally:
            if kept_fps:
                fingerprints = np.concatenate(kept_fps)
                self.parents.add_level(fingerprints, np.concatenate(kept_parents))
                self.level_start = self.states - len(fingerprints)
                self.level_fingerprints = fingerprints
        self.check_kept_limit()
        return next_level

    def finish_with_rows(self, compiled: CompiledModel, frontier: Frontier) -> None:
        """Go on from the level `frontier` (being expanded) with packed states, level by
        level, to the end of the space or a limit (SearchStopped)."""
        rows = RowFrontier()
        self.found_for_next_level = 0  # the level is being expanded: nothing found yet
        self.frontier_left = len(frontier)
        try:
            self.pack_level(compiled, frontier, rows)
            while rows:
                rows = self.expand_rows(compiled, rows)
                if rows:
                    self.depth += 1
        finally:
            rows.close()

    def pack_level(self, compiled: CompiledModel, frontier: Frontier, rows: RowFrontier) -> None:
        """Pack the states of `frontier` into `rows`, each with its fingerprint (from
        `level_fingerprints`, in the frontier's order), which from here on the rows
        carry: `level_fingerprints` is let go."""
        fingerprints, self.level_fingerprints = self.level_fingerprints, _NO_FINGERPRINTS
        states = frontier.drain()
        packed_so_far = 0
        while packed := list(itertools.islice(states, _PACK)):
            if not rows:
                self.agree(compiled, packed[0])
            ahead = packed_so_far + len(packed)
            rows.extend(_records(compiled.pack(packed), fingerprints[packed_so_far:ahead]))
            packed_so_far = ahead
            self.look()

    def agree(self, compiled: CompiledModel, state: State) -> None:
        """Check on one state that `compiled` finds its successors in the model's order
        with the search's fingerprints (a kernel for exact states given to a search
        with symmetry would find other states)."""
        _, _, fingerprints = compiled.expand(compiled.pack([state]))
        found = (np.asarray(fingerprints, dtype=np.uint64) & np.uint64(_MASK)).tolist()
        if found != [self.fingerprint(nxt) for _, nxt in self.model.successors(state)]:
            raise RuntimeError("the compiled model's successors differ from the model's")

    def expand_rows(self, compiled: CompiledModel, frontier: RowFrontier) -> RowFrontier:
        """Expand one level of rows; return the next level's rows in order.

        As `expand_level` does with states: the parents go to `compiled.expand` a chunk
        at a time, of about `self.batch` transitions (at the mean number of successors
        so far), in order, and the table keeps the first occurrence of each new
        fingerprint, so the same states are found in the same order. Each row comes
        with its fingerprint (`_records`), so a chunk names its successors' parents, and
        the new fingerprints go to `self.parents` a chunk at a time: what the level
        holds in memory besides the table is a few chunks, whatever its size.
        """
        level = self.depth + 1
        next_level = RowFrontier()
        counted = self.transitions  # the transitions before the level
        taken = 0  # transitions taken in the level
        expanded = 0  # parents of the level expanded
        self.found_for_next_level = 0
        self.frontier_left = len(frontier)
        self.parents.begin_level()
        try:
            while True:
                fanout = max(self.transitions, 1) / max(self.level_start + expanded, 1)
                chunk = frontier.take(max(1, round(self.batch / fanout)))
                if chunk is None:
                    break
                rows, owners, fingerprints = compiled.expand(np.ascontiguousarray(chunk["state"]))
                fps = np.asarray(fingerprints, dtype=np.uint64) & np.uint64(_MASK)
                new = self.table.add(fps)
                new = new[: self.room(len(new), functools.partial(_taken, counted + taken, new))]
                taken += len(fps)
                if self.stop_after_keeping is None:
                    self.transitions = counted + taken
                kept = fps[new]
                self.parents.add_chunk(kept, chunk["fingerprint"][owners[new]])
                found = rows[new]
                self.check_rows(compiled, found, kept, level)
                next_level.extend(_records(found, kept))
                self.states += len(kept)
                self.found_for_next_level += len(kept)
                expanded += len(chunk)
                self.check_kept_limit()
                self.frontier_left = len(frontier)
                self.look()
        except BaseException:
            next_level.close()  # the search ends here: the rows found are not needed
            raise
        finally:
            self.parents.end_level()
            self.level_start = self.states - self.found_for_next_level
        return next_level

    def check_rows(
        self, compiled: CompiledModel, rows: np.ndarray, fingerprints: np.ndarray, level: int
    ) -> None:
        """Properties and situations on new rows, in BFS order: for each property, the
        first row that violates it is its first violation (as `check_states`)."""
        if not (self.wanted or self.unreached) or not len(rows):
            return
        violated, reached = compiled.check(rows, self.wanted, self.unreached)
        violated = np.asarray(violated, dtype=np.int64)
        firsts: dict[int, int] = {}  # row -> the properties it violates first
        broken = int(np.bitwise_or.reduce(violated)) & self.wanted
        for index in range(broken.bit_length()):
            if broken >> index & 1:
                row = int(np.argmax(violated >> index & 1))
                firsts[row] = firsts.get(row, 0) | 1 << index
        for row, first in sorted(firsts.items()):
            self.record(first, level, int(fingerprints[row]))
        self.unreached &= ~int(np.bitwise_or.reduce(np.asarray(reached, dtype=np.int64)))


_NO_FINGERPRINTS = np.zeros(0, dtype=np.uint64)


def _records(rows: np.ndarray, fingerprints: np.ndarray) -> np.ndarray:
    """Packed states (k, width) and their fingerprints as k records (`fingerprint`,
    `state`), which a `RowFrontier` keeps, and spills, together and in order."""
    records = np.empty(
        len(rows), dtype=[("fingerprint", np.uint64), ("state", rows.dtype, (rows.shape[1],))]
    )
    records["fingerprint"] = fingerprints
    records["state"] = rows
    return records


def _taken(before: int, new: np.ndarray, cut: int) -> int:
    """The transitions taken through the one to the `cut`-th new state of a chunk (`new`:
    their indices among its successors), after `before` others."""
    return before + int(new[cut]) + 1


def explore(
    model: Model,
    *,
    symmetry: bool = True,
    max_states: int | None = None,
    max_seconds: float | None = None,
    max_memory: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    progress_every: float = 1.0,
    workers: int = 1,
    parallel_from: int = PARALLEL_FROM,
    transport: Callable[[int], Workers] | None = None,
    compiled: CompiledModel | Callable[[], CompiledModel | None] | None = None,
    compiled_from: int = COMPILED_FROM,
) -> Exploration:
    """Explore `model` breadth-first; return counts and a verdict per property.

    Limits (`max_states` distinct states, `max_seconds`, `max_memory` bytes of resident
    memory, all processes together) stop the search as inconclusive. Time and memory
    are looked at every few hundredths of a second whatever one state or one step
    costs: the number of transitions between two looks adapts to how long they take.

    `workers` > 1: once a level has `parallel_from` states, the search forks that many
    processes and shares each level among them; states, transitions, depth, verdicts
    and traces are the same for every number of workers. `transport` makes the
    workers (default: forked processes); `leaderless.checker.cluster` has Ray's.

    `compiled` (the model's `CompiledModel`, fingerprinting as the search does: the
    canonical keys' hashes with symmetry, the states' without): once a level has
    `compiled_from` states, the search packs it and goes on with rows in this process
    (`workers` is then not used), with the same result as without it. It may be given
    as a function that makes it (or None: no compiled model), called only then, so that
    a small search never loads compiled code.
    """
    return_freed_memory()
    search = Search(model, symmetry, max_states, max_seconds, max_memory, progress, progress_every)
    make_workers = transport or (ForkedWorkers if ForkedWorkers.available() else None)
    stopped_by: str | None = None
    collecting = gc.isenabled()
    gc.disable()
    try:
        frontier = search.initial_level()
        while frontier:
            if compiled is not None and len(frontier) >= compiled_from:
                kernel = compiled() if callable(compiled) else compiled
                if kernel is not None:
                    search.finish_with_rows(kernel, frontier)
                    break
                compiled = None
            if workers > 1 and len(frontier) >= parallel_from and make_workers is not None:
                explore_in_parallel(search, list(frontier.drain()), make_workers(workers))
                break
            frontier = search.expand_level(frontier)
            if frontier:
                search.depth += 1
    except SearchStopped as stop:
        stopped_by = stop.reason
    except KeyboardInterrupt:
        stopped_by = INTERRUPTED
    except MemoryError:
        stopped_by = "out of memory (lower --max-memory to stop sooner)"
    except OSError as failed:
        # Parents and large levels go to files (in TMPDIR): a full disk is a limit too.
        if failed.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        stopped_by = f"out of disk space for the search's files in {tempfile.gettempdir()}"
    finally:
        search.table.close()
        if collecting:
            gc.enable()
    if stopped_by is not None and search.found_for_next_level:
        search.depth += 1  # states one level further were already found
    elapsed = time.monotonic() - search.started
    try:
        verdicts = _verdicts(search, stopped_by)
    finally:
        search.parents.close()
    return Exploration(
        search.states,
        search.transitions,
        search.depth,
        elapsed,
        stopped_by is None,
        stopped_by,
        symmetry,
        verdicts,
    )


def _verdicts(search: Search, stopped_by: str | None) -> list[Verdict]:
    model = search.model
    verdicts = []
    for index, prop in enumerate(model.properties):
        if not search.applicable >> index & 1:
            verdict = Verdict(prop.id, prop.meaning, NOT_APPLICABLE)
        elif index in search.first_violation:
            level, fp = search.first_violation[index]
            search.parents.start_at(level)
            trace = rebuild_trace(model, search.parents, fp, search.fingerprint, index)
            verdict = Verdict(prop.id, prop.meaning, VIOLATED, trace, trace.reason)
        elif stopped_by is None:
            verdict = Verdict(prop.id, prop.meaning, HOLDS)
        else:
            reason = (
                f"{stopped_by} after {search.states:,} states at depth {search.depth}; "
                "no violation found so far"
            )
            verdict = Verdict(prop.id, prop.meaning, INCONCLUSIVE, reason=reason)
        if search.names_situations:
            verdict = replace(
                verdict,
                reached=None
                if verdict.status == NOT_APPLICABLE
                else not search.unreached >> index & 1,
                situation=getattr(prop, "situation", None),
            )
        verdicts.append(verdict)
    return verdicts
